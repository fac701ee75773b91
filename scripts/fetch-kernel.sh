#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Resolve and unpack the kernel source tree the kit is verified against.
#
#   fetch-kernel.sh OUT_FILE
#
# Writes "KSRC=<path>" and "KVER=<version>" to OUT_FILE. Inputs (environment):
#   KSRC       use this tree as it is (only checked for mmap_prepare support)
#   KVER       X.Y: pick linux-source-X.Y instead of the newest one (>= 7.2)
#   KIT_CACHE  where unpacked trees live (shared by every clone of the kit)
#   APT_DIR    private apt state (lists, cache); the system apt setup is untouched
#   DEBIAN_MIRROR  override the Debian mirror URI read from the system's apt sources
#   KIT_SUITES     the Debian suites searched (default: those carrying >= 7.2)
set -euo pipefail

out=${1:?usage: fetch-kernel.sh OUT_FILE}
cache=${KIT_CACHE:?KIT_CACHE must be set}
apt_dir=${APT_DIR:?APT_DIR must be set}
min_ver=7.2

die() {
	printf 'fetch-kernel: %s\n' "$1" >&2
	shift
	for l in "$@"; do printf '  %s\n' "$l" >&2; done
	exit 1
}

# A tree is usable only if it has the hook the kit is about.
check_tree() {
	local t=$1
	[ -f "$t/Makefile" ] && [ -f "$t/include/linux/fs.h" ] ||
		die "$t is not a kernel source tree (no Makefile or include/linux/fs.h)." \
			"Point KSRC= at the top of an unpacked kernel tree, or unset it to fetch one."
	grep -q 'mmap_prepare' "$t/include/linux/fs.h" ||
		die "$t has no f_op->mmap_prepare in include/linux/fs.h: it is too old." \
			"The kit needs Linux $min_ver or newer. Unset KSRC to fetch linux-source-X.Y from Debian."
	grep -q 'mmap_action_remap' "$t/include/linux/mm.h" ||
		die "$t has mmap_prepare but no mmap_action_remap(): older than the API the examples use." \
			"Use a Linux $min_ver+ tree (KSRC=) or unset KSRC to fetch one."
}

tree_version() {
	make -s -C "$1" kernelversion 2>/dev/null
}

record() {
	printf 'KSRC=%s\nKVER=%s\n' "$1" "$2" >"$out.tmp"
	mv "$out.tmp" "$out"
	echo "fetch-kernel: using $1 (Linux $2)"
}

if [ -n "${KSRC:-}" ]; then
	# Resolve into another variable: the message must name what was given.
	tree=$(cd "$KSRC" 2>/dev/null && pwd) || die "KSRC=$KSRC does not exist." \
		"Set KSRC to an unpacked kernel tree, or unset it to fetch one from Debian."
	check_tree "$tree"
	record "$tree" "$(tree_version "$tree")"
	exit 0
fi

. "$(dirname "$0")/private-apt.sh"
private_apt_init "$apt_dir"

# What the last run resolved stands until the package lists change (a new
# linux-source) or KVER asks for another version: no apt queries then.
if [ -f "$out" ] && [ "$out" -nt "$apt_dir/lists/.updated" ]; then
	last_src=$(sed -n 's/^KSRC=//p' "$out") last_ver=$(sed -n 's/^KVER=//p' "$out")
	if [ -f "$last_src/.kit-unpacked" ] && { [ -z "${KVER:-}" ] || [ "${last_ver%.*}" = "$KVER" ]; }; then
		echo "fetch-kernel: using $last_src (Linux $last_ver)"
		exit 0
	fi
fi

# linux-source-X.Y packages on offer, newest first, >= min_ver.
available=$(apt-cache "${apt_opts[@]}" pkgnames linux-source- 2>/dev/null |
	sed -n 's/^linux-source-\([0-9]\+\.[0-9]\+\)$/\1/p' | sort -t. -k1,1nr -k2,2nr)
eligible=$(for v in $available; do
	[ "$(printf '%s\n%s\n' "$min_ver" "$v" | sort -t. -k1,1n -k2,2n | head -n1)" = "$min_ver" ] && echo "$v"
done)

if [ -n "${KVER:-}" ]; then
	echo "$available" | grep -qx "$KVER" ||
		die "linux-source-$KVER is not offered by the mirror in suites: $kit_suites." \
			"Available: $(echo $available). Pick one with KVER=X.Y, or use KSRC=/path/to/linux."
	ver=$KVER
else
	ver=$(echo "$eligible" | head -n1)
	[ -n "$ver" ] || die "no linux-source-X.Y >= $min_ver in suites: $kit_suites (found: ${available:-none})." \
		"Use KSRC=/path/to/a/$min_ver+/tree, or KIT_SUITES='...' to search other suites."
fi

pkg=linux-source-$ver
deb_ver=$(apt-cache "${apt_opts[@]}" show "$pkg" 2>/dev/null |
	awk '/^Version:/ { print $2 }' | sort -V | tail -n1)
[ -n "$deb_ver" ] || die "apt knows $pkg but shows no version." "Remove $apt_dir and retry."

tree=$cache/src/$pkg-${deb_ver//[^A-Za-z0-9.-]/_}
# Every clone unpacks into the same cache: one at a time.
mkdir -p "$cache/src"
exec 7>"$cache/src/.lock"
flock 7
if [ ! -f "$tree/.kit-unpacked" ]; then
	echo "fetch-kernel: downloading $pkg $deb_ver"
	dl=$cache/src/.download
	rm -rf "$dl" "$tree"
	mkdir -p "$dl"
	(cd "$dl" && apt-get "${apt_opts[@]}" -q download "$pkg=$deb_ver") >"$apt_dir/download.log" 2>&1 ||
		die "downloading $pkg $deb_ver failed (log: $apt_dir/download.log)." \
			"Retry; if it persists, use KSRC=/path/to/linux."
	dpkg-deb -x "$dl"/"${pkg}"_*.deb "$dl/x" ||
		die "the downloaded $pkg package is damaged." "Delete $dl and retry."
	tarball=$(ls "$dl"/x/usr/src/"$pkg".tar.* 2>/dev/null | head -n1)
	[ -n "$tarball" ] || die "$pkg has no /usr/src/$pkg.tar.* inside." "Report this; use KSRC= meanwhile."
	echo "fetch-kernel: unpacking $(basename "$tarball")"
	mkdir -p "$tree.partial"
	tar -xf "$tarball" -C "$tree.partial" --strip-components=1 ||
		die "unpacking $tarball failed (disk full?)." "Free space under $cache and retry."
	rm -rf "$dl"
	mv "$tree.partial" "$tree"
	touch "$tree/.kit-unpacked"
fi

check_tree "$tree"
record "$tree" "$(tree_version "$tree")"
