import { describe, expect, it } from 'vitest';
import type { PathStyle } from '../../src/core/paths.js';
import type { Action, Finding, Plan, PlannedEntry } from '../../src/plan/types.js';
import { palette } from '../../src/render/color.js';
import { COMPARISON_LINES, groupDigits, renderPlan } from '../../src/render/plan-text.js';
import type { FlatEntry } from '../helpers/flat-entry.js';
import { hasMove } from '../../src/plan/actions.js';

const WIN: PathStyle = { flavour: 'win32', caseInsensitive: true };
const POSIX: PathStyle = { flavour: 'posix', caseInsensitive: false };
const GiB = 1024 ** 3;
const ESC = '\u001b';

/** A planned entry with Windows defaults; `over` sets what the test is about. */
function entry(action: Action, over: Partial<FlatEntry> = {}): PlannedEntry {
  return {
    order: 0,
    index: 0,
    link: 'C:\\Games',
    target: 'D:\\Games',
    type: 'junction',
    declaredType: 'auto',
    state: 'present',
    conflictStrategy: 'fail',
    retargetMode: 'move',
    action,
    reason: `because ${action}`,
    findings: [],
    style: WIN,
    source: { file: 'relocate.yaml', line: 3, col: 5 },
    ...over,
  } as PlannedEntry;
}

/** A plan over the entries (order = position), with summary and blocked computed as the planner does. */
function plan(entries: PlannedEntry[], findings: Finding[] = []): Plan {
  const es = entries.map((e, i) => ({ ...e, order: i, index: i }));
  const all = [...es.flatMap((e) => e.findings), ...findings];
  const actions: Partial<Record<Action, number>> = {};
  for (const e of es) actions[e.action] = (actions[e.action] ?? 0) + 1;
  const conflicts = es.filter((e) => e.action === 'conflict').length;
  const errors = all.filter((f) => f.severity === 'error').length;
  const moved = es.filter(hasMove).filter((e) => e.action !== 'backup');
  return {
    formatVersion: 1,
    manifest: { path: 'C:\\cfg\\relocate.yaml', hash: 'abc' },
    os: 'win32',
    toolVersion: '0.1.0',
    entries: es,
    findings,
    summary: {
      actions,
      bytesToMove: moved.reduce((s, e) => s + e.move.bytes, 0),
      bytesAcrossVolumes: moved.filter((e) => e.move.crossVolume).reduce((s, e) => s + e.move.bytes, 0),
      conflicts,
      errors,
      warnings: all.length - errors,
    },
    blocked: conflicts > 0 || errors > 0,
    fingerprint: 'f00d',
  };
}

const move = (bytes: number, files: number, crossVolume = true, over: Partial<FlatEntry> = {}) =>
  entry('move', { move: { from: 'C:\\Games', to: 'D:\\Games', crossVolume, bytes, files }, ...over });

const off = palette(false);
const on = palette(true);
const render = (p: Plan, verbose = false, color = off) => renderPlan(p, { color, verbose, manifestLabel: 'relocate.yaml' });
const lines = (s: string) => s.split('\n');

describe('renderPlan: one line per entry', () => {
  it('a cross-volume move shows size, file count and "across volumes"', () => {
    const out = render(plan([move(Math.round(12.4 * GiB), 3201)]));
    expect(lines(out)[0]).toBe('> move     C:\\Games → D:\\Games  (junction) 12.4 GiB in 3,201 files, across volumes');
  });

  it('a same-volume move says so, and one file is singular', () => {
    const out = render(plan([move(512, 1, false)]));
    expect(lines(out)[0]).toBe('> move     C:\\Games → D:\\Games  (junction) 512 B in 1 file, same volume');
  });

  it.each([
    ['link', '+ link     C:\\Games → D:\\Games  (junction)'],
    ['create', '+ create   C:\\Games → D:\\Games  (junction)'],
    ['remove', '- remove   C:\\Games → D:\\Games  (junction)'],
    ['conflict', '! conflict C:\\Games → D:\\Games  (junction)'],
  ] as const)('%s has its symbol and word', (action, line) => {
    expect(lines(render(plan([entry(action)])))[0]).toBe(line);
  });

  it('restore, merge and backup use ">" with the data they move', () => {
    const m = { from: 'D:\\Games', to: 'C:\\Games', crossVolume: true, bytes: 1.5 * GiB, files: 2 };
    expect(lines(render(plan([entry('restore', { move: m })])))[0]).toBe('> restore  C:\\Games → D:\\Games  (junction) 1.5 GiB in 2 files, across volumes');
    expect(lines(render(plan([entry('merge', { move: { ...m, crossVolume: false } })])))[0]).toBe(
      '> merge    C:\\Games → D:\\Games  (junction) 1.5 GiB in 2 files, same volume',
    );
    expect(lines(render(plan([entry('backup', { move: { ...m, crossVolume: false } })])))[0]).toMatch(
      /^> backup {3}C:\\Games → D:\\Games {2}\(junction\) 1\.5 GiB/,
    );
  });

  it('a relink shows the old target', () => {
    const out = render(plan([entry('relink', { target: 'E:\\Games', oldTarget: 'D:\\Old' })]));
    expect(lines(out)[0]).toBe('~ relink   C:\\Games → E:\\Games  (junction) was → D:\\Old');
  });

  it('the resolved link type is shown, not the declared one', () => {
    const out = render(plan([entry('link', { type: 'symlink', declaredType: 'auto', link: '/home/ann/.vimrc', target: '/dots/vimrc', style: POSIX })]));
    expect(lines(out)[0]).toBe('+ link     /home/ann/.vimrc → /dots/vimrc  (symlink)');
  });

  it('the reason is on the next line, indented, for every change', () => {
    for (const a of ['link', 'create', 'relink', 'remove', 'conflict'] as const) {
      expect(lines(render(plan([entry(a, { reason: `why ${a}` })])))[1]).toBe(`    why ${a}`);
    }
  });

  it('keeps Windows paths with backslashes exactly as planned', () => {
    const out = render(plan([entry('link', { link: 'C:\\Users\\Ann\\AppData\\Local\\npm-cache', target: 'D:\\Fast\\npm-cache' })]));
    expect(out).toContain('C:\\Users\\Ann\\AppData\\Local\\npm-cache → D:\\Fast\\npm-cache');
    expect(out).not.toContain('/');
  });

  it('entries appear in execution order', () => {
    const p = plan([entry('link', { link: 'C:\\A' }), entry('link', { link: 'C:\\B' })]);
    p.entries[0]!.order = 1;
    p.entries[1]!.order = 0;
    const out = render(p);
    expect(out.indexOf('C:\\B')).toBeLessThan(out.indexOf('C:\\A'));
  });
});

describe('renderPlan: verbose', () => {
  const p = plan([
    entry('link', { link: 'C:\\New' }),
    entry('none', { link: 'C:\\Synced', reason: 'C:\\Synced is already a junction to D:\\Games' }),
    entry('skip', { link: '~/.config/nvim', target: './nvim', reason: 'only on linux, darwin', style: POSIX }),
  ]);

  it('hides in-sync and skipped entries by default', () => {
    const out = render(p);
    expect(out).not.toContain('C:\\Synced');
    expect(out).not.toContain('nvim');
    expect(out).toContain('+ link     C:\\New');
  });

  it('shows them with "=" and "·", with their reasons, when verbose', () => {
    const ls = lines(render(p, true));
    const i = ls.indexOf('= none     C:\\Synced → D:\\Games  (junction)');
    expect(i).toBeGreaterThan(-1);
    expect(ls[i + 1]).toBe('    C:\\Synced is already a junction to D:\\Games');
    const j = ls.indexOf('· skip     ~/.config/nvim → ./nvim');
    expect(j).toBeGreaterThan(-1);
    expect(ls[j + 1]).toBe('    only on linux, darwin');
  });

  it('in-sync and skipped entries are dim when colour is on', () => {
    const out = render(p, true, on);
    expect(out).toContain(`${ESC}[2m= none     C:\\Synced`);
    expect(out).toContain(`${ESC}[2m· skip     ~/.config/nvim`);
  });

  it('an in-sync entry with a warning is shown even without verbose, without its reason', () => {
    const w: Finding = {
      severity: 'warning',
      code: 'W_TARGET_MISSING',
      path: 'D:\\Games',
      message: 'C:\\Games points to D:\\Games, which does not exist',
      hint: 'restore the target folder',
    };
    const out = render(plan([entry('none', { findings: [w], reason: 'in sync reason' })]));
    expect(out).toContain('= none     C:\\Games → D:\\Games  (junction)');
    expect(out).toContain('    warning W_TARGET_MISSING: C:\\Games points to D:\\Games, which does not exist');
    expect(out).not.toContain('in sync reason');
  });
});

describe('renderPlan: findings', () => {
  const err: Finding = {
    severity: 'error',
    code: 'E_PROTECTED',
    path: 'C:\\Windows',
    message: 'C:\\Windows is protected: the Windows folder',
    hint: 'add `force: true`',
  };
  const warn: Finding = { severity: 'warning', code: 'W_NETWORK', path: '\\\\nas\\share\\Games', message: 'the copy will be slow' };
  const global: Finding = {
    severity: 'error',
    code: 'E_NO_SPACE',
    path: 'D:\\Games',
    message: 'not enough free space for D:\\Games: 12.4 GiB to copy, 1.0 GiB free',
    hint: 'free space on the destination drive',
  };

  it('lists entry findings under their entry with code and hint, and global ones at the end', () => {
    const p = plan([entry('link', { link: 'C:\\Windows', findings: [err, warn] }), entry('link', { link: 'C:\\Other' })], [global]);
    const ls = lines(render(p));
    expect(ls.slice(0, 5)).toEqual([
      '+ link     C:\\Windows → D:\\Games  (junction)',
      '    because link',
      '    error E_PROTECTED: C:\\Windows is protected: the Windows folder',
      '      hint: add `force: true`',
      '    warning W_NETWORK: the copy will be slow (\\\\nas\\share\\Games)',
    ]);
    const g = ls.indexOf('error E_NO_SPACE: not enough free space for D:\\Games: 12.4 GiB to copy, 1.0 GiB free');
    expect(g).toBeGreaterThan(ls.indexOf('+ link     C:\\Other → D:\\Games  (junction)'));
    expect(ls[g + 1]).toBe('  hint: free space on the destination drive');
    expect(ls[ls.length - 2]).toBe('Plan: 2 links. 2 errors, 1 warning.');
  });

  it('colours errors red and warnings yellow', () => {
    const out = render(plan([entry('link', { findings: [err, warn] })]), false, on);
    expect(out).toContain(`${ESC}[31merror E_PROTECTED${ESC}[39m`);
    expect(out).toContain(`${ESC}[33mwarning W_NETWORK${ESC}[39m`);
  });
});

describe('renderPlan: summary line', () => {
  it('counts a mix, with moved bytes, link and create together as links', () => {
    const p = plan([
      move(Math.round(12.4 * GiB), 3201),
      entry('link'),
      entry('link'),
      entry('create'),
      entry('relink', { oldTarget: 'X:\\' }),
      entry('conflict'),
      entry('none'),
      entry('skip'),
    ]);
    const ls = lines(render(p));
    expect(ls[ls.length - 2]).toBe('Plan: 1 move (12.4 GiB), 3 links, 1 relink. 1 conflict.');
    expect(ls[ls.length - 1]).toBe('Apply is refused until the conflict is resolved.');
  });

  it('sums moves and restores and names every other action', () => {
    const m = (bytes: number, a: Action = 'move') => entry(a, { move: { from: 'a', to: 'b', crossVolume: false, bytes, files: 1 } });
    const p = plan([m(GiB), m(2 * GiB), m(512, 'restore'), m(10, 'merge'), m(10, 'backup'), m(10, 'backup'), entry('remove')]);
    const ls = lines(render(p));
    expect(ls[ls.length - 1]).toBe('Plan: 2 moves (3.0 GiB), 1 merge, 2 backups, 1 restore (512 B), 1 link removal.');
  });

  it('says "No changes" naming the manifest when nothing is to do, and shows nothing else', () => {
    expect(render(plan([entry('none'), entry('skip')]))).toBe('No changes. The disk matches relocate.yaml.');
    expect(renderPlan(plan([]), { color: off, verbose: false, manifestLabel: 'links.yaml' })).toBe('No changes. The disk matches links.yaml.');
  });

  it('"No changes" still counts warnings', () => {
    const w: Finding = { severity: 'warning', code: 'W_TARGET_MISSING', message: 'broken' };
    const ls = lines(render(plan([entry('none', { findings: [w] })])));
    expect(ls[ls.length - 1]).toBe('No changes. The disk matches relocate.yaml. 1 warning.');
  });

  it('a plan with only conflicts has nothing to change and is refused', () => {
    const ls = lines(render(plan([entry('conflict'), entry('conflict')])));
    expect(ls.slice(-2)).toEqual(['Plan: nothing to change. 2 conflicts.', 'Apply is refused until the 2 conflicts are resolved.']);
  });

  it('errors alone block apply, and conflicts with errors are named together', () => {
    const e: Finding = { severity: 'error', code: 'E_NO_SPACE', message: 'full' };
    expect(lines(render(plan([entry('link')], [e]))).slice(-2)).toEqual(['Plan: 1 link. 1 error.', 'Apply is refused until the error is fixed.']);
    expect(lines(render(plan([entry('conflict'), entry('conflict')], [e]))).at(-1)).toBe('Apply is refused until the 2 conflicts and the error are resolved.');
  });

  it('no refusal line when nothing blocks', () => {
    const out = render(plan([entry('link')]));
    expect(out).not.toContain('refused');
    expect(lines(out).at(-1)).toBe('Plan: 1 link.');
  });
});

describe('renderPlan: colour', () => {
  const every = plan(
    [
      move(GiB, 10),
      entry('link'),
      entry('create'),
      entry('relink', { oldTarget: 'Q:\\' }),
      entry('remove'),
      entry('restore', { move: { from: 'D:\\Games', to: 'C:\\Games', crossVolume: true, bytes: 1, files: 1 } }),
      entry('merge', {
        move: { from: 'C:\\Games', to: 'D:\\Games', crossVolume: false, bytes: 1, files: 1 },
        comparison: { onlyAtLink: ['a'], onlyAtTarget: [], differ: [], identical: ['b'] },
      }),
      entry('conflict', {
        comparison: { onlyAtLink: ['a'], onlyAtTarget: ['b'], differ: ['c'], identical: ['d'], truncated: true },
        findings: [
          { severity: 'error', code: 'E_CONFLICT', message: 'm', hint: 'h' },
          { severity: 'warning', code: 'W_NETWORK', message: 'w' },
        ],
      }),
      entry('none'),
      entry('skip'),
    ],
    [{ severity: 'error', code: 'E_NO_SPACE', message: 'full', hint: 'free some' }],
  );

  it('uses ANSI colour when the palette is on, per action', () => {
    const out = render(every, true, on);
    expect(out).toContain(ESC + '[');
    expect(out).toContain(`${ESC}[32m+ link    ${ESC}[39m`);
    expect(out).toContain(`${ESC}[36m> move    ${ESC}[39m`);
    expect(out).toContain(`${ESC}[33m~ relink  ${ESC}[39m`);
    expect(out).toContain(`${ESC}[31m- remove  ${ESC}[39m`);
    expect(out).toContain(`${ESC}[1m${ESC}[31m! conflict${ESC}[39m${ESC}[22m`);
  });

  it('contains no escape at all when the palette is off, even with everything shown', () => {
    const out = render(every, true, off);
    expect(out).not.toContain(ESC);
    // and it really rendered everything
    for (const s of ['+ link', '> move', '~ relink', '- remove', '> restore', '> merge', '! conflict', '= none', '· skip', 'What differs', 'E_NO_SPACE']) {
      expect(out).toContain(s);
    }
  });
});

describe('renderPlan: conflict comparison', () => {
  const cmp = (over: Partial<import('../../src/state/types.js').TreeComparison> = {}) => ({
    onlyAtLink: ['saves/slot1.sav', 'a.txt'],
    onlyAtTarget: ['config.ini'],
    differ: ['game.exe'],
    identical: ['data/x.pak', 'data/y.pak'],
    ...over,
  });

  it('lists only-at-link (-), only-at-target (+) and differing (~) names, sides named, in name order', () => {
    const ls = lines(render(plan([entry('conflict', { link: 'C:\\Saves', target: 'D:\\Saves', comparison: cmp() })])));
    const i = ls.findIndex((l) => l.startsWith('    What differs'));
    expect(ls[i]).toBe('    What differs (- only at the link C:\\Saves, + only at the target D:\\Saves, ~ on both sides with different content):');
    expect(ls.slice(i + 1, i + 6)).toEqual([
      '      - a.txt',
      '      + config.ini',
      '      ~ game.exe',
      '      - saves\\slot1.sav',
      '      2 identical files not listed',
    ]);
  });

  it('keeps forward slashes for a POSIX entry', () => {
    const out = render(plan([entry('conflict', { link: '/home/a/g', target: '/mnt/g', style: POSIX, comparison: cmp() })]));
    expect(out).toContain('      - saves/slot1.sav');
  });

  it('a name that differs is marked ~ only, never also - or +', () => {
    const out = render(plan([entry('conflict', { comparison: cmp({ onlyAtLink: [], onlyAtTarget: [], differ: ['a', 'b'], identical: [] }) })]));
    expect(out).toContain('      ~ a\n      ~ b');
    expect(out).not.toMatch(/^ {6}[-+] /m);
  });

  it(`caps the list at ${COMPARISON_LINES} names with "… and N more"`, () => {
    const many = Array.from({ length: 30 }, (_, i) => `f${String(i).padStart(2, '0')}.dat`);
    const ls = lines(render(plan([entry('conflict', { comparison: cmp({ onlyAtLink: many, onlyAtTarget: [], differ: [], identical: [] }) })])));
    const listed = ls.filter((l) => /^ {6}- f\d\d\.dat$/.test(l));
    expect(listed).toHaveLength(20);
    expect(listed[0]).toBe('      - f00.dat');
    expect(listed[19]).toBe('      - f19.dat');
    expect(ls).toContain('      … and 10 more');
  });

  it('two large, wholly different folders render quickly (only the shown names are diffed)', () => {
    const a = Array.from({ length: 20000 }, (_, i) => `a${String(i).padStart(5, '0')}`);
    const b = Array.from({ length: 20000 }, (_, i) => `b${String(i).padStart(5, '0')}`);
    const started = performance.now();
    const ls = lines(
      render(
        plan([entry('conflict', { comparison: cmp({ onlyAtLink: a.filter((n) => n !== 'a00003'), onlyAtTarget: b, differ: ['a00003'], identical: [] }) })]),
      ),
    );
    expect(performance.now() - started).toBeLessThan(2000);
    expect(ls).toContain('      - a00000');
    expect(ls).toContain('      ~ a00003');
    expect(ls).toContain('      - a00019');
    expect(ls).not.toContain('      - a00020');
    expect(ls).toContain('      … and 39,980 more');
  });

  it('says the comparison stopped early when it was truncated', () => {
    const many = Array.from({ length: 25 }, (_, i) => `f${String(i).padStart(2, '0')}`);
    const out = render(plan([entry('conflict', { comparison: cmp({ onlyAtLink: [], onlyAtTarget: many, differ: [], identical: [], truncated: true }) })]));
    expect(out).toContain('      … and at least 5 more (the comparison stopped early)');
    const few = render(plan([entry('conflict', { comparison: cmp({ truncated: true }) })]));
    expect(few).toContain('      … and more (the comparison stopped early)');
  });

  it('says when both sides hold the same files', () => {
    const out = render(plan([entry('conflict', { comparison: { onlyAtLink: [], onlyAtTarget: [], differ: [], identical: ['a', 'b', 'c'] } })]));
    expect(out).toContain('    Both sides hold the same 3 files.');
    expect(out).not.toContain('What differs');
  });

  it('a conflict without a comparison shows no list; a merge shows it only when verbose', () => {
    expect(render(plan([entry('conflict')]))).not.toContain('What differs');
    const merge = plan([entry('merge', { move: { from: 'a', to: 'b', crossVolume: false, bytes: 1, files: 1 }, comparison: cmp({ differ: [] }) })]);
    expect(render(merge)).not.toContain('What differs');
    expect(render(merge, true)).toContain('      - a.txt');
  });
});

describe('groupDigits', () => {
  it('groups thousands with commas', () => {
    expect(groupDigits(0)).toBe('0');
    expect(groupDigits(999)).toBe('999');
    expect(groupDigits(3201)).toBe('3,201');
    expect(groupDigits(1234567)).toBe('1,234,567');
  });
});
