/**
 * A disk held in a map, behind the DiskReader port: what the use-case
 * tests observe instead of a real folder. Paths not in the map are absent
 * (on the volume `root`); trees measure as 10 bytes in 2 files.
 */
import type { PathStyle } from '../../src/core/paths.js';
import type { DiskReader } from '../../src/state/reader.js';
import type { PathObservation } from '../../src/state/types.js';
import { comparison, obs, tree, vol } from '../helpers/plan-fixtures.js';

export interface FakeDisk {
  reader: DiskReader;
  /** What an lstat says at each path; change it to change the disk. */
  paths: Map<string, PathObservation>;
}

export function fakeDisk(entries: PathObservation[]): FakeDisk {
  const paths = new Map(entries.map((o) => [o.path, o]));
  const reader: DiskReader = {
    // A copy each time: the observer adds facts (mounts) to what it is given.
    observe: async (p: string, _style: PathStyle) => structuredClone(paths.get(p) ?? obs.absent(p, vol('root'))),
    measure: async () => tree(10, 2),
    isEmptyFolder: async () => false,
    compare: async () => comparison(),
  };
  return { reader, paths };
}
