import { existsSync } from 'node:fs';

/** Whether something is at `p`, links followed (as opening it would): for finding a default file, never for a decision about data. */
export function existsFollowed(p: string): boolean {
  return existsSync(p);
}
