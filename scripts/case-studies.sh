#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the case studies: real kernel .mmap handlers, their candidate
# .mmap_prepare conversions, and the evidence that decides each one.
#
#   case-studies.sh KSRC KVER CACHE OUT_DIR [STUDY...]
#
# For each study (a directory case-studies/<study>/, default all of them):
#   1. copy KSRC to OUT_DIR/<study>/linux as hard links, break the links of
#      the files the study's variants.patch touches, apply it (the cached
#      tree is never written);
#   2. build that tree with kernel/lab.config plus the study's kernel.config
#      through scripts/build-kernel.sh, cached as <KVER>+<study>, stamped
#      with the patch hash: a changed patch continues that build;
#   3. boot it once per candidate of the study's case.conf, the static
#      checker (check.c) choosing the candidate and driving the subsystem;
#   4. scripts/kit/casestudies.py turns the boots' logs into OUT_DIR/results.json
#      and prints the table from it.
# Exit status: 0 if every candidate's verdict is the one case.conf expects.
#
# Environment: QEMU_ACCEL (tcg, default, or kvm), CASE_TIMEOUT (seconds per
# boot, default 300), CASE_CANDIDATES (boot only these candidates).
set -euo pipefail

ksrc=$1 kver=$2 cache=$3 out=$4
shift 4
here=$(cd "$(dirname "$0")/.." && pwd)
accel=${QEMU_ACCEL:-tcg}
timeout_s=${CASE_TIMEOUT:-300}

die() {
	printf 'case-studies: %s\n' "$1" >&2
	shift
	for l in "$@"; do printf '  %s\n' "$l" >&2; done
	exit 2
}

case $accel in
tcg) accel_args=(-accel tcg) ;;
kvm) accel_args=(-accel kvm -cpu host) ;;
*) die "QEMU_ACCEL=$accel is not supported." "Use QEMU_ACCEL=tcg (default) or QEMU_ACCEL=kvm." ;;
esac

studies=("$@")
if [ ${#studies[@]} -eq 0 ]; then
	for d in "$here"/case-studies/*/case.conf; do studies+=("$(basename "$(dirname "$d")")"); done
fi

# The study's patched copy of the tree, hard links except for the files the
# patch touches. Its path does not change with the patch: the patched files
# are made apart, in TREE.stage, and copied in only where they differ from
# what the tree holds (files the previous patch touched and this one does
# not go back to KSRC's), so that an unchanged file keeps its time stamp and
# the study's build, continued by build-kernel.sh, recompiles only what
# changed. A file is replaced by rename, never written through a link into
# KSRC.
fresh_tree=0
patched_tree() {
	local patch=$1 tree=$2 phash=$3 stage=$2.stage f src
	[ "$(cat "$tree/.kit-patched" 2>/dev/null)" = "$phash" ] && return 0
	if [ ! -f "$tree/.kit-files" ]; then
		rm -rf "$tree"
		mkdir -p "$(dirname "$tree")"
		cp -al "$ksrc" "$tree"
		: >"$tree/.kit-files"
		fresh_tree=1
	fi
	rm -f "$tree/.kit-patched"
	rm -rf "$stage"
	mkdir -p "$stage"
	sed -n 's|^+++ b/||p' "$patch" | sort -u >"$stage.files"
	for f in $(cat "$stage.files"); do
		[ ! -f "$ksrc/$f" ] || { mkdir -p "$(dirname "$stage/$f")" && cp "$ksrc/$f" "$stage/$f"; }
	done
	patch -s -p1 -d "$stage" --no-backup-if-mismatch <"$patch" ||
		die "$patch does not apply to $ksrc (Linux $kver)." \
			"Rebase the study's patch on this kernel, or pick KVER= the study was written for."
	for f in $(sort -u "$tree/.kit-files" "$stage.files"); do
		if [ -f "$stage/$f" ]; then
			src=$stage/$f
		elif [ -f "$ksrc/$f" ]; then
			src=$ksrc/$f
		else
			rm -f "$tree/$f"
			continue
		fi
		cmp -s "$src" "$tree/$f" && continue
		mkdir -p "$(dirname "$tree/$f")"
		cp "$src" "$tree/$f.kit-new"
		mv -f "$tree/$f.kit-new" "$tree/$f"
	done
	mv "$stage.files" "$tree/.kit-files"
	rm -rf "$stage"
	echo "$phash" >"$tree/.kit-patched"
}

rc=0
boots=()
for study in "${studies[@]}"; do
	sdir=$here/case-studies/$study
	[ -f "$sdir/case.conf" ] || die "no case study $study (no $sdir/case.conf)."
	CANDIDATES='' CHECK_ARGS=''
	. "$sdir/case.conf"
	sout=$out/$study
	mkdir -p "$sout"

	phash=$(sha256sum <"$sdir/variants.patch" | cut -c1-12)
	tree=$sout/linux
	fresh_tree=0
	patched_tree "$sdir/variants.patch" "$tree" "$phash"

	cat "$here/kernel/lab.config" "$sdir/kernel.config" >"$sout/kernel.config"
	kstart=$(date +%s)
	KERNEL_STAMP=$phash KERNEL_FRESH=$fresh_tree \
		"$here/scripts/build-kernel.sh" "$tree" "$kver+$study" "$sout/kernel.config" \
		"$cache" "$sout/kernel-obj.mk"
	echo "KERNEL_SECONDS=$(($(date +%s) - kstart))" >>"$sout/kernel-obj.mk"
	. "$sout/kernel-obj.mk"

	gcc -static -O2 -pthread -Wall -Wextra -Werror -I"$here/labs/common" \
		-I"$here/case-studies/common" \
		-o "$sout/check" "$sdir/check.c" ||
		die "$sdir/check.c does not build."

	for cand in ${CASE_CANDIDATES:-$CANDIDATES}; do
		case " $CANDIDATES " in *" $cand "*) ;; *)
			die "CASE_CANDIDATES names $cand; $study has: $CANDIDATES." ;;
		esac
		bdir=$sout/boot-$cand
		rm -rf "$bdir"
		mkdir -p "$bdir"
		printf 'CANDIDATE="%s"\nCHECK_ARGS="%s"\n' "$cand" "$CHECK_ARGS" >"$bdir/boot.conf"
		{
			echo "dir /bin 0755 0 0"
			echo "dir /dev 0755 0 0"
			echo "nod /dev/console 0600 0 0 c 5 1"
			for d in proc sys tmp cs; do echo "dir /$d 0755 0 0"; done
			echo "file /bin/busybox $(command -v busybox) 0755 0 0"
			echo "file /init $here/case-studies/common/init 0755 0 0"
			echo "file /cs/check $sout/check 0755 0 0"
			echo "file /cs/boot.conf $bdir/boot.conf 0644 0 0"
		} >"$bdir/initramfs.list"
		"$KOBJ/usr/gen_init_cpio" "$bdir/initramfs.list" >"$bdir/initramfs.cpio"

		echo "case-studies: $study, candidate $cand: booting (log: $bdir/console.log)"
		start=$(date +%s.%N)
		set +e
		timeout --kill-after=5 "$timeout_s" qemu-system-x86_64 "${accel_args[@]}" \
			-smp 2 -m 1024 -display none -monitor none -no-reboot \
			-kernel "$KOBJ/arch/x86/boot/bzImage" -initrd "$bdir/initramfs.cpio" \
			-append "console=ttyS0 oops=panic panic=-1 loglevel=7 kmemleak=on" \
			-serial "file:$bdir/console.log" -serial "file:$bdir/ktap.log" \
			</dev/null >"$bdir/qemu.log" 2>&1
		qrc=$?
		set -e
		sed -i 's/\r$//' "$bdir/console.log" "$bdir/ktap.log"
		printf 'study=%s\ncandidate=%s\nqemu_exit=%s\nseconds=%s\ntimeout=%s\nkernel=%s\nkernel_seconds=%s\n' \
			"$study" "$cand" "$qrc" "$(echo "$(date +%s.%N) - $start" | bc)" "$timeout_s" \
			"$KOBJ" "$KERNEL_SECONDS" >"$bdir/boot.info"
		boots+=("$bdir")
	done
done

PYTHONPATH=$here/scripts python3 -m kit case-studies collect "$out/results.json" "${boots[@]}" || rc=$?
PYTHONPATH=$here/scripts python3 -m kit case-studies table "$out/results.json" || rc=1
exit $rc
