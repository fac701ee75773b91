#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks of the conversion assistant (figures, not pass/fail tests).
#
#   assistant-bench.sh OUT_DIR
#
# Times "classify" over the whole tree KSRC (target: 300 s on 2 cores) and
# "convert" of one file that has a mechanical handler (target: 10 s), and
# prints each with its ratio to the target. Environment: KSRC, SPATCH.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: assistant-bench.sh OUT_DIR}
: "${KSRC:?KSRC must be set}" "${SPATCH:?SPATCH must be set (make coccinelle)}"
mkdir -p "$out"

now() { date +%s.%N; }
ratio() { awk -v t="$1" -v g="$2" 'BEGIN { printf "%.1f s (%.2f of the %d s target)", t, t / g, g }'; }

t0=$(now)
PYTHONPATH="$here/scripts" python3 -m kit.assistant classify --spatch "$SPATCH" --ksrc "$KSRC" \
	--json "$out/classify.json" >"$out/classify.txt"
t1=$(now)
echo "bench: classify, whole tree ($(tail -n2 "$out/classify.txt" | head -n1)):"
echo "  $(ratio "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" 300)"

file=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(next(h["file"] for h in d["handlers"] if h["kind"] == "mechanical"))' "$out/classify.json")
cp "$KSRC/$file" "$out/convert-input.c"
t0=$(now)
PYTHONPATH="$here/scripts" python3 -m kit.assistant convert --spatch "$SPATCH" "$out/convert-input.c" \
	>"$out/convert.diff" 2>"$out/convert.err" || true
t1=$(now)
echo "bench: convert $file ($(grep -c '^[-+][^-+]' "$out/convert.diff") changed lines):"
echo "  $(ratio "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" 10)"
