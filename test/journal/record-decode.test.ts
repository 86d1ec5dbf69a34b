import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/core/decode.js';
import { compileSteps } from '../../src/exec/compile.js';
import { decodeJournalLine, decodeRunRecord, NewerRunFormat, RUN_FORMAT_VERSION } from '../../src/journal/record-decode.js';
import type { RunRecord } from '../../src/journal/types.js';
import { decodePlan } from '../../src/plan/plan-decode.js';
import { makePlan } from '../../src/plan/planner.js';
import type { Plan } from '../../src/plan/types.js';
import { context, entry, obs, pair, POSIX_STYLE, tree, vol } from '../helpers/plan-fixtures.js';

/**
 * A run's record and journal lines are decoded, not cast: resume and
 * rollback act on what they say, so a damaged field is refused with its
 * place named, and a newer relocate's record is refused by its version.
 */

/** A plan moving one folder across volumes, with a warning, as JSON would bring it back. */
function plan(): Plan {
  const p = makePlan(
    [entry(POSIX_STYLE, '/home/u/Games', '/mnt/big/Games')],
    [pair(POSIX_STYLE, obs.dir('/home/u/Games', vol('root')), obs.absent('/mnt/big/Games', vol('big', { remote: true })), { linkTree: tree(10, 2) })],
    context('linux'),
  );
  return JSON.parse(JSON.stringify(p)) as Plan;
}

function record(): RunRecord {
  const p = plan();
  const r: RunRecord = {
    formatVersion: RUN_FORMAT_VERSION,
    id: '20261207T060000Z-abcd',
    status: 'running',
    startedAt: '2026-12-07T06:00:00.000Z',
    toolVersion: p.toolVersion,
    manifest: p.manifest,
    verify: 'meta',
    plan: p,
    steps: compileSteps(p, { runId: '20261207T060000Z-abcd', stamp: '20261207T060000000Z', verify: 'meta' }),
  };
  return JSON.parse(JSON.stringify(r)) as RunRecord;
}

/** The DecodeError's place for `v`, or 'decoded'. */
function placeOf(v: unknown): string {
  try {
    decodeRunRecord(v);
    return 'decoded';
  } catch (err) {
    if (err instanceof DecodeError) return err.at;
    throw err;
  }
}

describe('decoding a run record', () => {
  it('reads back what a run writes, unchanged', () => {
    const r = record();
    expect(r.steps.length).toBeGreaterThan(3);
    expect(r.plan.entries[0]!.findings.map((f) => f.code)).toContain('W_NETWORK');
    expect(decodeRunRecord(structuredClone(r))).toEqual(r);
  });

  it('reads a record written before formatVersion and retargetMode existed, as relinking entries', () => {
    const old = record() as unknown as { formatVersion?: number; plan: { entries: { retargetMode?: string }[] } };
    delete old.formatVersion;
    delete old.plan.entries[0]!.retargetMode;
    const r = decodeRunRecord(old);
    expect(r.plan.entries[0]!.retargetMode).toBe('relink');
    expect(r.formatVersion).toBeUndefined();
  });

  it('refuses a newer format by its version, naming the relocate that wrote it', () => {
    const newer = { ...record(), formatVersion: RUN_FORMAT_VERSION + 1, toolVersion: '9.0.0', steps: 'anything' };
    expect(() => decodeRunRecord(newer)).toThrow(NewerRunFormat);
    expect(() => decodeRunRecord(newer)).toThrow(/run format 2 by relocate 9\.0\.0; this relocate reads format 1/);
  });

  it('names the place of a damaged field', () => {
    const copyAt = record().steps.findIndex((s) => s.step.op === 'copy');
    expect(copyAt).toBeGreaterThan(0);
    const cases: [string, (r: any) => void][] = [
      ['status', (r) => (r.status = 'half-done')],
      ['verify', (r) => (r.verify = 'none')],
      ['steps[2].step.op', (r) => (r.steps[2].step.op = 'shred')],
      [`steps[${copyAt}].step.from`, (r) => (r.steps[copyAt].step.from = 7)],
      ['steps[3].n', (r) => (r.steps[3].n = 9)],
      ['steps[0].entry', (r) => (r.steps[0].entry = 5)],
      ['plan.entries[0].action', (r) => (r.plan.entries[0].action = 'explode')],
      ['plan.entries[0].move.crossVolume', (r) => (r.plan.entries[0].move.crossVolume = 'yes')],
      ['plan.entries[0].findings[0].code', (r) => (r.plan.entries[0].findings[0].code = 'E_NETWORK_WARNING')],
      ['plan.entries[0].style.flavour', (r) => (r.plan.entries[0].style.flavour = 'dos')],
      ['id', (r) => delete r.id],
      ['formatVersion', (r) => (r.formatVersion = 0)],
    ];
    for (const [at, damage] of cases) {
      const r = record();
      damage(r);
      expect(placeOf(r), at).toBe(at);
    }
    expect(placeOf([])).toBe('');
    expect(placeOf(record())).toBe('decoded');
  });

  it('keeps fields it does not know (a record written back keeps them)', () => {
    const r = { ...record(), note: 'from a later version' };
    expect((decodeRunRecord(r) as unknown as { note: string }).note).toBe('from a later version');
  });
});

describe('decoding a plan', () => {
  it('takes a plan as planned, and one from before retargetMode existed as relinking', () => {
    const p = plan();
    expect(decodePlan(structuredClone(p), 'plan')).toEqual(p);
    delete (p.entries[0] as { retargetMode?: string }).retargetMode;
    expect(decodePlan(p, 'plan').entries[0]!.retargetMode).toBe('relink');
    (p.entries[0] as { retargetMode?: string }).retargetMode = 'teleport';
    expect(() => decodePlan(p, 'plan')).toThrow(/plan\.entries\[0\]\.retargetMode: expected one of "move", "relink", found string 'teleport'/);
  });
});

describe('decoding a journal line', () => {
  it('reads every kind, skips a kind it does not know, and refuses a damaged known one', () => {
    for (const t of ['begin', 'made', 'done']) {
      expect(decodeJournalLine({ t, n: 3, at: 'x', info: { k: 1 } })).toEqual({ t, n: 3, at: 'x', info: { k: 1 } });
    }
    expect(decodeJournalLine({ t: 'undo-begin', n: 3, at: 'x' })).toEqual({ t: 'undo-begin', n: 3, at: 'x' });
    expect(decodeJournalLine({ t: 'undo-done', n: 3, at: 'x', info: { skipped: 'why' } })).toEqual({ t: 'undo-done', n: 3, at: 'x', info: { skipped: 'why' } });
    for (const t of ['begin', 'done', 'undo-done']) expect(decodeJournalLine({ t, n: 3, at: 'x' })).toEqual({ t, n: 3, at: 'x' });
    expect(decodeJournalLine({ t: 'checkpoint', n: 'anything' })).toBeUndefined();
    expect(() => decodeJournalLine({ t: 'begin', n: -1, at: 'x' })).toThrow(/^n: expected a whole number/);
    expect(() => decodeJournalLine({ t: 'done', n: 2 })).toThrow(/^at: expected a string, found undefined/);
    expect(() => decodeJournalLine({ t: 'begin', n: 2, at: 'x', info: [] })).toThrow(/^info: expected an object, found a list/);
    expect(() => decodeJournalLine(42)).toThrow(DecodeError);
  });

  it("decodes each tag's own fields: a made line without its info and an undo-done whose info is no reason are damaged; a field a tag does not have is ignored", () => {
    expect(() => decodeJournalLine({ t: 'made', n: 2, at: 'x' })).toThrow(/^info: expected an object, found undefined/);
    expect(() => decodeJournalLine({ t: 'undo-done', n: 2, at: 'x', info: { k: 1 } })).toThrow(/^info\.skipped: expected a string, found undefined/);
    expect(() => decodeJournalLine({ t: 'undo-done', n: 2, at: 'x', info: { skipped: 7 } })).toThrow(/^info\.skipped: expected a string, found number/);
    // Readers ignore fields they do not know, and the line is returned as it was read.
    expect(decodeJournalLine({ t: 'undo-begin', n: 2, at: 'x', info: [] })).toEqual({ t: 'undo-begin', n: 2, at: 'x', info: [] });
  });
});
