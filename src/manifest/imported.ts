import { leadingBlanks } from './leading-blanks.js';
import { isDeepStrictEqual } from 'node:util';
import { Document, isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import { canonicalPath, isInside, pathApi, pathKey, samePath, type PathStyle } from '../core/paths.js';
import { isGlobPattern } from './glob-pattern.js';
import type { DesiredEntry } from './types.js';

/**
 * `relocate import`: from links found on disk to manifest entries, and from
 * entries to manifest text — a new manifest, or new entries merged into an
 * existing one without disturbing a byte of what was there. Pure: the disk
 * is read by src/platform/link-scan.ts, files are written by the CLI.
 */

/** A link found on disk (src/platform/link-scan.ts FoundLink has this shape). */
export interface ImportableLink {
  path: string;
  kind: 'symlink' | 'junction';
  linkText: string;
  target: string;
  targetKind: 'absent' | 'dir' | 'file' | 'other';
  /** What the target path itself is (not followed). */
  targetNodeKind: string;
}

/** One entry import will add. `link`/`target` are absolute; `linkText`/`targetText` are as written in the manifest. */
export interface ImportEntry {
  link: string;
  target: string;
  type: 'symlink' | 'junction';
  /** The link's target does not exist (a broken link): imported, with a warning and a comment. */
  broken: boolean;
  /** The link's own text on disk (may be relative). */
  linkStoredText: string;
  linkText: string;
  targetText: string;
}

export type SkipCode = 'present' | 'chain' | 'self' | 'nested' | 'claimed' | 'unwritable';

/** A link found on disk and left out, with why. */
export interface SkippedLink {
  link: string;
  target: string;
  code: SkipCode;
  reason: string;
}

/** How paths are written in the manifest: `~` for the home folder, `./…` for targets in the manifest's folder. */
export interface PathWriting {
  style: PathStyle;
  home: string;
  /** The manifest's folder, when the entries go into a manifest file (targets inside it are written relative). */
  manifestDir?: string;
}

/**
 * A path as the manifest should say it: relative (`./x`) for a target
 * inside the manifest's folder (a dotfiles repo keeps working wherever it
 * is cloned), `~/…` inside the home folder, else absolute.
 */
export function writtenPath(p: string, kind: 'link' | 'target', w: PathWriting): string {
  const api = pathApi(w.style);
  const sep = api.sep;
  if (kind === 'target' && w.manifestDir && isInside(p, w.manifestDir, w.style)) {
    return `.${sep}${api.relative(canonicalPath(w.manifestDir, w.style), p)}`;
  }
  const home = canonicalPath(w.home, w.style);
  if (api.parse(home).root !== home && isInside(p, home, w.style)) return `~${sep}${api.relative(home, p)}`;
  if (samePath(p, home, w.style) && api.parse(home).root !== home) return '~';
  return p;
}

/** Why a path cannot be written in a manifest as it is (the loader would read it as a glob or a variable). */
function unwritable(text: string, key: 'link' | 'target', style: PathStyle): string | undefined {
  if (text.includes('${')) return `its ${key} contains \`\${\`, which the manifest reads as a variable`;
  if (text.includes('{name}')) return `its ${key} contains \`{name}\`, which the manifest reads as a glob match's name`;
  if (style.flavour === 'win32' && /%[A-Za-z_][A-Za-z0-9_()]*%/.test(text))
    return `its ${key} contains %…%, which the manifest reads as an environment variable`;
  if (key === 'link' && isGlobPattern(text, style)) return 'its path contains glob characters (*, ?, [ ], …), which the manifest reads as a pattern';
  return undefined;
}

/**
 * Chooses the entries to import. Left out, each with a reason:
 * links the manifest already has (compared the OS's way: without case on
 * Windows and macOS); a link whose target is itself one of the links (a
 * chain: the link that reaches the data is kept, relocate manages one hop);
 * a link to itself or into its own folder; a link at a path the manifest
 * keeps data at; and paths the manifest cannot spell. Broken links are kept
 * (`broken`). `existing` are the manifest's applying entries (globs
 * expanded); pass [] for a new manifest.
 */
export function selectImports(found: ImportableLink[], existing: DesiredEntry[], w: PathWriting): { entries: ImportEntry[]; skipped: SkippedLink[] } {
  const style = w.style;
  const key = (p: string) => pathKey(p, style);
  const existingLinks = new Map<string, DesiredEntry>();
  const existingTargets = new Map<string, DesiredEntry>();
  for (const e of existing) {
    if (!e.applies) continue;
    existingLinks.set(key(e.link), e);
    if (!existingTargets.has(key(e.target))) existingTargets.set(key(e.target), e);
  }
  const allLinks = new Set<string>([...existingLinks.keys(), ...found.map((f) => key(f.path))]);
  const entries: ImportEntry[] = [];
  const skipped: SkippedLink[] = [];
  const line = (e: DesiredEntry) => `links[${e.index}] (line ${e.source.line})`;

  for (const f of found) {
    const skip = (code: SkipCode, reason: string) => skipped.push({ link: f.path, target: f.target, code, reason });
    const present = existingLinks.get(key(f.path));
    if (present) {
      skip('present', `already in the manifest as ${line(present)}`);
      continue;
    }
    if (key(f.path) === key(f.target)) {
      skip('self', 'it points to itself (a loop)');
      continue;
    }
    if (isInside(f.path, f.target, style) || isInside(f.target, f.path, style)) {
      skip('nested', `it points to ${f.target}, which contains it: a link inside its own target cannot be managed`);
      continue;
    }
    if (allLinks.has(key(f.target)) || f.targetNodeKind === 'symlink' || f.targetNodeKind === 'junction') {
      skip('chain', `its target ${f.target} is itself a link (a chain); relocate manages one hop: import the link at ${f.target} instead`);
      continue;
    }
    const claimed = existingTargets.get(key(f.path));
    if (claimed) {
      skip('claimed', `the manifest keeps data at this path (the target of ${line(claimed)})`);
      continue;
    }
    const linkText = writtenPath(f.path, 'link', w);
    const targetText = writtenPath(f.target, 'target', w);
    const why = unwritable(linkText, 'link', style) ?? unwritable(targetText, 'target', style);
    if (why) {
      skip('unwritable', `${why}; add it by hand with a glob or a var that matches it`);
      continue;
    }
    entries.push({ link: f.path, target: f.target, type: f.kind, broken: f.targetKind === 'absent', linkStoredText: f.linkText, linkText, targetText });
  }
  return { entries, skipped };
}

/** The YAML object of one entry, as written. */
function entryObject(e: ImportEntry): { link: string; target: string; type: string } {
  return { link: e.linkText, target: e.targetText, type: e.type };
}

/** The comment above a broken link's entry; the target as the manifest spells it, so the file reads the same on every machine. */
function brokenComment(e: ImportEntry): string {
  return ` broken link: ${e.targetText} does not exist`;
}

/**
 * One item to add to a manifest's `links:` list: its keys and values in
 * the order written, and a comment line above it when there is one.
 */
export interface LinkItem {
  data: Record<string, string>;
  commentBefore?: string;
}

function importItem(e: ImportEntry): LinkItem {
  return { data: entryObject(e), ...(e.broken ? { commentBefore: brokenComment(e) } : {}) };
}

/** The entries as block sequence items, each line prefixed with `indent`, joined with `nl`; one blank line between items when `spaced`. */
function renderItems(entries: LinkItem[], indent: string, nl: string, spaced: boolean): string {
  const blocks = entries.map((e) => {
    const doc = new Document([e.data]);
    const item = (doc.contents as YAMLSeq).items[0] as YAMLMap;
    if (e.commentBefore !== undefined) item.commentBefore = e.commentBefore;
    const text = doc.toString({ lineWidth: 0 }).replace(/\n$/, '');
    return text
      .split('\n')
      .map((l) => indent + l)
      .join(nl);
  });
  return blocks.join(spaced ? nl + nl : nl);
}

/**
 * A whole new manifest holding the entries, with a short header comment
 * (`header` lines, without the `#`).
 */
export function newManifestText(entries: ImportEntry[], header: string[]): string {
  return newManifestWith(entries.map(importItem), header);
}

/** A whole new manifest holding `items` under a header comment (`header` lines, without the `#`). */
export function newManifestWith(items: LinkItem[], header: string[]): string {
  const head = header.map((h) => `# ${h}`.trimEnd()).join('\n');
  const body = items.length === 0 ? 'links: []' : `links:\n${renderItems(items, '  ', '\n', false)}`;
  return `${head}${head ? '\n' : ''}version: 1\n${body}\n`;
}

/**
 * Adds the entries at the end of the manifest's `links:` list, keeping every
 * other byte of the file as it was (comments, order, quoting, blank lines,
 * CRLF line ends). The yaml Document API finds where the list ends and
 * writes the new items; the result is parsed again and must hold exactly the
 * old data plus the new entries. When the list is not a simple block
 * sequence (flow style with items, or an unusual layout), the document is
 * re-serialised by the Document API instead: comments and order stay, some
 * spacing may be normalised.
 */
export function mergeIntoManifest(text: string, entries: ImportEntry[]): string {
  return appendLinkItems(text, entries.map(importItem));
}

/**
 * Adds `items` at the end of the manifest's `links:` list the way
 * mergeIntoManifest does (every other byte kept; the Document API when the
 * layout is unusual). Throws when the result would hold anything but the
 * old data plus the new items.
 */
export function appendLinkItems(text: string, items: LinkItem[]): string {
  if (items.length === 0) return text;
  const expected = expectedData(text, items);
  const spliced = spliceEntries(text, items);
  if (spliced !== undefined && sameData(spliced, expected)) return spliced;
  const rewritten = rewriteEntries(text, items);
  if (sameData(rewritten, expected)) return rewritten;
  throw new Error('merging the new entries changed more than the links list');
}

function expectedData(text: string, items: LinkItem[]): unknown {
  const data = parseDocument(text).toJS() as { links?: unknown[] };
  return { ...data, links: [...(Array.isArray(data.links) ? data.links : []), ...items.map((i) => i.data)] };
}

/** Whether `text` parses without errors to exactly `expected`: the check every edit passes before it is used. */
export function sameData(text: string, expected: unknown): boolean {
  const doc = parseDocument(text);
  return doc.errors.length === 0 && isDeepStrictEqual(doc.toJS(), expected);
}

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

/** The text approach: insert after the last item of a block `links:` list, or replace an empty `[]`. */
function spliceEntries(text: string, entries: LinkItem[]): string | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !isMap(doc.contents) || doc.contents.flow) return undefined;
  const links = doc.get('links', true);
  if (!isSeq(links) || !links.range) return undefined;
  const nl = text.includes('\r\n') ? '\r\n' : '\n';

  if (links.flow) {
    if (links.items.length > 0) return undefined;
    // links: []  →  links:\n  - link: …   (a comment after the brackets stays on the links: line)
    const [start, end] = links.range;
    const eol = text.indexOf('\n', end);
    const lineEnd = eol === -1 ? text.length : eol;
    const rest = text.slice(end, lineEnd).replace(/\r$/, '').trim();
    const keyLine = text.slice(lineStart(text, start), start);
    const keyIndent = leadingBlanks(keyLine);
    const before = text.slice(0, start).replace(/[ \t]+$/, '');
    const after = eol === -1 ? nl : text.slice(eol).replace(/^\r?\n/, nl);
    return `${before}${rest ? ` ${rest}` : ''}${nl}${renderItems(entries, ' '.repeat(keyIndent + 2), nl, false)}${after}`;
  }

  if (links.items.length === 0) return undefined;
  const first = links.items[0] as { range?: [number, number, number] };
  const last = links.items[links.items.length - 1] as { range?: [number, number, number] };
  if (!first.range || !last.range) return undefined;
  const dashPos = links.range[0];
  if (text[dashPos] !== '-') return undefined;
  const dashCol = dashPos - lineStart(text, dashPos);
  // Items separated by blank lines get their new neighbours separated the same way.
  const second = links.items[1] as { range?: [number, number, number] } | undefined;
  const spaced = second?.range !== undefined && /\n[ \t]*\r?\n$/.test(text.slice(first.range[0], lineStart(text, second.range[0])));

  // After the last item's value, at the start of the next line.
  let pos = last.range[1];
  if (pos > 0 && text[pos - 1] !== '\n') {
    const eol = text.indexOf('\n', pos);
    pos = eol === -1 ? text.length : eol + 1;
  }
  // Comment lines indented under the last item belong to it.
  for (;;) {
    const eol = text.indexOf('\n', pos);
    const lineText = text.slice(pos, eol === -1 ? text.length : eol);
    const m = /^([ \t]*)#/.exec(lineText);
    if (!m || m[1].length <= dashCol || eol === -1) break;
    pos = eol + 1;
  }
  const atEnd = pos >= text.length;
  const needsNl = atEnd && text.length > 0 && !text.endsWith('\n');
  const block = renderItems(entries, ' '.repeat(dashCol), nl, spaced);
  return `${text.slice(0, pos)}${needsNl ? nl : ''}${spaced ? nl : ''}${block}${nl}${text.slice(pos)}`;
}

/** The Document API approach: push the entries into the parsed list and print the document again. */
function rewriteEntries(text: string, entries: LinkItem[]): string {
  const doc = parseDocument(text);
  let links = doc.get('links', true);
  if (!isSeq(links)) {
    links = new YAMLSeq();
    doc.set('links', links);
  }
  const seq = links as YAMLSeq;
  seq.flow = false;
  for (const e of entries) {
    const node = doc.createNode(e.data) as YAMLMap;
    if (e.commentBefore !== undefined) node.commentBefore = e.commentBefore;
    seq.items.push(node);
  }
  return doc.toString({ lineWidth: 0 });
}
