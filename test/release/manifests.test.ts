/**
 * The winget and Scoop manifests of a release (scripts/release/): made from
 * a zip built here in a temporary folder, they keep the package managers'
 * rules as restated in scripts/release/rules/ (winget 1.12.0 schemas and
 * validation, Scoop's schema.json), carry the zip's real SHA-256, and land
 * where winget-pkgs and a Scoop bucket keep them. Each rule is also shown
 * to bite: a manifest broken in one way is refused with a message naming
 * the field. The script's errors (missing zip, version not the zip's, ...)
 * exit 1 with a code, the path and a hint, having written nothing.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { checkScoopManifest, checkWingetManifests } from '../../scripts/release/check.mjs';
import { main, PACKAGE_JSON, prepareManifests } from '../../scripts/release/manifests.mjs';
import { releaseInfo, versionFromZipName } from '../../scripts/release/package-info.mjs';
import { scoopManifest } from '../../scripts/release/scoop.mjs';
import { MANIFEST_VERSION, PACKAGE_IDENTIFIER, wingetManifests, wingetText } from '../../scripts/release/winget.mjs';
import { zipEntryNames } from '../../scripts/release/zip.mjs';
import { REPO_ROOT } from '../helpers/cli.js';
import { writeStoredZip } from './stored-zip.js';

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'release', 'manifests.mjs');
const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8'));
const VERSION = '0.1.0';
const ZIP_CONTENTS = { 'relocate.exe': 'MZ not really a program', LICENSE: 'MIT', 'LICENSE-node.txt': 'node', 'LICENSE-koffi.txt': 'koffi' };

let tmp: string;
let zip: string;
let zipSha256: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'relocate-release-manifests-'));
  zip = path.join(tmp, `relocate-${VERSION}-win-x64.zip`);
  writeStoredZip(zip, ZIP_CONTENTS);
  zipSha256 = createHash('sha256').update(readFileSync(zip)).digest('hex');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A folder of its own under the test's temporary folder. */
function freshDir(name: string): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs the script's main() in this process, capturing what it prints. */
async function run(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await main(args, { stdout: (s: string) => (stdout += s), stderr: (s: string) => (stderr += s) });
  return { status, stdout, stderr };
}

type Doc = Record<string, any>;
type WingetSet = { path: string; text: string; manifestType: 'version' | 'installer' | 'defaultLocale'; data: Doc }[];

/** A fresh generated winget set whose `type` manifest `edit` changes; its text is written again from the changed data. */
function brokenWinget(type: 'version' | 'installer' | 'defaultLocale', edit: (doc: Doc) => void): WingetSet {
  const files = wingetManifests(releaseInfo(pkg, VERSION, PACKAGE_JSON), zipSha256) as WingetSet;
  for (const file of files) {
    if (file.manifestType !== type) continue;
    file.data = structuredClone(file.data);
    edit(file.data);
    file.text = wingetText(file.manifestType, file.data);
  }
  return files;
}

/** A fresh generated Scoop manifest's text after `edit`. */
function brokenScoop(edit: (doc: Doc) => void): string {
  const data = structuredClone(scoopManifest(releaseInfo(pkg, VERSION, PACKAGE_JSON), zipSha256).data) as Doc;
  edit(data);
  return JSON.stringify(data, null, 2);
}

describe('the manifests made from a release zip', () => {
  it("keep winget's and Scoop's rules, and both carry the zip's real SHA-256", async () => {
    const { version, sha256, files } = await prepareManifests({ zip });
    expect(version).toBe(VERSION);
    expect(sha256).toBe(zipSha256);

    const winget = files.filter((f) => f.path.startsWith('winget/'));
    const scoop = files.find((f) => f.path === 'scoop/relocate.json');
    expect(winget).toHaveLength(3);
    expect(scoop).toBeDefined();
    expect(checkWingetManifests(winget)).toEqual([]);
    expect(checkScoopManifest(scoop!.text)).toEqual([]);

    const installer = parseYaml(winget.find((f) => f.path.endsWith('.installer.yaml'))!.text);
    expect(installer.Installers).toHaveLength(1);
    expect(installer.Installers[0].InstallerSha256).toBe(zipSha256.toUpperCase());
    const scoopData = JSON.parse(scoop!.text);
    expect(scoopData.architecture['64bit'].hash).toBe(zipSha256);
  });

  it('say what the release is: a portable relocate.exe in the x64 zip of the tag, described by package.json', async () => {
    const { files } = await prepareManifests({ zip, version: VERSION });
    const byEnd = (end: string) => parseYaml(files.find((f) => f.path.endsWith(end))!.text);
    const repo = 'https://github.com/relocate-tool/relocate';
    const zipUrl = `${repo}/releases/download/v${VERSION}/relocate-${VERSION}-win-x64.zip`;

    expect(byEnd(`${PACKAGE_IDENTIFIER}.yaml`)).toEqual({
      PackageIdentifier: 'Relocate.Relocate',
      PackageVersion: VERSION,
      DefaultLocale: 'en-US',
      ManifestType: 'version',
      ManifestVersion: MANIFEST_VERSION,
    });
    const installer = byEnd('.installer.yaml');
    expect(installer).toMatchObject({
      InstallerType: 'zip',
      NestedInstallerType: 'portable',
      NestedInstallerFiles: [{ RelativeFilePath: 'relocate.exe', PortableCommandAlias: 'relocate' }],
      Installers: [{ Architecture: 'x64', InstallerUrl: zipUrl }],
    });
    const locale = byEnd('.locale.en-US.yaml');
    expect(locale).toMatchObject({
      Publisher: pkg.author,
      PackageName: 'relocate',
      License: pkg.license,
      ShortDescription: pkg.description,
      PackageUrl: pkg.homepage,
      PublisherSupportUrl: pkg.bugs.url,
      LicenseUrl: `${repo}/blob/v${VERSION}/LICENSE`,
      ReleaseNotesUrl: `${repo}/releases/tag/v${VERSION}`,
    });
    expect(locale.Tags).toEqual(pkg.keywords);

    const scoop = JSON.parse(files.find((f) => f.path === 'scoop/relocate.json')!.text);
    expect(scoop).toMatchObject({
      version: VERSION,
      description: pkg.description,
      homepage: pkg.homepage,
      license: pkg.license,
      architecture: { '64bit': { url: zipUrl } },
      bin: 'relocate.exe',
      shortcuts: [['relocate.exe', 'Relocate', 'gui']],
      checkver: { github: repo },
      autoupdate: {
        architecture: { '64bit': { url: `${repo}/releases/download/v$version/relocate-$version-win-x64.zip`, hash: { url: '$baseurl/SHA256SUMS' } } },
      },
    });
  });

  it('start with the schema header winget checks, and lie in the winget-pkgs layout', async () => {
    const { files } = await prepareManifests({ zip });
    const folder = `winget/manifests/r/Relocate/Relocate/${VERSION}`;
    expect(files.map((f) => f.path)).toEqual([
      `${folder}/Relocate.Relocate.yaml`,
      `${folder}/Relocate.Relocate.installer.yaml`,
      `${folder}/Relocate.Relocate.locale.en-US.yaml`,
      'scoop/relocate.json',
    ]);
    const headers = files.slice(0, 3).map((f) => f.text.split('\n').find((l) => l.includes('yaml-language-server')));
    expect(headers).toEqual(
      ['version', 'installer', 'defaultLocale'].map(
        (t) => `# yaml-language-server: $schema=https://aka.ms/winget-manifest.${t}.${MANIFEST_VERSION}.schema.json`,
      ),
    );
  });

  it('follow package.json: another GitHub owner, an author object, and the addresses change with them', () => {
    const other = {
      ...pkg,
      author: { name: 'Someone Else', email: 'a@example.org' },
      repository: { type: 'git', url: 'https://github.com/someone/relocate.git' },
      homepage: undefined,
      bugs: undefined,
    };
    const info = releaseInfo(other, '2.0.0', 'package.json');
    expect(info).toMatchObject({
      publisher: 'Someone Else',
      repoUrl: 'https://github.com/someone/relocate',
      homepage: 'https://github.com/someone/relocate',
      issuesUrl: 'https://github.com/someone/relocate/issues',
      zipUrl: 'https://github.com/someone/relocate/releases/download/v2.0.0/relocate-2.0.0-win-x64.zip',
    });
    const winget = wingetManifests(info, zipSha256);
    expect(checkWingetManifests(winget)).toEqual([]);
    expect(checkScoopManifest(scoopManifest(info, zipSha256).text)).toEqual([]);
  });

  it('keep values that YAML would read as numbers as strings (a version 1.10.0, an all-digit hash)', () => {
    const digits = '1'.repeat(64);
    const files = wingetManifests(releaseInfo(pkg, '1.10.0', PACKAGE_JSON), digits);
    const installer = parseYaml(files.find((f) => f.manifestType === 'installer')!.text);
    expect(installer.Installers[0].InstallerSha256).toBe(digits);
    expect(installer.PackageVersion).toBe('1.10.0');
    expect(checkWingetManifests(files)).toEqual([]);
  });
});

describe('the winget rules refuse a broken manifest set', () => {
  // [what is broken, which manifest, the edit, what the complaint must say]
  const cases: [string, 'version' | 'installer' | 'defaultLocale', (d: Doc) => void, RegExp][] = [
    ['a hash that is not 64 hex digits', 'installer', (d) => (d.Installers[0].InstallerSha256 = 'ABC123'), /InstallerSha256 must match pattern/],
    ['a hash with a non-hex digit', 'installer', (d) => (d.Installers[0].InstallerSha256 = `${'A'.repeat(63)}G`), /InstallerSha256 must match pattern/],
    [
      'a lower-case hash (relocate writes upper case, as winget-pkgs does)',
      'installer',
      (d) => (d.Installers[0].InstallerSha256 = zipSha256.toLowerCase()),
      /policy.*InstallerSha256 must match pattern/,
    ],
    [
      'no PackageVersion in the version manifest',
      'version',
      (d) => delete d.PackageVersion,
      /Relocate\.Relocate\.yaml: \(top level\) must have required property 'PackageVersion'/,
    ],
    ['no License in the locale manifest', 'defaultLocale', (d) => delete d.License, /must have required property 'License'/],
    ['no ShortDescription', 'defaultLocale', (d) => delete d.ShortDescription, /must have required property 'ShortDescription'/],
    ['no Installers', 'installer', (d) => delete d.Installers, /must have required property 'Installers'/],
    ['an installer without its address', 'installer', (d) => delete d.Installers[0].InstallerUrl, /\/Installers\/0 must have required property 'InstallerUrl'/],
    [
      "NestedInstallerType exe (valid winget, not relocate's portable program)",
      'installer',
      (d) => (d.NestedInstallerType = 'exe'),
      /policy.*\/NestedInstallerType must be equal to constant/,
    ],
    [
      'NestedInstallerType zip (an archive cannot nest an archive)',
      'installer',
      (d) => (d.NestedInstallerType = 'zip'),
      /installer\.yaml: \/NestedInstallerType must be equal to one of the allowed values/,
    ],
    ['a zip without NestedInstallerType', 'installer', (d) => delete d.NestedInstallerType, /is a zip without a NestedInstallerType/],
    ['a zip without NestedInstallerFiles', 'installer', (d) => delete d.NestedInstallerFiles, /is a zip without NestedInstallerFiles/],
    [
      'a nested file outside the archive',
      'installer',
      (d) => (d.NestedInstallerFiles[0].RelativeFilePath = '..\\relocate.exe'),
      /points outside the archive's folder/,
    ],
    ['a portable nested file that is not an .exe', 'installer', (d) => (d.NestedInstallerFiles[0].RelativeFilePath = 'relocate.cmd'), /must be an \.exe/],
    [
      'one command alias twice',
      'installer',
      (d) => d.NestedInstallerFiles.push({ RelativeFilePath: 'other.exe', PortableCommandAlias: 'Relocate' }),
      /PortableCommandAlias Relocate is used twice/,
    ],
    ['InstallerType msi', 'installer', (d) => (d.InstallerType = 'msi'), /policy.*\/InstallerType must be equal to constant/],
    ['an unknown InstallerType', 'installer', (d) => (d.InstallerType = 'tarball'), /\/InstallerType must be equal to one of the allowed values/],
    [
      'Architecture amd64',
      'installer',
      (d) => (d.Installers[0].Architecture = 'amd64'),
      /\/Installers\/0\/Architecture must be equal to one of the allowed values/,
    ],
    ['an ftp address', 'installer', (d) => (d.Installers[0].InstallerUrl = 'ftp://example.org/relocate.zip'), /InstallerUrl must match pattern/],
    [
      'the address of another version',
      'installer',
      (d) => (d.Installers[0].InstallerUrl = d.Installers[0].InstallerUrl.replaceAll(VERSION, '0.0.9')),
      /is not the release asset of version/,
    ],
    ['ManifestVersion 1.12', 'version', (d) => (d.ManifestVersion = '1.12'), /ManifestVersion must match pattern/],
    ['a ManifestType that does not match the file', 'version', (d) => (d.ManifestType = 'installer'), /2 installer manifests|no version manifest/],
    ['a misspelt field', 'defaultLocale', (d) => (d.Licence = 'MIT'), /must NOT have additional properties.*Licence/],
    [
      'a ShortDescription over 256 characters',
      'defaultLocale',
      (d) => (d.ShortDescription = 'x'.repeat(257)),
      /ShortDescription must NOT have more than 256 characters/,
    ],
    ['a Publisher of one character', 'defaultLocale', (d) => (d.Publisher = 'R'), /Publisher must NOT have fewer than 2 characters/],
    ['17 tags', 'defaultLocale', (d) => (d.Tags = Array.from({ length: 17 }, (_, i) => `tag${i}`)), /Tags must NOT have more than 16 items/],
    ['a tag of 41 characters', 'defaultLocale', (d) => (d.Tags = ['t'.repeat(41)]), /Tags\/0 must NOT have more than 40 characters/],
    ['a bad locale', 'defaultLocale', (d) => (d.PackageLocale = 'english'), /PackageLocale must match pattern/],
    [
      "a DefaultLocale other than the locale manifest's",
      'version',
      (d) => (d.DefaultLocale = 'de-DE'),
      /DefaultLocale "de-DE" is not the defaultLocale manifest's PackageLocale "en-US"/,
    ],
    ['a PackageVersion that differs between files', 'installer', (d) => (d.PackageVersion = '0.1.1'), /PackageVersion differs between the files/],
  ];
  it.each(cases)('%s', (_what, type, edit, complaint) => {
    const problems = checkWingetManifests(brokenWinget(type, edit));
    expect(problems.join('\n')).toMatch(complaint);
  });

  it('a one-part PackageIdentifier, or one with a space, in all three files', () => {
    for (const id of ['Relocate', 'Relocate Tool.Relocate']) {
      const files = wingetManifests(releaseInfo(pkg, VERSION, PACKAGE_JSON), zipSha256) as WingetSet;
      for (const f of files) {
        f.data = { ...f.data, PackageIdentifier: id };
        f.text = wingetText(f.manifestType, f.data);
      }
      expect(checkWingetManifests(files).join('\n')).toMatch(/PackageIdentifier must match pattern/);
    }
  });

  it('a schema header missing, or naming another version or type', () => {
    const text = (set: WingetSet, type: string) => set.find((f) => f.manifestType === type)!;
    const cases: [(t: string) => string, RegExp][] = [
      [(t) => t.replace(/^# yaml-language-server.*\n/m, ''), /no "# yaml-language-server: \$schema=…" header/],
      [(t) => t.replace(`.${MANIFEST_VERSION}.schema`, '.1.10.0.schema'), /the schema header names version 1\.10\.0/],
      [(t) => t.replace('winget-manifest.version.', 'winget-manifest.installer.'), /the schema header names type installer/],
      [(t) => t.replace('https://aka.ms/', 'https://example.org/'), /is not https:\/\/aka\.ms\/winget-manifest\.version/],
    ];
    for (const [edit, complaint] of cases) {
      const set = brokenWinget('version', () => {});
      const file = text(set, 'version');
      file.text = edit(file.text);
      expect(checkWingetManifests(set).join('\n')).toMatch(complaint);
    }
  });

  it('a manifest missing from the set, or in the wrong folder', () => {
    const set = brokenWinget('version', () => {});
    expect(checkWingetManifests(set.filter((f) => f.manifestType !== 'installer')).join('\n')).toMatch(/no installer manifest/);
    set[0]!.path = set[0]!.path.replace('/r/Relocate/', '/R/Relocate/');
    expect(checkWingetManifests(set).join('\n')).toMatch(/belongs at winget\/manifests\/r\/Relocate\/Relocate\//);
  });
});

describe("Scoop's rules refuse a broken manifest", () => {
  const cases: [string, (d: Doc) => void, RegExp][] = [
    ['a hash that is not hex', (d) => (d.architecture['64bit'].hash = 'z'.repeat(64)), /\/architecture\/64bit\/hash must match pattern/],
    ['a hash of 63 digits', (d) => (d.architecture['64bit'].hash = zipSha256.slice(1)), /\/architecture\/64bit\/hash must match pattern/],
    [
      'an upper-case hash (Scoop writes lower case)',
      (d) => (d.architecture['64bit'].hash = zipSha256.toUpperCase()),
      /policy.*\/architecture\/64bit\/hash must match pattern/,
    ],
    ['no version', (d) => delete d.version, /must have required property 'version'/],
    ['no license', (d) => delete d.license, /must have required property 'license'/],
    ['no homepage', (d) => delete d.homepage, /must have required property 'homepage'/],
    ['a version with a space', (d) => (d.version = '0.1.0 beta'), /\/version must match pattern/],
    ['a key Scoop does not know', (d) => (d.binaries = ['relocate.exe']), /must NOT have additional properties.*binaries/],
    [
      'a key Scoop does not know in an architecture entry',
      (d) => (d.architecture['64bit'].sha256 = zipSha256),
      /\/architecture\/64bit must NOT have additional properties/,
    ],
    [
      '$version outside autoupdate',
      (d) => (d.architecture['64bit'].url = d.autoupdate.architecture['64bit'].url),
      /\/architecture\/64bit\/url must NOT be valid/,
    ],
    ['no address anywhere', (d) => delete d.architecture, /must have required property 'url'/],
    ['a homepage that is not an address', (d) => (d.homepage = 'relocate home'), /\/homepage must match format "uri"/],
    ['another program on PATH', (d) => (d.bin = 'other.exe'), /policy.*\/bin must be equal to constant/],
    ['a shortcut with no name', (d) => (d.shortcuts = [['relocate.exe']]), /\/shortcuts\/0 must NOT have fewer than 2 items/],
    ['no shortcut to the window', (d) => delete d.shortcuts, /policy.*must have required property 'shortcuts'/],
    ['a shortcut that does not open the window', (d) => (d.shortcuts = [['relocate.exe', 'Relocate']]), /policy.*\/shortcuts must be equal to constant/],
    ['checkver by regular expression only', (d) => (d.checkver = 'v([\\d.]+)'), /policy.*\/checkver must be object/],
    ['an invalid checkver regular expression', (d) => (d.checkver = { github: d.checkver.github, regex: '([' }), /\/checkver\/regex must match format "regex"/],
    [
      'an autoupdate template without $version',
      (d) => (d.autoupdate.architecture['64bit'].url = d.architecture['64bit'].url),
      /policy.*\/autoupdate\/architecture\/64bit\/url must match pattern/,
    ],
    [
      'an autoupdate template for another file',
      (d) => (d.autoupdate.architecture['64bit'].url = d.autoupdate.architecture['64bit'].url.replace('win-x64', 'win-arm64')),
      /gives .*win-arm64\.zip for version 0\.1\.0, not the manifest's own/,
    ],
    ['an unknown autoupdate hash mode', (d) => (d.autoupdate.architecture['64bit'].hash.mode = 'guess'), /\/autoupdate\/architecture\/64bit\/hash/],
  ];
  it.each(cases)('%s', (_what, edit, complaint) => {
    expect(checkScoopManifest(brokenScoop(edit)).join('\n')).toMatch(complaint);
  });

  it('text that is not JSON', () => {
    expect(checkScoopManifest('{ "version": ')).toEqual([expect.stringMatching(/not valid JSON/)]);
  });
});

describe('reading the zip', () => {
  it('lists the names of a stored zip, of a ZIP64 one, and of one with an archive comment', async () => {
    const names = Object.keys(ZIP_CONTENTS);
    expect(await zipEntryNames(zip)).toEqual(names);
    const zip64 = path.join(freshDir('zip64'), `relocate-${VERSION}-win-x64.zip`);
    writeStoredZip(zip64, ZIP_CONTENTS, { zip64: true, comment: 'built by CI; PK\u0005\u0006 in a comment' });
    expect(await zipEntryNames(zip64)).toEqual(names);
  });

  it('knows a version from a zip name only in the form npm run build:exe writes', () => {
    expect(versionFromZipName('relocate-0.1.0-win-x64.zip')).toBe('0.1.0');
    expect(versionFromZipName('relocate-1.2.3-rc.1-win-x64.zip')).toBe('1.2.3-rc.1');
    for (const name of [
      'relocate-0.1.0-linux-x64.zip',
      'relocate-v0.1.0-win-x64.zip',
      'relocate-0.1-win-x64.zip',
      'other-0.1.0-win-x64.zip',
      'relocate--win-x64.zip',
    ]) {
      expect(versionFromZipName(name), name).toBeUndefined();
    }
  });
});

describe('scripts/release/manifests.mjs', () => {
  it('writes the winget and Scoop manifests under --out, prints them, and exits 0', () => {
    const cwd = freshDir('cli-ok');
    const res = spawnSync(process.execPath, [SCRIPT, '--zip', zip, '--version', VERSION], { cwd, encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    // --out defaults to dist/manifests under the current folder.
    const out = path.join(cwd, 'dist', 'manifests');
    const written = [
      `winget/manifests/r/Relocate/Relocate/${VERSION}/Relocate.Relocate.yaml`,
      `winget/manifests/r/Relocate/Relocate/${VERSION}/Relocate.Relocate.installer.yaml`,
      `winget/manifests/r/Relocate/Relocate/${VERSION}/Relocate.Relocate.locale.en-US.yaml`,
      'scoop/relocate.json',
    ];
    expect(res.stdout).toContain(`sha256 ${zipSha256}`);
    for (const rel of written) {
      const file = path.join(out, ...rel.split('/'));
      const text = readFileSync(file, 'utf8');
      expect(res.stdout).toContain(`==> ${file} <==\n${text}`);
    }
    expect(JSON.parse(readFileSync(path.join(out, 'scoop', 'relocate.json'), 'utf8')).architecture['64bit'].hash).toBe(zipSha256);
  });

  it('a missing zip: E_NOT_FOUND with the path and what to do, exit 1, nothing written', () => {
    const cwd = freshDir('cli-missing');
    const missing = path.join(cwd, `relocate-${VERSION}-win-x64.zip`);
    const res = spawnSync(process.execPath, [SCRIPT, '--zip', missing, '--out', 'out'], { cwd, encoding: 'utf8' });
    expect(res.status).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(`${missing} E_NOT_FOUND`);
    expect(res.stderr).toMatch(/hint: run `npm run build:exe`/);
    expect(res.stderr).toMatch(/nothing was written/);
    expect(existsSync(path.join(cwd, 'out'))).toBe(false);
  });

  const errorCases: [string, () => string[], RegExp][] = [
    [
      "a --version that is not the zip's",
      () => ['--zip', zip, '--version', '0.2.0'],
      /E_VERSION_MISMATCH --version 0\.2\.0 does not match the zip, which is version 0\.1\.0[\s\S]*hint: give the zip of 0\.2\.0 \(relocate-0\.2\.0-win-x64\.zip\)/,
    ],
    [
      'a zip under another name',
      () => {
        const other = path.join(freshDir('renamed'), 'relocate-latest.zip');
        writeStoredZip(other, ZIP_CONTENTS);
        return ['--zip', other];
      },
      /relocate-latest\.zip E_ZIP_NAME/,
    ],
    [
      'a file that is not a zip',
      () => {
        const fake = path.join(freshDir('fake'), `relocate-${VERSION}-win-x64.zip`);
        writeFileSync(fake, 'just text, no zip here');
        return ['--zip', fake];
      },
      /E_NOT_ZIP not a readable zip file: no end-of-central-directory record/,
    ],
    [
      'a zip without relocate.exe at its root',
      () => {
        const nested = path.join(freshDir('nested'), `relocate-${VERSION}-win-x64.zip`);
        writeStoredZip(nested, { 'relocate/relocate.exe': 'MZ', LICENSE: 'MIT' });
        return ['--zip', nested];
      },
      /E_ZIP_CONTENTS the zip has no relocate\.exe at its root.*relocate\/relocate\.exe/,
    ],
    ['a folder instead of the zip', () => ['--zip', freshDir('a-folder')], /E_NOT_FOUND not a file/],
    ['no --zip', () => [], /E_USAGE --zip is required/],
    ['an unknown option', () => ['--zip', zip, '--sign'], /E_USAGE Unknown option '--sign'/],
  ];
  it.each(errorCases)('%s: a clear error, exit 1, nothing written', async (_what, args, message) => {
    const out = path.join(tmp, `out-${Math.random().toString(36).slice(2)}`);
    const res = await run([...args(), '--out', out]);
    expect(res.status).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(message);
    expect(res.stderr).toMatch(/\n {2}hint: .+\n.*nothing was written\.\n$/);
    expect(existsSync(out)).toBe(false);
  });

  it("a package.json description beyond winget's 256 characters: E_RULES naming the field, nothing written", async () => {
    const dir = freshDir('long-description');
    const pkgFile = path.join(dir, 'package.json');
    writeFileSync(pkgFile, JSON.stringify({ ...pkg, description: 'A very long description. '.repeat(12) }));
    await expect(prepareManifests({ zip, packageJson: pkgFile })).rejects.toMatchObject({
      code: 'E_RULES',
      path: pkgFile,
      message: expect.stringMatching(/ShortDescription must NOT have more than 256 characters/),
    });
  });

  it('a package.json without a GitHub repository: E_PACKAGE_JSON naming the field', async () => {
    const dir = freshDir('no-repo');
    const pkgFile = path.join(dir, 'package.json');
    writeFileSync(pkgFile, JSON.stringify({ ...pkg, repository: { type: 'git', url: 'https://gitlab.com/someone/relocate.git' } }));
    await expect(prepareManifests({ zip, packageJson: pkgFile })).rejects.toMatchObject({
      code: 'E_PACKAGE_JSON',
      message: expect.stringMatching(/"repository"/),
      hint: expect.stringMatching(/set "repository" in package\.json/),
    });
  });
});
