#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare a COPY of a driver written against Linux 7.3's .mmap_prepare API
# for the kernel it is about to be built against, and print the compiler
# flags that build it (the backports way: the driver's own source is never
# touched).
#
#   mmap-prepare-compat.sh KERNEL_BUILD_DIR COPY_DIR
#   make -C KERNEL_BUILD_DIR M=COPY_DIR KCFLAGS="$flags"
#
# COPY_DIR holds a copy of the driver's sources (its *.c are rewritten in
# place). Each is read with mmap_prepare_compat.cocci for the members of the
# API it uses; each member has a first release below. If the kernel has all
# of them: the kernel's own path, no rewrite, and the flags force-include
# mmap_prepare_compat.h (functions and constants only). If not: shim mode,
# the .mmap_prepare initialiser is rewritten (see the .cocci), the header is
# included after the copy's last #include, and the flags select the shim.
# Environment: SPATCH (default: spatch from PATH; Coccinelle 1.3 with
# Python). Copy this script, the header and the .cocci together.
set -euo pipefail

kdir=${1:?usage: mmap-prepare-compat.sh KERNEL_BUILD_DIR COPY_DIR}
copy=${2:?usage: mmap-prepare-compat.sh KERNEL_BUILD_DIR COPY_DIR}
here=$(cd "$(dirname "$0")" && pwd)
spatch=${SPATCH:-spatch}

die() {
	printf 'mmap-prepare-compat: %s\n' "$1" >&2
	shift
	for l in "$@"; do printf '  %s\n' "$l" >&2; done
	exit 1
}

rel=$kdir/include/config/kernel.release
[ -f "$rel" ] || die "$rel is missing: $kdir is not a configured kernel build directory." \
	"Run 'make modules_prepare' in it first."
IFS=.- read -r maj min _ <"$rel"
have=$((maj * 100 + min))

# The first release whose headers have each member (read in the trees:
# make matrix-versions; 6.16 has .mmap_prepare but is not verified).
since() {
	case $1 in
	mmap_prepare) echo 617 ;;
	vm_file) echo 618 ;;
	action) echo 619 ;;
	map_kernel_pages | mapped) echo 701 ;;
	error_override) echo 702 ;;
	*) die "the semantic patch reported '$1', which this script does not know." \
		"Copy mmap_prepare_compat.cocci and this script from the same kit." ;;
	esac
}

sources=("$copy"/*.c)
[ -e "${sources[0]}" ] || die "$copy has no .c file." "Copy the driver's sources there first."
if [ "$have" -ge 702 ]; then
	uses=''
else
	command -v "$spatch" >/dev/null ||
		die "no Coccinelle ($spatch): a kernel older than 7.2 needs it." \
			"Install spatch 1.3 or set SPATCH (the kit: make coccinelle)."
	uses=$("$spatch" --very-quiet --no-includes --sp-file "$here/mmap_prepare_compat.cocci" \
		-D detect "${sources[@]}" | sed -n 's/^uses //p' | sort -u | tr '\n' ' ') ||
		die "spatch could not read the sources in $copy."
fi
missing=''
for u in $uses; do
	[ "$(since "$u")" -le "$have" ] || missing="$missing $u"
done

if [ -z "$missing" ]; then
	echo "-include $here/mmap_prepare_compat.h"
	exit 0
fi
echo "mmap-prepare-compat: Linux $maj.$min lacks$missing: shim mode" >&2
for c in "${sources[@]}"; do
	"$spatch" --very-quiet --no-includes --sp-file "$here/mmap_prepare_compat.cocci" \
		-D shim --in-place "$c" >/dev/null || die "spatch could not rewrite $c."
	# After the kernel's headers, so that they keep their own names.
	awk -v last="$(grep -n '^#include' "$c" | tail -n1 | cut -d: -f1)" \
		'{ print } NR == last { print "#include \"mmap_prepare_compat.h\"" }' \
		"$c" >"$c.kit" && mv "$c.kit" "$c"
	grep -q '^#include "mmap_prepare_compat.h"' "$c" ||
		die "$c has no #include line to put the header after."
done
flags="-I$here -DKIT_COMPAT_SHIM"
case " $uses " in *" mapped "*) flags="$flags -DKIT_COMPAT_MAPPED -fms-extensions" ;; esac
echo "$flags"
