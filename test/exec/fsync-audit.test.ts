import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, type CliResult } from '../helpers/cli.js';
import { auditTrace, formatViolations, type AuditResult } from '../helpers/durability-audit.js';
import { TRACED_CALLS } from '../helpers/durability-effects.js';
import type { LoopFs } from '../helpers/loop-volume.js';
import { auditReason, buildAuditSandbox, journalTexts, traceCli, type AuditSandbox, type Traced } from '../helpers/fsync-scenario.js';
import { MountMap } from '../helpers/mount-map.js';
import { parseHistory } from '../helpers/strace-parse.js';

/**
 * Issue 16, the fsync-order audit: relocate's system calls, traced with
 * strace, checked against the strict POSIX durability model
 * (test/helpers/durability-audit.ts states the model and its four rules).
 * On two loop-mounted ext4 volumes, a manifest with a cross-volume move, a
 * same-volume move, a merge and a backup is applied and rolled back, then
 * applied again with a crash (SIGKILL) in the middle and resumed; each
 * history (apply + rollback, crashed apply + resume) is audited as one, on
 * the default path and on the portable one (RELOCATE_NATIVE=0: no syncfs,
 * no renameat2), and apply + rollback once more with the other volume on
 * FUSE (see CASES). Every violation is printed with its syscall lines.
 */

/**
 * The histories audited: both paths with volume B on ext4 (syncfs
 * honoured on the default path), and the default path with B on NTFS
 * through ntfs-3g, a FUSE file system whose syncfs does nothing, so the
 * copy must be made durable file by file and folder by folder.
 */
const CASES: { label: string; portable: boolean; fsB: LoopFs; crash: boolean }[] = [
  { label: 'default path', portable: false, fsB: 'ext4', crash: true },
  { label: 'portable path (RELOCATE_NATIVE=0)', portable: true, fsB: 'ext4', crash: true },
  { label: 'default path, volume B on FUSE (NTFS through ntfs-3g)', portable: false, fsB: 'ntfs', crash: false },
];

function show(r: CliResult): string {
  return `status ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** Audits one history (several traced commands in order) and asserts it is clean and was really looked at. */
function audit(sb: AuditSandbox, history: Traced[], what: string, portable: boolean): AuditResult {
  const parsed = parseHistory(history.map((h) => h.trace));
  const res = auditTrace(parsed, {
    mounts: MountMap.current(),
    stateRoots: [sb.stateDir, sb.lockDir],
    cwd: sb.work,
    journals: journalTexts(sb),
    syncfs: !portable,
  });
  // Symlink metadata no available call can make durable: shown on every run, not counted (see AuditResult.notes).
  if (res.notes.length > 0) console.warn(`${what}: ${res.notes.length} note(s), not violations:\n${formatViolations(res.notes, Infinity, 'note')}`);
  // A traced call the parser could not read would be a hole in the audit.
  const names = new RegExp(`\\b(${TRACED_CALLS.join('|')})\\(`);
  expect(
    res.unparsed.filter((l) => names.test(l)),
    `${what}: unparsed calls`,
  ).toEqual([]);
  expect(res.stats.begins, `${what}: journal begin lines seen`).toBeGreaterThan(5);
  expect(res.stats.syncs, `${what}: syncs seen`).toBeGreaterThan(5);
  expect(res.stats.userChanges, `${what}: changes to the user's data seen`).toBeGreaterThan(50);
  // RELOCATE_AUDIT_DUMP=<folder>: each history's violations and its traces written there too (the assertion prints every violation).
  const dump = process.env.RELOCATE_AUDIT_DUMP;
  if (dump) {
    const base = path.join(dump, what.replace(/[^a-z0-9]+/gi, '-'));
    writeFileSync(`${base}.txt`, formatViolations(res.violations, Infinity) + '\n');
    writeFileSync(`${base}.strace`, history.map((h) => h.trace).join('\n'));
  }
  expect(res.violations.length, `${what}: ${formatViolations(res.violations, Infinity)}`).toBe(0);
  return res;
}

/**
 * The crash point (1-based journal line): right after the cross-volume
 * copy's `made` line, so the crashed run leaves a partial copy whose
 * making was never synced, which resume discards and makes again; the
 * rest of the run (the merge, the backup) then runs in the resume.
 */
function crashPoint(journal: string): number {
  const lines = readFileSync(journal, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  return lines.findIndex((l) => l.includes('"t":"made"')) + 1;
}

for (const { label, portable, fsB, crash } of CASES) {
  const reason = auditReason(fsB);
  if (reason) console.warn(`fsync-order audit, ${label}, skipped: ${reason}`);
  describe.skipIf(!!reason)(`fsync-order audit, ${label}`, () => {
    let sb: AuditSandbox;
    let crashAt = 0;
    beforeAll(() => {
      requireBuiltCli();
      sb = buildAuditSandbox(`${portable ? 'portable' : 'native'}-${fsB}`, fsB);
    });
    afterAll(() => sb?.cleanup());

    // Each history takes 3-5 s alone; the limit leaves room for a loaded 2-core CI machine.
    it('apply then rollback: zero violations', { timeout: 90_000 }, async () => {
      const apply = await traceCli(sb, ['apply', sb.manifest, '--yes'], { portable });
      expect(apply.result.status, show(apply.result)).toBe(0);
      const journals = Object.keys(journalTexts(sb));
      expect(journals.length, 'one run').toBe(1);
      crashAt = crashPoint(journals[0]!);
      const rollback = await traceCli(sb, ['rollback', '--yes'], { portable });
      expect(rollback.result.status, show(rollback.result)).toBe(0);
      audit(sb, [apply, rollback], `${label}: apply + rollback`, portable);
    });

    // Only where the case asks for it (not defined otherwise, so no skipped test shows).
    if (crash)
      it('apply killed mid-run, then resume: zero violations', { timeout: 90_000 }, async () => {
        expect(crashAt, 'the crash point comes from the clean apply').toBeGreaterThan(0);
        const crashed = await traceCli(sb, ['apply', sb.manifest, '--yes'], { portable, crashAfter: crashAt });
        expect(crashed.result.status === null || crashed.result.status === 137, `killed by the hook\n${show(crashed.result)}`).toBe(true);
        const resume = await traceCli(sb, ['resume', '--yes'], { portable });
        expect(resume.result.status, show(resume.result)).toBe(0);
        audit(sb, [crashed, resume], `${label}: crashed apply (after journal line ${crashAt}) + resume`, portable);
      });
  });
}
