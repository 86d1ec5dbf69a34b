// A JSON Schema (draft-07, for ajv) restating the rules of Scoop's app
// manifest schema, ScoopInstaller/Scoop schema.json (commit b588a06,
// 2025-08-12, read in 2026), in our own terms, for the parts relocate's
// manifest uses, plus relocate's own promise (SCOOP_RELOCATE_POLICY).
//
// Scoop's rules restated:
// - version, homepage and license are required; version is word characters,
//   `.`, `-` and `+`; homepage an address.
// - The top level and each architecture entry are closed: only Scoop's keys.
//   Keys relocate never writes are listed by name and accepted as anything.
// - A download address outside `autoupdate` holds no `$` (variables such as
//   $version are for autoupdate templates only).
// - A hash is 64 hex digits (SHA-256), or `sha1:`/`sha256:`/`sha512:`/`md5:`
//   followed by 32, 40, 64 or 128 hex digits; one or a list.
// - Without an address in an architecture entry, a top-level `url` is required.
// - checkver is a regular expression, or an object of Scoop's checkver keys
//   (`github` being a repository address).
// - autoupdate is closed to Scoop's keys; its architecture entries hold
//   address templates and hash-extraction objects (`url`, `regex`,
//   `jsonpath`, `mode`...).
// The `uri` and `regex` formats are defined in ../check.mjs.

/** Keys Scoop accepts at the top of a manifest and relocate does not write: any value passes here. */
const UNUSED_TOP_LEVEL_KEYS = [
  '$schema',
  '_comment',
  '##',
  'persist',
  'cookie',
  'depends',
  'env_add_path',
  'env_set',
  'extract_dir',
  'extract_to',
  'innosetup',
  'installer',
  'notes',
  'post_install',
  'post_uninstall',
  'pre_install',
  'pre_uninstall',
  'psmodule',
  'suggest',
  'uninstaller',
];
/** Keys Scoop accepts in an architecture entry and relocate does not write. */
const UNUSED_ARCHITECTURE_KEYS = [
  'checkver',
  'env_add_path',
  'env_set',
  'extract_dir',
  'installer',
  'post_install',
  'post_uninstall',
  'pre_install',
  'pre_uninstall',
  'shortcuts',
  'uninstaller',
];
/** Keys Scoop accepts in an autoupdate architecture entry and relocate does not write. */
const UNUSED_AUTOUPDATE_ARCHITECTURE_KEYS = ['env_add_path', 'env_set', 'extract_dir', 'installer', 'shortcuts'];
/** Keys Scoop accepts in autoupdate and relocate does not write. */
const UNUSED_AUTOUPDATE_KEYS = [...UNUSED_AUTOUPDATE_ARCHITECTURE_KEYS, 'license', 'notes', 'persist', 'psmodule'];

/** @param {string[]} keys */
const anyValue = (keys) => Object.fromEntries(keys.map((k) => [k, true]));

const definitions = {
  stringOrStrings: { anyOf: [{ type: 'string' }, { type: 'array', minItems: 1, items: { type: 'string' } }] },
  // bin: a file, or a list of files and [file, alias, arguments...] lists.
  bin: { anyOf: [{ type: 'string' }, { type: 'array', minItems: 1, items: { $ref: '#/definitions/stringOrStrings' } }] },
  // shortcuts: Start-menu shortcuts, each [file, name] or [file, name, arguments] or [file, name, arguments, icon].
  shortcutsArray: { type: 'array', minItems: 1, items: { type: 'array', minItems: 2, maxItems: 4, items: { type: 'string' } } },
  hashValue: {
    type: 'string',
    pattern: '^(?:[a-fA-F0-9]{64}|(?:sha1|sha256|sha512|md5):(?:[a-fA-F0-9]{32}|[a-fA-F0-9]{40}|[a-fA-F0-9]{64}|[a-fA-F0-9]{128}))$',
  },
  hash: { anyOf: [{ $ref: '#/definitions/hashValue' }, { type: 'array', minItems: 1, uniqueItems: true, items: { $ref: '#/definitions/hashValue' } }] },
  downloadUrl: { type: 'string', format: 'uri', not: { pattern: '\\$' } },
  downloadUrls: {
    anyOf: [{ $ref: '#/definitions/downloadUrl' }, { type: 'array', minItems: 1, uniqueItems: true, items: { $ref: '#/definitions/downloadUrl' } }],
  },
  templateUrls: {
    anyOf: [
      { type: 'string', format: 'uri' },
      { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', format: 'uri' } },
    ],
  },
  license: {
    anyOf: [
      { type: 'string' },
      {
        type: 'object',
        additionalProperties: false,
        required: ['identifier'],
        properties: { identifier: { type: 'string' }, url: { type: 'string', format: 'uri' } },
      },
    ],
  },
  jsonPath: { type: 'string', pattern: '^\\$[.[].*$' },
  checkver: {
    anyOf: [
      { type: 'string', format: 'regex' },
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          github: { type: 'string', format: 'uri' },
          re: { type: 'string', format: 'regex' },
          regex: { type: 'string', format: 'regex' },
          url: { type: 'string', format: 'uri' },
          jp: { $ref: '#/definitions/jsonPath' },
          jsonpath: { $ref: '#/definitions/jsonPath' },
          xpath: { type: 'string' },
          reverse: { type: 'boolean' },
          replace: { type: 'string' },
          useragent: { type: 'string' },
          script: { $ref: '#/definitions/stringOrStrings' },
          sourceforge: true,
        },
      },
    ],
  },
  hashExtraction: {
    type: 'object',
    additionalProperties: false,
    properties: {
      find: { type: 'string', format: 'regex' },
      regex: { type: 'string', format: 'regex' },
      jp: { $ref: '#/definitions/jsonPath' },
      jsonpath: { $ref: '#/definitions/jsonPath' },
      xpath: { type: 'string' },
      mode: { enum: ['download', 'extract', 'json', 'xpath', 'rdf', 'metalink', 'fosshub', 'sourceforge'] },
      type: { enum: ['md5', 'sha1', 'sha256', 'sha512'] },
      // An address, or one built from the download's own: $url, $baseurl.
      url: {
        anyOf: [
          { type: 'string', format: 'uri' },
          { type: 'string', pattern: '\\$(?:url|baseurl)' },
        ],
      },
    },
  },
  hashExtractions: { anyOf: [{ $ref: '#/definitions/hashExtraction' }, { type: 'array', minItems: 1, items: { $ref: '#/definitions/hashExtraction' } }] },
  architecture: {
    type: 'object',
    additionalProperties: false,
    properties: {
      url: { $ref: '#/definitions/downloadUrls' },
      hash: { $ref: '#/definitions/hash' },
      bin: { $ref: '#/definitions/bin' },
      ...anyValue(UNUSED_ARCHITECTURE_KEYS),
    },
  },
  autoupdateArchitecture: {
    type: 'object',
    additionalProperties: false,
    properties: {
      url: { $ref: '#/definitions/templateUrls' },
      hash: { $ref: '#/definitions/hashExtractions' },
      bin: { $ref: '#/definitions/bin' },
      ...anyValue(UNUSED_AUTOUPDATE_ARCHITECTURE_KEYS),
    },
  },
};

/** Scoop's rules for an app manifest, as far as relocate's manifest uses them. */
export const SCOOP_RULES = {
  $id: 'relocate:scoop-manifest',
  definitions,
  type: 'object',
  required: ['version', 'homepage', 'license'],
  additionalProperties: false,
  properties: {
    version: { type: 'string', pattern: '^[\\w.\\-+]+$' },
    description: { type: 'string' },
    homepage: { type: 'string', format: 'uri' },
    license: { $ref: '#/definitions/license' },
    url: { $ref: '#/definitions/downloadUrls' },
    hash: { $ref: '#/definitions/hash' },
    architecture: {
      type: 'object',
      additionalProperties: false,
      properties: {
        '32bit': { $ref: '#/definitions/architecture' },
        '64bit': { $ref: '#/definitions/architecture' },
        arm64: { $ref: '#/definitions/architecture' },
      },
    },
    bin: { $ref: '#/definitions/bin' },
    shortcuts: { $ref: '#/definitions/shortcutsArray' },
    checkver: { $ref: '#/definitions/checkver' },
    autoupdate: {
      type: 'object',
      additionalProperties: false,
      properties: {
        architecture: {
          type: 'object',
          additionalProperties: false,
          properties: {
            '32bit': { $ref: '#/definitions/autoupdateArchitecture' },
            '64bit': { $ref: '#/definitions/autoupdateArchitecture' },
            arm64: { $ref: '#/definitions/autoupdateArchitecture' },
          },
        },
        url: { $ref: '#/definitions/templateUrls' },
        hash: { $ref: '#/definitions/hashExtractions' },
        bin: { $ref: '#/definitions/bin' },
        ...anyValue(UNUSED_AUTOUPDATE_KEYS),
      },
    },
    ...anyValue(UNUSED_TOP_LEVEL_KEYS),
  },
  // When no architecture entry gives an address, the top level must.
  if: {
    properties: {
      architecture: {
        type: 'object',
        properties: {
          '32bit': { type: 'object', properties: { url: false } },
          '64bit': { type: 'object', properties: { url: false } },
          arm64: { type: 'object', properties: { url: false } },
        },
      },
    },
  },
  then: { required: ['url'] },
};

/**
 * relocate's own promise for its Scoop manifest, on top of SCOOP_RULES: a
 * description; the 64-bit zip from a GitHub release with its lower-case
 * SHA-256 (Scoop writes lower case), and no top-level address or hash beside
 * it; relocate.exe on PATH; a Start-menu shortcut "Relocate" opening the
 * window (`relocate.exe gui`: people who never open a terminal); checkver on the GitHub repository; an autoupdate
 * address template with $version and a hash to look up.
 */
export const SCOOP_RELOCATE_POLICY = {
  $id: 'relocate:scoop-policy',
  type: 'object',
  required: ['description', 'architecture', 'bin', 'shortcuts', 'checkver', 'autoupdate'],
  not: { anyOf: [{ required: ['url'] }, { required: ['hash'] }] },
  properties: {
    architecture: {
      type: 'object',
      required: ['64bit'],
      properties: {
        '64bit': {
          type: 'object',
          required: ['url', 'hash'],
          properties: {
            url: { type: 'string', pattern: String.raw`^https://github\.com/[^/]+/[^/]+/releases/download/v[^/]+/relocate-[^/]+-win-x64\.zip$` },
            hash: { type: 'string', pattern: '^[a-f0-9]{64}$' },
          },
        },
      },
    },
    bin: { const: 'relocate.exe' },
    shortcuts: { const: [['relocate.exe', 'Relocate', 'gui']] },
    checkver: { type: 'object', required: ['github'], properties: { github: { type: 'string', pattern: '^https://github\\.com/[^/]+/[^/]+$' } } },
    autoupdate: {
      type: 'object',
      required: ['architecture'],
      properties: {
        architecture: {
          type: 'object',
          required: ['64bit'],
          properties: {
            '64bit': {
              type: 'object',
              required: ['url', 'hash'],
              properties: { url: { type: 'string', pattern: '\\$version' } },
            },
          },
        },
      },
    },
  },
};
