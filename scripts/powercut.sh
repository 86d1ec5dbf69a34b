#!/usr/bin/env bash
# `npm run powercut`: the power-cut harness of test/exec/power-cut.test.ts in
# full (issue 16): ext4, xfs and btrfs (POWERCUT_FS=ext4,xfs to choose), both
# recoveries after every journal line, seeded random moments, cuts in the
# middle of a delete or a copy (strace), a second cut during recovery, and a
# larger tree (POWERCUT_FILES, default 500). Needs root and loop devices;
# installs the mkfs tools and strace from Debian's archive when missing.
# Prints cases, cuts, bytes verified and bytes lost per file system.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
apt_updated=0
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "powercut: '$1' is missing; install the Debian package '$2'" >&2
    return 1
  fi
  [ "$apt_updated" -eq 1 ] || { apt-get update >/dev/null; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$2" >/dev/null
}
need mkfs.ext4 e2fsprogs
need mkfs.xfs xfsprogs
need mkfs.btrfs btrfs-progs
need strace strace
need blockdev util-linux
POWERCUT=full exec npx vitest run test/exec/power-cut.test.ts "$@"
