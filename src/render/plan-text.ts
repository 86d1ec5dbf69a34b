import { createRequire } from 'node:module';
import { formatBytes } from '../core/units.js';
import type { Action, Finding, Plan, PlannedEntry } from '../plan/types.js';
import type { TreeComparison } from '../state/types.js';
import type { Palette } from './color.js';
import { ACTION_TRAITS, hasMove, moveOf, type ActionTraits } from '../plan/actions.js';

/** `diff` is loaded at the first conflict shown (its 20 modules are a tenth of the CLI's start-up). */
type DiffModule = typeof import('diff');
let diffModule: DiffModule | undefined;
const diff = (): DiffModule => (diffModule ??= createRequire(import.meta.url)('diff') as DiffModule);

export interface RenderPlanOptions {
  color: Palette;
  /** Also show entries already in sync (`=`) and skipped entries, and the reason of in-sync entries. */
  verbose: boolean;
  /** How the manifest is named in "No changes. The disk matches <manifestLabel>." */
  manifestLabel: string;
}

/** At most this many names of a comparison are listed; the rest are counted. */
export const COMPARISON_LINES = 20;

/** Width the action word is padded to, so link paths line up ("conflict" is the longest). */
const WORD_WIDTH = 8;
const INDENT = '    ';

/** How each of the action table's colours is painted. */
const PAINT: Record<ActionTraits['colour'], (c: Palette, s: string) => string> = {
  dim: (c, s) => c.dim(s),
  green: (c, s) => c.green(s),
  cyan: (c, s) => c.cyan(s),
  yellow: (c, s) => c.yellow(s),
  red: (c, s) => c.red(s),
  'bold-red': (c, s) => c.bold(c.red(s)),
};

/** 3201 → "3,201". Fixed separators: the output must not depend on the machine's locale. */
export function groupDigits(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  return (n < 0 ? '-' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${groupDigits(n)} ${n === 1 ? one : many}`;
}

/** Comparison names are relative paths; on a Windows entry they are shown with backslashes like every other path. */
function displayName(name: string, e: PlannedEntry): string {
  return e.style?.flavour === 'win32' ? name.replace(/\//g, '\\') : name;
}

function headLine(e: PlannedEntry, c: Palette): string {
  const look = ACTION_TRAITS[e.action];
  const paint = PAINT[look.colour];
  const word = e.action.padEnd(WORD_WIDTH);
  if (e.action === 'skip') {
    // A skipped entry was never resolved: its paths are the manifest's text and it has no link kind.
    return c.dim(`${look.symbol} ${word} ${e.link} → ${e.target}`);
  }
  let extra = '';
  if (hasMove(e)) {
    const m = e.move;
    // The blocks they take too, when that reads differently (small files: a block each; sparse files: only their data).
    const allocated = m.allocated !== undefined && formatBytes(m.allocated) !== formatBytes(m.bytes) ? ` (${formatBytes(m.allocated)} on disk)` : '';
    extra =
      m.measured === false
        ? ' same volume (one rename; size not counted)'
        : ` ${formatBytes(m.bytes)}${allocated} in ${count(m.files, 'file')}, ${m.crossVolume ? 'across volumes' : 'same volume'}`;
  }
  // An empty oldTarget: the old link's text could not be read.
  if (e.action === 'relink') extra = ` was → ${e.oldTarget || 'an unknown place'}`;
  if (e.action === 'retarget') extra += `, from ${e.move.from}`;
  const body = `${e.link} → ${e.target}  (${e.type})${extra}`;
  if (e.action === 'none') return c.dim(`${look.symbol} ${word} ${body}`);
  return `${paint(c, `${look.symbol} ${word}`)} ${body}`;
}

function findingLines(f: Finding, c: Palette, indent: string): string[] {
  const label = `${f.severity} ${f.code}`;
  const where = f.path && !f.message.includes(f.path) ? ` (${f.path})` : '';
  const out = [`${indent}${f.severity === 'error' ? c.red(label) : c.yellow(label)}: ${f.message}${where}`];
  if (f.hint) out.push(`${indent}  ${c.dim(`hint: ${f.hint}`)}`);
  return out;
}

type Mark = '-' | '+' | '~';

/**
 * Which files exist only at the link side, only at the target, or on both
 * sides with different content. The two sides' file lists (identical files
 * left out: they need no attention) are diffed with `diffArrays`: names
 * removed from the link list are only at the link (`-`), names added are
 * only at the target (`+`), and common names are the differing files (`~`).
 * Lines are listed in name order, at most COMPARISON_LINES of them; only
 * those names are diffed, the rest are counted.
 */
export function renderComparison(e: PlannedEntry, cmp: TreeComparison, c: Palette, indent = INDENT): string[] {
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const differ = new Set(cmp.differ);
  // Only the first COMPARISON_LINES names (in name order) can be shown: the diff gets just those,
  // so two large, wholly different folders cost a sort, not Myers' quadratic worst case.
  const all = [...cmp.onlyAtLink, ...cmp.onlyAtTarget, ...cmp.differ].sort(byName);
  const cutoff = all[Math.min(all.length, COMPARISON_LINES) - 1];
  const shown = (n: string) => cutoff !== undefined && byName(n, cutoff) <= 0;
  const linkSide = [...cmp.onlyAtLink, ...cmp.differ].filter(shown).sort(byName);
  const targetSide = [...cmp.onlyAtTarget, ...cmp.differ].filter(shown).sort(byName);
  const marked: { mark: Mark; name: string }[] = [];
  for (const part of diff().diffArrays(linkSide, targetSide)) {
    for (const name of part.value) {
      if (part.removed) marked.push({ mark: '-', name });
      else if (part.added) marked.push({ mark: '+', name });
      else if (differ.has(name)) marked.push({ mark: '~', name });
    }
  }
  marked.sort((a, b) => byName(a.name, b.name));

  const out: string[] = [];
  const identical = cmp.identical.length;
  if (marked.length === 0) {
    if (identical > 0) out.push(`${indent}Both sides hold the same ${count(identical, 'file')}${cmp.truncated ? ' (the comparison stopped early)' : ''}.`);
    else if (cmp.truncated) out.push(`${indent}The comparison stopped early; nothing that differs was found before it did.`);
    return out;
  }
  const paint = (m: Mark, s: string) => (m === '-' ? c.red(s) : m === '+' ? c.green(s) : c.yellow(s));
  out.push(
    `${indent}What differs (${paint('-', '-')} only at the link ${e.link}, ${paint('+', '+')} only at the target ${e.target}, ${paint('~', '~')} on both sides with different content):`,
  );
  const inner = `${indent}  `;
  for (const { mark, name } of marked.slice(0, COMPARISON_LINES)) out.push(`${inner}${paint(mark, mark)} ${displayName(name, e)}`);
  const rest = all.length - Math.min(marked.length, COMPARISON_LINES);
  if (rest > 0) out.push(`${inner}… and ${cmp.truncated ? 'at least ' : ''}${groupDigits(rest)} more${cmp.truncated ? ' (the comparison stopped early)' : ''}`);
  else if (cmp.truncated) out.push(`${inner}… and more (the comparison stopped early)`);
  if (identical > 0) out.push(`${inner}${c.dim(`${count(identical, 'identical file')} not listed`)}`);
  return out;
}

function entryBlock(e: PlannedEntry, opts: RenderPlanOptions): string[] | undefined {
  const c = opts.color;
  const quiet = e.action === 'none' || e.action === 'skip';
  // An in-sync entry with a warning (a broken link, say) is still shown: a counted finding is never hidden.
  if (quiet && !opts.verbose && e.findings.length === 0) return undefined;
  const lines = [headLine(e, c)];
  if (!quiet || opts.verbose) lines.push(`${INDENT}${quiet ? c.dim(e.reason) : e.reason}`);
  const durableBy = moveOf(e)?.durableBy;
  if (opts.verbose && durableBy && !quiet) lines.push(`${INDENT}${c.dim(`the copy is made durable by ${durableBy} before the original is deleted`)}`);
  for (const f of e.findings) lines.push(...findingLines(f, c, INDENT));
  if ((e.action === 'conflict' || (e.action === 'merge' && opts.verbose)) && e.comparison) {
    lines.push(...renderComparison(e, e.comparison, c));
  }
  return lines;
}

interface Tally {
  counts: Partial<Record<Action, number>>;
  bytes: Partial<Record<Action, number>>;
  conflicts: number;
  errors: number;
  warnings: number;
}

function tally(plan: Plan): Tally {
  const t: Tally = { counts: {}, bytes: {}, conflicts: 0, errors: 0, warnings: 0 };
  const seen = (f: Finding) => (f.severity === 'error' ? t.errors++ : t.warnings++);
  for (const e of plan.entries) {
    t.counts[e.action] = (t.counts[e.action] ?? 0) + 1;
    const move = moveOf(e);
    if (move && move.measured !== false) t.bytes[e.action] = (t.bytes[e.action] ?? 0) + move.bytes;
    if (e.action === 'conflict') t.conflicts++;
    e.findings.forEach(seen);
  }
  plan.findings.forEach(seen);
  return t;
}

/**
 * The summary line: changes counted by action in a fixed order, zero counts
 * left out. `link` and `create` both count as links (a create is a link
 * whose empty target folder is made first); moves, retargets and restores
 * show the data they carry. Problems follow as a second sentence.
 * e.g. `Plan: 1 move (12.4 GiB), 3 links, 1 relink. 1 conflict.`
 */
export function summaryLine(plan: Plan, c: Palette, manifestLabel: string): string {
  const t = tally(plan);
  const n = (a: Action) => t.counts[a] ?? 0;
  // Renames apply did not measure add no bytes; with none measured, no size is shown.
  const sized = (k: number, one: string, a: Action) => (t.bytes[a] === undefined ? count(k, one) : `${count(k, one)} (${formatBytes(t.bytes[a])})`);
  const parts: string[] = [];
  if (n('move')) parts.push(sized(n('move'), 'move', 'move'));
  if (n('retarget')) parts.push(sized(n('retarget'), 'retarget', 'retarget'));
  if (n('link') + n('create')) parts.push(count(n('link') + n('create'), 'link'));
  if (n('relink')) parts.push(count(n('relink'), 'relink'));
  if (n('merge')) parts.push(count(n('merge'), 'merge'));
  if (n('backup')) parts.push(count(n('backup'), 'backup'));
  if (n('restore')) parts.push(sized(n('restore'), 'restore', 'restore'));
  if (n('remove')) parts.push(count(n('remove'), 'link removal'));
  const problems: string[] = [];
  if (t.conflicts) problems.push(c.red(count(t.conflicts, 'conflict')));
  if (t.errors) problems.push(c.red(count(t.errors, 'error')));
  if (t.warnings) problems.push(c.yellow(count(t.warnings, 'warning')));
  const tail = problems.length ? ` ${problems.join(', ')}.` : '';
  if (parts.length === 0 && t.conflicts === 0 && t.errors === 0) {
    return `${c.green('No changes.')} The disk matches ${manifestLabel}.${tail}`;
  }
  return `${c.bold('Plan:')} ${parts.length ? parts.join(', ') : 'nothing to change'}.${tail}`;
}

/** Why apply refuses, or undefined when it does not. */
export function blockedLine(plan: Plan, c: Palette): string | undefined {
  const t = tally(plan);
  if (!plan.blocked && t.conflicts === 0 && t.errors === 0) return undefined;
  const what: string[] = [];
  if (t.conflicts) what.push(t.conflicts === 1 ? 'the conflict' : `the ${groupDigits(t.conflicts)} conflicts`);
  if (t.errors) what.push(t.errors === 1 ? 'the error' : `the ${groupDigits(t.errors)} errors`);
  if (what.length === 0) return c.red('Apply is refused.');
  const verb = t.conflicts + t.errors === 1 ? 'is' : 'are';
  const done = t.conflicts ? 'resolved' : 'fixed';
  return c.red(`Apply is refused until ${what.join(' and ')} ${verb} ${done}.`);
}

/**
 * A plan as people read it, in the spirit of `terraform plan`: one block per
 * entry (in execution order) with a symbol, the action, `link → target`, the
 * link kind apply makes and, for data that moves, its size, file count and
 * whether it crosses volumes; the reason on the next line; the entry's
 * findings and, for a conflict, which files differ. Global findings follow,
 * then the summary line and, when apply would refuse, why.
 *
 * Symbols: `+` link/create, `>` move/retarget/restore/merge/backup, `~` relink,
 * `-` remove, `!` conflict, `=` in sync and `·` skipped (these two only with
 * `verbose`, except an in-sync entry that carries a finding).
 *
 * Pure: returns the text without a trailing newline. With a disabled
 * palette the text holds no ANSI escape.
 */
export function renderPlan(plan: Plan, opts: RenderPlanOptions): string {
  const c = opts.color;
  const blocks: string[] = [];
  for (const e of [...plan.entries].sort((a, b) => a.order - b.order)) {
    const b = entryBlock(e, opts);
    if (b) blocks.push(b.join('\n'));
  }
  if (plan.findings.length) blocks.push(plan.findings.flatMap((f) => findingLines(f, c, '')).join('\n'));
  const end = [summaryLine(plan, c, opts.manifestLabel)];
  const refused = blockedLine(plan, c);
  if (refused) end.push(refused);
  blocks.push(end.join('\n'));
  return blocks.join('\n\n');
}
