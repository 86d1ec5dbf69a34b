/**
 * The one tree walker (src/platform/fs/tree-walker.ts): the rules every job
 * that goes through a tree relies on, tested on the walker itself, each by a
 * test that fails when its check is removed. A link is never entered, even
 * when a job asks; a mount is refused (with entry types, before any name of
 * the folder holding it is handed on) or passed over and never entered, by
 * device and by the mount table (bind mounts); breadth and depth orders,
 * sorting, folders finished after their content, STOP_WALK, listing errors,
 * and the event loop turning during a long walk. Mount cases need root
 * (tmpfs, bind mounts in the test's own temporary folder, unmounted in
 * afterEach) and say why they are skipped elsewhere.
 */
import { lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STOP_WALK, walkFolder, type WalkJob } from '../../src/platform/fs/tree-walker.js';
import { errorOf } from '../helpers/relocate-error.js';
import { Mounts } from '../helpers/mounts.js';
import { tmpfsReason } from '../helpers/tmpfs.js';

const NO_MOUNTS = tmpfsReason();
if (NO_MOUNTS) console.warn(`test/platform/tree-walker: mount cases skipped: ${NO_MOUNTS}`);

let root: string;
let mounts: Mounts;
const at = (...p: string[]) => path.join(root, ...p);
function file(rel: string, content = rel): void {
  mkdirSync(path.dirname(at(rel)), { recursive: true });
  writeFileSync(at(rel), content);
}
const rel = (full: string) => path.relative(at('t'), full);

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'relocate-walker-'));
  mounts = new Mounts();
});
afterEach(() => {
  mounts.unmountAll(root);
  rmSync(root, { recursive: true, force: true });
});

/** Walks t/ with the job's choices, recording every name visited (relative to t) and every folder finished. */
async function record(choices: Partial<WalkJob<undefined, null>>, enter: (kind: string, full: string) => boolean = (k) => k === 'dir') {
  const visited: string[] = [];
  const finished: string[] = [];
  await walkFolder(at('t'), lstatSync(at('t')).dev, null, {
    order: 'breadth',
    sorted: true,
    mounts: 'refuse',
    ...choices,
    visit: (e) => {
      visited.push(rel(e.full) + (e.mount ? ' (mount)' : ''));
      return enter(e.kind, e.full) ? null : undefined;
    },
    finished: (dir) => finished.push(rel(dir) || '.'),
  });
  return { visited, finished };
}

describe('the tree walker', () => {
  beforeEach(() => {
    for (const f of ['t/b/z', 't/b/a', 't/a/deep/x', 't/c', 't/a/y']) file(f);
  });

  it('breadth first, names sorted: a folder before its content, siblings in UTF-16 order', async () => {
    const { visited } = await record({ order: 'breadth', sorted: true });
    expect(visited).toEqual(['a', 'b', 'c', 'a/deep', 'a/y', 'b/a', 'b/z', 'a/deep/x']);
  });

  it('depth first, as rm -rf: the last folder found is walked first, and each folder is finished after everything under it', async () => {
    const { visited, finished } = await record({ order: 'depth', sorted: true });
    expect(visited).toEqual(['a', 'b', 'c', 'b/a', 'b/z', 'a/deep', 'a/y', 'a/deep/x']);
    expect(finished).toEqual(['b', 'a/deep', 'a', '.']);
  });

  it('never enters a link, even when the job asks: E_INTERNAL before anything under it is read', async () => {
    file('elsewhere/secret');
    symlinkSync(at('elsewhere'), at('t', 'b', 'link'));
    const seen: string[] = [];
    const err = await errorOf(
      walkFolder(at('t'), lstatSync(at('t')).dev, null, {
        order: 'breadth',
        sorted: true,
        mounts: 'refuse',
        visit: (e) => {
          seen.push(rel(e.full));
          return e.kind === 'file' ? undefined : null; // a careless job: "enter whatever is not a file"
        },
      }),
    );
    expect(err.code).toBe('E_INTERNAL');
    expect(err.path).toBe(at('t', 'b', 'link'));
    expect(seen).not.toContain('b/link/secret');
  });

  it("with the job's own lstat, a link is a link too (not entered) and the job's stat is handed on", async () => {
    symlinkSync(at('t', 'a'), at('t', 'link-to-a'));
    const kinds: string[] = [];
    await walkFolder<Stats, null>(at('t'), lstatSync(at('t')).dev, null, {
      order: 'depth',
      sorted: true,
      mounts: 'refuse',
      stat: (full) => lstatSync(full),
      visit: (e) => {
        kinds.push(`${rel(e.full)}:${e.kind}:${e.stat.isSymbolicLink()}`);
        return e.kind === 'dir' ? null : undefined;
      },
    });
    expect(kinds).toContain('link-to-a:symlink:true');
    expect(kinds.filter((k) => k.startsWith('link-to-a/'))).toEqual([]);
  });

  it('a name the stat passes over (gone since the listing) is not handed on', async () => {
    const seen: string[] = [];
    await walkFolder<Stats, null>(at('t'), lstatSync(at('t')).dev, null, {
      order: 'breadth',
      sorted: true,
      mounts: 'refuse',
      stat: (full) => (path.basename(full) === 'b' ? undefined : lstatSync(full)),
      visit: (e) => {
        seen.push(rel(e.full));
        return e.kind === 'dir' ? null : undefined;
      },
    });
    expect(seen).toEqual(['a', 'c', 'a/deep', 'a/y', 'a/deep/x']);
  });

  it('STOP_WALK ends the walk at once: nothing more is visited and no folder is finished', async () => {
    const visited: string[] = [];
    const finished: string[] = [];
    await walkFolder(at('t'), lstatSync(at('t')).dev, null, {
      order: 'depth',
      sorted: true,
      mounts: 'refuse',
      visit: (e) => {
        visited.push(rel(e.full));
        if (rel(e.full) === 'b/a') return STOP_WALK;
        return e.kind === 'dir' ? null : undefined;
      },
      finished: (dir) => finished.push(dir),
    });
    expect(visited).toEqual(['a', 'b', 'c', 'b/a']);
    expect(finished).toEqual([]);
  });

  it('a folder that cannot be listed: E_MISSING naming it by default, or handed to onListError and the walk goes on', async () => {
    // The job removes a folder after it is found and before it is listed: what a program racing the walk does.
    const racing = (e: { full: string; kind: string }) => {
      if (rel(e.full) === 'c') rmSync(at('t', 'a'), { recursive: true });
      return e.kind === 'dir' ? null : undefined;
    };
    const err = await errorOf(walkFolder(at('t'), lstatSync(at('t')).dev, null, { order: 'breadth', sorted: true, mounts: 'refuse', visit: racing }));
    expect(err.code).toBe('E_MISSING');
    expect(err.path).toBe(at('t', 'a'));
    expect(err.message).toContain('listing');

    file('t/a/y');
    const unlisted: string[] = [];
    const seen: string[] = [];
    await walkFolder(at('t'), lstatSync(at('t')).dev, null, {
      order: 'breadth',
      sorted: true,
      mounts: 'refuse',
      onListError: (dir) => unlisted.push(rel(dir)),
      visit: (e) => {
        seen.push(rel(e.full));
        return racing(e);
      },
    });
    expect(unlisted).toEqual(['a']);
    expect(seen).toEqual(['a', 'b', 'c', 'b/a', 'b/z']);
  });

  it('the event loop turns during a long walk (the walk yields between slices)', async () => {
    for (let i = 0; i < 400; i++) file(`t/many/f${i}`);
    let turned = false;
    let visitsBeforeTurn = -1;
    let visits = 0;
    setImmediate(() => {
      turned = true;
      visitsBeforeTurn = visits;
    });
    await walkFolder(at('t'), lstatSync(at('t')).dev, null, {
      order: 'breadth',
      sorted: true,
      mounts: 'refuse',
      visit: (e) => {
        visits++;
        // The first name takes longer than a slice (12 ms): the walker must yield after it.
        if (visits === 1) {
          const until = performance.now() + 30;
          while (performance.now() < until);
        }
        return e.kind === 'dir' ? null : undefined;
      },
    });
    expect(turned).toBe(true);
    expect(visitsBeforeTurn).toBeGreaterThan(0);
    expect(visitsBeforeTurn).toBeLessThan(visits);
  });
});

describe.skipIf(NO_MOUNTS)('the tree walker and mounts', () => {
  /** t/ with files beside and a mount at t/m/vol holding `inside`. */
  function treeWithMount(kind: 'tmpfs' | 'bind'): string {
    for (const f of ['t/a', 't/m/before', 't/m/zafter', 't/z']) file(f);
    const point = at('t', 'm', 'vol');
    if (kind === 'tmpfs') mounts.tmpfs(point);
    else {
      file('elsewhere/kept');
      mounts.bind(at('elsewhere'), point);
    }
    writeFileSync(path.join(point, 'inside'), 'on the mounted volume');
    return point;
  }

  for (const table of [true, false]) {
    const how = table ? 'the mount table' : 'no mount table (the device alone)';
    it(`refuse, ${how}: E_MOUNT_INSIDE naming the tmpfs, and no name of the folder holding it handed on`, async () => {
      const point = treeWithMount('tmpfs');
      const seen: string[] = [];
      const err = await errorOf(
        walkFolder(at('t'), lstatSync(at('t')).dev, null, {
          order: 'depth',
          sorted: true,
          mounts: 'refuse',
          table: table ? undefined : null,
          visit: (e) => {
            seen.push(rel(e.full));
            return e.kind === 'dir' ? null : undefined;
          },
        }),
      );
      expect(err.code).toBe('E_MOUNT_INSIDE');
      expect(err.path).toBe(point);
      // With the table it is refused before the walk starts; without, when t/m is listed: before t/m/before is handed on.
      expect(seen).toEqual(table ? [] : ['a', 'm', 'z']);
    });

    it(`skip, ${how}: the tmpfs is handed on once as a mount and never entered`, async () => {
      treeWithMount('tmpfs');
      const { visited } = await record({ mounts: 'skip', table: table ? undefined : null }, (k, full) => k === 'dir' && !full.endsWith('vol'));
      expect(visited).toEqual(['a', 'm', 'z', 'm/before', 'm/vol (mount)', 'm/zafter']);
    });

    it(`skip, ${how}, with the job's own lstat: the tmpfs is a mount too`, async () => {
      treeWithMount('tmpfs');
      const seen: string[] = [];
      await walkFolder<Stats, null>(at('t'), lstatSync(at('t')).dev, null, {
        order: 'breadth',
        sorted: true,
        mounts: 'skip',
        table: table ? undefined : null,
        stat: (full) => lstatSync(full),
        visit: (e) => {
          seen.push(rel(e.full) + (e.mount ? ' (mount)' : ''));
          return e.kind === 'dir' && !e.mount ? null : undefined;
        },
      });
      expect(seen).toEqual(['a', 'm', 'z', 'm/before', 'm/vol (mount)', 'm/zafter']);
    });
  }

  it('skip: a job that asks to enter the mount it was shown gets E_INTERNAL (a bug of relocate), and nothing on it is read', async () => {
    const point = treeWithMount('tmpfs');
    const seen: string[] = [];
    const err = await errorOf(
      walkFolder(at('t'), lstatSync(at('t')).dev, null, {
        order: 'breadth',
        sorted: true,
        mounts: 'skip',
        visit: (e) => {
          seen.push(rel(e.full));
          return e.kind === 'dir' ? null : undefined; // enters the mount too
        },
      }),
    );
    expect(err.code).toBe('E_INTERNAL');
    expect(err.message).toContain('a volume mounted inside');
    expect(err.path).toBe(point);
    expect(seen).toContain('m/vol');
    expect(seen).not.toContain('m/vol/inside');
  });

  it('a bind mount (the same device) is known by the mount table: refused, or skipped as a mount', async () => {
    const point = treeWithMount('bind');
    expect(lstatSync(point).dev).toBe(lstatSync(at('t')).dev);
    const err = await errorOf(record({ mounts: 'refuse' }));
    expect(err.code).toBe('E_MOUNT_INSIDE');
    expect(err.path).toBe(point);
    const { visited } = await record({ mounts: 'skip' }, (k, full) => k === 'dir' && !full.endsWith('vol'));
    expect(visited).toContain('m/vol (mount)');
    expect(visited).not.toContain('m/vol/kept');
  });
});
