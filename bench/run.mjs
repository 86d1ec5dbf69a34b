#!/usr/bin/env node
// `npm run bench`: relocate's benchmarks (issue #7). Every figure is a ratio
// (or a time) measured side by side in one run of this script, repeated
// (--reps, default 5) and reported as the median. Prints a table and rewrites
// the generated part of bench/RESULTS.md (between the bench:begin/end
// markers); the hand-written part around it is kept.
//
//   node bench/run.mjs [--reps N] [--inner N] [--only move,rename,plan,links,start,memory,scan]
//                      [--before OLD/dist/cli/bin.js [--before-label LABEL]] [--cli dist/cli/bin.js] [--exe PATH|none]
//                      [--no-write] [--json FILE]
//   node bench/run.mjs --only scale [--scale-files N] [--scale-sets many,small,mixed,big,sparse]
//                      [--scale-reps N] [--scale-profile] [--scale-fidelity] [--scale-peers none]
//                      [--results-mark NAME] [--before ...]
//
// The scale figures (issue 15, not in the default set: a full run takes an
// hour) move N files (default 1,000,000), 200,000 small files, 1 GiB in
// 20,000 files, one 4 GiB file and a 10 GiB sparse image between two
// loop-mounted volumes (ext4 → xfs, root only), beside cp -a && rm -rf,
// rsync -aHAX --remove-source-files and mv; --scale-profile adds one
// profiled run (node --cpu-prof) per set and lists where its time went;
// --scale-fidelity adds this build with the fidelity calls taken out
// (bench/lib/fidelity-stub.mjs) and the fidelity cost (target ≤ 1.10×);
// --scale-peers none leaves the peers out.
//
// --before measures an older build (e.g. a `git archive` of an earlier commit,
// built) in the same trials, rotated with this one, for before/after figures
// taken under the same conditions.
//
// Needs the built CLI (dist/, made by `npm ci` or `npm run build`). Installs
// stow and GNU time with apt-get when missing and root. The
// cross-volume figures mount two tmpfs filesystems (root only; skipped with
// the reason otherwise), and always unmount them, on failure and Ctrl-C too.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupNow, mountTmpfs, tempDir, tmpfsUnavailable, unmountLeftovers } from './lib/cleanup.mjs';
import { ensureTool, machine, median, peakRssMiB, run, timeRun } from './lib/measure.mjs';
import { describeSpec, mixedTreeSpec, writeManySmallFiles, writeMixedTree } from './lib/trees.mjs';
import { scaleFigures } from './lib/scale.mjs';
import { scanFigure } from './lib/scan.mjs';
import { loopUnavailable, unmountLoopLeftovers } from './lib/volumes.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const NODE = process.execPath;
const RESULTS = path.join(REPO, 'bench', 'RESULTS.md');

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const REPS = Math.max(1, Number(opt('reps', '5')));
/** Runs of each short trial (rename, links) per repetition; their median is the repetition's figure. */
const INNER = Math.max(1, Number(opt('inner', '3')));
const ONLY = opt('only', 'move,rename,plan,links,start,memory,scan').split(',');
const WRITE = !argv.includes('--no-write');
const JSON_OUT = opt('json', undefined);
/** A scale-only run writes its own part of RESULTS.md (the scale markers), leaving the other figures' latest run. */
const SCALE_ONLY = ONLY.length === 1 && ONLY[0] === 'scale';
/** `--results-mark NAME`: the part of RESULTS.md between bench:NAME markers (so scale sets run apart each keep a part). */
const MARK = opt('results-mark', undefined) ? `bench:${opt('results-mark')}` : SCALE_ONLY ? 'bench:scale' : 'bench';

/** The builds measured: this checkout's (or --cli), and with --before an older one, in the same trials. */
const CLIS = [{ key: 'now', label: 'this build', bin: path.resolve(opt('cli', path.join(REPO, 'dist', 'cli', 'bin.js'))) }];
if (opt('before', undefined))
  CLIS.push({
    key: 'before',
    label: `before (${opt('before-label', path.basename(path.dirname(path.dirname(path.dirname(path.resolve(opt('before')))))))})`,
    bin: path.resolve(opt('before')),
  });
const NOW = CLIS[0];
const BEFORE = CLIS[1];
/**
 * relocate's Linux single executable (`npm run build:exe`; --exe PATH, or
 * dist/exe/relocate-<version>-linux-x64 when built; --exe none leaves it
 * out), measured beside node + bundle in the start-up and 1,000-link
 * figures, where start-up matters. It runs itself: no `node` before it.
 */
const EXE = (() => {
  const version = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).version;
  const want = opt('exe', path.join(REPO, 'dist', 'exe', `relocate-${version}-linux-x64`));
  if (want === 'none' || !existsSync(want)) return undefined;
  return { key: 'exe', label: 'single executable', bin: path.resolve(want), direct: true };
})();
/** The builds of the start-up and many-links figures: CLIS and the single executable. */
const START_CLIS = EXE ? [...CLIS, EXE] : CLIS;
/** A trial's name for a build: as is for this build, with the build's key for the others. */
const named = (name, cli) => (cli === NOW ? name : `${name} [${cli.key}]`);

const log = (msg) => process.stderr.write(`bench: ${msg}\n`);
const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtX = (r) => `${r.toFixed(2)}×`;
const q = (s) => (/^[\w./=:-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
const cmdLine = (cmd, args) => [cmd === NODE ? 'node' : cmd, ...args].map((a) => q(a.startsWith(REPO) ? path.relative(REPO, a) : a)).join(' ');

/**
 * The table: one row per figure. `values` holds each build's measured text
 * (`now`, and `before` with --before); `pass` is this build's verdict,
 * undefined for a skipped figure.
 */
const rows = [];
const details = [];
const memoryRows = [];
let machineInfo;

function row(id, figure, target, values, pass, note = '') {
  rows.push({ id, figure, target, values, pass, note });
}
function skip(id, figure, target, reason) {
  log(`skipping ${id} ${figure}: ${reason}`);
  rows.push({ id, figure, target, values: { now: 'skipped' }, pass: undefined, note: reason });
}

const relocate = (cli, args) => (cli.direct ? [cli.bin, args] : [NODE, [cli.bin, ...args]]);

function yamlManifest(file, entries) {
  const lines = ['version: 1', 'links:'];
  for (const e of entries) {
    lines.push(`  - link: ${JSON.stringify(e.link)}`, `    target: ${JSON.stringify(e.target)}`);
    if (e.type) lines.push(`    type: ${e.type}`);
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

/** The 1-minute load average (the machine is shared: it says how busy it was while a figure ran). */
const loadavg = () => {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
};

/**
 * Runs `trials` (name → async fn returning ms) `REPS` times, rotating their
 * order each repetition. With `inner` > 1, each repetition runs every trial
 * that many times (interleaved) and keeps each one's median: short trials
 * are noisy on a shared machine.
 */
async function sideBySide(trials, inner = 1) {
  const names = Object.keys(trials);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  const loads = [loadavg()];
  for (let rep = 0; rep < REPS; rep++) {
    const runs = Object.fromEntries(names.map((n) => [n, []]));
    for (let k = 0; k < inner; k++) {
      const order = names.map((_, i) => names[(i + rep + k) % names.length]);
      for (const n of order) runs[n].push(await trials[n]());
    }
    for (const n of names) times[n].push(median(runs[n]));
    loads.push(loadavg());
    log(`  rep ${rep + 1}/${REPS}: ${names.map((n) => `${n} ${fmtMs(times[n][rep])}`).join(', ')} (load ${loads.at(-1)})`);
  }
  Object.defineProperty(times, 'load', { value: loads, enumerable: false });
  return times;
}
const ratios = (a, b) => a.map((x, i) => x / b[i]);

function timesTable(t) {
  const names = Object.keys(t);
  return [
    `| trial | median | all repetitions |`,
    `|---|---|---|`,
    ...names.map((n) => `| ${n} | ${fmtMs(median(t[n]))} | ${t[n].map(fmtMs).join(', ')} |`),
    ...(t.load ? ['', `Load average (1 min) before and after each repetition: ${t.load.join(', ')} (${machineInfo.nproc} CPUs).`] : []),
  ].join('\n');
}

/** "1.07× (2.41 s vs 2.25 s)": a ratio's median and the medians it came from. */
const ratioText = (r, a, b) => `${fmtX(r)} (${fmtMs(median(a))} vs ${fmtMs(median(b))})`;

// ---------------------------------------------------------------------------
// 1. Cross-volume move vs cp -a && rm -rf && ln -s; 6b. its peak memory.
// ---------------------------------------------------------------------------
async function crossVolume() {
  const F1 = 'cross-volume move, 1 GiB in 20,000 files, vs `cp -a && rm -rf && ln -s`';
  const why = tmpfsUnavailable();
  if (why) {
    if (ONLY.includes('move')) {
      skip('1a', `${F1} (default verification)`, '≤ 1.15×', why);
      skip('1b', `${F1} (--verify content)`, '≤ 1.6×', why);
    }
    if (ONLY.includes('memory')) skip('6b', 'peak RSS, the 20,000-file cross-volume move', '≤ 200 MB', why);
    return;
  }
  log('1. cross-volume move: mounting two tmpfs and writing the 1 GiB tree');
  const volA = mountTmpfs('src', 3584);
  const volB = mountTmpfs('dst', 2560);
  const spec = mixedTreeSpec();
  const pristine = path.join(volA, 'pristine');
  await writeMixedTree(pristine, spec);
  const src = path.join(volA, 'Games');
  const dst = path.join(volB, 'Games');
  const work = tempDir('move');
  const manifest = path.join(work, 'relocate.yaml');
  yamlManifest(manifest, [{ link: src, target: dst }]);
  let n = 0;
  const reset = async () => {
    rmSync(src, { recursive: true, force: true });
    for (const name of readdirSync(volB)) rmSync(path.join(volB, name), { recursive: true, force: true });
    for (const name of readdirSync(volA)) if (name !== 'pristine') rmSync(path.join(volA, name), { recursive: true, force: true });
    if ((await run('cp', ['-a', pristine, src])).status !== 0) throw new Error('cp -a of the pristine tree failed');
  };
  const check = () => {
    if (!lstatSync(src).isSymbolicLink() || readlinkSync(src) !== dst || !lstatSync(dst).isDirectory())
      throw new Error(`after the move ${src} is not a link to ${dst}`);
  };
  const baseline = ['sh', ['-c', 'cp -a "$1" "$2" && rm -rf "$1" && ln -s "$2" "$1"', 'sh', src, dst]];
  const apply = (cli, verify) => relocate(cli, ['apply', '--yes', '--verify', verify, '--state-dir', path.join(work, `state-${n++}`), manifest]);
  const trial = (mk) => async () => {
    await reset();
    const ms = await timeRun(...mk());
    check();
    return ms;
  };
  const shown = (cli, verify) => cmdLine(...apply(cli, verify)).replace(/state-\d+/, 'state-N');

  if (ONLY.includes('move')) {
    const trials = { 'cp -a': trial(() => baseline) };
    for (const cli of CLIS) {
      trials[named('apply (meta)', cli)] = trial(() => apply(cli, 'meta'));
      trials[named('apply (content)', cli)] = trial(() => apply(cli, 'content'));
    }
    // Several runs per repetition here too: on these VMs a single-threaded `cp -a` of the tree takes
    // 1.2 s most times and 2.2 s now and then (seen by hand, outside the bench), and one slow baseline
    // in a repetition would flatter the ratio.
    const t = await sideBySide(trials, INNER);
    const per = (name, cli) => ratios(t[named(name, cli)], t['cp -a']);
    const values = (name) => Object.fromEntries(CLIS.map((cli) => [cli.key, ratioText(median(per(name, cli)), t[named(name, cli)], t['cp -a'])]));
    row('1a', `${F1} (default verification)`, '≤ 1.15×', values('apply (meta)'), median(per('apply (meta)', NOW)) <= 1.15);
    row('1b', `${F1} (--verify content)`, '≤ 1.6×', values('apply (content)'), median(per('apply (content)', NOW)) <= 1.6);
    details.push({
      title: '1. Cross-volume move',
      lines: [
        `Tree: ${describeSpec(spec)}. Source and destination are two tmpfs mounts (${volA}, ${volB}); the state folder is on ${machineInfo.tmpFs} (${work}).`,
        `Before each trial the source is recreated with \`cp -a\` from a pristine copy on the source volume, the destination emptied and \`sync\` run (not timed). Each repetition runs every trial ${INNER} times, interleaved, order rotated, and keeps the medians.`,
        '',
        '```sh',
        `# baseline (SRC, DST: the link and target paths)`,
        cmdLine(...baseline),
        `# relocate (manifest: link SRC, target DST)`,
        ...CLIS.flatMap((cli) => [shown(cli, 'meta'), shown(cli, 'content')]),
        '```',
        '',
        timesTable(t),
        '',
        ...CLIS.map(
          (cli) =>
            `Ratios per repetition, ${cli.label}: meta ${per('apply (meta)', cli).map(fmtX).join(', ')}; content ${per('apply (content)', cli).map(fmtX).join(', ')}.`,
        ),
      ],
    });
  }
  if (ONLY.includes('memory')) {
    log('6b. peak RSS of the cross-volume move');
    const rss = Object.fromEntries(CLIS.map((cli) => [cli.key, []]));
    for (let i = 0; i < REPS; i++) {
      for (const cli of CLIS) {
        await reset();
        rss[cli.key].push(await peakRssMiB(...apply(cli, 'meta')));
        check();
      }
    }
    memoryRows.push({
      id: '6b',
      figure: 'peak RSS, the 20,000-file cross-volume move (`apply --yes`)',
      rss,
      cmds: CLIS.map((cli) => `/usr/bin/time -f %M ${shown(cli, 'meta')}`),
    });
  }
}

// ---------------------------------------------------------------------------
// 2. A same-volume move is one rename: 100,000 files cost what 10 files cost.
// ---------------------------------------------------------------------------
async function sameVolume() {
  log('2. same-volume move: writing a tree of 100,000 files and one of 10');
  const root = tempDir('rename');
  const trees = { big: 100_000, small: 10 };
  const manifests = {};
  for (const [name, count] of Object.entries(trees)) {
    await writeManySmallFiles(path.join(root, 'home', name), count, count >= 100 ? 100 : count);
    manifests[name] = path.join(root, `${name}.yaml`);
    yamlManifest(manifests[name], [{ link: path.join(root, 'home', name), target: path.join(root, 'store', name) }]);
  }
  mkdirSync(path.join(root, 'store'));
  let n = 0;
  const apply = (cli, name) => relocate(cli, ['apply', '--yes', '--state-dir', path.join(root, `state-${n++}`), manifests[name]]);
  const trial = (cli, name) => async () => {
    const link = path.join(root, 'home', name);
    const target = path.join(root, 'store', name);
    const ms = await timeRun(...apply(cli, name));
    if (!lstatSync(link).isSymbolicLink()) throw new Error(`${link} is not a link after apply`);
    unlinkSync(link);
    renameSync(target, link);
    return ms;
  };
  const trials = {};
  for (const cli of CLIS) {
    trials[named('100,000 files', cli)] = trial(cli, 'big');
    trials[named('10 files', cli)] = trial(cli, 'small');
  }
  const t = await sideBySide(trials, INNER);
  const per = (cli) => ratios(t[named('100,000 files', cli)], t[named('10 files', cli)]);
  const r = median(per(NOW));
  row(
    '2',
    'same-volume move (rename): 100,000 files vs 10 files',
    '0.8–1.2× (constant)',
    Object.fromEntries(CLIS.map((cli) => [cli.key, ratioText(median(per(cli)), t[named('100,000 files', cli)], t[named('10 files', cli)])])),
    r >= 0.8 && r <= 1.2,
  );
  details.push({
    title: '2. Same-volume move',
    lines: [
      `Trees of 100,000 files (1,000 folders of 100 files of 0–63 bytes) and of 10 files, on ${machineInfo.tmpFs} (${root}), moved to a sibling folder on the same volume; the state folder is on the same volume. After each trial the link is removed and the folder renamed back (not timed). Each repetition runs every trial ${INNER} times, interleaved, and keeps the medians.`,
      '',
      '```sh',
      ...CLIS.flatMap((cli) => [
        cmdLine(...apply(cli, 'big')).replace(/state-\d+/, 'state-N'),
        cmdLine(...apply(cli, 'small')).replace(/state-\d+/, 'state-N'),
      ]),
      '```',
      '',
      timesTable(t),
      '',
      ...CLIS.map((cli) => `Ratios per repetition, ${cli.label}: ${per(cli).map(fmtX).join(', ')}.`),
    ],
  });
}

// ---------------------------------------------------------------------------
// 3. Plan scaling: 100, 1,000, 10,000 entries over real folders; 6a memory.
// ---------------------------------------------------------------------------
async function planScaling() {
  log('3. plan scaling: 10,000 folders, 90% already linked');
  const root = tempDir('plan');
  const N = 10_000;
  const entries = [];
  for (let i = 0; i < N; i++) {
    const g = `g${i % 100}`;
    const target = path.join(root, 'store', g, `e${i}`);
    const link = path.join(root, 'home', g, `e${i}`);
    mkdirSync(target, { recursive: true });
    mkdirSync(path.dirname(link), { recursive: true });
    // Nine in ten are in sync (the link is in place); one in ten needs its link.
    if (i % 10 !== 0) symlinkSync(target, link);
    entries.push({ link, target });
  }
  const sizes = [3, 100, 1000, 10_000];
  const label = (s) => `${s.toLocaleString('en')} entries`;
  const manifests = {};
  for (const s of sizes) {
    manifests[s] = path.join(root, `m${s}.yaml`);
    yamlManifest(manifests[s], entries.slice(0, s));
  }
  const state = path.join(root, 'state');
  const plan = (cli, s) => relocate(cli, ['plan', '--state-dir', state, manifests[s]]);
  if (ONLY.includes('plan')) {
    const trials = {};
    for (const cli of CLIS) for (const s of sizes) trials[named(label(s), cli)] = () => timeRun(...plan(cli, s), { okCodes: [0, 2] });
    const t = await sideBySide(trials);
    const get = (cli, s) => t[named(label(s), cli)];
    /** Time beyond the 3-entry plan (start-up, module loading), at `big` entries over at `small`. */
    const growth = (cli, big, small) => get(cli, big).map((x, i) => (x - get(cli, 3)[i]) / Math.max(1, get(cli, small)[i] - get(cli, 3)[i]));
    const whole = (cli) => get(cli, 10_000).map((x, i) => x / get(cli, 1000)[i]);
    row(
      '3a',
      'plan of 10,000 entries (9,000 in sync, 1,000 to link)',
      '≤ 1.5 s',
      Object.fromEntries(CLIS.map((cli) => [cli.key, fmtMs(median(get(cli, 10_000)))])),
      median(get(NOW, 10_000)) <= 1500,
    );
    row(
      '3b',
      'plan growth, 1,000 → 10,000 entries (time beyond a 3-entry plan)',
      '≤ 12×',
      Object.fromEntries(CLIS.map((cli) => [cli.key, `${fmtX(median(growth(cli, 10_000, 1000)))} (whole command: ${fmtX(median(whole(cli)))})`])),
      median(growth(NOW, 10_000, 1000)) <= 12,
    );
    details.push({
      title: '3. Plan scaling',
      lines: [
        `10,000 target folders in 100 groups on ${machineInfo.tmpFs} (${root}); nine in ten links already in place (in sync), one in ten missing (action link). Manifests list the first 3, 100, 1,000 and 10,000 entries, no globs. "Growth" divides the time beyond the 3-entry plan (process start, module loading) at 10,000 entries by the same at 1,000; the whole-command ratio is shown beside it.`,
        '',
        '```sh',
        ...CLIS.flatMap((cli) => sizes.map((s) => cmdLine(...plan(cli, s)))),
        '```',
        '',
        timesTable(t),
        '',
        ...CLIS.map(
          (cli) =>
            `${cli.label}: per-entry cost at 10,000 entries ${(((median(get(cli, 10_000)) - median(get(cli, 3))) / (N - 3)) * 1000).toFixed(0)} µs; growth per repetition (net) ${growth(cli, 10_000, 1000).map(fmtX).join(', ')}; 100 → 1,000 (net) ${fmtX(median(growth(cli, 1000, 100)))}.`,
        ),
      ],
    });
  }
  if (ONLY.includes('memory')) {
    log('6a. peak RSS of the 10,000-entry plan');
    const rss = Object.fromEntries(CLIS.map((cli) => [cli.key, []]));
    for (let i = 0; i < REPS; i++) for (const cli of CLIS) rss[cli.key].push(await peakRssMiB(...plan(cli, 10_000), { okCodes: [0, 2] }));
    memoryRows.push({
      id: '6a',
      figure: 'peak RSS, `plan` of the 10,000-entry manifest',
      rss,
      cmds: CLIS.map((cli) => `/usr/bin/time -f %M ${cmdLine(...plan(cli, 10_000))}`),
    });
  }
}

// ---------------------------------------------------------------------------
// 4. Many links: apply 1,000 link entries vs GNU Stow linking 1,000 entries.
// ---------------------------------------------------------------------------
async function manyLinks() {
  const F = 'apply of 1,000 link entries vs `stow` of a 1,000-entry package';
  const why = ensureTool('stow', 'stow', log);
  if (why) return skip('4', F, '≤ 1.0×', why);
  log('4. many links: a package of 1,000 entries');
  const root = tempDir('links');
  const pkg = path.join(root, 'store', 'pkg');
  const entries = [];
  for (let i = 0; i < 1000; i++) {
    const p = path.join(pkg, `e${i}`);
    // Half folders, half files, as a dotfiles package holds.
    if (i % 2 === 0) {
      mkdirSync(p, { recursive: true });
      writeFileSync(path.join(p, 'config'), `entry ${i}\n`);
    } else {
      mkdirSync(pkg, { recursive: true });
      writeFileSync(p, `entry ${i}\n`);
    }
    entries.push({ link: path.join(root, 'rel', `e${i}`), target: p, type: 'symlink' });
  }
  mkdirSync(path.join(root, 'rel'));
  mkdirSync(path.join(root, 'stowed'));
  const manifest = path.join(root, 'links.yaml');
  yamlManifest(manifest, entries);
  let n = 0;
  const stow = ['stow', ['-d', path.join(root, 'store'), '-t', path.join(root, 'stowed'), 'pkg']];
  const apply = (cli) => relocate(cli, ['apply', '--yes', '--state-dir', path.join(root, `state-${n++}`), manifest]);
  // The links a trial made are set aside (renamed into used/, removed only at the end), not deleted:
  // ext4 will not hand out an inode freed less than ~30 s ago (recently_deleted() in
  // ext4_new_inode), and with 1,000 such inodes in the group every new symlink scanned them all and
  // read their inode blocks. Deleting after each trial made each of the next trial's symlinks cost
  // ~0.7 ms of kernel time instead of ~30 µs, for stow and relocate alike, so the figure measured
  // the bench's own deletions (perf: 55% of the time in find_get_block/recently_deleted).
  let used = 0;
  const setAside = (dir, want) => {
    const names = readdirSync(dir);
    if (names.length !== want) throw new Error(`${dir} holds ${names.length} entries, expected ${want}`);
    renameSync(dir, path.join(root, 'used', String(used++)));
    mkdirSync(dir);
  };
  mkdirSync(path.join(root, 'used'));
  const trials = {
    stow: async () => {
      const ms = await timeRun(...stow);
      setAside(path.join(root, 'stowed'), 1000);
      return ms;
    },
    // The floor for any Node program: starting Node and doing nothing, timed the same way.
    'node -e 0': () => timeRun(NODE, ['-e', '0']),
  };
  for (const cli of START_CLIS) {
    trials[named('relocate apply', cli)] = async () => {
      const ms = await timeRun(...apply(cli));
      setAside(path.join(root, 'rel'), 1000);
      return ms;
    };
  }
  const t = await sideBySide(trials, INNER);
  const per = (cli) => ratios(t[named('relocate apply', cli)], t.stow);
  row(
    '4',
    F,
    '≤ 1.0×',
    Object.fromEntries(START_CLIS.map((cli) => [cli.key, ratioText(median(per(cli)), t[named('relocate apply', cli)], t.stow)])),
    median(per(NOW)) <= 1.0,
  );
  details.push({
    title: '4. Many links',
    lines: [
      `A package of 1,000 entries (500 folders holding one file, 500 files) on ${machineInfo.tmpFs} (${root}); relocate links each (absolute symlinks, journaled, state folder on the same disk, a fresh one per trial), stow links each (relative symlinks). After each trial its folder of links is set aside (renamed, not timed) and an empty one made: deleting 1,000 links between trials made every following symlink on ext4 cost ~25× more for both tools (ext4 skips recently freed inodes one by one). Each repetition runs every trial ${INNER} times, interleaved, and keeps the medians.`,
      '',
      '```sh',
      cmdLine(...stow),
      ...START_CLIS.map((cli) => cmdLine(...apply(cli)).replace(/state-\d+/, 'state-N')),
      '```',
      '',
      timesTable(t),
      '',
      ...START_CLIS.map((cli) => `Ratios per repetition, ${cli.label}: ${per(cli).map(fmtX).join(', ')}.`),
      '',
      `The floor: \`node -e 0\`, starting Node 20 and running nothing, takes ${fmtX(median(ratios(t['node -e 0'], t.stow)))} of stow's whole run (ratios per repetition: ${ratios(t['node -e 0'], t.stow).map(fmtX).join(', ')}), which leaves a program on this runtime ${Math.max(0, median(t.stow) - median(t['node -e 0'])).toFixed(0)} ms (the difference of the medians) to read and check a 1,000-entry manifest, plan, journal and make and check 1,000 links if it is to match stow.`,
    ],
  });
}

// ---------------------------------------------------------------------------
// 5. Cold start: validate of a 3-entry manifest vs `node -e 0`.
// ---------------------------------------------------------------------------
async function coldStart() {
  const root = tempDir('start');
  const manifest = path.join(root, 'relocate.yaml');
  yamlManifest(
    manifest,
    [1, 2, 3].map((i) => ({ link: path.join(root, `l${i}`), target: path.join(root, `t${i}`) })),
  );
  const validate = (cli) => relocate(cli, ['validate', manifest]);
  const bare = [NODE, ['-e', '0']];
  const RUNS = 20;
  const names = ['node -e 0', ...START_CLIS.map((cli) => named('relocate validate', cli))];
  const cmds = [bare, ...START_CLIS.map(validate)];
  const t = Object.fromEntries(names.map((n) => [n, []]));
  // Interleaved runs, not hyperfine's one-command-after-another: on a shared machine the load drifts
  // within seconds, and a ratio of runs far apart in time measures the drift.
  log('5. cold start');
  const how = `${RUNS} runs of each command per repetition, interleaved (one of each in turn, order rotated), timed from spawn to exit (the few milliseconds a spawn costs count on both sides); each repetition's figure is the ratio of the medians`;
  for (let rep = 0; rep < REPS; rep++) {
    const runs = names.map(() => []);
    for (let i = 0; i < RUNS; i++) {
      for (let j = 0; j < cmds.length; j++) {
        const k = (i + j + rep) % cmds.length;
        runs[k].push(await timeRun(...cmds[k]));
      }
    }
    names.forEach((n, k) => t[n].push(median(runs[k])));
    log(`  rep ${rep + 1}/${REPS}: ${names.map((n) => `${n} ${fmtMs(t[n][rep])}`).join(', ')} (load ${loadavg()})`);
  }
  const per = (cli) => ratios(t[named('relocate validate', cli)], t['node -e 0']);
  row(
    '5',
    'cold start: `validate` of a 3-entry manifest vs `node -e 0`',
    '≤ 3×',
    Object.fromEntries(START_CLIS.map((cli) => [cli.key, ratioText(median(per(cli)), t[named('relocate validate', cli)], t['node -e 0'])])),
    median(per(NOW)) <= 3,
  );
  details.push({
    title: '5. Cold start',
    lines: [`Measured with ${how}.`, '', '```sh', cmdLine(...bare), ...START_CLIS.map((cli) => cmdLine(...validate(cli))), '```', '', timesTable(t)],
  });
}

// ---------------------------------------------------------------------------

function verdict(r) {
  if (r.pass === null) return '— (no target)';
  return r.pass === undefined ? `skipped: ${r.note}` : r.pass ? 'yes' : '**no**';
}

function resultsTable() {
  const head = ['#', 'figure', 'target', BEFORE ? `now` : 'measured (median)', ...(BEFORE ? [BEFORE.label] : []), ...(EXE ? [EXE.label] : []), 'met'];
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map(
      (r) =>
        `| ${[r.id, r.figure, r.target, r.values.now, ...(BEFORE ? [r.values.before ?? ''] : []), ...(EXE ? [r.values.exe ?? ''] : []), verdict(r)].join(' | ')} |`,
    ),
  ].join('\n');
}

/** The checkout's commit (and whether it has uncommitted changes), for the record. */
function commitOf() {
  const r = spawnSync('git', ['-C', REPO, 'describe', '--always', '--dirty'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

function writeResults() {
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const m = machineInfo;
  const body = [
    `<!-- ${MARK}:begin (generated by \`npm run bench\`; edit outside these markers) -->`,
    SCALE_ONLY
      ? `## Latest scale run${opt('results-mark') ? ` (${opt('results-mark')})` : ''}`
      : `## Latest run${opt('results-mark') ? ` (${opt('results-mark')})` : ''}`,
    '',
    `Date: ${date}. ${SCALE_ONLY ? `Repetitions: ${opt('scale-reps', '1')} (\`--scale-reps\`; medians)` : `Repetitions: ${REPS} (medians; short trials ${INNER}× each per repetition)`}. Commit: ${commitOf()}. Command: \`npm run bench\`${argv.length ? ` (\`node bench/run.mjs ${argv.map((a) => (a.startsWith(REPO) ? path.relative(REPO, a) || '.' : a)).join(' ')}\`)` : ''}.`,
    '',
    `Machine: ${m.nproc} CPUs (\`nproc\`), ${m.cpu}; node ${m.node}; kernel ${m.kernel} (\`uname -r\`); ${m.os}; temporary folder on ${m.tmpFs}${SCALE_ONLY ? '' : `; ${m.stow || 'stow missing'}`}. The machine is shared: the load average is recorded with each figure.`,
    '',
    '```',
    '$ free -g',
    m.free,
    '```',
    '',
    resultsTable(),
    '',
    ...details.flatMap((d) => [`### ${d.title}`, '', ...d.lines, '']),
    ...(memoryRows.length
      ? [
          '### 6. Peak memory',
          '',
          '```sh',
          ...memoryRows.flatMap((r) => r.cmds),
          '```',
          '',
          ...memoryRows.flatMap((r) =>
            CLIS.map((cli) => `- ${r.id}, ${cli.label}: ${r.rss[cli.key].map((v) => `${(v * 1.048576).toFixed(0)} MB`).join(', ')}`),
          ),
          '',
        ]
      : []),
    `<!-- ${MARK}:end -->`,
  ].join('\n');
  let text = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Benchmark results\n\n<!-- bench:begin -->\n<!-- bench:end -->\n';
  const a = text.indexOf(`<!-- ${MARK}:begin`);
  const b = text.indexOf(`<!-- ${MARK}:end -->`);
  text = a >= 0 && b > a ? text.slice(0, a) + body + text.slice(b + `<!-- ${MARK}:end -->`.length) : `${text.trimEnd()}\n\n${body}\n`;
  writeFileSync(RESULTS, text);
}

function printTable() {
  const cols = ['#', 'figure', 'target', BEFORE ? 'now' : 'measured (median)', ...(BEFORE ? [BEFORE.label] : []), ...(EXE ? [EXE.label] : []), 'met'];
  const data = rows.map((r) => [
    r.id,
    r.figure,
    r.target,
    r.values.now,
    ...(BEFORE ? [r.values.before ?? ''] : []),
    ...(EXE ? [r.values.exe ?? ''] : []),
    r.pass === null ? '—' : r.pass === undefined ? 'skipped' : r.pass ? 'yes' : 'NO',
  ]);
  const w = cols.map((c, i) => Math.max(c.length, ...data.map((d) => d[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(w[i])).join('  ');
  process.stdout.write(`\n${line(cols)}\n${w.map((x) => '-'.repeat(x)).join('  ')}\n${data.map(line).join('\n')}\n`);
  for (const r of rows) if (r.pass === undefined) process.stdout.write(`skipped ${r.id}: ${r.note}\n`);
}

async function main() {
  for (const cli of CLIS) {
    if (!existsSync(cli.bin)) {
      process.stderr.write(`bench: ${cli.bin} is missing; run \`npm run build\` (or \`npm ci\`) first\n`);
      process.exit(1);
    }
  }
  const left = unmountLeftovers();
  if (left.length) log(`unmounted tmpfs left by an earlier, killed bench: ${left.join(', ')}`);
  const loops = unmountLoopLeftovers();
  if (loops.length) log(`unmounted loop volumes left by an earlier, killed bench: ${loops.join(', ')}`);
  if (ONLY.includes('memory')) {
    const why = ensureTool('/usr/bin/time', 'time', log);
    if (why) {
      skip('6', 'peak memory', '≤ 200 MB', why);
      ONLY.splice(ONLY.indexOf('memory'), 1);
    }
  }
  machineInfo = machine();
  log(`reps ${REPS}; figures: ${ONLY.join(', ')}; builds: ${CLIS.map((c) => `${c.label} ${path.relative(process.cwd(), c.bin) || c.bin}`).join(', ')}`);
  if (ONLY.includes('start')) await coldStart();
  if (ONLY.includes('plan') || ONLY.includes('memory')) await planScaling();
  if (ONLY.includes('links')) await manyLinks();
  if (ONLY.includes('rename')) await sameVolume();
  if (ONLY.includes('move') || ONLY.includes('memory')) await crossVolume();
  if (ONLY.includes('scan'))
    await scanFigure({
      CLIS: START_CLIS,
      NOW,
      log,
      row,
      details,
      fmtMs,
      fmtX,
      sideBySide,
      timesTable,
      tempDir,
      timeRun,
      run,
      relocate,
      named,
      median,
      ratios,
      cmdLine,
    });
  if (ONLY.includes('scale')) {
    const why =
      loopUnavailable() ??
      ensureTool('mkfs.xfs', 'xfsprogs', log) ??
      ensureTool('mkfs.ext4', 'e2fsprogs', log) ??
      ensureTool('rsync', 'rsync', log) ??
      ensureTool('/usr/bin/time', 'time', log);
    if (why) skip('S', 'scale figures', '', why);
    else {
      await scaleFigures(
        { CLIS, NOW, REPO, log, row, details, fmtMs, fmtX, loadavg, NODE, yamlManifest, cmdLine, machineInfo },
        {
          files: Number(opt('scale-files', '1000000')),
          sets: opt('scale-sets', 'many,small,mixed,big,sparse').split(','),
          reps: Math.max(1, Number(opt('scale-reps', '1'))),
          profile: argv.includes('--scale-profile'),
          fidelity: argv.includes('--scale-fidelity'),
          withPeers: opt('scale-peers', 'all') !== 'none',
        },
      );
    }
  }
  for (const r of memoryRows) {
    const mb = (key) => median(r.rss[key]) * 1.048576;
    row(r.id, r.figure, '≤ 200 MB', Object.fromEntries(CLIS.map((cli) => [cli.key, `${mb(cli.key).toFixed(0)} MB`])), mb('now') <= 200);
  }
  rows.sort((a, b) => a.id.localeCompare(b.id));
  cleanupNow();
  printTable();
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ date: new Date().toISOString(), reps: REPS, builds: CLIS, rows }, null, 2) + '\n');
  if (WRITE) {
    writeResults();
    log(`wrote ${path.relative(process.cwd(), RESULTS) || RESULTS}`);
  }
}

await main();
