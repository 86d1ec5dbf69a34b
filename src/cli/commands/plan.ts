import path from 'node:path';
import { RelocateError } from '../../core/errors.js';
import { hasChanges } from '../../plan/planner.js';
import { realPathForWrite } from '../../platform/exists.js';
import { writeFileAtomic } from '../../platform/write-file.js';
import { planJson } from '../../render/plan-json.js';
import { renderPlan } from '../../render/plan-text.js';
import { buildPlan } from '../build-plan.js';
import type { CliIO } from '../io.js';
import { displayPath, findManifest } from '../manifest-path.js';
import { parseCommandArgs } from '../options.js';
import { refuseOutInsideMove } from '../../usecase/plan-out.js';

/** `relocate plan`: 0 nothing to do, 2 changes pending, 1 error or blocking conflict. */
export async function planCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('plan', argv);
  if (positionals.length > 1) throw new RelocateError('E_USAGE', 'plan takes one manifest', { hint: 'see `relocate plan --help`' });
  const file = findManifest(positionals[0], io.cwd);
  const { plan, surroundings, observations } = await buildPlan(file, io, values['state-dir']);
  // The JSON document (a deep copy of the plan) is made only when it is written: a tenth of a 10,000-entry plan's time.
  const doc = typeof values.out === 'string' || io.json ? planJson(plan, file, surroundings, observations) : undefined;
  if (typeof values.out === 'string') {
    const out = path.resolve(io.cwd, values.out);
    refuseOutInsideMove(plan, out, realPathForWrite(out));
    try {
      await writeFileAtomic(out, JSON.stringify(doc, null, 2) + '\n');
    } catch (err) {
      throw new RelocateError('E_WRITE', `cannot save the plan to ${out}: ${(err as Error).message}`, {
        path: out,
        hint: 'choose a writable folder for --out',
      });
    }
    if (!io.json)
      io.err(
        `Plan saved to ${displayPath(out, io.cwd)}; \`relocate apply ${displayPath(out, io.cwd)}\` carries out exactly this plan, refusing if the disk changes first.`,
      );
  }
  if (io.json) io.out(JSON.stringify(doc, null, 2));
  else io.out(renderPlan(plan, { color: io.color, verbose: io.verbose, manifestLabel: displayPath(file, io.cwd) }));
  if (plan.blocked) return 1;
  return hasChanges(plan) ? 2 : 0;
}
