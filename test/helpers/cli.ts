import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/helpers/cli.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The built CLI entry point, as `npm run build` leaves it. */
export const CLI_BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A single executable the CLI tests run instead of `node dist/cli/bin.js`
 * (absolute path), from RELOCATE_TEST_CLI: vitest.config.ts's `linux-exe`
 * project runs test/cli through relocate's Linux executable this way, and
 * the GitHub workflow the junction tests through relocate.exe.
 */
export const TEST_EXE = process.env.RELOCATE_TEST_CLI ? path.resolve(process.env.RELOCATE_TEST_CLI) : undefined;

/** Throws a clear error when the CLI has not been built: tests through the CLI need `npm run build` first. */
export function requireBuiltCli(): string {
  if (TEST_EXE !== undefined) {
    if (!existsSync(TEST_EXE)) throw new Error(`RELOCATE_TEST_CLI names ${TEST_EXE}, which does not exist: run \`npm run build:exe\``);
    return TEST_EXE;
  }
  if (!existsSync(CLI_BIN)) {
    throw new Error(`the built CLI is missing (${CLI_BIN}): run \`npm run build\` before these tests`);
  }
  const stale = staleAgainstSource(CLI_BIN);
  if (stale) throw new Error(`the built CLI (${CLI_BIN}) is older than ${stale}: run \`npm run build\` (a test of an old bundle tests old code)`);
  return CLI_BIN;
}

let newestSource: { file: string; mtimeMs: number } | null | undefined;

/** Written again by every `npm run build` (from schema/ and src/gui/web, which are sources themselves): not a sign of a stale bundle. */
const GENERATED = new Set([path.join(REPO_ROOT, 'src', 'manifest', 'generated'), path.join(REPO_ROOT, 'src', 'gui', 'generated')]);

/** The most recently changed .ts file under src/ (read once per test process). */
function newestSourceFile(): { file: string; mtimeMs: number } | null {
  if (newestSource !== undefined) return newestSource;
  let best: { file: string; mtimeMs: number } | null = null;
  const walk = (dir: string) => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) {
        if (!GENERATED.has(p)) walk(p);
      } else if (d.name.endsWith('.ts')) {
        const m = statSync(p).mtimeMs;
        if (!best || m > best.mtimeMs) best = { file: p, mtimeMs: m };
      }
    }
  };
  walk(path.join(REPO_ROOT, 'src'));
  return (newestSource = best);
}

/** The source file `built` is older than (it was built before that file last changed), or undefined when it is current. */
export function staleAgainstSource(built: string): string | undefined {
  const src = newestSourceFile();
  return src && statSync(built).mtimeMs < src.mtimeMs ? path.relative(REPO_ROOT, src.file) : undefined;
}

/** The command line that runs the CLI with `args`: [program, ...arguments]. */
export function cliCommand(args: string[]): [string, ...string[]] {
  const bin = requireBuiltCli();
  return TEST_EXE !== undefined ? [bin, ...args] : [process.execPath, bin, ...args];
}

/**
 * Runs the built CLI (`node dist/cli/bin.js ...args`, or RELOCATE_TEST_CLI) and returns its exit
 * status and output. The environment is this process's, plus NO_COLOR=1,
 * plus `opts.env` (which wins). Never throws for a non-zero exit.
 */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const [cmd, ...cmdArgs] = cliCommand(args);
  const res = spawnSync(cmd, cmdArgs, {
    cwd: opts.cwd ?? process.cwd(),
    env: cliEnv(opts.env),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (res.error) throw res.error;
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/**
 * runCli without blocking, so many runs can go at once (`describe.concurrent`).
 * `wrapper` runs the CLI under another command (e.g. setpriv with its arguments).
 */
export function runCliAsync(args: string[], opts: { cwd?: string; env?: Record<string, string>; wrapper?: string[] } = {}): Promise<CliResult> {
  const [cmd, ...cmdArgs] = [...(opts.wrapper ?? []), ...cliCommand(args)];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, cmdArgs, { cwd: opts.cwd ?? process.cwd(), env: cliEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function cliEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: '1', ...extra };
}
