// SHA-256 of release files, and the SHA256SUMS format `sha256sum` reads and
// writes (`sha256sum -c SHA256SUMS` checks a download on Linux and macOS; the
// README shows PowerShell's Get-FileHash for Windows).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * The SHA-256 of a file as lowercase hex, read as a stream: the exe and its
 * zip are tens of megabytes and need not sit in memory.
 * @param {string} file
 * @returns {Promise<string>}
 */
export async function sha256OfFile(file) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * One SHA256SUMS line in sha256sum's text mode: hash, two spaces, name.
 * @typedef {{ hash: string, name: string }} ChecksumLine
 */

// sha256sum writes `hash  name` (text mode) or `hash *name` (binary mode).
// A name holding a backslash or a newline gets a leading `\` and escapes;
// release file names never do, so such a line is refused rather than decoded.
const LINE = /^([0-9a-fA-F]{64}) [ *]([^\\\n]+)$/;

/**
 * Parses a SHA256SUMS text. Returns the lines, hashes lowercased, or the
 * 1-based numbers of the lines it cannot read (blank lines are skipped).
 * @param {string} text
 * @returns {{ lines: ChecksumLine[], bad: number[] }}
 */
export function parseSha256Sums(text) {
  /** @type {ChecksumLine[]} */
  const lines = [];
  /** @type {number[]} */
  const bad = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    const m = LINE.exec(raw);
    if (m) lines.push({ hash: m[1].toLowerCase(), name: m[2] });
    else bad.push(i + 1);
  });
  return { lines, bad };
}

/**
 * Formats SHA256SUMS lines as sha256sum does, sorted by name so the file is
 * the same whatever order the artifacts arrived in.
 * @param {ChecksumLine[]} lines
 * @returns {string}
 */
export function formatSha256Sums(lines) {
  return [...lines]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((l) => `${l.hash.toLowerCase()}  ${l.name}\n`)
    .join('');
}
