/**
 * Issue 14: "`EEXIST` while copying onto a case-insensitive volume names the
 * two names that collide (not 'something appeared at this path')". Through
 * the built CLI: a folder holding `README` and `Readme` (on this
 * case-sensitive temporary disk) moves into a case-insensitive folder (an
 * ext4 casefold loop volume with `chattr +F`, else a case-insensitive FUSE
 * file system: test/helpers/case-insensitive.ts); the copy fails at the
 * second name with E_CASE_COLLISION naming both, and the run rolls back: the
 * original untouched, nothing left at the target.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requireBuiltCli, runCliAsync } from '../helpers/cli.js';
import { caseInsensitiveFolderForFile, caseInsensitiveReason } from '../helpers/case-insensitive.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { json, show } from '../exec/sandbox.js';

const reason = caseInsensitiveReason();
if (reason) console.warn(`case-collision CLI tests skipped: ${reason}`);

const caseless = caseInsensitiveFolderForFile('casefold');

describe.skipIf(reason !== undefined)('E_CASE_COLLISION: case twins copied onto a volume that ignores case', () => {
  let root: string;
  let targetParent: string;
  beforeEach(() => {
    requireBuiltCli();
    root = mkdtempSync(path.join(os.tmpdir(), 'relocate-case-'));
    targetParent = mkdtempSync(path.join(caseless(), 't-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(targetParent, { recursive: true, force: true });
  });

  it('apply fails at the second name, naming both and the volume; the run rolls back and loses nothing', async () => {
    const docs = path.join(root, 'sb', 'Docs');
    mkdirSync(path.join(docs, 'sub'), { recursive: true });
    writeFileSync(path.join(docs, 'README'), 'upper');
    writeFileSync(path.join(docs, 'Readme'), 'mixed');
    writeFileSync(path.join(docs, 'sub', 'notes.txt'), 'notes');
    const target = path.join(targetParent, 'Docs');
    const manifest = path.join(root, 'relocate.yaml');
    writeFileSync(manifest, JSON.stringify({ version: 1, links: [{ link: docs, target }] }));
    const state = path.join(root, 'state');
    const before = snapshotTree(path.join(root, 'sb'));

    const r = await runCliAsync(['apply', manifest, '--yes', '--json', '--state-dir', state], { cwd: root });
    expect(r.status, show(r)).toBe(1);
    const err = json(r).error;
    expect(err.code, show(r)).toBe('E_CASE_COLLISION');
    expect(err.message).toContain(path.join(docs, 'README'));
    expect(err.message).toContain(path.join(docs, 'Readme'));
    expect(err.message).toContain(`are one name on the volume of ${targetParent}, which ignores case: rename one of them before the move`);
    expect([path.join(docs, 'README'), path.join(docs, 'Readme')]).toContain(err.path);
    expect(err.hint).toContain('rename one of them');

    // Rolled back: the original as it was, nothing of the copy left beside the target, no unfinished run.
    expect(snapshotTree(path.join(root, 'sb'))).toEqual(before);
    expect(readdirSync(targetParent)).toEqual([]);
    const st = await runCliAsync(['status', manifest, '--json', '--state-dir', state], { cwd: root });
    expect(st.status, show(st)).toBe(2);
    expect(json(st).problems.map((p: { kind: string }) => p.kind)).toEqual(['differs']);

    // Once one is renamed, the same move goes through.
    rmSync(path.join(docs, 'Readme'));
    writeFileSync(path.join(docs, 'Readme.old'), 'mixed');
    const again = await runCliAsync(['apply', manifest, '--yes', '--json', '--state-dir', state], { cwd: root });
    expect(again.status, show(again)).toBe(0);
  }, 60_000);
});
