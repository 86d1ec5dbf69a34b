import { execFileSync } from 'node:child_process';

/**
 * The demo's fake D: as a volume of its own, or why it is a plain folder.
 * Invariant: `mounted` true means a tmpfs relocate-demo mounted at `dir`
 * by this process, which unmountDemoVolume takes away again.
 */
export type DemoVolume = { mounted: true; dir: string } | { mounted: false; why: string };

/** Folders this process mounted and has not unmounted yet: unmounting twice (an exit handler after a finally) does nothing. */
const mountedHere = new Set<string>();

/** Big enough for the demo's games (about 800 KiB) and its retarget; tmpfs takes memory only for what it holds. */
const SIZE = '16m';

/**
 * Mounts a small tmpfs at `dir` (an empty folder of the sandbox), so a
 * move from the fake C: to the fake D: crosses volumes as a move to
 * another drive does: copy, verify, then delete the original. Only root on
 * Linux may mount; anywhere else, or when mount fails, the answer says why
 * and D: stays a folder on C:'s disk (the move is then one rename).
 */
export function mountDemoVolume(dir: string): DemoVolume {
  if (process.platform !== 'linux') return { mounted: false, why: `the demo mounts a volume of its own only on Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { mounted: false, why: 'mounting a volume needs root' };
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE},mode=0755`, 'relocate-demo', dir], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
    mountedHere.add(dir);
    return { mounted: true, dir };
  } catch (err) {
    const said =
      String((err as { stderr?: Buffer }).stderr ?? '')
        .trim()
        .split('\n')[0] || (err as Error).message;
    return { mounted: false, why: `mount -t tmpfs failed (${said})` };
  }
}

/**
 * Unmounts the demo's volume, synchronously (it also runs from an exit
 * handler, where nothing asynchronous finishes). A volume still busy is
 * detached lazily (umount -l), so it never outlives the demo in the mount
 * table. Returns why it could not, or undefined when done (or nothing was
 * mounted, or it was unmounted already).
 */
export function unmountDemoVolume(v: DemoVolume): string | undefined {
  if (!v.mounted || !mountedHere.has(v.dir)) return undefined;
  for (const args of [[v.dir], ['-l', v.dir]]) {
    try {
      execFileSync('umount', args, { stdio: 'ignore', timeout: 10_000 });
      mountedHere.delete(v.dir);
      return undefined;
    } catch (err) {
      if (args[0] === '-l') return `umount ${v.dir} failed: ${(err as Error).message}`;
    }
  }
  return undefined;
}
