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
 * crosses a device boundary). Made when the walk starts, in one of two
 * ways. `around` (a walk that copies, verifies or deletes) refuses at once
 * any mount inside the tree that the mount table names (Linux; bind mounts
 * included, which keep the device) before anything is touched; then
 * `enter` refuses each folder on another device than the root's (every OS;
 * a mount made while the walk runs) before the walk goes in. `passingOver`
 * (a walk that only reads) knows the table's mounts inside, and `mountAt`
 * names a folder that is one, or on another device, so the walk can pass
 * it over. Invariant: no caller lists, copies or deletes anything under a
 * folder `enter` has not accepted or `mountAt` has named.
 */
export class DeviceFence {
  private constructor(
    private readonly root: string,
    private readonly rootDev: number,
    /** The mount table read when the walk began (null: none to read), and its mount points inside the root. */
    private readonly table: MountEntry[] | null,
    private readonly points: ReadonlyMap<string, MountFact>,
  ) {}

  /** The mount table was read (and, for `around`, named no mount inside): only a mount made since can still be met. */
  get tableChecked(): boolean {
    return this.table !== null;
  }

  /**
   * A fence for a walk of the folder `root` (on device `rootDev`); throws
   * E_MOUNT_INSIDE if the table (read now unless given; null for none) names
   * a mount inside.
   */
  static around(root: string, rootDev: number, table: MountEntry[] | null = readMountTable()): DeviceFence {
    const inside = table ? mountsBelow(table, realPathOf(root), root) : [];
    if (inside[0]) throw mountInsideError(root, inside[0]);
    return new DeviceFence(root, rootDev, table, new Map());
  }

  /** A fence for a walk that passes mounts over instead of refusing them: it knows the table's mounts inside `root`. */
  static passingOver(root: string, rootDev: number, table: MountEntry[] | null = readMountTable()): DeviceFence {
    const inside = table ? mountsBelow(table, realPathOf(root), root) : [];
    return new DeviceFence(root, rootDev, table, new Map(inside.map((f) => [f.path, f])));
  }

  /**
   * The mount at the folder `dir` (inside the root; on device `dev` when
   * known, else lstat'ed): a point the table named, or a folder on another
   * device. Undefined for a folder of the root's volume, or one gone
   * meanwhile (the walk's own error to report).
   */
  mountAt(dir: string, dev?: number | bigint): MountFact | undefined {
    const named = this.points.get(dir);
    if (named) return named;
    let d = dev;
    if (d === undefined) {
      try {
        d = lstatSync(dir).dev;
      } catch {
        return undefined;
      }
    }
    if (Number(d) === this.rootDev) return undefined;
    // A mount made since the walk began is not in its table: the table is read again to say what it is.
    const table = readMountTable() ?? this.table;
    return (table ? mountAt(table, realPathOf(dir), dir) : undefined) ?? { path: dir };
  }

  /** Throws E_MOUNT_INSIDE when the folder `dir` (inside the root) is a mount (mountAt). */
  enter(dir: string, dev?: number | bigint): void {
    const m = this.mountAt(dir, dev);
    if (m) throw mountInsideError(this.root, m);
  }
}
