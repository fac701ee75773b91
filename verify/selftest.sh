#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make verify's own proof: every example's after/ must verify against its
# before/ (PASS), and every mutant in tests/verify-mutants/ (a patch of an
# after/ driver) must be caught by the request its patch names.
#
#   selftest.sh OUT_DIR
#
# A mutant patch starts with a description and two header lines:
#   Verify-Pair: <example>         the pair whose after/ it patches
#   Verify-Caught-By: <glob>       a request that must differ, or
#                                  "kernel <glob>" for a kernel report
# or, for a change that is meant (its patch adds a verify.accept),
#   Verify-Accepted: <name>        verify must pass with that rule used
# The mutants share their pair's boot, after every pair, and are compared
# with its before/; one caught by a kernel report boots alone.
# Environment: as verify/verify.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
out=$1
mutants=$here/tests/verify-mutants

die() {
	printf 'verify-check: %s\n' "$1" >&2
	shift
	for l in "$@"; do printf '  %s\n' "$l" >&2; done
	exit 2
}

header() { sed -n "s/^$2: //p" "$1" | head -n1; }

rm -rf "$out/mutants"
declare -A extra
alone=()
for p in "$mutants"/*.patch; do
	m=$(basename "$p" .patch)
	pair=$(header "$p" Verify-Pair)
	[ -n "$pair" ] && [ -n "$(header "$p" Verify-Caught-By)$(header "$p" Verify-Accepted)" ] ||
		die "$p lacks a Verify-Pair: line, or both Verify-Caught-By: and Verify-Accepted:."
	[ -d "$here/examples/$pair/after" ] || die "$p: no examples/$pair/after."
	# Beside a copy of the example's shared headers ("../x-uapi.h").
	d=$out/mutants/$pair/$m
	mkdir -p "$d"
	cp "$here/examples/$pair"/*.h "$out/mutants/$pair/" 2>/dev/null || true
	cp -r "$here/examples/$pair/after/." "$d/"
	patch -s -p1 -d "$d" <"$p" || die "$p does not apply to examples/$pair/after." \
		"Regenerate it against the current after/ source."
	# A kernel report may surface only in a boot's final kmemleak scan,
	# which blames every variant of the boot: such a mutant boots alone.
	case $(header "$p" Verify-Caught-By) in
	"kernel "*) alone+=(";" "$pair:m-$m=$d") ;;
	*) extra[$pair]+=":m-$m=$d" ;;
	esac
done

# Every pair and its mutants in one boot; a mutant runs after its pair, so
# whatever it breaks cannot change the pair's own verdict.
args=()
for d in "$here"/examples/*/; do
	pair=$(basename "$d")
	[ -f "$d/before/Kbuild" ] && [ -f "$d/after/Kbuild" ] || continue
	args+=("$pair=$d/before:$d/after${extra[$pair]:-}")
done
"$here/verify/verify.sh" "$out" "${args[@]}" "${alone[@]}" >"$out/report.txt" || true
# The worked example of Documentation/verify.rst must be current.
exec python3 "$here/verify/selftest.py" "$out" "$mutants" \
	"$here/verify/example-report.txt" vmalloc-pages/m-wrong-pgoff
