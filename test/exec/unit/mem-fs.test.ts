/**
 * The in-memory FsPort's own contract (test/helpers/mem-fs), on both
 * flavours: what src/exec/fs-port.ts promises (no replace, no link followed,
 * the copy's root told before it is filled, RelocateError codes as
 * src/platform/fs gives them) and the Windows rules the executor meets on
 * Windows (case-insensitive names, junctions, the symlink privilege,
 * sharing violations, read-only attributes, alternate data streams).
 */
import { describe, expect, it } from 'vitest';
import { nodeJournalDisk } from '../../../src/platform/journal-fs.js';
import type { RelocateError } from '../../../src/core/errors.js';
import type { NodeInfo } from '../../../src/exec/fs-port.js';
import { rollbackRun, startRun } from '../../../src/exec/run-control.js';
import { RunStore } from '../../../src/journal/runs.js';
import { makePlan } from '../../../src/plan/planner.js';
import { observeEntries } from '../../../src/state/observe.js';
import { MemDisk } from '../../helpers/mem-fs/disk.js';
import { memFsPort } from '../../helpers/mem-fs/port.js';
import { MemDiskReader } from '../../helpers/mem-fs/reader.js';
import { hardLinkGroups, putTree, readTree } from '../../helpers/mem-fs/seed.js';
import type { FileNode } from '../../helpers/mem-fs/types.js';
import { walkTree } from '../../helpers/mem-fs/walk.js';
import { stateFolder } from '../../helpers/mem-fs/windows-plans.js';
import { context, entry, POSIX_STYLE } from '../../helpers/plan-fixtures.js';

const FLAVOURS = [
  { flavour: 'posix' as const, a: '/a', b: '/b', join: (...p: string[]) => p.join('/') },
  { flavour: 'windows' as const, a: 'C:', b: 'D:', join: (...p: string[]) => p.join('\\') },
];

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as RelocateError).code ?? `not a RelocateError: ${String(err)}`;
  }
}

const TREE = {
  'a.txt': { $file: 'alpha', mode: 0o640, mtimeMs: 1_600_000_000_000 },
  sub: { 'b.bin': 'bravo', deeper: { 'c.txt': 'charlie' } },
  empty: {},
  'out.lnk': { $symlink: '../elsewhere' },
};

describe.each(FLAVOURS)('the in-memory FsPort ($flavour)', ({ flavour, a, b, join }) => {
  const fresh = () => {
    const disk = new MemDisk({ flavour, volumes: [a, b] });
    disk.symlinkPrivilege = true;
    const port = memFsPort(disk);
    const A = (...p: string[]) => join(a, ...p);
    const B = (...p: string[]) => join(b, ...p);
    return { disk, port, A, B };
  };

  it('renameNoReplace never replaces, and refuses another volume', async () => {
    const { disk, port, A, B } = fresh();
    putTree(disk, A('x'), 'x');
    putTree(disk, A('y'), 'y');
    expect(await codeOf(port.renameNoReplace(A('x'), A('y')))).toBe('E_EXISTS');
    expect(readTree(disk, A('y'))).toMatchObject({ $file: 'y' });
    expect(readTree(disk, A('x'))).toMatchObject({ $file: 'x' });
    expect(await codeOf(port.renameNoReplace(A('x'), B('x')))).toBe('E_CROSS_VOLUME');
    expect(await codeOf(port.renameNoReplace(A('gone'), A('z')))).toBe('E_MISSING');
    const id = (await port.lstat(A('x')))!.ino;
    await port.renameNoReplace(A('x'), A('z'));
    expect((await port.lstat(A('z')))!.ino).toBe(id);
    expect(await port.lstat(A('x'))).toBeNull();
  });

  it('copies a tree keeping modes, times, streams and links as links; the root is told before it is filled', async () => {
    const { disk, port, A, B } = fresh();
    putTree(disk, A('src'), { ...TREE, 'ads.txt': { $file: 'main', streams: { 'Zone.Identifier': '[ZoneTransfer]' } } });
    let atRoot: { info: NodeInfo; nodes: number } | undefined;
    await port.copyTree(A('src'), B('dst'), undefined, (info) => (atRoot = { info, nodes: walkTree(disk, B('dst')).length }));
    expect(atRoot?.nodes, 'nothing was in the root when it was told').toBe(1);
    expect(atRoot?.info.ino).toBe((await port.lstat(B('dst')))!.ino);
    expect(readTree(disk, B('dst'), { dirModes: true })).toEqual(readTree(disk, A('src'), { dirModes: true }));
    expect(await port.lstat(B('dst', 'out.lnk'))).toMatchObject({ kind: 'symlink', linkText: '../elsewhere' });
    await port.verify(A('src'), B('dst'), 'content', false);
    expect(await codeOf(port.copyTree(A('src'), B('dst')))).toBe('E_EXISTS');
  });

  it('never follows a link: copy, verify and delete treat it as a link', async () => {
    const { disk, port, A, B } = fresh();
    putTree(disk, A('precious'), { 'keep.txt': 'keep' });
    putTree(disk, A('tree'), { 'f.txt': 'f', 'to-precious': { $junction: A('precious') } });
    await port.copyTree(A('tree'), B('copy'));
    expect(readTree(disk, B('copy', 'to-precious'))).toEqual(flavour === 'windows' ? { $junction: A('precious') } : { $symlink: A('precious') });
    await port.verify(A('tree'), B('copy'), 'content', false);
    await port.deleteTree(A('tree'));
    expect(await port.lstat(A('tree'))).toBeNull();
    expect(readTree(disk, A('precious'))).toMatchObject({ 'keep.txt': { $file: 'keep' } });
    // A link made elsewhere differs by its text, whatever it leads to.
    await port.removeLink(B('copy', 'to-precious'));
    await port.createLink(B('copy', 'to-precious'), B('copy'), 'junction');
    putTree(disk, A('tree'), { 'f.txt': 'f', 'to-precious': { $junction: A('precious') } });
    disk.nodeAt(A('tree', 'f.txt'))!.mtimeNs = disk.nodeAt(B('copy', 'f.txt'))!.mtimeNs;
    disk.nodeAt(A('tree'))!.mtimeNs = disk.nodeAt(B('copy'))!.mtimeNs;
    expect(await codeOf(port.verify(A('tree'), B('copy'), 'meta', false))).toBe('E_VERIFY');
  });

  it('verify names the first difference: a byte, a mode, a missing or an extra name', async () => {
    const { disk, port, A, B } = fresh();
    putTree(disk, A('src'), TREE);
    await port.copyTree(A('src'), B('dst'));
    // Same size and time, other bytes: only a content verify sees it.
    (disk.nodeAt(B('dst', 'sub', 'b.bin')) as FileNode).data = Buffer.from('BRAVO');
    await port.verify(A('src'), B('dst'), 'meta', false);
    await expect(port.verify(A('src'), B('dst'), 'content', false)).rejects.toMatchObject({
      code: 'E_VERIFY',
      message: expect.stringContaining('the content differs'),
    });
    await port.copyTree(A('src'), B('dst2'));
    disk.setReadOnly(B('dst2', 'a.txt'), true);
    await expect(port.verify(A('src'), B('dst2'), 'meta', false)).rejects.toMatchObject({ code: 'E_VERIFY', message: expect.stringContaining('mode') });
    await port.copyTree(A('src'), B('dst3'));
    putTree(disk, B('dst3', 'extra.txt'), 'x');
    await expect(port.verify(A('src'), B('dst3'), 'meta', true)).resolves.toBeUndefined();
    await expect(port.verify(A('src'), B('dst3'), 'meta', false)).rejects.toMatchObject({ code: 'E_VERIFY' });
    await port.deleteTree(B('dst3', 'sub', 'deeper'));
    await expect(port.verify(A('src'), B('dst3'), 'meta', true)).rejects.toMatchObject({ message: expect.stringContaining('missing in the copy') });
  });

  it('streams (xattrs, alternate data streams) are kept, verified and snapshotted; verify fails when one is dropped', async () => {
    const { disk, port, A, B } = fresh();
    putTree(disk, A('src'), { 'doc.txt': { $file: 'text', streams: { 'Zone.Identifier': '[ZoneTransfer]\nZoneId=3', 'user.tag': 'x' } } });
    await port.copyTree(A('src'), B('dst'));
    expect(readTree(disk, B('dst', 'doc.txt'))).toMatchObject({ streams: { 'Zone.Identifier': '[ZoneTransfer]\nZoneId=3', 'user.tag': 'x' } });
    await port.verify(A('src'), B('dst'), 'meta', false);
    const snap = await port.snapshot(A('src'));
    expect(snap.find((n) => n.rel === 'doc.txt')?.xattrs?.map((x) => x.name)).toEqual(['Zone.Identifier', 'user.tag']);
    disk.nodeAt(B('dst', 'doc.txt'))!.streams.delete('Zone.Identifier');
    await expect(port.verify(A('src'), B('dst'), 'meta', false)).rejects.toMatchObject({
      code: 'E_VERIFY',
      message: expect.stringContaining('Zone.Identifier'),
    });
    // A snapshot restore puts them back exactly.
    await port.deleteTree(A('src', 'doc.txt'));
    await port.restoreSnapshot(B('dst'), A('src'), snap);
    expect(readTree(disk, A('src', 'doc.txt'))).toMatchObject({ streams: { 'Zone.Identifier': '[ZoneTransfer]\nZoneId=3', 'user.tag': 'x' } });
  });

  it('mkdirs, missingDirs and rmdirIfEmpty', async () => {
    const { disk, port, A } = fresh();
    expect(await port.missingDirs(A('p', 'q', 'r'))).toEqual([A('p'), A('p', 'q'), A('p', 'q', 'r')]);
    expect(await port.mkdirs(A('p', 'q', 'r'))).toEqual([A('p'), A('p', 'q'), A('p', 'q', 'r')]);
    expect(await port.mkdirs(A('p', 'q', 'r'))).toEqual([]);
    putTree(disk, A('p', 'file'), 'f');
    expect(await codeOf(port.mkdirs(A('p', 'file', 'x')))).toBe('E_EXISTS');
    expect(await port.rmdirIfEmpty(A('p', 'q'))).toBe(false);
    expect(await port.rmdirIfEmpty(A('p', 'q', 'r'))).toBe(true);
    expect(await port.rmdirIfEmpty(A('p', 'q', 'r'))).toBe(false);
  });

  it('hard links: kept inside a copy, found outside a tree, reused by a copy, put back by restoreMissing', async () => {
    const { disk, port, A, B } = fresh();
    putTree(disk, A('store'), { 'blob.bin': 'shared bytes' });
    putTree(disk, A('tree'), { one: 'one', two: { $hardlink: 'one' }, sub: { 'three.txt': 'three' } });
    disk.hardLink(A('store', 'blob.bin'), A('tree', 'sub', 'blob.bin'));
    await port.copyTree(A('tree'), B('copy'));
    expect(hardLinkGroups(disk, B('copy'))).toEqual([[B('copy', 'one'), B('copy', 'two')]]);
    const outside = await port.outsideNames(A('tree'));
    expect(outside).toMatchObject({ missing: 0, found: [{ rel: 'sub/blob.bin', path: A('store', 'blob.bin') }] });
    // A copy back onto the tree's own volume links the outside name instead of copying it.
    await port.copyTree(B('copy'), A('back'), undefined, undefined, outside.found);
    expect(hardLinkGroups(disk, A('store'), A('back')).some((g) => g.includes(A('store', 'blob.bin')) && g.includes(A('back', 'sub', 'blob.bin')))).toBe(true);
    // A partly deleted tree gets back only what it lacks; what stayed keeps its identity.
    const kept = (await port.lstat(A('tree', 'one')))!.ino;
    await port.deleteTree(A('tree', 'sub'));
    await port.unlinkFile(A('tree', 'two'));
    expect(await port.restoreMissing(B('copy'), A('tree'), outside.found)).toBe(2);
    expect((await port.lstat(A('tree', 'one')))!.ino).toBe(kept);
    expect(hardLinkGroups(disk, A('tree'))).toEqual([[A('tree', 'one'), A('tree', 'two')]]);
    await port.verify(B('copy'), A('tree'), 'content', true);
  });

  it('links: created, told where they lead, removed as links only', async () => {
    const { disk, port, A } = fresh();
    putTree(disk, A('target'), { 'f.txt': 'f' });
    await port.createLink(A('link'), A('target'), 'symlink');
    expect(await port.linkDestination(A('link'))).toBe(A('target'));
    expect(await port.linkDestination(A('target'))).toBeNull();
    expect(await codeOf(port.removeLink(A('target')))).toBe('E_NOT_A_LINK');
    expect(await codeOf(port.createLink(A('link'), A('target'), 'symlink'))).toBe('E_EXISTS');
    await port.removeLink(A('link'));
    expect(await port.lstat(A('link'))).toBeNull();
    expect(readTree(disk, A('target'))).toMatchObject({ 'f.txt': { $file: 'f' } });
    await port.restoreLink(A('rel'), 'target', 'symlink', true);
    expect(await port.linkDestination(A('rel'))).toBe(A('target'));
  });
});

describe('the in-memory FsPort, Windows rules', () => {
  const fresh = () => {
    const disk = new MemDisk({ flavour: 'windows', volumes: ['C:', 'D:'] });
    return { disk, port: memFsPort(disk) };
  };

  it('names compare without case and keep the case written', async () => {
    const { disk, port } = fresh();
    putTree(disk, 'C:\\Users', { Me: { 'Notes.TXT': 'n' } });
    expect(await port.lstat('c:\\users\\ME\\notes.txt')).toMatchObject({ kind: 'file' });
    expect(await codeOf(port.mkdirs('C:\\USERS\\me'))).toBeUndefined();
    expect(await codeOf(port.copyTree('C:\\Users\\Me', 'C:\\users\\me'))).toBe('E_EXISTS');
    expect(await codeOf(port.renameNoReplace('C:\\Users\\Me\\Notes.TXT', 'C:\\Users\\Me\\notes.txt'))).toBeUndefined();
    expect(Object.keys(readTree(disk, 'C:\\Users\\Me') as object)).toEqual(['notes.txt']);
    putTree(disk, 'C:\\Users\\Me\\Other', 'o');
    expect(await codeOf(port.renameNoReplace('C:\\Users\\Me\\Other', 'C:\\Users\\Me\\NOTES.txt'))).toBe('E_EXISTS');
  });

  it('junctions need no privilege, are absolute and lead to folders only; symlinks need the privilege', async () => {
    const { disk, port } = fresh();
    putTree(disk, 'D:\\Games', { 'save.dat': 's' });
    putTree(disk, 'C:\\file.txt', 'f');
    await port.createLink('C:\\Games', 'D:\\Games', 'junction');
    expect(await port.lstat('C:\\Games')).toMatchObject({ kind: 'junction', linkText: 'D:\\Games' });
    // A path through a junction reaches the folder it leads to, as on Windows.
    expect(await port.lstat('C:\\Games\\save.dat')).toMatchObject({ kind: 'file' });
    await port.restoreLink('D:\\rel', '..\\Games', 'junction', true);
    expect(await port.lstat('D:\\rel')).toMatchObject({ kind: 'junction', linkText: 'D:\\Games' });
    expect(await codeOf(port.createLink('C:\\to-file', 'C:\\file.txt', 'junction'))).toBe('E_LINK_UNSUPPORTED');
    expect(await codeOf(port.createLink('C:\\sym', 'D:\\Games', 'symlink'))).toBe('E_SYMLINK_PRIVILEGE');
    expect(await codeOf(port.restoreLink('C:\\sym', 'D:\\Games', 'symlink', true))).toBe('E_SYMLINK_PRIVILEGE');
    expect(await port.lstat('C:\\sym')).toBeNull();
    disk.symlinkPrivilege = true;
    await port.createLink('C:\\sym', 'D:\\Games', 'symlink');
    expect(await port.lstat('C:\\sym')).toMatchObject({ kind: 'symlink' });
  });

  it('a file held open cannot be renamed or deleted (sharing violation), nor its folder renamed; the port names the holder', async () => {
    const { disk, port } = fresh();
    putTree(disk, 'C:\\Data', { 'db.sqlite': 'rows', 'free.txt': 'free' });
    const h = disk.open('C:\\Data\\db.sqlite', 'sqlite.exe');
    expect(await codeOf(port.renameNoReplace('C:\\Data\\db.sqlite', 'C:\\Data\\db2'))).toBe('E_IN_USE');
    expect(await codeOf(port.renameNoReplace('C:\\Data', 'C:\\Data2'))).toBe('E_ACCESS');
    expect(await codeOf(port.unlinkFile('C:\\Data\\db.sqlite'))).toBe('E_IN_USE');
    expect(await codeOf(port.deleteTree('C:\\Data'))).toBe('E_IN_USE');
    expect(readTree(disk, 'C:\\Data\\db.sqlite')).toMatchObject({ $file: 'rows' });
    expect(await port.processesUsing('C:\\Data')).toEqual([{ file: 'C:\\Data\\db.sqlite', process: 'sqlite.exe', pid: h.pid }]);
    h.close();
    expect(await port.processesUsing('C:\\Data')).toEqual([]);
    await port.renameNoReplace('C:\\Data', 'C:\\Data2');
  });

  it('read-only: kept by a copy, a delete clears it as relocate does on Windows, an rmdir of a read-only folder refuses', async () => {
    const { disk, port } = fresh();
    putTree(disk, 'C:\\Game', { $dir: { 'ro.txt': { $file: 'r', readOnly: true }, Custom: { $dir: { 'desktop.ini': 'x' }, readOnly: true } } });
    await port.copyTree('C:\\Game', 'D:\\Game');
    expect(readTree(disk, 'D:\\Game\\ro.txt')).toMatchObject({ mode: 0o444 });
    expect(disk.nodeAt('D:\\Game\\Custom')!.mode & 0o222).toBe(0);
    await port.verify('C:\\Game', 'D:\\Game', 'content', false);
    await port.deleteTree('C:\\Game');
    expect(await port.lstat('C:\\Game')).toBeNull();
    await port.mkdirs('C:\\Empty');
    disk.setReadOnly('C:\\Empty', true);
    expect(await codeOf(port.rmdirIfEmpty('C:\\Empty'))).toBe('E_ACCESS');
    expect(() => disk.rmdir('C:\\Empty')).toThrow(expect.objectContaining({ code: 'EACCES' }));
  });

  it('a copy of a tree holding a symlink needs the privilege too (as CreateSymbolicLinkW)', async () => {
    const { disk, port } = fresh();
    putTree(disk, 'C:\\Videos', { 'clip.mp4': 'frames', 'latest.lnk': { $symlink: 'clip.mp4', dir: false } });
    expect(await codeOf(port.copyTree('C:\\Videos', 'D:\\Videos'))).toBe('E_ACCESS');
    disk.symlinkPrivilege = true;
    await port.deleteTree('D:\\Videos');
    await port.copyTree('C:\\Videos', 'D:\\Videos');
    expect(readTree(disk, 'D:\\Videos\\latest.lnk')).toEqual({ $symlink: 'clip.mp4' });
  });

  it('a delete never starts on a tree another volume is mounted in (POSIX mount points)', async () => {
    const disk = new MemDisk({ flavour: 'posix', volumes: ['/data', '/data/mnt'] });
    const port = memFsPort(disk);
    putTree(disk, '/data/tree', { 'f.txt': 'f' });
    expect(await codeOf(port.deleteTree('/data'))).toBe('E_MOUNT_INSIDE');
    expect(await codeOf(port.deleteTree('/data/mnt'))).toBe('E_MOUNT_POINT');
    expect(readTree(disk, '/data/tree')).toMatchObject({ 'f.txt': { $file: 'f' } });
    await port.renameNoReplace('/data/tree', '/data/tree2');
    expect(await codeOf(port.renameNoReplace('/data/tree2', '/data/mnt/tree'))).toBe('E_CROSS_VOLUME');
  });
});

describe('the POSIX flavour under the executor', () => {
  it('plans and runs a move across mounts, then rolls it back exactly', async () => {
    const disk = new MemDisk({ flavour: 'posix', volumes: ['/home', '/mnt/data'] });
    putTree(disk, '/home/u', {
      games: { 'a.bin': { $file: 'aaa', mode: 0o600, streams: { 'user.tag': 't' } }, in: { $symlink: 'a.bin' }, two: { $hardlink: 'games/a.bin' } },
    });
    const before = [readTree(disk, '/home', { dirModes: true }), readTree(disk, '/mnt/data', { dirModes: true })];
    const desired = [entry(POSIX_STYLE, '/home/u/games', '/mnt/data/games', { type: 'symlink' })];
    const plan = makePlan(desired, await observeEntries(desired, new MemDiskReader(disk)), context('linux'));
    expect(plan.entries[0]).toMatchObject({ action: 'move', move: { crossVolume: true } });
    const state = stateFolder();
    try {
      const port = memFsPort(disk);
      const o = await startRun(plan, { stateDir: state.dir, journalDisk: nodeJournalDisk, fs: port, verify: 'content', noRollback: false });
      expect(o.error?.message).toBeUndefined();
      expect(readTree(disk, '/home/u/games')).toEqual({ $symlink: '/mnt/data/games' });
      expect(hardLinkGroups(disk, '/mnt/data')).toEqual([['/mnt/data/games/a.bin', '/mnt/data/games/two']]);
      const back = await rollbackRun(await new RunStore(nodeJournalDisk, state.dir, o.record.id).load(), {
        stateDir: state.dir,
        journalDisk: nodeJournalDisk,
        fs: port,
        force: false,
      });
      expect(back.result).toBe('rolled-back');
      expect([readTree(disk, '/home', { dirModes: true }), readTree(disk, '/mnt/data', { dirModes: true })]).toEqual(before);
    } finally {
      state.remove();
    }
  });
});
