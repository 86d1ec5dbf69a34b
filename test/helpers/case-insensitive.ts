import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { loopReason, mountLoopExt4, type LoopVolume } from './loop-volume.js';

/**
 * A folder that ignores case, for the tests of one file, made the first way
 * this machine allows:
 * 1. `RELOCATE_TEST_CI_DIR`: a case-insensitive folder of your own (another
 *    OS, a machine without the two below); tests write only into folders
 *    they make there.
 * 2. ext4 casefold: a loop volume made with `mkfs.ext4 -O casefold` and in
 *    it a folder made with `chattr +F` (needs root and a kernel built with
 *    CONFIG_UNICODE, which lists /sys/fs/ext4/features/casefold).
 * 3. FUSE: test/helpers/case-insensitive-fuse.py over a temporary folder
 *    (needs root, /dev/fuse and python3 with fusepy; Debian python3-fusepy).
 * `caseInsensitiveReason()` says why none can be made; the caller prints it
 * and skips. afterAll unmounts whatever beforeAll mounted.
 */

const FUSE_SCRIPT = fileURLToPath(new URL('./case-insensitive-fuse.py', import.meta.url));

function casefoldReason(): string | undefined {
  const base = loopReason();
  if (base) return base.replace('loop-mounted volumes', 'case-insensitive loop volumes');
  if (!existsSync('/sys/fs/ext4/features/casefold'))
    return "this kernel's ext4 cannot fold case (/sys/fs/ext4/features/casefold is missing: built without CONFIG_UNICODE)";
  return undefined;
}

/** A Python that can import fusepy (Debian's lives in /usr/bin; a pyenv python3 on PATH may lack it). */
function fusePython(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(py, ['-c', 'import fusepy'], { stdio: 'ignore' });
      return py;
    } catch {
      // try the next
    }
  }
  return undefined;
}

/** Why the FUSE file system cannot be mounted here, or undefined. */
export function fuseReason(): string | undefined {
  if (process.platform !== 'linux') return `the FUSE fallback needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting needs root (CI runs as root)';
  if (!existsSync('/dev/fuse')) return '/dev/fuse is missing';
  if (!fusePython()) return 'python3 with fusepy is missing (Debian: python3-fusepy fuse)';
  return undefined;
}

/** Why no case-insensitive folder can be made here, or undefined. */
export function caseInsensitiveReason(): string | undefined {
  if (process.env.RELOCATE_TEST_CI_DIR) return undefined;
  const casefold = casefoldReason();
  if (!casefold) return undefined;
  const fuse = fuseReason();
  return fuse ? `no ext4 casefold (${casefold}) and no FUSE fallback (${fuse})` : undefined;
}

function mountedAt(dir: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === dir);
}

/**
 * Starts the FUSE file system over a fresh backing folder and waits (up to
 * 10 s) for it to be mounted. It holds no extended attributes (fusepy's
 * setxattr says ENOTSUP), which keep-limits.test.ts uses. `env` reaches
 * the file system's process (FSYNCDIR_ERRNO: see the script).
 */
export async function mountFuse(label: string, env: Record<string, string> = {}): Promise<{ dir: string; unmount(): void }> {
  const work = mkdtempSync(path.join(os.tmpdir(), `relocate-${label}-`));
  const backing = path.join(work, 'backing');
  const dir = path.join(work, 'mnt');
  mkdirSync(backing);
  mkdirSync(dir);
  const child: ChildProcess = spawn(fusePython()!, [FUSE_SCRIPT, backing, dir], { stdio: 'ignore', env: { ...process.env, ...env } });
  const unmount = () => {
    try {
      if (mountedAt(dir)) execFileSync('umount', ['-l', dir]);
    } finally {
      child.kill();
      rmSync(work, { recursive: true, force: true });
    }
  };
  for (let waited = 0; !mountedAt(dir); waited += 50) {
    if (waited > 10_000 || child.exitCode !== null) {
      unmount();
      throw new Error(`the case-insensitive FUSE file system did not mount at ${dir}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { dir, unmount };
}

export function caseInsensitiveFolderForFile(label: string, sizeMiB = 32): () => string {
  let vol: LoopVolume | { unmount(): void } | undefined;
  let folder: string | undefined = process.env.RELOCATE_TEST_CI_DIR || undefined;
  beforeAll(async () => {
    if (folder || caseInsensitiveReason()) return;
    if (!casefoldReason()) {
      const ext4 = mountLoopExt4(sizeMiB, label, { casefold: true });
      vol = ext4;
      folder = path.join(ext4.dir, 'ci');
      mkdirSync(folder);
      // ext4 folds case per folder, for what is made inside it from then on.
      execFileSync('chattr', ['+F', folder]);
    } else {
      const fuse = await mountFuse(label);
      vol = fuse;
      folder = fuse.dir;
    }
  }, 30_000);
  afterAll(() => vol?.unmount());
  return () => {
    if (!folder) throw new Error(`the case-insensitive folder of ${label} is not mounted: ${caseInsensitiveReason() ?? 'read outside the tests'}`);
    return folder;
  };
}
