import { formatBytes } from '../core/units.js';

/**
 * "512 MiB of 1.2 GiB (43%), 120 MiB/s, about 6 s left". Pure: the caller
 * gives the elapsed time. Rate and ETA appear once a second has passed.
 */
export function progressText(bytesDone: number, bytesTotal: number, elapsedMs: number): string {
  const pct = bytesTotal > 0 ? Math.min(100, Math.floor((bytesDone / bytesTotal) * 100)) : 100;
  let text = `${formatBytes(bytesDone)} of ${formatBytes(bytesTotal)} (${pct}%)`;
  const r = progressRate(bytesDone, bytesTotal, elapsedMs);
  if (r) {
    text += `, ${formatBytes(Math.round(r.bytesPerSecond))}/s`;
    if (bytesTotal > bytesDone) text += `, about ${formatDuration(r.secondsLeft)} left`;
  }
  return text;
}

/** The rate so far and the seconds left at that rate, once a second has passed and a byte is done; undefined before. Pure. */
export function progressRate(bytesDone: number, bytesTotal: number, elapsedMs: number): { bytesPerSecond: number; secondsLeft: number } | undefined {
  if (elapsedMs < 1000 || bytesDone <= 0) return undefined;
  const bytesPerSecond = bytesDone / (elapsedMs / 1000);
  return { bytesPerSecond, secondsLeft: Math.max(0, (bytesTotal - bytesDone) / bytesPerSecond) };
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

/** What one step does, in words for the progress line. */
export function stepWords(op: string, a: string, b?: string): string {
  switch (op) {
    case 'mkdirs':
      return `create folder ${a}`;
    case 'rename':
      return `move ${a} → ${b}`;
    case 'copy':
      return `copy ${a} → ${b}`;
    case 'verify':
      return `verify ${b} against ${a}`;
    case 'link':
      return `create link ${a} → ${b}`;
    case 'check-link':
      return `check link ${a}`;
    case 'check-in-use':
      return `check that no program uses ${a}`;
    case 'unlink':
      return `remove link ${a}`;
    case 'delete':
      return `delete the old copy ${a}`;
    default:
      return op;
  }
}

/**
 * What undoing one step does, in words for a rollback's progress line: the
 * undo's own action, never the forward step's ("create folder" for a folder
 * that is kept, "delete the old copy" while data is copied back).
 */
export function undoWords(op: string, a: string, b?: string): string {
  switch (op) {
    case 'mkdirs':
      return `remove the folders created for ${a}, if still empty (folders that were there before stay)`;
    case 'rename':
      return `move ${b} back → ${a}`;
    case 'copy':
      return `discard the copy ${b}`;
    case 'verify':
      return `nothing to undo for the check of ${b}`;
    case 'link':
      return `remove the link ${a}`;
    case 'check-link':
      return `nothing to undo for the check of ${a}`;
    case 'check-in-use':
      return `nothing to undo for the check of programs using ${a}`;
    case 'unlink':
      return `put back the link ${a}`;
    case 'delete':
      return `copy back ${a} from ${b}`;
    default:
      return `undo ${op}`;
  }
}
