import { RelocateError } from '../core/errors.js';
import type { WrapError } from './keep-meta.js';
import { XATTR_ERRNO } from './native/xattrs.js';
import { WIN_STREAM_PREFIX, windowsAttributeLabel } from './windows/file-attributes.js';

/** Names of the keeper's errno vocabulary (XATTR_ERRNO, FLAG_ERRNO): Linux's numbers on every OS, so not os.constants. */
const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: 'EPERM',
  7: 'E2BIG',
  13: 'EACCES',
  28: 'ENOSPC',
  61: 'ENODATA',
  95: 'ENOTSUP',
  122: 'EDQUOT',
};

/** An error carrying one of those errnos by name, as node:fs errors carry theirs (what the keeper's WrapError reads). */
export function errnoError(errno: number): NodeJS.ErrnoException {
  return Object.assign(new Error(`errno ${errno}`), { code: ERRNO_NAMES[errno] ?? `errno ${errno}` });
}

/** The file capability attribute (a `setcap` binary's), named for people. */
export const CAPABILITY = 'security.capability';
/** The POSIX ACLs, as extended attributes. */
export const ACL_NAMES: readonly string[] = ['system.posix_acl_access', 'system.posix_acl_default'];

/** Says which attribute a name is, for people. */
export function attributeLabel(name: string): string {
  if (name.startsWith('win.')) return windowsAttributeLabel(name);
  if (ACL_NAMES.includes(name)) return `the POSIX ${name.endsWith('default') ? 'default ACL' : 'ACL'} (${name})`;
  if (name === CAPABILITY) return `the file capability (${name})`;
  return `the extended attribute ${name}`;
}

/**
 * Why attribute `name` could not be set on (or removed from) the copy `p`:
 * a full disk as the disk error it is; anything else E_CANNOT_KEEP, in
 * Windows' words for Windows' attributes (no root, no security.* there),
 * saying that nothing was deleted and how to go on.
 */
export function cannotKeep(errno: number, p: string, name: string, wrap: WrapError): RelocateError {
  const label = attributeLabel(name);
  const code = ERRNO_NAMES[errno] ?? `errno ${errno}`;
  if (errno === XATTR_ERRNO.ENOSPC || errno === XATTR_ERRNO.EDQUOT) return wrap(errnoError(errno), p, `setting ${label} of`);
  const windows = name.startsWith('win.');
  const why =
    errno === XATTR_ERRNO.ENOTSUP
      ? 'the destination file system cannot hold it'
      : errno === XATTR_ERRNO.EPERM || errno === XATTR_ERRNO.EACCES
        ? windows
          ? 'this account may not set it'
          : 'this account may not set it (security.* and trusted.* need root)'
        : 'the destination refused it';
  return new RelocateError('E_CANNOT_KEEP', `setting ${label} of ${p} failed: ${why} (${code})`, {
    path: p,
    hint: windows
      ? `nothing was deleted: the original keeps it. Move to an NTFS drive${name.startsWith(WIN_STREAM_PREFIX) ? ' (FAT and exFAT hold no alternate data streams)' : ''}, or remove it from the original first`
      : 'nothing was deleted: the original keeps it. Move to a file system that holds it, run as root, or remove the attribute from the original first',
  });
}
