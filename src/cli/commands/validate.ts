import path from 'node:path';
import { firstError, RelocateError } from '../../core/errors.js';
import { loadManifest } from '../../manifest/load.js';
import { nodeManifestIO } from '../../platform/manifest-io.js';
import { countLine, renderDiagnostics } from '../../render/diagnostics.js';
import { entriesJson } from '../../render/entries-json.js';
import { manifestContext } from '../context.js';
import type { CliIO } from '../io.js';
import { displayPath, findManifest } from '../manifest-path.js';
import { parseCommandArgs } from '../options.js';

/** Machine output of `validate --json`. Versioned with the rest of the JSON interface. */
export const FORMAT_VERSION = 1;

export async function validateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('validate', argv);
  if (positionals.length > 1) throw new RelocateError('E_USAGE', 'validate takes one manifest', { hint: 'see `relocate validate --help`' });
  const file = findManifest(positionals[0], io.cwd);
  const ctx = await manifestContext(io.env, values.os);
  const m = await loadManifest(file, ctx, nodeManifestIO);
  const shown = displayPath(file, io.cwd);
  const diagnostics = m.diagnostics.map((d) => (d.file === file ? { ...d, file: shown } : d));
  if (io.json) {
    const doc: Record<string, unknown> = {
      formatVersion: FORMAT_VERSION,
      manifest: file,
      os: m.os,
      valid: m.ok,
      entries: entriesJson(m.entries),
      diagnostics,
    };
    if (!m.ok) {
      const first = firstError(diagnostics);
      doc.error = {
        code: 'E_INVALID_MANIFEST',
        message: `${shown} has ${countLine(diagnostics)}; first: ${first.code} ${first.message}`,
        path: file,
        hint: 'fix each diagnostic listed, then run `relocate validate` again',
      };
    }
    io.out(JSON.stringify(doc, null, 2));
    return m.ok ? 0 : 1;
  }
  if (diagnostics.length > 0) (m.ok ? io.out : io.err)(renderDiagnostics(diagnostics, io.color));
  if (!m.ok) {
    io.err(`${shown}: ${io.color.red('invalid')} (${countLine(diagnostics)}); nothing was changed.`);
    return 1;
  }
  const applying = m.entries.filter((e) => e.applies).length;
  const skipped = m.entries.length - applying;
  io.out(`${shown}: ${io.color.green('valid')}, ${applying} entr${applying === 1 ? 'y' : 'ies'} for ${m.os}${skipped ? `, ${skipped} skipped (when:)` : ''}.`);
  if (io.verbose) {
    io.out(`  relative paths resolve against ${m.baseDir}${m.baseDir !== path.dirname(file) ? ` (the folder of the file ${shown} links to)` : ''}`);
    for (const e of m.entries) {
      io.out(e.applies ? `  ${e.link} -> ${e.target} (${e.type})` : io.color.dim(`  skip ${e.link}: ${e.skipReason}`));
    }
  }
  return 0;
}
