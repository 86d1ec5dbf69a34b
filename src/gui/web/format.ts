// Numbers as people read them on the page: the CLI's own byte and duration
// words (src/core/units.ts, src/render/progress.ts), so the page and the
// terminal say "12.4 GiB" and "3 min 5 s" alike.
import { formatBytes } from '../../core/units.js';
import { formatDuration } from '../../render/progress.js';

export { formatBytes, formatDuration };

/** "120 MiB/s". */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** A share of a whole as a whole percentage, 0 for an empty whole. */
export function percent(part: number, whole: number): number {
  if (!(whole > 0)) return 0;
  return Math.max(0, Math.min(100, Math.round((part / whole) * 100)));
}

/** An ISO time in the reader's own locale and zone ("6 Dec 2026, 21:40"); the text as given when it is no date. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
