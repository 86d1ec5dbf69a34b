/**
 * Issue 19, part 3: integrations/dsc/relocate.dsc.resource.json against
 * DSC v3's published rules for command resource manifests (restated here
 * from the resource manifest schema, schemas/v3/resource/manifest.json, and
 * its get/set/test/export/schema parts), and against relocate itself: the
 * exit codes are the ones `relocate dsc` returns, the embedded schema's
 * properties are the ones it reads, the version is the package's.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { DSC_EXIT_CODES } from '../../src/cli/commands/dsc.js';
import { REPO_ROOT } from '../helpers/cli.js';

const MANIFEST = path.join(REPO_ROOT, 'integrations/dsc/relocate.dsc.resource.json');
const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));

const method = (extra: Record<string, unknown> = {}) => ({
  type: 'object',
  required: ['executable'],
  properties: {
    executable: { type: 'string', minLength: 1 },
    args: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'object', required: ['jsonInputArg'] }] } },
    input: { enum: ['env', 'stdin'] },
    ...extra,
  },
  additionalProperties: false,
  // DSC can only pass the instance with `input` or one JSON input argument.
  anyOf: [{ required: ['input'] }, { properties: { args: { contains: { type: 'object' } } }, required: ['args'] }],
});

/** DSC v3's rules for a command resource manifest, restated. */
const RULES = {
  type: 'object',
  required: ['$schema', 'type', 'version', 'get'],
  properties: {
    $schema: {
      enum: [
        'https://aka.ms/dsc/schemas/v3/bundled/resource/manifest.json',
        'https://aka.ms/dsc/schemas/v3/resource/manifest.json',
        'https://raw.githubusercontent.com/PowerShell/DSC/main/schemas/v3/resource/manifest.json',
        'https://raw.githubusercontent.com/PowerShell/DSC/main/schemas/v3/bundled/resource/manifest.json',
      ],
    },
    // <owner>[.<group>][.<area>]/<name>
    type: { type: 'string', pattern: '^\\w+(\\.\\w+){0,3}\\/\\w+$' },
    // semver
    version: { type: 'string', pattern: '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?$' },
    description: { type: 'string' },
    kind: { enum: ['resource', 'adapter', 'group', 'importer', 'exporter'] },
    tags: { type: 'array', items: { type: 'string', pattern: '^\\w+$' }, uniqueItems: true },
    get: method(),
    set: method({ implementsPretest: { type: 'boolean' }, handlesExist: { type: 'boolean' }, return: { enum: ['state', 'stateAndDiff'] } }),
    test: method({ return: { enum: ['state', 'stateAndDiff'] } }),
    export: method(),
    exitCodes: { type: 'object', propertyNames: { pattern: '^-?[0-9]+$' }, additionalProperties: { type: 'string' } },
    schema: {
      type: 'object',
      oneOf: [{ required: ['command'] }, { required: ['embedded'] }],
      properties: {
        embedded: { type: 'object', required: ['$schema', 'type', 'properties'], properties: { type: { const: 'object' }, $schema: { type: 'string' } } },
      },
    },
  },
  additionalProperties: false,
};

describe('the DSC resource manifest', () => {
  it("is named as DSC discovers manifests on PATH, and follows DSC v3's manifest rules", () => {
    expect(path.basename(MANIFEST)).toMatch(/\.dsc\.resource\.json$/);
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const ok = ajv.validate(RULES, manifest);
    expect(ajv.errors ?? [], JSON.stringify(ajv.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the rules can fail: a bad type name, a missing version and a test without input are refused', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    expect(ajv.validate(RULES, { ...manifest, type: 'Relocate Link' })).toBe(false);
    const { version: _v, ...noVersion } = manifest;
    expect(ajv.validate(RULES, noVersion)).toBe(false);
    expect(ajv.validate(RULES, { ...manifest, test: { executable: 'relocate', args: ['dsc', 'link', 'test'] } })).toBe(false);
  });

  it("is Relocate/Link at the package's version, calls `relocate dsc link OP` with the instance on stdin", () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(manifest.type).toBe('Relocate/Link');
    expect(manifest.version).toBe(pkg.version);
    for (const op of ['get', 'set', 'test', 'export'])
      expect(manifest[op]).toMatchObject({ executable: 'relocate', args: ['dsc', 'link', op], input: 'stdin' });
    // set plans first itself (no test by DSC before it) and undoes on _exist: false; test says the differing properties.
    expect(manifest.set).toMatchObject({ implementsPretest: true, handlesExist: true, return: 'state' });
    expect(manifest.test.return).toBe('stateAndDiff');
  });

  it('documents exactly the exit codes relocate dsc returns, 0 included', () => {
    expect(manifest.exitCodes).toEqual(Object.fromEntries(Object.entries(DSC_EXIT_CODES).map(([k, v]) => [k, v])));
  });

  it('embeds an instance schema of the properties relocate reads, which refuses an unknown one', () => {
    const schema = manifest.schema.embedded;
    expect(Object.keys(schema.properties).sort()).toEqual(['_exist', '_inDesiredState', 'action', 'conflict', 'link', 'stateDir', 'target', 'type']);
    const ajv = new Ajv2020({ strict: false });
    const valid = ajv.compile(schema);
    expect(valid({ link: 'C:\\Games', target: 'D:\\Games', type: 'junction', conflict: 'backup', _exist: false, stateDir: 'C:\\ProgramData\\relocate' })).toBe(
      true,
    );
    expect(valid({ link: 'C:\\Games', target: 'D:\\Games', type: 'shortcut' })).toBe(false);
    expect(valid({ link: 'C:\\Games', targte: 'D:\\Games' })).toBe(false);
  });
});
