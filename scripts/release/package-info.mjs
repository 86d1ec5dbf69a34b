// What the release manifests say about relocate, all taken from package.json
// so there is one place to change it: the description, license, author (the
// winget Publisher) and the GitHub repository, from which the release asset
// addresses follow. The repository's owner in package.json is a placeholder
// until the owner confirms it; the manifests follow it when it changes.
import { readFile } from 'node:fs/promises';
import { ReleaseError } from './errors.mjs';

/** The program's name: `relocate.exe` in the zip, `relocate` on PATH, and the prefix of every release file name. */
export const PROGRAM = 'relocate';

/** The Windows build the package managers install (see scripts/build-exe.mjs). */
export const WINDOWS_TARGET = 'win-x64';

// Semantic versioning (semver.org 2.0.0), as npm writes package.json versions.
// Both package managers take it: winget's PackageVersion forbids only path and
// control characters, Scoop's version is word characters, `.`, `-` and `+`.
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/**
 * True when `version` is a semantic version such as 0.1.0 or 1.2.0-rc.1.
 * @param {string} version
 */
export function isReleaseVersion(version) {
  return SEMVER.test(version);
}

/**
 * The file name `npm run build:exe` gives the Windows zip of a version.
 * @param {string} version
 */
export function windowsZipName(version) {
  return `${PROGRAM}-${version}-${WINDOWS_TARGET}.zip`;
}

/**
 * The address of a version's Windows zip as a GitHub release asset of the
 * tag v + version. Scoop's autoupdate template passes `$version`.
 * @param {string} repoUrl https://github.com/OWNER/REPO
 * @param {string} version
 */
export function windowsZipUrl(repoUrl, version) {
  return `${repoUrl}/releases/download/v${version}/${windowsZipName(version)}`;
}

/**
 * The version in a Windows zip's file name (`relocate-0.1.0-win-x64.zip` →
 * `0.1.0`), or undefined when the name is not one `npm run build:exe` writes.
 * @param {string} fileName a base name, without folders
 * @returns {string | undefined}
 */
export function versionFromZipName(fileName) {
  const prefix = `${PROGRAM}-`;
  const suffix = `-${WINDOWS_TARGET}.zip`;
  if (!fileName.startsWith(prefix) || !fileName.endsWith(suffix)) return undefined;
  const version = fileName.slice(prefix.length, fileName.length - suffix.length);
  return isReleaseVersion(version) ? version : undefined;
}

/**
 * The package.json fields the manifests use.
 * @typedef {{ name?: unknown, description?: unknown, license?: unknown, author?: unknown,
 *   homepage?: unknown, repository?: unknown, bugs?: unknown, keywords?: unknown }} PackageJson
 */

/**
 * Everything the manifests say about one release.
 * @typedef {object} ReleaseInfo
 * @property {string} version       e.g. 0.1.0
 * @property {string} tag           the Git tag the release workflow runs on, v + version
 * @property {string} description   package.json description
 * @property {string} license       package.json license (an SPDX identifier)
 * @property {string} publisher     package.json author's name
 * @property {string[]} keywords    package.json keywords
 * @property {string} repoUrl       https://github.com/OWNER/REPO
 * @property {string} ownerUrl      https://github.com/OWNER
 * @property {string} homepage      package.json homepage (else repoUrl)
 * @property {string} issuesUrl     package.json bugs.url (else repoUrl/issues)
 * @property {string} releaseUrl    the GitHub release page of the tag
 * @property {string} licenseUrl    LICENSE at the tag
 * @property {string} zipName       relocate-VERSION-win-x64.zip
 * @property {string} zipUrl        the zip's address as a GitHub release asset
 */

/**
 * Reads package.json. Throws ReleaseError E_PACKAGE_JSON when it is missing
 * or not JSON.
 * @param {string} file
 * @returns {Promise<PackageJson>}
 */
export async function readPackageJson(file) {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ReleaseError('E_PACKAGE_JSON', 'cannot read package.json', { path: file, cause, hint: 'run the script from a checkout of relocate' });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ReleaseError('E_PACKAGE_JSON', 'package.json is not valid JSON', {
      path: file,
      cause,
      hint: 'fix package.json (npm pkg get name shows the error too)',
    });
  }
}

/**
 * What the manifests say about `version`, from package.json. Throws
 * ReleaseError E_PACKAGE_JSON naming the field when one they need is missing,
 * or when the repository is not on GitHub (the assets are GitHub release
 * assets).
 * @param {PackageJson} pkg
 * @param {string} version
 * @param {string} source package.json's path, for messages
 * @returns {ReleaseInfo}
 */
export function releaseInfo(pkg, version, source) {
  /** @param {string} field @param {string} what */
  const missing = (field, what) =>
    new ReleaseError('E_PACKAGE_JSON', `package.json has no usable "${field}" (${what})`, {
      path: source,
      hint: `set "${field}" in package.json; the release manifests take it from there`,
    });
  const text = (/** @type {unknown} */ v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

  const description = text(pkg.description);
  if (!description) throw missing('description', 'the package managers show it as the short description');
  const license = text(pkg.license);
  if (!license) throw missing('license', 'an SPDX identifier such as MIT');
  const publisher = authorName(pkg.author);
  if (!publisher) throw missing('author', "winget's Publisher");

  const repository = typeof pkg.repository === 'string' ? pkg.repository : text(/** @type {{ url?: unknown }} */ (pkg.repository ?? {}).url);
  const m = repository ? /^(?:git\+)?https:\/\/github\.com\/([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/.exec(repository) : null;
  if (!m) throw missing('repository', 'an https://github.com/OWNER/REPO address: the release assets are GitHub release assets');
  const [, owner, repo] = m;
  const repoUrl = `https://github.com/${owner}/${repo}`;

  const tag = `v${version}`;
  return {
    version,
    tag,
    description,
    license,
    publisher,
    keywords: Array.isArray(pkg.keywords) ? pkg.keywords.filter((k) => typeof k === 'string' && k.trim() !== '').map((k) => k.trim()) : [],
    repoUrl,
    ownerUrl: `https://github.com/${owner}`,
    homepage: text(pkg.homepage) ?? repoUrl,
    issuesUrl: text(/** @type {{ url?: unknown }} */ (pkg.bugs ?? {}).url) ?? `${repoUrl}/issues`,
    releaseUrl: `${repoUrl}/releases/tag/${tag}`,
    licenseUrl: `${repoUrl}/blob/${tag}/LICENSE`,
    zipName: windowsZipName(version),
    zipUrl: windowsZipUrl(repoUrl, version),
  };
}

/**
 * The name in package.json's author: a string "Name <email> (url)" or an
 * object with a name, as npm allows.
 * @param {unknown} author
 * @returns {string | undefined}
 */
function authorName(author) {
  const raw = typeof author === 'string' ? author : typeof author === 'object' && author !== null ? /** @type {{ name?: unknown }} */ (author).name : undefined;
  if (typeof raw !== 'string') return undefined;
  const name = raw.replace(/<[^>]*>|\([^)]*\)/g, '').trim();
  return name === '' ? undefined : name;
}
