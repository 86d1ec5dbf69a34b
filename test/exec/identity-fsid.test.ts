/**
 * Identities across a reboot (found by the power-cut harness, issue 16):
 * a volume that comes back under another device number — every btrfs
 * mount takes a new anonymous device, a loop device or USB disk may be
 * enumerated in another order — made resume and rollback stop with E_DRIFT
 * on relocate's own copies. An identity now carries the file system's
 * statfs f_fsid where it has one, and two identities are the same thing
 * when the inode and the fsid agree, whatever the device number.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { differs, identityOf, sameIdentity } from '../../src/exec/identity.js';
import { nativeFsid } from '../../src/platform/native/fsid.js';
import { NodeFs } from '../../src/platform/node-fs.js';

describe('sameIdentity', () => {
  it('the same inode under another device number is the same thing when both know the same fsid', () => {
    expect(sameIdentity('2049:131074:2989d86.a656720c', '2049:131074:2989d86.a656720c')).toBe(true);
    expect(sameIdentity('45:256:9a1f.77', '51:256:9a1f.77')).toBe(true);
  });

  it('another fsid, another inode, or another device where an fsid is unknown is another thing', () => {
    expect(sameIdentity('45:256:9a1f.77', '45:256:9a1f.78'), 'btrfs: another subvolume, same inode number').toBe(false);
    expect(sameIdentity('45:256:9a1f.77', '45:257:9a1f.77')).toBe(false);
    expect(sameIdentity('45:256', '51:256'), 'journals from before fsids: the device decides').toBe(false);
    expect(sameIdentity('45:256', '51:256:9a1f.77')).toBe(false);
    expect(sameIdentity('45:256', '45:256:9a1f.77'), 'an old record of the same device and inode').toBe(true);
  });

  it('differs: a node whose device changed but whose fsid and inode did not is not a mismatch; null (nothing was there) always is', () => {
    const n = { kind: 'dir' as const, dev: '51', ino: '256', fsid: '9a1f.77' };
    expect(identityOf(n)).toBe('51:256:9a1f.77');
    expect(differs(n, '45:256:9a1f.77')).toBe(false);
    expect(differs(n, '45:256:9a1f.78')).toBe(true);
    expect(differs(n, null)).toBe(true);
    expect(differs(n, undefined)).toBe(false);
  });
});

describe.skipIf(process.platform !== 'linux')('NodeFs.lstat carries the fsid on Linux with the native layer', () => {
  it('an ext4/tmpfs folder has one, the same as statfs gives for its parent', async () => {
    const fsid = await nativeFsid();
    if (!fsid) {
      console.warn('test/exec/identity-fsid: no native statfs here (no koffi or RELOCATE_NATIVE=0); identities carry no fsid');
      return;
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-fsid-'));
    try {
      const n = await new NodeFs().lstat(dir);
      expect(n?.fsid).toMatch(/^[0-9a-f]+\.[0-9a-f]+$/);
      expect(n?.fsid).toBe(fsid(path.dirname(dir)));
      expect(identityOf(n!)).toBe(`${n!.dev}:${n!.ino}:${n!.fsid}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
