import type { Diagnostic } from '../core/errors.js';
import type { Palette } from './color.js';

/** One diagnostic per line in the `file:line:col CODE message` form, hint indented below. */
export function renderDiagnostics(diags: Diagnostic[], c: Palette): string {
  return diags
    .map((d) => {
      const where = d.file ? `${d.file}${d.line ? `:${d.line}:${d.col ?? 1}` : ''} ` : '';
      const code = d.severity === 'error' ? c.red(d.code) : c.yellow(d.code);
      const hint = d.hint ? `\n  ${c.dim(`hint: ${d.hint}`)}` : '';
      return `${where}${code} ${d.message}${hint}`;
    })
    .join('\n');
}

/** "3 errors, 1 warning" */
export function countLine(diags: Diagnostic[]): string {
  const e = diags.filter((d) => d.severity === 'error').length;
  const w = diags.length - e;
  const parts = [];
  if (e) parts.push(`${e} error${e === 1 ? '' : 's'}`);
  if (w) parts.push(`${w} warning${w === 1 ? '' : 's'}`);
  return parts.join(', ');
}
