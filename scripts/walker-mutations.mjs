// Removes each safety check of the one tree walker (src/platform/fs/tree-walker.ts, and the device fence it walks with) in turn and runs its
// tests (test/platform/tree-walker.test.ts, and the mount tests of the jobs that use it): every removal
// must make a test fail. Each file is restored after its run, whatever happens. Needs root for the mount
// cases (as CI). Usage: node scripts/walker-mutations.mjs
import { runMutations } from './lib/mutations.mjs';

const WALKER = 'src/platform/fs/tree-walker.ts';
const FENCE = 'src/platform/device-fence.ts';
const TESTS = 'test/platform/tree-walker.test.ts test/platform/mounts.test.ts';
/** [the check, the file, the text of the check, what it becomes without it] */
const MUTATIONS = [
  ['a job may enter only a folder (never a link)', WALKER, "        if (kind !== 'dir' || mount) {", '        if (mount) {'],
  ['a mount shown to a job is never entered', WALKER, "        if (kind !== 'dir' || mount) {", "        if (kind !== 'dir') {"],
  [
    'by entry types: sub-folders pass the mount check before any name is handed on',
    WALKER,
    "if (kinds[i] === 'dir') mountOf[i] = mountOfFolder(",
    "if (kinds[i] === 'never') mountOf[i] = mountOfFolder(",
  ],
  ["by the job's lstat: a folder passes the mount check", WALKER, "        if (kind === 'dir') mount = mountOfFolder(full, stat.dev);", ''],
  ['refusing: each folder met goes through the fence', WALKER, '    fence.enter(full, dev);\n', ''],
  ['refusing: a mount the table names inside is refused before the walk', FENCE, '    if (inside[0]) throw mountInsideError(root, inside[0]);', ''],
  ['mount points the table names (bind mounts)', FENCE, '    if (named) return named;', ''],
  ['a folder on another device', FENCE, '    if (Number(d) === this.rootDev) return undefined;', '    return undefined;'],
  [
    'a folder that cannot be listed is an error by default',
    WALKER,
    "      if (!job.onListError) throw fsError(err, dir, 'listing');",
    '      if (!job.onListError) continue;',
  ],
  ['the event loop turns between slices', WALKER, '      if (slice.due()) await slice.yield();', ''],
];

runMutations(MUTATIONS, `npx vitest run ${TESTS}`);
