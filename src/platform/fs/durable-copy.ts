import path from 'node:path';
import { eachLimited } from '../../core/each-limited.js';
import type { Durability } from '../../state/types.js';
import { CopyFlush } from '../copy-flush.js';
import { durabilityWay, fsyncDirSync } from '../durability.js';
import { fsError, hostErrnoError } from './errno-codes.js';
import { HOST } from './host-primitives.js';
import { Slicer } from './slicer.js';

/** Files flushed at once where each is fsync'd: enough to hide latency, few enough to keep memory flat. */
const CONCURRENCY = 8;

/** The copied regular files' paths and the copied folders' (parents first). */
export type CopiedPaths = () => { files: readonly string[]; dirs: readonly string[] };

/** How the volume is made durable, asked before the copy began, with the flush opened then (copy-flush.ts). */
export interface AskedDurability {
  how: Durability;
  flush: CopyFlush | undefined;
}

/** syncCopy with NodeFs's hooks bound. */
export type SyncCopyFn = (root: string, paths: CopiedPaths, asked?: AskedDurability) => Promise<void>;

/** NodeFs's parts a syncCopy uses: its syncDir (so a fault harness sees it), and where it notes how each volume was made durable. */
export interface DurableCopyHooks {
  syncDir(p: string): Promise<void>;
  noteDurability(holder: string, why: string): void;
}

/**
 * Makes the whole copy durable — every file's data and metadata, every
 * folder's entries, the copy's own name in its parent — so a power cut
 * after "verified" cannot lose it. Where the volume is known to honour
 * syncfs (src/platform/durability.ts: ext4, xfs, btrfs, f2fs, tmpfs) one
 * syncfs(2) does it, in one journal commit instead of one fsync per file;
 * its error, a failed write-back, fails the copy. Everywhere else (FUSE,
 * network and unknown file systems, no koffi, a kernel before 5.8, macOS)
 * every file is fsync'd, then every folder deepest first, then the root's
 * parent: fsync of a file does not make its name durable. Windows flushes
 * each file; NTFS journals folder entries itself. `paths` gives the
 * copied regular files' paths and the copied folders' (parents first),
 * asked only where they are synced one by one: a million paths are some
 * 100 MB that one syncfs never reads (bench/RESULTS.md, "Reads reused").
 */
export async function syncCopy(hooks: DurableCopyHooks, root: string, paths: CopiedPaths, asked?: AskedDurability): Promise<void> {
  const holder = path.dirname(root);
  // The caller's answer where it asked before copying (one statfs per copy, not two).
  const how = asked?.how ?? (await durabilityWay(holder));
  const early = asked?.flush;
  hooks.noteDurability(holder, how.why);
  if (how.way === 'syncfs') {
    // The folder holding the copy: same filesystem, and never a link (a copied root may be a broken symlink).
    // Opened before the copy began where the caller could (copy-flush.ts): then no write-back error of the copy escapes it.
    const flush = early ?? (await CopyFlush.open(holder));
    try {
      const r = flush.flush();
      if (!r.ok) throw fsError(hostErrnoError(r.errno), root, 'flushing the copy to disk:');
    } finally {
      if (!early) flush.close();
    }
    return;
  }
  const { files, dirs } = paths();
  await eachLimited([...files], CONCURRENCY, (p) => HOST.flushFile(p));
  // Folders deepest first (children's names, links and hard links included), then the root's own name.
  const slice = new Slicer();
  for (const d of dirs.slice().reverse()) {
    try {
      fsyncDirSync(d);
    } catch (err) {
      throw fsError(err, d, 'flushing the copy to disk:');
    }
    if (slice.due()) await slice.yield();
  }
  await hooks.syncDir(holder);
}
