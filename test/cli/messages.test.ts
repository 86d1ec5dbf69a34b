/**
 * Messages that are true (issue 14, "Messages that are true"): each case
 * runs the built CLI and pins the new text, so the old wrong one cannot
 * come back: an unknown option such as --dry-run points to `relocate plan`,
 * a missing manifest is said plainly, E_INVALID_MANIFEST lists the errors,
 * a saved plan's path keeps its leading `/`, `apply | head -1` is not a
 * crash, and a rollback that stops does not blame --no-rollback.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, vi } from 'vitest';
import { cliCommand, runCliAsync } from '../helpers/cli.js';
import { tmpfsReason } from '../helpers/tmpfs.js';
import { build, json, kindAt, sandbox, show } from '../exec/sandbox.js';

vi.setConfig({ testTimeout: 30_000 });
const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/cli/messages: the rollback-stops case is skipped: ${NO_TMPFS}`);

describe.concurrent('messages that are true', () => {
  it('--dry-run (and -n, --whatif) point to `relocate plan`; a near miss gets a did-you-mean', async ({ expect }) => {
    for (const opt of ['--dry-run', '-n', '--whatif']) {
      const r = await runCliAsync(['apply', opt]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`error E_USAGE: relocate apply has no ${opt} option`);
      expect(r.stderr).toContain('`relocate plan` shows what apply would change without changing anything');
    }
    const typo = await runCliAsync(['rollback', '--forse']);
    expect(typo.stderr).toContain('relocate rollback has no --forse option (did you mean --force?)');
    const far = await runCliAsync(['plan', '--frobnicate']);
    expect(far.stderr).not.toContain('did you mean');
    expect(far.stderr).toContain('see `relocate plan --help`');
  });

  it('a missing manifest is "no manifest at …", never file:undefined:undefined', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const missing = path.join(box.root, 'missing.yaml');
    for (const cmd of ['plan', 'apply', 'status']) {
      const r = await box.cli([cmd, missing, ...(cmd === 'apply' ? ['--yes'] : [])]);
      expect(r.status, show(r)).toBe(1);
      expect(r.stderr).toContain(`error E_NOT_FOUND: no manifest at ${missing}`);
      expect(r.stderr).not.toContain('undefined');
      expect(r.stderr).not.toContain('E_INVALID_MANIFEST');
    }
    const doc = json(await box.cli(['plan', missing, '--json']));
    expect(doc.error).toMatchObject({ code: 'E_NOT_FOUND', path: missing });
  });

  it('E_INVALID_MANIFEST from plan and apply names every error, or the first five and how many more', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const lines = ['version: 1', 'links:'];
    for (let i = 0; i < 7; i++) lines.push(`  - { link: /x/l${i}, target: /x/t${i}, typo${i}: 1 }`);
    writeFileSync(box.manifest, lines.join('\n') + '\n');
    for (const cmd of ['plan', 'apply']) {
      const doc = json(await box.cli([cmd, box.manifest, '--json', ...(cmd === 'apply' ? ['--yes'] : [])]));
      expect(doc.error.code).toBe('E_INVALID_MANIFEST');
      for (let i = 0; i < 5; i++) expect(doc.error.message).toContain(`:${i + 3}:`);
      expect(doc.error.message).toContain("unknown key 'typo4'");
      expect(doc.error.message).not.toContain("'typo5'");
      expect(doc.error.message).toMatch(/; and 2 more$/);
    }
    writeFileSync(box.manifest, 'version: 1\nlinks:\n  - { link: /x/a, target: /x/b, typo: 1 }\n  - { link: /x/c }\n');
    const two = json(await box.cli(['plan', box.manifest, '--json']));
    expect(two.error.message).toContain("unknown key 'typo'");
    expect(two.error.message).toContain("missing the required key 'target'");
    expect(two.error.message).not.toContain('more');
  });

  it('E_STALE_PLAN names the saved plan as given, with its leading / even when run from /', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const link = box.p('c/A');
    build(link, { 'f.txt': 'f' });
    box.writeManifest([{ link, target: box.p('d/A') }]);
    const planFile = path.join(box.root, 'plan.json');
    expect((await box.cli(['plan', box.manifest, '--out', planFile])).status).toBe(2);
    build(link, { 'g.txt': 'changed after the plan' });
    const r = await runCliAsync(['apply', planFile, '--yes', '--state-dir', box.state], { cwd: '/' });
    expect(r.status, show(r)).toBe(1);
    expect(r.stderr).toContain(`error E_STALE_PLAN: the disk changed since the saved plan ${planFile} was made`);
    const relative = await runCliAsync(['apply', 'plan.json', '--yes', '--state-dir', box.state], { cwd: box.root });
    expect(relative.stderr).toContain('the saved plan plan.json was made');
  });

  it('plan --out refuses a plan file inside a folder the plan moves (E_OUT_INSIDE_MOVE), also through a symlinked folder, and writes nothing', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const link = box.p('c/A');
    build(link, { 'f.txt': 'f' });
    symlinkSync(link, box.p('alias'));
    box.writeManifest([{ link, target: box.p('d/A') }]);
    for (const out of [path.join(link, 'plan.json'), box.p('alias/plan.json')]) {
      const r = await box.cli(['plan', box.manifest, '--out', out]);
      expect(r.status, show(r)).toBe(1);
      expect(r.stderr).toContain(`error E_OUT_INSIDE_MOVE: cannot save the plan to ${out}: it is inside ${link}, which this plan moves (move)`);
      expect(existsSync(path.join(link, 'plan.json'))).toBe(false);
    }
    expect((await box.cli(['plan', box.manifest, '--out', path.join(box.root, 'plan.json')])).status).toBe(2);
  });

  it('`relocate apply | head -1` finishes the run and exits 0, without a stack trace', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const entries = Array.from({ length: 30 }, (_, i) => ({ link: box.p(`c/l${i}`), target: box.p(`d/t${i}`) }));
    box.writeManifest(entries);
    // The plan is printed before the run: once head has its line, every later write meets a closed pipe.
    const r = spawnSync(
      'bash',
      ['-c', `"$@" | head -1; exit "\${PIPESTATUS[0]}"`, 'relocate', ...cliCommand(['apply', box.manifest, '--yes', '--state-dir', box.state])],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect((await box.cli(['status', box.manifest])).status).toBe(0);
  });

  it.skipIf(NO_TMPFS)('a rollback\'s progress says what each undo does: "copy back", never "delete the old copy" or "create folder"', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const B = box.mount(8, 'msgB').dir;
    const link = box.p('c/Games');
    build(link, { 'a.sav': 'a' });
    box.writeManifest([{ link, target: path.join(B, 'Games') }]);
    expect((await box.apply()).status).toBe(0);
    const r = await box.cli(['rollback', '--yes']);
    expect(r.status, show(r)).toBe(0);
    expect(r.stderr).toContain(`undo: copy back ${link}.relocate-old-`);
    expect(r.stderr).toContain(`undo: remove the folders created for ${B}, if still empty (folders that were there before stay)`);
    expect(r.stderr).not.toMatch(/undo: (create folder|delete the old copy)/);
  });

  it.skipIf(NO_TMPFS)(
    'E_VERIFY after a program wrote into the folder during a move says a program changed files, not "check the destination disk"',
    async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      const B = box.mount(64, 'msgV').dir;
      const link = box.p('c/App');
      build(link, Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`d${i % 20}/f${i}.bin`, Buffer.alloc(16 * 1024, i)])));
      build(link, { 'log.txt': 'start\n' });
      box.writeManifest([{ link, target: path.join(B, 'App') }]);
      // A program that opens, appends and closes every few milliseconds (holding nothing open between writes).
      const log = path.join(link, 'log.txt');
      const writer = spawn(
        process.execPath,
        ['-e', `const fs=require('fs');setInterval(()=>{try{fs.appendFileSync(${JSON.stringify(log)},'x\\n')}catch{}},3)`],
        { stdio: 'ignore' },
      );
      ctx.onTestFinished(() => {
        writer.kill('SIGKILL');
      });
      // The in-use check (plan time, and again before the copy) may catch the writer in the microseconds it holds the
      // file open: E_IN_USE, as true, and nothing changed. Then the apply is tried again, up to five times in all.
      let r = await box.apply();
      for (let tries = 1; tries < 5 && r.status === 1 && json(r).error?.code === 'E_IN_USE'; tries++) {
        expect(json(r).error.message, show(r)).toContain('log.txt');
        expect(kindAt(link)).toBe('dir');
        r = await box.apply();
      }
      writer.kill('SIGKILL');
      expect(r.status, show(r)).toBe(1);
      const doc = json(r);
      expect(doc.error.code).toBe('E_VERIFY');
      expect(doc.error.message).toContain(`files in ${link}`);
      expect(doc.error.message).toContain('a program is writing there');
      expect(doc.error.hint).not.toContain('destination disk');
      expect(kindAt(link)).toBe('dir');
    },
  );

  it.skipIf(NO_TMPFS)('a rollback that stops says so, without "(--no-rollback)"', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const A = box.mount(8, 'msgA').dir;
    const link = path.join(A, 'Games');
    build(link, { 'a.sav': 'a' });
    box.writeManifest([{ link, target: box.p('d/Games') }]);
    expect((await box.apply()).status).toBe(0);
    // The link's volume turns read-only: the rollback cannot remove the link and stops.
    execFileSync('mount', ['-o', 'remount,ro', A]);
    ctx.onTestFinished(() => {
      execFileSync('mount', ['-o', 'remount,rw', A]);
    });
    const r = await box.cli(['rollback', '--yes']);
    expect(r.status, show(r)).toBe(1);
    expect(r.stderr).not.toContain('--no-rollback');
    expect(r.stderr).toContain('The rollback of run');
    expect(r.stderr).toContain('run `relocate rollback` again to finish it');
  });
});
