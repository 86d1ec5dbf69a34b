import { closeSync, openSync } from 'node:fs';
import { RelocateError } from '../core/errors.js';
import { nativeSyncfs, type NativeSyncfs } from './native/syncfs.js';

/**
 * The flush of a copy onto a volume that honours syncfs (durability.ts),
 * opened before the copy's first byte is written.
 *
 * Invariants:
 * - `fd` is a descriptor of the folder the copy goes into, opened before
 *   the copy began. Linux reports a write-back error to every descriptor
 *   opened before it happened (errseq: each open file keeps its own
 *   cursor), so `syncfs(fd)` after the copy reports every write-back error
 *   of the copy, whoever saw it first — the kernel's flusher writing the
 *   copy's pages back while it is made, or another program's syncfs. A
 *   descriptor opened only after the copy would miss an error someone else
 *   had already been told of.
 * - `close()` is safe to call twice.
 *
 * Tried and not kept: syncfs called over and over on another thread while
 * a big copy is made, so the disk writes while the copy goes on. The
 * kernel's flusher already does that for any copy bigger than its dirty
 * threshold, and the extra calls (each a journal commit and a cache flush)
 * made the move of one 4 GiB file ext4 → xfs slower, not faster: medians
 * 7.4 s against 6.6 s without them (`node bench/run.mjs --only scale
 * --scale-sets big --scale-reps 4 --before …`, bench/RESULTS.md).
 */
export class CopyFlush {
  private closed = false;

  private constructor(
    readonly fd: number,
    private readonly syncfs: NativeSyncfs,
  ) {}

  /** Opens the flush of a copy into `holder`, whose volume honours syncfs (`syncfs`: the native call, or a test's). */
  static async open(holder: string, syncfs?: NativeSyncfs): Promise<CopyFlush> {
    const call = syncfs ?? (await nativeSyncfs());
    // Only asked where durabilityWay found syncfs; without the call there is no flush to open.
    if (!call) throw new RelocateError('E_INTERNAL', `syncfs is not available to flush the copy into ${holder}`, { path: holder });
    return new CopyFlush(openSync(holder, 'r'), call);
  }

  /** The final syncfs: everything written since `fd` was opened is on disk, or the write-back error. */
  flush(): { ok: true } | { ok: false; errno: number } {
    return this.syncfs(this.fd);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
