/**
 * `state: absent` (DESIGN.md): the link is removed and the data moves back to
 * the link path; a real folder already at the link path is fine. Every cell,
 * every declared type, both path flavours.
 *
 * Expectation tokens: `action [x<bytes>] [E_/W_ codes]`, where x<bytes> is a
 * restore move target → link across volumes.
 */
import { describe, expect, it } from 'vitest';
import type { OsName, PathStyle } from '../../src/core/paths.js';
import type { LinkType } from '../../src/manifest/types.js';
import type { EntryObservation, LinkObservation, PathObservation, VolumeInfo } from '../../src/state/types.js';
import { POSIX_STYLE, WIN_STYLE, codes, context, entry, obs, pair, planOne, tree, vol } from '../helpers/plan-fixtures.js';
import { flat } from '../helpers/flat-entry.js';
import { moveOf } from '../../src/plan/actions.js';

type Row = 'absent' | 'folder' | 'file' | 'this' | 'other-kind' | 'elsewhere' | 'not-a-link';
type Col = 'absent' | 'folder' | 'file';

interface Flavour {
  os: OsName;
  style: PathStyle;
  link: string;
  target: string;
  old: string;
  lv: VolumeInfo;
  tv: VolumeInfo;
  /** The link kind relocate makes for folders here, and one it does not. */
  kind: 'symlink' | 'junction';
  otherKind: 'symlink' | 'junction';
}
const WIN: Flavour = {
  os: 'win32',
  style: WIN_STYLE,
  link: 'C:\\OldTool',
  target: 'E:\\OldTool',
  old: 'F:\\Elsewhere',
  lv: vol('C'),
  tv: vol('E'),
  kind: 'junction',
  otherKind: 'symlink',
};
const POSIX: Flavour = {
  os: 'linux',
  style: POSIX_STYLE,
  link: '/home/u/.config/tool',
  target: '/mnt/big/tool',
  old: '/mnt/old/tool',
  lv: vol('root'),
  tv: vol('big'),
  kind: 'symlink',
  otherKind: 'junction',
};

const TABLE: [Row, Col, string][] = [
  ['absent', 'absent', 'none'],
  ['absent', 'folder', 'restore x7000'],
  ['absent', 'file', 'restore x200'],
  ['folder', 'absent', 'none'],
  ['folder', 'folder', 'none'],
  ['folder', 'file', 'none'],
  ['file', 'absent', 'none'],
  ['file', 'folder', 'none'],
  ['file', 'file', 'none'],
  ['this', 'absent', 'remove W_TARGET_MISSING'],
  ['this', 'folder', 'restore x7000'],
  ['this', 'file', 'restore x200'],
  // Removing a link of either kind that points to the target is the same undo.
  ['other-kind', 'absent', 'remove W_TARGET_MISSING'],
  ['other-kind', 'folder', 'restore x7000'],
  ['other-kind', 'file', 'restore x200'],
  // A link relocate was not told about is left alone, and the plan says so.
  ['elsewhere', 'absent', 'conflict'],
  ['elsewhere', 'folder', 'conflict'],
  ['elsewhere', 'file', 'conflict'],
  ['not-a-link', 'absent', 'conflict'],
  ['not-a-link', 'folder', 'conflict'],
  ['not-a-link', 'file', 'conflict'],
];

const TYPES: LinkType[] = ['auto', 'junction', 'symlink', 'hardlink'];

function observe(fl: Flavour, row: Row, col: Col): EntryObservation {
  const tk: LinkObservation['linkTargetKind'] = col === 'absent' ? 'absent' : col === 'folder' ? 'dir' : 'file';
  const T = col === 'absent' ? obs.absent(fl.target, fl.tv) : col === 'folder' ? obs.dir(fl.target, fl.tv) : obs.file(fl.target, fl.tv, '77');
  const link = (k: 'symlink' | 'junction', to: string, kind: LinkObservation['linkTargetKind']) =>
    (k === 'symlink' ? obs.symlink : obs.junction)(fl.link, to, kind, fl.lv);
  const L: PathObservation = {
    absent: () => obs.absent(fl.link, fl.lv),
    folder: () => obs.dir(fl.link, fl.lv),
    file: () => obs.file(fl.link, fl.lv, '5'),
    this: () => link(fl.kind, fl.target, tk),
    'other-kind': () => link(fl.otherKind, fl.target, tk),
    elsewhere: () => link(fl.kind, fl.old, 'dir'),
    'not-a-link': () => obs.other(fl.link, fl.lv),
  }[row]();
  const targetTree = col === 'folder' ? tree(7000, 4) : col === 'file' ? tree(200, 1) : undefined;
  return pair(fl.style, L, T, targetTree ? { targetTree } : {});
}

const CASES = [WIN, POSIX].flatMap((fl) => TABLE.flatMap(([row, col, exp]) => TYPES.map((type) => [fl.os, row, col, type, exp, fl] as const)));

describe('state: absent over every cell', () => {
  it('has a case per flavour × cell × declared type', () => {
    expect(CASES).toHaveLength(2 * 21 * 4);
  });

  it.each(CASES)('%s: link %s, target %s, type %s → %s', (_os, row, col, type, expected, fl) => {
    const p = planOne(entry(fl.style, fl.link, fl.target, { state: 'absent', type }), observe(fl, row, col), context(fl.os));
    const [action, ...tokens] = expected.split(' ');
    expect(p.action).toBe(action);
    expect(p.state).toBe('absent');
    const mv = tokens.find((t) => /^x\d+$/.test(t));
    if (mv) {
      const bytes = Number(mv.slice(1));
      expect(moveOf(p)).toEqual({ from: fl.target, to: fl.link, crossVolume: true, bytes, files: bytes === 7000 ? 4 : 1 });
    } else {
      expect(moveOf(p)).toBeUndefined();
    }
    expect(flat(p).oldTarget).toBeUndefined();
    expect(flat(p).createsTarget).toBeUndefined();
    // Link-type rules (junction of a file, hard link of a folder…) do not apply to an undo.
    expect(codes(p)).toEqual(tokens.filter((t) => /^[EW]_/.test(t)));
  });
});

describe('state: absent, special cases', () => {
  it('a hard link of the target at the link path: the target name is removed, the data stays', () => {
    const o = pair(WIN_STYLE, obs.file('C:\\tool.cfg', vol('C'), '9'), obs.file('C:\\Store\\tool.cfg', vol('C'), '9'));
    const p = planOne(entry(WIN_STYLE, 'C:\\tool.cfg', 'C:\\Store\\tool.cfg', { state: 'absent', type: 'hardlink' }), o, context('win32'));
    expect(p.action).toBe('remove');
    expect(moveOf(p)).toBeUndefined();
    expect(p.reason).toContain('hard link');
  });

  it('a restore on one volume is a rename, not a cross-volume copy', () => {
    const o = pair(POSIX_STYLE, obs.symlink('/home/u/a', '/home/u/store/a', 'dir', vol('root')), obs.dir('/home/u/store/a', vol('root')), {
      targetTree: tree(10, 1),
    });
    const p = planOne(entry(POSIX_STYLE, '/home/u/a', '/home/u/store/a', { state: 'absent' }), o, context('linux'));
    expect(p.action).toBe('restore');
    expect(moveOf(p)).toEqual({ from: '/home/u/store/a', to: '/home/u/a', crossVolume: false, bytes: 10, files: 1 });
  });

  it('an absent entry with nothing anywhere is in sync and the plan has no changes', () => {
    const o = pair(WIN_STYLE, obs.absent('C:\\OldTool', vol('C')), obs.absent('E:\\OldTool', vol('E')));
    const p = planOne(entry(WIN_STYLE, 'C:\\OldTool', 'E:\\OldTool', { state: 'absent' }), o, context('win32'));
    expect(p.action).toBe('none');
  });
});
