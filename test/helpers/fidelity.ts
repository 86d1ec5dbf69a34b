import { execFileSync } from 'node:child_process';
import { closeSync, constants as C, lstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';

/** The tools the fidelity tests set attributes with: attr (setfattr, getfattr), acl (setfacl), libcap2-bin (setcap). */
export function fidelityToolsReason(): string | undefined {
  for (const [tool, pkg] of [
    ['setfattr', 'attr'],
    ['getfattr', 'attr'],
    ['setfacl', 'acl'],
    ['setcap', 'libcap2-bin'],
    ['getcap', 'libcap2-bin'],
  ]) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (Debian: ${pkg})`;
    }
  }
  return undefined;
}

/** Every extended attribute of a node (never followed), as getfattr reports them, hex values: read by another program than relocate. */
export function xattrsOf(p: string): string {
  const out = execFileSync('getfattr', ['-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', p], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes('='))
    .sort()
    .join(' ');
}

/** Hash of a file's bytes, read with O_NOATIME so the reading leaves its atime alone (root or the owner may). */
function hashNoAtime(p: string): string {
  const fd = openSync(p, C.O_RDONLY | C.O_NOATIME);
  try {
    const h = createHash('sha256');
    const buf = Buffer.alloc(1 << 20);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
    return h.digest('hex').slice(0, 16);
  } finally {
    closeSync(fd);
  }
}

/** A file's or folder's inode flags as lsattr shows them (e.g. `------dA------e-------`): '' for other kinds, '?' where the file system has none. */
export function lsattrOf(p: string): string {
  try {
    return execFileSync('lsattr', ['-d', p], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(' ')[0]!;
  } catch {
    return '?';
  }
}

export interface Fidelity {
  kind: string;
  owner: string;
  mode: string;
  mtimeNs: string;
  atimeNs: string;
  xattrs: string;
  /** Inode flags (lsattr) of files and folders. */
  flags: string;
  /** Content hash (files), link text (symlinks). */
  data: string;
  /** Allocated bytes of a file (st_blocks × 512). */
  allocated: number;
  /** `dev:ino` of files with more than one name, relative to the tree: which rels share one. */
  linkGroup: string;
}

/**
 * Everything a faithful copy keeps of every node under `root`, keyed by
 * path relative to it: kind, owner, mode, nanosecond times, extended
 * attributes (ACLs and capabilities among them), inode flags, content, and which files
 * are one (hard links). Read without changing atimes.
 */
export function fidelityOf(root: string): Record<string, Fidelity> {
  const out: Record<string, Fidelity> = {};
  const firstName = new Map<string, string>();
  const visit = (p: string, rel: string) => {
    const s = lstatSync(p, { bigint: true });
    const kind = s.isSymbolicLink() ? 'symlink' : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
    let linkGroup = '';
    if (kind === 'file' && s.nlink > 1n) {
      const id = `${s.dev}:${s.ino}`;
      if (!firstName.has(id)) firstName.set(id, rel);
      linkGroup = firstName.get(id)!;
    }
    out[rel] = {
      kind,
      owner: `${s.uid}:${s.gid}`,
      mode: (Number(s.mode) & 0o7777).toString(8),
      mtimeNs: String(s.mtimeNs),
      atimeNs: String(s.atimeNs),
      xattrs: xattrsOf(p),
      flags: kind === 'file' || kind === 'dir' ? lsattrOf(p) : '',
      data: kind === 'file' ? hashNoAtime(p) : kind === 'symlink' ? readlinkSync(p) : '',
      allocated: Number(s.blocks) * 512,
      linkGroup,
    };
    if (kind === 'dir') for (const name of readdirSync(p).sort()) visit(path.join(p, name), rel === '' ? name : `${rel}/${name}`);
  };
  visit(root, '');
  return out;
}

/** The same, with one field left out of every node (atimes, which reading the original changes; allocation, which differs by volume). */
export function without(f: Record<string, Fidelity>, ...fields: (keyof Fidelity)[]): Record<string, Partial<Fidelity>> {
  return Object.fromEntries(
    Object.entries(f).map(([rel, n]) => [rel, Object.fromEntries(Object.entries(n).filter(([k]) => !fields.includes(k as keyof Fidelity)))]),
  );
}

export function sh(cmd: string, ...args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
