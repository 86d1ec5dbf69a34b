/**
 * Issue 13 §1: one target, several entries that would each put data into
 * it. Reproduced first through the built CLI on two tmpfs volumes: links
 * A and B (on volume A) both hold files and both name target T (on volume
 * B). The plan must refuse before anything moves, naming both entries.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotTree } from '../helpers/snapshot.js';
import { tmpfsReason } from '../helpers/tmpfs.js';
import { json, sandbox, show } from './sandbox.js';

const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/exec/shared-target: skipped: ${NO_TMPFS}`);

describe.skipIf(NO_TMPFS)('two entries moving data into one target (issue 13 §1)', () => {
  it('plan and apply refuse with E_SHARED_TARGET naming both entries; nothing on disk changes; a later rollback has nothing to undo', async (ctx) => {
    const sb = sandbox(ctx);
    const c = sb.mount(16, 'shared-c').dir;
    const d = sb.mount(16, 'shared-d').dir;
    const A = path.join(c, 'A');
    const B = path.join(c, 'B');
    const T = path.join(d, 'T');
    mkdirSync(A);
    mkdirSync(B);
    writeFileSync(path.join(A, 'a-only.txt'), 'A holds this, and nowhere else');
    writeFileSync(path.join(B, 'b-only.txt'), 'B holds other files');
    sb.writeManifest([
      { link: A, target: T },
      { link: B, target: T },
    ]);
    const before = snapshotTree(c, d);

    const plan = await sb.cli(['plan', sb.manifest, '--json']);
    expect(plan.status, show(plan)).toBe(1);
    const doc = json(plan);
    const finding = [...doc.findings, ...doc.entries.flatMap((e: { findings: unknown[] }) => e.findings)].find(
      (f: { code: string }) => f.code === 'E_SHARED_TARGET',
    );
    expect(finding, show(plan)).toBeDefined();
    // Both entries named, with their manifest lines.
    expect(finding.message).toContain('links[0]');
    expect(finding.message).toContain('links[1]');
    expect(finding.message).toMatch(/line \d+/);
    expect(finding.path).toBe(T);

    const apply = await sb.apply();
    expect(apply.status, show(apply)).toBe(1);
    expect(apply.stdout + apply.stderr).toContain('E_SHARED_TARGET');
    expect(snapshotTree(c, d), 'nothing on disk changed').toEqual(before);
    expect(readFileSync(path.join(A, 'a-only.txt'), 'utf8')).toBe('A holds this, and nowhere else');
    expect(readdirSync(d)).toEqual([]);
  }, 60_000);

  it('two entries that only link to one existing target stay allowed', async (ctx) => {
    const sb = sandbox(ctx);
    const c = sb.mount(16, 'shared-c').dir;
    const d = sb.mount(16, 'shared-d').dir;
    const T = path.join(d, 'T');
    mkdirSync(T);
    writeFileSync(path.join(T, 'f'), 'shared');
    sb.writeManifest([
      { link: path.join(c, 'A'), target: T },
      { link: path.join(c, 'B'), target: T },
    ]);
    const r = await sb.apply();
    expect(r.status, show(r)).toBe(0);
    expect(readFileSync(path.join(c, 'A', 'f'), 'utf8')).toBe('shared');
    expect(readFileSync(path.join(c, 'B', 'f'), 'utf8')).toBe('shared');
  }, 60_000);
});
