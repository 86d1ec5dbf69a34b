import { RelocateError } from '../core/errors.js';
import { isInside, samePath } from '../core/paths.js';
import { moveOf } from '../plan/actions.js';
import type { Plan } from '../plan/types.js';

/**
 * Refuses (E_OUT_INSIDE_MOVE) to save a plan inside a folder the plan
 * moves: writing it would change that folder, so the plan would be stale
 * before anyone applied it (and the file would travel with the data).
 * `out` is the path as given, `resolvedOut` the same with its folder's
 * links resolved (the platform's realPathForWrite); both are checked, so a
 * link to the moved folder does not hide it.
 */
export function refuseOutInsideMove(plan: Plan, out: string, resolvedOut: string): void {
  const candidates = [out, resolvedOut];
  for (const p of plan.entries) {
    // A merge's move is from its link path, as every move's is from the data it takes.
    const from = moveOf(p)?.from;
    if (from !== undefined) {
      if (candidates.some((c) => samePath(c, from, p.style) || isInside(c, from, p.style))) {
        throw new RelocateError(
          'E_OUT_INSIDE_MOVE',
          `cannot save the plan to ${out}: it is inside ${from}, which this plan moves (${p.action}); nothing was written`,
          {
            path: out,
            hint: 'save the plan outside every folder it moves, e.g. `--out ~/relocate-plan.json`',
          },
        );
      }
    }
  }
}
