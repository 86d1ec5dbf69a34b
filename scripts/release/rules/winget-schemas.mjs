// JSON Schemas (draft-07, for ajv) restating the winget manifest rules that
// apply to the fields relocate's manifests use. Written here in our own
// terms, not copied: the source is winget-cli's
//   schemas/JSON/manifests/v1.12.0/manifest.version.1.12.0.json
//   schemas/JSON/manifests/v1.12.0/manifest.installer.1.12.0.json
//   schemas/JSON/manifests/v1.12.0/manifest.defaultLocale.1.12.0.json
// (microsoft/winget-cli, commit fa3d9e5, read in 2026), schema version
// 1.12.0 being the ManifestVersion scripts/release/winget.mjs writes. The
// checks winget makes beyond JSON Schema (one file per type, consistent
// identifier, the schema header, zip → nested installer rules) are in
// ../check.mjs, restated from ManifestValidation.cpp and
// ManifestSchemaValidation.cpp of the same commit.
//
// Two layers:
// - WINGET_*_RULES: winget's own rules for each field we write: required
//   fields, patterns, enums, lengths. Upstream leaves objects open (an
//   unknown field is a warning in `winget validate`); here they are closed
//   to the fields relocate writes, so a misspelt field fails instead of being
//   ignored by winget.
// - RELOCATE_INSTALLER_POLICY: what relocate's installer manifest promises
//   on top (zip holding a portable relocate.exe, x64, upper-case hash, the
//   GitHub release asset). Valid winget that breaks it (a NestedInstallerType
//   of exe, say) still fails.
import { COMMAND_ALIAS, NESTED_FILE, PACKAGE_IDENTIFIER } from '../winget.mjs';

// Characters winget keeps out of identifiers and versions: those Windows
// forbids in file names (the manifests live in folders named after them),
// control characters, and in an identifier also white space and the dot that
// separates its parts.
const ID_PART = String.raw`[^.\s\\/:*?"<>|\x01-\x1f]{1,32}`;
/** 0 to 65535, with no leading zero: one part of a winget version number. */
const UINT16 = String.raw`(?:0|[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])`;

const definitions = {
  // Publisher.Package, optionally more parts: 2 to 8 parts of 1 to 32 characters, at most 128 in all.
  PackageIdentifier: { type: 'string', maxLength: 128, pattern: `^${ID_PART}(?:\\.${ID_PART}){1,7}$` },
  // Any text of up to 128 characters without file-name-forbidden or control characters.
  PackageVersion: { type: 'string', minLength: 1, maxLength: 128, pattern: String.raw`^[^\\/:*?"<>|\x01-\x1f]+$` },
  // A BCP 47 language tag as winget reads it: a 2-3 letter language (or i-/x- private tags), then subtags of up to 8 letters; at most 20 characters.
  Locale: { type: 'string', maxLength: 20, pattern: String.raw`^(?:[a-zA-Z]{2,3}|[iI]-[a-zA-Z]+|[xX]-[a-zA-Z]{1,8})(?:-[a-zA-Z]{1,8})*$` },
  // Three dot-separated numbers of 0 to 65535.
  ManifestVersion: { type: 'string', pattern: `^${UINT16}(?:\\.${UINT16}){2}$` },
  // http or https (scheme in any case), at most 2048 characters.
  Url: { type: 'string', maxLength: 2048, pattern: '^[Hh][Tt][Tt][Pp][Ss]?://.+$' },
  // 64 hex digits, either case.
  Sha256: { type: 'string', pattern: '^[A-Fa-f0-9]{64}$' },
  InstallerType: { enum: ['msix', 'msi', 'appx', 'exe', 'zip', 'inno', 'nullsoft', 'wix', 'burn', 'pwa', 'portable', 'font'] },
  // What an archive may hold: the installer types less the archive (zip) and the web app (pwa).
  NestedInstallerType: { enum: ['msix', 'msi', 'appx', 'exe', 'inno', 'nullsoft', 'wix', 'burn', 'portable', 'font'] },
  NestedInstallerFiles: {
    type: 'array',
    maxItems: 1024,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['RelativeFilePath'],
      properties: {
        RelativeFilePath: { type: 'string', minLength: 1, maxLength: 512 },
        PortableCommandAlias: { type: 'string', minLength: 1, maxLength: 40 },
      },
    },
  },
  Architecture: { enum: ['x86', 'x64', 'arm', 'arm64', 'neutral'] },
  // A search term (Moniker, each of Tags): 1 to 40 characters.
  Tag: { type: 'string', minLength: 1, maxLength: 40 },
};

/** Rules of the version manifest (ManifestType version): all five fields are required. */
export const WINGET_VERSION_RULES = {
  $id: 'relocate:winget-version-1.12.0',
  definitions,
  type: 'object',
  additionalProperties: false,
  required: ['PackageIdentifier', 'PackageVersion', 'DefaultLocale', 'ManifestType', 'ManifestVersion'],
  properties: {
    PackageIdentifier: { $ref: '#/definitions/PackageIdentifier' },
    PackageVersion: { $ref: '#/definitions/PackageVersion' },
    DefaultLocale: { $ref: '#/definitions/Locale' },
    ManifestType: { const: 'version' },
    ManifestVersion: { $ref: '#/definitions/ManifestVersion' },
  },
};

/** The installer fields that may be set once for all installers (root) or per installer; an installer's own value wins. */
const sharedInstallerFields = {
  InstallerType: { $ref: '#/definitions/InstallerType' },
  NestedInstallerType: { $ref: '#/definitions/NestedInstallerType' },
  NestedInstallerFiles: { $ref: '#/definitions/NestedInstallerFiles' },
};

/**
 * Rules of the installer manifest (ManifestType installer): at least one
 * installer (at most 1024), each with its architecture, address and SHA-256.
 */
export const WINGET_INSTALLER_RULES = {
  $id: 'relocate:winget-installer-1.12.0',
  definitions,
  type: 'object',
  additionalProperties: false,
  required: ['PackageIdentifier', 'PackageVersion', 'Installers', 'ManifestType', 'ManifestVersion'],
  properties: {
    PackageIdentifier: { $ref: '#/definitions/PackageIdentifier' },
    PackageVersion: { $ref: '#/definitions/PackageVersion' },
    ...sharedInstallerFields,
    Installers: {
      type: 'array',
      minItems: 1,
      maxItems: 1024,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['Architecture', 'InstallerUrl', 'InstallerSha256'],
        properties: {
          Architecture: { $ref: '#/definitions/Architecture' },
          ...sharedInstallerFields,
          InstallerUrl: { $ref: '#/definitions/Url' },
          InstallerSha256: { $ref: '#/definitions/Sha256' },
        },
      },
    },
    ManifestType: { const: 'installer' },
    ManifestVersion: { $ref: '#/definitions/ManifestVersion' },
  },
};

/**
 * Rules of the default locale manifest (ManifestType defaultLocale): the
 * package's name, publisher, license and short description are required,
 * each with winget's length limits.
 */
export const WINGET_DEFAULT_LOCALE_RULES = {
  $id: 'relocate:winget-defaultLocale-1.12.0',
  definitions,
  type: 'object',
  additionalProperties: false,
  required: [
    'PackageIdentifier',
    'PackageVersion',
    'PackageLocale',
    'Publisher',
    'PackageName',
    'License',
    'ShortDescription',
    'ManifestType',
    'ManifestVersion',
  ],
  properties: {
    PackageIdentifier: { $ref: '#/definitions/PackageIdentifier' },
    PackageVersion: { $ref: '#/definitions/PackageVersion' },
    PackageLocale: { $ref: '#/definitions/Locale' },
    Publisher: { type: 'string', minLength: 2, maxLength: 256 },
    PublisherUrl: { $ref: '#/definitions/Url' },
    PublisherSupportUrl: { $ref: '#/definitions/Url' },
    Author: { type: 'string', minLength: 2, maxLength: 256 },
    PackageName: { type: 'string', minLength: 2, maxLength: 256 },
    PackageUrl: { $ref: '#/definitions/Url' },
    License: { type: 'string', minLength: 3, maxLength: 512 },
    LicenseUrl: { $ref: '#/definitions/Url' },
    ShortDescription: { type: 'string', minLength: 3, maxLength: 256 },
    Description: { type: 'string', minLength: 3, maxLength: 10000 },
    Moniker: { $ref: '#/definitions/Tag' },
    Tags: { type: 'array', maxItems: 16, uniqueItems: true, items: { $ref: '#/definitions/Tag' } },
    ReleaseNotesUrl: { $ref: '#/definitions/Url' },
    ManifestType: { const: 'defaultLocale' },
    ManifestVersion: { $ref: '#/definitions/ManifestVersion' },
  },
};

/**
 * relocate's own promise for its installer manifest, checked on top of
 * WINGET_INSTALLER_RULES: one x64 installer, the release's zip on GitHub
 * (upper-case SHA-256, as winget-pkgs writes it), unpacked by winget as a
 * portable relocate.exe with the command alias `relocate`, set once at the
 * root and not overridden per installer.
 */
export const RELOCATE_INSTALLER_POLICY = {
  $id: 'relocate:winget-installer-policy',
  type: 'object',
  required: ['InstallerType', 'NestedInstallerType', 'NestedInstallerFiles'],
  properties: {
    PackageIdentifier: { const: PACKAGE_IDENTIFIER },
    InstallerType: { const: 'zip' },
    NestedInstallerType: { const: 'portable' },
    NestedInstallerFiles: { const: [{ RelativeFilePath: NESTED_FILE, PortableCommandAlias: COMMAND_ALIAS }] },
    Installers: {
      type: 'array',
      minItems: 1,
      maxItems: 1,
      items: {
        type: 'object',
        propertyNames: { enum: ['Architecture', 'InstallerUrl', 'InstallerSha256'] },
        properties: {
          Architecture: { const: 'x64' },
          InstallerUrl: { type: 'string', pattern: String.raw`^https://github\.com/[^/]+/[^/]+/releases/download/v[^/]+/relocate-[^/]+-win-x64\.zip$` },
          InstallerSha256: { type: 'string', pattern: '^[A-F0-9]{64}$' },
        },
      },
    },
  },
};
