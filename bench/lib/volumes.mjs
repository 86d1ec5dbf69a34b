// Loop-mounted file system images for the scale figures: real ext4 and xfs
// (not tmpfs), each an image file in a temporary folder, mounted on a
// temporary folder, and always unmounted and detached on the way out (see
// cleanup.mjs), including those a SIGKILLed bench left behind.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onCleanup } from './cleanup.mjs';

const PREFIX = 'relocate-bench-';

/** Why loop mounts cannot be used here, or undefined when they can. */
export function loopUnavailable() {
  if (process.platform !== 'linux') return `loop mounts need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'loop mounts need root (run the bench as root, as CI does)';
  return undefined;
}

function unmount(dir) {
  if (spawnSync('umount', [dir], { stdio: 'ignore' }).status !== 0) spawnSync('umount', ['-l', dir], { stdio: 'ignore' });
}

/** Detaches every loop device still backed by `img` (mount -o loop sets autoclear, so usually none). */
function detach(img) {
  const out = spawnSync('losetup', ['-j', img], { encoding: 'utf8' }).stdout ?? '';
  for (const line of out.split('\n')) {
    const dev = line.split(':')[0];
    if (dev) spawnSync('losetup', ['-d', dev], { stdio: 'ignore' });
  }
}

/**
 * A loop volume: an image file of `sizeGiB` (sparse on the host) made with
 * `mkfs` (`ext4` or `xfs`) and mounted. `remake()` unmounts, makes the file
 * system afresh (or copies `pristine`, an image file, over it) and mounts
 * it again, so every trial starts from the same volume with a cold cache.
 */
export function loopVolume(label, type, sizeGiB, mkfsArgs = []) {
  const base = mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${label}-`));
  const img = path.join(base, `${type}.img`);
  const dir = path.join(base, 'mnt');
  execFileSync('mkdir', [dir]);
  let mounted = false;
  const vol = {
    img,
    dir,
    umount() {
      if (!mounted) return;
      unmount(dir);
      detach(img);
      mounted = false;
    },
    mount() {
      execFileSync('mount', ['-o', 'loop', img, dir]);
      mounted = true;
    },
    /** A fresh, empty file system. */
    remake() {
      vol.umount();
      rmSync(img, { force: true });
      execFileSync('truncate', ['-s', `${sizeGiB}G`, img]);
      execFileSync(type === 'xfs' ? 'mkfs.xfs' : 'mkfs.ext4', [...(type === 'xfs' ? ['-q', '-f'] : ['-q', '-F']), ...mkfsArgs, img], { stdio: 'ignore' });
      vol.mount();
    },
    /** The file system as it was when `saveAs` copied it. */
    restore(pristine) {
      vol.umount();
      rmSync(img, { force: true });
      execFileSync('cp', ['--sparse=always', pristine, img]);
      vol.mount();
    },
    /** Copies the image (unmounted, so complete) to `to`, then mounts it again. */
    saveAs(to) {
      vol.umount();
      execFileSync('cp', ['--sparse=always', img, to]);
      vol.mount();
    },
  };
  let gone = false;
  vol.dispose = () => {
    if (gone) return;
    gone = true;
    vol.umount();
    detach(img);
    rmSync(base, { recursive: true, force: true });
  };
  onCleanup(() => vol.dispose());
  vol.remake();
  return vol;
}

/** Unmounts loop volumes a SIGKILLed bench left (mount points under the temporary folder with the bench's prefix). */
export function unmountLoopLeftovers() {
  if (loopUnavailable()) return [];
  const base = os.tmpdir();
  const found = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter(
      ([src, point]) =>
        src?.startsWith('/dev/loop') &&
        point &&
        path.basename(point) === 'mnt' &&
        path.dirname(path.dirname(point)) === base &&
        path.basename(path.dirname(point)).startsWith(PREFIX),
    )
    .map(([, point]) => point);
  for (const p of found) {
    unmount(p);
    const img = readdirImg(path.dirname(p));
    if (img) detach(img);
    rmSync(path.dirname(p), { recursive: true, force: true });
  }
  return found;
}

function readdirImg(base) {
  return ['ext4', 'xfs'].map((t) => path.join(base, `${t}.img`)).find((p) => existsSync(p));
}
