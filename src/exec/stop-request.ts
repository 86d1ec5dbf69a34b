import { RelocateError } from '../core/errors.js';

/**
 * A request to stop a run, set by the CLI's signal handlers (Ctrl-C,
 * SIGTERM, SIGHUP) and read by the executor between steps — the safe
 * points: a step either has not begun or has finished and is journaled.
 * Invariant: once `signal` is set it never changes.
 */
export interface StopRequest {
  signal?: string;
}

/** The error a run stops with when asked to: it takes the ordinary failure path (rollback unless --no-rollback). */
export function interruptedError(signal: string): RelocateError {
  return new RelocateError('E_INTERRUPTED', `stopped by ${signal} at a safe point between two steps`, {
    hint: 'nothing is half-done: each step before it finished and is journaled',
  });
}

/** Throws E_INTERRUPTED when a stop was asked for. */
export function stopIfAsked(stop: StopRequest | undefined): void {
  if (stop?.signal) throw interruptedError(stop.signal);
}
