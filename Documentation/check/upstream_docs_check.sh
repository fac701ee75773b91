#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# upstream_docs_check.sh - build the kernel's filesystems/ book with and
# without Documentation/upstream/*.patch and fail on any new warning
#
# Usage: upstream_docs_check.sh KSRC WORKDIR PATCH...
#
# Two copies of the parts of KSRC the book needs are made under WORKDIR:
# Documentation/, the top Makefile and scripts/ are copied (the patches and
# the build write there), every other top-level entry is a symlink
# (kernel-doc reads headers and sources through them; Python writes no
# bytecode, so nothing is written into KSRC). The patches
# are applied to one copy with patch(1); both are built with the kernel's
# own "make SPHINXDIRS=filesystems htmldocs". Warnings are compared with
# line numbers removed, since the patches move lines. checkpatch.pl --strict
# then runs on each patch; --no-signoff because the patches are unsigned
# drafts: whoever sends them adds their own Signed-off-by.

set -euo pipefail

ksrc=$(realpath "$1")
work=$2
shift 2

# The Python that runs sphinx-build, so the kernel's wrapper finds Sphinx
# even when another python3 comes first in PATH.
sphinx_build=$(command -v "${SPHINXBUILD:-sphinx-build}") ||
	{ echo "upstream-docs-check: sphinx-build not found (python3-sphinx)"; exit 1; }
py=$(sed -n '1s/^#! *\([^ ]*\).*/\1/p' "$sphinx_build")
[ -x "$py" ] || py=python3

export PYTHONDONTWRITEBYTECODE=1
rm -rf "$work"
mkdir -p "$work"

make_copy() {
	local dst=$1 e
	mkdir -p "$dst"
	for e in "$ksrc"/*; do
		case ${e##*/} in
		Documentation|Makefile|scripts) cp -a "$e" "$dst/" ;;
		*) ln -s "$e" "$dst/${e##*/}" ;;
		esac
	done
}

build() {
	local tree=$1 log=$2 start end
	start=$(date +%s)
	if ! make -s -C "$tree" PYTHON3="$py" SPHINXDIRS=filesystems \
		htmldocs >"$log" 2>&1; then
		cat "$log"
		echo "upstream-docs-check: the build in $tree failed (log: $log)"
		return 1
	fi
	end=$(date +%s)
	echo "  BUILT   ${tree##*/}: $((end - start))s, $(grep -c 'WARNING\|ERROR' "$log" || true) warnings (log: $log)"
}

# Warnings without the tree's path and without line numbers.
warnings() {
	grep -E 'WARNING|ERROR' "$1" | sed -e "s|$2/||g" \
		-e 's/:[0-9][0-9]*:/::/g' -e 's/ line [0-9][0-9]*/ line N/g' |
		sort || true
}

make_copy "$work/base"
make_copy "$work/patched"
for p in "$@"; do
	if ! patch -d "$work/patched" -p1 -N --no-backup-if-mismatch \
		--reject-file=- -s <"$p"; then
		echo "upstream-docs-check: ${p##*/} does not apply to $ksrc"
		exit 1
	fi
	echo "  APPLIED ${p##*/}"
done

build "$work/base" "$work/base.log" &
base_pid=$!
build "$work/patched" "$work/patched.log"
wait "$base_pid"

new=$(comm -13 <(warnings "$work/base.log" "$work/base") \
	<(warnings "$work/patched.log" "$work/patched"))
if [ -n "$new" ]; then
	echo "$new"
	echo "upstream-docs-check: the patches add the warnings above"
	exit 1
fi
out=$work/patched/Documentation/output/filesystems
for page in mmap_prepare porting vfs; do
	[ -s "$out/$page.html" ] ||
		{ echo "upstream-docs-check: $page.html was not built"; exit 1; }
done
echo "  DOCS    no new warnings; $out/{mmap_prepare,porting,vfs}.html"

bad=0
for p in "$@"; do
	if ! (cd "$work" && "$ksrc/scripts/checkpatch.pl" --strict --no-tree \
		--no-signoff --quiet "$p"); then
		bad=1
	fi
done
[ $bad = 0 ] || { echo "upstream-docs-check: checkpatch found problems"; exit 1; }
echo "  STYLE   checkpatch --strict --no-signoff clean: $# patches"
