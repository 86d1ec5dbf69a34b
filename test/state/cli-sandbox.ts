/**
 * Shared helpers for the CLI tests of `plan` and `status` (test/cli/plan-*,
 * test/cli/status-*): a throwaway sandbox folder built for real, a manifest
 * writer, and `runUnchanged`, which runs the built CLI and asserts that the
 * disk is exactly as it was (DESIGN.md: `plan` and `status` never change the
 * disk). Every plan/status test goes through `runUnchanged`.
 */
import { linkSync, lstatSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, type TestContext } from 'vitest';
import { runCliAsync, type CliResult } from '../helpers/cli.js';
import { snapshotTree } from '../helpers/snapshot.js';
import type { PlanEntryJson, PlanJson } from '../../src/render/plan-json.js';

/** One manifest entry; values are written as single-quoted YAML scalars. */
export interface EntrySpec {
  link: string;
  target: string;
  type?: 'auto' | 'symlink' | 'junction' | 'hardlink';
  conflict?: 'fail' | 'backup' | 'merge';
  retarget?: 'move' | 'relink';
  state?: 'present' | 'absent';
  force?: boolean;
}

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** A manifest's text for the given entries. */
export function manifestText(entries: EntrySpec[]): string {
  const lines = ['version: 1', 'links:'];
  for (const e of entries) {
    lines.push(`  - link: ${q(e.link)}`, `    target: ${q(e.target)}`);
    if (e.type) lines.push(`    type: ${e.type}`);
    if (e.conflict) lines.push(`    conflict: ${e.conflict}`);
    if (e.retarget) lines.push(`    retarget: ${e.retarget}`);
    if (e.state) lines.push(`    state: ${e.state}`);
    if (e.force !== undefined) lines.push(`    force: ${e.force}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * A fresh folder under the system temp folder (its real path, so paths in
 * the plan compare as written). `stateDir` is inside it but not created:
 * a plan that created it would show up in the snapshot.
 */
export class Sandbox {
  readonly root: string;
  readonly stateDir: string;
  /** More roots snapshotted with the sandbox (a tmpfs mount holding targets). */
  readonly extraRoots: string[] = [];

  constructor(label: string) {
    this.root = realpathSync(mkdtempSync(path.join(os.tmpdir(), `relocate-${label}-`)));
    this.stateDir = path.join(this.root, 'state');
  }

  p(...parts: string[]): string {
    return path.join(this.root, ...parts);
  }

  /** Makes a folder (and its parents) and returns its path. `at` may be absolute (a tmpfs). */
  dir(at: string): string {
    const p = path.isAbsolute(at) ? at : this.p(at);
    mkdirSync(p, { recursive: true });
    return p;
  }

  /** Writes a file (parents made) and returns its path. */
  file(at: string, content: string | Buffer): string {
    const p = path.isAbsolute(at) ? at : this.p(at);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
    return p;
  }

  /** A symbolic link at `at` whose text is exactly `text`. */
  symlink(at: string, text: string): string {
    const p = path.isAbsolute(at) ? at : this.p(at);
    mkdirSync(path.dirname(p), { recursive: true });
    symlinkSync(text, p);
    return p;
  }

  hardlink(at: string, existing: string): string {
    const p = path.isAbsolute(at) ? at : this.p(at);
    linkSync(path.isAbsolute(existing) ? existing : this.p(existing), p);
    return p;
  }

  /** Writes `relocate.yaml` (or `name`) in the sandbox root and returns its path. */
  manifest(entries: EntrySpec[] | string, name = 'relocate.yaml'): string {
    return this.file(name, typeof entries === 'string' ? entries : manifestText(entries));
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** A Sandbox removed when the test finishes, however it ends. */
export function sandboxFor(ctx: TestContext, label: string): Sandbox {
  const sb = new Sandbox(label);
  ctx.onTestFinished(() => sb.cleanup());
  return sb;
}

/**
 * Everything a user could notice about the trees, links never followed:
 * snapshotTree (kind, mode, size, file mtime and content hash, link text)
 * plus every node's mtime and ctime (ctime changes on any chmod, rename,
 * link count or write, even one undone), so a temporary file created and
 * removed, or a touched folder, shows too.
 */
export function diskState(roots: string[], ignore: (p: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [p, v] of Object.entries(snapshotTree(...roots))) {
    if (ignore(p)) continue;
    const s = lstatSync(p, { bigint: true });
    out[p] = `${v} m${s.mtimeNs} c${s.ctimeNs}`;
  }
  return out;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Paths the command is expected to change (e.g. `--out FILE` and its folder); left out of the comparison. */
  ignore?: (p: string) => boolean;
}

/**
 * Runs the built CLI with `args` and asserts the sandbox (and its extra
 * roots) is byte-for-byte, time-for-time the same afterwards. `--state-dir`
 * is always the sandbox's, so nothing touches the real home.
 */
export function runUnchanged(sb: Sandbox, args: string[], opts: RunOptions = {}): Promise<CliResult> {
  // One run at a time per sandbox: the snapshot reads every file, and a plan running beside it would
  // rightly see this test process holding a file of the tree open (E_IN_USE) and say so.
  const prev = sandboxBusy.get(sb) ?? Promise.resolve();
  const run = prev.catch(() => undefined).then(() => runUnchangedNow(sb, args, opts));
  sandboxBusy.set(sb, run);
  return run;
}

const sandboxBusy = new WeakMap<Sandbox, Promise<unknown>>();

async function runUnchangedNow(sb: Sandbox, args: string[], opts: RunOptions): Promise<CliResult> {
  const roots = [sb.root, ...sb.extraRoots];
  const before = diskState(roots, opts.ignore);
  expect(Object.keys(before).length).toBeGreaterThan(0);
  const res = await runCliAsync([...args, '--state-dir', sb.stateDir], { cwd: opts.cwd ?? sb.root, ...(opts.env ? { env: opts.env } : {}) });
  const after = diskState(roots, opts.ignore);
  expect(after, `\`relocate ${args.join(' ')}\` changed the disk`).toEqual(before);
  return res;
}

/** `relocate plan --json` in the sandbox: the disk checked unchanged, stdout parsed. */
export async function planJsonIn(
  sb: Sandbox,
  extraArgs: string[] = [],
  opts: RunOptions = {},
): Promise<{ status: number | null; doc: PlanJson; stderr: string }> {
  const res = await runUnchanged(sb, ['plan', '--json', ...extraArgs], opts);
  let doc: PlanJson;
  try {
    doc = JSON.parse(res.stdout) as PlanJson;
  } catch {
    throw new Error(`plan --json printed no JSON (exit ${res.status}):\n${res.stdout}\n${res.stderr}`);
  }
  return { status: res.status, doc, stderr: res.stderr };
}

/** The entry of a plan document whose link is `link`. */
export function entryAt(doc: PlanJson, link: string): PlanEntryJson {
  const e = doc.entries.find((x) => x.link === link);
  if (!e) throw new Error(`no plan entry for ${link}; entries: ${doc.entries.map((x) => x.link).join(', ')}`);
  return e;
}

/** Every finding code of a plan: the entries' and the global ones, sorted. */
export function findingCodes(doc: PlanJson): string[] {
  return [...doc.entries.flatMap((e) => e.findings.map((f) => f.code)), ...doc.findings.map((f) => f.code)].sort();
}

/** Deterministic bytes of a given size (content differs per seed). */
export function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}
