import type { ErrorCode, WarningCode } from '../core/codes.js';
import { isCode } from '../core/codes.js';
import { bool, count, type Decoder, DecodeError, dict, list, num, obj, oneOf, opt, str, tagged } from '../core/decode.js';
import type { PathStyle } from '../core/paths.js';
import type { TreeComparison } from '../state/types.js';
import type { Finding, MoveSpec, Plan, PlannedEntry, PlanSummary } from './types.js';
import { ACTIONS } from './actions.js';

/**
 * The decoder of a plan read back from a file: `plan --out`'s saved plan,
 * and the plan inside a run's record (run.json). Pure: it checks a parsed
 * value, it reads nothing.
 */


const code = <C extends ErrorCode | WarningCode>(prefix: 'E_' | 'W_'): Decoder<C> => (v, at) => {
  const s = str(v, at);
  // A code this version does not know (a newer relocate's) is shown as it is; only its kind must be right.
  if (!s.startsWith(prefix) || (!isCode(s) && !/^[EW]_[A-Z0-9_]+$/.test(s))) throw new DecodeError(at, `a ${prefix} code, found '${s}'`);
  return s as C;
};

const findingRest = { message: str, path: opt(str), hint: opt(str) };
const finding: Decoder<Finding> = tagged<Finding>('severity', {
  error: obj<Extract<Finding, { severity: 'error' }>>({ severity: oneOf('error'), code: code('E_'), ...findingRest }),
  warning: obj<Extract<Finding, { severity: 'warning' }>>({ severity: oneOf('warning'), code: code('W_'), ...findingRest }),
});

const style = obj<PathStyle>({ flavour: oneOf('win32', 'posix'), caseInsensitive: bool });

const move = obj<MoveSpec>({
  from: str,
  to: str,
  crossVolume: bool,
  bytes: num,
  files: num,
  measured: opt(oneOf(false)),
  sharedOutside: opt(obj<{ files: number; bytes: number }>({ files: num, bytes: num })),
  allocated: opt(num),
  onTarget: opt(num),
  durableBy: opt(str),
});

const comparison = obj<TreeComparison>({ onlyAtLink: list(str), onlyAtTarget: list(str), differ: list(str), identical: list(str), truncated: opt(bool) });

const linkType = oneOf('junction', 'symlink', 'hardlink');

const retargetMode = oneOf('move', 'relink');

/** One entry; a missing `retargetMode` is filled in by decodePlan. */
const entry = obj<PlannedEntry>({
  order: count,
  index: count,
  link: str,
  target: str,
  type: linkType,
  declaredType: oneOf('auto', 'junction', 'symlink', 'hardlink'),
  state: oneOf('present', 'absent'),
  conflictStrategy: oneOf('fail', 'backup', 'merge'),
  retargetMode: (v, at) => (v === undefined ? 'relink' : retargetMode(v, at)),
  action: oneOf(...ACTIONS),
  reason: str,
  move: opt(move),
  oldTarget: opt(str),
  replacesIdentical: opt(bool),
  removes: opt(str),
  createsTarget: opt(bool),
  comparison: opt(comparison),
  findings: list(finding),
  style,
  source: obj<PlannedEntry['source']>({ file: str, line: num, col: num }),
  glob: opt(obj<{ pattern: string; name: string }>({ pattern: str, name: str })),
});

const summary = obj<PlanSummary>({ actions: dict(count), bytesToMove: num, bytesAcrossVolumes: num, conflicts: count, errors: count, warnings: count });

/**
 * A plan of format 1, from a saved plan or a run's record. Plans made
 * before the manifest's `retarget:` (2026-12-05, the same 0.1.0 version
 * number) have no `retargetMode`: they were planned when every entry
 * relinked, and read as 'relink' (the value is filled in, so the executor
 * and a saved plan's freshness check see what was planned).
 */
const formatOne = obj<Plan>({
  formatVersion: oneOf(1),
  manifest: obj<Plan['manifest']>({ path: str, hash: str }),
  os: oneOf('win32', 'linux', 'darwin'),
  toolVersion: str,
  entries: list(entry),
  findings: list(finding),
  summary,
  blocked: bool,
  fingerprint: str,
});

export const decodePlan: Decoder<Plan> = (v, at) => {
  const p = formatOne(v, at);
  for (const e of p.entries) e.retargetMode ??= 'relink';
  return p;
};
