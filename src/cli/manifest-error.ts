import { RelocateError, type Diagnostic, type ErrorCode } from '../core/errors.js';
import { countLine } from '../render/diagnostics.js';

/** How many of a manifest's errors the one-line E_INVALID_MANIFEST message names before "and N more". */
const LISTED = 5;

/**
 * The error a command throws for a manifest it cannot use. A manifest that
 * could not be read at all (missing, unreadable, too large, not text) is
 * that problem itself, said plainly ("no manifest at …"), not a list of one
 * diagnostic without a line. Otherwise E_INVALID_MANIFEST names every error
 * with its place, or the first five and how many more, so a script reading
 * only the JSON error sees what is wrong.
 */
export function manifestError(shown: string, file: string, diagnostics: Diagnostic[], opts: { hint: string; why?: string }): RelocateError {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const unreadable = errors.find((d): d is Diagnostic & { code: ErrorCode } => d.line === undefined && d.code.startsWith('E_'));
  if (unreadable) {
    return new RelocateError(unreadable.code, unreadable.message, { path: unreadable.path ?? file, hint: unreadable.hint ?? opts.hint });
  }
  const listed = errors.slice(0, LISTED).map((d) => `${shown}:${d.line}:${d.col ?? 1} ${d.code} ${d.message}`);
  const more = errors.length > LISTED ? `; and ${errors.length - LISTED} more` : '';
  return new RelocateError('E_INVALID_MANIFEST', `${shown} has ${countLine(diagnostics)}${opts.why ? `; ${opts.why}` : ''}: ${listed.join('; ')}${more}`, {
    path: file,
    hint: opts.hint,
    diagnostics,
  });
}
