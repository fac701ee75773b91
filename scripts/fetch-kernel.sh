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
#
# The Debian suites that carry linux-source >= 7.2 are searched; the mirror is
# the one the machine is already configured with, so no host name lives here.
set -euo pipefail

out=${1:?usage: fetch-kernel.sh OUT_FILE}
cache=${KIT_CACHE:?KIT_CACHE must be set}
apt_dir=${APT_DIR:?APT_DIR must be set}
suites=${KIT_SUITES:-"sid trixie-backports"}
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
	KSRC=$(cd "$KSRC" 2>/dev/null && pwd) || die "KSRC=$KSRC does not exist." \
		"Set KSRC to an unpacked kernel tree, or unset it to fetch one from Debian."
	check_tree "$KSRC"
	record "$KSRC" "$(tree_version "$KSRC")"
	exit 0
fi

# The machine's own Debian mirror: the first non-security "deb" source whose
# path ends in /debian, from one-line or deb822 apt sources.
find_mirror() {
	local f
	{
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] && awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; break } }' "$f"
		done
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] && awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$f"
		done
	} | grep -Ev -- '-security|security\.' | grep -E '/debian/?$' | head -n1 | sed 's:/*$::'
}

mirror=${DEBIAN_MIRROR:-$(find_mirror)}
[ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list{,.d}." \
	"Add a Debian archive source to apt, set DEBIAN_MIRROR=<uri of a Debian archive>," \
	"or use a tree you already have: make KSRC=/path/to/linux."

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || die "$keyring is missing." "Install it: apt-get install debian-archive-keyring"

mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/etc/preferences.d"
: >"$apt_dir/status"
: >"$apt_dir/etc/sources.list"
for s in $suites; do
	echo "deb [signed-by=$keyring] $mirror $s main" >>"$apt_dir/etc/sources.list"
done

apt_opts=(
	-o "Dir::Etc::sourcelist=$apt_dir/etc/sources.list"
	-o "Dir::Etc::sourceparts=-"
	-o "Dir::Etc::preferencesparts=$apt_dir/etc/preferences.d"
	-o "Dir::State=$apt_dir"
	-o "Dir::State::lists=$apt_dir/lists"
	-o "Dir::State::status=$apt_dir/status"
	-o "Dir::Cache=$apt_dir"
	-o "Dir::Cache::archives=$apt_dir/archives"
	-o "APT::Get::List-Cleanup=0"
	-o "Debug::NoLocking=1"
)

# Refresh the private package lists at most once a day.
stamp=$apt_dir/lists/.updated
if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
	echo "fetch-kernel: reading package lists of $suites from the system's Debian mirror"
	apt-get "${apt_opts[@]}" -q update >"$apt_dir/update.log" 2>&1 ||
		die "apt-get update of the private lists failed (log: $apt_dir/update.log)." \
			"Check the network path to the Debian mirror, or use KSRC=/path/to/linux."
	touch "$stamp"
fi

# linux-source-X.Y packages on offer, newest first, >= min_ver.
available=$(apt-cache "${apt_opts[@]}" pkgnames linux-source- 2>/dev/null |
	sed -n 's/^linux-source-\([0-9]\+\.[0-9]\+\)$/\1/p' | sort -t. -k1,1nr -k2,2nr)
eligible=$(for v in $available; do
	[ "$(printf '%s\n%s\n' "$min_ver" "$v" | sort -t. -k1,1n -k2,2n | head -n1)" = "$min_ver" ] && echo "$v"
done)

if [ -n "${KVER:-}" ]; then
	echo "$available" | grep -qx "$KVER" ||
		die "linux-source-$KVER is not offered by the mirror in suites: $suites." \
			"Available: $(echo $available). Pick one with KVER=X.Y, or use KSRC=/path/to/linux."
	ver=$KVER
else
	ver=$(echo "$eligible" | head -n1)
	[ -n "$ver" ] || die "no linux-source-X.Y >= $min_ver in suites: $suites (found: ${available:-none})." \
		"Use KSRC=/path/to/a/$min_ver+/tree, or KIT_SUITES='...' to search other suites."
fi

pkg=linux-source-$ver
deb_ver=$(apt-cache "${apt_opts[@]}" show "$pkg" 2>/dev/null |
	awk '/^Version:/ { print $2 }' | sort -V | tail -n1)
[ -n "$deb_ver" ] || die "apt knows $pkg but shows no version." "Remove $apt_dir and retry."

tree=$cache/src/$pkg-${deb_ver//[^A-Za-z0-9.-]/_}
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
