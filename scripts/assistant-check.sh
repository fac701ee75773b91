#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Grade the conversion assistant's patch mode on the kit's own examples with
# what grades a learner's conversion.
#
#   assistant-check.sh OUT_DIR CHECKERS LAB...
#
# For each guided LAB, lab-start.sh makes a working copy of the example's
# before driver (and its Kbuild), kit/assistant.py convert --apply converts
# it, and lab-check.sh grades it: module build (W=1, sparse, -Werror),
# checkpatch --strict and kernel-doc, the harness suites of the hand-written
# after/ driver, and the lab's QEMU checker. A lab whose before driver the
# assistant refuses passes only if the refusal names every word of the
# lab's ASSISTANT_REFUSES (labs/<lab>/lab.conf, e.g. "lock reference").
#
# Environment: SPATCH, and KSRC, KOBJ, SPARSE as for lab-check.sh.
# Prints one line per lab; exits 1 if any failed.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: assistant-check.sh OUT_DIR CHECKERS LAB...}
checkers=${2:?usage: assistant-check.sh OUT_DIR CHECKERS LAB...}
shift 2
: "${SPATCH:?SPATCH must be set (make coccinelle)}"

rm -rf "$out"
mkdir -p "$out"
rc=0
for lab in "$@"; do
	work=$out/$lab/work
	mkdir -p "$out/$lab"
	"$here/scripts/lab-start.sh" "$lab" "$work" >"$out/$lab/start.log" 2>&1 || {
		echo "FAIL  $lab: lab-start.sh failed: $(tail -n1 "$out/$lab/start.log")"
		rc=1
		continue
	}
	copy=$(cd "$work" && ls ./*.c)
	copy=${copy#./}
	# The untouched before driver, not the copy with TODO markers.
	example=${lab#*-}
	cp "$here"/examples/"$example"/before/*.c "$work/$copy"
	# shellcheck source=/dev/null # the lab's settings, KEY="value" lines
	expect=$(ASSISTANT_REFUSES='' && . "$here/labs/$lab/lab.conf" && echo "$ASSISTANT_REFUSES")
	PYTHONPATH="$here/scripts" python3 -m kit.assistant convert --spatch "$SPATCH" --apply \
		"$work/$copy" >"$out/$lab/convert.diff" 2>"$out/$lab/convert.err"
	conv=$?
	if [ -n "$expect" ]; then
		miss=
		for w in $expect; do
			grep -q "$w" "$out/$lab/convert.err" || miss="$miss $w"
		done
		if [ $conv = 1 ] && [ ! -s "$out/$lab/convert.diff" ] && [ -z "$miss" ]; then
			echo "ok    $lab: refused: $(grep -o 'not converted: .*' "$out/$lab/convert.err" | head -n1)"
		else
			echo "FAIL  $lab: expected a refusal naming:$expect (missing:${miss:- none}; exit $conv)"
			rc=1
		fi
		continue
	fi
	if [ $conv != 0 ] || [ ! -s "$out/$lab/convert.diff" ]; then
		echo "FAIL  $lab: the assistant did not convert $copy (exit $conv): $(head -n1 "$out/$lab/convert.err")"
		rc=1
		continue
	fi
	lab_out=$out/$lab/check
	"$here/scripts/lab-check.sh" "$lab" "$work" "$lab_out" "$checkers/$lab/check" \
		>"$out/$lab/check.log" 2>&1
	lc=$?
	# The counts and the failed checks' names, from lab-check's report.
	read -r n f < <(python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["checks"]
print(sum(x["status"] == "ok" for x in c), sum(x["status"] == "FAIL" for x in c))' \
		"$lab_out/report.json" 2>/dev/null || echo "? ?")
	if [ $lc = 0 ]; then
		echo "ok    $lab: converted; $n checks passed (build, style, harness, QEMU lab)"
	else
		echo "FAIL  $lab: converted, but $f checks failed, $n passed (log: $out/$lab/check.log):"
		python3 -c 'import json, sys
for x in json.load(open(sys.argv[1]))["checks"]:
    if x["status"] == "FAIL":
        print("        %s %s: %s" % (x["status"], x["kind"], x["name"]))' \
			"$lab_out/report.json" 2>/dev/null | head -n 8
		rc=1
	fi
done
exit $rc
