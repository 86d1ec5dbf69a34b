// The Scoop manifest (an "app manifest" for a bucket): relocate.exe from the
// release zip, put on PATH by Scoop's shim (`bin`), a Start-menu shortcut
// "Relocate" that opens its window (`relocate.exe gui`), with `checkver` and
// `autoupdate` so a bucket's Excavator can follow new releases by itself.
import { PROGRAM, windowsZipUrl } from './package-info.mjs';

/** The manifest's path, relative to the output folder (a bucket keeps it as bucket/relocate.json). */
export const SCOOP_MANIFEST_PATH = `scoop/${PROGRAM}.json`;

/**
 * The Scoop manifest of a release, from its info (package.json) and the
 * SHA-256 of the Windows zip, as JSON text (two-space indent, final newline,
 * as Scoop's buckets format them) and as data.
 * @param {import('./package-info.mjs').ReleaseInfo} info
 * @param {string} zipSha256 hex, either case
 * @returns {{ path: string, data: Record<string, unknown>, text: string }}
 */
export function scoopManifest(info, zipSha256) {
  const data = {
    version: info.version,
    description: info.description,
    homepage: info.homepage,
    license: info.license,
    architecture: {
      '64bit': {
        url: info.zipUrl,
        // Scoop compares lower-case hex (its own tools write it so).
        hash: zipSha256.toLowerCase(),
      },
    },
    bin: `${PROGRAM}.exe`,
    // A Start-menu entry that opens the window (`relocate gui`): the way in for people who never open a terminal.
    shortcuts: [[`${PROGRAM}.exe`, 'Relocate', 'gui']],
    // The repository, not `"checkver": "github"`: that shorthand appends
    // /releases/latest to the homepage, and package.json's homepage ends in #readme.
    checkver: { github: info.repoUrl },
    autoupdate: {
      architecture: {
        '64bit': {
          // The release's address with Scoop's $version in the tag and the file name.
          url: windowsZipUrl(info.repoUrl, '$version'),
          // The release's SHA256SUMS lists the zip (`hash  name`); Scoop finds
          // the line naming $basename there instead of downloading the zip.
          hash: { url: '$baseurl/SHA256SUMS' },
        },
      },
    },
  };
  return { path: SCOOP_MANIFEST_PATH, data, text: `${JSON.stringify(data, null, 2)}\n` };
}
