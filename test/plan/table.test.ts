/**
 * DESIGN.md "What each observation pair becomes", cell by cell, for every
 * declared link type and for Windows and POSIX paths.
 *
 * Each expectation is a short line: `action type [tokens…]` where a token is
 *   x<bytes>  a move across volumes of that many bytes (link → target)
 *   =<bytes>  a same-volume move (one rename) of that many bytes
 *   ox<bytes> a retarget's move across volumes (old target → target)
 *   ^target   oldTarget is the entry's target (a link of the wrong kind is replaced)
 *   ^old      oldTarget is the place the link pointed to before
 *   +t        createsTarget
 *   E_… W_…   the entry's finding codes (exactly these, sorted)
 * Anything not stated must be absent (no move, no oldTarget, no findings).
 *
 * Hard-link entries use a target on the link's own volume (a hard link can
 * never cross volumes; that rule has its own test in preflight.test.ts).
 *
 * "link → elsewhere" is split in two rows (issue 14): `elsewhere`, the old
 * target (on a third volume) holds data, and `elsewhere-empty`, it is an
 * empty folder (the same as missing: nothing to move).
 */
import { describe, expect, it } from 'vitest';
import type { OsName, PathStyle } from '../../src/core/paths.js';
import type { LinkType } from '../../src/manifest/types.js';
import type { EntryObservation, LinkObservation, PathObservation, VolumeInfo } from '../../src/state/types.js';
import { POSIX_STYLE, WIN_STYLE, codes, comparison, context, entry, obs, pair, planOne, tree, vol } from '../helpers/plan-fixtures.js';
import { flat } from '../helpers/flat-entry.js';
import { moveOf } from '../../src/plan/actions.js';

type Row = 'absent' | 'folder' | 'file' | 'this' | 'elsewhere' | 'elsewhere-empty' | 'wrong';
type Col = 'absent' | 'folder' | 'file';

interface Flavour {
  name: string;
  os: OsName;
  style: PathStyle;
  link: string;
  target: string;
  /** Target on the link's volume, for hard links. */
  sameVolTarget: string;
  /** Where an existing link pointed before. */
  old: string;
  linkVol: VolumeInfo;
  targetVol: VolumeInfo;
  oldVol: VolumeInfo;
}

const WIN: Flavour = {
  name: 'win32 C:\\Games → D:\\Games',
  os: 'win32',
  style: WIN_STYLE,
  link: 'C:\\Games',
  target: 'D:\\Games',
  sameVolTarget: 'C:\\Store\\Games',
  old: 'E:\\OldGames',
  linkVol: vol('C'),
  targetVol: vol('D'),
  oldVol: vol('E'),
};

const POSIX: Flavour = {
  name: 'linux /home/u/games → /mnt/big/games',
  os: 'linux',
  style: POSIX_STYLE,
  link: '/home/u/games',
  target: '/mnt/big/games',
  sameVolTarget: '/home/u/store/games',
  old: '/mnt/old/games',
  linkVol: vol('root'),
  targetVol: vol('big'),
  oldVol: vol('old'),
};

const TYPES: LinkType[] = ['auto', 'junction', 'symlink', 'hardlink'];

const FOLDER_TREE = tree(5000, 3, { dirs: 1 });
const FILE_TREE = tree(100, 1);
const TARGET_INO = '42';

/** The link kind apply would make for this cell, as it would already be on disk. */
function rightKind(fl: Flavour, type: LinkType, col: Col): 'symlink' | 'junction' {
  if (fl.os !== 'win32') return 'symlink';
  if (type === 'junction') return 'junction';
  if (type === 'auto') return col === 'file' ? 'symlink' : 'junction';
  return 'symlink';
}

/** A link kind apply would not make for this cell. */
function wrongKind(fl: Flavour, type: LinkType, col: Col): 'symlink' | 'junction' {
  if (fl.os !== 'win32') return type === 'hardlink' ? 'symlink' : 'junction';
  if (type === 'hardlink' || type === 'symlink') return 'junction';
  if (type === 'junction') return 'symlink';
  return col === 'file' ? 'junction' : 'symlink';
}

const targetKindOf = (col: Col): LinkObservation['linkTargetKind'] => (col === 'absent' ? 'absent' : col === 'folder' ? 'dir' : 'file');

function observe(fl: Flavour, type: LinkType, row: Row, col: Col): { target: string; o: EntryObservation } {
  const hard = type === 'hardlink';
  const target = hard ? fl.sameVolTarget : fl.target;
  const tVol = hard ? fl.linkVol : fl.targetVol;
  const T = col === 'absent' ? obs.absent(target, tVol) : col === 'folder' ? obs.dir(target, tVol) : obs.file(target, tVol, TARGET_INO);
  const mk = (kind: 'symlink' | 'junction', to: string, tk: LinkObservation['linkTargetKind']) =>
    (kind === 'symlink' ? obs.symlink : obs.junction)(fl.link, to, tk, fl.linkVol);
  let L: PathObservation;
  const extra: Partial<EntryObservation> = {};
  switch (row) {
    case 'absent':
      L = obs.absent(fl.link, fl.linkVol);
      break;
    case 'folder':
      L = obs.dir(fl.link, fl.linkVol);
      extra.linkTree = FOLDER_TREE;
      if (col !== 'absent') extra.comparison = comparison({ onlyAtLink: ['a.txt'], onlyAtTarget: ['b.txt'], differ: ['c.txt'] });
      break;
    case 'file':
      L = obs.file(fl.link, fl.linkVol, '11');
      extra.linkTree = FILE_TREE;
      if (col !== 'absent') extra.comparison = comparison({ differ: col === 'file' ? ['.'] : [], onlyAtTarget: col === 'folder' ? ['b.txt'] : [] });
      break;
    case 'this':
      // For a hard link, "already linked" means the same file (inode) on the same volume.
      L = hard && col === 'file' ? obs.file(fl.link, fl.linkVol, TARGET_INO) : mk(rightKind(fl, type, col), target, targetKindOf(col));
      break;
    case 'elsewhere':
      L = mk(rightKind(fl, type, col), fl.old, col === 'file' ? 'file' : 'dir');
      // The old target is observed as a move's source: what it is, its volume, its tree.
      extra.oldTarget = col === 'file' ? obs.file(fl.old, fl.oldVol, '7') : obs.dir(fl.old, fl.oldVol, { empty: false });
      extra.oldTargetTree = col === 'file' ? FILE_TREE : FOLDER_TREE;
      break;
    case 'elsewhere-empty':
      L = mk(rightKind(fl, type, col), fl.old, 'dir');
      extra.oldTarget = obs.dir(fl.old, fl.oldVol, { empty: true });
      break;
    case 'wrong':
      L = mk(wrongKind(fl, type, col), target, targetKindOf(col));
      break;
  }
  return { target, o: pair(fl.style, L, T, extra) };
}

type Cell = [Row, Col, string, string, string, string];

// Columns: auto, junction, symlink, hardlink.
const WIN_TABLE: Cell[] = [
  ['absent', 'absent', 'create junction +t', 'create junction +t', 'create symlink +t', 'create hardlink +t E_HARDLINK_DIR'],
  ['absent', 'folder', 'link junction', 'link junction', 'link symlink', 'link hardlink E_HARDLINK_DIR'],
  ['absent', 'file', 'link symlink', 'link junction E_JUNCTION_FILE', 'link symlink', 'link hardlink'],
  ['folder', 'absent', 'move junction x5000', 'move junction x5000', 'move symlink x5000', 'move hardlink =5000 E_HARDLINK_DIR'],
  ['folder', 'folder', 'conflict junction', 'conflict junction', 'conflict symlink', 'conflict hardlink'],
  ['folder', 'file', 'conflict junction', 'conflict junction', 'conflict symlink', 'conflict hardlink'],
  ['file', 'absent', 'move symlink x100', 'move junction x100 E_JUNCTION_FILE', 'move symlink x100', 'move hardlink =100'],
  ['file', 'folder', 'conflict symlink', 'conflict junction E_JUNCTION_FILE', 'conflict symlink', 'conflict hardlink'],
  ['file', 'file', 'conflict symlink', 'conflict junction E_JUNCTION_FILE', 'conflict symlink', 'conflict hardlink'],
  [
    'this',
    'absent',
    'none junction W_TARGET_MISSING',
    'none junction W_TARGET_MISSING',
    'none symlink W_TARGET_MISSING',
    'relink hardlink ^target E_HARDLINK_DIR',
  ],
  ['this', 'folder', 'none junction', 'none junction', 'none symlink', 'relink hardlink ^target E_HARDLINK_DIR'],
  ['this', 'file', 'none symlink', 'none junction', 'none symlink', 'none hardlink'],
  [
    'elsewhere',
    'absent',
    'retarget junction ^old ox5000',
    'retarget junction ^old ox5000',
    'retarget symlink ^old ox5000',
    'retarget hardlink ^old ox5000 E_HARDLINK_DIR',
  ],
  ['elsewhere', 'folder', 'conflict junction', 'conflict junction', 'conflict symlink', 'conflict hardlink'],
  ['elsewhere', 'file', 'conflict symlink', 'conflict junction E_JUNCTION_FILE', 'conflict symlink', 'conflict hardlink'],
  ['elsewhere-empty', 'absent', 'relink junction ^old +t', 'relink junction ^old +t', 'relink symlink ^old +t', 'relink hardlink ^old E_HARDLINK_DIR'],
  ['elsewhere-empty', 'folder', 'relink junction ^old', 'relink junction ^old', 'relink symlink ^old', 'relink hardlink ^old E_HARDLINK_DIR'],
  ['elsewhere-empty', 'file', 'relink symlink ^old', 'relink junction ^old E_JUNCTION_FILE', 'relink symlink ^old', 'relink hardlink ^old'],
  [
    'wrong',
    'absent',
    'relink junction ^target W_TARGET_MISSING',
    'relink junction ^target W_TARGET_MISSING',
    'relink symlink ^target W_TARGET_MISSING',
    'relink hardlink ^target E_HARDLINK_DIR',
  ],
  ['wrong', 'folder', 'relink junction ^target', 'relink junction ^target', 'relink symlink ^target', 'relink hardlink ^target E_HARDLINK_DIR'],
  ['wrong', 'file', 'relink symlink ^target', 'relink junction ^target E_JUNCTION_FILE', 'relink symlink ^target', 'relink hardlink ^target'],
];

// On Linux every kind but hardlink is a symlink; "wrong kind" is a junction
// (as seen through an NTFS mount) for symlink entries, a symlink for hard links.
const POSIX_TABLE: Cell[] = [
  ['absent', 'absent', 'create symlink +t', 'create symlink +t', 'create symlink +t', 'create hardlink +t E_HARDLINK_DIR'],
  ['absent', 'folder', 'link symlink', 'link symlink', 'link symlink', 'link hardlink E_HARDLINK_DIR'],
  ['absent', 'file', 'link symlink', 'link symlink', 'link symlink', 'link hardlink'],
  ['folder', 'absent', 'move symlink x5000', 'move symlink x5000', 'move symlink x5000', 'move hardlink =5000 E_HARDLINK_DIR'],
  ['folder', 'folder', 'conflict symlink', 'conflict symlink', 'conflict symlink', 'conflict hardlink'],
  ['folder', 'file', 'conflict symlink', 'conflict symlink', 'conflict symlink', 'conflict hardlink'],
  ['file', 'absent', 'move symlink x100', 'move symlink x100', 'move symlink x100', 'move hardlink =100'],
  ['file', 'folder', 'conflict symlink', 'conflict symlink', 'conflict symlink', 'conflict hardlink'],
  ['file', 'file', 'conflict symlink', 'conflict symlink', 'conflict symlink', 'conflict hardlink'],
  [
    'this',
    'absent',
    'none symlink W_TARGET_MISSING',
    'none symlink W_TARGET_MISSING',
    'none symlink W_TARGET_MISSING',
    'relink hardlink ^target E_HARDLINK_DIR',
  ],
  ['this', 'folder', 'none symlink', 'none symlink', 'none symlink', 'relink hardlink ^target E_HARDLINK_DIR'],
  ['this', 'file', 'none symlink', 'none symlink', 'none symlink', 'none hardlink'],
  [
    'elsewhere',
    'absent',
    'retarget symlink ^old ox5000',
    'retarget symlink ^old ox5000',
    'retarget symlink ^old ox5000',
    'retarget hardlink ^old ox5000 E_HARDLINK_DIR',
  ],
  ['elsewhere', 'folder', 'conflict symlink', 'conflict symlink', 'conflict symlink', 'conflict hardlink'],
  ['elsewhere', 'file', 'conflict symlink', 'conflict symlink', 'conflict symlink', 'conflict hardlink'],
  ['elsewhere-empty', 'absent', 'relink symlink ^old +t', 'relink symlink ^old +t', 'relink symlink ^old +t', 'relink hardlink ^old E_HARDLINK_DIR'],
  ['elsewhere-empty', 'folder', 'relink symlink ^old', 'relink symlink ^old', 'relink symlink ^old', 'relink hardlink ^old E_HARDLINK_DIR'],
  ['elsewhere-empty', 'file', 'relink symlink ^old', 'relink symlink ^old', 'relink symlink ^old', 'relink hardlink ^old'],
  [
    'wrong',
    'absent',
    'relink symlink ^target W_TARGET_MISSING',
    'relink symlink ^target W_TARGET_MISSING',
    'relink symlink ^target W_TARGET_MISSING',
    'relink hardlink ^target E_HARDLINK_DIR',
  ],
  ['wrong', 'folder', 'relink symlink ^target', 'relink symlink ^target', 'relink symlink ^target', 'relink hardlink ^target E_HARDLINK_DIR'],
  ['wrong', 'file', 'relink symlink ^target', 'relink symlink ^target', 'relink symlink ^target', 'relink hardlink ^target'],
];

interface Case {
  fl: Flavour;
  row: Row;
  col: Col;
  type: LinkType;
  expected: string;
}

function cases(fl: Flavour, table: Cell[]): Case[] {
  return table.flatMap(([row, col, ...byType]) => TYPES.map((type, i) => ({ fl, row, col, type, expected: byType[i]! })));
}

const ALL: Case[] = [...cases(WIN, WIN_TABLE), ...cases(POSIX, POSIX_TABLE)];

describe('DESIGN.md table: state present, conflict fail', () => {
  it('covers every cell × every declared type × both path flavours', () => {
    expect(ALL).toHaveLength(7 * 3 * 4 * 2);
  });

  it.each(ALL.map((c) => [c.fl.os, c.row, c.col, c.type, c.expected, c] as const))(
    '%s: link %s, target %s, type %s → %s',
    (_os, row, col, type, expected, c) => {
      const { fl } = c;
      const { target, o } = observe(fl, type, row, col);
      const p = planOne(entry(fl.style, fl.link, target, { type }), o, context(fl.os));
      const [action, resolved, ...tokens] = expected.split(' ');
      expect(p.action).toBe(action);
      expect(p.type).toBe(resolved);
      expect(p.declaredType).toBe(type);
      expect(p.state).toBe('present');

      const mv = tokens.find((t) => /^o?[x=]\d+$/.test(t));
      if (mv) {
        const fromOld = mv.startsWith('o');
        const bytes = Number(mv.slice(fromOld ? 2 : 1));
        expect(moveOf(p)).toEqual({
          from: fromOld ? fl.old : fl.link,
          to: target,
          crossVolume: mv[fromOld ? 1 : 0] === 'x',
          bytes,
          files: bytes === 5000 ? 3 : 1,
        });
      } else {
        expect(moveOf(p)).toBeUndefined();
      }

      if (tokens.includes('^target')) expect(flat(p).oldTarget).toBe(target);
      else if (tokens.includes('^old')) expect(flat(p).oldTarget).toBe(fl.old);
      else expect(flat(p).oldTarget).toBeUndefined();

      expect(flat(p).createsTarget).toBe(tokens.includes('+t') ? true : undefined);
      expect(flat(p).replacesIdentical).toBeUndefined();
      expect(codes(p)).toEqual(tokens.filter((t) => /^[EW]_/.test(t)).sort());
      expect(p.reason.length).toBeGreaterThan(10);
    },
  );
});

describe('conflicts carry what differs', () => {
  it.each([WIN, POSIX].map((fl) => [fl.os, fl] as const))('%s: a folder/folder conflict lists the comparison', (_os, fl) => {
    const { target, o } = observe(fl, 'auto', 'folder', 'folder');
    const p = planOne(entry(fl.style, fl.link, target), o, context(fl.os));
    expect(p.action).toBe('conflict');
    expect(flat(p).comparison).toEqual(o.comparison);
    expect(p.reason).toMatch(/conflict: backup/);
  });

  it.each([WIN, POSIX].map((fl) => [fl.os, fl] as const))('%s: something that is neither folder, file nor link is a conflict on either side', (_os, fl) => {
    const atLink = planOne(
      entry(fl.style, fl.link, fl.target),
      pair(fl.style, obs.other(fl.link, fl.linkVol), obs.absent(fl.target, fl.targetVol)),
      context(fl.os),
    );
    expect(atLink.action).toBe('conflict');
    const atTarget = planOne(
      entry(fl.style, fl.link, fl.target),
      pair(fl.style, obs.absent(fl.link, fl.linkVol), obs.other(fl.target, fl.targetVol)),
      context(fl.os),
    );
    expect(atTarget.action).toBe('conflict');
  });
});

describe('paths compare by the flavour of the entry', () => {
  it('win32: a link to the target spelled in another case is in sync', () => {
    const o = pair(WIN_STYLE, obs.junction('C:\\Games', 'd:\\GAMES', 'dir', vol('C')), obs.dir('D:\\Games', vol('D')));
    expect(planOne(entry(WIN_STYLE, 'C:\\Games', 'D:\\Games'), o, context('win32')).action).toBe('none');
  });

  it('linux: a link to the target spelled in another case points elsewhere', () => {
    const o = pair(POSIX_STYLE, obs.symlink('/home/u/games', '/mnt/big/GAMES', 'dir', vol('root')), obs.dir('/mnt/big/games', vol('big')));
    const p = planOne(entry(POSIX_STYLE, '/home/u/games', '/mnt/big/games'), o, context('linux'));
    expect(p.action).toBe('relink');
    expect(flat(p).oldTarget).toBe('/mnt/big/GAMES');
  });

  it('a relink to a missing target whose data is a file does not create a folder there', () => {
    const o = pair(WIN_STYLE, obs.symlink('C:\\cfg.ini', 'E:\\old\\cfg.ini', 'file', vol('C')), obs.absent('D:\\cfg.ini', vol('D')));
    const p = planOne(entry(WIN_STYLE, 'C:\\cfg.ini', 'D:\\cfg.ini'), o, context('win32'));
    expect(p.action).toBe('relink');
    expect(p.type).toBe('symlink');
    expect(flat(p).oldTarget).toBe('E:\\old\\cfg.ini');
    expect(flat(p).createsTarget).toBeUndefined();
    expect(codes(p)).toEqual(['W_TARGET_MISSING']);
  });
});
