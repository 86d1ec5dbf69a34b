/**
 * Issue 15: the verify just before a cross-volume move deletes the original
 * walks it fresh but takes the copy's reads of each node's extended
 * attributes, ACL and inode flags where the node's inode number and change
 * time are as they were (src/platform/ctime-vouch.ts, NodeFs `forReuse`).
 * These tests pin that the reuse weakens nothing — a change a program makes
 * to the original between the first verify and the second (an attribute's
 * value, an ACL entry, an inode flag) is caught and nothing is deleted —
 * on the hard case for change times: a source volume of ext4 with 128-byte
 * inodes, which keeps them to the second, so a change within the second the
 * node was read leaves its ctime as it was. And that the reuse happens:
 * the keeper's reads are counted.
 *
 * The tree is vouched for when older than the margin: here NodeFs is given
 * a 2 s margin (the least that is sound on a whole-second volume: see the
 * module comment of ctime-vouch.ts) and the tests wait it out; the default
 * 10 s margin is used where the tree is new.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FsPort } from '../../src/exec/fs-port.js';
import { startRun, type RunOutcome } from '../../src/exec/run-control.js';
import type { VouchOptions } from '../../src/platform/ctime-vouch.js';
import { MetaKeeper } from '../../src/platform/keep-meta.js';
import { platformKeeperCalls, type KeeperCalls } from '../../src/platform/keeper-calls.js';
import { NodeFs, fsError } from '../../src/platform/node-fs.js';
import { fidelityToolsReason, lsattrOf, sh } from '../helpers/fidelity.js';
import { loopReason, mountLoop, type LoopVolume } from '../helpers/loop-volume.js';
import { planFor } from '../property/harness.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

const reason = loopReason() ?? fidelityToolsReason();
if (reason) console.log(`[skip] attribute reads reused by the verify before a delete: ${reason}`);

/** The margin these tests give NodeFs, and how long they wait for a new tree to be older than it. */
const TEST_VOUCH: VouchOptions = { marginNs: 2_000_000_000n };
const WAIT_MS = 2300;

let src: LoopVolume | undefined;
let dst: LoopVolume | undefined;
let n = 0;

beforeAll(() => {
  if (reason) return;
  // 128-byte inodes: whole-second times (mkfs.ext4 -I 128), where an equal ctime alone would prove nothing.
  src = mountLoop('ext4', 64, 'reuse-src', ['-I', '128']);
  dst = mountLoop('ext4', 64, 'reuse-dst');
});
afterAll(() => {
  for (const v of [src, dst]) {
    try {
      v?.unmount();
    } catch (err) {
      console.error(err);
    }
  }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const getfattr = (p: string, name: string) => execFileSync('getfattr', ['--absolute-names', '-n', name, '--only-values', p], { encoding: 'utf8' });

/** A Games folder on the source volume with attributes, an ACL and a flag, its manifest entry to the destination, and a state folder. */
function box() {
  const id = `c${n++}`;
  const games = path.join(src!.dir, id, 'Games');
  mkdirSync(path.join(games, 'saves'), { recursive: true });
  writeFileSync(path.join(games, 'game.exe'), 'binary');
  writeFileSync(path.join(games, 'saves', 'slot1'), 'level 3');
  writeFileSync(path.join(games, 'readme'), 'hello');
  sh('setfattr', '-n', 'user.origin', '-v', 'store', path.join(games, 'game.exe'));
  sh('setfacl', '-m', 'u:4242:r', path.join(games, 'readme'));
  sh('chattr', '+A', path.join(games, 'saves'));
  const target = path.join(dst!.dir, id, 'Games');
  mkdirSync(path.dirname(target));
  const meta = path.join(src!.dir, id);
  const manifest = path.join(meta, 'relocate.yaml');
  writeFileSync(manifest, JSON.stringify({ version: 1, links: [{ link: games, target, type: 'symlink' }] }));
  return { games, target, stateDir: path.join(meta, 'state'), manifest, nodes: 5 };
}

/**
 * NodeFs over this platform's keeper with its attribute and flag reads
 * counted; `hook` runs once, right after the first verify (the copy
 * verified, the original not yet set aside), where `reads` are zeroed, so
 * they count what the verify before the delete read.
 */
async function countingFs(vouch: VouchOptions | undefined, hook: () => void) {
  const calls = await platformKeeperCalls();
  const reads = { xattrs: 0, flags: 0 };
  const counted: KeeperCalls = {
    ...calls,
    xattrs: calls.xattrs && { ...calls.xattrs, read: (p) => (reads.xattrs++, calls.xattrs!.read(p)) },
    flags: calls.flags && { ...calls.flags, get: (p, owned) => (reads.flags++, calls.flags!.get(p, owned)) },
  };
  const inner = new NodeFs(MetaKeeper.over(counted, fsError), vouch);
  let fired = false;
  const fs = new Proxy(inner, {
    get(t, k) {
      const v = Reflect.get(t, k) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        const r = await (v as (...x: unknown[]) => Promise<unknown>).apply(t, args);
        if (k === 'verify' && !fired) {
          fired = true;
          hook();
          reads.xattrs = 0;
          reads.flags = 0;
        }
        return r;
      };
    },
  }) as FsPort;
  return { fs, reads };
}

async function move(c: ReturnType<typeof box>, fs: FsPort): Promise<RunOutcome> {
  return startRun(await planFor(c.manifest, c.stateDir), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs, verify: 'meta', noRollback: false });
}

/** The run stopped before any delete: E_VERIFY naming the original as what changed, the original whole at its place, nothing left at the target. */
function expectCaught(out: RunOutcome, c: ReturnType<typeof box>, rel: string) {
  expect(out.result, out.error?.message).toBe('rolled-back');
  expect(out.error?.code).toBe('E_VERIFY');
  expect(out.error?.message).toContain('changed while relocate moved them');
  expect(out.error?.message).toContain(rel);
  expect(lstatSync(c.games).isDirectory()).toBe(true);
  expect(readdirSync(c.games).sort()).toEqual(['game.exe', 'readme', 'saves']);
  expect(readdirSync(path.dirname(c.target))).toEqual([]);
}

describe.skipIf(reason !== undefined)(
  'the verify before a delete reuses attribute reads only where the change time vouches for them',
  { timeout: 60_000 },
  () => {
    it('nothing changed: the move is done, and that verify read the attributes and flags of the top folder only (the set-aside rename moved its ctime)', async () => {
      const c = box();
      await sleep(WAIT_MS);
      const { fs, reads } = await countingFs(TEST_VOUCH, () => undefined);
      const out = await move(c, fs);
      expect(out.result, out.error?.message).toBe('done');
      expect(reads).toEqual({ xattrs: 1, flags: 1 });
      expect(getfattr(path.join(c.target, 'game.exe'), 'user.origin')).toBe('store');
      expect(lsattrOf(path.join(c.target, 'saves'))).toContain('A');
    });

    it('an attribute given another value after the first verify is caught before the delete; the original keeps it', async () => {
      const c = box();
      await sleep(WAIT_MS);
      const exe = path.join(c.games, 'game.exe');
      const { fs, reads } = await countingFs(TEST_VOUCH, () => sh('setfattr', '-n', 'user.origin', '-v', 'patched', exe));
      expectCaught(await move(c, fs), c, 'game.exe');
      expect(getfattr(exe, 'user.origin')).toBe('patched');
      // Read again: the top folder and the changed file; the others were vouched for.
      expect(reads.xattrs).toBe(2);
    });

    it('an ACL entry added after the first verify is caught before the delete (one that leaves the mode as it was)', async () => {
      const c = box();
      await sleep(WAIT_MS);
      const readme = path.join(c.games, 'readme');
      const mode = lstatSync(readme).mode;
      // Read-only like the entry already there: the ACL mask, and so the mode's group bits, stay as they were.
      const { fs } = await countingFs(TEST_VOUCH, () => sh('setfacl', '-m', 'u:4343:r', readme));
      const out = await move(c, fs);
      expectCaught(out, c, 'readme');
      expect(out.error?.message).toContain('ACL');
      expect(lstatSync(readme).mode).toBe(mode);
      expect(execFileSync('getfacl', ['--absolute-names', '-c', readme], { encoding: 'utf8' })).toContain('user:4343:r--');
    });

    it('an inode flag set after the first verify (chattr +d, nodump) is caught before the delete', async () => {
      const c = box();
      await sleep(WAIT_MS);
      const slot = path.join(c.games, 'saves', 'slot1');
      const { fs } = await countingFs(TEST_VOUCH, () => sh('chattr', '+d', slot));
      const out = await move(c, fs);
      expectCaught(out, c, 'saves/slot1');
      expect(out.error?.message).toContain('inode flags differ');
      expect(lsattrOf(slot)).toContain('d');
    });

    it("a wall clock stepped back since the copy's walk, before or during the walk that would reuse its reads: every node is read again", async () => {
      for (const stepAt of ['before', 'during'] as const) {
        const c = box();
        await sleep(WAIT_MS);
        // The wall clock's distance from the monotonic one, as the vouch reads it: at the copy's walk, then at the
        // start and the end of the verify before the delete. Five seconds back: beyond slewing, inside the margin.
        const offsets = stepAt === 'before' ? [0, -5000, -5000] : [0, 0, -5000];
        let asked = 0;
        const clock = { wallNs: () => BigInt(Date.now()) * 1_000_000n, wallMinusMonotonicMs: () => offsets[Math.min(asked++, offsets.length - 1)]! };
        const { fs, reads } = await countingFs({ ...TEST_VOUCH, clock }, () => undefined);
        const out = await move(c, fs);
        expect(out.result, out.error?.message).toBe('done');
        // Before: one walk, reading everything. During: the walk that reused (the top folder read), then one reading everything.
        expect(reads.xattrs, stepAt).toBe(stepAt === 'before' ? c.nodes : 1 + c.nodes);
      }
    });

    it('a tree changed within the margin before the move is read again in full, so a change in the same second as the read (ctime unchanged on this volume) is caught', async () => {
      // Each attempt makes the tree right after a second begins, so that the copy's read and the change fall within
      // one second and the change leaves the ctime as it was — the case only the margin catches. A slow attempt that
      // crossed into the next second proves less, and is made again.
      let sameSecond = false;
      for (let attempt = 0; attempt < 4 && !sameSecond; attempt++) {
        await sleep(1000 - (Date.now() % 1000) + 10);
        const c = box();
        const exe = path.join(c.games, 'game.exe');
        const { fs, reads } = await countingFs(undefined, () => {
          const before = lstatSync(exe, { bigint: true }).ctimeNs;
          sh('setfattr', '-n', 'user.origin', '-v', 'patched', exe);
          sameSecond = lstatSync(exe, { bigint: true }).ctimeNs === before;
        });
        expectCaught(await move(c, fs), c, 'game.exe');
        expect(reads.xattrs).toBe(c.nodes);
      }
      expect(sameSecond, 'no attempt changed the attribute within the second of the read').toBe(true);
    });
  },
);
