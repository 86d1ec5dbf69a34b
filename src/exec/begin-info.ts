import type { FsPort } from './fs-port.js';
import { identityAt, identityOf } from './identity.js';
import type { StepContext } from './step-context.js';
import type { CopyInfo, DeleteInfo, MkdirsInfo, RenameInfo, StepInfoFor, UnlinkInfo, WholeDeleteInfo } from './step-info.js';
import type { StepFor, StepOfKind, StepOp } from './steps.js';
import { namesHash } from './twin-check.js';

/*
 * The journal info of a step (src/exec/step-info.ts), gathered from the
 * disk. The objects are built field by field in the order the journal has
 * always written them: a run's journal stays byte for byte what it was.
 */

async function mkdirsBegin({ fs }: StepContext, s: StepFor['mkdirs']): Promise<MkdirsInfo> {
  return { created: await fs.missingDirs(s.path) };
}

async function renameBegin({ fs }: StepContext, s: StepFor['rename']): Promise<RenameInfo> {
  // An identity the file system cannot give (undefined) is left out.
  const movedId = await identityAt(fs, s.from);
  return movedId === undefined ? {} : { movedId };
}

async function copyBegin({ fs }: StepContext, s: StepFor['copy']): Promise<CopyInfo> {
  const fromId = await identityAt(fs, s.from);
  return fromId === undefined ? {} : { fromId };
}

async function unlinkBegin({ fs }: StepContext, s: StepFor['unlink']): Promise<UnlinkInfo> {
  const n = await fs.lstat(s.path);
  if (!n) return { gone: true };
  const dest = n.kind === 'symlink' || n.kind === 'junction' ? await fs.linkDestination(s.path) : null;
  const targetInfo = n.kind === 'file' ? await fs.lstat(s.target) : null;
  return {
    kind: n.kind === 'file' ? 'hardlink' : n.kind,
    linkText: n.linkText ?? null,
    dest,
    isDir: dest ? (await fs.lstat(dest))?.kind === 'dir' : false,
    sameFile: targetInfo ? targetInfo.dev === n.dev && targetInfo.ino === n.ino : false,
  };
}

async function deleteBegin({ fs }: StepContext, s: StepFor['delete']): Promise<DeleteInfo> {
  // A volume mounted inside since the verify: refused here, before the delete is journaled as begun.
  await fs.assertOneDevice?.(s.path);
  const n = await fs.lstat(s.path);
  const pathId = n ? identityOf(n) : null;
  const ids = pathId === undefined ? {} : { pathId };
  // The listing the verify just before walked (NodeFs reuses it): what "nothing deleted yet" means for the undo.
  if (!s.subset) {
    if (!n) return ids;
    // Outside names first: they read the verify's listing without taking it, snapshotNames takes it (NodeFs).
    const outside = await outsideInfo(fs, s.path);
    return { ...ids, namesHash: namesHash(await fs.snapshotNames(s.path)), ...outside };
  }
  // A file that is another name of its twin (a hard link) is put back as a hard link, not a copy.
  const t = await fs.lstat(s.twin);
  const linkOfTwin = n?.kind === 'file' && t !== null && n.dev === t.dev && n.ino === t.ino;
  return { ...ids, nodes: await fs.snapshot(s.path), ...(linkOfTwin ? { linkOfTwin: true as const } : {}) };
}

/**
 * Before a tree is deleted (the old copy of a move across volumes): for its
 * files that share data with names outside it (hard links from a pnpm
 * store, a backup), one outside name each, journaled in the delete's begin
 * line as `outside` (and `outsideMissing`, those not found), so a rollback
 * links the restored files to the same outside files again rather than
 * copying them (which would hold the data twice on the source). Nothing is
 * journaled for a tree without such files.
 */
async function outsideInfo(fs: FsPort, p: string): Promise<Pick<WholeDeleteInfo, 'outside' | 'outsideMissing'> | undefined> {
  const { found, missing } = await fs.outsideNames(p);
  if (found.length === 0 && missing === 0) return undefined;
  return { outside: found, ...(missing > 0 ? { outsideMissing: missing } : {}) };
}

const nothing = async (): Promise<undefined> => undefined;

const BEGIN: { [K in StepOp]: (cx: StepContext, s: StepFor[K]) => Promise<StepInfoFor[K] | undefined> } = {
  mkdirs: mkdirsBegin,
  rename: renameBegin,
  copy: copyBegin,
  unlink: unlinkBegin,
  delete: deleteBegin,
  verify: nothing,
  link: nothing,
  'check-link': nothing,
  'check-in-use': nothing,
};

/**
 * Gathers, before a step touches the disk, what undoing it will need: the
 * folders mkdirs will create, the kind and text of a link being removed,
 * the file list of a subset delete, and the identities (src/exec/identity.ts)
 * of what a rename moves (`movedId`, which the rename keeps), what a copy
 * copies (`fromId`) and what a delete deletes (`pathId`).
 */
export function beginInfo<K extends StepOp>(cx: StepContext, s: StepOfKind<K>): Promise<StepInfoFor[K] | undefined> {
  const begin: (typeof BEGIN)[K] = BEGIN[s.op];
  return begin(cx, s);
}

async function mkdirsMade({ fs }: StepContext, _s: StepFor['mkdirs'], info: MkdirsInfo | undefined): Promise<MkdirsInfo | undefined> {
  const created = info?.created ?? [];
  if (created.length === 0) return undefined;
  const madeIds: Record<string, string> = {};
  for (const d of created) {
    const id = await identityAt(fs, d);
    if (typeof id === 'string') madeIds[d] = id;
  }
  return { madeIds };
}

const MADE: { [K in StepOp]: (cx: StepContext, s: StepFor[K], info: StepInfoFor[K] | undefined) => Promise<StepInfoFor[K] | undefined> } = {
  mkdirs: mkdirsMade,
  rename: nothing,
  copy: nothing,
  unlink: nothing,
  delete: nothing,
  verify: nothing,
  link: nothing,
  'check-link': nothing,
  'check-in-use': nothing,
};

/**
 * What a step made, journaled in its `done` line, for undo and resume to
 * check by identity: the folders mkdirs created (`madeIds`). Undefined for
 * the other kinds (a copy's root is journaled by the executor the moment
 * it exists, as `madeId`, and so is what an undo puts back, `restoredId`).
 */
export function madeInfo<K extends StepOp>(cx: StepContext, s: StepOfKind<K>, info: StepInfoFor[K] | undefined): Promise<StepInfoFor[K] | undefined> {
  const made: (typeof MADE)[K] = MADE[s.op];
  return made(cx, s, info);
}
