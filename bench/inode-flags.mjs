// The cost of reading inode flags (statx per node) in the plan's measure walk, on a loop-mounted ext4
// volume: `node bench/inode-flags.mjs [files]` (root; after `npm run build`). Prints ms per walk and µs per node.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NodeDiskReader } from '../dist/platform/node-reader.js';

const files = Number(process.argv[2] ?? 20000);
const work = mkdtempSync(path.join(os.tmpdir(), 'relocate-bench-flags-'));
const img = path.join(work, 'v.img');
const mnt = path.join(work, 'mnt');
mkdirSync(mnt);
let dev;
try {
  execFileSync('truncate', ['-s', '256M', img]);
  execFileSync('mkfs.ext4', ['-q', '-F', '-N', String(files * 2 + 1000), img]);
  dev = execFileSync('losetup', ['-f', '--show', img], { encoding: 'utf8' }).trim();
  execFileSync('mount', [dev, mnt]);
  const root = path.join(mnt, 'tree');
  for (let i = 0; i < files; i++) {
    const d = path.join(root, `d${i % 100}`);
    if (i < 100) mkdirSync(d, { recursive: true });
    writeFileSync(path.join(d, `f${i}`), 'x');
  }
  const reader = new NodeDiskReader();
  const time = async (opts) => {
    const runs = [];
    for (let k = 0; k < 7; k++) {
      const t = performance.now();
      await reader.measure(root, opts);
      runs.push(performance.now() - t);
    }
    runs.sort((a, b) => a - b);
    return runs[3];
  };
  await time({}); // warm the cache
  const without = await time({});
  const withFlags = await time({ inodeFlags: true });
  const nodes = files + 101;
  console.log(
    JSON.stringify({
      nodes,
      walkMs: +without.toFixed(1),
      walkWithFlagsMs: +withFlags.toFixed(1),
      extraUsPerNode: +(((withFlags - without) * 1000) / nodes).toFixed(2),
    }),
  );
} finally {
  try {
    execFileSync('umount', [mnt]);
  } catch {}
  if (dev)
    try {
      execFileSync('losetup', ['-d', dev]);
    } catch {}
  rmSync(work, { recursive: true, force: true });
}
