// The FFI smoke suite: run by Windows' node.exe (under Wine in CI, see
// test/windows/wine.test.ts), it calls every Win32 binding of
// src/platform/windows through the built dist/ and prints one JSON document:
// { checks: [{ name, ok, detail }] }. The vitest side asserts each check.
//
// Usage: node.exe ffi-smoke.mjs APP_ROOT WORK_DIR_ON_C WORK_DIR_ON_E
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [appRoot, workC, workE] = process.argv.slice(2);
const load = (rel) => import(pathToFileURL(path.join(appRoot, 'dist', rel)).href);

const checks = [];
function check(name, fn) {
  try {
    const detail = fn();
    checks.push({ name, ok: true, detail: detail ?? null });
  } catch (err) {
    checks.push({ name, ok: false, detail: String(err && err.stack ? err.stack : err) });
  }
}
async function checkAsync(name, fn) {
  try {
    const detail = await fn();
    checks.push({ name, ok: true, detail: detail ?? null });
  } catch (err) {
    checks.push({ name, ok: false, detail: String(err && err.stack ? err.stack : err) });
  }
}
function assert(cond, what) {
  if (!cond) throw new Error(`assertion failed: ${what}`);
}

const { loadWin32, win32UnavailableReason, WinError } = await load('platform/windows/win32.js');
const volume = await load('platform/windows/volume.js');
const reparse = await load('platform/windows/reparse.js');
const move = await load('platform/windows/move.js');
const privilege = await load('platform/windows/privilege.js');
const rm = await load('platform/windows/restart-manager.js');

const w = await loadWin32();
check('koffi loads kernel32, advapi32 and rstrtmgr', () => {
  assert(w !== null, `loadWin32() returned null: ${win32UnavailableReason()}`);
  return { platform: process.platform, node: process.version };
});
if (!w) {
  console.log(JSON.stringify({ checks }));
  process.exit(0);
}

for (const dir of [workC, workE]) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

check('GetDriveTypeW: C: and E: are fixed drives', () => {
  const c = w.raw.GetDriveTypeW('C:\\');
  const e = w.raw.GetDriveTypeW('E:\\');
  assert(c === volume.DRIVE_FIXED, `C: drive type ${c}`);
  assert(e === volume.DRIVE_FIXED, `E: drive type ${e}`);
  assert(w.raw.GetDriveTypeW('Q:\\') === volume.DRIVE_NO_ROOT_DIR, 'an unmapped letter is DRIVE_NO_ROOT_DIR');
  return { c, e };
});

check('GetVolumePathNameW: the volume of a path on C: and on E:', () => {
  const c = volume.volumePathName(w, path.join(workC, 'not-yet', 'deeper'));
  const e = volume.volumePathName(w, workE);
  assert(c.toUpperCase() === 'C:\\', `C: path gives ${c}`);
  assert(e.toUpperCase() === 'E:\\', `E: path gives ${e}`);
  return { c, e };
});

check('GetVolumeInformationW and GetDiskFreeSpaceExW: file system name, flags, free space', () => {
  const c = volume.rawVolumeFacts(w, workC);
  const e = volume.rawVolumeFacts(w, workE);
  for (const f of [c, e]) {
    assert(f.fsName.length > 0, `no file system name for ${f.root}`);
    assert(Number.isInteger(f.flags) && f.flags > 0, `flags ${f.flags}`);
    assert(typeof f.freeBytes === 'number' && f.freeBytes > 0, `free ${f.freeBytes}`);
    assert(typeof f.totalBytes === 'number' && f.totalBytes >= f.freeBytes, `total ${f.totalBytes}`);
  }
  const vc = volume.toVolumeInfo(c);
  const ve = volume.toVolumeInfo(e);
  assert(vc.id !== ve.id, 'C: and E: have different volume ids');
  assert(vc.remote === false && vc.readOnly === false, 'C: is local and writable');
  return { c: { ...c, flagsHex: c.flags.toString(16) }, e: { ...e, flagsHex: e.flags.toString(16) }, infoC: vc, infoE: ve };
});

check('FindFirstFileW: a plain folder has no reparse tag (dwReserved0)', () => {
  const d = path.join(workC, 'plain');
  mkdirSync(d);
  const r = reparse.findDataTag(w, d);
  assert((r.attributes & reparse.FILE_ATTRIBUTE_DIRECTORY) !== 0, `attributes ${r.attributes}`);
  assert(r.reparseTag === 0, `tag ${r.reparseTag}`);
  assert(r.name === 'plain', `name ${r.name}`);
  return r;
});

check('DeviceIoControl(FSCTL_GET_REPARSE_POINT): a plain folder is not a reparse point', () => {
  const d = path.join(workC, 'plain');
  let result;
  try {
    result = reparse.readReparsePoint(w, d);
  } catch (err) {
    // Wine answers some FSCTLs with "not supported"; a coded failure is sane, a crash is not.
    assert(err instanceof reparse.Win32Error, `unexpected ${err}`);
    return { error: err.winError };
  }
  assert(result === null, `got ${JSON.stringify(result)}`);
  return { notAReparsePoint: true };
});

check('parseReparseData: a junction and a relative symlink buffer decode', () => {
  const mk = (tag, sub, print, symlink, flags = 0) => {
    const s = Buffer.from(sub, 'utf16le');
    const p = Buffer.from(print, 'utf16le');
    const head = symlink ? 20 : 16;
    const b = Buffer.alloc(head + s.length + p.length);
    b.writeUInt32LE(tag, 0);
    b.writeUInt16LE(b.length - 8, 4);
    b.writeUInt16LE(0, 8);
    b.writeUInt16LE(s.length, 10);
    b.writeUInt16LE(s.length, 12);
    b.writeUInt16LE(p.length, 14);
    if (symlink) b.writeUInt32LE(flags, 16);
    s.copy(b, head);
    p.copy(b, head + s.length);
    return b;
  };
  const j = reparse.parseReparseData(mk(reparse.IO_REPARSE_TAG_MOUNT_POINT, '\\??\\D:\\Games', 'D:\\Games', false));
  assert(j.kind === 'junction' && j.target === 'D:\\Games', JSON.stringify(j));
  const s = reparse.parseReparseData(mk(reparse.IO_REPARSE_TAG_SYMLINK, '..\\x', '..\\x', true, 1));
  assert(s.kind === 'symlink' && s.relative && s.target === '..\\x', JSON.stringify(s));
  return { j, s };
});

check('CreateHardLinkW and GetFileInformationByHandle: link count 2, one file index', () => {
  const a = path.join(workC, 'a.txt');
  const b = path.join(workC, 'b.txt');
  writeFileSync(a, 'hello');
  assert(w.raw.CreateHardLinkW(b, a, null) !== 0, `CreateHardLinkW failed: ${w.lastError()}`);
  const ia = reparse.fileIdentity(w, a);
  const ib = reparse.fileIdentity(w, b);
  assert(ia.links === 2 && ib.links === 2, `links ${ia.links}/${ib.links}`);
  assert(ia.index === ib.index, 'same file index');
  assert(readFileSync(b, 'utf8') === 'hello', 'same content');
  // A second hard link over an existing name fails.
  assert(w.raw.CreateHardLinkW(b, a, null) === 0, 'a hard link over an existing name must fail');
  const e = w.lastError();
  assert(e === WinError.ALREADY_EXISTS || e === WinError.FILE_EXISTS, `error ${e}`);
  return { links: ia.links, index: String(ia.index), errorOnExisting: e };
});

check('MoveFileExW without REPLACE_EXISTING: renames, then refuses to clobber', () => {
  const x = path.join(workC, 'x.txt');
  const y = path.join(workC, 'y.txt');
  writeFileSync(x, 'first');
  const r1 = move.moveFileNoReplace(w, x, y);
  assert(r1.ok, `first rename failed: ${JSON.stringify(r1)}`);
  writeFileSync(x, 'second');
  const r2 = move.moveFileNoReplace(w, x, y);
  assert(!r2.ok, 'the second rename onto an existing file must fail');
  assert(r2.winError === WinError.ALREADY_EXISTS || r2.winError === WinError.FILE_EXISTS, `error ${r2.winError}`);
  assert(readFileSync(y, 'utf8') === 'first', 'the destination is untouched');
  assert(readFileSync(x, 'utf8') === 'second', 'the source is still there');
  // A folder renames too.
  const d1 = path.join(workC, 'dir1');
  mkdirSync(path.join(d1, 'sub'), { recursive: true });
  assert(move.moveFileNoReplace(w, d1, path.join(workC, 'dir2')).ok, 'folder rename');
  return { clobberError: r2.winError };
});

await checkAsync('NodeFs.renameNoReplace uses MoveFileExW (no fallback) and refuses to clobber with E_EXISTS', async () => {
  const { NodeFs } = await load('platform/node-fs.js');
  const fs = new NodeFs();
  const a = path.join(workC, 'n1.txt');
  const b = path.join(workC, 'n2.txt');
  writeFileSync(a, '1');
  await fs.renameNoReplace(a, b);
  writeFileSync(a, '2');
  let code;
  try {
    await fs.renameNoReplace(a, b);
  } catch (err) {
    code = err.code;
  }
  assert(code === 'E_EXISTS', `code ${code}`);
  assert(fs.fallbackNote === undefined, `fallback taken: ${fs.fallbackNote}`);
  assert(readFileSync(b, 'utf8') === '1', 'destination untouched');
  return { code };
});

check('Restart Manager: RmStartSession, RmRegisterResources, RmGetList, RmEndSession round trip', () => {
  const f = path.join(workC, 'held.txt');
  writeFileSync(f, 'held');
  const fd = openSync(f, 'r');
  try {
    const procs = rm.processesUsing(w, [f, path.join(workC, 'a.txt')]);
    assert(Array.isArray(procs), 'a list');
    for (const p of procs) assert(Number.isInteger(p.pid) && p.pid > 0, `pid ${p.pid}`);
    const named = rm.filesInUse(w, [f], workC);
    // Windows names this very process; Wine's Restart Manager is a stub that names nobody.
    const self = named.find((u) => u.pid === process.pid);
    return { processes: procs, named, selfListed: Boolean(self) };
  } finally {
    closeSync(fd);
  }
});

check('QueryFullProcessImageNameW: this process is node.exe', () => {
  const name = rm.processImageName(w, process.pid);
  assert(typeof name === 'string' && name.toLowerCase() === 'node.exe', `name ${name}`);
  return { name };
});

check('RegGetValueW, LookupPrivilegeValueW, OpenProcessToken, GetTokenInformation: symlink permission', () => {
  const dev = privilege.readHklmDword(w, privilege.DEV_MODE_KEY, privilege.DEV_MODE_VALUE);
  assert(dev.status === 0 || dev.status === WinError.FILE_NOT_FOUND, `RegGetValueW status ${dev.status}`);
  const cur = privilege.readHklmDword(w, 'SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion', 'CurrentMajorVersionNumber');
  // Every Windows knows this one; Wine 8's table stops before SeCreateSymbolicLinkPrivilege (the well-known LUID 35 is used then).
  const backup = privilege.privilegeLuid(w, 'SeBackupPrivilege');
  assert(backup === '0:17', `SeBackupPrivilege LUID ${backup}`);
  const lookedUp = privilege.privilegeLuid(w, privilege.SYMLINK_PRIVILEGE) ?? null;
  const luid = privilege.symlinkPrivilegeLuid(w);
  assert(luid === '0:35', `symlink privilege LUID ${luid}`);
  const privs = privilege.tokenPrivileges(w);
  assert(privs.size > 0, 'the token lists privileges');
  return {
    developerMode: dev,
    windowsMajor: cur.value ?? null,
    lookedUp,
    privileges: [...privs],
    holdsSymlinkPrivilege: privs.has(luid),
    permission: privilege.symlinkPermission(w),
  };
});

check('CreateSymbolicLinkW returns a BOOLEAN, and what it made is checked with lstat', () => {
  const l = path.join(workC, 'sym-dir');
  const ok = w.raw.CreateSymbolicLinkW(l, path.join(workC, 'plain'), 0x1 | 0x2);
  assert(ok === 0 || ok === 1, `BOOLEAN ${ok}`);
  const made = existsSync(l) ? (lstatSync(l).isSymbolicLink() ? 'symlink' : 'something else') : 'nothing';
  return { returned: ok, lastError: ok ? null : w.lastError(), made };
});

await checkAsync('NodeFs.createLink: a junction Wine cannot make and a symlink it only pretends to make both end in E_LINK_UNSUPPORTED', async () => {
  const { NodeFs } = await load('platform/node-fs.js');
  const { checkLink } = await load('exec/step-checks.js');
  const { styleForOs } = await load('core/paths.js');
  const fs = new NodeFs();
  const target = path.join(workC, 'plain');
  const codeOf = async (fn) => {
    try {
      await fn();
      return 'no error';
    } catch (err) {
      return err.code;
    }
  };
  const junction = await codeOf(() => fs.createLink(path.join(workC, 'j'), target, 'junction'));
  assert(!existsSync(path.join(workC, 'j')), 'no junction left behind');
  // Node's symlink reports success (CreateSymbolicLinkW returned TRUE); the check after it is what catches the lie.
  const created = await codeOf(() => fs.createLink(path.join(workC, 's'), target, 'symlink'));
  const checked = await codeOf(() => checkLink({ fs, style: styleForOs('win32') }, path.join(workC, 's'), target, 'symlink'));
  assert(junction === 'E_LINK_UNSUPPORTED' || junction === 'no error', `junction: ${junction}`);
  if (junction === 'no error') assert((await fs.lstat(path.join(workC, 'j')))?.kind === 'junction', 'a junction made is seen as one');
  assert(checked === 'E_LINK_UNSUPPORTED' || (created === 'no error' && checked === 'no error'), `symlink: ${created} / ${checked}`);
  return { junction, symlinkCreate: created, symlinkCheck: checked };
});

await checkAsync('the platform layer: volumeInfo ids, capabilities, the link probe', async () => {
  const { volumeInfo, volumeKey } = await load('platform/volumes.js');
  const { detectCapabilities } = await load('platform/capabilities.js');
  const c = await volumeInfo(workC, 0);
  const e = await volumeInfo(workE, 0);
  assert(c.id === 'C:\\' && e.id === 'E:\\', `ids ${c.id} ${e.id}`);
  assert((await volumeKey(workC)) === 'C:\\', 'volume key');
  const caps = await detectCapabilities();
  assert(caps.junctions === true && caps.hardlinks === true && typeof caps.symlinks === 'boolean', JSON.stringify(caps));
  return { c, e, caps };
});

const attrs = await load('platform/windows/file-attributes.js');
const keepWin = await load('platform/windows/keep-meta-win.js');
const winNative = await load('platform/windows/native.js');

check('GetFileAttributesW / SetFileAttributesW: hidden, system, read-only and archive round-trip; the placeholder reader', () => {
  const f = path.join(workC, 'attrs.txt');
  writeFileSync(f, 'a');
  const A = attrs.FileAttribute;
  const want = A.HIDDEN | A.SYSTEM | A.READONLY | A.ARCHIVE;
  assert(w.raw.SetFileAttributesW(f, want) === 1, `SetFileAttributesW failed: ${w.lastError()}`);
  const got = w.raw.GetFileAttributesW(f);
  assert((got & want) === want, `attributes ${got.toString(16)}`);
  // Not-content-indexed: Windows keeps it; Wine 8 drops it (reported, not asserted).
  w.raw.SetFileAttributesW(f, A.ARCHIVE | A.NOT_CONTENT_INDEXED);
  const notIndexedKept = (w.raw.GetFileAttributesW(f) & A.NOT_CONTENT_INDEXED) !== 0;
  assert(w.raw.SetFileAttributesW(f, A.NORMAL) === 1, 'cleared');
  const missing = w.raw.GetFileAttributesW(path.join(workC, 'no-such'));
  assert(missing === attrs.INVALID_FILE_ATTRIBUTES && w.lastError() === WinError.FILE_NOT_FOUND, `missing: ${missing} ${w.lastError()}`);
  return { set: want, got, notIndexedKept };
});

await checkAsync('the not-copyable reader: a plain file and folder are copyable (no placeholder, no EFS)', async () => {
  const read = await winNative.windowsNotCopyableReader();
  assert(typeof read === 'function', 'a reader');
  assert(read(workC) === undefined && read(path.join(workC, 'attrs.txt')) === undefined, 'nothing refused');
  return { ok: true };
});

check("FindFirstStreamW / FindNextStreamW: the file's own stream and alternate ones (Wine 8 has none: ERROR_HANDLE_EOF)", () => {
  const f = path.join(workC, 'streams.txt');
  writeFileSync(f, 'main');
  let adsWritten = true;
  try {
    writeFileSync(`${f}:Zone.Identifier`, '[ZoneTransfer]\r\nZoneId=3\r\n');
  } catch {
    adsWritten = false;
  }
  const buf = Buffer.alloc(attrs.FIND_STREAM_DATA_SIZE);
  const h = w.raw.FindFirstStreamW(f, 0, buf, 0);
  const names = [];
  let err = null;
  if (w.badHandle(h)) err = w.lastError();
  else {
    do names.push(attrs.decodeFindStreamData(buf).name);
    while (w.raw.FindNextStreamW(h, buf));
    w.raw.FindClose(h);
  }
  // Windows lists ::$DATA and the stream; Wine fails with ERROR_HANDLE_EOF (and stores `streams.txt:Zone.Identifier` as a file of that name).
  assert(err === WinError.HANDLE_EOF || names.includes('::$DATA'), `names ${names} error ${err}`);
  const kept = keepWin.windowsXattrCalls(w, 'none').read(f);
  assert(Array.isArray(kept), `keeper read: ${JSON.stringify(kept)}`);
  return { names, error: err, adsWritten, streamsSupported: err === null, kept: kept.map((x) => x.name) };
});

check('GetFileSecurityW / SetFileSecurityW: owner, group and DACL read and written back', () => {
  const f = path.join(workC, 'sd.txt');
  writeFileSync(f, 's');
  const needed = [0];
  w.raw.GetFileSecurityW(f, 7, null, 0, needed);
  assert(needed[0] > 0, `size ${needed[0]} (error ${w.lastError()})`);
  const sd = Buffer.alloc(needed[0]);
  assert(w.raw.GetFileSecurityW(f, 7, sd, sd.length, needed) === 1, `GetFileSecurityW: ${w.lastError()}`);
  // A self-relative descriptor: revision 1, SE_SELF_RELATIVE (0x8000) in its control word.
  assert(sd[0] === 1 && (sd.readUInt16LE(2) & 0x8000) !== 0, `descriptor ${sd.toString('hex')}`);
  const g = path.join(workC, 'sd-copy.txt');
  writeFileSync(g, 's');
  const set = w.raw.SetFileSecurityW(g, 7, sd);
  return { bytes: sd.length, set, setError: set ? null : w.lastError() };
});

check('OpenProcessToken / GetTokenInformation / AdjustTokenPrivileges: SeBackupPrivilege and SeRestorePrivilege', () => {
  const held = privilege.backupRestoreHeld(w);
  const enabled = held.backup && held.restore ? privilege.enablePrivileges(w, ['SeBackupPrivilege', 'SeRestorePrivilege']) : null;
  return { held, enabled };
});

check("SetFileTime: times set to the 100 ns, a link's own (never followed)", () => {
  const f = path.join(workC, 'times.txt');
  writeFileSync(f, 't');
  const errno = keepWin.windowsSetTimes(w)(f, 1_600_000_000_987_654_300n, 1_700_000_000_123_456_700n);
  assert(errno === 0, `errno ${errno}`);
  const s = lstatSync(f, { bigint: true });
  assert(s.mtimeNs === 1_700_000_000_123_456_700n, `mtime ${s.mtimeNs}`);
  // The access time is reported, not asserted: Linux's relatime under Wine moves an old atime forward on the next read.
  return { mtimeNs: String(s.mtimeNs), atimeNs: String(s.atimeNs) };
});

const birthTime = await load('platform/birth-time.js');
check('SetFileTime with a creation time: what the volume reads back, and the probe that decides whether the verify compares it', () => {
  const f = path.join(workC, 'created.txt');
  writeFileSync(f, 'c');
  const errno = keepWin.windowsSetTimes(w)(f, 1_600_000_000_000_000_000n, 1_700_000_000_000_000_000n, 1_500_000_000_123_456_700n);
  assert(errno === 0, `errno ${errno}`);
  const s = lstatSync(f, { bigint: true });
  assert(s.mtimeNs === 1_700_000_000_000_000_000n, `mtime ${s.mtimeNs}`);
  // NTFS reads back 1500000000123456700; Wine 8 keeps no creation time and reports one of its own making.
  return { birthtimeNs: String(s.birthtimeNs), heldOnC: birthTime.birthTimesHeld(workC, keepWin.windowsSetTimes(w)) };
});

check('DeviceIoControl FSCTL_SET_COMPRESSION through the keeper (Windows compresses; Wine refuses, reported)', () => {
  const f = path.join(workC, 'compress.txt');
  writeFileSync(f, 'c'.repeat(4096));
  const word = attrs.attributesValue(attrs.FileAttribute.COMPRESSED | attrs.FileAttribute.ARCHIVE);
  const errno = keepWin.windowsXattrCalls(w, 'none').set(f, { name: 'win.attributes', raw: Buffer.from('win.attributes\0'), value: word });
  const compressed = (w.raw.GetFileAttributesW(f) & attrs.FileAttribute.COMPRESSED) !== 0;
  assert(errno !== 0 || compressed, 'a success leaves the file compressed');
  return { errno, compressed };
});

rmSync(workC, { recursive: true, force: true });
rmSync(workE, { recursive: true, force: true });
console.log(JSON.stringify({ checks }));
