/**
 * Issue 15, Windows, on any OS: what an attribute word means (kept bits,
 * refusals), the FindFirstStreamW/FindNextStreamW records, the robocopy
 * privilege decision, FILETIME arithmetic, and the Windows keeper's calls
 * (keep-meta-win.ts) over a fake `Win32` that answers as Windows documents.
 * Stream paths `file:name` are ordinary file names on Linux and macOS, so
 * the keeper's stream reads and writes run for real here. The real calls
 * are tested under Wine (wine.test.ts) and on Windows (keep-win.test.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FIND_STREAM_DATA_SIZE,
  FileAttribute,
  INVALID_FILE_ATTRIBUTES,
  attributesToKeep,
  decodeFindStreamData,
  refusalOf,
  securityCopyFor,
  setAttributesWord,
  streamNameOf,
  windowsAttributeLabel,
} from '../../src/platform/windows/file-attributes.js';
import { errnoOfWin32, fileTimeOf, windowsSetTimes, windowsXattrCalls } from '../../src/platform/windows/keep-meta-win.js';
import { backupRestoreHeld } from '../../src/platform/windows/privilege.js';
import { WinError, type Win32, type Win32Raw } from '../../src/platform/windows/win32.js';
import { MetaKeeper } from '../../src/platform/keep-meta.js';
import { fsError } from '../../src/platform/node-fs.js';

const A = FileAttribute;

function fakeWin32(raw: Partial<Win32Raw>, state: { lastError: number } = { lastError: 0 }): Win32 {
  return {
    raw: { GetLastError: () => state.lastError, CloseHandle: () => 1, FindClose: () => 1, ...raw } as Win32Raw,
    koffi: undefined as never,
    lastError: () => state.lastError,
    badHandle: (h) => h === null || h === 0n || h === -1n,
  };
}

/** A WIN32_FIND_STREAM_DATA record as FindFirstStreamW fills it. */
function streamRecord(buf: Buffer, name: string, size: bigint): void {
  buf.fill(0);
  buf.writeBigInt64LE(size, 0);
  buf.write(name, 8, 'utf16le');
}

describe('attribute words: what is refused at plan time', () => {
  it('cloud placeholders: RECALL_ON_DATA_ACCESS, RECALL_ON_OPEN and OFFLINE each refuse, with or without other bits', () => {
    expect(refusalOf(A.RECALL_ON_DATA_ACCESS)).toBe('cloud-placeholder');
    expect(refusalOf(A.RECALL_ON_OPEN | A.DIRECTORY)).toBe('cloud-placeholder');
    expect(refusalOf(A.OFFLINE | A.ARCHIVE)).toBe('cloud-placeholder');
    // OneDrive's "online-only" file as Windows reports it: 0x00501620 (RECALL_ON_DATA_ACCESS, UNPINNED, OFFLINE, REPARSE_POINT, ARCHIVE, SPARSE).
    expect(refusalOf(0x00501620)).toBe('cloud-placeholder');
  });
  it('EFS: ENCRYPTED refuses; a placeholder that is also encrypted is named as a placeholder', () => {
    expect(refusalOf(A.ENCRYPTED | A.ARCHIVE)).toBe('encrypted');
    expect(refusalOf(A.ENCRYPTED | A.OFFLINE)).toBe('cloud-placeholder');
  });
  it('ordinary, hidden, system, read-only, compressed files and an unreadable word are not refused', () => {
    for (const w of [A.ARCHIVE, A.HIDDEN | A.SYSTEM | A.READONLY, A.COMPRESSED, A.DIRECTORY, A.NORMAL, INVALID_FILE_ATTRIBUTES])
      expect(refusalOf(w)).toBeUndefined();
  });
});

describe('attribute words: what the copy keeps', () => {
  it('keeps hidden, system, read-only, archive, not-content-indexed and compressed; nothing else', () => {
    const all = A.READONLY | A.HIDDEN | A.SYSTEM | A.ARCHIVE | A.NOT_CONTENT_INDEXED | A.COMPRESSED;
    expect(attributesToKeep(all | A.NORMAL | 0x100 /* TEMPORARY */ | 0x200 /* SPARSE */, false)).toBe(all);
    expect(attributesToKeep(A.HIDDEN | A.ARCHIVE, false)).toBe(A.HIDDEN | A.ARCHIVE);
    expect(attributesToKeep(A.DIRECTORY | A.SYSTEM | A.READONLY, true)).toBe(A.SYSTEM | A.READONLY);
  });
  it('records nothing where a new node gets the same by itself: a file with ARCHIVE alone, a folder with nothing', () => {
    expect(attributesToKeep(A.ARCHIVE, false)).toBeUndefined();
    expect(attributesToKeep(A.DIRECTORY, true)).toBeUndefined();
    // A file without ARCHIVE (backed up) is recorded: its copy must lose the bit CopyFileW gives it.
    expect(attributesToKeep(A.NORMAL, false)).toBe(0);
  });
  it('never records anything of a link (reparse point) or an unreadable word', () => {
    expect(attributesToKeep(A.REPARSE_POINT | A.HIDDEN, false)).toBeUndefined();
    expect(attributesToKeep(INVALID_FILE_ATTRIBUTES, false)).toBeUndefined();
  });
  it('SetFileAttributesW gets the kept bits, or NORMAL alone for none (never COMPRESSED, which it ignores)', () => {
    expect(setAttributesWord(A.HIDDEN | A.COMPRESSED)).toBe(A.HIDDEN);
    expect(setAttributesWord(0)).toBe(A.NORMAL);
    expect(setAttributesWord(A.COMPRESSED)).toBe(A.NORMAL);
  });
  it("labels say what was lost, for the verify's message", () => {
    expect(windowsAttributeLabel('win.stream:Zone.Identifier')).toBe('the alternate data stream Zone.Identifier');
    expect(windowsAttributeLabel('win.attributes')).toContain('hidden');
    expect(windowsAttributeLabel('win.security')).toContain('permissions');
  });
});

describe('FindFirstStreamW / FindNextStreamW records', () => {
  it("decodes size and name, and tells alternate streams from the file's own data", () => {
    const buf = Buffer.alloc(FIND_STREAM_DATA_SIZE);
    streamRecord(buf, ':Zone.Identifier:$DATA', 26n);
    expect(decodeFindStreamData(buf)).toEqual({ size: 26n, name: ':Zone.Identifier:$DATA' });
    expect(streamNameOf(':Zone.Identifier:$DATA')).toBe('Zone.Identifier');
    expect(streamNameOf('::$DATA')).toBeUndefined();
    expect(streamNameOf(':käse ünd:$data')).toBe('käse ünd');
    expect(streamNameOf(':x:$INDEX_ALLOCATION')).toBeUndefined();
  });
  it('a name of the full MAX_PATH + 36 characters is read to its end', () => {
    const buf = Buffer.alloc(FIND_STREAM_DATA_SIZE);
    const long = `:${'s'.repeat(260 + 36 - 8)}:$DATA`;
    streamRecord(buf, long, 1n);
    expect(decodeFindStreamData(buf).name).toBe(long);
  });
});

describe("owners and permissions: robocopy's decision", () => {
  it('copies owner and DACL only with both SeBackupPrivilege and SeRestorePrivilege', () => {
    expect(securityCopyFor({ backup: true, restore: true })).toBe('owner-dacl');
    expect(securityCopyFor({ backup: true, restore: false })).toBe('none');
    expect(securityCopyFor({ backup: false, restore: true })).toBe('none');
    expect(securityCopyFor({ backup: false, restore: false })).toBe('none');
  });
  it('reads the privileges from the token (LUIDs 17 and 18 when the lookup table lacks the names)', () => {
    const token = (luids: number[]) => {
      const b = Buffer.alloc(4 + luids.length * 12);
      b.writeUInt32LE(luids.length, 0);
      luids.forEach((l, i) => b.writeUInt32LE(l, 4 + i * 12));
      return b;
    };
    for (const [luids, want] of [
      [[17, 18, 23], { backup: true, restore: true }],
      [[23, 35], { backup: false, restore: false }],
      [[18], { backup: false, restore: true }],
    ] as const) {
      const info = token([...luids]);
      const w = fakeWin32({
        GetCurrentProcess: () => -1n,
        OpenProcessToken: (_p, _a, t) => ((t[0] = 5n), 1),
        GetTokenInformation: (_t, _c, out, _l, ret) => {
          ret[0] = info.length;
          if (out) info.copy(out);
          return out ? 1 : 0;
        },
        LookupPrivilegeValueW: () => 0,
      });
      expect(backupRestoreHeld(w)).toEqual(want);
    }
  });
});

describe('FILETIME and errors', () => {
  it('a time in ns becomes 100 ns units since 1601, truncated (and floored before 1970)', () => {
    expect(fileTimeOf(0n).readBigUInt64LE(0)).toBe(116444736000000000n);
    expect(fileTimeOf(1_700_000_000_123_456_789n).readBigUInt64LE(0)).toBe(116444736000000000n + 17_000_000_001_234_567n);
    expect(fileTimeOf(-150n).readBigUInt64LE(0)).toBe(116444736000000000n - 2n);
  });
  it('Win32 errors become the errnos the keeper acts on: access denied is retried, unsupported says the destination cannot hold it', () => {
    expect(errnoOfWin32(WinError.ACCESS_DENIED)).toBe(13);
    expect(errnoOfWin32(WinError.NOT_SUPPORTED)).toBe(95);
    expect(errnoOfWin32(WinError.INVALID_PARAMETER)).toBe(95);
    expect(errnoOfWin32(WinError.DISK_FULL)).toBe(28);
    expect(errnoOfWin32(WinError.PRIVILEGE_NOT_HELD)).toBe(1);
  });
});

describe('the Windows keeper over a fake Win32 (streams are real files named `file:stream` here)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-keepwin-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A fake file system of attribute words and stream names; streams' bytes live in `file:name` files. */
  function fakeDisk(words: Map<string, number>, streams: Map<string, string[]>, sd?: Buffer, volume = { fsName: 'NTFS', flags: 0x0000000a }) {
    const state = { lastError: 0 };
    const calls: string[] = [];
    let listing: string[] = [];
    const w = fakeWin32(
      {
        GetFileAttributesW: (p) => words.get(p) ?? ((state.lastError = WinError.FILE_NOT_FOUND), INVALID_FILE_ATTRIBUTES),
        SetFileAttributesW: (p, a) => (
          calls.push(`attrs ${p} ${a}`),
          words.set(p, ((words.get(p) ?? 0) & (A.DIRECTORY | A.COMPRESSED)) | (a === A.NORMAL ? 0 : a)),
          1
        ),
        FindFirstStreamW: (p, _l, buf) => {
          listing = ['::$DATA', ...(streams.get(p) ?? []).map((s) => `:${s}:$DATA`)];
          streamRecord(buf, listing.shift()!, 0n);
          return 7n;
        },
        FindNextStreamW: (_h, buf) => {
          const next = listing.shift();
          if (next === undefined) return ((state.lastError = WinError.HANDLE_EOF), 0);
          streamRecord(buf, next, 0n);
          return 1;
        },
        GetFileSecurityW: (_p, _i, out, len, needed) => {
          needed[0] = sd!.length;
          if (!out || len < sd!.length) return ((state.lastError = WinError.INSUFFICIENT_BUFFER), 0);
          sd!.copy(out);
          return 1;
        },
        SetFileSecurityW: (p) => (calls.push(`security ${p}`), 1),
        GetVolumePathNameW: (_p, out) => (out.write('X:\\\0', 'utf16le'), calls.push('volume'), 1),
        GetDriveTypeW: () => 2,
        GetVolumeInformationW: (_root, _label, _n, serial, _max, flags, fsName) => (
          (serial[0] = 7),
          (flags[0] = volume.flags),
          fsName.write(`${volume.fsName}\0`, 'utf16le'),
          1
        ),
        GetDiskFreeSpaceExW: () => 0,
        DeleteFileW: (p) => (calls.push(`delete ${p}`), 1),
        CreateFileW: () => 9n,
        SetFileTime: (_h, c, a, m) => (calls.push(`times ${c === null ? 'null' : c.readBigUInt64LE(0)} ${a?.readBigUInt64LE(0)} ${m?.readBigUInt64LE(0)}`), 1),
      },
      state,
    );
    return { w, calls };
  }

  it("reads streams (sorted), then the descriptor when kept, then the attribute word; the file's own data is not a stream", () => {
    const f = path.join(dir, 'a.txt');
    writeFileSync(f, 'data');
    writeFileSync(`${f}:Zone.Identifier`, '[ZoneTransfer]\r\nZoneId=3');
    writeFileSync(`${f}:b`, 'bee');
    const sd = Buffer.from('0100048014000000', 'hex');
    const { w } = fakeDisk(new Map([[f, A.HIDDEN | A.ARCHIVE]]), new Map([[f, ['b', 'Zone.Identifier']]]), sd);
    const got = windowsXattrCalls(w, 'owner-dacl').read(f);
    expect(Array.isArray(got)).toBe(true);
    const list = got as { name: string; value: Buffer }[];
    expect(list.map((x) => x.name)).toEqual(['win.stream:Zone.Identifier', 'win.stream:b', 'win.security', 'win.attributes']);
    expect(list[0]!.value.toString()).toBe('[ZoneTransfer]\r\nZoneId=3');
    expect(list[2]!.value).toEqual(sd);
    expect(list[3]!.value.readUInt32LE(0)).toBe(A.HIDDEN | A.ARCHIVE);
    // Without the privileges (robocopy /COPY:DAT) the descriptor is neither read nor kept.
    expect((windowsXattrCalls(w, 'none').read(f) as { name: string }[]).map((x) => x.name)).not.toContain('win.security');
  });

  it('a plain file has nothing to keep; a link (reparse point) is never read through', () => {
    const f = path.join(dir, 'plain.txt');
    writeFileSync(f, 'x');
    const { w } = fakeDisk(
      new Map([
        [f, A.ARCHIVE],
        [`${f}-link`, A.REPARSE_POINT | A.HIDDEN],
      ]),
      new Map([[`${f}-link`, ['s']]]),
    );
    expect(windowsXattrCalls(w, 'none').read(f)).toEqual([]);
    expect(windowsXattrCalls(w, 'none').read(`${f}-link`)).toEqual([]);
  });

  it('sets streams as `path:name`, the word through SetFileAttributesW, and removes a stream with DeleteFileW', () => {
    const d = path.join(dir, 'copy.txt');
    writeFileSync(d, 'data');
    const { w, calls } = fakeDisk(new Map([[d, A.ARCHIVE]]), new Map());
    const keep = windowsXattrCalls(w, 'none');
    expect(keep.set(d, { name: 'win.stream:Zone.Identifier', raw: Buffer.from('win.stream:Zone.Identifier\0'), value: Buffer.from('zone') })).toBe(0);
    expect(readFileSync(`${d}:Zone.Identifier`, 'utf8')).toBe('zone');
    const word = Buffer.alloc(4);
    word.writeUInt32LE(A.HIDDEN | A.SYSTEM | A.READONLY);
    expect(keep.set(d, { name: 'win.attributes', raw: Buffer.from('win.attributes\0'), value: word })).toBe(0);
    expect(calls).toContain(`attrs ${d} ${A.HIDDEN | A.SYSTEM | A.READONLY}`);
    expect(keep.remove(d, Buffer.from('win.stream:old\0'))).toBe(0);
    expect(calls).toContain(`delete ${d}:old`);
  });

  it('sets times to the 100 ns through SetFileTime: the creation time with them when given (robocopy /COPY:T), else left alone', () => {
    const { w, calls } = fakeDisk(new Map(), new Map());
    const set = windowsSetTimes(w);
    const at = 116444736000000000n + 10_000_000_000_000_001n;
    const mt = 116444736000000000n + 17_000_000_001_234_567n;
    expect(set('C:\\x', 1_000_000_000_000_000_100n, 1_700_000_000_123_456_700n, 1_500_000_000_987_654_321n)).toBe(0);
    // 100 ns units since 1601, truncated like the others.
    expect(calls).toEqual([`times ${116444736000000000n + 15_000_000_009_876_543n} ${at} ${mt}`]);
    // A snapshot of an older journal, or a folder that stayed where it was: NULL, which SetFileTime leaves as it is.
    expect(set('C:\\x', 1_000_000_000_000_000_100n, 1_700_000_000_123_456_700n)).toBe(0);
    expect(set('C:\\x', 1_000_000_000_000_000_100n, 1_700_000_000_123_456_700n, null)).toBe(0);
    expect(calls.slice(1)).toEqual([`times null ${at} ${mt}`, `times null ${at} ${mt}`]);
  });

  it("a stream the destination refuses (exFAT holds none) fails the copy with E_CANNOT_KEEP in Windows' words, not Linux's", () => {
    const f = path.join(dir, 'refused.txt');
    writeFileSync(f, 'data');
    const refusing = (errno: number) => ({ read: () => [], set: () => errno, remove: () => 0, has: () => false });
    const made = { owner: { uid: process.geteuid?.() ?? 0, gid: process.getegid?.() ?? 0 }, mustChmod: false, stripAcl: false, stripFlags: false };
    const attr = (name: string) => ({ name, raw: Buffer.from(`${name}\0`), value: Buffer.from('x') });
    const meta = (name: string) => ({
      kind: 'file' as const,
      mode: 0o644,
      uid: made.owner.uid,
      gid: made.owner.gid,
      atimeNs: 1n,
      mtimeNs: 2n,
      flags: null,
      xattrs: [attr(name)],
    });
    const failure = (errno: number, name: string) => {
      const k = MetaKeeper.over({ xattrs: refusing(errno), flags: null, copyMetadata: null, setTimes: null, birthTimesHeld: null }, fsError);
      try {
        k.apply(f, meta(name), made);
      } catch (err) {
        return err as { code: string; message: string; hint?: string };
      }
      throw new Error('the copy was not refused');
    };
    const stream = failure(22 /* EINVAL */, 'win.stream:Zone.Identifier');
    expect(stream.code).toBe('E_CANNOT_KEEP');
    expect(stream.message).toContain('Zone.Identifier');
    expect(stream.hint).toContain('NTFS');
    expect(`${stream.message} ${stream.hint}`).not.toMatch(/root|security\.\*/);
    expect(stream.hint).toContain('hold no alternate data streams');
    const descriptor = failure(13 /* EACCES */, 'win.security');
    expect(`${descriptor.message} ${descriptor.hint}`).not.toMatch(/root|security\.\*|streams/);
    // A Linux attribute keeps Linux's words.
    const linux = failure(13, 'trusted.x');
    expect(`${linux.message} ${linux.hint}`).toMatch(/root/);
  });

  it('the descriptor is set on a volume that keeps ACLs, and neither set nor compared on one that keeps none (exFAT, FAT)', () => {
    const d = path.join(dir, 'sd-copy.txt');
    writeFileSync(d, 'data');
    const sd = { name: 'win.security', raw: Buffer.from('win.security\0'), value: Buffer.from('0100048014000000', 'hex') };
    const other = { ...sd, value: Buffer.from('0100049014000000', 'hex') };
    const meta = (x: typeof sd) => ({ kind: 'file' as const, mode: 0o644, uid: 0, gid: 0, atimeNs: 1n, mtimeNs: 2n, flags: null, xattrs: [x] });
    const none = { xattrs: () => [], flags: () => null };

    const ntfs = fakeDisk(new Map([[d, A.ARCHIVE]]), new Map(), undefined, { fsName: 'NTFS', flags: 0x0000000a /* CASE_PRESERVED_NAMES, PERSISTENT_ACLS */ });
    const onNtfs = windowsXattrCalls(ntfs.w, 'owner-dacl');
    expect(onNtfs.set(d, sd)).toBe(0);
    expect(ntfs.calls).toContain(`security ${d}`);
    const kNtfs = MetaKeeper.over({ xattrs: onNtfs, flags: null, copyMetadata: null, setTimes: null, birthTimesHeld: null }, fsError);
    expect(kNtfs.permissionsHeldIn(dir)).toBe(true);
    expect(kNtfs.lost(meta(sd), meta(other), none, 1n, false, true)).toBe('the owner and permissions (security descriptor) differs');

    const exfat = fakeDisk(new Map([[d, A.ARCHIVE]]), new Map(), undefined, { fsName: 'exFAT', flags: 0x00000006 /* CASE_PRESERVED_NAMES, UNICODE_ON_DISK */ });
    const onExfat = windowsXattrCalls(exfat.w, 'owner-dacl');
    expect(onExfat.set(d, sd)).toBe(0);
    expect(exfat.calls.filter((c) => c.startsWith('security'))).toEqual([]);
    const kExfat = MetaKeeper.over({ xattrs: onExfat, flags: null, copyMetadata: null, setTimes: null, birthTimesHeld: null }, fsError);
    expect(kExfat.permissionsHeldIn(dir)).toBe(false);
    expect(kExfat.lost(meta(sd), meta(other), none, 1n, false, false)).toBeUndefined();
    // Asked once per folder.
    expect(exfat.calls.filter((c) => c === 'volume')).toEqual(['volume']);
    // Streams and attributes are still compared there.
    const stream = { name: 'win.stream:s', raw: Buffer.from('win.stream:s\0'), value: Buffer.from('s') };
    expect(kExfat.lost({ ...meta(sd), xattrs: [sd, stream] }, meta(other), none, 1n, false, false)).toMatch(/stream/);
  });

  it('a folder with streams: read like a file, recorded attributes only where a new folder lacks them', () => {
    const d = path.join(dir, 'folder');
    mkdirSync(d);
    writeFileSync(`${d}:meta`, 'm');
    const { w } = fakeDisk(new Map([[d, A.DIRECTORY | A.READONLY]]), new Map([[d, ['meta']]]));
    expect((windowsXattrCalls(w, 'none').read(d) as { name: string }[]).map((x) => x.name)).toEqual(['win.stream:meta', 'win.attributes']);
  });
});
