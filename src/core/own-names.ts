import { createHash } from 'node:crypto';
import { hostOs, styleForOs, type PathStyle } from './paths.js';

/**
 * The names relocate itself leaves beside a link or target while it works
 * (`<name>.relocate-partial-…`, `.relocate-old-…`, `.relocate-backup-…`):
 * its own, never the user's, so nothing that lists a folder for the user
 * (import's link search, glob expansion, scan's walk) reports them.
 * Here, in core, because both the executor (which plans the steps) and
 * src/platform (which stages an undo copy itself) must compute the same name.
 */
export const OWN_ARTIFACT = /\.relocate-(partial|old|backup)-/;

/** The longest file name file systems allow: 255 bytes (ext4, tmpfs, APFS) or 255 UTF-16 units (NTFS), never fewer than 255 UTF-8 bytes. */
const NAME_MAX_BYTES = 255;

function truncateUtf8(s: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/**
 * `<p><suffix>`, beside `p`. A name that would pass the file name limit
 * (a long name plus relocate's suffix) is shortened: its start, a hash of
 * the whole name (so two long names never share a staging name), then the
 * suffix. Pure and deterministic: resume, rollback and the guard compute
 * the same name.
 */
function besideName(p: string, suffix: string, style: PathStyle): string {
  const cut = style.flavour === 'win32' ? Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) : p.lastIndexOf('/');
  const base = p.slice(cut + 1);
  if (Buffer.byteLength(base + suffix, 'utf8') <= NAME_MAX_BYTES) return `${p}${suffix}`;
  const tag = `~${createHash('sha256').update(base).digest('hex').slice(0, 12)}`;
  return `${p.slice(0, cut + 1)}${truncateUtf8(base, NAME_MAX_BYTES - Buffer.byteLength(tag + suffix, 'utf8'))}${tag}${suffix}`;
}

const HOST_STYLE = styleForOs(hostOs());

/**
 * Names relocate gives its own in-flight copies, beside the real paths;
 * `tag` is an entryTag (or `undo`, or an old run's id). `style`: how `p` is
 * spelt — a plan's entries carry theirs, so a Windows plan compiles to the
 * same names on any host; the disk code's own calls spell the host's paths.
 */
export function stagingName(p: string, tag: string, style: PathStyle = HOST_STYLE): string {
  return besideName(p, `.relocate-partial-${tag}`, style);
}
export function asideName(p: string, tag: string, style: PathStyle = HOST_STYLE): string {
  return besideName(p, `.relocate-old-${tag}`, style);
}
export function backupName(p: string, stamp: string, style: PathStyle = HOST_STYLE): string {
  return besideName(p, `.relocate-backup-${stamp}`, style);
}
