import type { JournalLine, RunRecord } from '../journal/types.js';
import type { RunStore } from '../journal/runs.js';
import type { FsPort } from './fs-port.js';
import { beginInfo, clearPartial, doStep, stepTookEffect, undoStep, type StepInfo } from './step-ops.js';
import type { RunStep } from './steps.js';

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
}

/** Where a run stands according to its journal. */
export interface JournalState {
  done: Set<number>;
  /** Steps begun, with what they found when they began (the last begin wins). */
  begun: Map<number, StepInfo | undefined>;
  undone: Set<number>;
}

export function journalState(lines: JournalLine[]): JournalState {
  const s: JournalState = { done: new Set(), begun: new Map(), undone: new Set() };
  for (const l of lines) {
    if (l.t === 'begin') s.begun.set(l.n, l.info);
    else if (l.t === 'done') s.done.add(l.n);
    else if (l.t === 'undo-done') s.undone.add(l.n);
  }
  return s;
}

function stamp(): string {
  return new Date().toISOString();
}

/** Bytes a step will copy or hash, for progress: the plan's figure for the entry. */
function bytesFor(ctx: ExecContext, rs: RunStep): number {
  const p = ctx.record.plan.entries[rs.entry];
  return p?.move?.bytes ?? 0;
}

/**
 * Runs the steps not yet done, in order. Each is journaled (fsync'd) before
 * it touches the disk and marked done after. A step that a crash left begun
 * is first checked: if it took effect it is marked done, otherwise its
 * partial work (a staging copy) is discarded and it runs again.
 */
export async function runForward(ctx: ExecContext): Promise<void> {
  const st = journalState(await ctx.store.readJournal());
  for (const rs of ctx.record.steps) {
    if (st.done.has(rs.n)) continue;
    let info: StepInfo | undefined;
    if (st.begun.has(rs.n)) {
      info = st.begun.get(rs.n);
      if (await stepTookEffect(ctx.fs, rs.step, info)) {
        ctx.store.append({ t: 'done', n: rs.n, at: stamp() });
        continue;
      }
      await clearPartial(ctx.fs, rs.step);
    } else {
      info = await beginInfo(ctx.fs, rs.step);
    }
    ctx.onEvent?.({ type: 'step', rs, phase: 'start' });
    ctx.store.append({ t: 'begin', n: rs.n, at: stamp(), ...(info ? { info } : {}) });
    const total = bytesFor(ctx, rs);
    await doStep(ctx.fs, rs.step, info, (bytesDone) => ctx.onEvent?.({ type: 'progress', rs, bytesDone, bytesTotal: total }));
    ctx.store.append({ t: 'done', n: rs.n, at: stamp() });
    ctx.onEvent?.({ type: 'step', rs, phase: 'done' });
  }
}

/**
 * Undoes every step of the run that began, newest first, each undo itself
 * journaled, so an interrupted rollback continues where it stopped. Returns
 * the steps skipped under `force` with the reason.
 */
export async function runUndo(ctx: ExecContext, force: boolean): Promise<{ n: number; reason: string }[]> {
  const st = journalState(await ctx.store.readJournal());
  const skipped: { n: number; reason: string }[] = [];
  for (const rs of ctx.record.steps.slice().reverse()) {
    if (st.undone.has(rs.n)) continue;
    const completed = st.done.has(rs.n);
    if (!completed && !st.begun.has(rs.n)) continue;
    ctx.onEvent?.({ type: 'undo', rs, phase: 'start' });
    ctx.store.append({ t: 'undo-begin', n: rs.n, at: stamp() });
    const why = await undoStep(ctx.fs, rs.step, st.begun.get(rs.n), completed, force);
    ctx.store.append({ t: 'undo-done', n: rs.n, at: stamp(), ...(why ? { info: { skipped: why } } : {}) });
    if (why) skipped.push({ n: rs.n, reason: why });
    ctx.onEvent?.({ type: 'undo', rs, phase: 'done', ...(why ? { skipped: why } : {}) });
  }
  return skipped;
}
