// Timing, peak memory and tool checks for the benchmarks.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { setRunningChild } from './cleanup.mjs';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The last `max` characters of a stream's output, kept as it arrives. */
function tail(stream, max = 16384) {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (d) => {
    text = (text + d).slice(-max);
  });
  return () => text;
}

/**
 * Runs a command in its own process group (so Ctrl-C of the bench can end
 * it and everything it started) and resolves when it ends, with its wall
 * time in ms (spawn to exit) and the tails of its output.
 */
export function run(cmd, args, { env, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env, cwd, detached: true });
    setRunningChild(child);
    const out = tail(child.stdout);
    const err = tail(child.stderr);
    let ms = 0;
    child.on('error', (e) => {
      setRunningChild(undefined);
      reject(e);
    });
    child.on('exit', () => {
      ms = Number(process.hrtime.bigint() - t0) / 1e6;
    });
    child.on('close', (status, signal) => {
      setRunningChild(undefined);
      resolve({ ms, status, signal, stdout: out(), stderr: err() });
    });
  });
}

/**
 * Runs a command to completion and returns its wall time in ms. The exit
 * code must be one of `okCodes`; otherwise the output is shown and it throws.
 */
export async function timeRun(cmd, args, { okCodes = [0], env, cwd } = {}) {
  // Untimed: write back what the previous trial and its cleanup left dirty (a copied tree, a
  // removed one), so no trial's first fsync waits for the journal commit of the one before it.
  // (It does not help against ext4's skipping of recently freed inodes, which lasts ~30 s: the
  // many-links figure sets its links aside instead of deleting them; see manyLinks.)
  spawnSync('sync', { stdio: 'ignore' });
  const r = await run(cmd, args, { env, cwd });
  if (!okCodes.includes(r.status)) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`);
  }
  return r.ms;
}

/** Peak resident set size in MiB of a command, by GNU time's %M (KiB). */
export async function peakRssMiB(cmd, args, { okCodes = [0] } = {}) {
  const r = await run('/usr/bin/time', ['-f', 'RSS_KIB=%M', cmd, ...args]);
  const m = /RSS_KIB=(\d+)/.exec(r.stderr);
  if (!okCodes.includes(r.status) || !m) throw new Error(`/usr/bin/time ${cmd} ${args.join(' ')} exited ${r.status}\n${r.stderr.slice(-3000)}`);
  return Number(m[1]) / 1024;
}

export function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

let aptUpdated = false;
/**
 * Makes sure `cmd` exists, installing the Debian package `pkg` when it does
 * not and we are root with apt-get. Returns undefined when available, else
 * the reason it is not.
 */
export function ensureTool(cmd, pkg, log) {
  if (have(cmd)) return undefined;
  if (process.getuid?.() !== 0 || !have('apt-get')) return `'${cmd}' is missing and cannot be installed here (needs root and apt-get: apt-get install ${pkg})`;
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  log(`installing ${pkg} (apt-get install -y ${pkg})`);
  let r = install();
  if (r.status !== 0 && !aptUpdated) {
    aptUpdated = true;
    spawnSync('apt-get', ['update'], { stdio: 'ignore' });
    r = install();
  }
  return have(cmd) ? undefined : `installing ${pkg} failed: ${String(r.stderr).trim().split('\n').at(-1)}`;
}

function sh(cmd) {
  try {
    return execFileSync('sh', ['-c', cmd], { encoding: 'utf8' }).trim();
  } catch {
    return '(unavailable)';
  }
}

/** The machine, as RESULTS.md records it. */
export function machine() {
  const cpu = (() => {
    try {
      return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? '?';
    } catch {
      return os.cpus()[0]?.model ?? '?';
    }
  })();
  return {
    nproc: sh('nproc'),
    free: sh('free -g'),
    node: process.version,
    kernel: sh('uname -r'),
    os: sh('. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"'),
    cpu,
    tmpFs: sh(`df -T ${os.tmpdir()} | awk 'NR==2 {print $2}'`),
    stow: sh('stow --version 2>/dev/null | head -1'),
  };
}
