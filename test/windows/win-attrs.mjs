// Reads (and first sets) Windows file attribute words through the built
// dist/ Win32 bindings, for tests that check what a move kept: run by
// Windows' node.exe (under Wine, see wine.test.ts). Prints { path: word }.
//
// Usage: node.exe win-attrs.mjs APP_ROOT [PATH=WORD | PATH]...
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [appRoot, ...args] = process.argv.slice(2);
const { loadWin32, win32UnavailableReason } = await import(pathToFileURL(path.join(appRoot, 'dist', 'platform/windows/win32.js')).href);
const w = await loadWin32();
if (!w) throw new Error(`no Win32 layer: ${win32UnavailableReason()}`);
const out = {};
for (const arg of args) {
  const eq = arg.lastIndexOf('=');
  const p = eq > 2 ? arg.slice(0, eq) : arg;
  if (eq > 2 && !w.raw.SetFileAttributesW(p, Number(arg.slice(eq + 1)))) throw new Error(`SetFileAttributesW ${p}: error ${w.lastError()}`);
  out[p] = w.raw.GetFileAttributesW(p);
}
console.log(JSON.stringify(out));
