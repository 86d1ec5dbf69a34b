import type { Diagnostic } from '../core/errors.js';
import type { OsName, PathStyle } from '../core/paths.js';

export type LinkType = 'auto' | 'junction' | 'symlink' | 'hardlink';
export type ConflictStrategy = 'fail' | 'backup' | 'merge';
export type EntryState = 'present' | 'absent';
/**
 * What apply does when the link is already a link to another place than the
 * target (an entry applied before, whose target changed): `move` the data
 * from that old place to the target, then relink (the default); or only
 * `relink`, leaving the data where it is.
 */
export type RetargetMode = 'move' | 'relink';

/** Where something was written in the manifest. 1-based line and column. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/**
 * One entry after expansion: what the manifest wants at one link path.
 * Invariants: when `applies` is true, `link` and `target` are absolute and
 * canonical in `style` (see core/paths canonicalPath), and no two applying
 * entries of one manifest share a link path. When `applies` is false the
 * paths are the manifest's raw text and `skipReason` says why.
 */
export interface DesiredEntry {
  /** Position in the manifest's `links:` list (a glob entry's matches share it). */
  index: number;
  link: string;
  target: string;
  type: LinkType;
  conflict: ConflictStrategy;
  retarget: RetargetMode;
  state: EntryState;
  force: boolean;
  style: PathStyle;
  source: SourcePos;
  applies: boolean;
  skipReason?: string;
  /** Set for entries produced by a glob link: the pattern and the match's base name. */
  glob?: { pattern: string; name: string };
  /** A path of this entry (link or target) that the manifest or a glob match shows is a folder. */
  knownFolder?: string;
  description?: string;
}

/** A loaded manifest. Invariant: `ok` is true exactly when no diagnostic has severity `error`. */
export interface LoadedManifest {
  file: string;
  /** sha256 of the manifest bytes, recorded by runs. */
  hash: string;
  ok: boolean;
  os: OsName;
  entries: DesiredEntry[];
  diagnostics: Diagnostic[];
  /** The folder relative paths resolved against: the manifest's own, or for a manifest reached through a symlink, that of the file it leads to. */
  baseDir: string;
}

/** One glob match as the disk reports it, without following links. */
export interface GlobMatch {
  path: string;
  isDir: boolean;
}

/**
 * What the manifest loader may ask of the outside world. Injected so that
 * the loader itself does no I/O and tests can run Windows manifests on Linux.
 */
export interface ManifestIO {
  readFile(file: string): Promise<Uint8Array>;
  /** Expands a glob of absolute paths in `style`; null when it cannot (a foreign OS). */
  glob(pattern: string, style: PathStyle): Promise<GlobMatch[] | null>;
  /**
   * The real path of the manifest file, every symlink on the way resolved
   * (`~/relocate.yaml -> ~/dotfiles/relocate.yaml`, the stow habit), so
   * relative paths resolve beside the file itself. Optional: without it, or
   * when it fails, the path as given is used.
   */
  realPath?(file: string): Promise<string>;
}

/** The machine the manifest is evaluated for. */
export interface LoadContext {
  os: OsName;
  hostname: string;
  home: string;
  env: Record<string, string | undefined>;
  /** Folder relative paths resolve against; defaults to the manifest's folder. */
  baseDir?: string;
  /**
   * The known folders `${known:Name}` expands to, by canonical name
   * (src/core/known-folders.ts), as the platform layer resolved them for
   * this machine. Absent or missing a name: that folder is unknown here.
   */
  knownFolders?: Partial<Record<string, string>>;
  /** Why a known folder is missing from `knownFolders`, by canonical name; shown in the error. */
  knownFolderNotes?: Partial<Record<string, string>>;
}
