/**
 * What a copy keeps of a node besides its bytes, how it sets it, and how
 * the verify compares it: owner and group, every mode bit, nanosecond
 * times, extended attributes (POSIX ACLs and file capabilities among them),
 * inode flags.
 *
 * Order of the setting, each step for a reason:
 *  1. owner and group (lchown), when they differ from what a new node gets
 *     and the caller may set them (see `ownerKeepable`);
 *  2. extended attributes (lsetxattr), after the chown: a chown clears
 *     security.capability, so that one is set last of all (step 4);
 *  3. the mode, after the chown, which clears set-user-ID and set-group-ID;
 *  4. security.capability;
 *  5. the inode flags (fs-flags.ts: nodump, noatime… never immutable or
 *     append-only), after the attributes and the mode, since a flag such as
 *     S or D would slow what follows; except the flags that act only on data
 *     written after them (no-COW, compression), which `setFlagsBeforeData`
 *     sets on the empty file before its bytes;
 *  6. the times, last: nothing after them touches the node (on Windows and
 *     macOS the creation time with them, see birth-time.ts; Linux cannot
 *     set one).
 * On macOS a folder first gets copyfile(3)'s metadata copy from its
 * original (copyfile-darwin.ts: ACL, extended attributes, flags), and a file
 * already has it from the copy itself (libuv's copyfile COPYFILE_ALL); the
 * steps above then set owner, mode, flags and times as everywhere, and
 * attributes only where no copyfile did (symlinks, restored snapshots).
 * Folders get all of it after their content (creating entries changes a
 * folder's times). Symlinks get owner, attributes and times of their own
 * (lchown, lsetxattr, utimensat with AT_SYMLINK_NOFOLLOW), never a mode.
 *
 * Owner, as GNU mv and cp -a: kept where the caller may set it (with
 * CAP_CHOWN, i.e. as root, any owner; otherwise its own uid and one of its
 * groups); a file of another user copied by a non-root caller becomes the
 * caller's, silently as mv does, and --verbose counts them. The verify
 * compares the owner exactly where the copy could set it.
 *
 * Extended attributes: every one the caller may read is copied; one the
 * destination refuses fails the copy with E_CANNOT_KEEP (nothing is
 * deleted), where mv would drop it silently. The exceptions are those the
 * system assigns (security.selinux, which the destination's policy decides,
 * and macOS's com.apple.provenance): tried, never required, never
 * compared. When the destination folder has a default ACL, copies inherit
 * ACL entries the originals lack; those are removed (as cp -a does, which
 * sets the original's trivial ACL). The verify checks
 * that every attribute of the original is on the copy with equal bytes.
 *
 * Inode flags, where neither mv nor cp -a keeps any: kept where the
 * destination holds them. A flag the destination refuses (ext4 has no C;
 * j needs root) is dropped, as mv drops them
 * all, and --verbose counts the nodes and names the flags: unlike an
 * extended attribute (which can carry an ACL, a capability, a label) a flag
 * is a hint about how to store or back up the bytes, never who may use
 * them, so losing one loses nothing mv would have kept, and refusing the
 * move for it would make relocate refuse what mv does. The verify checks
 * every flag of the original is on the copy except those this process saw
 * a destination refuse (one set for the process: a manifest moving to two
 * file systems, one of which refuses C, does not check C on the other; a
 * verify resumed by a new process that meets a refused flag fails with
 * E_VERIFY, and nothing is deleted). Copies made under a folder whose flags
 * the kernel passes on (ext4: s u c S d A m j t D) get the original's flags
 * exactly (`MadeAs.stripFlags`), as copies under a default ACL do.
 *
 * Longer than this project's ~400 lines by this comment, which is the
 * fidelity contract: the code is one class whose methods share the
 * platform's calls. Inode flags are apart (keep-flags.ts), and so are the
 * errors a destination's refusals become (keep-errors.ts).
 */
import { chmodSync, lchownSync, lstatSync, lutimesSync, readFileSync } from 'node:fs';
import { RelocateError } from '../core/errors.js';
import { nativeAttrTimesUnavailableReason } from './native/attr-times-darwin.js';
import { keepsModes } from './mode-keeping.js';
import { lutimesSeconds, nativeSetTimesUnavailableReason, type SetTimesNs } from './native/utimens.js';
import { nativeCopyMetadataUnavailableReason, type CopyMetadata } from './native/copyfile-darwin.js';
import { nativeFlagsUnavailableReason } from './native/fs-flags.js';
import { ACL_NAMES, attributeLabel, CAPABILITY, cannotKeep, errnoError } from './keep-errors.js';
import { FlagKeeper } from './keep-flags.js';
import { windowsKeepNotes } from './windows/keep-meta-win.js';
import { platformKeeperCalls, type KeeperCalls } from './keeper-calls.js';
import { XATTR_ERRNO, nativeXattrsUnavailableReason, type Xattr, type XattrCalls } from './native/xattrs.js';

/**
 * What is kept of one node, from one bigint lstat (and llistxattr).
 * Invariant: `xattrs` is null when the attributes were not read (the
 * native layer is off, or the listing reads them only when needed); [] when
 * read and there are none.
 */
export interface KeptMeta {
  kind: 'dir' | 'file' | 'symlink' | 'other';
  mode: number;
  uid: number;
  gid: number;
  atimeNs: bigint;
  mtimeNs: bigint;
  xattrs: Xattr[] | null;
  /** The copyable inode flags (fs-flags.ts), of files and folders; null when not read (no native layer, another kind, a listing that does not read them). */
  flags: number | null;
  /**
   * The creation time, where the keeper keeps it (Windows: birth-time.ts);
   * absent elsewhere, and where a snapshot did not record it: the node then
   * keeps its own.
   */
  birthtimeNs?: bigint;
}

/** Who owns a node the copy creates: the caller, and the folder's group under a set-group-ID folder. */
export interface NewOwner {
  uid: number;
  gid: number;
}

/** How one node is being set: what its maker gave it. */
export interface MadeAs {
  owner: NewOwner;
  /** The mode must be set (a folder made 0700, a file made 0600): not only when special bits need it. */
  mustChmod: boolean;
  /** The destination folder has a default ACL: ACL attributes the original lacks are removed. */
  stripAcl: boolean;
  /** The destination folder passes inode flags on to new nodes: every copy's flags are set, to the original's exactly. */
  stripFlags: boolean;
}

export type WrapError = (err: unknown, p: string, doing: string) => RelocateError;

/**
 * Attributes the system assigns, not the user: the SELinux label (the
 * destination's policy decides it) and macOS's com.apple.provenance (the
 * kernel's record of which app wrote a file, which it may refuse to let
 * anyone set or remove). Tried, never required, never compared, never removed.
 */
const SYSTEM_ASSIGNED = new Set(['security.selinux', 'com.apple.provenance']);
/** NTFS keeps times to 100 ns: a copy there holds the original's time truncated to that, and is kept. */
const COARSEST_NS = 100n;

/** Whether this process may give any owner (CAP_CHOWN in its effective set), read once from /proc. */
function mayChownAny(): boolean {
  if (process.platform === 'win32') return false;
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return (BigInt(`0x${m[1]}`) & 1n) === 1n;
  } catch {
    // not Linux: root is what counts
  }
  return process.geteuid?.() === 0;
}

export class MetaKeeper {
  /** Nodes whose owner could not be kept (another user's, copied without CAP_CHOWN). */
  ownersNotKept = 0;

  private readonly attrs: XattrCalls | null;
  /** The inode flags part (keep-flags.ts); null where flags are not kept here. */
  private readonly flags: FlagKeeper | null;
  private readonly copyMeta: CopyMetadata | null;
  private readonly setNs: SetTimesNs | null;
  private readonly birthHeld: ((dir: string) => boolean) | null;

  private constructor(
    calls: KeeperCalls,
    private readonly anyOwner: boolean,
    private readonly wrap: WrapError,
  ) {
    this.attrs = calls.xattrs;
    this.flags = calls.flags ? new FlagKeeper(calls.flags, anyOwner, wrap) : null;
    this.copyMeta = calls.copyMetadata;
    this.setNs = calls.setTimes;
    this.birthHeld = calls.setTimes ? calls.birthTimesHeld : null;
  }

  /** This platform's keeper (keeper-calls.ts: Windows keeps attributes, streams and permissions through the same calls). */
  static async load(wrap: WrapError): Promise<MetaKeeper> {
    return MetaKeeper.over(await platformKeeperCalls(), wrap);
  }

  /** A keeper over the given calls (a test's fakes; `load` gives this platform's). */
  static over(calls: KeeperCalls, wrap: WrapError, anyOwner = mayChownAny()): MetaKeeper {
    return new MetaKeeper(calls, anyOwner, wrap);
  }

  /** Whether times are set and compared to the nanosecond. */
  get nsTimes(): boolean {
    return this.setNs !== null;
  }

  /** Whether creation times are read, copied and (where the volume holds them: `birthTimesKeptIn`) compared: Windows and macOS. */
  get keepsBirthtimes(): boolean {
    return this.birthHeld !== null;
  }

  /** Whether copies made in folder `dir` hold the creation times this keeper sets, so the verify compares them. */
  birthTimesKeptIn(dir: string): boolean {
    return this.birthHeld !== null && this.birthHeld(dir);
  }

  /** Whether inode flags are read, copied and compared. */
  get keepsFlags(): boolean {
    return this.flags !== null;
  }

  /** Whether extended attributes are read, copied and compared. */
  get keepsXattrs(): boolean {
    return this.attrs !== null;
  }

  /** What this keeper cannot keep here, for --verbose. */
  notes(): string[] {
    const out: string[] = [];
    if (process.platform === 'win32') return windowsKeepNotes();
    if (!this.setNs)
      out.push(
        `times are kept to the microsecond, not the nanosecond${process.platform === 'darwin' ? ', and creation times are not kept' : ''} (${process.platform === 'darwin' ? nativeAttrTimesUnavailableReason() : nativeSetTimesUnavailableReason()})`,
      );
    if (!this.attrs) out.push(`extended attributes, ACLs and file capabilities are not copied (${nativeXattrsUnavailableReason()})`);
    if (process.platform === 'darwin' && !this.copyMeta)
      out.push(`ACLs and extended attributes of folders are not copied (${nativeCopyMetadataUnavailableReason()})`);
    if (!this.flags) out.push(`inode flags (chattr, chflags) are not copied (${nativeFlagsUnavailableReason()})`);
    if (this.flags && this.flags.notKept > 0) {
      out.push(`${this.flags.notKept} node(s) lost inode flags the destination cannot hold (${this.flags.describeRefused()}): mv keeps no inode flags at all`);
    }
    if (this.ownersNotKept > 0)
      out.push(`${this.ownersNotKept} node(s) owned by another user or group now belong to you: only root can keep another's ownership (mv does the same)`);
    return out;
  }

  /** Whether the caller may give a node this owner and group (so the copy keeps them, and the verify compares them). */
  ownerKeepable(uid: number, gid: number): boolean {
    if (process.platform === 'win32') return false;
    if (this.anyOwner) return true;
    return uid === process.geteuid?.() && (gid === process.getegid?.() || (process.getgroups?.() ?? []).includes(gid));
  }

  /** The owner nodes made under `dir` get: the caller, and `dir`'s group when it is set-group-ID. */
  newOwnerUnder(dir: string): NewOwner {
    const uid = process.geteuid?.() ?? 0;
    const gid = process.getegid?.() ?? 0;
    const s = lstatSync(dir, { throwIfNoEntry: false });
    return { uid, gid: s && (s.mode & 0o2000) !== 0 ? s.gid : gid };
  }

  /**
   * Whether the volume holding folder `dir` keeps permissions: a security
   * descriptor on Windows (FILE_PERSISTENT_ACLS), mode bits and owners
   * elsewhere (mode-keeping.ts). Where it does not, the verify compares
   * everything else.
   */
  permissionsHeldIn(dir: string): boolean {
    const perm = this.attrs?.permissions;
    return perm ? perm.heldIn(dir) : keepsModes(dir);
  }

  /** Whether copies made in `dir` inherit ACL entries (it has a default ACL). */
  inheritsAcl(dir: string): boolean {
    return this.attrs?.has(dir, 'system.posix_acl_default') ?? false;
  }

  /** The copyable inode flags of a file or folder (keep-flags.ts), or null when flags are not kept here or it is another kind. */
  readFlags(p: string, kind: KeptMeta['kind'], uid: number): number | null {
    return this.flags ? this.flags.read(p, kind, uid) : null;
  }

  /** Whether copies made in `dir` inherit inode flags the originals may lack (Linux passes some on to new nodes). */
  inheritsFlags(dir: string): boolean {
    return this.flags?.inherits(dir) ?? false;
  }

  /** Whether a file's flags include ones to set on its empty copy, before its bytes (`setFlagsBeforeData`). */
  wantsFlagsBeforeData(n: KeptMeta): boolean {
    return this.flags?.wantsBeforeData(n) ?? false;
  }

  /** Sets the flags that act only on data written after them on the empty copy `p` (keep-flags.ts). */
  setFlagsBeforeData(p: string, n: KeptMeta): void {
    this.flags?.setBeforeData(p, n);
  }

  /** The attributes of `p` (never followed), or null when they are not kept here. */
  readXattrs(p: string): Xattr[] | null {
    if (!this.attrs) return null;
    const got = this.attrs.read(p);
    if (Array.isArray(got)) return got;
    // A file system without attributes has none to lose.
    if (got.errno === XATTR_ERRNO.ENOTSUP) return [];
    throw this.wrap(errnoError(got.errno), p, 'reading the extended attributes of');
  }

  /**
   * Gives the node at `p` what `n` had, in the order the module comment
   * explains. `from` is the original, when the copy has one on disk (macOS
   * copies a folder's metadata from it with copyfile).
   */
  apply(p: string, n: KeptMeta, made: MadeAs, from?: string): void {
    if (n.kind === 'other') return;
    const copiedXattrs = process.platform === 'darwin' && from !== undefined && this.copyMetadataOnMac(p, n, from);
    let chmodNeeded = made.mustChmod || (n.mode & 0o7000) !== 0 || process.platform === 'win32';
    if ((n.uid !== made.owner.uid || n.gid !== made.owner.gid) && process.platform !== 'win32') {
      if (this.ownerKeepable(n.uid, n.gid)) {
        try {
          lchownSync(p, n.uid, n.gid);
        } catch (err) {
          throw this.wrap(err, p, `setting the owner (${n.uid}:${n.gid}) of`);
        }
      } else {
        this.ownersNotKept++;
      }
    }
    const attrs = this.attrs;
    const xattrs = attrs && !copiedXattrs ? (n.xattrs ?? []) : [];
    let capability: Xattr | undefined;
    for (const x of xattrs) {
      if (x.name === CAPABILITY) {
        capability = x;
        continue;
      }
      if (attrs && this.setXattr(attrs, p, n, x)) chmodNeeded = true;
    }
    if (made.stripAcl && this.attrs && n.kind !== 'symlink') {
      for (const name of ACL_NAMES) {
        if (xattrs.some((x) => x.name === name)) continue;
        const errno = this.attrs.remove(p, Buffer.from(`${name}\0`));
        if (errno !== 0 && errno !== XATTR_ERRNO.ENODATA) throw cannotKeep(errno, p, name, this.wrap);
      }
    }
    if (chmodNeeded && n.kind !== 'symlink') {
      try {
        chmodSync(p, n.mode);
      } catch (err) {
        throw this.wrap(err, p, 'setting the mode of');
      }
    }
    if (capability && attrs) this.setXattr(attrs, p, n, capability);
    if (n.kind === 'file' || n.kind === 'dir') this.flags?.set(p, n.flags ?? 0, made.stripFlags);
    this.setTimes(p, n);
  }

  /**
   * macOS: whether the copy `p` of `from` has its extended attributes and
   * ACL already — a file from the copy itself (libuv's copyfile
   * COPYFILE_ALL), a folder from copyfile's metadata copy made here. A
   * symlink gets its attributes from the keeper (setxattr, XATTR_NOFOLLOW).
   */
  private copyMetadataOnMac(p: string, n: KeptMeta, from: string): boolean {
    if (n.kind === 'file') return true;
    if (n.kind !== 'dir' || !this.copyMeta) return false;
    const errno = this.copyMeta(from, p);
    if (errno === 0) return true;
    throw new RelocateError('E_CANNOT_KEEP', `copying the ACL, extended attributes and flags of ${from} to ${p} failed (copyfile: errno ${errno})`, {
      path: p,
      hint: 'nothing was deleted: the original keeps them. Move to a volume that holds them (APFS or HFS+), or remove them from the original first',
    });
  }

  /**
   * Sets one attribute; true when the node's mode was opened for it (a
   * read-only file of the caller's own: user.* needs write permission), so
   * the mode must be set again.
   */
  private setXattr(attrs: XattrCalls, p: string, n: KeptMeta, x: Xattr): boolean {
    let errno = attrs.set(p, x);
    if (errno === 0) return false;
    if (errno === XATTR_ERRNO.EACCES && n.kind !== 'symlink' && (n.mode & 0o200) === 0) {
      try {
        chmodSync(p, n.mode | 0o200);
      } catch (err) {
        throw this.wrap(err, p, 'setting the mode of');
      }
      errno = attrs.set(p, x);
      if (errno === 0) return true;
    }
    if (SYSTEM_ASSIGNED.has(x.name)) return false;
    throw cannotKeep(errno, p, x.name, this.wrap);
  }

  /** Removes the attributes of `p` whose names `keep` lacks (the system-assigned ones stay). */
  removeOthers(p: string, keep: readonly Xattr[]): void {
    const have = this.readXattrs(p);
    if (!have || !this.attrs) return;
    for (const x of have) {
      if (SYSTEM_ASSIGNED.has(x.name) || keep.some((k) => k.raw.equals(x.raw))) continue;
      const errno = this.attrs.remove(p, x.raw);
      if (errno !== 0 && errno !== XATTR_ERRNO.ENODATA) throw cannotKeep(errno, p, x.name, this.wrap);
    }
  }

  /**
   * Sets a node's atime and mtime (and creation time, where kept and
   * given): to the nanosecond through utimensat (macOS: setattrlist;
   * Windows: SetFileTime, 100 ns), else to the microsecond.
   */
  setTimes(p: string, n: Pick<KeptMeta, 'kind' | 'atimeNs' | 'mtimeNs' | 'birthtimeNs'>): void {
    if (this.setNs) {
      const errno = this.setNs(p, n.atimeNs, n.mtimeNs, this.birthHeld ? n.birthtimeNs : undefined);
      if (errno !== 0) throw this.wrap(errnoError(errno), p, 'setting the times of');
      return;
    }
    try {
      lutimesSync(p, lutimesSeconds(n.atimeNs), lutimesSeconds(n.mtimeNs));
    } catch (err) {
      // Not every platform can set a link's own times; the verify does not compare them there.
      if (n.kind !== 'symlink') throw this.wrap(err, p, 'setting the times of');
    }
  }

  /**
   * Whether a copy's mtime keeps the original's: to the nanosecond (or
   * truncated to NTFS's 100 ns) where the copy's file system keeps that
   * (`grainNs` 1, see time-grain.ts), else within one step of its grain
   * (exFAT 10 ms, FAT 2 s, FUSE and network file systems a second).
   */
  sameMtime(orig: bigint, copy: bigint, kind: KeptMeta['kind'], grainNs = 1n): boolean {
    // A grain coarser than the portable path's millisecond (FAT, exFAT, HFS+) bounds that path too.
    if (grainNs > 1n && (this.setNs || grainNs > 1_000_000n)) {
      const d = orig - copy;
      return (d < 0n ? -d : d) < grainNs;
    }
    if (this.setNs) return copy === orig || copy === orig - (((orig % COARSEST_NS) + COARSEST_NS) % COARSEST_NS);
    // The portable path keeps microseconds, and a link's times only where lutimes works: files and folders, to 1 ms as ever.
    if (kind === 'symlink') return true;
    const d = orig - copy;
    return (d < 0n ? -d : d) <= 1_000_000n;
  }

  /**
   * What the copy lost of the original, beyond names, kinds, sizes and
   * modes (the verify compares those): the owner where it is kept, the
   * mtime, the creation time where `birthKept` (the copy's volume holds the
   * creation times this keeper sets: `birthTimesKeptIn`) and both listings
   * have one, each extended attribute (but those carrying permissions
   * where the copy's volume keeps none: `permissions` false, see
   * `permissionsHeldIn`), each inode flag. `readCopy` reads
   * the copy's attributes and flags when its listing has not (only nodes
   * whose original has some pay for it).
   */
  lost(orig: KeptMeta, copy: KeptMeta, readCopy: CopyReader, grainNs = 1n, birthKept = false, permissions = true): string | undefined {
    if (process.platform !== 'win32' && this.ownerKeepable(orig.uid, orig.gid) && (orig.uid !== copy.uid || orig.gid !== copy.gid)) {
      return `owner ${orig.uid}:${orig.gid} vs ${copy.uid}:${copy.gid}`;
    }
    if (!this.sameMtime(orig.mtimeNs, copy.mtimeNs, orig.kind, grainNs)) return `the modification time differs (${orig.mtimeNs} ns vs ${copy.mtimeNs} ns)`;
    // Kept to the same 100 ns as the mtime (SetFileTime), so compared by the same rule.
    if (
      birthKept &&
      this.birthHeld &&
      orig.birthtimeNs !== undefined &&
      copy.birthtimeNs !== undefined &&
      !this.sameMtime(orig.birthtimeNs, copy.birthtimeNs, orig.kind, grainNs)
    ) {
      return `the creation time differs (${orig.birthtimeNs} ns vs ${copy.birthtimeNs} ns)`;
    }
    const flags = this.flags?.lost(orig, copy, readCopy);
    if (flags) return flags;
    const unheld = permissions ? [] : (this.attrs?.permissions?.names ?? []);
    const want = orig.xattrs?.filter((x) => !SYSTEM_ASSIGNED.has(x.name) && !unheld.includes(x.name)) ?? [];
    if (want.length === 0 || !this.attrs) return undefined;
    const have = copy.xattrs ?? readCopy.xattrs();
    if (!have) return undefined;
    for (const x of want) {
      const y = have.find((h) => h.raw.equals(x.raw));
      if (!y) return `${attributeLabel(x.name)} is missing in the copy`;
      if (!y.value.equals(x.value)) return `${attributeLabel(x.name)} differs`;
    }
    return undefined;
  }
}

/** Reads what the verify's listing of a copy did not: its attributes and its flags, each only where the original has some. */
export interface CopyReader {
  xattrs(): Xattr[] | null;
  flags(): number | null;
}
