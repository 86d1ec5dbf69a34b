import type { RelocateError } from '../core/errors.js';
import { styleForOs } from '../core/paths.js';
import type { JournalLine, RunRecord } from '../journal/types.js';
import { moveOf } from '../plan/actions.js';
import { damaged, type RunStore } from '../journal/runs.js';
import { decodeStepInfo } from '../journal/step-info-decode.js';
import { beginInfo, madeInfo } from './begin-info.js';
import { doStep } from './do-step.js';
import type { FsPort } from './fs-port.js';
import { differs, driftError, type Identity } from './identity.js';
import { clearPartial, stepTookEffect } from './resume-step.js';
import type { StepContext } from './step-context.js';
import { joinMade, type StepInfo } from './step-info.js';
import type { RunStep, Step } from './steps.js';
import { undoStep } from './undo-step.js';
import { stopIfAsked, type StopRequest } from './stop-request.js';

/** What the executor tells the CLI as it goes (listr2 turns these into progress). */
export type ExecEvent =
  | { type: 'step'; rs: RunStep; phase: 'start' | 'done' }
  | { type: 'undo'; rs: RunStep; phase: 'start' | 'done'; skipped?: string }
  | { type: 'progress'; rs: RunStep; bytesDone: number; bytesTotal: number };

export interface ExecContext {
  fs: FsPort;
  store: RunStore;
  record: RunRecord;
  onEvent?: (e: ExecEvent) => void;
  /** Set by a signal: the run stops at the next safe point (between steps). */
  stop?: StopRequest;
}

/** Where a run stands according to its journal. */
export interface JournalState {
  done: Set<number>;
  /** Steps begun, with what they found when they began (the last begin wins) and the identities of what they made. */
  begun: Map<number, StepInfo | undefined>;
  undone: Set<number>;
}

/**
 * Where a run stands, from its journal lines and its steps: each begun
 * step's info is decoded by that step's kind (decodeStepInfo). Throws
 * DecodeError for an info its step never writes (a damaged journal).
 */
export function journalState(lines: readonly JournalLine[], steps: readonly RunStep[]): JournalState {
  const s: JournalState = { done: new Set(), begun: new Map(), undone: new Set() };
  const raw = new Map<number, Record<string, unknown> | undefined>();
  for (const l of lines) {
    if (l.t === 'begin') raw.set(l.n, l.info);
    else if (l.t === 'done') s.done.add(l.n);
    else if (l.t === 'undo-done') s.undone.add(l.n);
    // What a step made is known only after its begin: it joins that begin's info (a begin again starts afresh).
    if ((l.t === 'made' || l.t === 'done') && l.info) raw.set(l.n, { ...raw.get(l.n), ...l.info });
  }
  for (const [n, info] of raw) {
    const rs = steps[n];
    // A line of a step the record does not have is read by nothing (the steps are what runs and undoes).
    s.begun.set(n, rs ? decodeStepInfo(rs.step, info, `step ${n}'s info`) : undefined);
  }
  return s;
}

/** The run's journal state; a damaged step info refuses the run (E_RUN_FORMAT), as a damaged line does. */
async function readState(ctx: ExecContext): Promise<JournalState> {
  const lines = await ctx.store.readJournal();
  try {
    return journalState(lines, ctx.record.steps);
  } catch (err) {
    throw damaged(ctx.store.stateDir, ctx.store.id, 'its journal (journal.jsonl)', err);
  }
}

/** The steps' context: the run's port, and the path style of the plan it runs (not the host's). */
function stepContext(ctx: ExecContext): StepContext {
  return { fs: ctx.fs, style: styleForOs(ctx.record.plan.os) };
}

/**
 * The identity the run left at `p` before step `rs`, by the last earlier
 * step of the same entry that put something there: a copy (its root) or a
 * rename (what it moved). Undefined when no step of the entry put `p`
 * there, or the journal does not say what (a run recorded before identities).
 */
function leftByRun(steps: RunStep[], infos: Map<number, StepInfo | undefined>, rs: RunStep, p: string): Identity | null | undefined {
  for (let k = rs.n - 1; k >= 0; k--) {
    const earlier = steps[k];
    if (earlier.entry !== rs.entry) break;
    const s = earlier.step;
    if ((s.op === 'copy' || s.op === 'rename') && s.to === p) return identityLeftAt(s.op, infos.get(earlier.n));
  }
  return undefined;
}

/**
 * What a copy (its root, `madeId`) or a rename (what it moved, `movedId`)
 * left at its `to`, from that step's info (decoded by its kind): the two
 * kinds that put something at a path a later step of the entry takes on.
 */
function identityLeftAt(op: 'copy' | 'rename', info: StepInfo | undefined): Identity | null | undefined {
  if (info === undefined) return undefined;
  if (op === 'copy') return 'madeId' in info ? info.madeId : undefined;
  return 'movedId' in info ? info.movedId : undefined;
}

/**
 * Before a rename or delete of something an earlier step of the run put in
 * place (the staging copy renamed to the target, the original set aside
 * and then deleted): it must be that very thing, by identity. A crash and
 * a resume can lie between the two, and anything may have been put at
 * relocate's names meanwhile; E_DRIFT then, nothing touched.
 */
async function checkLeftByRun(ctx: ExecContext, infos: Map<number, StepInfo | undefined>, rs: RunStep): Promise<void> {
  const s = rs.step;
  const p = s.op === 'rename' ? s.from : s.op === 'delete' ? s.path : undefined;
  if (p === undefined) return;
  const want = leftByRun(ctx.record.steps, infos, rs, p);
  const n = want === undefined ? null : await ctx.fs.lstat(p);
  if (n && differs(n, want))
    throw driftError(
      `${p} is not what relocate put there earlier in this run (it is another folder or file, by its identity), so relocate does not ${s.op === 'rename' ? 'move' : 'delete'} it`,
      p,
    );
}

function stamp(): string {
  return new Date().toISOString();
}

/** Bytes a step will copy or hash, for progress: the plan's figure for the entry. */
function bytesFor(ctx: ExecContext, rs: RunStep): number {
  const p = ctx.record.plan.entries[rs.entry];
  return (p && moveOf(p)?.bytes) ?? 0;
}

/**
 * Steps that cannot lose data: mkdirs creates folders where none are,
 * link creates a link where nothing is (it never replaces), check-link
 * only reads. A crash before one of them reaches the disk leaves the disk
 * as it was before the step, and each is checked or redone on resume.
 */
const CANNOT_LOSE_DATA: ReadonlySet<Step['op']> = new Set(['mkdirs', 'link', 'check-link']);

/**
 * Runs the steps not yet done, in order. A step that a crash left begun is
 * first checked: if it took effect it is marked done, otherwise its partial
 * work (a staging copy) is discarded and it runs again.
 *
 * Durability, and what each fsync buys:
 * - Every step that can lose data (rename, copy, verify, unlink, delete) has
 *   its own `begin` line fsync'd before it touches the disk, as before: the
 *   journal always says where the data is.
 * - A run of consecutive steps that cannot lose data (CANNOT_LOSE_DATA: a
 *   thousand links of a dotfiles manifest) is journaled as a batch: all
 *   their `begin` lines, with what undoing each needs, are written and
 *   fsync'd once before the first of them runs. So the journal still names
 *   every link that may exist on disk before it is made, and rollback and
 *   resume find them all (undoing a link or folder that was never made is
 *   a no-op). Begin info is gathered up front: a folder two steps create
 *   is listed by both, and undo removes a folder only once it is empty.
 * - The folder syncs of those steps (one per link) are deferred to the
 *   batch's end, one per folder (FsPort.syncBatch), and the batch's `done`
 *   lines are written only after them: a `done` on disk implies its link
 *   on disk.
 * - `done` lines are not fsync'd by themselves: the next `begin` fsync (or
 *   the flush before the run is recorded finished) carries them. A `done`
 *   lost to a power cut only makes resume check that step again
 *   (stepTookEffect), which every step supports.
 * A delete is never batched: it is journaled and fsync'd alone, after the
 * verify that allows it.
 */
export async function runForward(ctx: ExecContext): Promise<void> {
  const st = await readState(ctx);
  const cx = stepContext(ctx);
  const steps = ctx.record.steps;
  // What each step began on and made, as the run goes (for checkLeftByRun).
  const infos = st.begun;
  const fresh = (rs: RunStep) => !st.done.has(rs.n) && !st.begun.has(rs.n);
  for (let i = 0; i < steps.length;) {
    const rs = steps[i];
    stopIfAsked(ctx.stop);
    if (fresh(rs) && CANNOT_LOSE_DATA.has(rs.step.op)) {
      let j = i + 1;
      while (j < steps.length && fresh(steps[j]) && CANNOT_LOSE_DATA.has(steps[j].step.op)) j++;
      await runBatch(ctx, steps.slice(i, j));
      i = j;
      continue;
    }
    i++;
    if (st.done.has(rs.n)) continue;
    let info: StepInfo | undefined;
    if (st.begun.has(rs.n)) {
      info = st.begun.get(rs.n);
      if (await stepTookEffect(cx, rs.step, info)) {
        ctx.store.append({ t: 'done', n: rs.n, at: stamp() }, false);
        continue;
      }
      await clearPartial(cx, rs.step, info);
      // Begun again afresh: what the earlier attempt made is gone (cleared above).
      if (rs.step.op === 'copy') info = await beginInfo(cx, rs.step);
    } else {
      await checkLeftByRun(ctx, infos, rs);
      info = await beginInfo(cx, rs.step);
    }
    infos.set(rs.n, info);
    ctx.onEvent?.({ type: 'step', rs, phase: 'start' });
    ctx.store.append({ t: 'begin', n: rs.n, at: stamp(), ...(info ? { info } : {}) });
    const total = bytesFor(ctx, rs);
    const onMade = (made: StepInfo) => {
      // fsync'd: the copy's root is relocate's on disk only once the journal says so.
      ctx.store.append({ t: 'made', n: rs.n, at: stamp(), info: made });
      infos.set(rs.n, joinMade(infos.get(rs.n), made));
    };
    await doStep(cx, rs.step, info, (bytesDone) => ctx.onEvent?.({ type: 'progress', rs, bytesDone, bytesTotal: total }), onMade);
    ctx.store.append({ t: 'done', n: rs.n, at: stamp() }, false);
    ctx.onEvent?.({ type: 'step', rs, phase: 'done' });
  }
  // The run is about to be recorded finished: its last `done` lines go to disk first.
  ctx.store.flush();
}

/** Runs steps that cannot lose data under one journal fsync and one sync per folder (see runForward). */
async function runBatch(ctx: ExecContext, batch: RunStep[]): Promise<void> {
  const cx = stepContext(ctx);
  const infos: (StepInfo | undefined)[] = [];
  for (const rs of batch) infos.push(await beginInfo(cx, rs.step));
  ctx.store.appendAll(batch.map((rs, k) => ({ t: 'begin', n: rs.n, at: stamp(), ...(infos[k] ? { info: infos[k] } : {}) })));
  const done: { rs: RunStep; made: StepInfo | undefined }[] = [];
  const run = async () => {
    for (const [k, rs] of batch.entries()) {
      ctx.onEvent?.({ type: 'step', rs, phase: 'start' });
      await doStep(cx, rs.step, infos[k]);
      done.push({ rs, made: await madeInfo(cx, rs.step, infos[k]) });
      ctx.onEvent?.({ type: 'step', rs, phase: 'done' });
    }
  };
  try {
    await (ctx.fs.syncBatch ? ctx.fs.syncBatch(run) : run());
  } finally {
    // After the folder syncs (syncBatch returns only once they are done), also when a step failed.
    ctx.store.appendAll(
      done.map(({ rs, made }) => ({ t: 'done', n: rs.n, at: stamp(), ...(made ? { info: made } : {}) })),
      false,
    );
  }
}

/**
 * A rename's journal info, plus (`restoredAt`) the identity of relocate's
 * own copy that the undo of a later delete of the same entry put back at
 * the rename's destination: undoing that delete restores the set-aside
 * original as a new folder, which the rename's undo then moves back.
 */
function withRestored(steps: RunStep[], st: JournalState, rs: RunStep): StepInfo | undefined {
  const info = st.begun.get(rs.n);
  const s = rs.step;
  if (s.op !== 'rename') return info;
  for (let k = rs.n + 1; k < steps.length && steps[k].entry === rs.entry; k++) {
    const later = steps[k].step;
    if (later.op !== 'delete' || later.path !== s.to) continue;
    const laterInfo = st.begun.get(k);
    const id = laterInfo !== undefined && 'restoredId' in laterInfo ? laterInfo.restoredId : undefined;
    if (id !== undefined) return joinMade(info, { restoredAt: id });
  }
  return info;
}

/**
 * Undoes every step of the run that began, newest first, each undo itself
 * journaled, so an interrupted rollback continues where it stopped. Returns
 * the steps skipped under `force` with the reason. With `honourStop` (a
 * rollback the user asked for) a stop request ends it between two undos,
 * leaving it to be continued by `relocate rollback`.
 */
export async function runUndo(ctx: ExecContext, force: boolean, honourStop = false): Promise<{ n: number; reason: string }[]> {
  const st = await readState(ctx);
  const cx = stepContext(ctx);
  const skipped: { n: number; reason: string }[] = [];
  for (const rs of ctx.record.steps.slice().reverse()) {
    // An asked-for rollback stops between undos when interrupted; the rollback that follows an interrupt does not.
    if (honourStop) stopIfAsked(ctx.stop);
    if (st.undone.has(rs.n)) continue;
    const completed = st.done.has(rs.n);
    if (!completed && !st.begun.has(rs.n)) continue;
    ctx.onEvent?.({ type: 'undo', rs, phase: 'start' });
    ctx.store.append({ t: 'undo-begin', n: rs.n, at: stamp() });
    const onMade = (made: StepInfo) => {
      // fsync'd before anything is written into what was made (see undoStep's delete).
      ctx.store.append({ t: 'made', n: rs.n, at: stamp(), info: made });
      st.begun.set(rs.n, joinMade(st.begun.get(rs.n), made));
    };
    let why: string | undefined;
    try {
      why = await undoStep(cx, rs.step, withRestored(ctx.record.steps, st, rs), completed, force, onMade);
    } catch (err) {
      // An undo the guard refused would have touched a path the plan does not name (a step forged by a bug):
      // it is skipped and reported, and the rest of the run is still undone rather than left stuck.
      if ((err as RelocateError)?.code !== 'E_GUARD') throw err;
      why = `refused by the guard: ${(err as RelocateError).message}`;
    }
    // Not fsync'd by itself (the next undo-begin or the flush below carries it): undoing a step twice is harmless.
    ctx.store.append({ t: 'undo-done', n: rs.n, at: stamp(), ...(why ? { info: { skipped: why } } : {}) }, false);
    if (why) skipped.push({ n: rs.n, reason: why });
    ctx.onEvent?.({ type: 'undo', rs, phase: 'done', ...(why ? { skipped: why } : {}) });
  }
  ctx.store.flush();
  return skipped;
}
