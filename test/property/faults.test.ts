/**
 * Issue 6, "prove it never loses data": randomized fault cases, in-process
 * (see fault-cases.ts for what each case does and checks). Two tmpfs
 * volumes are mounted once; each case works in its own folders on them.
 * `STRESS=N` runs N times as many cases; FAULT_SEED and FAULT_PATH replay
 * a failure fast-check printed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountTmpfs, tmpfsReason, type TmpfsMount } from '../helpers/tmpfs.js';
import { faultCaseArb, runFaultCase } from './fault-cases.js';
import { newFigures, printFigures, STRESS } from './harness.js';

const reason = tmpfsReason();
if (reason) console.warn(`property fault tests skipped: ${reason}`);

/** At least 500 fault cases per `npm test` (the floor), split over the parts below. */
const CASES = Number(process.env.FAULT_CASES ?? 520) * STRESS;
const SEED = process.env.FAULT_SEED ? Number(process.env.FAULT_SEED) : undefined;
/** With FAULT_SEED, replays the one case fast-check printed as `path` (FAULT_PATH=1853). */
const PATH = process.env.FAULT_PATH;

const figures = newFigures();
let a: TmpfsMount | undefined;
let b: TmpfsMount | undefined;

describe.skipIf(reason !== undefined)('never loses data: random sandboxes × random manifests × one random fault', () => {
  beforeAll(() => {
    a = mountTmpfs(256, 'prop-a');
    b = mountTmpfs(256, 'prop-b');
  });
  afterAll(() => {
    a?.unmount();
    b?.unmount();
    printFigures('fault cases (in-process, FaultyFs under the guard)', figures);
  });

  it(
    `${CASES} cases: nothing lost, journals consistent, rollback exact, a second plan a no-op`,
    async () => {
      await fc.assert(
        fc.asyncProperty(faultCaseArb(4, 10), async ([c, pick]) => {
          await runFaultCase({ volA: a!.dir, volB: b!.dir, figures }, c, pick);
        }),
        {
          numRuns: CASES,
          ...(SEED !== undefined ? { seed: SEED } : {}),
          ...(PATH !== undefined ? { path: PATH } : {}),
          endOnFailure: process.env.FAULT_SHRINK !== '1',
        },
      );
      expect(figures.dataLost).toBe(0);
      expect(figures.faultsInjected).toBeGreaterThanOrEqual(Math.floor(CASES * 0.9));
    },
    600_000 * STRESS,
  );
});
