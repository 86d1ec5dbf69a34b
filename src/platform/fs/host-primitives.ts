import type { LinkProbeResult } from '../windows/native.js';
import { POSIX_PRIMITIVES } from './primitives-posix.js';
import { WINDOWS_PRIMITIVES } from './primitives-win.js';

/** The type argument of symlink(2)'s Windows counterpart; undefined where the OS does not ask. */
export type SymlinkType = 'dir' | 'file' | 'junction' | undefined;

/**
 * The few disk primitives whose OS differences NodeFs's tree code meets,
 * one implementation per OS (primitives-posix.ts, primitives-win.ts),
 * chosen once for the host (`HOST`) rather than by a branch at each use.
 * Each MUST behave as the branch it replaced: no primitive follows a link,
 * and removing a link never reaches what it points to.
 */
export interface HostPrimitives {
  /** `root` joined with a walk's relative path (names separated by `/`; '' is the root itself). */
  under(root: string, rel: string): string;
  /** The type a new symlink to `target` needs (Windows: whether it points to a folder; a missing target counts as one). */
  symlinkType(target: string): Promise<SymlinkType>;
  /** The type `createLink` passes for a symlink or junction to `target` (a junction is a symlink outside Windows). */
  newLinkType(kind: 'symlink' | 'junction', target: string): Promise<SymlinkType>;
  /** The type `restoreLink` passes: a recorded junction stays one; a Windows symlink's folder-ness is the journal's `dirHint`. */
  restoredLinkType(kind: 'symlink' | 'junction', dirHint: boolean): SymlinkType;
  /**
   * Removes a link as a folder entry, never recursively: unlink, and on
   * Windows (where a directory symlink or junction is a folder entry) rmdir
   * when unlink refused it. Throws the last call's error.
   */
  removeLinkEntry(p: string): void;
  /** Windows: tells junctions and other reparse points from symlinks (Node calls them all symbolic links); undefined elsewhere. */
  linkProbe(): Promise<((p: string) => Promise<LinkProbeResult>) | undefined>;
  /** Flushes one copied regular file's data and metadata to disk (never through a link). */
  flushFile(p: string): Promise<void>;
  /** Whether POSIX mode bits and owners are the OS's own (verify compares them, snapshots record owners); not on Windows. */
  readonly modeBitsAndOwners: boolean;
  /** Whether EPERM from creating a symlink means the account lacks the symlink privilege (Windows). */
  readonly symlinkNeedsPrivilege: boolean;
}

/** This host's primitives, chosen once. */
export const HOST: HostPrimitives = process.platform === 'win32' ? WINDOWS_PRIMITIVES : POSIX_PRIMITIVES;
