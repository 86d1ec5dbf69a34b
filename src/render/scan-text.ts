import { formatBytes } from '../core/units.js';
import type { DriveInfo, ScanFolder, ScanReport } from './scan-json.js';
import type { Palette } from './color.js';

/** The verdicts as people read them in the table. */
const VERDICT_WORDS: Record<ScanFolder['verdict'], string> = {
  safe: 'safe',
  'owner-mover': "owner's mover",
  caution: 'caution',
  never: 'never',
};

/** The longest verdict's words and a space. */
const VERDICT_WIDTH = Math.max(...Object.values(VERDICT_WORDS).map((w) => w.length)) + 1;

/** Paths longer than this do not widen the path column (the reason then starts further right on their line only). */
const PATH_COLUMN_MAX = 56;

function verdictColor(v: ScanFolder['verdict'], c: Palette): (s: string) => string {
  return v === 'safe' ? c.green : v === 'never' ? c.red : c.yellow;
}

/** One folder's row: size, verdict, path, reason (and where it points, for a link; what to use, for owner-mover). */
function row(f: ScanFolder, pathWidth: number, c: Palette): string {
  const size = f.linkTarget !== undefined ? 'link' : formatBytes(f.bytes);
  const verdict = VERDICT_WORDS[f.verdict];
  const reason = f.linkTarget !== undefined ? `already a link to ${f.linkTarget}` : `${f.reason}${f.mover ? `; use ${f.mover}` : ''}`;
  return `${size.padStart(10)}  ${verdictColor(f.verdict, c)(verdict.padEnd(VERDICT_WIDTH))} ${f.path.padEnd(pathWidth)}  ${c.dim(reason)}`;
}

function driveLine(d: DriveInfo, to: string | undefined, labelWidth: number): string {
  const base = `  ${d.label.padEnd(labelWidth)} ${formatBytes(d.freeBytes)} free of ${formatBytes(d.totalBytes)}`;
  if (d.freeAfterPlan === undefined) return base;
  if (d.freeAfterPlan === d.freeBytes) return `${base}; unchanged by moving the safe folders above to ${to}`;
  const after = d.freeAfterPlan < 0 ? `${formatBytes(-d.freeAfterPlan)} short: they would not fit` : `${formatBytes(d.freeAfterPlan)} free`;
  return `${base}; after moving the safe folders above to ${to}: ${after}`;
}

/**
 * `relocate scan` for people: the folders as a table (largest first), the
 * drives with their free space (and after the move `--to` asks about),
 * the links already there, and what could not be read. Pure.
 */
export function renderScan(report: ScanReport, opts: { found: number; top: number; scanned: string[] | null; to?: string }, c: Palette): string {
  const lines: string[] = [];
  const what = opts.scanned ? `the folders in ${opts.scanned.join(', ')}` : 'the known large folders';
  lines.push(`relocate scan: ${what} (sizes without following links, hard-linked files once)`);
  lines.push('');
  if (report.folders.length === 0) {
    lines.push(
      opts.scanned ? '  nothing to list: no folders there' : '  none of the known large folders exist here; `relocate scan PATH` measures the folders in PATH',
    );
  } else {
    const pathWidth = Math.min(PATH_COLUMN_MAX, Math.max(...report.folders.map((f) => f.path.length)));
    lines.push(c.bold(`${'SIZE'.padStart(10)}  ${'VERDICT'.padEnd(VERDICT_WIDTH)} ${'PATH'.padEnd(pathWidth)}  REASON`));
    for (const f of report.folders) lines.push(row(f, pathWidth, c));
    if (opts.found > report.folders.length)
      lines.push(c.dim(`  … ${opts.found - report.folders.length} smaller not shown (--top ${opts.top}; --top N shows more)`));
  }
  if (report.drives.length > 0) {
    lines.push('', 'Drives:');
    const labelWidth = Math.max(...report.drives.map((d) => d.label.length)) + 1;
    for (const d of report.drives) lines.push(driveLine(d, opts.to, labelWidth));
  }
  if (report.links.length > 0) {
    lines.push('', 'Links already here (`relocate import` adopts them):');
    for (const l of report.links) lines.push(`  ${l.link} -> ${l.target} (${l.type})`);
  }
  if (report.problems.length > 0) {
    lines.push('', c.yellow('Not measured:'));
    for (const p of report.problems) lines.push(c.yellow(`  ${p.message}`));
  }
  lines.push(
    '',
    c.dim(
      "safe: move it with relocate. owner's mover: its program moves it itself, use that. caution: one program's data, close it first. never: relocate refuses it.",
    ),
  );
  return lines.join('\n');
}
