import { isMap, isScalar, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { appendLinkItems, newManifestWith, sameData } from './imported.js';

/**
 * The manifest edits `relocate gui` makes (issue 20): add a move, and set
 * `state: absent` on an entry ("Move back"). Pure text → text functions,
 * like `import --write`'s merge (imported.ts), so the GUI and the CLI share
 * one file and one truth: every byte not edited stays as it was (comments,
 * order, quoting, blank lines, CRLF), and each result is parsed again and
 * must hold exactly the old data plus the one change, or the edit throws.
 * No rule of relocate is decided here: whether the edited manifest is valid
 * and what it would do is the engine's answer (`validate`, `plan`).
 */

/** The header of a manifest the GUI creates (lines without the `#`). */
export const GUI_MANIFEST_HEADER = [
  'Made by `relocate gui`. Each entry: `link` is where programs look, `target` where the data lives.',
  '`relocate plan` shows what would change; `relocate apply` does it.',
];

/** A move to add: data at `link` goes to `target`, and `link` becomes a link. Paths as written in the manifest. */
export interface MoveEntry {
  link: string;
  target: string;
}

/**
 * The manifest text with the entry `{ link, target }` added at the end of
 * `links:`; `text` undefined (no file yet) makes a new manifest with a
 * header comment. The type is left out: `auto` (the manifest's default)
 * chooses, as for any entry written by hand.
 */
export function addMoveEntry(text: string | undefined, entry: MoveEntry): string {
  const item = { data: { link: entry.link, target: entry.target } };
  if (text === undefined || text.trim() === '') return newManifestWith([item], GUI_MANIFEST_HEADER);
  return appendLinkItems(text, [item]);
}

/** What setEntryState could not do, with why: the index names no entry, or that entry is not a plain mapping. */
export class ManifestEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestEditError';
  }
}

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

/**
 * The manifest text with `state: <state>` on the entry at `links[index]`
 * (the `index` that `relocate plan --json` and `status --json` report for
 * each entry). An existing `state:` value is replaced in place; otherwise
 * a `state:` line is added after the entry's last key, at its keys'
 * indentation. A flow-style entry (`- { link: …, target: … }`) is
 * re-serialised by the Document API (comments and order kept). Throws
 * ManifestEditError when there is no such entry.
 */
export function setEntryState(text: string, index: number, state: 'absent' | 'present'): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new ManifestEditError(`the manifest has YAML errors (${doc.errors[0].message.split('\n')[0]})`);
  const links = doc.get('links', true);
  if (!isSeq(links) || index < 0 || index >= links.items.length) throw new ManifestEditError(`the manifest has no entry links[${index}]`);
  const item = links.items[index];
  if (!isMap(item)) throw new ManifestEditError(`links[${index}] is not a mapping with link and target`);
  const data = doc.toJS() as { links: Record<string, unknown>[] };
  const expected = { ...data, links: data.links.map((e, i) => (i === index ? { ...e, state } : e)) };
  const spliced = spliceState(text, item, state);
  if (spliced !== undefined && sameData(spliced, expected)) return spliced;
  item.set('state', state);
  const rewritten = doc.toString({ lineWidth: 0 });
  if (sameData(rewritten, expected)) return rewritten;
  throw new ManifestEditError(`setting state: ${state} on links[${index}] would change more than that entry`);
}

/** The text edit: replace the `state:` scalar, or add a line after a block mapping's last pair. */
function spliceState(text: string, item: YAMLMap, state: string): string | undefined {
  if (item.flow) return undefined;
  const pairs = item.items;
  const existing = pairs.find((p) => isScalar(p.key) && p.key.value === 'state');
  if (existing) {
    if (!isScalar(existing.value) || !existing.value.range) return undefined;
    const [start, end] = existing.value.range;
    return `${text.slice(0, start)}${state}${text.slice(end)}`;
  }
  const first = pairs[0];
  const last = pairs[pairs.length - 1];
  if (!first || !last || !isScalar(first.key) || !first.key.range) return undefined;
  const lastNode = (last.value ?? last.key) as { range?: [number, number, number] } | null;
  if (!lastNode?.range) return undefined;
  const keyPos = first.key.range[0];
  const keyCol = keyPos - lineStart(text, keyPos);
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  // After the last value, at the start of the next line (a comment on the value's line stays there).
  let pos = lastNode.range[1];
  if (pos > 0 && text[pos - 1] !== '\n') {
    const eol = text.indexOf('\n', pos);
    pos = eol === -1 ? text.length : eol + 1;
  }
  const needsNl = pos >= text.length && !text.endsWith('\n');
  return `${text.slice(0, pos)}${needsNl ? nl : ''}${' '.repeat(keyCol)}state: ${state}${nl}${text.slice(pos)}`;
}
