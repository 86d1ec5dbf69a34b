import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Small tmpfs mounts for cross-volume and disk-full tests. Mounting needs
 * root (CI runs as root); elsewhere `tmpfsReason()` says why the tests are
 * skipped and the caller prints it. Always `unmount` in teardown.
 */
export function tmpfsReason(): string | undefined {
  if (process.platform !== 'linux') return `tmpfs mounts need Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'tmpfs mounts need root (CI runs as root)';
  return undefined;
}

export interface TmpfsMount {
  dir: string;
  unmount(): void;
}

/**
 * Mounts a fresh tmpfs of `sizeMiB` at a new temporary folder. `extraOptions`
 * are more mount options, comma-separated (e.g. `nr_inodes=20` for a volume
 * that runs out of inodes long before bytes).
 */
export function mountTmpfs(sizeMiB: number, label = 'vol', extraOptions?: string): TmpfsMount {
  const dir = mkdtempSync(path.join(os.tmpdir(), `relocate-${label}-`));
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0755${extraOptions ? `,${extraOptions}` : ''}`, 'tmpfs', dir]);
  return {
    dir,
    unmount() {
      try {
        execFileSync('umount', [dir]);
      } catch {
        execFileSync('umount', ['-l', dir]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
