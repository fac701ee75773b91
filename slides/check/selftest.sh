#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The slide checks must refuse what they are for. Builds the fixture decks
# in check/selftest/ and expects:
#
#   anchor.md   the build stops: a quoted function no longer exists
#   figure.md   the build stops: a cropped figure names a missing node
#   broken.md   the build succeeds, and the render check fails on each bad
#               slide (too tall, too wide, empty, raw Markdown, too many
#               bullets) and on nothing else
#
#   selftest.sh PYTHON3 SLIDES_DIR TOP REVEAL_DIR OUT_DIR CHROMIUM
set -euo pipefail

py=$1 slides=$2 top=$3 reveal=$4 out=$5 chromium=$6
fixtures=$slides/check/selftest
passed=0 failed=0
rm -rf "$out"
mkdir -p "$out"

ok() { echo "  SELFTEST $1"; passed=$((passed + 1)); }
bad() { echo "  FAIL     $1"; failed=$((failed + 1)); }

build() { # deck, output dir
	"$py" "$slides/tools/build.py" --deck "$fixtures/$1" --top "$top" \
		--out "$2" --reveal "$reveal" 2>&1
}

# A missing anchor stops the build, with the deck line and what is missing.
for c in "anchor.md:no definition of function kit_flags_mmap_prepare_renamed" \
	 "figure.md:no node no_such_node"; do
	deck=${c%%:*} want=${c#*:}
	if log=$(build "$deck" "$out/${deck%.md}"); then
		bad "$deck: the build did not stop"
	elif grep -q "slides/check/selftest/$deck:[0-9]*: .*$want" <<<"$log"; then
		ok "$deck: build refused ($want)"
	else
		bad "$deck: the build stopped without saying \"$want\": $log"
	fi
done

# Each broken slide is reported, with its number; the good one is not.
if ! log=$(build broken.md "$out/broken"); then
	bad "broken.md: the build failed: $log"
else
	if rep=$("$py" "$slides/check/render_check.py" \
		--html "$out/broken/index.html" --shots "$out/broken-shots" \
		--chromium "$chromium" 2>&1); then
		bad "broken.md: the render check passed"
	fi
	for c in "2:overflows the slide box by [0-9]+px at the bottom" \
		 "3:clips [0-9]+px of its longest line" \
		 "4:empty slide" \
		 "5:unrendered Markdown" \
		 "6:overflows the slide box by [0-9]+px at the bottom"; do
		n=${c%%:*} want=${c#*:}
		if line=$(grep -m1 -E "FAIL +slide $n \(.*\): .*$want" <<<"$rep"); then
			ok "broken.md: refused: ${line#*FAIL    }"
		else
			bad "broken.md slide $n: no \"$want\" in: $rep"
		fi
	done
	if grep -qE "FAIL +slide 1 " <<<"$rep"; then
		bad "broken.md slide 1 fits but was refused: $rep"
	else
		ok "broken.md slide 1: accepted"
	fi
fi

echo "slides selftest: $passed passed, $failed failed"
[ "$failed" = 0 ]
