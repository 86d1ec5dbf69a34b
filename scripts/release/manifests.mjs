#!/usr/bin/env node
// Writes the winget and Scoop manifests of a release from its Windows zip:
//
//   node scripts/release/manifests.mjs --zip dist/exe/relocate-0.1.0-win-x64.zip [--version 0.1.0] [--out DIR]
//
// The version is read from the zip's name (--version, when given, must
// agree); the SHA-256 is the zip's own; everything else comes from
// package.json (see package-info.mjs). The manifests are checked against
// winget's and Scoop's rules (check.mjs) before anything is written; then
//   DIR/winget/manifests/r/Relocate/Relocate/<version>/   (three YAML files, for a winget-pkgs pull request)
//   DIR/scoop/relocate.json                              (for a Scoop bucket)
// are written (DIR defaults to dist/manifests under the current folder) and
// printed, each after a `==> path <==` line, for the release job's log.
// On a problem it prints the code, the path and what to do, writes nothing
// and exits 1.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { checkScoopManifest, checkWingetManifests } from './check.mjs';
import { sha256OfFile } from './checksums.mjs';
import { ReleaseError, formatReleaseError } from './errors.mjs';
import { NESTED_FILE, wingetManifests } from './winget.mjs';
import { isReleaseVersion, readPackageJson, releaseInfo, versionFromZipName, windowsZipName } from './package-info.mjs';
import { scoopManifest } from './scoop.mjs';
import { zipEntryNames } from './zip.mjs';

const SCRIPT = 'scripts/release/manifests.mjs';

/** relocate's package.json: the single source of the manifests' descriptions and addresses. */
export const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url));

const USAGE = `usage: node ${SCRIPT} --zip dist/exe/relocate-VERSION-win-x64.zip [--version VERSION] [--out DIR]

Writes the winget manifests (DIR/winget/manifests/...) and the Scoop manifest
(DIR/scoop/relocate.json) of the release whose Windows zip is given, and
prints them. DIR defaults to dist/manifests. Nothing is written on an error.
`;

/**
 * One manifest file, ready to write.
 * @typedef {{ path: string, text: string }} ManifestFile
 */

/**
 * Builds and checks the manifests of the release whose Windows zip is `zip`.
 * Writes nothing. Throws ReleaseError: E_NOT_FOUND (no such zip),
 * E_ZIP_NAME (a name `npm run build:exe` does not write), E_VERSION_MISMATCH
 * (`version` given and not the zip's), E_NOT_ZIP, E_ZIP_CONTENTS (no
 * relocate.exe at the zip's root), E_PACKAGE_JSON, E_RULES (a generated
 * manifest breaks winget's or Scoop's rules: a bug in these scripts, or a
 * package.json value beyond a limit, named in the message).
 * @param {{ zip: string, version?: string, packageJson?: string }} options
 * @returns {Promise<{ version: string, sha256: string, files: ManifestFile[] }>}
 */
export async function prepareManifests({ zip, version, packageJson = PACKAGE_JSON }) {
  const zipPath = path.resolve(zip);
  let info;
  try {
    info = await stat(zipPath);
  } catch {
    throw new ReleaseError('E_NOT_FOUND', 'no such file: the Windows zip of the release', {
      path: zipPath,
      hint: "run `npm run build:exe` (it writes dist/exe/relocate-VERSION-win-x64.zip), or give the zip's path with --zip",
    });
  }
  if (!info.isFile()) {
    throw new ReleaseError('E_NOT_FOUND', 'not a file: --zip must name the Windows zip of the release', {
      path: zipPath,
      hint: 'give the zip file itself, e.g. dist/exe/relocate-0.1.0-win-x64.zip',
    });
  }

  const zipVersion = versionFromZipName(path.basename(zipPath));
  if (zipVersion === undefined) {
    throw new ReleaseError('E_ZIP_NAME', `the file name is not relocate-VERSION-win-x64.zip with a version such as 0.1.0`, {
      path: zipPath,
      hint: 'give the zip `npm run build:exe` wrote, under the name it gave it: the version in the name is the version the manifests publish',
    });
  }
  if (version !== undefined && version !== zipVersion) {
    throw new ReleaseError('E_VERSION_MISMATCH', `--version ${version} does not match the zip, which is version ${zipVersion} (${path.basename(zipPath)})`, {
      path: zipPath,
      hint: isReleaseVersion(version)
        ? `give the zip of ${version} (${windowsZipName(version)}), or leave --version out to publish ${zipVersion}`
        : `--version takes a version such as 0.1.0; leave it out to publish ${zipVersion}`,
    });
  }

  const names = await zipEntryNames(zipPath);
  if (!names.includes(NESTED_FILE)) {
    throw new ReleaseError(
      'E_ZIP_CONTENTS',
      `the zip has no ${NESTED_FILE} at its root, which the manifests tell winget and Scoop to run (it holds: ${names.slice(0, 8).join(', ') || 'nothing'}${names.length > 8 ? ', …' : ''})`,
      {
        path: zipPath,
        hint: 'build it again with `npm run build:exe`; the zip must hold relocate.exe, not a folder containing it',
      },
    );
  }

  const sha256 = await sha256OfFile(zipPath);
  const release = releaseInfo(await readPackageJson(packageJson), zipVersion, packageJson);
  const winget = wingetManifests(release, sha256);
  const scoop = scoopManifest(release, sha256);
  const problems = [...checkWingetManifests(winget), ...checkScoopManifest(scoop.text, scoop.path)];
  if (problems.length > 0) {
    throw new ReleaseError('E_RULES', `the generated manifests break the package managers' rules:\n  - ${problems.join('\n  - ')}`, {
      path: packageJson,
      hint: 'a value from package.json beyond a limit is named above: shorten it; anything else is a bug in scripts/release/',
    });
  }
  return { version: zipVersion, sha256, files: [...winget.map(({ path: p, text }) => ({ path: p, text })), { path: scoop.path, text: scoop.text }] };
}

/**
 * Writes the files under `outDir` (their paths use `/`), making folders as
 * needed and replacing files of an earlier run. Throws ReleaseError E_WRITE.
 * @param {string} outDir
 * @param {ManifestFile[]} files
 * @returns {Promise<string[]>} the paths written
 */
export async function writeManifests(outDir, files) {
  const written = [];
  for (const file of files) {
    const target = path.join(outDir, ...file.path.split('/'));
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, file.text);
    } catch (cause) {
      throw new ReleaseError('E_WRITE', `cannot write a manifest (${cause instanceof Error ? cause.message : String(cause)})`, {
        path: target,
        hint: 'choose another folder with --out',
        cause,
      });
    }
    written.push(target);
  }
  return written;
}

/**
 * The script's command line: reads the options, prepares, writes and prints
 * the manifests. Returns the exit status (0, or 1 after printing the error).
 * @param {string[]} argv the arguments after the script's name
 * @param {{ stdout: (s: string) => void, stderr: (s: string) => void }} [io]
 * @returns {Promise<number>}
 */
export async function main(argv, io = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }) {
  try {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        strict: true,
        allowPositionals: false,
        options: { zip: { type: 'string' }, version: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      }));
    } catch (err) {
      throw new ReleaseError('E_USAGE', err instanceof Error ? err.message : String(err), { hint: `see \`node ${SCRIPT} --help\`` });
    }
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    if (!values.zip) throw new ReleaseError('E_USAGE', '--zip is required: the Windows zip of the release', { hint: USAGE.split('\n')[0] });
    const outDir = path.resolve(values.out ?? path.join('dist', 'manifests'));
    const { version, sha256, files } = await prepareManifests({ zip: values.zip, ...(values.version === undefined ? {} : { version: values.version }) });
    const written = await writeManifests(outDir, files);
    io.stdout(`relocate ${version}: ${path.basename(values.zip)} sha256 ${sha256}\n`);
    files.forEach((file, i) => io.stdout(`\n==> ${written[i]} <==\n${file.text}`));
    return 0;
  } catch (err) {
    io.stderr(formatReleaseError(SCRIPT, err));
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
