import { randomBytes } from 'node:crypto';
import { closeSync, lstatSync, openSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { sweepProbeLeftovers } from './probe-leftovers.js';

/**
 * Asks the volume holding folder `dir` a question by making an empty probe
 * file there (mode 0600) and handing its path to `ask`; the answer is kept
 * in `known` by device, so each volume is asked once per process. Removes
 * exactly the file it made. When no probe can be made, or `ask` throws,
 * `strict` (by default true): the answer that keeps the callers' checks
 * strict (mode-keeping.ts, birth-time.ts, time-grain.ts).
 */
export function probeFileOnce(dir: string, known: Map<string, boolean>, ask: (probe: string) => boolean): boolean;
export function probeFileOnce<T>(dir: string, known: Map<string, T>, ask: (probe: string) => T, strict: T): T;
export function probeFileOnce<T>(dir: string, known: Map<string, T | boolean>, ask: (probe: string) => T | boolean, strict: T | boolean = true): T | boolean {
  let dev: string;
  try {
    dev = String(lstatSync(dir).dev);
  } catch {
    return strict;
  }
  const cached = known.get(dev);
  if (cached !== undefined) return cached;
  // A probe a killed relocate left here goes first (once per volume and process, like the question).
  sweepProbeLeftovers(dir);
  const probe = path.join(dir, `.relocate-probe-${process.pid}-${randomBytes(3).toString('hex')}`);
  let made = false;
  let answer = strict;
  try {
    closeSync(openSync(probe, 'wx', 0o600));
    made = true;
    answer = ask(probe);
  } catch {
    answer = strict;
  } finally {
    if (made) {
      try {
        unlinkSync(probe);
      } catch {
        // An empty probe file left behind is harmless; the answer stands.
      }
    }
  }
  known.set(dev, answer);
  return answer;
}
