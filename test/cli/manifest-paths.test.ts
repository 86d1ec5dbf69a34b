/**
 * Where a manifest's paths lead, through the built CLI (issue 14, "status
 * and plan tell the truth"): a manifest reached through a symlink resolves
 * relative paths beside the file it leads to, and `validate -v` says so; a
 * Windows path read on Linux without a `when:` is an error naming the entry,
 * not a relative name that silently matches nothing.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';
import { json, sandbox, show } from '../exec/sandbox.js';

describe.concurrent('manifest paths', () => {
  it('a manifest symlinked into place (the stow habit) resolves ./paths beside the real file; validate -v names that folder', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const dots = path.join(box.root, 'dotfiles');
    mkdirSync(path.join(dots, 'nvim'), { recursive: true });
    writeFileSync(path.join(dots, 'relocate.yaml'), `version: 1\nlinks:\n  - { link: '${box.p('home/.config/nvim')}', target: ./nvim }\n`);
    const home = box.p('home');
    mkdirSync(home, { recursive: true });
    symlinkSync(path.join(dots, 'relocate.yaml'), path.join(home, 'relocate.yaml'));

    const plan = json(await box.cli(['plan', path.join(home, 'relocate.yaml'), '--json']));
    expect(plan.entries[0]).toMatchObject({ target: path.join(dots, 'nvim'), action: 'link' });
    const v = await box.cli(['validate', path.join(home, 'relocate.yaml'), '-v']);
    expect(v.status, show(v)).toBe(0);
    expect(v.stdout).toContain(`relative paths resolve against ${dots} (the folder of the file sb/home/relocate.yaml links to)`);
    const real = await box.cli(['apply', path.join(home, 'relocate.yaml'), '--yes', '--json']);
    expect(real.status, show(real)).toBe(0);
    expect(json(await box.cli(['status', path.join(home, 'relocate.yaml'), '--json'])).inSync).toBe(true);
  });

  it('`link: C:\\Games` read on Linux without a when: is E_WINDOWS_PATH naming the entry (plan, status and validate)', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    writeFileSync(box.manifest, 'version: 1\nlinks:\n  - link: C:\\Games\n    target: D:\\Games\n');
    for (const cmd of ['plan', 'status', 'validate']) {
      const r = await box.cli([cmd, box.manifest]);
      expect(r.status, show(r)).toBe(1);
      expect(r.stderr).toContain(
        'relocate.yaml:3:11 E_WINDOWS_PATH links[0].link: C:\\Games is a Windows path (a drive letter), and this manifest is being read for linux',
      );
      expect(r.stderr).toContain('when: { os: windows }');
    }
  });
});
