/**
 * Issue 16, items 1, 4 and 5: how a copy is made durable, by volume.
 * syncfs is trusted only where the file system honours it (on FUSE it may
 * return 0 having written nothing); elsewhere every copied file and every
 * folder is fsync'd (strace shows each path); and a folder fsync that fails
 * for any reason but "not supported" fails the copy instead of being
 * swallowed (a FUSE file system whose fsyncdir answers EIO).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durabilityWay, folderSyncUnsupported, wayFor } from '../../src/platform/durability.js';
import { nativeSyncfs } from '../../src/platform/native/syncfs.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { CLI_BIN, requireBuiltCli } from '../helpers/cli.js';
import { fuseReason, mountFuse } from '../helpers/case-insensitive.js';
import { mountTmpfs, tmpfsReason, type TmpfsMount } from '../helpers/tmpfs.js';

const FUSE_SUPER_MAGIC = 0x65735546;

describe('wayFor: syncfs only where the file system honours it', () => {
  it('ext4, xfs, btrfs, f2fs and tmpfs get one syncfs; FUSE, NFS, unknown types and no syncfs get an fsync of everything', () => {
    if (process.platform === 'win32') return;
    for (const t of [0xef53, 0x58465342, 0x9123683e, 0xf2f52010, 0x01021994]) expect(wayFor(t, true).way, t.toString(16)).toBe('syncfs');
    // f_type as a negative 32-bit number (how some platforms hand it over) is the same type.
    expect(wayFor(0x9123683e | 0, true).way).toBe('syncfs');
    for (const t of [FUSE_SUPER_MAGIC, 0x6969 /* NFS */, 0x4d44 /* FAT */, 0x5346544e /* NTFS */, 0xff534d42 /* CIFS */]) {
      const w = wayFor(t, true);
      expect(w.way, t.toString(16)).toBe('fsync');
      expect(w.why).toContain('not known to honour syncfs');
    }
    expect(wayFor(undefined, true).way).toBe('fsync');
    expect(wayFor(0xef53, false)).toEqual({ way: 'fsync', why: expect.stringContaining('syncfs needs Linux 5.8') });
  });

  it('only "not supported" errnos of a folder fsync are ignored; EIO, ENOSPC, EROFS are failures', () => {
    for (const c of ['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EBADF']) expect(folderSyncUnsupported(c), c).toBe(true);
    for (const c of ['EIO', 'ENOSPC', 'EROFS', 'EDQUOT', 'EACCES', undefined]) expect(folderSyncUnsupported(c), String(c)).toBe(false);
  });
});

const tmpfsWhy = tmpfsReason();
if (tmpfsWhy) console.warn(`test/platform/durability: the tmpfs check skipped: ${tmpfsWhy}`);

describe.skipIf(tmpfsWhy !== undefined)('on tmpfs', () => {
  let t: TmpfsMount;
  beforeAll(() => {
    t = mountTmpfs(8, 'durability');
  });
  afterAll(() => t?.unmount());

  it('a copy there is made durable by one syncfs (where the native layer has it), and plan --verbose says so', async () => {
    const w = await durabilityWay(t.dir);
    const native = (await nativeSyncfs()) !== null;
    expect(w.way).toBe(native ? 'syncfs' : 'fsync');
    requireBuiltCli();
    const work = mkdtempSync(path.join(os.tmpdir(), 'relocate-durability-plan-'));
    try {
      mkdirSync(path.join(work, 'Docs'));
      writeFileSync(path.join(work, 'Docs', 'a.txt'), 'a');
      const manifest = path.join(work, 'relocate.yaml');
      writeFileSync(manifest, JSON.stringify({ version: 1, links: [{ link: path.join(work, 'Docs'), target: path.join(t.dir, 'Docs') }] }));
      const plan = spawnSync(process.execPath, [CLI_BIN, 'plan', manifest, '--verbose', '--state-dir', path.join(work, 'state')], { encoding: 'utf8' });
      expect(plan.status, plan.stderr).toBe(2);
      expect(plan.stdout).toContain(
        native
          ? 'the copy is made durable by one syncfs of the volume (tmpfs honours it) before the original is deleted'
          : 'the copy is made durable by an fsync of every copied file and folder',
      );
      const quiet = spawnSync(process.execPath, [CLI_BIN, 'plan', manifest, '--state-dir', path.join(work, 'state')], { encoding: 'utf8' });
      expect(quiet.stdout, 'only with --verbose').not.toContain('made durable');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

const fuseWhy = fuseReason();
if (fuseWhy) console.warn(`test/platform/durability: the FUSE tests skipped: ${fuseWhy}`);
const straceWhy = spawnSync('strace', ['-V']).status === 0 ? undefined : 'strace is not installed (Debian: strace)';
if (!fuseWhy && straceWhy) console.warn(`test/platform/durability: the strace check skipped: ${straceWhy}`);

/** A small tree: folders two deep, files, a symlink, a hard-linked pair. */
function tree(root: string): { files: string[]; dirs: string[] } {
  mkdirSync(path.join(root, 'a', 'b'), { recursive: true });
  const files = ['top.txt', 'a/one.txt', 'a/b/two.txt', 'a/b/three.bin'];
  for (const f of files) writeFileSync(path.join(root, f), `${f}\n`.repeat(100));
  symlinkSync('a/one.txt', path.join(root, 'link'));
  return { files, dirs: ['', 'a', 'a/b'] };
}

describe.skipIf(fuseWhy !== undefined)('on a FUSE file system', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'relocate-durability-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is not trusted to syncfs: the copy is made durable by an fsync of every file and folder', async () => {
    const f = await mountFuse('durability');
    try {
      const w = await durabilityWay(f.dir);
      expect(w.way).toBe('fsync');
      expect(w.why).toContain('0x65735546');
    } finally {
      f.unmount();
    }
  });

  it.skipIf(straceWhy !== undefined)(
    "apply onto it fsyncs each copied file, each folder and the copy's parent before deleting the original, and calls no syncfs",
    async () => {
      requireBuiltCli();
      const f = await mountFuse('durability-trace');
      try {
        const src = path.join(work, 'Docs');
        const { files, dirs } = tree(src);
        const target = path.join(f.dir, 'store', 'Docs');
        const manifest = path.join(work, 'relocate.yaml');
        writeFileSync(manifest, JSON.stringify({ version: 1, links: [{ link: src, target }] }));
        const plan = spawnSync(process.execPath, [CLI_BIN, 'plan', manifest, '--verbose', '--state-dir', path.join(work, 'state')], { encoding: 'utf8' });
        expect(plan.status, plan.stderr).toBe(2);
        expect(plan.stdout).toContain(
          'the copy is made durable by an fsync of every copied file and folder (its file system (statfs type 0x65735546) is not known to honour syncfs',
        );
        const trace = path.join(work, 'trace.txt');
        const r = spawnSync(
          'strace',
          [
            '-f',
            '-y',
            '-qq',
            '-o',
            trace,
            '-e',
            'trace=fsync,fdatasync,syncfs,unlink,unlinkat,rmdir',
            process.execPath,
            CLI_BIN,
            'apply',
            manifest,
            '--yes',
            '--verbose',
            '--state-dir',
            path.join(work, 'state'),
          ],
          { encoding: 'utf8' },
        );
        expect(r.status, r.stderr).toBe(0);
        expect(r.stderr).toContain('made durable by an fsync of every copied file and folder');
        const lines = readFileSync(trace, 'utf8').split('\n');
        expect(
          lines.filter((l) => /\bsyncfs\(/.test(l)),
          'no syncfs on FUSE',
        ).toEqual([]);
        // The staging copy's name is relocate's: find each path under it by its place in the tree.
        // A thread-pool fsync shows as `fsync(fd</path> <unfinished ...>` then `<... fsync resumed>) = 0`: its start line names the path.
        const syncedPath = (l: string) => /\bf(?:data)?sync\(\d+<([^>]*)>/.exec(l)?.[1];
        const synced = lines.map(syncedPath).filter((p): p is string => p !== undefined);
        const firstDelete = lines.findIndex((l) => /unlinkat?\(.*Docs\.relocate-old-.*\) = 0|rmdir\(.*Docs\.relocate-old-/.test(l));
        expect(firstDelete, 'the original was deleted').toBeGreaterThan(0);
        const before = lines
          .slice(0, firstDelete)
          .map(syncedPath)
          .filter((p): p is string => p !== undefined);
        const staged = (rel: string) =>
          new RegExp(
            `^${f.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/store/Docs\\.relocate-partial-[^/]+${rel === '' ? '' : `/${rel.replace(/[.]/g, '\\.')}`}$`,
          );
        for (const rel of files)
          expect(
            before.some((p) => staged(rel).test(p)),
            `file ${rel} fsync'd before the delete\n${synced.join('\n')}`,
          ).toBe(true);
        for (const rel of dirs)
          expect(
            before.some((p) => staged(rel).test(p)),
            `folder ${rel || '(root)'} fsync'd before the delete`,
          ).toBe(true);
        expect(before, "the folder holding the copy fsync'd").toContain(path.join(f.dir, 'store'));
      } finally {
        f.unmount();
      }
    },
    60_000,
  );

  it('a folder fsync that fails with EIO fails the copy; one that says EINVAL (not supported) does not', async () => {
    const failing = await mountFuse('durability-eio', { FSYNCDIR_ERRNO: 'EIO' });
    const unsupported = await mountFuse('durability-einval', { FSYNCDIR_ERRNO: 'EINVAL' });
    try {
      const src = path.join(work, 'Tree');
      tree(src);
      const fs = new NodeFs();
      await expect(fs.copyTree(src, path.join(failing.dir, 'copy'))).rejects.toMatchObject({ message: expect.stringMatching(/EIO|input\/output/i) });
      // The same for the folder syncs of every other name change: a new folder, a rename, a link.
      await expect(fs.mkdirs(path.join(failing.dir, 'x', 'y'))).rejects.toMatchObject({ message: expect.stringMatching(/EIO|input\/output/i) });
      writeFileSync(path.join(failing.dir, 'f'), 'f');
      await expect(fs.renameNoReplace(path.join(failing.dir, 'f'), path.join(failing.dir, 'g'))).rejects.toMatchObject({
        message: expect.stringMatching(/EIO|input\/output/i),
      });
      await expect(fs.createLink(path.join(failing.dir, 'l'), path.join(failing.dir, 'g'), 'symlink')).rejects.toMatchObject({
        message: expect.stringMatching(/EIO|input\/output/i),
      });
      await fs.copyTree(src, path.join(unsupported.dir, 'copy'));
      await fs.mkdirs(path.join(unsupported.dir, 'x', 'y'));
      expect(
        execFileSync('find', [path.join(unsupported.dir, 'copy')], { encoding: 'utf8' })
          .trim()
          .split('\n').length,
      ).toBe(8);
    } finally {
      failing.unmount();
      unsupported.unmount();
    }
  }, 60_000);
});
