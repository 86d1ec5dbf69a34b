// Writes the README's list of error and warning codes from the registry
// (src/core/codes.ts, through the build in dist/): `npm run docs:codes`.
// test/core/codes.test.ts fails when the README's list differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { codesMarkdown } from '../dist/render/codes-table.js';

const README = new URL('../README.md', import.meta.url);
const BEGIN = '<!-- codes:begin (made by `npm run docs:codes` from src/core/codes.ts; edit there) -->';
const END = '<!-- codes:end -->';
const text = readFileSync(README, 'utf8');
const a = text.indexOf(BEGIN);
const b = text.indexOf(END);
if (a < 0 || b < a) throw new Error(`README.md has no ${BEGIN} … ${END} section`);
writeFileSync(README, `${text.slice(0, a + BEGIN.length)}\n\n${codesMarkdown()}\n${text.slice(b)}`);
