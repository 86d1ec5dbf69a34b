// Bundles the CLI that tsc built into dist/ into one entry file plus lazy
// chunks: dist/cli/bin.js (overwritten) and dist/cli/chunks/. Why: Node 20
// has no compile cache, and resolving and loading ~150 separate ES modules
// (yaml alone is 72 files) was a third of a short command's time: `relocate
// validate` of a 3-entry manifest took 103 ms unbundled, 81 ms bundled, on
// a machine where `node -e 0` takes 52 ms (bench figure 5).
//
// What stays outside the bundle, loaded at run time from node_modules as
// before: koffi (a native addon, imported only on Windows and for the
// Linux/macOS syscalls it provides), and fast-glob and diff. Those two are
// partly required synchronously through createRequire (glob-pattern.ts,
// plan-text.ts), which esbuild leaves alone; bundling the other imports
// would load a second copy of each beside it. They load only when a manifest
// has a glob or a diff is shown. Each command's code is its own chunk
// (--splitting), beside chunks shared between commands, imported when that
// command runs, so `validate` does not load the executor.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli/', import.meta.url));
rmSync(cli + 'chunks', { recursive: true, force: true });

await build({
  entryPoints: { bin: cli + 'bin.js' },
  outdir: cli,
  allowOverwrite: true,
  chunkNames: 'chunks/[name]-[hash]',
  entryNames: '[name]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['koffi', 'fast-glob', 'diff'],
  // Bundled CommonJS packages (yaml, ajv's runtime) require Node built-ins; an ES module has no
  // `require`, so the bundle makes one. The shebang of bin.js is kept by esbuild.
  banner: { js: "import { createRequire as __relocateRequire } from 'node:module'; const require = __relocateRequire(import.meta.url);" },
  legalComments: 'inline',
  logLevel: 'warning',
});

const chunks = readdirSync(cli + 'chunks').length;
process.stdout.write(`bundle: dist/cli/bin.js + ${chunks} chunks in dist/cli/chunks/\n`);
