/**
 * Issue 15: a snapshot (journaled before a subset delete: a merge's
 * leftovers) records the copyable inode flags of files and folders, and a
 * restore from it gives them back exactly — a folder it makes gets its
 * flags (a made folder has none of its own), a file copied from its twin
 * loses the twin's flags and gets the original's. A snapshot from an older
 * journal, without flags, restores as before: the node keeps what it has.
 * Run on the temporary folder's own file system where it holds `chattr +d`
 * (nodump) and `+A` (noatime): ext4 here.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rollbackRun, startRun } from '../../src/exec/run-control.js';
import type { NodeMeta } from '../../src/exec/fs-port.js';
import { FS_FL } from '../../src/platform/native/fs-flags.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { lsattrOf, sh } from '../helpers/fidelity.js';
import { planFor, reload } from '../property/harness.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-snapflags-'));
afterAll(() => {
  // Flags never stop a delete (only i and a do, and none is set), but are cleared anyway for a plain rm.
  try {
    execFileSync('chattr', ['-R', '-dA', dir], { stdio: 'ignore' });
  } catch {
    // nothing flagged
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Why flags cannot be tested here, or undefined: chattr +d and +A on a probe folder must hold. */
function flagsReason(): string | undefined {
  if (process.platform !== 'linux') return `chattr is Linux's (this is ${process.platform})`;
  const probe = path.join(dir, 'probe');
  try {
    mkdirSync(probe);
    sh('chattr', '+dA', probe);
    const got = lsattrOf(probe);
    return got.includes('d') && got.includes('A') ? undefined : `the file system of ${os.tmpdir()} did not keep chattr +dA (lsattr: ${got})`;
  } catch (err) {
    return `chattr +dA failed in ${os.tmpdir()}: ${(err as Error).message.split('\n')[0]}`;
  }
}
const reason = flagsReason();
if (reason) console.log(`[skip] inode flags in snapshots: ${reason}`);

/** The lsattr letters of `p` but `e` (extents, which ext4 gives every file). */
const flagsOf = (p: string) => lsattrOf(p).replace(/[-e]/g, '');

/**
 * `orig`: a flagged folder (nodump, noatime) holding a flagged file (nodump) and a plain file, and a plain folder
 * holding a plain file; `twin`: the same names and bytes without those flags, but its plain file has nodump.
 */
function originalAndTwin(name: string): { orig: string; twin: string } {
  const orig = path.join(dir, name, 'orig');
  const twin = path.join(dir, name, 'twin');
  for (const root of [orig, twin]) {
    mkdirSync(path.join(root, 'flagged'), { recursive: true });
    mkdirSync(path.join(root, 'plain'), { recursive: true });
    writeFileSync(path.join(root, 'flagged', 'marked.txt'), 'marked\n');
    writeFileSync(path.join(root, 'flagged', 'unmarked.txt'), 'unmarked\n');
    writeFileSync(path.join(root, 'plain', 'p.txt'), 'p\n');
  }
  sh('chattr', '+dA', path.join(orig, 'flagged'));
  sh('chattr', '+d', path.join(orig, 'flagged', 'marked.txt'));
  sh('chattr', '+d', path.join(twin, 'plain', 'p.txt'));
  return { orig, twin };
}

describe.skipIf(reason !== undefined)('inode flags in snapshots', () => {
  it("are recorded for files and folders, zero included, and restored exactly: made folders get theirs, copies lose the twin's", async () => {
    const { orig, twin } = originalAndTwin('exact');
    const fs = new NodeFs();
    const nodes = await fs.snapshot(orig);
    const by = (rel: string) => nodes.find((n) => n.rel === rel)!;
    expect(by('flagged').flags).toBe(FS_FL.NODUMP | FS_FL.NOATIME);
    expect(by('flagged/marked.txt').flags).toBe(FS_FL.NODUMP);
    expect(by('plain').flags).toBe(0);
    expect(by('plain/p.txt').flags).toBe(0);
    // What a journal holds: JSON.
    const journaled = JSON.parse(JSON.stringify(nodes)) as NodeMeta[];
    const to = path.join(dir, 'exact', 'restored');
    mkdirSync(to);
    await fs.restoreSnapshot(twin, to, journaled);
    expect(flagsOf(path.join(to, 'flagged'))).toBe('dA');
    expect(flagsOf(path.join(to, 'flagged', 'marked.txt'))).toBe('d');
    expect(flagsOf(path.join(to, 'flagged', 'unmarked.txt'))).toBe('');
    // Copied from the twin's nodump file, given the original's none.
    expect(flagsOf(path.join(to, 'plain', 'p.txt'))).toBe('');
    expect(flagsOf(path.join(to, 'plain'))).toBe('');
  });

  it("a snapshot from an older journal (no flags recorded) still restores, as before: copies keep the twin's flags, made folders none", async () => {
    const { orig, twin } = originalAndTwin('old');
    const fs = new NodeFs();
    const old = (await fs.snapshot(orig)).map(({ flags: _flags, ...rest }) => rest);
    const to = path.join(dir, 'old', 'restored');
    mkdirSync(to);
    await fs.restoreSnapshot(twin, to, old);
    expect(flagsOf(path.join(to, 'flagged'))).toBe('');
    expect(flagsOf(path.join(to, 'plain', 'p.txt'))).toBe('d');
    expect(readdirSync(to).sort()).toEqual(['flagged', 'plain']);
  });

  it('a merge rolled back: the leftover folder it deleted comes back from the snapshot with its nodump and noatime flags', async () => {
    const base = path.join(dir, 'merge');
    const link = path.join(base, 'A', 'Lib');
    const target = path.join(base, 'B', 'Lib');
    for (const root of [link, target]) {
      mkdirSync(path.join(root, 'cache'), { recursive: true });
      writeFileSync(path.join(root, 'cache', 'same.bin'), 'identical on both sides\n');
    }
    writeFileSync(path.join(link, 'own.txt'), 'only at the link\n');
    sh('chattr', '+dA', path.join(link, 'cache'));
    sh('chattr', '+d', path.join(link, 'cache', 'same.bin'));
    const manifest = path.join(base, 'relocate.yaml');
    const stateDir = path.join(base, 'state');
    writeFileSync(manifest, JSON.stringify({ version: 1, links: [{ link, target, type: 'symlink', conflict: 'merge' }] }));
    const plan = await planFor(manifest, stateDir);
    expect(plan.entries[0]?.action).toBe('merge');
    const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir, fs: new NodeFs(), verify: 'meta', noRollback: false });
    expect(out.result, out.error?.message).toBe('done');
    // The leftovers (cache/ and its identical file) were deleted: the link is a symlink now.
    expect(flagsOf(path.join(target, 'cache'))).toBe('');
    const back = await rollbackRun(await reload(stateDir, out.record.id), { journalDisk: nodeJournalDisk, stateDir, fs: new NodeFs(), force: false });
    expect(back.result, back.error?.message).toBe('rolled-back');
    expect(flagsOf(path.join(link, 'cache'))).toBe('dA');
    expect(flagsOf(path.join(link, 'cache', 'same.bin'))).toBe('d');
    expect(readdirSync(link).sort()).toEqual(['cache', 'own.txt']);
  });
});
