// The release scripts' one error type, shaped like the CLI's RelocateError
// (src/core/errors.ts): a stable code scripts can match, the path it is about,
// and a hint saying what to do next. The scripts print it and exit 1 having
// written nothing; a stack trace is for bugs, not for a missing zip.

/**
 * Stable codes of the release scripts. A code keeps its meaning once
 * released; add new ones, never rename one.
 * E_WRITE alone means writing had started: the output may be incomplete.
 * @typedef {'E_USAGE' | 'E_NOT_FOUND' | 'E_ZIP_NAME' | 'E_NOT_ZIP' | 'E_ZIP_CONTENTS' | 'E_VERSION_MISMATCH'
 *   | 'E_PACKAGE_JSON' | 'E_RULES' | 'E_CHECKSUM' | 'E_DUPLICATE' | 'E_OUT_NOT_EMPTY' | 'E_WRITE'} ReleaseErrorCode
 */

/** A problem a person can fix: what (code, message), where (path), what to do (hint). */
export class ReleaseError extends Error {
  /**
   * @param {ReleaseErrorCode} code
   * @param {string} message for people: what is wrong
   * @param {{ path?: string, hint?: string, cause?: unknown }} [opts]
   */
  constructor(code, message, opts = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ReleaseError';
    /** @type {ReleaseErrorCode} */
    this.code = code;
    /** @type {string | undefined} */
    this.path = opts.path;
    /** @type {string | undefined} */
    this.hint = opts.hint;
  }
}

/**
 * Formats an error the way the CLI does (`<path> <CODE> message`, then
 * `  hint: …`), ending with "nothing was written" (E_WRITE: "the output may
 * be incomplete", since writing had started); anything that is not a
 * ReleaseError is a bug and keeps its stack.
 * @param {string} script the script's name, shown when the error has no path
 * @param {unknown} err
 * @returns {string}
 */
export function formatReleaseError(script, err) {
  if (!(err instanceof ReleaseError)) {
    return `${script}: unexpected error (a bug; please report it):\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`;
  }
  const lines = [`${err.path ?? script} ${err.code} ${err.message}`];
  if (err.hint) lines.push(`  hint: ${err.hint}`);
  lines.push(err.code === 'E_WRITE' ? `${script}: the output may be incomplete; remove it before running again.` : `${script}: nothing was written.`);
  return `${lines.join('\n')}\n`;
}
