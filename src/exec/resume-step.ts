import { differs, driftError, resumeIdentity } from './identity.js';
import { checkLink } from './step-checks.js';
import { refuse, type StepContext } from './step-context.js';
import type { RenameInfo, StepInfoFor, UnlinkInfo } from './step-info.js';
import type { StepFor, StepOfKind, StepOp } from './steps.js';
import { verifyRemainder } from './twin-check.js';

/*
 * Resume: the one step a crash interrupted (begun, not done) is probed —
 * did it take effect? — and, if not, made ready to run again.
 */

async function renameTookEffect({ fs }: StepContext, s: StepFor['rename'], info: RenameInfo | undefined): Promise<boolean> {
  const [from, to] = await Promise.all([fs.lstat(s.from), fs.lstat(s.to)]);
  if (!from && to) {
    if (differs(to, info?.movedId))
      throw driftError(
        `${s.to} is not what relocate was moving there from ${s.from} (it is another folder or file, by its identity); relocate stops here`,
        s.to,
      );
    return true;
  }
  if (from && !to) return false;
  return refuse(
    'E_INCONSISTENT',
    `cannot tell whether ${s.from} was moved to ${s.to}: ${from ? 'both exist' : 'neither exists'}`,
    s.from,
    'inspect both paths by hand; relocate changed nothing more',
  );
}

async function linkTookEffect(cx: StepContext, s: StepFor['link']): Promise<boolean> {
  const n = await cx.fs.lstat(s.path);
  if (!n) return false;
  try {
    await checkLink(cx, s.path, s.target, s.kind);
    return true;
  } catch {
    return refuse('E_INCONSISTENT', `${s.path} exists but is not the link relocate was making`, s.path, 'inspect it by hand');
  }
}

async function unlinkTookEffect({ fs }: StepContext, s: StepFor['unlink'], info: UnlinkInfo | undefined): Promise<boolean> {
  return (info !== undefined && 'gone' in info) || !(await fs.lstat(s.path));
}

async function mkdirsTookEffect({ fs }: StepContext, s: StepFor['mkdirs']): Promise<boolean> {
  return (await fs.lstat(s.path))?.kind === 'dir';
}

// Redone (a partial copy is discarded first); the checks only read.
const redone = async (): Promise<boolean> => false;

const TOOK_EFFECT: { [K in StepOp]: (cx: StepContext, s: StepFor[K], info: StepInfoFor[K] | undefined) => Promise<boolean> } = {
  rename: renameTookEffect,
  link: linkTookEffect,
  unlink: unlinkTookEffect,
  mkdirs: mkdirsTookEffect,
  copy: redone,
  verify: redone,
  'check-link': redone,
  'check-in-use': redone,
  delete: redone,
};

/** Has a begun step already taken effect? Used for the one step a crash interrupted. */
export function stepTookEffect<K extends StepOp>(cx: StepContext, s: StepOfKind<K>, info: StepInfoFor[K] | undefined): Promise<boolean> {
  const probe: (typeof TOOK_EFFECT)[K] = TOOK_EFFECT[s.op];
  return probe(cx, s, info);
}

async function renameClear({ fs }: StepContext, s: StepFor['rename'], info: RenameInfo | undefined): Promise<void> {
  const from = await fs.lstat(s.from);
  if (from && differs(from, info?.movedId))
    throw driftError(`${s.from} is not what relocate was moving to ${s.to} (it is another folder or file, by its identity); relocate stops here`, s.from);
}

async function deleteClear({ fs }: StepContext, s: StepFor['delete']): Promise<void> {
  if ((await fs.lstat(s.path)) && (await fs.lstat(s.twin))) await verifyRemainder(fs, s);
}

async function copyClear({ fs }: StepContext, s: StepFor['copy']): Promise<void> {
  if (!(await fs.lstat(s.to))) return;
  if (!(await fs.lstat(s.from)))
    refuse('E_INCONSISTENT', `${s.from} is gone while its copy ${s.to} is incomplete`, s.to, 'do not delete anything; inspect both paths');
  await fs.deleteTree(s.to);
}

const nothingLeft = async (): Promise<void> => undefined;

const CLEAR: { [K in StepOp]: (cx: StepContext, s: StepFor[K], info: StepInfoFor[K] | undefined) => Promise<void> } = {
  rename: renameClear,
  delete: deleteClear,
  copy: copyClear,
  mkdirs: nothingLeft,
  verify: nothingLeft,
  link: nothingLeft,
  'check-link': nothingLeft,
  'check-in-use': nothingLeft,
  unlink: nothingLeft,
};

/**
 * Prepares an interrupted step to run again, after checking by identity
 * that what it touches is what relocate made or moved (E_DRIFT otherwise):
 * a partial copy (relocate's own staging) is discarded; what is left of
 * the original of an interrupted delete is verified against its twin, by
 * content, before any more of it is deleted (E_VERIFY, the rest kept).
 */
export async function clearPartial<K extends StepOp>(cx: StepContext, s: StepOfKind<K>, info?: StepInfoFor[K]): Promise<void> {
  if (!(await resumeIdentity(cx.fs, s, info))) return;
  const clear: (typeof CLEAR)[K] = CLEAR[s.op];
  await clear(cx, s, info);
}
