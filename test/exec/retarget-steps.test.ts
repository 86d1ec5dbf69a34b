/**
 * Issue 14, the steps of a retarget (src/exec/compile.ts retargetSteps):
 * their order as a golden list, and what that order buys on a real disk —
 * the old link is removed while its destination still exists (so the
 * journal knows it led to a folder, which Windows needs to recreate it), the
 * new link is made only once the data is whole at the target, and the run's
 * guard lets the old target (and relocate's names beside it) be touched.
 */
import { mkdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSteps } from '../../src/exec/compile.js';
import { runScope } from '../../src/exec/guard.js';
import { startRun } from '../../src/exec/run-control.js';
import type { Step } from '../../src/exec/steps.js';
import { RunStore } from '../../src/journal/runs.js';
import type { BeginLine } from '../../src/journal/types.js';
import { makePlan } from '../../src/plan/planner.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { POSIX_STYLE, context, entry, obs, pair, tree, vol } from '../helpers/plan-fixtures.js';
import { tmpfsReason, volumePairForFile } from '../helpers/tmpfs.js';
import { planFor } from '../property/harness.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/exec/retarget-steps: the run on a real disk is skipped: ${NO_TMPFS}`);

const OPTS = { runId: 'R', stamp: 'S', verify: 'meta' as const };
const L = '/home/u/Games';
const OLD = '/mnt/old/Games';
const T = '/mnt/new/Games';

function planOf(crossVolume: boolean) {
  const o = pair(POSIX_STYLE, obs.symlink(L, OLD, 'dir', vol('root')), obs.absent(T, vol(crossVolume ? 'new' : 'old')), {
    oldTarget: obs.dir(OLD, vol('old'), { empty: false }),
    oldTargetTree: tree(10, 1),
  });
  return makePlan([entry(POSIX_STYLE, L, T)], [o], context('linux'));
}

const describeStep = (s: Step) => {
  switch (s.op) {
    case 'rename':
      return `rename ${s.from} → ${s.to}`;
    case 'copy':
      return `copy ${s.from} → ${s.to}`;
    case 'verify':
      return `verify ${s.original} = ${s.copy}`;
    case 'unlink':
      return `unlink ${s.path} (→ ${s.target})`;
    case 'link':
    case 'check-link':
      return `${s.op} ${s.path} → ${s.target}`;
    case 'delete':
      return `delete ${s.path} (twin ${s.twin})`;
    case 'mkdirs':
    case 'check-in-use':
      return `${s.op} ${s.path}`;
  }
};

describe('the steps of a retarget', () => {
  it('across volumes: copy, verify, into place; last in-use check; the old link removed right before the original is set aside; the new link; the old copy deleted last', () => {
    const steps = compileSteps(planOf(true), OPTS).map((rs) => describeStep(rs.step));
    const staging = `${T}.relocate-partial-R-0`;
    const aside = `${OLD}.relocate-old-R-0`;
    expect(steps).toEqual([
      'mkdirs /mnt/new',
      `check-in-use ${OLD}`,
      `copy ${OLD} → ${staging}`,
      `verify ${OLD} = ${staging}`,
      `rename ${staging} → ${T}`,
      `check-in-use ${OLD}`,
      `unlink ${L} (→ ${OLD})`,
      `rename ${OLD} → ${aside}`,
      `link ${L} → ${T}`,
      `check-link ${L} → ${T}`,
      `verify ${aside} = ${T}`,
      `delete ${aside} (twin ${T})`,
    ]);
  });

  it('on one volume: the in-use check, the old link removed, one rename, the new link', () => {
    const steps = compileSteps(planOf(false), OPTS).map((rs) => describeStep(rs.step));
    expect(steps).toEqual([
      'mkdirs /mnt/new',
      `check-in-use ${OLD}`,
      `unlink ${L} (→ ${OLD})`,
      `rename ${OLD} → ${T}`,
      `link ${L} → ${T}`,
      `check-link ${L} → ${T}`,
    ]);
  });

  it("the run's guard scope holds the old target, with the entry's tag for its set-aside name", () => {
    const plan = planOf(true);
    const scope = runScope(
      { id: 'R', status: 'running', startedAt: new Date(0).toISOString(), toolVersion: 't', manifest: plan.manifest, verify: 'meta', plan, steps: [] },
      [],
    );
    expect(scope.paths).toEqual([L, T, OLD]);
    expect(scope.tagged).toContainEqual({ path: OLD, tag: 'R-0' });
  });
});

const vols = volumePairForFile('retarget-steps', 8);

describe.skipIf(NO_TMPFS !== undefined)('a retarget run on a real disk (in-process, through the guard)', () => {
  it('journals the old link as a link to a folder, and never links to the target before the data is whole there', async () => {
    const A = vols.volA();
    const B = vols.volB();
    const link = path.join(A, 'Games');
    const old = path.join(A, 'old', 'Games');
    mkdirSync(path.join(old, 'levels'), { recursive: true });
    writeFileSync(path.join(old, 'levels', '1.map'), Buffer.alloc(50_000, 1));
    symlinkSync(old, link);
    const manifest = path.join(vols.scratch(), 'relocate.yaml');
    const stateDir = path.join(vols.scratch(), 'state');
    writeFileSync(manifest, JSON.stringify({ version: 1, links: [{ link, target: path.join(B, 'Games'), type: 'symlink' }] }));
    const plan = await planFor(manifest, stateDir);
    expect(plan.entries.map((p) => p.action)).toEqual(['retarget']);
    const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir, fs: new NodeFs(), verify: 'content', noRollback: false });
    expect(out.result, out.error?.message).toBe('done');
    expect(readlinkSync(link)).toBe(path.join(B, 'Games'));
    const journal = await new RunStore(nodeJournalDisk, stateDir, out.record.id).readJournal();
    const unlink = out.record.steps.find((rs) => rs.step.op === 'unlink')!;
    const begin = journal.find((l): l is BeginLine => l.t === 'begin' && l.n === unlink.n);
    expect(begin?.info).toMatchObject({ kind: 'symlink', linkText: old, dest: old, isDir: true });
    // Every step before the link is made leaves the data whole at the target or the old target.
    const linkAt = out.record.steps.find((rs) => rs.step.op === 'link')!.n;
    const intoPlace = out.record.steps.find((rs) => rs.step.op === 'rename' && rs.step.to === path.join(B, 'Games'))!.n;
    expect(intoPlace).toBeLessThan(linkAt);
  });
});
