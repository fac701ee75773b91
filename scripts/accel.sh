#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the QEMU accelerator the labs use on this machine: kvm if a KVM
# guest boots the lab kernel to its end within a few seconds, else tcg.
#
#   accel.sh BZIMAGE CACHE_DIR
#
# KVM hangs or aborts on some hosts, so it is probed, never assumed: once
# per host, kernel image and QEMU version, with a short timeout; the answer
# (and why) is kept in CACHE_DIR/accel/ for every later boot.
set -uo pipefail

bzimage=$1 cache=$2
probe_s=${ACCEL_PROBE_TIMEOUT:-20}

if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo tcg
	exit 0
fi
key=$( { hostname; qemu-system-x86_64 --version | head -n1; stat -c '%n %s %Y' "$bzimage"; } |
	sha256sum | cut -c1-16)
mkdir -p "$cache/accel"
answer=$cache/accel/$key
exec 8>"$answer.lock"
flock 8
if [ ! -s "$answer" ]; then
	tmp=$(mktemp -d)
	# No initramfs: the kernel boots to "VFS: Unable to mount root fs",
	# panics and QEMU exits. Reaching that panic is a working KVM.
	# A QEMU that aborts ("failed to set MSR") makes bash print an
	# "Aborted" notice on its own stderr; the group's redirection hides it
	# (a subshell's does not: bash prints the notice for the subshell).
	{ timeout --kill-after=2 "$probe_s" qemu-system-x86_64 -accel kvm -cpu host \
		-smp 2 -m 512 -display none -monitor none -no-reboot \
		-kernel "$bzimage" -append "console=ttyS0 panic=-1" \
		-serial "file:$tmp/console.log" </dev/null >"$tmp/qemu.log" 2>&1; } 2>/dev/null
	rc=$?
	if grep -q 'Kernel panic - not syncing: VFS' "$tmp/console.log"; then
		echo "kvm" >"$answer"
	elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "tcg # the KVM probe hung for ${probe_s}s" >"$answer"
	else
		echo "tcg # the KVM probe failed (qemu exit $rc): $(head -c 200 "$tmp/qemu.log" | tr '\n' ' ')" >"$answer"
	fi
	rm -rf "$tmp"
fi
cut -d' ' -f1 "$answer"
