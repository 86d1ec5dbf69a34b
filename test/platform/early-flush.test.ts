/**
 * The flush of a copy (src/platform/early-flush.ts): the descriptor whose
 * syncfs makes the copy durable is opened before the copy's first byte
 * (Linux reports a write-back error only to descriptors opened before it),
 * and a big copy starts its write-back while it is being made, on another
 * descriptor and another thread, without ever closing a descriptor under a
 * call that uses it.
 */
import { spawnSync } from 'node:child_process';
import { fstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EARLY_FLUSH_BYTES, EarlyFlush } from '../../src/platform/early-flush.js';
import type { NativeSyncfs } from '../../src/platform/native/syncfs.js';
import { nativeSyncfs } from '../../src/platform/native/syncfs.js';
import { CLI_BIN, requireBuiltCli } from '../helpers/cli.js';
import { mountTmpfs, tmpfsReason, type TmpfsMount } from '../helpers/tmpfs.js';

/** A syncfs that records each call: which descriptor, on which path (synchronous or background), and what is in flight. */
function fakeSyncfs(opts: { backgroundMs?: number; backgroundOk?: boolean; result?: { ok: true } | { ok: false; errno: number } } = {}) {
  const calls: { fd: number; background: boolean }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const closedUnderCall: number[] = [];
  const call = (fd: number) => {
    calls.push({ fd, background: false });
    return opts.result ?? ({ ok: true } as const);
  };
  const background = async (fd: number) => {
    calls.push({ fd, background: true });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, opts.backgroundMs ?? 5));
    // The descriptor must still be open when the call ends.
    try {
      fstatSync(fd);
    } catch {
      closedUnderCall.push(fd);
    }
    inFlight--;
    return opts.backgroundOk ?? true;
  };
  const fn = Object.assign(call, { background }) as NativeSyncfs;
  return { fn, calls, closedUnderCall, maxInFlight: () => maxInFlight, inFlight: () => inFlight };
}

describe('EarlyFlush', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-early-flush-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a small copy gets no background calls: one syncfs at the end, on the descriptor opened first', async () => {
    const f = fakeSyncfs();
    const flush = await EarlyFlush.open(dir, EARLY_FLUSH_BYTES - 1, f.fn);
    flush.stop();
    expect(flush.flush()).toEqual({ ok: true });
    await flush.close();
    expect(f.calls).toEqual([{ fd: flush.fd, background: false }]);
  });

  it('a big copy calls syncfs in the background on another descriptor, one call at a time, until stopped', async () => {
    const f = fakeSyncfs({ backgroundMs: 20 });
    const flush = await EarlyFlush.open(dir, EARLY_FLUSH_BYTES, f.fn);
    await new Promise((r) => setTimeout(r, 350));
    flush.stop();
    const bg = f.calls.filter((c) => c.background);
    // 100 ms apart at most once each: about 3–4 in 350 ms, never a spin.
    expect(bg.length).toBeGreaterThanOrEqual(2);
    expect(bg.length).toBeLessThanOrEqual(6);
    expect(f.maxInFlight()).toBe(1);
    expect(new Set(bg.map((c) => c.fd)).size).toBe(1);
    expect(bg[0]!.fd).not.toBe(flush.fd);
    const after = f.calls.length;
    await new Promise((r) => setTimeout(r, 150));
    // The call in flight at stop() may end; none starts after it.
    expect(f.calls.length, 'no call after stop()').toBe(after);
    expect(flush.flush()).toEqual({ ok: true });
    expect(f.calls.at(-1)).toEqual({ fd: flush.fd, background: false });
    await flush.close();
  });

  it('close() waits for the background call in flight before closing its descriptor', async () => {
    const f = fakeSyncfs({ backgroundMs: 80 });
    const flush = await EarlyFlush.open(dir, EARLY_FLUSH_BYTES * 4, f.fn);
    await new Promise((r) => setTimeout(r, 10));
    await flush.close();
    expect(f.inFlight(), 'no call still running once close() returns').toBe(0);
    await flush.close();
    await new Promise((r) => setTimeout(r, 120));
    expect(f.calls.some((c) => c.background)).toBe(true);
    expect(f.closedUnderCall).toEqual([]);
    expect(() => fstatSync(flush.fd)).toThrow();
  });

  it('a failed background call ends the loop and changes nothing: the final syncfs gives its own answer', async () => {
    const failing = fakeSyncfs({ backgroundOk: false, result: { ok: false, errno: 5 } });
    const flush = await EarlyFlush.open(dir, EARLY_FLUSH_BYTES, failing.fn);
    await new Promise((r) => setTimeout(r, 250));
    expect(failing.calls.filter((c) => c.background)).toHaveLength(1);
    expect(flush.flush()).toEqual({ ok: false, errno: 5 });
    await flush.close();
  });
});

const straceWhy = spawnSync('strace', ['-V']).status === 0 ? undefined : 'strace is not installed (Debian: strace)';
const why = tmpfsReason() ?? straceWhy;
if (why) console.warn(`test/platform/early-flush: the traced copies skipped: ${why}`);

describe.skipIf(why !== undefined)('a traced copy onto a volume that honours syncfs (tmpfs)', () => {
  let vol: TmpfsMount;
  let work: string;
  beforeAll(() => {
    vol = mountTmpfs(256, 'early-flush');
    work = mkdtempSync(path.join(os.tmpdir(), 'relocate-early-flush-src-'));
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
    const r = spawnSync('strace', ['-f', '-y', '-qq', '-o', trace, '-e', 'trace=openat,mkdir,mkdirat,syncfs,unlink,unlinkat,rmdir', process.execPath, CLI_BIN, 'apply', manifest, '--yes', '--state-dir', path.join(work, `state-${name}`)], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(trace, 'utf8').split('\n').filter((l) => l !== '');
    return { lines, mainPid: lines[0]!.split(' ')[0]! };
  }

  /** The descriptor a syncfs line names, and the folder it is open on. */
  const syncfsOf = (l: string) => /\bsyncfs\((\d+)<([^>]*)>/.exec(l);

  for (const [label, bytes, background] of [['a small copy', 1024 * 1024, false], ['a big copy', EARLY_FLUSH_BYTES + 1024 * 1024, true]] as const) {
    it(`${label}: the final syncfs is on a descriptor of the copy's folder opened before the copy was made${background ? ', after syncfs calls on another thread during the copy' : ''}`, () => {
      const name = background ? 'Big' : 'Small';
      const { lines, mainPid } = tracedMove(name, bytes);
      const store = path.join(vol.dir, 'store');
      const firstDelete = lines.findIndex((l) => new RegExp(`(unlinkat?|rmdir)\\(.*${name}\\.relocate-old-`).test(l) && / = 0$/.test(l));
      expect(firstDelete, 'the original was deleted').toBeGreaterThan(0);
      const syncs = lines.slice(0, firstDelete).map((l, i) => ({ l, i, m: syncfsOf(l) })).filter((x) => x.m && x.m[2] === store);
      const final = syncs.filter((x) => x.l.startsWith(`${mainPid} `)).at(-1);
      expect(final, `a syncfs of ${store} on the main thread before the delete\n${lines.join('\n')}`).toBeDefined();
      const fd = final!.m![1]!;
      // The last open that returned this descriptor before the final syncfs: the folder holding the copy.
      const opened = lines.slice(0, final!.i).map((l, i) => ({ l, i })).filter((x) => x.l.startsWith(`${mainPid} `) && new RegExp(`openat\\(.*\\) = ${fd}<${store.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}>$`).test(x.l)).at(-1);
      expect(opened, `the open of descriptor ${fd}`).toBeDefined();
      const made = lines.findIndex((l) => new RegExp(`mkdir(at)?\\(.*${name}\\.relocate-partial-`).test(l));
      expect(made, 'the copy was made').toBeGreaterThan(0);
      expect(opened!.i, 'descriptor opened before the copy was made').toBeLessThan(made);
      const others = syncs.filter((x) => !x.l.startsWith(`${mainPid} `) && x.i < final!.i);
      if (background) {
        expect(others.length, 'background syncfs calls during the copy').toBeGreaterThan(0);
        expect(others.every((x) => x.m![1] !== fd), 'on another descriptor').toBe(true);
      } else {
        expect(others).toEqual([]);
      }
    }, 60_000);
  }

  it('the native call exists here (else the traced copies prove nothing)', async () => {
    expect(await nativeSyncfs()).not.toBeNull();
  });
});
