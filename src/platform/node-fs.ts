import { constants as C, type BigIntStats, type Stats } from 'node:fs';
import { access, chmod, copyFile, link, lstat, lutimes, mkdir, open, readdir, readlink, rename, rmdir, stat, symlink, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { RelocateError, type ErrorCode } from '../core/errors.js';
import { canonicalPath, hostOs, isAbsolutePath, styleForOs } from '../core/paths.js';
import type { FsPort, NodeInfo, NodeMeta, ProgressFn } from '../exec/fs-port.js';
import type { VerifyMode } from '../exec/steps.js';
import type { ResolvedLinkType } from '../plan/types.js';
import { eachLimited } from '../core/each-limited.js';
import { fsyncDir } from './journal-fs.js';
import { isUnsupportedErrno, nativeRenameNoReplace, nativeRenameUnavailableReason } from './native/rename-noreplace.js';
import { hashFile } from './node-reader.js';

const STYLE = styleForOs(hostOs());
/** Files copied or hashed at once: enough to hide latency, few enough to keep memory flat. */
const CONCURRENCY = 8;
/** mtimes survive a copy to within this (utimes takes a double of seconds). */
const MTIME_TOLERANCE_MS = 1;
/** How often the size of a file being copied is read for the progress line. */
const PROGRESS_POLL_MS = 500;

const ERRNO_CODES: Record<string, ErrorCode> = {
  ENOSPC: 'E_NO_SPACE',
  EDQUOT: 'E_NO_SPACE',
  EACCES: 'E_ACCESS',
  EPERM: 'E_ACCESS',
  EBUSY: 'E_IN_USE',
  ETXTBSY: 'E_IN_USE',
  EROFS: 'E_READ_ONLY',
  EXDEV: 'E_CROSS_VOLUME',
  EEXIST: 'E_EXISTS',
  ENOENT: 'E_MISSING',
  EIO: 'E_IO',
};

const HINTS: Partial<Record<ErrorCode, string>> = {
  E_NO_SPACE: 'free space on the destination drive and run again',
  E_ACCESS: 'check the permissions of this path (or run from an account that may change it)',
  E_IN_USE: 'close the program that uses this file and run again',
  E_READ_ONLY: 'the volume is read-only; remount it read-write or choose another path',
  E_EXISTS: 'something appeared at this path; move it away and run `relocate plan` again',
  E_MISSING: 'the disk changed while relocate worked; run `relocate plan` again',
  E_IO: 'the disk reported an I/O error; check it before going on',
};

/** Wraps an fs error as a RelocateError with the path and a hint. */
export function fsError(err: unknown, p: string, doing: string): RelocateError {
  if (err instanceof RelocateError) return err;
  const errno = (err as NodeJS.ErrnoException)?.code ?? '';
  const code: ErrorCode = ERRNO_CODES[errno] ?? 'E_IO';
  return new RelocateError(code, `${doing} ${p} failed: ${errno || (err as Error)?.message}`, { path: p, ...(HINTS[code] ? { hint: HINTS[code] } : {}), cause: err });
}

async function lstatOrNull(p: string): Promise<BigIntStats | null> {
  try {
    return await lstat(p, { bigint: true });
  } catch (err) {
    const c = (err as NodeJS.ErrnoException).code;
    if (c === 'ENOENT' || c === 'ENOTDIR') return null;
    throw fsError(err, p, 'reading');
  }
}


interface TreeNode {
  rel: string;
  kind: 'dir' | 'file' | 'symlink' | 'other';
  size: number;
  mtimeMs: number;
  atimeMs: number;
  mode: number;
  linkText?: string;
  id: string;
  nlink: number;
}

function kindOf(s: Stats | BigIntStats): TreeNode['kind'] {
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isDirectory()) return 'dir';
  if (s.isFile()) return 'file';
  return 'other';
}

/** Lists a tree without entering links; folders before their contents. */
async function walk(root: string): Promise<TreeNode[]> {
  const out: TreeNode[] = [];
  const add = async (rel: string, full: string) => {
    const s = await lstat(full).catch((err) => {
      throw fsError(err, full, 'reading');
    });
    const node: TreeNode = { rel, kind: kindOf(s), size: s.size, mtimeMs: s.mtimeMs, atimeMs: s.atimeMs, mode: s.mode & 0o7777, id: `${s.dev}:${s.ino}`, nlink: s.nlink };
    if (node.kind === 'symlink') node.linkText = await readlink(full);
    return node;
  };
  const top = await add('', root);
  out.push(top);
  if (top.kind !== 'dir') return out;
  const queue = [''];
  while (queue.length > 0) {
    const rel = queue.shift()!;
    const dir = rel === '' ? root : path.join(root, rel);
    const names = (await readdir(dir).catch((err) => {
      throw fsError(err, dir, 'listing');
    })).sort();
    const nodes: TreeNode[] = new Array(names.length);
    await eachLimited(names.map((n, i) => [n, i] as const), 16, async ([name, i]) => {
      const r = rel === '' ? name : `${rel}/${name}`;
      nodes[i] = await add(r, path.join(root, r));
    });
    for (const n of nodes) {
      out.push(n);
      if (n.kind === 'dir') queue.push(n.rel);
    }
  }
  return out;
}

function describeDiff(rel: string, what: string): string {
  return `${rel === '' ? '(the top)' : rel}: ${what}`;
}

export class NodeFs implements FsPort {
  /** Set when the native no-replace rename is not in use, for --verbose. */
  fallbackNote?: string;

  async lstat(p: string): Promise<NodeInfo | null> {
    const s = await lstatOrNull(p);
    if (!s) return null;
    const kind = kindOf(s);
    const info: NodeInfo = { kind, dev: String(s.dev), ino: String(s.ino) };
    if (kind === 'symlink') info.linkText = await readlink(p);
    return info;
  }

  async missingDirs(p: string): Promise<string[]> {
    const missing: string[] = [];
    for (let cur = p; ; cur = path.dirname(cur)) {
      const s = await lstatOrNull(cur);
      if (s) {
        if (!s.isDirectory()) throw new RelocateError('E_EXISTS', `${cur} is not a folder, so ${p} cannot be created`, { path: cur, hint: 'move it away, or choose another target' });
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
        await mkdir(d);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(err, d, 'creating the folder');
      }
    }
    if (missing.length > 0) await this.syncDir(path.dirname(missing[0]!));
    return missing;
  }

  async rmdirIfEmpty(p: string): Promise<boolean> {
    try {
      await rmdir(p);
      return true;
    } catch (err) {
      const c = (err as NodeJS.ErrnoException).code;
      if (c === 'ENOENT' || c === 'ENOTEMPTY' || c === 'EEXIST') return false;
      throw fsError(err, p, 'removing the folder');
    }
  }

  async renameNoReplace(from: string, to: string): Promise<void> {
    const native = await nativeRenameNoReplace();
    if (native) {
      const r = native(from, to);
      if (r.ok) return this.syncDir(path.dirname(to));
      if (!isUnsupportedErrno(r.errno)) {
        if (r.errno === 17) throw new RelocateError('E_EXISTS', `cannot move ${from} to ${to}: something is already there`, { path: to, hint: HINTS.E_EXISTS! });
        throw fsError(Object.assign(new Error(`errno ${r.errno}`), { code: errnoName(r.errno) }), from, `moving to ${to}:`);
      }
      this.fallbackNote = `the filesystem refused renameat2(RENAME_NOREPLACE); using check-then-rename under the lock`;
    } else {
      this.fallbackNote = `${nativeRenameUnavailableReason()}; using check-then-rename under the lock`;
    }
    // Portable path: relocate holds the state lock, so only another program could race this check.
    if (await lstatOrNull(to)) throw new RelocateError('E_EXISTS', `cannot move ${from} to ${to}: something is already there`, { path: to, hint: HINTS.E_EXISTS! });
    try {
      await rename(from, to);
    } catch (err) {
      throw fsError(err, from, `moving to ${to}:`);
    }
    await this.syncDir(path.dirname(to));
  }

  async treeBytes(p: string): Promise<number> {
    const seen = new Set<string>();
    let bytes = 0;
    for (const n of await walk(p)) {
      if (n.kind !== 'file') continue;
      if (n.nlink > 1) {
        if (seen.has(n.id)) continue;
        seen.add(n.id);
      }
      bytes += n.size;
    }
    return bytes;
  }

  async copyTree(from: string, to: string, progress?: ProgressFn): Promise<void> {
    if (await lstatOrNull(to)) throw new RelocateError('E_EXISTS', `cannot copy to ${to}: something is already there`, { path: to, hint: HINTS.E_EXISTS! });
    const nodes = await walk(from);
    let done = 0;
    const firstCopyOf = new Map<string, string>();
    const dirs: TreeNode[] = [];
    const files: TreeNode[] = [];
    for (const n of nodes) (n.kind === 'dir' ? dirs : files).push(n);
    const dest = (n: TreeNode) => (n.rel === '' ? to : path.join(to, n.rel));
    const src = (n: TreeNode) => (n.rel === '' ? from : path.join(from, n.rel));
    // Folders first (parents before children), writable while filling; their modes and times are set last.
    for (const d of dirs) {
      await mkdir(dest(d), { mode: 0o700 }).catch((err) => {
        throw fsError(err, dest(d), 'creating the folder');
      });
    }
    // Hard links inside the tree stay hard links: the first name is copied, the others linked to it.
    const linked: TreeNode[] = [];
    const plain: TreeNode[] = [];
    for (const f of files) {
      if (f.kind === 'file' && f.nlink > 1) {
        if (firstCopyOf.has(f.id)) {
          linked.push(f);
          continue;
        }
        firstCopyOf.set(f.id, dest(f));
      }
      plain.push(f);
    }
    // A single big file is one copyFile call: poll the sizes of the copies in flight so progress moves.
    const inFlight = new Set<string>();
    const poll = progress
      ? setInterval(() => {
          void Promise.all([...inFlight].map((p) => stat(p).then((x) => x.size, () => 0))).then((sizes) => progress(done + sizes.reduce((a, b) => a + b, 0)));
        }, PROGRESS_POLL_MS)
      : undefined;
    try {
      await eachLimited(plain, CONCURRENCY, async (f) => {
        const s = src(f);
        const d = dest(f);
        try {
          if (f.kind === 'symlink') {
            await symlink(f.linkText!, d, await symlinkType(s));
            await lutimes(d, f.mtimeMs / 1000, f.mtimeMs / 1000).catch(() => undefined);
          } else if (f.kind === 'file') {
            inFlight.add(d);
            await copyFile(s, d, C.COPYFILE_EXCL).finally(() => inFlight.delete(d));
            await chmod(d, f.mode);
            // Seconds as a double keep sub-millisecond precision, which Date objects would drop.
            await utimes(d, f.atimeMs / 1000, f.mtimeMs / 1000);
            done += f.size;
            progress?.(done);
          } else {
            throw new RelocateError('E_UNSUPPORTED_NODE', `${s} is a device, socket or pipe, which relocate does not copy`, { path: s, hint: 'move it out of the folder first' });
          }
        } catch (err) {
          if (f.kind === 'file' && !(err instanceof RelocateError)) {
            // Name the side that failed: an unreadable original is the file the user has to deal with.
            const unreadable = await access(s, C.R_OK).then(() => false, () => true);
            throw fsError(err, unreadable ? s : d, unreadable ? 'reading' : `copying ${s} to`);
          }
          throw fsError(err, d, f.kind === 'symlink' ? 'creating the link' : 'copying to');
        }
      });
    } finally {
      if (poll) clearInterval(poll);
    }
    for (const f of linked) {
      await link(firstCopyOf.get(f.id)!, dest(f)).catch((err) => {
        throw fsError(err, dest(f), 'creating the hard link');
      });
    }
    for (const d of dirs.slice().reverse()) {
      await chmod(dest(d), d.mode).catch((err) => {
        throw fsError(err, dest(d), 'setting the mode of');
      });
      await utimes(dest(d), d.atimeMs / 1000, d.mtimeMs / 1000).catch((err) => {
        throw fsError(err, dest(d), 'setting the times of');
      });
    }
    await this.syncFiles(to, plain);
    await this.syncDir(path.dirname(to));
  }

  /** fsync every copied file, so a power cut after "verified" cannot lose the copy. */
  private async syncFiles(root: string, files: TreeNode[]): Promise<void> {
    await eachLimited(files.filter((f) => f.kind === 'file'), CONCURRENCY, async (f) => {
      const p = f.rel === '' ? root : path.join(root, f.rel);
      const fh = await open(p, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    });
  }

  async verify(original: string, copy: string, mode: VerifyMode, subset: boolean, progress?: ProgressFn): Promise<void> {
    const [a, b] = await Promise.all([walk(original), walk(copy)]);
    const fail = (what: string, rel: string): never => {
      throw new RelocateError('E_VERIFY', `the copy ${copy} does not match ${original}: ${describeDiff(rel, what)}`, {
        path: rel === '' ? copy : path.join(copy, rel),
        hint: 'nothing was deleted; the original is intact. Check the destination disk, then run again',
      });
    };
    const byRel = new Map(b.map((n) => [n.rel, n]));
    const toHash: string[] = [];
    for (const n of a) {
      const m = byRel.get(n.rel);
      if (subset && n.kind === 'dir') {
        if (m && m.kind !== 'dir') fail('a folder on one side, not on the other', n.rel);
        continue;
      }
      if (!m) fail('missing in the copy', n.rel);
      if (m!.kind !== n.kind) fail(`a ${n.kind} became a ${m!.kind}`, n.rel);
      if (n.kind === 'symlink') {
        if (n.linkText !== m!.linkText) fail(`the link text differs (${n.linkText} vs ${m!.linkText})`, n.rel);
        continue;
      }
      if (n.kind === 'file') {
        if (n.size !== m!.size) fail(`size ${n.size} vs ${m!.size}`, n.rel);
        if (!subset && Math.abs(n.mtimeMs - m!.mtimeMs) > MTIME_TOLERANCE_MS) fail('the modification time differs', n.rel);
        if (mode === 'content' || subset) toHash.push(n.rel);
      }
      if (!subset && process.platform !== 'win32' && n.mode !== m!.mode) fail(`mode ${n.mode.toString(8)} vs ${m!.mode.toString(8)}`, n.rel);
    }
    if (!subset && a.length !== b.length) {
      const names = new Set(a.map((n) => n.rel));
      const extra = b.find((n) => !names.has(n.rel));
      fail('extra in the copy', extra?.rel ?? '');
    }
    let done = 0;
    await eachLimited(toHash, CONCURRENCY, async (rel) => {
      const pa = rel === '' ? original : path.join(original, rel);
      const pb = rel === '' ? copy : path.join(copy, rel);
      const [ha, hb] = await Promise.all([hashFile(pa), hashFile(pb)]);
      if (ha !== hb) fail('the content differs', rel);
      done += byRel.get(rel)?.size ?? 0;
      progress?.(done);
    });
  }

  async snapshot(root: string): Promise<NodeMeta[]> {
    return (await walk(root))
      .filter((n) => n.kind !== 'other')
      .map((n) => ({ rel: n.rel, kind: n.kind as NodeMeta['kind'], mode: n.mode, mtimeMs: n.mtimeMs, atimeMs: n.atimeMs }));
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
        // The copy carries the twin's mode and times; the snapshot's are the original's.
        if (n.kind === 'file') {
          await chmod(d, n.mode);
          await utimes(d, n.atimeMs / 1000, n.mtimeMs / 1000);
        }
      }
    }
    // Folder modes and times last: creating their contents changed them.
    for (const n of nodes.filter((x) => x.kind === 'dir').reverse()) {
      const d = n.rel === '' ? toRoot : path.join(toRoot, ...n.rel.split('/'));
      await chmod(d, n.mode);
      await utimes(d, n.atimeMs / 1000, n.mtimeMs / 1000);
    }
  }

  async createLink(p: string, target: string, kind: ResolvedLinkType): Promise<void> {
    try {
      if (kind === 'hardlink') await link(target, p);
      else if (kind === 'junction' && process.platform === 'win32') await symlink(target, p, 'junction');
      else await symlink(target, p, await symlinkType(target));
    } catch (err) {
      throw fsError(err, p, `creating the ${kind} at`);
    }
    await this.syncDir(path.dirname(p));
  }

  async restoreLink(p: string, linkText: string, kind: 'symlink' | 'junction', dirHint: boolean): Promise<void> {
    try {
      if (kind === 'junction' && process.platform === 'win32') await symlink(linkText, p, 'junction');
      else await symlink(linkText, p, process.platform === 'win32' ? (dirHint ? 'dir' : 'file') : undefined);
    } catch (err) {
      throw fsError(err, p, 'recreating the link at');
    }
    await this.syncDir(path.dirname(p));
  }

  async linkDestination(p: string): Promise<string | null> {
    const s = await lstatOrNull(p);
    if (!s?.isSymbolicLink()) return null;
    const text = await readlink(p);
    return canonicalPath(isAbsolutePath(text, STYLE) ? text : path.resolve(path.dirname(p), text), STYLE);
  }

  async removeLink(p: string): Promise<void> {
    const s = await lstatOrNull(p);
    if (!s) return;
    if (!s.isSymbolicLink()) throw new RelocateError('E_NOT_A_LINK', `${p} is not a link; relocate will not delete it`, { path: p, hint: 'the disk changed since the plan; run `relocate plan` again' });
    try {
      await unlink(p);
    } catch (err) {
      // A Windows directory symlink or junction is removed as a folder entry, never recursively.
      if (process.platform === 'win32') await rmdir(p).catch((e2) => { throw fsError(e2, p, 'removing the link'); });
      else throw fsError(err, p, 'removing the link');
    }
    await this.syncDir(path.dirname(p));
  }

  async unlinkFile(p: string): Promise<void> {
    await unlink(p).catch((err) => {
      throw fsError(err, p, 'removing');
    });
    await this.syncDir(path.dirname(p));
  }

  async hardLink(existing: string, p: string): Promise<void> {
    await link(existing, p).catch((err) => {
      throw fsError(err, p, 'creating the hard link');
    });
    await this.syncDir(path.dirname(p));
  }

  async deleteTree(root: string): Promise<void> {
    const nodes = await walk(root).catch((err) => {
      if ((err as RelocateError).code === 'E_MISSING') return [] as TreeNode[];
      throw err;
    });
    const full = (n: TreeNode) => (n.rel === '' ? root : path.join(root, n.rel));
    // Files and links first (a link is removed as a link, never entered), then folders deepest first.
    await eachLimited(nodes.filter((n) => n.kind !== 'dir'), CONCURRENCY, async (n) => {
      await unlink(full(n)).catch(async (err) => {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        if (process.platform === 'win32' && n.kind === 'symlink') return rmdir(full(n));
        throw fsError(err, full(n), 'deleting');
      });
    });
    for (const d of nodes.filter((n) => n.kind === 'dir').reverse()) {
      await rmdir(full(d)).catch((err) => {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw fsError(err, full(d), 'deleting the folder');
      });
    }
    await this.syncDir(path.dirname(root));
  }

  async syncDir(p: string): Promise<void> {
    await fsyncDir(p).catch(() => undefined);
  }
}

/** Windows needs to know whether a symlink points to a folder; elsewhere the type is ignored. */
async function symlinkType(target: string): Promise<'dir' | 'file' | undefined> {
  if (process.platform !== 'win32') return undefined;
  try {
    return (await stat(target)).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'dir';
  }
}

function errnoName(errno: number): string {
  const names: Record<number, string> = { 1: 'EPERM', 2: 'ENOENT', 5: 'EIO', 13: 'EACCES', 16: 'EBUSY', 17: 'EEXIST', 18: 'EXDEV', 20: 'ENOTDIR', 21: 'EISDIR', 28: 'ENOSPC', 30: 'EROFS', 39: 'ENOTEMPTY' };
  return names[errno] ?? `errno ${errno}`;
}
