/**
 * lseek(2) with SEEK_DATA / SEEK_HOLE through koffi (Linux), which find
 * the data extents of a sparse file so a copy writes only those and stays
 * sparse. Node has no lseek. Returns null when unavailable (not Linux, no
 * koffi binary, RELOCATE_NATIVE=0); the caller then copies every byte.
 */
import { constants as osConstants } from 'node:os';
import { nativeBinding } from './koffi.js';

/** The offset lseek found, or an errno (ENXIO: no data at or after `from`; EINVAL: the file system cannot say). */
export type SeekExtent = (fd: number, from: number, what: 'data' | 'hole') => { at: number } | { errno: number };

/** lseek is called on Linux only, and koffi.errno() is the host's errno: the host's numbers. */
export const SEEK_ERRNO = { ENXIO: osConstants.errno.ENXIO, EINVAL: osConstants.errno.EINVAL } as const;
const SEEK_DATA = 3;
const SEEK_HOLE = 4;

const binding = nativeBinding<SeekExtent>(
  'lseek',
  () => (process.platform !== 'linux' ? `SEEK_DATA is used on Linux only (this is ${process.platform})` : undefined),
  (koffi) => {
    const lseek = koffi.load('libc.so.6').func('int64_t lseek(int fd, int64_t offset, int whence)');
    return (fd, from, what) => {
      const at = Number(lseek(fd, from, what === 'data' ? SEEK_DATA : SEEK_HOLE));
      return at >= 0 ? { at } : { errno: koffi.errno() };
    };
  },
);

export function nativeSeekExtent(): Promise<SeekExtent | null> {
  return binding.get();
}
