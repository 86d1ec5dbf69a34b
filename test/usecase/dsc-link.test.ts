/**
 * The DSC resource's decisions (src/usecase/dsc-link.ts): an instance's
 * reported state, which properties differ, and which links a state folder
 * manages.
 */
import { describe, expect, it } from 'vitest';
import type { PlannedEntry } from '../../src/plan/types.js';
import { differingProperties, linkState, managedLinks, type LinkInstance } from '../../src/usecase/dsc-link.js';
import { POSIX_STYLE, WIN_STYLE, context, entry, obs, pair, planOne, vol } from '../helpers/plan-fixtures.js';
import { runRecord } from './run-fixtures.js';

const WANTED: LinkInstance = { link: '/home/u/games', target: '/mnt/big/games', type: 'auto', conflict: 'fail', _exist: true };

/** The planned entry of /home/u/games → /mnt/big/games with this action. */
function planned(action: PlannedEntry['action'], extra: Partial<PlannedEntry> = {}): PlannedEntry {
  const p = planOne(
    entry(POSIX_STYLE, WANTED.link, WANTED.target ?? ''),
    pair(POSIX_STYLE, obs.absent(WANTED.link, vol('r')), obs.dir('/mnt/big/games', vol('b'))),
    context('linux'),
  );
  // Any action with any fields: the cases below need combinations no planner makes.
  return { ...p, action, ...extra } as PlannedEntry;
}

describe('linkState', () => {
  it('in sync and wanted: the wanted target and type, _exist true', () => {
    expect(linkState(WANTED, planned('none'), { kind: 'symlink', resolved: '/mnt/big/games' }, '/s')).toEqual({
      link: '/home/u/games',
      target: '/mnt/big/games',
      type: 'auto',
      conflict: 'fail',
      _exist: true,
      action: 'none',
      stateDir: '/s',
    });
  });

  it("not in sync: what the link path holds (a link's kind and destination; nothing for a folder), _exist false", () => {
    expect(linkState(WANTED, planned('relink'), { kind: 'symlink', resolved: '/elsewhere' }, '/s')).toEqual({
      link: '/home/u/games',
      target: '/elsewhere',
      type: 'symlink',
      conflict: 'fail',
      _exist: false,
      action: 'relink',
      stateDir: '/s',
    });
    expect(linkState(WANTED, planned('move'), { kind: 'dir' }, '/s')).toEqual({
      link: '/home/u/games',
      conflict: 'fail',
      _exist: false,
      action: 'move',
      stateDir: '/s',
    });
  });

  it("wanted absent: _exist is true until relocate's link is gone", () => {
    const gone = { ...WANTED, _exist: false };
    expect(linkState(gone, planned('restore'), { kind: 'symlink', resolved: '/mnt/big/games' }, '/s')._exist).toBe(true);
    expect(linkState(gone, planned('none'), { kind: 'dir' }, '/s')._exist).toBe(false);
  });
});

describe('differingProperties', () => {
  it('names the properties whose wanted value the state lacks', () => {
    const s = linkState(WANTED, planned('relink'), { kind: 'symlink', resolved: '/elsewhere' }, '/s');
    expect(differingProperties(WANTED, s)).toEqual(['_exist', 'target', 'type']);
    expect(differingProperties(WANTED, linkState(WANTED, planned('none'), undefined, '/s'))).toEqual([]);
  });

  it('not in sync for a reason no property names (a conflict): _exist', () => {
    const s = { ...linkState(WANTED, planned('none'), undefined, '/s'), action: 'conflict' };
    expect(differingProperties(WANTED, s)).toEqual(['_exist']);
  });
});

describe('managedLinks', () => {
  const run = (id: string, status: 'done' | 'rolled-back' | 'failed', entries: PlannedEntry[]) => {
    const r = runRecord(id, status);
    r.plan.entries = entries;
    return r;
  };

  it('the newest finished run naming a link decides: present is managed, absent undone; unfinished and undone runs never count', () => {
    const games = planned('link');
    const docs = planned('link', { link: '/home/u/docs', target: '/mnt/big/docs', conflictStrategy: 'backup' });
    const runs = [
      run('r4', 'failed', [{ ...docs, state: 'absent' }]),
      run('r3', 'done', [{ ...games, state: 'absent', action: 'restore' } as PlannedEntry]),
      run('r2', 'rolled-back', [{ ...docs, state: 'absent' }]),
      run('r1', 'done', [games, docs, { ...games, link: '/home/u/skipped', action: 'skip' } as PlannedEntry]),
    ];
    expect(managedLinks(runs, '/s')).toEqual([
      { link: '/home/u/docs', target: '/mnt/big/docs', type: 'auto', conflict: 'backup', _exist: true, stateDir: '/s' },
    ]);
  });

  it('links compare as their OS compares names, and come out sorted', () => {
    const winEntry = (link: string, state: 'present' | 'absent'): PlannedEntry => ({ ...planned('link'), link, target: 'D:\\Games', style: WIN_STYLE, state });
    const runs = [run('r2', 'done', [winEntry('C:\\GAMES', 'absent')]), run('r1', 'done', [winEntry('C:\\Games', 'present'), winEntry('C:\\Apps', 'present')])];
    expect(managedLinks(runs, '/s').map((i) => i.link)).toEqual(['C:\\Apps']);
  });
});
