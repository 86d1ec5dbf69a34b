import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildTree, cacheSpec, gamesSpec, sandboxAt, when, type Sandbox, type TreeSpec } from './crash-tree.js';
import { loopFsReason, type LoopFs } from './loop-volume.js';

/**
 * Power cuts on loop-mounted volumes. A SIGKILL keeps the kernel's page
 * cache, so a missing fsync never shows; a power cut loses it. Here a
 * volume's image file is copied (`cp --sparse=always`) the moment the
 * process is dead: the copy holds exactly what the file system had
 * submitted to its "disk" (the loop device writes through to the image),
 * and nothing of what it still held in memory. The copies are then mounted
 * at the same paths, and the file system replays its journal as after a
 * reboot.
 *
 * The mount options keep each file system's own timers from hiding a
 * missing fsync: ext4 and btrfs commit every 600 s instead of 5 or 30, and
 * ext4 does not flush a file renamed over another by itself
 * (noauto_da_alloc). xfs pushes its log every 30 s (fs.xfs.xfssyncd_centisecs,
 * a machine-wide setting left alone), and the kernel writes back data older
 * than 30 s (vm.dirty_expire_centisecs): each run here takes a few seconds.
 * A `sync` by another process while a case runs (another test, a bench)
 * can only make a cut kinder, never fail a correct build.
 */

/** Mount options per file system (see above). */
// xfs: every case's volumes are copies of one template, so they share a UUID, which xfs refuses to mount twice without nouuid.
const CUT_OPTIONS: Record<'ext4' | 'xfs' | 'btrfs', string | undefined> = { ext4: 'commit=600,noauto_da_alloc', xfs: 'nouuid', btrfs: 'commit=600' };
/** The smallest image each file system accepts, and room for the sandbox. */
const SIZE_MIB: Record<'ext4' | 'xfs' | 'btrfs', number> = { ext4: 48, xfs: 300, btrfs: 128 };
const MKFS: Record<'ext4' | 'xfs' | 'btrfs', string[]> = { ext4: ['-q', '-F'], xfs: ['-q', '-f'], btrfs: ['-q', '-f'] };

export type CutFs = 'ext4' | 'xfs' | 'btrfs';

/** Why power cuts on `fs` cannot be made here (no root, no loop devices, mkfs missing), or undefined. */
export function powerCutReason(fs: CutFs): string | undefined {
  return loopFsReason(fs as LoopFs);
}

/** A file system in an image, attached to a loop device and mounted at `dir`. */
export interface CutVolume {
  fs: CutFs;
  img: string;
  dir: string;
  device?: string;
}

function attach(v: CutVolume): void {
  v.device = execFileSync('losetup', ['-f', '--show', v.img], { encoding: 'utf8' }).trim();
  const opts = CUT_OPTIONS[v.fs];
  try {
    execFileSync('mount', [...(opts ? ['-o', opts] : []), v.device, v.dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    execFileSync('losetup', ['-d', v.device]);
    v.device = undefined;
    throw err;
  }
}

/** Unmounts and detaches; every step tried. Idempotent. */
export function detach(v: CutVolume): void {
  if (!v.device) return;
  try {
    execFileSync('umount', [v.dir], { stdio: 'ignore' });
  } catch {
    execFileSync('umount', ['-l', v.dir], { stdio: 'ignore' });
  }
  try {
    execFileSync('losetup', ['-d', v.device]);
  } finally {
    v.device = undefined;
  }
}

/**
 * The power cut: copies each image as it is on the "disk" right now (the
 * process using it must be dead), unmounts the file systems (what they
 * still held in memory goes to the old image, which is overwritten next),
 * writes the copy back over the image the loop device still reads, drops
 * the device's buffers, and mounts it again at the same path, which
 * replays its journal. The loop device stays attached, so the volume keeps
 * its device number, as an internal disk does across a reboot (relocate's
 * identities are `dev:ino`; see the README on devices renumbered by a
 * reboot).
 */
export function cutPower(vols: CutVolume[]): void {
  const cut = vols.map((v) => {
    const copy = `${v.img}.cut`;
    execFileSync('cp', ['--sparse=always', v.img, copy]);
    return copy;
  });
  vols.forEach((v, i) => {
    try {
      execFileSync('umount', [v.dir], { stdio: 'ignore' });
    } catch {
      execFileSync('umount', ['-l', v.dir], { stdio: 'ignore' });
    }
    // Same file (same inode), new bytes: the loop device reads the image through it.
    execFileSync('cp', ['--sparse=always', cut[i]!, v.img]);
    rmSync(cut[i]!);
    execFileSync('blockdev', ['--flushbufs', v.device!]);
    const opts = CUT_OPTIONS[v.fs];
    execFileSync('mount', [...(opts ? ['-o', opts] : []), v.device!, v.dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  });
}

/**
 * A template pair of volumes: A holds home (the games tree to move across,
 * the cache tree to move on A) and the folder outside, B is empty; both
 * are synced and unmounted, so every case starts from the same bytes on
 * "disk". `extra` adds files to the games tree (the larger trees of `npm
 * run powercut`).
 */
export interface Template {
  fs: CutFs;
  dir: string;
  imgA: string;
  imgB: string;
  cleanup(): void;
}

export function makeTemplate(fs: CutFs, extra: TreeSpec[] = []): Template {
  const dir = mkdtempSync(path.join(os.tmpdir(), `relocate-cut-${fs}-`));
  const mk = (name: string) => {
    const img = path.join(dir, `${name}.img`);
    execFileSync('truncate', ['-s', `${SIZE_MIB[fs]}M`, img]);
    execFileSync(`mkfs.${fs}`, [...MKFS[fs], img], { stdio: 'ignore' });
    return img;
  };
  const tpl: Template = { fs, dir, imgA: mk('a'), imgB: mk('b'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  // Built at fixed paths inside the template's own mounts; each case mounts copies at its own paths, so every
  // absolute path the sandbox writes (the outside link's text) names the template's A: it is rewritten per case.
  const a: CutVolume = { fs, img: tpl.imgA, dir: path.join(dir, 'A') };
  const b: CutVolume = { fs, img: tpl.imgB, dir: path.join(dir, 'B') };
  mkdirSync(a.dir);
  mkdirSync(b.dir);
  try {
    attach(a);
    attach(b);
    // The file systems' own folders are not the user's: the cases start from empty volumes.
    for (const v of [a, b]) rmSync(path.join(v.dir, 'lost+found'), { recursive: true, force: true });
    const home = path.join(a.dir, 'home');
    const outside = path.join(a.dir, 'outside');
    mkdirSync(home);
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'readme.txt'), 'outside the moved tree\n');
    utimesSync(path.join(outside, 'readme.txt'), when(200), when(200));
    // The absolute link inside the tree is relative to A's root here, so it holds in every case's mount.
    buildTree(
      path.join(home, 'Games'),
      [...gamesSpec(), ...extra].map((n) => (n.kind === 'symlink' && n.text === '{outside}' ? { ...n, text: '../../outside' } : n)),
      outside,
    );
    buildTree(path.join(home, 'Cache'), cacheSpec(), outside);
    for (const d of [home, outside]) utimesSync(d, when(300), when(300));
  } finally {
    detach(a);
    detach(b);
  }
  return tpl;
}

/** One case's volumes, mounted from copies of a template, with a sandbox naming its paths. */
export interface CutCase {
  vols: CutVolume[];
  sb: Sandbox;
}

/** Mounts copies of the template under a new folder; the state folder is on A, so power cuts reach the journal too. */
export function mountCase(tpl: Template, label: string): CutCase {
  const work = mkdtempSync(path.join(os.tmpdir(), `relocate-cut-${label}-`));
  const vols: CutVolume[] = [];
  const cleanup = () => {
    for (const v of vols) {
      try {
        detach(v);
      } catch {
        // keep going: the rest must still be detached
      }
    }
    rmSync(work, { recursive: true, force: true });
  };
  try {
    for (const [name, img] of [
      ['A', tpl.imgA],
      ['B', tpl.imgB],
    ] as const) {
      const v: CutVolume = { fs: tpl.fs, img: path.join(work, `${name}.img`), dir: path.join(work, name) };
      mkdirSync(v.dir);
      execFileSync('cp', ['--sparse=always', img, v.img]);
      // A btrfs clone mounted beside another with the same fsid gets a random temporary one at each mount (Linux
      // 6.7+), as no real disk does; each case's copy gets its own (btrfstune -m: a metadata_uuid, instant).
      if (tpl.fs === 'btrfs') execFileSync('btrfstune', ['-m', v.img], { stdio: 'ignore' });
      vols.push(v);
      attach(v);
    }
    const volA = vols[0]!.dir;
    const volB = vols[1]!.dir;
    const sb = sandboxAt(volA, volB, work, path.join(volA, 'state'), cleanup);
    // Everything the case starts from is on "disk" before the run, as after any quiet hour.
    execFileSync('sync', ['-f', volA]);
    execFileSync('sync', ['-f', volB]);
    return { vols, sb };
  } catch (err) {
    cleanup();
    throw err;
  }
}
