/**
 * orderEntries keeps ties in manifest order with a min-heap (issue 7: sorting
 * the ready list at every step made a 10,000-entry plan take a second). The
 * order must be exactly the one the sort-every-step version gave, which is
 * kept here as the reference.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pathApi, pathKey } from '../../src/core/paths.js';
import type { DesiredEntry } from '../../src/manifest/types.js';
import { orderEntries } from '../../src/plan/order.js';
import { POSIX_STYLE, entry } from '../helpers/plan-fixtures.js';

/** The algorithm before the heap (commit 083a9d2), unchanged but for the names. */
function referenceOrder(entries: DesiredEntry[]): { order: number[]; cyclic: Set<number> } {
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

/** Paths from a small alphabet of nested names, so entries often sit inside each other (and cycles happen). */
const pathArb = fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`);
const manifestArb = fc.array(fc.record({ link: pathArb, target: pathArb, applies: fc.boolean() }), { minLength: 0, maxLength: 40 });

describe('orderEntries', () => {
  it('gives exactly the order and the cycles of the sort-every-step version (2,000 random manifests)', () => {
    let nested = 0;
    fc.assert(
      fc.property(manifestArb, (specs) => {
        const entries = specs.map((s, i) => entry(POSIX_STYLE, s.link, s.target, { index: i, applies: s.applies || i === 0 }));
        const got = orderEntries(entries);
        const want = referenceOrder(entries);
        expect(got.order).toEqual(want.order);
        expect([...got.cyclic].sort((x, y) => x - y)).toEqual([...want.cyclic].sort((x, y) => x - y));
        if (want.order.some((v, i) => v !== i)) nested++;
      }),
      { numRuns: 2000, seed: 7 },
    );
    // The generator must produce manifests whose order differs from manifest order, or the comparison proves little.
    expect(nested).toBeGreaterThan(200);
  });

  it('puts a parent before its child and keeps manifest order otherwise', () => {
    const entries = [
      entry(POSIX_STYLE, '/x/child', '/t/child', { index: 0 }),
      entry(POSIX_STYLE, '/y', '/t/y', { index: 1 }),
      entry(POSIX_STYLE, '/x', '/t/x', { index: 2 }),
    ];
    expect(orderEntries(entries).order).toEqual([1, 2, 0]);
  });
});
