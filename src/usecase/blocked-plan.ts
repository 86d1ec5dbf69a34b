import type { ErrorCode } from '../core/codes.js';
import type { Finding, Plan } from '../plan/types.js';

/**
 * Why apply refuses a blocked plan, as `--json`'s `error` member. The
 * member order is the document's (code, message, path, hint). Invariant:
 * `message` ends in "; nothing was changed" (a blocked plan is refused
 * before any step), and `path` is the entry's link, the finding's path or
 * the manifest (or saved plan) file.
 */
export interface BlockedPlanError {
  code: ErrorCode;
  message: string;
  path: string;
  hint: string;
}

/**
 * Why a blocked plan is refused: E_CONFLICT for a conflicting entry, else
 * the code of the first failed check (E_NO_SPACE, E_HARDLINK_DIR,
 * E_CROSS_VOLUME, ...), plan-wide findings before the entries', so scripts
 * see the real reason. `file` is the manifest or saved plan apply was given.
 */
export function blockedPlanError(plan: Plan, file: string): BlockedPlanError {
  const conflict = plan.entries.find((p) => p.action === 'conflict');
  if (conflict)
    return {
      code: 'E_CONFLICT',
      message: `${conflict.link}: ${conflict.reason}; nothing was changed`,
      path: conflict.link,
      hint: 'resolve it (see `relocate plan`)',
    };
  const finding = [...plan.findings, ...plan.entries.flatMap((p) => p.findings)].find(
    (f): f is Extract<Finding, { severity: 'error' }> => f.severity === 'error',
  );
  if (finding)
    return { code: finding.code, message: `${finding.message}; nothing was changed`, path: finding.path ?? file, hint: finding.hint ?? 'see `relocate plan`' };
  return {
    code: 'E_CONFLICT',
    message: 'the plan has conflicts or failed checks; nothing was changed',
    path: file,
    hint: 'resolve them (see `relocate plan`)',
  };
}
