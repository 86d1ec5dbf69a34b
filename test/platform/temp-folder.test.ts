import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makePrivateTempFolder, removePrivateTempFolder } from '../../src/platform/temp-folder.js';

describe("the GUI server's private temporary folder", () => {
  it('is removed with what it holds', async () => {
    const dir = await makePrivateTempFolder('relocate-tf-test-');
    writeFileSync(path.join(dir, 'plan-1.json'), '{}');
    await removePrivateTempFolder(dir, 'relocate-tf-test-');
    expect(existsSync(dir)).toBe(false);
  });

  it('a recursive delete is never pointed elsewhere: a folder not directly in the temporary folder, or without the prefix, is refused and kept', async () => {
    const unprefixed = mkdtempSync(path.join(os.tmpdir(), 'other-'));
    const nested = path.join(await makePrivateTempFolder('relocate-tf-test-'), 'relocate-tf-test-inner');
    mkdirSync(nested);
    try {
      for (const [dir, prefix] of [
        [unprefixed, 'relocate-tf-test-'],
        [nested, 'relocate-tf-test-'],
      ] as const) {
        await expect(removePrivateTempFolder(dir, prefix)).rejects.toThrow(/refusing to remove/);
        expect(existsSync(dir)).toBe(true);
      }
    } finally {
      for (const d of [unprefixed, path.dirname(nested)]) rmSync(d, { recursive: true, force: true });
    }
  });
});
