import { RelocateError } from '../core/errors.js';
import type { PathStyle } from '../core/paths.js';
import type { FsPort } from './fs-port.js';

/**
 * What every step operation works with: the disk, through the port, and
 * the path style of the plan the steps were compiled from (its `os`, as
 * compile.ts and guard.ts take it), never the host's: a plan's paths are
 * compared and joined the way its own OS spells them.
 */
export interface StepContext {
  fs: FsPort;
  style: PathStyle;
}

/** The refusal of a step whose paths are not what the plan expected: nothing was done. */
export function refuse(code: 'E_NOT_A_LINK' | 'E_MISSING' | 'E_INCONSISTENT', message: string, path: string, hint: string): never {
  throw new RelocateError(code, message, { path, hint });
}
