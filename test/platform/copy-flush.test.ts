/**
 * The flush of a copy (src/platform/copy-flush.ts): the descriptor whose
 * syncfs makes the copy durable is opened before the copy's first byte,
 * because Linux reports a write-back error only to descriptors opened
 * before it happened; one opened after the copy would miss an error the
 * kernel's flusher met while the copy was made and someone else was told of.
 */
import { spawnSync } from 'node:child_process';
import { fstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyFlush } from '../../src/platform/copy-flush.js';
import type { NativeSyncfs } from '../../src/platform/native/syncfs.js';
import { nativeSyncfs } from '../../src/platform/native/syncfs.js';
import { CLI_BIN, requireBuiltCli } from '../helpers/cli.js';
import { mountTmpfs, tmpfsReason, type TmpfsMount } from '../helpers/tmpfs.js';

describe('CopyFlush', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-copy-flush-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('syncs through the descriptor opened first, gives its answer as it is, and closes it once', () => {
    const calls: number[] = [];
    let answer: ReturnType<NativeSyncfs> = { ok: true };
    const fake: NativeSyncfs = (fd) => {
      calls.push(fd);
      return answer;
    };
    return CopyFlush.open(dir, fake).then((flush) => {
      expect(fstatSync(flush.fd).isDirectory()).toBe(true);
      expect(flush.flush()).toEqual({ ok: true });
      answer = { ok: false, errno: 5 };
      expect(flush.flush()).toEqual({ ok: false, errno: 5 });
      expect(calls).toEqual([flush.fd, flush.fd]);
      flush.close();
      flush.close();
      expect(() => fstatSync(flush.fd)).toThrow();
    });
  });
});

const straceWhy = spawnSync('strace', ['-V']).status === 0 ? undefined : 'strace is not installed (Debian: strace)';
const why = tmpfsReason() ?? straceWhy;
if (why) console.warn(`test/platform/copy-flush: the traced copies skipped: ${why}`);

describe.skipIf(why !== undefined)('a traced copy onto a volume that honours syncfs (tmpfs)', () => {
  let vol: TmpfsMount;
  let work: string;
  beforeAll(() => {
    vol = mountTmpfs(256, 'copy-flush');
    work = mkdtempSync(path.join(os.tmpdir(), 'relocate-copy-flush-src-'));
  });
  afterAll(() => {
    vol?.unmount();
    rmSync(work, { recursive: true, force: true });
  });

  /** Applies a move of a folder holding one file of `bytes`, under strace; the trace's lines. */
  function tracedMove(name: string, bytes: number): { lines: string[]; mainPid: string } {
    requireBuiltCli();
    const src = path.join(work, name);
    mkdirSync(src, { recursive: true });
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const out = path.join(src, 'data.bin');
    writeFileSync(out, '');
    for (let done = 0; done < bytes; done += chunk.length) writeFileSync(out, chunk.subarray(0, Math.min(chunk.length, bytes - done)), { flag: 'a' });
    const manifest = path.join(work, `${name}.yaml`);
    writeFileSync(manifest, JSON.stringify({ version: 1, links: [{ link: src, target: path.join(vol.dir, 'store', name) }] }));
    const trace = path.join(work, `${name}.trace`);
    const r = spawnSync(
      'strace',
      [
        '-f',
        '-y',
        '-qq',
        '-o',
        trace,
        '-e',
        'trace=openat,mkdir,mkdirat,syncfs,unlink,unlinkat,rmdir',
        process.execPath,
        CLI_BIN,
        'apply',
        manifest,
        '--yes',
        '--state-dir',
        path.join(work, `state-${name}`),
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(trace, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    return { lines, mainPid: lines[0]!.split(' ')[0]! };
  }

  /** The descriptor a syncfs line names, and the folder it is open on. */
  const syncfsOf = (l: string) => /\bsyncfs\((\d+)<([^>]*)>/.exec(l);

  for (const [label, bytes, name] of [
    ['a small copy', 1024 * 1024, 'Small'],
    ['a copy of 80 MiB', 80 * 1024 * 1024, 'Big'],
  ] as const) {
    it(`${label}: the syncfs before the delete is on a descriptor of the copy's folder opened before the copy was made, and the only one`, () => {
      const { lines, mainPid } = tracedMove(name, bytes);
      const store = path.join(vol.dir, 'store');
      const firstDelete = lines.findIndex((l) => new RegExp(`(unlinkat?|rmdir)\\(.*${name}\\.relocate-old-`).test(l) && / = 0$/.test(l));
      expect(firstDelete, 'the original was deleted').toBeGreaterThan(0);
      const syncs = lines
        .slice(0, firstDelete)
        .map((l, i) => ({ l, i, m: syncfsOf(l) }))
        .filter((x) => x.m && x.m[2] === store);
      const final = syncs.filter((x) => x.l.startsWith(`${mainPid} `)).at(-1);
      expect(final, `a syncfs of ${store} on the main thread before the delete\n${lines.join('\n')}`).toBeDefined();
      const fd = final!.m![1]!;
      // The last open that returned this descriptor before the final syncfs: the folder holding the copy.
      const opened = lines
        .slice(0, final!.i)
        .map((l, i) => ({ l, i }))
        .filter((x) => x.l.startsWith(`${mainPid} `) && new RegExp(`openat\\(.*\\) = ${fd}<${store.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}>$`).test(x.l))
        .at(-1);
      expect(opened, `the open of descriptor ${fd}`).toBeDefined();
      const made = lines.findIndex((l) => new RegExp(`mkdir(at)?\\(.*${name}\\.relocate-partial-`).test(l));
      expect(made, 'the copy was made').toBeGreaterThan(0);
      expect(opened!.i, 'descriptor opened before the copy was made').toBeLessThan(made);
      expect(
        syncs.map((x) => x.l),
        'one syncfs of the copy, on the main thread',
      ).toHaveLength(1);
    }, 60_000);
  }

  it('the native call exists here (else the traced copies prove nothing)', async () => {
    expect(await nativeSyncfs()).not.toBeNull();
  });
});
