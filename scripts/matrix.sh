#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Every example variant against every kernel series the mirror serves.
#
#   matrix.sh OUT_DIR
#
# For each series (or those in MATRIX_KERNELS="6.12 7.3"): fetch the tree,
# build its lab kernel from kernel/lab.config, run the presence probe and
# the 7.3 API probe against its headers, build every variant through
# compat/mmap-prepare-compat.sh (the kernel's path, or shim mode), and, with
# MATRIX_BOOT=all, boot each lab's built variants in that kernel. A variant
# that does not build is a cell of the table ("n.a." and the compiler's
# reason), not a stop. Writes OUT_DIR/<series>/kernel.json and the logs,
# then OUT_DIR/matrix.json, and prints the table; series left out of
# MATRIX_KERNELS keep the columns of the run that last covered them.
#
# Environment: KIT_CACHE, APT_DIR, SPARSE (make sparse), CHECKERS (the
# directory with <lab>/check, from make checkers), MATRIX_BOOT=all|none|
# cached (none: each tree is only prepared for modules and the variants
# compiled; cached: boot where a lab kernel is already built, else none),
# MATRIX_KERNELS, MATRIX_VARIANTS ("after": only those variants), and what
# run-lab.sh reads (QEMU_ACCEL, LAB_TIMEOUT). Exits 1 if a cell FAILs.
set -euo pipefail

out=${1:?usage: matrix.sh OUT_DIR}
[ -n "${SPARSE:-}" ] || { echo "matrix: SPARSE is not set; run 'make sparse' first" >&2; exit 1; }
here=$(cd "$(dirname "$0")/.." && pwd)
boot=${MATRIX_BOOT:-all}
checkers=${CHECKERS:?CHECKERS must name the directory of the built lab checkers}

die() {
	printf 'matrix: %s\n' "$1" >&2
	shift
	for l in "$@"; do printf '  %s\n' "$l" >&2; done
	exit 1
}

case $boot in all | none | cached) ;; *) die "MATRIX_BOOT=$boot: use all, cached or none." ;; esac
mkdir -p "$out"
out=$(cd "$out" && pwd)

served=$("$here/scripts/fetch-kernel.sh" --served | awk '/^[0-9]+\.[0-9]+ / { print $1 }')
kernels=${MATRIX_KERNELS:-$served}
for s in $kernels; do
	grep -qx "$s" <<<"$served" || die "MATRIX_KERNELS names $s, which the mirror does not serve." \
		"Served: $(echo $served)"
done

# The presence probe's source is the same for every tree.
python3 "$here/scripts/matrix.py" probe-src "$here/tests/probe/presence.list" \
	"$out/presence.c" "$out/presence.map"

# Build $3.c of directory $2 against $1: the module, or only the object
# when $1 is only prepared for modules. Log in $2/build.log.
kbuild_dir() {
	local target=modules
	[ -f "$1/Module.symvers" ] || target=$3.o
	make -s -C "$1" M="$2" "$target" >"$2/build.log" 2>&1
}

variants=()
for k in "$here"/examples/*/*/Kbuild; do
	d=${k%/Kbuild}
	variants+=("${d#"$here"/examples/}")
done

for s in $kernels; do
	sdir=$out/$s
	rm -rf "$sdir"
	mkdir -p "$sdir"
	echo "matrix: Linux $s"
	KVER=$s KSRC='' "$here/scripts/fetch-kernel.sh" "$sdir/kernel-source.mk"
	. "$sdir/kernel-source.mk"
	# Booting needs the whole lab kernel; building modules only its headers.
	KERNEL_STAGE=$([ "$boot" = all ] && echo full || echo prepare) \
		"$here/scripts/build-kernel.sh" "$KSRC" "$KVER" "$here/kernel/lab.config" \
		"$KIT_CACHE" "$sdir/kernel-obj.mk"
	. "$sdir/kernel-obj.mk"

	mkdir -p "$sdir/presence" "$sdir/api-probe"
	cp "$out/presence.c" "$sdir/presence/"
	echo 'obj-m := presence.o' >"$sdir/presence/Kbuild"
	kbuild_dir "$KOBJ" "$sdir/presence" presence || true
	python3 "$here/scripts/matrix.py" probe-read "$out/presence.map" \
		"$sdir/presence/build.log" "$KVER" "$sdir/presence.json"
	cp "$here"/tests/probe/{Kbuild,probe.c} "$sdir/api-probe/"
	probe=false
	kbuild_dir "$KOBJ" "$sdir/api-probe" probe && probe=true

	entries=() built=0 tried=0
	for v in "${variants[@]}"; do
		case " ${MATRIX_VARIANTS:-${v#*/}} " in *" ${v#*/} "*) ;; *) continue ;; esac
		lab=$(cd "$here/labs" && ls -d [0-9]*-"${v%%/*}" 2>/dev/null | head -n1 || true)
		# The compatibility script rewrites a copy (shim mode), never the
		# example; the copy keeps the example's directory for "../" headers.
		ok=false mode=native copy=$sdir/src/$v
		rm -rf "$sdir/src/${v%%/*}"
		mkdir -p "$sdir/src"
		cp -a "$here/examples/${v%%/*}" "$sdir/src/"
		if flags=$("$here/compat/mmap-prepare-compat.sh" "$KOBJ" "$copy" 2>"$sdir/src/$v.compat.log"); then
			case $flags in *KIT_COMPAT_SHIM*) mode=shim ;; esac
			if KOBJ=$KOBJ EXTRA_KCFLAGS="$flags" "$here/scripts/build-module.sh" \
				"$copy" "$sdir/modules/$v" >/dev/null 2>&1; then
				ok=true built=$((built + 1))
			fi
		else
			mkdir -p "$sdir/modules/$v"
			cp "$sdir/src/$v.compat.log" "$sdir/modules/$v/build.log"
		fi
		tried=$((tried + 1))
		entries+=("[\"${v%%/*}\", \"${v#*/}\", $([ -n "$lab" ] && echo "\"$lab\"" || echo null), $ok, \"$mode\"]")
	done
	echo "matrix: Linux $KVER: $built of $tried variants build; API probe: $probe"

	booted=false
	if [ "$boot" = all ] || { [ "$boot" = cached ] && [ -f "$KOBJ/.kit-built" ]; }; then
		booted=true
		for labdir in "$here"/labs/[0-9]*/; do
			lab=$(basename "$labdir") ex=${lab#*-}
			BOOTS=
			. "$labdir/lab.conf"
			run=$(for v in ${BOOTS//;/ }; do
				if ls "$sdir/modules/$ex/$v"/*.ko >/dev/null 2>&1; then echo "$v"; fi
			done | tr '\n' ' ')
			[ -n "$run" ] || continue
			LAB_VARIANTS=$run "$here/scripts/run-lab.sh" "$labdir" "$KOBJ" \
				"$sdir/modules/$ex" "$checkers/$lab/check" "$sdir/labs/$lab" ||
				true
		done
	fi
	printf '{"kernel": "%s", "booted": %s, "probe": %s, "variants": [%s]}\n' \
		"$KVER" "$booted" "$probe" "$(IFS=,; echo "${entries[*]}")" >"$sdir/kernel.json"
done

# A run over some series updates their columns; the others keep the
# results of the run that last covered them.
{ cat "$out/kernels" 2>/dev/null || true; printf '%s\n' $kernels; } | tr ' ' '\n' |
	while read -r s; do [ -n "$s" ] && [ -f "$out/$s/kernel.json" ] && echo "$s"; done |
	sort -u -V >"$out/kernels.new"
mv "$out/kernels.new" "$out/kernels"
python3 "$here/scripts/matrix.py" collect "$out" "$out/matrix.json"
python3 "$here/scripts/matrix.py" table "$out/matrix.json"
