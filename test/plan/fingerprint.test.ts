import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/plan/fingerprint.js';
import type { EntryObservation, PathObservation } from '../../src/state/types.js';
import { fixedObservations } from '../helpers/fingerprint-fixtures.js';

/**
 * A saved plan is refused when the disk's fingerprint changed since
 * (E_STALE_PLAN), so the hash of one disk must never change with the code:
 * a plan saved by this version must stay fresh for the same disk. The value
 * below was computed by the fingerprint of before the observation became a
 * union per kind (main at d5feba7), on observations of every kind with
 * every fact set.
 */
const GOLDEN = 'cbb743fa2074388ae95832829c78149fa2854e05d73f1de8e771175018d3d9db';

describe('fingerprint', () => {
  it('hashes the same disk as it always did (golden)', () => {
    expect(fingerprint(fixedObservations())).toBe(GOLDEN);
  });

  it('changes with each fact it hashes, on every kind that has it', () => {
    const changed = (edit: (o: EntryObservation[]) => void) => {
      const obs = fixedObservations().filter((o): o is EntryObservation => o !== undefined);
      edit(obs);
      return fingerprint(obs);
    };
    const set = (p: PathObservation, key: string, v: unknown) => ((p as unknown as Record<string, unknown>)[key] = v);
    const edits: [string, (o: EntryObservation[]) => void][] = [
      ['a folder emptied', (o) => set(o[1]!.target, 'empty', false)],
      ['a file resized', (o) => set(o[2]!.link, 'size', 101)],
      ['a folder touched', (o) => set(o[0]!.link, 'mtimeMs', 1)],
      ['a link rewritten', (o) => set(o[2]!.target, 'linkText', '../g')],
      ['a link now broken', (o) => set(o[1]!.link, 'linkTargetKind', 'absent')],
      ['another inode', (o) => set(o[3]!.link, 'ino', '6')],
      ['a mount point gone', (o) => set(o[2]!.link, 'mountPoint', undefined)],
      ['a mount inside gone', (o) => set(o[0]!.link, 'mountsBelow', [])],
      ['the old target moved', (o) => set(o[1]!.oldTarget!, 'path', 'E:\\Other')],
      ['a parent no longer a link', (o) => set(o[0]!.target, 'linkedParent', undefined)],
    ];
    const golden = changed(() => {});
    for (const [what, edit] of edits) expect(changed(edit), what).not.toBe(golden);
  });
});
