#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Compile every file of a tree that the assistant's patch mode converts.
#
#   assistant-compile.sh CLASSIFY_JSON OUT_DIR [MAX_FILES]
#
# The files with a mechanical handler (from the classify JSON) are converted
# in a hard-linked copy of the tree (OUT_DIR/src: writing a converted file
# replaces the link, so the cached tree stays pristine) and compiled one
# object at a time in an allmodconfig object tree (OUT_DIR/obj, configured
# and prepared once and kept). MAX_FILES bounds the run (files in the
# JSON's order); 0 or none means all. Environment: KSRC (the tree the JSON
# was made from), SPATCH. Writes OUT_DIR/results.tsv (file, converted,
# compiled, message) and prints a summary; exits 1 if a converted file
# does not compile.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
json=${1:?usage: assistant-compile.sh CLASSIFY_JSON OUT_DIR [MAX_FILES]}
out=${2:?usage: assistant-compile.sh CLASSIFY_JSON OUT_DIR [MAX_FILES]}
max=${3:-0}
: "${KSRC:?KSRC must be set}" "${SPATCH:?SPATCH must be set (make coccinelle)}"

die() {
	printf 'assistant-compile: %s\n' "$1" >&2
	shift
	for l in "$@"; do printf '  %s\n' "$l" >&2; done
	exit 2
}

[ -f "$json" ] || die "$json does not exist." "Run 'make classify' first."
mkdir -p "$out"
out=$(cd "$out" && pwd)
src=$out/src obj=$out/obj
start=$(date +%s)

if [ ! -f "$src/.kit-copied" ] || [ "$(cat "$src/.kit-copied")" != "$KSRC" ]; then
	rm -rf "$src" "$obj"
	cp -al "$KSRC" "$src" || die "copying $KSRC to $src failed." "Check free space in $out."
	echo "$KSRC" >"$src/.kit-copied"
fi
if [ ! -f "$obj/.kit-prepared" ]; then
	mkdir -p "$obj"
	echo "assistant-compile: configuring and preparing an allmodconfig object tree (once)"
	t=$(date +%s)
	make -s -C "$src" O="$obj" allmodconfig >"$out/prepare.log" 2>&1 &&
		make -s -C "$src" O="$obj" -j"$(nproc)" prepare >>"$out/prepare.log" 2>&1 ||
		die "make allmodconfig prepare failed (log: $out/prepare.log)."
	echo "assistant-compile: prepared in $(($(date +%s) - t)) s"
	touch "$obj/.kit-prepared"
fi
t_prep=$(($(date +%s) - start))

files=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
seen = []
for h in d["handlers"]:
    if h["kind"] == "mechanical" and h["file"] not in seen:
        seen.append(h["file"])
print("\n".join(seen))' "$json")
[ "$max" -gt 0 ] 2>/dev/null && files=$(echo "$files" | head -n "$max")

: >"$out/results.tsv"
conv=0 ok=0 bad=0 nconv=0 skip=0
for f in $files; do
	case $f in *.c) ;; *) continue ;; esac
	# The object tree is x86_64: another architecture's files cannot build.
	case $f in arch/x86/*) ;; arch/*)
		printf '%s\tyes\tskipped\tanother architecture than x86_64\n' "$f" >>"$out/results.tsv"
		skip=$((skip + 1))
		continue ;;
	esac
	# A fresh copy of the pristine file, then the conversion.
	rm -f "$src/$f"
	cp "$KSRC/$f" "$src/$f"
	if ! PYTHONPATH="$here/scripts" python3 -m kit.assistant convert --spatch "$SPATCH" --apply \
		"$src/$f" >"$out/convert.diff" 2>"$out/convert.err" &&
		! grep -q '^+++' "$out/convert.diff"; then
		printf '%s\tno\t-\t%s\n' "$f" "$(head -n1 "$out/convert.err")" >>"$out/results.tsv"
		nconv=$((nconv + 1))
		continue
	fi
	conv=$((conv + 1))
	if make -s -C "$src" O="$obj" "${f%.c}.o" >"$out/cc.log" 2>&1; then
		printf '%s\tyes\tyes\t\n' "$f" >>"$out/results.tsv"
		ok=$((ok + 1))
	else
		msg=$(grep -m2 -E 'error:' "$out/cc.log" | sed "s|$src/||g" | tr '\n' ' ')
		printf '%s\tyes\tno\t%s\n' "$f" "${msg:-$(tail -n1 "$out/cc.log")}" >>"$out/results.tsv"
		bad=$((bad + 1))
	fi
done
echo "assistant-compile: $conv converted, $ok compiled, $bad failed, $nconv not converted," \
	"$skip skipped (other architectures)" \
	"($(($(date +%s) - start)) s, of which $t_prep s copy and prepare)"
awk -F'\t' '$3 == "no" { print "  FAIL " $1 ": " $4 } $2 == "no" { print "  NOT CONVERTED " $1 ": " $4 }' \
	"$out/results.tsv"
[ $bad = 0 ]
