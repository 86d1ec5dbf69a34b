// The winget manifest set for relocate's portable zip: the three-file format
// winget-pkgs takes (version, installer, defaultLocale), written as
// microsoft/winget-pkgs lays it out, so the folder can be copied into a fork
// of that repository for the submission pull request.
//
// Choices, and why:
// - PackageIdentifier `Relocate.Relocate` (Publisher.Package, as winget-pkgs
//   asks). It is fixed here rather than derived from package.json's GitHub
//   owner: an identifier is permanent once published (changing it makes a
//   new package whose users of the old one get no upgrades), and the owner
//   in package.json is still a placeholder.
// - ManifestVersion 1.12.0: what manifests merged into winget-pkgs carried
//   in 2026. winget-cli has newer schema folders (1.28.0), but submissions
//   declaring one were reported refused by the winget-pkgs validation
//   service (Manifest-Version-Error) although `winget validate` passed them:
//   the service, not the client, decides. Raise it when merged winget-pkgs
//   manifests carry a newer one, together with rules/winget-schemas.mjs.
// - InstallerType zip with NestedInstallerType portable: winget unpacks the
//   zip and puts a `relocate` command alias on PATH (a link in
//   %LOCALAPPDATA%\Microsoft\WinGet\Links); there is no installer to run.
// - YAML written by the `yaml` library, so a value such as a version 1.10
//   or an all-digit hash is quoted and stays a string.
import { stringify } from 'yaml';
import { PROGRAM } from './package-info.mjs';

/** relocate's winget package identifier (Publisher.Package). See the note at the top of this file before changing it. */
export const PACKAGE_IDENTIFIER = 'Relocate.Relocate';

/** The winget manifest schema version the manifests are written for. */
export const MANIFEST_VERSION = '1.12.0';

/** The locale of the defaultLocale manifest. */
export const DEFAULT_LOCALE = 'en-US';

/** The file winget runs out of the zip: at the zip's root, as scripts/build-exe.mjs packs it. */
export const NESTED_FILE = `${PROGRAM}.exe`;

/** The command winget puts on PATH for NESTED_FILE. */
export const COMMAND_ALIAS = PROGRAM;

/**
 * One file of the manifest set.
 * @typedef {object} WingetFile
 * @property {'version' | 'installer' | 'defaultLocale'} manifestType
 * @property {string} path  relative to the output folder, with `/`: winget/manifests/r/Relocate/Relocate/0.1.0/Relocate.Relocate.yaml
 * @property {Record<string, unknown>} data  the manifest's fields
 * @property {string} text  the file's text: comment header, blank line, YAML
 */

/**
 * The address winget-pkgs manifests name in their `# yaml-language-server:
 * $schema=` header. winget compares it, case-insensitively, with the $id of
 * the schema of the manifest's type and version.
 * @param {'version' | 'installer' | 'defaultLocale'} manifestType
 * @param {string} manifestVersion
 */
export function schemaHeaderUrl(manifestType, manifestVersion) {
  return `https://aka.ms/winget-manifest.${manifestType}.${manifestVersion}.schema.json`;
}

/**
 * The folder of a version's manifests inside a winget-pkgs checkout:
 * manifests/, the identifier's first letter in lower case, one folder per
 * dot-separated part of the identifier, then the version.
 * @param {string} packageIdentifier
 * @param {string} version
 */
export function wingetFolder(packageIdentifier, version) {
  return ['manifests', packageIdentifier[0].toLowerCase(), ...packageIdentifier.split('.'), version].join('/');
}

/**
 * The three manifests of a release, from its info (package.json) and the
 * SHA-256 of the Windows zip, under winget/ + wingetFolder(…).
 * @param {import('./package-info.mjs').ReleaseInfo} info
 * @param {string} zipSha256 hex, either case
 * @returns {WingetFile[]}
 */
export function wingetManifests(info, zipSha256) {
  const id = PACKAGE_IDENTIFIER;
  const common = { PackageIdentifier: id, PackageVersion: info.version };
  const folder = `winget/${wingetFolder(id, info.version)}`;
  /** @type {WingetFile[]} */
  const files = [
    {
      manifestType: 'version',
      path: `${folder}/${id}.yaml`,
      data: { ...common, DefaultLocale: DEFAULT_LOCALE, ManifestType: 'version', ManifestVersion: MANIFEST_VERSION },
      text: '',
    },
    {
      manifestType: 'installer',
      path: `${folder}/${id}.installer.yaml`,
      data: {
        ...common,
        InstallerType: 'zip',
        NestedInstallerType: 'portable',
        NestedInstallerFiles: [{ RelativeFilePath: NESTED_FILE, PortableCommandAlias: COMMAND_ALIAS }],
        Installers: [
          {
            Architecture: 'x64',
            InstallerUrl: info.zipUrl,
            // winget takes either case; winget-pkgs manifests (and wingetcreate) write upper case.
            InstallerSha256: zipSha256.toUpperCase(),
          },
        ],
        ManifestType: 'installer',
        ManifestVersion: MANIFEST_VERSION,
      },
      text: '',
    },
    {
      manifestType: 'defaultLocale',
      path: `${folder}/${id}.locale.${DEFAULT_LOCALE}.yaml`,
      data: {
        ...common,
        PackageLocale: DEFAULT_LOCALE,
        Publisher: info.publisher,
        PublisherUrl: info.ownerUrl,
        PublisherSupportUrl: info.issuesUrl,
        Author: info.publisher,
        PackageName: PROGRAM,
        PackageUrl: info.homepage,
        License: info.license,
        LicenseUrl: info.licenseUrl,
        ShortDescription: info.description,
        Moniker: PROGRAM,
        Tags: wingetTags(info.keywords),
        ReleaseNotesUrl: info.releaseUrl,
        ManifestType: 'defaultLocale',
        ManifestVersion: MANIFEST_VERSION,
      },
      text: '',
    },
  ];
  for (const file of files) file.text = wingetText(file.manifestType, file.data);
  return files;
}

/**
 * package.json keywords as winget tags: winget-pkgs writes them in lower
 * case with `-` for spaces; winget takes at most 16, unique, of 1 to 40
 * characters.
 * @param {string[]} keywords
 */
function wingetTags(keywords) {
  const tags = keywords.map((k) => k.toLowerCase().replace(/\s+/g, '-')).filter((k) => k.length >= 1 && k.length <= 40);
  return [...new Set(tags)].slice(0, 16);
}

/**
 * A manifest's file text: the generator line, the schema header winget
 * checks, a blank line, then the YAML (sequences not indented, as in
 * winget-pkgs; no line folding, so long descriptions stay on one line).
 * @param {'version' | 'installer' | 'defaultLocale'} manifestType
 * @param {Record<string, unknown>} data
 */
export function wingetText(manifestType, data) {
  const header = [
    "# Generated by relocate's scripts/release/manifests.mjs; run it again rather than editing.",
    `# yaml-language-server: $schema=${schemaHeaderUrl(manifestType, /** @type {string} */ (data.ManifestVersion))}`,
  ];
  return `${header.join('\n')}\n\n${stringify(data, { indentSeq: false, lineWidth: 0 })}`;
}
