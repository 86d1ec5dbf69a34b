import type { VolumeInfo } from '../state/types.js';
import type { MoveSpec } from './types.js';

/** A cross-volume move's `durableBy`: how the destination volume makes the copy durable, when the platform said. */
export function durableBy(cross: boolean, dest: VolumeInfo | undefined): Pick<MoveSpec, 'durableBy'> {
  return cross && dest?.durability ? { durableBy: dest.durability.why } : {};
}
