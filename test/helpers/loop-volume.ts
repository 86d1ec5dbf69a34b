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

/**
 * Makes, attaches and mounts a fresh ext4 image of `sizeMiB` (default 32):
 * `casefold` formats it able to hold case-insensitive folders;
 * `mountOptions` are given to mount -o (e.g. `noatime`).
 */
export function mountLoopExt4(sizeMiB = 32, label = 'ext4', opts: { casefold?: boolean; mountOptions?: string } = {}): LoopVolume {
  return mountLoop('ext4', sizeMiB, label, opts.casefold ? ['-O', 'casefold'] : [], opts.mountOptions);
}

/** The file systems a loop volume can be made with, and the mkfs options that make a small one quietly. */
const MKFS: Record<LoopFs, string[]> = { ext4: ['-q', '-F'], xfs: ['-q', '-f'], btrfs: ['-q', '-f'], ntfs: ['-q', '-F', '-f'] };
/** ntfs is NTFS through ntfs-3g (FUSE: the mount table says fuseblk), the way Linux machines most often mount a Windows disk. */
export type LoopFs = 'ext4' | 'xfs' | 'btrfs' | 'ntfs';
const PACKAGE: Record<LoopFs, string> = { ext4: 'e2fsprogs', xfs: 'xfsprogs', btrfs: 'btrfs-progs', ntfs: 'ntfs-3g' };

/** Why a loop volume of `fs` cannot be made here (its mkfs missing, or loopReason()), or undefined. */
export function loopFsReason(fs: LoopFs): string | undefined {
  const base = loopReason();
  if (base) return base;
  try {
    execFileSync('sh', ['-c', `command -v mkfs.${fs}`], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `mkfs.${fs} is not installed (Debian: ${PACKAGE[fs]})`;
  }
}

/**
 * Makes, attaches and mounts a fresh image of `fs` of `sizeMiB` (xfs needs
 * at least 300 MiB, btrfs 114 MiB; the image is sparse, so this costs only
 * what is written). `mkfsArgs` are added to mkfs's own (e.g. ext4's `-N`
 * for the number of inodes).
 */
export function mountLoop(fs: LoopFs, sizeMiB = 32, label: string = fs, mkfsArgs: string[] = [], options?: string): LoopVolume {
  return loopMounted(
    label,
    sizeMiB,
    (img) => execFileSync(`mkfs.${fs}`, [...MKFS[fs], ...mkfsArgs, img], { stdio: 'ignore' }),
    (device, dir) => {
      execFileSync('mount', [...(fs === 'ntfs' ? ['-t', 'ntfs-3g'] : []), ...(options ? ['-o', options] : []), device, dir]);
      // lost+found is the file system's own: the tests start from an empty volume.
      rmSync(path.join(dir, 'lost+found'), { recursive: true, force: true });
    },
  );
}

/** An image of `sizeMiB` made by `mkfs`, attached to a loop device and mounted by `mount`; torn down in full even when a step fails. */
function loopMounted(label: string, sizeMiB: number, mkfs: (img: string) => void, mount: (device: string, dir: string) => void): LoopVolume {
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
    mkfs(img);
    device = execFileSync('losetup', ['-f', '--show', img], { encoding: 'utf8' }).trim();
    mounted = true;
    mount(device, dir);
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

/** Why an exFAT volume (exfatprogs' mkfs.exfat, mounted through exfat-fuse) cannot be made here, or undefined. */
export function exfatReason(): string | undefined {
  const base = loopReason();
  if (base) return base;
  for (const [tool, pkg] of [
    ['mkfs.exfat', 'exfatprogs'],
    ['mount.exfat-fuse', 'exfat-fuse'],
  ] as const) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (Debian: ${pkg})`;
    }
  }
  return undefined;
}

/**
 * Makes, attaches and mounts a fresh exFAT image of `sizeMiB` through
 * exfat-fuse (this kernel has no exfat or vfat driver): the file system of
 * most USB sticks and external disks, which keeps times to the whole
 * second here (exfat-fuse drops exFAT's 10 ms field), no permission bits
 * and no owners.
 */
export function mountExfat(sizeMiB = 32, label = 'exfat'): LoopVolume {
  return loopMounted(
    label,
    sizeMiB,
    (img) => execFileSync('mkfs.exfat', [img], { stdio: 'ignore' }),
    (device, dir) => execFileSync('mount.exfat-fuse', [device, dir], { stdio: 'ignore' }),
  );
}
