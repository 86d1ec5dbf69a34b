/**
 * macOS copyfile(3) through koffi (libSystem), used for metadata only:
 * COPYFILE_METADATA | COPYFILE_NOFOLLOW from an original onto the folder
 * relocate made for it, after the folder's content. Files need no call of
 * their own: Node's copyFile is libuv's, which on macOS is
 * copyfile(COPYFILE_ALL) — data, extended attributes (resource fork and
 * Finder info among them), ACL, flags, mode — but folders are made by
 * mkdir and would keep none of it.
 *
 * COPYFILE_METADATA is COPYFILE_SECURITY (ACL and STAT: mode, flags, and in
 * current libcopyfile the times) with COPYFILE_XATTR. The keeper sets owner,
 * mode, flags and times itself afterwards anyway (keep-meta.ts), so what
 * relocate keeps does not hang on what STAT does in one macOS version or
 * another, and the verify compares attributes and flags before anything is
 * deleted. NOFOLLOW (_SRC and _DST): never a link's target.
 */
import { nativeBinding } from './koffi.js';

/** <copyfile.h>. */
export const COPYFILE = {
  ACL: 1 << 0,
  STAT: 1 << 1,
  XATTR: 1 << 2,
  DATA: 1 << 3,
  EXCL: 1 << 17,
  NOFOLLOW_SRC: 1 << 18,
  NOFOLLOW_DST: 1 << 19,
} as const;
export const COPYFILE_SECURITY = COPYFILE.ACL | COPYFILE.STAT;
export const COPYFILE_METADATA = COPYFILE_SECURITY | COPYFILE.XATTR;
export const COPYFILE_ALL = COPYFILE_METADATA | COPYFILE.DATA;
export const COPYFILE_NOFOLLOW = COPYFILE.NOFOLLOW_SRC | COPYFILE.NOFOLLOW_DST;

/** What relocate asks of copyfile: every piece of metadata, no data, never following a link. */
export const METADATA_ONLY = COPYFILE_METADATA | COPYFILE_NOFOLLOW;

/** Copies the metadata of `from` onto the existing `to`; 0 or an errno (macOS numbers). */
export type CopyMetadata = (from: string, to: string) => number;

const binding = nativeBinding<CopyMetadata>(
  'copyfile',
  () => (process.platform !== 'darwin' ? `copyfile(3) is macOS's (this is ${process.platform})` : undefined),
  (koffi) => {
    const copyfile = koffi.load('libSystem.B.dylib').func('int copyfile(const char *from, const char *to, void *state, uint32_t flags)');
    return (from, to) => (copyfile(from, to, null, METADATA_ONLY) === 0 ? 0 : koffi.errno());
  },
);

export function nativeCopyMetadata(): Promise<CopyMetadata | null> {
  return binding.get();
}

export function nativeCopyMetadataUnavailableReason(): string {
  return binding.why();
}
