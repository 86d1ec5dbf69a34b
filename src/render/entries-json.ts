import type { DesiredEntry } from '../manifest/types.js';

/** The stable JSON shape of desired entries (part of the versioned --json interface). */
export function entriesJson(entries: DesiredEntry[]): Record<string, unknown>[] {
  return entries.map((e) => ({
    index: e.index,
    link: e.link,
    target: e.target,
    type: e.type,
    conflict: e.conflict,
    retarget: e.retarget,
    state: e.state,
    force: e.force,
    applies: e.applies,
    ...(e.skipReason ? { skipReason: e.skipReason } : {}),
    ...(e.glob ? { glob: e.glob } : {}),
    source: { line: e.source.line, col: e.source.col },
  }));
}
