import { RelocateError } from '../../core/errors.js';
import { ACTION_TRAITS } from '../../plan/actions.js';
import { planJson } from '../../render/plan-json.js';
import { buildPlan } from '../build-plan.js';
import type { CliIO } from '../io.js';
import { displayPath, findManifest } from '../manifest-path.js';
import { parseCommandArgs } from '../options.js';
import { statusProblems } from '../../usecase/status-problems.js';

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
      for (const f of p.findings)
        io.out(`  ${f.severity === 'error' ? io.color.red(`${f.severity} ${f.code}`) : io.color.yellow(`${f.severity} ${f.code}`)}: ${f.message}`);
    }
    return 0;
  }
  const entries = new Set(problems.flatMap((x) => ('link' in x ? [x.link] : [])));
  io.out(
    `${io.color.yellow('Drift')}: ${entries.size} of ${plan.entries.filter((p) => p.action !== 'skip').length} entries of ${label} differ from the disk${unfinished ? `, and run ${unfinished.id} is unfinished` : ''}.`,
  );
  for (const x of problems) {
    const mark = x.kind === 'differs' ? ACTION_TRAITS[x.action].symbol : '!';
    io.out(`  ${mark} ${'link' in x ? `${x.link}: ` : ''}${x.message}`);
  }
  io.out(
    unfinished
      ? 'Deal with the unfinished run first (`relocate resume` or `relocate rollback`), then `relocate plan`.'
      : 'Run `relocate plan` for details, `relocate apply` to converge.',
  );
  return 2;
}
