/**
 * caseTwinError (src/platform/case-twin.ts) where it must say nothing: on
 * this case-sensitive disk an EEXIST at a name that is really there, or
 * another error, stays what it was (E_EXISTS and friends). Naming two case
 * twins needs a volume that ignores case: test/cli/case-collision.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caseTwinError, whyOneName } from '../../src/platform/case-twin.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-twin-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const eexist = () => Object.assign(new Error('EEXIST'), { code: 'EEXIST' });

describe('caseTwinError', () => {
  it('is undefined for an error other than EEXIST', () => {
    writeFileSync(path.join(dir, 'Readme'), 'x');
    expect(caseTwinError(Object.assign(new Error('EIO'), { code: 'EIO' }), '/src/README', path.join(dir, 'README'), dir)).toBeUndefined();
  });

  it('is undefined when the very name is there (something appeared: not a case twin)', () => {
    writeFileSync(path.join(dir, 'README'), 'x');
    writeFileSync(path.join(dir, 'Readme'), 'y');
    expect(caseTwinError(eexist(), '/src/README', path.join(dir, 'README'), dir)).toBeUndefined();
  });

  it('is undefined when the volume tells case apart (the new name opens nothing)', () => {
    writeFileSync(path.join(dir, 'Readme'), 'x');
    expect(caseTwinError(eexist(), '/src/README', path.join(dir, 'README'), dir)).toBeUndefined();
  });
});

describe('whyOneName: the message says only what the two names show', () => {
  it('case, Unicode spelling, or neither', () => {
    expect(whyOneName('Readme', 'README')).toBe('ignores case');
    expect(whyOneName('caf\u00e9', 'cafe\u0301')).toMatch(/^does not tell apart two Unicode spellings/);
    expect(whyOneName('a', 'b')).toBe('takes them for one name');
  });
});
