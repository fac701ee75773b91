#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Find a Coccinelle (spatch) that parses the kernel the kit targets,
# building one if needed.
#
#   fetch-coccinelle.sh OUT_FILE
#
# Debian 12 ships spatch 1.1.1, which fails to parse much of Linux 7.x (see
# Documentation/assistant.rst, "Which Coccinelle"); 1.3 is needed. sid's
# binary package wants a newer libc than Debian 12 has, so, as for sparse
# (fetch-sparse.sh), the sid source package is fetched with the private apt
# state and built into KIT_CACHE against Debian's own OCaml libraries.
# Writes "SPATCH=<path>" to OUT_FILE.
set -euo pipefail

out=$1
cache=${KIT_CACHE:?KIT_CACHE must be set}
apt_dir=${APT_DIR:?APT_DIR must be set}
min_ver=1.3
# Debian packages the build needs (the source package's Build-Depends,
# less the documentation tools).
build_deps=(ocaml-nox ocaml-findlib menhir libmenhir-ocaml-dev libparmap-ocaml-dev
	libstdcompat-ocaml-dev libpyml-ocaml-dev autoconf automake pkgconf python3-dev patch)

die() {
	printf 'fetch-coccinelle: %s\n' "$1" >&2
	shift
	for l in "$@"; do printf '  %s\n' "$l" >&2; done
	exit 1
}

# "spatch version 1.3 compiled with..." -> 1.3
version() { "$1" --version 2>/dev/null | sed -n '1s/^spatch version \([0-9.]*\).*/\1/p'; }
new_enough() {
	local v
	v=$(version "$1")
	[ -n "$v" ] && [ "$(printf '%s\n%s\n' "$min_ver" "$v" | sort -V | head -n1)" = "$min_ver" ]
}

record() {
	printf 'SPATCH=%s\n' "$1" >"$out.tmp"
	mv "$out.tmp" "$out"
	echo "fetch-coccinelle: using $1 (spatch $(version "$1"))"
}

if sys=$(command -v spatch) && new_enough "$sys"; then
	record "$sys"
	exit 0
fi

mkdir -p "$cache/tools"
exec 7>"$cache/tools/.lock"
flock 7
for built in "$cache"/tools/coccinelle-*/bin/spatch; do
	[ -x "$built" ] && new_enough "$built" && { record "$built"; exit 0; }
done

echo "fetch-coccinelle: spatch ${sys:+$(version "$sys") }is missing or older than $min_ver; building Coccinelle from Debian's source package"
"$(dirname "$0")/deps.sh" "${build_deps[@]}" ||
	die "the Coccinelle build dependencies could not be installed (see above)."

. "$(dirname "$0")/private-apt.sh"
private_apt_init "$apt_dir"

work=$cache/tools/.coccinelle-download
rm -rf "$work"
mkdir -p "$work"
(cd "$work" && apt-get "${apt_opts[@]}" -q source --download-only coccinelle) >"$work/download.log" 2>&1 ||
	die "downloading the coccinelle source package failed (log: $work/download.log)." \
		"Install Coccinelle >= $min_ver yourself and put spatch first in PATH."
orig=$(ls "$work"/coccinelle_*.orig.tar.* 2>/dev/null | head -n1)
debian=$(ls "$work"/coccinelle_*.debian.tar.* 2>/dev/null | head -n1)
[ -n "$orig" ] && [ -n "$debian" ] ||
	die "the coccinelle source package lacks its orig or debian tarball." "See $work."
ver=$(basename "$orig" | sed 's/^coccinelle_\(.*\)\.orig\.tar\..*/\1/; s/[^A-Za-z0-9.-]/_/g')
dest=$cache/tools/coccinelle-$ver
src=$work/src
mkdir -p "$src"
tar -xf "$orig" -C "$src" --strip-components=1
tar -xf "$debian" -C "$src"
# Debian's patches make the build use the system's OCaml libraries instead
# of the bundled copies its repacked tarball leaves out.
while read -r p; do
	[ -n "$p" ] && [ "${p#\#}" = "$p" ] || continue
	patch -d "$src" -p1 -s <"$src/debian/patches/$p" ||
		die "Debian patch $p does not apply to coccinelle $ver." "See $src."
done <"$src/debian/patches/series"
rm -rf "$dest"
if ! (cd "$src" && aclocal -I setup && autoconf && automake --add-missing &&
	./configure --prefix="$dest" --enable-ocaml --enable-python --with-python=python3 \
		--enable-opt && make -j"$(nproc)" && make install) >"$work/build.log" 2>&1; then
	die "building coccinelle $ver failed (log: $work/build.log)." \
		"Install Coccinelle >= $min_ver and put spatch first in PATH."
fi
new_enough "$dest/bin/spatch" ||
	die "the spatch built from coccinelle $ver reports version '$(version "$dest/bin/spatch")'." \
		"Install Coccinelle >= $min_ver and put spatch first in PATH."
rm -rf "$work"
record "$dest/bin/spatch"
