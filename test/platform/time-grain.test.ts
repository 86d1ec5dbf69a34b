/**
 * The verify compares a copy's mtime as finely as the copy's file system
 * keeps times: exactly on ext4/tmpfs, within a step of the grain elsewhere
 * (a FUSE or FAT target), so a move there is not refused for precision the
 * target never had, while a lost nanosecond on tmpfs is still caught.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeSetTimesNs, nativeSetTimesUnavailableReason, type SetTimesNs } from '../../src/platform/native/utimens.js';
import { MetaKeeper } from '../../src/platform/keep-meta.js';
import { PROBE_MTIME_NS, grainOfProbe, probedTimeGrainNs, timeGrainNs } from '../../src/platform/time-grain.js';
import { RelocateError } from '../../src/core/errors.js';
import { mountTmpfs, tmpfsReason } from '../helpers/tmpfs.js';

const reason = tmpfsReason();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('time grain', () => {
  it.skipIf(process.platform !== 'linux' || reason !== undefined)('tmpfs keeps nanoseconds (grain 1)', async () => {
    const m = mountTmpfs(1, 'grain');
    try {
      expect(await timeGrainNs(m.dir)).toBe(1n);
    } finally {
      m.unmount();
    }
  });

  it.skipIf(process.platform !== 'linux')('procfs (a file system not known to keep ns) is given a second', async () => {
    expect(await timeGrainNs('/proc')).toBe(1_000_000_000n);
    const d = mkdtempSync(path.join(os.tmpdir(), 'relocate-grain-'));
    dirs.push(d);
    expect(await timeGrainNs(path.join(d, 'missing'))).toBe(1_000_000_000n);
  });

  it('sameMtime: exact (or NTFS-truncated) at grain 1; within one step at a coarser grain', async () => {
    const k = await MetaKeeper.load((err, p) => new RelocateError('E_INTERNAL', String(err), { path: p }));
    const t = 1_796_483_653_929_090_785n;
    if (!k.nsTimes) {
      // The portable path (no koffi here) keeps a millisecond, whatever the grain.
      expect(k.sameMtime(t, t - 900_000n, 'file')).toBe(true);
      return;
    }
    expect(k.sameMtime(t, t, 'file', 1n)).toBe(true);
    expect(k.sameMtime(t, t - 85n, 'file', 1n)).toBe(true); // truncated to 100 ns
    expect(k.sameMtime(t, t - 47n, 'file', 1n)).toBe(false);
    expect(k.sameMtime(t, t - 47n, 'file', 1_000_000_000n)).toBe(true); // a FUSE double
    expect(k.sameMtime(t, t - 929_090_785n, 'file', 1_000_000_000n)).toBe(true); // seconds only
    expect(k.sameMtime(t, t - 1_000_000_000n, 'file', 1_000_000_000n)).toBe(false);
  });

  it('sameMtime without nanosecond times (the portable path): a millisecond, or the grain where it is coarser (FAT, exFAT, HFS+)', () => {
    const k = MetaKeeper.over(
      { xattrs: null, flags: null, copyMetadata: null, setTimes: null, birthTimesHeld: null },
      (err, p) => new RelocateError('E_INTERNAL', String(err), { path: p }),
    );
    const t = 1_796_483_653_929_090_785n;
    expect(k.sameMtime(t, t - 900_000n, 'file', 1n)).toBe(true);
    expect(k.sameMtime(t, t - 1_500_000n, 'file', 1n)).toBe(false);
    expect(k.sameMtime(t, t - 7_000_000n, 'file', 10_000_000n)).toBe(true); // exFAT
    expect(k.sameMtime(t, t - 1_929_090_785n, 'file', 2_000_000_000n)).toBe(true); // FAT
    expect(k.sameMtime(t, t - 2_000_000_000n, 'file', 2_000_000_000n)).toBe(false);
  });
});

/**
 * Off Linux (Windows, macOS) no statfs type names the file system, so the
 * verify asks the copy's volume by a probe whose mtime it sets with the
 * copy's own setter: an exFAT or FAT stick, or an HFS+ disk, keeps less
 * than the nanoseconds the setter gives, and a move there must not be
 * refused for it. Run here with setters that keep what those volumes keep.
 */
describe('time grain by probe (Windows, macOS)', () => {
  let native: SetTimesNs | null = null;
  beforeAll(async () => {
    native = await nativeSetTimesNs();
    if (!native) console.log(`[skip] the probe's volumes are played with nanosecond times: ${nativeSetTimesUnavailableReason()}`);
  });
  /** Sets what a volume keeping `keepNs` would keep of `ns` (truncated), to the nanosecond. */
  const setter = (keepNs: bigint) => (probe: string, ns: bigint) => {
    const kept = ns - (ns % keepNs);
    expect(native!(probe, kept, kept)).toBe(0);
  };

  it('reads the grain from how far the probe time read back lies from the one set', () => {
    const t = PROBE_MTIME_NS;
    expect(grainOfProbe(t, t)).toBe(1n);
    expect(grainOfProbe(t, t - (t % 100n))).toBe(1n); // NTFS: 100 ns, the mtime rule's own
    expect(grainOfProbe(t, t - (t % 1_000n))).toBe(1_000n);
    expect(grainOfProbe(t, t - (t % 1_000_000n))).toBe(1_000_000n);
    expect(grainOfProbe(t, t - (t % 10_000_000n))).toBe(10_000_000n); // exFAT
    expect(grainOfProbe(t, t - (t % 1_000_000_000n))).toBe(2_000_000_000n); // HFS+
    expect(grainOfProbe(t, t - (t % 2_000_000_000n))).toBe(2_000_000_000n); // FAT
    expect(grainOfProbe(t, t + 2_345_679n)).toBe(10_000_000n); // exFAT rounding to the nearest 10 ms
    // A volume that keeps no set time at all: strict.
    expect(grainOfProbe(t, t - 3_600_000_000_000n)).toBe(1n);
  });

  for (const [what, keep, want] of [
    ['a volume that keeps what is set', 1n, 1n],
    ['exFAT (10 ms)', 10_000_000n, 10_000_000n],
    ['FAT (2 s)', 2_000_000_000n, 2_000_000_000n],
    ['HFS+ (1 s)', 1_000_000_000n, 2_000_000_000n],
  ] as const) {
    it(`${what}: grain ${want} ns, asked once per volume, the probe removed`, (ctx) => {
      if (!native) return ctx.skip();
      const d = mkdtempSync(path.join(os.tmpdir(), 'relocate-grain-'));
      dirs.push(d);
      const known = new Map<string, bigint>();
      let calls = 0;
      const set = setter(keep);
      const counted = (p: string, ns: bigint) => {
        calls++;
        set(p, ns);
      };
      expect(probedTimeGrainNs(d, counted, known)).toBe(want);
      expect(probedTimeGrainNs(d, counted, known)).toBe(want);
      expect(calls).toBe(1);
      expect(readdirSync(d)).toEqual([]);
    });
  }

  it('a setter that fails leaves the verify strict (grain 1)', () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'relocate-grain-'));
    dirs.push(d);
    expect(
      probedTimeGrainNs(
        d,
        () => {
          throw new Error('EPERM');
        },
        new Map(),
      ),
    ).toBe(1n);
    expect(readdirSync(d)).toEqual([]);
  });
});
