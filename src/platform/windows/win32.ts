/**
 * The Win32 functions relocate calls, bound once through koffi and only on
 * Windows (`loadWin32()` returns null elsewhere, or when koffi or a DLL
 * cannot be loaded; `win32UnavailableReason()` then says why, for
 * --verbose). Each declaration copies the exact Win32 signature: BOOL is a
 * 4-byte int, BOOLEAN (CreateSymbolicLinkW) a 1-byte unsigned char, DWORD
 * and UINT 4-byte unsigned, HANDLE a pointer (a BigInt in koffi 3), HKEY is
 * declared as intptr_t so the predefined keys pass as small negative
 * numbers. Output parameters are Buffers decoded here, so callers see plain
 * numbers and strings. Koffi keeps each call's GetLastError value, so
 * `lastError()` right after a failed call is that call's error.
 */
import type { Buffer } from 'node:buffer';
import { loadKoffi, type Koffi } from '../native/koffi.js';

/** Error codes relocate acts on (winerror.h). */
export const WinError = {
  SUCCESS: 0,
  FILE_NOT_FOUND: 2,
  PATH_NOT_FOUND: 3,
  ACCESS_DENIED: 5,
  INVALID_HANDLE: 6,
  NOT_SAME_DEVICE: 17,
  SHARING_VIOLATION: 32,
  LOCK_VIOLATION: 33,
  NOT_SUPPORTED: 50,
  FILE_EXISTS: 80,
  INVALID_PARAMETER: 87,
  INSUFFICIENT_BUFFER: 122,
  DIR_NOT_EMPTY: 145,
  ALREADY_EXISTS: 183,
  MORE_DATA: 234,
  HANDLE_EOF: 38,
  DISK_FULL: 112,
  NOT_ALL_ASSIGNED: 1300,
  PRIVILEGE_NOT_HELD: 1314,
  NOT_A_REPARSE_POINT: 4390,
} as const;

/** Raw bindings: arguments and results exactly as the C functions take and return them. */
export interface Win32Raw {
  // kernel32
  GetLastError(): number;
  CloseHandle(h: bigint): number;
  CreateFileW(name: string, access: number, share: number, sa: null, disposition: number, flags: number, template: null): bigint;
  DeviceIoControl(h: bigint, code: number, inBuf: Buffer | null, inSize: number, outBuf: Buffer, outSize: number, returned: number[], overlapped: null): number;
  FindFirstFileW(name: string, data: Buffer): bigint;
  FindClose(h: bigint): number;
  GetFileInformationByHandle(h: bigint, info: Buffer): number;
  GetVolumePathNameW(file: string, out: Buffer, chars: number): number;
  GetVolumeInformationW(
    root: string,
    name: Buffer,
    nameChars: number,
    serial: number[],
    maxComponent: number[],
    flags: number[],
    fsName: Buffer,
    fsNameChars: number,
  ): number;
  GetDriveTypeW(root: string): number;
  GetDiskFreeSpaceExW(dir: string, freeToCaller: bigint[] | number[], total: bigint[] | number[], totalFree: bigint[] | number[]): number;
  MoveFileExW(from: string, to: string, flags: number): number;
  CreateHardLinkW(link: string, existing: string, sa: null): number;
  CreateSymbolicLinkW(link: string, target: string, flags: number): number;
  GetCurrentProcess(): bigint;
  OpenProcess(access: number, inherit: number, pid: number): bigint;
  QueryFullProcessImageNameW(h: bigint, flags: number, out: Buffer, chars: number[]): number;
  GetFileAttributesW(name: string): number;
  SetFileAttributesW(name: string, attributes: number): number;
  FindFirstStreamW(name: string, level: number, data: Buffer, flags: number): bigint;
  FindNextStreamW(h: bigint, data: Buffer): number;
  DeleteFileW(name: string): number;
  SetFileTime(h: bigint, creation: Buffer | null, access: Buffer | null, write: Buffer | null): number;
  GetConsoleProcessList(list: Buffer, count: number): number;
  // advapi32
  RegGetValueW(hkey: number, subKey: string, value: string, flags: number, type: number[] | null, data: Buffer, bytes: number[]): number;
  OpenProcessToken(process: bigint, access: number, token: bigint[]): number;
  GetTokenInformation(token: bigint, infoClass: number, info: Buffer | null, length: number, returned: number[]): number;
  LookupPrivilegeValueW(system: string | null, name: string, luid: Buffer): number;
  AdjustTokenPrivileges(token: bigint, disableAll: number, state: Buffer, length: number, previous: null, returned: null): number;
  GetFileSecurityW(name: string, info: number, sd: Buffer | null, length: number, needed: number[]): number;
  SetFileSecurityW(name: string, info: number, sd: Buffer): number;
  // rstrtmgr
  RmStartSession(session: number[], flags: number, key: Buffer): number;
  RmRegisterResources(session: number, nFiles: number, files: string[] | null, nApps: number, apps: null, nServices: number, services: null): number;
  RmGetList(session: number, needed: number[], count: number[], apps: Buffer | null, rebootReasons: number[]): number;
  RmEndSession(session: number): number;
}

export interface Win32 {
  raw: Win32Raw;
  koffi: Koffi;
  /** GetLastError of the last call made through koffi on this thread. */
  lastError(): number;
  /** A pointer-sized handle result that means failure (NULL or INVALID_HANDLE_VALUE). */
  badHandle(h: bigint | null | number): boolean;
}

let loaded: Promise<Win32 | null> | undefined;
let reason = '';

/** The Win32 bindings, loaded on first use on Windows; null elsewhere or when they cannot load. */
export function loadWin32(): Promise<Win32 | null> {
  loaded ??= bind();
  return loaded;
}

export function win32UnavailableReason(): string {
  return reason;
}

async function bind(): Promise<Win32 | null> {
  if (process.platform !== 'win32') {
    reason = `the Win32 layer is for Windows (this is ${process.platform})`;
    return null;
  }
  const loaded = await loadKoffi();
  if ('reason' in loaded) {
    reason = loaded.reason;
    return null;
  }
  const { koffi } = loaded;
  try {
    const kernel32 = koffi.load('kernel32.dll');
    const advapi32 = koffi.load('advapi32.dll');
    const rstrtmgr = koffi.load('rstrtmgr.dll');
    // One opaque handle type for every HANDLE (koffi 3 passes pointers as BigInt).
    const HANDLE = koffi.pointer('RELOCATE_HANDLE', koffi.opaque());
    void HANDLE;
    const raw: Win32Raw = {
      GetLastError: kernel32.func('uint32_t __stdcall GetLastError()'),
      CloseHandle: kernel32.func('int __stdcall CloseHandle(RELOCATE_HANDLE hObject)'),
      CreateFileW: kernel32.func(
        'RELOCATE_HANDLE __stdcall CreateFileW(const char16_t *lpFileName, uint32_t dwDesiredAccess, uint32_t dwShareMode, void *lpSecurityAttributes, uint32_t dwCreationDisposition, uint32_t dwFlagsAndAttributes, RELOCATE_HANDLE hTemplateFile)',
      ),
      DeviceIoControl: kernel32.func(
        'int __stdcall DeviceIoControl(RELOCATE_HANDLE hDevice, uint32_t dwIoControlCode, void *lpInBuffer, uint32_t nInBufferSize, void *lpOutBuffer, uint32_t nOutBufferSize, _Out_ uint32_t *lpBytesReturned, void *lpOverlapped)',
      ),
      // WIN32_FIND_DATAW is 592 bytes; the caller's Buffer is filled in place.
      FindFirstFileW: kernel32.func('RELOCATE_HANDLE __stdcall FindFirstFileW(const char16_t *lpFileName, void *lpFindFileData)'),
      FindClose: kernel32.func('int __stdcall FindClose(RELOCATE_HANDLE hFindFile)'),
      // BY_HANDLE_FILE_INFORMATION is 52 bytes.
      GetFileInformationByHandle: kernel32.func('int __stdcall GetFileInformationByHandle(RELOCATE_HANDLE hFile, void *lpFileInformation)'),
      GetVolumePathNameW: kernel32.func('int __stdcall GetVolumePathNameW(const char16_t *lpszFileName, void *lpszVolumePathName, uint32_t cchBufferLength)'),
      GetVolumeInformationW: kernel32.func(
        'int __stdcall GetVolumeInformationW(const char16_t *lpRootPathName, void *lpVolumeNameBuffer, uint32_t nVolumeNameSize, _Out_ uint32_t *lpVolumeSerialNumber, _Out_ uint32_t *lpMaximumComponentLength, _Out_ uint32_t *lpFileSystemFlags, void *lpFileSystemNameBuffer, uint32_t nFileSystemNameSize)',
      ),
      GetDriveTypeW: kernel32.func('uint32_t __stdcall GetDriveTypeW(const char16_t *lpRootPathName)'),
      GetDiskFreeSpaceExW: kernel32.func(
        'int __stdcall GetDiskFreeSpaceExW(const char16_t *lpDirectoryName, _Out_ uint64_t *lpFreeBytesAvailableToCaller, _Out_ uint64_t *lpTotalNumberOfBytes, _Out_ uint64_t *lpTotalNumberOfFreeBytes)',
      ),
      MoveFileExW: kernel32.func('int __stdcall MoveFileExW(const char16_t *lpExistingFileName, const char16_t *lpNewFileName, uint32_t dwFlags)'),
      CreateHardLinkW: kernel32.func(
        'int __stdcall CreateHardLinkW(const char16_t *lpFileName, const char16_t *lpExistingFileName, void *lpSecurityAttributes)',
      ),
      // BOOLEAN, not BOOL: one byte. Reading it as an int would see garbage in the upper bytes.
      CreateSymbolicLinkW: kernel32.func(
        'uint8_t __stdcall CreateSymbolicLinkW(const char16_t *lpSymlinkFileName, const char16_t *lpTargetFileName, uint32_t dwFlags)',
      ),
      GetCurrentProcess: kernel32.func('RELOCATE_HANDLE __stdcall GetCurrentProcess()'),
      OpenProcess: kernel32.func('RELOCATE_HANDLE __stdcall OpenProcess(uint32_t dwDesiredAccess, int bInheritHandle, uint32_t dwProcessId)'),
      QueryFullProcessImageNameW: kernel32.func(
        'int __stdcall QueryFullProcessImageNameW(RELOCATE_HANDLE hProcess, uint32_t dwFlags, void *lpExeName, _Inout_ uint32_t *lpdwSize)',
      ),
      GetFileAttributesW: kernel32.func('uint32_t __stdcall GetFileAttributesW(const char16_t *lpFileName)'),
      // The pids are written into the caller's Buffer (4 bytes each); the result is how many processes share the console.
      GetConsoleProcessList: kernel32.func('uint32_t __stdcall GetConsoleProcessList(void *lpdwProcessList, uint32_t dwProcessCount)'),
      SetFileAttributesW: kernel32.func('int __stdcall SetFileAttributesW(const char16_t *lpFileName, uint32_t dwFileAttributes)'),
      // WIN32_FIND_STREAM_DATA (FIND_STREAM_DATA_SIZE bytes) is filled in place; InfoLevel 0 is FindStreamInfoStandard.
      FindFirstStreamW: kernel32.func(
        'RELOCATE_HANDLE __stdcall FindFirstStreamW(const char16_t *lpFileName, int InfoLevel, void *lpFindStreamData, uint32_t dwFlags)',
      ),
      FindNextStreamW: kernel32.func('int __stdcall FindNextStreamW(RELOCATE_HANDLE hFindStream, void *lpFindStreamData)'),
      DeleteFileW: kernel32.func('int __stdcall DeleteFileW(const char16_t *lpFileName)'),
      // FILETIME is 8 bytes (100 ns since 1601); a NULL pointer leaves that time alone.
      SetFileTime: kernel32.func(
        'int __stdcall SetFileTime(RELOCATE_HANDLE hFile, const void *lpCreationTime, const void *lpLastAccessTime, const void *lpLastWriteTime)',
      ),
      RegGetValueW: advapi32.func(
        'int32_t __stdcall RegGetValueW(intptr_t hkey, const char16_t *lpSubKey, const char16_t *lpValue, uint32_t dwFlags, _Out_ uint32_t *pdwType, void *pvData, _Inout_ uint32_t *pcbData)',
      ),
      OpenProcessToken: advapi32.func(
        'int __stdcall OpenProcessToken(RELOCATE_HANDLE ProcessHandle, uint32_t DesiredAccess, _Out_ RELOCATE_HANDLE *TokenHandle)',
      ),
      GetTokenInformation: advapi32.func(
        'int __stdcall GetTokenInformation(RELOCATE_HANDLE TokenHandle, int TokenInformationClass, void *TokenInformation, uint32_t TokenInformationLength, _Out_ uint32_t *ReturnLength)',
      ),
      // LUID is 8 bytes (DWORD LowPart, LONG HighPart).
      LookupPrivilegeValueW: advapi32.func('int __stdcall LookupPrivilegeValueW(const char16_t *lpSystemName, const char16_t *lpName, void *lpLuid)'),
      // TOKEN_PRIVILEGES in a Buffer: DWORD count, then LUID_AND_ATTRIBUTES[] (12 bytes each).
      AdjustTokenPrivileges: advapi32.func(
        'int __stdcall AdjustTokenPrivileges(RELOCATE_HANDLE TokenHandle, int DisableAllPrivileges, void *NewState, uint32_t BufferLength, void *PreviousState, void *ReturnLength)',
      ),
      // A self-relative SECURITY_DESCRIPTOR in a Buffer; a NULL buffer of length 0 asks for the size.
      GetFileSecurityW: advapi32.func(
        'int __stdcall GetFileSecurityW(const char16_t *lpFileName, uint32_t RequestedInformation, void *pSecurityDescriptor, uint32_t nLength, _Out_ uint32_t *lpnLengthNeeded)',
      ),
      SetFileSecurityW: advapi32.func('int __stdcall SetFileSecurityW(const char16_t *lpFileName, uint32_t SecurityInformation, void *pSecurityDescriptor)'),
      // strSessionKey is WCHAR[CCH_RM_SESSION_KEY + 1] = 33 characters.
      RmStartSession: rstrtmgr.func('uint32_t __stdcall RmStartSession(_Out_ uint32_t *pSessionHandle, uint32_t dwSessionFlags, void *strSessionKey)'),
      RmRegisterResources: rstrtmgr.func(
        'uint32_t __stdcall RmRegisterResources(uint32_t dwSessionHandle, uint32_t nFiles, const char16_t **rgsFileNames, uint32_t nApplications, void *rgApplications, uint32_t nServices, const char16_t **rgsServiceNames)',
      ),
      // RM_PROCESS_INFO[] as a Buffer of RM_PROCESS_INFO_SIZE-byte records.
      RmGetList: rstrtmgr.func(
        'uint32_t __stdcall RmGetList(uint32_t dwSessionHandle, _Out_ uint32_t *pnProcInfoNeeded, _Inout_ uint32_t *pnProcInfo, void *rgAffectedApps, _Out_ uint32_t *lpdwRebootReasons)',
      ),
      RmEndSession: rstrtmgr.func('uint32_t __stdcall RmEndSession(uint32_t dwSessionHandle)'),
    };
    return {
      raw,
      koffi,
      lastError: () => raw.GetLastError(),
      badHandle: (h) => h === null || h === 0n || h === 0 || h === -1n || h === 0xffffffffffffffffn || h === -1,
    };
  } catch (err) {
    reason = `koffi could not load the Win32 functions: ${(err as Error).message}`;
    return null;
  }
}

/** Decodes a NUL-terminated UTF-16 string from a buffer. */
export function utf16z(buf: Buffer, offset = 0, maxBytes = buf.length - offset): string {
  let end = offset;
  const stop = offset + maxBytes;
  while (end + 1 < stop && (buf[end] !== 0 || buf[end + 1] !== 0)) end += 2;
  return buf.toString('utf16le', offset, end);
}

/**
 * A path as the wide Win32 functions take it: long paths get the `\\?\`
 * prefix (Node does the same internally), short ones stay as they are so
 * results (volume names) come back in the usual spelling.
 */
export function win32Path(p: string): string {
  if (p.length < 248 || p.startsWith('\\\\?\\')) return p;
  if (p.startsWith('\\\\')) return `\\\\?\\UNC\\${p.slice(2)}`;
  return `\\\\?\\${p}`;
}

/** Strips a `\\?\` or NT `\??\` prefix (their `UNC\` forms give back `\\server\share`). */
export function stripLongPrefix(p: string): string {
  if (p.startsWith('\\\\?\\UNC\\') || p.startsWith('\\??\\UNC\\')) return `\\\\${p.slice(8)}`;
  if (p.startsWith('\\\\?\\') || p.startsWith('\\??\\')) return p.slice(4);
  return p;
}
