import type { ErrorCode, WarningCode } from '../core/codes.js';
import { bool, count, type Decoder, DecodeError, dict, list, num, obj, oneOf, opt, type Optional, str, tagged } from '../core/decode.js';
import type { PathStyle } from '../core/paths.js';
import type { TreeComparison } from '../state/types.js';
import type { RetargetMode } from '../manifest/types.js';
import { isBlocked } from './blocked.js';
import type { Action, EntryOf, Finding, MoveSpec, Plan, PlannedEntry, PlanSummary } from './types.js';

/**
 * The decoder of a plan read back from a file: `plan --out`'s saved plan,
 * and the plan inside a run's record (run.json). Pure: it checks a parsed
 * value, it reads nothing.
 */

const code =
  <C extends ErrorCode | WarningCode>(prefix: 'E_' | 'W_'): Decoder<C> =>
  (v, at) => {
    const s = str(v, at);
    // A code this version does not know (an older run's record) is shown as it is; only its kind must be right.
    if (!new RegExp(`^${prefix}[A-Z0-9_]+$`).test(s)) throw new DecodeError(at, `${prefix === 'E_' ? 'an' : 'a'} ${prefix} code, found '${s}'`);
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

/** The fields of every entry; a missing `retargetMode` is filled in by decodePlan. */
const base = {
  order: count,
  index: count,
  link: str,
  target: str,
  type: linkType,
  declaredType: oneOf('auto', 'junction', 'symlink', 'hardlink'),
  state: oneOf('present', 'absent'),
  conflictStrategy: oneOf('fail', 'backup', 'merge'),
  retargetMode: ((v, at) => (v === undefined ? 'relink' : retargetMode(v, at))) as Decoder<RetargetMode>,
  reason: str,
  findings: list(finding),
  style,
  source: obj<PlannedEntry['source']>({ file: str, line: num, col: num }),
  glob: opt(obj<{ pattern: string; name: string }>({ pattern: str, name: str })),
};

/** A field an action's entries never have (`move` on a link, `removes` on a move): present, the plan is not one this version wrote. */
const absent = (action: Action): Optional<never> =>
  opt<never>((_v, at) => {
    throw new DecodeError(at, `no such field on a ${action} entry`);
  });

/**
 * The fields a variant does not carry but a saved entry of it is checked
 * not to have: the decoder's shape only (PlannedEntry's variants do not
 * declare them), so a hand-edited plan with a `move` on a link is refused
 * instead of having a field no reader looks at.
 */
type Refused<K extends 'move' | 'removes'> = { [F in K]?: never };

/** No move and no removes: the variants that carry neither. */
const still = (action: Action) => ({ move: absent(action), removes: absent(action) });
type Still = Refused<'move' | 'removes'>;

/**
 * One entry, decoded by its action: each action's own fields must be
 * there (a move entry without its `move` is refused), and `move` and
 * `removes`, the two that make steps, must not be on an action without
 * them. Other fields a variant does not declare are kept and ignored, as
 * core/decode.ts does everywhere: no reader looks at them without first
 * narrowing on the action.
 */
const entry = tagged<PlannedEntry>('action', {
  none: obj<EntryOf<'none'> & Still>({ ...base, action: oneOf('none'), ...still('none') }),
  link: obj<EntryOf<'link'> & Still>({ ...base, action: oneOf('link'), replacesIdentical: opt(bool), comparison: opt(comparison), ...still('link') }),
  create: obj<EntryOf<'create'> & Still>({ ...base, action: oneOf('create'), createsTarget: oneOf(true), ...still('create') }),
  move: obj<EntryOf<'move'> & Refused<'removes'>>({ ...base, action: oneOf('move'), move, removes: absent('move') }),
  relink: obj<EntryOf<'relink'> & Still>({ ...base, action: oneOf('relink'), oldTarget: str, createsTarget: opt(bool), ...still('relink') }),
  retarget: obj<EntryOf<'retarget'> & Refused<'removes'>>({ ...base, action: oneOf('retarget'), move, oldTarget: str, removes: absent('retarget') }),
  backup: obj<EntryOf<'backup'> & Refused<'removes'>>({ ...base, action: oneOf('backup'), move, removes: absent('backup') }),
  merge: obj<EntryOf<'merge'> & Refused<'removes'>>({ ...base, action: oneOf('merge'), move, comparison, removes: absent('merge') }),
  restore: obj<EntryOf<'restore'>>({ ...base, action: oneOf('restore'), move, removes: opt(str) }),
  remove: obj<EntryOf<'remove'> & Refused<'move'>>({ ...base, action: oneOf('remove'), removes: str, move: absent('remove') }),
  conflict: obj<EntryOf<'conflict'> & Still>({ ...base, action: oneOf('conflict'), comparison: opt(comparison), ...still('conflict') }),
  skip: obj<EntryOf<'skip'> & Still>({ ...base, action: oneOf('skip'), ...still('skip') }),
} satisfies Record<Action, Decoder<PlannedEntry>>);

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
  // apply refuses a blocked plan by this flag alone: it must be what the plan's own conflicts and errors say.
  const blocked = isBlocked(p.entries, p.findings);
  if (p.blocked !== blocked)
    throw new DecodeError(
      at ? `${at}.blocked` : 'blocked',
      `${blocked} (the plan ${blocked ? 'has a conflict or an error' : 'has no conflict and no error'}), found ${p.blocked}`,
    );
  for (const e of p.entries) e.retargetMode ??= 'relink';
  return p;
};
