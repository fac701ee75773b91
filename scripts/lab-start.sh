#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Give the learner a working copy of a guided lab's "before" driver.
#
#   lab-start.sh LAB WORK_DIR
#
# WORK_DIR (e.g. work/02-pfn-remap, git-ignored) gets the before driver under
# the name "make lab-check" grades (labs/LAB/steps says where each TODO n
# marker goes; a marker whose anchor no longer matches exactly one line of
# the driver stops everything) and a Kbuild file that builds it as the
# solution's module. An existing WORK_DIR is never touched, unless FORCE=1
# in the environment: then it is moved aside to WORK_DIR.old-<date> first.
# With HINTS=0 in the environment, each marker carries only its step's
# title, from the lab's page ("N. The title (TODO N)"), and WORK_DIR/.lab-start
# records it, so that lab-check names the failing step without its fix.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
me="lab-start"
lab=${1:-} work=${2:-}

. "$here/scripts/lab-lib.sh"
[ -n "$work" ] || die "usage: lab-start.sh LAB WORK_DIR"
lab_resolve "$lab"
where=$(realpath -m --relative-to="$here" "$work")
case $where in ../*) ;; *) work=$where ;; esac

if [ -e "$work" ]; then
	[ "${FORCE:-0}" = 1 ] ||
		die "$work already exists and holds your work; nothing was changed." \
			"To grade it:      make lab-check LAB=$lab" \
			"To start over:    make lab-start LAB=$lab FORCE=1" \
			"                  (moves $work to $work.old-<date> first; nothing is deleted)"
	old=$work.old-$(date +%Y%m%d-%H%M%S)
	mv "$work" "$old"
	echo "lab-start $lab: moved your previous work to $old"
fi

# Build the copy beside WORK_DIR and move it in place only when complete.
table=$(records "$steps" step at todo) || exit 2
hints=${HINTS:-1}
case $hints in
0)
	# The page's step headings: "3. **The lock (TODO 3).**" or "3. The lock (TODO 3)".
	titles=$(sed -nE 's/^([0-9]+)\. (\*\*)?(.*[^ ]) \(TODO [0-9]+[^)]*\).*/\1\t\3./p' "$here/$page")
	table=$(printf '%s\n' "$table" | awk -F'\t' -v OFS='\t' -v titles="$titles" '
	BEGIN {
		n = split(titles, t, "\n")
		for (i = 1; i <= n; i++) {
			split(t[i], f, "\t")
			title[f[1]] = f[2]
		}
	}
	{
		if (!($1 in title)) {
			printf "%s has no heading \"%s. ... (TODO %s)\" for step %s\n", page, $1, $1, $1 > "/dev/stderr"
			exit 1
		}
		$3 = title[$1]
		print
	}' page="$page") ||
		die "HINTS=0 takes each step's title from $page, and one is missing (see above)."
	;;
1) ;;
*) die "HINTS must be 0 (titles only) or 1 (the default), not '$hints'." ;;
esac
mkdir -p "$(dirname "$work")"
tmp=$(mktemp -d "$(dirname "$work")/.lab-start.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Each marker goes above its anchor's line, indented like it: a comment of
# its own, or " * TODO" lines when the anchor is inside a comment already.
# Wrapped to 80 columns, tabs counting 8.
printf '%s\n' "$table" | awk -F'\t' -v drv="$here/$before" -v steps="labs/$lab/steps" '
function width(s,  w, i) {
	for (i = 1; i <= length(s); i++)
		w += substr(s, i, 1) == "\t" ? 8 - w % 8 : 1
	return w
}
function wrap(text, room,  words, n, i, line, out) {
	n = split(text, words, " ")
	for (i = 1; i <= n; i++) {
		if (line != "" && length(line) + 1 + length(words[i]) > room) {
			out = out line "\n"
			line = words[i]
		} else {
			line = line (line == "" ? "" : " ") words[i]
		}
	}
	return out line
}
function marker(anchor_line, text,  ind, lines, n, i, out) {
	match(anchor_line, /^[ \t]*/)
	ind = substr(anchor_line, 1, RLENGTH)
	if (anchor_line ~ /^[ \t]*\*/) {
		n = split(wrap(text, 80 - width(ind) - 2), lines, "\n")
		for (i = 1; i <= n; i++)
			out = out ind "* " lines[i] "\n"
		return out
	}
	if (width(ind) + length(text) + 6 <= 80)
		return ind "/* " text " */\n"
	n = split(wrap(text, 80 - width(ind) - 3), lines, "\n")
	out = ind "/*\n"
	for (i = 1; i <= n; i++)
		out = out ind " * " lines[i] "\n"
	return out ind " */\n"
}
{ step[NR] = $1; anchor[NR] = $2; todo[NR] = "TODO " $1 ": " $3; nsteps = NR }
END {
	while ((getline line < drv) > 0)
		src[++nsrc] = line
	for (s = 1; s <= nsteps; s++) {
		if (step[s] !~ /^[1-9][0-9]*$/) {
			printf "%s: step \"%s\" is not a step number\n", steps, step[s] > "/dev/stderr"
			bad = 1
		}
		hits = 0
		for (i = 1; i <= nsrc; i++)
			if (index(src[i], anchor[s])) {
				hits++
				at = i
			}
		if (hits != 1) {
			printf "%s: the anchor of TODO %s is on %d lines of %s, not one: %s\n",
				steps, step[s], hits, drv, anchor[s] > "/dev/stderr"
			bad = 1
		}
		before[at] = before[at] marker(src[at], todo[s])
	}
	if (bad)
		exit 1
	for (i = 1; i <= nsrc; i++)
		printf "%s%s\n", before[i], src[i]
}' >"$tmp/$copy" ||
	die "labs/$lab/steps no longer matches $before (see above)." \
		"The driver changed: update the anchors in labs/$lab/steps, and the lab's page."

exdir=$(dirname "$before")
rel=$(realpath -m --relative-to="$(realpath -m "$work")" "$here/$exdir")
obj=$(basename "$copy" .c)
cat >"$tmp/Kbuild" <<EOF
# SPDX-License-Identifier: GPL-2.0
# Written by "make lab-start LAB=$lab".
# $copy builds as $module.ko, the module the lab's checker and
# harness suite know; its includes ("../x-uapi.h") are found from
# $exdir/.
obj-m := $module.o
$module-y := $obj.o
ccflags-y := -I\$(src)/$rel
EOF

echo "HINTS=$hints" >"$tmp/.lab-start"
mv "$tmp" "$work"
trap - EXIT
echo "lab-start $lab: $work/$copy is $before"
echo "  with TODO markers for steps $(printf '%s\n' "$table" | cut -f1 | sort -nu | paste -sd, -)$(
	[ "$hints" = 1 ] || echo ", titles only")."
echo "  Follow $page (rendered by 'make htmldocs': build/htmldocs/labs/$lab.html),"
echo "  then grade your copy with: make lab-check LAB=$lab"
