import { mkdir, mkdtemp, rm, symlink, writeFile, lstat, readlink, readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mountDemoVolume, unmountDemoVolume, type DemoVolume } from './demo-volume.js';

/**
 * The demo's throwaway world: a fake C: with a Games folder, an empty fake
 * D: (a volume of its own where one can be mounted: see `volume`), a
 * manifest and a state folder. `retarget` is where the Games entry's data
 * is sent by the tour's second apply (retargetDemoManifest).
 */
export interface DemoSandbox {
  root: string;
  manifest: string;
  stateDir: string;
  games: string;
  target: string;
  retarget: string;
  volume: DemoVolume;
}

/** The demo manifest, with the Games entry's target as given (relative to the sandbox). */
function manifestText(gamesTarget: string): string {
  return [
    '# The demo manifest: move the Games folder from the fake C: to the fake D:',
    '# and leave a link behind, and give a cache folder a home on D: too.',
    'version: 1',
    'links:',
    '  - link: ./C/Games',
    `    target: ${gamesTarget}`,
    '  - link: ./C/ShaderCache',
    '    target: ./D/ShaderCache',
    '',
  ].join('\n');
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
  await writeFile(manifest, manifestText('./D/Games'));
  // Mounted last, over the empty D folder: nothing before can fail and leave it mounted.
  const volume = mountDemoVolume(d);
  return { root, manifest, stateDir: path.join(root, 'state'), games, target: path.join(d, 'Games'), retarget: path.join(d, 'Archive', 'Games'), volume };
}

/** Rewrites the demo manifest so the Games entry's target is `s.retarget` (the tour's change of target). */
export async function retargetDemoManifest(s: DemoSandbox): Promise<void> {
  await writeFile(s.manifest, manifestText(`./${path.relative(s.root, s.retarget).split(path.sep).join('/')}`));
}

/** What a program opening `p` finds, links followed ("a folder with 4 items", "an empty folder", "nothing"). */
export async function describeSeen(p: string): Promise<string> {
  try {
    if (!(await stat(p)).isDirectory()) return 'a file';
    const n = (await readdir(p)).length;
    return n === 0 ? 'an empty folder' : `a folder with ${n} items`;
  } catch {
    return 'nothing';
  }
}

/** Takes the sandbox's own volume away (when it mounted one); undefined, or why it could not. Safe to call twice. */
export function releaseDemoVolume(s: DemoSandbox): string | undefined {
  return unmountDemoVolume(s.volume);
}

/** What is at a path, in one line for the tour ("a link to …", "a folder with 4 items"). */
export async function describePath(p: string): Promise<string> {
  try {
    const s = await lstat(p);
    if (s.isSymbolicLink()) return `a link to ${await readlink(p)}`;
    if (s.isDirectory()) {
      const n = (await readdir(p)).length;
      return n === 0 ? 'an empty folder' : `a folder with ${n} items`;
    }
    return `a file of ${s.size} bytes`;
  } catch {
    return 'nothing';
  }
}

/**
 * Removes the sandbox (it was made by buildDemoSandbox, under the temporary
 * folder), its volume unmounted first. A volume that could not be unmounted
 * keeps the sandbox: removing it would reach into the mount.
 */
export async function removeDemoSandbox(s: DemoSandbox): Promise<void> {
  if (releaseDemoVolume(s) !== undefined) return;
  if (!path.basename(s.root).startsWith('relocate-demo-') || path.dirname(s.root) !== os.tmpdir()) return;
  await rm(s.root, { recursive: true, force: true });
}
