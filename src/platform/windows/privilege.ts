/**
 * May this process create symbolic links? Windows allows it with Developer
 * Mode on (HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\AppModelUnlock,
 * AllowDevelopmentWithoutDevLicense = 1; CreateSymbolicLinkW then honours
 * SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE, which Node passes), or when
 * the process token holds SeCreateSymbolicLinkPrivilege (an elevated
 * administrator, or an account granted "Create symbolic links"). A held
 * privilege counts even when disabled: CreateSymbolicLinkW enables it.
 */
import { Buffer } from 'node:buffer';
import type { Win32 } from './win32.js';
import { WinError } from './win32.js';

/** HKEY_LOCAL_MACHINE, (HKEY)(LONG)0x80000002, sign-extended as Windows does. */
const HKEY_LOCAL_MACHINE = 0x80000002 | 0;
const RRF_RT_REG_DWORD = 0x00000010;
const RRF_SUBKEY_WOW6464KEY = 0x00010000;
const TOKEN_QUERY = 0x0008;
const TOKEN_PRIVILEGES_CLASS = 3;
const LUID_AND_ATTRIBUTES_SIZE = 12;

export const DEV_MODE_KEY = 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\AppModelUnlock';
export const DEV_MODE_VALUE = 'AllowDevelopmentWithoutDevLicense';
export const SYMLINK_PRIVILEGE = 'SeCreateSymbolicLinkPrivilege';

/** A REG_DWORD under HKLM, or undefined when the key or value does not exist (or is not a DWORD). */
export function readHklmDword(w: Win32, subKey: string, value: string): { value?: number; status: number } {
  const data = Buffer.alloc(4);
  const size = [4];
  const type = [0];
  const status = w.raw.RegGetValueW(HKEY_LOCAL_MACHINE, subKey, value, RRF_RT_REG_DWORD | RRF_SUBKEY_WOW6464KEY, type, data, size);
  return status === WinError.SUCCESS ? { value: data.readUInt32LE(0), status } : { status };
}

export function developerMode(w: Win32): boolean {
  return readHklmDword(w, DEV_MODE_KEY, DEV_MODE_VALUE).value === 1;
}

/** The LUIDs (as "high:low") of every privilege in this process's token, enabled or not. */
export function tokenPrivileges(w: Win32): Set<string> {
  const token: bigint[] = [0n];
  if (!w.raw.OpenProcessToken(w.raw.GetCurrentProcess(), TOKEN_QUERY, token)) throw new Error(`OpenProcessToken failed with Windows error ${w.lastError()}`);
  try {
    const needed = [0];
    w.raw.GetTokenInformation(token[0], TOKEN_PRIVILEGES_CLASS, null, 0, needed);
    const buf = Buffer.alloc(Math.max(needed[0], 4));
    if (!w.raw.GetTokenInformation(token[0], TOKEN_PRIVILEGES_CLASS, buf, buf.length, needed)) {
      throw new Error(`GetTokenInformation failed with Windows error ${w.lastError()}`);
    }
    // TOKEN_PRIVILEGES: DWORD PrivilegeCount, then LUID_AND_ATTRIBUTES { DWORD LowPart; LONG HighPart; DWORD Attributes }[].
    const count = buf.readUInt32LE(0);
    const out = new Set<string>();
    for (let i = 0; i < count; i++) {
      const off = 4 + i * LUID_AND_ATTRIBUTES_SIZE;
      if (off + LUID_AND_ATTRIBUTES_SIZE > buf.length) break;
      out.add(`${buf.readInt32LE(off + 4)}:${buf.readUInt32LE(off)}`);
    }
    return out;
  } finally {
    w.raw.CloseHandle(token[0]);
  }
}

export function privilegeLuid(w: Win32, name: string): string | undefined {
  const luid = Buffer.alloc(8);
  if (!w.raw.LookupPrivilegeValueW(null, name, luid)) return undefined;
  return `${luid.readInt32LE(4)}:${luid.readUInt32LE(0)}`;
}

/** SE_CREATE_SYMBOLIC_LINK_PRIVILEGE's well-known LUID (winnt.h), for systems whose lookup table lacks the name (Wine 8). */
const SYMLINK_PRIVILEGE_LUID = '0:35';

export function symlinkPrivilegeLuid(w: Win32): string {
  return privilegeLuid(w, SYMLINK_PRIVILEGE) ?? SYMLINK_PRIVILEGE_LUID;
}

export function holdsSymlinkPrivilege(w: Win32): boolean {
  return tokenPrivileges(w).has(symlinkPrivilegeLuid(w));
}

/** How symlinks are permitted here, or null when they are not. */
export function symlinkPermission(w: Win32): 'developer-mode' | 'privilege' | null {
  if (developerMode(w)) return 'developer-mode';
  if (holdsSymlinkPrivilege(w)) return 'privilege';
  return null;
}

/** SE_BACKUP_PRIVILEGE and SE_RESTORE_PRIVILEGE's well-known LUIDs (winnt.h), as for the symlink privilege. */
const WELL_KNOWN_LUIDS: Record<string, string> = { SeBackupPrivilege: '0:17', SeRestorePrivilege: '0:18' };
const TOKEN_ADJUST_PRIVILEGES = 0x0020;
const SE_PRIVILEGE_ENABLED = 0x2;

/** Whether the token holds SeBackupPrivilege and SeRestorePrivilege (enabled or not), what copying owners and permissions needs. */
export function backupRestoreHeld(w: Win32): { backup: boolean; restore: boolean } {
  const held = tokenPrivileges(w);
  const has = (name: string) => held.has(privilegeLuid(w, name) ?? WELL_KNOWN_LUIDS[name]);
  return { backup: has('SeBackupPrivilege'), restore: has('SeRestorePrivilege') };
}

/**
 * Enables privileges the token holds (an elevated administrator holds
 * SeBackupPrivilege and SeRestorePrivilege disabled; SetFileSecurityW only
 * honours them enabled, as robocopy /B enables them). True when all were.
 */
export function enablePrivileges(w: Win32, names: string[]): boolean {
  const token: bigint[] = [0n];
  if (!w.raw.OpenProcessToken(w.raw.GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, token)) return false;
  try {
    const state = Buffer.alloc(4 + names.length * LUID_AND_ATTRIBUTES_SIZE);
    state.writeUInt32LE(names.length, 0);
    names.forEach((name, i) => {
      const [high, low] = (privilegeLuid(w, name) ?? WELL_KNOWN_LUIDS[name] ?? '0:0').split(':').map(Number);
      const off = 4 + i * LUID_AND_ATTRIBUTES_SIZE;
      state.writeUInt32LE(low >>> 0, off);
      state.writeInt32LE(high, off + 4);
      state.writeUInt32LE(SE_PRIVILEGE_ENABLED, off + 8);
    });
    // It succeeds even when some were not held; ERROR_NOT_ALL_ASSIGNED then says so.
    return w.raw.AdjustTokenPrivileges(token[0], 0, state, state.length, null, null) !== 0 && w.lastError() === WinError.SUCCESS;
  } finally {
    w.raw.CloseHandle(token[0]);
  }
}
