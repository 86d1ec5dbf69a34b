import path from 'node:path';
import { decodeString, failed, fdPath, type Syscall } from './strace-parse.js';

/**
 * What one system call does to the disk, in the terms of the durability
 * model (see durability-audit.ts). Invariant: every path is absolute and
 * normalised (no trailing slash, no `.`/`..`).
 * - `data`: the content or inode metadata of the node at `path` changed
 *   (write, truncate, copy_file_range, chmod, chown, utimensat, xattrs,
 *   inode flags); `written` carries the bytes of a plain write.
 * - `create`: a name `path` may have appeared in its folder (`excl`: it
 *   certainly did; without O_EXCL an open with O_CREAT may have found it).
 * - `remove`: the name `path` went from its folder.
 * - `rename`: the name moved; both folders change.
 * - `fsync` (fsync or fdatasync of the node at `path`), `syncfs` (of the
 *   volume holding `path`), `sync` (of every volume).
 */
export type Effect =
  | { t: 'data'; path: string; written?: { bytes: Buffer; truncated: boolean; count: number } }
  | { t: 'create'; path: string; excl: boolean; symlink?: boolean }
  | { t: 'remove'; path: string }
  | { t: 'rename'; from: string; to: string }
  | { t: 'fsync'; path: string }
  | { t: 'syncfs'; path: string }
  | { t: 'sync' };

/** Thrown when a trace cannot be read soundly (a path cut by strace's -s, a relative path without a known folder). */
export class TraceError extends Error {}

/** An fd annotation's path, without the ` (deleted)` strace adds for an unlinked file. */
function fdNode(arg: string | undefined): string | undefined {
  const p = fdPath(arg);
  return p === undefined ? undefined : path.posix.normalize(p.replace(/ \(deleted\)$/, ''));
}

/** A path argument, resolved against its dirfd (or the cwd for calls without one). */
function pathArg(c: Syscall, arg: string | undefined, dirfd: string | undefined, cwd: string | undefined): string {
  const s = decodeString(arg);
  if (!s) throw new TraceError(`not a path argument (${arg}) in: ${c.lines.join(' / ')}`);
  if (s.truncated) throw new TraceError(`a path cut by strace (raise -s) in: ${c.lines.join(' / ')}`);
  const p = s.bytes.toString('utf8');
  if (p.startsWith('/')) return path.posix.normalize(p).replace(/(.)\/$/, '$1');
  const base = dirfd !== undefined ? fdNode(dirfd) : cwd;
  if (base === undefined) throw new TraceError(`a relative path with no known folder (pass cwd) in: ${c.lines.join(' / ')}`);
  return path.posix.normalize(path.posix.join(base, p)).replace(/(.)\/$/, '$1');
}

/** The node an *at call acts on: `path` under `dirfd`, or the dirfd itself for an empty path / NULL (AT_EMPTY_PATH, futimens). */
function atTarget(c: Syscall, dirfd: string | undefined, arg: string | undefined, cwd: string | undefined): string | undefined {
  if (arg === 'NULL' || arg === '""') return fdNode(dirfd);
  return pathArg(c, arg, dirfd, cwd);
}

const INODE_IOCTLS = /^(FICLONE|FICLONERANGE|FIDEDUPERANGE|FS_IOC_SETFLAGS|FS_IOC_FSSETXATTR|BTRFS_IOC_CLONE)/;

/** The effects of one call; none for a failed call or one that does not change or sync the disk. */
export function effectsOf(c: Syscall, cwd?: string): Effect[] {
  if (failed(c)) return [];
  const a = c.args;
  const data = (p: string | undefined): Effect[] => (p === undefined ? [] : [{ t: 'data', path: p }]);
  switch (c.name) {
    case 'open':
    case 'openat':
    case 'creat': {
      const at = c.name === 'openat';
      const flags = c.name === 'creat' ? 'O_CREAT|O_TRUNC' : (a[at ? 2 : 1] ?? '');
      if (!/O_CREAT|O_TRUNC/.test(flags)) return [];
      const p = fdNode(c.ret) ?? pathArg(c, a[at ? 1 : 0], at ? a[0] : undefined, cwd);
      const out: Effect[] = [];
      if (flags.includes('O_CREAT')) out.push({ t: 'create', path: p, excl: flags.includes('O_EXCL') });
      if (flags.includes('O_TRUNC')) out.push({ t: 'data', path: p });
      return out;
    }
    case 'mkdir':
      return [{ t: 'create', path: pathArg(c, a[0], undefined, cwd), excl: true }];
    case 'mkdirat':
      return [{ t: 'create', path: pathArg(c, a[1], a[0], cwd), excl: true }];
    case 'symlink':
      return [{ t: 'create', path: pathArg(c, a[1], undefined, cwd), excl: true, symlink: true }];
    case 'symlinkat':
      return [{ t: 'create', path: pathArg(c, a[2], a[1], cwd), excl: true, symlink: true }];
    case 'link':
      return [{ t: 'create', path: pathArg(c, a[1], undefined, cwd), excl: true }];
    case 'linkat':
      return [{ t: 'create', path: pathArg(c, a[3], a[2], cwd), excl: true }];
    case 'rename':
      return [{ t: 'rename', from: pathArg(c, a[0], undefined, cwd), to: pathArg(c, a[1], undefined, cwd) }];
    case 'renameat':
    case 'renameat2':
      return [{ t: 'rename', from: pathArg(c, a[1], a[0], cwd), to: pathArg(c, a[3], a[2], cwd) }];
    case 'unlink':
    case 'rmdir':
      return [{ t: 'remove', path: pathArg(c, a[0], undefined, cwd) }];
    case 'unlinkat':
      return [{ t: 'remove', path: pathArg(c, a[1], a[0], cwd) }];
    case 'write':
    case 'pwrite64': {
      const p = fdNode(a[0]);
      const s = decodeString(a[1]);
      return p === undefined ? [] : [{ t: 'data', path: p, ...(s ? { written: { ...s, count: Number(c.ret) } } : {}) }];
    }
    case 'writev':
    case 'pwritev':
    case 'pwritev2':
    case 'ftruncate':
    case 'fallocate':
    case 'fchmod':
    case 'fchown':
    case 'fsetxattr':
    case 'fremovexattr':
      return data(fdNode(a[0]));
    case 'copy_file_range':
      return data(fdNode(a[2]));
    case 'sendfile':
    case 'splice':
      return data(fdNode(c.name === 'sendfile' ? a[0] : a[2]));
    case 'ioctl':
      return INODE_IOCTLS.test(a[1] ?? '') ? data(fdNode(a[0])) : [];
    case 'truncate':
    case 'chmod':
    case 'chown':
    case 'lchown':
    case 'utime':
    case 'utimes':
    case 'setxattr':
    case 'lsetxattr':
    case 'removexattr':
    case 'lremovexattr':
      return data(pathArg(c, a[0], undefined, cwd));
    case 'fchmodat':
    case 'fchmodat2':
    case 'fchownat':
    case 'utimensat':
    case 'futimesat':
      return data(atTarget(c, a[0], a[1], cwd));
    case 'fsync':
    case 'fdatasync': {
      const p = fdNode(a[0]);
      return p === undefined ? [] : [{ t: 'fsync', path: p }];
    }
    case 'syncfs': {
      const p = fdNode(a[0]);
      return p === undefined ? [] : [{ t: 'syncfs', path: p }];
    }
    case 'sync':
      return [{ t: 'sync' }];
    case 'mknod':
      return [{ t: 'create', path: pathArg(c, a[0], undefined, cwd), excl: true }];
    case 'mknodat':
      return [{ t: 'create', path: pathArg(c, a[1], a[0], cwd), excl: true }];
    case 'io_uring_setup':
      // File work submitted through a ring never shows as system calls: the audit would see nothing of it.
      throw new TraceError(`the traced process set up io_uring (libuv can do file work through it): run it with UV_USE_IO_URING=0: ${c.lines.join(' / ')}`);
    default:
      return [];
  }
}

/** The system calls effectsOf understands: the `-e trace=` list to give strace. */
export const TRACED_CALLS = [
  'open',
  'openat',
  'creat',
  'mkdir',
  'mkdirat',
  'symlink',
  'symlinkat',
  'link',
  'linkat',
  'rename',
  'renameat',
  'renameat2',
  'unlink',
  'unlinkat',
  'rmdir',
  'write',
  'pwrite64',
  'writev',
  'pwritev',
  'pwritev2',
  'ftruncate',
  'fallocate',
  'fchmod',
  'fchown',
  'fsetxattr',
  'fremovexattr',
  'copy_file_range',
  'sendfile',
  'splice',
  'ioctl',
  'truncate',
  'chmod',
  'chown',
  'lchown',
  'utime',
  'utimes',
  'setxattr',
  'lsetxattr',
  'removexattr',
  'lremovexattr',
  'fchmodat',
  'fchmodat2',
  'fchownat',
  'utimensat',
  'futimesat',
  'fsync',
  'fdatasync',
  'syncfs',
  'sync',
  'mknod',
  'mknodat',
  'io_uring_setup',
] as const;
