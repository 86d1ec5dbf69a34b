/**
 * How `type:` resolves into the link apply makes (DESIGN.md "Types").
 */
import { describe, expect, it } from 'vitest';
import type { LinkType } from '../../src/manifest/types.js';
import { makePlan } from '../../src/plan/planner.js';
import { POSIX_STYLE, WIN_STYLE, caps, codes, context, entry, obs, pair, planOne, tree, vol } from '../helpers/plan-fixtures.js';
import { moveOf } from '../../src/plan/actions.js';

const NO_SYMLINKS = caps({ symlinks: false });

describe('linux: every kind but hardlink is a symlink', () => {
  const o = () => pair(POSIX_STYLE, obs.absent('/home/u/games', vol('root')), obs.dir('/mnt/big/games', vol('big')));
  it.each([
    ['auto', 'symlink'],
    ['junction', 'symlink'],
    ['symlink', 'symlink'],
  ] as [LinkType, string][])('type %s → %s', (type, resolved) => {
    const p = planOne(entry(POSIX_STYLE, '/home/u/games', '/mnt/big/games', { type }), o(), context('linux'));
    expect(p.action).toBe('link');
    expect(p.type).toBe(resolved);
    expect(codes(p)).toEqual([]);
  });

  it('type junction says a directory symlink is made instead', () => {
    const p = planOne(entry(POSIX_STYLE, '/home/u/games', '/mnt/big/games', { type: 'junction' }), o(), context('linux'));
    expect(p.reason).toMatch(/directory symlink/);
    expect(p.reason).toMatch(/junctions exist only on Windows/);
  });

  it('type hardlink → hardlink (a file on one volume)', () => {
    const f = pair(POSIX_STYLE, obs.absent('/home/u/.bashrc', vol('root')), obs.file('/home/u/dots/bashrc', vol('root'), '3'));
    const p = planOne(entry(POSIX_STYLE, '/home/u/.bashrc', '/home/u/dots/bashrc', { type: 'hardlink' }), f, context('linux'));
    expect(p.type).toBe('hardlink');
    expect(p.action).toBe('link');
    expect(codes(p)).toEqual([]);
  });

  it('symlink permission is a Windows matter: linux never reports E_SYMLINK_PRIVILEGE', () => {
    const p = planOne(entry(POSIX_STYLE, '/home/u/games', '/mnt/big/games', { type: 'symlink' }), o(), context('linux', { capabilities: NO_SYMLINKS }));
    expect(p.type).toBe('symlink');
    expect(codes(p)).toEqual([]);
  });
});

describe('win32: auto, junction, symlink and permission', () => {
  const folderMove = () => pair(WIN_STYLE, obs.dir('C:\\Games', vol('C')), obs.absent('D:\\Games', vol('D')), { linkTree: tree(10, 1) });
  const fileSameVol = () =>
    pair(WIN_STYLE, obs.file('C:\\Users\\u\\big.iso', vol('C'), '1'), obs.absent('C:\\Store\\big.iso', vol('C')), { linkTree: tree(10, 1) });
  const fileCrossVol = () => pair(WIN_STYLE, obs.file('C:\\Users\\u\\big.iso', vol('C'), '1'), obs.absent('D:\\big.iso', vol('D')), { linkTree: tree(10, 1) });

  it('auto folder → junction (no privilege needed, even without symlink permission)', () => {
    const p = planOne(entry(WIN_STYLE, 'C:\\Games', 'D:\\Games'), folderMove(), context('win32', { capabilities: NO_SYMLINKS }));
    expect(p.type).toBe('junction');
    expect(p.action).toBe('move');
    expect(codes(p)).toEqual([]);
  });

  it('auto folder to a network share → directory symlink when permitted (per volume), and the reason says why', () => {
    const o = pair(WIN_STYLE, obs.dir('C:\\Games', vol('C')), obs.absent('\\\\nas\\games\\Games', vol('\\\\NAS\\GAMES\\', { remote: true })), {
      linkTree: tree(10, 1),
    });
    const p = planOne(entry(WIN_STYLE, 'C:\\Games', '\\\\nas\\games\\Games'), o, context('win32'));
    expect(p.type).toBe('symlink');
    expect(p.reason).toMatch(/junction cannot point to a network share/);
    expect(codes(p)).toEqual(['W_NETWORK']);
  });

  it('auto folder to a network share without symlink permission stays a junction, refused with E_JUNCTION_REMOTE', () => {
    const o = pair(WIN_STYLE, obs.dir('C:\\Games', vol('C')), obs.absent('\\\\nas\\games\\Games', vol('\\\\NAS\\GAMES\\', { remote: true })), {
      linkTree: tree(10, 1),
    });
    const p = planOne(entry(WIN_STYLE, 'C:\\Games', '\\\\nas\\games\\Games'), o, context('win32', { capabilities: NO_SYMLINKS }));
    expect(p.type).toBe('junction');
    expect(codes(p)).toEqual(['E_JUNCTION_REMOTE', 'W_NETWORK']);
  });

  it('auto file with symlink permission → symlink', () => {
    const p = planOne(entry(WIN_STYLE, 'C:\\Users\\u\\big.iso', 'D:\\big.iso'), fileCrossVol(), context('win32'));
    expect(p.type).toBe('symlink');
    expect(codes(p)).toEqual([]);
  });

  it('auto file without symlink permission on the same volume → hardlink, and the reason says why', () => {
    const p = planOne(entry(WIN_STYLE, 'C:\\Users\\u\\big.iso', 'C:\\Store\\big.iso'), fileSameVol(), context('win32', { capabilities: NO_SYMLINKS }));
    expect(p.type).toBe('hardlink');
    expect(p.action).toBe('move');
    expect(moveOf(p)?.crossVolume).toBe(false);
    expect(p.reason).toMatch(/hard link/);
    expect(codes(p)).toEqual([]);
  });

  it('auto file without symlink permission across volumes → E_SYMLINK_PRIVILEGE', () => {
    const p = planOne(entry(WIN_STYLE, 'C:\\Users\\u\\big.iso', 'D:\\big.iso'), fileCrossVol(), context('win32', { capabilities: NO_SYMLINKS }));
    expect(p.type).toBe('symlink');
    expect(codes(p)).toEqual(['E_SYMLINK_PRIVILEGE']);
    expect(p.findings[0]!.hint).toMatch(/Developer Mode/);
  });

  it('symlink of a folder without permission → E_SYMLINK_PRIVILEGE whose hint suggests a junction for folders', () => {
    const p = planOne(entry(WIN_STYLE, 'C:\\Games', 'D:\\Games', { type: 'symlink' }), folderMove(), context('win32', { capabilities: NO_SYMLINKS }));
    expect(p.type).toBe('symlink');
    expect(codes(p)).toEqual(['E_SYMLINK_PRIVILEGE']);
    expect(p.findings[0]!.severity).toBe('error');
    expect(p.findings[0]!.hint).toMatch(/type: junction/);
    expect(p.findings[0]!.hint).toMatch(/folders/);
  });

  it('symlink of a file without permission → E_SYMLINK_PRIVILEGE (an explicit symlink never falls back to a hard link)', () => {
    const p = planOne(
      entry(WIN_STYLE, 'C:\\Users\\u\\big.iso', 'C:\\Store\\big.iso', { type: 'symlink' }),
      fileSameVol(),
      context('win32', { capabilities: NO_SYMLINKS }),
    );
    expect(p.type).toBe('symlink');
    expect(codes(p)).toEqual(['E_SYMLINK_PRIVILEGE']);
  });

  it('symlink with permission → symlink', () => {
    const p = planOne(entry(WIN_STYLE, 'C:\\Games', 'D:\\Games', { type: 'symlink' }), folderMove(), context('win32'));
    expect(p.type).toBe('symlink');
    expect(codes(p)).toEqual([]);
  });

  it('junction of a file → E_JUNCTION_FILE', () => {
    const p = planOne(entry(WIN_STYLE, 'C:\\Users\\u\\big.iso', 'D:\\big.iso', { type: 'junction' }), fileCrossVol(), context('win32'));
    expect(p.type).toBe('junction');
    expect(codes(p)).toEqual(['E_JUNCTION_FILE']);
    expect(p.findings[0]!.hint).toMatch(/symlink|hardlink/);
  });

  it('the data kind is read through a link at the target (a file behind a symlink)', () => {
    const o = pair(WIN_STYLE, obs.absent('C:\\a.cfg', vol('C')), obs.symlink('D:\\a.cfg', 'E:\\real.cfg', 'file', vol('D')));
    const p = planOne(entry(WIN_STYLE, 'C:\\a.cfg', 'D:\\a.cfg'), o, context('win32'));
    expect(p.type).toBe('symlink');
    expect(p.action).toBe('link');
  });

  it('an in-sync entry keeps no type finding (nothing will be made)', () => {
    const o = pair(WIN_STYLE, obs.symlink('C:\\Games', 'D:\\Games', 'dir', vol('C')), obs.dir('D:\\Games', vol('D')));
    const p = planOne(entry(WIN_STYLE, 'C:\\Games', 'D:\\Games', { type: 'symlink' }), o, context('win32', { capabilities: NO_SYMLINKS }));
    expect(p.action).toBe('none');
    expect(codes(p)).toEqual([]);
  });

  it('a skipped entry (when: does not match) is skip with its reason and no findings', () => {
    const e = entry(WIN_STYLE, '~/.config/nvim', './nvim', { applies: false, skipReason: 'when.os is [linux, darwin], this is win32', type: 'symlink' });
    const p = makePlan([e], [undefined], context('win32')).entries[0]!;
    expect(p.action).toBe('skip');
    expect(p.reason).toBe('when.os is [linux, darwin], this is win32');
    expect(p.findings).toEqual([]);
  });
});
