/**
 * A fault-injecting Fs port for tests: wraps any FsPort and makes the Nth
 * call of one kind fail, the way a real disk fails — with an errno (EIO,
 * EACCES, EPERM, EBUSY, ENOSPC, EXDEV) turned into a RelocateError by the
 * same `fsError` NodeFs uses, so the executor sees exactly what it would
 * see from the real port.
 *
 * Kinds and the calls they count:
 *   rename  renameNoReplace
 *   copy    copyTree, restoreMissing (one per call; `partial` leaves a torn staging of the first missing node)
 *   write   each file or link a copyTree or restoreSnapshot writes (a tree of 5 files is 5 writes)
 *   mkdir   mkdirs
 *   link    createLink, restoreLink, hardLink
 *   delete  deleteTree, removeLink, unlinkFile, rmdirIfEmpty
 *   sync    syncDir — also the inner port's own syncDir calls (after a rename, a link, a copy),
 *           by rebinding the inner object's `syncDir`
 *   read    lstat, missingDirs, verify, snapshot, treeBytes, linkDestination, outsideNames
 *
 *   any-change  the Nth call that changes the disk, whatever its kind (rename, copy, mkdir,
 *           link, delete, sync): how a test aims at the first steps of a recovery without
 *           knowing which calls it makes; it fires as that call's own kind, with the timing
 *           asked for where that kind has it (else its first)
 *
 * Timings: `before` fails without touching the disk; `after` lets the call
 * finish, then reports failure (an fsync error after a rename, a lost
 * reply); `partial` does part of the work, then fails: copyTree copies `k`
 * files (default: half) and tears the next one in half, restoreSnapshot
 * restores `k` nodes, deleteTree deletes `k` files or links, mkdirs makes
 * only the outermost missing folder. A `write` fault always tears the Nth
 * file in half after copying the ones before it. Reads fail `before`.
 *
 * A fault fires once. Without a fault the wrapper only counts, which is how
 * a test learns the calls of a clean run and then picks a fault point.
 */
import { constants as C } from 'node:fs';
import { copyFile, lstat, mkdir, open, readdir, readFile, readlink, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RelocateError } from '../../src/core/errors.js';
import type { FsPort, NodeInfo, NodeMeta, OutsideName, OutsideNames, ProgressFn, RootMadeFn } from '../../src/exec/fs-port.js';
import { stagingName } from '../../src/core/own-names.js';
import type { VerifyMode } from '../../src/exec/steps.js';
import type { ResolvedLinkType } from '../../src/plan/types.js';
import type { InUseFile } from '../../src/state/types.js';
import { fsError } from '../../src/platform/node-fs.js';

export const FAULT_KINDS = ['rename', 'copy', 'write', 'mkdir', 'link', 'delete', 'sync', 'read'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export const FAULT_ERRNOS = ['EIO', 'EACCES', 'EPERM', 'EBUSY', 'ENOSPC', 'EXDEV'] as const;
export type FaultErrno = (typeof FAULT_ERRNOS)[number];
export type FaultTiming = 'before' | 'after' | 'partial';

/** The timings each kind has (see the module comment). */
export const FAULT_TIMINGS: Record<FaultKind, FaultTiming[]> = {
  rename: ['before', 'after'],
  copy: ['before', 'after', 'partial'],
  write: ['partial'],
  mkdir: ['before', 'after', 'partial'],
  link: ['before', 'after'],
  delete: ['before', 'after', 'partial'],
  sync: ['before', 'after'],
  read: ['before'],
};

/** The kinds `any-change` counts: every call that changes the disk (a write is part of its copy). */
const CHANGE_KINDS: ReadonlySet<FaultKind> = new Set(['rename', 'copy', 'mkdir', 'link', 'delete', 'sync']);

const ERRNO_NUMBERS: Record<FaultErrno, number> = { EIO: 5, EACCES: 13, EPERM: 1, EBUSY: 16, ENOSPC: 28, EXDEV: 18 };

export interface FaultSpec {
  kind: FaultKind | 'any-change';
  /** 1-based: the Nth call of this kind fails. */
  n: number;
  timing: FaultTiming;
  errno: FaultErrno;
  /** For `partial`: files (copy, delete) or nodes (restore) done before the failure. */
  k?: number;
}

/** A fault that fired, as the kind of call it hit. */
export interface FiredFault extends FaultSpec {
  kind: FaultKind;
  op: string;
  path: string;
}

/** The error a real call would have thrown for this errno, through NodeFs's own mapping. */
export function injectedError(errno: FaultErrno, p: string, doing: string): RelocateError {
  const err = Object.assign(new Error(`${errno}: injected fault, ${doing} '${p}'`), { code: errno, errno: -ERRNO_NUMBERS[errno], syscall: doing, path: p });
  return fsError(err, p, doing);
}

interface WalkNode {
  rel: string;
  kind: 'dir' | 'file' | 'symlink' | 'other';
}

/** A tree's nodes, parents first, names sorted, links never entered. */
async function walk(root: string): Promise<WalkNode[]> {
  const out: WalkNode[] = [];
  const kindOf = (s: Awaited<ReturnType<typeof lstat>>): WalkNode['kind'] =>
    s.isSymbolicLink() ? 'symlink' : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
  const top = await lstat(root).catch(() => null);
  if (!top) return out;
  out.push({ rel: '', kind: kindOf(top) });
  if (!top.isDirectory()) return out;
  const queue = [''];
  while (queue.length > 0) {
    const rel = queue.shift()!;
    for (const name of (await readdir(rel === '' ? root : path.join(root, rel))).sort()) {
      const r = rel === '' ? name : `${rel}/${name}`;
      const s = await lstat(path.join(root, r));
      out.push({ rel: r, kind: kindOf(s) });
      if (s.isDirectory()) queue.push(r);
    }
  }
  return out;
}

const full = (root: string, rel: string) => (rel === '' ? root : path.join(root, ...rel.split('/')));

/**
 * Copies the first `k` files and links of a tree (all its folders first, as
 * NodeFs does) and writes half of the next file: what a copy that failed
 * midway leaves. Returns the path being written when it "failed".
 */
async function partialCopy(from: string, to: string, k: number): Promise<string> {
  const nodes = await walk(from);
  const leaves = nodes.filter((n) => n.kind !== 'dir');
  for (const d of nodes.filter((n) => n.kind === 'dir')) await mkdir(full(to, d.rel), { mode: 0o700 });
  for (let i = 0; i < Math.min(k, leaves.length); i++) {
    const n = leaves[i]!;
    if (n.kind === 'symlink') await symlink(await readlink(full(from, n.rel)), full(to, n.rel));
    else if (n.kind === 'file') await copyFile(full(from, n.rel), full(to, n.rel), C.COPYFILE_EXCL);
  }
  const next = leaves[k];
  if (next?.kind === 'file') {
    const data = await readFile(full(from, next.rel));
    const fh = await open(full(to, next.rel), 'wx');
    try {
      await fh.write(data.subarray(0, Math.floor(data.length / 2)));
    } finally {
      await fh.close();
    }
  }
  return next ? full(to, next.rel) : to;
}

/** Deletes the first `k` files and links of a tree (never entering a link). Returns the next path it "failed" on. */
async function partialDelete(root: string, k: number): Promise<string> {
  const leaves = (await walk(root)).filter((n) => n.kind !== 'dir');
  for (let i = 0; i < Math.min(k, leaves.length); i++) await unlink(full(root, leaves[i]!.rel));
  const next = leaves[k];
  return next ? full(root, next.rel) : root;
}

export class FaultyFs implements FsPort {
  readonly calls: Record<FaultKind, number> = { rename: 0, copy: 0, write: 0, mkdir: 0, link: 0, delete: 0, sync: 0, read: 0 };
  /** Calls that changed the disk, of any kind (what `any-change` counts). */
  private changes = 0;
  fired?: FiredFault;
  /** Every call, in order, when `trace` is on: what a failing case prints. */
  readonly trace: string[] = [];

  constructor(
    private readonly inner: FsPort,
    private fault?: FaultSpec,
    private readonly tracing = false,
  ) {
    // The inner port's own syncDir calls (NodeFs calls this.syncDir after renames, links and copies) count too.
    const own = inner.syncDir.bind(inner);
    (inner as { syncDir: FsPort['syncDir'] }).syncDir = async (p: string) => {
      const f = this.hit('sync', 'syncDir', p);
      if (f) throw injectedError(f.errno, p, 'syncing the folder');
      return own(p);
    };
  }

  /** Arms a fault (or disarms with undefined); counts start again from zero. */
  arm(fault: FaultSpec | undefined): void {
    this.fault = fault;
    this.fired = undefined;
    for (const k of Object.keys(this.calls) as FaultKind[]) this.calls[k] = 0;
    this.changes = 0;
  }

  /** Counts a call of `kind`; returns the fault when this is the call that fails. */
  private hit(kind: FaultKind, op: string, p: string, count = 1): FaultSpec | undefined {
    const before = this.calls[kind];
    this.calls[kind] += count;
    const changesBefore = this.changes;
    if (CHANGE_KINDS.has(kind)) this.changes += count;
    if (this.tracing) this.trace.push(`${op} ${p}`);
    const f = this.fault;
    if (!f || this.fired) return undefined;
    let spec: FaultSpec & { kind: FaultKind };
    if (f.kind === 'any-change') {
      if (!CHANGE_KINDS.has(kind) || f.n <= changesBefore || f.n > changesBefore + count) return undefined;
      const timings = FAULT_TIMINGS[kind];
      spec = { ...f, kind, n: before + (f.n - changesBefore), timing: timings.includes(f.timing) ? f.timing : timings[0]! };
    } else {
      if (f.kind !== kind || f.n <= before || f.n > before + count) return undefined;
      spec = { ...f, kind };
    }
    this.fired = { ...spec, op, path: p };
    if (this.tracing) this.trace.push(`  ^ FAULT ${spec.errno} ${spec.timing}`);
    return spec;
  }

  /** A plain call: fails before, or after, the inner call. */
  private async plain<T>(kind: FaultKind, op: string, p: string, doing: string, call: () => Promise<T>): Promise<T> {
    const f = this.hit(kind, op, p);
    if (!f) return call();
    if (f.timing === 'after' && kind !== 'read') {
      await call();
    }
    throw injectedError(f.errno, p, doing);
  }

  lstat(p: string): Promise<NodeInfo | null> {
    return this.plain('read', 'lstat', p, 'reading', () => this.inner.lstat(p));
  }

  missingDirs(p: string): Promise<string[]> {
    return this.plain('read', 'missingDirs', p, 'reading', () => this.inner.missingDirs(p));
  }

  treeBytes(p: string): Promise<number> {
    return this.plain('read', 'treeBytes', p, 'reading', () => this.inner.treeBytes(p));
  }

  verify(original: string, copy: string, mode: VerifyMode, subset: boolean, progress?: ProgressFn): Promise<void> {
    return this.plain('read', 'verify', copy, 'reading', () => this.inner.verify(original, copy, mode, subset, progress));
  }

  snapshot(root: string): Promise<NodeMeta[]> {
    return this.plain('read', 'snapshot', root, 'reading', () => this.inner.snapshot(root));
  }

  snapshotNames(root: string): Promise<Iterable<string>> {
    return this.plain('read', 'snapshot', root, 'reading', () => this.inner.snapshotNames(root));
  }

  linkDestination(p: string): Promise<string | null> {
    return this.plain('read', 'linkDestination', p, 'reading', () => this.inner.linkDestination(p));
  }

  async mkdirs(p: string): Promise<string[]> {
    const f = this.hit('mkdir', 'mkdirs', p);
    if (!f) return this.inner.mkdirs(p);
    if (f.timing === 'after') await this.inner.mkdirs(p);
    if (f.timing === 'partial') {
      const missing = await this.inner.missingDirs(p);
      if (missing.length > 0) await mkdir(missing[0]!);
    }
    throw injectedError(f.errno, p, 'creating the folder');
  }

  rmdirIfEmpty(p: string): Promise<boolean> {
    return this.plain('delete', 'rmdirIfEmpty', p, 'removing the folder', () => this.inner.rmdirIfEmpty(p));
  }

  renameNoReplace(from: string, to: string): Promise<void> {
    return this.plain('rename', 'renameNoReplace', `${from} -> ${to}`, `moving ${from} to`, () => this.inner.renameNoReplace(from, to));
  }

  async copyTree(from: string, to: string, progress?: ProgressFn, onRoot?: RootMadeFn, reuse?: readonly OutsideName[]): Promise<void> {
    const f = this.hit('copy', 'copyTree', `${from} -> ${to}`);
    // Writes are counted per file or link the copy makes.
    const leaves = (await walk(from)).filter((n) => n.kind !== 'dir').length;
    const before = this.calls.write;
    const w = this.hit('write', 'copyTree(files)', to, leaves);
    // A copy to a path already taken fails in the inner port, before any partial work.
    if ((f?.timing === 'partial' || w) && (await lstat(to).catch(() => null))) return this.inner.copyTree(from, to, progress, onRoot, reuse);
    // A partial copy reports its root as the real port does (there, before the root is filled).
    const partial = async (k: number) => {
      const failedAt = await partialCopy(from, to, k);
      const root = await this.inner.lstat(to);
      if (root) onRoot?.(root);
      return failedAt;
    };
    if (f) {
      if (f.timing === 'after') await this.inner.copyTree(from, to, progress, onRoot, reuse);
      if (f.timing === 'partial') throw injectedError(f.errno, await partial(f.k ?? Math.floor(leaves / 2)), `copying ${from} to`);
      throw injectedError(f.errno, to, `copying ${from} to`);
    }
    if (w) throw injectedError(w.errno, await partial(w.n - before - 1), `copying ${from} to`);
    return this.inner.copyTree(from, to, progress, onRoot, reuse);
  }

  outsideNames(root: string): Promise<OutsideNames> {
    return this.plain('read', 'outsideNames', root, 'reading', () => this.inner.outsideNames(root));
  }

  /**
   * Counted as one `copy` call: it fails before (or, timing `after`, after) putting back the missing nodes;
   * `partial` does what a kill in the middle of NodeFs's restore leaves: the first missing top (a node of the
   * twin whose folder is in `root` but which is not) copied in part to its staging name beside its place, not renamed in.
   */
  async restoreMissing(twin: string, root: string, reuse?: readonly OutsideName[]): Promise<number> {
    const f = this.hit('copy', 'restoreMissing', `${twin} -> ${root}`);
    if (!f) return this.inner.restoreMissing(twin, root, reuse);
    if (f.timing === 'after') await this.inner.restoreMissing(twin, root, reuse);
    if (f.timing === 'partial') {
      const have = new Set((await walk(root)).map((n) => n.rel));
      const top = (await walk(twin)).find((n) => !have.has(n.rel) && have.has(n.rel.includes('/') ? n.rel.slice(0, n.rel.lastIndexOf('/')) : ''));
      if (top) {
        const staging = stagingName(full(root, top.rel), 'undo');
        if (top.kind === 'dir') throw injectedError(f.errno, await partialCopy(full(twin, top.rel), staging, f.k ?? 0), `restoring ${twin} to`);
        if (top.kind === 'file') {
          const data = await readFile(full(twin, top.rel));
          await writeFile(staging, data.subarray(0, Math.floor(data.length / 2)), { flag: 'wx' });
        }
        throw injectedError(f.errno, staging, `restoring ${twin} to`);
      }
    }
    throw injectedError(f.errno, root, `restoring ${twin} to`);
  }

  async restoreSnapshot(fromRoot: string, toRoot: string, nodes: NodeMeta[]): Promise<void> {
    const leaves = nodes.filter((n) => n.kind !== 'dir').length;
    const before = this.calls.write;
    const w = this.hit('write', 'restoreSnapshot', toRoot, leaves);
    if (!w) return this.inner.restoreSnapshot(fromRoot, toRoot, nodes);
    // Restore the nodes up to (not including) the failing file, then fail.
    let seen = 0;
    const cut = nodes.findIndex((n) => n.kind !== 'dir' && ++seen === w.n - before);
    const done = nodes.slice(0, cut < 0 ? nodes.length : cut);
    if (done.length > 0) await this.inner.restoreSnapshot(fromRoot, toRoot, done);
    const failing = nodes[cut];
    throw injectedError(w.errno, failing ? full(toRoot, failing.rel) : toRoot, 'restoring');
  }

  createLink(p: string, target: string, kind: ResolvedLinkType): Promise<void> {
    return this.plain('link', 'createLink', p, `creating the ${kind} at`, () => this.inner.createLink(p, target, kind));
  }

  restoreLink(p: string, linkText: string, kind: 'symlink' | 'junction', dirHint: boolean): Promise<void> {
    return this.plain('link', 'restoreLink', p, 'recreating the link at', () => this.inner.restoreLink(p, linkText, kind, dirHint));
  }

  hardLink(existing: string, p: string): Promise<void> {
    return this.plain('link', 'hardLink', p, 'creating the hard link', () => this.inner.hardLink(existing, p));
  }

  removeLink(p: string): Promise<void> {
    return this.plain('delete', 'removeLink', p, 'removing the link', () => this.inner.removeLink(p));
  }

  unlinkFile(p: string): Promise<void> {
    return this.plain('delete', 'unlinkFile', p, 'removing', () => this.inner.unlinkFile(p));
  }

  async deleteTree(p: string): Promise<void> {
    const f = this.hit('delete', 'deleteTree', p);
    if (!f) return this.inner.deleteTree(p);
    if (f.timing === 'after') await this.inner.deleteTree(p);
    if (f.timing === 'partial') {
      const leaves = (await walk(p)).filter((n) => n.kind !== 'dir').length;
      throw injectedError(f.errno, await partialDelete(p, f.k ?? Math.floor(leaves / 2)), 'deleting');
    }
    throw injectedError(f.errno, p, 'deleting');
  }

  syncDir(p: string): Promise<void> {
    return this.inner.syncDir(p);
  }

  /** Passed through: the inner port defers its folder syncs (which still count, and may fail, as `sync`). */
  /** Passes through, uncounted: it only reads, and fault points stay where they were. */
  processesUsing(p: string): Promise<InUseFile[]> {
    return this.inner.processesUsing ? this.inner.processesUsing(p) : Promise.resolve([]);
  }

  syncBatch<T>(fn: () => Promise<T>): Promise<T> {
    return this.inner.syncBatch ? this.inner.syncBatch(fn) : fn();
  }
}
