import { lstatSync } from 'node:fs';
import path from 'node:path';
import { RelocateError } from '../core/errors.js';
import { describeMount } from '../core/mount-text.js';
import type { MountFact } from '../state/types.js';
import { mountAt, mountsBelow, readMountTable, realPathOf, type MountEntry } from './mount-table.js';

function named(m: MountFact): string {
  const d = describeMount(m);
  return d ? `${m.path} (${d})` : m.path;
}

/** A mount met inside a tree while working on it: refused before anything under it is touched. */
export function mountInsideError(root: string, m: MountFact): RelocateError {
  return new RelocateError(
    'E_MOUNT_INSIDE',
    `${named(m)} is a volume mounted inside ${root}; relocate never crosses a device boundary, so it stopped before touching anything under it`,
    {
      path: m.path,
      // Met by a plan's walks and by a run's (copy, verify, delete): what to do next depends on which, so both are said.
      hint: `unmount it (${process.platform === 'win32' ? 'remove that mount point in Disk Management' : `umount ${m.path}`}), then run \`relocate plan\` again, or, if a run stopped here, \`relocate resume\` or \`relocate rollback\`; nothing on the mounted volume was changed`,
    },
  );
}

/**
 * E_MOUNT_POINT for `p` when it is a mount point (in the mount table, or on
 * another device than its folder), else undefined: what an EBUSY from a
 * rename or rmdir of it means, said truly instead of "a program uses it".
 */
export function mountPointError(p: string, doing: string): RelocateError | undefined {
  let at: MountFact | undefined;
  const table = readMountTable();
  if (table) at = mountAt(table, realPathOf(p), p);
  if (!at) {
    try {
      if (lstatSync(p).dev !== lstatSync(path.dirname(p)).dev) at = { path: p };
    } catch {
      return undefined;
    }
  }
  if (!at) return undefined;
  const what = describeMount(at);
  return new RelocateError('E_MOUNT_POINT', `${doing} ${p} failed: it is a mount point${what ? ` (${what})` : ''}; relocate moves folders, not mounts`, {
    path: p,
    hint: 'unmount it, or change the manifest so it does not move a mount point; then run `relocate plan` again',
  });
}

/**
 * Keeps one walk of a tree on the tree's own device (DESIGN.md: nothing
 * crosses a device boundary). Made when the walk starts: where a mount
 * table can be read (Linux) it refuses at once any mount inside the tree —
 * bind mounts included, which keep the device — before anything is
 * touched; then `enter` refuses each folder on another device than the
 * root's (every OS; a mount made while the walk runs) before the walk goes
 * in. Invariant: no caller lists, copies or deletes anything under a
 * folder `enter` has not accepted.
 */
export class DeviceFence {
  private constructor(
    private readonly root: string,
    private readonly rootDev: number,
    /** The mount table was read and named no mount inside: only a mount made since can still be met. */
    readonly tableChecked: boolean,
  ) {}

  /**
   * A fence for a walk of the folder `root` (on device `rootDev`); throws
   * E_MOUNT_INSIDE if the table (read now unless given; null for none) names
   * a mount inside.
   */
  static around(root: string, rootDev: number, table: MountEntry[] | null = readMountTable()): DeviceFence {
    if (table) {
      const inside = mountsBelow(table, realPathOf(root), root);
      if (inside.length > 0) throw mountInsideError(root, inside[0]);
    }
    return new DeviceFence(root, rootDev, table !== null);
  }

  /** Throws E_MOUNT_INSIDE when the folder `dir` (inside the root) is on another device. A folder gone meanwhile is the walk's own error to report. */
  enter(dir: string, dev?: number): void {
    let d = dev;
    if (d === undefined) {
      try {
        d = lstatSync(dir).dev;
      } catch {
        return;
      }
    }
    if (d === this.rootDev) return;
    const table = readMountTable();
    throw mountInsideError(this.root, (table ? mountAt(table, realPathOf(dir), dir) : undefined) ?? { path: dir });
  }
}
