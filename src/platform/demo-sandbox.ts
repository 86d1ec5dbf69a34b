import { mkdir, mkdtemp, rm, symlink, writeFile, lstat, readlink, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The demo's throwaway world: a fake C: with a Games folder, an empty fake D:, a manifest and a state folder. */
export interface DemoSandbox {
  root: string;
  manifest: string;
  stateDir: string;
  games: string;
  target: string;
}

/** Builds the sandbox under the system's temporary folder; nothing outside it is touched. */
export async function buildDemoSandbox(): Promise<DemoSandbox> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'relocate-demo-'));
  const c = path.join(root, 'C');
  const d = path.join(root, 'D');
  const games = path.join(c, 'Games');
  for (const game of ['Celeste', 'Hades', 'Stardew Valley']) {
    const dir = path.join(games, game);
    await mkdir(path.join(dir, 'saves'), { recursive: true });
    // A few hundred KiB per game, so the move has something to show.
    await writeFile(path.join(dir, 'game.pak'), Buffer.alloc(256 * 1024, game.length));
    await writeFile(path.join(dir, 'saves', 'slot1.sav'), `save of ${game}\n`);
    await writeFile(path.join(dir, 'settings.ini'), `[video]\nfullscreen=1\n`);
  }
  await symlink(path.join('Hades', 'saves'), path.join(games, 'latest-saves'));
  await mkdir(d, { recursive: true });
  const manifest = path.join(root, 'relocate.yaml');
  await writeFile(
    manifest,
    [
      '# The demo manifest: move the Games folder from the fake C: to the fake D:',
      '# and leave a link behind, and give a cache folder a home on D: too.',
      'version: 1',
      'links:',
      '  - link: ./C/Games',
      '    target: ./D/Games',
      '  - link: ./C/ShaderCache',
      '    target: ./D/ShaderCache',
      '',
    ].join('\n'),
  );
  return { root, manifest, stateDir: path.join(root, 'state'), games, target: path.join(d, 'Games') };
}

/** What is at a path, in one line for the tour ("a link to …", "a folder with 4 items"). */
export async function describePath(p: string): Promise<string> {
  try {
    const s = await lstat(p);
    if (s.isSymbolicLink()) return `a link to ${await readlink(p)}`;
    if (s.isDirectory()) return `a folder with ${(await readdir(p)).length} items`;
    return `a file of ${s.size} bytes`;
  } catch {
    return 'nothing';
  }
}

/** Removes the sandbox (it was made by buildDemoSandbox, under the temporary folder). */
export async function removeDemoSandbox(s: DemoSandbox): Promise<void> {
  if (!path.basename(s.root).startsWith('relocate-demo-') || path.dirname(s.root) !== os.tmpdir()) return;
  await rm(s.root, { recursive: true, force: true });
}
