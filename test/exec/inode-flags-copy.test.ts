/**
 * Issue 15, Linux inode flags that act only on data written after them, and
 * flags a destination cannot hold, on loop-mounted btrfs (which holds C,
 * no copy-on-write, and c, compression) and ext4 (which holds neither C
 * nor, usefully, c): btrfs → btrfs keeps C on a file that has data (set on
 * the empty copy before its bytes: btrfs silently ignores C on a file that
 * already has data, so setting it after would lose it and the verify would
 * stop the move); btrfs → ext4 drops C, as mv drops every flag, and
 * --verbose says so. Flags are set and read with chattr and lsattr.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../src/exec/run-control.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { runCli } from '../helpers/cli.js';
import { lsattrOf, sh } from '../helpers/fidelity.js';
import { loopFsReason, mountLoop, type LoopVolume } from '../helpers/loop-volume.js';
import { describePlan, planFor } from '../property/harness.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';
import { moveOf } from '../../src/plan/actions.js';

const reason = loopFsReason('btrfs');
if (reason) console.log(`[skip] inode flags on btrfs: ${reason}`);

let btrfsA: LoopVolume | undefined;
let btrfsB: LoopVolume | undefined;
let ext4: LoopVolume | undefined;
let n = 0;

beforeAll(() => {
  if (reason) return;
  btrfsA = mountLoop('btrfs', 128, 'flags-btrfs-a');
  btrfsB = mountLoop('btrfs', 128, 'flags-btrfs-b');
  ext4 = mountLoop('ext4', 32, 'flags-ext4');
});
afterAll(() => {
  for (const v of [btrfsA, btrfsB, ext4]) {
    try {
      v?.unmount();
    } catch (err) {
      console.error(err);
    }
  }
});

const DATA = 'bytes written after the flag\n'.repeat(2000);

/** A tree on btrfs A holding `nocow` (+C, then data) and `compressed` (+c, then data), and the manifest moving it to `to`. */
function tree(to: string): { g: string; target: string; state: string; manifest: string } {
  const dir = path.join(btrfsA!.dir, `case-${++n}`);
  const g = path.join(dir, 'Games');
  mkdirSync(g, { recursive: true });
  for (const [name, flag] of [
    ['nocow', '+C'],
    ['compressed', '+c'],
  ] as const) {
    const f = path.join(g, name);
    writeFileSync(f, '');
    sh('chattr', flag, f);
    writeFileSync(f, DATA);
  }
  const target = path.join(to, `case-${n}`, 'Games');
  const manifest = path.join(dir, 'relocate.yaml');
  writeFileSync(manifest, `version: 1\nlinks:\n  - link: ${JSON.stringify(g)}\n    target: ${JSON.stringify(target)}\n    type: symlink\n`);
  return { g, target, state: path.join(dir, '.state'), manifest };
}

/** Whether lsattr's flag column shows the flag letter `letter`. */
function has(flags: string, letter: string): boolean {
  return flags.includes(letter);
}

describe.skipIf(reason !== undefined)('inode flags that act on data to come, and flags the destination cannot hold', { timeout: 60_000 }, () => {
  it('btrfs → btrfs keeps C (no copy-on-write) on a file with data, and c (compression): set on the empty copy before its bytes', async () => {
    const t = tree(btrfsB!.dir);
    expect(has(lsattrOf(path.join(t.g, 'nocow')), 'C')).toBe(true);
    const plan = await planFor(t.manifest, t.state);
    expect(moveOf(plan.entries[0]!)?.crossVolume, describePlan(plan)).toBe(true);
    const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: t.state, fs: new NodeFs(), verify: 'content', noRollback: false });
    expect(out.result, out.error?.message).toBe('done');
    expect(has(lsattrOf(path.join(t.target, 'nocow')), 'C')).toBe(true);
    expect(has(lsattrOf(path.join(t.target, 'compressed')), 'c')).toBe(true);
    expect(readFileSync(path.join(t.target, 'nocow'), 'utf8')).toBe(DATA);
  });

  it('btrfs → ext4 drops C, which ext4 cannot hold, as mv does, and --verbose counts it; the other flags and the bytes are kept', () => {
    const t = tree(ext4!.dir);
    // btrfs shows c as the attribute btrfs.compression, which ext4 cannot hold (E_CANNOT_KEEP): that file stays behind.
    sh('rm', path.join(t.g, 'compressed'));
    sh('chattr', '+d', path.join(t.g, 'nocow'));
    const r = runCli(['apply', '--yes', '--verbose', '--state-dir', t.state, t.manifest]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 node\(s\) lost inode flags the destination cannot hold \(\+C\): mv keeps no inode flags at all/);
    const flags = lsattrOf(path.join(t.target, 'nocow'));
    expect(has(flags, 'C')).toBe(false);
    expect(has(flags, 'd')).toBe(true);
    expect(readFileSync(path.join(t.target, 'nocow'), 'utf8')).toBe(DATA);
  });
});
