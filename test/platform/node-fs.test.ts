import { execFileSync } from 'node:child_process';
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RelocateError } from '../../src/core/errors.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { snapshotTree } from '../helpers/snapshot.js';

let root: string;
const fs = new NodeFs();
const at = (...p: string[]) => path.join(root, ...p);
function file(rel: string, content: string): string {
  const p = at(rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
  return p;
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(RelocateError);
    return (err as RelocateError).code;
  }
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'relocate-nodefs-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('NodeFs, the only code that changes the disk', () => {
  it('renameNoReplace never replaces what is at the destination', async () => {
    file('a/x', 'mine');
    file('b', 'theirs');
    expect(await codeOf(fs.renameNoReplace(at('a'), at('b')))).toBe('E_EXISTS');
    expect(readFileSync(at('b'), 'utf8')).toBe('theirs');
    expect(readFileSync(at('a/x'), 'utf8')).toBe('mine');
    await fs.renameNoReplace(at('a'), at('c'));
    expect(readFileSync(at('c/x'), 'utf8')).toBe('mine');
  });

  it('copyTree keeps link texts, hard links, modes and times, and never enters a link', async () => {
    file('outside/secret', 'not to be copied');
    file('src/f.txt', 'f');
    linkSync(at('src/f.txt'), at('src/f-again.txt'));
    symlinkSync(at('outside'), at('src/out'));
    symlinkSync('f.txt', at('src/rel'));
    await fs.copyTree(at('src'), at('dst'));
    expect(readlinkSync(at('dst/out'))).toBe(at('outside'));
    expect(readlinkSync(at('dst/rel'))).toBe('f.txt');
    expect(lstatSync(at('dst/f.txt')).ino).toBe(lstatSync(at('dst/f-again.txt')).ino);
    expect(lstatSync(at('dst/out')).isSymbolicLink()).toBe(true);
    await fs.verify(at('src'), at('dst'), 'content', false);
  });

  // FIFOs are a POSIX thing (mkfifo): Windows has no special files in folders.
  it.skipIf(process.platform === 'win32')('copyTree refuses a special file with E_UNSUPPORTED_NODE naming it', async () => {
    file('src/a.txt', 'a');
    execFileSync('mkfifo', [at('src/pipe')]);
    const err = await fs.copyTree(at('src'), at('dst')).catch((e: RelocateError) => e);
    expect((err as RelocateError).code).toBe('E_UNSUPPORTED_NODE');
    expect((err as RelocateError).path).toBe(at('src/pipe'));
  });

  it('verify finds a changed byte only in content mode, and a missing file in both', async () => {
    file('a/x.bin', 'abcdef');
    await fs.copyTree(at('a'), at('b'));
    const { mtimeNs } = lstatSync(at('b/x.bin'), { bigint: true });
    writeFileSync(at('b/x.bin'), 'abcdeF');
    // The exact time back (the verify compares nanoseconds; utimes would keep microseconds).
    execFileSync('touch', ['-m', '-d', `@${mtimeNs / 1_000_000_000n}.${String(mtimeNs % 1_000_000_000n).padStart(9, '0')}`, at('b/x.bin')]);
    await fs.verify(at('a'), at('b'), 'meta', false);
    expect(await codeOf(fs.verify(at('a'), at('b'), 'content', false))).toBe('E_VERIFY');
    rmSync(at('b/x.bin'));
    expect(await codeOf(fs.verify(at('a'), at('b'), 'meta', false))).toBe('E_VERIFY');
  });

  it('verify pairs the two listings by name, not by position: a copy with as many nodes but one renamed fails', async () => {
    // A fresh NodeFs for each verify: one NodeFs reuses the copy's listing from its previous verify (forVerify).
    const verify = () => new NodeFs().verify(at('a'), at('b'), 'meta', false);
    // Same sizes and times everywhere, so only the names tell the trees apart (the listings are compared by
    // position only when every name in every folder matches: tree-listing.ts).
    for (const rel of ['a/d1/x', 'a/d1/y', 'a/d2/x', 'a/d2/z']) file(rel, 'same');
    await fs.copyTree(at('a'), at('b'));
    await verify();
    const times = new Map(['b/d1', 'b/d2'].map((d) => [at(d), lstatSync(at(d), { bigint: true }).mtimeNs]));
    // The folder's own time back after a rename in it (the verify compares nanoseconds).
    const keepTime = (p: string) => {
      const ns = times.get(p)!;
      execFileSync('touch', ['-m', '-d', `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`, p]);
    };
    renameSync(at('b/d2/z'), at('b/d2/w'));
    keepTime(at('b/d2'));
    await expect(verify()).rejects.toMatchObject({ code: 'E_VERIFY', message: expect.stringContaining('d2/z: missing in the copy') });
    renameSync(at('b/d2/w'), at('b/d2/z'));
    keepTime(at('b/d2'));
    await verify();
    // A file moved to the other folder under its own name: as many nodes, the same names, other folders.
    renameSync(at('b/d1/y'), at('b/d2/y'));
    keepTime(at('b/d1'));
    keepTime(at('b/d2'));
    await expect(verify()).rejects.toMatchObject({ code: 'E_VERIFY', message: expect.stringContaining('d1/y: missing in the copy') });
  });

  it('deleteTree removes links as links: what they point to is untouched', async () => {
    file('keep/precious.txt', 'precious');
    file('doomed/own.txt', 'own');
    symlinkSync(at('keep'), at('doomed/to-keep'));
    symlinkSync(at('keep/precious.txt'), at('doomed/to-file'));
    const before = snapshotTree(at('keep'));
    await fs.deleteTree(at('doomed'));
    expect(() => lstatSync(at('doomed'))).toThrow();
    expect(snapshotTree(at('keep'))).toEqual(before);
  });

  it('removeLink refuses a real folder', async () => {
    file('real/x', 'x');
    expect(await codeOf(fs.removeLink(at('real')))).toBe('E_NOT_A_LINK');
    expect(readFileSync(at('real/x'), 'utf8')).toBe('x');
  });
});

describe('E_VERIFY says which side changed', () => {
  it('a file a program changed in the original after it was copied: "a program is writing there", not "check the destination disk"', async () => {
    const mover = new NodeFs();
    file('orig/log.txt', 'line 1\n');
    file('orig/keep.txt', 'k');
    await mover.copyTree(at('orig'), at('copy'));
    // The first verify (copy against what was read) passes; the program writes before the second, as before the original is set aside.
    await mover.verify(at('orig'), at('copy'), 'meta', false);
    writeFileSync(at('orig/log.txt'), 'line 1\nline 2, appended by a program\n');
    await expect(mover.verify(at('orig'), at('copy'), 'meta', false)).rejects.toMatchObject({
      code: 'E_VERIFY',
      message: expect.stringMatching(
        new RegExp(`^files in ${at('orig')} changed while relocate moved them \\(log\\.txt: size \\d+ vs 7\\): a program is writing there$`),
      ),
      hint: expect.stringContaining('Close the programs that use this folder'),
    });
  });

  it('a file created in the original after the copy is the original changing too', async () => {
    const mover = new NodeFs();
    file('orig/a.txt', 'a');
    await mover.copyTree(at('orig'), at('copy'));
    await mover.verify(at('orig'), at('copy'), 'meta', false);
    file('orig/new.txt', 'new');
    await expect(mover.verify(at('orig'), at('copy'), 'meta', false)).rejects.toMatchObject({
      code: 'E_VERIFY',
      message: expect.stringContaining('a program is writing there'),
    });
  });

  it('a copy damaged on the destination keeps the destination message', async () => {
    const mover = new NodeFs();
    file('orig/a.txt', 'aaaa');
    await mover.copyTree(at('orig'), at('copy'));
    writeFileSync(at('copy/a.txt'), 'aa');
    utimesSync(at('copy/a.txt'), lstatSync(at('orig/a.txt')).atime, lstatSync(at('orig/a.txt')).mtime);
    await expect(mover.verify(at('orig'), at('copy'), 'meta', false)).rejects.toMatchObject({
      code: 'E_VERIFY',
      message: `the copy ${at('copy')} does not match ${at('orig')}: a.txt: size 4 vs 2`,
      hint: expect.stringContaining('Check the destination disk'),
    });
  });
});
