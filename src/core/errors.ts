import type { ErrorCode, WarningCode } from './codes.js';

/** The codes of errors; every code and what it means is in codes.ts (one registry). */
export type { ErrorCode, WarningCode } from './codes.js';

/**
 * A problem found in a manifest, tied to its source position.
 * Invariant: `line` and `col` are 1-based and point into `file` when both are set.
 */
export interface Diagnostic {
  severity: 'error' | 'warning';
  code: ErrorCode | WarningCode;
  message: string;
  file?: string;
  line?: number;
  col?: number;
  /** The filesystem path the problem is about, when there is one. */
  path?: string;
  /** What the user can do about it. */
  hint?: string;
}

/**
 * The first error among diagnostics that failed a check. A failed check
 * always names one, so its absence is relocate's own bug, said as such.
 */
export function firstError(ds: readonly Diagnostic[]): Diagnostic {
  const e = ds.find((d) => d.severity === 'error');
  if (!e) throw new RelocateError('E_INTERNAL', 'a check failed without naming an error', { hint: 'report this with --verbose output' });
  return e;
}

/**
 * The one error class users see. `code` is stable; `message` is for people;
 * `hint` says what to do next. Never shown with a stack unless --verbose.
 */
export class RelocateError extends Error {
  readonly code: ErrorCode;
  readonly path?: string;
  readonly hint?: string;
  readonly diagnostics?: Diagnostic[];
  /** E_IN_USE: the programs holding the path, as `name (pid n)`, for progress reports (`--progress json`) and the GUI. */
  readonly programs?: string[];

  constructor(code: ErrorCode, message: string, opts: { path?: string; hint?: string; cause?: unknown; diagnostics?: Diagnostic[]; programs?: string[] } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'RelocateError';
    this.code = code;
    if (opts.path !== undefined) this.path = opts.path;
    if (opts.hint !== undefined) this.hint = opts.hint;
    if (opts.diagnostics !== undefined) this.diagnostics = opts.diagnostics;
    if (opts.programs !== undefined) this.programs = opts.programs;
  }
}
