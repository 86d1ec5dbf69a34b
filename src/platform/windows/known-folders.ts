import type { KnownFolderName } from '../../core/known-folders.js';
import { loadKoffi } from '../native/koffi.js';

/**
 * Windows known folders through the shell: SHGetKnownFolderPath (shell32)
 * called through koffi, the returned string freed with CoTaskMemFree
 * (ole32). This is how Windows itself answers "where is Documents" — a
 * folder the user moved (Properties > Location, OneDrive backup) is
 * reported where it is now, which no environment variable says.
 */

/** KNOWNFOLDERID values (KnownFolders.h). */
export const KNOWN_FOLDER_IDS: Record<KnownFolderName, string> = {
  Profile: '5E6C858F-0E22-4760-9AFE-EA3317B67173',
  Desktop: 'B4BFCC3A-DB2C-424C-B029-7FE99A87C641',
  Documents: 'FDD39AD0-238F-46AF-ADB4-6C85480369C7',
  Downloads: '374DE290-123F-4565-9164-39C4925E467B',
  Music: '4BD8D571-6D19-48D3-BE97-422220080E43',
  Pictures: '33E28130-4E1E-4676-835A-98395C3BC3BB',
  Videos: '18989B1D-99B5-455B-841C-AB7C74E4DDFC',
  Templates: 'A63293E8-664E-48DB-A079-DF759E0509F7',
  Public: 'DFDF76A2-C82A-4D63-906A-5644AC457385',
  SavedGames: '4C5C32FF-BB9D-43B0-B5B4-2D72E54EAAA4',
  LocalAppData: 'F1B32785-6FBA-4FCF-9D55-7B8E7F157091',
  LocalAppDataLow: 'A520A1A4-1780-4FF6-BD18-167343C5AF16',
  RoamingAppData: '3EB685DB-65F9-4CF6-A03A-E3EF65729F3D',
  ProgramData: '62AB5D82-FDC1-4DC3-A9DD-070D1D495D97',
  ProgramFiles: '905E63B6-C1BF-494E-B29C-65B732D3D21A',
  ProgramFilesX86: '7C5A40EF-A0FB-4BFC-874A-C0F2E0B9FA8E',
  Windows: 'F38BF404-1D43-42F2-9305-67DE0B28FC23',
};

/**
 * A GUID as the 16 bytes of its C struct (Data1 uint32, Data2 and Data3
 * uint16, all little-endian on Windows, then Data4's 8 bytes as written),
 * so it can be passed as `const GUID *` without declaring the struct.
 */
export function guidBytes(guid: string): Buffer {
  const m = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i.exec(guid);
  if (!m) throw new Error(`not a GUID: ${guid}`);
  const b = Buffer.alloc(16);
  b.writeUInt32LE(parseInt(m[1], 16), 0);
  b.writeUInt16LE(parseInt(m[2], 16), 4);
  b.writeUInt16LE(parseInt(m[3], 16), 6);
  Buffer.from(m[4] + m[5], 'hex').copy(b, 8);
  return b;
}

/** KF_FLAG_DONT_VERIFY: return the path even when the folder does not exist (yet); relocate may be about to create it. */
const KF_FLAG_DONT_VERIFY = 0x00004000;

type GetPath = (id: Buffer) => { path: string } | { error: string };

let shell: GetPath | null | undefined;
let loadError = '';

async function loadShell(): Promise<GetPath | null> {
  if (shell !== undefined) return shell;
  shell = null;
  if (process.platform !== 'win32') {
    loadError = `SHGetKnownFolderPath exists only on Windows (this is ${process.platform})`;
    return null;
  }
  const loaded = await loadKoffi();
  if ('reason' in loaded) {
    loadError = loaded.reason;
    return null;
  }
  const { koffi } = loaded;
  try {
    const shell32 = koffi.load('shell32.dll');
    const ole32 = koffi.load('ole32.dll');
    const CoTaskMemFree = ole32.func('void __stdcall CoTaskMemFree(void *pv)');
    const SHGetKnownFolderPath = shell32.func(
      'int32_t __stdcall SHGetKnownFolderPath(const uint8_t *rfid, uint32_t dwFlags, void *hToken, _Out_ void **ppszPath)',
    );
    shell = (id) => {
      const out: unknown[] = [null];
      const hr = SHGetKnownFolderPath(id, KF_FLAG_DONT_VERIFY, null, out) as number;
      const ptr = out[0];
      try {
        if (hr !== 0 || !ptr) return { error: `SHGetKnownFolderPath failed with HRESULT 0x${(hr >>> 0).toString(16).padStart(8, '0')}` };
        return { path: koffi.decode.string16(ptr) };
      } finally {
        // The shell allocates the string even on some failures; it is always the caller's to free.
        if (ptr) CoTaskMemFree(ptr);
      }
    };
  } catch (err) {
    loadError = `koffi could not load SHGetKnownFolderPath: ${(err as Error).message}`;
    shell = null;
  }
  return shell;
}

/**
 * Asks Windows for each known folder. A folder the shell cannot name (not
 * present on this edition, a policy, koffi unavailable) is listed in
 * `failures` with the reason instead; nothing is guessed.
 */
export async function windowsKnownFolders(): Promise<{
  folders: Partial<Record<KnownFolderName, string>>;
  failures: Partial<Record<KnownFolderName, string>>;
}> {
  const folders: Partial<Record<KnownFolderName, string>> = {};
  const failures: Partial<Record<KnownFolderName, string>> = {};
  const get = await loadShell();
  for (const [name, id] of Object.entries(KNOWN_FOLDER_IDS) as [KnownFolderName, string][]) {
    if (!get) {
      failures[name] = loadError;
      continue;
    }
    try {
      const r = get(guidBytes(id));
      if ('path' in r && r.path) folders[name] = r.path;
      else failures[name] = 'error' in r ? r.error : 'SHGetKnownFolderPath returned an empty path';
    } catch (err) {
      failures[name] = `SHGetKnownFolderPath failed: ${(err as Error).message}`;
    }
  }
  return { folders, failures };
}
