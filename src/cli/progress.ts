import { RelocateError } from '../core/errors.js';
import type { ExecEvent } from '../exec/executor.js';
import type { Step } from '../exec/steps.js';
import type { PlannedEntry } from '../plan/types.js';
import { hasMove } from '../plan/actions.js';
import { progressRate, progressText, stepWords, undoWords } from '../render/progress.js';
import type { CliIO } from './io.js';
import { assertNever } from '../core/never.js';

/** The paths a step's words name, in the order stepWords and undoWords take them (a delete's twin: only the undo names it). */
function stepPaths(s: Step): [string, string?] {
  switch (s.op) {
    case 'mkdirs':
    case 'unlink':
    case 'check-in-use':
      return [s.path];
    case 'rename':
    case 'copy':
      return [s.from, s.to];
    case 'verify':
      return [s.original, s.copy];
    case 'link':
    case 'check-link':
      return [s.path, s.target];
    case 'delete':
      return [s.path, s.twin];
    default:
      return assertNever(s, 'step');
  }
}

function words(s: Step): string {
  return stepWords(s.op, ...stepPaths(s));
}

function undoText(s: Step): string {
  return undoWords(s.op, ...stepPaths(s));
}

/** The progress shown while a run works: an event sink and a `finish` to await (with the run's error, when it failed). */
export interface ProgressView {
  onEvent(e: ExecEvent): void;
  finish(ok: boolean, error?: RelocateError): Promise<void>;
}

/** The values of `--progress` (apply, rollback, resume): `json` writes one JSON object per line on stderr. */
export const PROGRESS_FORMATS = ['json'] as const;
export type ProgressFormat = (typeof PROGRESS_FORMATS)[number];

/** The `--progress` option as parsed: undefined (the default view) or a known format; anything else is E_USAGE. */
export function progressFormat(value: unknown, command: string): ProgressFormat | undefined {
  if (value === undefined) return undefined;
  if (value === 'json') return 'json';
  throw new RelocateError('E_USAGE', `--progress must be json, not '${String(value)}'`, {
    hint: `\`relocate ${command} --progress json\` writes one JSON object per line on stderr for each step; see \`relocate ${command} --help\``,
  });
}

/**
 * Progress on stderr: listr2 tasks (one per entry) in a terminal, plain
 * lines otherwise; nothing at all with --json (stdout stays one document)
 * unless `--progress json` asks for JSON lines (jsonView), which go to
 * stderr so stdout still holds exactly one document.
 * listr2 is loaded only for a terminal: it is a third of the CLI's start-up.
 */
export async function progressView(
  io: CliIO,
  entries: PlannedEntry[],
  title: (p: PlannedEntry) => string,
  how: { format?: ProgressFormat; command?: 'apply' | 'rollback' | 'resume' } = {},
): Promise<ProgressView> {
  if (how.format === 'json') return jsonView(io, entries, title, how.command ?? 'apply');
  if (io.json) return { onEvent: () => undefined, finish: async () => undefined };
  return io.stderrIsTTY && !io.env.CI ? listrView(await import('listr2'), io, entries, title) : plainView(io, entries, title);
}

/**
 * One line of `--progress json` (stderr, one JSON object per line, each
 * with `"progress": 1` so a reader can tell them from any other stderr
 * line). The contract `relocate gui` reads (src/gui/server/jobs.ts):
 * - `start` once, first: the command, how many entries change, and the
 *   bytes the plan counted to move (0 when not counted);
 * - `entry` when an entry's steps begin (index from 1, of `of`);
 * - `step` when a step begins, in words (`undo: true` while undoing);
 * - `progress` during a copy or verify, at most about 4 a second per step:
 *   bytes of that step, with rate and time left once a second has passed;
 * - `in-use` when the run stopped because a program holds a file, naming it;
 * - `end` once, last: whether the run finished as asked.
 */
export type ProgressLine =
  | { progress: 1; event: 'start'; command: 'apply' | 'rollback' | 'resume'; entries: number; bytesTotal: number }
  | { progress: 1; event: 'entry'; index: number; of: number; link: string; target: string; action: string; title: string }
  | { progress: 1; event: 'step'; op: string; text: string; undo: boolean; skipped?: string }
  | { progress: 1; event: 'progress'; op: string; bytesDone: number; bytesTotal: number; rateBytesPerSecond?: number; secondsLeft?: number; text: string }
  | { progress: 1; event: 'in-use'; path: string | null; programs: string[]; message: string }
  | { progress: 1; event: 'end'; ok: boolean; code?: string };

/** Progress events at most this often per step: enough for a bar, few enough for a pipe. */
const JSON_PROGRESS_EVERY_MS = 250;

function jsonView(io: CliIO, entries: PlannedEntry[], title: (p: PlannedEntry) => string, command: 'apply' | 'rollback' | 'resume'): ProgressView {
  const emit = (line: ProgressLine) => io.err(JSON.stringify(line));
  const byOrder = new Map(entries.map((p, i) => [p.order, i]));
  const bytesTotal = entries.reduce((n, p) => n + (hasMove(p) && p.move.measured !== false ? p.move.bytes : 0), 0);
  emit({ progress: 1, event: 'start', command, entries: entries.length, bytesTotal });
  let current = -1;
  let started = Date.now();
  let lastEmit = 0;
  return {
    onEvent(e) {
      if (e.rs.entry !== current) {
        current = e.rs.entry;
        const i = byOrder.get(current);
        if (i !== undefined) {
          const p = entries[i];
          emit({ progress: 1, event: 'entry', index: i + 1, of: entries.length, link: p.link, target: p.target, action: p.action, title: title(p) });
        }
      }
      if (e.type === 'step' && e.phase === 'start') {
        started = Date.now();
        lastEmit = 0;
        emit({ progress: 1, event: 'step', op: e.rs.step.op, text: words(e.rs.step), undo: false });
      } else if (e.type === 'undo' && e.phase === 'start') {
        emit({ progress: 1, event: 'step', op: e.rs.step.op, text: undoText(e.rs.step), undo: true });
      } else if (e.type === 'undo' && e.skipped) {
        emit({ progress: 1, event: 'step', op: e.rs.step.op, text: `skipped: ${e.skipped}`, undo: true, skipped: e.skipped });
      } else if (e.type === 'progress') {
        const now = Date.now();
        if (now - lastEmit < JSON_PROGRESS_EVERY_MS && e.bytesDone < e.bytesTotal) return;
        lastEmit = now;
        const elapsed = now - started;
        const rate = progressRate(e.bytesDone, e.bytesTotal, elapsed);
        emit({
          progress: 1,
          event: 'progress',
          op: e.rs.step.op,
          bytesDone: e.bytesDone,
          bytesTotal: e.bytesTotal,
          ...(rate ? { rateBytesPerSecond: Math.round(rate.bytesPerSecond), secondsLeft: Math.round(rate.secondsLeft) } : {}),
          text: `${e.rs.step.op === 'verify' ? 'verified' : 'copied'} ${progressText(e.bytesDone, e.bytesTotal, elapsed)}`,
        });
      }
    },
    async finish(ok, error) {
      if (error?.code === 'E_IN_USE') emit({ progress: 1, event: 'in-use', path: error.path ?? null, programs: error.programs ?? [], message: error.message });
      emit({ progress: 1, event: 'end', ok, ...(error ? { code: error.code } : {}) });
    },
  };
}

function plainView(io: CliIO, entries: PlannedEntry[], title: (p: PlannedEntry) => string): ProgressView {
  let current = -1;
  let started = 0;
  let lastPrint = 0;
  // Events name an entry by its plan order; `entries` holds only those that change something.
  const byOrder = new Map(entries.map((p, i) => [p.order, i]));
  return {
    onEvent(e) {
      const entry = e.rs.entry;
      if (entry !== current) {
        current = entry;
        const i = byOrder.get(entry);
        if (i !== undefined) io.err(`[${i + 1}/${entries.length}] ${title(entries[i])}`);
      }
      if (e.type === 'step' && e.phase === 'start') {
        started = lastPrint = Date.now();
        if (io.verbose) io.err(`  ${words(e.rs.step)}`);
      } else if (e.type === 'undo' && e.phase === 'start' && e.rs.step.op !== 'verify' && e.rs.step.op !== 'check-link' && e.rs.step.op !== 'check-in-use') {
        io.err(`  undo: ${undoText(e.rs.step)}`);
      } else if (e.type === 'undo' && e.skipped) {
        io.err(`  skipped: ${e.skipped}`);
      } else if (e.type === 'progress' && Date.now() - lastPrint > 1000) {
        lastPrint = Date.now();
        io.err(`  ${e.rs.step.op === 'verify' ? 'verified' : 'copied'} ${progressText(e.bytesDone, e.bytesTotal, Date.now() - started)}`);
      }
    },
    finish: async () => undefined,
  };
}

type Listr2 = typeof import('listr2');

function stderrLogger({ ListrLogger, ProcessOutput }: Listr2): InstanceType<Listr2['ListrLogger']> {
  return new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) });
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * listr2 shows the forward run, one task per entry in order. Undo events
 * (an automatic rollback, or `relocate rollback`) run backwards, which a
 * sequential task list cannot show: the list is closed and plain lines
 * take over.
 */
function listrView(listr2: Listr2, io: CliIO, entries: PlannedEntry[], title: (p: PlannedEntry) => string): ProgressView {
  let plain: ProgressView | undefined;
  const waits = entries.map(() => deferred());
  const outputs: ((text: string) => void)[] = [];
  const list = new listr2.Listr(
    entries.map((p, i) => ({
      title: title(p),
      task: (_ctx: unknown, task: { output: string }) => {
        outputs[i] = (text) => {
          task.output = text;
        };
        return waits[i].promise;
      },
    })),
    {
      concurrent: false,
      exitOnError: true,
      // listr2's own Ctrl-C handler would exit(127) mid-step; src/cli/interrupts.ts stops the run at a safe point instead.
      registerSignalListeners: false,
      // Progress belongs on stderr: stdout carries the plan and the result (and --json documents).
      rendererOptions: { collapseSubtasks: false, formatOutput: 'truncate', logger: stderrLogger(listr2) },
      fallbackRenderer: 'simple',
      fallbackRendererOptions: { logger: stderrLogger(listr2) },
    },
  );
  const running = list.run().catch(() => undefined);
  let current = -1;
  let started = 0;
  const byOrder = new Map(entries.map((p, i) => [p.order, i]));
  const indexOf = (order: number) => byOrder.get(order) ?? -1;
  return {
    onEvent(e) {
      if (e.type === 'undo' && !plain) {
        plain = plainView(io, entries, title);
        for (let k = 0; k < waits.length; k++) waits[k].reject(new Error('rolled back'));
      }
      if (plain) return plain.onEvent(e);
      const i = indexOf(e.rs.entry);
      if (i < 0) return;
      if (i !== current) {
        for (let k = Math.max(current, 0); k < i; k++) waits[k].resolve();
        current = i;
      }
      if (e.type === 'step' && e.phase === 'start') {
        started = Date.now();
        outputs[i]?.(words(e.rs.step));
      } else if (e.type === 'progress') {
        outputs[i]?.(`${e.rs.step.op === 'verify' ? 'verifying' : 'copying'} ${progressText(e.bytesDone, e.bytesTotal, Date.now() - started)}`);
      }
    },
    async finish(ok) {
      if (plain) {
        await running;
        return;
      }
      for (let k = 0; k < waits.length; k++) {
        if (ok || k !== current) waits[k].resolve();
        else waits[k].reject(new Error('failed'));
      }
      await running;
    },
  };
}
