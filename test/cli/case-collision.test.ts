/**
 * A folder holding `README` and `Readme` (on this case-sensitive temporary
 * disk) moving into a case-insensitive folder (an ext4 casefold loop volume
 * with `chattr +F`, else a case-insensitive FUSE file system:
 * test/helpers/case-insensitive.ts). Issue 15: the plan asks the target's
 * volume and refuses with E_CASE_COLLISION naming both, before anything is
 * copied. Issue 14: the copy's own check, the backstop for twins the plan
 * could not see, names the two names that collide (not 'something appeared
 * at this path').
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requireBuiltCli, runCliAsync } from '../helpers/cli.js';
import { caseInsensitiveFolderForFile, caseInsensitiveReason } from '../helpers/case-insensitive.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { json, show } from '../exec/sandbox.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import type { RelocateError } from '../../src/core/errors.js';

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

  it('plan and apply refuse at plan time, naming both and the volume (asked by a probe that leaves nothing); once renamed, the move goes through', async () => {
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

    const plan = await runCliAsync(['plan', manifest, '--json', '--state-dir', state], { cwd: root });
    expect(plan.status, show(plan)).toBe(1);
    const finding = json(plan).entries[0].findings.find((f: { code: string }) => f.code === 'E_CASE_COLLISION');
    expect(finding, show(plan)).toBeDefined();
    expect(finding.message).toContain(`${path.join(docs, 'README')} and Readme`);
    expect(finding.message).toContain(`would be one name at ${target}, whose volume ignores case`);
    expect(finding.hint).toContain('rename one of each pair');

    const r = await runCliAsync(['apply', manifest, '--yes', '--json', '--state-dir', state], { cwd: root });
    expect(r.status, show(r)).toBe(1);
    expect(r.stdout + r.stderr).toContain('E_CASE_COLLISION');
    // Nothing changed, and the probe left nothing in the target's folder.
    expect(snapshotTree(path.join(root, 'sb'))).toEqual(before);
    expect(readdirSync(targetParent)).toEqual([]);

    // Once one is renamed, the same move goes through.
    rmSync(path.join(docs, 'Readme'));
    writeFileSync(path.join(docs, 'Readme.old'), 'mixed');
    const again = await runCliAsync(['apply', manifest, '--yes', '--json', '--state-dir', state], { cwd: root });
    expect(again.status, show(again)).toBe(0);
  }, 60_000);

  it("the copy's own check, for twins the plan did not see (made after it, or a volume no probe could ask): E_CASE_COLLISION naming both, from the volume's answer", async () => {
    const docs = path.join(root, 'Docs');
    mkdirSync(docs);
    writeFileSync(path.join(docs, 'README'), 'upper');
    writeFileSync(path.join(docs, 'Readme'), 'mixed');
    const staging = path.join(targetParent, 'Docs.relocate-partial-test');
    const err = await new NodeFs().copyTree(docs, staging).then(
      () => undefined,
      (e: unknown) => e as RelocateError,
    );
    expect(err?.code).toBe('E_CASE_COLLISION');
    expect(err!.message).toContain(path.join(docs, 'README'));
    expect(err!.message).toContain(path.join(docs, 'Readme'));
    expect(err!.message).toContain(`are one name on the volume of ${targetParent}, which ignores case: rename one of them before the move`);
    expect(err!.hint).toContain('rename one of them');
  });
});
