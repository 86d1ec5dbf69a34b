/**
 * Issue 15, creation times (src/platform/birth-time.ts), on any OS: NodeFs
 * over a keeper whose calls keep creation times as the Windows keeper does
 * (MetaKeeper.over), with a fake SetFileTime that records the creation
 * time it is given and sets the other times for real. What is tested is
 * the logic around the call: the copy gives every node the original's
 * creation time, folders after their content; the verify compares it where
 * the volume holds it (and fails when it differs: Linux cannot set one, so
 * every copy here differs, which is what a lost creation time looks like);
 * a snapshot records it and a restore sets it, an older record without it
 * leaves the node's own. The real SetFileTime is tested over a fake Win32
 * (test/windows/keep-meta-logic.test.ts) and under Wine (wine.test.ts),
 * whose file systems hold no set creation time (asserted there).
 */
import { linkSync, lstatSync, lutimesSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { birthTimesHeld } from '../../src/platform/birth-time.js';
import { MetaKeeper } from '../../src/platform/keep-meta.js';
import { nativeSetTimesNs, type SetTimesNs } from '../../src/platform/native/utimens.js';
import { NodeFs, fsError } from '../../src/platform/node-fs.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-birth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A NodeFs whose keeper keeps creation times, the volume holding them when `held` says so; `calls` lists each time set, in order. */
async function birthKeepingFs(held: () => boolean) {
  const native = await nativeSetTimesNs();
  const calls: { p: string; birth: bigint | null | undefined }[] = [];
  const setTimes: SetTimesNs = (p, atimeNs, mtimeNs, birthtimeNs) => {
    calls.push({ p, birth: birthtimeNs });
    if (native) return native(p, atimeNs, mtimeNs);
    lutimesSync(p, Number(atimeNs / 1000n) / 1e6, Number(mtimeNs / 1000n) / 1e6);
    return 0;
  };
  const keeper = MetaKeeper.over({ xattrs: null, flags: null, copyMetadata: null, setTimes, birthTimesHeld: held }, fsError);
  return { fs: new NodeFs(keeper), calls };
}

const birthOf = (p: string) => lstatSync(p, { bigint: true }).birthtimeNs;

/** A folder with a file, a subfolder with a file, and a symlink. */
function tree(name: string): string {
  const root = path.join(dir, name);
  mkdirSync(path.join(root, 'sub'), { recursive: true });
  writeFileSync(path.join(root, 'a.txt'), 'a');
  writeFileSync(path.join(root, 'sub', 'b.txt'), 'b');
  symlinkSync('a.txt', path.join(root, 'link'));
  return root;
}
const RELS = ['', 'a.txt', 'link', 'sub', 'sub/b.txt'];
const at = (root: string, rel: string) => (rel === '' ? root : path.join(root, ...rel.split('/')));

describe('creation times, where the keeper keeps them (Windows)', () => {
  it("a copy gives every file, folder and link the original's creation time, each folder after its content", async () => {
    const src = tree('copy');
    const { fs, calls } = await birthKeepingFs(() => true);
    const dst = path.join(dir, 'copy-dst');
    await fs.copyTree(src, dst);
    for (const rel of RELS) {
      const set = calls.filter((c) => c.p === at(dst, rel));
      expect(
        set.map((c) => c.birth),
        rel,
      ).toEqual([birthOf(at(src, rel))]);
    }
    const index = (rel: string) => calls.findIndex((c) => c.p === at(dst, rel));
    expect(index('sub')).toBeGreaterThan(index('sub/b.txt'));
    expect(index('')).toBeGreaterThan(index('sub'));
  });

  it("the verify fails (E_VERIFY) when a copy's creation time differs, on a volume that holds them", async () => {
    const src = tree('verify');
    const { fs } = await birthKeepingFs(() => true);
    const dst = path.join(dir, 'verify-dst');
    // File times here move in clock ticks (milliseconds): a copy made in the original's tick would be born with its time.
    await new Promise((r) => setTimeout(r, 50));
    await fs.copyTree(src, dst);
    // Linux cannot set a birth time: the copy was born now, as a copy whose creation time was lost.
    expect(birthOf(dst)).not.toBe(birthOf(src));
    await expect(fs.verify(src, dst, 'meta', false)).rejects.toMatchObject({
      code: 'E_VERIFY',
      message: expect.stringMatching(/: the creation time differs \(\d+ ns vs \d+ ns\)/),
    });
  });

  it('one inode (a file and its hard link) has one creation time: the verify passes', async () => {
    const f = path.join(dir, 'one.txt');
    writeFileSync(f, 'one');
    linkSync(f, path.join(dir, 'one-link.txt'));
    const { fs } = await birthKeepingFs(() => true);
    await expect(fs.verify(f, path.join(dir, 'one-link.txt'), 'meta', false)).resolves.toBeUndefined();
  });

  it('on a volume that holds no creation times (Wine, FAT) the verify compares everything else, and --verbose says so', async () => {
    const src = tree('held-not');
    const { fs } = await birthKeepingFs(() => false);
    const dst = path.join(dir, 'held-not-dst');
    await fs.copyTree(src, dst);
    await expect(fs.verify(src, dst, 'meta', false)).resolves.toBeUndefined();
    expect(fs.keepNote).toContain(`the volume of ${dir} does not hold the creation times relocate sets`);
  });

  it("a snapshot records each node's creation time and a restore sets it; a record without one (an older journal) leaves the node's own", async () => {
    const src = tree('snap');
    const { fs, calls } = await birthKeepingFs(() => true);
    const nodes = JSON.parse(JSON.stringify(await fs.snapshot(src))) as Awaited<ReturnType<NodeFs['snapshot']>>;
    for (const rel of RELS) expect(nodes.find((n) => n.rel === rel)?.birthtimeNs, rel).toBe(String(birthOf(at(src, rel))));
    const to = path.join(dir, 'snap-restored');
    mkdirSync(to);
    await fs.restoreSnapshot(src, to, nodes);
    for (const rel of RELS) expect(calls.filter((c) => c.p === at(to, rel)).at(-1)?.birth, rel).toBe(birthOf(at(src, rel)));
    const old = path.join(dir, 'snap-restored-old');
    mkdirSync(old);
    calls.length = 0;
    await fs.restoreSnapshot(
      src,
      old,
      nodes.map(({ birthtimeNs: _b, ...rest }) => rest),
    );
    // The copy of each file from its twin gives the twin's (copyTree); the snapshot's own step gives none.
    for (const rel of RELS) expect(calls.filter((c) => c.p === at(old, rel)).at(-1)?.birth, rel).toBeUndefined();
  });
});

describe('which volumes hold a set creation time', () => {
  it.skipIf(process.platform !== 'linux')('Linux file systems do not (no system call sets a birth time); the probe leaves nothing behind', async () => {
    const native = await nativeSetTimesNs();
    const setTimes: SetTimesNs = (p, a, m) => (native ? native(p, a, m) : 0);
    const probeDir = path.join(dir, 'probe');
    mkdirSync(probeDir);
    expect(birthTimesHeld(probeDir, setTimes)).toBe(false);
    expect(readdirSync(probeDir)).toEqual([]);
  });
});
