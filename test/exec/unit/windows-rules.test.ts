/**
 * Issue 17 §4: what the executor meets on Windows and nowhere else, run
 * in-process on the in-memory Windows disk: files held open (the
 * files-in-use check, and a holder it cannot see meeting a sharing
 * violation), a symlink without the privilege; and the places where src
 * now takes the plan's path rules, not the host's, for a Windows plan.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stagingName } from '../../../src/core/own-names.js';
import { styleForOs } from '../../../src/core/paths.js';
import type { FsPort } from '../../../src/exec/fs-port.js';
import { startRun } from '../../../src/exec/run-control.js';
import { memFsPort, MemFsPort } from '../../helpers/mem-fs/port.js';
import { putTree } from '../../helpers/mem-fs/seed.js';
import { buildScenario, capture, HOME, leftovers, lostData, originalProblems, planScenario, stateFolder, WIN, type WinScenario } from '../../helpers/mem-fs/windows-plans.js';

const GAMES = 0;

async function apply(s: WinScenario, port: FsPort) {
  const plan = await planScenario(s);
  const state = stateFolder();
  try {
    return await startRun(plan, { stateDir: state.dir, fs: port, verify: 'content', noRollback: false });
  } finally {
    state.remove();
  }
}

/** A port that opens a file the moment the run renames its staging copy into place (a program starting mid-run). */
class OpensMidRun extends MemFsPort {
  constructor(s: WinScenario, private readonly file: string, private readonly visible: boolean) {
    super(s.disk);
  }

  override async renameNoReplace(from: string, to: string): Promise<void> {
    await super.renameNoReplace(from, to);
    if (from.includes('.relocate-partial-') && this.disk.handlesUnder(this.file).length === 0) this.disk.open(this.file, 'game.exe');
  }

  override async processesUsing(p: string) {
    return this.visible ? super.processesUsing(p) : [];
  }
}

describe('files held open on Windows', () => {
  it('a file open before the run: refused before anything changes (E_IN_USE)', async () => {
    const s = buildScenario(false, GAMES);
    const before = capture(s);
    s.disk.open(`${HOME}\\Games\\save.dat`, 'game.exe');
    const o = await apply(s, memFsPort(s.disk));
    expect(o.result).toBe('rolled-back');
    expect(o.error).toMatchObject({ code: 'E_IN_USE', message: expect.stringContaining('game.exe') });
    expect(originalProblems(s, before)).toEqual([]);
  });

  it('a file opened mid-run: the check before the original is set aside refuses, and the copy is rolled back', async () => {
    const s = buildScenario(false, GAMES);
    const before = capture(s);
    const o = await apply(s, new OpensMidRun(s, `${HOME}\\Games\\save.dat`, true));
    expect(o.result).toBe('rolled-back');
    expect(o.error?.code).toBe('E_IN_USE');
    expect(lostData(s, before)).toEqual([]);
    expect(leftovers(s)).toEqual([]);
    expect(originalProblems(s, before)).toEqual([]);
  });

  it('a holder the check cannot see: the set-aside rename meets the sharing rules (access denied) and the run rolls back', async () => {
    const s = buildScenario(false, GAMES);
    const before = capture(s);
    const o = await apply(s, new OpensMidRun(s, `${HOME}\\Games\\save.dat`, false));
    expect(o.result).toBe('rolled-back');
    expect(o.error?.code).toBe('E_ACCESS');
    expect(o.error?.message).toContain('Games');
    expect(originalProblems(s, before)).toEqual([]);
  });
});

describe('symbolic links without the privilege', () => {
  it('a symlink entry on a disk whose caller lost the privilege: E_SYMLINK_PRIVILEGE, rolled back exactly', async () => {
    const s = buildScenario(true, 6);
    const before = capture(s);
    const plan = await planScenario(s);
    s.disk.symlinkPrivilege = false;
    const state = stateFolder();
    try {
      const o = await startRun(plan, { stateDir: state.dir, fs: memFsPort(s.disk), verify: 'content', noRollback: false });
      expect(o.result).toBe('rolled-back');
      // The tree holds a symlink: its copy is refused first (the copy needs the privilege too).
      expect(['E_SYMLINK_PRIVILEGE', 'E_ACCESS']).toContain(o.error?.code);
      expect(originalProblems(s, before)).toEqual([]);
    } finally {
      state.remove();
    }
  });
});

describe('a Windows plan is run with its own path rules on a POSIX host', () => {
  const onPosix = process.platform !== 'win32';

  // Link destinations are compared in the plan's style (StepContext.style): on Linux a junction whose text differs
  // from the plan's target only in case is still the link, as Windows says. Pinned with it.fails while exec took the host's style.
  it.runIf(onPosix)('a junction spelt in another case than the plan is still the link to remove', async () => {
    const s = buildScenario(false, 3);
    const before = capture(s);
    s.disk.unlink(`${HOME}\\Music`);
    putTree(s.disk, `${HOME}\\Music`, { $junction: 'd:\\music' });
    const o = await apply(s, memFsPort(s.disk));
    expect(o.error?.message).toBeUndefined();
    expect(o.result).toBe('done');
    expect(lostData(s, before)).toEqual([]);
  });

  // For a Windows path longer than a name may be, the host's (POSIX) rule cuts at the last '/', of which a Windows
  // path has none, so a staging named without the plan's style is not the one the guard allows beside it.
  it('src/exec names every staging, aside and backup with the plan\'s style, never the host default', () => {
    const deep = `${HOME}\\${'Saves\\'.repeat(40)}slot`;
    expect(stagingName(deep, 'undo', WIN)).not.toBe(stagingName(deep, 'undo', styleForOs('linux')));
    const dir = fileURLToPath(new URL('../../../src/exec/', import.meta.url));
    const calls: string[] = [];
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const text = readFileSync(path.join(dir, f), 'utf8');
      for (const m of text.matchAll(/\b(stagingName|asideName|backupName)\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g)) {
        const args = m[2]!.split(',').map((a) => a.trim()).filter(Boolean);
        if (args.length < 3) calls.push(`${f}: ${m[0]}`);
      }
    }
    expect(calls, 'calls that fall back to the host style').toEqual([]);
  });
});
