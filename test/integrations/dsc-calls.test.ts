/**
 * Issue 19, part 3: `relocate dsc link …` called the way DSC v3 calls a
 * command resource, read from the resource manifest itself: the executable
 * found on PATH, the args as written, the instance as one line of compact
 * JSON on stdin, stdout parsed per the method's `return` (test with
 * stateAndDiff: the state, then the differing properties), stderr as JSON
 * lines, any exit code but 0 a failure named by `exitCodes`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { cliCommand, REPO_ROOT, requireBuiltCli } from '../helpers/cli.js';
import { sandboxFor } from '../state/cli-sandbox.js';

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'integrations/dsc/relocate.dsc.resource.json'), 'utf8'));

beforeAll(() => {
  requireBuiltCli();
});

/** A folder on PATH holding `relocate`, as an installed relocate would be. */
function installOnPath(dir: string): string {
  const [cmd, ...pre] = cliCommand([]);
  const file = path.join(dir, 'relocate');
  writeFileSync(file, `#!/bin/sh\nexec ${[cmd, ...pre].map((a) => `'${a}'`).join(' ')} "$@"\n`);
  chmodSync(file, 0o755);
  return dir;
}

/** DSC's PATH lookup of a manifest's `executable`. */
function which(executable: string, pathVar: string): string {
  for (const d of pathVar.split(path.delimiter)) {
    const f = path.join(d, executable);
    if (existsSync(f)) return f;
  }
  throw new Error(`${executable} is not on PATH`);
}

interface Call {
  code: number | null;
  stdout: string;
  /** stderr's JSON lines (DSC logs error, warn, info, debug, trace). */
  messages: Record<string, string>[];
}

/** Invokes one method of the manifest as DSC does. */
function invoke(op: 'get' | 'set' | 'test' | 'export', instance: Record<string, unknown> | undefined, binDir: string): Call {
  const m = manifest[op];
  const PATH = `${binDir}${path.delimiter}${process.env.PATH}`;
  const r = spawnSync(which(m.executable, PATH), m.args, {
    input: instance === undefined ? '' : JSON.stringify(instance),
    env: { ...process.env, PATH, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const messages = r.stderr
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const o = JSON.parse(l) as Record<string, string>;
      expect(Object.keys(o).length).toBe(1);
      expect(['error', 'warn', 'info', 'debug', 'trace']).toContain(Object.keys(o)[0]);
      return o;
    });
  // Compact JSON only: one document per line, no indentation.
  for (const l of r.stdout.split('\n').filter((x) => x)) expect(JSON.stringify(JSON.parse(l))).toBe(l);
  return { code: r.status, stdout: r.stdout, messages };
}

const lines = (c: Call) =>
  c.stdout
    .split('\n')
    .filter((l) => l)
    .map((l) => JSON.parse(l));

function setup(ctx: TestContext, label: string) {
  const sb = sandboxFor(ctx, label);
  sb.file('home/Games/save.dat', 'progress');
  const bin = installOnPath(sb.dir('bin'));
  const instance = { link: sb.p('home/Games'), target: sb.p('store/Games'), stateDir: sb.p('machine-state') };
  return { sb, bin, instance };
}

describe.concurrent('DSC calling relocate dsc link', () => {
  it('get, test, set, test, set again, export, then _exist false: the whole cycle with exit 0 throughout', (ctx) => {
    const { sb, bin, instance } = setup(ctx, 'dsc-cycle');
    const get = invoke('get', instance, bin);
    expect(get.code).toBe(0);
    expect(lines(get)).toEqual([{ link: instance.link, conflict: 'fail', _exist: false, action: 'move', stateDir: instance.stateDir }]);

    const test = invoke('test', instance, bin);
    expect(test.code).toBe(0);
    const [actual, diff] = lines(test);
    expect(actual._inDesiredState).toBe(false);
    expect(diff).toEqual(['_exist', 'target', 'type']);
    expect(lstatSync(instance.link).isDirectory()).toBe(true); // get and test changed nothing

    const set = invoke('set', instance, bin);
    expect(set.code, JSON.stringify(set.messages)).toBe(0);
    expect(readlinkSync(instance.link)).toBe(instance.target);
    expect(readFileSync(path.join(instance.target, 'save.dat'), 'utf8')).toBe('progress');
    const after = lines(set);
    expect(after).toEqual([{ ...instance, type: 'auto', conflict: 'fail', _exist: true, action: 'none' }]);

    const again = invoke('test', instance, bin);
    expect(lines(again)).toEqual([{ ...after[0], _inDesiredState: true }, []]);

    // Idempotence: a set with nothing to do prints exactly what get prints, so DSC sees no change.
    const get2 = invoke('get', instance, bin);
    const set2 = invoke('set', instance, bin);
    expect(set2.code).toBe(0);
    expect(set2.stdout).toBe(get2.stdout);
    expect(set2.stdout).toBe(set.stdout);

    const exported = invoke('export', { stateDir: instance.stateDir }, bin);
    expect(exported.code).toBe(0);
    expect(lines(exported)).toEqual([{ ...after[0], type: 'auto' }]);

    const absent = invoke('set', { ...instance, _exist: false }, bin);
    expect(absent.code, JSON.stringify(absent.messages)).toBe(0);
    expect(lstatSync(instance.link).isDirectory()).toBe(true);
    expect(readFileSync(path.join(instance.link, 'save.dat'), 'utf8')).toBe('progress');
    expect(lines(absent)[0]).toMatchObject({ _exist: false, action: 'none' });
    expect(lines(invoke('test', { ...instance, _exist: false }, bin))[0]._inDesiredState).toBe(true);
    expect(invoke('export', { stateDir: instance.stateDir }, bin).stdout).toBe('');
    expect(sb.root).toBeTruthy();
  });

  it("a conflict: set refuses with relocate's message and the documented exit code, nothing changed", (ctx) => {
    const { sb, bin, instance } = setup(ctx, 'dsc-conflict');
    sb.file('store/Games/other.dat', 'theirs');
    const test = invoke('test', instance, bin);
    expect(test.code).toBe(0);
    expect(lines(test)[0]).toMatchObject({ _inDesiredState: false, action: 'conflict' });
    const set = invoke('set', instance, bin);
    expect(set.code).toBe(3);
    expect(manifest.exitCodes['3']).toMatch(/^Refused/);
    expect(set.stdout).toBe('');
    expect(set.messages.find((m) => m.error)?.error).toMatch(/^E_CONFLICT: .*nothing was changed/);
    expect(lstatSync(instance.link).isDirectory()).toBe(true);
    expect(existsSync(path.join(instance.target, 'save.dat'))).toBe(false);
    expect(existsSync(instance.stateDir + '/runs')).toBe(false);
  });

  it('bad input: exit 2 with an {"error"} line, nothing on stdout, nothing changed', (ctx) => {
    const { bin, instance } = setup(ctx, 'dsc-input');
    for (const bad of [
      { ...instance, target: 'relative/Games' },
      { ...instance, colour: 'blue' },
      { ...instance, type: 'shortcut' },
      { target: instance.target },
    ]) {
      const r = invoke('set', bad, bin);
      expect(r.code, JSON.stringify(bad)).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.messages[0]!.error).toMatch(/^E_DSC_INPUT: /);
    }
    expect(lstatSync(instance.link).isDirectory()).toBe(true);
    expect(existsSync(instance.stateDir)).toBe(false);
  });
});
