/**
 * Issue 13 §6 and §7 in the pure planner: flagged files (immutable,
 * append-only) refused where the data would be deleted or its top renamed,
 * and the bytes a move really frees when files share data outside the folder.
 */
import { describe, expect, it } from 'vitest';
import type { EntryObservation, TreeMeasure } from '../../src/state/types.js';
import { POSIX_STYLE, codes, comparison, context, entry, obs, pair, planOne, tree, vol } from '../helpers/plan-fixtures.js';
import { makePlan } from '../../src/plan/planner.js';
import { planJson } from '../../src/render/plan-json.js';
import { flat } from '../helpers/flat-entry.js';
import { moveOf } from '../../src/plan/actions.js';

const LINK = '/home/u/Games';
const flagged = (extra: Partial<TreeMeasure['undeletable']> = {}): Partial<TreeMeasure> => ({
  undeletable: { count: 1, first: [{ path: `${LINK}/save.dat`, flag: 'immutable' }], ...extra },
});

function move(cross: boolean, t: TreeMeasure): EntryObservation {
  return pair(POSIX_STYLE, obs.dir(LINK, vol('home')), obs.absent(cross ? '/mnt/big/Games' : '/home/u/Store/Games', vol(cross ? 'big' : 'home')), {
    linkTree: t,
  });
}

describe('E_IMMUTABLE: files that cannot be deleted are found at plan time', () => {
  it('refuses a move across volumes of a folder holding an immutable file, naming it and how to clear it', () => {
    const p = planOne(entry(POSIX_STYLE, LINK, '/mnt/big/Games'), move(true, tree(10, 2, flagged())), context('linux'));
    expect(p.action).toBe('move');
    expect(codes(p)).toEqual(['E_IMMUTABLE']);
    const f = p.findings[0]!;
    expect(f.severity).toBe('error');
    expect(f.path).toBe(`${LINK}/save.dat`);
    expect(f.message).toContain(`${LINK}/save.dat (immutable)`);
    expect(f.hint).toContain(`chattr -i "${LINK}/save.dat"`);
    expect(makePlan([entry(POSIX_STYLE, LINK, '/mnt/big/Games')], [move(true, tree(10, 2, flagged()))], context('linux')).blocked).toBe(true);
  });

  it('counts the flagged files beyond those named, and says how to list them; macOS gets chflags', () => {
    const u = {
      count: 12,
      first: [
        { path: `${LINK}/a`, flag: 'append-only' as const },
        { path: `${LINK}/b`, flag: 'immutable' as const },
      ],
    };
    const p = planOne(entry(POSIX_STYLE, LINK, '/mnt/big/Games'), move(true, tree(10, 2, { undeletable: u })), context('darwin'));
    expect(codes(p)).toEqual(['E_IMMUTABLE']);
    expect(p.findings[0]!.message).toMatch(/^12 file\(s\) or folder\(s\) in \/home\/u\/Games cannot be deleted/);
    expect(p.findings[0]!.message).toContain('and 10 more');
    expect(p.findings[0]!.hint).toContain(`chflags nouappnd,nosappnd "${LINK}/a"`);
    expect(p.findings[0]!.hint).toContain('ls -lRO');
  });

  it('lets a same-volume move rename a folder that only holds flagged files (ext4 renames it)', () => {
    const p = planOne(entry(POSIX_STYLE, LINK, '/home/u/Store/Games'), move(false, tree(10, 2, flagged())), context('linux'));
    expect(moveOf(p)?.crossVolume).toBe(false);
    expect(codes(p)).toEqual([]);
  });

  it('refuses a same-volume move or a backup when the top itself is flagged (it cannot be renamed)', () => {
    const top = flagged({ first: [{ path: LINK, flag: 'immutable' }], root: 'immutable' });
    const p = planOne(entry(POSIX_STYLE, LINK, '/home/u/Store/Games'), move(false, tree(10, 2, top)), context('linux'));
    expect(codes(p)).toEqual(['E_IMMUTABLE']);
    expect(p.findings[0]!.message).toBe(`${LINK} is immutable: it cannot be renamed or moved`);
    const o = pair(POSIX_STYLE, obs.dir(LINK, vol('home')), obs.dir('/mnt/big/Games', vol('big')), {
      linkTree: tree(10, 2, top),
      comparison: comparison({ onlyAtLink: ['x'] }),
    });
    const b = planOne(entry(POSIX_STYLE, LINK, '/mnt/big/Games', { conflict: 'backup' }), o, context('linux'));
    expect(b.action).toBe('backup');
    expect(codes(b)).toEqual(['E_IMMUTABLE']);
  });

  it('refuses a merge (its leftovers are deleted) and a restore across volumes (the target side is deleted)', () => {
    const o = pair(POSIX_STYLE, obs.dir(LINK, vol('home')), obs.dir('/home/u/Store/Games', vol('home')), {
      linkTree: tree(10, 2, flagged()),
      comparison: comparison({ onlyAtLink: ['x'], identical: ['save.dat'] }),
    });
    const m = planOne(entry(POSIX_STYLE, LINK, '/home/u/Store/Games', { conflict: 'merge' }), o, context('linux'));
    expect(m.action).toBe('merge');
    expect(codes(m)).toEqual(['E_IMMUTABLE']);
    const r = pair(POSIX_STYLE, obs.symlink(LINK, '/mnt/big/Games', 'dir', vol('home')), obs.dir('/mnt/big/Games', vol('big')), {
      targetTree: tree(10, 2, { undeletable: { count: 1, first: [{ path: '/mnt/big/Games/x', flag: 'append-only' }] } }),
    });
    const rp = planOne(entry(POSIX_STYLE, LINK, '/mnt/big/Games', { state: 'absent' }), r, context('linux'));
    expect(rp.action).toBe('restore');
    expect(codes(rp)).toEqual(['E_IMMUTABLE']);
    expect(rp.findings[0]!.hint).toContain('chattr -a "/mnt/big/Games/x"');
  });

  it('refuses replacing an immutable file identical to the target by the link (the file would be deleted)', () => {
    const o = pair(POSIX_STYLE, obs.file('/home/u/a.iso', vol('home'), '1'), obs.file('/mnt/big/a.iso', vol('big'), '2'), {
      linkTree: tree(100, 1, { undeletable: { count: 1, first: [{ path: '/home/u/a.iso', flag: 'immutable' }], root: 'immutable' } }),
      comparison: comparison({ identical: ['.'] }),
    });
    const p = planOne(entry(POSIX_STYLE, '/home/u/a.iso', '/mnt/big/a.iso'), o, context('linux'));
    expect(flat(p).replacesIdentical).toBe(true);
    expect(codes(p)).toEqual(['E_IMMUTABLE']);
  });
});

describe('W_OUTSIDE_HARDLINKS: what a move across volumes really frees', () => {
  it('says the source frees only the unshared bytes, in the finding and in the JSON', () => {
    const t = tree(10_000_000, 400, { sharedOutside: { files: 300, bytes: 7_000_000 } });
    const e = entry(POSIX_STYLE, LINK, '/mnt/big/Games');
    const plan = makePlan([e], [move(true, t)], context('linux'));
    const p = plan.entries[0]!;
    expect(codes(p)).toEqual(['W_OUTSIDE_HARDLINKS']);
    expect(p.findings[0]!.severity).toBe('warning');
    expect(p.findings[0]!.message).toBe(
      `300 file(s) in ${LINK} share their data with files outside the folder (hard links): the source frees only 2.9 MiB of 9.5 MiB`,
    );
    expect(plan.blocked).toBe(false);
    const j = planJson(plan, '/repo/relocate.yaml').entries[0]!;
    expect(j.freesOnSource).toBe(3_000_000);
    expect(j.sharedOutside).toEqual({ files: 300, bytes: 7_000_000 });
  });

  it('says "frees nothing" when every file is shared, and nothing for a same-volume rename', () => {
    const t = tree(5000, 3, { sharedOutside: { files: 3, bytes: 5000 } });
    const p = planOne(entry(POSIX_STYLE, LINK, '/mnt/big/Games'), move(true, t), context('linux'));
    expect(p.findings[0]!.message).toMatch(/: the source frees nothing/);
    const same = planOne(entry(POSIX_STYLE, LINK, '/home/u/Store/Games'), move(false, t), context('linux'));
    expect(codes(same)).toEqual([]);
    expect(moveOf(same)?.sharedOutside).toBeUndefined();
  });
});
