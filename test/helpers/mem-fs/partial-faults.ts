/**
 * The `partial` faults of test/fault/faulty-fs.ts for the in-memory disk
 * (FaultyFs makes them on a real disk): the n-th copyTree or deleteTree
 * does part of its work, then fails with an errno, as a copy or delete cut
 * short by a failing disk leaves things. A copy makes its root (told to
 * `onRoot`) and every folder, copies its first `k` files and links, and
 * writes half of the next file; a delete removes its first `k` files and
 * links (the deepest first, as the port deletes). Without a fault the port
 * only counts.
 */
import type { NodeInfo, OutsideName, ProgressFn, RootMadeFn } from '../../../src/exec/fs-port.js';
import { injectedError, type FaultErrno } from '../../fault/faulty-fs.js';
import type { MemDisk } from './disk.js';
import { MemFsPort } from './port.js';
import { infoOf, keepMeta } from './tree-ops.js';
import { under, walkTree } from './walk.js';

export interface PartialFault {
  kind: 'copy' | 'delete';
  /** 1-based: the n-th call of this kind is cut short. */
  n: number;
  /** Files and links done before the failure. */
  k: number;
  errno: FaultErrno;
}

export class PartialFaultFs extends MemFsPort {
  readonly calls = { copy: 0, delete: 0 };
  fired = false;

  constructor(disk: MemDisk, private readonly fault?: PartialFault) {
    super(disk);
  }

  private hit(kind: 'copy' | 'delete'): boolean {
    const n = ++this.calls[kind];
    if (!this.fault || this.fired || this.fault.kind !== kind || this.fault.n !== n) return false;
    this.fired = true;
    return true;
  }

  override async copyTree(from: string, to: string, progress?: ProgressFn, onRoot?: RootMadeFn, reuse?: readonly OutsideName[]): Promise<void> {
    if (!this.hit('copy') || this.disk.nodeAt(to)) return super.copyTree(from, to, progress, onRoot, reuse);
    const nodes = walkTree(this.disk, from);
    const leaves = nodes.filter((w) => w.node.kind !== 'dir');
    const told = () => onRoot?.(infoOf(this.disk.nodeAt(to)!) as NodeInfo);
    for (const w of nodes.filter((x) => x.node.kind === 'dir')) {
      this.disk.mkdir(under(this.disk, to, w.rel), 0o700);
      if (w.rel === '') told();
    }
    const k = this.fault!.k;
    for (const [i, w] of leaves.entries()) {
      const dest = under(this.disk, to, w.rel);
      const n = w.node;
      if (i > k) break;
      if (n.kind === 'dir') continue;
      if (n.kind === 'file') {
        // The k+1-th file is torn in half: the failure came while writing it.
        const f = this.disk.createFile(dest, i < k ? n.data : n.data.subarray(0, Math.floor(n.data.length / 2)), 0o600);
        if (i < k) keepMeta(this.disk, n, f);
        if (w.rel === '') told();
        if (i === k) throw injectedError(this.fault!.errno, dest, `copying ${from} to`);
      } else if (i < k) {
        keepMeta(this.disk, n, this.disk.link(dest, n.text, n.kind, n.dirLink));
        if (w.rel === '') told();
      }
    }
    throw injectedError(this.fault!.errno, to, `copying ${from} to`);
  }

  override async deleteTree(p: string): Promise<void> {
    if (!this.hit('delete') || this.disk.nodeAt(p)?.kind !== 'dir') return super.deleteTree(p);
    const leaves = walkTree(this.disk, p).reverse().filter((w) => w.node.kind !== 'dir');
    for (const w of leaves.slice(0, this.fault!.k)) this.disk.unlink(w.path);
    throw injectedError(this.fault!.errno, leaves[this.fault!.k]?.path ?? p, 'deleting');
  }
}
