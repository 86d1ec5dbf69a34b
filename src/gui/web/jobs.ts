// What the page knows of one apply or rollback, folded from its JobEvents
// (pure: the job panel draws a JobState, the event stream feeds jobStep).
import type { ApiError, JobEvent } from '../api-types.js';

export interface JobState {
  jobId: string;
  command: 'apply' | 'rollback';
  /** The plan an apply runs (so a step that needs administrator rights can be offered again, elevated). */
  planId?: string;
  entries: number;
  bytesTotal: number;
  bytesDone: number;
  rateBytesPerSecond?: number;
  secondsLeft?: number;
  /** The engine's own progress line. */
  text?: string;
  entry?: { index: number; of: number; title: string };
  /** The steps so far, oldest first (the last few are shown). */
  steps: string[];
  inUse: { path: string; programs: string[] }[];
  elevation?: string;
  /** A stop was asked: the run stops at the next safe point. */
  stopping?: boolean;
  done?: { ok: boolean; runId?: string; error?: ApiError };
}

export function newJob(jobId: string, command: JobState['command'], planId?: string): JobState {
  return { jobId, command, planId, entries: 0, bytesTotal: 0, bytesDone: 0, steps: [], inUse: [] };
}

/** The job after one more event of its own (events of other jobs are the caller's to route). */
export function jobStep(job: JobState, e: JobEvent): JobState {
  switch (e.type) {
    case 'start':
      // A stream that reconnects gets the running job's events again from its start: begin afresh.
      return { ...newJob(job.jobId, e.command, job.planId), entries: e.entries, bytesTotal: e.bytesTotal };
    case 'entry':
      return { ...job, entry: { index: e.index, of: e.of, title: e.title } };
    case 'progress':
      return { ...job, bytesDone: e.bytesDone, bytesTotal: e.bytesTotal, rateBytesPerSecond: e.rateBytesPerSecond, secondsLeft: e.secondsLeft, text: e.text };
    case 'step':
      return { ...job, steps: [...job.steps, e.text].slice(-200) };
    case 'in-use':
      return { ...job, inUse: [...job.inUse.filter((u) => u.path !== e.path), { path: e.path, programs: e.programs }] };
    case 'needs-elevation':
      return { ...job, elevation: e.reason };
    case 'stopping':
      return { ...job, stopping: true };
    case 'done':
      return {
        ...job,
        done: { ok: e.ok, runId: e.runId, error: e.error },
        bytesDone: e.ok ? Math.max(job.bytesDone, job.bytesTotal) : job.bytesDone,
        secondsLeft: undefined,
      };
    default:
      return assertNever(e);
  }
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`);
}
