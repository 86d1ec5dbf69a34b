import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, REPO_ROOT } from '../helpers/cli.js';

/**
 * The Ansible collection relocate.relocate (integrations/ansible, issue 19):
 * its module_utils against recorded JSON (Python unittest), the modules
 * through ansible-playbook against the built CLI (check mode, first and
 * second run, diff, three local hosts each with its own HOME and state
 * folder, one of them in conflict), ansible-doc, and the ansible-test
 * sanity tests that run offline. Everything happens in one temporary
 * folder: the collection is copied to <tmp>/collections/ansible_collections/
 * relocate/relocate, relocate is <tmp>/bin/relocate (node + the checkout's
 * dist/cli/bin.js), and HOME of the Ansible commands is <tmp>/controller,
 * so ~/.ansible lives there too. Skipped with the reason when Debian's
 * ansible is not installed (`.ci/run` installs it).
 */

const has = (cmd: string): boolean => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const NO_ANSIBLE = has('ansible-playbook') ? undefined : 'ansible-playbook is not installed (Debian: apt-get install ansible)';
const NO_PYTHON = has('python3') ? undefined : 'python3 is not installed';
if (NO_ANSIBLE) console.warn(`test/integrations/ansible: playbook, ansible-doc and sanity tests skipped: ${NO_ANSIBLE}`);
if (NO_PYTHON) console.warn(`test/integrations/ansible: module_utils unit tests skipped: ${NO_PYTHON}`);

const COLLECTION_SRC = path.join(REPO_ROOT, 'integrations', 'ansible');
const FIXTURES = path.join(REPO_ROOT, 'test', 'integrations', 'ansible');

let tmp = '';
let relocateExe = '';
let env: NodeJS.ProcessEnv = {};

/** A copy of the collection in a tree ansible-playbook and ansible-test accept. */
function copyCollection(root: string): string {
  const dest = path.join(root, 'ansible_collections', 'relocate', 'relocate');
  mkdirSync(path.dirname(dest), { recursive: true });
  cpSync(COLLECTION_SRC, dest, { recursive: true, filter: (src) => !src.includes(`${path.sep}tests${path.sep}output`) });
  return dest;
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'relocate-ansible-'));
  const collections = path.join(tmp, 'collections');
  copyCollection(collections);
  mkdirSync(path.join(tmp, 'bin'));
  relocateExe = path.join(tmp, 'bin', 'relocate');
  writeFileSync(relocateExe, `#!/bin/sh\nexec '${process.execPath}' '${CLI_BIN}' "$@"\n`);
  chmodSync(relocateExe, 0o755);
  const controller = path.join(tmp, 'controller');
  mkdirSync(controller);
  env = {
    ...process.env,
    HOME: controller,
    ANSIBLE_COLLECTIONS_PATH: collections,
    ANSIBLE_COLLECTIONS_PATHS: collections,
    ANSIBLE_LOCAL_TEMP: path.join(controller, 'local-tmp'),
    ANSIBLE_REMOTE_TEMP: path.join(controller, 'remote-tmp'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: '0',
    ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
    ANSIBLE_STDOUT_CALLBACK: 'default',
    ANSIBLE_CONFIG: path.join(controller, 'none.cfg'),
    LC_ALL: 'C.UTF-8',
  };
  delete env.RELOCATE_STATE_DIR;
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function run(cmd: string, args: string[], cwd = tmp): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 280_000 });
}

/** A host's sandbox: HOME with data/a.txt and relocate.yaml (~/data → ../disk/data), an empty disk, its own state folder. */
function sandbox(name: string): { root: string; home: string; disk: string; state: string } {
  const root = path.join(tmp, 'hosts', name);
  const home = path.join(root, 'home');
  const disk = path.join(root, 'disk');
  const state = path.join(root, 'state');
  mkdirSync(path.join(home, 'data'), { recursive: true });
  mkdirSync(disk);
  writeFileSync(path.join(home, 'data', 'a.txt'), `data of ${name}\n`);
  writeFileSync(path.join(home, 'relocate.yaml'), 'version: 1\nlinks:\n  - link: ~/data\n    target: ../disk/data\n');
  return { root, home, disk, state };
}

const recap = (out: string, host: string): Record<string, number> => {
  const line = out.split('\n').find((l) => l.startsWith(`${host} `) && l.includes('ok='));
  if (!line) throw new Error(`no recap line for ${host} in:\n${out}`);
  return Object.fromEntries([...line.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
};

const isLinkTo = (p: string, to: string): boolean => lstatSync(p).isSymbolicLink() && readlinkSync(p) === to;
const runsIn = (state: string): string[] => (existsSync(path.join(state, 'runs')) ? readdirSync(path.join(state, 'runs')) : []);
const output = (r: SpawnSyncReturns<string>): string => `exit ${r.status}\n${r.stdout}\n${r.stderr}`;

describe.skipIf(NO_PYTHON)('module_utils with recorded relocate JSON', () => {
  it('python3 -m unittest test_module_utils passes', () => {
    const r = spawnSync('python3', ['-m', 'unittest', '-v', 'test_module_utils'], {
      cwd: FIXTURES,
      encoding: 'utf8',
      env: { ...process.env, RELOCATE_MODULE_UTILS: path.join(COLLECTION_SRC, 'plugins', 'module_utils', 'relocate.py') },
    });
    expect(r.status, output(r)).toBe(0);
    expect(r.stderr).toMatch(/Ran \d+ tests/);
  });
});

describe.skipIf(NO_ANSIBLE)('Ansible collection relocate.relocate', () => {
  it('ansible-playbook -i localhost, -c local: check mode changes nothing and reports changed, with a diff; the first run changes, the second does not', () => {
    const h = sandbox('localhost');
    const vars = JSON.stringify({ home: h.home, state_dir: h.state, relocate_exe: relocateExe });
    const playbook = path.join(FIXTURES, 'converge.yml');
    const link = path.join(h.home, 'data');
    const target = path.join(h.disk, 'data');
    const result = (kind: 'check' | 'run') => JSON.parse(readFileSync(path.join(h.root, `result-${kind}.json`), 'utf8'));

    const check = run('ansible-playbook', ['-i', 'localhost,', '-c', 'local', '-e', vars, '--check', '--diff', playbook]);
    expect(check.status, output(check)).toBe(0);
    expect(recap(check.stdout, 'localhost')).toMatchObject({ changed: 1, failed: 0 });
    expect(lstatSync(link).isDirectory()).toBe(true); // nothing moved
    expect(existsSync(target)).toBe(false);
    expect(runsIn(h.state)).toEqual([]);
    expect(check.stdout).toContain(`+${link}: symlink -> ${target}`); // the diff's after side
    expect(check.stdout).toContain(`--- before: ${link} (move)`);
    expect(check.stdout).toContain(`-${link}: dir (1 file, 18 bytes)`); // before, from relocate's observed
    expect(check.stdout).toContain(`-${target}: missing`);
    expect(check.stdout).toContain(`+${target}: dir (1 file, 18 bytes)`);
    const checked = result('check');
    expect(checked.converged).toMatchObject({ changed: true, pending: 1 });
    expect(checked.converged.entries[0]).toMatchObject({
      link,
      target,
      action: 'move',
      observed: { link: { kind: 'dir', files: 1, bytes: 18 }, target: { kind: 'missing' } },
    });
    expect(checked.info).toMatchObject({ changed: false, in_sync: false });
    expect(checked.info.problems[0]).toMatchObject({ kind: 'differs', link });

    const first = run('ansible-playbook', ['-i', 'localhost,', '-c', 'local', '-e', vars, '--diff', playbook]);
    expect(first.status, output(first)).toBe(0);
    expect(recap(first.stdout, 'localhost')).toMatchObject({ changed: 1, failed: 0 });
    expect(isLinkTo(link, target)).toBe(true);
    expect(readFileSync(path.join(target, 'a.txt'), 'utf8')).toBe('data of localhost\n');
    expect(runsIn(h.state)).toHaveLength(1);
    const firstResult = result('run');
    expect(firstResult.converged).toMatchObject({ changed: true, result: 'done' });
    expect(firstResult.converged.run).toBe(runsIn(h.state)[0]);
    expect(firstResult.info).toMatchObject({ in_sync: true, problems: [] });
    expect(firstResult.info.entries[0]).toMatchObject({ action: 'none', observed: { link: { kind: 'symlink', linkText: target } } });
    expect(firstResult.converged.run_entries).toEqual([expect.objectContaining({ link, action: 'move', result: 'changed' })]);

    const second = run('ansible-playbook', ['-i', 'localhost,', '-c', 'local', '-e', vars, '--diff', playbook]);
    expect(second.status, output(second)).toBe(0);
    expect(recap(second.stdout, 'localhost')).toMatchObject({ changed: 0, failed: 0 });
    expect(second.stdout).not.toContain('--- before');
    expect(result('run').converged).toMatchObject({ changed: false, pending: 0 });
    expect(result('run').converged).not.toHaveProperty('run'); // apply did not run
    expect(runsIn(h.state)).toHaveLength(1);
  }, 300_000);

  it('three local hosts, each with its own HOME and state folder, converge independently; a conflict fails on its host alone', () => {
    const hosts = ['h1', 'h2', 'h3'].map((name) => ({ name, ...sandbox(name) }));
    const h3 = hosts[2]!;
    // h3: data at the target already, differing from the link path's: a conflict.
    mkdirSync(path.join(h3.disk, 'data'));
    writeFileSync(path.join(h3.disk, 'data', 'other.txt'), 'other\n');
    const inventory = path.join(tmp, 'inventory.ini');
    writeFileSync(
      inventory,
      '[sandbox]\n' +
        hosts
          .map(
            (h) => `${h.name} ansible_connection=local home=${h.home} state_dir=${h.state} relocate_exe=${relocateExe} ansible_python_interpreter=auto_silent`,
          )
          .join('\n') +
        '\n',
    );
    const playbook = path.join(FIXTURES, 'converge.yml');

    const first = run('ansible-playbook', ['-i', inventory, '--diff', playbook]);
    expect(first.status, output(first)).toBe(2); // a host failed
    for (const h of hosts.slice(0, 2)) {
      expect(recap(first.stdout, h.name), h.name).toMatchObject({ changed: 1, failed: 0 });
      expect(isLinkTo(path.join(h.home, 'data'), path.join(h.disk, 'data'))).toBe(true);
      expect(readFileSync(path.join(h.disk, 'data', 'a.txt'), 'utf8')).toBe(`data of ${h.name}\n`);
      expect(runsIn(h.state)).toHaveLength(1);
      expect(JSON.parse(readFileSync(path.join(h.root, 'result-run.json'), 'utf8')).info).toMatchObject({ in_sync: true });
    }
    expect(recap(first.stdout, 'h3')).toMatchObject({ changed: 0, failed: 1 });
    const failure = first.stdout.split('\n').find((l) => l.startsWith('fatal: [h3]'));
    expect(failure, first.stdout).toBeDefined();
    const failed = JSON.parse(failure!.slice(failure!.indexOf('{')));
    expect(failed).toMatchObject({ code: 'E_CONFLICT', hint: 'resolve it (see `relocate plan`)', path: path.join(h3.home, 'data') });
    expect(failed.msg).toContain('is a folder already');
    expect(lstatSync(path.join(h3.home, 'data')).isDirectory()).toBe(true); // h3 untouched
    expect(readdirSync(path.join(h3.disk, 'data'))).toEqual(['other.txt']);
    expect(runsIn(h3.state)).toEqual([]);
    expect(existsSync(path.join(h3.root, 'result-run.json'))).toBe(false);

    const second = run('ansible-playbook', ['-i', inventory, playbook]);
    expect(second.status, output(second)).toBe(2);
    expect(recap(second.stdout, 'h1')).toMatchObject({ changed: 0, failed: 0 });
    expect(recap(second.stdout, 'h2')).toMatchObject({ changed: 0, failed: 0 });
    expect(recap(second.stdout, 'h3')).toMatchObject({ failed: 1 });
  }, 300_000);

  it('a manifest relocate refuses fails the task with its code, message and hint (ad-hoc ansible)', () => {
    const bad = path.join(tmp, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nlinks:\n  - link: /tmp/x\n    targt: /tmp/y\n');
    const args = `manifest=${bad} executable=${relocateExe} state_dir=${path.join(tmp, 'bad-state')}`;
    for (const module of ['relocate.relocate.relocate', 'relocate.relocate.relocate_info']) {
      const r = run('ansible', ['localhost', '-i', 'localhost,', '-c', 'local', '-m', module, '-a', args]);
      expect(r.status, output(r)).toBe(2);
      const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
      expect(json, module).toMatchObject({ code: 'E_INVALID_MANIFEST', hint: expect.stringContaining('relocate validate') });
      expect(json.msg).toContain("unknown key 'targt'");
    }
    const missing = run('ansible', [
      'localhost',
      '-i',
      'localhost,',
      '-c',
      'local',
      '-m',
      'relocate.relocate.relocate',
      '-a',
      `manifest=${bad} executable=${path.join(tmp, 'no-such-relocate')}`,
    ]);
    expect(missing.status).toBe(2);
    expect(missing.stdout).toContain('E_EXECUTABLE');
  }, 120_000);

  it('ansible-doc renders each module', () => {
    for (const module of ['relocate', 'relocate_info']) {
      const r = run('ansible-doc', [`relocate.relocate.${module}`]);
      expect(r.status, output(r)).toBe(0);
      expect(r.stdout).toContain(`RELOCATE.RELOCATE.${module.toUpperCase()}`);
      expect(r.stdout).toMatch(/= manifest/);
      expect(r.stdout).toContain('check_mode');
      expect(r.stdout).toContain('RETURN VALUES');
    }
    const list = run('ansible-doc', ['-l', 'relocate.relocate']);
    expect(list.stdout).toContain('relocate.relocate.relocate_info');
  }, 120_000);

  it('ansible-test sanity passes (the tests that run offline)', () => {
    const root = path.join(tmp, 'sanity');
    const dest = copyCollection(root);
    // ansible-test looks at files under version control when there is a repository.
    spawnSync('git', ['init', '-q', '.'], { cwd: dest });
    const { tests, skipped } = sanityTests(dest);
    console.info(`ansible-test sanity: ${tests.join(', ')}; left out: ${skipped.join('; ')}`);
    const r = run('ansible-test', ['sanity', '--local', '--python-interpreter', SANITY_PYTHON, '--color', 'no', ...tests.flatMap((t) => ['--test', t])], dest);
    expect(r.status, output(r)).toBe(0);
    expect(r.stdout).toContain('Running sanity test "validate-modules"');
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/Skipping sanity test "(validate-modules|pep8|pylint|yamllint)"/);
  }, 600_000);
});

/** The Python ansible-test runs on (its shebang): Debian's /usr/bin/python3. */
const SANITY_PYTHON = ((): string => {
  const which = (spawnSync('sh', ['-c', 'command -v ansible-test'], { encoding: 'utf8' }).stdout ?? '').trim();
  const first = which ? readFileSync(which, 'utf8').split('\n', 1)[0]! : '';
  return /^#!\s*(\/\S+python3[.0-9]*)\s*$/.exec(first)?.[1] ?? '/usr/bin/python3';
})();

/** Python modules a sanity test needs from Debian (the ansible-test venv reuses the system's site packages). */
const SANITY_NEEDS: Record<string, [module: string, debianPackage: string]> = {
  'validate-modules': ['voluptuous', 'python3-voluptuous'],
  pep8: ['pycodestyle', 'python3-pycodestyle'],
  pylint: ['pylint', 'pylint'],
  yamllint: ['yamllint', 'yamllint'],
};
/** The sanity tests ansible-test 2.14 runs in a virtualenv of their own (see sanityTests). */
const VENV_TESTS = ['validate-modules', 'pep8', 'pylint', 'yamllint', 'import', 'ansible-doc', 'runtime-metadata'];
/** Left out whatever is installed, with why. */
const SANITY_NEVER: Record<string, string> = {
  pslint: 'needs PowerShell (pwsh) and PSScriptAnalyzer; the collection has no PowerShell',
  shellcheck: 'the collection has no shell scripts',
  changelog: 'needs antsibull-changelog; the collection keeps no changelogs/ fragments',
};

/**
 * The sanity tests to run and those left out. ansible-test 2.14 runs each
 * test that has Python requirements (validate-modules, pep8, pylint,
 * yamllint, import, ansible-doc, runtime-metadata) in a virtualenv of its
 * own under ~/.ansible/test/venv, made with pip and filled from PyPI: no
 * network here, and Debian's Python has no pip in a new venv. So for each
 * such test this makes that virtualenv beforehand, at the path ansible-test
 * names, with --system-site-packages and the marker ansible-test looks
 * for, so the test runs with Debian's packages instead of PyPI's pinned ones.
 */
function sanityTests(dest: string): { tests: string[]; skipped: string[] } {
  const listed = run('ansible-test', ['sanity', '--list-tests'], dest)
    .stdout.split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[a-z0-9-]+$/.test(l));
  const tests: string[] = [];
  const skipped: string[] = [];
  for (const t of listed) {
    if (SANITY_NEVER[t]) {
      skipped.push(`${t} (${SANITY_NEVER[t]})`);
      continue;
    }
    const need = SANITY_NEEDS[t];
    if (need && spawnSync(SANITY_PYTHON, ['-c', `import ${need[0]}`]).status !== 0) {
      skipped.push(`${t} (Debian package ${need[1]} is not installed)`);
      continue;
    }
    if (!VENV_TESTS.includes(t)) {
      tests.push(t);
      continue;
    }
    const probe = run('ansible-test', ['sanity', '--local', '--python-interpreter', SANITY_PYTHON, '--color', 'no', '--test', t], dest);
    const venv = /at "(.+)\/bin\/python" does not have pip available/.exec(`${probe.stdout}${probe.stderr}`)?.[1];
    if (venv) {
      rmSync(venv, { recursive: true, force: true });
      const made = spawnSync(SANITY_PYTHON, ['-m', 'venv', '--without-pip', '--system-site-packages', venv], { encoding: 'utf8' });
      if (made.status !== 0) {
        skipped.push(`${t} (cannot make its virtualenv: ${made.stderr.trim()})`);
        continue;
      }
      writeFileSync(path.join(venv, 'marker.txt'), '');
      writeFileSync(path.join(venv, 'meta.install.json'), '[]');
      writeFileSync(path.join(venv, 'meta.yaml.json'), 'true'); // Debian's PyYAML has libyaml
    }
    tests.push(t);
  }
  return { tests, skipped };
}
