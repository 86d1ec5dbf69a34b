import { lstatSync, mkdirSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { RelocateError } from '../core/errors.js';
import type { FsPort, NodeInfo, NodeMeta, OutsideName, OutsideNames, ProgressFn, RootMadeFn } from '../exec/fs-port.js';
import type { VerifyMode } from '../exec/steps.js';
import type { ResolvedLinkType } from '../plan/types.js';
import type { InUseFile } from '../state/types.js';
import type { VouchOptions } from './ctime-vouch.js';
import { fsyncDir } from './durability.js';
import { holdersNow } from './in-use.js';
import { MetaKeeper } from './keep-meta.js';
import { nativeFsid } from './native/fsid.js';
import { findOutsideNames, type ListedFile } from './outside-names.js';
import { keptMetaOfSnapshot, snapshotNodeOf } from './snapshot-meta.js';
import { copyTree } from './fs/copy-tree.js';
import { assertOneDevice, deleteTree } from './fs/delete-tree.js';
import { syncCopy, type AskedDurability, type CopiedPaths } from './fs/durable-copy.js';
import { fsError } from './fs/errno-codes.js';
import { HOST } from './fs/host-primitives.js';
import { linkDestinationOf, makeHardLink, makeLink, remakeLink, removeLinkAt, unlinkFileAt } from './fs/links.js';
import { ListingCache } from './fs/listing-cache.js';
import { kindOf, lstatOrNull, readlinkOf } from './fs/node-stat.js';
import { renameNoReplace } from './fs/rename.js';
import { restoreMissing } from './fs/restore-missing.js';
import { verifyTrees } from './fs/verify-tree.js';
import { walk } from './fs/walk-tree.js';

export { fsError } from './fs/errno-codes.js';

/**
 * The FsPort on Node's fs and the natives of src/platform/native and
 * src/platform/windows: a thin façade over src/platform/fs/, one file per
 * job (walk, copy, verify, delete, links, rename, durability, errno
 * mapping), the few per-OS primitives chosen once (fs/host-primitives.ts).
 *
 * It holds what outlives one call: the keeper, the listing cache
 * (fs/listing-cache.ts), the notes for --verbose and a syncBatch's
 * deferred folders. Every call one job makes of another (a restore's copy
 * and rename, a copy's lstat, every syncDir) goes through `this`, so a
 * subclass or a fault harness that replaces one of them sees them all.
 */
export class NodeFs implements FsPort {
  /** Set when the native no-replace rename is not in use, for --verbose. */
  fallbackNote?: string;

  private keeperLoaded?: MetaKeeper;
  /** Folders whose copies went to a volume that keeps no modes or owners (permissionsHeldIn), or no creation times the keeper sets (birth-time.ts), for --verbose. */
  private readonly volumeNotes = { modeless: new Set<string>(), birthless: new Set<string>() };
  /** Listings of trees this process has just walked, for the next walk of the same tree (fs/listing-cache.ts). */
  private readonly listings = new ListingCache();

  /**
   * `keeper`: what copies keep, by default this platform's (MetaKeeper.load); a test gives one over fake calls.
   * `vouch`: a test's terms for reusing reads (a shorter margin, a clock that steps: ctime-vouch.ts).
   */
  constructor(
    keeper?: MetaKeeper,
    private readonly vouch: VouchOptions = {},
  ) {
    this.keeperLoaded = keeper;
  }

  /** What copies keep besides bytes (src/platform/keep-meta.ts), loaded once. */
  private async keeper(): Promise<MetaKeeper> {
    this.keeperLoaded ??= await MetaKeeper.load(fsError);
    return this.keeperLoaded;
  }

  /** What the copies of this process could not keep (microsecond times, attributes, others' ownership), for --verbose; undefined when nothing. */
  get keepNote(): string | undefined {
    const notes = this.keeperLoaded?.notes() ?? [];
    for (const v of this.volumeNotes.modeless)
      notes.push(
        `the volume of ${v} keeps no permission bits or owners (FAT, exFAT, NTFS through ntfs-3g; on Windows FAT and exFAT keep no ACLs): the copies there have the volume's own, and the verify compared everything else`,
      );
    for (const v of this.volumeNotes.birthless)
      notes.push(
        `the volume of ${v} does not hold the creation times relocate sets (FAT keeps 10 ms, Wine none): the copies there have the volume's own, and the verify compared everything else`,
      );
    return notes.length > 0 ? notes.join('; ') : undefined;
  }

  async lstat(p: string): Promise<NodeInfo | null> {
    const s = await lstatOrNull(p);
    if (!s) return null;
    const kind = kindOf(s);
    const info: NodeInfo = { kind, dev: String(s.dev), ino: String(s.ino) };
    // statfs follows links: a symlink's file system is its folder's.
    const fsid = await this.fsidOf(info.dev, kind === 'symlink' ? path.dirname(p) : p);
    if (fsid) info.fsid = fsid;
    if (kind === 'symlink') {
      // Windows: Node calls junctions (and other reparse points) symbolic links; the reparse tag tells.
      const probed = await (await HOST.linkProbe())?.(p);
      if (probed) info.kind = probed.kind;
      if (info.kind !== 'other') info.linkText = probed?.target ?? readlinkOf(p);
    }
    return info;
  }

  /** f_fsid by device, asked once per device: a device names one mounted file system while it is mounted. */
  private readonly fsids = new Map<string, string | undefined>();

  private async fsidOf(dev: string, p: string): Promise<string | undefined> {
    if (this.fsids.has(dev)) return this.fsids.get(dev);
    const fsid = (await nativeFsid())?.(p);
    this.fsids.set(dev, fsid);
    return fsid;
  }

  async missingDirs(p: string): Promise<string[]> {
    const missing: string[] = [];
    for (let cur = p; ; cur = path.dirname(cur)) {
      const s = await lstatOrNull(cur);
      if (s) {
        if (!s.isDirectory())
          throw new RelocateError('E_EXISTS', `${cur} is not a folder, so ${p} cannot be created`, {
            path: cur,
            hint: 'move it away, or choose another target',
          });
        break;
      }
      missing.unshift(cur);
      if (path.dirname(cur) === cur) break;
    }
    return missing;
  }

  async mkdirs(p: string): Promise<string[]> {
    const missing = await this.missingDirs(p);
    for (const d of missing) {
      try {
        mkdirSync(d);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(err, d, 'creating the folder');
      }
    }
    // Each new level's name lives in the folder above it: every one of those folders is synced, not only the first.
    for (const d of missing) await this.syncDir(path.dirname(d));
    return missing;
  }

  async rmdirIfEmpty(p: string): Promise<boolean> {
    try {
      await rmdir(p);
      // Durable before the journal says the undo is done, or a power cut brings the empty folder back.
      await this.syncDir(path.dirname(p));
      return true;
    } catch (err) {
      if (err instanceof RelocateError) throw err;
      const c = (err as NodeJS.ErrnoException).code;
      if (c === 'ENOENT' || c === 'ENOTEMPTY' || c === 'EEXIST') return false;
      throw fsError(err, p, 'removing the folder');
    }
  }

  async renameNoReplace(from: string, to: string): Promise<void> {
    await renameNoReplace(from, to, (why) => (this.fallbackNote = why));
    await this.syncRenamed(from, to);
  }

  /**
   * A rename changes two folders: the name is added to one and taken from
   * the other. Both are fsync'd (the destination first), or after a power
   * cut the old name may come back beside the new one, or neither be there.
   */
  private async syncRenamed(from: string, to: string): Promise<void> {
    await this.syncDir(path.dirname(to));
    if (path.dirname(from) !== path.dirname(to)) await this.syncDir(path.dirname(from));
  }

  async treeBytes(p: string): Promise<number> {
    const seen = new Set<string>();
    let bytes = 0;
    const list = await walk(p);
    for (let i = 0; i < list.length; i++) {
      if (list.kind(i) !== 'file') continue;
      if (list.nlink(i) > 1) {
        if (seen.has(list.id(i))) continue;
        seen.add(list.id(i));
      }
      bytes += list.size(i);
    }
    return bytes;
  }

  async copyTree(from: string, to: string, progress?: ProgressFn, onRoot?: RootMadeFn, reuse?: readonly OutsideName[]): Promise<void> {
    const work = {
      keeper: () => this.keeper(),
      cache: this.listings,
      vouch: this.vouch,
      lstat: (p: string) => this.lstat(p),
      syncCopy: (root: string, paths: CopiedPaths, asked?: AskedDurability) => this.syncCopy(root, paths, asked),
    };
    return copyTree(work, from, to, progress, onRoot, reuse);
  }

  /** Makes a whole copy durable (fs/durable-copy.ts), through this object's syncDir. */
  private syncCopy(root: string, paths: CopiedPaths, asked?: AskedDurability): Promise<void> {
    return syncCopy({ syncDir: (p) => this.syncDir(p), noteDurability: (holder, why) => this.durabilityNotes.set(holder, why) }, root, paths, asked);
  }

  /** How each volume copied to was made durable, by the folder the copies went into (for --verbose). */
  private readonly durabilityNotes = new Map<string, string>();

  /** One line per volume copied to: how the copy was made durable there. */
  get durabilityNote(): string | undefined {
    if (this.durabilityNotes.size === 0) return undefined;
    return [...this.durabilityNotes].map(([dir, why]) => `the copy into ${dir} was made durable by ${why}`).join('; ');
  }

  async verify(original: string, copy: string, mode: VerifyMode, subset: boolean, progress?: ProgressFn): Promise<void> {
    return verifyTrees(() => this.keeper(), this.listings, this.volumeNotes, original, copy, mode, subset, progress);
  }

  async snapshot(root: string): Promise<NodeMeta[]> {
    const keeper = await this.keeper();
    const list = this.listings.takeSnapshotSource(root) ?? (await walk(root, keeper));
    const out: NodeMeta[] = [];
    for (let i = 0; i < list.length; i++) if (list.kind(i) !== 'other') out.push(snapshotNodeOf(list, i, HOST.modeBitsAndOwners));
    return out;
  }

  async snapshotNames(root: string): Promise<Iterable<string>> {
    // The names `snapshot` would list, sorted, made one at a time from the listing (tree-listing.ts).
    const list = this.listings.takeSnapshotSource(root) ?? (await walk(root));
    return list.sortedRels();
  }

  async restoreSnapshot(fromRoot: string, toRoot: string, nodes: NodeMeta[]): Promise<void> {
    for (const n of nodes) {
      const d = n.rel === '' ? toRoot : path.join(toRoot, ...n.rel.split('/'));
      if (n.kind === 'dir') {
        // The root folder is made by the caller.
        if (n.rel === '') continue;
        await mkdir(d).catch((err) => {
          throw fsError(err, d, 'creating the folder');
        });
      } else {
        await this.copyTree(n.rel === '' ? fromRoot : path.join(fromRoot, ...n.rel.split('/')), d);
        // The copy carries the twin's owner, attributes, mode and times; the snapshot's are the original's.
        await this.keepSnapshotMeta(d, n);
      }
    }
    // Folders last: creating their contents changed their times.
    const dirs = nodes.filter((x) => x.kind === 'dir');
    for (const n of dirs.slice().reverse()) await this.keepSnapshotMeta(n.rel === '' ? toRoot : path.join(toRoot, ...n.rel.split('/')), n);
    // The modes, owners and times just set are the inodes' own: durable (with the names) before the undo is called done.
    const at = (n: NodeMeta) => (n.rel === '' ? toRoot : path.join(toRoot, ...n.rel.split('/')));
    await this.syncCopy(toRoot, () => ({ files: nodes.filter((x) => x.kind === 'file').map(at), dirs: dirs.map(at) }));
  }

  /**
   * Gives a restored node what its snapshot recorded (keep-meta.ts order;
   * snapshot-meta.ts): attributes the node has and the snapshot lacks (the
   * twin's, or inherited from a default ACL) are removed first, and recorded
   * inode flags are set exactly (the twin's or the parent's are taken away).
   * A field an older journal lacks leaves the node's own.
   */
  private async keepSnapshotMeta(p: string, n: NodeMeta): Promise<void> {
    const keeper = await this.keeper();
    const now = lstatSync(p, { bigint: true });
    const want = keptMetaOfSnapshot(n, now, keeper.keepsXattrs);
    if (want.xattrs !== null) keeper.removeOthers(p, want.xattrs);
    keeper.apply(p, want, {
      owner: { uid: Number(now.uid), gid: Number(now.gid) },
      mustChmod: n.kind !== 'symlink',
      stripAcl: false,
      stripFlags: want.flags !== null,
    });
  }

  async outsideNames(root: string): Promise<OutsideNames> {
    // The verify just before a delete walked this tree fresh (listing-cache.ts): its listing is reused, not taken.
    const list = this.listings.peekSnapshotSource(root) ?? (await walk(root));
    // Only files with more than one name can have one outside.
    const shared: ListedFile[] = [];
    for (let i = 0; i < list.length; i++)
      if (list.kind(i) === 'file' && list.nlink(i) > 1) shared.push({ rel: list.rel(i), kind: 'file', id: list.id(i), nlink: list.nlink(i) });
    return findOutsideNames(root, shared);
  }

  async restoreMissing(twin: string, root: string, reuse?: readonly OutsideName[]): Promise<number> {
    this.listings.clear();
    const port = {
      deleteTree: (p: string) => this.deleteTree(p),
      copyTree: (from: string, to: string, progress?: ProgressFn, onRoot?: RootMadeFn, outside?: readonly OutsideName[]) =>
        this.copyTree(from, to, progress, onRoot, outside),
      renameNoReplace: (from: string, to: string) => this.renameNoReplace(from, to),
      syncDir: (p: string) => this.syncDir(p),
      keeper: () => this.keeper(),
    };
    return restoreMissing(port, twin, root, reuse);
  }

  // Each link call is one synchronous syscall (fs/links.ts), then its folder made durable.
  async createLink(p: string, target: string, kind: ResolvedLinkType): Promise<void> {
    await makeLink(p, target, kind);
    await this.syncDir(path.dirname(p));
  }

  async restoreLink(p: string, linkText: string, kind: 'symlink' | 'junction', dirHint: boolean): Promise<void> {
    remakeLink(p, linkText, kind, dirHint);
    await this.syncDir(path.dirname(p));
  }

  async linkDestination(p: string): Promise<string | null> {
    return linkDestinationOf(p);
  }

  async removeLink(p: string): Promise<void> {
    if (await removeLinkAt(p)) await this.syncDir(path.dirname(p));
  }

  async unlinkFile(p: string): Promise<void> {
    unlinkFileAt(p);
    await this.syncDir(path.dirname(p));
  }

  async hardLink(existing: string, p: string): Promise<void> {
    makeHardLink(existing, p);
    await this.syncDir(path.dirname(p));
  }

  async assertOneDevice(root: string): Promise<void> {
    return assertOneDevice(root);
  }

  async deleteTree(root: string): Promise<void> {
    // Freed inode numbers can be reused by new folders: no listing outlives a delete.
    this.listings.clear();
    return deleteTree({ syncDir: (p) => this.syncDir(p), assertOneDevice: (p) => this.assertOneDevice(p) }, root);
  }

  /**
   * Makes the names in a folder durable (see fsyncDir: only a "not
   * supported" error is ignored; EIO and the rest fail the step, since the
   * journal must not say done for a change that may not be on disk).
   */
  async syncDir(p: string): Promise<void> {
    if (this.deferredSyncs) {
      this.deferredSyncs.add(p);
      return;
    }
    try {
      await fsyncDir(p);
    } catch (err) {
      throw fsError(err, p, 'making the folder entries durable in');
    }
  }

  /** Folders whose sync a `syncBatch` deferred; undefined outside one. */
  private deferredSyncs?: Set<string>;

  async syncBatch<T>(fn: () => Promise<T>): Promise<T> {
    if (this.deferredSyncs) return fn();
    this.deferredSyncs = new Set();
    try {
      return await fn();
    } finally {
      const dirs = this.deferredSyncs;
      this.deferredSyncs = undefined;
      for (const d of dirs) await this.syncDir(d);
    }
  }

  /** A fresh look at every process (src/platform/in-use.ts picks the OS's check); reads only. */
  async processesUsing(p: string): Promise<InUseFile[]> {
    const n = await this.lstat(p);
    if (!n || (n.kind !== 'dir' && n.kind !== 'file')) return [];
    return holdersNow(p, n.kind === 'dir');
  }
}
