/**
 * Identity through a rollback (issue 17 §4): the undo of a delete cut short
 * puts back only what is missing, so a file it never deleted is the same
 * file afterwards (dev and inode), not a copy of itself from the twin. A
 * copy matches in content, modes, times and hard-link groups, so only the
 * identity tells the two apart. The in-memory disk never reuses an inode
 * number, so an equal `dev:ino` is the same file.
 */
import type { ExecEvent } from '../../../src/exec/executor.js';
import type { MemDisk } from './disk.js';
import { walkTree } from './walk.js';

/** Every file under the roots, as path → `dev:ino` (one entry per name; links not followed). */
export type FileIds = Map<string, string>;

export function fileIds(disk: MemDisk, ...roots: string[]): FileIds {
  const out: FileIds = new Map();
  for (const r of roots) for (const w of walkTree(disk, r)) if (w.node.kind === 'file') out.set(w.path, `${w.node.vol.dev}:${w.node.ino}`);
  return out;
}

/**
 * The files of `originals` whose file is still on the disk, under any name
 * (a move, a set-aside keeps it): taken as a rollback begins, these are
 * what it must give back as they are.
 */
export function survivorsOf(disk: MemDisk, originals: FileIds, ...roots: string[]): FileIds {
  const now = new Set(fileIds(disk, ...roots).values());
  return new Map([...originals].filter(([, id]) => now.has(id)));
}

/** Each survivor not back at its path as the same file: what is wrong, empty when nothing. */
export function identityProblems(disk: MemDisk, survivors: FileIds): string[] {
  const out: string[] = [];
  for (const [p, id] of survivors) {
    const n = disk.nodeAt(p);
    const now = n?.kind === 'file' ? `${n.vol.dev}:${n.ino}` : undefined;
    if (now !== id) out.push(`${p}: was never deleted, yet it is ${now === undefined ? 'not there' : `another file (${now}, was ${id})`}`);
  }
  return out;
}

/**
 * Watches a run on `disk` for the identity check: the files on every drive
 * before the run, and, as the first rollback begins (its first undo event:
 * pass `onEvent` to the run), those still on the disk. A resume may delete
 * originals by design (its copy is verified): `forget()` then, so the
 * rollback after it takes its own survivors.
 */
export class SurvivorWatch {
  private readonly roots: string[];
  private readonly originals: FileIds;
  private kept: FileIds | undefined;

  constructor(private readonly disk: MemDisk) {
    this.roots = disk.volumeRoots();
    this.originals = fileIds(disk, ...this.roots);
  }

  readonly onEvent = (e: ExecEvent): void => {
    if (e.type === 'undo' && e.phase === 'start' && this.kept === undefined) this.kept = survivorsOf(this.disk, this.originals, ...this.roots);
  };

  forget(): void {
    this.kept = undefined;
  }

  /** Each survivor of the watched rollback not back as that very file; empty when no rollback began. */
  problems(): string[] {
    return this.kept ? identityProblems(this.disk, this.kept) : [];
  }
}
