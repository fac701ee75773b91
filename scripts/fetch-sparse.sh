#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Find a sparse that the kernel accepts for "make C=1", building one if needed.
#
#   fetch-sparse.sh KSRC OUT_FILE
#
# The kernel's scripts/checker-valid.sh decides. When the system sparse fails
# it (Debian 12 ships 0.6.4; Linux 7.x needs __typeof_unqual__ support), the
# sparse source package is fetched from sid with the private apt state and
# built into KIT_CACHE. Writes "SPARSE=<path>" to OUT_FILE. Without this step
# Kbuild only prints a notice and silently skips sparse.
set -euo pipefail

ksrc=$1 out=$2
cache=${KIT_CACHE:?KIT_CACHE must be set}
apt_dir=${APT_DIR:?APT_DIR must be set}

die() {
	printf 'fetch-sparse: %s\n' "$1" >&2
	shift
	for l in "$@"; do printf '  %s\n' "$l" >&2; done
	exit 1
}

valid() { [ "$("$ksrc/scripts/checker-valid.sh" "$1" 2>/dev/null)" = 1 ]; }

record() {
	printf 'SPARSE=%s\n' "$1" >"$out"
	echo "fetch-sparse: using $1"
}

if sys=$(command -v sparse) && valid "$sys"; then
	record "$sys"
	exit 0
fi

mkdir -p "$cache/tools"
exec 7>"$cache/tools/.lock"
flock 7
for built in "$cache"/tools/sparse-*/sparse; do
	[ -x "$built" ] && valid "$built" && { record "$built"; exit 0; }
done

. "$(dirname "$0")/private-apt.sh"
private_apt_init "$apt_dir"

echo "fetch-sparse: the system sparse is missing or too old for this kernel; building a newer one"
work=$cache/tools/.sparse-download
rm -rf "$work"
mkdir -p "$work"
(cd "$work" && apt-get "${apt_opts[@]}" -q source --download-only sparse) >"$work/download.log" 2>&1 ||
	die "downloading the sparse source package failed (log: $work/download.log)." \
		"Install a sparse >= 0.6.5 yourself and put it first in PATH."
orig=$(ls "$work"/sparse_*.orig.tar.* 2>/dev/null | head -n1)
[ -n "$orig" ] || die "the sparse source package has no orig tarball." "See $work."
ver=$(basename "$orig" | sed 's/^sparse_\(.*\)\.orig\.tar\..*/\1/; s/[^A-Za-z0-9.-]/_/g')
dest=$cache/tools/sparse-$ver
rm -rf "$dest"
mkdir -p "$dest"
tar -xf "$orig" -C "$dest" --strip-components=1
make -C "$dest" -j"$(nproc)" sparse >"$dest/build.log" 2>&1 ||
	die "building sparse $ver failed (log: $dest/build.log)." "Install a sparse >= 0.6.5 and retry."
valid "$dest/sparse" || die "sparse $ver still fails $ksrc/scripts/checker-valid.sh." \
	"Install a newer sparse and put it first in PATH."
rm -rf "$work"
record "$dest/sparse"
