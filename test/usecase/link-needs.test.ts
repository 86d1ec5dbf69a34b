/**
 * Doctor's link-kind rules (src/usecase/link-needs.ts): what an entry
 * needs of its link's volume comes from the planner's own rule
 * (resolveLinkType), and what a volume holds from its probe or its file
 * system.
 */
import { describe, expect, it } from 'vitest';
import type { LinkType } from '../../src/manifest/types.js';
import { heldKinds, lackingKinds, linkKindsNeeded, untestedHolds, type LinkKinds } from '../../src/usecase/link-needs.js';
import { volumeVerdict } from '../../src/usecase/volume-verdict.js';
import { POSIX_STYLE, WIN_STYLE, entry } from '../helpers/plan-fixtures.js';

describe('linkKindsNeeded: the kinds the planner may make, for a folder or a file', () => {
  it.each([
    ['auto', ['junctions', 'symlinks']],
    ['junction', ['junctions']],
    ['symlink', ['symlinks']],
    ['hardlink', ['hardlinks']],
  ] as [LinkType, LinkKinds[]][])('Windows, type %s → %j', (type, kinds) => {
    expect(linkKindsNeeded(entry(WIN_STYLE, 'C:\\Users\\u\\Games', 'D:\\Games', { type }))).toEqual(kinds);
  });

  it.each([
    ['auto', ['symlinks']],
    ['junction', ['symlinks']],
    ['symlink', ['symlinks']],
    ['hardlink', ['hardlinks']],
  ] as [LinkType, LinkKinds[]][])('elsewhere, type %s → %j', (type, kinds) => {
    expect(linkKindsNeeded(entry(POSIX_STYLE, '/home/u/games', '/mnt/big/games', { type }))).toEqual(kinds);
  });
});

describe('heldKinds: what a tested volume holds', () => {
  it('each kind the probe made or was refused, untried kinds left out', () => {
    expect(heldKinds({ symlinks: true, hardlinks: false, failures: { hardlinks: 'EXDEV' } })).toEqual({ symlinks: true, hardlinks: false });
  });

  it("a refusal for lack of permission is the account's limit, not the volume's: unknown", () => {
    expect(heldKinds({ symlinks: false, hardlinks: true, junctions: true, failures: { symlinks: 'EPERM' } })).toEqual({ hardlinks: true, junctions: true });
    expect(heldKinds({ symlinks: false, failures: { symlinks: 'EACCES' } })).toEqual({});
  });
});

describe('untestedHolds: an untested volume judged by its file system', () => {
  it.each(['vfat', 'msdos', 'exFAT', 'fat', 'fat16', 'FAT32'])('%s holds no link', (fs) => {
    expect(untestedHolds(fs)).toEqual({ symlinks: false, hardlinks: false, junctions: false });
  });

  it.each([undefined, '', 'ntfs', 'ext4', 'fatter'])('%s: unknown', (fs) => {
    expect(untestedHolds(fs)).toBeUndefined();
  });
});

describe('lackingKinds', () => {
  it('a need is lacking when every alternative is known not held; unknown is never lacking', () => {
    const needs: LinkKinds[][] = [['junctions', 'symlinks'], ['hardlinks'], ['symlinks']];
    expect(lackingKinds(needs, { junctions: false, symlinks: true, hardlinks: false })).toEqual([['hardlinks']]);
    expect(lackingKinds(needs, { junctions: false, symlinks: false })).toEqual([['junctions', 'symlinks'], ['symlinks']]);
    expect(lackingKinds(needs, {})).toEqual([]);
  });
});

describe('volumeVerdict', () => {
  const needs: LinkKinds[][] = [['junctions', 'symlinks'], ['hardlinks']];

  it('read-only first: nothing can change there, whatever it holds', () => {
    expect(volumeVerdict({ readOnly: true, tested: true, holds: { symlinks: true, hardlinks: true }, needs })).toEqual({ kind: 'read-only' });
  });

  it('then the needs it is known to meet none of', () => {
    expect(volumeVerdict({ tested: true, holds: { symlinks: true, hardlinks: false }, needs })).toEqual({ kind: 'lacking', lacking: [['hardlinks']] });
    expect(volumeVerdict({ tested: false, holds: { symlinks: false, junctions: false, hardlinks: false }, needs })).toEqual({
      kind: 'lacking',
      lacking: needs,
    });
  });

  it('else ok when tested, untested (a caveat) when judged from its file system only', () => {
    expect(volumeVerdict({ tested: true, holds: { symlinks: true, hardlinks: true }, needs })).toEqual({ kind: 'ok' });
    expect(volumeVerdict({ readOnly: false, tested: false, holds: {}, needs })).toEqual({ kind: 'untested' });
  });
});
