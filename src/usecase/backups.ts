import type { RunOutcome } from '../exec/run-control.js';
import type { RunStep } from '../exec/steps.js';

/**
 * Data a run moved aside from a link path (`conflict: backup`), kept under
 * the name the run chose. Invariant: `path` is `link`'s sibling
 * `<link>.relocate-backup-<stamp>`, as the run's own rename step said.
 */
export interface KeptBackup {
  link: string;
  path: string;
}

/** The backups a run's steps make: the renames whose role is backup (never guessed from a path's spelling), in step order. */
export function backupsOf(steps: readonly RunStep[]): KeptBackup[] {
  return steps.flatMap(({ step: s }) => (s.op === 'rename' && s.role === 'backup' ? [{ link: s.from, path: s.to }] : []));
}

/**
 * The backups a command reports when it ends (DESIGN.md: data moved aside
 * is kept *and reported*). Only a run that ended `done` left them: a
 * rolled-back run renamed the data back, and a failed one is unfinished
 * (resume or rollback decides, and reports then).
 */
export function backupsLeft(result: RunOutcome['result'], steps: readonly RunStep[]): KeptBackup[] {
  return result === 'done' ? backupsOf(steps) : [];
}

/** The sentence that tells the user where a backup's data is kept. */
export function backupNotice(b: KeptBackup): string {
  return `Backup: the data that was at ${b.link} is kept at ${b.path}.`;
}
