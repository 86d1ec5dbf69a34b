/**
 * A relocate killed while it probed the destination folder (the verify's
 * mode probe) left `.relocate-probe-<pid>-…` there; the rollback that deals
 * with the run must leave the exact original, and it did not (the
 * random-kill harness found it: one extra path after the rollback). The
 * run's commands now sweep a dead process's probes from the folders the run
 * probes (src/platform/probe-leftovers.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tmpfsReason, volumePairForFile } from '../helpers/tmpfs.js';

const reason = tmpfsReason();
if (reason) console.warn(`probe-leftovers CLI tests skipped: ${reason}`);
const vols = volumePairForFile('probesweep');

/** A folder Games (one file) on volume A and the manifest moving it to volume B, with a state folder of its own. */
function moveCase(prefix: string) {
  const a = mkdtempSync(path.join(vols.volA(), prefix));
  const b = mkdtempSync(path.join(vols.volB(), prefix));
  const state = mkdtempSync(path.join(vols.scratch(), 'state-'));
  mkdirSync(path.join(a, 'Games'));
  writeFileSync(path.join(a, 'Games', 'save'), 'x');
  const manifest = path.join(vols.scratch(), `m-${path.basename(a)}.yaml`);
  writeFileSync(manifest, `version: 1\nlinks:\n  - link: ${a}/Games\n    target: ${b}/Games\n`);
  return { a, b, state, manifest };
}

/** The pid of a process that has ended: what a killed relocate's probe names. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

describe.skipIf(reason !== undefined)('a probe a killed run left in the destination folder', () => {
  it('is gone once the run is rolled back (and apply sweeps the same folder)', () => {
    const { a, b, state, manifest } = moveCase('c-');
    const leftover = `.relocate-probe-${deadPid()}-abcdef`;
    writeFileSync(path.join(b, leftover), '');
    const applied = runCli(['apply', '--yes', '--state-dir', state, manifest]);
    expect(applied.status, applied.stderr).toBe(0);
    expect(readdirSync(b), 'apply swept the folder its copy was verified in').toEqual(['Games']);
    writeFileSync(path.join(b, leftover), '');
    const back = runCli(['rollback', '--yes', '--state-dir', state]);
    expect(back.status, back.stderr).toBe(0);
    expect(readdirSync(b)).toEqual([]);
    expect(readdirSync(a)).toEqual(['Games']);
  });
  it('is gone once a crashed run is resumed, wherever the crash was', () => {
    const leftover = `.relocate-probe-${deadPid()}-fedcba`;
    const resumed: number[] = [];
    for (let n = 1; ; n++) {
      const { b, state, manifest } = moveCase('r-');
      const crashed = runCli(['apply', '--yes', '--state-dir', state, manifest], { env: { RELOCATE_TEST_CRASH_AFTER: String(n) } });
      if (crashed.status === 0) break;
      writeFileSync(path.join(b, leftover), '');
      const r = runCli(['resume', '--yes', '--state-dir', state]);
      expect(r.status, `crash after line ${n}: ${r.stderr}`).toBe(0);
      expect(readdirSync(b), `crash after line ${n}`).toEqual(['Games']);
      resumed.push(n);
    }
    // A move across volumes journals more lines than this; each was a crash point.
    expect(resumed.length).toBeGreaterThan(5);
    // Two CLI runs per journal line, one after another: ~20 s alone, 30 s and more on a loaded machine.
  }, 180_000);
});
