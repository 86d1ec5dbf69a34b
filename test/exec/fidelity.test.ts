/**
 * Issue 15, Linux: a move across volumes (ext4 → ext4, loop-mounted) keeps
 * what GNU mv and cp -a keep — owner and group, set-user-ID, set-group-ID
 * and sticky bits, nanosecond mtimes and atimes, extended attributes
 * (user.*, trusted.*, security.capability), POSIX ACLs and default ACLs,
 * folder times, a symlink's own owner and times, holes, inode flags (which
 * mv drops) — and the rollback's
 * copy back keeps them too. For each, a test that the verify fails when the
 * copy loses it: the copy is tampered with between copyTree and the verify,
 * and the run must stop with E_VERIFY naming the path and what differs,
 * the original untouched. Attributes are set and read by other programs
 * (chown, chmod, touch, setfattr, setfacl, setcap, getfattr) than relocate.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollbackRun, startRun } from '../../src/exec/run-control.js';
import type { OutsideName, ProgressFn, RootMadeFn } from '../../src/exec/fs-port.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { runCli } from '../helpers/cli.js';
import { fidelityOf, fidelityToolsReason, sh, without, type Fidelity } from '../helpers/fidelity.js';
import { loopReason, mountLoopExt4, type LoopVolume } from '../helpers/loop-volume.js';
import { describePlan, planFor } from '../property/harness.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';
import { moveOf } from '../../src/plan/actions.js';

const reason = loopReason() ?? fidelityToolsReason();
if (reason) console.log(`[skip] copy fidelity: ${reason}`);

let volA: LoopVolume | undefined;
let volB: LoopVolume | undefined;
let n = 0;

beforeAll(() => {
  if (reason) return;
  // noatime: reading a file, listing a folder or reading a link leaves its atime alone, so atimes compare exactly
  // (relocate sets them explicitly, which noatime allows).
  volA = mountLoopExt4(160, 'fidelity-a', { mountOptions: 'noatime' });
  volB = mountLoopExt4(160, 'fidelity-b', { mountOptions: 'noatime' });
});
afterAll(() => {
  for (const v of [volA, volB]) {
    try {
      v?.unmount();
    } catch (err) {
      console.error(err);
    }
  }
});

/** A copy engine whose first copy (apply's, into the staging folder) is damaged right after it is made: what a copy that loses something looks like to the verify. */
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

interface Case {
  /** What is kept. */
  what: string;
  /** Gives the tree at `g` (a file f, a folder sub holding inner, a symlink link → f) the attribute. */
  give(g: string): void;
  /** Takes it away from the copy at `c`. */
  lose(c: string): void;
  /** The verify's error message for it. */
  verifyMessage: RegExp;
}

/** 2020-01-02T03:04:05.123456789Z and others: times whose nanoseconds a microsecond copy would lose. */
const T1 = '@1577934245.123456789';
const T2 = '@1546300800.987654321';
const T3 = '@1514764800.555555555';

const CASES: Case[] = [
  {
    what: 'owner and group (files, folders, symlinks)',
    give: (g) => {
      sh('chown', '1234:2345', `${g}/f`, `${g}/sub`, `${g}/sub/inner`);
      sh('chown', '-h', '1234:2345', `${g}/link`);
    },
    lose: (c) => sh('chown', '0:0', `${c}/sub/inner`),
    verifyMessage: /sub\/inner: owner 1234:2345 vs 0:0/,
  },
  {
    what: 'set-user-ID, set-group-ID and sticky bits on files owned by another user (set after the chown that clears them)',
    give: (g) => {
      sh('chown', '1234:2345', `${g}/f`, `${g}/sub/inner`);
      sh('chmod', '4755', `${g}/f`);
      sh('chmod', '2750', `${g}/sub/inner`);
      sh('chmod', '1777', `${g}/sub`);
    },
    lose: (c) => sh('chmod', '0755', `${c}/f`),
    verifyMessage: /f: mode 4755 vs 755/,
  },
  {
    what: 'nanosecond mtime and atime of files',
    give: (g) => {
      sh('touch', '-m', '-d', T1, `${g}/f`);
      sh('touch', '-a', '-d', T2, `${g}/f`);
    },
    // One nanosecond off: what a copy through utimes (whole microseconds) does to most times.
    lose: (c) => sh('touch', '-m', '-d', '@1577934245.123456788', `${c}/f`),
    verifyMessage: /f: the modification time differs \(1577934245123456789 ns vs 1577934245123456788 ns\)/,
  },
  {
    what: 'extended attributes (user.*, and trusted.* as root)',
    give: (g) => {
      sh('setfattr', '-n', 'user.color', '-v', 'blue', `${g}/f`);
      sh('setfattr', '-n', 'user.tag', '-v', '0x00ff00', `${g}/sub`);
      sh('setfattr', '-n', 'trusted.origin', '-v', 'relocate-test', `${g}/sub/inner`);
    },
    lose: (c) => sh('setfattr', '-x', 'user.color', `${c}/f`),
    verifyMessage: /f: the extended attribute user\.color is missing in the copy/,
  },
  {
    what: 'file capabilities (security.capability, set after the chown that clears it)',
    give: (g) => {
      sh('chown', '1234:2345', `${g}/f`);
      sh('chmod', '0755', `${g}/f`);
      sh('setcap', 'cap_net_raw,cap_net_bind_service+ep', `${g}/f`);
    },
    lose: (c) => sh('setcap', '-r', `${c}/f`),
    verifyMessage: /f: the file capability \(security\.capability\) is missing in the copy/,
  },
  {
    what: 'POSIX ACLs (system.posix_acl_access)',
    give: (g) => {
      sh('setfacl', '-m', 'u:1000:rwx,g:1001:r', `${g}/f`);
      sh('setfacl', '-m', 'u:1002:rx', `${g}/sub`);
    },
    // -n: the mask (and so the mode) stays; only the entry differs.
    lose: (c) => sh('setfacl', '-n', '-m', 'u:1000:r', `${c}/f`),
    verifyMessage: /f: the POSIX ACL \(system\.posix_acl_access\) differs/,
  },
  {
    what: 'default ACLs of folders (system.posix_acl_default)',
    give: (g) => sh('setfacl', '-d', '-m', 'u:1001:rx,g:1002:rwx', `${g}/sub`),
    lose: (c) => sh('setfacl', '-k', `${c}/sub`),
    verifyMessage: /sub: the POSIX default ACL \(system\.posix_acl_default\) is missing in the copy/,
  },
  {
    what: 'inode flags of files and folders (chattr +d nodump, +A noatime, +S sync, +t, +D dirsync)',
    give: (g) => {
      sh('chattr', '+dA', `${g}/f`);
      sh('chattr', '+St', `${g}/sub/inner`);
      sh('chattr', '+dD', `${g}/sub`);
    },
    lose: (c) => sh('chattr', '-d', `${c}/f`),
    verifyMessage: /f: the inode flags differ \(\+dA vs \+A\)/,
  },
  {
    what: 'folder times (set after the folder content)',
    give: (g) => {
      sh('touch', '-m', '-d', T3, `${g}/sub`);
      sh('touch', '-m', '-d', T1, g);
    },
    lose: (c) => sh('touch', '-m', '-d', T2, `${c}/sub`),
    verifyMessage: /sub: the modification time differs/,
  },
  {
    what: "a symlink's own times and owner",
    give: (g) => {
      sh('chown', '-h', '1234:2345', `${g}/link`);
      sh('touch', '-h', '-m', '-d', T2, `${g}/link`);
      sh('touch', '-h', '-a', '-d', T3, `${g}/link`);
    },
    lose: (c) => sh('touch', '-h', '-m', '-d', T1, `${c}/link`),
    verifyMessage: /link: the modification time differs/,
  },
];

/** A fresh case folder on volume A with the base tree, and the paths of its move to volume B. */
function caseTree(): { g: string; target: string; state: string; manifest: string } {
  const dir = path.join(volA!.dir, `case-${++n}`);
  const g = path.join(dir, 'Games');
  mkdirSync(path.join(g, 'sub'), { recursive: true });
  writeFileSync(path.join(g, 'f'), 'the file\n');
  writeFileSync(path.join(g, 'sub', 'inner'), 'inside\n'.repeat(100));
  sh('ln', '-s', 'f', path.join(g, 'link'));
  const manifest = path.join(dir, 'relocate.yaml');
  const target = path.join(volB!.dir, `case-${n}`, 'Games');
  writeFileSync(manifest, `version: 1\nlinks:\n  - link: ${JSON.stringify(g)}\n    target: ${JSON.stringify(target)}\n    type: symlink\n`);
  return { g, target, state: path.join(dir, '.state'), manifest };
}

/** What must be equal after a move: everything but allocation (a folder's differs with its history; files are checked apart). */
function kept(f: Record<string, Fidelity>): Record<string, Partial<Fidelity>> {
  return without(f, 'allocated');
}

describe.skipIf(reason !== undefined)('a move across volumes keeps what mv and cp -a keep', { timeout: 30_000 }, () => {
  for (const c of CASES) {
    it(`apply and rollback keep ${c.what}`, async () => {
      const t = caseTree();
      c.give(t.g);
      const before = fidelityOf(t.g);
      const plan = await planFor(t.manifest, t.state);
      expect(moveOf(plan.entries[0]!)?.crossVolume, describePlan(plan)).toBe(true);
      const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: t.state, fs: new NodeFs(), verify: 'meta', noRollback: false });
      expect(out.result, out.error?.message).toBe('done');
      expect(kept(fidelityOf(t.target))).toEqual(kept(before));
      const back = await rollbackRun(out.record, { journalDisk: nodeJournalDisk, stateDir: t.state, fs: new NodeFs(), force: false });
      expect(back.result, back.error?.message).toBe('rolled-back');
      expect(kept(fidelityOf(t.g))).toEqual(kept(before));
    });

    it(`the verify fails (E_VERIFY, nothing deleted) when the copy loses ${c.what}`, async () => {
      const t = caseTree();
      c.give(t.g);
      const before = fidelityOf(t.g);
      const plan = await planFor(t.manifest, t.state);
      const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: t.state, fs: new LosingFs(c.lose), verify: 'meta', noRollback: false });
      expect(out.error?.code, out.error?.message).toBe('E_VERIFY');
      expect(out.error?.message).toMatch(c.verifyMessage);
      expect(out.error?.message).toContain('does not match');
      expect(out.result, out.undoError?.message).toBe('rolled-back');
      expect(fidelityOf(t.g)).toEqual(before);
    });
  }

  it(
    'apply and rollback keep a sparse file sparse (100 MiB of holes around a few data blocks) and hard links inside the tree',
    { timeout: 60_000 },
    async () => {
      const t = caseTree();
      const img = path.join(t.g, 'disk.img');
      // Smaller than the volume: the free-space check counts a file's apparent size.
      sh('truncate', '-s', '100M', img);
      for (const mib of [0, 30, 99]) sh('dd', 'if=/dev/urandom', `of=${img}`, 'bs=4096', 'count=4', `seek=${mib * 256}`, 'conv=notrunc', 'status=none');
      sh('ln', path.join(t.g, 'sub', 'inner'), path.join(t.g, 'inner-again'));
      const before = fidelityOf(t.g);
      expect(before['disk.img']!.allocated).toBeLessThan(1024 * 1024);
      const plan = await planFor(t.manifest, t.state);
      expect(plan.blocked, describePlan(plan)).toBe(false);
      const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: t.state, fs: new NodeFs(), verify: 'content', noRollback: false });
      expect(out.result, out.error?.message).toBe('done');
      const moved = fidelityOf(t.target);
      expect(kept(moved)).toEqual(kept(before));
      expect(moved['disk.img']!.allocated).toBeLessThan(1024 * 1024);
      expect(moved['inner-again']!.linkGroup).toBe('inner-again');
      expect(moved['sub/inner']!.linkGroup).toBe('inner-again');
      const back = await rollbackRun(out.record, { journalDisk: nodeJournalDisk, stateDir: t.state, fs: new NodeFs(), force: false });
      expect(back.result, back.error?.message).toBe('rolled-back');
      const restored = fidelityOf(t.g);
      expect(kept(restored)).toEqual(kept(before));
      expect(restored['disk.img']!.allocated).toBeLessThan(1024 * 1024);
    },
  );

  it('copies into a folder with a default ACL do not inherit its entries (as cp -a): the copy equals the original', async () => {
    const t = caseTree();
    const before = fidelityOf(t.g);
    mkdirSync(path.dirname(t.target), { recursive: true });
    sh('setfacl', '-d', '-m', 'u:1005:rwx,g:1006:rx', path.dirname(t.target));
    const plan = await planFor(t.manifest, t.state);
    const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: t.state, fs: new NodeFs(), verify: 'meta', noRollback: false });
    expect(out.result, out.error?.message).toBe('done');
    expect(kept(fidelityOf(t.target))).toEqual(kept(before));
  });

  it('copies into a folder whose inode flags ext4 passes on (+dA) do not inherit them: the copy equals the original', async () => {
    const t = caseTree();
    sh('chattr', '+d', path.join(t.g, 'f'));
    const before = fidelityOf(t.g);
    mkdirSync(path.dirname(t.target), { recursive: true });
    sh('chattr', '+dA', path.dirname(t.target));
    const plan = await planFor(t.manifest, t.state);
    const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: t.state, fs: new NodeFs(), verify: 'meta', noRollback: false });
    expect(out.result, out.error?.message).toBe('done');
    expect(kept(fidelityOf(t.target))).toEqual(kept(before));
  });

  it('without the native layer (RELOCATE_NATIVE=0) times are kept to the microsecond, and --verbose says what is not kept', { timeout: 30_000 }, () => {
    const t = caseTree();
    sh('touch', '-m', '-d', T1, path.join(t.g, 'f'));
    const r = runCli(['apply', '--yes', '--verbose', '--state-dir', t.state, t.manifest], { env: { RELOCATE_NATIVE: '0' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('times are kept to the microsecond, not the nanosecond (RELOCATE_NATIVE=0 turns the native layer off)');
    expect(r.stderr).toContain('extended attributes, ACLs and file capabilities are not copied');
    // libuv truncates the double of seconds to whole microseconds.
    expect(fidelityOf(t.target)['f']!.mtimeNs).toBe('1577934245123456000');
  });
});
