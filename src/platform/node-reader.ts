import { lstatSync, opendirSync, readlinkSync, statSync, type BigIntStats, type Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { relativeTextLeaves } from '../core/link-escape.js';
import { canonicalPath, hostOs, isAbsolutePath, pathApi, styleForOs, type PathStyle } from '../core/paths.js';
import type { DiskReader } from '../state/reader.js';
import {
  ESCAPING_LINKS_LISTED,
  UNDELETABLE_LISTED,
  type InodeFlag,
  type NotCopyableReason,
  type InUseReport,
  type MeasureOptions,
  type MountFact,
  type LinkObservation,
  type PathObservation,
  type TreeComparison,
  type TreeMeasure,
  type VolumeInfo,
} from '../state/types.js';
import { TreeNamesCounter } from './tree-names.js';
import { nearestFolder, probeNameRules } from './name-probe.js';
import type { NameRules } from '../core/name-rules.js';
import { DiskUseCounter } from './disk-use.js';
import { nativeSeekExtent } from './native/seek-data.js';
import { nativeInodeFlags } from './native/inode-flags.js';
import { nativeStatx, type StatxNode } from './native/statx-lstat.js';
import { mountAt, mountsBelow, readMountTable, realPathOf, type MountEntry } from './mount-table.js';
import { volumeInfo, volumeKey } from './volumes.js';
import { windowsNotCopyableReader, windowsPermissionsCopy } from './windows/native.js';
import { HOST } from './fs/host-primitives.js';
import { walkFolder } from './fs/tree-walker.js';
import { compareTrees, kindOf } from './tree-compare.js';

export { COMPARISON_LIMIT } from './tree-compare.js';

/**
 * Windows hook: tells a junction from a directory symlink (and from other
 * reparse points Node also calls symbolic links), with the junction's real
 * target when known. Node reports all of them as symbolic links; the koffi
 * layer (src/platform/windows, wired by `diskReader()`) answers from the
 * reparse tag.
 */
export type LinkKindProbe = (p: string) => Promise<{ kind: 'symlink' | 'junction' | 'other'; target?: string }>;

/** Hook: who holds something inside a tree about to move (src/platform/in-use.ts picks the OS's check). */
export type InUseProbe = (root: string, isDir: boolean) => Promise<InUseReport>;

/** Records a node's inode flag in a measure (the first few by path, all counted). */
function noteFlag(m: TreeMeasure, full: string, flag: InodeFlag | undefined, isRoot: boolean): void {
  if (!flag) return;
  const u = (m.undeletable ??= { count: 0, first: [] });
  u.count++;
  if (u.first.length < UNDELETABLE_LISTED) u.first.push({ path: full, flag });
  if (isRoot) u.root = flag;
}

/** Records a Windows node a copy must not read (cloud placeholder, EFS), as noteFlag does. */
function noteNotCopyable(m: TreeMeasure, full: string, why: NotCopyableReason | undefined): void {
  if (!why) return;
  const n = (m.notCopyable ??= { count: 0, first: [] });
  n.count++;
  if (n.first.length < UNDELETABLE_LISTED) n.first.push({ path: full, why });
}

/** This machine's path style: a tree's links are read where the tree is. */
const HOST_STYLE = styleForOs(hostOs());

/**
 * Records a link of a measured tree whose relative text leads out of it
 * (the first few by walk order, all counted). One readlink per link: links
 * are few next to files, and only this walk sees each of them at plan time.
 */
function noteEscapingLink(m: TreeMeasure, root: string, full: string): void {
  let text: string;
  try {
    text = readlinkSync(full);
  } catch {
    // Gone or changed since its lstat: the fingerprint and the executor's own checks deal with a tree that moves under the walk.
    return;
  }
  const depth = path
    .relative(root, path.dirname(full))
    .split(path.sep)
    .filter((n) => n !== '').length;
  if (!relativeTextLeaves(depth, text, HOST_STYLE)) return;
  const l = (m.linksOut ??= { count: 0, first: [] });
  l.count++;
  if (l.first.length < ESCAPING_LINKS_LISTED) l.first.push({ path: full, text });
}

/** The finished measure: files with names outside the tree (more links than names in it) are counted as shared. */
function withShared(m: TreeMeasure, seen: Map<string, { names: number; nlink: number; size: number }>, newest: number): TreeMeasure {
  for (const f of seen.values()) {
    if (f.names >= f.nlink) continue;
    m.sharedOutside ??= { files: 0, bytes: 0 };
    m.sharedOutside.files++;
    m.sharedOutside.bytes += f.size;
  }
  return { ...m, newestMtimeMs: newest };
}

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException)?.code;
}

export class NodeDiskReader implements DiskReader {
  private readonly volumes = new Map<string, Promise<VolumeInfo>>();
  private readonly probedNames = new Map<string, NameRules>();

  /** Present only where it can be answered (see src/platform/in-use.ts). */
  readonly inUse?: InUseProbe;

  constructor(
    private readonly linkKind?: LinkKindProbe,
    inUse?: InUseProbe,
  ) {
    if (inUse) this.inUse = inUse;
  }

  private async volume(existing: string, dev: bigint): Promise<VolumeInfo> {
    // On Windows volumes are told apart by their path name (two drive letters may share a serial).
    const key = (await volumeKey(existing)) ?? String(dev);
    let v = this.volumes.get(key);
    if (!v) {
      v = volumeInfo(existing, dev);
      this.volumes.set(key, v);
    }
    return v;
  }

  /**
   * The reads of one path are synchronous calls (lstat, readlink, stat):
   * a thread-pool round trip costs more than each call, and a plan of
   * 10,000 entries makes some 50,000 of them (see src/platform/fs/slicer.ts).
   */
  async observe(p: string, style: PathStyle): Promise<PathObservation> {
    let s: BigIntStats | undefined;
    try {
      // throwIfNoEntry: an absent path (every link still to make) is the common case, and building
      // the ENOENT error object costs more than the call.
      s = lstatSync(p, { bigint: true, throwIfNoEntry: false });
    } catch (err) {
      if (errCode(err) !== 'ENOENT' && errCode(err) !== 'ENOTDIR') throw err;
    }
    if (!s) return this.observeAbsent(p, style);
    const kind = kindOf(s);
    const linkedParent = await this.linkedParent(p, style);
    const facts = {
      size: Number(s.size),
      mtimeMs: Number(s.mtimeMs),
      mode: Number(s.mode),
      ino: String(s.ino),
      nlink: Number(s.nlink),
      volume: await this.volume(kind === 'symlink' ? path.dirname(p) : p, s.dev),
      ...(linkedParent ? { linkedParent } : {}),
    };
    if (kind === 'dir' || kind === 'file' || kind === 'other') return { path: p, kind, ...facts };
    // lstat said a symbolic link; on Windows the probe tells a junction, or a reparse point that is no link, from it.
    const probed = this.linkKind ? await this.linkKind(p) : undefined;
    const linkKind = probed?.kind ?? 'symlink';
    // Another kind of reparse point (a cloud placeholder, an app alias) is not a link relocate manages.
    if (linkKind === 'other') return { path: p, kind: 'other', ...facts };
    const text = probed?.target ?? readlinkSync(p);
    const api = pathApi(style);
    return {
      path: p,
      kind: linkKind,
      ...facts,
      linkText: text,
      linkTarget: canonicalPath(isAbsolutePath(text, style) ? text : api.resolve(api.dirname(p), text), style),
      linkTargetKind: followedKind(p),
    };
  }

  /** Folders already looked at by `linkedParent` (entries often share one): whether each is a link. */
  private readonly parentIsLink = new Map<string, boolean>();

  /** The folder holding an existing path, when that folder is a link (one lstat per folder). */
  private async linkedParent(p: string, style: PathStyle): Promise<string | undefined> {
    const api = pathApi(style);
    const parent = api.dirname(p);
    if (parent === p) return undefined;
    let isLink = this.parentIsLink.get(parent);
    if (isLink === undefined) {
      try {
        isLink = lstatSync(parent).isSymbolicLink();
      } catch {
        isLink = false;
      }
      this.parentIsLink.set(parent, isLink);
    }
    return isLink ? parent : undefined;
  }

  /** An absent path: the volume is that of the nearest existing ancestor, where it would be created. */
  private async observeAbsent(p: string, style: PathStyle): Promise<PathObservation> {
    const api = pathApi(style);
    for (let up = api.dirname(p); ; up = api.dirname(up)) {
      try {
        const s = lstatSync(up, { bigint: true });
        // A symlinked ancestor is where the path would really be created, so its volume is the destination's.
        const real = s.isSymbolicLink() ? statSync(up, { bigint: true }) : s;
        return { path: p, kind: 'absent', existingParent: up, volume: await this.volume(up, real.dev), ...(s.isSymbolicLink() ? { linkedParent: up } : {}) };
      } catch (err) {
        if (errCode(err) !== 'ENOENT' && errCode(err) !== 'ENOTDIR') throw err;
      }
      if (api.dirname(up) === up) return { path: p, kind: 'absent' };
    }
  }

  /** The mount table as this observation found it, read once (null: none to read). */
  private table?: MountEntry[] | null;

  private mountTable(): MountEntry[] | null {
    if (this.table === undefined) this.table = readMountTable();
    return this.table;
  }

  async mounts(p: string): Promise<{ mountPoint?: MountFact; below: MountFact[] }> {
    let s: Stats | undefined;
    try {
      s = lstatSync(p, { throwIfNoEntry: false });
    } catch {
      s = undefined;
    }
    if (!s || !(s.isDirectory() || s.isFile())) return { below: [] };
    // A device other than its folder's: a mount point on every OS (a bind mount of one device needs the table).
    const parent = path.dirname(p);
    let devChanges = false;
    if (parent !== p) {
      try {
        devChanges = lstatSync(parent).dev !== s.dev;
      } catch {
        devChanges = false;
      }
    }
    const table = this.mountTable();
    const real = table ? realPathOf(p) : p;
    const at = (table ? mountAt(table, real, p) : undefined) ?? (devChanges ? { path: p } : undefined);
    return { ...(at ? { mountPoint: at } : {}), below: table && s.isDirectory() ? mountsBelow(table, real, p) : [] };
  }

  async measure(root: string, opts: MeasureOptions = {}): Promise<TreeMeasure> {
    // A plain concatenation on POSIX (path.join's normalising costs a third of a walk).
    const join = HOST.under;
    const m: TreeMeasure = { bytes: 0, files: 0, dirs: 0, links: 0 };
    // Files with several names: how many of those names the tree holds, to tell which share data outside it.
    const seen = new Map<string, { names: number; nlink: number; size: number }>();
    // The top node's flag is always read (a rename of it fails too); the others only where the tree would be deleted.
    const flagOf = await nativeInodeFlags();
    // Linux: each node below the top read by one statx, which gives its flag too (native/statx-lstat.ts).
    const statxOf = await nativeStatx();
    // Windows: cloud placeholders and EFS files, where the tree would be copied (the same walks as the flags).
    const notCopyable = opts.inodeFlags && process.platform === 'win32' ? await windowsNotCopyableReader() : undefined;
    let newest = 0;
    // Sparse files are counted by their data too where this host's copy keeps holes (sparse-copy.ts).
    const disk = opts.disk ? new DiskUseCounter(process.platform === 'linux' && (await nativeSeekExtent()) !== null) : undefined;
    const nameCounter = opts.names ? new TreeNamesCounter(root) : undefined;
    // Plain (double) stats: a bigint lstat allocates a BigInt per field, a third of a walk's time.
    // Only a file with several names needs its exact identity (inode numbers can pass 2^53).
    // `s` from statx (below) carries its node's flag: no second call for it.
    const count = (s: Stats | BigIntStats | StatxNode, full: string) => {
      newest = Math.max(newest, Number(s.mtimeMs));
      // Flags forbid deleting files and folders (and emptying a folder); a link's own flags cannot be set.
      if ((opts.inodeFlags || full === root) && (s.isFile() || s.isDirectory())) {
        if ('flag' in s) noteFlag(m, full, s.flag, full === root);
        else if (flagOf) noteFlag(m, full, flagOf(full), full === root);
      }
      if (notCopyable && (s.isFile() || s.isDirectory())) noteNotCopyable(m, full, notCopyable(full));
      if (s.isSymbolicLink()) {
        m.links++;
        if (full !== root) noteEscapingLink(m, root, full);
      } else if (s.isDirectory()) m.dirs++;
      else if (!s.isFile()) m.others = (m.others ?? 0) + 1;
      else {
        if (Number(s.nlink) > 1) {
          const b = typeof s.ino === 'number' ? lstatSync(full, { bigint: true }) : s;
          const id = `${b.dev}:${b.ino}`;
          const known = seen.get(id);
          if (known) {
            known.names++;
            return;
          }
          seen.set(id, { names: 1, nlink: Number(s.nlink), size: Number(s.size) });
        }
        m.files++;
        m.bytes += Number(s.size);
        // Windows gives no block count (blocks is undefined there, or 0 with a size).
        disk?.add(Number(s.size), process.platform === 'win32' ? undefined : Number(s.blocks));
      }
    };
    const top = await lstat(root, { bigint: true });
    count(top, root);
    const permissionsCopy = opts.disk ? await windowsPermissionsCopy() : undefined;
    if (permissionsCopy) m.permissionsCopy = permissionsCopy;
    const withDisk = (t: TreeMeasure): TreeMeasure => ({
      ...t,
      ...(disk ? { disk: disk.result() } : {}),
      ...(nameCounter ? { names: nameCounter.result() } : {}),
    });
    if (!top.isDirectory()) return withDisk(withShared(m, seen, newest));
    // Nothing crosses a device boundary: a folder on another device, or a mount point the table
    // names (a bind mount keeps the device), is noted and not entered (tree-walker.ts).
    const mounts: MountFact[] = [];
    // Synchronous lstat in slices: a thread-pool round trip per call costs several times a cached
    // lstat (fs/slicer.ts); the event loop still turns between slices.
    await walkFolder<Stats | StatxNode, null>(root, top.dev, null, {
      order: 'depth',
      sorted: false,
      mounts: 'skip',
      table: this.mountTable(),
      stat: (full) => statxOf?.(full) ?? lstatSync(full),
      onListError: (_dir, err) => {
        throw err;
      },
      listed: (dir, names) => {
        disk?.addFolder(names);
        nameCounter?.addFolder(dir, names, join);
      },
      visit: (e) => {
        if (e.mount) {
          mounts.push(e.mount);
          return undefined;
        }
        count(e.stat, e.full);
        return e.kind === 'dir' ? null : undefined;
      },
    });
    return { ...withDisk(withShared(m, seen, newest)), ...(mounts.length > 0 ? { mounts: mounts.sort((a, b) => (a.path < b.path ? -1 : 1)) } : {}) };
  }

  async nameRules(dest: string): Promise<NameRules> {
    const folder = nearestFolder(dest);
    // One probe per receiving folder and plan: the entries of a manifest often share one.
    let rules = this.probedNames.get(folder);
    if (!rules) {
      rules = probeNameRules(folder);
      this.probedNames.set(folder, rules);
    }
    return rules;
  }

  async isEmptyFolder(p: string): Promise<boolean> {
    const dir = opendirSync(p);
    try {
      return dir.readSync() === null;
    } finally {
      dir.closeSync();
    }
  }

  async compare(a: string, b: string): Promise<TreeComparison> {
    return compareTrees(a, b, this.mountTable());
  }
}

/** What a link's destination is, followed once: `absent` for a broken link, `loop` for one that leads back to itself. */
function followedKind(p: string): NonNullable<LinkObservation['linkTargetKind']> {
  try {
    const t = statSync(p);
    return t.isDirectory() ? 'dir' : t.isFile() ? 'file' : 'other';
  } catch (err) {
    const code = errCode(err);
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'absent' : code === 'ELOOP' ? 'loop' : 'other';
  }
}
