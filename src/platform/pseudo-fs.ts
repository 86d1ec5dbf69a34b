/**
 * Kernel pseudo file systems: their files are made by the kernel on each
 * read (proc, sysfs) or stand for kernel objects (cgroups, devices, BPF
 * maps), so nothing on them is data relocate could move. Walking one is
 * also unsafe: /proc changes under a walk (ENOENT halfway), and /sys has
 * files that block or are huge. The one table of them; Linux only.
 */

/** By the name the mount table gives (/proc/self/mountinfo's fstype). */
const PSEUDO_NAMES = new Set([
  'proc',
  'sysfs',
  'cgroup',
  'cgroup2',
  'cpuset',
  'devtmpfs',
  'devpts',
  'debugfs',
  'securityfs',
  'tracefs',
  'bpf',
  'pstore',
  'configfs',
  'fusectl',
  'hugetlbfs',
  'mqueue',
  'efivarfs',
  'autofs',
  'binfmt_misc',
  'nsfs',
  'selinuxfs',
  'smackfs',
  'rpc_pipefs',
  'nfsd',
  'resctrl',
  'binder',
  'xenfs',
  'usbfs',
  'functionfs',
]);

/**
 * By statfs(2)'s f_type (linux/magic.h), for when the mount table cannot be
 * read. devtmpfs reports tmpfs's number there, so only the table tells it.
 */
const PSEUDO_MAGIC = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x1cd1, 'devpts'],
  [0x64626720, 'debugfs'],
  [0x73636673, 'securityfs'],
  [0x74726163, 'tracefs'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0x62656570, 'configfs'],
  [0x65735543, 'fusectl'],
  [0x958458f6, 'hugetlbfs'],
  [0x19800202, 'mqueue'],
  [0xde5e81e4, 'efivarfs'],
  [0x0187, 'autofs'],
  [0x42494e4d, 'binfmt_misc'],
  [0x6e736673, 'nsfs'],
  [0xf97cff8c, 'selinuxfs'],
  [0x43415d53, 'smackfs'],
  [0x67596969, 'rpc_pipefs'],
]);

/** Whether a file system named so (by the mount table) is a pseudo file system. */
export function isPseudoFsName(fsType: string): boolean {
  return PSEUDO_NAMES.has(fsType);
}

/** The pseudo file system a statfs f_type stands for, if it is one. */
export function pseudoFsOfMagic(type: number | bigint): string | undefined {
  return PSEUDO_MAGIC.get(Number(type));
}
