import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { planFor } from '../property/harness.js';
import { snapshotTree } from './snapshot.js';
import type { VolumePair } from './tmpfs.js';

/** One in-process case of the executor tests: its folders, manifest and state folder. */
export interface CaseBox {
  /** The link side's folder (on volume A, or in the scratch folder for a same-volume case). */
  A: string;
  /** The target side's folder (on volume B, or in the scratch folder). */
  B: string;
  stateDir: string;
  manifest: string;
  /** Writes the manifest (JSON is YAML) with these entries. */
  write(entries: object[]): void;
  plan: ReturnType<typeof planFor> extends Promise<infer P> ? () => Promise<P> : never;
  /** A snapshot of both sides. */
  snap(): Record<string, string>;
}

/**
 * A fresh case named `id`: folders A (links) and B (targets) on the file's
 * two tmpfs volumes (or, with `crossVolume` false, both in its scratch
 * folder), with the manifest and state folder apart in the scratch folder,
 * so a snapshot of A and B sees only the user's data.
 */
export function caseBox(vols: VolumePair, id: string, crossVolume = true): CaseBox {
  const A = crossVolume ? path.join(vols.volA(), id) : path.join(vols.scratch(), id, 'A');
  const B = crossVolume ? path.join(vols.volB(), id) : path.join(vols.scratch(), id, 'B');
  const meta = path.join(vols.scratch(), `${id}-meta`);
  for (const d of [A, B, meta]) mkdirSync(d, { recursive: true });
  const manifest = path.join(meta, 'relocate.yaml');
  const stateDir = path.join(meta, 'state');
  return {
    A,
    B,
    stateDir,
    manifest,
    write(entries: object[]) {
      writeFileSync(manifest, JSON.stringify({ version: 1, links: entries }));
    },
    plan: () => planFor(manifest, stateDir),
    snap: () => snapshotTree(A, B),
  };
}
