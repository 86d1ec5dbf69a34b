// Checks generated manifests against the package managers' rules, restated
// in rules/ (see the notes there for the upstream versions). manifests.mjs
// runs these before writing anything, so a release never prints a manifest
// winget or Scoop would refuse; test/release/ runs them on good and on broken
// manifests, so a check that stops checking fails there.
//
// Each check reads the published text (YAML, JSON), not the objects it was
// made from: the text is what winget-pkgs and a Scoop bucket receive.
import AjvModule from 'ajv';
import { parse as parseYaml } from 'yaml';
import { windowsZipName } from './package-info.mjs';
import { SCOOP_RELOCATE_POLICY, SCOOP_RULES } from './rules/scoop-schema.mjs';
import { RELOCATE_INSTALLER_POLICY, WINGET_DEFAULT_LOCALE_RULES, WINGET_INSTALLER_RULES, WINGET_VERSION_RULES } from './rules/winget-schemas.mjs';

// ajv is CommonJS: Node's ESM loader gives its module.exports, which also
// carries the class as .default (the form scripts/gen-validator.mjs uses).
const Ajv = /** @type {typeof import('ajv').default} */ (/** @type {any} */ (AjvModule).default ?? AjvModule);

/** @typedef {import('ajv').ValidateFunction} ValidateFunction */

/** @type {Record<'version' | 'installer' | 'defaultLocale' | 'installerPolicy' | 'scoop' | 'scoopPolicy', ValidateFunction> | undefined} */
let compiled;

/** The schemas, compiled once on first use (ajv compiles to code; a few milliseconds each). */
function validators() {
  if (!compiled) {
    // Strict, so a misspelt keyword in rules/ is an error rather than a rule
    // that silently checks nothing; except strictRequired, which would refuse
    // the conditional `required` of `then` and `not` naming properties the
    // enclosing schema defines.
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
    // Scoop's schema uses two formats that ajv knows only through the
    // ajv-formats package; two small definitions here spare a dependency.
    ajv.addFormat('uri', (s) => {
      try {
        return /^[a-z][a-z0-9+.-]*:$/i.test(new URL(s).protocol);
      } catch {
        return false;
      }
    });
    ajv.addFormat('regex', (s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    });
    compiled = {
      version: ajv.compile(WINGET_VERSION_RULES),
      installer: ajv.compile(WINGET_INSTALLER_RULES),
      defaultLocale: ajv.compile(WINGET_DEFAULT_LOCALE_RULES),
      installerPolicy: ajv.compile(RELOCATE_INSTALLER_POLICY),
      scoop: ajv.compile(SCOOP_RULES),
      scoopPolicy: ajv.compile(SCOOP_RELOCATE_POLICY),
    };
  }
  return compiled;
}

/**
 * Runs one compiled schema and returns its complaints, one line each:
 * `<label>: <where> <what>`.
 * @param {ValidateFunction} validate
 * @param {unknown} data
 * @param {string} label
 * @returns {string[]}
 */
function schemaProblems(validate, data, label) {
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => {
    const params = e.params && Object.keys(e.params).length > 0 ? ` ${JSON.stringify(e.params)}` : '';
    return `${label}: ${e.instancePath || '(top level)'} ${e.message ?? 'is invalid'}${params}`;
  });
}

/** @param {unknown} v @returns {v is Record<string, any>} */
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The three manifest types of winget's multi-file format, with the schema of each. */
const WINGET_TYPES = /** @type {const} */ (['version', 'installer', 'defaultLocale']);

/**
 * Checks a winget multi-file manifest set, given as the files' paths
 * (relative to the output folder, `/`-separated) and texts. Returns the
 * problems found, one line each naming the file; none means the set keeps:
 * - winget's schema rules for each manifest type (rules/winget-schemas.mjs),
 *   and relocate's installer policy;
 * - one manifest of each type, with the same PackageIdentifier,
 *   PackageVersion and ManifestVersion, and the version manifest's
 *   DefaultLocale equal to the defaultLocale manifest's PackageLocale;
 * - the `# yaml-language-server: $schema=` header winget checks: present,
 *   naming the manifest's own type and version, at aka.ms;
 * - winget's rules for a zip: a NestedInstallerType, nested files that do
 *   not leave the archive's folder, unique paths and command aliases, exactly
 *   one file unless portable, a portable file being an .exe;
 * - InstallerUrl naming the manifest's version;
 * - the winget-pkgs layout: manifests/<first letter>/<identifier parts>/<version>/
 *   holding <id>.yaml, <id>.installer.yaml, <id>.locale.<locale>.yaml.
 * @param {{ path: string, text: string }[]} files
 * @returns {string[]}
 */
export function checkWingetManifests(files) {
  /** @type {string[]} */
  const problems = [];
  /** @type {{ path: string, text: string, data: Record<string, any> }[]} */
  const docs = [];
  for (const file of files) {
    let data;
    try {
      data = parseYaml(file.text);
    } catch (err) {
      problems.push(`${file.path}: not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    if (!isObject(data)) problems.push(`${file.path}: not a YAML mapping`);
    else docs.push({ path: file.path, text: file.text, data });
  }

  const check = validators();
  for (const type of WINGET_TYPES) {
    const ofType = docs.filter((d) => d.data.ManifestType === type);
    if (ofType.length !== 1)
      problems.push(
        `winget: ${ofType.length === 0 ? 'no' : ofType.length} ${type} manifest${ofType.length === 1 ? '' : 's'}; the multi-file format needs exactly one`,
      );
  }
  for (const doc of docs) {
    const type = doc.data.ManifestType;
    if (type === 'version') problems.push(...schemaProblems(check.version, doc.data, doc.path));
    else if (type === 'installer') {
      problems.push(...schemaProblems(check.installer, doc.data, doc.path));
      problems.push(...schemaProblems(check.installerPolicy, doc.data, `${doc.path} (relocate's installer policy)`));
      problems.push(...nestedInstallerProblems(doc.path, doc.data));
    } else if (type === 'defaultLocale') problems.push(...schemaProblems(check.defaultLocale, doc.data, doc.path));
    else problems.push(`${doc.path}: ManifestType ${JSON.stringify(type)} is not one of ${WINGET_TYPES.join(', ')}`);
    problems.push(...schemaHeaderProblems(doc.path, doc.text, doc.data));
  }

  for (const field of ['PackageIdentifier', 'PackageVersion', 'ManifestVersion']) {
    const values = new Set(docs.map((d) => d.data[field]));
    if (values.size > 1)
      problems.push(`winget: ${field} differs between the files (${[...values].map((v) => JSON.stringify(v)).join(', ')}); it must be the same in all`);
  }
  const version = docs.find((d) => d.data.ManifestType === 'version');
  const locale = docs.find((d) => d.data.ManifestType === 'defaultLocale');
  if (version && locale && version.data.DefaultLocale !== locale.data.PackageLocale) {
    problems.push(
      `winget: the version manifest's DefaultLocale ${JSON.stringify(version.data.DefaultLocale)} is not the defaultLocale manifest's PackageLocale ${JSON.stringify(locale.data.PackageLocale)}`,
    );
  }
  const installer = docs.find((d) => d.data.ManifestType === 'installer');
  if (installer && Array.isArray(installer.data.Installers)) {
    const v = installer.data.PackageVersion;
    for (const [i, entry] of installer.data.Installers.entries()) {
      const url = isObject(entry) ? entry.InstallerUrl : undefined;
      const asset = `/v${v}/${windowsZipName(String(v))}`;
      if (typeof url === 'string' && !url.endsWith(asset)) {
        problems.push(`${installer.path}: /Installers/${i}/InstallerUrl ${url} is not the release asset of version ${v} (…${asset})`);
      }
    }
  }
  for (const doc of docs) problems.push(...layoutProblems(doc.path, doc.data));
  return problems;
}

/**
 * winget's rules for archives (ManifestValidation.cpp), on each installer
 * with the root's InstallerType, NestedInstallerType and
 * NestedInstallerFiles as defaults. Stricter than winget in one way: a
 * RelativeFilePath or alias with a `..` part is refused even when it would
 * stay inside the archive.
 * @param {string} file
 * @param {Record<string, any>} doc
 * @returns {string[]}
 */
function nestedInstallerProblems(file, doc) {
  /** @type {string[]} */
  const problems = [];
  const installers = Array.isArray(doc.Installers) ? doc.Installers : [];
  for (const [i, own] of installers.entries()) {
    if (!isObject(own)) continue;
    const at = `${file}: /Installers/${i}`;
    const type = own.InstallerType ?? doc.InstallerType;
    const nestedType = own.NestedInstallerType ?? doc.NestedInstallerType;
    const nestedFiles = own.NestedInstallerFiles ?? doc.NestedInstallerFiles;
    if (type === undefined) problems.push(`${at} has no InstallerType, at the root or its own`);
    if (type !== 'zip') continue;
    if (nestedType === undefined) problems.push(`${at} is a zip without a NestedInstallerType`);
    const list = Array.isArray(nestedFiles) ? nestedFiles.filter(isObject) : [];
    if (list.length === 0) problems.push(`${at} is a zip without NestedInstallerFiles`);
    const many = nestedType === 'portable' || nestedType === 'font';
    if (!many && list.length > 1) problems.push(`${at}: only one NestedInstallerFiles entry is allowed for NestedInstallerType ${nestedType}`);
    const paths = new Set();
    const aliases = new Set();
    for (const entry of list) {
      const rel = entry.RelativeFilePath;
      if (typeof rel !== 'string' || rel === '') continue; // the schema reports it
      if (leavesFolder(rel)) problems.push(`${at}: RelativeFilePath ${rel} points outside the archive's folder`);
      if (paths.has(rel.toLowerCase())) problems.push(`${at}: RelativeFilePath ${rel} is listed twice`);
      paths.add(rel.toLowerCase());
      if (nestedType === 'portable' && !/\.exe$/i.test(rel)) problems.push(`${at}: a portable nested file must be an .exe, not ${rel}`);
      const alias = entry.PortableCommandAlias;
      if (typeof alias === 'string' && alias !== '') {
        if (leavesFolder(alias) || /[\\/]/.test(alias)) problems.push(`${at}: PortableCommandAlias ${alias} must be a plain command name`);
        if (aliases.has(alias.toLowerCase())) problems.push(`${at}: PortableCommandAlias ${alias} is used twice`);
        aliases.add(alias.toLowerCase());
      }
    }
  }
  return problems;
}

/** True when a relative path is absolute, has a drive, or has a `..` part. @param {string} p */
function leavesFolder(p) {
  return /^[\\/]/.test(p) || /^[A-Za-z]:/.test(p) || p.split(/[\\/]/).includes('..');
}

/**
 * The schema header winget reads (ManifestSchemaValidation.cpp): a comment
 * line before the first field holding `yaml-language-server: $schema=URL`,
 * where URL ends in winget-manifest.<type>.<version>.schema.json with the
 * manifest's own ManifestType and ManifestVersion, and equals, ignoring
 * case, the $id of that schema: https://aka.ms/winget-manifest.<type>.<version>.schema.json.
 * @param {string} file
 * @param {string} text
 * @param {Record<string, any>} data
 * @returns {string[]}
 */
function schemaHeaderProblems(file, text, data) {
  const leading = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*#/.test(line)) leading.push(line);
    else if (line.trim() !== '') break;
  }
  const header = leading.find((l) => l.includes('yaml-language-server'));
  if (!header) return [`${file}: no "# yaml-language-server: $schema=…" header line before the first field`];
  const m = /^\s*#\s*yaml-language-server:\s*\$schema=(\S+)\s*$/.exec(header);
  if (!m) return [`${file}: the schema header is not "# yaml-language-server: $schema=URL": ${header}`];
  const url = m[1];
  const parts = /winget-manifest\.(\w+)\.([\d.]+)\.schema\.json$/.exec(url);
  if (!parts) return [`${file}: the schema header's address does not end in winget-manifest.<type>.<version>.schema.json: ${url}`];
  const problems = [];
  if (parts[1].toLowerCase() !== String(data.ManifestType).toLowerCase())
    problems.push(`${file}: the schema header names type ${parts[1]}, the manifest is ${data.ManifestType}`);
  if (parts[2] !== data.ManifestVersion) problems.push(`${file}: the schema header names version ${parts[2]}, the manifest ${data.ManifestVersion}`);
  const expected = `https://aka.ms/winget-manifest.${String(data.ManifestType)}.${String(data.ManifestVersion)}.schema.json`;
  if (url.toLowerCase() !== expected.toLowerCase()) problems.push(`${file}: the schema header's address ${url} is not ${expected}`);
  return problems;
}

/**
 * Where winget-pkgs keeps a manifest: manifests/, the identifier's first
 * letter in lower case, a folder per identifier part, the version, then
 * <id>.yaml (version), <id>.installer.yaml, <id>.locale.<locale>.yaml. Our
 * output folder puts it under winget/.
 * @param {string} file
 * @param {Record<string, any>} data
 * @returns {string[]}
 */
function layoutProblems(file, data) {
  const id = data.PackageIdentifier;
  const version = data.PackageVersion;
  if (typeof id !== 'string' || id === '' || typeof version !== 'string') return []; // the schema reports it
  const name =
    data.ManifestType === 'version'
      ? `${id}.yaml`
      : data.ManifestType === 'installer'
        ? `${id}.installer.yaml`
        : data.ManifestType === 'defaultLocale'
          ? `${id}.locale.${data.PackageLocale}.yaml`
          : undefined;
  if (!name) return [];
  const expected = `winget/manifests/${id[0].toLowerCase()}/${id.split('.').join('/')}/${version}/${name}`;
  return file === expected ? [] : [`${file}: a ${data.ManifestType} manifest of ${id} ${version} belongs at ${expected}`];
}

/**
 * Checks a Scoop manifest's JSON text against Scoop's rules
 * (rules/scoop-schema.mjs) and relocate's policy, and that the autoupdate
 * template, with $version replaced by the manifest's version, gives the
 * manifest's own address (else the first automatic update would fetch from
 * somewhere else). Returns the problems, one line each; none means it keeps.
 * @param {string} text
 * @param {string} [label] the file's name in messages
 * @returns {string[]}
 */
export function checkScoopManifest(text, label = 'scoop manifest') {
  let data;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return [`${label}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`];
  }
  const check = validators();
  const problems = [...schemaProblems(check.scoop, data, label), ...schemaProblems(check.scoopPolicy, data, `${label} (relocate's Scoop policy)`)];
  if (isObject(data)) {
    const url = data.architecture?.['64bit']?.url;
    const template = data.autoupdate?.architecture?.['64bit']?.url;
    if (typeof url === 'string' && typeof template === 'string' && typeof data.version === 'string') {
      const filled = template.split('$version').join(data.version);
      if (filled !== url)
        problems.push(`${label}: /autoupdate/architecture/64bit/url gives ${filled} for version ${data.version}, not the manifest's own ${url}`);
    }
  }
  return problems;
}
