#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check kernel source files as a patch to the kernel would be checked:
# checkpatch.pl --strict, and kernel-doc -Wall on the comments (which W=1
# does for in-tree code only).
#
#   style.sh [--checkpatch | --kernel-doc] RUN_DIR FILE...
#
# Both checks unless one is named. checkpatch runs in RUN_DIR, where it leaves
# a cache file. Environment: KSRC (the kernel tree whose scripts are used).
# Prints the findings and exits 1 if any file has one.
set -uo pipefail

checks="checkpatch kernel-doc"
case ${1:-} in --checkpatch | --kernel-doc) checks=${1#--}; shift ;; esac
run_dir=${1:-}
shift

die() {
	printf 'style: %s\n' "$1" >&2
	shift
	for l in "$@"; do printf '  %s\n' "$l" >&2; done
	exit 2
}

[ -n "$run_dir" ] && [ $# -gt 0 ] || die "usage: style.sh [--checkpatch | --kernel-doc] RUN_DIR FILE..."
[ -x "${KSRC:-}/scripts/checkpatch.pl" ] && [ -f "$KSRC/scripts/kernel-doc" ] ||
	die "no checkpatch.pl or kernel-doc in KSRC=${KSRC:-unset}." "Run 'make source' first."
mkdir -p "$run_dir"
bad=0
for f in "$@"; do
	f=$(realpath "$f")
	for c in $checks; do
		case $c in
		checkpatch)
			# A compatibility header is the one place that must
			# read the kernel version (merged code never does).
			ignore=()
			case $f in */compat/*) ignore=(--ignore LINUX_VERSION_CODE) ;; esac
			out=$(cd "$run_dir" && "$KSRC/scripts/checkpatch.pl" --strict \
				--no-tree --quiet --show-types "${ignore[@]}" -f "$f" 2>&1) ;;
		kernel-doc)
			out=$(PYTHONDONTWRITEBYTECODE=1 python3 "$KSRC/scripts/kernel-doc" \
				-none -Wall "$f" 2>&1) && [ -z "$out" ] ;;
		esac || { echo "$out"; bad=1; }
	done
done
exit $bad
