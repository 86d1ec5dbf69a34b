import { samePath } from '../core/paths.js';
import { assertNever } from '../core/never.js';
import type { ProgressFn } from './fs-port.js';
import { identityOf } from './identity.js';
import { checkLink, refuseIfInUse } from './step-checks.js';
import { refuse, type StepContext } from './step-context.js';
import type { MadeFn, StepInfoFor, UnlinkInfo } from './step-info.js';
import type { StepFor, StepOfKind, StepOp } from './steps.js';

const REPLAN = 'the disk changed since the plan; run `relocate plan` again';

/** Removes the link an unlink began on, only when it is still the link to the step's target that the begin info says. */
async function unlinkDo({ fs, style }: StepContext, s: StepFor['unlink'], info: UnlinkInfo | undefined): Promise<void> {
  if (info === undefined) return refuse('E_NOT_A_LINK', `${s.path} is not a link; relocate will not delete it`, s.path, REPLAN);
  if ('gone' in info) return refuse('E_MISSING', `${s.path} is gone; there is no link to remove`, s.path, REPLAN);
  switch (info.kind) {
    case 'hardlink':
      if (!info.sameFile) refuse('E_NOT_A_LINK', `${s.path} is not a hard link of ${s.target}; relocate will not delete it`, s.path, REPLAN);
      await fs.unlinkFile(s.path);
      return;
    case 'symlink':
    case 'junction':
      if (s.target !== '' && (info.dest === null || !samePath(info.dest, s.target, style))) {
        refuse('E_NOT_A_LINK', `${s.path} now points to ${String(info.dest)}, not ${s.target}; relocate will not remove it`, s.path, REPLAN);
      }
      await fs.removeLink(s.path);
      return;
    case 'dir':
    case 'other':
      return refuse('E_NOT_A_LINK', `${s.path} is not a link; relocate will not delete it`, s.path, REPLAN);
    default:
      return assertNever(info.kind, 'unlink info kind');
  }
}

type DoFn<K extends StepOp> = (
  cx: StepContext,
  s: StepFor[K],
  info: StepInfoFor[K] | undefined,
  progress: ProgressFn | undefined,
  onMade: MadeFn<K> | undefined,
) => Promise<void>;

const copyDo: DoFn<'copy'> = ({ fs }, s, _info, progress, onMade) =>
  fs.copyTree(
    s.from,
    s.to,
    progress,
    onMade
      ? (root) => {
          // An identity the file system cannot give is left out; the line is still written.
          const madeId = identityOf(root);
          onMade(madeId === undefined ? {} : { madeId });
        }
      : undefined,
  );

// A table, not a switch: a switch narrows `s` but not `info`; indexed by the kind, each entry gets both, typed alike.
const DO: { [K in StepOp]: DoFn<K> } = {
  mkdirs: async ({ fs }, s) => {
    await fs.mkdirs(s.path);
  },
  rename: async ({ fs }, s) => {
    if (!(await fs.lstat(s.from))) refuse('E_MISSING', `${s.from} is gone; nothing to move`, s.from, REPLAN);
    await fs.renameNoReplace(s.from, s.to);
  },
  copy: copyDo,
  verify: ({ fs }, s, _info, progress) => fs.verify(s.original, s.copy, s.mode, s.subset === true, progress),
  link: ({ fs }, s) => fs.createLink(s.path, s.target, s.kind),
  'check-link': (cx, s) => checkLink(cx, s.path, s.target, s.kind),
  'check-in-use': ({ fs }, s) => refuseIfInUse(fs, s.path),
  unlink: (cx, s, info) => unlinkDo(cx, s, info),
  delete: async ({ fs }, s) => {
    // The twin must still be there: it is what makes this delete safe.
    if (!(await fs.lstat(s.twin)))
      refuse('E_MISSING', `${s.twin} is gone, so ${s.path} (the only copy left) is kept`, s.twin, 'nothing was deleted; check the target');
    await fs.deleteTree(s.path);
  },
};

/**
 * Carries out one step. Each refuses, before acting, anything the plan did
 * not expect. `onMade` is told the identity of a copy's root the moment it
 * exists (`madeId`), to be journaled before anything is written into it.
 */
export async function doStep<K extends StepOp>(
  cx: StepContext,
  s: StepOfKind<K>,
  info: StepInfoFor[K] | undefined,
  progress?: ProgressFn,
  onMade?: MadeFn<K>,
): Promise<void> {
  const run: (typeof DO)[K] = DO[s.op];
  await run(cx, s, info, progress, onMade);
}
