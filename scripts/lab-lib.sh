# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034,SC2154 # sets and reads the caller's variables
#
# Sourced by lab-start.sh, lab-check.sh and guided-check.sh: where the pieces
# of a guided lab are. The caller sets $here (the kit), $me (its name, for
# messages) and $lab (once known).
#
# A lab labs/NN-<example>/ is guided when it has, beside lab.conf:
#   steps  where "make lab-start" puts each TODO marker in the learner's copy
#          of examples/<example>/before/*.c: records of "step N", "at ANCHOR"
#          (text found on exactly one line) and "todo TEXT"
#   hints  what "make lab-check" says when a check fails: records of
#          "check GLOB" (over the check's name), "step N" (or -) and
#          "expect TEXT"
# labs/common/hints holds the hints every lab shares; a lab's own come first.

# die MESSAGE [LINE...]: say what went wrong, then what to do, and exit 2.
die() {
	printf '%s%s: %s\n' "$me" "${lab:+ $lab}" "$1" >&2
	shift
	for l in "$@"; do printf '  %s\n' "$l" >&2; done
	exit 2
}

# lab_resolve LAB: set the paths and names of guided lab LAB.
#   lab_dir, steps, hints   labs/LAB and its data files
#   before, after           the example's before and after driver (from $here)
#   copy                    the learner's file name: before's, without "_before"
#   module                  after's module name, which checker and harness use
#   device                  the device node, the first of lab.conf's CHECK_ARGS
#   page                    the lab's page (from $here)
lab_resolve() {
	local example f CHECK_ARGS=
	lab=$1
	lab_dir=$here/labs/$lab
	[ -n "$lab" ] && [ -f "$lab_dir/lab.conf" ] ||
		die "there is no lab '$lab'." "Guided labs: $(guided_labs)"
	steps=$lab_dir/steps
	hints=$lab_dir/hints
	[ -f "$steps" ] ||
		die "lab $lab is not guided: it has no labs/$lab/steps." "Guided labs: $(guided_labs)"
	[ -f "$hints" ] || die "guided lab $lab has steps but no labs/$lab/hints."
	# The one rule (scripts/kit/layout.py): lab NN-<example> grades <example>.
	example=$(PYTHONPATH=$here/scripts python3 -m kit layout example-of "$here" "$lab") ||
		die "the lab's name is not NN-<example>."
	for f in before after; do
		set -- "$here/examples/$example/$f"/*.c
		[ $# = 1 ] && [ -f "$1" ] ||
			die "examples/$example/$f/ must hold exactly one .c file, for lab $lab."
		printf -v "$f" '%s' "${1#"$here"/}"
	done
	copy=$(basename "$before" .c)
	copy=${copy%_before}.c
	module=$(basename "$after" .c)
	CHECK_ARGS=$(. "$lab_dir/lab.conf" && echo "$CHECK_ARGS")
	device=${CHECK_ARGS%% *}
	case $device in
	/dev/?*) ;;
	*) die "labs/$lab/lab.conf: CHECK_ARGS must start with the device node (/dev/...)." ;;
	esac
	page=Documentation/labs/$lab.rst
}

# The labs that have steps and hints, space-separated.
guided_labs() {
	local d out=
	for d in "$here"/labs/*/steps; do
		[ -f "$d" ] || continue
		d=${d%/steps}
		out+=" ${d##*/}"
	done
	echo "${out# }"
}

# records FILE KEY...: one tab-separated line per record of FILE, its
# fields in the order of KEYs. A record is a group of "KEY value" lines that
# starts with the first KEY; a line that starts with whitespace continues the
# value above it, and lines starting with # are comments. A KEY written
# "KEY?" is optional: its field is empty in a record without it.
records() {
	local file=$1
	shift
	awk -v keys="$*" -v file="$file" '
	function bad(msg) { printf "%s:%d: %s\n", file, FNR, msg > "/dev/stderr"; err = 1; exit 1 }
	function flush(  i, line) {
		if (!started)
			return
		line = ""
		for (i = 1; i <= n; i++) {
			if (!(k[i] in val) && !(k[i] in optional))
				bad("the record that ends here has no \"" k[i] "\" line")
			line = line (i > 1 ? "\t" : "") val[k[i]]
		}
		print line
		delete val
	}
	BEGIN {
		n = split(keys, k, " ")
		for (i = 1; i <= n; i++) {
			if (sub(/\?$/, "", k[i]))
				optional[k[i]] = 1
			known[k[i]] = 1
		}
	}
	/^#/ || /^[ \t]*$/ { next }
	/^[ \t]/ {
		if (!last)
			bad("a continuation line with nothing to continue")
		sub(/^[ \t]+/, ""); val[last] = val[last] " " $0
		next
	}
	{
		key = $1
		if (!(key in known))
			bad("unknown keyword \"" key "\" (expected: " keys ")")
		if (key == k[1]) {
			flush()
			started = 1
		} else if (!started) {
			bad("a record must start with \"" k[1] "\"")
		}
		if (key in val)
			bad("\"" key "\" twice in one record")
		sub(/^[^ \t]+[ \t]*/, ""); sub(/[ \t]+$/, "")
		val[key] = $0
		last = key
	}
	END { if (!err) flush(); exit err }' "$file" ||
		die "$file is malformed (see above)."
}
