import os from 'node:os';
import path from 'node:path';
import { RelocateError } from '../../core/errors.js';
import { listRuns } from '../../journal/runs.js';
import type { ConflictStrategy, LinkType, ManifestIO } from '../../manifest/types.js';
import type { PlannedEntry } from '../../plan/types.js';
import { differingProperties, linkState, managedLinks, type LinkInstance, type LinkState } from '../../usecase/dsc-link.js';
import { nodeManifestIO } from '../../platform/manifest-io.js';
import { nodeJournalDisk } from '../../platform/journal-fs.js';
import { observationsByEntry, observedSide } from '../../render/observed-json.js';
import { buildPlan } from '../build-plan.js';
import { loadContext } from '../context.js';
import type { CliIO } from '../io.js';
import { parseCommandArgs } from '../options.js';
import { stateDirFor } from '../state-dir.js';
import { applyCommand } from './apply.js';

/**
 * `relocate dsc link get|test|set|export`: relocate as the Microsoft DSC v3
 * resource `Relocate/Link` (integrations/dsc/relocate.dsc.resource.json).
 *
 * DSC's calling convention: the instance's properties as one line of JSON
 * on stdin; the result as compact JSON on stdout (test: the state, then the
 * differing property names; export: one instance per line); messages as
 * JSON lines on stderr (`{"error":…}`, `{"warn":…}`, `{"info":…}`), never
 * text. Exit 0 whenever the operation worked, drift included: DSC takes any
 * other code as a failure (DSC_EXIT_CODES, the manifest's `exitCodes`).
 *
 * No rule of relocate's is implemented twice: each instance becomes a
 * one-entry manifest served from memory (CliIO.manifestIO) to the same
 * buildPlan that `plan` and `status` use, and `set` is `relocate apply
 * --yes --json` of that manifest (the same planner, preflight, journal,
 * executor and rollback). What relocate manages is recorded in the state
 * folder's runs: `export` lists the links of finished runs (the newest run
 * naming a link decides; one that undid it with `state: absent` removes it).
 * The state folder is the `stateDir` property, else --state-dir, else
 * RELOCATE_STATE_DIR, else the account's default — which for SYSTEM is in
 * the system profile, so fleets set `stateDir` (e.g. C:\ProgramData\relocate).
 */

/** The exit codes, as the resource manifest's `exitCodes` documents them (checked by test/integrations/dsc-manifest.test.ts). */
export const DSC_EXIT_CODES = {
  0: 'Success (drift included: test reports it in _inDesiredState)',
  1: 'Error: relocate could not do the operation (the {"error"} line on stderr has its code and hint); nothing was changed unless it says so',
  2: 'Invalid input: the JSON on stdin is not a Relocate/Link instance (E_DSC_INPUT, E_USAGE, E_INVALID_MANIFEST); nothing was changed',
  3: 'Refused: a conflict or a failed check (E_CONFLICT, E_NO_SPACE, E_IN_USE, …); nothing was changed',
  4: 'Set failed and was rolled back: the disk is as before',
  5: 'Set stopped with an unfinished run (or one blocks it): run `relocate resume` or `relocate rollback` with the same state folder',
} as const;

const TYPES: readonly LinkType[] = ['auto', 'symlink', 'junction', 'hardlink'];
const CONFLICTS: readonly ConflictStrategy[] = ['fail', 'backup', 'merge'];
const KNOWN_KEYS = new Set(['link', 'target', 'type', 'conflict', '_exist', 'stateDir']);
/** Properties DSC itself may send or echo back (read-only ones included); ignored. */
const IGNORED_KEYS = new Set(['_inDesiredState', '_name', '_purge', '_securityContext', '_metadata', 'action', '$id']);

function inputError(message: string): RelocateError {
  return new RelocateError('E_DSC_INPUT', `${message}; nothing was changed`, {
    hint: 'send one JSON object with link, target and optionally type, conflict, _exist, stateDir (see integrations/dsc/relocate.dsc.resource.json)',
  });
}

/** A path relocate can place without a manifest folder: absolute, or starting at ~ or a variable (${known:…}, ${env:…}, %VAR%). */
function placeable(p: string): boolean {
  return path.posix.isAbsolute(p) || (path.win32.isAbsolute(p) && /^([A-Za-z]:[\\/]|\\\\)/.test(p)) || /^(~([\\/]|$)|\$\{|%)/.test(p);
}

function parseInstance(text: string, needTarget: boolean, needLink = true): LinkInstance {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw inputError(`stdin is not JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw inputError('stdin must hold one JSON object');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KNOWN_KEYS.has(k) && !IGNORED_KEYS.has(k)) throw inputError(`unknown property '${k}'`);
  const str = (k: string, required: boolean): string | undefined => {
    const v = o[k];
    if (v === undefined || v === null) {
      if (required) throw inputError(`property '${k}' is required`);
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') throw inputError(`property '${k}' must be a non-empty string`);
    return v;
  };
  const link = str('link', needLink) ?? '';
  const target = str('target', needTarget);
  const stateDir = str('stateDir', false);
  for (const [k, v] of [
    ['link', link],
    ['target', target],
    ['stateDir', stateDir],
  ] as const) {
    if (v !== undefined && v !== '' && !placeable(v)) throw inputError(`property '${k}' must be an absolute path (or start with ~ or \${known:…}), not '${v}'`);
  }
  const type = (str('type', false) ?? 'auto') as LinkType;
  if (!TYPES.includes(type)) throw inputError(`property 'type' must be one of ${TYPES.join(', ')}`);
  const conflict = (str('conflict', false) ?? 'fail') as ConflictStrategy;
  if (!CONFLICTS.includes(conflict)) throw inputError(`property 'conflict' must be one of ${CONFLICTS.join(', ')}`);
  if (o._exist !== undefined && typeof o._exist !== 'boolean') throw inputError("property '_exist' must be true or false");
  return { link, ...(target !== undefined ? { target } : {}), type, conflict, _exist: o._exist !== false, ...(stateDir !== undefined ? { stateDir } : {}) };
}

/** A manifest holding these instances, as JSON (which YAML reads as it is): relocate's own loader expands ~, ${known:…} and variables. */
function manifestOf(instances: LinkInstance[]): string {
  return JSON.stringify({
    version: 1,
    links: instances.map((i) => ({ link: i.link, target: i.target, type: i.type, conflict: i.conflict, state: i._exist ? 'present' : 'absent' })),
  });
}

/** The disk's reader for everything but the one manifest, served from memory at `file`. */
function memoryManifest(file: string, text: string): ManifestIO {
  return { ...nodeManifestIO, readFile: async (f) => (f === file ? new TextEncoder().encode(text) : nodeManifestIO.readFile(f)), realPath: async (f) => f };
}

/** A CliIO that keeps what a command prints (one JSON document) and turns its messages into DSC's JSON lines. */
function innerIO(io: CliIO, manifestIO: ManifestIO, captured: string[]): CliIO {
  return {
    ...io,
    json: true,
    verbose: false,
    stdinIsTTY: false,
    stderrIsTTY: false,
    manifestIO,
    out: (t) => captured.push(t),
    err: (t) => io.err(JSON.stringify({ info: t.trim() })),
  };
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw inputError('no input: DSC sends the instance as JSON on stdin');
  let text = '';
  for await (const chunk of process.stdin) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
  return text;
}

/** Plans instances against the disk (the same buildPlan as `relocate plan`) and reports each one's state. */
async function states(instances: LinkInstance[], io: CliIO, stateDir: string): Promise<{ state: LinkState; entry: PlannedEntry }[]> {
  const file = path.join(stateDir, 'dsc', 'Relocate-Link.yaml');
  const built = await buildPlan(file, innerIO(io, memoryManifest(file, manifestOf(instances)), []), stateDir);
  if (built.plan.entries.length !== instances.length) throw inputError(`the link names ${built.plan.entries.length} paths (a glob?); an instance is one link`);
  const observationOf = observationsByEntry(built.observations);
  return [...built.plan.entries]
    .sort((a, b) => a.index - b.index)
    .map((p, k) => {
      const obs = observationOf(p);
      const i = instances[k];
      if (p.action === 'skip') throw inputError(`${i.link}: ${p.reason}`);
      return { state: linkState(i, p, obs ? observedSide(obs.link, undefined) : undefined, stateDir), entry: p };
    });
}

/** The links relocate manages in this state folder (see managedLinks). */
async function managed(stateDir: string): Promise<LinkInstance[]> {
  return managedLinks(await listRuns(nodeJournalDisk, stateDir), stateDir);
}

/** The exit code DSC sees for an error (DSC_EXIT_CODES). */
function exitFor(code: string): number {
  if (code === 'E_DSC_INPUT' || code === 'E_USAGE' || code === 'E_INVALID_MANIFEST') return 2;
  if (code === 'E_INTERRUPTED_RUN') return 5;
  return 1;
}

/** `relocate dsc link get|test|set|export` (see the file's comment). */
export async function dscCommand(argv: string[], io: CliIO): Promise<number> {
  const emit = (doc: unknown) => io.out(JSON.stringify(doc));
  const message = (kind: 'error' | 'warn' | 'info', text: string) => io.err(JSON.stringify({ [kind]: text }));
  try {
    const { values, positionals } = parseCommandArgs('dsc', argv);
    const [resource, op, ...extra] = positionals;
    if (resource !== 'link' || !['get', 'test', 'set', 'export'].includes(op ?? '') || extra.length > 0) {
      throw new RelocateError('E_USAGE', 'usage: relocate dsc link get|test|set|export (the instance as JSON on stdin)', { hint: 'see `relocate dsc --help`' });
    }
    const stateDirOf = (i?: LinkInstance) => stateDirFor(i?.stateDir ?? values['state-dir'], io.env, loadContext(io.env).os, os.homedir(), io.cwd);
    if (op === 'export') {
      // Export may get an instance (a filter, or nothing): only its stateDir is used.
      const text = process.stdin.isTTY ? '' : (await readStdin()).trim();
      const stateDir = stateDirOf(text ? parseInstance(text, false, false) : undefined);
      const all = await managed(stateDir);
      if (all.length > 0) for (const { state } of await states(all, io, stateDir)) emit(state);
      return 0;
    }
    const instance = parseInstance(await readStdin(), true);
    const stateDir = stateDirOf(instance);
    const [first] = await states([instance], io, stateDir);
    const { state, entry } = first;
    if (op === 'get') {
      emit(state);
      return 0;
    }
    if (op === 'test') {
      if (entry.action !== 'none') message('info', `${instance.link}: ${entry.action}: ${entry.reason}`);
      emit({ ...state, _inDesiredState: entry.action === 'none' });
      emit(differingProperties(instance, state));
      return 0;
    }
    // set: relocate apply of the one-entry manifest; it plans again under its locks and refuses a conflict.
    if (entry.action === 'none') {
      emit(state);
      return 0;
    }
    const file = path.join(stateDir, 'dsc', 'Relocate-Link.yaml');
    const captured: string[] = [];
    await applyCommand([file, '--yes', '--json', '--state-dir', stateDir], innerIO(io, memoryManifest(file, manifestOf([instance])), captured));
    const doc = JSON.parse(captured.join('\n') || '{}') as {
      result?: string;
      run?: string | null;
      error?: { code: string; message: string; hint?: string | null };
    };
    if (doc.result === 'refused') {
      message('error', `${doc.error?.code ?? 'E_CONFLICT'}: ${doc.error?.message ?? 'refused'}${doc.error?.hint ? ` (hint: ${doc.error.hint})` : ''}`);
      return 3;
    }
    if (doc.result === 'rolled-back') {
      message('error', `${doc.error?.code ?? 'E_INTERNAL'}: ${doc.error?.message ?? 'the run failed'}; run ${doc.run} was rolled back, the disk is as before`);
      return 4;
    }
    if (doc.result !== 'done' && doc.result !== 'nothing-to-do') {
      message(
        'error',
        `${doc.error?.code ?? 'E_INTERNAL'}: ${doc.error?.message ?? 'the run did not finish'}; run ${doc.run} is unfinished: \`relocate resume\` or \`relocate rollback\` --state-dir ${stateDir}`,
      );
      return 5;
    }
    if (doc.run) message('info', `relocate: run ${doc.run} in ${stateDir}: ${entry.action} ${instance.link}`);
    const [after] = await states([instance], io, stateDir);
    emit(after.state);
    return 0;
  } catch (err) {
    const e =
      err instanceof RelocateError ? err : new RelocateError('E_INTERNAL', `relocate hit an unexpected problem: ${(err as Error)?.message ?? String(err)}`);
    message('error', `${e.code}: ${e.message}${e.path && !e.message.includes(e.path) ? ` (${e.path})` : ''}${e.hint ? ` (hint: ${e.hint})` : ''}`);
    return exitFor(e.code);
  }
}
