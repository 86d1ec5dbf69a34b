import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/journal/lock.js';
import { acquirePathLocks } from '../../src/journal/path-lock.js';
import { createWhole, removeDeadTemps, removeIfStill } from '../../src/platform/create-whole.js';
import { readLockFiles, writeLockFile } from '../../src/platform/path-locks.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

/**
 * Lock files are never seen half-made (src/platform/create-whole.ts). A
 * lock file made by O_EXCL and then written was visible empty for a moment:
 * the power-cut test's parallel cases caught a rollback refused with
 * E_PATH_LOCKED "held by ?" because an unrelated run's lock file was being
 * written, and two runs of one state folder could both take its lock (the
 * second took the empty file for a dead holder's and replaced it).
 */

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'relocate-lockwhole-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('createWhole', () => {
  it('makes the file whole, leaves no temporary, and never replaces a name', async () => {
    const f = path.join(root, 'lock');
    expect(await createWhole(f, 'one', 0o600)).toBe(true);
    expect(await createWhole(f, 'two', 0o600)).toBe(false);
    expect(readFileSync(f, 'utf8')).toBe('one');
    expect(readdirSync(root)).toEqual(['lock']);
  });

  it('a registry read while other runs write their lock files never finds one empty or torn', async () => {
    const dir = path.join(root, 'locks');
    mkdirSync(dir);
    const content = JSON.stringify({ version: 1, filler: 'x'.repeat(3000) }) + '\n';
    let stop = false;
    let written = 0;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const name = `w${w}-${i}.lock.json`;
        await writeLockFile(dir, name, content);
        written++;
        await unlink(path.join(dir, name));
      }
    };
    const bad: string[] = [];
    let reads = 0;
    const reader = async () => {
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        for (const { name, text } of await readLockFiles(dir)) if (text !== content) bad.push(`${name}: ${JSON.stringify(text.slice(0, 20))}`);
        reads++;
      }
      stop = true;
    };
    await Promise.all([writer(1), writer(2), writer(3), reader()]);
    expect(written).toBeGreaterThan(50);
    expect(reads).toBeGreaterThan(50);
    expect(bad).toEqual([]);
  }, 20_000);
});

describe('the state folder lock', () => {
  it('two runs taking it at once are never both inside', async () => {
    const stateDir = path.join(root, 'state');
    let inside = 0;
    let most = 0;
    let entries = 0;
    const run = async () => {
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        let lock;
        try {
          lock = await acquireLock(nodeJournalDisk, stateDir, 'apply');
        } catch {
          await pause(1);
          continue;
        }
        inside++;
        entries++;
        most = Math.max(most, inside);
        await pause(1);
        inside--;
        await lock.release();
      }
    };
    await Promise.all([run(), run(), run()]);
    expect(entries).toBeGreaterThan(20);
    expect(most).toBe(1);
  }, 20_000);

  it('an empty lock file (being written on a volume without hard links) is read again, not taken over at once', async () => {
    const stateDir = path.join(root, 'state');
    mkdirSync(stateDir);
    const file = path.join(stateDir, 'lock');
    writeFileSync(file, '');
    setTimeout(() => writeFileSync(file, JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: 'now', command: 'apply' })), 20);
    await expect(acquireLock(nodeJournalDisk, stateDir, 'apply')).rejects.toMatchObject({ code: 'E_LOCKED' });
  });

  it("a dead holder's lock is taken over and reported", async () => {
    const stateDir = path.join(root, 'state');
    mkdirSync(stateDir);
    const pid = deadPid();
    writeFileSync(path.join(stateDir, 'lock'), JSON.stringify({ pid, host: os.hostname(), startedAt: 'then', command: 'apply' }));
    const lock = await acquireLock(nodeJournalDisk, stateDir, 'rollback');
    expect(lock.tookOverFrom?.pid).toBe(pid);
    expect(JSON.parse(readFileSync(path.join(stateDir, 'lock'), 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });
});

describe('removeIfStill', () => {
  it('removes the file only while it holds the text judged; another is put back untouched', async () => {
    const f = path.join(root, 'lock');
    writeFileSync(f, 'fresh holder');
    expect(await removeIfStill(f, 'dead holder')).toBe(false);
    expect(readFileSync(f, 'utf8')).toBe('fresh holder');
    expect(readdirSync(root)).toEqual(['lock']);
    expect(await removeIfStill(f, 'fresh holder')).toBe(true);
    expect(existsSync(f)).toBe(false);
    expect(await removeIfStill(f, 'anything')).toBe(true);
  });
});

describe('removeDeadTemps', () => {
  it("removes a killed writer's old temporary only: not a live pid's, not a fresh one, not a lock", async () => {
    const dead = deadPid();
    const old = Date.now() / 1000 - 3600;
    const names = [`.lock.${dead}.0badc0de.tmp`, `.lock.${process.pid}.0badc0de.tmp`, `.x.lock.json.${dead}.12345678.tmp`, 'run-1-2-abcd.lock.json'];
    for (const n of names) {
      writeFileSync(path.join(root, n), 'x');
      utimesSync(path.join(root, n), old, old);
    }
    writeFileSync(path.join(root, `.fresh.${dead}.aaaaaaaa.tmp`), 'x');
    await removeDeadTemps(root);
    expect(readdirSync(root).sort()).toEqual([`.fresh.${dead}.aaaaaaaa.tmp`, `.lock.${process.pid}.0badc0de.tmp`, 'run-1-2-abcd.lock.json'].sort());
  });
});

describe('the path-lock registry', () => {
  it('runs over unrelated paths taking locks at the same moments never refuse each other', async () => {
    const place = { dir: path.join(root, 'locks'), shared: false };
    const refusals: string[] = [];
    let taken = 0;
    const run = async (k: number) => {
      const stateDir = path.join(root, `state${k}`);
      const until = Date.now() + 1500;
      for (let i = 0; Date.now() < until; i++) {
        try {
          const held = await acquirePathLocks({
            disk: nodeJournalDisk,
            place,
            paths: [path.join(root, `data${k}`)],
            stateDir,
            runId: `r${k}-${i}`,
            command: 'apply',
            retryPauseMs: 1,
          });
          taken++;
          await held.release();
        } catch (err) {
          refusals.push((err as Error).message);
        }
      }
    };
    await Promise.all([run(1), run(2), run(3)]);
    expect(taken).toBeGreaterThan(20);
    expect(refusals).toEqual([]);
  }, 20_000);
});
