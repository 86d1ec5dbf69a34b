/**
 * Issue 15, "Names the target cannot hold", the reader's half: what a
 * measure walk tells of a tree's names (TreeNames) and how the probe asks a
 * folder whether it ignores case or Unicode normalisation — leaving nothing
 * behind. On this case-sensitive temporary disk, and on a folder that
 * ignores case (test/helpers/case-insensitive.ts: ext4 casefold or FUSE).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeNameRules, probeNamesByLooking } from '../../src/platform/name-probe.js';
import { NodeDiskReader } from '../../src/platform/node-reader.js';
import { NAMES_LISTED } from '../../src/state/types.js';
import { caseInsensitiveFolderForFile, caseInsensitiveReason } from '../helpers/case-insensitive.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-names-'));
});
afterEach(() => {
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

describe('TreeNames from a measure walk', () => {
  it('twins, names Windows cannot hold, the longest name and path, in both units', async () => {
    const t = path.join(dir, 't');
    mkdirSync(path.join(t, 'sub', 'deeper'), { recursive: true });
    for (const n of ['README', 'Readme', 'readme.md', 'caf\u00e9', 'cafe\u0301', 'a:b', 'nul.txt', 'plain']) writeFileSync(path.join(t, 'sub', n), n);
    mkdirSync(path.join(t, 'Makefile'));
    writeFileSync(path.join(t, 'makefile'), 'x');
    const long = '\u6f22'.repeat(80);
    writeFileSync(path.join(t, 'sub', 'deeper', long), 'cjk');
    const m = await new NodeDiskReader().measure(t, { names: true });
    const names = m.names!;
    expect(names.twins!.count).toBe(3);
    const pairs = names.twins!.first.map((p) => `${path.relative(t, p.dir) || '.'}:${[p.a, p.b].sort().join('|')}`).sort();
    expect(pairs).toEqual(['.:Makefile|makefile', 'sub:README|Readme', `sub:${['caf\u00e9', 'cafe\u0301'].sort().join('|')}`].sort());
    expect(names.windowsUnfit).toEqual({ count: 2, first: expect.arrayContaining([path.join(t, 'sub', 'a:b'), path.join(t, 'sub', 'nul.txt')]) });
    expect(names.longest!.nameBytes).toEqual({ path: path.join(t, 'sub', 'deeper', long), n: 240 });
    expect(names.longest!.nameUnits).toEqual({ path: path.join(t, 'sub', 'deeper', long), n: 80 });
    expect(names.longest!.relBytes).toEqual({ path: path.join(t, 'sub', 'deeper', long), n: 'sub/deeper/'.length + 240 });
    expect(names.longest!.relUnits.n).toBe('sub/deeper/'.length + 80);
  });

  it('lists at most NAMES_LISTED twins and counts them all; a walk not asked for names says nothing of them', async () => {
    const t = path.join(dir, 't');
    mkdirSync(t);
    for (let i = 0; i < NAMES_LISTED + 5; i++) {
      writeFileSync(path.join(t, `F${i}`), '');
      writeFileSync(path.join(t, `f${i}`), '');
    }
    const m = await new NodeDiskReader().measure(t, { names: true });
    expect(m.names!.twins!.count).toBe(NAMES_LISTED + 5);
    expect(m.names!.twins!.first).toHaveLength(NAMES_LISTED);
    expect((await new NodeDiskReader().measure(t)).names).toBeUndefined();
  });

  it('an ordinary tree: no twins, nothing unfit', async () => {
    const t = path.join(dir, 't');
    mkdirSync(path.join(t, 'a'), { recursive: true });
    writeFileSync(path.join(t, 'a', 'notes.txt'), 'x');
    const m = await new NodeDiskReader().measure(t, { names: true });
    expect(m.names!.twins).toBeUndefined();
    expect(m.names!.windowsUnfit).toBeUndefined();
    expect(m.names!.longest!.relBytes).toEqual({ path: path.join(t, 'a', 'notes.txt'), n: 'a/notes.txt'.length });
  });
});

describe('probeNameRules on a case-sensitive disk', () => {
  it('says case and accents are told apart, and leaves nothing behind', () => {
    writeFileSync(path.join(dir, 'keep'), 'x');
    expect(probeNameRules(dir)).toEqual({ ignoresCase: false, ignoresNormalisation: false });
    expect(readdirSync(dir)).toEqual(['keep']);
  });

  it('where nothing can be made, it looks names already there up in another spelling', () => {
    writeFileSync(path.join(dir, 'Readme'), 'x');
    writeFileSync(path.join(dir, 'caf\u00e9'), 'x');
    expect(probeNamesByLooking(dir)).toEqual({ ignoresCase: false, ignoresNormalisation: false });
    // A folder with no name that can tell: nothing known.
    const bare = path.join(dir, 'bare');
    mkdirSync(bare);
    writeFileSync(path.join(bare, '123'), '');
    expect(probeNamesByLooking(bare)).toEqual({});
  });

  it('a folder nothing can be made in (a read-only mount as root, a folder without write permission otherwise) is asked by looking', () => {
    writeFileSync(path.join(dir, 'Readme'), 'x');
    const root = process.getuid?.() === 0;
    const ro = path.join(os.tmpdir(), `relocate-names-ro-${process.pid}`);
    if (root) {
      mkdirSync(ro, { recursive: true });
      execFileSync('mount', ['--bind', dir, ro]);
      execFileSync('mount', ['-o', 'remount,bind,ro', ro]);
    } else chmodSync(dir, 0o500);
    try {
      expect(probeNameRules(root ? ro : dir)).toEqual({ ignoresCase: false });
      expect(readdirSync(dir)).toEqual(['Readme']);
    } finally {
      if (root) {
        execFileSync('umount', [ro]);
        rmSync(ro, { recursive: true, force: true });
      }
    }
  });
});

const reason = caseInsensitiveReason();
if (reason) console.warn(`test/platform/names: the case-insensitive probe tests skipped: ${reason}`);
const caseless = caseInsensitiveFolderForFile('names');

describe.skipIf(reason !== undefined)('probeNameRules on a folder that ignores case', () => {
  it('says it ignores case, by making names and by looking at names there; leaves nothing behind', () => {
    const d = mkdtempSync(path.join(caseless(), 'p-'));
    try {
      expect(probeNameRules(d).ignoresCase).toBe(true);
      expect(readdirSync(d)).toEqual([]);
      writeFileSync(path.join(d, 'Readme'), 'x');
      expect(probeNamesByLooking(d).ignoresCase).toBe(true);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
