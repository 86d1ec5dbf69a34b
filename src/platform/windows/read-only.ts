/**
 * Windows' read-only attribute is not a refusal: relocate deletes only its
 * own verified old copy, and a read-only file or folder in it (a folder
 * customized with desktop.ini carries the attribute; so do files a game
 * installer marked read-only) must go like the rest.
 *
 * Files: libuv's unlink already clears the attribute (it opens the file
 * with FILE_WRITE_ATTRIBUTES | DELETE and drops FILE_ATTRIBUTE_READONLY
 * first). Folders: the libuv of Node 20 (1.46) removes them with _wrmdir,
 * which fails with "access denied" on a read-only folder (later libuv,
 * 1.47 and up, ignores the attribute there too). So a delete refused with
 * EPERM or EACCES is retried once after the entry's attribute is cleared —
 * never for a link (clearing it would reach through to what it points
 * to), and never elsewhere than on Windows, where EPERM means something
 * else (an immutable file, which the plan refuses beforehand).
 */
export function deleteClearingReadOnly(del: () => void, clearReadOnly: () => void, platform: NodeJS.Platform = process.platform): void {
  try {
    del();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (platform !== 'win32' || (code !== 'EPERM' && code !== 'EACCES')) throw err;
    try {
      clearReadOnly();
    } catch {
      throw err;
    }
    del();
  }
}
