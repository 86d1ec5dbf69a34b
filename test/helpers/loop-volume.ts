import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { tmpfsReason } from './tmpfs.js';

/**
 * Small ext4 volumes in loop-mounted image files, for what tmpfs cannot do:
 * inode flags (`chattr +i` / `+a`). Needs root, mkfs.ext4 (e2fsprogs),
 * losetup (mount) and chattr (e2fsprogs); `loopReason()` says why they
 * cannot be made here, and the caller prints it and skips. Teardown
 * unmounts, detaches the loop device and removes the image (immutable files
 * inside need no clearing: the image goes whole), each step tried even
 * when an earlier one failed.
 */
export function loopReason(): string | undefined {
  const base = tmpfsReason();
  if (base) return base.replace('tmpfs mounts', 'loop-mounted volumes');
  for (const tool of ['mkfs.ext4', 'losetup', 'chattr']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (Debian: e2fsprogs, mount)`;
    }
  }
  if (!existsSync('/dev/loop-control')) return 'no loop device support (/dev/loop-control is missing)';
  return undefined;
}

export interface LoopVolume {
  /** Where the ext4 volume is mounted. */
  dir: string;
  /** Unmounts, detaches the loop device and removes the image. Idempotent. */
  unmount(): void;
}

/** Runs every cleanup step even when one throws; rethrows the first error at the end. */
function allOf(steps: (() => void)[]): void {
  let first: unknown;
  for (const s of steps) {
    try {
      s();
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
}

/** Makes, attaches and mounts a fresh ext4 image of `sizeMiB` (default 32), with `mount -o options` when given (e.g. `noatime`). */
export function mountLoopExt4(sizeMiB = 32, label = 'ext4', options?: string): LoopVolume {
  const work = mkdtempSync(path.join(os.tmpdir(), `relocate-${label}-`));
  const img = path.join(work, 'volume.img');
  const dir = path.join(work, 'mnt');
  mkdirSync(dir);
  let device: string | undefined;
  let mounted = false;
  let done = false;
  const unmount = () => {
    if (done) return;
    done = true;
    allOf([
      () => {
        if (!mounted) return;
        try {
          execFileSync('umount', [dir]);
        } catch {
          execFileSync('umount', ['-l', dir]);
        }
      },
      () => {
        if (device) execFileSync('losetup', ['-d', device]);
      },
      () => rmSync(work, { recursive: true, force: true }),
    ]);
  };
  try {
    execFileSync('truncate', ['-s', `${sizeMiB}M`, img]);
    execFileSync('mkfs.ext4', ['-q', '-F', img], { stdio: 'ignore' });
    device = execFileSync('losetup', ['-f', '--show', img], { encoding: 'utf8' }).trim();
    execFileSync('mount', [...(options ? ['-o', options] : []), device, dir]);
    mounted = true;
    // lost+found is the file system's own: the tests start from an empty volume.
    rmSync(path.join(dir, 'lost+found'), { recursive: true, force: true });
    return { dir, unmount };
  } catch (err) {
    try {
      unmount();
    } catch {
      // the first error is the one worth reporting
    }
    throw err;
  }
}

/** Sets (`+i`, `+a`) or clears (`-i`, `-a`) an inode flag with chattr. */
export function chattr(flag: '+i' | '-i' | '+a' | '-a', p: string): void {
  execFileSync('chattr', [flag, p]);
}

/** One ext4 loop volume for the tests of one file: mounted in beforeAll, always unmounted in afterAll. */
export function loopVolumeForFile(label: string, sizeMiB = 32): () => string {
  let vol: LoopVolume | undefined;
  beforeAll(() => {
    if (!loopReason()) vol = mountLoopExt4(sizeMiB, label);
  });
  afterAll(() => vol?.unmount());
  return () => {
    if (!vol) throw new Error(`the ext4 volume of ${label} is not mounted: ${loopReason() ?? 'read outside the tests'}`);
    return vol.dir;
  };
}
