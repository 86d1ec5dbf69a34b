// The scale figures (issue 15): a cross-volume move between two loop-mounted
// real file systems (ext4 source, xfs destination), side by side with the
// three programs a user would otherwise run: `cp -a && rm -rf`,
// `rsync -aHAX --remove-source-files` and `mv`. Every trial starts from the
// same source image (copied from a pristine one, not timed) and a freshly
// made destination, both mounted anew (cold caches for every program), then
// `sync` (not timed). Each command runs under GNU time for its peak RSS.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, writeSync, ftruncateSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './cleanup.mjs';
import { checkFidelityStub, makeFidelityStub } from './fidelity-stub.mjs';
import { median, run } from './measure.mjs';
import { rng, describeSpec, mixedTreeSpec, writeManySmallFiles, writeMixedTree } from './trees.mjs';
import { loopVolume } from './volumes.mjs';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** The sets: how each is written, the volumes' sizes, and what is said of it. */
export function scaleSets(files) {
  return {
    many: {
      title: `${files.toLocaleString('en')} files`,
      describe: `${files.toLocaleString('en')} files of 0–63 bytes, 100 to a folder (${Math.ceil(files / 100).toLocaleString('en')} folders)`,
      // 4 KiB blocks and an inode each; ext4 needs inodes enough (-i 4096).
      srcGiB: Math.max(2, Math.ceil((files * 4.6 * 1024) / GiB) + 2),
      dstGiB: Math.max(2, Math.ceil((files * 4.6 * 1024) / GiB) + 2),
      mkfs: ['-i', '4096'],
      write: (root) => writeManySmallFiles(root, files, 100),
      content: false,
    },
    small: {
      title: '200,000 small files',
      describe: '200,000 files of 0–63 bytes, 100 to a folder (2,000 folders)',
      srcGiB: 3,
      dstGiB: 3,
      mkfs: ['-i', '4096'],
      write: (root) => writeManySmallFiles(root, 200_000, 100),
      content: true,
    },
    mixed: {
      title: '1 GiB in 20,000 files',
      describe: describeSpec(mixedTreeSpec()),
      srcGiB: 3,
      dstGiB: 3,
      mkfs: [],
      write: (root) => writeMixedTree(root, mixedTreeSpec()),
      content: true,
    },
    big: {
      title: 'one 4 GiB file',
      describe: 'one file of 4 GiB of pseudorandom bytes (a 16 MiB pattern repeated), in a folder',
      srcGiB: 6,
      dstGiB: 6,
      mkfs: [],
      write: (root) => writeBig(root, 4 * GiB),
      content: true,
    },
    sparse: {
      title: 'a 10 GiB sparse image',
      describe: 'one file of 10 GiB apparent size holding 256 MiB of data (256 extents of 1 MiB at seeded offsets, the first at 0), in a folder',
      srcGiB: 2,
      // rsync -aHAX (no -S) writes the holes' zeros: the destination must hold all 10 GiB.
      dstGiB: 12,
      mkfs: [],
      write: (root) => writeSparse(root, 10 * GiB, 256),
      content: true,
    },
  };
}

function pool(size, seed) {
  const r = rng(seed);
  const words = new Uint32Array(size / 4);
  for (let i = 0; i < words.length; i++) words[i] = (r() * 4294967296) >>> 0;
  return Buffer.from(words.buffer);
}

async function writeBig(root, bytes) {
  mkdirSync(root);
  const buf = pool(16 * MiB, 11);
  const fd = openSync(path.join(root, 'disk.bin'), 'wx', 0o644);
  try {
    for (let done = 0; done < bytes; done += buf.length) writeSync(fd, buf, 0, Math.min(buf.length, bytes - done));
  } finally {
    closeSync(fd);
  }
}

async function writeSparse(root, bytes, extents) {
  mkdirSync(root);
  const buf = pool(MiB, 13);
  const r = rng(17);
  const fd = openSync(path.join(root, 'vm.img'), 'wx', 0o644);
  try {
    ftruncateSync(fd, bytes);
    const slots = bytes / MiB;
    const at = new Set([0]);
    while (at.size < extents) at.add(Math.floor(r() * slots));
    for (const slot of [...at].sort((a, b) => a - b)) writeSync(fd, buf, 0, MiB, slot * MiB);
  } finally {
    closeSync(fd);
  }
}

/** Peak RSS (KiB) and wall time of one command under GNU time; throws unless it exits 0. */
async function timed(cmd, args) {
  spawnSync('sync', { stdio: 'ignore' });
  const r = await run('/usr/bin/time', ['-f', 'RSS_KIB=%M', cmd, ...args]);
  const m = /RSS_KIB=(\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`);
  return { ms: r.ms, rssMiB: Number(m[1]) / 1024 };
}

/** The functions with the most self time in a V8 .cpuprofile, as "ms name (file:line)". */
export function topSelfTime(file, count = 15) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    const n = byId.get(prof.samples[i]);
    const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000;
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} (${f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : 'native'})`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return {
    totalMs: total,
    top: [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([k, ms]) => ({ name: k, ms, share: ms / total })),
  };
}

/**
 * Runs the scale figures. `ctx` carries the bench's shared pieces: CLIS,
 * NOW, REPS, log, row, details, cmdLine, fmtMs, fmtX, loadavg, NODE, yamlManifest.
 */
export async function scaleFigures(ctx, { files, sets, reps, profile, fidelity = false, withPeers = true }) {
  const { CLIS, NOW, log, row, details, fmtMs, fmtX, loadavg, NODE, yamlManifest, cmdLine } = ctx;
  const all = scaleSets(files);
  const work = tempDir('scale');
  // --scale-fidelity: this build beside itself with the fidelity calls taken out (fidelity-stub.mjs).
  const stub = fidelity ? { key: 'no-fidelity', bin: makeFidelityStub(ctx.REPO, work) } : undefined;
  for (const key of sets) {
    const set = all[key];
    if (!set) throw new Error(`unknown scale set ${key} (many, small, mixed, big, sparse)`);
    log(`scale ${key}: ${set.describe}; ext4 ${set.srcGiB} GiB → xfs ${set.dstGiB} GiB`);
    const src = loopVolume(`scale-${key}-src`, 'ext4', set.srcGiB, set.mkfs);
    const dst = loopVolume(`scale-${key}-dst`, 'xfs', set.dstGiB);
    const name = 'data';
    const from = path.join(src.dir, name);
    const to = path.join(dst.dir, name);
    const t0 = performance.now();
    await set.write(from);
    const pristine = path.join(work, `${key}.img`);
    src.saveAs(pristine);
    log(`  written in ${fmtMs(performance.now() - t0)}`);
    if (stub)
      checkFidelityStub(
        NODE,
        [
          { bin: NOW.bin, keeps: true },
          { bin: stub.bin, keeps: false },
        ],
        src.dir,
        dst.dir,
        work,
      );
    const manifest = path.join(work, `${key}.yaml`);
    yamlManifest(manifest, [{ link: from, target: to }]);
    let n = 0;
    // --scale-peers none leaves the peers out (a fidelity-cost run compares relocate with itself).
    const peers = withPeers
      ? {
          'cp -a && rm -rf': () => ['sh', ['-c', 'cp -a "$1" "$2" && rm -rf "$1"', 'sh', from, to]],
          'rsync -aHAX --remove-source-files': () => ['rsync', ['-aHAX', '--remove-source-files', from, `${dst.dir}/`]],
          mv: () => ['mv', [from, to]],
        }
      : {};
    // Not a peer (none of the three flushes before it deletes): the same copy made durable the way a careful user would,
    // with one syncfs of the destination before the delete — what relocate's own flush costs, shown beside it.
    const durable = withPeers ? { 'cp -a && sync -f && rm -rf': () => ['sh', ['-c', 'cp -a "$1" "$2" && sync -f "$2" && rm -rf "$1"', 'sh', from, to]] } : {};
    const apply = (cli, verify) => () => [
      NODE,
      [cli.bin, 'apply', '--yes', '--verify', verify, '--state-dir', path.join(work, `state-${key}-${n++}`), manifest],
    ];
    const trials = { ...peers, ...durable };
    for (const cli of CLIS) {
      trials[`relocate${cli === NOW ? '' : ` [${cli.key}]`}`] = apply(cli, 'meta');
      if (set.content) trials[`relocate --verify content${cli === NOW ? '' : ` [${cli.key}]`}`] = apply(cli, 'content');
    }
    if (stub) trials[`relocate [${stub.key}]`] = apply(stub, 'meta');
    const names = Object.keys(trials);
    const times = Object.fromEntries(names.map((t) => [t, []]));
    const rss = Object.fromEntries(names.map((t) => [t, []]));
    const loads = [loadavg()];
    const check = (trial) => {
      if (!existsSync(to) || !lstatSync(to).isDirectory()) throw new Error(`${trial}: ${to} is not a folder after the move`);
      if (trial.startsWith('relocate') && (!lstatSync(from).isSymbolicLink() || readlinkSync(from) !== to))
        throw new Error(`${trial}: ${from} is not a link to ${to}`);
      if (trial === 'mv' || trial.startsWith('cp')) {
        if (existsSync(from)) throw new Error(`${trial}: ${from} is still there`);
      }
    };
    for (let rep = 0; rep < reps; rep++) {
      const order = names.map((_, i) => names[(i + rep) % names.length]);
      for (const t of order) {
        src.restore(pristine);
        dst.remake();
        const [cmd, args] = trials[t]();
        const r = await timed(cmd, args);
        check(t);
        times[t].push(r.ms);
        rss[t].push(r.rssMiB);
        log(`  rep ${rep + 1}/${reps} ${t}: ${fmtMs(r.ms)}, ${r.rssMiB.toFixed(0)} MiB (load ${loadavg()})`);
      }
      loads.push(loadavg());
    }
    const peerNames = Object.keys(peers);
    const mb = (t) => median(rss[t]) * 1.048576;
    // Every trial's times and peak RSS, and the load: the end of each set's details.
    const trialTable = () => [
      '| trial | median wall | peak RSS (median) | all repetitions |',
      '|---|---|---|---|',
      ...names.map((t) => `| ${t} | ${fmtMs(median(times[t]))} | ${mb(t).toFixed(0)} MB | ${times[t].map(fmtMs).join(', ')} |`),
      '',
      `Load average (1 min) before and after each repetition: ${loads.join(', ')} (${ctx.machineInfo.nproc} CPUs).`,
    ];
    if (stub) {
      // Per repetition, this build over the stub run in the same repetition; and the ratio of the medians.
      const stubName = `relocate [${stub.key}]`;
      const perRep = times.relocate.map((x, i) => x / times[stubName][i]);
      const cost = median(perRep);
      row(
        `S-${key}f`,
        `scale: ${set.title}, the fidelity work's cost: relocate vs the same build without the fidelity calls`,
        '≤ 1.10×',
        {
          now: `${fmtX(cost)} (${fmtMs(median(times.relocate))} vs ${fmtMs(median(times[stubName]))}; ratio of medians ${fmtX(median(times.relocate) / median(times[stubName]))}; per repetition ${perRep.map(fmtX).join(', ')})`,
        },
        cost <= 1.1,
      );
    }
    if (peerNames.length === 0) {
      details.push({
        title: `Scale: ${set.title} (relocate only)`,
        lines: [
          `${set.describe}. Source ext4 (\`mkfs.ext4 ${set.mkfs.join(' ')}\`) ${set.srcGiB} GiB, destination xfs ${set.dstGiB} GiB, loop-mounted, restored and made afresh before every trial (not timed), order rotated.`,
          '',
          ...trialTable(),
        ],
      });
      src.dispose();
      dst.dispose();
      rmSync(pristine, { force: true });
      continue;
    }
    const best = Array.from({ length: reps }, (_, i) => Math.min(...peerNames.map((p) => times[p][i])));
    const bestName = peerNames.reduce((a, b) => (median(times[a]) <= median(times[b]) ? a : b));
    const ratio = (t) => median(times[t].map((x, i) => x / best[i]));
    const val = (t) => `${fmtX(ratio(t))} (${fmtMs(median(times[t]))} vs ${fmtMs(median(best))})`;
    const perBuild = (label) => Object.fromEntries(CLIS.map((cli) => [cli.key, val(`${label}${cli === NOW ? '' : ` [${cli.key}]`}`)]));
    row(`S-${key}`, `scale: ${set.title}, ext4 → xfs, vs the best of cp -a && rm -rf, rsync, mv`, '≤ 1.0×', perBuild('relocate'), ratio('relocate') <= 1.0);
    if (set.content)
      row(
        `S-${key}c`,
        `scale: ${set.title}, --verify content, vs the best peer`,
        '≤ 1.3×',
        perBuild('relocate --verify content'),
        ratio('relocate --verify content') <= 1.3,
      );
    const durableName = Object.keys(durable)[0];
    const vsDurable = (t) => median(times[t].map((x, i) => x / times[durableName][i]));
    row(
      `S-${key}d`,
      `scale: ${set.title}, vs ${durableName} (the same durability; informative, no target)`,
      '—',
      Object.fromEntries(
        CLIS.map((cli) => [
          cli.key,
          `${fmtX(vsDurable(`relocate${cli === NOW ? '' : ` [${cli.key}]`}`))} (${fmtMs(median(times[`relocate${cli === NOW ? '' : ` [${cli.key}]`}`]))} vs ${fmtMs(median(times[durableName]))})`,
        ]),
      ),
      null,
    );
    if (key === 'many')
      row(
        `S-${key}m`,
        `scale: peak RSS, ${set.title}`,
        '≤ 300 MB',
        Object.fromEntries(CLIS.map((cli) => [cli.key, `${mb(`relocate${cli === NOW ? '' : ` [${cli.key}]`}`).toFixed(0)} MB`])),
        mb('relocate') <= 300,
      );
    let prof = [];
    if (profile) {
      src.restore(pristine);
      dst.remake();
      const dir = path.join(work, `prof-${key}`);
      const [cmd, args] = apply(NOW, 'meta')();
      spawnSync('sync', { stdio: 'ignore' });
      const r = await run(cmd, ['--cpu-prof', '--cpu-prof-dir', dir, ...args]);
      if (r.status !== 0) throw new Error(`profiled run failed: ${r.stderr.slice(-2000)}`);
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
      const { totalMs, top } = topSelfTime(path.join(dir, file));
      prof = [
        '',
        `Profile of one more \`relocate apply\` (default verification) of this set, \`node --cpu-prof\`, wall ${fmtMs(r.ms)}: ${fmtMs(totalMs)} sampled; the functions with the most self time:`,
        '',
        '| self time | share | function |',
        '|---|---|---|',
        ...top.map((x) => `| ${fmtMs(x.ms)} | ${(x.share * 100).toFixed(1)}% | \`${x.name}\` |`),
      ];
    }
    details.push({
      title: `Scale: ${set.title}`,
      lines: [
        `${set.describe}. Source: ext4 on a loop-mounted ${set.srcGiB} GiB image (\`mkfs.ext4 ${set.mkfs.join(' ')}\`), destination: xfs on a ${set.dstGiB} GiB image, both image files on the host's ${ctx.machineInfo.tmpFs}. Before every trial the source image is copied from a pristine one and the destination made anew (\`mkfs.xfs -f\`), both mounted afresh, then \`sync\`; none of that is timed. Order rotated each repetition. Ratios are to the fastest peer of the same repetition (median over repetitions: ${bestName}).`,
        '',
        '```sh',
        ...peerNames.map((p) => cmdLine(...peers[p]())),
        cmdLine(...durable[durableName]()),
        ...CLIS.flatMap((cli) =>
          [cmdLine(...apply(cli, 'meta')()), ...(set.content ? [cmdLine(...apply(cli, 'content')())] : [])].map((l) =>
            l.replace(/state-[\w-]+-\d+/, 'state-N'),
          ),
        ),
        '```',
        '',
        ...trialTable(),
        ...prof,
      ],
    });
    src.dispose();
    dst.dispose();
    rmSync(pristine, { force: true });
  }
}
