import { CODES, type CodeArea } from '../core/codes.js';

/** The README's headings for each area, in the order the list shows them. */
const AREAS: readonly [CodeArea, string][] = [
  ['manifest', 'The manifest (`validate`, and every command that reads one)'],
  ['usage', 'The command line'],
  ['plan', 'Checks of the plan (errors block `apply`; warnings are shown)'],
  ['run', 'Runs (`apply`, `resume`, `rollback`)'],
  ['state', 'The state folder'],
  ['gui', '`relocate gui` (answers of its HTTP API and its page)'],
];

/**
 * The README's list of codes, made from the registry (core/codes.ts): one
 * table per area, codes in registry order. `npm run docs:codes` writes it
 * between the README's `codes` markers; test/core/codes.test.ts checks it.
 */
export function codesMarkdown(): string {
  const out: string[] = [];
  for (const [area, title] of AREAS) {
    out.push(`**${title}**`, '', '| code | means |', '|---|---|');
    for (const [code, info] of Object.entries(CODES)) if (info.area === area) out.push(`| \`${code}\` | ${info.means.replaceAll('|', '\\|')} |`);
    out.push('');
  }
  return out.join('\n');
}
