/**
 * `apply` observes with `measureRenames: false`: a same-volume move is one
 * rename and needs no sizes, so its tree is not walked (its time stays
 * constant however many files the folder holds) and the plan says the size
 * was not counted. `plan` (the default) still measures; a cross-volume move
 * is always measured (free space, special files, progress need it).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { styleForOs } from '../../src/core/paths.js';
import type { DesiredEntry } from '../../src/manifest/types.js';
import { makePlan } from '../../src/plan/planner.js';
import { NodeDiskReader } from '../../src/platform/node-reader.js';
import { renderPlan } from '../../src/render/plan-text.js';
import { palette } from '../../src/render/color.js';
import { observeEntries, observeEntry } from '../../src/state/observe.js';
import { mountTmpfs, tmpfsReason, type TmpfsMount } from '../helpers/tmpfs.js';
import { moveOf } from '../../src/plan/actions.js';

const POSIX = styleForOs('linux');
const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/state/observe-renames: the cross-volume case is skipped: ${NO_TMPFS}`);
const ON_WINDOWS = process.platform === 'win32';

let root = '';
const at = (...p: string[]) => path.join(root, ...p);
const entry = (link: string, target: string, extra: Partial<DesiredEntry> = {}): DesiredEntry => ({
  index: 0,
  link,
  target,
  type: 'symlink',
  conflict: 'fail',
  retarget: 'move',
  state: 'present',
  force: false,
  style: POSIX,
  source: { file: at('relocate.yaml'), line: 3, col: 5 },
  applies: true,
  ...extra,
});
function tree(rel: string, files: number): string {
  const d = at(rel);
  mkdirSync(path.join(d, 'sub'), { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(path.join(d, 'sub', `f${i}`), `file ${i}`);
  return d;
}

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'relocate-observe-renames-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(ON_WINDOWS)('observing for apply: same-volume moves are not measured', () => {
  it('a same-volume move: measured by default, not with measureRenames false (marked sizesSkipped)', async () => {
    const link = tree('home/Games', 3);
    const e = entry(link, at('store/Games'));
    mkdirSync(at('store'));
    const measured = await observeEntry(e, new NodeDiskReader());
    expect(measured?.linkTree).toMatchObject({ files: 3 });
    expect(measured).not.toHaveProperty('sizesSkipped');
    const skipped = await observeEntry(e, new NodeDiskReader(), { measureRenames: false });
    expect(skipped).not.toHaveProperty('linkTree');
    expect(skipped?.sizesSkipped).toBe(true);
  });

  it('the plan made from it: a move with measured: false, shown as "size not counted"; the plan made by `plan` has the sizes', async () => {
    const link = tree('home/Music', 2);
    const e = entry(link, at('store/Music'));
    const ctx = {
      os: 'linux' as const,
      home: '/nonexistent-home',
      capabilities: { symlinks: true, junctions: false, hardlinks: true },
      toolVersion: 't',
      manifest: { path: at('relocate.yaml'), hash: 'h' },
    };
    const forApply = makePlan([e], await observeEntries([e], new NodeDiskReader(), { measureRenames: false }), ctx);
    expect(forApply.entries[0]).toMatchObject({ action: 'move', move: { crossVolume: false, measured: false, bytes: 0, files: 0 } });
    const text = renderPlan(forApply, { color: palette(false), verbose: false, manifestLabel: 'relocate.yaml' });
    expect(text).toContain('same volume (one rename; size not counted)');
    expect(text).toContain('Plan: 1 move.');
    const forPlan = makePlan([e], await observeEntries([e], new NodeDiskReader()), ctx);
    expect(moveOf(forPlan.entries[0]!)).toEqual({ from: link, to: at('store/Music'), crossVolume: false, bytes: 12, files: 2 });
  });

  it('a restore (state: absent) on one volume is not measured either; a conflict still is', async () => {
    const target = tree('store/Docs', 1);
    const restore = await observeEntry(entry(at('home/Docs'), target, { state: 'absent' }), new NodeDiskReader(), { measureRenames: false });
    expect(restore).not.toHaveProperty('targetTree');
    expect(restore?.sizesSkipped).toBe(true);
    const l = tree('home/Both', 1);
    const t = tree('store/Both', 1);
    const conflict = await observeEntry(entry(l, t), new NodeDiskReader(), { measureRenames: false });
    expect(conflict?.linkTree).toMatchObject({ files: 1 });
    expect(conflict).toHaveProperty('comparison');
  });

  describe.skipIf(NO_TMPFS)('across volumes', () => {
    let vol: TmpfsMount | undefined;
    afterAll(() => vol?.unmount());
    it('a cross-volume move is measured even with measureRenames false', async () => {
      vol = mountTmpfs(4, 'observe-renames');
      const link = tree('home/Photos', 2);
      const o = await observeEntry(entry(link, path.join(vol.dir, 'Photos')), new NodeDiskReader(), { measureRenames: false });
      expect(o?.linkTree).toMatchObject({ files: 2 });
      expect(o).not.toHaveProperty('sizesSkipped');
    });
  });
});
