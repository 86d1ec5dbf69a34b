/** Run records for the use-case tests: plain data, no state folder. */
import type { RunRecord, RunStatus } from '../../src/journal/types.js';
import type { Plan } from '../../src/plan/types.js';

/** A run record with an empty plan and no steps unless told otherwise. */
export function runRecord(id: string, status: RunStatus, extra: Partial<RunRecord> = {}): RunRecord {
  const plan: Plan = {
    formatVersion: 1,
    manifest: { path: '/repo/relocate.yaml', hash: 'a'.repeat(64) },
    os: 'linux',
    toolVersion: '0.1.0-test',
    entries: [],
    findings: [],
    summary: { actions: {}, bytesToMove: 0, bytesAcrossVolumes: 0, conflicts: 0, errors: 0, warnings: 0 },
    blocked: false,
    fingerprint: 'f',
  };
  return { id, status, startedAt: `${id}-start`, toolVersion: '0.1.0-test', manifest: plan.manifest, verify: 'meta', plan, steps: [], ...extra };
}
