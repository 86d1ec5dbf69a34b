/**
 * Issue 15, what a copy cannot keep, and what it does then:
 *
 * - run by a user without CAP_CHOWN (uid 65534 with one supplementary
 *   group, through setpriv), a move across volumes keeps the owner and
 *   group of the caller's own files (a group of the caller's other than its
 *   primary one needs a chown, so this fails when the chown is left out);
 *   files of another user become the caller's, as mv does, and --verbose
 *   counts them (keep-meta.ts, `ownersNotKept`);
 * - an extended attribute the destination refuses (user.* onto a FUSE file
 *   system that holds none: test/helpers/case-insensitive-fuse.py; this
 *   kernel has no vfat) fails the copy with E_CANNOT_KEEP naming the path and the
 *   attribute, and nothing is deleted — where mv would drop it silently.
 *
 * Volumes are loop-mounted (root); the non-root runs get folders of their
 * own on them.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliAsync } from '../helpers/cli.js';
import { sh, xattrsOf, fidelityToolsReason } from '../helpers/fidelity.js';
import { fuseReason, mountFuse } from '../helpers/case-insensitive.js';
import { loopFsReason, mountLoop, type LoopVolume } from '../helpers/loop-volume.js';

/** Who the non-root runs are: nobody's uid and gid (numbers: no passwd entry needed), and a supplementary group. */
const USER = 65534;
const GROUP = 65534;
const EXTRA_GROUP = 4242;

function setprivMissing(): string | undefined {
  try {
    execFileSync('sh', ['-c', 'command -v setpriv'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'setpriv is not installed (Debian: util-linux)';
  }
}

const reason = loopFsReason('ext4') ?? fidelityToolsReason();
const nonRootReason = reason ?? setprivMissing();
const noXattrReason = reason ?? fuseReason();
for (const [what, why] of [
  ['keeping owners without root', nonRootReason],
  ['E_CANNOT_KEEP onto a file system without xattrs', noXattrReason],
] as const) {
  if (why) console.log(`[skip] ${what}: ${why}`);
}

let volA: LoopVolume | undefined;
let volB: LoopVolume | undefined;
let noXattrs: { dir: string; unmount(): void } | undefined;

beforeAll(async () => {
  if (reason) return;
  volA = mountLoop('ext4', 32, 'keep-a');
  volB = mountLoop('ext4', 32, 'keep-b');
  // The image's folder is made 0700 by mkdtemp: the non-root runs must reach the mount points inside.
  for (const v of [volA, volB]) chmodSync(path.dirname(v.dir), 0o755);
  if (!noXattrReason) noXattrs = await mountFuse('keep-fuse');
}, 30_000);
afterAll(() => {
  for (const v of [volA, volB, noXattrs]) {
    try {
      v?.unmount();
    } catch (err) {
      console.error(err);
    }
  }
});

function manifest(dir: string, link: string, target: string): string {
  const m = path.join(dir, 'relocate.yaml');
  writeFileSync(m, `version: 1\nlinks:\n  - link: ${JSON.stringify(link)}\n    target: ${JSON.stringify(target)}\n    type: symlink\n`);
  return m;
}

function ownerOf(p: string): string {
  const s = lstatSync(p);
  return `${s.uid}:${s.gid}`;
}

describe.skipIf(nonRootReason !== undefined)('a move by a user without CAP_CHOWN', { timeout: 60_000 }, () => {
  it("keeps the owner and group of the caller's files (a supplementary group too); files of another user become the caller's, as mv does, and --verbose counts them", async () => {
    const dir = path.join(volA!.dir, 'nonroot');
    const g = path.join(dir, 'Games');
    mkdirSync(path.join(g, 'sub'), { recursive: true });
    writeFileSync(path.join(g, 'own'), 'mine\n');
    writeFileSync(path.join(g, 'grouped'), 'mine, shared with a group\n', { mode: 0o640 });
    writeFileSync(path.join(g, 'other'), "another user's\n", { mode: 0o644 });
    writeFileSync(path.join(g, 'sub', 'theirs'), "another user's too\n", { mode: 0o644 });
    for (const p of [dir, g, path.join(g, 'sub'), path.join(g, 'own')]) chownSync(p, USER, GROUP);
    chownSync(path.join(g, 'grouped'), USER, EXTRA_GROUP);
    chownSync(path.join(g, 'other'), 1234, 2345);
    chownSync(path.join(g, 'sub', 'theirs'), 1234, 1234);
    const targetDir = path.join(volB!.dir, 'nonroot');
    mkdirSync(targetDir);
    chownSync(targetDir, USER, GROUP);
    const target = path.join(targetDir, 'Games');
    const m = manifest(dir, g, target);
    chownSync(m, USER, GROUP);
    const wrapper = ['setpriv', `--reuid=${USER}`, `--regid=${GROUP}`, `--groups=${EXTRA_GROUP}`];
    // A lock registry of its own: the test run's (RELOCATE_LOCK_DIR, root's 0700 folder) is not this user's to write.
    const locks = path.join(dir, '.locks');
    mkdirSync(locks);
    chownSync(locks, USER, GROUP);
    const env = { HOME: dir, RELOCATE_LOCK_DIR: locks };
    const r = await runCliAsync(['apply', '--yes', '--verbose', '--state-dir', path.join(dir, '.state'), m], { wrapper, env });
    expect(r.status, r.stderr).toBe(0);
    expect(ownerOf(path.join(target, 'own'))).toBe(`${USER}:${GROUP}`);
    expect(ownerOf(path.join(target, 'grouped'))).toBe(`${USER}:${EXTRA_GROUP}`);
    expect(ownerOf(path.join(target, 'other'))).toBe(`${USER}:${GROUP}`);
    expect(ownerOf(path.join(target, 'sub', 'theirs'))).toBe(`${USER}:${GROUP}`);
    expect(r.stderr).toContain('2 node(s) owned by another user or group now belong to you');
    expect(lstatSync(g).isSymbolicLink()).toBe(true);
  });
});

describe.skipIf(noXattrReason !== undefined)('an extended attribute the destination cannot hold', { timeout: 60_000 }, () => {
  it('fails the copy with E_CANNOT_KEEP naming the path and the attribute, and nothing is deleted (ext4 → FUSE without xattrs, user.*)', () => {
    const dir = path.join(volA!.dir, 'cannot-keep');
    const g = path.join(dir, 'Games');
    mkdirSync(g, { recursive: true });
    writeFileSync(path.join(g, 'f'), 'the file\n');
    sh('setfattr', '-n', 'user.color', '-v', 'blue', path.join(g, 'f'));
    const before = xattrsOf(path.join(g, 'f'));
    const target = path.join(noXattrs!.dir, 'Games');
    const r = runCli(['apply', '--yes', '--state-dir', path.join(dir, '.state'), manifest(dir, g, target)]);
    expect(r.status, r.stderr).not.toBe(0);
    expect(r.stderr).toMatch(
      /E_CANNOT_KEEP: setting the extended attribute user\.color of \S+\/f failed: the destination file system cannot hold it \(ENOTSUP\)/,
    );
    expect(r.stderr).toContain('nothing was deleted');
    expect(lstatSync(g).isDirectory()).toBe(true);
    expect(xattrsOf(path.join(g, 'f'))).toBe(before);
    expect(before).toContain('user.color');
    expect(existsSync(target)).toBe(false);
  });
});
