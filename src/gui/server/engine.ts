import type { ApiError } from '../api-types.js';
import { runChild, type ChildResult, type RunningChild } from '../../platform/self-command.js';

/**
 * How the GUI's server reaches relocate's engine: by running relocate's own
 * CLI as a child process with `--json` (the same executable: see
 * src/platform/self-command.ts), with the GUI's state folder, and reading
 * its one JSON document. The server never implements a rule of relocate:
 * whatever a command decides (a refusal, a plan, a run's result) is passed
 * through as the command said it.
 */

/** The fixed parts of every engine call. Invariant: `command` starts this same relocate; `stateDir`, when set, is passed to every command. */
export interface EngineConfig {
  command: readonly string[];
  stateDir?: string;
  env: Record<string, string | undefined>;
  cwd: string;
}

/**
 * One command's answer. `json` is its stdout parsed (undefined when it
 * printed no JSON: a crash); `error` is set exactly when the command
 * refused or failed with the CLI's error document (`{ error: {…} }`, or a
 * run's result with `error`), word for word.
 */
export interface EngineAnswer {
  code: number | null;
  json: Record<string, unknown> | undefined;
  error: ApiError | undefined;
  stderr: string;
}

/** The CLI's error object as an ApiError (code, message, path, hint), or undefined when `value` is not one. */
export function apiErrorOf(value: unknown): ApiError | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Record<string, unknown>;
  if (typeof e.code !== 'string' || typeof e.message !== 'string') return undefined;
  return { code: e.code, message: e.message, path: typeof e.path === 'string' ? e.path : null, hint: typeof e.hint === 'string' ? e.hint : null };
}

/** Reads a finished child's answer (see EngineAnswer). */
export function engineAnswer(r: ChildResult): EngineAnswer {
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(r.stdout);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  let error = json ? apiErrorOf(json.error) : undefined;
  if (!json && r.code !== 0) {
    const last = r.stderr.trim().split('\n').slice(-3).join(' ');
    error = {
      code: 'E_INTERNAL',
      message: `relocate ended without an answer (exit ${r.code ?? r.signal ?? 'unknown'})${last ? `: ${last}` : ''}`,
      path: null,
      hint: 'run the same command in a terminal with --verbose to see why',
    };
  }
  return { code: r.code, json, error, stderr: r.stderr };
}

/** The environment of every engine child: the server's own, without colour codes. */
function childEnv(config: EngineConfig): Record<string, string | undefined> {
  return { ...config.env, NO_COLOR: '1' };
}

/** The full command line for `args` (a relocate command and its arguments): `--json` and the state folder added. */
export function engineArgs(config: EngineConfig, args: readonly string[]): string[] {
  return [...config.command, ...args, '--json', ...(config.stateDir !== undefined ? ['--state-dir', config.stateDir] : [])];
}

/** Runs one relocate command to its end and reads its answer. */
export async function runEngine(config: EngineConfig, args: readonly string[]): Promise<EngineAnswer> {
  const child = runChild(engineArgs(config, args), { env: childEnv(config), cwd: config.cwd });
  return engineAnswer(await child.done);
}

/** Starts a long relocate command (apply, rollback) whose stderr lines are reported as they come (`--progress json`). */
export function startEngine(config: EngineConfig, args: readonly string[], onStderrLine: (line: string) => void): RunningChild {
  return runChild(engineArgs(config, args), { env: childEnv(config), cwd: config.cwd, onStderrLine, stopByStdin: true });
}
