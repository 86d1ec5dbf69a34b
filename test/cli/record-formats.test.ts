/**
 * What relocate reads back from its own files is decoded, not cast (issue
 * 17): a saved plan from another relocate version, or with a damaged
 * field, is refused before anything changes; a run record of the format
 * before `formatVersion` existed still resumes; a damaged record or journal
 * line stops resume with E_RUN_FORMAT naming the place, while a torn line
 * (a power cut mid-write) is still skipped as before.
 */
import { appendFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { namesUnder } from '../helpers/walk-tree.js';

/** A folder Games holding one file, a manifest moving it beside, and a state folder, all in a new temporary folder. */
function moveCase() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'relocate-formats-'));
  mkdirSync(path.join(root, 'Games'));
  writeFileSync(path.join(root, 'Games', 'save'), 'x');
  const manifest = path.join(root, 'links.yaml');
  writeFileSync(manifest, `version: 1\nlinks:\n  - link: ${root}/Games\n    target: ${root}/Moved/Games\n`);
  return { root, manifest, state: path.join(root, 'state'), games: path.join(root, 'Games') };
}

/** The one run folder of a state folder. */
function runDir(state: string): string {
  const runs = readdirSync(path.join(state, 'runs'));
  expect(runs).toHaveLength(1);
  return path.join(state, 'runs', runs[0]!);
}

function editJson(file: string, edit: (doc: any) => void): void {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  edit(doc);
  writeFileSync(file, JSON.stringify(doc));
}

/** A run cut off (SIGKILL) after journal line `n`: unfinished, its folder left as the kill found it. */
function crashedRun(n: number) {
  const c = moveCase();
  const r = runCli(['apply', '--yes', '--state-dir', c.state, c.manifest], { env: { RELOCATE_TEST_CRASH_AFTER: String(n) } });
  expect(r.status, r.stderr).not.toBe(0);
  return { ...c, run: runDir(c.state) };
}

const listing = (root: string): string[] => namesUnder(root, ['state']);

describe('a saved plan', () => {
  function saved() {
    const c = moveCase();
    const out = path.join(c.root, 'plan.json');
    const r = runCli(['plan', '--state-dir', c.state, '--out', out, c.manifest]);
    expect(r.status, r.stderr).toBe(2);
    return { ...c, out };
  }

  it('made by another relocate version is refused, and nothing changes', () => {
    const c = saved();
    editJson(c.out, (d) => (d.plan.toolVersion = '0.0.1-other'));
    const before = listing(c.root);
    const r = runCli(['apply', '--yes', '--state-dir', c.state, c.out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('E_BAD_PLAN');
    expect(r.stderr).toMatch(
      /was saved by relocate 0\.0\.1-other, and this is relocate \S+: a saved plan is applied only by the version that made it; nothing was changed/,
    );
    expect(listing(c.root)).toEqual(before);
  });

  it('with a damaged field is refused with its place named, and nothing changes', () => {
    const c = saved();
    editJson(c.out, (d) => (d.plan.entries[0].action = 'explode'));
    const before = listing(c.root);
    const r = runCli(['apply', '--yes', '--json', '--state-dir', c.state, c.out]);
    expect(r.status).toBe(1);
    const err = JSON.parse(r.stdout).error;
    expect(err.code).toBe('E_BAD_PLAN');
    expect(err.message).toContain('plan.entries[0].action: expected one of');
    expect(listing(c.root)).toEqual(before);
  });

  it('made by this version is applied', () => {
    const c = saved();
    const r = runCli(['apply', '--yes', '--state-dir', c.state, c.out]);
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(c.games).isSymbolicLink()).toBe(true);
  });
});

describe('an unfinished run', () => {
  it('recorded before formatVersion, retargetMode and rename roles existed still resumes', () => {
    const c = crashedRun(3);
    editJson(path.join(c.run, 'run.json'), (d) => {
      expect(d.formatVersion).toBe(1);
      delete d.formatVersion;
      for (const e of d.plan.entries) delete e.retargetMode;
      // Nor did rename steps carry their role.
      expect(d.steps.some((rs: any) => rs.step.op === 'rename' && typeof rs.step.role === 'string')).toBe(true);
      for (const rs of d.steps) delete rs.step.role;
    });
    const r = runCli(['resume', '--yes', '--state-dir', c.state]);
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(c.games).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(c.root, 'Moved', 'Games', 'save'), 'utf8')).toBe('x');
  });

  it('whose record is damaged is refused with E_RUN_FORMAT naming the place, and nothing changes', () => {
    const c = crashedRun(3);
    editJson(path.join(c.run, 'run.json'), (d) => (d.steps[0].step.op = 'shred'));
    const before = listing(c.root);
    for (const command of ['resume', 'rollback', 'apply']) {
      const r = runCli([command, '--yes', '--state-dir', c.state, ...(command === 'apply' ? [c.manifest] : [])]);
      expect(r.status, command).toBe(1);
      expect(r.stderr, command).toContain('E_RUN_FORMAT');
      expect(r.stderr, command).toContain('its record (run.json) of run');
      expect(r.stderr, command).toContain('steps[0].step.op: expected one of');
      expect(listing(c.root), command).toEqual(before);
    }
  });

  it('of a newer format is refused by its version', () => {
    const c = crashedRun(3);
    editJson(path.join(c.run, 'run.json'), (d) => {
      d.formatVersion = 2;
      d.toolVersion = '9.0.0';
    });
    const r = runCli(['resume', '--yes', '--state-dir', c.state]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('E_RUN_FORMAT');
    expect(r.stderr).toContain('was written in run format 2 by relocate 9.0.0; this relocate reads format 1');
    expect(r.stderr).toContain('use relocate 9.0.0 or newer');
  });

  it('whose journal has a damaged line is refused naming the line; a torn line is skipped as before', () => {
    const c = crashedRun(3);
    const journal = path.join(c.run, 'journal.jsonl');
    const good = readFileSync(journal, 'utf8');
    const lines = good.trimEnd().split('\n');
    expect(lines.length).toBe(3);
    writeFileSync(journal, [lines[0], JSON.stringify({ ...JSON.parse(lines[1]!), n: 'two' }), lines[2]].join('\n') + '\n');
    const before = listing(c.root);
    const r = runCli(['resume', '--yes', '--state-dir', c.state]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('E_RUN_FORMAT');
    expect(r.stderr).toContain('line 2 of its journal (journal.jsonl)');
    expect(listing(c.root)).toEqual(before);
    // The same journal with a torn last line instead resumes.
    writeFileSync(journal, good);
    appendFileSync(journal, '{"t":"begin","n":');
    const ok = runCli(['resume', '--yes', '--state-dir', c.state]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(existsSync(path.join(c.root, 'Moved', 'Games', 'save'))).toBe(true);
  });
});

describe('a finished run whose record is damaged', () => {
  it('stops history with E_RUN_FORMAT rather than leaving the run out', () => {
    const c = moveCase();
    expect(runCli(['apply', '--yes', '--state-dir', c.state, c.manifest]).status).toBe(0);
    editJson(path.join(runDir(c.state), 'run.json'), (d) => (d.plan.entries = 'lost'));
    const r = runCli(['history', '--state-dir', c.state]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('E_RUN_FORMAT');
    expect(r.stderr).toContain('plan.entries: expected a list');
  });
});
