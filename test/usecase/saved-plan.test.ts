/**
 * A saved plan is applied only as it was made (src/usecase/saved-plan.ts):
 * by the version that made it, from a file that is one, on a disk that did
 * not change since, with the space its moves need. Pure: the file and the
 * disk are ports.
 */
import { describe, expect, it } from 'vitest';
import { makePlan } from '../../src/plan/planner.js';
import type { Plan, PlannedEntry } from '../../src/plan/types.js';
import { observeEntries } from '../../src/state/observe.js';
import { assertFresh, entriesOf, isSavedPlan, readSavedPlan } from '../../src/usecase/saved-plan.js';
import { POSIX_STYLE, context, entry, obs, vol } from '../helpers/plan-fixtures.js';
import { fakeDisk } from './fake-disk.js';
import { errorOf } from '../helpers/relocate-error.js';

const LINK = '/home/u/games';
const TARGET = '/mnt/big/games';

/** A cross-volume move of 10 bytes planned against the fake disk, and that disk. */
async function plannedMove(): Promise<{ plan: Plan; disk: ReturnType<typeof fakeDisk> }> {
  const disk = fakeDisk([obs.dir(LINK, vol('root')), obs.absent(TARGET, vol('big')), obs.dir('/mnt/big', vol('big'))]);
  const entries = [entry(POSIX_STYLE, LINK, TARGET)];
  const plan = makePlan(entries, await observeEntries(entries, disk.reader), context('linux'));
  return { plan, disk };
}

const files = (byName: Record<string, string>) => async (file: string) => {
  const text = byName[file];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${file}'`), { code: 'ENOENT' });
  return text;
};

describe('isSavedPlan', () => {
  it('a .json name is a plan without reading it; a manifest is not; a JSON head naming formatVersion is', async () => {
    const read = files({ '/m/relocate.yaml': 'links:\n  - link: a\n', '/m/plan.out': '  {\n  "formatVersion": 1, "plan": {}' });
    expect(await isSavedPlan('/m/PLAN.JSON', read)).toBe(true);
    expect(await isSavedPlan('/m/relocate.yaml', read)).toBe(false);
    expect(await isSavedPlan('/m/plan.out', read)).toBe(true);
    expect(await isSavedPlan('/m/missing.yaml', read)).toBe(false);
  });
});

describe('readSavedPlan', () => {
  it('reads back the plan `plan --out` saved, from this version', async () => {
    const { plan } = await plannedMove();
    const read = files({ '/p.json': JSON.stringify({ formatVersion: 1, plan }) });
    expect(await readSavedPlan('/p.json', { readText: read, toolVersion: plan.toolVersion })).toEqual(plan);
  });

  it('refuses a plan another version saved (E_BAD_PLAN), naming both versions and how to make it again', async () => {
    const { plan } = await plannedMove();
    const read = files({ '/dir/p.json': JSON.stringify({ formatVersion: 1, plan: { ...plan, toolVersion: '0.0.9' } }) });
    const err = await errorOf(readSavedPlan('/dir/p.json', { readText: read, toolVersion: '0.1.0' }));
    expect(err.code).toBe('E_BAD_PLAN');
    expect(err.message).toBe(
      '/dir/p.json was saved by relocate 0.0.9, and this is relocate 0.1.0: a saved plan is applied only by the version that made it; nothing was changed',
    );
    expect(err.hint).toBe('make the plan again with this version (`relocate plan MANIFEST --out p.json`), or apply it with relocate 0.0.9');
  });

  it.each([
    ['not JSON', 'links: []'],
    ['no plan member', '{"formatVersion": 1}'],
    ['a plan missing its fields', '{"plan": {"toolVersion": "0.1.0"}}'],
  ])('refuses a file that is not a saved plan (%s) with E_BAD_PLAN and how to save one', async (_what, text) => {
    const err = await errorOf(readSavedPlan('/p.json', { readText: files({ '/p.json': text }), toolVersion: '0.1.0' }));
    expect(err.code).toBe('E_BAD_PLAN');
    expect(err.message).toMatch(/^\/p\.json is not a plan saved by `relocate plan --out` \(.+\); nothing was changed$/);
    expect(err.hint).toBe('save one with `relocate plan MANIFEST --out plan.json`');
  });

  it('a missing file is E_NOT_FOUND (not "not a plan"), and one that cannot be read E_READ with the error', async () => {
    const err = await errorOf(readSavedPlan('/gone.json', { readText: files({}), toolVersion: '0.1.0' }));
    expect(err.code).toBe('E_NOT_FOUND');
    expect(err.message).toBe('no saved plan at /gone.json; nothing was changed');
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const err2 = await errorOf(readSavedPlan('/locked.json', { readText: () => Promise.reject(denied), toolVersion: '0.1.0' }));
    expect(err2.code).toBe('E_READ');
    expect(err2.message).toContain('EACCES');
  });
});

describe('entriesOf', () => {
  it('rebuilds the desired entries a plan was made from, skipped ones left out', async () => {
    const { plan } = await plannedMove();
    const skipped: Plan = { ...plan, entries: [...plan.entries, { ...plan.entries[0]!, index: 1, action: 'skip' } as PlannedEntry] };
    expect(entriesOf(skipped)).toEqual([entry(POSIX_STYLE, LINK, TARGET)]);
  });
});

describe('assertFresh', () => {
  it('passes on the disk the plan saw', async () => {
    const { plan, disk } = await plannedMove();
    expect(plan.entries[0]!.action).toBe('move');
    await expect(assertFresh(plan, 'the plan', disk.reader)).resolves.toBeUndefined();
  });

  it('refuses with E_STALE_PLAN when a path changed since (a folder created at the target)', async () => {
    const { plan, disk } = await plannedMove();
    disk.paths.set(TARGET, obs.dir(TARGET, vol('big')));
    const err = await errorOf(assertFresh(plan, 'the saved plan p.json', disk.reader));
    expect(err.code).toBe('E_STALE_PLAN');
    expect(err.message).toBe('the disk changed since the saved plan p.json was made; nothing was changed');
    expect(err.path).toBe(plan.manifest.path);
    expect(err.hint).toBe('run `relocate plan` again to see the current state, then apply');
  });

  it('refuses with E_NO_SPACE when the destination filled up since (free space is not in the fingerprint)', async () => {
    const { plan, disk } = await plannedMove();
    disk.paths.set(TARGET, obs.absent(TARGET, vol('big', { freeBytes: 1 })));
    const err = await errorOf(assertFresh(plan, 'the plan', disk.reader));
    expect(err.code).toBe('E_NO_SPACE');
    expect(err.message).toMatch(/; nothing was changed$/);
  });
});
