/** The one FAT-family list (core/name-rules.ts), asked by names, link kinds, doctor and the junction finding. */
import { describe, expect, it } from 'vitest';
import { isFatFamily, nameLimitsOf } from '../../src/core/name-rules.js';
import { untestedHolds } from '../../src/usecase/link-needs.js';

describe('isFatFamily', () => {
  it('knows the FAT family by any spelling the mount table or Windows gives, and nothing else', () => {
    for (const fs of ['vfat', 'msdos', 'fat', 'FAT', 'fat12', 'FAT16', 'FAT32', 'exfat', 'exFAT']) expect(isFatFamily(fs), fs).toBe(true);
    for (const fs of ['ntfs', 'NTFS', 'ext4', 'refs', 'apfs', 'fatx', '', undefined]) expect(isFatFamily(fs), String(fs)).toBe(false);
  });

  it("its users agree: FAT16 holds no link (doctor) and refuses Windows' reserved names", () => {
    expect(untestedHolds('FAT16')).toEqual({ symlinks: false, hardlinks: false, junctions: false });
    expect(nameLimitsOf('FAT16', 'linux').windowsNames).toBe('refuse');
    expect(untestedHolds('ext4')).toBeUndefined();
  });
});
