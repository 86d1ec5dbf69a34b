/**
 * A relocate killed while it held a probe (probe-file.ts, name-probe.ts)
 * left it in the user's folder; the random-kill harness found one after a
 * rollback that must give back the exact original. The next probe of that
 * folder removes a dead process's probes, and nothing else.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { probeNameRules } from '../../src/platform/name-probe.js';
import { probeFileOnce } from '../../src/platform/probe-file.js';
import { sweepProbeLeftovers, sweepRunProbes } from '../../src/platform/probe-leftovers.js';

/** The pid of a process that ran and is gone. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

const dirs: string[] = [];
function folder(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'relocate-probe-sweep-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('probes a killed relocate left behind', () => {
  it("removes a dead process's empty probe file and probe folder; keeps everything else", () => {
    const d = folder();
    const dead = deadPid();
    writeFileSync(path.join(d, `.relocate-probe-${dead}-a1b2c3`), '');
    mkdirSync(path.join(d, `.relocate-probe-${dead}-d4e5f6-Xy12Zq`));
    writeFileSync(path.join(d, `.relocate-probe-${dead}-d4e5f6-Xy12Zq`, 'probe-Case'), '');
    writeFileSync(path.join(d, `.relocate-probe-${dead}-d4e5f6-Xy12Zq`, '\u00e9'), '');
    mkdirSync(path.join(d, `.relocate-probe-${dead}-0a0a0a-AAAAAA`));
    const kept = [
      [`.relocate-probe-${dead}-111111`, 'data'], // not empty: not a probe's
      [`.relocate-probe-${process.pid}-222222`, ''], // this process's own
      [`.relocate-probe-1-333333`, ''], // pid 1 runs (init)
      [`.relocate-probe-${dead}-44444`, ''], // not the pattern
      ['relocate-probe-5-555555', ''],
      ['notes.txt', 'mine'],
    ] as const;
    for (const [n, text] of kept) writeFileSync(path.join(d, n), text);
    mkdirSync(path.join(d, `.relocate-probe-${dead}-666666-BBBBBB`));
    writeFileSync(path.join(d, `.relocate-probe-${dead}-666666-BBBBBB`, 'report.doc'), ''); // a folder holding something else
    symlinkSync(path.join(d, 'notes.txt'), path.join(d, `.relocate-probe-${dead}-777777`)); // a link: never a probe
    expect(sweepProbeLeftovers(d)).toBe(3);
    expect(readdirSync(d).sort()).toEqual([...kept.map(([n]) => n), `.relocate-probe-${dead}-666666-BBBBBB`, `.relocate-probe-${dead}-777777`].sort());
    expect(existsSync(path.join(d, 'notes.txt'))).toBe(true);
  });

  it("the probes themselves sweep first: a volume's mode probe and the name probe leave the folder as it was before the killed run", () => {
    const d = folder();
    const dead = deadPid();
    writeFileSync(path.join(d, `.relocate-probe-${dead}-abcdef`), '');
    expect(probeFileOnce(d, new Map(), () => true)).toBe(true);
    expect(readdirSync(d)).toEqual([]);
    mkdirSync(path.join(d, `.relocate-probe-${dead}-fedcba-Qw3rty`));
    probeNameRules(d);
    expect(readdirSync(d)).toEqual([]);
  });

  it('after a run, the folders holding its verified copies and deleted originals are swept, and only those', () => {
    const [target, source, other] = [folder(), folder(), folder()];
    const dead = deadPid();
    for (const d of [target, source, other]) writeFileSync(path.join(d, `.relocate-probe-${dead}-abcdef`), '');
    sweepRunProbes([
      { step: { op: 'copy', from: path.join(source, 'Games'), to: path.join(target, 'Games') } },
      { step: { op: 'verify', original: path.join(source, 'Games'), copy: path.join(target, 'Games'), mode: 'meta' } },
      { step: { op: 'delete', path: path.join(source, 'Games.relocate-old-x-0'), twin: path.join(target, 'Games') } },
    ]);
    expect([readdirSync(target), readdirSync(source), readdirSync(other)]).toEqual([[], [], [`.relocate-probe-${dead}-abcdef`]]);
  });
});
