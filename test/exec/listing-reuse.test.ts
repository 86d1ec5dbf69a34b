/**
 * Issue 7: a cross-volume move reuses the tree listings NodeFs has just made
 * (copy → first verify → second verify → the delete's snapshot) instead of
 * walking each tree six times. These tests pin what that must not weaken:
 * a change to the original at any point before it is set aside is still
 * caught before anything is deleted, writes made through the new link are
 * not mistaken for a bad copy, and a new process walks everything.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RelocateError } from '../../src/core/errors.js';
import type { FsPort } from '../../src/exec/fs-port.js';
import { rollbackRun, startRun } from '../../src/exec/run-control.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { tmpfsReason, volumePairForFile } from '../helpers/tmpfs.js';
import { planFor, reload } from '../property/harness.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/exec/listing-reuse: cross-volume cases skipped: ${NO_TMPFS}`);

const vols = volumePairForFile('listing');
let n = 0;

/** A Games folder on volume A (three files, a subfolder), its manifest entry to volume B, and a state folder. */
function box() {
  const id = `l${n++}`;
  const A = path.join(vols.volA(), id);
  const B = path.join(vols.volB(), id);
  const games = path.join(A, 'Games');
  mkdirSync(path.join(games, 'saves'), { recursive: true });
  mkdirSync(B, { recursive: true });
  writeFileSync(path.join(games, 'game.exe'), 'binary');
  writeFileSync(path.join(games, 'saves', 'slot1'), 'level 3');
  writeFileSync(path.join(games, 'readme'), 'hello');
  const meta = path.join(vols.scratch(), id);
  mkdirSync(meta);
  const manifest = path.join(meta, 'relocate.yaml');
  writeFileSync(manifest, JSON.stringify({ version: 1, links: [{ link: games, target: path.join(B, 'Games'), type: 'symlink' }] }));
  return { A, B, games, target: path.join(B, 'Games'), stateDir: path.join(meta, 'state'), manifest };
}

/** NodeFs with `hook` run after each call of the named method (the way another program would act at that moment). */
function hooked(method: keyof FsPort, hook: (args: unknown[]) => void): FsPort {
  const inner = new NodeFs();
  let fired = false;
  return new Proxy(inner, {
    get(t, k) {
      const v = Reflect.get(t, k) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        const r = await (v as (...x: unknown[]) => Promise<unknown>).apply(t, args);
        if (k === method && !fired) {
          fired = true;
          hook(args);
        }
        return r;
      };
    },
  }) as FsPort;
}

describe.skipIf(NO_TMPFS)('listings reused within one cross-volume move', () => {
  it('a file of the original changed right after the copy is caught before the delete; the change survives the rollback', async () => {
    const c = box();
    const fs = hooked('copyTree', () => appendFileSync(path.join(c.games, 'saves', 'slot1'), ', level 4'));
    const out = await startRun(await planFor(c.manifest, c.stateDir), {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs,
      verify: 'meta',
      noRollback: false,
    });
    expect(out.result).toBe('rolled-back');
    expect(out.error?.code).toBe('E_VERIFY');
    expect(readFileSync(path.join(c.games, 'saves', 'slot1'), 'utf8')).toBe('level 3, level 4');
    expect(readdirSync(c.B)).toEqual([]);
    expect(readdirSync(c.A)).toEqual(['Games']);
  });

  it('a file added to the original after the first verify is caught before the delete', async () => {
    const c = box();
    const fs = hooked('verify', () => writeFileSync(path.join(c.games, 'new-save'), 'made while relocate worked'));
    const out = await startRun(await planFor(c.manifest, c.stateDir), {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs,
      verify: 'meta',
      noRollback: false,
    });
    expect(out.result).toBe('rolled-back');
    expect(out.error?.code).toBe('E_VERIFY');
    expect(readFileSync(path.join(c.games, 'new-save'), 'utf8')).toBe('made while relocate worked');
    expect(readdirSync(c.B)).toEqual([]);
  });

  it('a program writing through the new link before the delete does not fail the move, and its file stays', async () => {
    const c = box();
    const fs = hooked('createLink', () => writeFileSync(path.join(c.games, 'written-through-link'), 'new data'));
    const out = await startRun(await planFor(c.manifest, c.stateDir), {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs,
      verify: 'meta',
      noRollback: false,
    });
    expect(out.result).toBe('done');
    expect(readFileSync(path.join(c.target, 'written-through-link'), 'utf8')).toBe('new data');
    expect(readFileSync(path.join(c.target, 'saves', 'slot1'), 'utf8')).toBe('level 3');
    expect(readdirSync(c.A)).toEqual(['Games']);
  });

  it('without a listing (a new process, as after a crash) both sides are walked: a changed original fails verify', async () => {
    const c = box();
    const staging = path.join(c.B, 'staging');
    await new NodeFs().copyTree(c.games, staging);
    appendFileSync(path.join(c.games, 'readme'), '!');
    const err = await new NodeFs().verify(c.games, staging, 'meta', false).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RelocateError);
    expect((err as RelocateError).code).toBe('E_VERIFY');
  });

  it('a listing is handed out once: a second verify of the same pair walks the original again', async () => {
    const c = box();
    const fs = new NodeFs();
    const staging = path.join(c.B, 'staging');
    await fs.copyTree(c.games, staging);
    await fs.verify(c.games, staging, 'meta', false);
    appendFileSync(path.join(c.games, 'readme'), '!');
    const err = await fs.verify(c.games, staging, 'meta', false).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as RelocateError)?.code).toBe('E_VERIFY');
  });

  it('no listing outlives a delete (a freed inode number can come back): a verify after one walks the original again', async () => {
    const c = box();
    const fs = new NodeFs();
    const staging = path.join(c.B, 'staging');
    await fs.copyTree(c.games, staging);
    mkdirSync(path.join(c.B, 'scratch'));
    await fs.deleteTree(path.join(c.B, 'scratch'));
    appendFileSync(path.join(c.games, 'readme'), '!');
    const err = await fs.verify(c.games, staging, 'meta', false).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as RelocateError)?.code).toBe('E_VERIFY');
  });

  it('the delete records the same snapshot a fresh walk gives, so a rollback restores the exact tree', async () => {
    const c = box();
    const before = snapshotTree(c.A);
    const fs = new NodeFs();
    const out = await startRun(await planFor(c.manifest, c.stateDir), {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs,
      verify: 'meta',
      noRollback: false,
    });
    expect(out.result).toBe('done');
    expect(existsSync(path.join(c.games, 'readme'))).toBe(true); // through the link
    const back = await rollbackRun(await reload(c.stateDir, out.record.id), {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs: new NodeFs(),
      force: false,
    });
    expect(back.result).toBe('rolled-back');
    expect(snapshotTree(c.A)).toEqual(before);
  });
});
