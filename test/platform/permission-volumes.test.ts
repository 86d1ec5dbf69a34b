/**
 * Issue 15: where the copy's volume keeps no permissions (Windows: FAT and
 * exFAT keep no security descriptor), the attributes that carry them are
 * neither set on the copies nor compared by the verify, and `--verbose`
 * names the volume; everywhere else a lost one fails the verify. Run here
 * with Linux's own extended-attribute calls standing in for the Windows
 * keeper's: one user.* attribute plays the descriptor, and a destination
 * that drops it plays exFAT. The Windows calls themselves are tested over a
 * fake Win32 (test/windows/keep-meta-logic.test.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetaKeeper } from '../../src/platform/keep-meta.js';
import { nativeSetTimesNs } from '../../src/platform/native/utimens.js';
import { nativeXattrs, nativeXattrsUnavailableReason, type Xattr, type XattrCalls } from '../../src/platform/native/xattrs.js';
import { NodeFs, fsError } from '../../src/platform/node-fs.js';

const PERM = 'user.relocate-test-permissions';
const dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-perm-vol-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let native: XattrCalls | null = null;
let why = '';
beforeAll(async () => {
  native = await nativeXattrs();
  // A probe: the temporary folder's file system must take user.* attributes.
  if (native) {
    const probe = path.join(dir, 'probe');
    writeFileSync(probe, '');
    if (native.set(probe, attr('x')) !== 0) native = null;
    rmSync(probe);
  }
  why = native ? '' : nativeXattrsUnavailableReason() || `${os.tmpdir()} takes no user.* extended attributes`;
  if (!native) console.log(`[skip] permission volumes: ${why}`);
});

function attr(value: string): Xattr {
  return { name: PERM, raw: Buffer.from(`${PERM}\0`), value: Buffer.from(value) };
}

/** A NodeFs whose keeper treats PERM as the permissions attribute, on a destination that drops it (as exFAT drops a descriptor), said to keep permissions or not. */
async function fsOver(held: boolean): Promise<NodeFs> {
  const real = native!;
  const calls: XattrCalls = {
    read: (p) => real.read(p),
    set: (p, x) => (x.name === PERM && p.includes(`${path.sep}dst`) ? 0 : real.set(p, x)),
    remove: (p, raw) => real.remove(p, raw),
    has: (p, name) => real.has(p, name),
    permissions: { names: [PERM], heldIn: () => held },
  };
  return new NodeFs(MetaKeeper.over({ xattrs: calls, flags: null, copyMetadata: null, setTimes: await nativeSetTimesNs(), birthTimesHeld: null }, fsError));
}

let n = 0;
function tree(): string {
  const src = path.join(dir, `src-${++n}`);
  mkdirSync(path.join(src, 'sub'), { recursive: true });
  writeFileSync(path.join(src, 'sub', 'f'), 'data');
  expect(native!.set(path.join(src, 'sub', 'f'), attr('owner and DACL'))).toBe(0);
  return src;
}

describe('permissions on a volume that keeps none', () => {
  it('a volume that keeps permissions: the copy that lost them fails the verify', async (ctx) => {
    if (!native) return ctx.skip();
    const src = tree();
    const fs = await fsOver(true);
    const dst = path.join(dir, `dst-${n}`);
    await fs.copyTree(src, dst);
    await expect(fs.verify(src, dst, 'meta', false)).rejects.toThrow(/sub\/f: the extended attribute user\.relocate-test-permissions is missing in the copy/);
  });

  it('a volume that keeps none: not compared, everything else still is, and --verbose names the volume', async (ctx) => {
    if (!native) return ctx.skip();
    const src = tree();
    const fs = await fsOver(false);
    const dst = path.join(dir, `dst-${n}`);
    await fs.copyTree(src, dst);
    await fs.verify(src, dst, 'meta', false);
    expect(fs.keepNote).toContain(`the volume of ${dir} keeps no permission bits or owners`);
    // A lost byte is still a failure there.
    const fs2 = await fsOver(false);
    const dst2 = path.join(dir, `dst-${n}-2`);
    await fs2.copyTree(src, dst2);
    writeFileSync(path.join(dst2, 'sub', 'f'), 'dat');
    await expect(fs2.verify(src, dst2, 'meta', false)).rejects.toThrow(/sub\/f: size 4 vs 3/);
  });
});
