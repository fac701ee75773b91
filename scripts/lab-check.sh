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
# run-lab.sh reads; LAB_CHECK_BOOT=0 leaves the QEMU part out (guided-check
# does so for a mistake that the harness alone must catch and route). A
# copy made with "make lab-start HINTS=0" gets the step to reread without
# what was expected. Logs and OUT_DIR/report.json (kit-lab-check/1, written
# by scripts/kit/labcheck.py) stay in OUT_DIR. Exits 0 if every check
# passed, 1 if one failed, 2 if the lab could not be graded at all.
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
work=$(cd "$work" && pwd)
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
# A path as the learner would type it: relative to the kit if inside it.
rel() {
	case $1 in "$here"/*) echo "${1#"$here"/}" ;; *) echo "$1" ;; esac
}

start=$(date +%s.%N)

# Everything at once, the longest first: the guest boots while the
# module builds (run-lab.sh hands it over once built), and the harness and
# style, which do not need the module, run beside them at a lower
# priority, so that they take the CPU the guest leaves while kmemleak's
# objects age. The harness keeps its objects between runs (only the copy
# is recompiled every time), in a directory beside OUT_DIR.
mod_dir=$out/modules
built=$out/modules.built
# 4. The lab's checker in QEMU, against the copy's module as "after".
if [ "${LAB_CHECK_BOOT:-1}" != 0 ]; then
	LAB_MODULES_LATE=$built LAB_VARIANTS=after "$here/scripts/run-lab.sh" "$lab_dir" "$KOBJ" \
		"$mod_dir" "$checker" "$out/lab" >"$out/lab.log" 2>&1 &
	lab_pid=$!
fi
harness_log=$out/harness.log
harness_dir=$(dirname "$out")/.harness-$lab
rm -rf "$harness_dir/results"
# 3. The harness suites that link the solution, with the copy in its place.
nice -n 5 make -s -C "$here/tests" lab BUILD="$harness_dir" REPLACE="$after" \
	WITH="$work/$copy" DEVICE="$device" >"$harness_log" 2>&1 &
harness_pid=$!
# 2. Style, as "make style" checks every example.
for c in checkpatch kernel-doc; do
	nice -n 5 "$here/scripts/style.sh" --$c "$out/style-$c" "$work/$copy" >"$out/$c.out" 2>&1
	echo $? >"$out/$c.rc"
done &
style_pid=$!

# 1. The module, as "make modules" builds every example.
"$here/scripts/build-module.sh" "$work" "$mod_dir/after" >"$out/build.out" 2>&1
build_rc=$?
# A module that does not build is not booted (the guest stops): the
# compiler would only say it again.
if [ $build_rc = 0 ]; then echo ok; else echo failed; fi >"$built.tmp"
mv "$built.tmp" "$built"
if [ "${LAB_CHECK_BOOT:-1}" != 0 ]; then
	wait $lab_pid
	lab_rc=$?
	[ $build_rc != 0 ] || [ $lab_rc -le 1 ] || die "run-lab.sh could not run the lab:" "$(cat "$out/lab.log")"
fi
wait $harness_pid $style_pid
style=()
for c in checkpatch kernel-doc; do
	style+=(--style "$c" "$(cat "$out/$c.rc")" "$out/$c.out")
done
opts=()
[ "${LAB_CHECK_BOOT:-1}" != 0 ] || opts+=(--no-boot)
grep -qx 'HINTS=0' "$work/.lab-start" 2>/dev/null && opts+=(--no-hints)

# One report (report.json), printed; a failed check gets its hint.
secs=$(echo "$(date +%s.%N) - $start" | bc)
PYTHONPATH=$here/scripts python3 -m kit lab-check --lab "$lab" --copy "$(rel "$work/$copy")" \
	--out "$out" --page "$page" --logs "$(rel "$out")" --seconds "$secs" \
	--build-rc $build_rc --build-log "$out/build.out" "${style[@]}" \
	--harness-log "$harness_log" --harness-results "$harness_dir/results" \
	--lab-out "$out/lab" --console "$(rel "$out/lab/boot-1/console.log")" \
	--hints "$hints" --hints "$here/labs/common/hints" "${opts[@]}"
