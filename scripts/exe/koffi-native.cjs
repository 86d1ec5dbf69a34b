'use strict';
// Stands in for koffi's per-platform package (@koromix/koffi-<platform>-<arch>)
// inside relocate's single executable (scripts/build-exe.mjs). A single
// executable can only `require` Node's built-ins, so koffi's native addon
// travels in the executable as the SEA asset `koffi.node`; the first start
// writes it to a per-user cache folder under a name made of its SHA-256 and
// loads it with process.dlopen, and later starts (and other versions of
// relocate that carry the same addon) reuse it.
//
// Two first starts may race: each writes the addon under a temporary name and
// hard-links it to the content-hash name, which never replaces a file, so
// neither can see a half-written addon under the final name; the loser finds
// the winner's file, checks its hash and uses it. On a volume without hard
// links the fallback copies straight to the final name, where a racer may
// see it half written: the hash check then fails and that racer loads a
// copy of its own (below), so a partial file is never loaded either way. A cached file whose hash is
// wrong (a damaged disk, a hand edit) is never loaded: it is written again
// under a name of this process's own.
//
// When anything fails, the reason is left where relocate's koffi loader
// (src/platform/native/koffi.ts) finds it, so `doctor` says why the native
// layer is not loaded, and koffi's own loader goes on to its usual error.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REASON = Symbol.for('relocate.nativeLoadError');

/** The per-user cache folder: %LOCALAPPDATA% on Windows, ~/Library/Caches on macOS, XDG elsewhere. */
function cacheDir() {
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'relocate', 'native');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'relocate', 'native');
  return path.join(process.env.XDG_CACHE_HOME || path.join(home, '.cache'), 'relocate', 'native');
}

function sha256(bytes) {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

function holds(file, hash) {
  try {
    return sha256(fs.readFileSync(file)) === hash;
  } catch {
    return false;
  }
}

/** Puts `bytes` at `file` whole or not at all; a file already there is left alone. */
function place(file, bytes) {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, bytes, { mode: 0o755, flag: 'wx' });
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    // EEXIST: another start (or an earlier one) placed it. Anything else (a
    // volume without hard links): a copy that refuses to replace.
    if (err.code !== 'EEXIST') {
      try {
        fs.copyFileSync(tmp, file, fs.constants.COPYFILE_EXCL);
      } catch (copyErr) {
        if (copyErr.code !== 'EEXIST') throw copyErr;
      }
    }
  } finally {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // Left for the next start's tidy-up; never loaded (wrong name).
    }
  }
}

function load() {
  const sea = require('node:sea');
  if (!sea.isSea()) throw new Error("not running as relocate's single executable");
  const bytes = Buffer.from(sea.getAsset('koffi.node'));
  const hash = sha256(bytes);
  const dir = cacheDir();
  fs.mkdirSync(dir, { recursive: true });
  let file = path.join(dir, `koffi-${hash.slice(0, 32)}.node`);
  if (!holds(file, hash)) {
    if (!fs.existsSync(file)) place(file, bytes);
    if (!holds(file, hash)) {
      file = path.join(dir, `koffi-${hash.slice(0, 32)}-${process.pid}.node`);
      fs.rmSync(file, { force: true });
      place(file, bytes);
      if (!holds(file, hash)) throw new Error(`the native addon written to ${file} does not read back intact`);
    }
  }
  const mod = { exports: {} };
  process.dlopen(mod, file);
  return mod.exports;
}

try {
  module.exports = load();
} catch (err) {
  globalThis[REASON] = `the executable's native addon could not be loaded from ${cacheDir()}: ${err && err.message ? err.message : String(err)}`;
  throw err;
}
