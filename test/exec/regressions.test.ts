/**
 * Issue 6: one regression test per bug the "never loses data" harness
 * (test/property) found, each rebuilt deterministically and small.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RelocateError } from '../../src/core/errors.js';
import { resumeRun, rollbackRun, startRun } from '../../src/exec/run-control.js';
import { asideName, backupName, stagingName } from '../../src/core/own-names.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { FaultyFs } from '../fault/faulty-fs.js';
import { fakeIO, linuxCtx, loadManifest, MANIFEST_FILE } from '../helpers/manifest.js';
import { caseBox } from '../helpers/case-box.js';
import { tmpfsReason, volumePairForFile } from '../helpers/tmpfs.js';
import { reload } from '../property/harness.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/exec/regressions: cross-volume cases skipped: ${NO_TMPFS}`);

const vols = volumePairForFile('regress');
let n = 0;

/** A fresh case: folders on volume A and B (or both in the scratch folder), a manifest and a state folder. */
function box(crossVolume: boolean) {
  return caseBox(vols, `r${n++}`, crossVolume);
}

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

describe('names near the 255-byte limit (relocate adds `.relocate-partial-<run>` to them)', () => {
  it("relocate's own names stay within 255 bytes, stay distinct, and short names are unchanged", () => {
    const long1 = `/x/${'ä'.repeat(120)}a`;
    const long2 = `/x/${'ä'.repeat(120)}b`;
    for (const name of [
      stagingName(long1, 'RUN'),
      asideName(long1, 'RUN'),
      backupName(long1, '20260101T000000000Z'),
      stagingName(asideName(long1, 'RUN'), 'undo'),
    ]) {
      expect(utf8(path.basename(name))).toBeLessThanOrEqual(255);
      expect(name.startsWith('/x/')).toBe(true);
    }
    expect(stagingName(long1, 'RUN')).not.toBe(stagingName(long2, 'RUN'));
    expect(stagingName(long1, 'RUN')).toMatch(/\.relocate-partial-RUN$/);
    expect(stagingName('/x/Games', 'RUN')).toBe('/x/Games.relocate-partial-RUN');
    expect(backupName('/x/Games', 'S')).toBe('/x/Games.relocate-backup-S');
  });

  it.skipIf(NO_TMPFS)('a folder and an item with 250-byte names move across volumes (and a merge), and roll back exactly', async () => {
    const c = box(true);
    const longDir = 'G'.repeat(250);
    const longFile = `${'字'.repeat(84)}.b`; // 254 bytes
    mkdirSync(path.join(c.A, longDir, 'sub'), { recursive: true });
    writeFileSync(path.join(c.A, longDir, 'sub', longFile), 'data');
    // A merge whose only-at-link item has a 254-byte name: its staging copy sits beside it in the target.
    mkdirSync(path.join(c.A, 'M', longFile), { recursive: true });
    writeFileSync(path.join(c.A, 'M', longFile, 'f'), 'merge me');
    mkdirSync(path.join(c.B, 'M'));
    writeFileSync(path.join(c.B, 'M', 'there'), 'already');
    c.write([
      { link: path.join(c.A, longDir), target: path.join(c.B, longDir), type: 'symlink' },
      { link: path.join(c.A, 'M'), target: path.join(c.B, 'M'), type: 'symlink', conflict: 'merge' },
    ]);
    const before = c.snap();
    const plan = await c.plan();
    expect(plan.entries.map((e) => e.action)).toEqual(['move', 'merge']);
    const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs: new NodeFs(), verify: 'meta', noRollback: false });
    expect(out.error?.message, 'ENAMETOOLONG used to stop (and stall the rollback of) this run').toBeUndefined();
    expect(out.result).toBe('done');
    const back = await rollbackRun(await reload(c.stateDir, out.record.id), {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs: new NodeFs(),
      force: false,
    });
    expect(back.result).toBe('rolled-back');
    expect(c.snap()).toEqual(before);
  });

  it('a name too long to exist reads as absent (an undo never stalls on it)', async () => {
    expect(await new NodeFs().lstat(path.join(vols.scratch(), 'n'.repeat(300)))).toBeNull();
  });
});

describe('rollback interrupted right after it put a removed link back', () => {
  it('finishes on the next rollback instead of refusing the link it restored itself as drift', async () => {
    const c = box(false);
    mkdirSync(path.join(c.A, 'old'));
    mkdirSync(path.join(c.B, 'new'));
    symlinkSync(path.join(c.A, 'old'), path.join(c.A, 'link'));
    c.write([{ link: path.join(c.A, 'link'), target: path.join(c.B, 'new'), type: 'symlink' }]);
    const before = c.snap();
    const plan = await c.plan();
    expect(plan.entries[0]!.action).toBe('relink');
    const done = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs: new NodeFs(), verify: 'meta', noRollback: false });
    expect(done.result).toBe('done');
    // The rollback recreates the old link, then "fails" (as after a crash before its journal line).
    const faulty = new FaultyFs(new NodeFs(), { kind: 'link', n: 1, timing: 'after', errno: 'EIO' });
    const cut = await rollbackRun(await reload(c.stateDir, done.record.id), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs: faulty, force: false });
    expect(faulty.fired?.op).toBe('restoreLink');
    expect(cut.result).toBe('failed');
    expect(readlinkSync(path.join(c.A, 'link'))).toBe(path.join(c.A, 'old'));
    const again = await rollbackRun(await reload(c.stateDir, done.record.id), {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs: new NodeFs(),
      force: false,
    });
    expect(again.error?.code, 'this used to be E_DRIFT: "occupied, so the old link cannot be put back"').toBeUndefined();
    expect(again.result).toBe('rolled-back');
    expect(c.snap()).toEqual(before);
  });
});

describe('a rollback whose drift check cannot read the disk', () => {
  it('reports the read error (E_IO), not "the disk changed" (E_DRIFT)', async () => {
    const c = box(false);
    mkdirSync(path.join(c.A, 'Games'));
    writeFileSync(path.join(c.A, 'Games', 'save'), 'x');
    c.write([{ link: path.join(c.A, 'Games'), target: path.join(c.B, 'Games'), type: 'symlink' }]);
    const done = await startRun(await c.plan(), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs: new NodeFs(), verify: 'meta', noRollback: false });
    expect(done.result).toBe('done');
    const faulty = new FaultyFs(new NodeFs(), { kind: 'read', n: 1, timing: 'before', errno: 'EIO' });
    const err = await rollbackRun(await reload(c.stateDir, done.record.id), {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs: faulty,
      force: false,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RelocateError);
    expect((err as RelocateError).code).toBe('E_IO');
    // Nothing was started: a clean rollback still works.
    expect(
      (await rollbackRun(await reload(c.stateDir, done.record.id), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs: new NodeFs(), force: false }))
        .result,
    ).toBe('rolled-back');
  });
});

describe('times survive a copy to the microsecond', () => {
  it.skipIf(NO_TMPFS)('files whose times fall on exact milliseconds keep them through a cross-volume move and its rollback', async () => {
    const c = box(true);
    const root = path.join(c.A, 'T');
    mkdirSync(root);
    const times = [1795318369.228, 1700000000.123, 1600000000.001, 1650000000.999999, 1500000000.5];
    times.forEach((t, i) => {
      writeFileSync(path.join(root, `f${i}`), `file ${i}`);
      utimesSync(path.join(root, `f${i}`), t + 0.0000005, t + 0.0000005);
    });
    const original = times.map((_, i) => statSync(path.join(root, `f${i}`), { bigint: true }).mtimeNs);
    c.write([{ link: root, target: path.join(c.B, 'T'), type: 'symlink' }]);
    const before = c.snap();
    const out = await startRun(await c.plan(), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs: new NodeFs(), verify: 'meta', noRollback: false });
    expect(out.result).toBe('done');
    // Copies used to land one microsecond early about half the time (a double of seconds, truncated).
    expect(times.map((_, i) => statSync(path.join(c.B, 'T', `f${i}`), { bigint: true }).mtimeNs)).toEqual(original);
    const back = await rollbackRun(await reload(c.stateDir, out.record.id), {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs: new NodeFs(),
      force: false,
    });
    expect(back.result).toBe('rolled-back');
    expect(c.snap()).toEqual(before);
    expect(times.map((_, i) => statSync(path.join(root, `f${i}`), { bigint: true }).mtimeNs)).toEqual(original);
  });
});

describe('a mkdirs step that fails after making its folders', () => {
  it('is rolled back completely: the folders it made are removed (the guard knows them)', async () => {
    const c = box(false);
    writeFileSync(path.join(c.A, 'config.ini'), 'a=1');
    const target = path.join(c.A, 'new', 'deeper', 'config.ini');
    c.write([{ link: path.join(c.A, 'config.ini'), target, type: 'hardlink' }]);
    const before = c.snap();
    // The first directory fsync comes right after mkdirs made new/ and new/deeper/.
    const faulty = new FaultyFs(new NodeFs(), { kind: 'sync', n: 1, timing: 'before', errno: 'EIO' });
    const out = await startRun(await c.plan(), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs: faulty, verify: 'meta', noRollback: false });
    expect(faulty.fired?.kind).toBe('sync');
    expect(out.result).toBe('rolled-back');
    expect(out.skipped ?? []).toEqual([]);
    expect(() => lstatSync(path.join(c.A, 'new'))).toThrow();
    expect(c.snap()).toEqual(before);
  });
});

describe('manifests nested thousands of levels deep', () => {
  const file = MANIFEST_FILE.posix;
  const base = 'version: 1\nlinks:\n  - link: /a\n    target: /b\n';
  const cases: [string, string][] = [
    ['flow sequences', `${base}x: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`],
    ['flow mappings', `${base}x: ${'{a: '.repeat(9000)}1${'}'.repeat(9000)}\n`],
    ['block mappings', `${base}x:\n${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`],
  ];
  for (const [name, text] of cases) {
    it(`${name}: one E_YAML diagnostic, quickly, never a thrown RangeError`, async () => {
      // CPU time, not wall time: other test files share the machine.
      const t0 = process.cpuUsage();
      const m = await loadManifest(file, linuxCtx(), fakeIO({ [file]: text }));
      const used = process.cpuUsage(t0);
      expect((used.user + used.system) / 1000).toBeLessThan(4000);
      expect(m.ok).toBe(false);
      expect(m.diagnostics.map((d) => d.code)).toContain('E_YAML');
      expect(m.diagnostics.length).toBeLessThan(50);
    });
  }
});

/** A folder `Games` on volume A holding `files` (relative path → size), to move to volume B; and the disk before. */
function gamesToMove(files: readonly (readonly [string, number])[]) {
  const c = box(true);
  const games = path.join(c.A, 'Games');
  for (const [rel, bytes] of files) {
    mkdirSync(path.dirname(path.join(games, rel)), { recursive: true });
    writeFileSync(path.join(games, rel), Buffer.alloc(bytes, rel.length));
  }
  c.write([{ link: games, target: path.join(c.B, 'Games'), type: 'symlink' }]);
  return { c, before: c.snap() };
}

describe.skipIf(NO_TMPFS !== undefined)('a rollback killed while it put back the part of a set-aside original an apply had deleted', () => {
  it('the next rollback clears the torn staging and finishes: it used to call what was left "differs" (E_DRIFT)', async () => {
    const { c, before } = gamesToMove([
      ['a.bin', 3000],
      ['levels/w1/map.bin', 5000],
      ['levels/w1/tiles.bin', 7000],
      ['saves/one.sav', 900],
      ['z.txt', 40],
    ]);
    // The apply stops in the middle of deleting the set-aside original (a kill there leaves the same).
    const cutDelete = new FaultyFs(new NodeFs(), { kind: 'delete', n: 1, timing: 'partial', errno: 'EIO', k: 2 });
    const run = await startRun(await c.plan(), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs: cutDelete, verify: 'meta', noRollback: true });
    expect(cutDelete.fired?.op).toBe('deleteTree');
    expect(cutDelete.fired?.path).toContain('.relocate-old-');
    expect(run.result).not.toBe('done');
    // The first rollback stops while it puts the deleted part back: a torn copy at a staging name inside the set-aside folder.
    const cutRestore = new FaultyFs(new NodeFs(), { kind: 'copy', n: 1, timing: 'partial', errno: 'EIO' });
    const first = await rollbackRun(await reload(c.stateDir, run.record.id), {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs: cutRestore,
      force: false,
    });
    expect(cutRestore.fired?.op).toBe('restoreMissing');
    expect(first.result).toBe('failed');
    const again = await rollbackRun(await reload(c.stateDir, run.record.id), {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs: new NodeFs(),
      force: false,
    });
    expect(again.error?.message, 'this used to be E_DRIFT: "part of … was deleted and what is left differs"').toBeUndefined();
    expect(again.result).toBe('rolled-back');
    expect(c.snap()).toEqual(before);
  });

  it("the fault harness's second fault reaches this: `any-change` 1 of a rollback is its restore, cut as a copy", async () => {
    const { c, before } = gamesToMove([
      ['a.bin', 3000],
      ['levels/w1/map.bin', 5000],
      ['saves/one.sav', 900],
    ]);
    const cutDelete = new FaultyFs(new NodeFs(), { kind: 'delete', n: 1, timing: 'partial', errno: 'EIO', k: 1 });
    const run = await startRun(await c.plan(), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs: cutDelete, verify: 'meta', noRollback: true });
    expect(run.result).not.toBe('done');
    // What test/property/fault-cases.ts arms for a recovery: the first call that changes the disk, whatever it is.
    const second = new FaultyFs(new NodeFs(), { kind: 'any-change', n: 1, timing: 'partial', errno: 'EIO' });
    const first = await rollbackRun(await reload(c.stateDir, run.record.id), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs: second, force: false });
    expect(second.fired).toMatchObject({ kind: 'copy', n: 1, timing: 'partial', op: 'restoreMissing' });
    expect(first.result).toBe('failed');
    const again = await rollbackRun(await reload(c.stateDir, run.record.id), {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs: new NodeFs(),
      force: false,
    });
    expect(again.result, again.error?.message).toBe('rolled-back');
    expect(c.snap()).toEqual(before);
  });

  it("a node of another kind at a staging name is not relocate's torn copy: it is kept, and the rollback stops (E_DRIFT) deleting nothing", async () => {
    const { c } = gamesToMove([
      ['saves/one.sav', 4000],
      ['z.txt', 40],
    ]);
    const cutDelete = new FaultyFs(new NodeFs(), { kind: 'delete', n: 1, timing: 'partial', errno: 'EIO', k: 0 });
    const run = await startRun(await c.plan(), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs: cutDelete, verify: 'meta', noRollback: true });
    const aside = path.join(
      c.A,
      readdirSync(c.A).find((n) => n.startsWith('Games.relocate-old-'))!,
    );
    rmSync(path.join(aside, 'saves'), { recursive: true });
    // Where relocate would stage the missing folder, a file someone wrote: not a folder, so not a torn copy of it.
    const stranger = stagingName(path.join(aside, 'saves'), 'undo');
    writeFileSync(stranger, 'notes of my own');
    const back = await rollbackRun(await reload(c.stateDir, run.record.id), {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs: new NodeFs(),
      force: false,
    });
    expect(back.result).toBe('failed');
    expect(back.error?.code).toBe('E_DRIFT');
    expect(readFileSync(stranger, 'utf8')).toBe('notes of my own');
  });

  it('every stopping point of the delete × of the restore: the next rollback finishes with the exact original', async () => {
    // The real deleteTree removes a folder once it has emptied it: after k files, the folders left empty are gone too.
    const removeEmptied = (dir: string): boolean => {
      let empty = true;
      for (const d of readdirSync(dir, { withFileTypes: true })) {
        if (d.isDirectory() && removeEmptied(path.join(dir, d.name))) rmdirSync(path.join(dir, d.name));
        else empty = false;
      }
      return empty;
    };
    const tried: string[] = [];
    for (let deleted = 0; deleted <= 6; deleted++) {
      for (const restored of [0, 1, 2]) {
        const { c, before } = gamesToMove([
          ['a/b/1.bin', 2000],
          ['a/b/2.bin', 3000],
          ['a/3.bin', 100],
          ['c/4.bin', 5000],
          ['c/5.bin', 1],
          ['6.txt', 60],
        ]);
        const cutDelete = new FaultyFs(new NodeFs(), { kind: 'delete', n: 1, timing: 'partial', errno: 'EIO', k: deleted });
        const run = await startRun(await c.plan(), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs: cutDelete, verify: 'meta', noRollback: true });
        const aside = path.join(
          c.A,
          readdirSync(c.A).find((n) => n.startsWith('Games.relocate-old-'))!,
        );
        removeEmptied(aside);
        const cutRestore = new FaultyFs(new NodeFs(), { kind: 'copy', n: 1, timing: 'partial', errno: 'EIO', k: restored });
        const first = await rollbackRun(await reload(c.stateDir, run.record.id), {
          journalDisk: nodeJournalDisk,
          stateDir: c.stateDir,
          fs: cutRestore,
          force: false,
        });
        // With nothing deleted there is nothing to restore: the first rollback finishes by itself.
        // Then `rollback`, or `resume`, which finishes a run that was rolling back in that direction: the same undo.
        if (first.result !== 'rolled-back') {
          const record = await reload(c.stateDir, run.record.id);
          const again =
            (deleted + restored) % 2 === 0
              ? await rollbackRun(record, { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs: new NodeFs(), force: false })
              : await resumeRun(record, { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs: new NodeFs(), noRollback: false });
          expect(again.error?.message, `${deleted} deleted, ${restored} restored: ${cutRestore.fired?.op ?? 'no restore fault'}`).toBeUndefined();
          expect(again.result).toBe('rolled-back');
        }
        expect(c.snap(), `${deleted} deleted, ${restored} restored`).toEqual(before);
        tried.push(`${deleted}/${restored}/${cutRestore.fired?.op ?? '-'}`);
      }
    }
    // The restore was cut in most cases (with nothing deleted there is nothing to restore).
    expect(tried.filter((t) => t.endsWith('/restoreMissing')).length, tried.join(' ')).toBeGreaterThanOrEqual(15);
  });

  it('the same when the piece being put back was a whole folder: its torn staging is a folder', async () => {
    const { c, before } = gamesToMove([
      ['saves/one.sav', 4000],
      ['saves/slot1/two.sav', 6000],
      ['maps/m.bin', 3000],
      ['z.txt', 40],
    ]);
    // The apply stops as its delete of the set-aside original begins; then a whole folder of it is gone, as a delete leaves it.
    const cutDelete = new FaultyFs(new NodeFs(), { kind: 'delete', n: 1, timing: 'partial', errno: 'EIO', k: 0 });
    const run = await startRun(await c.plan(), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs: cutDelete, verify: 'meta', noRollback: true });
    expect(cutDelete.fired?.op).toBe('deleteTree');
    const aside = path.join(
      c.A,
      readdirSync(c.A).find((n) => n.startsWith('Games.relocate-old-'))!,
    );
    rmSync(path.join(aside, 'saves'), { recursive: true });
    const cutRestore = new FaultyFs(new NodeFs(), { kind: 'copy', n: 1, timing: 'partial', errno: 'EIO', k: 1 });
    const first = await rollbackRun(await reload(c.stateDir, run.record.id), {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs: cutRestore,
      force: false,
    });
    expect(cutRestore.fired?.op).toBe('restoreMissing');
    expect(first.result).toBe('failed');
    expect(lstatSync(stagingName(path.join(aside, 'saves'), 'undo')).isDirectory(), 'a torn folder staging is left').toBe(true);
    const again = await rollbackRun(await reload(c.stateDir, run.record.id), {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs: new NodeFs(),
      force: false,
    });
    expect(again.error?.message).toBeUndefined();
    expect(again.result).toBe('rolled-back');
    expect(c.snap()).toEqual(before);
  });
});

describe.skipIf(NO_TMPFS !== undefined)('a second run under the name of an earlier one (same second, same four random digits)', () => {
  it("is refused before anything happens: it used to take the earlier run's journal for its own and report done, having done nothing", async () => {
    const { c, before } = gamesToMove([
      ['a.bin', 3000],
      ['saves/one.sav', 900],
    ]);
    const first = await startRun(await c.plan(), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs: new NodeFs(), verify: 'meta', noRollback: false });
    expect(first.result).toBe('done');
    const back = await rollbackRun(await reload(c.stateDir, first.record.id), {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs: new NodeFs(),
      force: false,
    });
    expect(back.result).toBe('rolled-back');
    const err = await startRun(await c.plan(), {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs: new NodeFs(),
      verify: 'meta',
      noRollback: false,
      id: first.record.id,
    }).then(
      (o) => o,
      (e: unknown) => e,
    );
    expect(err, 'this used to be { result: "done" } with nothing moved').toBeInstanceOf(RelocateError);
    expect((err as RelocateError).code).toBe('E_STATE_WRITE');
    expect((await reload(c.stateDir, first.record.id)).status).toBe('rolled-back');
    expect(c.snap()).toEqual(before);
    // Without a name given, a run gets a free one.
    const again = await startRun(await c.plan(), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs: new NodeFs(), verify: 'meta', noRollback: false });
    expect(again.result).toBe('done');
    expect(again.record.id).not.toBe(first.record.id);
  });
});
