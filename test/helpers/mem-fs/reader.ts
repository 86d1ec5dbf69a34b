/**
 * A DiskReader over the in-memory disk, so a test plans with the real
 * observer and planner (src/state/observe.ts, src/plan/planner.ts) from
 * what is on the disk, Windows paths included, on any host. Reads only.
 * Mounts, files in use and name rules are left out (the port's
 * processesUsing and the disk's volumes cover what the harness needs).
 */
import { canonicalPath } from '../../../src/core/paths.js';
import type { PathStyle } from '../../../src/core/paths.js';
import type { DiskReader } from '../../../src/state/reader.js';
import type { PathObservation, TreeComparison, TreeMeasure, VolumeInfo } from '../../../src/state/types.js';
import type { MemDisk } from './disk.js';
import type { MemNode } from './types.js';
import { walkTree } from './walk.js';

const MS = 1_000_000n;

/** The DiskReader of one in-memory disk: volumes by their dev, NTFS on Windows and ext4 on POSIX. */
export class MemDiskReader implements DiskReader {
  constructor(private readonly disk: MemDisk) {}

  private volumeInfo(p: string): VolumeInfo | undefined {
    const vol = this.disk.volumeOf(p);
    if (!vol) return undefined;
    const windows = this.disk.flavour === 'windows';
    return {
      id: vol.dev,
      root: vol.root,
      freeBytes: vol.freeBytes,
      fsType: windows ? 'ntfs' : 'ext4',
      supportsReparsePoints: windows,
      supportsHardLinks: true,
    };
  }

  async observe(p: string, style: PathStyle): Promise<PathObservation> {
    const api = this.disk.api;
    const n = this.disk.nodeAt(p);
    if (!n) {
      let up = api.dirname(p);
      while (!this.disk.nodeAt(up) && api.dirname(up) !== up) up = api.dirname(up);
      const volume = this.volumeInfo(up);
      return { path: p, kind: 'absent', ...(volume ? { volume } : {}), ...(this.disk.nodeAt(up) ? { existingParent: up } : {}) };
    }
    const volume = this.volumeInfo(p)!;
    const node = { path: p, mtimeMs: Number(n.mtimeNs / MS), mode: n.mode, ino: String(n.ino), volume };
    if (n.kind === 'symlink' || n.kind === 'junction') {
      const dest = this.disk.followed(p);
      const linkTargetKind = !dest ? 'absent' : dest.kind === 'dir' ? 'dir' : dest.kind === 'file' ? 'file' : 'other';
      return { ...node, kind: n.kind, linkText: n.text, linkTarget: canonicalPath(this.disk.linkTargetPath(p, n), style), linkTargetKind };
    }
    if (n.kind === 'file') return { ...node, kind: 'file', size: n.data.length, nlink: n.nlink };
    return { ...node, kind: n.kind };
  }

  async measure(p: string): Promise<TreeMeasure> {
    const m: TreeMeasure = { bytes: 0, files: 0, dirs: 0, links: 0 };
    const seen = new Set<MemNode>();
    let newest = 0;
    for (const w of walkTree(this.disk, p)) {
      const n = w.node;
      newest = Math.max(newest, Number(n.mtimeNs / MS));
      if (n.kind === 'dir') {
        if (w.rel !== '') m.dirs++;
      } else if (n.kind === 'file') {
        m.files++;
        if (!seen.has(n)) m.bytes += n.data.length;
        seen.add(n);
      } else m.links++;
    }
    m.newestMtimeMs = newest;
    return m;
  }

  async isEmptyFolder(p: string): Promise<boolean> {
    const n = this.disk.nodeAt(p);
    return n?.kind === 'dir' && n.children.size === 0;
  }

  async compare(linkPath: string, targetPath: string): Promise<TreeComparison> {
    const list = (root: string) =>
      new Map(
        walkTree(this.disk, root)
          .filter((w) => w.rel !== '')
          .map((w) => [w.rel, w.node]),
      );
    const a = list(linkPath);
    const b = list(targetPath);
    const out: TreeComparison = { onlyAtLink: [], onlyAtTarget: [], differ: [], identical: [] };
    for (const [rel, s] of a) {
      const t = b.get(rel);
      if (!t) out.onlyAtLink.push(rel);
      else if (s.kind !== t.kind) out.differ.push(rel);
      else if (s.kind === 'file' && t.kind === 'file') (s.data.equals(t.data) ? out.identical : out.differ).push(rel);
      else if ((s.kind === 'symlink' || s.kind === 'junction') && (t.kind === 'symlink' || t.kind === 'junction') && s.text !== t.text) out.differ.push(rel);
    }
    for (const rel of b.keys()) if (!a.has(rel)) out.onlyAtTarget.push(rel);
    for (const k of ['onlyAtLink', 'onlyAtTarget', 'differ', 'identical'] as const) out[k].sort();
    return out;
  }
}
