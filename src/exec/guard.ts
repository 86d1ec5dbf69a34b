import { RelocateError } from '../core/errors.js';
import { asideName, backupName, stagingName } from '../core/own-names.js';
import { canonicalPath, pathApi, pathKey, styleForOs, type PathStyle } from '../core/paths.js';
import { utcStamp } from '../journal/runs.js';
import type { JournalLine, RunRecord } from '../journal/types.js';
import { changedPaths } from '../plan/entry-paths.js';
import type { ResolvedLinkType } from '../plan/types.js';
import type { InUseFile } from '../state/types.js';
import type { FsPort, NodeInfo, NodeMeta, OutsideName, OutsideNames, ProgressFn, RootMadeFn } from './fs-port.js';
import { entryTag, type VerifyMode } from './steps.js';

/**
 * What one run may touch: the links and targets of its plan's changing
 * entries (and the path whose link a remove/restore takes away, and the old
 * target a retarget moves the data from), the run's
 * id (staging and set-aside names), its backup stamp, and the folders its
 * mkdirs steps created (from the journal, for a rollback in a later process).
 */
export interface GuardScope {
  runId: string;
  stamp: string;
  paths: string[];
  created?: string[];
  /**
   * Each changing entry's paths with its entry tag (`<run>-<order>`): the
   * staging and set-aside names beside those paths carry that tag. Names
   * with the run id alone (older runs) are accepted beside every path.
   */
  tagged?: { path: string; tag: string }[];
  /** How the plan spells its paths (the plan's OS): its names are compared, and relocate's beside them made, that way; never the host's. */
  style: PathStyle;
}

/** The scope of a run, from its record (never from its steps, which a bug could have made wrong) and journal. */
export function runScope(record: RunRecord, journal: JournalLine[]): GuardScope {
  const paths: string[] = [];
  const tagged: { path: string; tag: string }[] = [];
  for (const p of record.plan.entries) {
    const own = changedPaths(p);
    if (own.length === 0) continue;
    // A remove's name, or the link a restore removes first: a name the run deletes beyond the entry's own paths.
    const removes = p.action === 'remove' || p.action === 'restore' ? p.removes : undefined;
    if (removes) own.push(removes);
    paths.push(...own);
    for (const path of own) tagged.push({ path, tag: entryTag(record.id, p.order) });
  }
  const mkdirSteps = new Set(record.steps.filter((rs) => rs.step.op === 'mkdirs').map((rs) => rs.n));
  const created: string[] = [];
  for (const l of journal) {
    if (l.t !== 'begin' || !mkdirSteps.has(l.n)) continue;
    const c = l.info?.created;
    if (Array.isArray(c)) for (const d of c) if (typeof d === 'string') created.push(d);
  }
  return { runId: record.id, stamp: utcStamp(new Date(record.startedAt)), paths, created, tagged, style: styleForOs(record.plan.os) };
}

function isLink(n: NodeInfo | null): boolean {
  return n !== null && (n.kind === 'symlink' || n.kind === 'junction');
}

/**
 * The Fs port every run goes through (apply, resume, rollback): before any
 * call that removes something (deleteTree, removeLink, unlinkFile,
 * rmdirIfEmpty), moves it away (renameNoReplace) or writes at a path
 * (copyTree, restoreSnapshot, createLink, restoreLink, hardLink, mkdirs and
 * a rename's destination), the path is checked against the run's scope:
 *
 * - a link or target of a changing plan entry, or
 * - one of relocate's own names beside one (`.relocate-partial-<run>-<order>`,
 *   `.relocate-old-<run>-<order>` with the order of an entry naming that
 *   path, the same with the run id alone as older runs named them, `.relocate-backup-<stamp>`, the undo staging
 *   `.relocate-partial-undo`, and those names' own such names), or
 * - a path inside one of those (a merge moves items one by one) — reached
 *   through real folders only: a link on the way would lead elsewhere, or
 * - for mkdirs, a parent folder of one; for rmdirIfEmpty, a folder the
 *   run created.
 *
 * Anything else is refused with E_GUARD before the call reaches the disk:
 * nothing the manifest does not name can be deleted, even by a bug. Reads
 * pass through unchecked.
 */
export class GuardedFs implements FsPort {
  /** Keys of the links and targets themselves. */
  private readonly plain = new Set<string>();
  /** Their canonical paths, for `beside` (built on first need, see scopedKeys). */
  private readonly canon: string[] = [];
  /** Keys of the links and targets and of relocate's names beside them: what may be touched, with everything inside. */
  private scoped?: Set<string>;
  private readonly ancestors = new Set<string>();
  private readonly created = new Set<string>();

  private readonly style: PathStyle;
  private readonly api: ReturnType<typeof pathApi>;

  constructor(
    private readonly inner: FsPort,
    private readonly scope: GuardScope,
  ) {
    this.style = scope.style;
    this.api = pathApi(this.style);
    for (const p of scope.paths) {
      if (!p) continue;
      const c = canonicalPath(p, this.style);
      this.canon.push(c);
      const k = pathKey(c, this.style);
      this.plain.add(k);
      for (let up = this.api.dirname(k); !this.ancestors.has(up); up = this.api.dirname(up)) {
        this.ancestors.add(up);
        if (this.api.dirname(up) === up) break;
      }
    }
    for (const d of scope.created ?? []) {
      const k = pathKey(d, this.style);
      if (this.ancestors.has(k) || this.baseOf(k) !== undefined) this.created.add(k);
    }
  }

  /**
   * Every scoped key, relocate's names beside each path included: some 20
   * names per path (with a hash for long ones), so built only when a path
   * is checked that is not itself a link or target (a move's staging copy,
   * a merge's insides); a run of links alone never needs it.
   */
  private scopedKeys(): Set<string> {
    if (this.scoped) return this.scoped;
    const { runId, stamp } = this.scope;
    // Relocate's names beside a path, and beside those (the undo staging of a set-aside copy).
    const beside = (tag: string) => (p: string) => [
      stagingName(p, tag, this.style),
      asideName(p, tag, this.style),
      stagingName(p, 'undo', this.style),
      backupName(p, stamp, this.style),
    ];
    const scoped = new Set(this.plain);
    const add = (c: string, tag: string) => {
      const near = beside(tag);
      for (const x of [...near(c), ...near(c).flatMap(near)]) scoped.add(pathKey(x, this.style));
    };
    for (const c of this.canon) add(c, runId);
    for (const t of this.scope.tagged ?? []) if (t.path) add(canonicalPath(t.path, this.style), t.tag);
    return (this.scoped = scoped);
  }

  /** Wraps `inner` for one run; an already guarded port is wrapped again (each run has its own scope). */
  static forRun(inner: FsPort, record: RunRecord, journal: JournalLine[]): GuardedFs {
    return new GuardedFs(inner, runScope(record, journal));
  }

  /** The scoped path at or above `key`, if any: O(depth) set lookups. */
  private baseOf(key: string): string | undefined {
    // A link or target itself (every call of a run of links) is its own base: nothing deeper can be scoped.
    if (this.plain.has(key)) return key;
    const scoped = this.scopedKeys();
    for (let cur = key; ; cur = this.api.dirname(cur)) {
      if (scoped.has(cur)) return cur;
      if (this.api.dirname(cur) === cur) return undefined;
    }
  }

  private refuse(what: string, p: string): never {
    throw new RelocateError(
      'E_GUARD',
      `relocate refused to ${what} ${p}: the run's plan does not name it (a run touches only its links, its targets, its own copies beside them, and the folders it created)`,
      {
        path: p,
        hint: 'nothing was changed by this call. This is a bug in relocate: please report it with `relocate history` and the --verbose output; `relocate rollback` undoes the run',
      },
    );
  }

  /** Refuses `p` unless it is in scope; a path inside a scoped one must be reached through real folders. */
  private async check(what: string, p: string): Promise<void> {
    const c = canonicalPath(p, this.style);
    const key = pathKey(c, this.style);
    const base = this.baseOf(key);
    if (base === undefined) this.refuse(what, p);
    if (base === key) return;
    for (let cur = this.api.dirname(c); ; cur = this.api.dirname(cur)) {
      if (isLink(await this.inner.lstat(cur))) this.refuse(`${what} (through the link ${cur})`, p);
      if (pathKey(cur, this.style) === base || this.api.dirname(cur) === cur) return;
    }
  }

  lstat(p: string): Promise<NodeInfo | null> {
    return this.inner.lstat(p);
  }

  async mkdirs(p: string): Promise<string[]> {
    if (!this.ancestors.has(pathKey(p, this.style))) await this.check('create the folder', p);
    // Recorded before the call: a mkdirs that fails halfway (or after) has still made folders its undo removes.
    for (const d of await this.inner.missingDirs(p)) this.created.add(pathKey(d, this.style));
    return this.inner.mkdirs(p);
  }

  missingDirs(p: string): Promise<string[]> {
    return this.inner.missingDirs(p);
  }

  async rmdirIfEmpty(p: string): Promise<boolean> {
    if (!this.created.has(pathKey(p, this.style))) await this.check('remove the folder', p);
    return this.inner.rmdirIfEmpty(p);
  }

  async renameNoReplace(from: string, to: string): Promise<void> {
    await this.check('move away', from);
    await this.check('move something to', to);
    return this.inner.renameNoReplace(from, to);
  }

  async copyTree(from: string, to: string, progress?: ProgressFn, onRoot?: RootMadeFn, reuse?: readonly OutsideName[]): Promise<void> {
    await this.check('copy to', to);
    return this.inner.copyTree(from, to, progress, onRoot, reuse);
  }

  outsideNames(root: string): Promise<OutsideNames> {
    return this.inner.outsideNames(root);
  }

  /** Writes only inside `root` (staging names beside missing nodes, then renames into place). */
  async restoreMissing(twin: string, root: string, reuse?: readonly OutsideName[]): Promise<number> {
    await this.check('restore files to', root);
    return this.inner.restoreMissing(twin, root, reuse);
  }

  treeBytes(p: string): Promise<number> {
    return this.inner.treeBytes(p);
  }

  verify(original: string, copy: string, mode: VerifyMode, subset: boolean, progress?: ProgressFn): Promise<void> {
    return this.inner.verify(original, copy, mode, subset, progress);
  }

  snapshot(root: string): Promise<NodeMeta[]> {
    return this.inner.snapshot(root);
  }

  snapshotNames(root: string): Promise<Iterable<string>> {
    return this.inner.snapshotNames(root);
  }

  async restoreSnapshot(fromRoot: string, toRoot: string, nodes: NodeMeta[]): Promise<void> {
    await this.check('restore files to', toRoot);
    return this.inner.restoreSnapshot(fromRoot, toRoot, nodes);
  }

  async createLink(p: string, target: string, kind: ResolvedLinkType): Promise<void> {
    await this.check('create a link at', p);
    return this.inner.createLink(p, target, kind);
  }

  async restoreLink(p: string, linkText: string, kind: 'symlink' | 'junction', dirHint: boolean): Promise<void> {
    await this.check('recreate a link at', p);
    return this.inner.restoreLink(p, linkText, kind, dirHint);
  }

  linkDestination(p: string): Promise<string | null> {
    return this.inner.linkDestination(p);
  }

  async removeLink(p: string): Promise<void> {
    await this.check('remove the link', p);
    return this.inner.removeLink(p);
  }

  async unlinkFile(p: string): Promise<void> {
    await this.check('remove', p);
    return this.inner.unlinkFile(p);
  }

  async hardLink(existing: string, p: string): Promise<void> {
    await this.check('create a hard link at', p);
    return this.inner.hardLink(existing, p);
  }

  async deleteTree(p: string): Promise<void> {
    await this.check('delete', p);
    return this.inner.deleteTree(p);
  }

  /** A read: passes through unchecked. */
  async assertOneDevice(p: string): Promise<void> {
    await this.inner.assertOneDevice?.(p);
  }

  syncDir(p: string): Promise<void> {
    return this.inner.syncDir(p);
  }

  /** Passes through: it only reads. */
  processesUsing(p: string): Promise<InUseFile[]> {
    return this.inner.processesUsing ? this.inner.processesUsing(p) : Promise.resolve([]);
  }

  /** Passes through: it defers syncs, and every call made inside is still checked here. */
  syncBatch<T>(fn: () => Promise<T>): Promise<T> {
    return this.inner.syncBatch ? this.inner.syncBatch(fn) : fn();
  }
}
