/**
 * Issue 15, "Names the target cannot hold", through the built CLI on real
 * volumes: an NTFS loop volume mounted by ntfs-3g (what Linux machines use
 * for a Windows disk; the mount table says fuseblk) and this machine's own
 * disk (ext4). Each refusal comes from `plan`, before anything is copied,
 * and leaves the disk as it was. (The case twins: test/cli/case-collision.)
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requireBuiltCli, runCliAsync } from '../helpers/cli.js';
import { loopFsReason, mountLoop, type LoopVolume } from '../helpers/loop-volume.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { mountTmpfs, tmpfsReason } from '../helpers/tmpfs.js';
import { json, show } from '../exec/sandbox.js';

const reason = loopFsReason('ntfs');
if (reason) console.warn(`test/cli/names: the NTFS tests skipped: ${reason}`);

let root: string;
beforeEach(() => {
  requireBuiltCli();
  root = mkdtempSync(path.join(os.tmpdir(), 'relocate-names-cli-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function manifest(link: string, target: string): string {
  const m = path.join(root, 'relocate.yaml');
  writeFileSync(m, JSON.stringify({ version: 1, links: [{ link, target }] }));
  return m;
}

const findings = (r: Parameters<typeof json>[0]) => json(r).entries.flatMap((e: { findings: { code: string }[] }) => e.findings);

describe.skipIf(reason !== undefined)('an NTFS volume (ntfs-3g)', () => {
  let ntfs: LoopVolume;
  beforeAll(() => {
    ntfs = mountLoop('ntfs', 32, 'names-ntfs');
  });
  afterAll(() => ntfs?.unmount());

  it('names Windows could not open, moving onto it: a warning naming each, and the move keeps them', async () => {
    const docs = path.join(root, 'Docs');
    mkdirSync(docs);
    for (const n of ['a:b', 'nul.txt', 'fine.txt']) writeFileSync(path.join(docs, n), n);
    const target = path.join(ntfs.dir, 'warn', 'Docs');
    const m = manifest(docs, target);
    const plan = await runCliAsync(['plan', m, '--json', '--state-dir', path.join(root, 'state')]);
    expect(plan.status, show(plan)).toBe(2);
    const f = findings(plan);
    expect(
      f.map((x: { code: string }) => x.code),
      show(plan),
    ).toEqual(['W_WINDOWS_NAME']);
    expect(f[0].message).toContain(`2 name(s) in ${docs} can be stored on the fuseblk volume of ${target} but not opened from Windows`);
    expect(f[0].message).toContain(`${path.join(docs, 'a:b')} (holds \`:\``);
    const r = await runCliAsync(['apply', m, '--yes', '--state-dir', path.join(root, 'state')]);
    expect(r.status, show(r)).toBe(0);
    expect(readdirSync(target).sort()).toEqual(['a:b', 'fine.txt', 'nul.txt']);
  }, 60_000);

  it('a name of 100 CJK characters (300 bytes: NTFS counts 100) moving to ext4, which holds 255 bytes: E_NAME_TOO_LONG at plan time, nothing changed', async () => {
    const docs = path.join(ntfs.dir, 'long', 'Docs');
    const long = '\u6f22'.repeat(100);
    mkdirSync(path.join(docs, 'sub'), { recursive: true });
    writeFileSync(path.join(docs, 'sub', long), 'x');
    const target = path.join(root, 'Docs');
    const m = manifest(docs, target);
    const before = snapshotTree(path.join(ntfs.dir, 'long'));
    const plan = await runCliAsync(['plan', m, '--json', '--state-dir', path.join(root, 'state')]);
    expect(plan.status, show(plan)).toBe(1);
    const f = findings(plan).find((x: { code: string }) => x.code === 'E_NAME_TOO_LONG');
    expect(f, show(plan)).toBeDefined();
    expect(f.path).toBe(path.join(docs, 'sub', long));
    expect(f.message).toContain('is 300 bytes long, and the ext4 volume');
    expect(f.message).toContain('holds names of at most 255 bytes (UTF-8)');
    const r = await runCliAsync(['apply', m, '--yes', '--state-dir', path.join(root, 'state')]);
    expect(r.status, show(r)).toBe(1);
    expect(r.stdout + r.stderr).toContain('E_NAME_TOO_LONG');
    expect(snapshotTree(path.join(ntfs.dir, 'long'))).toEqual(before);
    expect(existsSync(path.join(root, 'Docs'))).toBe(false);
  }, 60_000);
});

const noTmpfs = tmpfsReason();
if (noTmpfs) console.warn(`test/cli/names: the path-length test skipped: ${noTmpfs}`);

describe.skipIf(noTmpfs !== undefined)('paths longer than Linux takes', () => {
  it('a deep tree moving to another volume under a longer path: E_PATH_TOO_LONG at plan time, naming the path it would make; the same tree under a short path is fine', async () => {
    // 16 folders of 240 bytes: 3,856 bytes below the top, under a short source path: fine where it is.
    const src = path.join(root, 'd');
    const seg = 'x'.repeat(240);
    let deep = src;
    for (let i = 0; i < 16; i++) deep = path.join(deep, seg);
    mkdirSync(deep, { recursive: true });
    writeFileSync(path.join(deep, 'f'), 'x');
    const vol = mountTmpfs(4, 'names-path');
    try {
      // 300 bytes deeper than the source: the same tree there passes 4,095 bytes.
      const target = path.join(vol.dir, 'y'.repeat(150), 'z'.repeat(150), 'd');
      const plan = await runCliAsync(['plan', manifest(src, target), '--json', '--state-dir', path.join(root, 'state')]);
      expect(plan.status, show(plan)).toBe(1);
      const f = findings(plan).find((x: { code: string }) => x.code === 'E_PATH_TOO_LONG');
      expect(f, show(plan)).toBeDefined();
      expect(f.path).toBe(path.join(deep, 'f'));
      expect(f.message).toContain(`${path.join(target, path.relative(src, deep), 'f')} would be`);
      expect(f.message).toContain('Linux takes paths of at most 4095 bytes');
      const short = await runCliAsync(['plan', manifest(src, path.join(vol.dir, 'd')), '--json', '--state-dir', path.join(root, 'state')]);
      expect(short.status, show(short)).toBe(2);
      expect(readdirSync(vol.dir)).toEqual([]);
    } finally {
      vol.unmount();
    }
  }, 60_000);
});
