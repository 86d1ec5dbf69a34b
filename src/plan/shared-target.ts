import { pathKey } from '../core/paths.js';
import type { Action, Finding, PlannedEntry } from './types.js';

/** Actions that take data into or out of the target: two of these (or one and a folder-creating entry) cannot share a target. */
const MOVES_DATA: ReadonlySet<Action> = new Set<Action>(['move', 'merge', 'restore']);

/** What an entry does to its target, for the message; undefined when it leaves the target's contents alone. */
function claim(p: PlannedEntry): string | undefined {
  switch (p.action) {
    case 'move':
      return `moves ${p.link} into it`;
    case 'merge':
      return `merges ${p.link} into it`;
    case 'restore':
      return `moves its data back to ${p.link}`;
    case 'create':
      return 'creates it';
    case 'relink':
      return p.createsTarget === true ? 'creates it' : undefined;
    case 'none':
    case 'link':
    case 'backup':
    case 'remove':
    case 'conflict':
    case 'skip':
      return undefined;
    default:
      return assertNever(p.action);
  }
}

function assertNever(x: never): never {
  throw new Error(`unhandled action ${String(x)}`);
}

function label(p: PlannedEntry): string {
  const name = p.glob ? `links[${p.index}] (match ${p.glob.name})` : `links[${p.index}]`;
  return `${name} at line ${p.source.line}`;
}

/**
 * DESIGN.md: a target is shared by links, never filled by two moves. One
 * error per target that more than one entry of the plan would put data
 * into, take data out of, or create while another moves data (a move into
 * a folder another entry just made fails halfway; two moves into one
 * target leave one entry's copy where the other's undo would take it for
 * its own). Entries that only link to an existing target, and several
 * entries that only create one empty target, stay allowed. Pure.
 */
export function sharedTargetFindings(entries: PlannedEntry[]): Finding[] {
  const byTarget = new Map<string, { p: PlannedEntry; what: string }[]>();
  for (const p of entries) {
    const what = claim(p);
    if (what === undefined) continue;
    const key = pathKey(p.target, p.style);
    const group = byTarget.get(key) ?? [];
    group.push({ p, what });
    byTarget.set(key, group);
  }
  const out: Finding[] = [];
  for (const group of byTarget.values()) {
    if (group.length < 2 || !group.some(({ p }) => MOVES_DATA.has(p.action))) continue;
    const target = group[0]!.p.target;
    out.push({
      severity: 'error',
      code: 'E_SHARED_TARGET',
      path: target,
      message: `${target} is the target of ${group.length} entries that would each put data into it or take it away: ${group.map(({ p, what }) => `${label(p)} (${what})`).join(', ')}; a target can be shared by links, never filled by two moves`,
      hint: 'give each entry that holds data its own target folder; entries whose link path holds nothing may then link to one of them',
    });
  }
  return out;
}
