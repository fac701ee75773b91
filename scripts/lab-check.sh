#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Grade the learner's copy of a guided lab with what grades the solution.
#
#   lab-check.sh LAB WORK_DIR OUT_DIR CHECKER
#
# WORK_DIR is what "make lab-start" made (and the learner edited). The copy is
# built as a module like every example (build-module.sh: W=1, sparse,
# -Werror) and checked like them (style.sh: checkpatch, kernel-doc); the
# harness suites that link the solution run with the copy in its place, plus
# lab_converted (tests/Makefile "lab"); and the lab's QEMU checker runs
# against the copy's module as the "after" variant (run-lab.sh,
# LAB_VARIANTS=after). One line per check; a failed one says what was
# expected and which step of the lab's page to reread (labs/LAB/hints, then
# labs/common/hints).
#
# Environment: KSRC, KOBJ, SPARSE as the Makefile resolves them, and what
# run-lab.sh reads. Logs and OUT_DIR/checks ("ok|FAIL <TAB> kind:name <TAB>
# step", one line per check) stay in OUT_DIR. Exits 0 if every check passed,
# 1 if one failed, 2 if the lab could not be graded at all.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
me="lab-check"
lab=${1:-} work=${2:-} out=${3:-} checker=${4:-}

. "$here/scripts/lab-lib.sh"
[ -n "$checker" ] || die "usage: lab-check.sh LAB WORK_DIR OUT_DIR CHECKER"
lab_resolve "$lab"
[ -f "$work/$copy" ] ||
	die "there is no working copy at $work/$copy." "Start the lab first: make lab-start LAB=$lab"
[ -f "$work/Kbuild" ] ||
	die "$work/Kbuild is missing." "Move $work aside and run: make lab-start LAB=$lab"
[ -x "$checker" ] || die "no checker at $checker." "Run 'make checkers' first."
hint_table=$(records "$hints" check step expect && records "$here/labs/common/hints" check step expect) ||
	exit 2
work=$(cd "$work" && pwd)
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
# A path as the learner would type it: relative to the kit if inside it.
rel() {
	case $1 in "$here"/*) echo "${1#"$here"/}" ;; *) echo "$1" ;; esac
}

# Checks found so far: status, kind, name, detail (lines joined by \037).
st=() kind=() name=() detail=()
add() {
	st+=("$1") kind+=("$2") name+=("$3") detail+=("${4:-}")
}
# Read "status<TAB>kind<TAB>name<TAB>detail" lines.
add_lines() {
	local s k n d
	while IFS=$'\t' read -r s k n d; do
		add "$s" "$k" "$n" "$d"
	done
}
joined() { head -n "$1" | tr '\n' '\037' | sed 's/\x1f$//'; }

start=$(date +%s.%N)

# 1. The module, as "make modules" builds every example.
mod_dir=$out/modules
"$here/scripts/build-module.sh" "$work" "$mod_dir/after" >"$out/build.out" 2>&1
built=$(($? == 0))
if [ $built = 1 ]; then
	add ok build "W=1, sparse and -Werror, as make modules"
else
	add FAIL build "W=1, sparse and -Werror, as make modules" \
		"$(grep -E 'error:|warning:' "$out/build.out" | joined 4)"
fi

# 2. Style, as "make style" checks every example.
for c in checkpatch kernel-doc; do
	what="checkpatch --strict"
	[ $c = kernel-doc ] && what="kernel-doc -Wall"
	if res=$("$here/scripts/style.sh" --$c "$out/style" "$work/$copy" 2>&1); then
		add ok style "$what"
	else
		add FAIL style "$what" "$(echo "$res" | grep -v '^$' | joined 4)"
	fi
done

# 3. The harness suites that link the solution, with the copy in its place.
run_harness() {
	make -s -C "$here/tests" lab BUILD="$out/tests" REPLACE="$after" \
		WITH="$work/$copy" DEVICE="$device" >"$harness_log" 2>&1
	if ! grep -q '^== ' "$harness_log"; then
		add FAIL build "the userspace harness compiles the copy" \
			"$(grep -E 'error:|tests lab:' "$harness_log" | joined 4)"
	else
		add ok build "the userspace harness compiles the copy"
		# A test with no result line stopped its suite (a sanitizer report).
		add_lines < <(awk '
		# CMocka prints a returned -errno as a 64-bit hex number.
		function errnos(s,  hex, v, i) {
			while (match(s, /0xffffffffffff[0-9a-f][0-9a-f][0-9a-f][0-9a-f]/)) {
				hex = substr(s, RSTART + 14, 4)
				v = 0
				for (i = 1; i <= 4; i++)
					v = v * 16 + index("0123456789abcdef", substr(hex, i, 1)) - 1
				v = 65536 - v
				s = substr(s, 1, RSTART - 1) "-" (v in name ? name[v] : v) substr(s, RSTART + RLENGTH)
			}
			return s
		}
		BEGIN {
			split("1 EPERM 4 EINTR 11 EAGAIN 12 ENOMEM 13 EACCES 14 EFAULT 16 EBUSY 19 ENODEV 22 EINVAL 75 EOVERFLOW", e, " ")
			for (i = 1; i < 20; i += 2)
				name[e[i]] = e[i + 1]
		}
		function tag(s) { return substr(s, 1, 13) }
		function stopped() {
			if (cur != "")
				print "FAIL\tharness\t" cur "\tthe suite stopped in this test (crash or sanitizer report)" \
					(det() == "" ? "" : "\037" det())
			cur = ""
		}
		# What failed, what the test printed, where; what the teardown
		# found only if there is nothing else (it follows from an abort).
		function det() {
			return substr(what found (what found == "" ? torn : "") where, 2)
		}
		function keep(buf, line) { return buf "\037" errnos(line) }
		/^== / { stopped(); next }
		/^\[==========\]/ { stopped(); next }
		tag($0) == "[ RUN      ] " {
			stopped()
			cur = substr($0, 14)
			what = found = torn = where = ""
			in_torn = 0
			next
		}
		cur == "" { next }
		substr($0, 14) == cur && tag($0) == "[       OK ] " { print "ok\tharness\t" cur "\t"; cur = ""; next }
		substr($0, 14) == cur && $0 ~ /^\[ *(FAILED|ERROR) *\] / { print "FAIL\tharness\t" cur "\t" det(); cur = ""; next }
		/^make(\[[0-9]+\])?: / { next }
		/^scenario ended with findings:/ { in_torn = 1; next }
		{
			line = $0
			failed = sub(/^Could not run test: /, "", line) || sub(/^ERROR: /, "", line) ||
				line ~ /^\[  ERROR   \] /
			if (failed || line ~ /^\[/)
				in_torn = 0
			while (sub(/^\[[A-Z ]+\] --- /, "", line))
				;
			sub(/^[ \t]+/, "", line)
			if (line == "")
				next
			if (sub(/: error: Failure!.*/, "", line))
				where = keep(where, "in " line)
			# assert_true(x) says only "x": what the test printed says more.
			else if (failed && line !~ /^[A-Za-z_][A-Za-z0-9_]*$/)
				what = keep(what, line)
			else if (in_torn)
				torn = keep(torn, line)
			else if (!failed)
				found = keep(found, line)
		}
		END { stopped() }' "$harness_log")
	fi
}

# 4. The lab's checker in QEMU, against the copy's module as "after".
run_lab() {
	local lab_out=$out/lab ktap console reason boot_err log reports rc
	LAB_VARIANTS=after "$here/scripts/run-lab.sh" "$lab_dir" "$KOBJ" "$mod_dir" \
		"$checker" "$lab_out" >"$out/lab.log" 2>&1
	rc=$?
	[ $rc -le 1 ] || die "run-lab.sh could not run the lab:" "$(cat "$out/lab.log")"
	ktap=$(ls "$lab_out"/boot-*/ktap.log)
	console=${ktap%/ktap.log}/console.log
	# One line per case of the after subtest. What /init said (insmod,
	# rmmod) and a checker that stopped early go to boot.err.
	add_lines < <(awk -v errs="$out/boot.err" '
	function flush() {
		if (cinfo != "")
			det = det (det == "" ? "" : "\037") cinfo
		if (cur != "")
			print (ok ? "ok" : "FAIL") "\tlab\t" cur "\t" det
		cur = ""
	}
	/^# Subtest: / { in_sub = ($3 == "after"); next }
	/^(not )?ok [0-9]+ / { in_sub = 0; next }
	!in_sub { next }
	/^    1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
	/^    (not )?ok [0-9]+/ {
		flush()
		line = $0
		ok = line !~ /^    not /
		sub(/^    (not )?ok [0-9]+ (- )?/, "", line)
		sub(/^after: /, "", line)
		cur = line; det = ""; ran++
		cinfo = ok ? "" : info
		info = ""
		next
	}
	/^    # failed [0-9]+ of [0-9]+ tests/ { next }
	# "# after: ..." tells what the next case did, "# ..." after a
	# "not ok" why that case failed.
	/^    # after: / { info = substr($0, 14); next }
	/^    # / && cur != "" && !ok {
		det = det (det == "" ? "" : "\037") substr($0, 7); next
	}
	/^# / { print substr($0, 3) > errs }
	END {
		flush()
		if (ran < plan)
			print "the checker stopped after " ran " of its " plan " cases" > errs
		close(errs)
	}' "$ktap")
	read -r _ _ _ reason <"$lab_out/results" || reason="no result for the after variant"
	boot_err=$( { joined 4 <"$out/boot.err"; } 2>/dev/null)
	log="log: $(rel "$console")"
	case $reason in
	"no verdict"* | "the guest stopped"* | "no result"*)
		add FAIL boot "insmod, the checker, rmmod" "$reason"$'\037'"$log" ;;
	*)
		if [ -n "$boot_err" ]; then
			add FAIL boot "insmod, the checker, rmmod" "$boot_err"
		else
			add ok boot "insmod, the checker, rmmod"
		fi
		;;
	esac
	# What run-lab.sh found in the kernel log, even if the guest hung.
	reports=${console%/console.log}/reports.after
	if [ -s "$reports" ]; then
		add FAIL kernel "no WARNING, BUG, lockdep or kmemleak report" \
			"$(sed 's/^\[[^]]*\] //' "$reports" | joined 2)"$'\037'"$log"
	else
		add ok kernel "no WARNING, BUG, lockdep or kmemleak report"
	fi
}

harness_log=$out/harness.log
# Not when the module does not build: the compiler would only say it again.
if [ $built = 1 ]; then
	run_harness
	run_lab
fi

# Print one line per check; a failure gets its hint.
hint_for() {
	local key=$1 glob step expect
	while IFS=$'\t' read -r glob step expect; do
		# shellcheck disable=SC2053 # the hint's check is a glob
		if [[ $key == $glob ]]; then
			printf '%s\t%s\n' "$step" "$expect"
			return
		fi
	done <<<"$hint_table"
	printf -- '-\t%s\n' "no hint for this check: reread the whole page"
}

echo "lab-check $lab: $(rel "$work/$copy")"
failed=0
: >"$out/checks"
for i in "${!st[@]}"; do
	key=${kind[i]}:${name[i]}
	printf '  %-4s  %-8s %s\n' "${st[i]}" "${kind[i]}" "${name[i]}"
	step=
	if [ "${st[i]}" != ok ]; then
		failed=$((failed + 1))
		IFS=$'\t' read -r step expect < <(hint_for "$key")
		printf '%s\n' "$expect" | fold -s -w 66 | sed 's/ *$//;1s/^/        expected: /;2,$s/^/                  /'
		if [ -n "${detail[i]}" ]; then
			printf '%s\n' "${detail[i]}" | tr '\037' '\n' | head -n 4 | cut -c1-120 |
				sed '1s/^/        got:      /;2,$s/^/                  /'
		fi
		if [ "$step" != - ]; then
			case $step in *[-,]*) s=steps ;; *) s=step ;; esac
			echo "        reread:   $s $step of $page"
		fi
	fi
	printf '%s\t%s\t%s\n' "${st[i]}" "$key" "$step" >>"$out/checks"
done
secs=$(printf '%.0f' "$(echo "$(date +%s.%N) - $start" | bc)")
total=${#st[@]}
if [ $built = 0 ]; then
	echo "lab-check $lab: the module does not build, so neither the harness nor the lab kernel ran it."
fi
if [ $failed = 0 ]; then
	echo "lab-check $lab: all $total checks passed (${secs}s)."
	exit 0
fi
echo "lab-check $lab: $failed of $total checks failed (${secs}s). Logs: $(rel "$out")/"
echo "  Steps: $page, rendered by 'make htmldocs' as build/htmldocs/labs/$lab.html"
exit 1
