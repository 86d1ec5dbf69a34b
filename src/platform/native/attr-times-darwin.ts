/**
 * Nanosecond times and the creation time on macOS, through setattrlist(2)
 * with FSOPT_NOFOLLOW (a link gets its own times, nothing is followed), in
 * one call: ATTR_CMN_CRTIME, ATTR_CMN_MODTIME and ATTR_CMN_ACCTIME.
 *
 * Why not utimes: Node's lutimes keeps microseconds, and copyfile(3)'s
 * COPYFILE_STAT sets only the modification and access times (Apple's
 * copyfile.c asks setattrlist for ATTR_CMN_MODTIME | ATTR_CMN_ACCTIME), so
 * a copy would be born when it is made. Finder keeps creation times; so
 * must a move.
 *
 * Why one call: HFS+ and APFS pull a creation time back to a modification
 * time set earlier than it, unless the same call sets the creation time
 * too. Files unpacked from an archive often have an mtime older than their
 * creation time; set apart, they would lose it.
 *
 * A volume that cannot take the call (ENOTSUP, EINVAL: some network and
 * FAT volumes) is asked again without the creation time, then through
 * lutimes (microseconds); the verify compares creation times only on a
 * volume seen to hold them (birth-time.ts) and mtimes to the grain the
 * volume keeps (time-grain.ts).
 */
import { lutimesSync } from 'node:fs';
import { nativeBinding } from './koffi.js';
import { lutimesSeconds, timespecAt, type SetTimesNs } from './utimens.js';

/** <sys/attr.h>. */
export const ATTR = {
  BIT_MAP_COUNT: 5,
  CMN_CRTIME: 0x200,
  CMN_MODTIME: 0x400,
  CMN_ACCTIME: 0x1000,
} as const;
/** <unistd.h>: do not follow a link at the end of the path. */
export const FSOPT_NOFOLLOW = 0x1;
/** struct attrlist: u_short bitmapcount, u_int16_t reserved, then five attrgroup_t (u_int32_t). */
export const ATTRLIST_SIZE = 24;

/** macOS errnos that mean "this volume cannot take this call" (macOS's own numbers, written out like the other macOS decoding tables so the decoding reads the same on any host). */
const DARWIN_ERRNO = { EINVAL: 22, ENOTSUP: 45 } as const;

/**
 * The two buffers setattrlist takes for these times: the attrlist, and the
 * values packed in the order of their bits (creation, modification,
 * access), each a 64-bit struct timespec. Without `birthtimeNs` the
 * creation time is left out of both.
 */
export function encodeAttrTimes(atimeNs: bigint, mtimeNs: bigint, birthtimeNs?: bigint | null): { list: Buffer; values: Buffer } {
  const times = birthtimeNs === undefined || birthtimeNs === null ? [mtimeNs, atimeNs] : [birthtimeNs, mtimeNs, atimeNs];
  const list = Buffer.alloc(ATTRLIST_SIZE);
  list.writeUInt16LE(ATTR.BIT_MAP_COUNT, 0);
  list.writeUInt32LE((times.length === 3 ? ATTR.CMN_CRTIME : 0) | ATTR.CMN_MODTIME | ATTR.CMN_ACCTIME, 4);
  const values = Buffer.alloc(16 * times.length);
  times.forEach((ns, i) => timespecAt(values, 16 * i, ns));
  return { list, values };
}

const binding = nativeBinding<SetTimesNs>(
  'setattrlist',
  () =>
    process.platform !== 'darwin' || (process.arch !== 'arm64' && process.arch !== 'x64')
      ? `creation times are set through setattrlist on macOS only (this is ${process.platform} ${process.arch})`
      : undefined,
  (koffi) => {
    const setattrlist = koffi
      .load('libSystem.B.dylib')
      .func('int setattrlist(const char *path, const uint8_t *attrList, const uint8_t *attrBuf, size_t attrBufSize, unsigned long options)');
    const call = (p: string, atimeNs: bigint, mtimeNs: bigint, birthtimeNs?: bigint | null): number => {
      const { list, values } = encodeAttrTimes(atimeNs, mtimeNs, birthtimeNs);
      return setattrlist(p, list, values, values.length, FSOPT_NOFOLLOW) === 0 ? 0 : koffi.errno();
    };
    const refused = (errno: number) => errno === DARWIN_ERRNO.ENOTSUP || errno === DARWIN_ERRNO.EINVAL;
    return (p, atimeNs, mtimeNs, birthtimeNs) => {
      let errno = call(p, atimeNs, mtimeNs, birthtimeNs);
      if (refused(errno) && birthtimeNs !== undefined && birthtimeNs !== null) errno = call(p, atimeNs, mtimeNs);
      if (!refused(errno)) return errno;
      try {
        lutimesSync(p, lutimesSeconds(atimeNs), lutimesSeconds(mtimeNs));
        return 0;
      } catch (err) {
        return -((err as NodeJS.ErrnoException).errno ?? -DARWIN_ERRNO.EINVAL);
      }
    };
  },
);

/** setattrlist's times (nanoseconds and creation time), or null off macOS or without koffi (then `nativeAttrTimesUnavailableReason`). */
export function nativeAttrTimes(): Promise<SetTimesNs | null> {
  return binding.get();
}

export function nativeAttrTimesUnavailableReason(): string {
  return binding.why();
}
