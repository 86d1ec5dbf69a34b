import { RelocateError } from '../../core/errors.js';
import { hasChanges } from '../../plan/planner.js';
import { planJson } from '../../render/plan-json.js';
import { buildPlan } from '../build-plan.js';
import type { CliIO } from '../io.js';
import { displayPath, findManifest } from '../manifest-path.js';
import { parseCommandArgs } from '../options.js';

const SYMBOL: Record<string, string> = { link: '+', create: '+', move: '>', relink: '~', backup: '>', merge: '>', restore: '>', remove: '-', conflict: '!' };

/**
 * `relocate status`: a drift check for scripts. 0 in sync, 2 drift (any
 * entry not as the manifest says, conflicts included: the disk differs),
 * 1 only when relocate itself cannot answer (bad manifest, unreadable disk).
 */
export async function statusCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('status', argv, {});
  if (positionals.length > 1) throw new RelocateError('E_USAGE', 'status takes one manifest', { hint: 'see `relocate status --help`' });
  const file = findManifest(positionals[0], io.cwd);
  const { plan } = await buildPlan(file, io, values['state-dir']);
  const drift = hasChanges(plan);
  if (io.json) {
    io.out(JSON.stringify({ ...planJson(plan, file), inSync: !drift }, null, 2));
    return drift ? 2 : 0;
  }
  const label = displayPath(file, io.cwd);
  const drifted = plan.entries.filter((p) => p.action !== 'none' && p.action !== 'skip');
  if (!drift) {
    const n = plan.entries.filter((p) => p.action === 'none').length;
    io.out(`${io.color.green('In sync')}: ${n} link${n === 1 ? '' : 's'} of ${label} match the disk.`);
    // In sync can still carry warnings (a link to the right target that does not exist): never hidden.
    for (const p of plan.entries) {
      for (const f of p.findings) io.out(`  ${f.severity === 'error' ? io.color.red(`${f.severity} ${f.code}`) : io.color.yellow(`${f.severity} ${f.code}`)}: ${f.message}`);
    }
    return 0;
  }
  io.out(`${io.color.yellow('Drift')}: ${drifted.length} of ${plan.entries.filter((p) => p.action !== 'skip').length} entries of ${label} differ from the disk.`);
  for (const p of drifted) io.out(`  ${SYMBOL[p.action] ?? '?'} ${p.link}: ${p.reason}`);
  io.out('Run `relocate plan` for details, `relocate apply` to converge.');
  return 2;
}
