/**
 * The CLI scenarios run under Wine both by Windows node.exe with the built
 * bundle (wine.test.ts) and by relocate.exe, the single executable
 * (exe.test.ts): one text of each, so the two runtimes are held to the same
 * expectations. `cli` runs relocate with the arguments (through files, as
 * Wine's console needs); `box` makes a test's folders on C: and E:.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { contentOf } from '../helpers/snapshot.js';
import { winPath, type WineEnv, type WineResult } from './wine-env.js';

/** Runs relocate with `args` under Wine. */
export type WineCli = (args: string[], opts?: { cwd?: string; env?: Record<string, string> }) => WineResult;

/** One test's folders on C: and E:, as Linux paths and as the Windows paths the CLI sees. */
export interface WineBox {
  c: string;
  e: string;
  C: string;
  E: string;
  state: string;
}

/** A sandbox maker for one test file: folders under relocate-wine-tests/<stamp>/ on both drives. */
export function wineSandbox(w: WineEnv, stamp: string): (name: string) => WineBox {
  return (name) => {
    const c = path.join(w.driveC, 'relocate-wine-tests', stamp, name);
    const e = path.join(w.driveE, 'relocate-wine-tests', stamp, name);
    mkdirSync(c, { recursive: true });
    mkdirSync(e, { recursive: true });
    return { c, e, C: winPath(w, c), E: winPath(w, e), state: `${winPath(w, c)}\\state` };
  };
}

/** A run's standard output as JSON, or an error showing what it printed. */
export function wineJson(r: WineResult): Record<string, any> {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** A hard link manifest on C:: validate, plan, apply, status, rollback, with Windows paths in the output. */
export function hardLinkRoundTrip(cli: WineCli, box: (name: string) => WineBox): void {
  const json = wineJson;
  const s = box('hardlink');
  writeFileSync(path.join(s.c, 'data.txt'), 'the data');
  writeFileSync(path.join(s.c, 'relocate.yaml'), `version: 1\nlinks:\n  - link: ${s.C}\\data-link.txt\n    target: ${s.C}\\data.txt\n    type: hardlink\n`);
  const v = cli(['validate'], { cwd: s.c });
  expect(v.status, v.stderr).toBe(0);
  expect(v.stdout).toMatch(/relocate\.yaml: valid, 1 entry for win32/);

  const plan = cli(['plan', '--state-dir', s.state], { cwd: s.c });
  expect(plan.status, plan.stderr).toBe(2);
  expect(plan.stdout).toContain(`${s.C}\\data-link.txt → ${s.C}\\data.txt  (hardlink)`);
  const pj = json(cli(['plan', '--json', '--state-dir', s.state], { cwd: s.c }));
  expect(pj.entries[0]).toMatchObject({ link: `${s.C}\\data-link.txt`, target: `${s.C}\\data.txt`, type: 'hardlink', action: 'link' });

  const apply = cli(['apply', '--yes', '--verbose', '--state-dir', s.state], { cwd: s.c });
  expect(apply.status, apply.stderr).toBe(0);
  expect(apply.stderr).toContain(`create link ${s.C}\\data-link.txt → ${s.C}\\data.txt`);
  expect(apply.stderr).toContain(`check link ${s.C}\\data-link.txt`);
  expect(statSync(path.join(s.c, 'data-link.txt')).nlink).toBe(2);
  expect(statSync(path.join(s.c, 'data-link.txt')).ino).toBe(statSync(path.join(s.c, 'data.txt')).ino);

  const status = cli(['status', '--state-dir', s.state], { cwd: s.c });
  expect(status.status, status.stdout + status.stderr).toBe(0);

  const rb = cli(['rollback', '--yes', '--state-dir', s.state], { cwd: s.c });
  expect(rb.status, rb.stderr).toBe(0);
  expect(existsSync(path.join(s.c, 'data-link.txt'))).toBe(false);
  expect(statSync(path.join(s.c, 'data.txt')).nlink).toBe(1);
  expect(readFileSync(path.join(s.c, 'data.txt'), 'utf8')).toBe('the data');
}

/** A folder moved between E: and C: (state: absent brings it back from E:): apply and rollback, across volumes, with and without the native layer. */
export function crossDriveRoundTrip(cli: WineCli, box: (name: string) => WineBox): void {
  const json = wineJson;
  const s = box('cross');
  const tool = path.join(s.e, 'Tool');
  mkdirSync(path.join(tool, 'sub', 'deeper'), { recursive: true });
  writeFileSync(path.join(tool, 'tool.exe'), 'MZ fake executable');
  writeFileSync(path.join(tool, 'sub', 'config.ini'), '[a]\nb=c\n');
  writeFileSync(path.join(tool, 'sub', 'deeper', 'big.bin'), Buffer.alloc(256 * 1024, 7));
  const before = contentOf(tool);
  writeFileSync(path.join(s.c, 'relocate.yaml'), `version: 1\nlinks:\n  - link: ${s.C}\\Tool\n    target: ${s.E}\\Tool\n    state: absent\n`);

  const pj = json(cli(['plan', '--json', '--state-dir', s.state], { cwd: s.c }));
  expect(pj.entries[0]).toMatchObject({ link: `${s.C}\\Tool`, target: `${s.E}\\Tool`, action: 'restore', crossVolume: true, files: 3 });

  const apply = cli(['apply', '--yes', '--verbose', '--state-dir', s.state], { cwd: s.c });
  expect(apply.status, apply.stderr).toBe(0);
  // Across volumes: copied to a staging name on C:, verified, renamed into place; the original renamed aside on E:, then deleted.
  expect(apply.stderr).toMatch(new RegExp(`copy ${escape(s.E)}\\\\Tool → ${escape(s.C)}\\\\Tool\\.relocate-partial-`));
  expect(apply.stderr).toMatch(new RegExp(`move ${escape(s.E)}\\\\Tool → ${escape(s.E)}\\\\Tool\\.relocate-old-`));
  // MoveFileExW did the renames: no fallback note with --verbose. The notes say that C: (Wine) holds no creation times,
  // so the verify did not compare them (issue 15, birth-time.ts), and how the copy was made durable (issue 16).
  expect(apply.stderr).not.toMatch(/^note: .*check-then-rename/m);
  expect(apply.stderr.split('\n').filter((l) => l.startsWith('note:'))).toEqual([
    expect.stringMatching(/^note: the volume of .* does not hold the creation times relocate sets \(FAT keeps 10 ms, Wine none\)/),
    expect.stringMatching(/^note: the copy into .* was made durable by a flush of every copied file \(FlushFileBuffers/),
  ]);
  expect(contentOf(path.join(s.c, 'Tool'))).toEqual(before);
  expect(existsSync(tool)).toBe(false);

  const rb = cli(['rollback', '--yes', '--state-dir', s.state], { cwd: s.c });
  expect(rb.status, rb.stderr).toBe(0);
  expect(contentOf(tool)).toEqual(before);
  expect(existsSync(path.join(s.c, 'Tool'))).toBe(false);

  // Without the native layer the same run works through the portable path, and --verbose says so.
  const apply2 = cli(['apply', '--yes', '--verbose', '--state-dir', s.state], { cwd: s.c, env: { RELOCATE_NATIVE: '0' } });
  expect(apply2.status, apply2.stderr).toBe(0);
  expect(apply2.stderr).toMatch(/note: no MoveFileExW \(RELOCATE_NATIVE=0 turns the native layer off\); using check-then-rename under the lock/);
  expect(apply2.stderr).toMatch(/note: volume facts .* are unknown: RELOCATE_NATIVE=0/);
  expect(contentOf(path.join(s.c, 'Tool'))).toEqual(before);
  const rb2 = cli(['rollback', '--yes', '--state-dir', s.state], { cwd: s.c });
  expect(rb2.status, rb2.stderr).toBe(0);
  expect(contentOf(tool)).toEqual(before);

  const history = json(cli(['history', '--json', '--state-dir', s.state], { cwd: s.c }));
  expect(history.runs.map((r: { status: string }) => r.status)).toEqual(['rolled-back', 'rolled-back']);
}

function escape(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}
