import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tmpfsReason } from './tmpfs.js';

/**
 * Mounts made at chosen folders inside a test's own temporary tree (a small
 * tmpfs, a bind mount, a proc instance), so a tree can hold another volume
 * the way a user's folder can. Needs root, like `mountTmpfs` (guard with
 * `tmpfsReason()`). `unmountAll` in teardown (afterEach/finally), innermost
 * first, even when a test failed.
 */
export class Mounts {
  private readonly points: string[] = [];

  /** A fresh tmpfs of `sizeMiB` at `dir` (made if missing). */
  tmpfs(dir: string, sizeMiB = 4): string {
    mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0755`, 'tmpfs', dir]);
    this.points.push(dir);
    return dir;
  }

  /** `from` bind-mounted at `dir`: the same device, so only the mount table tells. */
  bind(from: string, dir: string): string {
    mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['--bind', from, dir]);
    this.points.push(dir);
    return dir;
  }

  /** A proc instance at `dir`: a kernel pseudo file system inside the test's tree. */
  proc(dir: string): string {
    mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'proc', 'proc', dir]);
    this.points.push(dir);
    return dir;
  }

  /**
   * Unmounts everything this made, newest first (lazily when busy), then
   * anything still mounted under `roots` (a mount a rename carried
   * elsewhere in the tree). Never throws.
   */
  unmountAll(...roots: string[]): void {
    const under: string[] = [];
    for (const r of roots) {
      let real = r;
      try {
        real = realpathSync(r);
      } catch {
        continue;
      }
      for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
        const point = line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
        if (point && point.startsWith(`${real}/`)) under.push(point);
      }
    }
    for (const p of [...this.points.splice(0).reverse(), ...under.sort().reverse()]) {
      try {
        execFileSync('umount', [p], { stdio: 'ignore' });
      } catch {
        try {
          execFileSync('umount', ['-l', p], { stdio: 'ignore' });
        } catch {
          // Already gone (a test unmounted it, or its folder moved with a rename and was unmounted there).
        }
      }
    }
  }
}

let procReason: string | undefined | null = null;

/**
 * Why a proc instance cannot be mounted here (tmpfs mounts impossible, or
 * a container whose /proc is masked: the kernel then refuses a new proc
 * mount even to root), or undefined when it can. Probed once, by mounting
 * one in a temporary folder and unmounting it at once.
 */
export function procMountReason(): string | undefined {
  if (procReason !== null) return procReason;
  procReason = tmpfsReason();
  if (procReason) return procReason;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-procprobe-'));
  try {
    execFileSync('mount', ['-t', 'proc', 'proc', dir], { stdio: 'pipe' });
    execFileSync('umount', [dir]);
  } catch (err) {
    procReason = `a proc instance cannot be mounted here (${String((err as Error).message).split('\n')[0]})`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return procReason;
}
