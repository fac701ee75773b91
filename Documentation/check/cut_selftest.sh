#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The guide's kit-code directive must stop the build when the code it quotes
# is gone, as the slides' @code does (slides/check/selftest.sh): build a
# one-page guide quoting a function, once by its name (it must build) and
# once by a renamed one (sphinx-build must fail, naming page and function).
#
#   cut_selftest.sh SPHINXBUILD TOP OUT_DIR
set -euo pipefail

sphinx=$1 top=$2 out=$3
rm -rf "$out"
mkdir -p "$out/src"
ln -s "$top" "$out/src/_kit"
printf '%s\n' "import sys" "sys.path.insert(0, \"$top/scripts\")" \
	'extensions = ["kit.sphinxext"]' 'exclude_patterns = ["_kit"]' \
	>"$out/src/conf.py"

page() { # function name
	printf '%s\n' "Cut" "===" "" \
		".. kit-code:: /_kit/examples/flags/after/flags_after.c" \
		"   :cut: fn=$1" >"$out/src/index.rst"
	PYTHONDONTWRITEBYTECODE=1 "$sphinx" -W -q -E -b html "$out/src" "$out/html" 2>&1
}

if ! log=$(page kit_flags_mmap_prepare); then
	echo "  FAIL     kit-code: the page quoting kit_flags_mmap_prepare did not build: $log"
	exit 1
fi
want="index.rst:[0-9]+: ?kit-code: examples/flags/after/flags_after.c: no definition of function kit_flags_mmap_prepare_renamed"
if log=$(page kit_flags_mmap_prepare_renamed); then
	echo "  FAIL     kit-code: a renamed function did not stop the build"
	exit 1
elif ! grep -qE "$want" <<<"$log"; then
	echo "  FAIL     kit-code: the build stopped without saying where and what: $log"
	exit 1
fi
echo "  SELFTEST kit-code: a renamed function stops the guide ($(grep -oE 'index.rst:[0-9]+' <<<"$log" | head -1))"
