import { pathApi, pathKey } from '../core/paths.js';
import type { DesiredEntry } from '../manifest/types.js';

/**
 * Orders applying entries parents first: an entry whose link or target lies
 * inside another entry's link or target runs after it. Returns the order
 * (indexes into `entries`) and the entries caught in a cycle, which are
 * refused. Near-linear: each path is looked up against the ancestors of
 * the others through a hash map, never compared pairwise.
 */
export function orderEntries(entries: DesiredEntry[]): { order: number[]; cyclic: Set<number> } {
  const owners = new Map<string, number[]>();
  const keysOf = (e: DesiredEntry) => [pathKey(e.link, e.style), pathKey(e.target, e.style)];
  entries.forEach((e, i) => {
    if (!e.applies) return;
    for (const k of keysOf(e)) owners.set(k, [...(owners.get(k) ?? []), i]);
  });
  const deps: Set<number>[] = entries.map(() => new Set<number>());
  entries.forEach((e, i) => {
    if (!e.applies) return;
    const api = pathApi(e.style);
    for (const k of keysOf(e)) {
      for (let up = api.dirname(k); ; up = api.dirname(up)) {
        for (const j of owners.get(up) ?? []) if (j !== i) deps[i]!.add(j);
        if (api.dirname(up) === up) break;
      }
    }
  });
  // Kahn's algorithm; ties keep manifest order so plans are stable.
  const indegree = deps.map((d) => d.size);
  const dependents: number[][] = entries.map(() => []);
  deps.forEach((d, i) => d.forEach((j) => dependents[j]!.push(i)));
  const ready = entries.map((_, i) => i).filter((i) => indegree[i] === 0);
  const order: number[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const i = ready.shift()!;
    order.push(i);
    for (const k of dependents[i]!) if (--indegree[k]! === 0) ready.push(k);
  }
  const placed = new Set(order);
  const cyclic = new Set(entries.map((_, i) => i).filter((i) => !placed.has(i)));
  for (const i of cyclic) order.push(i);
  return { order, cyclic };
}
