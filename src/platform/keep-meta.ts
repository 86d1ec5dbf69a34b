/**
 * What a copy keeps of a node besides its bytes, how it sets it, and how
 * the verify compares it: owner and group, every mode bit, nanosecond
 * times, extended attributes (POSIX ACLs and file capabilities among them).
 *
 * Order of the setting, each step for a reason:
 *  1. owner and group (lchown), when they differ from what a new node gets
 *     and the caller may set them (see `ownerKeepable`);
 *  2. extended attributes (lsetxattr), after the chown: a chown clears
 *     security.capability, so that one is set last of all (step 4);
 *  3. the mode, after the chown, which clears set-user-ID and set-group-ID;
 *  4. security.capability;
 *  5. the times, last: nothing after them touches the node.
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
 * deleted), where mv would drop it silently. The one exception is
 * security.selinux, which the destination's policy assigns: tried, never
 * required, never compared. When the destination folder has a default ACL,
 * copies inherit ACL entries the originals lack; those are removed (as
 * cp -a does, which sets the original's trivial ACL). The verify checks
 * that every attribute of the original is on the copy with equal bytes.
 */
import { chmodSync, lchownSync, lstatSync, lutimesSync, readFileSync } from 'node:fs';
import { RelocateError } from '../core/errors.js';
import { nativeSetTimesNs, nativeSetTimesUnavailableReason, type SetTimesNs } from './native/utimens.js';
import { windowsAttributeLabel } from './windows/file-attributes.js';
import { windowsKeep, windowsKeepNotes } from './windows/keep-meta-win.js';
import { XATTR_ERRNO, nativeXattrs, nativeXattrsUnavailableReason, type Xattr, type XattrCalls } from './native/xattrs.js';

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
}

export type WrapError = (err: unknown, p: string, doing: string) => RelocateError;

const CAPABILITY = 'security.capability';
const SELINUX = 'security.selinux';
const ACL_NAMES = ['system.posix_acl_access', 'system.posix_acl_default'];
/** NTFS keeps times to 100 ns: a copy there holds the original's time truncated to that, and is kept. */
const COARSEST_NS = 100n;
const ERRNO_NAMES: Record<number, string> = { 1: 'EPERM', 7: 'E2BIG', 13: 'EACCES', 28: 'ENOSPC', 61: 'ENODATA', 95: 'ENOTSUP', 122: 'EDQUOT' };

function errnoError(errno: number): NodeJS.ErrnoException {
  return Object.assign(new Error(`errno ${errno}`), { code: ERRNO_NAMES[errno] ?? `errno ${errno}` });
}

/** Says which attribute a name is, for people. */
export function attributeLabel(name: string): string {
  if (name.startsWith('win.')) return windowsAttributeLabel(name);
  if (ACL_NAMES.includes(name)) return `the POSIX ${name.endsWith('default') ? 'default ACL' : 'ACL'} (${name})`;
  if (name === CAPABILITY) return `the file capability (${name})`;
  return `the extended attribute ${name}`;
}

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

/** A time as the seconds lutimes takes, rounded to the microsecond libuv keeps (see node-fs `sec`). */
function secondsOf(ns: bigint): number {
  return (Number(ns / 1000n) + 0.5) / 1e6;
}

export class MetaKeeper {
  /** Nodes whose owner could not be kept (another user's, copied without CAP_CHOWN). */
  ownersNotKept = 0;

  private constructor(
    private readonly attrs: XattrCalls | null,
    private readonly setNs: SetTimesNs | null,
    private readonly anyOwner: boolean,
    private readonly wrap: WrapError,
  ) {}

  static async load(wrap: WrapError): Promise<MetaKeeper> {
    // Windows keeps attributes, streams and permissions through the same calls (windows/keep-meta-win.ts).
    const win = process.platform === 'win32' ? await windowsKeep() : undefined;
    return new MetaKeeper(win !== undefined ? (win?.xattrs ?? null) : await nativeXattrs(), win !== undefined ? (win?.setTimes ?? null) : await nativeSetTimesNs(), mayChownAny(), wrap);
  }

  /** Whether times are set and compared to the nanosecond. */
  get nsTimes(): boolean {
    return this.setNs !== null;
  }

  /** Whether extended attributes are read, copied and compared. */
  get keepsXattrs(): boolean {
    return this.attrs !== null;
  }

  /** What this keeper cannot keep here, for --verbose. */
  notes(): string[] {
    const out: string[] = [];
    if (process.platform === 'win32') return windowsKeepNotes();
    if (!this.setNs) out.push(`times are kept to the microsecond, not the nanosecond (${nativeSetTimesUnavailableReason()})`);
    if (!this.attrs) out.push(`extended attributes, ACLs and file capabilities are not copied (${nativeXattrsUnavailableReason()})`);
    if (this.ownersNotKept > 0) out.push(`${this.ownersNotKept} node(s) owned by another user or group now belong to you: only root can keep another's ownership (mv does the same)`);
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

  /** Whether copies made in `dir` inherit ACL entries (it has a default ACL). */
  inheritsAcl(dir: string): boolean {
    return this.attrs?.has(dir, 'system.posix_acl_default') ?? false;
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

  /** Gives the node at `p` what `n` had, in the order the module comment explains. */
  apply(p: string, n: KeptMeta, made: MadeAs): void {
    if (n.kind === 'other') return;
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
    const xattrs = this.attrs ? (n.xattrs ?? []) : [];
    let capability: Xattr | undefined;
    for (const x of xattrs) {
      if (x.name === CAPABILITY) {
        capability = x;
        continue;
      }
      if (this.setXattr(p, n, x)) chmodNeeded = true;
    }
    if (made.stripAcl && this.attrs && n.kind !== 'symlink') {
      for (const name of ACL_NAMES) {
        if (xattrs.some((x) => x.name === name)) continue;
        const errno = this.attrs.remove(p, Buffer.from(`${name}\0`));
        if (errno !== 0 && errno !== XATTR_ERRNO.ENODATA) throw this.keepError(errno, p, name);
      }
    }
    if (chmodNeeded && n.kind !== 'symlink') {
      try {
        chmodSync(p, n.mode);
      } catch (err) {
        throw this.wrap(err, p, 'setting the mode of');
      }
    }
    if (capability) this.setXattr(p, n, capability);
    this.setTimes(p, n);
  }

  /**
   * Sets one attribute; true when the node's mode was opened for it (a
   * read-only file of the caller's own: user.* needs write permission), so
   * the mode must be set again.
   */
  private setXattr(p: string, n: KeptMeta, x: Xattr): boolean {
    const attrs = this.attrs!;
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
    if (x.name === SELINUX) return false;
    throw this.keepError(errno, p, x.name);
  }

  private keepError(errno: number, p: string, name: string): RelocateError {
    const label = attributeLabel(name);
    const code = ERRNO_NAMES[errno] ?? `errno ${errno}`;
    if (errno === XATTR_ERRNO.ENOSPC || errno === XATTR_ERRNO.EDQUOT) return this.wrap(errnoError(errno), p, `setting ${label} of`);
    const why =
      errno === XATTR_ERRNO.ENOTSUP
        ? 'the destination file system cannot hold it'
        : errno === XATTR_ERRNO.EPERM || errno === XATTR_ERRNO.EACCES
          ? 'this account may not set it (security.* and trusted.* need root)'
          : 'the destination refused it';
    return new RelocateError('E_CANNOT_KEEP', `setting ${label} of ${p} failed: ${why} (${code})`, {
      path: p,
      hint: 'nothing was deleted: the original keeps it. Move to a file system that holds it, run as root, or remove the attribute from the original first',
    });
  }

  /** Removes the attributes of `p` whose names `keep` lacks (security.selinux stays: the policy's). */
  removeOthers(p: string, keep: readonly Xattr[]): void {
    const have = this.readXattrs(p);
    if (!have || !this.attrs) return;
    for (const x of have) {
      if (x.name === SELINUX || keep.some((k) => k.raw.equals(x.raw))) continue;
      const errno = this.attrs.remove(p, x.raw);
      if (errno !== 0 && errno !== XATTR_ERRNO.ENODATA) throw this.keepError(errno, p, x.name);
    }
  }

  /** Sets a node's atime and mtime: to the nanosecond through utimensat, else to the microsecond. */
  setTimes(p: string, n: Pick<KeptMeta, 'kind' | 'atimeNs' | 'mtimeNs'>): void {
    if (this.setNs) {
      const errno = this.setNs(p, n.atimeNs, n.mtimeNs);
      if (errno !== 0) throw this.wrap(errnoError(errno), p, 'setting the times of');
      return;
    }
    try {
      lutimesSync(p, secondsOf(n.atimeNs), secondsOf(n.mtimeNs));
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
    if (this.setNs && grainNs > 1n) {
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
   * mtime, each extended attribute. `copyXattrs` reads the copy's when its
   * listing has not (only nodes whose original has attributes pay for it).
   */
  lost(orig: KeptMeta, copy: KeptMeta, copyXattrs: () => Xattr[] | null, grainNs = 1n): string | undefined {
    if (process.platform !== 'win32' && this.ownerKeepable(orig.uid, orig.gid) && (orig.uid !== copy.uid || orig.gid !== copy.gid)) {
      return `owner ${orig.uid}:${orig.gid} vs ${copy.uid}:${copy.gid}`;
    }
    if (!this.sameMtime(orig.mtimeNs, copy.mtimeNs, orig.kind, grainNs)) return `the modification time differs (${orig.mtimeNs} ns vs ${copy.mtimeNs} ns)`;
    const want = orig.xattrs?.filter((x) => x.name !== SELINUX) ?? [];
    if (want.length === 0 || !this.attrs) return undefined;
    const have = copy.xattrs ?? copyXattrs();
    if (!have) return undefined;
    for (const x of want) {
      const y = have.find((h) => h.raw.equals(x.raw));
      if (!y) return `${attributeLabel(x.name)} is missing in the copy`;
      if (!y.value.equals(x.value)) return `${attributeLabel(x.name)} differs`;
    }
    return undefined;
  }
}
