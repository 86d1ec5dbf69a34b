/**
 * Issue 14: how the observer sees a retarget's old target, on a real disk
 * (src/state/observe.ts observeOldTarget). It is observed on its own, never
 * through the link; measured like a move's source only when its data would
 * move; and not at all with `retarget: relink` or a link to the target.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { styleForOs } from '../../src/core/paths.js';
import type { DesiredEntry } from '../../src/manifest/types.js';
import { NodeDiskReader } from '../../src/platform/node-reader.js';
import { makePlan } from '../../src/plan/planner.js';
import { observeEntry } from '../../src/state/observe.js';
import { context } from '../helpers/plan-fixtures.js';
import { mountTmpfs, tmpfsReason, type TmpfsMount } from '../helpers/tmpfs.js';
import { flatObs } from '../helpers/flat-observation.js';

const POSIX = styleForOs('linux');
const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/state/observe-retarget: the cross-volume case is skipped: ${NO_TMPFS}`);
const ON_WINDOWS = process.platform === 'win32';

let root = '';
let n = 0;
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

/** A fresh case folder: `old/Games` holding `files` files (a folder of none when 0, nothing when undefined), and a link to it. */
function applied(files: number | undefined, linkText?: string): { dir: string; link: string; old: string } {
  const dir = at(`case${n++}`);
  const old = path.join(dir, 'old', 'Games');
  mkdirSync(path.join(dir, 'home'), { recursive: true });
  if (files !== undefined) {
    mkdirSync(old, { recursive: true });
    for (let i = 0; i < files; i++) writeFileSync(path.join(old, `f${i}.dat`), `data ${i}`);
  }
  const link = path.join(dir, 'home', 'Games');
  symlinkSync(linkText ?? old, link);
  return { dir, link, old };
}

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'relocate-observe-retarget-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(ON_WINDOWS)("observing a retarget's old target", () => {
  const reader = new NodeDiskReader();

  it("data there and nothing at the target: observed and measured like a move's source; a relative link text resolves against the link's folder", async () => {
    const { dir, link, old } = applied(3, '../old/Games');
    const o = await observeEntry(entry(link, path.join(dir, 'new', 'Games')), reader);
    expect(o?.oldTarget).toMatchObject({ path: old, kind: 'dir', empty: false });
    expect(o?.oldTargetTree).toMatchObject({ files: 3, bytes: 18 });
    expect(o?.target.kind).toBe('absent');
    expect(o).not.toHaveProperty('linkTree');
  });

  it('for apply, a same-volume retarget is one rename: not walked (sizesSkipped), like a move', async () => {
    const { dir, link } = applied(2);
    const o = await observeEntry(entry(link, path.join(dir, 'new', 'Games')), reader, { measureRenames: false });
    expect(flatObs(o!.oldTarget!).empty).toBe(false);
    expect(o).not.toHaveProperty('oldTargetTree');
    expect(o?.sizesSkipped).toBe(true);
  });

  it('an empty folder there: told empty, nothing measured', async () => {
    const { dir, link } = applied(0);
    const o = await observeEntry(entry(link, path.join(dir, 'new', 'Games')), reader);
    expect(o?.oldTarget).toMatchObject({ kind: 'dir', empty: true });
    expect(o).not.toHaveProperty('oldTargetTree');
  });

  it('nothing there (a broken link): absent', async () => {
    const { dir, link } = applied(undefined);
    const o = await observeEntry(entry(link, path.join(dir, 'new', 'Games')), reader);
    expect(o?.oldTarget?.kind).toBe('absent');
  });

  it('the old target itself a link: observed as a link, never followed nor walked', async () => {
    const { dir, link, old } = applied(2);
    const hop = path.join(dir, 'hop');
    symlinkSync(old, hop);
    rmSync(link);
    symlinkSync(hop, link);
    const o = await observeEntry(entry(link, path.join(dir, 'new', 'Games')), reader);
    expect(o?.oldTarget).toMatchObject({ path: hop, kind: 'symlink' });
    expect(o?.oldTarget).not.toHaveProperty('empty');
    expect(o).not.toHaveProperty('oldTargetTree');
  });

  it('data there and a folder at the target: whether the target folder is empty is told; nothing measured', async () => {
    const { dir, link } = applied(1);
    const target = path.join(dir, 'new', 'Games');
    mkdirSync(target, { recursive: true });
    const empty = await observeEntry(entry(link, target), reader);
    expect(flatObs(empty!.target).empty).toBe(true);
    expect(empty).not.toHaveProperty('oldTargetTree');
    writeFileSync(path.join(target, 'x'), 'x');
    expect(flatObs((await observeEntry(entry(link, target), reader))!.target).empty).toBe(false);
  });

  it('`retarget: relink`, a link to the target itself, and `state: absent`: the old target is not observed', async () => {
    const { dir, link, old } = applied(2);
    const target = path.join(dir, 'new', 'Games');
    expect(await observeEntry(entry(link, target, { retarget: 'relink' }), reader)).not.toHaveProperty('oldTarget');
    expect(await observeEntry(entry(link, old), reader)).not.toHaveProperty('oldTarget');
    expect(await observeEntry(entry(link, target, { state: 'absent' }), reader)).not.toHaveProperty('oldTarget');
  });

  describe.skipIf(NO_TMPFS)('mounts and volumes', () => {
    const mounts: TmpfsMount[] = [];
    afterAll(() => {
      for (const m of mounts.reverse()) m.unmount();
    });
    it("a volume mounted inside the old target, or at it: told before any walk, as for a move's source (the plan refuses both)", async () => {
      const inside = applied(1);
      const m = mountTmpfs(1, 'retarget-inside');
      mounts.push(m);
      mkdirSync(path.join(inside.old, 'disk'));
      execFileSync('mount', ['--bind', m.dir, path.join(inside.old, 'disk')]);
      try {
        // A fresh reader: one reads the mount table once, and this mount is newer than the other tests' reader.
        const o = await observeEntry(entry(inside.link, path.join(inside.dir, 'new', 'Games')), new NodeDiskReader());
        expect(flatObs(o!.oldTarget!).mountsBelow?.map((x) => x.path)).toEqual([path.join(inside.old, 'disk')]);
        const plan = makePlan([entry(inside.link, path.join(inside.dir, 'new', 'Games'))], [o], context('linux'));
        expect(plan.entries[0]!.findings.map((f) => f.code)).toEqual(['E_MOUNT_INSIDE']);
      } finally {
        execFileSync('umount', [path.join(inside.old, 'disk')]);
      }
      const at = mountTmpfs(1, 'retarget-at');
      mounts.push(at);
      writeFileSync(path.join(at.dir, 'x'), 'x');
      const dir = at.dir;
      const link = path.join(root, `case${n++}-link`);
      symlinkSync(dir, link);
      const o = await observeEntry(entry(link, path.join(root, `case${n++}-new`)), new NodeDiskReader());
      expect(flatObs(o!.oldTarget!).mountPoint?.path).toBe(dir);
      expect(o).not.toHaveProperty('oldTargetTree');
    });

    let vol: TmpfsMount | undefined;
    afterAll(() => vol?.unmount());
    it('a cross-volume retarget is measured even for apply', async () => {
      vol = mountTmpfs(4, 'observe-retarget');
      const { link } = applied(2);
      const o = await observeEntry(entry(link, path.join(vol.dir, 'Games')), reader, { measureRenames: false });
      expect(o?.oldTargetTree).toMatchObject({ files: 2 });
      expect(o).not.toHaveProperty('sizesSkipped');
    });
  });
});
