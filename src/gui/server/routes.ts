import path from 'node:path';
import type { ErrorCode } from '../../core/codes.js';
import type {
  AdoptAnswer,
  ApiError,
  DoctorAnswer,
  HistoryAnswer,
  JobStarted,
  LinksAnswer,
  MovePreview,
  MoveRequest,
  Overview,
  PlanPreview,
} from '../api-types.js';
import { addMoveEntry, ManifestEditError, setEntryState } from '../../manifest/manifest-edits.js';
import { listDrives } from '../../platform/drives.js';
import { readManifestText, writeManifestText } from '../../platform/manifest-io.js';
import { packageVersion } from '../../platform/package-version.js';
import { elevatedCommandLine, runChild } from '../../platform/self-command.js';
import { writeFileAtomic } from '../../platform/write-file.js';
import type { PlanJson } from '../../render/plan-json.js';
import { runEngine, startEngine, type EngineAnswer, type EngineConfig } from './engine.js';
import { JobBusy, type Jobs } from './jobs.js';
import { drivesAfterPlan, entryRows, foundLinkRows, movePreview, planLines, runRows, type HistoryRun } from './views.js';

/**
 * The API's routes (src/gui/api-types.ts): what each runs. Every answer
 * that says something about relocate comes from one of its own commands
 * (runEngine, with `--json`); the server only keeps files of its own (the
 * one-entry manifests of previews, saved plans) in a private temporary
 * folder, and edits the manifest with the comment-preserving functions of
 * src/manifest/manifest-edits.ts, checked by `relocate validate` before the
 * edit stays.
 */

/** A plan the server saved: its file in the server's folder, and whether the engine found it blocked. */
export interface SavedPlanRef {
  file: string;
  blocked: boolean;
}

/** What every route may use. Invariant: `temp` is the server's private folder; `plans` maps the planIds it gave to files in it. */
export interface RouteContext {
  engine: EngineConfig;
  /** The manifest the GUI reads and edits (absolute). */
  manifest: string;
  jobs: Jobs;
  temp: string;
  plans: Map<string, SavedPlanRef>;
  platform: NodeJS.Platform;
  nextId(): number;
  /** Runs manifest edits one after another (two quick clicks must not lose an edit). */
  serialize<T>(work: () => Promise<T>): Promise<T>;
}

/** A request as a route sees it: the query and the parsed JSON body (POST). */
export interface RouteRequest {
  query: URLSearchParams;
  body: unknown;
}

/** One entry as `validate --json` gives it (src/render/entries-json.ts): what finding an entry by its link needs. */
interface ValidatedEntry {
  index: number;
  link: string;
  applies: boolean;
  glob?: { pattern: string };
}

/** A refusal of the engine: answered 200 `{ ok: false, error }` with the CLI's error word for word. */
export class EngineRefusal extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
    this.name = 'EngineRefusal';
  }
}

/** A request the server itself refuses (bad input, unknown id, a job running): answered `status` `{ ok: false, error }`. */
export class ServerRefusal extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiError,
  ) {
    super(error.message);
    this.name = 'ServerRefusal';
  }
}

function refuse(status: number, code: ErrorCode, message: string, hint: string | null = null, p: string | null = null): never {
  throw new ServerRefusal(status, { code, message, path: p, hint });
}

/** The engine's JSON answer, or its refusal thrown. */
function json(a: EngineAnswer): Record<string, unknown> {
  if (a.error && (!a.json || a.json.formatVersion === undefined)) throw new EngineRefusal(a.error);
  if (!a.json) throw new EngineRefusal({ code: 'E_INTERNAL', message: 'relocate printed no answer', path: null, hint: a.stderr.trim() || null });
  return a.json;
}

function stringField(body: unknown, key: string): string {
  const v = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
  if (typeof v !== 'string' || v === '') refuse(400, 'E_BAD_REQUEST', `the request needs "${key}" (a non-empty string)`);
  return v;
}

function absolutePath(body: unknown, key: string): string {
  const v = stringField(body, key);
  if (!path.isAbsolute(v))
    refuse(400, 'E_BAD_REQUEST', `"${key}" must be an absolute path, not '${v}'`, 'a relative path would be read against the server’s folder');
  return path.normalize(v);
}

async function manifestText(ctx: RouteContext): Promise<string | undefined> {
  return readManifestText(ctx.manifest);
}

/**
 * GET /api/overview: `status --json` of the manifest, `history --json` for
 * the state folder, and the drives. A manifest the engine cannot read
 * (invalid, unreadable) does not hide the rest: its error is
 * `manifestError`, with no entries, so the page can say what to fix.
 */
async function overview(ctx: RouteContext): Promise<Overview> {
  const exists = (await manifestText(ctx)) !== undefined;
  const [status, history, drives] = await Promise.all([
    exists ? runEngine(ctx.engine, ['status', ctx.manifest]) : undefined,
    runEngine(ctx.engine, ['history']),
    listDrives(),
  ]);
  const manifestError = status?.error && status.json?.formatVersion === undefined ? status.error : undefined;
  const doc = status && !manifestError ? (json(status) as unknown as PlanJson) : undefined;
  const hist = json(history) as { stateDir?: string; runs?: HistoryRun[] };
  const unfinished = hist.runs?.find((r) => r.unfinished);
  return {
    version: packageVersion(),
    manifest: { path: ctx.manifest, exists },
    stateDir: hist.stateDir ?? '',
    os: ctx.platform === 'win32' ? 'win32' : ctx.platform === 'darwin' ? 'darwin' : 'linux',
    drives: drivesAfterPlan(drives, doc),
    entries: doc ? entryRows(doc) : [],
    ...(unfinished ? { unfinishedRun: unfinished.id } : {}),
    ...(manifestError ? { manifestError } : {}),
  };
}

function moveRequest(body: unknown): MoveRequest & { target: string } {
  const source = absolutePath(body, 'source');
  const destinationParent = absolutePath(body, 'destinationParent');
  const name = path.basename(source);
  if (name === '') refuse(400, 'E_BAD_REQUEST', `${source} is the root of a drive: a drive is not moved as a folder`);
  return { source, destinationParent, target: path.join(destinationParent, name) };
}

/**
 * Writes `text` as the manifest, then asks the engine whether it is valid
 * (`validate --json`); an invalid result is put back as it was and the
 * engine's refusal passed on. A new manifest is checked in the server's
 * folder first, so no invalid file is ever created.
 */
async function writeChecked(ctx: RouteContext, before: string | undefined, text: string): Promise<void> {
  if (before === undefined) {
    const trial = path.join(ctx.temp, `new-${ctx.nextId()}.yaml`);
    await writeFileAtomic(trial, text);
    const trialCheck = await runEngine(ctx.engine, ['validate', trial]);
    if (trialCheck.error) throw new EngineRefusal(trialCheck.error);
    await writeManifestText(ctx.manifest, text);
    return;
  }
  await writeManifestText(ctx.manifest, text);
  const check = await runEngine(ctx.engine, ['validate', ctx.manifest]);
  if (check.error) {
    await writeManifestText(ctx.manifest, before);
    throw new EngineRefusal(check.error);
  }
}

function editError(err: unknown): never {
  if (err instanceof ManifestEditError) refuse(409, 'E_MANIFEST_EDIT', err.message, 'edit the manifest by hand', null);
  throw err;
}

function savedPlan(ctx: RouteContext, body: unknown): SavedPlanRef {
  const planId = stringField(body, 'planId');
  const plan = ctx.plans.get(planId);
  if (!plan) refuse(404, 'E_NO_PLAN', `no plan ${planId}: make one with POST /api/plan`);
  return plan;
}

/**
 * What the elevated apply runs (Windows: inside a UAC prompt), as relocate
 * arguments. The saved plan, as for every apply — except a plan the engine
 * found blocked (E_SYMLINK_PRIVILEGE: this account may not make symbolic
 * links): a saved plan keeps its findings, so it would be refused as
 * administrator too; then the manifest is applied, planned again by the
 * engine with the administrator's rights (apply still refuses anything
 * else that blocks). Pure.
 */
export function elevatedApplyArgs(plan: SavedPlanRef, manifest: string, stateDir: string | undefined): string[] {
  return ['apply', plan.blocked ? manifest : plan.file, '--yes', ...(stateDir !== undefined ? ['--state-dir', stateDir] : [])];
}

function startJob(ctx: RouteContext, command: 'apply' | 'rollback', args: string[]): JobStarted {
  try {
    return { jobId: ctx.jobs.start(command, (onLine) => startEngine(ctx.engine, [...args, '--yes', '--progress', 'json'], onLine)) };
  } catch (err) {
    if (err instanceof JobBusy) refuse(409, 'E_JOB_RUNNING', err.message, 'watch it on the progress view; start the next one when it is done');
    throw err;
  }
}

type Handler = (ctx: RouteContext, req: RouteRequest) => Promise<unknown>;

/** GET routes: they read only. */
export const GET_ROUTES: Readonly<Record<string, Handler>> = {
  '/api/overview': async (ctx) => overview(ctx),
  '/api/history': async (ctx): Promise<HistoryAnswer> => {
    const doc = json(await runEngine(ctx.engine, ['history'])) as { stateDir?: string; runs?: never[] };
    return { stateDir: doc.stateDir ?? '', runs: runRows(doc) };
  },
  '/api/doctor': async (ctx): Promise<DoctorAnswer> => {
    const exists = (await manifestText(ctx)) !== undefined;
    const a = await runEngine(ctx.engine, ['doctor', ...(exists ? [ctx.manifest] : [])]);
    return { doctor: json(a) };
  },
  '/api/links': async (ctx, req): Promise<LinksAnswer> => {
    const dir = req.query.get('dir');
    if (!dir || !path.isAbsolute(dir)) refuse(400, 'E_BAD_REQUEST', 'the query needs dir=FOLDER (an absolute path)');
    const doc = json(await runEngine(ctx.engine, ['import', dir]));
    return { links: foundLinkRows(doc), problems: Array.isArray(doc.problems) ? doc.problems : [] };
  },
  '/api/scan': async (ctx, req) => {
    const paths = req.query.getAll('path');
    if (paths.some((p) => !path.isAbsolute(p))) refuse(400, 'E_BAD_REQUEST', 'each path= must be an absolute path');
    const top = req.query.get('top');
    if (top !== null && !/^[1-9][0-9]{0,5}$/.test(top)) refuse(400, 'E_BAD_REQUEST', 'top= must be a whole number');
    return json(await runEngine(ctx.engine, ['scan', ...paths, ...(top !== null ? ['--top', top] : [])]));
  },
};

/** POST routes: each may change something (the manifest, or the disk through a job). */
export const POST_ROUTES: Readonly<Record<string, Handler>> = {
  '/api/preview-move': async (ctx, req): Promise<MovePreview> => {
    const move = moveRequest(req.body);
    const file = path.join(ctx.temp, `preview-${ctx.nextId()}.yaml`);
    await writeFileAtomic(file, addMoveEntry(undefined, { link: move.source, target: move.target }));
    const doc = json(await runEngine(ctx.engine, ['plan', file])) as unknown as PlanJson;
    return movePreview(doc, move.target);
  },
  '/api/moves': async (ctx, req) => {
    const move = moveRequest(req.body);
    await ctx.serialize(async () => {
      const before = await manifestText(ctx);
      let text: string;
      try {
        text = addMoveEntry(before, { link: move.source, target: move.target });
      } catch (err) {
        return editError(err);
      }
      await writeChecked(ctx, before, text);
    });
    return overview(ctx);
  },
  '/api/entries/absent': async (ctx, req) => {
    const link = stringField(req.body, 'link');
    await ctx.serialize(async () => {
      const before = await manifestText(ctx);
      if (before === undefined) refuse(404, 'E_NO_MANIFEST', `${ctx.manifest} does not exist yet`, null, ctx.manifest);
      // The manifest's own reading of its entries (`validate`: no disk walk; `status` would measure every folder to move).
      const checked = await runEngine(ctx.engine, ['validate', ctx.manifest]);
      if (checked.error) throw new EngineRefusal(checked.error);
      const entries = (json(checked).entries ?? []) as ValidatedEntry[];
      const entry = entries.find((e) => e.link === link && e.applies) ?? entries.find((e) => e.link === link);
      if (!entry) refuse(404, 'E_NO_ENTRY', `the manifest has no entry with the link ${link}`, 'reload the entries', link);
      if (entry.glob)
        refuse(
          409,
          'E_MANIFEST_EDIT',
          `${link} comes from the pattern ${entry.glob.pattern}: setting state: absent there would move back every match`,
          'edit the manifest by hand',
          link,
        );
      let text: string;
      try {
        text = setEntryState(before, entry.index, 'absent');
      } catch (err) {
        return editError(err);
      }
      await writeChecked(ctx, before, text);
    });
    return overview(ctx);
  },
  '/api/plan': async (ctx): Promise<PlanPreview> => {
    if ((await manifestText(ctx)) === undefined) refuse(404, 'E_NO_MANIFEST', `${ctx.manifest} does not exist yet: add a move first`, null, ctx.manifest);
    const planId = `plan-${ctx.nextId()}`;
    const file = path.join(ctx.temp, `${planId}.json`);
    const doc = json(await runEngine(ctx.engine, ['plan', ctx.manifest, '--out', file])) as unknown as PlanJson;
    ctx.plans.set(planId, { file, blocked: doc.blocked });
    const privilege = [...doc.entries.flatMap((e) => e.findings), ...doc.findings].find((f) => f.code === 'E_SYMLINK_PRIVILEGE');
    return {
      planId,
      lines: planLines(doc),
      changes: doc.summary.changes,
      blocked: doc.blocked,
      plan: doc,
      drives: drivesAfterPlan(await listDrives(), doc),
      ...(privilege && ctx.platform === 'win32' ? { needsElevation: privilege.message } : {}),
    };
  },
  '/api/apply': async (ctx, req): Promise<JobStarted> => startJob(ctx, 'apply', ['apply', savedPlan(ctx, req.body).file]),
  '/api/rollback': async (ctx, req): Promise<JobStarted> => {
    const runId = stringField(req.body, 'runId');
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId)) refuse(400, 'E_BAD_REQUEST', `'${runId}' is not a run id`);
    return startJob(ctx, 'rollback', ['rollback', runId]);
  },
  '/api/apply-elevated': async (ctx, req): Promise<JobStarted> => {
    const plan = savedPlan(ctx, req.body);
    const file = plan.file;
    if (ctx.platform !== 'win32')
      refuse(
        400,
        'E_ELEVATION_UNAVAILABLE',
        'an elevated apply is offered on Windows only',
        'run `sudo relocate apply` with the saved plan in a terminal if this account may not change those paths',
        file,
      );
    // Only this one step runs elevated (a UAC prompt); the server stays unelevated. The elevated window's output cannot be read back: the run's result is in `relocate history`.
    const command = [...ctx.engine.command, ...elevatedApplyArgs(plan, ctx.manifest, ctx.engine.stateDir)];
    // What the elevated run did is read back from `relocate history`: its newest run is this one.
    const readBack = async ({ answer }: { answer: EngineAnswer }) => {
      const hist = await runEngine(ctx.engine, ['history']);
      const newest = (hist.json?.runs as { id: string; status: string }[] | undefined)?.[0];
      answer.json = { elevated: true, exitCode: answer.code, ...(newest ? { run: newest.id, result: newest.status } : {}) };
      if (answer.code !== 0)
        answer.error = {
          code: 'E_ELEVATED_FAILED',
          message: `the elevated apply ended with exit code ${answer.code ?? 'unknown'}${answer.code === 1 ? ' (or the UAC prompt was declined)' : ''}`,
          path: file,
          hint: 'see `relocate history`, or run the apply in an administrator terminal to read its messages',
        };
    };
    try {
      return {
        jobId: ctx.jobs.start('apply', () => runChild(elevatedCommandLine(command), { env: ctx.engine.env, cwd: ctx.engine.cwd }), readBack, {
          stoppable: false,
        }),
      };
    } catch (err) {
      if (err instanceof JobBusy) refuse(409, 'E_JOB_RUNNING', err.message);
      throw err;
    }
  },
  '/api/stop': async (ctx, req): Promise<{ stopping: true }> => {
    const jobId = stringField(req.body, 'jobId');
    const r = ctx.jobs.stop(jobId);
    if (r === 'not-running') refuse(409, 'E_NO_JOB', `job ${jobId} is not running`, 'it may have finished already: see History');
    if (r === 'not-stoppable')
      refuse(
        409,
        'E_CANNOT_STOP',
        `job ${jobId} runs elevated, in an administrator window of its own`,
        'press Ctrl-C in that window: the run stops at the next safe point',
      );
    return { stopping: true };
  },
  '/api/adopt': async (ctx, req): Promise<AdoptAnswer> => {
    const dir = absolutePath(req.body, 'dir');
    const doc = await ctx.serialize(async () => json(await runEngine(ctx.engine, ['import', dir, '--write', ctx.manifest, '--yes'])));
    return { added: typeof doc.added === 'number' ? doc.added : 0, skipped: Array.isArray(doc.skipped) ? doc.skipped : [], overview: await overview(ctx) };
  },
};
