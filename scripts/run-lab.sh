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
#   KNOWN_REPORTS  a regex: kernel reports a known upstream defect causes. A
#                  variant whose checker passed a case with "# KNOWN <why>"
#                  (a known upstream defect, measured) gets the verdict KNOWN,
#                  and the reports that match are its defect's, not failures.
# MODULE_DIR/<variant>/ holds the variant's one .ko. Results go to
# OUT_DIR/results ("<variant> PASS|FAIL|CAUGHT|KNOWN <secs> <reason>") and the
# logs beside, with the kernel's reports during a variant in
# boot-N/reports.<variant> (those KNOWN_REPORTS forgave: boot-N/known.<variant>).
#
# Environment: QEMU_ACCEL (tcg, default, or kvm), LAB_TIMEOUT (seconds per boot),
# LAB_VARIANTS (boot only these variants, e.g. "after" for make lab-check).
set -uo pipefail

lab_dir=$1 kobj=$2 mod_dir=$3 checker=$4 out=$5
lab=$(basename "$lab_dir")
accel=${QEMU_ACCEL:-tcg}
timeout_s=${LAB_TIMEOUT:-120}
here=$(cd "$(dirname "$0")/.." && pwd)

die() {
	printf 'run-lab %s: %s\n' "$lab" "$1" >&2
	shift
	for l in "$@"; do printf '  %s\n' "$l" >&2; done
	exit 2
}

[ -f "$lab_dir/lab.conf" ] || die "$lab_dir/lab.conf is missing." "Every lab declares its boots there."
BOOTS= CHECK_ARGS= EXPECT_CAUGHT= KNOWN_REPORTS=
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
[ -x "$gen_cpio" ] || die "no $gen_cpio in the kernel object tree." "Run 'make kernel' first."
[ -x "$checker" ] || die "no checker at $checker." "Run 'make modules' first."
case $accel in
tcg) accel_args=(-accel tcg) ;;
kvm) accel_args=(-accel kvm -cpu host) ;;
*) die "QEMU_ACCEL=$accel is not supported." "Use QEMU_ACCEL=tcg (default) or QEMU_ACCEL=kvm." ;;
esac

expect_caught() { case " $EXPECT_CAUGHT " in *" $1 "*) return 0 ;; esac; return 1; }

# What in a kernel log means the lab failed, whatever the checker said.
report_re='WARNING:|BUG:|Oops|Kernel panic|kernel BUG|UBSAN:|KASAN:|unreferenced object|suspected memory leak|INFO: task .* blocked|possible (recursive|circular) locking|lock held when returning'

mkdir -p "$out"
: >"$out/results"
rc=0
boot=0
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
		for v in "${variants[@]}"; do
			ko=$(ls "$mod_dir/$v"/*.ko 2>/dev/null)
			[ "$(echo "$ko" | wc -w)" = 1 ] ||
				die "expected exactly one module in $mod_dir/$v, found: ${ko:-none}." "Run 'make modules'."
			echo "dir /lab/$v 0755 0 0"
			echo "file /lab/$v/$(basename "$ko") $ko 0644 0 0"
		done
	} >"$list"
	printf 'VARIANTS="%s"\nCHECK_ARGS="%s"\n' "${variants[*]}" "$CHECK_ARGS" >"$bdir/boot.conf"
	"$gen_cpio" "$list" >"$bdir/initramfs.cpio" || die "gen_init_cpio failed on $list."

	# An Oops leaves the kernel unfit to grade anything after it: panic
	# and reboot at once (QEMU exits) instead of waiting for the timeout.
	start=$(date +%s.%N)
	timeout --kill-after=5 "$timeout_s" qemu-system-x86_64 "${accel_args[@]}" \
		-smp 2 -m 512 -display none -monitor none -no-reboot \
		-kernel "$bzimage" -initrd "$bdir/initramfs.cpio" \
		-append "console=ttyS0 oops=panic panic=-1 loglevel=7 kmemleak=on" \
		-serial "file:$bdir/console.log" -serial "file:$bdir/ktap.log" \
		</dev/null >"$bdir/qemu.log" 2>&1
	qrc=$?
	# Serial ports deliver CRLF; the parsers below want plain lines.
	sed -i 's/\r$//' "$bdir/console.log" "$bdir/ktap.log"
	secs=$(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")

	# Where the guest was when it stopped: a variant, the final scan, or boot.
	stage=$(awk '/kit-lab: begin / { s = $NF } /kit-lab: end / { s = "" }
		/kit-lab: kmemleak scan/ { s = "the final kmemleak scan" }
		END { print (s == "" ? "boot or between variants" : s) }' "$bdir/console.log")
	why=
	if grep -q '^# kit-lab: done' "$bdir/ktap.log"; then
		:
	elif [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
		why="no verdict within ${timeout_s}s: the guest hung in $stage (LAB_TIMEOUT= raises the limit)"
	else
		why="the guest stopped in $stage before its verdict (qemu exit $qrc)"
	fi

	for v in "${variants[@]}"; do
		# Kernel reports between this variant's markers, plus the final
		# kmemleak scan and boot itself, which belong to every variant here.
		reports=$(awk -v v="$v" -v re="$report_re" '
			/kit-lab: begin / { cur = $NF; next }
			/kit-lab: end /   { cur = ""; next }
			/kit-lab: kmemleak scan/ { cur = "*"; next }
			(cur == v || cur == "*" || cur == "") && $0 ~ re { print }
		' "$bdir/console.log" | head -n 20)
		# The known upstream defects the checker measured in this variant.
		known=$(awk -v v="$v" '
			/^# Subtest: / { cur = $3; next }
			/^(not )?ok [0-9]+ / { cur = ""; next }
			cur == v && /^    ok .* # KNOWN / { sub(/.* # KNOWN /, ""); print }
		' "$bdir/ktap.log")
		if [ -n "$known" ] && [ -n "$KNOWN_REPORTS" ] && [ -n "$reports" ]; then
			printf '%s\n' "$reports" | grep -E -- "$KNOWN_REPORTS" >"$bdir/known.$v"
			reports=$(printf '%s\n' "$reports" | grep -Ev -- "$KNOWN_REPORTS")
		fi
		printf '%s' "$reports" >"$bdir/reports.$v"
		line=$(grep -E "^(not )?ok [0-9]+ $v\$" "$bdir/ktap.log" | tail -n1)
		# The variant's failed cases with the diagnostics that follow each,
		# and what /init said about it (insmod, rmmod).
		failed=$(awk -v v="$v" '
			/^# Subtest: / { cur = $3; show = 0; next }
			/^(not )?ok [0-9]+ / { cur = ""; next }
			cur != v { next }
			/^    not ok / { sub(/^    /, ""); print; show = 1; next }
			/^    ok / { show = 0; next }
			show && /^    # / { sub(/^    /, ""); print; next }
			/^# / { print }
		' "$bdir/ktap.log" | head -n 20)

		if expect_caught "$v"; then
			if [ -n "$reports" ]; then
				verdict="CAUGHT"
				reason="caught, as expected: $(echo "$reports" | head -n1 | sed 's/^\[[^]]*\] //')"
			else
				verdict="FAIL"
				reason="NOT caught: this variant is wrong on purpose and the kernel reported nothing${why:+ ($why)}"
			fi
		elif [ -n "$reports" ]; then
			verdict=FAIL reason="kernel reported: $(echo "$reports" | head -n1 | sed 's/^\[[^]]*\] //')${why:+; $why}"
		elif [ -n "$why" ]; then
			verdict=FAIL reason=$why
		elif [ "${line%% *}" = ok ] && [ -n "$known" ]; then
			verdict=KNOWN reason=$(printf '%s\n' "$known" | paste -sd ';' | sed 's/;/; /g')
		elif [ "${line%% *}" = ok ]; then
			verdict=PASS reason=
		else
			first=$(echo "$failed" | grep -m1 '^not ok' || echo "$failed" | head -n1)
			verdict=FAIL reason=${first:-"no result line for $v in $bdir/ktap.log"}
		fi
		printf '%s %s %s %s\n' "$v" "$verdict" "$secs" "$reason" >>"$out/results"

		case $verdict in
		PASS | CAUGHT | KNOWN) ;;
		*)
			rc=1
			echo "---- $lab/$v: $reason"
			[ -n "$failed" ] && echo "$failed" | sed 's/^/  /'
			[ -n "$reports" ] && { echo "  kernel log ($bdir/console.log):"; echo "$reports" | sed 's/^/    /'; }
			[ -z "$failed$reports" ] && tail -n 15 "$bdir/console.log" | sed 's/^/    /'
			;;
		esac
	done
done
exit $rc
