#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the lab kernel in QEMU once per boot group of a lab and grade it.
#
#   run-lab.sh LAB_DIR KOBJ MODULE_DIR CHECKER OUT_DIR
#
# LAB_DIR/lab.conf sets:
#   BOOTS          boot groups separated by ';', variants in a group share a boot
#   CHECK_ARGS     arguments for the checker, before the variant name
#   EXPECT_CAUGHT  variants that are wrong on purpose: they pass only if the
#                  kernel reports them (leak, lockdep, WARN), and must boot alone
#   KNOWN_REPORTS  a regex: the kernel reports a known upstream defect causes.
#                  A variant whose checker passed a case with "# KNOWN <why>"
#                  (mapcheck.h mc_known()) is graded KNOWN, and its matching
#                  reports are kept apart as the defect's, not as failures.
#   ASSISTANT_REFUSES  not used here: what make assistant-check expects the
#                  conversion assistant's refusal of the before driver to name.
# Files in LAB_DIR/guest/, if any, go to the guest's /lab/ too.
# MODULE_DIR/<variant>/ holds the variant's one .ko. The logs go to
# OUT_DIR/boot-N/ and the verdicts, graded by scripts/kit/labresult.py, to
# OUT_DIR/result.json (kit-lab/1). Exits 1 if a variant failed.
#
# Environment: QEMU_ACCEL (auto, default: kvm if scripts/accel.sh's probe
# boots, else tcg; or tcg, kvm), LAB_TIMEOUT (seconds per boot), LAB_STALL
# (seconds without output after which a guest has hung, default 30),
# LAB_VARIANTS (boot only these variants, e.g. "after" for make lab-check),
# LAB_SCAN_EACH=1 (a kmemleak scan after each variant, not once per boot),
# LAB_MODULES_LATE=FILE (the modules are still being built: boot now, and
# hand them to the guest on its third serial port once FILE says "ok";
# anything else in FILE stops the guest; make lab-check builds and boots
# at once this way).
set -uo pipefail

lab_dir=$1 kobj=$2 mod_dir=$3 checker=$4 out=$5
lab=$(basename "$lab_dir")
accel=${QEMU_ACCEL:-auto}
timeout_s=${LAB_TIMEOUT:-120}
stall_s=${LAB_STALL:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
late=${LAB_MODULES_LATE:-}

die() {
	printf 'run-lab %s: %s\n' "$lab" "$1" >&2
	shift
	for l in "$@"; do printf '  %s\n' "$l" >&2; done
	exit 2
}

[ -f "$lab_dir/lab.conf" ] || die "$lab_dir/lab.conf is missing." "Every lab declares its boots there."
BOOTS='' CHECK_ARGS='' EXPECT_CAUGHT='' KNOWN_REPORTS=''
. "$lab_dir/lab.conf"
[ -n "$BOOTS" ] || die "lab.conf sets no BOOTS."
for v in ${LAB_VARIANTS:-}; do
	case " ${BOOTS//;/ } " in *" $v "*) ;; *)
		die "LAB_VARIANTS names $v, which lab.conf's BOOTS does not." "BOOTS=\"$BOOTS\"" ;;
	esac
done
bzimage=$kobj/arch/x86/boot/bzImage
gen_cpio=$kobj/usr/gen_init_cpio
[ -f "$bzimage" ] || die "no kernel at $bzimage." "Run 'make kernel' first."
# A kernel with the PVH entry boots from vmlinux: nothing to decompress,
# which under TCG takes seconds.
image=$bzimage
grep -qx 'CONFIG_PVH=y' "$kobj/.config" && [ -f "$kobj/vmlinux" ] && image=$kobj/vmlinux
[ -x "$gen_cpio" ] || die "no $gen_cpio in the kernel object tree." "Run 'make kernel' first."
[ -x "$checker" ] || die "no checker at $checker." "Run 'make modules' first."
# kmemleak ages objects in jiffies: /init waits for 5 * HZ timer ticks.
hz=$(sed -n 's/^CONFIG_HZ=\([0-9]*\)$/\1/p' "$kobj/.config")
[ -n "$hz" ] || die "$kobj/.config sets no CONFIG_HZ." "Rebuild the lab kernel: make kernel."
[ "$accel" != auto ] || accel=$("$here/scripts/accel.sh" "$bzimage" "${KIT_CACHE:-$out}")
case $accel in
tcg) accel_args=(-accel tcg) ;;
kvm) accel_args=(-accel kvm -cpu host) ;;
*) die "QEMU_ACCEL=$accel is not supported." "Use QEMU_ACCEL=auto (default: kvm where a probe boots, else tcg), tcg or kvm." ;;
esac

expect_caught() { case " $EXPECT_CAUGHT " in *" $1 "*) return 0 ;; esac; return 1; }

# The lab's verdicts are reused while none of what they depend on changed
# (scripts/kit/stage.py; FRESH=1 boots anyway): the lab, the guest's /init,
# the kernel, the modules, the checker, QEMU and busybox, this script and
# the grading layer, and the settings below.
mkdir -p "$out"
stage=(python3 -m kit.stage)
stage_args=("$out/stage.json" "lab $lab" --out "$out/result.json"
	--in "$lab_dir" --in "$here/labs/common/init" --in "$image" --in "$bzimage"
	--in "$kobj/.config" --in "$gen_cpio" --in "$mod_dir/*/*.ko" --in "$checker"
	--in "$here/scripts/run-lab.sh" --in "$here/scripts/accel.sh" --py kit.__main__
	--pkg qemu-system-x86 --pkg qemu-system-data --pkg seabios --pkg busybox-static
	--val "accel=$accel" --val "timeout=$timeout_s" --val "stall=$stall_s"
	--val "variants=${LAB_VARIANTS:-}" --val "scan_each=${LAB_SCAN_EACH:-}")
# Modules that come late are not an input yet: such a run is not reused.
if [ -z "$late" ] && PYTHONPATH=$here/scripts "${stage[@]}" check "${stage_args[@]}"; then
	exit 0
fi
rm -f "$out/result.json"
# module_of VARIANT: the one .ko of VARIANT's module directory.
module_of() {
	local ko
	ko=$(ls "$mod_dir/$1"/*.ko 2>/dev/null)
	[ "$(echo "$ko" | wc -w)" = 1 ] || {
		printf 'run-lab %s: expected exactly one module in %s, found: %s. Run '"'"'make modules'"'"'.\n' \
			"$lab" "$mod_dir/$1" "${ko:-none}" >&2
		return 1
	}
	echo "$ko"
}

# send_modules DIR VARIANT...: once the guest asked for them (a line on
# DIR/modules.out) and $late says they are built, each variant's module
# in base64 between "module VARIANT FILE" and "end", then "done"; or
# "abort". DIR/modules.sent marks the end of the wait.
send_modules() {
	local dir=$1 v ko
	shift
	exec 8<"$dir/modules.out" 9>"$dir/modules.in"
	read -r _ <&8 || return 0
	until [ -s "$late" ]; do
		kill -0 "$qpid" 2>/dev/null || return 0
		sleep 0.05
	done
	{
		if [ "$(cat "$late")" = ok ]; then
			for v; do
				ko=$(module_of "$v") || { echo abort; break; }
				echo "module $v $(basename "$ko")"
				base64 "$ko"
				echo end
			done
			echo "done"
		else
			echo abort
		fi
	} >&9
	touch "$dir/modules.sent"
}

boot=0
boot_args=()
IFS=';' read -ra groups <<<"$BOOTS"
for group in "${groups[@]}"; do
	read -ra variants <<<"$group"
	if [ -n "${LAB_VARIANTS:-}" ]; then
		wanted=()
		for v in "${variants[@]}"; do
			case " $LAB_VARIANTS " in *" $v "*) wanted+=("$v") ;; esac
		done
		variants=("${wanted[@]}")
	fi
	[ ${#variants[@]} -gt 0 ] || continue
	boot=$((boot + 1))
	bdir=$out/boot-$boot
	rm -rf "$bdir"
	mkdir -p "$bdir"
	for v in "${variants[@]}"; do
		if expect_caught "$v" && [ ${#variants[@]} -gt 1 ]; then
			die "variant $v is expected to be caught but shares a boot with others." \
				"Give it a boot of its own in BOOTS (groups are separated by ';')."
		fi
	done

	# The initramfs: busybox, the generic /init, this boot's modules, the checker.
	list=$bdir/initramfs.list
	{
		echo "dir /bin 0755 0 0"
		echo "dir /dev 0755 0 0"
		echo "nod /dev/console 0600 0 0 c 5 1"
		for d in proc sys tmp lab; do echo "dir /$d 0755 0 0"; done
		echo "file /bin/busybox $(command -v busybox) 0755 0 0"
		echo "file /init $here/labs/common/init 0755 0 0"
		echo "file /lab/check $checker 0755 0 0"
		echo "file /lab/boot.conf $bdir/boot.conf 0644 0 0"
		for f in "$lab_dir"/guest/*; do
			[ -f "$f" ] && echo "file /lab/$(basename "$f") $f 0755 0 0"
		done
		for v in "${variants[@]}"; do
			echo "dir /lab/$v 0755 0 0"
			[ -z "$late" ] || continue
			ko=$(module_of "$v") || exit 2
			echo "file /lab/$v/$(basename "$ko") $ko 0644 0 0"
		done
	} >"$list" || exit 2
	printf 'VARIANTS="%s"\nCHECK_ARGS="%s"\nSCAN_EACH="%s"\nHZ=%s\nMODULES="%s"\n' "${variants[*]}" \
		"$CHECK_ARGS" "${LAB_SCAN_EACH:-}" "$hz" "${late:+serial}" >"$bdir/boot.conf"
	late_args=()
	if [ -n "$late" ]; then
		mkfifo "$bdir/modules.in" "$bdir/modules.out"
		late_args=(-serial "pipe:$bdir/modules")
	fi
	"$gen_cpio" "$list" >"$bdir/initramfs.cpio" || die "gen_init_cpio failed on $list."

	# An Oops leaves the kernel unfit to grade anything after it: panic
	# and reboot at once (QEMU exits) instead of waiting for the timeout.
	# no_timer_check: on a loaded host the TCG guest's IO-APIC timer check
	# can miss its ticks and panic the boot ("IO-APIC + timer doesn't work").
	start=$(date +%s.%N)
	timeout --kill-after=5 "$timeout_s" qemu-system-x86_64 "${accel_args[@]}" \
		-smp 2 -m 512 -display none -monitor none -no-reboot \
		-kernel "$image" -initrd "$bdir/initramfs.cpio" \
		-append "console=ttyS0 oops=panic panic=-1 loglevel=7 kmemleak=on no_timer_check" \
		-serial "file:$bdir/console.log" -serial "file:$bdir/ktap.log" "${late_args[@]}" \
		</dev/null >"$bdir/qemu.log" 2>&1 &
	qpid=$!
	if [ -n "$late" ]; then
		send_modules "$bdir" "${variants[@]}" &
		sender=$!
	fi
	# A guest that prints nothing for LAB_STALL seconds has hung: stop it
	# then rather than at LAB_TIMEOUT.
	# Checked five times a second, so that a guest that is done is not
	# waited for either.
	last=0 quiet=0 stalled=
	while kill -0 $qpid 2>/dev/null; do
		sleep 0.2
		size=$(cat "$bdir/console.log" "$bdir/ktap.log" 2>/dev/null | wc -c)
		if [ "$size" = "$last" ]; then quiet=$((quiet + 1)); else quiet=0 last=$size; fi
		# A guest waiting for modules still being built has not hung.
		[ -z "$late" ] || [ -e "$bdir/modules.sent" ] || quiet=0
		if [ $quiet -ge $((stall_s * 5)) ]; then
			stalled=1
			kill $qpid 2>/dev/null
			break
		fi
	done
	wait $qpid
	qrc=$?
	if [ -n "$late" ]; then
		kill "$sender" 2>/dev/null
		wait "$sender"
	fi
	[ -z "$stalled" ] || qrc=stall
	# Serial ports deliver CRLF; people reading the logs want plain lines.
	sed -i 's/\r$//' "$bdir/console.log" "$bdir/ktap.log"
	secs=$(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")

	boot_args+=(--boot "$bdir" "$qrc" "$secs" "${variants[*]}")
done
# The verdicts: kit-lab/1 in $out/result.json, failures printed.
PYTHONPATH=$here/scripts python3 -m kit lab-result --lab "$lab" --out-dir "$out" \
	--timeout "$timeout_s" --stall "$stall_s" --expect-caught "$EXPECT_CAUGHT" \
	--known-reports "$KNOWN_REPORTS" "${boot_args[@]}"
rc=$?
[ -n "$late" ] || PYTHONPATH=$here/scripts "${stage[@]}" commit "$out/stage.json" $rc
exit $rc
