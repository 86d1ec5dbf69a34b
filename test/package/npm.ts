import { spawn } from 'node:child_process';

/**
 * Runs npm for the package tests. npm is the one on PATH, as a user's
 * shell would find it. On Windows it is npm.cmd, which Node runs only
 * through a shell, so there the arguments are quoted for cmd.exe.
 */

export interface NpmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** One file of `npm pack --json`: its path in the package and its mode. */
export interface PackedFile {
  path: string;
  size: number;
  mode: number;
}

/** What `npm pack --json` says about the package it made (or would make, with --dry-run). */
export interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: PackedFile[];
}

/**
 * The environment for npm: this process's, less what `npm test` or `npx
 * vitest` exported about the calling project (npm_package_*, the lifecycle,
 * npm_command, npm_execpath). The npm run by a test should see what a
 * user's shell has, so the user's npm configuration (npm_config_*:
 * registry, proxy, CA file) stays.
 */
function npmEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_(?!config_)/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

const quoteForCmd = (a: string): string => (/^[\w@:/\\.=+,-]+$/.test(a) ? a : `"${a.replace(/"/g, '""')}"`);

/** Runs `npm ...args` in `cwd`; never throws for a non-zero exit, only when npm cannot be started or runs past `timeoutMs`. */
export function runNpm(args: string[], opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<NpmResult> {
  const win = process.platform === 'win32';
  const [cmd, cmdArgs] = win ? [['npm', ...args].map(quoteForCmd).join(' '), []] : ['npm', args];
  const timeoutMs = opts.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, cmdArgs, { cwd: opts.cwd, env: npmEnv(opts.env ?? {}), shell: win, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm ${args.join(' ')} ran over ${timeoutMs} ms; its output so far:\n${stdout}\n${stderr}`));
    }, timeoutMs);
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

/**
 * `npm pack --json --ignore-scripts` in `dir`, the tarball written to
 * `destination`, or only listed with `dryRun`. --ignore-scripts always:
 * without it npm pack runs `prepare`, a full rebuild of dist/, under the
 * other test files that run the built CLI at the same time.
 */
export async function npmPack(dir: string, opts: { destination: string; dryRun: boolean }): Promise<PackResult> {
  const args = ['pack', '--json', '--ignore-scripts', '--pack-destination', opts.destination, ...(opts.dryRun ? ['--dry-run'] : [])];
  const r = await runNpm(args, { cwd: dir });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} in ${dir} exited with ${r.status}:\n${r.stderr}`);
  const [result] = JSON.parse(r.stdout) as PackResult[];
  if (!result) throw new Error(`npm pack --json printed no package:\n${r.stdout}`);
  return result;
}
