import { pathApi, pathKey } from '../core/paths.js';
import { assertNever } from '../core/never.js';
import { createsTarget, movesData } from './actions.js';
import type { EntryOf, Finding, PlannedEntry } from './types.js';

/** What an entry does to its target, for the message; undefined when it leaves the target's contents alone. */
function claim(p: PlannedEntry): string | undefined {
  switch (p.action) {
    case 'move':
      return `moves ${p.link} into it`;
    case 'merge':
      return `merges ${p.link} into it`;
    case 'restore':
      return `moves its data back to ${p.link}`;
    case 'retarget':
      return `moves ${p.oldTarget} into it`;
    case 'create':
      return 'creates it';
    case 'relink':
      return createsTarget(p) ? 'creates it' : undefined;
    case 'none':
    case 'link':
    case 'backup':
    case 'remove':
    case 'conflict':
    case 'skip':
      return undefined;
    default:
      return assertNever(p, 'planned entry');
  }
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
    if (group.length < 2 || !group.some(({ p }) => movesData(p.action))) continue;
    const target = group[0].p.target;
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

/**
 * Issue 14: a retarget moves the data at its old target (where its link
 * points now), so that place must be no other entry's. One error per
 * retarget whose old target is, lies inside or holds another applying
 * entry's link or target — moving it would take that entry's data or link
 * away and break it (links sharing a target are allowed, so this happens)
 * — or another retarget's old target (two entries would move one folder).
 *
 * Refused rather than planned as a bare relink: a bare relink leaves this
 * entry's programs an empty folder, the very thing a retarget is there to
 * prevent. The hint gives the two-step way. Links the manifest does not
 * name cannot be known here; they break as they would after a move by hand.
 *
 * Near-linear: only the few old targets are put in maps; every other path
 * is looked up with its folders above it (O(depth)), and each old target
 * with its folders above it in the map of all paths. Pure.
 */
export function retargetSourceFindings(entries: PlannedEntry[]): Finding[] {
  const retargets = entries.flatMap((p) => (p.action === 'retarget' ? [{ r: p, old: p.oldTarget }] : []));
  if (retargets.length === 0) return [];
  type Use = { p: PlannedEntry; what: string; path: string };
  const uses = (p: PlannedEntry): Use[] => [
    { p, what: 'link', path: p.link },
    { p, what: 'target', path: p.target },
    ...(p.action === 'retarget' ? [{ p, what: 'old target (it moves that data too)', path: p.oldTarget }] : []),
  ];
  const olds = new Map<string, EntryOf<'retarget'>[]>();
  for (const { r, old } of retargets) {
    const k = pathKey(old, r.style);
    olds.set(k, [...(olds.get(k) ?? []), r]);
  }
  const byPath = new Map<string, Use[]>();
  const clashes = new Map<PlannedEntry, Set<string>>();
  const note = (r: EntryOf<'retarget'>, u: Use, how: string) => {
    if (u.p === r) return;
    const set = clashes.get(r) ?? new Set<string>();
    set.add(`the ${u.what} of ${label(u.p)}, ${u.path}, ${how} ${r.oldTarget}`);
    clashes.set(r, set);
  };
  for (const p of entries) {
    if (p.action === 'skip') continue;
    const api = pathApi(p.style);
    for (const u of uses(p)) {
      const k = pathKey(u.path, p.style);
      byPath.set(k, [...(byPath.get(k) ?? []), u]);
      // Equal to an old target, or inside one.
      for (let up = k; ; up = api.dirname(up)) {
        for (const r of olds.get(up) ?? []) note(r, u, up === k ? 'is' : 'lies inside');
        if (api.dirname(up) === up) break;
      }
    }
  }
  // Holding an old target: a path above it.
  for (const { r, old } of retargets) {
    const api = pathApi(r.style);
    const k = pathKey(old, r.style);
    for (let up = k; api.dirname(up) !== up;) {
      up = api.dirname(up);
      for (const u of byPath.get(up) ?? []) note(r, u, 'holds');
    }
  }
  const out: Finding[] = [];
  for (const { r, old } of retargets) {
    const found = clashes.get(r);
    if (!found) continue;
    const listed = [...found];
    out.push({
      severity: 'error',
      code: 'E_SHARED_TARGET',
      path: old,
      message: `${label(r)} would move the data at ${old} (where its link points now) to ${r.target}, but another entry uses that place: ${listed.slice(0, 5).join('; ')}${listed.length > 5 ? `; and ${listed.length - 5} more` : ''}. Moving it would break that entry`,
      hint: `to move a folder several entries use, give them all the new target and apply twice: first with the others left out (e.g. a \`when:\` that does not match), which moves the data; then with all of them, whose links point where nothing is any more and are only relinked. To leave the data where it is, set \`retarget: relink\` on ${label(r)}`,
    });
  }
  return out;
}
