/**
 * Issue 14: "A relative symlink inside the moved tree that points outside it
 * and would dangle after the move is a warning in the plan, naming it."
 * Through the built CLI: the text plan and `plan --json` carry
 * W_RELATIVE_LINK_OUT for `lib -> ../shared`, and nothing for a link that
 * stays inside (`a -> ./b`); the warning tells the truth (after apply the
 * link no longer reaches what it did).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, vi } from 'vitest';
import { build, json, sandbox, show } from '../exec/sandbox.js';

vi.setConfig({ testTimeout: 30_000 });

describe.concurrent('W_RELATIVE_LINK_OUT', () => {
  it('a moved folder holding `lib -> ../shared`: plan and plan --json warn, naming the link and where it points before and after', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const games = box.p('c/Games');
    build(box.p('c'), { 'shared/lib.txt': 'the shared library', 'Games/save.dat': 'progress', 'Games/lib': { symlink: '../shared' } });
    box.writeManifest([{ link: games, target: box.p('d/Games') }]);

    const text = await box.cli(['plan', box.manifest]);
    expect(text.status, show(text)).toBe(2);
    expect(text.stdout).toContain('warning W_RELATIVE_LINK_OUT');
    expect(text.stdout).toContain(`${games}/lib → ../shared (now ${box.p('c/shared')}, after the move ${box.p('d/shared')})`);
    expect(text.stdout).toContain('hint: make them absolute');

    const doc = json(await box.cli(['plan', box.manifest, '--json']));
    const f = doc.entries[0].findings.find((x: { code: string }) => x.code === 'W_RELATIVE_LINK_OUT');
    expect(f, JSON.stringify(doc.entries[0].findings)).toMatchObject({ severity: 'warning', path: `${games}/lib` });
    expect(f.hint).toContain('make them absolute');
    expect(doc.summary.warnings).toBe(1);
    expect(doc.blocked).toBe(false);

    // The warning is not a refusal, and it was right: after the move the link reaches nothing.
    const r = await box.apply();
    expect(r.status, show(r)).toBe(0);
    expect(existsSync(path.join(games, 'lib', 'lib.txt'))).toBe(false);
    expect(readFileSync(path.join(games, 'save.dat'), 'utf8')).toBe('progress');
  });

  it('a link that stays inside the folder (`a -> ./b`) or is absolute is not warned about', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const games = box.p('c/Games');
    build(games, { b: 'bee', a: { symlink: './b' }, 'sub/up': { symlink: '../b' }, abs: { symlink: box.p('c/elsewhere') } });
    box.writeManifest([{ link: games, target: box.p('d/Games') }]);
    const text = await box.cli(['plan', box.manifest]);
    expect(text.status, show(text)).toBe(2);
    expect(text.stdout).not.toContain('W_RELATIVE_LINK_OUT');
    const doc = json(await box.cli(['plan', box.manifest, '--json']));
    expect(doc.entries[0].action).toBe('move');
    expect(doc.entries[0].findings).toEqual([]);
  });
});
