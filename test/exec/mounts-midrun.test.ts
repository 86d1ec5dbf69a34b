/**
 * Issue 13 §3, defence in depth: a volume mounted inside the folder being
 * moved *while the run works* (after the plan, so no plan-time refusal can
 * see it) is met by NodeFs's device fence. Whatever step it lands before —
 * the copy, the second verify (of the original set aside, the mount carried
 * along by the rename), the delete — the run stops with E_MOUNT_INSIDE,
 * rolls back, and leaves the mounted volume's files and the original tree
 * exactly as they were. Real tmpfs volumes; every mount undone in afterEach.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { FsPort } from '../../src/exec/fs-port.js';
import { rollbackRun, startRun } from '../../src/exec/run-control.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { Mounts } from '../helpers/mounts.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { tmpfsReason, volumePairForFile } from '../helpers/tmpfs.js';
import { inFlightLeftovers, planFor, reload, stateProblems } from '../property/harness.js';
import { build, relocateLeftovers } from './sandbox.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/exec/mounts-midrun: skipped: ${NO_TMPFS}`);

const vols = volumePairForFile('midrun');
const mounts = new Mounts();
afterEach(() => mounts.unmountAll(vols.volA(), vols.volB()));
let n = 0;

/** Games on volume A (to move to volume B), its manifest and state folder. */
function box() {
  const id = `m${n++}`;
  const A = path.join(vols.volA(), id);
  const B = path.join(vols.volB(), id);
  const games = path.join(A, 'Games');
  build(games, { 'game.exe': 'binary', 'saves/slot1': 'level 3', readme: 'hello' });
  mkdirSync(B, { recursive: true });
  const meta = path.join(vols.scratch(), id);
  mkdirSync(meta);
  const manifest = path.join(meta, 'relocate.yaml');
  writeFileSync(manifest, JSON.stringify({ version: 1, links: [{ link: games, target: path.join(B, 'Games'), type: 'symlink' }] }));
  return { A, B, games, stateDir: path.join(meta, 'state'), manifest };
}

/** NodeFs with `hook` run once, right before the `nth` call (0-based) of `method`. */
function before(method: keyof FsPort, nth: number, hook: (args: unknown[]) => void): FsPort {
  const inner = new NodeFs();
  let calls = 0;
  return new Proxy(inner, {
    get(t, k) {
      const v = Reflect.get(t, k) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        if (k === method && calls++ === nth) hook(args);
        return (v as (...x: unknown[]) => Promise<unknown>).apply(t, args);
      };
    },
  }) as FsPort;
}

/** Mounts a small tmpfs at `dir` holding two saves; returns what it holds. */
function mountWithSaves(dir: string): Record<string, string> {
  mounts.tmpfs(dir);
  build(dir, { 'precious.sav': 'only on the mounted volume', 'deep/more.sav': 'more' });
  return snapshotTree(dir);
}

describe.skipIf(NO_TMPFS)('a volume mounted inside the folder while the run works', () => {
  const moments: [string, keyof FsPort, number][] = [
    ['before the copy', 'copyTree', 0],
    ['before the second verify (the original set aside, the mount carried along)', 'verify', 1],
    ['before the delete of the original begins', 'assertOneDevice', 0],
  ];
  for (const [when, method, nth] of moments)
    for (const table of [true, false]) {
      it(`${when}${table ? '' : ' (no mount table: by device alone)'}: E_MOUNT_INSIDE, rolled back, the mounted volume and the original untouched`, async () => {
        if (!table) {
          process.env.RELOCATE_MOUNT_TABLE = '0';
          onTestFinished(() => {
            delete process.env.RELOCATE_MOUNT_TABLE;
          });
        }
        const c = box();
        const plan = await planFor(c.manifest, c.stateDir);
        expect(plan.blocked).toBe(false);
        const original = snapshotTree(c.games);
        const mountAt = path.join(c.games, 'saves', 'ssd');
        let onVolume: Record<string, string> = {};
        let mountedAt = '';
        const fs = before(method, nth, (args) => {
          // The tree as it is now: the original itself, or its set-aside name (the rename carried the folder there).
          const root = method === 'copyTree' ? c.games : String(args[0]);
          mountedAt = path.join(root, 'saves', 'ssd');
          onVolume = mountWithSaves(mountedAt);
        });
        const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs, verify: 'meta', noRollback: false });
        expect(mountedAt, 'the hook ran').not.toBe('');
        expect(out.result).toBe('rolled-back');
        expect(out.error?.code).toBe('E_MOUNT_INSIDE');
        expect(out.error?.message).toContain('saves/ssd');
        // Rolled back: the mount came back with the folder it is in, with every file on it.
        const rel = (snap: Record<string, string>, base: string) => Object.fromEntries(Object.entries(snap).map(([p, v]) => [path.relative(base, p), v]));
        expect(rel(snapshotTree(mountAt), mountAt)).toEqual(rel(onVolume, mountedAt));
        const now = snapshotTree(c.games);
        for (const p of Object.keys(now)) if (p === mountAt || p.startsWith(`${mountAt}/`)) delete now[p];
        expect(now).toEqual(original);
        expect(snapshotTree(c.B)).toEqual({ [c.B]: expect.stringMatching(/^dir /) });
        expect([...inFlightLeftovers(c.A, c.B), ...relocateLeftovers(c.A, c.B)]).toEqual([]);
        expect(await stateProblems(c.stateDir)).toEqual([]);
      });
    }

  it("in the instant between the delete's journal line and the delete: deleteTree refuses and deletes nothing; once unmounted, rollback finishes", async () => {
    const c = box();
    const plan = await planFor(c.manifest, c.stateDir);
    const original = snapshotTree(c.games);
    let mountedAt = '';
    let onVolume: Record<string, string> = {};
    const fs = before('deleteTree', 0, (args) => {
      mountedAt = path.join(String(args[0]), 'saves', 'ssd');
      onVolume = mountWithSaves(mountedAt);
    });
    const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs, verify: 'meta', noRollback: false });
    expect(out.error?.code).toBe('E_MOUNT_INSIDE');
    // The undo cannot prove the set-aside original whole while a volume is mounted in it, so it stops there.
    expect(out.result).toBe('failed');
    expect(snapshotTree(mountedAt)).toEqual(onVolume);
    const aside = path.dirname(path.dirname(mountedAt));
    const now = snapshotTree(aside);
    for (const p of Object.keys(now)) if (p === mountedAt || p.startsWith(`${mountedAt}/`)) delete now[p];
    const rel = (snap: Record<string, string>, base: string) => Object.fromEntries(Object.entries(snap).map(([p, v]) => [path.relative(base, p), v]));
    expect(rel(now, aside)).toEqual(rel(original, c.games));
    mounts.unmountAll(vols.volA());
    const back = await rollbackRun(await reload(c.stateDir, out.record.id), {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs: new NodeFs(),
      force: false,
    });
    expect(back.result, JSON.stringify(back.error)).toBe('rolled-back');
    // The empty folder the mount was made on is not relocate's: it is kept, as is every original file.
    expect(snapshotTree(c.games)).toEqual({ ...original, [path.join(c.games, 'saves', 'ssd')]: expect.stringMatching(/^dir /) });
    expect([...inFlightLeftovers(c.A, c.B), ...relocateLeftovers(c.A, c.B)]).toEqual([]);
    expect(await stateProblems(c.stateDir)).toEqual([]);
  });
});
