/**
 * Issue 15, macOS (run by the GitHub workflow on macos-latest, not as
 * root; skipped elsewhere with the reason printed): a move between two APFS
 * volumes (disk images made with hdiutil, which needs no root) keeps an
 * extended attribute (`xattr -w`), a file flag (`chflags hidden`, `nodump`)
 * and an ACL entry (`chmod +a "everyone allow readattr"`) of a file and of a
 * folder, and the creation times and nanosecond times of files, folders and
 * links (setattrlist, native/attr-times-darwin.ts); the verify fails
 * (E_VERIFY, nothing deleted) when the copy loses the attribute, the flag
 * or the creation time. Attributes are set and read with xattr, chflags,
 * chmod and ls. A move onto ExFAT and FAT32 images (which keep 10 ms and
 * 2 s) is not refused for the nanoseconds they cannot hold (time-grain.ts's
 * probe).
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutsideName, ProgressFn, RootMadeFn } from '../../src/exec/fs-port.js';
import { startRun } from '../../src/exec/run-control.js';
import { nativeAttrTimes } from '../../src/platform/native/attr-times-darwin.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { runCli } from '../helpers/cli.js';
import { planFor } from '../property/harness.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

const reason =
  process.platform !== 'darwin' ? `APFS volumes, xattr, chflags and ACLs are macOS's (this is ${process.platform}); the macOS CI runs these` : undefined;
if (reason) console.log(`[skip] macOS fidelity: ${reason}`);

function run(cmd: string, ...args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

let work: string | undefined;
const volumes: string[] = [];
let n = 0;

/** Makes and attaches a 64 MB disk image (APFS unless `fs` says otherwise; FAT32 needs over 33 MB) at a mount point of its own (no root needed). */
function attachApfs(name: string, fs = 'APFS'): string {
  const img = path.join(work!, `${name}.dmg`);
  const mnt = path.join(work!, name);
  mkdirSync(mnt);
  run('hdiutil', 'create', '-quiet', '-size', '64m', '-fs', fs, '-volname', name, img);
  run('hdiutil', 'attach', '-quiet', '-nobrowse', '-mountpoint', mnt, img);
  volumes.push(mnt);
  return mnt;
}

let volA = '';
let volB = '';
let volExfat = '';
let volFat = '';

beforeAll(() => {
  if (reason) return;
  work = mkdtempSync(path.join(os.tmpdir(), 'relocate-darwin-'));
  volA = attachApfs('RelocA');
  volB = attachApfs('RelocB');
  volExfat = attachApfs('RELOCX', 'ExFAT');
  volFat = attachApfs('RELOCF', 'MS-DOS FAT32');
}, 180_000);

afterAll(() => {
  for (const v of volumes) {
    try {
      run('hdiutil', 'detach', '-force', v);
    } catch (err) {
      console.error(err);
    }
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A tree on volume A — a file f and a folder sub holding inner — each with an attribute, a flag and an ACL entry, and the manifest moving it to B. */
function tree(): { g: string; target: string; state: string; manifest: string } {
  const dir = path.join(volA, `case-${++n}`);
  const g = path.join(dir, 'Games');
  mkdirSync(path.join(g, 'sub'), { recursive: true });
  writeFileSync(path.join(g, 'f'), 'the file\n');
  writeFileSync(path.join(g, 'sub', 'inner'), 'inside\n');
  for (const p of [path.join(g, 'f'), path.join(g, 'sub')]) {
    run('xattr', '-w', 'com.example.color', 'blue', p);
    // An allow entry: a deny of delete (or of writing attributes) would stop the move's own delete and the tests' damage.
    run('chmod', '+a', 'everyone allow readattr', p);
  }
  run('chflags', 'hidden', path.join(g, 'f'));
  run('chflags', 'nodump', path.join(g, 'sub'));
  const target = path.join(volB, `case-${n}`, 'Games');
  const manifest = path.join(dir, 'relocate.yaml');
  writeFileSync(manifest, `version: 1\nlinks:\n  - link: ${JSON.stringify(g)}\n    target: ${JSON.stringify(target)}\n    type: symlink\n`);
  return { g, target, state: path.join(dir, '.state'), manifest };
}

/** `ls -lOde`: the flags column and the ACL entries of one node (never followed). */
function lsOf(p: string): string {
  return run('ls', '-lOde', p);
}

class LosingFs extends NodeFs {
  private spoiled = false;
  constructor(private readonly lose: (copy: string) => void) {
    super();
  }
  override async copyTree(from: string, to: string, progress?: ProgressFn, onRoot?: RootMadeFn, reuse?: readonly OutsideName[]): Promise<void> {
    await super.copyTree(from, to, progress, onRoot, reuse);
    if (this.spoiled) return;
    this.spoiled = true;
    this.lose(to);
  }
}

describe.skipIf(reason !== undefined)('a move between two APFS volumes keeps what copyfile(3) keeps', { timeout: 60_000 }, () => {
  it('keeps an extended attribute, a flag (hidden, nodump) and an ACL entry of a file and of a folder', () => {
    const t = tree();
    const r = runCli(['apply', '--yes', '--state-dir', t.state, t.manifest]);
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(t.g).isSymbolicLink()).toBe(true);
    for (const rel of ['f', 'sub']) {
      const p = path.join(t.target, rel);
      expect(run('xattr', '-p', 'com.example.color', p).trim()).toBe('blue');
      expect(lsOf(p)).toContain('everyone allow readattr');
    }
    expect(lsOf(path.join(t.target, 'f'))).toContain('hidden');
    expect(lsOf(path.join(t.target, 'sub'))).toContain('nodump');
  });

  for (const [what, lose, message] of [
    [
      'an extended attribute of a folder',
      (c: string) => run('xattr', '-d', 'com.example.color', path.join(c, 'sub')),
      /sub: the extended attribute com\.example\.color is missing in the copy/,
    ],
    ['a flag of a file', (c: string) => run('chflags', 'nohidden', path.join(c, 'f')), /f: the inode flags differ \(hidden vs none\)/],
  ] as const) {
    it(`the verify fails (E_VERIFY, nothing deleted) when the copy loses ${what}`, async () => {
      const t = tree();
      const plan = await planFor(t.manifest, t.state);
      const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: t.state, fs: new LosingFs(lose), verify: 'meta', noRollback: false });
      expect(out.error?.code, out.error?.message).toBe('E_VERIFY');
      expect(out.error?.message).toMatch(message);
      expect(out.result, out.undoError?.message).toBe('rolled-back');
      expect(lstatSync(t.g).isDirectory()).toBe(true);
      expect(run('xattr', '-p', 'com.example.color', path.join(t.g, 'sub')).trim()).toBe('blue');
    });
  }
  it('keeps the creation times and nanosecond times of a file, a folder and a symlink (a creation time later than the mtime too)', async () => {
    const t = tree();
    const set = (await nativeAttrTimes())!;
    expect(set, 'setattrlist through koffi').not.toBeNull();
    symlinkSync('f', path.join(t.g, 'lnk'));
    // As an unpacked archive leaves them: made now, modified long ago (HFS+ and APFS would pull the creation time back to
    // an earlier mtime set on its own).
    const want: Record<string, [bigint, bigint]> = {
      f: [1_600_000_000_987_654_321n, 1_500_000_000_123_456_789n],
      lnk: [1_400_000_000_000_000_001n, 1_450_000_000_999_999_999n],
      'sub/inner': [1_300_000_000_000_000_123n, 1_350_000_000_000_000_456n],
      sub: [1_200_000_000_111_111_111n, 1_250_000_000_222_222_222n],
    };
    for (const [rel, [birth, mtime]] of Object.entries(want)) expect(set(path.join(t.g, rel), mtime, mtime, birth)).toBe(0);
    const r = runCli(['apply', '--yes', '--state-dir', t.state, t.manifest]);
    expect(r.status, r.stderr).toBe(0);
    for (const [rel, [birth, mtime]] of Object.entries(want)) {
      const s = lstatSync(path.join(t.target, rel), { bigint: true });
      expect([rel, s.birthtimeNs, s.mtimeNs]).toEqual([rel, birth, mtime]);
    }
  });

  it('the verify fails (E_VERIFY, nothing deleted) when the copy loses the creation time of a file', async () => {
    const t = tree();
    const set = (await nativeAttrTimes())!;
    expect(set(path.join(t.g, 'f'), 1_500_000_000_000_000_000n, 1_500_000_000_000_000_000n, 1_400_000_000_000_000_000n)).toBe(0);
    const lose = (c: string) => expect(set(path.join(c, 'f'), 1_500_000_000_000_000_000n, 1_500_000_000_000_000_000n, 1_450_000_000_000_000_000n)).toBe(0);
    const plan = await planFor(t.manifest, t.state);
    const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: t.state, fs: new LosingFs(lose), verify: 'meta', noRollback: false });
    expect(out.error?.code, out.error?.message).toBe('E_VERIFY');
    expect(out.error?.message).toMatch(/f: the creation time differs/);
    expect(out.result, out.undoError?.message).toBe('rolled-back');
    expect(lstatSync(path.join(t.g, 'f'), { bigint: true }).birthtimeNs).toBe(1_400_000_000_000_000_000n);
  });

  for (const [what, vol] of [
    ['ExFAT (10 ms times)', () => volExfat],
    ['FAT32 (2 s times)', () => volFat],
  ] as const) {
    it(`a move onto ${what} is not refused for the nanoseconds the volume cannot hold`, () => {
      const dir = path.join(volA, `case-${++n}`);
      const g = path.join(dir, 'Games');
      mkdirSync(path.join(g, 'sub'), { recursive: true });
      writeFileSync(path.join(g, 'f'), 'the file\n');
      writeFileSync(path.join(g, 'sub', 'inner'), 'inside\n');
      const target = path.join(vol(), `case-${n}`, 'Games');
      const manifest = path.join(dir, 'relocate.yaml');
      writeFileSync(manifest, `version: 1\nlinks:\n  - link: ${JSON.stringify(g)}\n    target: ${JSON.stringify(target)}\n    type: symlink\n`);
      const r = runCli(['apply', '--yes', '--state-dir', path.join(dir, '.state'), manifest]);
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(path.join(target, 'sub', 'inner'), 'utf8')).toBe('inside\n');
    });
  }
});
