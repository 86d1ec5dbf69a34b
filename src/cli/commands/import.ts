import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { firstError, RelocateError } from '../../core/errors.js';
import { styleForOs } from '../../core/paths.js';
import { mergeIntoManifest, newManifestText, selectImports, type ImportEntry, type SkippedLink } from '../../manifest/imported.js';
import { loadManifest } from '../../manifest/load.js';
import type { DesiredEntry, LoadContext, ManifestIO } from '../../manifest/types.js';
import { diskReader } from '../../platform/disk-reader.js';
import { findLinks, type ScanProblem } from '../../platform/link-scan.js';
import { nodeManifestIO, readManifestText, writeManifestText } from '../../platform/manifest-io.js';
import { countLine, renderDiagnostics } from '../../render/diagnostics.js';
import { confirm } from '../confirm.js';
import { manifestContext } from '../context.js';
import type { CliIO } from '../io.js';
import { manifestError } from '../manifest-error.js';
import { displayPath } from '../manifest-path.js';
import { parseCommandArgs } from '../options.js';

/** The manifest loader reading `text` for `file`, and the real disk for globs. */
function textIO(file: string, text: string): ManifestIO {
  return {
    readFile: async (f) => (f === file ? new TextEncoder().encode(text) : nodeManifestIO.readFile(f)),
    glob: (pattern, style) => nodeManifestIO.glob(pattern, style),
    realPath: nodeManifestIO.realPath,
  };
}

/**
 * The manifest import is about to print or write must load cleanly: a
 * last check that nothing it made reads differently than meant. Failing it
 * is a bug in relocate, reported before anything is written.
 */
async function assertLoads(file: string, text: string, ctx: LoadContext): Promise<void> {
  const m = await loadManifest(file, ctx, textIO(file, text));
  if (m.ok) return;
  const first = firstError(m.diagnostics);
  throw new RelocateError(
    'E_INTERNAL',
    `the manifest relocate import made would not be valid (${countLine(m.diagnostics)}; first: line ${first.line} ${first.code} ${first.message}); nothing was written`,
    {
      path: file,
      hint: 'please report this with the output of `relocate import --json`; meanwhile add the links by hand',
    },
  );
}

function colorDiff(diff: string, io: CliIO): string {
  if (!io.color.enabled) return diff;
  return diff
    .split('\n')
    .map((l) =>
      l.startsWith('+') && !l.startsWith('+++')
        ? io.color.green(l)
        : l.startsWith('-') && !l.startsWith('---')
          ? io.color.red(l)
          : l.startsWith('@@')
            ? io.color.cyan(l)
            : l,
    )
    .join('\n');
}

function entryJson(e: ImportEntry) {
  return { link: e.link, target: e.target, type: e.type, broken: e.broken, linkText: e.linkStoredText, written: { link: e.linkText, target: e.targetText } };
}

/**
 * `relocate import PATH… [--recursive] [--write MANIFEST] [--yes]`: turns
 * links that already exist on disk into manifest entries, so a machine
 * with hand-made links can adopt relocate. Links are found without
 * following any (a link to a folder is reported, never entered); with
 * --recursive real subfolders are searched too. Without --write the
 * entries are printed as a complete manifest. With --write they are merged
 * into MANIFEST (created if missing): the change is shown as a diff, asked
 * for in a terminal (refused without one unless --yes), and written
 * atomically. Broken links are imported, with a warning and a comment.
 * 0 done (or nothing to add), 1 error or declined.
 */
export async function importCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('import', argv);
  if (positionals.length === 0) {
    throw new RelocateError('E_USAGE', 'import needs at least one folder (or link) to search', {
      hint: 'e.g. `relocate import ~ ~/.config` or `relocate import /mnt/games --recursive`; see `relocate import --help`',
    });
  }
  const ctx = await manifestContext(io.env);
  const style = styleForOs(ctx.os);
  const roots = positionals.map((p) => path.resolve(io.cwd, p));
  const { links, problems } = await findLinks(roots, { recursive: values.recursive === true, reader: await diskReader(), style });
  const file = typeof values.write === 'string' ? path.resolve(io.cwd, values.write) : undefined;

  // The manifest merged into: it must be valid, so "already present" is decided on what it really says.
  let existingText: string | undefined;
  let existing: DesiredEntry[] = [];
  const shown = file ? displayPath(file, io.cwd) : undefined;
  if (file && shown) {
    try {
      existingText = await readManifestText(file);
    } catch (err) {
      throw new RelocateError('E_READ', `cannot read ${file}: ${(err as Error).message}`, {
        path: file,
        hint: 'check the file permissions; nothing was written',
      });
    }
    if (existingText !== undefined) {
      const m = await loadManifest(file, ctx, textIO(file, existingText));
      if (!m.ok) {
        const error = manifestError(shown, file, m.diagnostics, {
          why: 'imported entries are only merged into a valid manifest',
          hint: `fix it first (\`relocate validate ${shown}\`), or import into a new file; nothing was written`,
        });
        if (!io.json && error.code === 'E_INVALID_MANIFEST')
          io.err(
            renderDiagnostics(
              m.diagnostics.map((d) => ({ ...d, file: shown })),
              io.color,
            ),
          );
        throw error;
      }
      existing = m.entries;
    }
  }

  const { entries, skipped } = selectImports(links, existing, { style, home: ctx.home, ...(file ? { manifestDir: path.dirname(file) } : {}) });
  const header = [
    `Links found by \`relocate import\` in ${roots.join(', ')}${values.recursive ? ' (recursive)' : ''}.`,
    '`relocate status` checks they stay as they are; change a target and run `relocate plan` to move data.',
  ];
  const newText = existingText === undefined ? newManifestText(entries, header) : mergeIntoManifest(existingText, entries);
  const manifestFile = file ?? path.join(io.cwd, 'relocate-import.yaml');
  if (entries.length > 0) await assertLoads(manifestFile, newText, ctx);

  const report = () => {
    if (io.json) return;
    reportFindings(io, roots, links.length, entries, skipped, problems);
  };

  if (!file) {
    if (io.json) {
      io.out(
        JSON.stringify(
          {
            formatVersion: 1,
            paths: roots,
            recursive: values.recursive === true,
            manifest: null,
            entries: entries.map(entryJson),
            skipped,
            problems,
            yaml: newText,
          },
          null,
          2,
        ),
      );
    } else {
      report();
      io.out(newText);
    }
    return 0;
  }

  const created = existingText === undefined;
  const json = (written: boolean, diff: string | null) =>
    io.out(
      JSON.stringify(
        {
          formatVersion: 1,
          paths: roots,
          recursive: values.recursive === true,
          manifest: file,
          created: created && written,
          written,
          added: written ? entries.length : 0,
          entries: entries.map(entryJson),
          skipped,
          problems,
          diff,
        },
        null,
        2,
      ),
    );

  report();
  if (entries.length === 0) {
    if (io.json) json(false, null);
    else io.out(`Nothing to add: ${created ? 'no links to import' : `${shown} already has every link found`}; nothing was written.`);
    return 0;
  }
  const diff = createTwoFilesPatch(created ? '/dev/null' : `a/${shown}`, `b/${shown}`, existingText ?? '', newText, undefined, undefined, { context: 3 });
  if (!io.json) io.out(colorDiff(diff.replace(/^=+\n/, ''), io));
  const question = created
    ? `Create ${shown} with ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}?`
    : `Add ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} to ${shown}?`;
  if (!(await confirm(io, question, values.yes === true, 'import --write'))) {
    if (io.json) json(false, diff);
    else io.err('Nothing was written.');
    return 1;
  }
  try {
    await writeManifestText(file, newText);
  } catch (err) {
    throw new RelocateError('E_WRITE', `cannot write ${file}: ${(err as Error).message}; it is unchanged`, {
      path: file,
      hint: 'check that its folder exists and is writable, or choose another file with --write',
    });
  }
  if (io.json) json(true, diff);
  else
    io.out(
      `${created ? 'Created' : 'Updated'} ${shown}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} added. \`relocate status ${shown}\` should say In sync.`,
    );
  return 0;
}

/** What was found and left out, on stderr (stdout carries the manifest or the diff). */
function reportFindings(io: CliIO, roots: string[], found: number, entries: ImportEntry[], skipped: SkippedLink[], problems: ScanProblem[]): void {
  const present = skipped.filter((s) => s.code === 'present').length;
  const leftOut = skipped.length - present;
  io.err(
    `Found ${found} link${found === 1 ? '' : 's'} in ${roots.join(', ')}; ${entries.length} to import${present ? `, ${present} already in the manifest` : ''}${leftOut ? `, ${leftOut} left out` : ''}.`,
  );
  for (const e of entries) {
    if (e.broken) io.err(io.color.yellow(`warning: ${e.link} is a broken link (${e.target} does not exist); imported anyway, marked with a comment`));
  }
  for (const s of skipped) {
    const line = `${s.code === 'present' ? 'skip' : 'left out'} ${s.link} -> ${s.target}: ${s.reason}`;
    io.err(s.code === 'present' ? line : io.color.yellow(line));
  }
  for (const p of problems) io.err(io.color.yellow(`warning: ${p.message}; left out`));
}
