// Figure 7 (issue 20): `relocate scan` over a home holding the known large
// folders people ask "what should I move?" about, against `du -s` of the
// same folders — what a terminal user would run instead (WinDirStat and
// TreeSize are its Windows counterparts: GUI programs, not measurable here).
// Both count hard links once and do not follow links; the scan also gives
// each folder the planner's verdict and lists links already in place.
import { mkdirSync, writeFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { writeManySmallFiles } from './trees.mjs';

/** A home with an npm cache, a pip cache, a Cargo registry, a Steam library of two games, Downloads and Videos. */
export async function writeScanHome(home) {
  const sets = [
    ['.npm/_cacache', 60_000],
    ['.cache/pip/http', 10_000],
    ['.cargo/registry/src', 20_000],
    ['.local/share/Steam/steamapps/common/GameA', 15_000],
    ['.local/share/Steam/steamapps/common/GameB', 5_000],
    ['Downloads', 2_000],
  ];
  for (const [rel, n] of sets) await writeManySmallFiles(path.join(home, rel), n);
  const steam = path.join(home, '.local/share/Steam');
  writeFileSync(path.join(steam, 'steamapps', 'libraryfolders.vdf'), `"libraryfolders"\n{\n\t"0"\n\t{\n\t\t"path"\t\t"${steam}"\n\t}\n}\n`);
  mkdirSync(path.join(home, 'Videos'), { recursive: true });
  for (let i = 0; i < 20; i++) writeFileSync(path.join(home, 'Videos', `v${i}.mp4`), Buffer.alloc(1 << 20, i));
  // A link a scan reports and neither side follows.
  symlinkSync(path.join(home, '.npm'), path.join(home, 'npm-link'));
  return sets.reduce((n, [, c]) => n + c, 20);
}

export async function scanFigure(ctx) {
  const { CLIS, NOW, log, row, details, fmtMs, fmtX, sideBySide, timesTable, tempDir, timeRun, run, relocate, named, median, ratios, cmdLine } = ctx;
  log('7. scan: the known large folders of a home, vs du -s of the same folders');
  const home = path.join(tempDir('scan'), 'home');
  const files = await writeScanHome(home);
  const env = {
    ...process.env,
    HOME: home,
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
  };
  const scan = (cli) => relocate(cli, ['scan', '--json']);
  // The folders the scan found: du is given exactly those.
  const first = await run(...scan(NOW), { env });
  if (first.status !== 0) throw new Error(`relocate scan exited ${first.status}: ${first.stderr.slice(-2000)}`);
  const report = JSON.parse(first.stdout);
  const found = report.folders.map((f) => f.path);
  const du = ['du', ['-s', ...found]];
  const trials = { 'du -s': () => timeRun(...du, { env }) };
  for (const cli of CLIS) trials[named('relocate scan', cli)] = () => timeRun(...scan(cli), { env });
  const t = await sideBySide(trials);
  const per = (cli) => ratios(t[named('relocate scan', cli)], t['du -s']);
  row(
    '7',
    `scan of a home's known large folders (${found.length} folders, ${files.toLocaleString('en')} files) vs \`du -s\` of them`,
    '≤ 2 s',
    Object.fromEntries(CLIS.map((cli) => [cli.key, `${fmtMs(median(t[named('relocate scan', cli)]))} (${fmtX(median(per(cli)))} du)`])),
    median(t[named('relocate scan', NOW)]) <= 2000,
  );
  details.push({
    title: '7. Scan',
    lines: [
      `A home (HOME and the XDG folders pointed at it) holding an npm cache (60,000 files), a pip cache (10,000), a Cargo registry (20,000), a Steam library with two games (20,000) listed in its libraryfolders.vdf, Downloads (2,000) and Videos (20 files of 1 MiB): ${files.toLocaleString('en')} files. \`relocate scan --json\` finds and measures them (the plan's own measure) and gives each the planner's verdict; \`du -s\` is given the ${found.length} folders the scan found. Both warm (the first scan, untimed, read them all).`,
      '',
      '```sh',
      ...CLIS.map((cli) => `HOME=${home} ${cmdLine(...scan(cli))}`),
      cmdLine(...du).replace(new RegExp(home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'), '$HOME'),
      '```',
      '',
      timesTable(t),
      '',
      ...CLIS.map((cli) => `Ratios to du per repetition, ${cli.label}: ${per(cli).map(fmtX).join(', ')}.`),
    ],
  });
}
