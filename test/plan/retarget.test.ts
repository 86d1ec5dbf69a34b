/**
 * Issue 14, the pure part: a link that points to an old target, whose entry
 * now names another target. What src/plan/retarget.ts decides for each
 * state of the old and new targets, the plan-time checks the old target
 * gets as a move's source (src/plan/preflight.ts), and the shared-place
 * refusals (src/plan/shared-target.ts). No disk.
 */
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/plan/fingerprint.js';
import { makePlan } from '../../src/plan/planner.js';
import type { DesiredEntry } from '../../src/manifest/types.js';
import type { EntryObservation, PathObservation } from '../../src/state/types.js';
import { POSIX_STYLE, WIN_STYLE, codes, context, entry, obs, pair, planOne, tree, vol } from '../helpers/plan-fixtures.js';
import { flat } from '../helpers/flat-entry.js';
import { moveOf } from '../../src/plan/actions.js';

const S = POSIX_STYLE;
const LINK = '/home/u/Games';
const OLD = '/mnt/old/Games';
const NEW = '/mnt/new/Games';
const ROOT = vol('root');
const OLDV = vol('old');
const NEWV = vol('new');

/** An applied entry's link to OLD, the old target as given, the new target as given; the old tree measured. */
function retargetObs(old: PathObservation, target: PathObservation = obs.absent(NEW, NEWV), extra: Partial<EntryObservation> = {}): EntryObservation {
  const leadsTo = old.kind === 'dir' || old.kind === 'file' ? old.kind : old.kind === 'absent' ? 'absent' : 'dir';
  return pair(S, obs.symlink(LINK, old.path, leadsTo, ROOT), target, { oldTarget: old, oldTargetTree: tree(5000, 3, { dirs: 2 }), ...extra });
}

const plan1 = (o: EntryObservation, e: Partial<DesiredEntry> = {}) => planOne(entry(S, LINK, NEW, e), o, context('linux'));
const oldDir = (extra: Partial<PathObservation> = {}) => obs.dir(OLD, OLDV, { empty: false, ino: '100', ...extra });

describe('what a link to an old target becomes', () => {
  it('data at the old target, nothing at the new one: retarget, the move from the old target with its bytes', () => {
    const p = plan1(retargetObs(oldDir()));
    expect(p.action).toBe('retarget');
    expect(flat(p).oldTarget).toBe(OLD);
    expect(moveOf(p)).toEqual({ from: OLD, to: NEW, crossVolume: true, bytes: 5000, files: 3 });
    expect(p.reason).toContain(`${LINK} points to ${OLD}, which holds the data: it moves to ${NEW} (across volumes`);
    expect(flat(p).createsTarget).toBeUndefined();
    expect(codes(p)).toEqual([]);
  });

  it('on one volume it is one rename; unmeasured (apply), the move says so', () => {
    const same = plan1(retargetObs(oldDir({ volume: NEWV })));
    expect(moveOf(same)).toMatchObject({ crossVolume: false, bytes: 5000 });
    expect(same.reason).toContain('same volume: one rename');
    const { oldTargetTree: _t, ...rest } = retargetObs(oldDir({ volume: NEWV }));
    const unmeasured = plan1({ ...rest, sizesSkipped: true });
    expect(moveOf(unmeasured)).toEqual({ from: OLD, to: NEW, crossVolume: false, bytes: 0, files: 0, measured: false });
  });

  it('a file at the old target moves the same way', () => {
    const p = plan1(retargetObs(obs.file(OLD, OLDV, '9'), obs.absent(NEW, NEWV), { oldTargetTree: tree(100, 1) }));
    expect(p.action).toBe('retarget');
    expect(moveOf(p)).toMatchObject({ from: OLD, bytes: 100, files: 1 });
  });

  it("the plan summary counts a retarget's bytes like a move's", () => {
    const plan = makePlan([entry(S, LINK, NEW)], [retargetObs(oldDir())], context('linux'));
    expect(plan.summary.actions.retarget).toBe(1);
    expect(plan.summary.bytesToMove).toBe(5000);
    expect(plan.summary.bytesAcrossVolumes).toBe(5000);
    expect(plan.blocked).toBe(false);
  });

  it.each([
    ['missing', obs.absent(OLD, OLDV), `No data moves: ${OLD} does not exist`],
    ['an empty folder', obs.dir(OLD, OLDV, { empty: true }), `No data moves: ${OLD} is an empty folder, left where it is`],
    ['a link that leads nowhere', obs.symlink(OLD, '/gone', 'absent', OLDV), `No data moves: ${OLD} is a symbolic link that leads nowhere`],
  ])('the old target %s: a bare relink, the reason says why nothing moves', (_what, old, why) => {
    const o = retargetObs(old);
    if (old.kind === 'symlink' && o.link.kind === 'symlink') o.link.linkTargetKind = 'absent';
    const p = plan1(o);
    expect(p.action).toBe('relink');
    expect(flat(p).oldTarget).toBe(OLD);
    expect(moveOf(p)).toBeUndefined();
    expect(flat(p).createsTarget).toBe(true);
    expect(p.reason).toContain(why);
  });

  it('`retarget: relink`: a bare relink whatever the old target holds (it is not even observed)', () => {
    const { oldTarget: _o, oldTargetTree: _t, ...o } = retargetObs(oldDir());
    const p = plan1(o, { retarget: 'relink' });
    expect(p).toMatchObject({ action: 'relink', oldTarget: OLD, createsTarget: true, retargetMode: 'relink' });
    expect(p.reason).toContain('`retarget: relink`');
  });

  it('the old target a link that leads to data: conflict (relocate never follows a link to move data)', () => {
    const p = plan1(retargetObs(obs.symlink(OLD, '/srv/real/Games', 'dir', OLDV)));
    expect(p.action).toBe('conflict');
    expect(p.reason).toContain(`${OLD}, which is itself a symbolic link to /srv/real/Games`);
    expect(p.reason).toContain('retarget: relink');
    expect(moveOf(p)).toBeUndefined();
  });

  it('the old target neither folder, file nor link: conflict', () => {
    expect(plan1(retargetObs(obs.other(OLD, OLDV))).action).toBe('conflict');
  });

  it('the new target is the old one by identity (another name for it): a bare relink', () => {
    const p = plan1(retargetObs(oldDir({ volume: NEWV }), obs.dir(NEW, NEWV, { ino: '100', empty: false })));
    expect(p.action).toBe('relink');
    expect(p.reason).toContain('are the same folder (same volume and inode)');
    // The same inode number on another volume is another folder: both hold data.
    expect(plan1(retargetObs(oldDir(), obs.dir(NEW, NEWV, { ino: '100', empty: false }))).action).toBe('conflict');
  });

  it('both hold data: conflict, whatever the strategy, and nothing moves', () => {
    for (const conflict of ['fail', 'backup', 'merge'] as const) {
      const p = plan1(retargetObs(oldDir(), obs.dir(NEW, NEWV, { empty: false })), { conflict });
      expect(p.action, conflict).toBe('conflict');
      expect(p.reason).toContain(`both hold data: ${LINK} points to ${OLD}, which is a folder, and ${NEW} is a folder already`);
      expect(p.reason.includes('applies to data at the link path')).toBe(conflict !== 'fail');
      expect(moveOf(p)).toBeUndefined();
    }
    const file = plan1(retargetObs(oldDir(), obs.file(NEW, NEWV, '3')));
    expect(file.action).toBe('conflict');
    expect(file.reason).toContain(`${NEW} is a file already`);
  });

  it('an empty folder at the new target: conflict that says to remove it', () => {
    const p = plan1(retargetObs(oldDir(), obs.dir(NEW, NEWV, { empty: true })));
    expect(p.action).toBe('conflict');
    expect(p.reason).toContain(`${NEW} is an empty folder`);
    expect(p.reason).toContain('Remove the empty folder');
  });

  it('the new target inside the old one, the old one inside the new one, the link inside the old one: conflict', () => {
    const into = planOne(entry(S, LINK, `${OLD}/sub`), retargetObs(oldDir(), obs.absent(`${OLD}/sub`, OLDV)), context('linux'));
    expect(into.action).toBe('conflict');
    expect(into.reason).toContain('cannot move a folder into itself');
    const under = planOne(entry(S, LINK, '/mnt/old'), retargetObs(oldDir(), obs.dir('/mnt/old', OLDV, { empty: false })), context('linux'));
    expect(under.action).toBe('conflict');
    expect(under.reason).toContain('lies inside the new target');
    const link = `${OLD}/link`;
    const self = planOne(
      entry(S, link, NEW),
      pair(S, obs.symlink(link, OLD, 'dir', OLDV), obs.absent(NEW, NEWV), { oldTarget: oldDir(), oldTargetTree: tree(1, 1) }),
      context('linux'),
    );
    expect(self.action).toBe('conflict');
    expect(self.reason).toContain('would take the link with it');
  });

  it('Windows paths: a junction to E:\\Games retargeted to F:\\Games, old target spelled in another case', () => {
    const o = pair(WIN_STYLE, obs.junction('C:\\Games', 'e:\\GAMES', 'dir', vol('C')), obs.absent('F:\\Games', vol('F')), {
      oldTarget: obs.dir('e:\\GAMES', vol('E'), { empty: false }),
      oldTargetTree: tree(10, 1),
    });
    const p = planOne(entry(WIN_STYLE, 'C:\\Games', 'F:\\Games'), o, context('win32'));
    expect(p).toMatchObject({ action: 'retarget', type: 'junction', oldTarget: 'e:\\GAMES', move: { from: 'e:\\GAMES', to: 'F:\\Games', crossVolume: true } });
  });
});

describe('the old target is checked as a move source', () => {
  it('E_PROTECTED: a protected folder as the old target; `force: true` lifts it', () => {
    const o = () =>
      pair(S, obs.symlink(LINK, '/usr', 'dir', ROOT), obs.absent(NEW, NEWV), { oldTarget: obs.dir('/usr', ROOT, { empty: false }), oldTargetTree: tree(1, 1) });
    const p = plan1(o());
    expect(p.action).toBe('retarget');
    expect(codes(p)).toEqual(['E_PROTECTED']);
    expect(p.findings[0]!.path).toBe('/usr');
    expect(codes(plan1(o(), { force: true }))).toEqual([]);
  });

  it("E_PROTECTED: the old target holding relocate's state folder, even with force", () => {
    const state = '/home/u/.local/state/relocate';
    const o = pair(S, obs.symlink(LINK, '/home/u/.local', 'dir', ROOT), obs.absent(NEW, NEWV), {
      oldTarget: obs.dir('/home/u/.local', ROOT, { empty: false }),
      oldTargetTree: tree(1, 1),
    });
    const p = planOne(entry(S, LINK, NEW, { force: true }), o, context('linux', { stateDir: state }));
    expect(codes(p)).toEqual(['E_PROTECTED']);
  });

  it('E_LINK_PARENT: the old target inside a folder that is itself a link', () => {
    const p = plan1(retargetObs(oldDir({ linkedParent: '/mnt/old' })));
    expect(codes(p)).toEqual(['E_LINK_PARENT']);
    expect(p.findings[0]!.path).toBe(OLD);
  });

  it('E_READ_ONLY: the old target on a read-only volume (its data would be renamed or deleted)', () => {
    const p = plan1(retargetObs(oldDir({ volume: vol('old', { readOnly: true }) })));
    expect(codes(p)).toEqual(['E_READ_ONLY']);
    expect(p.findings[0]!.path).toBe(OLD);
  });

  it('E_PSEUDO_FS: the old target on a kernel pseudo file system', () => {
    const proc = vol('proc', { pseudo: true, fsType: 'proc' });
    const p = plan1(pair(S, obs.symlink(LINK, '/proc/sys', 'dir', ROOT), obs.absent(NEW, NEWV), { oldTarget: obs.dir('/proc/sys', proc) }));
    expect(p.action).toBe('retarget');
    expect(codes(p)).toEqual(['E_PSEUDO_FS']);
  });

  it('E_MOUNT_POINT and E_MOUNT_INSIDE: a mount at or inside the old target', () => {
    const at = plan1(retargetObs(oldDir({ mountPoint: { path: OLD, fsType: 'ext4' } })));
    expect(codes(at)).toEqual(['E_MOUNT_POINT']);
    const inside = plan1(retargetObs(oldDir({ mountsBelow: [{ path: `${OLD}/disk`, fsType: 'xfs' }] })));
    expect(codes(inside)).toEqual(['E_MOUNT_INSIDE']);
    expect(inside.findings[0]!.message).toContain(`mounted inside ${OLD}`);
    const walked = plan1(retargetObs(oldDir(), obs.absent(NEW, NEWV), { oldTargetTree: tree(1, 1, { mounts: [{ path: `${OLD}/usb` }] }) }));
    expect(codes(walked)).toEqual(['E_MOUNT_INSIDE']);
  });

  it('E_IN_USE and W_IN_USE_UNKNOWN: programs holding files of the old target', () => {
    const p = plan1(
      retargetObs(oldDir(), obs.absent(NEW, NEWV), {
        inUse: [{ file: `${OLD}/save.dat`, process: 'game', pid: 42, how: 'open' }],
        inUseUnknown: [{ pid: 7, process: 'x' }],
      }),
    );
    expect(codes(p)).toEqual(['E_IN_USE', 'W_IN_USE_UNKNOWN']);
    expect(p.findings.find((f) => f.code === 'W_IN_USE_UNKNOWN')!.message).toContain(OLD);
  });

  it("E_IMMUTABLE, E_UNSUPPORTED_NODE and W_OUTSIDE_HARDLINKS across volumes, from the old target's tree", () => {
    const t = tree(5000, 3, {
      others: 1,
      undeletable: { count: 1, first: [{ path: `${OLD}/x`, flag: 'immutable' }] },
      sharedOutside: { files: 1, bytes: 1000 },
    });
    const p = plan1(retargetObs(oldDir(), obs.absent(NEW, NEWV), { oldTargetTree: t }));
    expect(codes(p)).toEqual(['E_IMMUTABLE', 'E_UNSUPPORTED_NODE', 'W_OUTSIDE_HARDLINKS']);
    expect(moveOf(p)?.sharedOutside).toEqual({ files: 1, bytes: 1000 });
    // On one volume only the top's flag matters (a rename), and special files move with it.
    const same = plan1(
      retargetObs(oldDir({ volume: NEWV }), obs.absent(NEW, NEWV), { oldTargetTree: { ...t, undeletable: { ...t.undeletable!, root: 'immutable' } } }),
    );
    expect(codes(same)).toEqual(['E_IMMUTABLE']);
  });

  it("E_NO_SPACE: the bytes a retarget copies count against the new target's volume", () => {
    const o = retargetObs(oldDir(), obs.absent(NEW, vol('new', { freeBytes: 4000 })));
    const plan = makePlan([entry(S, LINK, NEW)], [o], context('linux'));
    expect(plan.findings.map((f) => f.code)).toEqual(['E_NO_SPACE']);
  });

  it('a hard-link entry retargeting a file: no "target does not exist" refusal (the file arrives first)', () => {
    const o = pair(S, obs.symlink(LINK, '/home/u/old.cfg', 'file', ROOT), obs.absent('/home/u/store/a.cfg', ROOT), {
      oldTarget: obs.file('/home/u/old.cfg', ROOT, '5'),
      oldTargetTree: tree(3, 1),
    });
    const p = planOne(entry(S, LINK, '/home/u/store/a.cfg', { type: 'hardlink' }), o, context('linux'));
    expect(p).toMatchObject({ action: 'retarget', type: 'hardlink' });
    expect(codes(p)).toEqual([]);
  });

  it('the old target is part of the fingerprint: emptied, filled or changed since, a saved plan is stale', () => {
    const base = retargetObs(oldDir());
    const fp = fingerprint([base]);
    expect(fingerprint([retargetObs(oldDir())])).toBe(fp);
    expect(fingerprint([retargetObs(oldDir({ mtimeMs: 1 }))])).not.toBe(fp);
    expect(fingerprint([retargetObs(oldDir(), obs.absent(NEW, NEWV), { oldTargetTree: tree(5001, 3, { dirs: 2 }) })])).not.toBe(fp);
    expect(fingerprint([retargetObs(obs.dir(OLD, OLDV, { empty: true, ino: '100' }))])).not.toBe(fp);
    expect(fingerprint([retargetObs(oldDir({ mountsBelow: [{ path: `${OLD}/m` }] }))])).not.toBe(fp);
  });
});

describe("a retarget's old target must be no other entry's (E_SHARED_TARGET)", () => {
  const shared = (entries: DesiredEntry[], observations: EntryObservation[]) => {
    const plan = makePlan(entries, observations, context('linux'));
    return { plan, found: plan.findings.filter((f) => f.code === 'E_SHARED_TARGET') };
  };
  const retargetEntry = entry(S, LINK, NEW, { index: 0 });
  const other = (link: string, target: string, o: EntryObservation) => ({ e: entry(S, link, target, { index: 1 }), o });

  it("the old target is another entry's target (links sharing a target): refused, naming that entry", () => {
    const b = other('/home/u/Games2', OLD, pair(S, obs.symlink('/home/u/Games2', OLD, 'dir', ROOT), oldDir()));
    const { plan, found } = shared([retargetEntry, b.e], [retargetObs(oldDir()), b.o]);
    expect(plan.entries.map((p) => p.action)).toEqual(['retarget', 'none']);
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toBe(OLD);
    expect(found[0]!.message).toContain(`the target of links[1] at line 8, ${OLD}, is ${OLD}`);
    expect(found[0]!.hint).toContain('apply twice');
    expect(plan.blocked).toBe(true);
  });

  it('two entries retargeting from one old target: refused', () => {
    const b = other('/home/u/Games2', '/mnt/new/Games2', retargetObs(oldDir()));
    b.o.link = obs.symlink('/home/u/Games2', OLD, 'dir', ROOT);
    b.o.target = obs.absent('/mnt/new/Games2', NEWV);
    const { plan, found } = shared([retargetEntry, b.e], [retargetObs(oldDir()), b.o]);
    expect(plan.entries.map((p) => p.action)).toEqual(['retarget', 'retarget']);
    expect(found).toHaveLength(2);
    expect(found[0]!.message).toContain('old target (it moves that data too)');
  });

  it("another entry's link or target inside the old target, or holding it: refused", () => {
    const inside = other(
      `${OLD}/saves`,
      '/mnt/new/saves',
      pair(S, obs.dir(`${OLD}/saves`, OLDV), obs.absent('/mnt/new/saves', NEWV), { linkTree: tree(1, 1) }),
    );
    expect(shared([retargetEntry, inside.e], [retargetObs(oldDir()), inside.o]).found[0]!.message).toContain(
      `the link of links[1] at line 8, ${OLD}/saves, lies inside ${OLD}`,
    );
    const holds = other('/home/u/mnt', '/mnt/old', pair(S, obs.symlink('/home/u/mnt', '/mnt/old', 'dir', ROOT), obs.dir('/mnt/old', OLDV)));
    expect(shared([retargetEntry, holds.e], [retargetObs(oldDir()), holds.o]).found[0]!.message).toContain(
      `the target of links[1] at line 8, /mnt/old, holds ${OLD}`,
    );
  });

  it('a retarget into a target another entry moves data into: refused by the target rule', () => {
    const mover = other('/home/u/Other', NEW, pair(S, obs.dir('/home/u/Other', ROOT), obs.absent(NEW, NEWV), { linkTree: tree(1, 1) }));
    const { plan } = shared([retargetEntry, mover.e], [retargetObs(oldDir()), mover.o]);
    const f = plan.findings.filter((x) => x.code === 'E_SHARED_TARGET');
    expect(f).toHaveLength(1);
    expect(f[0]!.path).toBe(NEW);
    expect(f[0]!.message).toContain(`moves ${OLD} into it`);
  });

  it('a retarget into a target another entry creates: refused (the move would meet the folder the other made)', () => {
    const creator = other('/home/u/Other', NEW, pair(S, obs.absent('/home/u/Other', ROOT), obs.absent(NEW, NEWV)));
    const { plan } = shared([retargetEntry, creator.e], [retargetObs(oldDir()), creator.o]);
    expect(plan.entries.map((p) => p.action)).toEqual(['retarget', 'create']);
    const f = plan.findings.filter((x) => x.code === 'E_SHARED_TARGET');
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain('creates it');
  });

  it('unrelated entries, and a skipped entry naming the old target, are no clash', () => {
    const far = other('/home/u/Music', '/mnt/new/Music', pair(S, obs.symlink('/home/u/Music', '/mnt/new/Music', 'dir', ROOT), obs.dir('/mnt/new/Music', NEWV)));
    expect(shared([retargetEntry, far.e], [retargetObs(oldDir()), far.o]).found).toEqual([]);
    const skipped = { ...entry(S, '/home/u/x', OLD, { index: 1 }), applies: false, skipReason: 'not on this machine' };
    const { plan, found } = shared([retargetEntry, skipped], [retargetObs(oldDir()), undefined as unknown as EntryObservation]);
    expect(plan.entries.map((p) => p.action)).toEqual(['retarget', 'skip']);
    expect(found).toEqual([]);
  });
});
