import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { staleAgainstSource } from '../helpers/cli.js';

/** CLI tests run the built bundle: one older than src/ would test old code, so requireBuiltCli refuses it. */
describe('a built CLI older than src/', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-stale-'));
  const built = path.join(dir, 'bin.js');
  writeFileSync(built, '');

  it('is named stale, with the source file that is newer', () => {
    utimesSync(built, new Date(2000, 0, 1), new Date(2000, 0, 1));
    expect(staleAgainstSource(built)).toMatch(/^src\/.+\.ts$/);
  });

  it('is not stale once built after every source file', () => {
    const later = new Date(Date.now() + 60_000);
    utimesSync(built, later, later);
    expect(staleAgainstSource(built)).toBeUndefined();
  });
});
