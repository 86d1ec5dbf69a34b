/**
 * Issue 13 §3 in src/platform: no walk crosses a device boundary. The
 * reader's measure and compare stop at a mount inside a tree and report it;
 * NodeFs's copy, verify, snapshot, treeBytes and deleteTree refuse a tree
 * with a mount inside (E_MOUNT_INSIDE) before touching anything under it —
 * bind mounts (same device) included, through the mount table; an EBUSY
 * from a mount point is E_MOUNT_POINT, not "a program uses this file"; the
 * volume facts name kernel pseudo file systems. Real tmpfs, bind and proc
 * mounts inside temporary folders, unmounted in afterEach.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { styleForOs } from '../../src/core/paths.js';
import { DeviceFence } from '../../src/platform/device-fence.js';
import { mountsBelow, parseMountInfo, readMountTable } from '../../src/platform/mount-table.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { findLinks } from '../../src/platform/link-scan.js';
import { NodeDiskReader } from '../../src/platform/node-reader.js';
import { resetVolumeCache, volumeInfo } from '../../src/platform/volumes.js';
import { errorOf } from '../helpers/relocate-error.js';
import { Mounts, procMountReason } from '../helpers/mounts.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { tmpfsReason } from '../helpers/tmpfs.js';

const NO_MOUNTS = tmpfsReason();
if (NO_MOUNTS) console.warn(`test/platform/mounts: mount cases skipped: ${NO_MOUNTS}`);

let root: string;
let mounts: Mounts;
const at = (...p: string[]) => path.join(root, ...p);
function file(rel: string, content: string): string {
  const p = at(rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
  return p;
}

/** A tree `Games` (files at two depths) with a tmpfs holding a save at Games/sub/ssd, or a bind mount there. */
function treeWithMount(kind: 'tmpfs' | 'bind'): { games: string; mount: string; outside: string } {
  file('Games/game.exe', 'binary');
  file('Games/sub/level.pak', 'level');
  const mount = at('Games/sub/ssd');
  if (kind === 'tmpfs') mounts.tmpfs(mount);
  else mounts.bind(path.dirname(file('elsewhere/keep.txt', 'x')), mount);
  writeFileSync(path.join(mount, 'precious.sav'), 'on the mounted volume');
  mkdirSync(path.join(mount, 'deep'));
  writeFileSync(path.join(mount, 'deep', 'more.sav'), 'more');
  return { games: at('Games'), mount, outside: at('elsewhere') };
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'relocate-mounts-'));
  mounts = new Mounts();
});
afterEach(() => {
  mounts.unmountAll(root);
  rmSync(root, { recursive: true, force: true });
});

describe('the mount table', () => {
  it("parses mountinfo lines, undoing the kernel escapes, and lists mounts strictly below a folder under the caller's spelling", () => {
    const table = parseMountInfo(
      [
        '26 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
        '40 26 0:50 / /home/u/My\\040Games rw shared:1 - tmpfs tmpfs rw',
        '41 40 7:0 / /home/u/My\\040Games/ssd rw - ext4 /dev/loop0 rw',
        '42 26 0:51 / /home/u/My\\040Gamesx rw - tmpfs tmpfs rw',
      ].join('\n'),
    );
    expect(table[1]).toEqual({ point: '/home/u/My Games', fsType: 'tmpfs', source: 'tmpfs' });
    expect(mountsBelow(table, '/home/u', '/via/u').map((m) => m.path)).toEqual(['/via/u/My Games', '/via/u/My Games/ssd', '/via/u/My Gamesx']);
    expect(mountsBelow(table, '/home/u/My Games', '/home/u/My Games')).toEqual([{ path: '/home/u/My Games/ssd', fsType: 'ext4', source: '/dev/loop0' }]);
  });
});

/** A tmpfs (another device) is refused with or without the mount table; a bind mount (same device) needs the table. */
const VARIANTS = [
  { kind: 'tmpfs', table: true },
  { kind: 'bind', table: true },
  { kind: 'tmpfs', table: false },
] as const;

/** Runs the test body with the mount table turned off (RELOCATE_MOUNT_TABLE=0: the portable path, by device alone) when asked. */
function tableOff(off: boolean): void {
  if (!off) return;
  process.env.RELOCATE_MOUNT_TABLE = '0';
  onTestFinished(() => {
    delete process.env.RELOCATE_MOUNT_TABLE;
  });
}

describe.skipIf(NO_MOUNTS)('NodeFs never crosses a device boundary', () => {
  const fs = new NodeFs();

  for (const { kind, table } of VARIANTS) {
    it(`deleteTree of a tree with a ${kind} mount inside${table ? '' : ', no mount table'}: E_MOUNT_INSIDE naming it, and nothing deleted, on either volume`, async () => {
      tableOff(!table);
      const t = treeWithMount(kind);
      const before = snapshotTree(root);
      const err = await errorOf(fs.deleteTree(t.games));
      expect(err.code).toBe('E_MOUNT_INSIDE');
      expect(err.path).toBe(t.mount);
      expect(err.message).toContain(t.mount);
      expect(snapshotTree(root)).toEqual(before);
    });

    it(`copyTree, verify, snapshot and treeBytes of a tree with a ${kind} mount inside${table ? '' : ', no mount table'}: E_MOUNT_INSIDE, and no copy made`, async () => {
      tableOff(!table);
      const t = treeWithMount(kind);
      const before = snapshotTree(root);
      expect((await errorOf(fs.copyTree(t.games, at('copy')))).code).toBe('E_MOUNT_INSIDE');
      expect(existsSync(at('copy'))).toBe(false);
      mkdirSync(at('other'));
      expect((await errorOf(fs.verify(t.games, at('other'), 'meta', false))).code).toBe('E_MOUNT_INSIDE');
      expect((await errorOf(fs.snapshot(t.games))).code).toBe('E_MOUNT_INSIDE');
      expect((await errorOf(fs.treeBytes(t.games))).code).toBe('E_MOUNT_INSIDE');
      expect((await errorOf(fs.assertOneDevice(t.games))).code).toBe('E_MOUNT_INSIDE');
      rmSync(at('other'), { recursive: true });
      expect(snapshotTree(root)).toEqual(before);
    });
  }

  it('a folder that turns into another device during a walk is refused on entry (the fence, without the mount table)', () => {
    file('Games/sub/level.pak', 'level');
    const fence = DeviceFence.around(at('Games'), lstatSync(at('Games')).dev);
    fence.enter(at('Games/sub'));
    mounts.tmpfs(at('Games/sub'));
    expect(() => fence.enter(at('Games/sub'))).toThrow(expect.objectContaining({ code: 'E_MOUNT_INSIDE', path: at('Games/sub') }));
  });

  it('deleteTree of a mount point itself: E_MOUNT_POINT, and the mounted volume keeps every file', async () => {
    const point = mounts.tmpfs(at('shm'));
    writeFileSync(path.join(point, 'a'), 'a');
    const before = snapshotTree(root);
    const err = await errorOf(fs.deleteTree(point));
    expect(err.code).toBe('E_MOUNT_POINT');
    expect(err.message).toMatch(/mount point \(tmpfs\)/);
    expect(snapshotTree(root)).toEqual(before);
  });

  it('renaming a mount point: E_MOUNT_POINT with a true message, not "close the program that uses this file"', async () => {
    const point = mounts.tmpfs(at('Games'));
    const err = await errorOf(fs.renameNoReplace(point, at('Games-moved')));
    expect(err.code).toBe('E_MOUNT_POINT');
    expect(err.hint).not.toMatch(/close the program/);
  });
});

describe.skipIf(NO_MOUNTS)('the reader stops at a mount', () => {
  for (const { kind, table } of VARIANTS) {
    it(`measure does not count or enter a ${kind} mount inside the tree, and names it${table ? '' : ' (no mount table)'}`, async () => {
      tableOff(!table);
      const t = treeWithMount(kind);
      const m = await new NodeDiskReader().measure(t.games);
      expect(m.files).toBe(2);
      expect(m.mounts?.map((x) => x.path)).toEqual([t.mount]);
      // A bind mount is named by the file system of the folder it binds.
      if (table) expect(m.mounts?.[0]?.fsType).toEqual(kind === 'tmpfs' ? 'tmpfs' : expect.any(String));
    });

    it(`mounts(): a ${kind} mount below a folder${table ? '' : ' (no table: only the mount point itself, by its device)'}, and the mount point itself`, async () => {
      tableOff(!table);
      const t = treeWithMount(kind);
      const reader = new NodeDiskReader();
      expect(await reader.mounts(t.games)).toEqual({ below: table ? [expect.objectContaining({ path: t.mount })] : [] });
      expect((await reader.mounts(t.mount)).mountPoint).toMatchObject({ path: t.mount });
    });
  }

  it('the link scan (import --recursive) does not search a volume mounted inside, and names it as a problem', async () => {
    const t = treeWithMount('tmpfs');
    symlinkSync(at('elsewhere-target'), at('Games/sub/mine'));
    symlinkSync(at('elsewhere-target'), path.join(t.mount, 'on-the-volume'));
    const { links, problems } = await findLinks([t.games], { recursive: true });
    expect(links.map((l) => l.path)).toEqual([at('Games/sub/mine')]);
    expect(problems).toEqual([{ path: t.mount, message: expect.stringContaining('another volume mounted inside') }]);
    // Given as a path of its own, it is searched.
    expect((await findLinks([t.mount], { recursive: true })).links.map((l) => l.path)).toEqual([path.join(t.mount, 'on-the-volume')]);
  });

  it('compare lists a mounted folder but never enters it', async () => {
    const t = treeWithMount('tmpfs');
    file('Target/game.exe', 'binary');
    const c = await new NodeDiskReader().compare(t.games, at('Target'));
    expect(c.onlyAtLink).toContain('sub/ssd');
    expect(c.onlyAtLink).not.toContain('sub/ssd/precious.sav');
  });
});

describe('pseudo file systems are named by the volume facts', () => {
  it.skipIf(process.platform !== 'linux')('/proc, /proc/sys/vm and /sys/kernel are pseudo; the temporary folder is not', async () => {
    resetVolumeCache();
    for (const p of ['/proc', '/proc/sys/vm', '/sys/kernel']) {
      const v = await new NodeDiskReader().observe(p, styleForOs('linux'));
      expect(v.volume?.pseudo, p).toBe(true);
    }
    expect((await volumeInfo(os.tmpdir(), 1)).pseudo).toBeUndefined();
  });

  const devIsDevtmpfs = readMountTable()?.some((m) => m.point === '/dev' && m.fsType === 'devtmpfs') === true;
  it.skipIf(!devIsDevtmpfs)("/dev on devtmpfs is pseudo: only the mount table tells (statfs reports tmpfs's number)", async () => {
    resetVolumeCache();
    const v = await new NodeDiskReader().observe('/dev', styleForOs('linux'));
    expect(v.volume).toMatchObject({ fsType: 'devtmpfs', pseudo: true });
  });

  const noProc = procMountReason();
  if (noProc) console.warn(`test/platform/mounts: the proc-instance case skipped: ${noProc}`);
  it.skipIf(!!noProc)('a proc instance mounted in a temporary folder is pseudo (mounted after the table was cached)', async () => {
    await volumeInfo(root, 1);
    const p = mounts.proc(at('p'));
    expect((await volumeInfo(p, 2)).pseudo).toBe(true);
    expect(readMountTable()?.some((m) => m.point.endsWith('/p') && m.fsType === 'proc')).toBe(true);
  });
});
