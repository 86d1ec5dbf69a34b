import type { ServerResponse } from 'node:http';
import type { ApiError, JobEvent } from '../api-types.js';
import type { RunningChild } from '../../platform/self-command.js';
import { engineAnswer, type EngineAnswer } from './engine.js';
import { SECURITY_HEADERS } from './security.js';

/**
 * The GUI's long jobs (apply, rollback): one at a time, their progress
 * turned into JobEvents (api-types.ts) and sent to every page listening on
 * `GET /api/events` (server-sent events). The events come from the child's
 * `--progress json` lines (src/cli/progress.ts ProgressLine) and its final
 * JSON answer: the server adds nothing of its own but the job's id.
 */

/** Milliseconds between keep-alive comments on an idle event stream (proxies and browsers drop silent ones). */
const KEEP_ALIVE_MS = 15_000;
/** What the page waits before reconnecting a dropped stream. */
const RETRY_MS = 2_000;
/** Events of the running job kept for a page that connects late; a copy's progress lines beyond this are dropped. */
const REPLAY_LIMIT = 2_000;

/**
 * One `--progress json` line as a JobEvent, or undefined for a line that is
 * not one (any other stderr text). Pure.
 */
export function jobEventOf(line: string, jobId: string): JobEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (p.progress !== 1) return undefined;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (p.event) {
    case 'start':
      return { type: 'start', jobId, command: p.command === 'rollback' ? 'rollback' : 'apply', entries: num(p.entries), bytesTotal: num(p.bytesTotal) };
    case 'entry':
      return { type: 'entry', jobId, index: num(p.index), of: num(p.of), title: str(p.title) };
    case 'step':
      return { type: 'step', jobId, text: str(p.text) };
    case 'progress':
      return {
        type: 'progress',
        jobId,
        bytesDone: num(p.bytesDone),
        bytesTotal: num(p.bytesTotal),
        ...(typeof p.rateBytesPerSecond === 'number' ? { rateBytesPerSecond: p.rateBytesPerSecond } : {}),
        ...(typeof p.secondsLeft === 'number' ? { secondsLeft: p.secondsLeft } : {}),
        text: str(p.text),
      };
    case 'in-use':
      return {
        type: 'in-use',
        jobId,
        path: str(p.path),
        programs: Array.isArray(p.programs) ? p.programs.filter((x): x is string => typeof x === 'string') : [],
      };
    default:
      return undefined;
  }
}

/**
 * Why a failed run needs administrator rights, when it does: on Windows, a
 * symbolic link this account may not create (the plan's
 * E_SYMLINK_PRIVILEGE) or a path it may not change (E_ACCESS). The codes
 * are the engine's; elsewhere there is no elevated apply to offer.
 */
export function elevationReason(error: ApiError | undefined, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32' || !error) return undefined;
  if (error.code === 'E_SYMLINK_PRIVILEGE') return `${error.message} — an administrator may create symbolic links`;
  if (error.code === 'E_ACCESS') return `${error.message} — this account may not change it; an administrator may`;
  return undefined;
}

/** A job's outcome, for whoever started it (the route refreshes its files). */
export interface JobEnd {
  jobId: string;
  answer: EngineAnswer;
}

/** Why a job cannot start: another one runs. */
export class JobBusy extends Error {
  constructor(readonly running: string) {
    super(`job ${running} is still running; wait for it to finish (one apply or rollback at a time)`);
    this.name = 'JobBusy';
  }
}

/**
 * One job at a time, and the pages listening. Invariant: `running` is set
 * from start() until the child has exited and the `done` event was sent.
 */
export class Jobs {
  private running: { id: string; child: RunningChild; stoppable: boolean } | undefined;
  private readonly listeners = new Set<ServerResponse>();
  private replay: JobEvent[] = [];
  private next = 1;
  private readonly keepAlive: NodeJS.Timeout;

  constructor(
    private readonly platform: NodeJS.Platform = process.platform,
    keepAliveMs = KEEP_ALIVE_MS,
  ) {
    this.keepAlive = setInterval(() => {
      for (const res of this.listeners) res.write(': keep-alive\n\n');
    }, keepAliveMs);
    this.keepAlive.unref();
  }

  /** The running job's id, if any. */
  get busy(): string | undefined {
    return this.running?.id;
  }

  /**
   * Starts a job: `launch` starts the child with a stderr-line callback.
   * Throws JobBusy while another job runs. `onEnd` runs after the child
   * exited and before `done` is sent.
   */
  start(
    command: 'apply' | 'rollback',
    launch: (onLine: (line: string) => void) => RunningChild,
    onEnd?: (end: JobEnd) => Promise<void> | void,
    opts: { stoppable?: boolean } = {},
  ): string {
    if (this.running) throw new JobBusy(this.running.id);
    const jobId = `job-${this.next++}`;
    this.replay = [];
    let sawStart = false;
    let sawInUse = false;
    const child = launch((line) => {
      const e = jobEventOf(line, jobId);
      if (!e) return;
      if (e.type === 'start') sawStart = true;
      if (e.type === 'in-use') sawInUse = true;
      this.send(e);
    });
    this.running = { id: jobId, child, stoppable: opts.stoppable ?? true };
    void child.done.then(async (result) => {
      const answer = engineAnswer(result);
      // A run refused before it began (a blocked or stale plan) writes no progress: the page still gets start and done.
      if (!sawStart) this.send({ type: 'start', jobId, command, entries: 0, bytesTotal: 0 });
      if (answer.error?.code === 'E_IN_USE' && !sawInUse) this.send({ type: 'in-use', jobId, path: answer.error.path ?? '', programs: [] });
      const why = elevationReason(answer.error, this.platform);
      if (why) this.send({ type: 'needs-elevation', jobId, reason: why });
      try {
        await onEnd?.({ jobId, answer });
      } finally {
        const runId = typeof answer.json?.run === 'string' ? answer.json.run : undefined;
        this.running = undefined;
        this.send({
          type: 'done',
          jobId,
          ok: answer.code === 0 && !answer.error,
          ...(runId ? { runId } : {}),
          result: answer.json ?? null,
          ...(answer.error ? { error: answer.error } : {}),
        });
        this.replay = [];
      }
    });
    return jobId;
  }

  /** Sends an event to every listening page (and keeps it for late ones while its job runs). */
  send(e: JobEvent): void {
    if (this.replay.length < REPLAY_LIMIT || e.type !== 'progress') this.replay.push(e);
    const text = `data: ${JSON.stringify(e)}\n\n`;
    for (const res of this.listeners) res.write(text);
  }

  /**
   * `GET /api/events`: an event stream. A page that connects while a job
   * runs first gets that job's events so far, from its `start`.
   */
  listen(res: ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.write(`retry: ${RETRY_MS}\n\n`);
    for (const e of this.replay) res.write(`data: ${JSON.stringify(e)}\n\n`);
    this.listeners.add(res);
    res.on('close', () => this.listeners.delete(res));
  }

  /**
   * Asks the running job `jobId` to stop at the next safe point (apply then
   * rolls back what it did; a rollback stops where it is, resumable), as
   * Ctrl-C does in a terminal; a second ask stops it at once, leaving the
   * run unfinished. Not for a job started unstoppable (an elevated apply:
   * it runs in an administrator window of its own, where Ctrl-C stops it).
   */
  stop(jobId: string): 'stopping' | 'not-running' | 'not-stoppable' {
    if (this.running?.id !== jobId) return 'not-running';
    if (!this.running.stoppable) return 'not-stoppable';
    this.running.child.stop();
    this.send({ type: 'stopping', jobId });
    return 'stopping';
  }

  /** Stops the running job (the run stops at a safe point and rolls back) and ends every stream. */
  async close(): Promise<void> {
    clearInterval(this.keepAlive);
    const running = this.running;
    running?.child.stop();
    for (const res of this.listeners) res.end();
    this.listeners.clear();
    if (running) await running.child.done;
  }
}
