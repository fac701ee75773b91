#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Resolve and unpack a kernel source tree.
#
#   fetch-kernel.sh OUT_FILE        fetch (or reuse) a tree, record it
#   fetch-kernel.sh --served        print the X.Y series the mirror serves
#
# Writes "KSRC=<path>" and "KVER=<version>" to OUT_FILE. Inputs (environment):
#   KSRC       use this tree as it is (only checked for mmap_prepare support)
#   KVER       X.Y: fetch that series instead of the newest linux-source (>= 7.2)
#   KIT_CACHE  where unpacked trees live (shared by every clone of the kit)
#   APT_DIR    private apt state (lists, cache); the system apt setup is untouched
#   DEBIAN_MIRROR  override the Debian mirror URI read from the system's apt sources
#   KIT_SUITES     the Debian suites searched (default: those carrying >= 7.2)
#
# A series is served by one of two packages, tried in this order:
#   - the binary linux-source-X.Y, whose .deb carries the whole tree;
#   - the upstream tarball (linux_X.Y.Z.orig.tar.xz) of the "linux" source
#     package, newest X.Y.Z first. The mirror's index lists versions whose
#     files it no longer has, so each candidate is asked for (HTTP HEAD)
#     before it is taken, and the answers are kept with the package lists.
set -euo pipefail

out=${1:?usage: fetch-kernel.sh OUT_FILE | --served}
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

if [ "$out" != --served ] && [ -n "${KSRC:-}" ]; then
	KSRC=$(cd "$KSRC" 2>/dev/null && pwd) || die "KSRC=$KSRC does not exist." \
		"Set KSRC to an unpacked kernel tree, or unset it to fetch one from Debian."
	check_tree "$KSRC"
	record "$KSRC" "$(tree_version "$KSRC")"
	exit 0
fi

command -v curl >/dev/null || die "curl is missing (it asks the mirror which tarballs it still has)." \
	"Run 'make deps', or: apt-get install curl"
. "$(dirname "$0")/private-apt.sh"
private_apt_init "$apt_dir"
mirror=$(private_apt_mirror)

series_sort() { sort -t. -k1,1nr -k2,2nr -u; }

# linux-source-X.Y binary packages on offer, newest first.
binary_series=$(apt-cache "${apt_opts[@]}" pkgnames linux-source- 2>/dev/null |
	sed -n 's/^linux-source-\([0-9]\+\.[0-9]\+\)$/\1/p' | series_sort)

# "version directory orig-tarball" of every "linux" source package in the
# index, newest version first (one line per orig tarball).
orig_index=$(apt-cache "${apt_opts[@]}" showsrc linux 2>/dev/null | awk '
	/^Package:/ { pkg = $2 } /^Version:/ { ver = $2 } /^Directory:/ { dir = $2 }
	/^ [0-9a-f]+ [0-9]+ linux_.*\.orig\.tar\.[a-z0-9]+$/ { orig = $3 }
	/^$/ { if (pkg == "linux" && orig != "") print ver, dir, orig; pkg = ver = dir = orig = "" }
	END { if (pkg == "linux" && orig != "") print ver, dir, orig }' | sort -u -k1,1 | sort -k1,1Vr)

# Does the mirror still have this orig tarball? Answers are kept until the
# package lists are next refreshed.
reach_file=$apt_dir/lists/orig-reachable
orig_reachable() {
	local file=$1 dir=$2 code
	code=$(awk -v f="$file" '$1 == f { print $2 }' "$reach_file" 2>/dev/null | tail -n1)
	if [ -z "$code" ]; then
		code=$(curl -sI -o /dev/null -w '%{http_code}' --max-time 30 "$mirror/$dir/$file" || true)
		echo "$file $code" >>"$reach_file"
	fi
	[ "$code" = 200 ]
}

# The newest "version dir file" of series $1 whose orig tarball answers.
orig_for_series() {
	local v d f
	while read -r v d f; do
		[ "${f#linux_"$1".}" != "$f" ] || continue
		orig_reachable "$f" "$d" && { echo "$v $d $f"; return 0; }
	done <<<"$orig_index"
	return 1
}

orig_series=$(sed -n 's/^[^ ]* [^ ]* linux_\([0-9]\+\.[0-9]\+\)[.-].*/\1/p' <<<"$orig_index" | series_sort)

# Every series with a package that answers, newest first, with its source.
served() {
	local s
	for s in $(printf '%s\n' $binary_series $orig_series | series_sort); do
		if grep -qx "$s" <<<"$binary_series"; then
			echo "$s linux-source-$s"
		elif o=$(orig_for_series "$s"); then
			echo "$s ${o##* }"
		fi
	done
}

if [ "$out" = --served ]; then
	served
	exit 0
fi

if [ -n "${KVER:-}" ]; then
	[[ $KVER =~ ^[0-9]+\.[0-9]+$ ]] ||
		die "KVER=$KVER is not a kernel series: give X.Y, for example KVER=6.12." \
			"Served by the mirror: $(served | awk '{ print $1 }' | tr '\n' ' ')"
	ver=$KVER
else
	ver=$(for v in $binary_series; do
		[ "$(printf '%s\n%s\n' "$min_ver" "$v" | sort -t. -k1,1n -k2,2n | head -n1)" = "$min_ver" ] &&
			echo "$v"
	done | sed -n 1p)
	[ -n "$ver" ] || die "no linux-source-X.Y >= $min_ver in suites: $kit_suites (found: ${binary_series:-none})." \
		"Use KSRC=/path/to/a/$min_ver+/tree, KVER=X.Y for another series," \
		"or KIT_SUITES='...' to search other suites."
fi


# unpack TARBALL TREE: into a temporary directory, then renamed in one step.
unpack() {
	echo "fetch-kernel: unpacking $(basename "$1")"
	mkdir "$work/tree"
	tar -xf "$1" -C "$work/tree" --strip-components=1 ||
		die "unpacking $1 failed (disk full?); nothing was left in the cache." \
			"Free space under $cache and retry."
	touch "$work/tree/.kit-unpacked"
	rm -rf "$2"
	mv "$work/tree" "$2"
}

# Which package serves it, decided before waiting for the cache lock.
if grep -qx "$ver" <<<"$binary_series"; then
	pkg=linux-source-$ver
	deb_ver=$(apt-cache "${apt_opts[@]}" show "$pkg" 2>/dev/null |
		awk '/^Version:/ { print $2 }' | sort -V | tail -n1)
	[ -n "$deb_ver" ] || die "apt knows $pkg but shows no version." "Remove $apt_dir and retry."
	tree=$cache/src/$pkg-${deb_ver//[^A-Za-z0-9.-]/_}
elif o=$(orig_for_series "$ver"); then
	pkg=
	read -r src_ver _ orig <<<"$o"
	tree=$cache/src/linux-${orig#linux_}
	tree=${tree%.orig.tar.*}
else
	die "Linux $ver is not served by the mirror in suites: $kit_suites." \
		"Served: $(served | awk '{ print $1 }' | tr '\n' ' ')" \
		"Pick one with KVER=X.Y, or use KSRC=/path/to/linux."
fi

# The cache is shared by every clone: one fetcher at a time. A fetch that
# stops part-way leaves only a temporary directory, removed on exit (or by
# the next fetch), never a tree under its final name.
mkdir -p "$cache/src"
exec 7>"$cache/src/.lock"
flock 7
rm -rf "$cache"/src/.fetch.*
work=$(mktemp -d "$cache/src/.fetch.XXXXXX")
chmod 755 "$work" # apt downloads as _apt when it can
trap 'rm -rf "$work"' EXIT

if [ -f "$tree/.kit-unpacked" ]; then
	:
elif [ -n "$pkg" ]; then
	echo "fetch-kernel: downloading $pkg $deb_ver"
	(cd "$work" && apt-get "${apt_opts[@]}" -q download "$pkg=$deb_ver") >"$apt_dir/download.log" 2>&1 ||
		die "downloading $pkg $deb_ver failed (log: $apt_dir/download.log)." \
			"Retry; if it persists, use KSRC=/path/to/linux."
	dpkg-deb -x "$work/${pkg}"_*.deb "$work/x" ||
		die "the downloaded $pkg package is damaged." "Retry; the download was discarded."
	tarball=$(ls "$work"/x/usr/src/"$pkg".tar.* 2>/dev/null | head -n1)
	[ -n "$tarball" ] || die "$pkg has no /usr/src/$pkg.tar.* inside." "Report this; use KSRC= meanwhile."
	unpack "$tarball" "$tree"
else
	echo "fetch-kernel: downloading $orig (source package linux $src_ver)"
	(cd "$work" && apt-get "${apt_opts[@]}" -q source --download-only --tar-only "linux=$src_ver") \
		>"$apt_dir/download.log" 2>&1 ||
		die "downloading linux $src_ver failed (log: $apt_dir/download.log)." \
			"Retry; if it persists, pick another series (scripts/fetch-kernel.sh --served) or use KSRC=."
	unpack "$work/$orig" "$tree"
fi

# The default tree is the one the kit teaches: it must have the 7.2+ API.
# Older series (KVER=) are for the compatibility matrix and are taken as they are.
[ -n "${KVER:-}" ] || check_tree "$tree"
[ -f "$tree/Makefile" ] || die "$tree has no Makefile: not a kernel tree." "Remove it and retry."
record "$tree" "$(tree_version "$tree")"
