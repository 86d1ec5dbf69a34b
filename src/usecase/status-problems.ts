import type { RunRecord } from '../journal/types.js';
import type { Action, Plan } from '../plan/types.js';

/**
 * One reason `status` is not "in sync", one shape per kind (the member
 * order is `status --json`'s):
 * - `unfinished-run`: a run a crash, a kill or --no-rollback left unfinished
 *   (the disk is half-way; `resume` or `rollback` deals with it);
 * - `differs`: the entry is not as the manifest says (its `action` is what
 *   apply would do, never none or skip; a conflict included);
 * - `target-missing`: the link is right but its target is gone (a broken link);
 * - `link-loop`: the link is right but leads back through links to itself.
 */
export type StatusProblem =
  | { kind: 'unfinished-run'; run: string; message: string }
  | { kind: 'differs'; link: string; action: Action; message: string }
  | { kind: 'target-missing' | 'link-loop'; link: string; message: string };

/** Every reason the disk is not as the manifest says, the unfinished run first; empty means in sync (`status` exits 0 exactly then). */
export function statusProblems(plan: Plan, unfinished: RunRecord | undefined): StatusProblem[] {
  const out: StatusProblem[] = [];
  if (unfinished) {
    out.push({
      kind: 'unfinished-run',
      run: unfinished.id,
      message: `run ${unfinished.id} (started ${unfinished.startedAt}) did not finish (${unfinished.status}); \`relocate resume\` finishes it, \`relocate rollback\` undoes it`,
    });
  }
  for (const p of plan.entries) {
    if (p.action === 'skip') continue;
    if (p.action !== 'none') {
      out.push({ kind: 'differs', link: p.link, action: p.action, message: p.reason });
      continue;
    }
    for (const f of p.findings) {
      if (f.code === 'W_TARGET_MISSING') out.push({ kind: 'target-missing', link: p.link, message: f.message });
      else if (f.code === 'W_LINK_LOOP') out.push({ kind: 'link-loop', link: p.link, message: f.message });
    }
  }
  return out;
}
