import { RelocateError } from '../../core/errors.js';
import type { RunRecord } from '../../journal/types.js';
import type { Plan } from '../../plan/types.js';
import { planJson } from '../../render/plan-json.js';
import { buildPlan } from '../build-plan.js';
import type { CliIO } from '../io.js';
import { displayPath, findManifest } from '../manifest-path.js';
import { parseCommandArgs } from '../options.js';

const SYMBOL: Record<string, string> = { link: '+', create: '+', move: '>', retarget: '>', relink: '~', backup: '>', merge: '>', restore: '>', remove: '-', conflict: '!' };

/**
 * One reason `status` is not "in sync". `kind`:
 * - `unfinished-run`: a run a crash, a kill or --no-rollback left unfinished
 *   (the disk is half-way; `resume` or `rollback` deals with it);
 * - `differs`: the entry is not as the manifest says (its `action` is what
 *   apply would do; a conflict included);
 * - `target-missing`: the link is right but its target is gone (a broken link);
 * - `link-loop`: the link is right but leads back through links to itself.
 */
export interface StatusProblem {
  kind: 'unfinished-run' | 'differs' | 'target-missing' | 'link-loop';
  message: string;
  link?: string;
  action?: string;
  run?: string;
}

/** Every reason the disk is not as the manifest says; empty means in sync. */
export function statusProblems(plan: Plan, unfinished: RunRecord | undefined): StatusProblem[] {
  const out: StatusProblem[] = [];
  if (unfinished) {
    out.push({ kind: 'unfinished-run', run: unfinished.id, message: `run ${unfinished.id} (started ${unfinished.startedAt}) did not finish (${unfinished.status}); \`relocate resume\` finishes it, \`relocate rollback\` undoes it` });
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

/**
 * `relocate status`: a drift check for scripts, CI, Intune and Ansible,
 * which trust its exit code. 0 only when every entry is as the manifest
 * says and works: 2 (drift) for an entry that differs (conflicts included),
 * a link whose target is missing, a link that loops, and an unfinished run;
 * 1 only when relocate itself cannot answer (bad manifest, unreadable disk).
 */
export async function statusCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('status', argv);
  if (positionals.length > 1) throw new RelocateError('E_USAGE', 'status takes one manifest', { hint: 'see `relocate status --help`' });
  const file = findManifest(positionals[0], io.cwd);
  const { plan, unfinished, surroundings, observations } = await buildPlan(file, io, values['state-dir']);
  const problems = statusProblems(plan, unfinished);
  const drift = problems.length > 0;
  if (io.json) {
    io.out(JSON.stringify({ ...planJson(plan, file, surroundings, observations), inSync: !drift, problems }, null, 2));
    return drift ? 2 : 0;
  }
  const label = displayPath(file, io.cwd);
  if (!drift) {
    const n = plan.entries.filter((p) => p.action === 'none').length;
    io.out(`${io.color.green('In sync')}: ${n} link${n === 1 ? '' : 's'} of ${label} match the disk.`);
    for (const p of plan.entries) {
      for (const f of p.findings) io.out(`  ${f.severity === 'error' ? io.color.red(`${f.severity} ${f.code}`) : io.color.yellow(`${f.severity} ${f.code}`)}: ${f.message}`);
    }
    return 0;
  }
  const entries = new Set(problems.flatMap((x) => (x.link ? [x.link] : [])));
  io.out(`${io.color.yellow('Drift')}: ${entries.size} of ${plan.entries.filter((p) => p.action !== 'skip').length} entries of ${label} differ from the disk${unfinished ? `, and run ${unfinished.id} is unfinished` : ''}.`);
  for (const x of problems) {
    const mark = x.kind === 'differs' ? (SYMBOL[x.action ?? ''] ?? '?') : '!';
    io.out(`  ${mark} ${x.link ? `${x.link}: ` : ''}${x.message}`);
  }
  io.out(unfinished ? 'Deal with the unfinished run first (`relocate resume` or `relocate rollback`), then `relocate plan`.' : 'Run `relocate plan` for details, `relocate apply` to converge.');
  return 2;
}
