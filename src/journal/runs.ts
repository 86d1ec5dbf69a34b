import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { RelocateError } from '../core/errors.js';
import type { AppendFile, JournalDisk } from './disk-port.js';
import { DecodeError, parseJson } from '../core/decode.js';
import { decodeJournalLine, decodeRunRecord, NewerRunFormat, runStatus } from './record-decode.js';
import { UNFINISHED, type JournalLine, type RunRecord, type RunStatus } from './types.js';

/** A run id sorts by time: 20261122T023148Z-1a2b. */
export function newRunId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')}-${randomBytes(2).toString('hex')}`;
}

/**
 * A run id no run in `stateDir` has: two runs started in one second share
 * the time, and their four random digits one time in 65,536 (the fault
 * harness met it). A second run under an earlier one's name would take its
 * journal for its own, and its record would overwrite the earlier one's:
 * the earlier run could no longer be rolled back. The caller holds the
 * state lock, so nothing takes the name between this and `RunStore.create`,
 * which refuses a name that is taken anyway. `make`: the names tried (a
 * test's own).
 */
export async function freshRunId(disk: JournalDisk, stateDir: string, now: Date, make: (now: Date) => string = newRunId): Promise<string> {
  for (;;) {
    const id = make(now);
    if (!(await disk.pathTaken(path.join(stateDir, 'runs', id)))) return id;
  }
}

/**
 * The backup stamp: UTC to the millisecond, filesystem-safe on every OS
 * (20261122T023148123Z). Runs hold the state lock, so two runs never share
 * a millisecond and a backup name never collides with an earlier one.
 */
export function utcStamp(now: Date): string {
  return now.toISOString().replace(/[-:.]/g, '');
}

/**
 * Called after each journal line with the number of lines this process has
 * appended so far (1-based). The CLI passes the crash and interrupt tests'
 * hook (src/cli/test-hooks.ts); the journal itself never stops a process.
 */
export type JournalLineHook = (count: number) => void;

/**
 * One run's folder in the state directory: run.json (the record) and
 * journal.jsonl (the steps). The journal is append-only and each line is
 * fsync'd before the caller proceeds (`disk` keeps that promise: see
 * AppendFile in disk-port.ts).
 */
export class RunStore {
  private journal?: AppendFile;
  private lines = 0;

  constructor(
    private readonly disk: JournalDisk,
    readonly stateDir: string,
    readonly id: string,
    private readonly onLine?: JournalLineHook,
  ) {}

  get dir(): string {
    return path.join(this.stateDir, 'runs', this.id);
  }

  async create(record: RunRecord): Promise<void> {
    let made: boolean;
    try {
      made = await this.disk.makeNewDir(this.dir);
      if (made) await this.save(record);
    } catch (err) {
      // No step has run: a run folder without a readable run.json is a run that never started, and is ignored.
      const e = this.writeError(err, 'record a new run');
      throw new RelocateError('E_STATE_WRITE', e.message, {
        path: this.stateDir,
        hint: `nothing was changed; free space in ${this.stateDir} (or make it writable), then run again`,
        cause: err,
      });
    }
    // Another run's folder is never taken over (freshRunId chooses names that are free).
    if (!made)
      throw new RelocateError(
        'E_STATE_WRITE',
        `relocate cannot record a new run in its state folder ${this.stateDir}: a run named ${this.id} is there already`,
        { path: this.dir, hint: 'nothing was changed; run again (a new run gets a new name)' },
      );
  }

  /**
   * A failed write to the state folder (full, read-only, gone) as the coded
   * error the CLI explains: which folder, and that the run cannot go on,
   * since every step and every undo must be journaled before it acts.
   */
  private writeError(err: unknown, what: string): RelocateError {
    if (err instanceof RelocateError) return err;
    const code = (err as NodeJS.ErrnoException)?.code;
    return new RelocateError(
      'E_STATE_WRITE',
      `relocate cannot ${what} in its state folder ${this.stateDir}${code === 'ENOSPC' ? ': the disk holding it is full' : `: ${(err as Error)?.message ?? String(err)}`}`,
      {
        path: this.stateDir,
        hint: `free space in ${this.stateDir} (or make it writable), then run \`relocate resume\` to finish the run or \`relocate rollback\` to undo it`,
        cause: err,
      },
    );
  }

  /**
   * Writes run.json and, beside it, status.json (`{"status": …}`, a few
   * bytes), which lets every command look for an unfinished run without
   * parsing each run's whole record (a run of 1,000 links holds an 800 KB
   * plan). The order keeps one rule true across a crash between the two
   * writes: if status.json says a run is finished, run.json says so too.
   * Into an unfinished status, status.json goes first; into a finished one,
   * last. A status.json that says unfinished, or none (state folders made
   * before it existed), sends the reader to run.json.
   */
  async save(record: RunRecord): Promise<void> {
    const status = () => this.disk.writeFileAtomic(path.join(this.dir, STATUS_FILE), JSON.stringify({ status: record.status }) + '\n');
    const full = () => this.disk.writeFileAtomic(path.join(this.dir, 'run.json'), JSON.stringify(record) + '\n');
    try {
      if (UNFINISHED.has(record.status)) {
        await status();
        await full();
      } else {
        await full();
        await status();
      }
    } catch (err) {
      throw this.writeError(err, 'write the record of run ' + this.id);
    }
  }

  async load(): Promise<RunRecord> {
    const text = await this.disk.readText(path.join(this.dir, 'run.json'));
    if (text === undefined)
      throw new RelocateError('E_NO_RUN', `no run ${this.id} in ${this.stateDir}`, { path: this.dir, hint: 'see `relocate history` for the runs' });
    return recordOf(text, this.stateDir, this.id);
  }

  async readJournal(): Promise<JournalLine[]> {
    const text = (await this.disk.readText(path.join(this.dir, 'journal.jsonl'))) ?? '';
    const out: JournalLine[] = [];
    for (const [i, l] of text.split('\n').entries()) {
      if (!l.trim()) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(l);
      } catch {
        // A torn line (power cut or full disk mid-write) never counts: its step is treated as not begun.
        continue;
      }
      try {
        const line = decodeJournalLine(parsed);
        if (line) out.push(line);
      } catch (err) {
        throw damaged(this.stateDir, this.id, `line ${i + 1} of its journal (journal.jsonl)`, err);
      }
    }
    return out;
  }

  /**
   * Appends a line, fsync'd unless `sync` is false. An unsynced line (a
   * `done` or `undo-done` mark) reaches the disk with the next synced line,
   * `flush()` or `close()`: losing it to a power cut only makes resume
   * check that step again (see src/exec/executor.ts).
   */
  append(line: JournalLine, sync = true): void {
    try {
      this.journal ??= this.disk.openAppend(path.join(this.dir, 'journal.jsonl'));
      this.journal.append(JSON.stringify(line), sync);
    } catch (err) {
      throw this.writeError(err, 'write the journal of run ' + this.id);
    }
    this.onLine?.(++this.lines);
  }

  /**
   * Appends several lines in one write (a batch of a thousand link steps),
   * fsync'd once unless `sync` is false. With a line hook they go one by
   * one, so the crash tests can still stop the process after any single line.
   */
  appendAll(lines: JournalLine[], sync = true): void {
    if (lines.length === 0) return;
    if (this.onLine) {
      lines.forEach((l, i) => this.append(l, sync && i === lines.length - 1));
      return;
    }
    try {
      this.journal ??= this.disk.openAppend(path.join(this.dir, 'journal.jsonl'));
      this.journal.append(lines.map((l) => JSON.stringify(l)).join('\n'), sync);
    } catch (err) {
      throw this.writeError(err, 'write the journal of run ' + this.id);
    }
    this.lines += lines.length;
  }

  /** Makes every line appended so far durable (one fsync, none when all are). */
  flush(): void {
    try {
      this.journal?.sync();
    } catch (err) {
      throw this.writeError(err, 'write the journal of run ' + this.id);
    }
  }

  /** Closes the journal; a failed final sync is left for the next command (resume checks each step again). */
  close(): void {
    try {
      this.journal?.close();
    } catch {
      // The lines it could not make durable are `done` marks only: losing one makes resume re-check that step.
    }
    this.journal = undefined;
  }
}

/** The sidecar of run.json that findUnfinished reads first (see RunStore.save). */
const STATUS_FILE = 'status.json';

/** A run's record, or undefined for a run folder without a readable one (a run never started). */
async function readRecord(disk: JournalDisk, stateDir: string, id: string): Promise<RunRecord | undefined> {
  const text = await disk.readText(path.join(stateDir, 'runs', id, 'run.json'));
  if (!text) return undefined;
  return recordOf(text, stateDir, id);
}

/**
 * A run's record from its text. run.json is written whole (write and
 * rename), so one that does not decode was damaged or written by a newer
 * relocate: refused with E_RUN_FORMAT, never skipped — a run that cannot
 * be read may be unfinished, and resume, rollback and the choice of the
 * latest run act on what records say.
 */
function recordOf(text: string, stateDir: string, id: string): RunRecord {
  try {
    return decodeRunRecord(parseJson(text));
  } catch (err) {
    throw damaged(stateDir, id, 'its record (run.json)', err);
  }
}

/** E_RUN_FORMAT for run `id`'s `what`, from a decoder's error. */
export function damaged(stateDir: string, id: string, what: string, err: unknown): RelocateError {
  const dir = path.join(stateDir, 'runs', id);
  if (err instanceof NewerRunFormat) {
    return new RelocateError('E_RUN_FORMAT', `run ${id} was ${err.message}`, {
      path: dir,
      hint: `use relocate ${err.toolVersion ?? 'of that version'} or newer with the state folder ${stateDir}`,
      cause: err,
    });
  }
  if (!(err instanceof DecodeError)) throw err;
  return new RelocateError('E_RUN_FORMAT', `${what} of run ${id} is damaged (${err.message}); relocate will not guess what the run did`, {
    path: dir,
    hint: `inspect ${dir}; to go on without that run, move its folder out of ${path.join(stateDir, 'runs')} (undoing what it did is then up to you)`,
    cause: err,
  });
}

/**
 * Newest first. Ids sort by time only to the second (their suffix is
 * random): two runs in one second are ordered by their start to the millisecond.
 */
function newestFirst(runs: RunRecord[]): RunRecord[] {
  return runs.sort((a, b) => (a.startedAt === b.startedAt ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.startedAt < b.startedAt ? 1 : -1));
}

/** Every run in a state directory, newest first. */
export async function listRuns(disk: JournalDisk, stateDir: string): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  for (const id of await disk.listDir(path.join(stateDir, 'runs'))) {
    const r = await readRecord(disk, stateDir, id);
    if (r) out.push(r);
  }
  return newestFirst(out);
}

/**
 * The unfinished run, if any (there is at most one: a changing command
 * refuses to start while one exists). Runs whose status.json says finished
 * are skipped unread; the rest are decided by their run.json.
 */
export async function findUnfinished(disk: JournalDisk, stateDir: string): Promise<RunRecord | undefined> {
  const found: RunRecord[] = [];
  for (const id of await disk.listDir(path.join(stateDir, 'runs'))) {
    const side = await disk.readText(path.join(stateDir, 'runs', id, STATUS_FILE));
    let status: RunStatus | undefined;
    try {
      status = side === undefined ? undefined : runStatus((parseJson(side) as { status?: unknown } | null)?.status, 'status');
    } catch {
      // A torn or damaged sidecar says nothing: run.json decides.
    }
    if (status !== undefined && !UNFINISHED.has(status)) continue;
    const r = await readRecord(disk, stateDir, id);
    if (r && UNFINISHED.has(r.status)) found.push(r);
  }
  return newestFirst(found)[0];
}
