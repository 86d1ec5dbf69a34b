import { lstatSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { Step } from '../exec/steps.js';
import { processAlive } from './process-alive.js';

/** `.relocate-probe-<pid>-<6 hex>` (a probe file), optionally `-<mkdtemp's 6 characters>` (the name probe's folder). */
const PROBE_NAME = /^\.relocate-probe-(\d+)-[0-9a-f]{6}(-[A-Za-z0-9]{6})?$/;

/** The only names the name probe makes inside its folder (name-probe.ts), in any spelling the volume kept. */
const NAME_PROBE_FILES = new Set(['probe-Case', 'PROBE-cASE', '\u00e9', 'e\u0301']);

function emptyFile(p: string): boolean {
  const s = lstatSync(p, { throwIfNoEntry: false });
  return s !== undefined && s.isFile() && s.size === 0 && s.nlink === 1;
}

/**
 * Removes from folder `dir` the probes a relocate killed while it held
 * them left behind (probe-file.ts and name-probe.ts make them in the
 * user's folders, where a rollback must leave nothing: the random-kill
 * harness found one). Only what a probe makes, and only a dead process's:
 * a name of the probe's pattern whose pid runs no process here, being an
 * empty file with one name, or a folder holding nothing but the name
 * probe's empty files. Anything else with such a name is kept (a running
 * relocate's probe, a file someone put there, a link). Never throws: a
 * leftover that cannot be removed stays, as before.
 */
export function sweepProbeLeftovers(dir: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = PROBE_NAME.exec(name);
    if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue;
    const p = path.join(dir, name);
    try {
      const s = lstatSync(p);
      if (m[2] === undefined) {
        if (!emptyFile(p)) continue;
        unlinkSync(p);
      } else {
        if (!s.isDirectory()) continue;
        const inside = readdirSync(p);
        if (!inside.every((n) => NAME_PROBE_FILES.has(n) && emptyFile(path.join(p, n)))) continue;
        for (const n of inside) unlinkSync(path.join(p, n));
        rmdirSync(p);
      }
      removed++;
    } catch {
      // Gone meanwhile, or not removable: left as it is.
    }
  }
  return removed;
}

/**
 * After a run (apply, resume, rollback, whatever its outcome): sweeps the
 * folders its probes are made in — the folder holding each verify's copy
 * (mode and creation-time probes, mode-keeping.ts and birth-time.ts) and
 * each deleted original's (where an undo copies it back and verifies it) —
 * so a probe a killed earlier attempt of the same run left there is gone
 * once the run is dealt with, even when nothing probes that folder again.
 */
export function sweepRunProbes(steps: readonly { step: Step }[]): void {
  const dirs = new Set<string>();
  for (const { step } of steps) {
    if (step.op === 'verify') dirs.add(path.dirname(step.copy));
    if (step.op === 'delete') dirs.add(path.dirname(step.path));
  }
  for (const d of dirs) sweepProbeLeftovers(d);
}
