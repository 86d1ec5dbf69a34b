/**
 * A fake disk for the step unit tests: nodes in a map keyed by the exact
 * path string (no normalising, no host path rules, so a test sees how the
 * code under test spelled each path), every call recorded in order as
 * `name(arg, …)`. Only what the step functions need; trees are single nodes.
 */
import { RelocateError } from '../../../src/core/errors.js';
import type { FsPort, NodeInfo, NodeMeta, OutsideName, ProgressFn, RootMadeFn } from '../../../src/exec/fs-port.js';

export class RecordingPort implements FsPort {
  readonly calls: string[] = [];
  readonly nodes = new Map<string, NodeInfo>();
  readonly dests = new Map<string, string>();
  /** What snapshot() and snapshotNames() answer, by root. */
  readonly snapshots = new Map<string, NodeMeta[]>();
  outside: { found: OutsideName[]; missing: number } = { found: [], missing: 0 };
  /** Paths whose verify fails with E_VERIFY (as original or copy). */
  readonly differing = new Set<string>();
  private nextIno = 100;

  private log(name: string, ...args: unknown[]): void {
    this.calls.push(`${name}(${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(', ')})`);
  }

  /** Puts a node at `p` (ino given, or a fresh one) and returns it. */
  put(p: string, kind: NodeInfo['kind'], ino?: number, linkDest?: string): NodeInfo {
    const n: NodeInfo = { kind, dev: '1', ino: String(ino ?? this.nextIno++), ...(linkDest !== undefined ? { linkText: linkDest } : {}) };
    this.nodes.set(p, n);
    if (linkDest !== undefined) this.dests.set(p, linkDest);
    return n;
  }

  async lstat(p: string): Promise<NodeInfo | null> {
    return this.nodes.get(p) ?? null;
  }
  async mkdirs(p: string): Promise<string[]> {
    this.log('mkdirs', p);
    if (this.nodes.has(p)) return [];
    this.put(p, 'dir');
    return [p];
  }
  async missingDirs(p: string): Promise<string[]> {
    return this.nodes.has(p) ? [] : [p];
  }
  async rmdirIfEmpty(p: string): Promise<boolean> {
    this.log('rmdirIfEmpty', p);
    return this.nodes.delete(p);
  }
  async renameNoReplace(from: string, to: string): Promise<void> {
    this.log('renameNoReplace', from, to);
    const n = this.nodes.get(from);
    if (!n || this.nodes.has(to)) throw new RelocateError('E_INCONSISTENT', `fake rename ${from} → ${to}`);
    this.nodes.delete(from);
    this.nodes.set(to, n);
  }
  async copyTree(from: string, to: string, _progress?: ProgressFn, onRoot?: RootMadeFn): Promise<void> {
    this.log('copyTree', from, to);
    const root = this.put(to, this.nodes.get(from)?.kind ?? 'dir');
    onRoot?.(root);
  }
  async outsideNames(): Promise<{ found: OutsideName[]; missing: number }> {
    return this.outside;
  }
  async restoreMissing(twin: string, root: string): Promise<number> {
    this.log('restoreMissing', twin, root);
    return 0;
  }
  async treeBytes(): Promise<number> {
    return 0;
  }
  async verify(original: string, copy: string, mode: string, subset: boolean): Promise<void> {
    this.log('verify', original, copy, mode, subset);
    if (this.differing.has(original) || this.differing.has(copy)) throw new RelocateError('E_VERIFY', `fake: ${copy} differs from ${original}`);
  }
  async snapshot(root: string): Promise<NodeMeta[]> {
    return this.snapshots.get(root) ?? [];
  }
  async snapshotNames(root: string): Promise<Iterable<string>> {
    return (this.snapshots.get(root) ?? []).map((n) => n.rel);
  }
  async restoreSnapshot(fromRoot: string, toRoot: string, nodes: NodeMeta[]): Promise<void> {
    this.log('restoreSnapshot', fromRoot, toRoot);
    const root = nodes.find((n) => n.rel === '');
    if (!this.nodes.has(toRoot)) this.put(toRoot, root?.kind ?? 'dir');
  }
  async createLink(p: string, target: string, kind: string): Promise<void> {
    this.log('createLink', p, target, kind);
    this.put(p, kind === 'hardlink' ? 'file' : kind === 'junction' ? 'junction' : 'symlink', undefined, kind === 'hardlink' ? undefined : target);
  }
  async restoreLink(p: string, linkText: string, kind: 'symlink' | 'junction'): Promise<void> {
    this.log('restoreLink', p, linkText, kind);
    this.put(p, kind, undefined, linkText);
  }
  async linkDestination(p: string): Promise<string | null> {
    return this.dests.get(p) ?? null;
  }
  async removeLink(p: string): Promise<void> {
    this.log('removeLink', p);
    this.nodes.delete(p);
  }
  async unlinkFile(p: string): Promise<void> {
    this.log('unlinkFile', p);
    this.nodes.delete(p);
  }
  async hardLink(existing: string, p: string): Promise<void> {
    this.log('hardLink', existing, p);
    const n = this.nodes.get(existing);
    if (n) this.nodes.set(p, n);
  }
  async deleteTree(p: string): Promise<void> {
    this.log('deleteTree', p);
    this.nodes.delete(p);
  }
  async syncDir(): Promise<void> {}
}
