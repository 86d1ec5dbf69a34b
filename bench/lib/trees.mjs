// Deterministic test trees for the benchmarks: the same seed gives the same
// names, sizes, modes and bytes on every machine, so runs are comparable.
import { closeSync, mkdirSync, openSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

/** xorshift32: a tiny seeded generator, uniform in [0, 1). */
export function rng(seed) {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** A pool of pseudorandom bytes that file contents are cut from (incompressible, reproducible). */
function bytePool(size, rand) {
  const words = new Uint32Array(size / 4);
  for (let i = 0; i < words.length; i++) words[i] = (rand() * 4294967296) >>> 0;
  return Buffer.from(words.buffer);
}

/**
 * The plan of the cross-volume tree: `files` regular files of mixed sizes
 * adding up to exactly `bytes`, spread over `dirs` nested folders (depth at
 * most 6), plus a few relative symlinks (copied as links). Sizes mix like a
 * real games or application folder: about 3% empty, three quarters small
 * (64 B–16 KiB), a fifth medium (16–512 KiB) and one in two hundred large
 * (1–16 MiB, before scaling to the total), each band log-uniform.
 */
export function mixedTreeSpec({ files = 20_000, bytes = 1 << 30, dirs = 500, links = 50, seed = 7 } = {}) {
  const r = rng(seed);
  const dirList = [{ rel: '', depth: 0 }];
  for (let i = 1; i < dirs; i++) {
    let parent;
    do parent = dirList[Math.floor(r() * dirList.length)];
    while (parent.depth >= 6);
    dirList.push({ rel: parent.rel ? `${parent.rel}/d${i}` : `d${i}`, depth: parent.depth + 1 });
  }
  const KiB = 1024;
  const band = (lo, hi) => Math.exp(Math.log(lo) + r() * (Math.log(hi) - Math.log(lo)));
  const raw = [];
  for (let i = 0; i < files; i++) {
    const u = r();
    raw.push(u < 0.03 ? 0 : u < 0.78 ? band(64, 16 * KiB) : u < 0.995 ? band(16 * KiB, 512 * KiB) : band(1024 * KiB, 16384 * KiB));
  }
  const sum = raw.reduce((a, b) => a + b, 0);
  const sizes = raw.map((x) => Math.floor((x * bytes) / sum));
  let rest = bytes - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % sizes.length, rest--) sizes[i]++;
  const modes = [0o644, 0o644, 0o644, 0o600, 0o755, 0o640];
  const fileList = sizes.map((size, i) => {
    const d = dirList[Math.floor(r() * dirList.length)].rel;
    const name = `f${i}.${['bin', 'dat', 'txt', 'pak', 'json'][i % 5]}`;
    return { rel: d ? `${d}/${name}` : name, size, mode: modes[Math.floor(r() * modes.length)], offset: Math.floor(r() * 1e9) };
  });
  const linkList = [];
  for (let i = 0; i < links; i++) {
    const d = dirList[Math.floor(r() * dirList.length)].rel;
    const to = fileList[Math.floor(r() * fileList.length)].rel;
    // Relative text, as programs usually write them; relocate copies the text, never follows it.
    const up = d
      ? d
          .split('/')
          .map(() => '..')
          .join('/') + '/'
      : '';
    linkList.push({ rel: d ? `${d}/l${i}` : `l${i}`, text: `${up}${to}` });
  }
  return { dirs: dirList.map((d) => d.rel), files: fileList, links: linkList, bytes, seed };
}

/** A turn of the event loop, so a Ctrl-C is handled while trees are written. */
const breathe = () => new Promise((resolve) => setImmediate(resolve));

/** Writes a tree spec under `root` (which must not exist). */
export async function writeMixedTree(root, spec) {
  const pool = bytePool(16 * 1024 * 1024, rng(spec.seed + 1));
  mkdirSync(root);
  for (const d of spec.dirs) if (d) mkdirSync(path.join(root, d), { recursive: true });
  for (const [i, f] of spec.files.entries()) {
    if (i % 500 === 0) await breathe();
    const fd = openSync(path.join(root, f.rel), 'wx', f.mode);
    try {
      let left = f.size;
      let off = f.offset % pool.length;
      while (left > 0) {
        const n = Math.min(left, pool.length - off);
        writeSync(fd, pool, off, n);
        left -= n;
        off = 0;
      }
    } finally {
      closeSync(fd);
    }
  }
  for (const l of spec.links) symlinkSync(l.text, path.join(root, l.rel));
}

/** A short description of a spec for the results. */
export function describeSpec(spec) {
  const sizes = spec.files.map((f) => f.size).sort((a, b) => a - b);
  const q = (p) => sizes[Math.min(sizes.length - 1, Math.floor(p * sizes.length))];
  const kib = (n) => (n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`);
  return `${spec.files.length} files (${(spec.bytes / 2 ** 30).toFixed(2)} GiB; sizes: median ${kib(q(0.5))}, 90th percentile ${kib(q(0.9))}, largest ${kib(sizes.at(-1))}, ${sizes.filter((s) => s === 0).length} empty) in ${spec.dirs.length} nested folders, plus ${spec.links.length} relative symlinks; seed ${spec.seed}`;
}

/** `count` small files spread over folders of `perDir` files each (for the rename benchmark). */
export async function writeManySmallFiles(root, count, perDir = 100) {
  mkdirSync(root, { recursive: true });
  const body = Buffer.alloc(64, 'x');
  for (let i = 0; i < count; i++) {
    if (i % 2000 === 0) await breathe();
    const dir = path.join(root, `d${Math.floor(i / perDir)}`);
    if (i % perDir === 0) mkdirSync(dir);
    writeFileSync(path.join(dir, `f${i}`), body.subarray(0, i % 64));
  }
}
