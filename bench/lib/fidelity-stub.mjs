// The fidelity cost's reference (issue 15: "the fidelity work must not cost
// more than 10% on any figure"): a copy of this build's dist/ with the
// fidelity calls taken out — no extended attributes, ACLs or inode flags
// read or set, times through libuv's microsecond lutimes, the plan's walk
// by lstat with the immutability check on the top node only — which is
// what relocate did before issue 15. Made by patching the bundled CLI's
// files (dist/cli/, what `bin.js` loads) in a temporary folder: each patch
// must match exactly once there, or the bench stops; and `checkFidelityStub`
// proves the stub is what it says on a real move before anything is timed
// (a stale patch once measured the build against itself). Benchmarks only.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const PATCHES = [
  // The Linux keeper's calls (the macOS branch above it names the same functions: the whole line is matched).
  [
    'return { xattrs: await nativeXattrs(), flags: await nativeFlags(), copyMetadata: null, setTimes: await nativeSetTimesNs(), birthTimesHeld: null };',
    'return { xattrs: null, flags: null, copyMetadata: null, setTimes: null, birthTimesHeld: null };',
  ],
  ['const statxOf = await nativeStatx();', 'const statxOf = null;'],
  ['(opts.inodeFlags || full === root)', '(full === root)'],
];

function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? jsFiles(path.join(dir, d.name)) : d.name.endsWith('.js') ? [path.join(dir, d.name)] : [],
  );
}

/** Writes the stubbed build under `work` from `repo`'s dist/; returns its bin.js. */
export function makeFidelityStub(repo, work) {
  const root = path.join(work, 'no-fidelity');
  cpSync(path.join(repo, 'dist'), path.join(root, 'dist'), { recursive: true });
  cpSync(path.join(repo, 'package.json'), path.join(root, 'package.json'));
  symlinkSync(path.join(repo, 'node_modules'), path.join(root, 'node_modules'));
  const files = jsFiles(path.join(root, 'dist', 'cli'));
  for (const [from, to] of PATCHES) {
    const hits = files.map((f) => [f, readFileSync(f, 'utf8')]).filter(([, text]) => text.includes(from));
    const count = hits.reduce((n, [, text]) => n + text.split(from).length - 1, 0);
    if (count !== 1) throw new Error(`the fidelity stub's patch matches ${count} times in dist/cli, not once: ${from}`);
    writeFileSync(hits[0][0], hits[0][1].replace(from, to));
  }
  return path.join(root, 'dist', 'cli', 'bin.js');
}

/**
 * Moves a one-file tree whose mtime has nanoseconds from `srcDir` to
 * `dstDir` (two volumes) with each build: this build must keep the
 * nanoseconds and the stub must not (it sets microseconds), or this throws.
 */
export function checkFidelityStub(node, builds, srcDir, dstDir, work) {
  for (const [i, { bin, keeps }] of builds.entries()) {
    const from = path.join(srcDir, `fidelity-check-${i}`);
    const to = path.join(dstDir, `fidelity-check-${i}`);
    mkdirSync(from);
    writeFileSync(path.join(from, 'f'), 'x');
    const must = (cmd, args) => {
      const r = spawnSync(cmd, args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
      return r.stdout.trim();
    };
    must('touch', ['-d', '2020-01-01 00:00:00.123456789', path.join(from, 'f')]);
    const manifest = path.join(work, `fidelity-check-${i}.yaml`);
    writeFileSync(manifest, `version: 1\nlinks:\n  - link: ${JSON.stringify(from)}\n    target: ${JSON.stringify(to)}\n`);
    must(node, [bin, 'apply', '--yes', '--state-dir', path.join(work, `fidelity-check-state-${i}`), manifest]);
    const ns = must('stat', ['-c', '%y', path.join(to, 'f')])
      .split('.')[1]
      ?.slice(0, 9);
    if ((ns === '123456789') !== keeps)
      throw new Error(`${bin}: the copy's mtime ends .${ns}: this build ${keeps ? 'must keep' : 'must not keep'} nanoseconds`);
    rmSync(from, { force: true });
    rmSync(to, { recursive: true, force: true });
  }
}
