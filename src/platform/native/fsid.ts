import { nativeBinding } from './koffi.js';

/**
 * statfs(2)'s f_fsid through koffi (Linux, 64-bit): the file system's own
 * id, as its two 32-bit words in hex joined by a dot (`stat -f` prints them run together). Where it is derived from the
 * file system's UUID (ext4, btrfs with its subvolume, tmpfs on recent
 * kernels) it stays the same when the volume comes back under another
 * device number — a USB disk enumerated in another order, a loop device,
 * every btrfs mount (each gets a new anonymous device) — which is what
 * lets a journal's identities survive a reboot (src/exec/identity.ts).
 * Undefined where unknown: not Linux x64/arm64, no koffi, RELOCATE_NATIVE=0,
 * an error, or an f_fsid of 0 (FUSE, some others), which names nothing.
 * statfs follows a symlink: callers ask for a symlink's folder instead.
 */
export type FsidOf = (p: string) => string | undefined;

/** struct statfs on 64-bit Linux: seven 8-byte fields, then f_fsid (int[2]) at byte 56; 120 bytes in all. */
const STATFS_SIZE = 120;
const FSID_OFFSET = 56;

const binding = nativeBinding<FsidOf>(
  'statfs from libc',
  () =>
    process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64')
      ? undefined
      : `statfs's layout is known here only for 64-bit Linux (this is ${process.platform} ${process.arch})`,
  (koffi) => {
    const statfs = koffi.load('libc.so.6').func('int statfs(const char *path, _Out_ uint8_t *buf)');
    return (p: string) => {
      const buf = Buffer.alloc(STATFS_SIZE);
      if (statfs(p, buf) !== 0) return undefined;
      const w0 = buf.readUInt32LE(FSID_OFFSET);
      const w1 = buf.readUInt32LE(FSID_OFFSET + 4);
      return w0 === 0 && w1 === 0 ? undefined : `${w0.toString(16)}.${w1.toString(16)}`;
    };
  },
);

export const nativeFsid = (): Promise<FsidOf | null> => binding.get();
