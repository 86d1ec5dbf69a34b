// Removes each safety check of the one tree walker (src/platform/fs/tree-walker.ts) in turn and runs its
// tests (test/platform/tree-walker.test.ts, and the mount tests of the jobs that use it): every removal
// must make a test fail. Each file is restored after its run, whatever happens. Needs root for the mount
// cases (as CI). Usage: node scripts/walker-mutations.mjs
import { runMutations } from './lib/mutations.mjs';

const WALKER = 'src/platform/fs/tree-walker.ts';
const TESTS = 'test/platform/tree-walker.test.ts test/platform/mounts.test.ts';
/** [the check, the file, the text of the check, what it becomes without it] */
const MUTATIONS = [
  ['a job may enter only a folder (never a link)', WALKER, "        if (kind !== 'dir' || mount) {", '        if (mount) {'],
  ['a mount shown to a job is never entered', WALKER, "        if (kind !== 'dir' || mount) {", "        if (kind !== 'dir') {"],
  [
    'by entry types: sub-folders pass the mount check before any name is handed on',
    WALKER,
    "if (kinds[i] === 'dir') mountOf[i] = mounts.check(",
    "if (kinds[i] === 'never') mountOf[i] = mounts.check(",
  ],
  ["by the job's lstat: a folder passes the mount check", WALKER, "        if (kind === 'dir') mount = mounts.check(full, stat.dev);", ''],
  ['refusing: the fence refuses a folder on another device', WALKER, '      this.fence.enter(full, dev === undefined ? undefined : Number(dev));\n', ''],
  ['skipping: mount points the table names (bind mounts)', WALKER, '    if (named) return named;', ''],
  ['skipping: a folder on another device', WALKER, '    if (Number(d) === this.rootDev) return undefined;', '    return undefined;'],
  [
    'a folder that cannot be listed is an error by default',
    WALKER,
    "      if (!job.onListError) throw fsError(err, dir, 'listing');",
    '      if (!job.onListError) continue;',
  ],
  ['the event loop turns between slices', WALKER, '      if (slice.due()) await slice.yield();', ''],
];

runMutations(MUTATIONS, `npx vitest run ${TESTS}`);
