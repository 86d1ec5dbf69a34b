// Everything the bench creates outside the repository is registered here and
// undone on every way out: normal end, an exception, Ctrl-C (SIGINT),
// SIGTERM and SIGHUP. tmpfs mounts are always unmounted (lazily if busy).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PREFIX = 'relocate-bench-';
const tasks = [];
let installed = false;
let cleaned = false;
/** The command the bench is waiting for (its own process group), ended first on the way out. */
let running;

export function setRunningChild(child) {
  running = child;
}

function stopRunningChild() {
  const child = running;
  running = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

function runAll() {
  if (cleaned) return;
  cleaned = true;
  stopRunningChild();
  for (const t of tasks.splice(0).reverse()) {
    try {
      t();
    } catch (err) {
      process.stderr.write(`bench: cleanup step failed: ${err.message}\n`);
    }
  }
}

function install() {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, cleaning up (unmounting tmpfs, removing temporary folders)\n`);
      runAll();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
  process.on('uncaughtException', (err) => {
    process.stderr.write(`bench: ${err.stack ?? err}\n`);
    runAll();
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    process.stderr.write(`bench: ${err?.stack ?? err}\n`);
    runAll();
    process.exit(1);
  });
}

/** Registers an undo step (run last-in, first-out). */
export function onCleanup(fn) {
  install();
  tasks.push(fn);
}

export function cleanupNow() {
  runAll();
}

/** A fresh temporary folder, removed at the end. */
export function tempDir(label) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${label}-`));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function unmount(dir) {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  }
}

/** Why tmpfs mounts cannot be used here, or undefined when they can. */
export function tmpfsUnavailable() {
  if (process.platform !== 'linux') return `tmpfs mounts need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting tmpfs needs root (run the bench as root, as CI does)';
  return undefined;
}

/** Mounts a tmpfs of `sizeMiB` on a new temporary folder; unmounted and removed at the end. */
export function mountTmpfs(label, sizeMiB) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${label}-`));
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0755`, 'tmpfs', dir]);
  onCleanup(() => {
    unmount(dir);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Unmounts tmpfs left by an earlier bench that was killed with SIGKILL (which no handler sees). */
export function unmountLeftovers() {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return [];
  const base = os.tmpdir();
  const found = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter(([, point, type]) => type === 'tmpfs' && point && path.dirname(point) === base && path.basename(point).startsWith(PREFIX))
    .map(([, point]) => point);
  for (const p of found) {
    unmount(p);
    rmSync(p, { recursive: true, force: true });
  }
  return found;
}
