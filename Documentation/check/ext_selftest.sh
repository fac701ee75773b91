#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The guide's own Sphinx extension (scripts/kit/sphinxext.py) must do what
# it is for, on one-page guides built here:
#
#   kit-code    a page quoting a function by its name builds; quoting a
#               renamed one stops sphinx-build, naming page and function
#               (as slides/check/selftest.sh proves for the deck's @code)
#   automarkup  a plain name() defined in two c:namespace variants links to
#               neither, a global one links; without the extension the
#               kernel's automarkup links the first variant (so this test
#               can fail)
#
#   ext_selftest.sh SPHINXBUILD TOP KSRC OUT_DIR
set -euo pipefail

sphinx=$1 top=$2 ksrc=$3 out=$4
passed=0 failed=0
ok() { echo "  SELFTEST $1"; passed=$((passed + 1)); }
bad() { echo "  FAIL     $1"; failed=$((failed + 1)); }

rm -rf "$out"
mkdir -p "$out/src"
ln -s "$top" "$out/src/_kit"

build() { # extensions (Python list items)
	printf '%s\n' "import sys" \
		"sys.path.insert(0, \"$ksrc/Documentation/sphinx\")" \
		"sys.path.insert(0, \"$top/scripts\")" \
		"extensions = [$1]" 'exclude_patterns = ["_kit"]' \
		'primary_domain = "c"' >"$out/src/conf.py"
	rm -rf "$out/html"
	srctree=$ksrc PYTHONDONTWRITEBYTECODE=1 \
		"$sphinx" -W -q -E -b html "$out/src" "$out/html" 2>&1
}

cut_page() { # function name
	printf '%s\n' "Cut" "===" "" \
		".. kit-code:: /_kit/examples/flags/after/flags_after.c" \
		"   :cut: fn=$1" >"$out/src/index.rst"
}

cut_page kit_flags_mmap_prepare
if log=$(build '"kit.sphinxext"'); then
	ok "kit-code: a page quoting kit_flags_mmap_prepare builds"
else
	bad "kit-code: the page quoting kit_flags_mmap_prepare did not build: $log"
fi
cut_page kit_flags_mmap_prepare_renamed
want="index.rst:[0-9]+: ?kit-code: examples/flags/after/flags_after.c: no definition of function kit_flags_mmap_prepare_renamed"
if log=$(build '"kit.sphinxext"'); then
	bad "kit-code: a renamed function did not stop the build"
elif grep -qE "$want" <<<"$log"; then
	ok "kit-code: a renamed function stops the guide ($(grep -oE 'index.rst:[0-9]+' <<<"$log" | head -1))"
else
	bad "kit-code: the build stopped without saying where and what: $log"
fi

printf '%s\n' "Links" "=====" "" \
	"Prose names kit_twice() and kit_once()." "" \
	".. c:function:: int kit_once(void)" "" \
	".. c:namespace:: one" "" ".. c:function:: int kit_twice(void)" "" \
	".. c:namespace:: two" "" ".. c:function:: int kit_twice(void)" \
	>"$out/src/index.rst"
# The cross-references automarkup made (not the declarations' permalinks).
links() {
	grep -oE 'href="#c\.[a-z_.]+"[^>]*><code class="xref c c-func' \
		"$out/html/index.html" | grep -oE '#c\.[a-z_.]+' | sort -u | tr '\n' ' '
}
if ! log=$(build '"automarkup"'); then
	bad "automarkup: the page did not build: $log"
elif [[ "$(links)" != *'#c.one.kit_twice'* ]]; then
	bad "automarkup alone no longer links kit_twice() to the first variant, one (links: $(links)): recheck kit.sphinxext's reason"
else
	ok "automarkup alone links kit_twice() to the first variant: $(links)"
fi
if ! log=$(build '"automarkup", "kit.sphinxext"'); then
	bad "automarkup: the page did not build with kit.sphinxext: $log"
elif [[ "$(links)" == *kit_twice* || "$(links)" != *'#c.kit_once '* ]]; then
	bad "automarkup with kit.sphinxext: want a link to kit_once only, got: $(links)"
else
	ok "automarkup with kit.sphinxext links kit_once() only: $(links)"
fi

echo "guide extension selftest: $passed passed, $failed failed"
[ "$failed" = 0 ]
