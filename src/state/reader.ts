import type { PathStyle } from '../core/paths.js';
import type { InUseFile, MeasureOptions, MountFact, PathObservation, TreeComparison, TreeMeasure } from './types.js';

/**
 * The read-only window on the disk the observer uses; src/platform
 * implements it. Every method works without following links: a link is
 * reported as a link, and trees are walked without entering links.
 */
export interface DiskReader {
  /** One lstat (plus readlink for a link, plus one stat of its destination). */
  observe(path: string, style: PathStyle): Promise<PathObservation>;
  /** Bytes and files of a tree; hard-linked files counted once; inode flags read when asked. */
  measure(path: string, opts?: MeasureOptions): Promise<TreeMeasure>;
  /** How two trees (or two files) differ, names relative to each root. */
  compare(linkPath: string, targetPath: string): Promise<TreeComparison>;
  /**
   * Files of a tree (or a file) that running programs hold open, when the
   * platform can tell (Windows: the Restart Manager); absent elsewhere.
   */
  inUse?(path: string, isDir: boolean): Promise<InUseFile[]>;
  /**
   * Whether an existing path is itself a mount point, and the mounts inside
   * it (Linux: from the mount table, bind mounts included; elsewhere only a
   * change of device from its folder tells, and `below` stays empty). Never
   * walks a tree: it is asked before any walk. Absent where unknowable.
   */
  mounts?(path: string): Promise<{ mountPoint?: MountFact; below: MountFact[] }>;
}
