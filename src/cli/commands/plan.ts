import path from 'node:path';
import { RelocateError } from '../../core/errors.js';
import { isInside, samePath } from '../../core/paths.js';
import { hasChanges } from '../../plan/planner.js';
import type { Plan } from '../../plan/types.js';
import { realPathForWrite } from '../../platform/exists.js';
import { writeFileAtomic } from '../../platform/write-file.js';
import { planJson } from '../../render/plan-json.js';
import { renderPlan } from '../../render/plan-text.js';
import { buildPlan } from '../build-plan.js';
import type { CliIO } from '../io.js';
import { displayPath, findManifest } from '../manifest-path.js';
import { parseCommandArgs } from '../options.js';

/**
 * A plan saved inside a folder the plan moves would change that folder as
 * it is written, so the plan would be stale before anyone applied it (and
 * the file would travel with the data). Checked on the path as given and
 * with its folder's links resolved.
 */
function refuseOutInsideMove(plan: Plan, out: string): void {
  const candidates = [out, realPathForWrite(out)];
  for (const p of plan.entries) {
    const moved = [...(p.move ? [p.move.from] : []), ...(p.action === 'merge' ? [p.link] : [])];
    for (const from of moved) {
      if (candidates.some((c) => samePath(c, from, p.style) || isInside(c, from, p.style))) {
        throw new RelocateError('E_OUT_INSIDE_MOVE', `cannot save the plan to ${out}: it is inside ${from}, which this plan moves (${p.action}); nothing was written`, {
          path: out,
          hint: 'save the plan outside every folder it moves, e.g. `--out ~/relocate-plan.json`',
        });
      }
    }
  }
}

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
    refuseOutInsideMove(plan, out);
    try {
      await writeFileAtomic(out, JSON.stringify(doc, null, 2) + '\n');
    } catch (err) {
      throw new RelocateError('E_WRITE', `cannot save the plan to ${out}: ${(err as Error).message}`, { path: out, hint: 'choose a writable folder for --out' });
    }
    if (!io.json) io.err(`Plan saved to ${displayPath(out, io.cwd)}; \`relocate apply ${displayPath(out, io.cwd)}\` carries out exactly this plan, refusing if the disk changes first.`);
  }
  if (io.json) io.out(JSON.stringify(doc, null, 2));
  else io.out(renderPlan(plan, { color: io.color, verbose: io.verbose, manifestLabel: displayPath(file, io.cwd) }));
  if (plan.blocked) return 1;
  return hasChanges(plan) ? 2 : 0;
}
