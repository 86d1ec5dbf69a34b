/**
 * The logic around the Win32 calls, on any OS: the calls are replaced by a
 * fake `Win32` that answers as Windows documents, so decoding (reparse
 * data, volume flags, token privileges, RM_PROCESS_INFO records), the
 * Restart Manager's halving search and the rename retries are tested here;
 * the real calls are tested under Wine (wine.test.ts) and on Windows
 * (junctions.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { RETRY_DELAYS_MS, errnoOfWinError, moveNoReplaceWithRetry } from '../../src/platform/windows/move.js';
import { holdsSymlinkPrivilege, symlinkPermission, tokenPrivileges } from '../../src/platform/windows/privilege.js';
import { IO_REPARSE_TAG_MOUNT_POINT, IO_REPARSE_TAG_SYMLINK, kindOfTag, parseReparseData } from '../../src/platform/windows/reparse.js';
import { RM_PROCESS_INFO_SIZE, filesInUse, processesUsing } from '../../src/platform/windows/restart-manager.js';
import {
  DRIVE_CDROM,
  DRIVE_FIXED,
  DRIVE_NO_ROOT_DIR,
  DRIVE_REMOTE,
  FILE_READ_ONLY_VOLUME,
  FILE_SUPPORTS_HARD_LINKS,
  FILE_SUPPORTS_REPARSE_POINTS,
  toVolumeInfo,
  type RawVolumeFacts,
} from '../../src/platform/windows/volume.js';
import { WinError, stripLongPrefix, utf16z, win32Path, type Win32, type Win32Raw } from '../../src/platform/windows/win32.js';

/** A Win32 whose raw functions are the given fakes; GetLastError answers what the fake set last. */
function fakeWin32(raw: Partial<Win32Raw>, state: { lastError: number } = { lastError: 0 }): Win32 {
  return {
    raw: { GetLastError: () => state.lastError, CloseHandle: () => 1, ...raw } as Win32Raw,
    koffi: undefined as never,
    lastError: () => state.lastError,
    badHandle: (h) => h === null || h === 0n || h === -1n,
  };
}

function reparseBuffer(tag: number, substitute: string, print: string, symlinkFlags?: number): Buffer {
  const sub = Buffer.from(substitute, 'utf16le');
  const pr = Buffer.from(print, 'utf16le');
  const head = symlinkFlags === undefined ? 16 : 20;
  const b = Buffer.alloc(head + sub.length + pr.length);
  b.writeUInt32LE(tag, 0);
  b.writeUInt16LE(b.length - 8, 4);
  b.writeUInt16LE(0, 8);
  b.writeUInt16LE(sub.length, 10);
  b.writeUInt16LE(sub.length, 12);
  b.writeUInt16LE(pr.length, 14);
  if (symlinkFlags !== undefined) b.writeUInt32LE(symlinkFlags, 16);
  sub.copy(b, head);
  pr.copy(b, head + sub.length);
  return b;
}

describe('reparse data (FSCTL_GET_REPARSE_POINT)', () => {
  it('a junction: its real target without the \\??\\ prefix', () => {
    expect(parseReparseData(reparseBuffer(IO_REPARSE_TAG_MOUNT_POINT, '\\??\\D:\\Games\\', 'D:\\Games\\'))).toEqual({
      tag: IO_REPARSE_TAG_MOUNT_POINT,
      kind: 'junction',
      target: 'D:\\Games\\',
      printName: 'D:\\Games\\',
      relative: false,
    });
  });

  it('an absolute symlink, a relative symlink (kept relative), a UNC symlink', () => {
    expect(parseReparseData(reparseBuffer(IO_REPARSE_TAG_SYMLINK, '\\??\\C:\\data', 'C:\\data', 0))).toMatchObject({
      kind: 'symlink',
      target: 'C:\\data',
      relative: false,
    });
    expect(parseReparseData(reparseBuffer(IO_REPARSE_TAG_SYMLINK, '..\\data', '..\\data', 1))).toMatchObject({
      kind: 'symlink',
      target: '..\\data',
      relative: true,
    });
    expect(parseReparseData(reparseBuffer(IO_REPARSE_TAG_SYMLINK, '\\??\\UNC\\nas\\share\\x', '\\\\nas\\share\\x', 0))).toMatchObject({
      target: '\\\\nas\\share\\x',
    });
  });

  it('any other tag is "other" (a cloud placeholder, an app alias), without a target', () => {
    const onedrive = 0x9000601a;
    const b = Buffer.alloc(8);
    b.writeUInt32LE(onedrive, 0);
    expect(parseReparseData(b)).toEqual({ tag: onedrive, kind: 'other' });
    expect(kindOfTag(0x8000001b)).toBe('other'); // IO_REPARSE_TAG_APPEXECLINK
  });
});

describe('volume facts (GetVolumeInformationW, GetDriveTypeW, GetDiskFreeSpaceExW)', () => {
  const base: RawVolumeFacts = { root: 'c:\\', label: '', serial: 1, flags: 0, fsName: '', driveType: DRIVE_FIXED, freeBytes: 5e9, totalBytes: 1e10 };
  const NTFS = FILE_SUPPORTS_REPARSE_POINTS | FILE_SUPPORTS_HARD_LINKS | 0x2 | 0x4;

  it('a local NTFS drive: junctions and hard links, writable, local; the id is the upper-cased volume path, the root as the OS says it', () => {
    expect(toVolumeInfo({ ...base, fsName: 'NTFS', flags: NTFS })).toEqual({
      id: 'C:\\',
      root: 'c:\\',
      freeBytes: 5e9,
      totalBytes: 1e10,
      remote: false,
      fsType: 'ntfs',
      readOnly: false,
      supportsReparsePoints: true,
      supportsHardLinks: true,
    });
  });

  it('FAT32 and exFAT hold no junctions (nor hard links), whatever else they say', () => {
    expect(toVolumeInfo({ ...base, root: 'F:\\', fsName: 'FAT32', flags: 0x2 })).toMatchObject({
      fsType: 'fat32',
      supportsReparsePoints: false,
      supportsHardLinks: false,
    });
    expect(toVolumeInfo({ ...base, root: 'G:\\', fsName: 'exFAT', flags: FILE_SUPPORTS_REPARSE_POINTS })).toMatchObject({
      fsType: 'exfat',
      supportsReparsePoints: false,
    });
  });

  it('a network drive is remote; a read-only volume or a CD is read-only', () => {
    expect(toVolumeInfo({ ...base, root: '\\\\nas\\share\\', fsName: 'NTFS', flags: NTFS, driveType: DRIVE_REMOTE })).toMatchObject({
      id: '\\\\NAS\\SHARE\\',
      remote: true,
    });
    expect(toVolumeInfo({ ...base, fsName: 'NTFS', flags: NTFS | FILE_READ_ONLY_VOLUME })).toMatchObject({ readOnly: true });
    expect(toVolumeInfo({ ...base, fsName: 'CDFS', flags: 0, driveType: DRIVE_CDROM })).toMatchObject({ readOnly: true, supportsReparsePoints: false });
  });

  it('what a call could not say is left out, never guessed', () => {
    const { freeBytes: _f, totalBytes: _t, ...noSpace } = base;
    expect(toVolumeInfo({ ...noSpace, driveType: DRIVE_NO_ROOT_DIR })).toEqual({ id: 'C:\\', root: 'c:\\' });
  });
});

describe('paths and strings for the wide functions', () => {
  it('long paths get \\\\?\\ (UNC: \\\\?\\UNC\\), short ones stay; results lose the prefix again', () => {
    const long = `C:\\${'x'.repeat(300)}`;
    expect(win32Path('C:\\short')).toBe('C:\\short');
    expect(win32Path(long)).toBe(`\\\\?\\${long}`);
    expect(win32Path(`\\\\nas\\share\\${'y'.repeat(300)}`)).toBe(`\\\\?\\UNC\\nas\\share\\${'y'.repeat(300)}`);
    expect(stripLongPrefix('\\\\?\\C:\\')).toBe('C:\\');
    expect(stripLongPrefix('\\\\?\\UNC\\nas\\share\\')).toBe('\\\\nas\\share\\');
  });

  it('utf16z stops at the first NUL character', () => {
    const b = Buffer.alloc(20);
    b.write('NTFS', 0, 'utf16le');
    expect(utf16z(b)).toBe('NTFS');
    expect(utf16z(b, 2, 4)).toBe('TF');
  });
});

describe('symlink permission (registry and token)', () => {
  /** A TOKEN_PRIVILEGES buffer listing these LUID low parts. */
  function tokenBuffer(lows: number[]): Buffer {
    const b = Buffer.alloc(4 + lows.length * 12);
    b.writeUInt32LE(lows.length, 0);
    lows.forEach((low, i) => {
      b.writeUInt32LE(low, 4 + i * 12);
      b.writeInt32LE(0, 8 + i * 12);
      b.writeUInt32LE(0, 12 + i * 12); // attributes: held but disabled still counts
    });
    return b;
  }
  function fake(opts: { devMode?: number; privileges: number[]; lookup?: boolean }): Win32 {
    const token = tokenBuffer(opts.privileges);
    return fakeWin32({
      RegGetValueW: (_hkey, _sub, _value, _flags, _type, data, bytes) => {
        if (opts.devMode === undefined) return WinError.FILE_NOT_FOUND;
        data.writeUInt32LE(opts.devMode, 0);
        bytes[0] = 4;
        return 0;
      },
      GetCurrentProcess: () => -1n,
      OpenProcessToken: (_p, _a, out) => {
        out[0] = 42n;
        return 1;
      },
      GetTokenInformation: (_t, _c, info, length, returned) => {
        returned[0] = token.length;
        if (!info || length < token.length) return 0;
        token.copy(info);
        return 1;
      },
      LookupPrivilegeValueW: (_s, name, luid) => {
        if (opts.lookup === false || name !== 'SeCreateSymbolicLinkPrivilege') return 0;
        luid.writeUInt32LE(35, 0);
        luid.writeInt32LE(0, 4);
        return 1;
      },
    });
  }

  it('Developer Mode on: permitted, whatever the token holds', () => {
    expect(symlinkPermission(fake({ devMode: 1, privileges: [] }))).toBe('developer-mode');
  });

  it('Developer Mode off or absent: the token decides (SeCreateSymbolicLinkPrivilege is LUID 35)', () => {
    expect(symlinkPermission(fake({ devMode: 0, privileges: [23, 35] }))).toBe('privilege');
    expect(symlinkPermission(fake({ privileges: [23, 17] }))).toBeNull();
    expect(tokenPrivileges(fake({ privileges: [23, 35] }))).toEqual(new Set(['0:23', '0:35']));
  });

  it('a system whose lookup table lacks the privilege name (Wine 8) still checks the well-known LUID', () => {
    expect(holdsSymlinkPrivilege(fake({ privileges: [35], lookup: false }))).toBe(true);
    expect(holdsSymlinkPrivilege(fake({ privileges: [17], lookup: false }))).toBe(false);
  });
});

describe('files in use (the Restart Manager)', () => {
  /** A fake Restart Manager: `holders` maps a file to the pids holding it. Counts sessions. */
  function fakeRm(holders: Record<string, number[]>, names: Record<number, string> = {}) {
    const sessions = new Map<number, Set<string>>();
    let next = 1;
    let started = 0;
    const w = fakeWin32({
      RmStartSession: (session) => {
        session[0] = next;
        sessions.set(next++, new Set());
        started++;
        return 0;
      },
      RmRegisterResources: (h, n, files) => {
        for (const f of (files ?? []).slice(0, n)) sessions.get(h)!.add(f);
        return 0;
      },
      RmGetList: (h, needed, count, apps) => {
        const pids = [...new Set([...sessions.get(h)!].flatMap((f) => holders[f] ?? []))];
        needed[0] = pids.length;
        if (pids.length > count[0]!) return WinError.MORE_DATA;
        count[0] = pids.length;
        pids.forEach((pid, i) => {
          apps!.writeUInt32LE(pid, i * RM_PROCESS_INFO_SIZE);
          apps!.write(`App ${pid}`, i * RM_PROCESS_INFO_SIZE + 12, 'utf16le');
          apps!.writeInt32LE(1000, i * RM_PROCESS_INFO_SIZE + 652);
        });
        return 0;
      },
      RmEndSession: (h) => {
        sessions.delete(h);
        return 0;
      },
      OpenProcess: (_a, _i, pid) => (names[pid] ? BigInt(pid) : 0n),
      QueryFullProcessImageNameW: (h, _f, out, chars) => {
        const full = `C:\\Program Files\\${names[Number(h)]}`;
        out.write(full, 0, 'utf16le');
        chars[0] = full.length;
        return 1;
      },
    });
    return { w, sessions: () => started, open: () => sessions.size };
  }

  const files = Array.from({ length: 1000 }, (_, i) => `C:\\Games\\f${i}.dat`);

  it('nothing in use: one session, nothing named', () => {
    const rm = fakeRm({});
    expect(filesInUse(rm.w, files, 'C:\\Games')).toEqual([]);
    expect(rm.sessions()).toBe(1);
    expect(rm.open()).toBe(0);
  });

  it('files in use are found by halving, named with the executable and pid; sessions are ended', () => {
    const rm = fakeRm({ 'C:\\Games\\f417.dat': [4242], 'C:\\Games\\f900.dat': [77, 4242] }, { 4242: 'Steam.exe' });
    const found = filesInUse(rm.w, files, 'C:\\Games');
    expect(found).toEqual(
      expect.arrayContaining([
        { file: 'C:\\Games\\f417.dat', process: 'Steam.exe', pid: 4242 },
        { file: 'C:\\Games\\f900.dat', process: 'Steam.exe', pid: 4242 },
        // No executable name to be had (another user's process): the Restart Manager's application name.
        { file: 'C:\\Games\\f900.dat', process: 'App 77', pid: 77 },
      ]),
    );
    expect(found).toHaveLength(3);
    expect(rm.sessions()).toBeLessThan(64);
    expect(rm.open()).toBe(0);
  });

  it('more processes than the first list holds: asked again with room for all', () => {
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`C:\\Games\\f${i}.dat`, [1000 + i]]));
    expect(processesUsing(fakeRm(many).w, files)).toHaveLength(40);
  });

  it('a search that runs out of sessions names the folder instead of guessing', () => {
    const spread = Object.fromEntries(files.filter((_, i) => i % 3 === 0).map((f, i) => [f, [2000 + i]]));
    const found = filesInUse(fakeRm(spread).w, files, 'C:\\Games');
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((u) => u.file === 'C:\\Games')).toBe(true);
  });
});

describe('the no-clobber rename (MoveFileExW)', () => {
  function fakeMove(errors: number[]) {
    const state = { lastError: 0 };
    let calls = 0;
    const w = fakeWin32(
      {
        MoveFileExW: (_from, _to, flags) => {
          expect(flags & 0x1).toBe(0); // never MOVEFILE_REPLACE_EXISTING
          expect(flags & 0x2).toBe(0); // never MOVEFILE_COPY_ALLOWED
          const e = errors[calls++];
          if (e === undefined) return 1;
          state.lastError = e;
          return 0;
        },
      },
      state,
    );
    return { w, calls: () => calls };
  }

  it('a sharing violation (antivirus) is retried until the rename goes through', async () => {
    const m = fakeMove([WinError.SHARING_VIOLATION, WinError.ACCESS_DENIED]);
    expect(await moveNoReplaceWithRetry(m.w, 'C:\\a', 'C:\\b', [1, 1, 1])).toEqual({ ok: true, attempts: 3 });
  });

  it('something at the destination fails at once, and never replaces it', async () => {
    const m = fakeMove([WinError.ALREADY_EXISTS]);
    expect(await moveNoReplaceWithRetry(m.w, 'C:\\a', 'C:\\b', [1, 1, 1])).toEqual({ ok: false, winError: WinError.ALREADY_EXISTS, attempts: 1 });
    expect(errnoOfWinError(WinError.ALREADY_EXISTS)).toBe('EEXIST');
    expect(errnoOfWinError(WinError.FILE_EXISTS)).toBe('EEXIST');
  });

  it('a lock that never goes away: the last error after every retry', async () => {
    const m = fakeMove(Array(10).fill(WinError.SHARING_VIOLATION));
    expect(await moveNoReplaceWithRetry(m.w, 'C:\\a', 'C:\\b', [1, 1])).toEqual({ ok: false, winError: WinError.SHARING_VIOLATION, attempts: 3 });
    expect(errnoOfWinError(WinError.SHARING_VIOLATION)).toBe('EBUSY');
    expect(errnoOfWinError(WinError.NOT_SAME_DEVICE)).toBe('EXDEV');
    expect(RETRY_DELAYS_MS.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5000);
  });
});
