/**
 * The contract between `relocate gui`'s server (src/gui/server) and its page
 * (src/gui/web): every request and answer of the local HTTP API. Types only:
 * both sides import it with `import type`. Fields may be added; none may be
 * renamed or removed without changing both sides in the same commit.
 * GET /api/scan's answer (ScanReport) and DriveInfo are `relocate scan
 * --json`'s own document, so they live in src/render/scan-json.ts.
 *
 * Rules every endpoint keeps (tested in test/gui/):
 * - Every answer is JSON (`application/json; charset=utf-8`) except `/`,
 *   the page's assets and the event stream.
 * - A GET never changes anything on disk or in the manifest.
 * - Every request that changes anything is a POST with a JSON body, the
 *   header `X-Relocate: 1` and an `Origin` equal to the server's own.
 * - An engine refusal answers 200 with `{ ok: false, error }` (an
 *   ApiError: the CLI's code, message, path and hint, word for word);
 *   a request the server itself refuses answers 4xx with `{ ok: false, error }`.
 * - No rule of relocate is decided here: the server runs relocate's own
 *   commands (`--json`) and passes their answers through; the page only
 *   draws them.
 */

import type { DriveInfo } from '../render/scan-json.js';

/** An error as the CLI reports it with --json. */
export interface ApiError {
  code: string;
  message: string;
  path: string | null;
  hint: string | null;
}

export type Answer<T> = ({ ok: true } & T) | { ok: false; error: ApiError };

/** One manifest entry with its state on disk (`relocate status --json`). */
export interface EntryRow {
  /** The entry's link path, resolved (what identifies an entry in requests). */
  link: string;
  target: string;
  type: string;
  /** The state the manifest asks for: 'present' (a link) or 'absent' (moved back). */
  state: 'present' | 'absent';
  /** The planner's action for it now: 'none' means in sync. */
  action: string;
  /** The planner's words for why. */
  reason: string;
  bytes?: number;
}

/** GET /api/overview */
export interface Overview {
  version: string;
  /** The manifest the GUI reads and edits (created on the first move when missing). */
  manifest: { path: string; exists: boolean };
  stateDir: string;
  os: 'win32' | 'linux' | 'darwin';
  drives: DriveInfo[];
  entries: EntryRow[];
  /** A run that did not finish (resume or roll back before anything else), if any. */
  unfinishedRun?: string;
  /** The engine's refusal of the manifest (invalid, unreadable): then `entries` is empty and the page says what to fix. */
  manifestError?: ApiError;
}

/** POST /api/preview-move — body: MoveRequest. Plans the one move (nothing is written). */
export interface MoveRequest {
  /** The folder to move, e.g. C:\Games. */
  source: string;
  /** The folder it goes into, e.g. D:\ — the data ends at join(destinationParent, basename(source)). */
  destinationParent: string;
}

export interface MovePreview {
  /** Where the data would end: D:\Games. */
  target: string;
  /** The exact sentence: "C:\Games becomes a link; its 212 GB move to D:\Games; D: keeps 1.1 TB free". */
  sentence: string;
  /** False when the engine refuses this move; `problems` says why (plan findings of severity error). */
  possible: boolean;
  problems: { code: string; message: string; hint: string | null }[];
  warnings: { code: string; message: string }[];
}

/** POST /api/moves — body: MoveRequest. Adds the entry to the manifest (comments kept); nothing moves yet. Answer: Overview. */

/** POST /api/entries/absent — body: { link }. Sets `state: absent` on that entry ("Move back"); nothing moves yet. Answer: Overview. */
export interface EntryRequest {
  link: string;
}

/** POST /api/plan — body: {}. Plans the whole manifest and keeps the plan for /api/apply. */
export interface PlanPreview {
  planId: string;
  /** Plain words, one per change: "move C:\Games (212 GB) to D:\Games, leave a junction". */
  lines: string[];
  changes: number;
  blocked: boolean;
  /** The plan exactly as `relocate plan --json` prints it. */
  plan: unknown;
  drives: DriveInfo[];
  /** Windows: the engine's words when this plan needs administrator rights (E_SYMLINK_PRIVILEGE); the page then offers POST /api/apply-elevated. */
  needsElevation?: string;
}

/** POST /api/apply — body: { planId }. Starts `relocate apply` on that saved plan; progress arrives on /api/events. */
export interface JobStarted {
  jobId: string;
}

/** POST /api/rollback — body: { runId }. Starts `relocate rollback RUN`. Answer: JobStarted. */

/**
 * POST /api/stop — body: { jobId }. Asks the running apply or rollback to stop at the next safe point, as
 * Ctrl-C does in a terminal (a `stop` line on the run's stdin: Windows has no SIGINT for another process):
 * an apply then rolls back what it did, a rollback stops where it is (resumable). A second stop stops it at
 * once, leaving the run unfinished. Answer: { stopping: true }; 409 E_NO_JOB when that job is not running.
 */
export interface StopRequest {
  jobId: string;
}

/**
 * POST /api/apply-elevated — body: { planId }. Windows only (400 E_ELEVATION_UNAVAILABLE elsewhere): runs
 * that one apply in an elevated child (a UAC prompt), never the server. Answer: JobStarted; its `done`
 * event's result is `{ elevated: true, exitCode, run?, result? }`, read back from `relocate history`.
 */

/** GET /api/history */
export interface HistoryAnswer {
  stateDir: string;
  runs: RunRow[];
}

/** One run of `relocate history --json`. */
export interface RunRow {
  id: string;
  status: string;
  startedAt: string;
  /** "2 changes, 212 GB moved" */
  summary: string;
  canRollBack: boolean;
}

/** GET /api/links?dir=D — links already in D (`relocate import D --json`). POST /api/adopt — body: { dir } — writes them into the manifest (`import --write`). */
export interface FoundLinkRow {
  link: string;
  target: string;
  type: string;
  /** Why it cannot be adopted, when it cannot. */
  skipped?: string;
}

/** GET /api/links?dir=D */
export interface LinksAnswer {
  links: FoundLinkRow[];
  /** Places the search could not read, as `import --json` reports them. */
  problems: unknown[];
}

/** POST /api/adopt — body: { dir }. */
export interface AdoptAnswer {
  /** How many entries `import --write` added to the manifest. */
  added: number;
  /** Links it left out, with why (import's own words). */
  skipped: unknown[];
  overview: Overview;
}

/** GET /api/doctor — `relocate doctor --json`, passed through whole. */
export interface DoctorAnswer {
  doctor: unknown;
}

/** GET /api/events — server-sent events, one JSON object per `data:` line. */
export type JobEvent =
  | { type: 'start'; jobId: string; command: 'apply' | 'rollback'; entries: number; bytesTotal: number }
  | { type: 'entry'; jobId: string; index: number; of: number; title: string }
  | { type: 'progress'; jobId: string; bytesDone: number; bytesTotal: number; rateBytesPerSecond?: number; secondsLeft?: number; text: string }
  | { type: 'step'; jobId: string; text: string }
  /** A file is in use: the program holding it named when the OS tells. */
  | { type: 'in-use'; jobId: string; path: string; programs: string[] }
  /** Administrator rights are needed for this plan (Windows): the page offers to run that one step elevated. */
  | { type: 'needs-elevation'; jobId: string; reason: string }
  /** A stop was asked (POST /api/stop): the run stops at the next safe point, then apply rolls back what it did. */
  | { type: 'stopping'; jobId: string }
  | { type: 'done'; jobId: string; ok: boolean; runId?: string; result: unknown; error?: ApiError };
