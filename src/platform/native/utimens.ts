/**
 * Nanosecond times through Linux utimensat(2) with AT_SYMLINK_NOFOLLOW, so
 * a symlink gets its own times and nothing is followed. Node's utimes and
 * lutimes take a double of seconds, which libuv truncates to whole
 * microseconds: a copy made through them keeps times to the microsecond
 * only. Returns null when unavailable (not 64-bit Linux, no koffi binary,
 * RELOCATE_NATIVE=0); the caller then uses lutimes and says so in
 * --verbose.
 */
import { nativeBinding } from './koffi.js';

/**
 * Sets atime and mtime (nanoseconds since the epoch) of a path, never
 * followed; 0 or an errno. `birthtimeNs`, when given, is the creation time,
 * set only where the platform has a call for it (Windows: SetFileTime's
 * lpCreationTime, see windows/keep-meta-win.ts; macOS: setattrlist,
 * attr-times-darwin.ts); Linux has no system call
 * that sets a birth time (statx reports one, nothing writes it), so this
 * utimensat implementation ignores it. Absent or null: the node keeps its own.
 */
export type SetTimesNs = (p: string, atimeNs: bigint, mtimeNs: bigint, birthtimeNs?: bigint | null) => number;

const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const NS = 1_000_000_000n;
/** time_t and long are 64-bit on these: struct timespec[2] is 32 bytes. */
const SIXTY_FOUR_BIT = new Set(['x64', 'arm64', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el']);

/**
 * Writes a time (nanoseconds since the epoch) as a 64-bit struct timespec
 * at `at`: floor division, so a time before 1970 has a negative second and
 * a nanosecond part in [0, 1e9), as the kernel expects.
 */
export function timespecAt(buf: Buffer, at: number, ns: bigint): void {
  let secs = ns / NS;
  let rest = ns % NS;
  if (rest < 0n) {
    secs -= 1n;
    rest += NS;
  }
  buf.writeBigInt64LE(secs, at);
  buf.writeBigInt64LE(rest, at + 8);
}

/** A time as the seconds lutimes takes, rounded to the microsecond libuv keeps (libuv truncates the double it is given). */
export function lutimesSeconds(ns: bigint): number {
  return (Number(ns / 1000n) + 0.5) / 1e6;
}

const binding = nativeBinding<SetTimesNs>(
  'utimensat',
  () =>
    process.platform !== 'linux' || !SIXTY_FOUR_BIT.has(process.arch)
      ? `nanosecond times are set through utimensat on 64-bit Linux only (this is ${process.platform} ${process.arch})`
      : undefined,
  (koffi) => {
    const libc = koffi.load('libc.so.6');
    const utimensat = libc.func('int utimensat(int dirfd, const char *path, const uint8_t *times, int flags)');
    const buf = Buffer.alloc(32);
    return (p, atimeNs, mtimeNs) => {
      timespecAt(buf, 0, atimeNs);
      timespecAt(buf, 16, mtimeNs);
      return utimensat(AT_FDCWD, p, buf, AT_SYMLINK_NOFOLLOW) === 0 ? 0 : koffi.errno();
    };
  },
);

export function nativeSetTimesNs(): Promise<SetTimesNs | null> {
  return binding.get();
}

export function nativeSetTimesUnavailableReason(): string {
  return binding.why();
}
