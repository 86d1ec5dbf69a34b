import type { PathStyle } from '../core/paths.js';
import type { InUseFile, MeasureOptions, PathObservation, TreeComparison, TreeMeasure } from './types.js';

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
}
