/**
 * The calls a MetaKeeper (keep-meta.ts) reads and sets metadata through,
 * chosen once per platform: Linux's and macOS's native layers (extended
 * attributes, inode flags, copyfile, utimensat on Linux, setattrlist with
 * creation times on macOS), or Windows' (streams,
 * attributes and the security descriptor as pseudo attributes, SetFileTime
 * with creation times: windows/keep-meta-win.ts). A test gives fakes
 * instead (`MetaKeeper.over`).
 */
import { birthTimesHeld } from './birth-time.js';
import { nativeAttrTimes } from './native/attr-times-darwin.js';
import { nativeCopyMetadata, type CopyMetadata } from './native/copyfile-darwin.js';
import { nativeFlags, type FlagCalls } from './native/fs-flags.js';
import { nativeSetTimesNs, type SetTimesNs } from './native/utimens.js';
import { nativeXattrs, type XattrCalls } from './native/xattrs.js';
import { windowsKeep } from './windows/keep-meta-win.js';

/** What a keeper calls; a null call is a thing not kept here. */
export interface KeeperCalls {
  xattrs: XattrCalls | null;
  flags: FlagCalls | null;
  copyMetadata: CopyMetadata | null;
  /** Nanosecond times; null: microseconds through lutimes. */
  setTimes: SetTimesNs | null;
  /**
   * Whether the volume of a folder holds the creation times `setTimes` sets
   * (birth-time.ts); null where creation times are not kept at all (Linux:
   * nothing sets one). Used only with `setTimes`.
   */
  birthTimesHeld: ((dir: string) => boolean) | null;
}

/** This platform's calls (each null where its native layer cannot load; the keeper's notes say why). */
export async function platformKeeperCalls(): Promise<KeeperCalls> {
  if (process.platform === 'win32') {
    const win = await windowsKeep();
    const setTimes = win?.setTimes ?? null;
    return { xattrs: win?.xattrs ?? null, flags: null, copyMetadata: null, setTimes, birthTimesHeld: setTimes ? (dir) => birthTimesHeld(dir, setTimes) : null };
  }
  if (process.platform === 'darwin') {
    const setTimes = await nativeAttrTimes();
    return {
      xattrs: await nativeXattrs(),
      flags: await nativeFlags(),
      copyMetadata: await nativeCopyMetadata(),
      setTimes,
      birthTimesHeld: setTimes ? (dir) => birthTimesHeld(dir, setTimes) : null,
    };
  }
  // Linux has no call that sets a birth time (birth-time.ts).
  return { xattrs: await nativeXattrs(), flags: await nativeFlags(), copyMetadata: null, setTimes: await nativeSetTimesNs(), birthTimesHeld: null };
}
