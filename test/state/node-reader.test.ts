/**
 * NodeDiskReader (src/platform/node-reader.ts) and volumeInfo
 * (src/platform/volumes.ts) on real temporary folders and tmpfs mounts:
 * observe, measure and compare never follow links, and volume facts are
 * those of the filesystem that really holds the path.
 */
import { execFileSync } from 'node:child_process';
import { linkSync, lstatSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { styleForOs } from '../../src/core/paths.js';
import { COMPARISON_LIMIT, NodeDiskReader } from '../../src/platform/node-reader.js';
import { resetVolumeCache, volumeInfo } from '../../src/platform/volumes.js';
import { observeEntry } from '../../src/state/observe.js';
import type { DesiredEntry } from '../../src/manifest/types.js';
import { ESCAPING_LINKS_LISTED } from '../../src/state/types.js';
import { mountTmpfs, tmpfsReason, type TmpfsMount } from '../helpers/tmpfs.js';
import { bytes } from './cli-sandbox.js';
import { flatObs } from '../helpers/flat-observation.js';

const POSIX = styleForOs('linux');
const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/state/node-reader: tmpfs cases skipped: ${NO_TMPFS}`);
// observe() is tested here with POSIX paths and lstat's dev as the volume id; on Windows (drive letters,
// volume path names as ids, junctions) test/windows/junctions.test.ts observes through the real reader.
const ON_WINDOWS = process.platform === 'win32';
if (ON_WINDOWS) console.warn('test/state/node-reader: the POSIX-path observe cases are skipped on Windows (test/windows/junctions.test.ts covers Windows)');

let root = '';
const at = (...p: string[]) => path.join(root, ...p);
function file(rel: string, content: string | Buffer): string {
  const p = at(rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
  return p;
}
function dir(rel: string): string {
  const p = at(rel);
  mkdirSync(p, { recursive: true });
  return p;
}
function symlink(rel: string, text: string): string {
  const p = at(rel);
  mkdirSync(path.dirname(p), { recursive: true });
  symlinkSync(text, p);
  return p;
}
const devOf = (p: string) => String(lstatSync(p, { bigint: true }).dev);

beforeAll(() => {
  root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'relocate-reader-')));
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.skipIf(ON_WINDOWS)('NodeDiskReader.observe', () => {
  const reader = new NodeDiskReader();

  it('absent: the volume and folder of the nearest existing parent', async () => {
    dir('obs/parent');
    const o = await reader.observe(at('obs/parent/missing/deeper/leaf'), POSIX);
    expect(o).toMatchObject({ path: at('obs/parent/missing/deeper/leaf'), kind: 'absent', existingParent: at('obs/parent') });
    expect(o.volume?.id).toBe(devOf(at('obs/parent')));
    expect(o.volume?.freeBytes).toBeGreaterThan(0);
    for (const k of ['size', 'mtimeMs', 'ino', 'linkText', 'linkTarget', 'linkTargetKind'] as const) expect(o).not.toHaveProperty(k);
  });

  it('a folder: kind, mtime, inode and volume from one lstat', async () => {
    const p = dir('obs/folder');
    const s = lstatSync(p, { bigint: true });
    const o = await reader.observe(p, POSIX);
    // Whole milliseconds (a bigint lstat): what the plan's fingerprint records.
    expect(o).toMatchObject({ path: p, kind: 'dir', mtimeMs: Number(s.mtimeMs), ino: String(s.ino), nlink: Number(s.nlink) });
    expect(o.volume?.id).toBe(devOf(p));
    expect(o).not.toHaveProperty('existingParent');
    expect(o).not.toHaveProperty('linkText');
  });

  it('a file: size and link count (a hard-linked file reports nlink 2)', async () => {
    const p = file('obs/file.bin', bytes(1234));
    linkSync(p, at('obs/file-again.bin'));
    const o = await reader.observe(p, POSIX);
    expect(o).toMatchObject({ kind: 'file', size: 1234, nlink: 2, ino: String(lstatSync(p).ino) });
    expect(flatObs(o).mode! & 0o777).toBe(lstatSync(p).mode & 0o777);
  });

  it('a symlink to a folder: reported as a link, never followed', async () => {
    const d = dir('obs/real-dir');
    file('obs/real-dir/inside.txt', 'x');
    const p = symlink('obs/to-dir', d);
    const o = await reader.observe(p, POSIX);
    expect(o).toMatchObject({ kind: 'symlink', linkText: d, linkTarget: d, linkTargetKind: 'dir' });
    // The link's own facts, not its destination's.
    expect(flatObs(o).ino).toBe(String(lstatSync(p).ino));
    expect(flatObs(o).ino).not.toBe(String(lstatSync(d).ino));
    expect(o.volume?.id).toBe(devOf(p));
  });

  it('a symlink to a file: linkTargetKind file', async () => {
    const f = file('obs/real-file.txt', 'hello');
    const o = await reader.observe(symlink('obs/to-file', f), POSIX);
    expect(o).toMatchObject({ kind: 'symlink', linkText: f, linkTarget: f, linkTargetKind: 'file' });
    expect(flatObs(o).size).toBe(Buffer.byteLength(f)); // the link's own size (its text), not the file's 5 bytes
  });

  it('a broken link: linkTargetKind absent', async () => {
    const gone = at('obs/never-there');
    const o = await reader.observe(symlink('obs/broken', gone), POSIX);
    expect(o).toMatchObject({ kind: 'symlink', linkText: gone, linkTarget: gone, linkTargetKind: 'absent' });
  });

  it("a relative link text is kept as written and resolved against the link's folder (absolute, canonical)", async () => {
    dir('obs/rel/a/b');
    dir('obs/rel/target');
    const text = '../.././target/';
    const o = await reader.observe(symlink('obs/rel/a/b/link', text), POSIX);
    expect(o).toMatchObject({ kind: 'symlink', linkText: text, linkTarget: at('obs/rel/target'), linkTargetKind: 'dir' });
  });

  it('an absolute link text is canonicalised (no dot segments, no trailing slash)', async () => {
    dir('obs/canon/dest');
    const text = `${at('obs/canon')}/./x/../dest/`;
    const o = await reader.observe(symlink('obs/canon/link', text), POSIX);
    expect(o).toMatchObject({ kind: 'symlink', linkText: text, linkTarget: at('obs/canon/dest') });
  });

  it('a link inside a link chain reports the final destination kind', async () => {
    const f = file('obs/chain/real.txt', 'x');
    const mid = symlink('obs/chain/mid', f);
    const o = await reader.observe(symlink('obs/chain/top', mid), POSIX);
    expect(o).toMatchObject({ linkTarget: mid, linkTargetKind: 'file' });
  });

  it('an absent path below a file: absent, not an error', async () => {
    const f = file('obs/plain.txt', 'x');
    const o = await reader.observe(path.join(f, 'child'), POSIX);
    expect(o.kind).toBe('absent');
    expect(o.volume?.id).toBe(devOf(f));
  });
});

describe('NodeDiskReader.measure', () => {
  const reader = new NodeDiskReader();

  it('nested folders: exact bytes, files, folders (the root included) and links', async () => {
    file('m/nest/a.bin', bytes(1000));
    file('m/nest/one/b.bin', bytes(2000));
    file('m/nest/one/two/c.bin', bytes(3000));
    file('m/nest/one/two/three/empty', '');
    dir('m/nest/void');
    symlink('m/nest/one/rel-link', '../a.bin');
    expect(await reader.measure(at('m/nest'))).toMatchObject({ bytes: 6000, files: 4, dirs: 5, links: 1 });
  });

  it('a symlink to a big folder outside is one link, its contents are not counted', async () => {
    file('m/outside/huge.bin', bytes(500_000));
    file('m/outside/sub/more.bin', bytes(100_000));
    file('m/tree/small.txt', 'abc');
    symlink('m/tree/big', at('m/outside'));
    symlink('m/tree/big-file', at('m/outside/huge.bin'));
    expect(await reader.measure(at('m/tree'))).toMatchObject({ bytes: 3, files: 1, dirs: 1, links: 2 });
  });

  it('hard-linked files are counted once, wherever their names are', async () => {
    const f = file('m/hard/data.bin', bytes(4096));
    dir('m/hard/x/y');
    linkSync(f, at('m/hard/x/again.bin'));
    linkSync(f, at('m/hard/x/y/third.bin'));
    file('m/hard/other.bin', bytes(10));
    expect(await reader.measure(at('m/hard'))).toMatchObject({ bytes: 4106, files: 2, dirs: 3, links: 0 });
  });

  it('a file counts itself; a link root is a link and is not entered', async () => {
    const f = file('m/single.bin', bytes(777));
    expect(await reader.measure(f)).toMatchObject({ bytes: 777, files: 1, dirs: 0, links: 0 });
    const l = symlink('m/link-root', at('m/outside'));
    expect(await reader.measure(l)).toMatchObject({ bytes: 0, files: 0, dirs: 0, links: 1 });
  });

  it('lists the relative links whose text leads out of the tree (issue 14), not those that stay inside or are absolute', async () => {
    file('m/esc/b', 'b');
    symlink('m/esc/lib', '../shared');
    symlink('m/esc/a', './b');
    symlink('m/esc/abs', '/etc');
    symlink('m/esc/sub/up', '../b');
    symlink('m/esc/sub/back', '../../esc/b');
    const m = await reader.measure(at('m/esc'));
    expect(m.links).toBe(5);
    expect(m.linksOut?.count).toBe(2);
    expect(m.linksOut?.first.map((l) => [l.path, l.text]).sort()).toEqual([
      [at('m/esc/lib'), '../shared'],
      [at('m/esc/sub/back'), '../../esc/b'],
    ]);
    file('m/inside/b', 'b');
    symlink('m/inside/a', './b');
    expect((await reader.measure(at('m/inside'))).linksOut).toBeUndefined();
  });

  it(`names the first ${ESCAPING_LINKS_LISTED} escaping links and counts them all`, async () => {
    for (let i = 0; i < ESCAPING_LINKS_LISTED + 5; i++) symlink(`m/many/l${i}`, `../t${i}`);
    const m = await reader.measure(at('m/many'));
    expect(m.linksOut?.count).toBe(ESCAPING_LINKS_LISTED + 5);
    expect(m.linksOut?.first).toHaveLength(ESCAPING_LINKS_LISTED);
  });

  it('records the newest mtime in the tree, so an edit deep inside changes the measure', async () => {
    file('m/fresh/a.txt', 'a');
    const deep = file('m/fresh/x/y/b.txt', 'b');
    utimesSync(at('m/fresh/a.txt'), 1_000_000, 1_000_000);
    utimesSync(deep, 2_000_000, 2_000_000);
    for (const d of ['m/fresh/x/y', 'm/fresh/x', 'm/fresh']) utimesSync(at(d), 1_500_000, 1_500_000);
    expect((await reader.measure(at('m/fresh'))).newestMtimeMs).toBe(2_000_000_000);
    utimesSync(deep, 2_000_001, 2_000_001);
    expect((await reader.measure(at('m/fresh'))).newestMtimeMs).toBe(2_000_001_000);
  });
});

describe('NodeDiskReader.compare', () => {
  const reader = new NodeDiskReader();

  it('two trees: only-at-link, only-at-target, differing and identical files; folders and links listed only when they differ', async () => {
    const A = 'c/link';
    const B = 'c/target';
    file(`${A}/same.txt`, 'same content');
    file(`${B}/same.txt`, 'same content');
    file(`${A}/sub/deep/same.bin`, bytes(3000, 3));
    file(`${B}/sub/deep/same.bin`, bytes(3000, 3));
    file(`${A}/samesize.txt`, 'abcdef');
    file(`${B}/samesize.txt`, 'abcdeX');
    file(`${A}/diffsize.txt`, 'short');
    file(`${B}/diffsize.txt`, 'much longer');
    file(`${A}/a-only.txt`, 'a');
    file(`${A}/a-dir/inner.txt`, 'a');
    file(`${B}/b-only.txt`, 'b');
    dir(`${B}/b-empty`);
    file(`${A}/mixed`, 'a file here');
    file(`${B}/mixed/inner`, 'a folder there');
    // Links are compared by their text and never entered.
    file('c/outside-1/x.txt', 'one');
    file('c/outside-2/y.txt', 'two');
    symlink(`${A}/link-same`, '../outside-1');
    symlink(`${B}/link-same`, '../outside-1');
    symlink(`${A}/link-diff`, at('c/outside-1'));
    symlink(`${B}/link-diff`, at('c/outside-2'));
    symlink(`${A}/link-vs-file`, 'same.txt');
    file(`${B}/link-vs-file`, 'same content');

    const c = await reader.compare(at(A), at(B));
    expect(c).toEqual({
      onlyAtLink: ['a-dir', 'a-dir/inner.txt', 'a-only.txt'],
      onlyAtTarget: ['b-empty', 'b-only.txt', 'mixed/inner'],
      differ: ['diffsize.txt', 'link-diff', 'link-vs-file', 'mixed', 'samesize.txt'],
      identical: ['same.txt', 'sub/deep/same.bin'],
    });
  });

  it('two files: identical, or differing by content at the same size, or by size', async () => {
    const a = file('c/files/a', bytes(5000, 1));
    const same = file('c/files/same', bytes(5000, 1));
    const other = file('c/files/other', bytes(5000, 2));
    const longer = file('c/files/longer', bytes(5001, 1));
    expect(await reader.compare(a, same)).toEqual({ onlyAtLink: [], onlyAtTarget: [], differ: [], identical: ['.'] });
    expect(await reader.compare(a, other)).toEqual({ onlyAtLink: [], onlyAtTarget: [], differ: ['.'], identical: [] });
    expect(await reader.compare(a, longer)).toEqual({ onlyAtLink: [], onlyAtTarget: [], differ: ['.'], identical: [] });
  });

  it(`over ${COMPARISON_LIMIT} names: the list is cut at the limit (first names in order) and flagged truncated`, async () => {
    const n = COMPARISON_LIMIT + 5;
    dir('c/many/link');
    dir('c/many/target');
    for (let i = 0; i < n; i++) writeFileSync(at('c/many/link', `f${String(i).padStart(5, '0')}`), '');
    writeFileSync(at('c/many/target', 'lone'), 'x');
    const c = await reader.compare(at('c/many/link'), at('c/many/target'));
    expect(c.truncated).toBe(true);
    expect(c.onlyAtLink).toHaveLength(COMPARISON_LIMIT);
    expect(c.onlyAtLink[0]).toBe('f00000');
    expect(c.onlyAtLink[COMPARISON_LIMIT - 1]).toBe(`f${String(COMPARISON_LIMIT - 1).padStart(5, '0')}`);
    expect(c.onlyAtTarget).toEqual(['lone']);
  });

  it('at the limit exactly: nothing is cut and no flag is set', async () => {
    dir('c/limit/link');
    dir('c/limit/target');
    for (let i = 0; i < COMPARISON_LIMIT; i++) writeFileSync(at('c/limit/link', `f${i}`), '');
    const c = await reader.compare(at('c/limit/link'), at('c/limit/target'));
    expect(c.onlyAtLink).toHaveLength(COMPARISON_LIMIT);
    expect(c).not.toHaveProperty('truncated');
  });
});

describe.skipIf(ON_WINDOWS)('observeEntry through the real reader', () => {
  const reader = new NodeDiskReader();
  const entry = (link: string, target: string, extra: Partial<DesiredEntry> = {}): DesiredEntry => ({
    index: 0,
    link,
    target,
    type: 'auto',
    conflict: 'fail',
    retarget: 'move',
    state: 'present',
    force: false,
    style: POSIX,
    source: { file: at('relocate.yaml'), line: 3, col: 5 },
    applies: true,
    ...extra,
  });

  it('measures the link tree only when its data would move, and compares only real data on both sides', async () => {
    file('oe/move/a.bin', bytes(100));
    const moving = await observeEntry(entry(at('oe/move'), at('oe/move-target')), reader);
    expect(moving?.linkTree).toMatchObject({ bytes: 100, files: 1, dirs: 1, links: 0 });
    expect(moving).not.toHaveProperty('comparison');

    file('oe/both-l/x', 'x');
    file('oe/both-t/x', 'x');
    const both = await observeEntry(entry(at('oe/both-l'), at('oe/both-t')), reader);
    expect(both?.comparison?.identical).toEqual(['x']);

    symlink('oe/linked', at('oe/both-t'));
    const linked = await observeEntry(entry(at('oe/linked'), at('oe/both-t')), reader);
    expect(linked?.link.kind).toBe('symlink');
    expect(linked).not.toHaveProperty('linkTree');
    expect(linked).not.toHaveProperty('comparison');

    const restore = await observeEntry(entry(at('oe/linked'), at('oe/both-t'), { state: 'absent' }), reader);
    expect(restore?.targetTree).toMatchObject({ bytes: 1, files: 1, dirs: 1, links: 0 });

    expect(await observeEntry(entry(at('oe/move'), at('x'), { applies: false }), reader)).toBeUndefined();
  });
});

describe('volumeInfo on tmpfs', () => {
  const mounts: TmpfsMount[] = [];
  afterEach(() => {
    // Stacked mounts come off in reverse order.
    while (mounts.length) mounts.pop()!.unmount();
    resetVolumeCache();
  });

  it.skipIf(NO_TMPFS)("a tmpfs: fsType tmpfs, free space about its size, an id other than the root filesystem's", async () => {
    const m = mountTmpfs(4, 'vol-info');
    mounts.push(m);
    resetVolumeCache();
    const v = await volumeInfo(m.dir, lstatSync(m.dir, { bigint: true }).dev);
    expect(v.fsType).toBe('tmpfs');
    expect(v.readOnly).toBe(false);
    expect(v.remote).toBe(false);
    expect(v.freeBytes).toBeGreaterThan(4 * 1024 * 1024 - 64 * 1024);
    expect(v.freeBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    const rootVol = await volumeInfo('/', lstatSync('/', { bigint: true }).dev);
    expect(v.id).not.toBe(rootVol.id);
    expect(v.id).not.toBe(devOf(root));
    // The reader agrees, for a path on it and for an absent path whose parent is on it.
    const reader = new NodeDiskReader();
    writeFileSync(path.join(m.dir, 'f'), 'x');
    expect((await reader.observe(path.join(m.dir, 'f'), POSIX)).volume).toMatchObject({ id: v.id, fsType: 'tmpfs' });
    expect((await reader.observe(path.join(m.dir, 'new', 'deeper'), POSIX)).volume).toMatchObject({ id: v.id, fsType: 'tmpfs' });
    expect((await reader.observe(root, POSIX)).volume?.fsType).not.toBe('tmpfs');
  });

  it.skipIf(NO_TMPFS)('free space drops as the tmpfs fills', async () => {
    const m = mountTmpfs(4, 'vol-fill');
    mounts.push(m);
    const dev = lstatSync(m.dir, { bigint: true }).dev;
    const before = (await volumeInfo(m.dir, dev)).freeBytes!;
    writeFileSync(path.join(m.dir, 'fill.bin'), bytes(1024 * 1024));
    const after = (await volumeInfo(m.dir, dev)).freeBytes!;
    expect(before - after).toBeGreaterThanOrEqual(1024 * 1024);
  });

  it.skipIf(NO_TMPFS)('a read-only remount reports readOnly true', async () => {
    const m = mountTmpfs(2, 'vol-ro');
    mounts.push(m);
    mkdirSync(path.join(m.dir, 'sub'));
    execFileSync('mount', ['-o', 'remount,ro', m.dir]);
    resetVolumeCache();
    const v = await volumeInfo(m.dir, lstatSync(m.dir, { bigint: true }).dev);
    expect(v).toMatchObject({ fsType: 'tmpfs', readOnly: true });
    const o = await new NodeDiskReader().observe(path.join(m.dir, 'sub', 'New'), POSIX);
    expect(o.volume?.readOnly).toBe(true);
  });

  it.skipIf(NO_TMPFS)('an absent path below a symlinked folder: the volume where it would really be created', async () => {
    const m = mountTmpfs(2, 'vol-via');
    mounts.push(m);
    resetVolumeCache();
    const via = symlink('vol/via', m.dir);
    const o = await new NodeDiskReader().observe(path.join(via, 'New'), POSIX);
    expect(o).toMatchObject({ kind: 'absent', existingParent: via });
    expect(o.volume).toMatchObject({ id: devOf(m.dir), fsType: 'tmpfs', readOnly: false });
  });

  it.skipIf(NO_TMPFS)('a mount stacked on another at the same folder: the facts of the visible (last) one', async () => {
    const bottom = mountTmpfs(2, 'vol-stack');
    mounts.push(bottom);
    execFileSync('mount', ['-o', 'remount,ro', bottom.dir]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', bottom.dir]);
    mounts.push({ dir: bottom.dir, unmount: () => execFileSync('umount', [bottom.dir]) });
    resetVolumeCache();
    const v = await volumeInfo(bottom.dir, lstatSync(bottom.dir, { bigint: true }).dev);
    expect(v).toMatchObject({ fsType: 'tmpfs', readOnly: false });
    expect(v.freeBytes).toBeLessThanOrEqual(1024 * 1024);
  });
});
