/**
 * Issue 15, "Names the target cannot hold": the rules (src/core/name-rules.ts)
 * and the planner's refusals (src/plan/names.ts), without a disk. The
 * reader's half (TreeNames, the probe) is test/platform/names.test.ts; the
 * CLI end to end on real volumes is test/cli/names.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { foldKey, mayFold, nameLimitsOf, oneNameUnder, windowsNameProblem } from '../../src/core/name-rules.js';
import type { EntryObservation, TreeMeasure, TreeNames } from '../../src/state/types.js';
import { POSIX_STYLE, WIN_STYLE, codes, context, entry, obs, pair, planOne, tree, vol } from '../helpers/plan-fixtures.js';

describe('windowsNameProblem', () => {
  it.each([
    ['a:b', 'holds `:`'],
    ['what?', 'holds `?`'],
    ['x*y', 'holds `*`'],
    ['a<b', 'holds `<`'],
    ['a>b', 'holds `>`'],
    ['say "hi"', 'holds `"`'],
    ['a|b', 'holds `|`'],
    ['back\\slash', 'holds `\\`'],
    ['tab\there', 'a control character (U+0009)'],
    ['notes.', 'ends in a dot'],
    ['notes ', 'ends in a space'],
    ['CON', 'device name CON'],
    ['nul.txt', 'device name NUL'],
    ['Com1', 'device name COM1'],
    ['lpt9.tar.gz', 'device name LPT9'],
    ['aux .txt', 'device name AUX'],
  ])('%j %s', (name, says) => {
    expect(windowsNameProblem(name)).toContain(says);
  });

  it.each(['console', 'nul_', 'com10', 'a.b', '.hidden', 'con-fig.txt', 'Résumé', '日本語', 'lpt'])('%j is fine', (name) => {
    expect(windowsNameProblem(name)).toBeUndefined();
  });
});

describe('oneNameUnder: which names a volume takes for one', () => {
  const nfc = 'caf\u00e9';
  const nfd = 'cafe\u0301';
  it('a volume that ignores case (NTFS) folds case only', () => {
    expect(oneNameUnder({ ignoresCase: true }, 'README', 'Readme')).toBe(true);
    expect(oneNameUnder({ ignoresCase: true, ignoresNormalisation: false }, nfc, nfd)).toBe(false);
    expect(oneNameUnder({ ignoresCase: true }, 'Café', nfc)).toBe(true);
  });
  it('one that ignores both (APFS, ext4 casefold) folds both', () => {
    expect(oneNameUnder({ ignoresCase: true, ignoresNormalisation: true }, 'CAFE\u0301', nfc)).toBe(true);
  });
  it('one that ignores only normalisation (case-sensitive APFS) keeps case apart', () => {
    expect(oneNameUnder({ ignoresCase: false, ignoresNormalisation: true }, nfc, nfd)).toBe(true);
    expect(oneNameUnder({ ignoresCase: false, ignoresNormalisation: true }, 'README', 'Readme')).toBe(false);
  });
  it('one that ignores neither, or is not known, takes no two names for one', () => {
    expect(oneNameUnder({ ignoresCase: false, ignoresNormalisation: false }, 'README', 'Readme')).toBe(false);
    expect(oneNameUnder({}, nfc, nfd)).toBe(false);
    expect(oneNameUnder({ ignoresCase: true }, 'same', 'same')).toBe(false);
  });
  it('foldKey and mayFold agree: a name mayFold calls safe is its own key', () => {
    for (const n of ['readme', 'a-b_c.txt', '0123', 'x y']) {
      expect(mayFold(n)).toBe(false);
      expect(foldKey(n)).toBe(n);
    }
    for (const n of ['README', nfd, 'ÆON']) expect(mayFold(n)).toBe(true);
  });
});

describe('nameLimitsOf', () => {
  it('name lengths by file system, path lengths by OS, Windows rules where they apply', () => {
    expect(nameLimitsOf('ext4', 'linux')).toEqual({ name: { n: 255, unit: 'bytes' }, path: { n: 4095, unit: 'bytes' } });
    expect(nameLimitsOf('ecryptfs', 'linux').name).toEqual({ n: 143, unit: 'bytes' });
    expect(nameLimitsOf('vfat', 'linux')).toEqual({ name: { n: 255, unit: 'units' }, path: { n: 4095, unit: 'bytes' }, windowsNames: 'refuse' });
    expect(nameLimitsOf('exfat', 'darwin').windowsNames).toBe('refuse');
    expect(nameLimitsOf('fuseblk', 'linux')).toEqual({ path: { n: 4095, unit: 'bytes' }, windowsNames: 'warn' });
    expect(nameLimitsOf('apfs', 'darwin').path).toEqual({ n: 1023, unit: 'bytes' });
    expect(nameLimitsOf('NTFS', 'win32')).toEqual({ name: { n: 255, unit: 'units' }, path: { n: 32_767, unit: 'units' }, windowsNames: 'refuse' });
    // Not known: no name limit, and nothing refused for it.
    expect(nameLimitsOf(undefined, 'linux').name).toBeUndefined();
    expect(nameLimitsOf('fuse.sshfs', 'linux').windowsNames).toBeUndefined();
  });
});

const LINK = '/home/u/Docs';
const TO = '/mnt/big/Docs';

function moving(names: TreeNames, opts: { fsType?: string; cross?: boolean; rules?: EntryObservation['destNames'] } = {}): EntryObservation {
  const t: TreeMeasure = tree(10, 2, { names });
  return pair(POSIX_STYLE, obs.dir(LINK, vol('home')), obs.absent(TO, vol(opts.cross === false ? 'home' : 'big', opts.fsType ? { fsType: opts.fsType } : {})), {
    linkTree: t,
    ...(opts.rules ? { destNames: opts.rules } : {}),
  });
}

const twins = (...pairs: [string, string][]): TreeNames => ({ twins: { count: pairs.length, first: pairs.map(([a, b]) => ({ dir: `${LINK}/sub`, a, b })) } });
const longest = (nameBytes: number, nameUnits: number, relBytes: number, relUnits: number): TreeNames => ({
  longest: {
    nameBytes: { path: `${LINK}/long`, n: nameBytes },
    nameUnits: { path: `${LINK}/long`, n: nameUnits },
    relBytes: { path: `${LINK}/deep/x`, n: relBytes },
    relUnits: { path: `${LINK}/deep/x`, n: relUnits },
  },
});

describe('the planner: names the destination cannot hold', () => {
  it('E_CASE_COLLISION at plan time when the destination answered that it ignores case, naming both', () => {
    const p = planOne(
      entry(POSIX_STYLE, LINK, TO),
      moving(twins(['README', 'Readme']), { rules: { ignoresCase: true, ignoresNormalisation: false } }),
      context('linux'),
    );
    expect(codes(p)).toEqual(['E_CASE_COLLISION']);
    const f = p.findings[0]!;
    expect(f.severity).toBe('error');
    expect(f.message).toContain(`${LINK}/sub/README and Readme`);
    expect(f.message).toContain(`would be one name at ${TO}, whose volume ignores case`);
    expect(f.path).toBe(`${LINK}/sub/Readme`);
    expect(f.hint).toContain('rename one of each pair');
  });

  it('only the pairs the destination folds: a volume that keeps case but folds accents refuses the accent pair only', () => {
    const names = twins(['README', 'Readme'], ['caf\u00e9', 'cafe\u0301']);
    const p = planOne(entry(POSIX_STYLE, LINK, TO), moving(names, { rules: { ignoresCase: false, ignoresNormalisation: true } }), context('linux'));
    expect(codes(p)).toEqual(['E_CASE_COLLISION']);
    expect(p.findings[0]!.message).toMatch(/^1 pair\(s\)/);
    expect(p.findings[0]!.message).toContain('composed and decomposed accents');
  });

  it('nothing refused where the destination tells names apart, or could not be asked, or the move is a rename', () => {
    const names = twins(['README', 'Readme']);
    expect(
      codes(planOne(entry(POSIX_STYLE, LINK, TO), moving(names, { rules: { ignoresCase: false, ignoresNormalisation: false } }), context('linux'))),
    ).toEqual([]);
    expect(codes(planOne(entry(POSIX_STYLE, LINK, TO), moving(names), context('linux')))).toEqual([]);
    expect(codes(planOne(entry(POSIX_STYLE, LINK, TO), moving(names, { cross: false, rules: { ignoresCase: true } }), context('linux')))).toEqual([]);
  });

  it('Windows names: refused going to FAT/exFAT (E_NAME_UNFIT), a warning going to NTFS through FUSE, nothing going to ext4', () => {
    const names: TreeNames = { windowsUnfit: { count: 7, first: [`${LINK}/a:b`, `${LINK}/nul.txt`, `${LINK}/x.`, `${LINK}/q?`, `${LINK}/CON`, `${LINK}/t `] } };
    const fat = planOne(entry(POSIX_STYLE, LINK, TO), moving(names, { fsType: 'vfat' }), context('linux'));
    expect(codes(fat)).toEqual(['E_NAME_UNFIT']);
    expect(fat.findings[0]!.message).toContain(`7 name(s) in ${LINK} cannot be stored at ${TO} (a vfat volume takes Windows' rules for names)`);
    expect(fat.findings[0]!.message).toContain(`${LINK}/a:b (holds \`:\`, which Windows does not allow in a name)`);
    expect(fat.findings[0]!.message).toContain(`${LINK}/nul.txt (is the device name NUL, which Windows reserves)`);
    expect(fat.findings[0]!.message).toContain('and 2 more');
    expect(fat.findings[0]!.path).toBe(`${LINK}/a:b`);
    const ntfs = planOne(entry(POSIX_STYLE, LINK, TO), moving(names, { fsType: 'fuseblk' }), context('linux'));
    expect(codes(ntfs)).toEqual(['W_WINDOWS_NAME']);
    expect(ntfs.findings[0]!.severity).toBe('warning');
    expect(codes(planOne(entry(POSIX_STYLE, LINK, TO), moving(names, { fsType: 'ext4' }), context('linux')))).toEqual([]);
  });

  it('E_NAME_TOO_LONG: a 300-byte name (100 CJK characters, fine on NTFS) going to ext4; counted in the unit the destination counts', () => {
    const p = planOne(entry(POSIX_STYLE, LINK, TO), moving(longest(300, 100, 300, 100), { fsType: 'ext4' }), context('linux'));
    expect(codes(p)).toEqual(['E_NAME_TOO_LONG']);
    expect(p.findings[0]!.message).toContain(
      `the name of ${LINK}/long is 300 bytes long, and the ext4 volume of ${TO} holds names of at most 255 bytes (UTF-8)`,
    );
    // The same name going to NTFS (255 UTF-16 units) fits.
    expect(codes(planOne(entry(POSIX_STYLE, LINK, TO), moving(longest(300, 100, 300, 100), { fsType: 'ntfs3' }), context('linux')))).toEqual([]);
    expect(codes(planOne(entry(POSIX_STYLE, LINK, TO), moving(longest(255, 255, 255, 255), { fsType: 'ext4' }), context('linux')))).toEqual([]);
  });

  it("E_PATH_TOO_LONG: the deepest path, under the copy's staging name, past Linux's 4095 bytes", () => {
    const fits = 4095 - TO.length - 1 - '.relocate-partial-20261122T023148Z-1a2b-99999'.length;
    expect(codes(planOne(entry(POSIX_STYLE, LINK, TO), moving(longest(10, 10, fits, fits)), context('linux')))).toEqual([]);
    const p = planOne(entry(POSIX_STYLE, LINK, TO), moving(longest(10, 10, fits + 1, fits + 1)), context('linux'));
    expect(codes(p)).toEqual(['E_PATH_TOO_LONG']);
    expect(p.findings[0]!.message).toContain(`${TO}/deep/x would be ${TO.length + 1 + fits + 1} bytes long`);
    expect(p.findings[0]!.message).toContain('Linux takes paths of at most 4095 bytes');
  });

  it('Windows: a reserved name is refused moving to another drive; paths are counted in UTF-16 units up to 32,767', () => {
    const W = 'C:\\Docs';
    const names: TreeNames = {
      windowsUnfit: { count: 1, first: [`${W}\\aux.h`] },
      longest: {
        nameBytes: { path: `${W}\\x`, n: 600 },
        nameUnits: { path: `${W}\\x`, n: 200 },
        relBytes: { path: `${W}\\x`, n: 40_000 },
        relUnits: { path: `${W}\\x`, n: 20_000 },
      },
    };
    const o = pair(WIN_STYLE, obs.dir(W, vol('C')), obs.absent('D:\\Docs', vol('D', { fsType: 'NTFS' })), { linkTree: tree(1, 1, { names }) });
    const p = planOne(entry(WIN_STYLE, W, 'D:\\Docs'), o, context('win32'));
    expect(codes(p)).toEqual(['E_NAME_UNFIT']);
    expect(p.findings[0]!.message).toContain("Windows takes Windows' rules");
  });

  it("a restore checks the names of the target tree against the link's volume", () => {
    const o = pair(POSIX_STYLE, obs.symlink(LINK, TO, 'dir', vol('home', { fsType: 'vfat' })), obs.dir(TO, vol('big')), {
      targetTree: tree(1, 1, { names: { windowsUnfit: { count: 1, first: [`${TO}/a:b`] } } }),
    });
    const p = planOne(entry(POSIX_STYLE, LINK, TO, { state: 'absent' }), o, context('linux'));
    expect(p.action).toBe('restore');
    expect(codes(p)).toEqual(['E_NAME_UNFIT']);
  });
});
