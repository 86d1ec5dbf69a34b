import type { NameRules } from '../core/name-rules.js';
import type { PathStyle } from '../core/paths.js';
import type { InUseReport, MeasureOptions, MountFact, PathObservation, TreeComparison, TreeMeasure } from './types.js';

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
  /**
   * Whether a folder (one an lstat just said is a folder) holds nothing at
   * all. Reads one name at most, whatever the folder holds.
   */
  isEmptyFolder(path: string): Promise<boolean>;
  /** How two trees (or two files) differ, names relative to each root. */
  compare(linkPath: string, targetPath: string): Promise<TreeComparison>;
  /**
   * Who holds something inside a tree (or a file) — open files, memory
   * maps, working folders — when the platform can tell (Windows: the
   * Restart Manager; Linux: /proc; macOS: libproc or lsof); absent
   * elsewhere. One observe may call it for many trees: an implementation
   * SHOULD look at the processes once and answer every tree from that.
   */
  inUse?(path: string, isDir: boolean): Promise<InUseReport>;
  /**
   * Whether an existing path is itself a mount point, and the mounts inside
   * it (Linux: from the mount table, bind mounts included; elsewhere only a
   * change of device from its folder tells, and `below` stays empty). Never
   * walks a tree: it is asked before any walk. Absent where unknowable.
   */
  mounts?(path: string): Promise<{ mountPoint?: MountFact; below: MountFact[] }>;
  /**
   * How the folder that would receive a copy at `dest` (which may not
   * exist yet) tells names apart: whether it ignores case, Unicode
   * normalisation. Asked only for a copy to another volume whose tree holds
   * names that might be one there. MAY make and remove a throwaway folder
   * in the nearest existing folder (the volume's own answer beats a guess
   * from its type); MUST remove exactly what it made. Absent where
   * unknowable.
   */
  nameRules?(dest: string): Promise<NameRules>;
}
