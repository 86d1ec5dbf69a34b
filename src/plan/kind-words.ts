import type { NodeKind } from '../state/types.js';

/** What is at a path, in the words of a plan's reasons ("is a folder", "is a symbolic link"). */
export const KIND_WORDS: Record<NodeKind, string> = {
  dir: 'a folder',
  file: 'a file',
  symlink: 'a symbolic link',
  junction: 'a junction',
  other: 'something that is neither a folder, a file nor a link',
  absent: 'nothing',
};
