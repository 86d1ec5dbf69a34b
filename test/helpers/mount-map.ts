import { readFileSync } from 'node:fs';

/**
 * One mounted file system as /proc/self/mountinfo lists it.
 * Invariant: `mountPoint` is absolute and unescaped; `volume` (major:minor)
 * is the same for every mount (bind mounts too) of one file system.
 */
export interface Mount {
  mountPoint: string;
  volume: string;
  fsType: string;
}

/**
 * The file systems whose syncfs(2) writes back every dirty file, inode and
 * folder entry (tmpfs keeps nothing across a power cut, so durability is
 * moot there and its syncfs counts). On FUSE and every other type, syncfs
 * may be a no-op: only fsync counts.
 */
export const SYNCFS_HONOURED: ReadonlySet<string> = new Set(['ext4', 'xfs', 'btrfs', 'f2fs', 'tmpfs']);

/** Kernel pseudo file systems: what is written there is not data on a disk, so the audit ignores it. */
const PSEUDO: ReadonlySet<string> = new Set([
  'proc',
  'sysfs',
  'devtmpfs',
  'devpts',
  'cgroup',
  'cgroup2',
  'mqueue',
  'debugfs',
  'tracefs',
  'securityfs',
  'pstore',
  'bpf',
  'configfs',
  'fusectl',
  'hugetlbfs',
  'autofs',
  'binfmt_misc',
  'nsfs',
  'efivarfs',
  'rpc_pipefs',
]);

/** Path → its mount (longest mount-point prefix), from a mountinfo text. */
export class MountMap {
  private readonly mounts: Mount[];

  constructor(mountinfo: string) {
    const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    this.mounts = [];
    for (const line of mountinfo.split('\n')) {
      const f = line.split(' ');
      const dash = f.indexOf('-');
      if (f.length < 10 || dash < 6) continue;
      this.mounts.push({ mountPoint: unescape(f[4]!), volume: f[2]!, fsType: f[dash + 1]! });
    }
    // Longest first, so the first prefix match is the deepest mount; later mounts over the same point win.
    this.mounts.reverse().sort((a, b) => b.mountPoint.length - a.mountPoint.length);
  }

  /** The mount table of this process (the CLI it starts shares its mount namespace). */
  static current(): MountMap {
    return new MountMap(readFileSync('/proc/self/mountinfo', 'utf8'));
  }

  of(p: string): Mount | undefined {
    return this.mounts.find((m) => m.mountPoint === '/' || p === m.mountPoint || p.startsWith(m.mountPoint + '/'));
  }

  /** Whether a syncfs of the volume holding `p` makes its changes durable. */
  syncfsHonoured(p: string): boolean {
    return SYNCFS_HONOURED.has(this.of(p)?.fsType ?? '');
  }

  /** Whether `p` is on a kernel pseudo file system (or is not a path at all: a pipe, a socket). */
  pseudo(p: string): boolean {
    if (!p.startsWith('/')) return true;
    return PSEUDO.has(this.of(p)?.fsType ?? '');
  }
}
