/**
 * The search for outside names of hard-linked files (issue 13 §7): nearest
 * folders first, widening to the volume's root, never through a link,
 * never into another mount, bounded.
 */
import { linkSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOutsideNames, type ListedFile } from '../../src/platform/outside-names.js';
import { mountTmpfs, tmpfsReason, type TmpfsMount } from '../helpers/tmpfs.js';

const reason = tmpfsReason();
if (reason) console.log(`[skip] outside-name search: ${reason}`);

/** The tree's files as the walk lists them (exact ids for files with several names). */
function listed(root: string, rels: string[]): ListedFile[] {
  return rels.map((rel) => {
    const s = lstatSync(path.join(root, rel), { bigint: true });
    return { rel, kind: 'file', id: s.nlink > 1n ? `${s.dev}:${s.ino}` : '', nlink: Number(s.nlink) };
  });
}

describe.skipIf(reason !== undefined)('findOutsideNames', () => {
  let vol: TmpfsMount | undefined;
  let inner: TmpfsMount | undefined;
  beforeAll(() => {
    vol = mountTmpfs(16, 'outside-names');
  });
  afterAll(() => {
    inner?.unmount();
    vol?.unmount();
  });

  it('finds each shared file once, widening from the tree to the volume root, and never through a link', async () => {
    const v = vol!.dir;
    const tree = path.join(v, 'work', 'proj', 'tree');
    mkdirSync(path.join(tree, 'sub'), { recursive: true });
    mkdirSync(path.join(v, 'real', 'store'), { recursive: true });
    writeFileSync(path.join(v, 'real', 'store', 'x.js'), 'x');
    writeFileSync(path.join(v, 'work', 'proj', 'y.js'), 'y');
    linkSync(path.join(v, 'real', 'store', 'x.js'), path.join(tree, 'x.js'));
    linkSync(path.join(tree, 'x.js'), path.join(tree, 'sub', 'x-again.js'));
    linkSync(path.join(v, 'work', 'proj', 'y.js'), path.join(tree, 'y.js'));
    writeFileSync(path.join(tree, 'own.txt'), 'mine');
    linkSync(path.join(tree, 'own.txt'), path.join(tree, 'sub', 'own-again.txt'));
    // A link beside the tree leads to the store: the search must not go through it.
    symlinkSync('../../real/store', path.join(v, 'work', 'proj', 'alias'));
    const r = await findOutsideNames(tree, listed(tree, ['x.js', 'sub/x-again.js', 'y.js', 'own.txt', 'sub/own-again.txt']));
    expect(r.missing).toBe(0);
    const byRel = Object.fromEntries(r.found.map((f) => [f.rel, f.path]));
    expect(byRel).toEqual({
      'x.js': path.join(v, 'real', 'store', 'x.js'),
      'sub/x-again.js': path.join(v, 'real', 'store', 'x.js'),
      'y.js': path.join(v, 'work', 'proj', 'y.js'),
    });
    const s = lstatSync(path.join(v, 'real', 'store', 'x.js'), { bigint: true });
    expect(r.found.find((f) => f.rel === 'x.js')).toMatchObject({ dev: String(s.dev), ino: String(s.ino) });
  });

  it('never enters another mount, and gives up after its budget, counting what it did not find', async () => {
    const v = vol!.dir;
    const tree = path.join(v, 'm', 'work', 'tree');
    mkdirSync(tree, { recursive: true });
    mkdirSync(path.join(v, 'm', 'zz-store'));
    writeFileSync(path.join(v, 'm', 'zz-store', 'z.js'), 'z');
    linkSync(path.join(v, 'm', 'zz-store', 'z.js'), path.join(tree, 'z.js'));
    // A mount beside the tree full of entries: entering it would spend the budget before the store is reached.
    const mnt = path.join(v, 'm', 'work', 'mnt');
    mkdirSync(mnt);
    inner = mountTmpfs(4, 'outside-names-inner');
    const { execFileSync } = await import('node:child_process');
    execFileSync('mount', ['--bind', inner.dir, mnt]);
    try {
      for (let i = 0; i < 300; i++) writeFileSync(path.join(mnt, `f${i}`), '');
      const files = listed(tree, ['z.js']);
      // Search from work (tree excluded): mnt is skipped; then m: zz-store is found — a few entries in all.
      const found = await findOutsideNames(tree, files, 50);
      expect(found).toMatchObject({ missing: 0, found: [{ rel: 'z.js', path: path.join(v, 'm', 'zz-store', 'z.js') }] });
      const broke = await findOutsideNames(tree, files, 1);
      expect(broke).toEqual({ found: [], missing: 1 });
    } finally {
      execFileSync('umount', [mnt]);
    }
  });

  it('reports nothing for a tree whose hard links all stay inside it', async () => {
    const tree = path.join(vol!.dir, 'closed');
    mkdirSync(tree);
    writeFileSync(path.join(tree, 'a'), 'a');
    linkSync(path.join(tree, 'a'), path.join(tree, 'b'));
    expect(await findOutsideNames(tree, listed(tree, ['a', 'b']))).toEqual({ found: [], missing: 0 });
  });
});
