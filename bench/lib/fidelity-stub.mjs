// The fidelity cost's reference (issue 15: "the fidelity work must not cost
// more than 10% on any figure"): a copy of this build's dist/ with the
// fidelity calls taken out — no extended attributes, ACLs or inode flags
// read or set, times through libuv's microsecond lutimes, the plan's walk
// by lstat with the immutability check on the top node only — which is
// what relocate did before issue 15. Made by patching the compiled files in
// a temporary folder (each patch must match exactly once, or the bench
// stops: a stale patch never measures the wrong thing). Never shipped:
// benchmarks only.
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const PATCHES = [
  ['platform/keeper-calls.js', 'xattrs: await nativeXattrs(),', 'xattrs: null,'],
  ['platform/keeper-calls.js', 'flags: await nativeFlags(),', 'flags: null,'],
  ['platform/keeper-calls.js', 'setTimes: await nativeSetTimesNs(),', 'setTimes: null,'],
  ['platform/node-reader.js', 'const statxOf = await nativeStatx();', 'const statxOf = null;'],
  ['platform/node-reader.js', '(opts.inodeFlags || full === root)', '(full === root)'],
];

/** Writes the stubbed build under `work` from `repo`'s dist/; returns its bin.js. */
export function makeFidelityStub(repo, work) {
  const root = path.join(work, 'no-fidelity');
  cpSync(path.join(repo, 'dist'), path.join(root, 'dist'), { recursive: true });
  cpSync(path.join(repo, 'package.json'), path.join(root, 'package.json'));
  symlinkSync(path.join(repo, 'node_modules'), path.join(root, 'node_modules'));
  for (const [file, from, to] of PATCHES) {
    const f = path.join(root, 'dist', file);
    const text = readFileSync(f, 'utf8');
    const count = text.split(from).length - 1;
    if (count !== 1) throw new Error(`the fidelity stub's patch of dist/${file} matches ${count} times, not once: ${from}`);
    writeFileSync(f, text.replace(from, to));
  }
  return path.join(root, 'dist', 'cli', 'bin.js');
}
