/**
 * `relocate plan --json` against real disk states: every cell of DESIGN.md's
 * observation table, the conflict strategies, `state: absent`, glob links,
 * hard-link rules and protected paths, each built for real in its own
 * sandbox. Every run goes through runUnchanged: plan never changes the disk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli } from '../helpers/cli.js';
import { bytes, entryAt, findingCodes, planJsonIn, Sandbox, type EntrySpec } from '../state/cli-sandbox.js';
import type { PlanEntryJson, PlanJson } from '../../src/render/plan-json.js';

const sandboxes: Sandbox[] = [];
beforeAll(() => {
  requireBuiltCli();
});
afterAll(() => {
  for (const sb of sandboxes) sb.cleanup();
});

/** A sandbox with `home/` (where links live), `big/` (where targets live) and `elsewhere/` (a foreign destination). */
function sandbox(label: string): { sb: Sandbox; L: string; T: string; E: string } {
  const sb = new Sandbox(label);
  sandboxes.push(sb);
  sb.dir('home');
  sb.dir('big');
  sb.dir('elsewhere/Games');
  sb.file('elsewhere/Games/old.txt', 'old data\n');
  return { sb, L: sb.p('home', 'Games'), T: sb.p('big', 'Games'), E: sb.p('elsewhere', 'Games') };
}

/** Plans a one-entry manifest and returns its only entry, after the checks every entry must pass. */
async function planOne(
  sb: Sandbox,
  spec: EntrySpec,
  extraArgs: string[] = [],
  env?: Record<string, string>,
): Promise<{ e: PlanEntryJson; doc: PlanJson; status: number | null }> {
  sb.manifest([spec]);
  const { doc, status } = await planJsonIn(sb, extraArgs, env ? { env } : {});
  expect(doc.formatVersion).toBe(1);
  expect(doc.entries).toHaveLength(1);
  const e = doc.entries[0]!;
  expect(e.reason.length).toBeGreaterThan(10);
  expect(doc.summary.actions[e.action]).toBe(1);
  // The documented exit codes follow from the plan alone.
  expect(status).toBe(doc.blocked ? 1 : e.action === 'none' || e.action === 'skip' ? 0 : 2);
  return { e, doc, status };
}

/** Fields that only a move-like action carries. */
function noMove(e: PlanEntryJson): void {
  for (const k of ['from', 'to', 'crossVolume', 'bytes', 'files'] as const) expect(e, k).not.toHaveProperty(k);
}

describe.concurrent('plan --json: link path absent', () => {
  it('target absent: create (empty target folder, then the link), exit 2', async () => {
    const { sb, L, T } = sandbox('abs-abs');
    const { e, status } = await planOne(sb, { link: L, target: T });
    expect(e).toMatchObject({ link: L, target: T, action: 'create', type: 'symlink', createsTarget: true, state: 'present', conflict: 'fail' });
    noMove(e);
    expect(status).toBe(2);
  });

  it('target folder: link, exit 2', async () => {
    const { sb, L, T } = sandbox('abs-dir');
    sb.file('big/Games/save.dat', 'x');
    const { e, status } = await planOne(sb, { link: L, target: T });
    expect(e).toMatchObject({ action: 'link', type: 'symlink' });
    expect(e).not.toHaveProperty('createsTarget');
    noMove(e);
    expect(status).toBe(2);
  });

  it('target file: link, exit 2', async () => {
    const { sb, L, T } = sandbox('abs-file');
    sb.file(T, 'config\n');
    const { e, status } = await planOne(sb, { link: L, target: T });
    expect(e).toMatchObject({ action: 'link', type: 'symlink' });
    noMove(e);
    expect(status).toBe(2);
  });
});

describe.concurrent('plan --json: real folder at the link path', () => {
  it('target absent: move on the same volume, with the exact bytes and files (links not followed, hard links once)', async () => {
    const { sb, L, T } = sandbox('dir-abs');
    sb.file('home/Games/a.bin', bytes(1000, 1));
    sb.file('home/Games/sub/b.bin', bytes(2345, 2));
    sb.file('home/Games/sub/deeper/c.txt', 'hello');
    sb.dir('home/Games/empty');
    sb.hardlink('home/Games/sub/a-again.bin', 'home/Games/a.bin');
    // A link to a big folder outside the tree: counted as a link, its contents not at all.
    sb.file('outside/huge.bin', bytes(300_000, 3));
    sb.symlink('home/Games/outside-link', sb.p('outside'));
    const { e, doc, status } = await planOne(sb, { link: L, target: T });
    expect(e).toMatchObject({ action: 'move', type: 'symlink', from: L, to: T, crossVolume: false, bytes: 1000 + 2345 + 5, files: 3 });
    expect(e.reason).toContain('same volume');
    expect(doc.summary).toMatchObject({ bytesToMove: 3350, bytesAcrossVolumes: 0, changes: 1, conflicts: 0, errors: 0 });
    expect(doc.blocked).toBe(false);
    expect(status).toBe(2);
  });

  it('target folder: conflict naming what differs, exit 1', async () => {
    const { sb, L, T } = sandbox('dir-dir');
    sb.file('home/Games/x.txt', 'x');
    sb.file('home/Games/both.txt', 'link side');
    sb.file('big/Games/y.txt', 'y');
    sb.file('big/Games/both.txt', 'target side');
    const { e, doc, status } = await planOne(sb, { link: L, target: T });
    expect(e.action).toBe('conflict');
    expect(e.comparison).toMatchObject({ onlyAtLink: ['x.txt'], onlyAtTarget: ['y.txt'], differ: ['both.txt'], identical: [] });
    expect(doc.blocked).toBe(true);
    expect(doc.summary.conflicts).toBe(1);
    expect(status).toBe(1);
  });

  it('target file: conflict, exit 1', async () => {
    const { sb, L, T } = sandbox('dir-file');
    sb.file('home/Games/x.txt', 'x');
    sb.file(T, 'a file');
    const { e, status } = await planOne(sb, { link: L, target: T });
    expect(e.action).toBe('conflict');
    expect(e.reason).toContain('a folder');
    expect(status).toBe(1);
  });

  it('type junction on Linux: a directory symlink, and the reason says so', async () => {
    const { sb, L, T } = sandbox('dir-junction');
    sb.file('home/Games/x.txt', 'xyz');
    const { e, status } = await planOne(sb, { link: L, target: T, type: 'junction' });
    expect(e).toMatchObject({ action: 'move', type: 'symlink', declaredType: 'junction', bytes: 3, files: 1 });
    expect(e.reason).toMatch(/junctions exist only on Windows/);
    expect(status).toBe(2);
  });

  it('type hardlink for a folder: E_HARDLINK_DIR, exit 1', async () => {
    const { sb, L, T } = sandbox('dir-hardlink');
    sb.file('home/Games/x.txt', 'x');
    const { e, doc, status } = await planOne(sb, { link: L, target: T, type: 'hardlink' });
    expect(e.type).toBe('hardlink');
    expect(findingCodes(doc)).toContain('E_HARDLINK_DIR');
    const f = e.findings.find((x) => x.code === 'E_HARDLINK_DIR')!;
    expect(f).toMatchObject({ severity: 'error', path: L });
    expect(f.message).toMatch(/only be made to a file/);
    expect(doc.blocked).toBe(true);
    expect(status).toBe(1);
  });
});

describe.concurrent('plan --json: real file at the link path', () => {
  it('target absent: move of one file with its size, exit 2', async () => {
    const { sb, L, T } = sandbox('file-abs');
    sb.file(L, bytes(4321, 4));
    const { e, status } = await planOne(sb, { link: L, target: T });
    expect(e).toMatchObject({ action: 'move', type: 'symlink', from: L, to: T, crossVolume: false, bytes: 4321, files: 1 });
    expect(status).toBe(2);
  });

  it('target folder: conflict, exit 1', async () => {
    const { sb, L, T } = sandbox('file-dir');
    sb.file(L, 'a file');
    sb.file('big/Games/x.txt', 'x');
    const { e, status } = await planOne(sb, { link: L, target: T });
    expect(e.action).toBe('conflict');
    expect(status).toBe(1);
  });

  it('target file with different content of the same size: conflict, the file listed as differing, exit 1', async () => {
    const { sb, L, T } = sandbox('file-file');
    sb.file(L, 'abcdef');
    sb.file(T, 'abcdeX');
    const { e, status } = await planOne(sb, { link: L, target: T });
    expect(e.action).toBe('conflict');
    expect(e.comparison).toMatchObject({ differ: ['.'], identical: [], onlyAtLink: [], onlyAtTarget: [] });
    expect(status).toBe(1);
  });

  it('target file with identical content: link, the copy at the link path replaced, exit 2', async () => {
    const { sb, L, T } = sandbox('file-same');
    sb.file(L, bytes(5000, 9));
    sb.file(T, bytes(5000, 9));
    const { e, status } = await planOne(sb, { link: L, target: T });
    expect(e).toMatchObject({ action: 'link', replacesIdentical: true });
    expect(e.comparison?.identical).toEqual(['.']);
    noMove(e);
    expect(status).toBe(2);
  });
});

describe.concurrent('plan --json: a link to this target', () => {
  it('target folder: none, exit 0', async () => {
    const { sb, L, T } = sandbox('ok-dir');
    sb.file('big/Games/x.txt', 'x');
    sb.symlink(L, T);
    const { e, doc, status } = await planOne(sb, { link: L, target: T });
    expect(e).toMatchObject({ action: 'none', type: 'symlink', findings: [] });
    expect(doc.summary.changes).toBe(0);
    expect(status).toBe(0);
  });

  it('target file: none, exit 0', async () => {
    const { sb, L, T } = sandbox('ok-file');
    sb.file(T, 'x');
    sb.symlink(L, T);
    const { e, status } = await planOne(sb, { link: L, target: T });
    expect(e.action).toBe('none');
    expect(status).toBe(0);
  });

  it("a relative link text resolves against the link's folder: none, exit 0", async () => {
    const { sb, L, T } = sandbox('ok-rel');
    sb.dir(T);
    sb.symlink(L, '../big/./Games/');
    const { e, status } = await planOne(sb, { link: L, target: T });
    expect(e.action).toBe('none');
    expect(status).toBe(0);
  });

  it('target absent (a broken link): none with W_TARGET_MISSING, exit 0', async () => {
    const { sb, L, T } = sandbox('ok-broken');
    sb.symlink(L, T);
    const { e, doc, status } = await planOne(sb, { link: L, target: T });
    expect(e.action).toBe('none');
    expect(e.findings.map((f) => f.code)).toEqual(['W_TARGET_MISSING']);
    expect(e.findings[0]!.severity).toBe('warning');
    expect(doc.summary.warnings).toBe(1);
    expect(status).toBe(0);
  });

  it('a hard link of the target file with type hardlink: none, exit 0', async () => {
    const { sb, L, T } = sandbox('ok-hard');
    sb.file(T, 'shared');
    sb.hardlink(L, T);
    const { e, status } = await planOne(sb, { link: L, target: T, type: 'hardlink' });
    expect(e).toMatchObject({ action: 'none', type: 'hardlink' });
    expect(status).toBe(0);
  });
});

describe.concurrent('plan --json: a link pointing elsewhere (issue 14: the data moves with it)', () => {
  it('target absent, data at the old target: retarget from there with its bytes, exit 2; the old target is canonical even from a relative link text', async () => {
    const { sb, L, T, E } = sandbox('else-abs');
    sb.symlink(L, '../elsewhere/Games');
    const { e, status } = await planOne(sb, { link: L, target: T });
    expect(e).toMatchObject({ action: 'retarget', type: 'symlink', oldTarget: E, from: E, to: T, crossVolume: false, bytes: 9, files: 1 });
    expect(e).not.toHaveProperty('createsTarget');
    expect(status).toBe(2);
  });

  it('target absent, the old target an empty folder: relink (the empty folder named and left), the target folder created, exit 2', async () => {
    const { sb, L, T } = sandbox('else-abs-empty');
    sb.dir('elsewhere/Empty');
    sb.symlink(L, sb.p('elsewhere/Empty'));
    const { e, status } = await planOne(sb, { link: L, target: T });
    expect(e).toMatchObject({ action: 'relink', oldTarget: sb.p('elsewhere/Empty'), createsTarget: true });
    expect(e.reason).toContain(`${sb.p('elsewhere/Empty')} is an empty folder, left where it is`);
    noMove(e);
    expect(status).toBe(2);
  });

  it('target absent with `retarget: relink`: relink showing the old target, the target folder created, the data left, exit 2', async () => {
    const { sb, L, T, E } = sandbox('else-abs-relink');
    sb.symlink(L, E);
    const { e, status } = await planOne(sb, { link: L, target: T, retarget: 'relink' });
    expect(e).toMatchObject({ action: 'relink', type: 'symlink', oldTarget: E, createsTarget: true, retarget: 'relink' });
    expect(e.reason).toContain('retarget: relink');
    noMove(e);
    expect(status).toBe(2);
  });

  it('target folder and data at the old target: conflict (both hold data), exit 1; with `retarget: relink`: relink, exit 2', async () => {
    const { sb, L, T, E } = sandbox('else-dir');
    sb.file('big/Games/x.txt', 'x');
    sb.symlink(L, E);
    const { e, status } = await planOne(sb, { link: L, target: T, conflict: 'merge' });
    expect(e.action).toBe('conflict');
    expect(e.reason).toContain(`both hold data: ${L} points to ${E}, which is a folder, and ${T} is a folder already`);
    expect(e.reason).toContain('`conflict: merge` applies to data at the link path');
    expect(status).toBe(1);
    const bare = await planOne(sb, { link: L, target: T, retarget: 'relink' });
    expect(bare.e).toMatchObject({ action: 'relink', oldTarget: E });
    expect(bare.e).not.toHaveProperty('createsTarget');
    expect(bare.status).toBe(2);
  });

  it('an empty target folder and data at the old target: conflict saying to remove the empty folder, exit 1', async () => {
    const { sb, L, T, E } = sandbox('else-dir-empty');
    sb.dir(T);
    sb.symlink(L, E);
    const { e, status } = await planOne(sb, { link: L, target: T });
    expect(e.action).toBe('conflict');
    expect(e.reason).toContain(`${T} is an empty folder`);
    expect(e.reason).toContain('Remove the empty folder');
    expect(status).toBe(1);
  });

  it('target folder, the old target an empty folder: relink, exit 2', async () => {
    const { sb, L, T } = sandbox('else-dir-old-empty');
    sb.file('big/Games/x.txt', 'x');
    sb.dir('elsewhere/Empty');
    sb.symlink(L, sb.p('elsewhere/Empty'));
    const { e, status } = await planOne(sb, { link: L, target: T });
    expect(e).toMatchObject({ action: 'relink', oldTarget: sb.p('elsewhere/Empty') });
    expect(status).toBe(2);
  });

  it('target file and a file at the old target: conflict, exit 1; with `retarget: relink`: relink, exit 2', async () => {
    const { sb, L, T } = sandbox('else-file');
    sb.file(T, 'x');
    sb.file('elsewhere/file', 'y');
    sb.symlink(L, sb.p('elsewhere/file'));
    const { e, status } = await planOne(sb, { link: L, target: T });
    expect(e.action).toBe('conflict');
    expect(status).toBe(1);
    const bare = await planOne(sb, { link: L, target: T, retarget: 'relink' });
    expect(bare.e).toMatchObject({ action: 'relink', oldTarget: sb.p('elsewhere/file') });
    expect(bare.status).toBe(2);
  });

  it('a broken link to elsewhere: relink with the old target, exit 2', async () => {
    const { sb, L, T } = sandbox('else-broken');
    sb.dir(T);
    sb.symlink(L, sb.p('gone'));
    const { e, status } = await planOne(sb, { link: L, target: T });
    expect(e).toMatchObject({ action: 'relink', oldTarget: sb.p('gone') });
    expect(status).toBe(2);
  });
});

describe.concurrent('plan --json: the wrong link kind', () => {
  it('a symlink to the target file where a hard link is wanted: relink (replace), exit 2', async () => {
    const { sb, L, T } = sandbox('kind-file');
    sb.file(T, 'x');
    sb.symlink(L, T);
    const { e, status } = await planOne(sb, { link: L, target: T, type: 'hardlink' });
    expect(e).toMatchObject({ action: 'relink', type: 'hardlink', oldTarget: T });
    expect(e.reason).toMatch(/replaced/);
    expect(e.findings).toEqual([]);
    expect(status).toBe(2);
  });

  it('a symlink to the target folder where a hard link is wanted: E_HARDLINK_DIR, exit 1', async () => {
    const { sb, L, T } = sandbox('kind-dir');
    sb.dir(T);
    sb.symlink(L, T);
    const { e, doc, status } = await planOne(sb, { link: L, target: T, type: 'hardlink' });
    expect(e.action).toBe('relink');
    expect(findingCodes(doc)).toEqual(['E_HARDLINK_DIR']);
    expect(status).toBe(1);
  });
});

describe.concurrent('plan --json: conflict strategies', () => {
  it('backup: the link-path data is moved aside to a never-colliding name, exit 2', async () => {
    const { sb, L, T } = sandbox('backup');
    sb.file('home/Games/x.txt', bytes(700, 5));
    sb.file('home/Games/y/z.txt', bytes(300, 6));
    sb.file('big/Games/other.txt', 'o');
    const { e, doc, status } = await planOne(sb, { link: L, target: T, conflict: 'backup' });
    expect(e).toMatchObject({ action: 'backup', conflict: 'backup', from: L, crossVolume: false, bytes: 1000, files: 2 });
    expect(e.to).toMatch(/\.relocate-backup-/);
    expect(e.to!.startsWith(L)).toBe(true);
    expect(doc.blocked).toBe(false);
    expect(status).toBe(2);
  });

  it('merge: names only at the link move, identical files are taken once, exit 2', async () => {
    const { sb, L, T } = sandbox('merge');
    sb.file('home/Games/same.txt', 'identical\n');
    sb.file('home/Games/sub/same2.bin', bytes(2000, 7));
    sb.file('home/Games/only-link.txt', 'L');
    sb.file('big/Games/same.txt', 'identical\n');
    sb.file('big/Games/sub/same2.bin', bytes(2000, 7));
    sb.file('big/Games/only-target.txt', 'T');
    const { e, status } = await planOne(sb, { link: L, target: T, conflict: 'merge' });
    expect(e).toMatchObject({ action: 'merge', conflict: 'merge', from: L, to: T, crossVolume: false });
    expect(e.comparison).toMatchObject({
      onlyAtLink: ['only-link.txt'],
      onlyAtTarget: ['only-target.txt'],
      differ: [],
      identical: ['same.txt', 'sub/same2.bin'],
    });
    expect(status).toBe(2);
  });

  it('merge with a differing collision: conflict, exit 1', async () => {
    const { sb, L, T } = sandbox('merge-differ');
    sb.file('home/Games/same.txt', 'one');
    sb.file('big/Games/same.txt', 'two');
    const { e, status } = await planOne(sb, { link: L, target: T, conflict: 'merge' });
    expect(e.action).toBe('conflict');
    expect(e.comparison?.differ).toEqual(['same.txt']);
    expect(e.reason).toMatch(/differ/);
    expect(status).toBe(1);
  });

  it('merge of a file into a folder: conflict (only folders merge), exit 1', async () => {
    const { sb, L, T } = sandbox('merge-file');
    sb.file(L, 'one');
    sb.file('big/Games/x', 'two');
    const { e, status } = await planOne(sb, { link: L, target: T, conflict: 'merge' });
    expect(e.action).toBe('conflict');
    expect(e.reason).toMatch(/only two folders can be merged/);
    expect(status).toBe(1);
  });
});

describe.concurrent('plan --json: state: absent', () => {
  it('a link to the target with data: restore (link removed, data moved back), exit 2', async () => {
    const { sb, L, T } = sandbox('absent-restore');
    sb.file('big/Games/a.bin', bytes(1234, 1));
    sb.file('big/Games/b/c.bin', bytes(766, 2));
    sb.symlink(L, T);
    const { e, status } = await planOne(sb, { link: L, target: T, state: 'absent' });
    expect(e).toMatchObject({ action: 'restore', state: 'absent', from: T, to: L, crossVolume: false, bytes: 2000, files: 2 });
    expect(status).toBe(2);
  });

  it('nothing at the link path, data at the target: restore, exit 2', async () => {
    const { sb, L, T } = sandbox('absent-restore2');
    sb.file('big/Games/a.bin', bytes(10, 1));
    const { e, status } = await planOne(sb, { link: L, target: T, state: 'absent' });
    expect(e).toMatchObject({ action: 'restore', from: T, to: L, bytes: 10, files: 1 });
    expect(status).toBe(2);
  });

  it('a broken link to the target: remove, exit 2', async () => {
    const { sb, L, T } = sandbox('absent-remove');
    sb.symlink(L, T);
    const { e, status } = await planOne(sb, { link: L, target: T, state: 'absent' });
    expect(e.action).toBe('remove');
    expect(e.findings.map((f) => f.code)).toEqual(['W_TARGET_MISSING']);
    noMove(e);
    expect(status).toBe(2);
  });

  it('a real folder at the link path and no link: none, exit 0', async () => {
    const { sb, L, T } = sandbox('absent-none');
    sb.file('home/Games/a.txt', 'a');
    const { e, status } = await planOne(sb, { link: L, target: T, state: 'absent' });
    expect(e.action).toBe('none');
    expect(status).toBe(0);
  });

  it('a link to somewhere else: conflict (links it was not told about are left alone), exit 1', async () => {
    const { sb, L, T, E } = sandbox('absent-else');
    sb.dir(T);
    sb.symlink(L, E);
    const { e, status } = await planOne(sb, { link: L, target: T, state: 'absent' });
    expect(e.action).toBe('conflict');
    expect(e.reason).toContain(E);
    expect(status).toBe(1);
  });
});

describe.concurrent('plan --json: glob links', () => {
  it('<dir>/* with {name} targets: one entry per match, each planned on its own, exit 2', async () => {
    const sb = new Sandbox('glob');
    sandboxes.push(sb);
    sb.file('games/alpha/data.bin', bytes(111, 1));
    sb.file('games/beta.sav', bytes(222, 2));
    sb.dir('store/gamma');
    sb.symlink('games/gamma', sb.p('store/gamma'));
    sb.dir('store');
    sb.manifest([{ link: sb.p('games') + '/*', target: sb.p('store') + '/{name}' }]);
    const { doc, status } = await planJsonIn(sb);
    expect(doc.entries.map((e) => e.link).sort()).toEqual([sb.p('games/alpha'), sb.p('games/beta.sav'), sb.p('games/gamma')]);
    const alpha = entryAt(doc, sb.p('games/alpha'));
    expect(alpha).toMatchObject({ target: sb.p('store/alpha'), action: 'move', bytes: 111, files: 1, crossVolume: false, index: 0 });
    expect(alpha.glob).toEqual({ pattern: sb.p('games') + '/*', name: 'alpha' });
    expect(entryAt(doc, sb.p('games/beta.sav'))).toMatchObject({ target: sb.p('store/beta.sav'), action: 'move', bytes: 222, files: 1 });
    expect(entryAt(doc, sb.p('games/gamma'))).toMatchObject({ target: sb.p('store/gamma'), action: 'none' });
    for (const e of doc.entries) expect(e.reason.length).toBeGreaterThan(10);
    expect(doc.summary.actions).toMatchObject({ move: 2, none: 1 });
    expect(status).toBe(2);
  });
});

describe.concurrent('plan --json: protected paths', () => {
  /** HOME is a temporary folder, so `~` names it; plan never touches the disk. */
  function homeSandbox(label: string) {
    const sb = new Sandbox(label);
    sandboxes.push(sb);
    const home = sb.dir('fakehome');
    sb.file('fakehome/.profile', 'export X=1\n');
    return { sb, home, env: { HOME: home } };
  }

  it('the home folder itself (link `~`): E_PROTECTED, exit 1', async () => {
    const { sb, home, env } = homeSandbox('protected');
    const { e, doc, status } = await planOne(sb, { link: '~', target: sb.p('moved-home') }, [], env);
    expect(e).toMatchObject({ link: home, action: 'move' });
    const f = e.findings.find((x) => x.code === 'E_PROTECTED');
    expect(f).toMatchObject({ severity: 'error', path: home });
    expect(f!.message).toMatch(/home folder/);
    expect(f!.hint).toMatch(/force: true/);
    expect(doc.blocked).toBe(true);
    expect(status).toBe(1);
  });

  it('force: true lifts the protection: a plain move, exit 2', async () => {
    const { sb, home, env } = homeSandbox('protected-force');
    const { e, doc, status } = await planOne(sb, { link: '~', target: sb.p('moved-home'), force: true }, [], env);
    expect(e).toMatchObject({ link: home, action: 'move', bytes: 'export X=1\n'.length, files: 1 });
    expect(findingCodes(doc)).toEqual([]);
    expect(doc.blocked).toBe(false);
    expect(status).toBe(2);
  });
});
