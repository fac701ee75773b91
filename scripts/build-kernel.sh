#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the lab kernel out of tree, once per (kernel version, config fragment).
#
#   build-kernel.sh KSRC KVER FRAGMENT CACHE OUT_FILE
#
# The object tree lives in CACHE/kernel/<KVER>-<hash of FRAGMENT>/ so that every
# clone of the kit on this machine shares it; a changed fragment or kernel gets
# a new directory and the old one is left for "make cache-prune".
# Writes "KOBJ=<object tree>" to OUT_FILE. KERNEL_STAGE=prepare stops after
# "make modules_prepare": enough to compile a module against the tree (make
# matrix-build), not to link or boot one; a later full build continues in
# the same directory.
#
# KERNEL_STAMP (optional) names what KSRC holds beyond a pristine tree (a
# patch hash, scripts/case-studies.sh): a build of another stamp is not
# reused but continued, make recompiling what changed, if it was made from
# the same KSRC path; it starts over if it was not, or if KERNEL_FRESH=1
# says KSRC was made anew (its time stamps then tell make nothing).
set -euo pipefail

ksrc=$1 kver=$2 fragment=$3 cache=$4 out=$5
stage=${KERNEL_STAGE:-full}
stamp=${KERNEL_STAMP:-}

die() {
	printf 'build-kernel: %s\n' "$1" >&2
	shift
	for l in "$@"; do printf '  %s\n' "$l" >&2; done
	exit 1
}

[ -f "$fragment" ] || die "config fragment $fragment is missing." "Restore it from git."
hash=$(sha256sum <"$fragment" | cut -c1-12)
kobj=$cache/kernel/$kver-$hash
log=$kobj.log

# Clones and parallel makes share the cache: one builder per kernel, and the
# others wait for it and then take the cached result.
mkdir -p "$cache/kernel"
exec 9>"$kobj.lock"
flock 9

cached() {
	touch "$kobj/.kit-used" # for make cache-prune
	printf 'KOBJ=%s\n' "$kobj" >"$out"
	echo "build-kernel: cached lab kernel $kver ($hash, $1) in $kobj"
	exit 0
}
same_stamp() { [ "$(cat "$kobj/.kit-stamp" 2>/dev/null)" = "$stamp" ]; }
[ -f "$kobj/.kit-built" ] && [ -f "$kobj/Module.symvers" ] && same_stamp && cached built
[ "$stage" = prepare ] && [ -f "$kobj/.kit-prepared" ] && same_stamp && cached "prepared for modules"
if [ -f "$kobj/.kit-prepared" ] && ! same_stamp; then
	if [ "${KERNEL_FRESH:-0}" = 1 ] ||
		[ "$(readlink -f "$kobj/source")" != "$(readlink -f "$ksrc")" ]; then
		rm -f "$kobj/.kit-prepared"
	else
		echo "build-kernel: continuing the build in $kobj from stamp $(cat "$kobj/.kit-stamp" 2>/dev/null) to $stamp"
	fi
	rm -f "$kobj/.kit-built"
fi

mk() { make -C "$ksrc" O="$kobj" ARCH=x86_64 "$@"; }

echo "build-kernel: building Linux $kver lab kernel ($hash, $stage) in $kobj (log: $log)"
start=$(date +%s)
if [ ! -f "$kobj/.kit-prepared" ]; then
	rm -rf "$kobj"
	mkdir -p "$kobj"
	{
		mk tinyconfig &&
			"$ksrc/scripts/kconfig/merge_config.sh" -m -O "$kobj" "$kobj/.config" "$fragment" &&
			mk olddefconfig
	} >"$log" 2>&1 || die "configuring the kernel failed; the last lines of $log:" "$(tail -n 15 "$log")"

	# Kconfig drops options whose dependencies are not met without a word; a
	# kernel missing one of them would make the labs pass for the wrong reason.
	missing=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$fragment" | while IFS= read -r line; do
		grep -qxF "$line" "$kobj/.config" || echo "$line"
	done
	sed -n 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1/p' "$fragment" | while read -r opt; do
		! grep -q "^$opt=" "$kobj/.config" || echo "# $opt is not set"
	done)
	[ -z "$missing" ] || die "Kconfig did not accept these options of $fragment:" $missing \
		"Check their dependencies with 'make -C $ksrc O=$kobj ARCH=x86_64 menuconfig' and fix the fragment."

	mk -j"$(nproc)" modules_prepare >>"$log" 2>&1 ||
		die "make modules_prepare failed; the last lines of $log:" "$(tail -n 25 "$log")"
	touch "$kobj/.kit-prepared"
fi
if [ "$stage" = prepare ]; then
	touch "$kobj/.kit-used"
	printf 'KOBJ=%s\n' "$kobj" >"$out"
	echo "build-kernel: prepared for modules in $(($(date +%s) - start)) s"
	exit 0
fi

mk -j"$(nproc)" bzImage modules >>"$log" 2>&1 ||
	die "the kernel build failed; the last lines of $log:" "$(tail -n 25 "$log")"
[ -f "$kobj/Module.symvers" ] || die "the build left no Module.symvers, so modules cannot link." \
	"See $log."

printf '%s\n' "$stamp" >"$kobj/.kit-stamp"
touch "$kobj/.kit-built" "$kobj/.kit-used"
printf 'KOBJ=%s\n' "$kobj" >"$out"
echo "build-kernel: built in $(($(date +%s) - start)) s"
