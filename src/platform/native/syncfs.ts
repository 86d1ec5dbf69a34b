import os from 'node:os';
import { loadKoffi } from './koffi.js';

/**
 * Linux syncfs(2) through koffi: one call writes back every dirty file,
 * inode and directory entry of the filesystem holding `fd`, which is how a
 * copied tree is made durable in one journal commit instead of one fsync
 * per file. Returns null when unavailable — not Linux, no koffi binary,
 * RELOCATE_NATIVE=0, or a kernel before 5.8, whose syncfs did not report
 * write-back errors (a failed write would pass unseen) — and the caller
 * then fsyncs every file.
 */
export type NativeSyncfs = (fd: number) => { ok: true } | { ok: false; errno: number };

/** The one load, as a promise: callers that ask at once (volumeInfo for several paths) all wait for it, none sees a half-made answer. */
let loading: Promise<NativeSyncfs | null> | undefined;

/** True when the running kernel's syncfs reports write-back errors (Linux 5.8 and later). */
export function kernelReportsSyncfsErrors(release: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) return false;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major > 5 || (major === 5 && minor >= 8);
}

export function nativeSyncfs(): Promise<NativeSyncfs | null> {
  return (loading ??= load());
}

async function load(): Promise<NativeSyncfs | null> {
  if (process.platform !== 'linux' || !kernelReportsSyncfsErrors(os.release())) return null;
  const loaded = await loadKoffi();
  if ('reason' in loaded) return null;
  const { koffi } = loaded;
  try {
    const libc = koffi.load('libc.so.6');
    const syncfs = libc.func('int syncfs(int fd)');
    return (fd) => (syncfs(fd) === 0 ? { ok: true } : { ok: false, errno: koffi.errno() });
  } catch {
    return null;
  }
}
