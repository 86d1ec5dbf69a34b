/**
 * Issue 6: the guard at the Fs port. Every run (apply, resume, rollback)
 * goes through GuardedFs, which refuses — with E_GUARD, before the call —
 * any removal, rename-away or write at a path the run's plan does not name.
 * Tested directly, and through the executor with forged steps (what a bug
 * in compile or step-ops would produce): the unrelated path stays intact
 * and the run is rolled back.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RelocateError } from '../../src/core/errors.js';
import { compileSteps } from '../../src/exec/compile.js';
import { GuardedFs } from '../../src/exec/guard.js';
import { hostOs, styleForOs } from '../../src/core/paths.js';
import { resumeRun, startRun } from '../../src/exec/run-control.js';
import { asideName, backupName, stagingName } from '../../src/core/own-names.js';
import type { RunStep, Step } from '../../src/exec/steps.js';
import { RunStore, newRunId, utcStamp } from '../../src/journal/runs.js';
import type { RunRecord } from '../../src/journal/types.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { planFor } from '../property/harness.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

/** These scenes are on this host's disk, so their paths are spelt the host's way. */
const HOST = styleForOs(hostOs());

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'relocate-guard-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const RUN = '20260101T000000Z-abcd';
const STAMP = '20260101T000000000Z';

/** A link folder with data, a target beside it, and an unrelated folder full of precious files. */
function layout() {
  const link = path.join(root, 'home', 'Games');
  const target = path.join(root, 'big', 'Games');
  const precious = path.join(root, 'home', 'Precious');
  mkdirSync(path.join(link, 'saves'), { recursive: true });
  writeFileSync(path.join(link, 'saves', 'slot1'), 'save data');
  mkdirSync(path.join(root, 'big'), { recursive: true });
  mkdirSync(precious, { recursive: true });
  writeFileSync(path.join(precious, 'thesis.tex'), 'years of work');
  symlinkSync(precious, path.join(root, 'home', 'precious-link'));
  const fs = new GuardedFs(new NodeFs(), { runId: RUN, stamp: STAMP, style: HOST, paths: [link, target] });
  return { link, target, precious, fs };
}

async function expectGuard(p: Promise<unknown>, pathIs: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the call must be refused').toBeInstanceOf(RelocateError);
  expect((err as RelocateError).code).toBe('E_GUARD');
  expect((err as RelocateError).path).toBe(pathIs);
  expect((err as RelocateError).hint).toMatch(/nothing was changed by this call/);
}

describe('GuardedFs, called directly', () => {
  it('refuses every removal, rename-away and write outside the plan, before touching anything', async () => {
    const { link, target, precious, fs } = layout();
    const before = snapshotTree(root);
    const thesis = path.join(precious, 'thesis.tex');
    await expectGuard(fs.deleteTree(precious), precious);
    await expectGuard(fs.deleteTree(thesis), thesis);
    await expectGuard(fs.unlinkFile(thesis), thesis);
    await expectGuard(fs.removeLink(path.join(root, 'home', 'precious-link')), path.join(root, 'home', 'precious-link'));
    await expectGuard(fs.rmdirIfEmpty(path.join(root, 'home')), path.join(root, 'home'));
    await expectGuard(fs.renameNoReplace(precious, path.join(target, 'stolen')), precious);
    await expectGuard(fs.renameNoReplace(link, path.join(root, 'elsewhere')), path.join(root, 'elsewhere'));
    await expectGuard(fs.copyTree(link, path.join(precious, 'copy')), path.join(precious, 'copy'));
    await expectGuard(fs.createLink(path.join(precious, 'l'), target, 'symlink'), path.join(precious, 'l'));
    await expectGuard(fs.restoreLink(path.join(precious, 'l'), target, 'symlink', true), path.join(precious, 'l'));
    await expectGuard(fs.hardLink(thesis, path.join(root, 'home', 'h')), path.join(root, 'home', 'h'));
    await expectGuard(fs.restoreSnapshot(link, path.join(precious, 'r'), []), path.join(precious, 'r'));
    await expectGuard(fs.mkdirs(path.join(precious, 'new')), path.join(precious, 'new'));
    // Another run's (or a user's kept) backup is not this run's to touch.
    await expectGuard(fs.deleteTree(backupName(link, '20250101T000000000Z')), backupName(link, '20250101T000000000Z'));
    await expectGuard(fs.deleteTree(stagingName(link, '20250101T000000Z-ffff')), stagingName(link, '20250101T000000Z-ffff'));
    // A name that merely starts like the link is not the link.
    await expectGuard(fs.deleteTree(`${link}2`), `${link}2`);
    expect(snapshotTree(root), 'nothing changed').toEqual(before);
    expect(readFileSync(thesis, 'utf8')).toBe('years of work');
  });

  it("lets through the links, targets, relocate's own names beside them, paths inside them and parent folders to create", async () => {
    const { link, target, fs } = layout();
    await fs.mkdirs(path.join(root, 'big'));
    await fs.copyTree(link, stagingName(target, RUN));
    await fs.renameNoReplace(stagingName(target, RUN), target);
    await fs.renameNoReplace(link, asideName(link, RUN));
    await fs.createLink(link, target, 'symlink');
    await fs.copyTree(path.join(target, 'saves'), stagingName(path.join(target, 'saves2'), RUN));
    await fs.deleteTree(stagingName(path.join(target, 'saves2'), RUN));
    await fs.copyTree(target, stagingName(asideName(link, RUN), 'undo'));
    await fs.deleteTree(stagingName(asideName(link, RUN), 'undo'));
    await fs.deleteTree(path.join(asideName(link, RUN), 'saves', 'slot1'));
    await fs.deleteTree(asideName(link, RUN));
    await fs.removeLink(link);
    await fs.renameNoReplace(target, backupName(target, STAMP));
    expect(readFileSync(path.join(backupName(target, STAMP), 'saves', 'slot1'), 'utf8')).toBe('save data');
  });

  it('refuses a path inside a scoped folder reached through a link (it would act elsewhere)', async () => {
    const { link, precious } = layout();
    // The link path is now a symlink to the precious folder: link/thesis.tex is the precious file.
    rmSync(link, { recursive: true });
    symlinkSync(precious, link);
    const fs = new GuardedFs(new NodeFs(), { runId: RUN, stamp: STAMP, style: HOST, paths: [link, path.join(root, 'big', 'Games')] });
    await expectGuard(fs.deleteTree(path.join(link, 'thesis.tex')), path.join(link, 'thesis.tex'));
    await expectGuard(fs.renameNoReplace(path.join(link, 'thesis.tex'), path.join(root, 'big', 'Games', 'x')), path.join(link, 'thesis.tex'));
    expect(readFileSync(path.join(precious, 'thesis.tex'), 'utf8')).toBe('years of work');
    // The link itself may go (it is named by the plan); what it points to is untouched.
    await fs.removeLink(link);
    expect(readFileSync(path.join(precious, 'thesis.tex'), 'utf8')).toBe('years of work');
  });

  it('removes only the folders the run created, or that its journal says it created', async () => {
    const { target } = layout();
    const fs = new GuardedFs(new NodeFs(), {
      runId: RUN,
      stamp: STAMP,
      style: HOST,
      paths: [path.join(root, 'home', 'Games'), path.join(root, 'new', 'deep', 'Games')],
      created: [path.join(root, 'journaled')],
    });
    const made = await fs.mkdirs(path.join(root, 'new', 'deep'));
    expect(made).toEqual([path.join(root, 'new'), path.join(root, 'new', 'deep')]);
    expect(await fs.rmdirIfEmpty(path.join(root, 'new', 'deep'))).toBe(true);
    expect(await fs.rmdirIfEmpty(path.join(root, 'new'))).toBe(true);
    // A journaled folder that is not a parent of a plan path is not trusted.
    mkdirSync(path.join(root, 'journaled'));
    await expectGuard(fs.rmdirIfEmpty(path.join(root, 'journaled')), path.join(root, 'journaled'));
    await expectGuard(fs.rmdirIfEmpty(path.join(root, 'big')), path.join(root, 'big'));
    expect(target).toBeTruthy();
  });
});

describe('the guard in every run: forged steps are refused and the run rolled back', () => {
  /** A real plan for moving home/Games to big/Games (same volume), then a run record with `forge` spliced into its steps. */
  async function forgedRun(
    forge: (link: string, target: string, precious: string) => Step[],
  ): Promise<{ record: RunRecord; stateDir: string; precious: string; link: string; target: string }> {
    const { link, target, precious } = layout();
    const stateDir = path.join(root, 'state');
    const manifest = path.join(root, 'relocate.yaml');
    writeFileSync(manifest, JSON.stringify({ version: 1, links: [{ link, target, type: 'symlink' }] }));
    const plan = await planFor(manifest, stateDir);
    expect(plan.entries.map((e) => e.action)).toEqual(['move']);
    const now = new Date();
    const id = newRunId(now);
    const steps = compileSteps(plan, { runId: id, stamp: utcStamp(now), verify: 'meta' });
    // The forged steps run after the real ones have moved the data and made the link.
    const all: RunStep[] = [...steps, ...forge(link, target, precious).map((step, i) => ({ n: steps.length + i, entry: 0, step }))];
    const record: RunRecord = {
      id,
      status: 'running',
      startedAt: now.toISOString(),
      toolVersion: 'test',
      manifest: plan.manifest,
      verify: 'meta',
      plan,
      steps: all,
    };
    await new RunStore(nodeJournalDisk, stateDir, id).create(record);
    return { record, stateDir, precious, link, target };
  }

  const FORGERIES: { name: string; forge: (link: string, target: string, precious: string) => Step[]; code: string }[] = [
    {
      name: 'a delete of an unrelated folder (with a valid twin)',
      forge: (_l, target, precious) => [{ op: 'delete', path: precious, twin: target }],
      code: 'E_GUARD',
    },
    {
      name: 'a rename of an unrelated folder into the target',
      forge: (_l, target, precious) => [{ op: 'rename', from: precious, to: path.join(target, 'taken'), role: 'move' }],
      code: 'E_GUARD',
    },
    { name: 'a copy over an unrelated place', forge: (link, _t, precious) => [{ op: 'copy', from: link, to: path.join(precious, 'junk') }], code: 'E_GUARD' },
    {
      name: "a delete through the new link (the target's insides, by another name)",
      forge: (link, target) => [{ op: 'delete', path: path.join(`${link}-alias`, 'saves'), twin: target }],
      code: 'E_GUARD',
    },
  ];

  for (const f of FORGERIES) {
    it(`${f.name}: E_GUARD, the path intact, every change undone`, async () => {
      const { record, stateDir, precious, link } = await forgedRun(f.forge);
      symlinkSync(link, `${link}-alias`);
      const before = snapshotTree(path.join(root, 'home'), path.join(root, 'big'));
      const out = await resumeRun(record, { journalDisk: nodeJournalDisk, stateDir, fs: new NodeFs(), noRollback: false });
      expect(out.error?.code).toBe(f.code);
      expect(out.result).toBe('rolled-back');
      // Undoing a delete that never happened leaves it as it is (every name it had is still there: issue 13), or,
      // where it would finish it, the guard refuses that too and it is reported as skipped.
      if (f.forge(link, '', '')[0]!.op === 'delete') expect(out.skipped?.map((x) => x.reason).join('\n') ?? '').toMatch(/^$|refused by the guard/);
      expect(readFileSync(path.join(precious, 'thesis.tex'), 'utf8')).toBe('years of work');
      expect(snapshotTree(path.join(root, 'home'), path.join(root, 'big'))).toEqual(before);
    });
  }

  it('a clean run through the guard (startRun) is not disturbed by it', async () => {
    const { link, target } = layout();
    const stateDir = path.join(root, 'state');
    const manifest = path.join(root, 'relocate.yaml');
    writeFileSync(manifest, JSON.stringify({ version: 1, links: [{ link, target, type: 'symlink' }] }));
    const out = await startRun(await planFor(manifest, stateDir), {
      journalDisk: nodeJournalDisk,
      stateDir,
      fs: new NodeFs(),
      verify: 'meta',
      noRollback: false,
    });
    expect(out.result).toBe('done');
    expect(readFileSync(path.join(link, 'saves', 'slot1'), 'utf8')).toBe('save data');
  });
});
