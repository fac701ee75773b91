#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prove that every lab is a working guided exercise.
#
#   guided-check.sh OUT_DIR LAB...
#
# For each LAB, in OUT_DIR/LAB/:
# - an untouched "make lab-start" copy must fail lab-check, and every check
#   it fails must have a hint that names a step;
# - the solution (the after driver, copied over the learner's file) must
#   pass every check;
# - every hint in labs/LAB/hints must match a check the solution ran, so
#   that a renamed test or case cannot leave its hint behind;
# - the lab's page must number its TODOs as labs/LAB/steps does, and every
#   lab-check line it shows (the file graded, a check, what was expected
#   and seen, the step to reread) must be a line lab-check printed.
# Environment: as for lab-check.sh, plus CHECKERS (the directory that has
# <lab>/check, default build/labs).
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
me="guided-check"
out=${1:-}
lab=
shift || true

. "$here/scripts/lab-lib.sh"
[ -n "$out" ] && [ $# -gt 0 ] || die "usage: guided-check.sh OUT_DIR LAB..."
checkers=${CHECKERS:-$here/build/labs}
bad=0

# Report a problem with the lab being checked; the lab is then not green.
problem() {
	printf '  GUIDED  %-16s FAIL: %s\n' "$lab" "$1"
	shift
	for l in "$@"; do printf '          %s\n' "$l"; done
	bad=1
}

# run NAME: lab-start into OUT_DIR/LAB/NAME/work and lab-check it; with a
# second argument, that file replaces the learner's copy first. Sets rc.
run() {
	local dir=$out/$lab/$1
	"$here/scripts/lab-start.sh" "$lab" "$dir/work" >"$dir.start" 2>&1 ||
		die "lab-start failed:" "$(cat "$dir.start")"
	[ -z "${2:-}" ] || cp "$here/$2" "$dir/work/$copy"
	"$here/scripts/lab-check.sh" "$lab" "$dir/work" "$dir/out" "$checkers/$lab/check" \
		>"$dir.txt" 2>&1
	rc=$?
	[ $rc -le 1 ] || die "lab-check could not grade the $1 copy:" "$(cat "$dir.txt")"
	# Its report as "status<TAB>kind:name<TAB>step" lines, one per check.
	PYTHONPATH=$here/scripts python3 -m kit checks "$dir/out/report.json" >"$dir.checks" ||
		die "lab-check wrote no report for the $1 copy: $dir/out/report.json"
}

for lab in "$@"; do
	( lab_resolve "$lab" ) || { bad=1; continue; }
	lab_resolve "$lab"
	rm -rf "${out:?}/$lab"
	mkdir -p "$out/$lab"

	t0=$(date +%s)
	run untouched
	t1=$(date +%s)
	checks=$out/$lab/untouched.checks
	nfail=$(grep -c '^FAIL' "$checks")
	if [ $rc = 0 ]; then
		problem "lab-check passes an untouched lab-start copy: the lab grades nothing." \
			"See $out/$lab/untouched.txt"
	elif awk -F'\t' '$1 == "FAIL" && ($3 == "" || $3 == "-") { exit 1 }' "$checks"; then
		printf '  GUIDED  %-16s untouched copy: %d of %d checks fail, each names a step (%ds)\n' \
			"$lab" "$nfail" "$(wc -l <"$checks")" $((t1 - t0))
	else
		problem "a check the untouched copy fails has no hint naming a step:" \
			"$(awk -F'\t' '$1 == "FAIL" && ($3 == "" || $3 == "-") { print $2 }' "$checks")" \
			"Add it to labs/$lab/hints; lab-check's output: $out/$lab/untouched.txt"
	fi

	run solution "$after"
	t2=$(date +%s)
	if [ $rc = 0 ]; then
		printf '  GUIDED  %-16s solution (%s): all %d checks pass (%ds)\n' \
			"$lab" "$after" "$(wc -l <"$out/$lab/solution.checks")" $((t2 - t1))
	else
		problem "lab-check fails the solution, $after:" "$(grep -A4 '^  FAIL' "$out/$lab/solution.txt")" \
			"(the hints and the page are checked against a passing solution only)"
		continue
	fi

	# Every hint of the lab matches a check of the solution's run.
	keys=$(cut -f2 "$out/$lab/solution.checks")
	while IFS=$'\t' read -r glob _; do
		found=
		while read -r key; do
			# shellcheck disable=SC2053 # the hint's check is a glob
			[[ $key == $glob ]] && { found=1; break; }
		done <<<"$keys"
		[ -n "$found" ] || problem "labs/$lab/hints: \"$glob\" matches no check lab-check ran." \
			"A test or case was renamed or removed: update the hint."
	done < <(records "$hints" check step expect)

	# The page numbers the same TODOs as the steps file.
	if [ ! -f "$here/$page" ]; then
		problem "the lab has no page, $page."
	else
		want=$(records "$steps" step at todo | cut -f1 | sort -nu | paste -sd' ' -)
		have=$(grep -o 'TODO [0-9]*' "$here/$page" | cut -d' ' -f2 | sort -nu | paste -sd' ' -)
		[ "$want" = "$have" ] ||
			problem "$page mentions TODO $have, labs/$lab/steps has TODO $want."
		# Lines shown as lab-check output (the file graded, a check, what
		# was expected and seen, the step to reread) are lines lab-check
		# printed, with the learner's work/LAB/ for this run's copy.
		printed=$(cat "$out/$lab/untouched.txt" "$out/$lab/solution.txt" |
			sed -E "s/^ *//;s|[^ ]*/$lab/[a-z]+/work/|work/$lab/|g")
		while IFS= read -r line; do
			grep -qxF -- "$line" <<<"$printed" ||
				problem "$page shows a lab-check line that lab-check does not print:" "$line"
		done < <(grep -E "^ +((ok|FAIL) {2,}[a-z]+ +[^ ]|(expected|got|reread): |lab-check $lab: work/)" \
			"$here/$page" | sed 's/^ *//')
	fi
done
exit $bad
