/**
 * Issue 13 §6 and §7, randomized: trees with random immutable and
 * append-only files and folders, random hard links inside the tree and
 * random hard links to files outside it (a store beside it), moved from a
 * loop-mounted ext4 volume (the only one here that holds inode flags) to a
 * tmpfs volume. Each case checks:
 *
 * - a tree holding a flagged node is refused at plan time (E_IMMUTABLE),
 *   and nothing changes;
 * - the same tree planned before the flags were set (a program could set
 *   them meanwhile) fails at the delete, partway, and the automatic
 *   rollback gives back the exact tree: every byte, mode and mtime, every
 *   hard-link group inside it, every link to the outside files — and the
 *   originals the delete had not reached keep their inode numbers;
 * - without flags, the move is done, and `rollback` gives back the exact
 *   tree with its hard links to the same outside files;
 * - no data lost at any point (every file of the tree and of the store is
 *   somewhere it may be, byte for byte).
 */
import { linkSync, lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollbackRun, startRun } from '../../src/exec/run-control.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { chattr, loopReason, mountLoopExt4, type LoopVolume } from '../helpers/loop-volume.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { mountTmpfs, type TmpfsMount } from '../helpers/tmpfs.js';
import { seededBytes } from '../helpers/crash-tree.js';
import { describePlan, inventory, lostFiles, newFigures, planFor, printFigures, STRESS, totalBytes } from './harness.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

const reason = loopReason();
if (reason) console.log(`[skip] flags and outside hard links property: ${reason}`);

const CASES = Number(process.env.FLAG_CASES ?? 24) * STRESS;
const SEED = process.env.FLAG_SEED ? Number(process.env.FLAG_SEED) : undefined;

/** One node of a random tree; parents come first. */
type Node =
  | { rel: string; kind: 'dir' }
  | { rel: string; kind: 'file'; size: number; seed: number }
  /** Another name of the tree's file `of` (an index into the files). */
  | { rel: string; kind: 'inner-link'; of: number }
  /** A name of the store's file `of`. */
  | { rel: string; kind: 'outside-link'; of: number };

interface Case {
  nodes: Node[];
  storeFiles: number;
  /** Indices into `nodes` (files and folders, not the top) that get a flag. */
  flagged: { at: number; flag: '+i' | '+a' }[];
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    dirs: fc.integer({ min: 0, max: 4 }),
    files: fc.array(fc.record({ size: fc.integer({ min: 0, max: 9000 }), seed: fc.integer({ min: 1, max: 1e6 }), dir: fc.nat() }), {
      minLength: 1,
      maxLength: 14,
    }),
    inner: fc.array(fc.record({ of: fc.nat(), dir: fc.nat() }), { maxLength: 3 }),
    storeFiles: fc.integer({ min: 0, max: 5 }),
    outside: fc.array(fc.record({ of: fc.nat(), dir: fc.nat() }), { maxLength: 8 }),
    flags: fc.array(fc.record({ at: fc.nat(), flag: fc.constantFrom<'+i' | '+a'>('+i', '+a') }), { maxLength: 3 }),
  })
  .map(({ dirs, files, inner, storeFiles, outside, flags }) => {
    const dirRels = [''];
    for (let i = 0; i < dirs; i++) dirRels.push(`${dirRels[i % dirRels.length] === '' ? '' : `${dirRels[i % dirRels.length]}/`}d${i}`);
    const at = (d: number, name: string) => (dirRels[d % dirRels.length] === '' ? name : `${dirRels[d % dirRels.length]}/${name}`);
    const nodes: Node[] = dirRels.slice(1).map((rel) => ({ rel, kind: 'dir' as const }));
    files.forEach((f, i) => nodes.push({ rel: at(f.dir, `f${i}.bin`), kind: 'file', size: f.size, seed: f.seed }));
    inner.forEach((l, i) => nodes.push({ rel: at(l.dir, `same-as-${i}.bin`), kind: 'inner-link', of: l.of % files.length }));
    if (storeFiles > 0) outside.forEach((l, i) => nodes.push({ rel: at(l.dir, `shared-${i}.js`), kind: 'outside-link', of: l.of % storeFiles }));
    const flaggable = nodes
      .map((n, i) => ({ n, i }))
      .filter(({ n }) => n.kind !== 'outside-link')
      .map(({ i }) => i);
    const flagged = flaggable.length === 0 ? [] : flags.map((f) => ({ at: flaggable[f.at % flaggable.length]!, flag: f.flag }));
    return { nodes, storeFiles, flagged: [...new Map(flagged.map((f) => [f.at, f])).values()] };
  });

/** Builds the case's store and tree under `base`; returns the tree's path. */
function buildCase(base: string, c: Case): { tree: string; store: string } {
  const store = path.join(base, 'store');
  const tree = path.join(base, 'home', 'tree');
  mkdirSync(store, { recursive: true });
  mkdirSync(tree, { recursive: true });
  for (let i = 0; i < c.storeFiles; i++) writeFileSync(path.join(store, `pkg-${i}.js`), seededBytes(1000 + i, 500 + i * 37));
  const fileRels: string[] = [];
  for (const n of c.nodes) {
    const p = path.join(tree, n.rel);
    if (n.kind === 'dir') mkdirSync(p);
    else if (n.kind === 'file') {
      writeFileSync(p, seededBytes(n.seed, n.size));
      fileRels.push(n.rel);
    } else if (n.kind === 'inner-link') linkSync(path.join(tree, fileRels[n.of]!), p);
    else linkSync(path.join(store, `pkg-${n.of}.js`), p);
  }
  return { tree, store };
}

/** `dev:ino` of every node under root, by relative path. */
function identities(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (p: string, rel: string) => {
    const s = lstatSync(p, { bigint: true });
    out.set(rel, `${s.dev}:${s.ino}`);
    if (s.isDirectory()) for (const name of readdirSync(p)) visit(path.join(p, name), rel === '' ? name : `${rel}/${name}`);
  };
  visit(root, '');
  return out;
}

/** Which files share data: each file's group, named by the store file it shares or the first name inside the tree. */
function linkStructure(tree: string, store: string): Map<string, string> {
  const storeIds = new Map([...identities(store)].map(([rel, id]) => [id, `store:${rel}`]));
  const firstName = new Map<string, string>();
  const out = new Map<string, string>();
  for (const [rel, id] of [...identities(tree)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!lstatSync(path.join(tree, rel)).isFile()) continue;
    const outside = storeIds.get(id);
    if (outside) out.set(rel, outside);
    else {
      if (!firstName.has(id)) firstName.set(id, rel);
      out.set(rel, `tree:${firstName.get(id)}`);
    }
  }
  return out;
}

function rebase(snap: Record<string, string>, from: string): Record<string, string> {
  return Object.fromEntries(Object.entries(snap).map(([k, v]) => [path.relative(from, k), v]));
}

/** Sets the case's flags, or clears both flags of each node at once (an immutable inode refuses a change of its other flags). */
function setFlags(tree: string, c: Case, on: boolean): void {
  // Append-only first: an inode already immutable (two names of one file) refuses any other flag.
  for (const f of [...c.flagged].sort((a, b) => (a.flag === b.flag ? 0 : a.flag === '+a' ? -1 : 1))) {
    const p = path.join(tree, c.nodes[f.at]!.rel);
    if (on) chattr(f.flag, p);
    else execFileSync('chattr', ['-i', '-a', p]);
  }
}

/** Clears the flags wherever the nodes are now (best effort: teardown of a failed case must not hide its error). */
function clearFlagsAnywhere(base: string): void {
  try {
    execFileSync('chattr', ['-R', '-i', '-a', base], { stdio: 'ignore' });
  } catch {
    // chattr -R reports the links it cannot flag; the files and folders are cleared all the same
  }
}

const figures = newFigures();
let ext4: LoopVolume | undefined;
let tmp: TmpfsMount | undefined;
let caseNo = 0;

describe.skipIf(reason !== undefined)('flags and outside hard links: random trees, ext4 → tmpfs', () => {
  beforeAll(() => {
    ext4 = mountLoopExt4(64, 'prop-flags');
    tmp = mountTmpfs(64, 'prop-flags-b');
  });
  afterAll(() => {
    try {
      ext4?.unmount();
    } finally {
      tmp?.unmount();
      printFigures('flags and outside hard links (ext4 loop → tmpfs)', figures);
    }
  });

  it(
    `${CASES} cases: flagged trees refused; a delete failing partway and a rollback restore data, inodes and hard-link structure`,
    async () => {
      await fc.assert(
        fc.asyncProperty(caseArb, async (c) => {
          figures.cases++;
          const base = path.join(ext4!.dir, `case-${++caseNo}`);
          const { tree, store } = buildCase(base, c);
          const target = path.join(tmp!.dir, `tree-${caseNo}`);
          const state = path.join(base, 'state');
          const manifest = path.join(base, 'relocate.yaml');
          writeFileSync(manifest, `version: 1\nlinks:\n  - link: ${JSON.stringify(tree)}\n    target: ${JSON.stringify(target)}\n    type: symlink\n`);
          const snapBefore = rebase(snapshotTree(tree), tree);
          const structBefore = linkStructure(tree, store);
          const before = inventory(tree, store);
          const entries = [{ link: tree, target }];
          const check = (stage: string) => {
            const lost = lostFiles(before, entries);
            figures.dataLost += lost.lost.length;
            expect(
              lost.lost.map((f) => f.path),
              `${stage}: lost files`,
            ).toEqual([]);
          };
          const flagged = c.flagged.length > 0;
          try {
            // Planned before any flag is set: apply will meet the flags only at the delete.
            const plan = await planFor(manifest, state);
            expect(plan.blocked, describePlan(plan)).toBe(false);
            const shared = c.nodes.some((n) => n.kind === 'outside-link');
            expect(
              plan.entries[0]!.findings.some((f) => f.code === 'W_OUTSIDE_HARDLINKS'),
              describePlan(plan),
            ).toBe(shared);
            if (flagged) {
              setFlags(tree, c, true);
              const refused = await planFor(manifest, state);
              expect(
                refused.entries[0]!.findings.some((f) => f.code === 'E_IMMUTABLE'),
                describePlan(refused),
              ).toBe(true);
              expect(refused.blocked).toBe(true);
            }
            let remaining: Map<string, string> | undefined;
            const out = await startRun(plan, {
              journalDisk: nodeJournalDisk,
              stateDir: state,
              fs: new NodeFs(),
              verify: 'meta',
              noRollback: false,
              onEvent: (e) => {
                if (e.type === 'undo' && e.phase === 'start' && e.rs.step.op === 'delete') remaining = identities(e.rs.step.path);
              },
            });
            check('after apply');
            if (flagged) {
              figures.faultsInjected++;
              expect(out.result, `${out.error?.message} / ${out.undoError?.message}`).toBe('rolled-back');
              // The delete names the flagged node it met (set after the plan) and how to clear it.
              expect(out.error?.code, out.error?.message).toBe('E_IMMUTABLE');
              setFlags(tree, c, false);
              // The originals the failed delete had not reached are the same files.
              for (const [rel, id] of remaining ?? []) if (rel !== '') expect(identities(tree).get(rel), rel).toBe(id);
              figures.originalsKept = (figures.originalsKept ?? 0) + Math.max(0, (remaining?.size ?? 1) - 1);
            } else {
              expect(out.result, out.error?.message).toBe('done');
              const back = await rollbackRun(out.record, { journalDisk: nodeJournalDisk, stateDir: state, fs: new NodeFs(), force: false });
              expect(back.result, back.error?.message).toBe('rolled-back');
            }
            check('after rollback');
            expect(rebase(snapshotTree(tree), tree)).toEqual(snapBefore);
            expect(linkStructure(tree, store)).toEqual(structBefore);
            const relinked = [...structBefore.values()].filter((g) => g.startsWith('store:')).length;
            figures.outsideLinksRestored = (figures.outsideLinksRestored ?? 0) + relinked;
            figures.bytesVerified += totalBytes(before);
            expect(lstatSync(target, { throwIfNoEntry: false })).toBeUndefined();
          } finally {
            clearFlagsAnywhere(base);
            rmSync(base, { recursive: true, force: true });
            rmSync(target, { recursive: true, force: true });
          }
        }),
        { numRuns: CASES, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: true },
      );
      expect(figures.dataLost).toBe(0);
    },
    600_000 * STRESS,
  );
});
