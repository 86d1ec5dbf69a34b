/**
 * scripts/release/gather.mjs, the release job's step between the runners'
 * artifacts and the GitHub release: every file is checked against its own
 * runner's SHA256SUMS before one combined SHA256SUMS is written, and a
 * damaged, missing, unlisted or doubled file stops the release with nothing
 * written. All in temporary folders made here.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../scripts/release/gather.mjs';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'relocate-release-gather-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** An artifact folder as a runner uploads it: its files and a SHA256SUMS listing them (unless `sums` says otherwise). */
function artifact(root: string, name: string, files: Record<string, string>, sums?: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(path.join(dir, file), content);
  const listed =
    sums ??
    Object.entries(files)
      .map(([file, content]) => `${sha256(content)}  ${file}\n`)
      .join('');
  writeFileSync(path.join(dir, 'SHA256SUMS'), listed);
  return dir;
}

/** A case's own folder with the two usual artifacts: Linux (the Windows files too) and macOS arm64. */
function scene(name: string) {
  const root = path.join(tmp, name);
  const linux = artifact(root, 'exe-linux', {
    'relocate-0.1.0-win-x64.exe': 'MZ exe',
    'relocate-0.1.0-win-x64.zip': 'PK zip',
    'relocate-0.1.0-linux-x64': 'ELF',
  });
  const darwin = artifact(root, 'exe-darwin-arm64', { 'relocate-0.1.0-darwin-arm64': 'Mach-O' });
  return { root, linux, darwin, out: path.join(root, 'release') };
}

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const status = await main(args, { stdout: (s: string) => (stdout += s), stderr: (s: string) => (stderr += s) });
  return { status, stdout, stderr };
}

describe('gathering the release files', () => {
  it('copies every checked file and writes one SHA256SUMS of them all, sorted by name', async () => {
    const { linux, darwin, out } = scene('ok');
    const res = await run(['--out', out, linux, darwin]);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'SHA256SUMS',
      'relocate-0.1.0-darwin-arm64',
      'relocate-0.1.0-linux-x64',
      'relocate-0.1.0-win-x64.exe',
      'relocate-0.1.0-win-x64.zip',
    ]);
    const sums = readFileSync(path.join(out, 'SHA256SUMS'), 'utf8');
    expect(sums).toBe(
      [
        `${sha256('Mach-O')}  relocate-0.1.0-darwin-arm64`,
        `${sha256('ELF')}  relocate-0.1.0-linux-x64`,
        `${sha256('MZ exe')}  relocate-0.1.0-win-x64.exe`,
        `${sha256('PK zip')}  relocate-0.1.0-win-x64.zip`,
        '',
      ].join('\n'),
    );
    expect(res.stdout).toContain(sums);
    expect(readFileSync(path.join(out, 'relocate-0.1.0-win-x64.zip'), 'utf8')).toBe('PK zip');
  });

  it('reads SHA256SUMS written in binary mode (`hash *name`) and in upper case', async () => {
    const root = path.join(tmp, 'binary-mode');
    const dir = artifact(root, 'exe-x', { 'relocate-0.1.0-linux-x64': 'ELF' }, `${sha256('ELF').toUpperCase()} *relocate-0.1.0-linux-x64\r\n`);
    const res = await run(['--out', path.join(root, 'release'), dir]);
    expect(res.stderr).toBe('');
    expect(readFileSync(path.join(root, 'release', 'SHA256SUMS'), 'utf8')).toBe(`${sha256('ELF')}  relocate-0.1.0-linux-x64\n`);
  });

  const refusals: [string, (s: ReturnType<typeof scene>) => string[], RegExp][] = [
    [
      'a file changed after the build',
      (s) => {
        writeFileSync(path.join(s.linux, 'relocate-0.1.0-win-x64.zip'), 'PK zip, changed');
        return [s.linux, s.darwin];
      },
      /relocate-0\.1\.0-win-x64\.zip E_CHECKSUM SHA-256 [0-9a-f]{64} differs from [0-9a-f]{64} listed in SHA256SUMS/,
    ],
    [
      'a file SHA256SUMS does not list',
      (s) => {
        writeFileSync(path.join(s.darwin, 'notes.txt'), 'stray');
        return [s.linux, s.darwin];
      },
      /notes\.txt E_CHECKSUM not listed in/,
    ],
    [
      'a listed file that is missing',
      (s) => {
        rmSync(path.join(s.linux, 'relocate-0.1.0-linux-x64'));
        return [s.linux, s.darwin];
      },
      /E_CHECKSUM SHA256SUMS lists relocate-0\.1\.0-linux-x64, which is not in the artifact/,
    ],
    [
      'an artifact without SHA256SUMS',
      (s) => {
        rmSync(path.join(s.darwin, 'SHA256SUMS'));
        return [s.linux, s.darwin];
      },
      /exe-darwin-arm64[\\/]SHA256SUMS E_CHECKSUM no SHA256SUMS in this artifact/,
    ],
    [
      'a SHA256SUMS line it cannot read',
      (s) => {
        writeFileSync(path.join(s.darwin, 'SHA256SUMS'), 'md5sum output, not sha256sum\n');
        return [s.linux, s.darwin];
      },
      /E_CHECKSUM line 1 is not "<64 hex digits>  <file name>"/,
    ],
    [
      'one name in two artifacts',
      (s) => [s.linux, artifact(s.root, 'exe-again', { 'relocate-0.1.0-linux-x64': 'ELF' })],
      /E_DUPLICATE two artifacts hold a file of this name/,
    ],
    [
      'an output folder that is not empty',
      (s) => {
        mkdirSync(s.out, { recursive: true });
        writeFileSync(path.join(s.out, 'old.txt'), 'from an earlier run');
        return [s.linux, s.darwin];
      },
      /release E_OUT_NOT_EMPTY the output folder is not empty/,
    ],
  ];
  it.each(refusals)('refuses %s: a clear error, exit 1, nothing gathered', async (_what, prepare, message) => {
    const s = scene(`refuse-${Math.random().toString(36).slice(2)}`);
    const args = prepare(s);
    const before = existsSync(s.out) ? readdirSync(s.out) : undefined;
    const res = await run(['--out', s.out, ...args]);
    expect(res.status).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(message);
    expect(res.stderr).toMatch(/\n {2}hint: .+\n.*nothing was written\.\n$/);
    expect(existsSync(s.out) ? readdirSync(s.out) : undefined).toEqual(before);
  });

  it('needs --out and at least one folder', async () => {
    expect((await run(['--out', path.join(tmp, 'x')])).stderr).toMatch(/E_USAGE --out and at least one artifact folder are required/);
    expect((await run([path.join(tmp, 'x')])).stderr).toMatch(/E_USAGE/);
  });
});
