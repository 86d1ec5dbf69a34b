/**
 * The parts of the GitHub workflows a release depends on, read from the
 * YAML so that an edit dropping one fails here rather than on the next tag:
 * release.yml runs on v* tags only, builds on Linux and both macOS
 * architectures, runs the Linux-built relocate.exe on Windows (--version,
 * demo, the real junction tests through RELOCATE_TEST_CLI), and only its
 * release job may write; ci.yml builds and runs the exe the same way on
 * every push and never writes.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { NODE_VERSION } from '../../scripts/exe/targets.mjs';
import { REPO_ROOT } from '../helpers/cli.js';

type Step = { name?: string; uses?: string; run?: string; shell?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = {
  'runs-on'?: unknown;
  needs?: string | string[];
  permissions?: unknown;
  steps?: Step[];
  strategy?: { matrix?: { include?: Record<string, string>[] } };
};
type Workflow = { on: Record<string, any>; permissions?: unknown; jobs: Record<string, Job> };

const workflowText = (name: string) => readFileSync(path.join(REPO_ROOT, '.github', 'workflows', name), 'utf8');
const workflow = (name: string) => parseYaml(workflowText(name)) as Workflow;

const JUNCTION_TESTS = 'test/windows/junctions.test.ts';

/** The steps of a job, failing clearly when the job is gone. */
function stepsOf(wf: Workflow, job: string): Step[] {
  expect(wf.jobs[job], `job ${job}`).toBeDefined();
  return wf.jobs[job]!.steps ?? [];
}

const needsOf = (job: Job) => (typeof job.needs === 'string' ? [job.needs] : (job.needs ?? []));

/** Index of the first step matching, -1 when none. */
const stepIndex = (steps: Step[], test: (s: Step) => boolean) => steps.findIndex(test);

/** True when a permissions value grants any write (`write-all`, or a scope set to write). */
function grantsWrite(permissions: unknown): boolean {
  if (permissions === undefined) return false;
  if (typeof permissions === 'string') return permissions !== 'read-all' && permissions !== '{}';
  return Object.values(permissions as Record<string, string>).some((v) => v === 'write');
}

/**
 * The Windows run of the Linux-built exe, as both workflows do it: the
 * artifact downloaded and checked, relocate.exe taken out of the zip, run
 * with --version and demo, then the junction tests with RELOCATE_TEST_CLI.
 */
function expectWindowsExeRun(wf: Workflow, job: string, buildJob: string) {
  const windows = wf.jobs[job]!;
  expect(windows['runs-on']).toBe('windows-latest');
  expect(needsOf(windows)).toContain(buildJob);

  const uploaded = stepsOf(wf, buildJob).find((s) => s.uses?.startsWith('actions/upload-artifact@'));
  expect(uploaded?.with?.path, `${buildJob} uploads dist/exe`).toBe('dist/exe/');
  const steps = stepsOf(wf, job);
  const npmCi = stepIndex(steps, (s) => s.run?.trim() === 'npm ci');
  const download = stepIndex(steps, (s) => !!s.uses?.startsWith('actions/download-artifact@') && s.with?.name === uploaded?.with?.name);
  const sums = stepIndex(steps, (s) => /sha256sum -c SHA256SUMS/.test(s.run ?? ''));
  const fromZip = stepIndex(steps, (s) => /Expand-Archive/.test(s.run ?? '') && /RELOCATE_EXE=.*GITHUB_ENV/.test(s.run ?? ''));
  const version = stepIndex(steps, (s) => /& \$env:RELOCATE_EXE --version/.test(s.run ?? ''));
  const demo = stepIndex(steps, (s) => /& \$env:RELOCATE_EXE demo\b/.test(s.run ?? ''));
  const junctions = stepIndex(steps, (s) => (s.run ?? '').includes(`vitest run ${JUNCTION_TESTS}`));
  for (const [what, at] of Object.entries({ npmCi, download, sums, fromZip, version, demo, junctions }))
    expect(at, `${job}: the ${what} step`).toBeGreaterThanOrEqual(0);
  expect(steps[junctions]!.env?.RELOCATE_TEST_CLI, `${job}: the junction tests run the exe through RELOCATE_TEST_CLI`).toBe('${{ env.RELOCATE_EXE }}');
  // In order: the checkout's dependencies and the checked download before the exe runs.
  expect(Math.max(npmCi, download)).toBeLessThan(sums);
  expect(sums).toBeLessThan(fromZip);
  expect(fromZip).toBeLessThan(Math.min(version, demo, junctions));
}

describe('.github/workflows/release.yml', () => {
  const wf = workflow('release.yml');

  it('starts with a comment block explaining it, signing included', () => {
    const text = workflowText('release.yml');
    expect(text.startsWith('# ')).toBe(true);
    for (const word of ['Signing', 'osslsigncode', 'signtool', 'SmartScreen', 'secrets', 'Get-FileHash']) expect(text).toContain(word);
  });

  it('runs on pushed v* tags and nothing else', () => {
    expect(Object.keys(wf.on)).toEqual(['push']);
    expect(wf.on.push.tags).toEqual(['v*']);
    expect(wf.on.push.branches).toBeUndefined();
  });

  it('reads only, except the release job, which may write contents and nothing more', () => {
    expect(wf.permissions).toEqual({ contents: 'read' });
    expect(wf.jobs.release?.permissions).toEqual({ contents: 'write' });
    for (const [name, job] of Object.entries(wf.jobs)) if (name !== 'release') expect(grantsWrite(job.permissions), `${name} permissions`).toBe(false);
  });

  it('builds on Linux after checking the tag is v + package.json version, and runs the Linux program', () => {
    const steps = stepsOf(wf, 'build-linux');
    expect(wf.jobs['build-linux']!['runs-on']).toBe('ubuntu-latest');
    const tag = stepIndex(steps, (s) => /GITHUB_REF_NAME/.test(s.run ?? '') && /package\.json/.test(s.run ?? '') && /exit 1/.test(s.run ?? ''));
    const build = stepIndex(steps, (s) => s.run?.trim() === 'npm run build:exe');
    expect(tag).toBeGreaterThanOrEqual(0);
    expect(build).toBeGreaterThan(tag);
    expect(steps.some((s) => /linux-x64"\n.*--version/.test(s.run ?? ''))).toBe(true);
  });

  it('builds darwin-arm64 and darwin-x64 on macOS runners of those architectures', () => {
    const job = wf.jobs['build-macos']!;
    expect(job.strategy?.matrix?.include).toEqual([
      { runner: 'macos-latest', target: 'darwin-arm64' },
      { runner: 'macos-15-intel', target: 'darwin-x64' },
    ]);
    expect(job['runs-on']).toBe('${{ matrix.runner }}');
    expect(stepsOf(wf, 'build-macos').some((s) => s.run?.trim() === 'npm run build:exe -- --target ${{ matrix.target }}')).toBe(true);
  });

  it('runs the Linux-built relocate.exe on Windows: --version, demo, and the junction tests with RELOCATE_TEST_CLI', () => {
    expectWindowsExeRun(wf, 'test-windows', 'build-linux');
    expect(existsSync(path.join(REPO_ROOT, JUNCTION_TESTS))).toBe(true);
  });

  it('publishes after every build and the Windows run: gathered files, one SHA256SUMS, the manifests, the release', () => {
    expect(needsOf(wf.jobs.release!).sort()).toEqual(['build-linux', 'build-macos', 'test-windows']);
    const steps = stepsOf(wf, 'release');
    const download = stepIndex(steps, (s) => !!s.uses?.startsWith('actions/download-artifact@') && s.with?.pattern === 'exe-*');
    const gather = stepIndex(steps, (s) => /node scripts\/release\/gather\.mjs --out /.test(s.run ?? ''));
    const manifests = stepIndex(steps, (s) => /node scripts\/release\/manifests\.mjs --zip /.test(s.run ?? ''));
    const keep = stepIndex(steps, (s) => !!s.uses?.startsWith('actions/upload-artifact@') && s.with?.name === 'manifests');
    const publish = stepIndex(steps, (s) => /gh release create/.test(s.run ?? '') && /gh release upload/.test(s.run ?? ''));
    expect([download, gather, manifests, keep, publish].every((i) => i >= 0)).toBe(true);
    expect(download).toBeLessThan(gather);
    expect(gather).toBeLessThan(manifests);
    expect(manifests).toBeLessThan(publish);
    expect(steps[publish]!.env?.GH_TOKEN).toBe('${{ github.token }}');
  });
});

describe('.github/workflows/ci.yml', () => {
  const wf = workflow('ci.yml');

  it('runs on every push, and never writes', () => {
    expect(wf.on).toHaveProperty('push');
    expect(wf.on.push ?? {}).toEqual({});
    expect(wf.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of Object.entries(wf.jobs)) expect(grantsWrite(job.permissions), `${name} permissions`).toBe(false);
  });

  it('builds the exe on ubuntu-latest and makes the manifests from its zip', () => {
    expect(wf.jobs['exe-build']!['runs-on']).toBe('ubuntu-latest');
    const steps = stepsOf(wf, 'exe-build');
    const build = stepIndex(steps, (s) => s.run?.trim() === 'npm run build:exe');
    const manifests = stepIndex(steps, (s) => /node scripts\/release\/manifests\.mjs --zip "dist\/exe\/relocate-\$version-win-x64\.zip"/.test(s.run ?? ''));
    expect(build).toBeGreaterThanOrEqual(0);
    expect(manifests).toBeGreaterThan(build);
  });

  it('runs that exe on windows-latest: --version, demo, and the junction tests with RELOCATE_TEST_CLI', () => {
    expectWindowsExeRun(wf, 'exe-windows', 'exe-build');
  });

  it('still runs the whole suite on every OS', () => {
    expect(stepsOf(wf, 'test').some((s) => s.run?.trim() === 'npm test')).toBe(true);
  });

  it('explains the exe jobs in its comment block', () => {
    const head = workflowText('ci.yml').split('\nname:')[0]!;
    expect(head).toMatch(/exe-build/);
    expect(head).toMatch(/RELOCATE_TEST_CLI/);
  });
});

describe('the Node.js of the release builds', () => {
  it('is exactly the version the executables embed: on macOS the running Node is their base', () => {
    const wf = workflow('release.yml') as Workflow & { env?: Record<string, unknown> };
    expect(String(wf.env?.NODE_VERSION)).toBe(NODE_VERSION);
    const macos = wf.jobs['build-macos']!;
    const setup = (macos.steps ?? []).find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(setup?.with?.['node-version']).toBe('${{ env.NODE_VERSION }}');
  });
});
