import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DARWIN, LINUX, darwinFlagOf, linuxFlagOf, nativeInodeFlags } from '../../src/platform/native/inode-flags.js';
import { chattr, loopReason, loopVolumeForFile } from '../helpers/loop-volume.js';

describe('inode flag decoding (every OS)', () => {
  it('reads immutable and append-only from a Linux stx_attributes word, immutable winning', () => {
    expect(linuxFlagOf(0n)).toBeUndefined();
    expect(linuxFlagOf(BigInt(LINUX.STATX_ATTR_IMMUTABLE))).toBe('immutable');
    expect(linuxFlagOf(BigInt(LINUX.STATX_ATTR_APPEND))).toBe('append-only');
    expect(linuxFlagOf(BigInt(LINUX.STATX_ATTR_APPEND | LINUX.STATX_ATTR_IMMUTABLE))).toBe('immutable');
    // compressed (0x4), nodump (0x40), encrypted (0x800): not a refusal
    expect(linuxFlagOf(0x4n | 0x40n | 0x800n)).toBeUndefined();
  });

  it('reads user and system flags from a macOS st_flags word at its offset in struct stat', () => {
    expect(darwinFlagOf(0)).toBeUndefined();
    expect(darwinFlagOf(DARWIN.UF_IMMUTABLE)).toBe('immutable');
    expect(darwinFlagOf(DARWIN.SF_IMMUTABLE)).toBe('immutable');
    expect(darwinFlagOf(DARWIN.UF_APPEND)).toBe('append-only');
    expect(darwinFlagOf(DARWIN.SF_APPEND | DARWIN.UF_IMMUTABLE)).toBe('immutable');
    // UF_HIDDEN (0x8000), UF_NODUMP (0x1): not a refusal
    expect(darwinFlagOf(0x8000 | 0x1)).toBeUndefined();
    // struct stat (64-bit inodes): st_blksize is an int32 at 112, st_flags follows, st_gen after it.
    const buf = Buffer.alloc(DARWIN.STAT_SIZE);
    buf.writeInt32LE(4096, 112);
    buf.writeUInt32LE(DARWIN.UF_IMMUTABLE, DARWIN.FLAGS_OFFSET);
    buf.writeUInt32LE(0xffffffff, 120);
    expect(darwinFlagOf(buf.readUInt32LE(DARWIN.FLAGS_OFFSET))).toBe('immutable');
  });
});

const reason = loopReason();
if (reason) console.log(`[skip] inode flags on ext4: ${reason}`);

describe.skipIf(reason !== undefined)('inode flags read by statx on a loop-mounted ext4 volume', () => {
  const vol = loopVolumeForFile('flags');

  it('tells immutable, append-only and plain files and folders apart, without following links', async () => {
    const read = await nativeInodeFlags();
    expect(read).not.toBeNull();
    const d = path.join(vol(), 'probe');
    mkdirSync(d);
    for (const n of ['imm', 'app', 'plain']) writeFileSync(path.join(d, n), n);
    mkdirSync(path.join(d, 'dir'));
    symlinkSync('imm', path.join(d, 'link-to-imm'));
    chattr('+i', path.join(d, 'imm'));
    chattr('+a', path.join(d, 'app'));
    chattr('+i', path.join(d, 'dir'));
    try {
      expect(read!(path.join(d, 'imm'))).toBe('immutable');
      expect(read!(path.join(d, 'app'))).toBe('append-only');
      expect(read!(path.join(d, 'dir'))).toBe('immutable');
      expect(read!(path.join(d, 'plain'))).toBeUndefined();
      expect(read!(path.join(d, 'link-to-imm'))).toBeUndefined();
      expect(read!(path.join(d, 'missing'))).toBeUndefined();
    } finally {
      chattr('-i', path.join(d, 'imm'));
      chattr('-a', path.join(d, 'app'));
      chattr('-i', path.join(d, 'dir'));
    }
  });
});
