import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

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

/** Two tmpfs volumes and a scratch folder shared by the tests of one file. Each path is readable only while the file's tests run. */
export interface VolumePair {
  /** The first volume's folder; throws when tmpfs could not be mounted (guard such tests with `tmpfsReason()`). */
  volA(): string;
  volB(): string;
  /** A plain temporary folder (on the disk of os.tmpdir()), made even without tmpfs. */
  scratch(): string;
}

/**
 * Registers beforeAll/afterAll hooks in the calling test file: a scratch
 * folder, and, unless `tmpfsReason()` says they cannot be mounted, two
 * tmpfs volumes of `sizeMiB`. afterAll unmounts and removes everything.
 */
export function volumePairForFile(label: string, sizeMiB = 16): VolumePair {
  let a: TmpfsMount | undefined;
  let b: TmpfsMount | undefined;
  let scratch: string | undefined;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), `relocate-${label}-`));
    if (!tmpfsReason()) {
      a = mountTmpfs(sizeMiB, `${label}-a`);
      b = mountTmpfs(sizeMiB, `${label}-b`);
    }
  });
  afterAll(() => {
    a?.unmount();
    b?.unmount();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });
  const need = (m: TmpfsMount | undefined, which: string) => {
    if (!m) throw new Error(`volume ${which} of ${label} is not mounted: ${tmpfsReason() ?? 'read outside the tests'}`);
    return m.dir;
  };
  return {
    volA: () => need(a, 'A'),
    volB: () => need(b, 'B'),
    scratch: () => {
      if (!scratch) throw new Error(`the scratch folder of ${label} is read outside the tests`);
      return scratch;
    },
  };
}
