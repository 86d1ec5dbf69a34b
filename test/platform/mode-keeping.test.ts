/**
 * keepsModes (src/platform/mode-keeping.ts): whether a volume keeps POSIX
 * permission bits, by a probe file. True on this machine's disk (so a lost
 * mode there still fails the verify: test/exec/fidelity.test.ts's set-user-ID
 * twin); false on NTFS through ntfs-3g, where every file reads back 0777 —
 * and there a cross-volume move goes through (before, every move onto such
 * a volume failed its verify with `mode 755 vs 777` and rolled back), its
 * --verbose output saying modes and owners were not kept.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepsModes } from '../../src/platform/mode-keeping.js';
import { requireBuiltCli, runCliAsync } from '../helpers/cli.js';
import { loopFsReason, mountLoop, type LoopVolume } from '../helpers/loop-volume.js';
import { show } from '../exec/sandbox.js';

describe('keepsModes', () => {
  it('is true on this disk, and the probe leaves nothing', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-modes-'));
    try {
      expect(keepsModes(dir)).toBe(true);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const reason = loopFsReason('ntfs');
if (reason) console.warn(`test/platform/mode-keeping: the NTFS tests skipped: ${reason}`);

describe.skipIf(reason !== undefined)('on NTFS through ntfs-3g', () => {
  let ntfs: LoopVolume;
  let root: string;
  beforeAll(() => {
    ntfs = mountLoop('ntfs', 32, 'modes-ntfs');
    root = mkdtempSync(path.join(os.tmpdir(), 'relocate-modes-cli-'));
  });
  afterAll(() => {
    ntfs?.unmount();
    rmSync(root, { recursive: true, force: true });
  });

  it('is false, and the probe leaves nothing', () => {
    const d = path.join(ntfs.dir, 'probe');
    mkdirSync(d);
    expect(keepsModes(d)).toBe(false);
    expect(readdirSync(d)).toEqual([]);
  });

  it('a move onto it goes through, verified on what it keeps; --verbose says modes and owners were not kept', async () => {
    requireBuiltCli();
    const docs = path.join(root, 'Docs');
    mkdirSync(docs);
    writeFileSync(path.join(docs, 'a.txt'), 'a');
    const target = path.join(ntfs.dir, 'Docs');
    const m = path.join(root, 'relocate.yaml');
    writeFileSync(m, JSON.stringify({ version: 1, links: [{ link: docs, target }] }));
    const r = await runCliAsync(['apply', m, '--yes', '--verbose', '--state-dir', path.join(root, 'state')]);
    expect(r.status, show(r)).toBe(0);
    expect(r.stdout + r.stderr).toContain(`the volume of ${ntfs.dir} keeps no permission bits or owners`);
    expect(readdirSync(target)).toEqual(['a.txt']);
  }, 60_000);
});
