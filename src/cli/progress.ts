import type { ExecEvent } from '../exec/executor.js';
import type { Step } from '../exec/steps.js';
import type { PlannedEntry } from '../plan/types.js';
import { progressText, stepWords, undoWords } from '../render/progress.js';
import type { CliIO } from './io.js';

function words(s: Step): string {
  switch (s.op) {
    case 'mkdirs': return stepWords(s.op, s.path);
    case 'rename': case 'copy': return stepWords(s.op, s.from, s.to);
    case 'verify': return stepWords(s.op, s.original, s.copy);
    case 'link': case 'check-link': return stepWords(s.op, s.path, s.target);
    case 'unlink': case 'delete': case 'check-in-use': return stepWords(s.op, s.path);
  }
}

function undoText(s: Step): string {
  switch (s.op) {
    case 'mkdirs': return undoWords(s.op, s.path);
    case 'rename': case 'copy': return undoWords(s.op, s.from, s.to);
    case 'verify': return undoWords(s.op, s.original, s.copy);
    case 'link': case 'check-link': return undoWords(s.op, s.path, s.target);
    case 'unlink': return undoWords(s.op, s.path);
    case 'delete': return undoWords(s.op, s.path, s.twin);
    case 'check-in-use': return undoWords(s.op, s.path);
  }
}

/** The progress shown while a run works: an event sink and a `finish` to await. */
export interface ProgressView {
  onEvent(e: ExecEvent): void;
  finish(ok: boolean): Promise<void>;
}

/**
 * Progress on stderr: listr2 tasks (one per entry) in a terminal, plain
 * lines otherwise; nothing at all with --json (stdout stays one document).
 * listr2 is loaded only for a terminal: it is a third of the CLI's start-up.
 */
export async function progressView(io: CliIO, entries: PlannedEntry[], title: (p: PlannedEntry) => string): Promise<ProgressView> {
  if (io.json) return { onEvent: () => undefined, finish: async () => undefined };
  return io.stderrIsTTY && !io.env.CI ? listrView(await import('listr2'), io, entries, title) : plainView(io, entries, title);
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
        if (i !== undefined) io.err(`[${i + 1}/${entries.length}] ${title(entries[i]!)}`);
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
        return waits[i]!.promise;
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
        for (let k = 0; k < waits.length; k++) waits[k]!.reject(new Error('rolled back'));
      }
      if (plain) return plain.onEvent(e);
      const i = indexOf(e.rs.entry);
      if (i < 0) return;
      if (i !== current) {
        for (let k = Math.max(current, 0); k < i; k++) waits[k]!.resolve();
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
        if (ok || k !== current) waits[k]!.resolve();
        else waits[k]!.reject(new Error('failed'));
      }
      await running;
    },
  };
}
