import { anyObject, count, type Decoder, DecodeError, list, obj, oneOf, opt, str, tagged } from '../core/decode.js';
import type { RenameRole, RunStep, Step } from '../exec/steps.js';
import { decodePlan } from '../plan/plan-decode.js';
import type { BeginLine, DoneLine, JournalLine, JournalTag, MadeLine, RunRecord, RunStatus, UndoBeginLine, UndoDoneLine } from './types.js';

/**
 * The decoders of a run's files: its record (run.json) and its journal
 * lines. Versioned: a record says which format it is written in
 * (`formatVersion`; records written before the field existed are format 1),
 * and a record of a format this relocate does not know, a newer one's, is
 * refused rather than guessed at — resume and rollback act on what it says.
 */

/**
 * The record format this relocate writes and reads. Raise it when a change would mislead an older reader.
 * The journal's step infos are part of it (step-info-decode.ts).
 */
export const RUN_FORMAT_VERSION = 1;

/** A record of a newer format than this relocate reads. Invariant: `version` > RUN_FORMAT_VERSION. */
export class NewerRunFormat extends Error {
  constructor(
    readonly version: number,
    readonly toolVersion: string | undefined,
  ) {
    super(`written in run format ${version}${toolVersion ? ` by relocate ${toolVersion}` : ''}; this relocate reads format ${RUN_FORMAT_VERSION}`);
    this.name = 'NewerRunFormat';
  }
}

const verifyMode = oneOf('meta', 'content');

/** A run's status, as run.json and status.json say it. */
export const runStatus: Decoder<RunStatus> = oneOf('running', 'done', 'failed', 'rolling-back', 'rolled-back');
const linkKind = oneOf('junction', 'symlink', 'hardlink');
const subset = opt(oneOf(true, false));

type Rename = Extract<Step, { op: 'rename' }>;
const renameRole = oneOf('move', 'stage', 'aside', 'backup');

/**
 * The role of a rename recorded before steps carried one (2026-12-07), read
 * from its names the one way compile.ts made them: to a stamped backup name
 * beside it, from a staging name, to an aside name; else the data itself
 * moving. Here only: everything else asks `role`.
 */
export function legacyRenameRole(from: string, to: string): RenameRole {
  const folder = (p: string) => p.slice(0, Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
  const backup = /\.relocate-backup-\d{8}T\d{9}Z$/;
  if (backup.test(to) && !backup.test(from) && folder(to) === folder(from)) return 'backup';
  if (/\.relocate-partial-[^/\\]*$/.test(from)) return 'stage';
  if (/\.relocate-old-[^/\\]*$/.test(to)) return 'aside';
  return 'move';
}

const renameFields = obj<Rename>({ op: oneOf('rename'), from: str, to: str, role: (v, at) => (v === undefined ? 'move' : renameRole(v, at)) }); // absent in older records: filled in below
const renameStep: Decoder<Rename> = (v, at) => {
  const r = renameFields(v, at);
  r.role ??= legacyRenameRole(r.from, r.to);
  return r;
};

const step: Decoder<Step> = tagged<Step>('op', {
  mkdirs: obj<Extract<Step, { op: 'mkdirs' }>>({ op: oneOf('mkdirs'), path: str }),
  rename: renameStep,
  copy: obj<Extract<Step, { op: 'copy' }>>({ op: oneOf('copy'), from: str, to: str }),
  verify: obj<Extract<Step, { op: 'verify' }>>({ op: oneOf('verify'), original: str, copy: str, mode: verifyMode, subset }),
  link: obj<Extract<Step, { op: 'link' }>>({ op: oneOf('link'), path: str, target: str, kind: linkKind }),
  'check-link': obj<Extract<Step, { op: 'check-link' }>>({ op: oneOf('check-link'), path: str, target: str, kind: linkKind }),
  'check-in-use': obj<Extract<Step, { op: 'check-in-use' }>>({ op: oneOf('check-in-use'), path: str }),
  unlink: obj<Extract<Step, { op: 'unlink' }>>({ op: oneOf('unlink'), path: str, target: str }),
  delete: obj<Extract<Step, { op: 'delete' }>>({ op: oneOf('delete'), path: str, twin: str, subset }),
});

const runStep = obj<RunStep>({ n: count, entry: count, step });

const record = obj<RunRecord>({
  formatVersion: opt(oneOf(RUN_FORMAT_VERSION)),
  id: str,
  status: runStatus,
  startedAt: str,
  finishedAt: opt(str),
  toolVersion: str,
  manifest: obj<RunRecord['manifest']>({ path: str, hash: str }),
  verify: verifyMode,
  plan: decodePlan,
  steps: (v, at) => {
    const steps = list(runStep)(v, at);
    // Steps are dense and in order: step n is steps[n].
    steps.forEach((rs, i) => {
      if (rs.n !== i) throw new DecodeError(`${at}[${i}].n`, `${i}, found ${rs.n}`);
    });
    return steps;
  },
  error: opt(obj<NonNullable<RunRecord['error']>>({ code: str, message: str, path: opt(str) })),
  autoRolledBack: opt(oneOf(true, false)),
});

/**
 * A run's record. Throws NewerRunFormat for a newer relocate's record, and
 * DecodeError (naming the place) for anything else that is not a record.
 */
export function decodeRunRecord(v: unknown): RunRecord {
  const version = anyObject(v, '').formatVersion;
  if (typeof version === 'number' && Number.isInteger(version) && version > RUN_FORMAT_VERSION) {
    const tool = (v as { toolVersion?: unknown }).toolVersion;
    throw new NewerRunFormat(version, typeof tool === 'string' ? tool : undefined);
  }
  const r = record(v, '');
  for (const [i, rs] of r.steps.entries()) {
    if (rs.entry >= r.plan.entries.length)
      throw new DecodeError(`steps[${i}].entry`, `an index of plan.entries (< ${r.plan.entries.length}), found ${rs.entry}`);
  }
  return r;
}

// A step's `info` is checked by its step's kind once the line meets its step (decodeStepInfo): the line does not say the kind.
const stepInfo = anyObject;
const n = count;
const at = str;

/** Each tag's line, with the fields that tag has: a field another tag has (an undo-begin's `info`) is one this tag does not know, and ignored. */
const lineOf: { [T in JournalTag]: Decoder<Extract<JournalLine, { t: T }>> } = {
  begin: obj<BeginLine>({ t: oneOf('begin'), n, at, info: opt(stepInfo) }),
  made: obj<MadeLine>({ t: oneOf('made'), n, at, info: stepInfo }),
  done: obj<DoneLine>({ t: oneOf('done'), n, at, info: opt(stepInfo) }),
  'undo-begin': obj<UndoBeginLine>({ t: oneOf('undo-begin'), n, at }),
  'undo-done': obj<UndoDoneLine>({ t: oneOf('undo-done'), n, at, info: opt(obj<NonNullable<UndoDoneLine['info']>>({ skipped: str })) }),
};
const line = tagged<JournalLine>('t', lineOf);
const isTag = (t: unknown): t is JournalTag => typeof t === 'string' && Object.hasOwn(lineOf, t);

/**
 * One parsed journal line, or undefined for a line of a kind this version
 * does not know (readers skip those: types.ts). A line of a known kind with
 * a wrong field throws DecodeError: a torn line never parses (every line is
 * an object, and no prefix of one is JSON), so such a line was damaged, and
 * resume must not act on a guess.
 */
export function decodeJournalLine(v: unknown): JournalLine | undefined {
  const o = anyObject(v, '');
  if (!isTag(o.t)) return undefined;
  return line(o, '');
}
