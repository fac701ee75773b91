#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Print one line per (lab, variant) from run-lab.sh results, then a total.
#
#   verdict.sh LAB_OUT_DIR...
#
# Exits non-zero unless every variant passed (or was caught, when that is
# what its lab expects, or measured only known upstream defects: KNOWN) and
# every lab produced results.
set -uo pipefail

pass=0 fail=0 known=0
printf '\n%-16s %-9s %-7s %7s  %s\n' LAB VARIANT VERDICT BOOT NOTE
for dir in "$@"; do
	lab=$(basename "$dir")
	if [ ! -s "$dir/results" ]; then
		printf '%-16s %-9s %-7s %7s  %s\n' "$lab" - FAIL - "no results: the lab did not run"
		fail=$((fail + 1))
		continue
	fi
	while read -r variant verdict secs reason; do
		printf '%-16s %-9s %-7s %6ss  %s\n' "$lab" "$variant" "$verdict" "$secs" "$reason"
		case $verdict in
		PASS | CAUGHT) pass=$((pass + 1)) ;;
		KNOWN) known=$((known + 1)) ;;
		*) fail=$((fail + 1)) ;;
		esac
	done <"$dir/results"
done
echo
if [ "$known" -gt 0 ]; then
	echo "labs: $pass passed, $known known upstream defect(s) measured (KNOWN), $fail failed"
else
	echo "labs: $pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
