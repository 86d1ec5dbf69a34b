import { isFatFamily } from '../core/name-rules.js';
import { inUseHint, inUseSentence } from '../core/in-use-text.js';
import type { FolderPlaces } from '../core/folder-places.js';
import { describeMount } from '../core/mount-text.js';
import { formatBytes } from '../core/units.js';
import type { DesiredEntry } from '../manifest/types.js';
import type { EntryObservation, MountFact, PathObservation, TreeMeasure, VolumeInfo } from '../state/types.js';
import type { Decision } from './decide.js';
import { changesDisk, createsTarget, hasMove, moveOf } from './actions.js';
import { dataKind, isLinkKind, sameVolume } from './link-type.js';
import { movedSide } from './moved-side.js';
import { nameFindings } from './names.js';
import { notCopyableFindings, permissionsFindings } from './not-copyable.js';
import { protectedReason } from './protected.js';
import { ownerMoverOf } from './folder-verdict.js';
import { relativeLinkFindings } from './relative-links.js';
import { sharedOutsideFindings, undeletableFindings } from './undeletable.js';
import type { Finding, PlanContext, PlannedEntry, ResolvedLinkType } from './types.js';

/** No known places: only the rules that need none apply (a context made without them). */
const NO_PLACES: FolderPlaces = { programFiles: [], oneDrive: [], userFolders: {} };

/** How many uninspectable processes a W_IN_USE_UNKNOWN names (the count says the rest). */
const UNKNOWN_LISTED = 8;

/**
 * The checks of DESIGN.md "Checks before the first change" for one entry.
 * Only entries that would change something are checked, so an entry
 * already in sync is never refused.
 */
export function entryPreflight(e: DesiredEntry, o: EntryObservation, type: ResolvedLinkType, d: Decision, ctx: PlanContext): Finding[] {
  if (!changesDisk(d.action)) return [];
  const out: Finding[] = [];
  // A retarget's old target is a move's source: protected folders are as protected there.
  const old = d.action === 'retarget' ? o.oldTarget : undefined;
  for (const p of old ? [e.link, e.target, old.path] : [e.link, e.target]) {
    const why = protectedReason(p, e.style, ctx.home, ctx.stateDir, ctx.places?.oneDrive);
    if (why && !(e.force && !why.includes('state folder'))) {
      out.push({
        severity: 'error',
        code: 'E_PROTECTED',
        path: p,
        message: `${p} is protected: ${why}`,
        hint: why.includes('state folder') ? 'choose another path' : 'relocating it could break the system; if you are sure, add `force: true` to the entry',
      });
    }
  }
  // A folder whose program moves it itself (Steam, WSL, Store apps): the same rule as `relocate scan`'s verdict.
  const owner =
    e.state === 'present'
      ? ownerMoverOf(e.link, e.style, {
          os: ctx.os,
          home: ctx.home,
          ...(ctx.stateDir !== undefined ? { stateDir: ctx.stateDir } : {}),
          places: ctx.places ?? NO_PLACES,
        })
      : undefined;
  if (owner) {
    out.push({
      severity: 'warning',
      code: 'W_OWNER_MOVER',
      path: e.link,
      message: `${e.link} is ${owner.reason}`,
      hint: `its owner's own mover is the safer way: ${owner.mover}; keep this entry only if you know a link works for it`,
    });
  }
  out.push(...mountFindings(e, o, d));
  if (o.link.linkedParent !== undefined) {
    // Every step would act through that link, on a place the manifest does not name (and a rollback
    // would follow wherever it points by then). Not liftable by `force`: the real path can be written instead.
    out.push({
      severity: 'error',
      code: 'E_LINK_PARENT',
      path: e.link,
      message: `${e.link} is inside ${o.link.linkedParent}, which is itself a link: relocate would act through it, on a place the manifest does not name`,
      hint: `write the real path (where ${o.link.linkedParent} points) in the manifest`,
    });
  }
  if (old?.linkedParent !== undefined) {
    // The data would be renamed or deleted through that link, somewhere the link's text does not name.
    out.push({
      severity: 'error',
      code: 'E_LINK_PARENT',
      path: old.path,
      message: `${old.path}, where ${e.link} points now, is inside ${old.linkedParent}, which is itself a link: moving its data would act through that link, on a place neither the manifest nor the link names`,
      hint: `point ${e.link} at the real path (where ${old.linkedParent} points) first, or set \`retarget: relink\` to only replace the link`,
    });
  }
  if (type === 'hardlink' && e.state === 'present') {
    const kind = dataKind(o);
    if (kind === 'dir' && !(o.link.kind === 'absent' && o.target.kind === 'absent')) {
      out.push({
        severity: 'error',
        code: 'E_HARDLINK_DIR',
        path: e.link,
        message: `${e.link}: a hard link can only be made to a file, and this entry is a folder (the mklink /H rule)`,
        hint: 'use `type: junction` or `type: symlink` for folders',
      });
    } else if (o.target.kind === 'absent' && d.action !== 'retarget' && (o.link.kind === 'absent' || isLinkKind(o.link.kind))) {
      // (A retarget brings the file to the target before the hard link is made.)
      out.push({
        severity: 'error',
        code: 'E_HARDLINK_DIR',
        path: e.target,
        message: `${e.target} does not exist, and a hard link needs an existing file to point to`,
        hint: 'create the file first, or use `type: symlink`',
      });
    }
    if (sameVolume(o) === false) {
      out.push({
        severity: 'error',
        code: 'E_CROSS_VOLUME',
        path: e.link,
        message: `${e.link} and ${e.target} are on different volumes, and a hard link must stay on one volume (the mklink /H rule)`,
        hint: 'use `type: symlink`, or a target on the same drive',
      });
    }
  }
  if (type === 'junction' && e.style.flavour === 'win32' && e.state === 'present') {
    if (o.target.volume?.remote || o.link.volume?.remote) {
      out.push({
        severity: 'error',
        code: 'E_JUNCTION_REMOTE',
        path: e.target,
        message: `${e.target}: a junction can only point to a local drive, not a network share`,
        hint: 'use `type: symlink` for network locations',
      });
    }
    for (const side of [o.link, o.target]) {
      if (side.volume?.supportsReparsePoints === false) {
        const fat = isFatFamily(side.volume.fsType);
        out.push({
          severity: 'error',
          code: 'E_JUNCTION_FS',
          path: side.path,
          message: fat
            ? `${side.path} is on a ${side.volume.fsType} volume, which cannot hold junctions (FAT32 and exFAT cannot)`
            : `${side.path} is on a ${side.volume.fsType ?? 'file system'} volume that does not support reparse points, so it cannot hold junctions`,
          hint: 'use a local NTFS (or ReFS) drive',
        });
      }
    }
  }
  // The volumes written to: the link side always; the target side only when data moves into
  // or out of it, or its folder is created (a backup only moves data aside beside the link);
  // a retarget's old target, whose data is renamed or deleted.
  const writesTarget = d.action === 'move' || d.action === 'merge' || d.action === 'restore' || d.action === 'retarget' || createsTarget(d);
  const writes = [...(writesTarget ? [o.link, o.target] : [o.link]), ...(old ? [old] : [])];
  for (const side of writes) {
    if (side.volume?.readOnly) {
      out.push({
        severity: 'error',
        code: 'E_READ_ONLY',
        path: side.path,
        message: `${side.path} is on a read-only volume`,
        hint: 'remount it read-write, or choose another path',
      });
    }
  }
  // Files in use (Windows: the Restart Manager; Linux: /proc; macOS: libproc or lsof): on Windows a move
  // would fail halfway; elsewhere it would succeed and the program's later writes would go into the
  // original, set aside and deleted. The executor checks again right before it sets the original aside.
  const move = moveOf(d);
  if (move && o.inUse) {
    for (const u of o.inUse) {
      out.push({ severity: 'error', code: 'E_IN_USE', path: u.file, message: inUseSentence(u), hint: inUseHint(u) });
    }
  }
  // Processes that could not be inspected (another user's, when relocate is not root) are a warning, not an
  // error: as an error, a user on a machine shared with others could never move anything; silence would
  // hide that the check was partial. Root sees every process and never gets this warning.
  if (move && o.inUseUnknown && o.inUseUnknown.length > 0) {
    const from = move.from;
    const listed = o.inUseUnknown
      .slice(0, UNKNOWN_LISTED)
      .map((p) => `${p.pid} ${p.process}`)
      .join(', ');
    const more = o.inUseUnknown.length > UNKNOWN_LISTED ? `, and ${o.inUseUnknown.length - UNKNOWN_LISTED} more` : '';
    out.push({
      severity: 'warning',
      code: 'W_IN_USE_UNKNOWN',
      path: from,
      message: `${o.inUseUnknown.length} process(es) of other users could not be inspected (pid ${listed}${more}): relocate cannot tell whether they use ${from}`,
      hint: "run relocate as root to check every process, or make sure no other user's program uses the folder",
    });
  }
  const { tree } = movedSide(d.action, o);
  const others = tree?.others ?? 0;
  if (move?.crossVolume && others > 0) {
    out.push({
      severity: 'error',
      code: 'E_UNSUPPORTED_NODE',
      path: move.from,
      message: `${move.from} holds ${others} special file(s) (devices, sockets or pipes), which cannot be copied to another volume`,
      hint: 'remove them (programs recreate sockets and pipes), or choose a target on the same volume',
    });
  }
  out.push(...undeletableFindings(d, tree, ctx.os, e.link), ...sharedOutsideFindings(d), ...relativeLinkFindings(move, tree, e.style));
  out.push(...nameFindings(move, tree, (d.action === 'restore' ? o.link : o.target).volume, o.destNames, ctx.os, e.style));
  out.push(...notCopyableFindings(d, tree), ...permissionsFindings(d, tree));
  if (move && o.target.volume?.remote) {
    out.push({
      severity: 'warning',
      code: 'W_NETWORK',
      path: e.target,
      message: `${e.target} is on a network share: the copy will be slow and depends on the connection`,
    });
  }
  return out;
}

/** Files, folders, links and special files: each takes an inode on the target. */
function inodesOf(tree: TreeMeasure | undefined, files: number): number {
  return tree ? tree.files + tree.dirs + tree.links + (tree.others ?? 0) : files;
}

/**
 * Free space and free inodes per destination volume: what every
 * cross-volume move into it takes there, added up, must fit (blocks as the
 * volume counts them: MoveSpec.onTarget, from bytesOnVolume; files and folders against its free
 * inodes where it has a fixed table). Same-volume moves are renames and
 * need none.
 */
export function spaceFindings(items: { planned: PlannedEntry; obs: EntryObservation }[]): Finding[] {
  const need = new Map<string, { bytes: number; onDisk: number; inodes: number; volume: VolumeInfo; paths: string[] }>();
  for (const { planned: p, obs: o } of items) {
    const move = moveOf(p);
    if (!move?.crossVolume) continue;
    const dest = p.action === 'restore' ? o.link : o.target;
    const { tree } = movedSide(p.action, o);
    const volume = dest.volume;
    if (!volume?.id) continue;
    const v = need.get(volume.id) ?? { bytes: 0, onDisk: 0, inodes: 0, volume, paths: [] };
    v.bytes += move.bytes;
    v.onDisk += move.onTarget ?? move.bytes;
    v.inodes += inodesOf(tree, move.files);
    v.paths.push(move.to);
    need.set(volume.id, v);
  }
  const out: Finding[] = [];
  for (const v of need.values()) {
    const free = v.volume.freeBytes;
    if (free !== undefined && v.onDisk > free) {
      const blocks = v.onDisk !== v.bytes && v.volume.blockSize ? ` (${formatBytes(v.onDisk)} there, in blocks of ${formatBytes(v.volume.blockSize)})` : '';
      out.push({
        severity: 'error',
        code: 'E_NO_SPACE',
        path: v.paths[0],
        message: `not enough free space for ${v.paths.join(', ')}: ${formatBytes(v.bytes)} to copy${blocks}, ${formatBytes(free)} free`,
        hint: 'free space on the destination drive, or choose another target',
      });
    }
    const inodes = v.volume.freeInodes;
    if (inodes !== undefined && v.inodes > inodes) {
      out.push({
        severity: 'error',
        code: 'E_NO_INODES',
        path: v.paths[0],
        message: `not enough room for the files of ${v.paths.join(', ')}: ${v.inodes.toLocaleString('en-US')} files, folders and links to create, and the volume can hold ${inodes.toLocaleString('en-US')} more (its inode table is nearly full)`,
        hint: 'delete files on the destination drive, or choose a target on a volume with more inodes (`df -i` shows them)',
      });
    }
  }
  return out;
}

/** `/a/b (ext4 on /dev/sdb1)`, or the bare path when nothing is known of the mount. */
function named(m: MountFact): string {
  const d = describeMount(m);
  return d ? `${m.path} (${d})` : m.path;
}

/** The mount at a path itself; none at an absent one. */
function mountPointOf(p: PathObservation): MountFact | undefined {
  return p.kind === 'absent' ? undefined : p.mountPoint;
}

/** Mounts inside a tree: from the mount table at the path and from the walk's device changes, each once. */
function mountsInside(side: PathObservation, walked: MountFact[] | undefined): MountFact[] {
  const byPath = new Map<string, MountFact>();
  const table = side.kind === 'absent' ? [] : (side.mountsBelow ?? []);
  for (const m of [...(walked ?? []), ...table]) if (!byPath.has(m.path) || m.fsType) byPath.set(m.path, m);
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

/**
 * DESIGN.md: nothing crosses a device boundary, and pseudo file systems are
 * never walked. Refused: a link or target on a kernel pseudo file system
 * (its files are the kernel's, not data); the path whose data would move
 * being itself a mount point (a rename fails with EBUSY, and a copy would
 * empty the mounted volume and still fail at rmdir); a mount inside a tree
 * that would move, or inside the target a merge moves into (a walk would
 * cross into that volume, copy it and delete its contents).
 */
function mountFindings(e: DesiredEntry, o: EntryObservation, d: Decision): Finding[] {
  const out: Finding[] = [];
  const { side: from, tree } = movedSide(d.action, o);
  for (const side of from && from !== o.link && from !== o.target ? [o.link, o.target, from] : [o.link, o.target]) {
    if (!side.volume?.pseudo) continue;
    out.push({
      severity: 'error',
      code: 'E_PSEUDO_FS',
      path: side.path,
      message: `${side.path} is on ${side.volume.fsType ? `${side.volume.fsType}, ` : ''}a kernel pseudo file system: its files are made by the kernel, not stored on a disk, so relocate has nothing to move or link there`,
      hint: 'remove this entry; relocate works on folders and files stored on a disk',
    });
  }
  // A pseudo file system was not walked; what it holds says nothing more.
  if (out.length > 0) return out;
  const moves = (hasMove(d) || (d.action === 'link' && d.replacesIdentical === true)) && from !== undefined;
  const points = [moves ? mountPointOf(from) : undefined, mountPointOf(o.link)].filter((m, i, all): m is MountFact => m !== undefined && all.indexOf(m) === i);
  for (const m of points) {
    const what = describeMount(m);
    out.push({
      severity: 'error',
      code: 'E_MOUNT_POINT',
      path: m.path,
      message: `${m.path} is a mount point${what ? ` (${what})` : ''}; relocate moves folders, not mounts: it cannot be moved or replaced by a link while a volume is mounted there`,
      hint: `to have the volume appear elsewhere, change where it is mounted (e.g. /etc/fstab) or link to it from an empty path; to move its files, write an entry for a folder inside it`,
    });
  }
  if (!moves) return out;
  const trees: [string, MountFact[]][] = [[from.path, mountsInside(from, tree?.mounts)]];
  if (d.action === 'merge') trees.push([o.target.path, mountsInside(o.target, undefined)]);
  for (const [root, inside] of trees) {
    if (inside.length === 0) continue;
    out.push({
      severity: 'error',
      code: 'E_MOUNT_INSIDE',
      path: inside[0].path,
      message: `${inside.map(named).join(', ')} ${inside.length === 1 ? 'is a volume' : 'are volumes'} mounted inside ${root}; relocate never moves across a device boundary, so it will not move a folder with a mount inside`,
      hint: `unmount ${inside.length === 1 ? 'it' : 'them'} (umount ${inside[0].path}) and run again, or give what is inside the mount its own entry`,
    });
  }
  return out;
}
