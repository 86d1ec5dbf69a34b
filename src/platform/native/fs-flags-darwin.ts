/**
 * macOS file flags (`chflags`, `ls -lO`): read from lstat's st_flags, set
 * with lchflags(2) — neither follows a link nor opens the node. The same
 * `FlagCalls` as Linux's ioctls (fs-flags.ts), so the keeper sets and the
 * verify compares them the same way.
 *
 * Kept (`DARWIN_COPYABLE_FLAGS`): nodump, opaque, hidden (user flags, a
 * choice the user made) and archived (a system flag: root only; for others
 * the copy drops it, with a --verbose note). Never: uchg/schg/uappnd/sappnd
 * (refused at plan time, inode-flags.ts). Not copied, the system decides:
 * compressed (how the bytes are stored: copyfile and the file system
 * decide), tracked and datavault (document ids and entitlements), restricted
 * and firmlink (System Integrity Protection), dataless (a cloud placeholder),
 * sunlnk.
 */
import type { FlagCalls } from './fs-flags.js';
import { DARWIN } from './inode-flags.js';
import type { Koffi } from './koffi.js';

/** <sys/stat.h>. */
export const DARWIN_FL = {
  UF_NODUMP: 0x1,
  UF_IMMUTABLE: 0x2,
  UF_APPEND: 0x4,
  UF_OPAQUE: 0x8,
  UF_COMPRESSED: 0x20,
  UF_TRACKED: 0x40,
  UF_DATAVAULT: 0x80,
  UF_HIDDEN: 0x8000,
  SF_ARCHIVED: 0x10000,
  SF_IMMUTABLE: 0x20000,
  SF_APPEND: 0x40000,
  SF_RESTRICTED: 0x80000,
  SF_NOUNLINK: 0x100000,
  SF_DATALESS: 0x40000000,
} as const;

export const DARWIN_COPYABLE_FLAGS = DARWIN_FL.UF_NODUMP | DARWIN_FL.UF_OPAQUE | DARWIN_FL.UF_HIDDEN | DARWIN_FL.SF_ARCHIVED;

/** chflags's names, for people. */
const NAMES: [number, string][] = [
  [DARWIN_FL.UF_NODUMP, 'nodump'],
  [DARWIN_FL.UF_OPAQUE, 'opaque'],
  [DARWIN_FL.UF_HIDDEN, 'hidden'],
  [DARWIN_FL.SF_ARCHIVED, 'arch'],
];

/** The copyable flags in `flags` as chflags names them (e.g. `hidden,nodump`), or '' when none. */
export function darwinFlagNames(flags: number): string {
  return NAMES.filter(([bit]) => (flags & bit) !== 0)
    .map(([, name]) => name)
    .join(',');
}

/** macOS ENOTSUP (45), given as Linux's (95) so the keeper reads one set of errnos. */
export function linuxErrnoOf(darwinErrno: number): number {
  return darwinErrno === 45 ? 95 : darwinErrno;
}

export function makeDarwinFlagCalls(koffi: Koffi): FlagCalls {
  const libc = koffi.load('libSystem.B.dylib');
  // x86_64 keeps the 32-bit-inode lstat under the plain name; arm64 has only the 64-bit one (as inode-flags.ts).
  const lstat = libc.func(process.arch === 'x64' ? 'lstat$INODE64' : 'lstat', 'int', ['const char *', 'uint8_t *']);
  const lchflags = libc.func('int lchflags(const char *path, unsigned int flags)');
  const buf = Buffer.alloc(DARWIN.STAT_SIZE);
  return {
    copyable: DARWIN_COPYABLE_FLAGS,
    // No macOS flag acts on data written after it.
    beforeData: 0,
    describe: darwinFlagNames,
    get: (p) => (lstat(p, buf) === 0 ? buf.readUInt32LE(DARWIN.FLAGS_OFFSET) : { errno: linuxErrnoOf(koffi.errno()) }),
    set: (p, flags) => (lchflags(p, flags >>> 0) === 0 ? 0 : linuxErrnoOf(koffi.errno())),
  };
}
