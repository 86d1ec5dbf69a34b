#!/usr/bin/env node
// Gathers the release files built on several runners into one folder with
// one SHA256SUMS, for the release job:
//
//   node scripts/release/gather.mjs --out release artifacts/exe-linux artifacts/exe-darwin-arm64 ...
//
// Each input folder is one runner's dist/exe/, holding its files and the
// SHA256SUMS `npm run build:exe` wrote for them. Every file is checked
// against its folder's SHA256SUMS first (a file damaged in the artifact
// store, missing, or not listed stops the release), and no two folders may
// hold a file of the same name. Only then are the files copied to --out,
// which must be new or empty, and the combined SHA256SUMS written there and
// printed. On a problem: the code, the path, what to do; nothing written.
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formatSha256Sums, parseSha256Sums, sha256OfFile } from './checksums.mjs';
import { ReleaseError, formatReleaseError } from './errors.mjs';

const SCRIPT = 'scripts/release/gather.mjs';
const SUMS = 'SHA256SUMS';

/**
 * One file to publish: where it is, its name, its checked SHA-256.
 * @typedef {{ source: string, name: string, hash: string }} CheckedFile
 */

/**
 * Checks the files of each folder against the folder's SHA256SUMS and
 * returns them all. Writes nothing. Throws ReleaseError E_CHECKSUM (no
 * SHA256SUMS, a line it cannot read, a listed file missing, a file not
 * listed, a hash that differs) or E_DUPLICATE (one name in two folders).
 * @param {string[]} folders
 * @returns {Promise<CheckedFile[]>}
 */
export async function checkArtifacts(folders) {
  /** @type {Map<string, CheckedFile>} */
  const byName = new Map();
  for (const folder of folders) {
    const sumsPath = path.join(folder, SUMS);
    let text;
    try {
      text = await readFile(sumsPath, 'utf8');
    } catch {
      throw new ReleaseError('E_CHECKSUM', `no ${SUMS} in this artifact: its files cannot be checked`, {
        path: sumsPath,
        hint: '`npm run build:exe` writes SHA256SUMS beside its files; upload the whole dist/exe folder',
      });
    }
    const { lines, bad } = parseSha256Sums(text);
    if (bad.length > 0) {
      throw new ReleaseError('E_CHECKSUM', `line ${bad.join(', ')} is not "<64 hex digits>  <file name>"`, {
        path: sumsPath,
        hint: 'write it with sha256sum, or build again',
      });
    }
    const listed = new Map(lines.map((l) => [l.name, l.hash]));
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name === SUMS) continue;
      const source = path.join(folder, entry.name);
      if (!entry.isFile())
        throw new ReleaseError('E_CHECKSUM', 'not a file: an artifact holds files only', { path: source, hint: 'upload dist/exe as it is, without folders' });
      const expected = listed.get(entry.name);
      if (expected === undefined)
        throw new ReleaseError('E_CHECKSUM', `not listed in ${sumsPath}`, { path: source, hint: 'build again: SHA256SUMS must list every file beside it' });
      const actual = await sha256OfFile(source);
      if (actual !== expected) {
        throw new ReleaseError('E_CHECKSUM', `SHA-256 ${actual} differs from ${expected} listed in ${SUMS}: the file changed after the build`, {
          path: source,
          hint: 'run the release workflow again; never publish a file whose hash does not match',
        });
      }
      const earlier = byName.get(entry.name);
      if (earlier) {
        throw new ReleaseError('E_DUPLICATE', `two artifacts hold a file of this name (the other: ${earlier.source})`, {
          path: source,
          hint: 'each runner must build different targets; check the --target options in .github/workflows/release.yml',
        });
      }
      byName.set(entry.name, { source, name: entry.name, hash: actual });
      listed.delete(entry.name);
    }
    const [missing] = listed.keys();
    if (missing !== undefined) {
      throw new ReleaseError('E_CHECKSUM', `${SUMS} lists ${missing}, which is not in the artifact`, {
        path: path.join(folder, missing),
        hint: 'upload the whole dist/exe folder',
      });
    }
  }
  if (byName.size === 0) throw new ReleaseError('E_CHECKSUM', 'no files to publish in the artifacts given', { hint: 'give the downloaded artifact folders' });
  return [...byName.values()];
}

/**
 * Copies checked files into `outDir` (new, or empty) and writes their
 * combined SHA256SUMS there. Returns the SHA256SUMS text. Throws
 * ReleaseError E_OUT_NOT_EMPTY (nothing written) or E_WRITE.
 * @param {string} outDir
 * @param {CheckedFile[]} files
 * @returns {Promise<string>}
 */
export async function publishFolder(outDir, files) {
  let existing = [];
  try {
    existing = await readdir(outDir);
  } catch {
    // absent: made below
  }
  if (existing.length > 0) {
    throw new ReleaseError('E_OUT_NOT_EMPTY', 'the output folder is not empty: its files would be published with the release', {
      path: outDir,
      hint: 'give a new folder with --out',
    });
  }
  const sums = formatSha256Sums(files.map(({ name, hash }) => ({ name, hash })));
  try {
    await mkdir(outDir, { recursive: true });
    for (const file of files) await copyFile(file.source, path.join(outDir, file.name));
    await writeFile(path.join(outDir, SUMS), sums);
  } catch (cause) {
    throw new ReleaseError('E_WRITE', `cannot write the release folder (${cause instanceof Error ? cause.message : String(cause)})`, {
      path: outDir,
      hint: 'check the disk and the folder, then run again',
      cause,
    });
  }
  return sums;
}

/**
 * The script's command line. Returns the exit status (0, or 1 after
 * printing the error).
 * @param {string[]} argv the arguments after the script's name
 * @param {{ stdout: (s: string) => void, stderr: (s: string) => void }} [io]
 * @returns {Promise<number>}
 */
export async function main(argv, io = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }) {
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { out: { type: 'string' } } });
    } catch (err) {
      throw new ReleaseError('E_USAGE', err instanceof Error ? err.message : String(err), { hint: `usage: node ${SCRIPT} --out DIR ARTIFACT_FOLDER...` });
    }
    const { values, positionals } = parsed;
    if (!values.out || positionals.length === 0) {
      throw new ReleaseError('E_USAGE', '--out and at least one artifact folder are required', { hint: `usage: node ${SCRIPT} --out DIR ARTIFACT_FOLDER...` });
    }
    const files = await checkArtifacts(positionals.map((p) => path.resolve(p)));
    const sums = await publishFolder(path.resolve(values.out), files);
    io.stdout(`${files.length} files checked and gathered in ${path.resolve(values.out)}; ${SUMS}:\n${sums}`);
    return 0;
  } catch (err) {
    io.stderr(formatReleaseError(SCRIPT, err));
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
