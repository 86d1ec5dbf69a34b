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
    for (const k of keysOf(e)) {
      const list = owners.get(k);
      if (list) list.push(i);
      else owners.set(k, [i]);
    }
  });
  const deps: Set<number>[] = entries.map(() => new Set<number>());
  entries.forEach((e, i) => {
    if (!e.applies) return;
    const api = pathApi(e.style);
    for (const k of keysOf(e)) {
      for (let up = api.dirname(k); ; up = api.dirname(up)) {
        for (const j of owners.get(up) ?? []) if (j !== i) deps[i].add(j);
        if (api.dirname(up) === up) break;
      }
    }
  });
  // Kahn's algorithm; ties keep manifest order so plans are stable (the smallest ready index goes
  // first, from a min-heap: sorting the ready list at every step made 10,000 entries take a second).
  const indegree = deps.map((d) => d.size);
  const dependents: number[][] = entries.map(() => []);
  deps.forEach((d, i) => d.forEach((j) => dependents[j].push(i)));
  const ready = new MinHeap();
  entries.forEach((_, i) => {
    if (indegree[i] === 0) ready.push(i);
  });
  const order: number[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    order.push(i);
    for (const k of dependents[i]) if (--indegree[k] === 0) ready.push(k);
  }
  const placed = new Set(order);
  const cyclic = new Set(entries.map((_, i) => i).filter((i) => !placed.has(i)));
  for (const i of cyclic) order.push(i);
  return { order, cyclic };
}

/** A binary min-heap of numbers. */
class MinHeap {
  private readonly a: number[] = [];

  get size(): number {
    return this.a.length;
  }

  push(x: number): void {
    const a = this.a;
    let i = a.push(x) - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (a[up] <= x) break;
      a[i] = a[up];
      i = up;
    }
    a[i] = x;
  }

  /** Removes and returns the smallest; only when size > 0. */
  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (last === undefined) throw new RangeError('pop from an empty heap');
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const c = l + 1 < a.length && a[l + 1] < a[l] ? l + 1 : l;
        if (a[c] >= last) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
