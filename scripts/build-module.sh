#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build one external module the way every module of the kit is built: against
# the lab kernel, with W=1, sparse (C=1) and -Werror, objects out of the
# source directory.
#
#   build-module.sh SRC_DIR OUT_DIR
#
# SRC_DIR holds a Kbuild file and the module's sources; OUT_DIR is emptied
# and gets the objects, the .ko and build.log. Against a tree that is only
# prepared for modules (no Module.symvers: make matrix-build) the objects
# of obj-m are compiled, with the same checks, and nothing is linked. Environment: KOBJ (the lab
# kernel's object tree) and SPARSE (a sparse the kernel accepts), as "make
# kernel" and "make sparse" record them; EXTRA_KCFLAGS is added to the
# compiler flags (make matrix force-includes the compatibility header with
# it). Exits 1, with the log printed, if
# the module does not build or builds with a warning.
set -euo pipefail

src=$1 out=$2

die() {
	printf 'build-module: %s\n' "$1" >&2
	shift
	for l in "$@"; do printf '  %s\n' "$l" >&2; done
	exit 1
}

[ -n "${KOBJ:-}" ] && { [ -f "$KOBJ/Module.symvers" ] || [ -f "$KOBJ/.kit-prepared" ]; } ||
	die "no lab kernel (KOBJ=${KOBJ:-unset})." "Run 'make kernel' first."
[ -n "${SPARSE:-}" ] || die "SPARSE is not set." "Run 'make sparse' first."
[ -f "$src/Kbuild" ] || die "$src has no Kbuild file." "A module directory needs one."

src=$(cd "$src" && pwd)
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
log=$out/build.log

# Kbuild's MO= (objects outside the sources) came in 6.13. With an older
# kernel the module is built in a copy of its example directory, which also
# holds the headers a variant includes from "../".
dir=$src mo=(MO="$out")
if ! grep -q 'origin MO' "$KOBJ/source/Makefile"; then
	cp -a "$(dirname "$src")" "$out/src"
	dir=$out/src/$(basename "$src") mo=()
fi
targets=(modules)
[ -f "$KOBJ/Module.symvers" ] ||
	read -ra targets <<<"$(sed -n 's/^obj-m[[:space:]]*[:+]\?=//p' "$src/Kbuild")"
if ! make -s -C "$KOBJ" M="$dir" "${mo[@]}" W=1 C=1 CHECK="$SPARSE" \
	KCFLAGS="-Werror ${EXTRA_KCFLAGS:-}" "${targets[@]}" >"$log" 2>&1; then
	cat "$log"
	die "$src does not build (log: $log)."
fi
if grep -iE 'warning:|error:|sparse is not available' "$log"; then
	die "$src builds with warnings (W=1 or sparse); fix them (log: $log)."
fi
[ "$dir" = "$src" ] || [ "${targets[*]}" != modules ] || cp "$dir"/*.ko "$out/"
