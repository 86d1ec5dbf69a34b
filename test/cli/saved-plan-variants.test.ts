/**
 * A saved plan's entries are read by their action (src/plan/plan-decode.ts):
 * a move entry without its `move` was not written by relocate, and apply
 * refuses it with E_BAD_PLAN naming the place, before anything changes.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { namesUnder } from '../helpers/walk-tree.js';

const listing = (root: string): string[] => namesUnder(root, ['state']);

describe('a saved plan whose entry lacks its action’s field', () => {
  it('a move without its move is refused with E_BAD_PLAN naming the place, and nothing changes', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'relocate-variants-'));
    mkdirSync(path.join(root, 'Games'));
    writeFileSync(path.join(root, 'Games', 'save'), 'x');
    const manifest = path.join(root, 'links.yaml');
    writeFileSync(manifest, `version: 1\nlinks:\n  - link: ${root}/Games\n    target: ${root}/Moved/Games\n`);
    const state = path.join(root, 'state');
    const out = path.join(root, 'plan.json');
    const planned = runCli(['plan', '--state-dir', state, '--out', out, manifest]);
    expect(planned.status, planned.stderr).toBe(2);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.plan.entries[0].action).toBe('move');
    delete doc.plan.entries[0].move;
    writeFileSync(out, JSON.stringify(doc));
    const before = listing(root);
    const r = runCli(['apply', '--yes', '--json', '--state-dir', state, out]);
    expect(r.status).toBe(1);
    const err = JSON.parse(r.stdout).error;
    expect(err.code).toBe('E_BAD_PLAN');
    expect(err.message).toContain('plan.entries[0].move: expected');
    expect(listing(root)).toEqual(before);
  });
});
