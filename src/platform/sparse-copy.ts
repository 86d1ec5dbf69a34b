/**
 * Copies a sparse file so it stays sparse: only its data extents are read
 * and written, each at its own offset, found with lseek SEEK_DATA /
 * SEEK_HOLE on the original; the copy is then truncated to the original's
 * size, which leaves the holes unallocated. A plain copy (copy_file_range,
 * sendfile) writes the holes' zeros: a 1 GiB VM image using 164 KiB took
 * 1.1 GiB on the destination.
 *
 * Used only for files that look sparse (fewer allocated blocks than their
 * size), so ordinary files pay nothing. Returns false without writing
 * anything when the original's file system cannot say where its data is
 * (EINVAL): the caller then copies every byte.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { SEEK_ERRNO, type SeekExtent } from './native/seek-data.js';

/** Bytes moved per read and write. */
const CHUNK = 1024 * 1024;

/** Whether a file holds fewer allocated bytes than its size (512-byte st_blocks). */
export function looksSparse(size: number, blocks: number): boolean {
  return size > 0 && blocks * 512 < size;
}

function seekError(errno: number, p: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`lseek failed on ${p}: errno ${errno}`), { code: errno === osConstants.errno.EIO ? 'EIO' : `errno ${errno}` });
}

/**
 * Copies `from` (of `size` bytes) to `to`, data extents only. `to` is
 * created new (0600; the caller sets the mode) unless `overwrite`, when it
 * is an empty file made beforehand. `onBytes` hears the bytes written.
 */
export async function copySparse(from: string, to: string, size: number, seek: SeekExtent, overwrite: boolean, onBytes: (n: number) => void): Promise<boolean> {
  const src = await open(from, 'r');
  let dst: FileHandle | undefined;
  try {
    let next = seek(src.fd, 0, 'data');
    if ('errno' in next && next.errno === SEEK_ERRNO.EINVAL) return false;
    dst = await open(to, overwrite ? 'r+' : 'wx', 0o600);
    // Full length first, so no write lands at end of file: xfs preallocates past the end of each such
    // write, and those blocks stay allocated inside the file once later writes pass them (a 64 MiB image
    // with 160 KiB of data took 1.25 MiB on xfs; with the length set first, 160 KiB).
    await dst.truncate(size);
    const buf = Buffer.allocUnsafe(CHUNK);
    while ('at' in next && next.at < size) {
      const hole = seek(src.fd, next.at, 'hole');
      if ('errno' in hole) throw seekError(hole.errno, from);
      const end = Math.min(hole.at, size);
      for (let pos = next.at; pos < end;) {
        const { bytesRead } = await src.read(buf, 0, Math.min(CHUNK, end - pos), pos);
        // The original shrank meanwhile: the verify sees the sizes differ.
        if (bytesRead === 0) break;
        for (let w = 0; w < bytesRead;) w += (await dst.write(buf, w, bytesRead - w, pos + w)).bytesWritten;
        pos += bytesRead;
        onBytes(bytesRead);
      }
      if (end >= size) break;
      next = seek(src.fd, end, 'data');
    }
    if ('errno' in next && next.errno !== SEEK_ERRNO.ENXIO) throw seekError(next.errno, from);
    await dst.truncate(size);
    return true;
  } finally {
    await dst?.close();
    await src.close();
  }
}

/** Where the next data at or after `from` begins, or `size` when none (ENXIO); null when the file system cannot say (EINVAL). */
function nextData(seek: SeekExtent, fd: number, from: number, size: number, p: string): number | null {
  const r = seek(fd, from, 'data');
  if ('at' in r) return Math.min(r.at, size);
  if (r.errno === SEEK_ERRNO.ENXIO) return size;
  if (r.errno === SEEK_ERRNO.EINVAL) return null;
  throw seekError(r.errno, p);
}

/** Where the data run that holds `from` ends (the next hole; the end of the file is one). */
function nextHole(seek: SeekExtent, fd: number, from: number, size: number, p: string): number {
  const r = seek(fd, from, 'hole');
  if ('at' in r) return Math.min(r.at, size);
  if (r.errno === SEEK_ERRNO.ENXIO) return size;
  throw seekError(r.errno, p);
}

/**
 * Whether two files of `size` bytes each hold the same bytes, reading only
 * where at least one of them has data: a range that is a hole on both sides
 * reads as zeros on both, so it is equal without reading it (a 10 GiB image
 * with 256 MiB of data is compared by reading 256 MiB, not 10 GiB). Every
 * byte where either side has data is read from both and compared, so this
 * is exactly as strict as reading everything. Returns null, having read
 * nothing, when either file system cannot say where its data is (EINVAL):
 * the caller then compares every byte. `onBytes` hears the bytes settled
 * (compared, or equal as holes on both sides).
 */
export async function sameSparseContent(pa: string, pb: string, size: number, seek: SeekExtent, onBytes: (n: number) => void): Promise<boolean | null> {
  const fa = await open(pa, 'r');
  try {
    const fb = await open(pb, 'r');
    try {
      const bufA = Buffer.allocUnsafe(CHUNK);
      const bufB = Buffer.allocUnsafe(CHUNK);
      for (let pos = 0; pos < size;) {
        const da = nextData(seek, fa.fd, pos, size, pa);
        const db = nextData(seek, fb.fd, pos, size, pb);
        if (da === null || db === null) return pos === 0 ? null : compareRange(fa, fb, pos, size, bufA, bufB, onBytes);
        const start = Math.min(da, db);
        if (start > pos) onBytes(start - pos);
        if (start >= size) break;
        // The run from `start` in which each side stays as it is there (data, or hole until its next data).
        const endA = da === start ? nextHole(seek, fa.fd, start, size, pa) : da;
        const endB = db === start ? nextHole(seek, fb.fd, start, size, pb) : db;
        const end = Math.min(endA, endB);
        if (!(await compareRange(fa, fb, start, end, bufA, bufB, onBytes))) return false;
        pos = end;
      }
      return true;
    } finally {
      await fb.close();
    }
  } finally {
    await fa.close();
  }
}

/** Whether bytes [from, to) of two open files are equal (a side that ends early differs). */
async function compareRange(
  fa: FileHandle,
  fb: FileHandle,
  from: number,
  to: number,
  bufA: Buffer,
  bufB: Buffer,
  onBytes: (n: number) => void,
): Promise<boolean> {
  for (let pos = from; pos < to;) {
    const want = Math.min(CHUNK, to - pos);
    const [ra, rb] = await Promise.all([readAt(fa, bufA, want, pos), readAt(fb, bufB, want, pos)]);
    if (ra !== want || rb !== want) return false;
    if (bufA.compare(bufB, 0, want, 0, want) !== 0) return false;
    onBytes(want);
    pos += want;
  }
  return true;
}

/** Reads `want` bytes at `pos` (fewer only at the end of the file). */
async function readAt(fh: FileHandle, buf: Buffer, want: number, pos: number): Promise<number> {
  let n = 0;
  while (n < want) {
    const { bytesRead } = await fh.read(buf, n, want - n, pos + n);
    if (bytesRead === 0) break;
    n += bytesRead;
  }
  return n;
}
