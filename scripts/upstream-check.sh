#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check one kernel patch series (a directory of kernel/upstream/, named NAME
# here) against the kernel tree: it applies, the kernel's own userland VMA
# tests (tools/testing/vma) fail without its kernel changes and pass with
# them, checkpatch --strict is clean, and a lab kernel builds from the
# patched tree.
#
#   upstream-check.sh KSRC KVER SERIES_DIR FRAGMENT CACHE WORK JSON KOBJ_MK
#
# The cached tree KSRC is never written. Two hard-linked copies are made in
# WORK: "before" gets the series' tests only (patches touching nothing but
# tools/testing/ in full, and the tools/testing/vma/tests/ part of the
# others), "after" the whole series. Files the series changes and the
# directories the test build writes in are real copies, so no write can
# reach KSRC through a shared inode. The lab kernel needs its source tree as
# long as its object tree lives, so that copy goes to
# CACHE/src/<tree>+NAME-<series hash>, and build-kernel.sh builds it as kernel
# version "KVER+NAME-<hash of the series' diffs>": changed code gets a new
# kernel, unchanged code is taken from the cache. KOBJ_MK gets "KOBJ=..." of that
# kernel (what "make lab KERNEL=patched" boots).
#
# Every stage leaves its exit code and output in WORK; kit/upstreamcheck.py
# turns them into JSON and the table. Exits 1 on any failure.
set -uo pipefail

ksrc=$1 kver=$2 series=$3 fragment=$4 cache=$5 work=$6 json=$7 kobj_mk=$8
here=$(cd "$(dirname "$0")" && pwd)

die() {
	printf 'upstream-check: %s\n' "$1" >&2
	shift
	for l in "$@"; do printf '  %s\n' "$l" >&2; done
	exit 1
}

[ -x "$ksrc/scripts/checkpatch.pl" ] && [ -d "$ksrc/tools/testing/vma" ] ||
	die "$ksrc has no scripts/checkpatch.pl or tools/testing/vma." "Run 'make source' first."
series_dir=$series
series=$(cd "$series" && pwd)
name=${series##*/}
patches=()
for p in "$series"/[0-9][0-9][0-9][0-9]-*.patch; do
	case ${p##*/} in 0000-*) continue ;; esac
	[ -f "$p" ] && patches+=("$p")
done
[ ${#patches[@]} -gt 0 ] || die "no patches in $series." "Restore them from git."
# The code alone keys the patched kernel: a reworded commit message does
# not rebuild it.
hash=$(for p in "${patches[@]}"; do sed -n '/^diff --git /,/^-- $/p' "$p"; done |
	sha256sum | cut -c1-12)
rm -rf "$work"
mkdir -p "$work" "$(dirname "$json")"
printf '%s\n' "${patches[@]}" >"$work/series"

# git apply as a stricter patch(1): no fuzz, and --include to take the tests
# alone. The ceiling keeps it from finding the kit's own repository above.
apply() {
	local tree=$1
	shift
	(cd "$tree" && GIT_CEILING_DIRECTORIES=$(dirname "$tree") git apply "$@")
}

# The paths a patch changes, from its "diff --git a/X b/X" lines.
touched() {
	sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "$@" | sort -u
}

# A copy of KSRC that shares inodes only with files nothing will write.
make_tree() {
	local dst=$1 f d
	rm -rf "$dst"
	cp -al "$ksrc" "$dst" || return 1
	for d in tools/testing/vma tools/testing/shared; do
		rm -rf "${dst:?}/$d"
		cp -a "$ksrc/$d" "$dst/$d" || return 1
	done
	for f in $(touched "${patches[@]}"); do
		[ -f "$dst/$f" ] || continue
		cp -p "$dst/$f" "$dst/$f.kit-unlink" && mv -f "$dst/$f.kit-unlink" "$dst/$f" || return 1
	done
}

# Refuse to go on if a changed file still shares its inode with KSRC.
check_unshared() {
	local tree=$1 f
	for f in $(touched "${patches[@]}"); do
		[ ! -e "$tree/$f" ] || [ "$(stat -c %h "$tree/$f")" = 1 ] ||
			die "$tree/$f shares its inode with $ksrc." "Nothing was written; report this as a bug."
	done
}

# Patches that touch only tools/testing/ are test infrastructure: taken whole.
tests_only_part() {
	if touched "$1" | grep -qv '^tools/testing/'; then
		echo "--include=tools/testing/vma/tests/*"
	fi
}

# Apply the series to WORK/NAME (MODE tests or all); one rc file per patch.
apply_series() {
	local name=$1 mode=$2 tree=$work/$1/linux p opt
	mkdir -p "$work/$name/apply"
	make_tree "$tree" || die "copying $ksrc to $tree failed."
	for p in "${patches[@]}"; do
		opt=()
		[ "$mode" = all ] || read -ra opt <<<"$(tests_only_part "$p")"
		if apply "$tree" "${opt[@]}" "$p" >"$work/$name/apply/${p##*/}.log" 2>&1; then
			echo 0 >"$work/$name/apply/${p##*/}.rc"
		else
			echo 1 >"$work/$name/apply/${p##*/}.rc"
			cat "$work/$name/apply/${p##*/}.log" >&2
			echo "upstream-check: ${p##*/} does not apply to $ksrc ($name tree)" >&2
			return 1
		fi
	done
	check_unshared "$tree"
}

# Build and run tools/testing/vma in WORK/NAME/linux.
vma_tests() {
	local name=$1 dir=$work/$1/linux/tools/testing/vma rc
	make -C "$dir" -j"$(nproc)" >"$work/$name/build.log" 2>&1
	echo $? >"$work/$name/build.rc"
	[ "$(cat "$work/$name/build.rc")" = 0 ] || {
		tail -n 20 "$work/$name/build.log" >&2
		echo "upstream-check: tools/testing/vma does not build in the $name tree" \
			"(log: $work/$name/build.log)" >&2
		return 1
	}
	# Before the fixes tests are meant to fail, and a failed test returns
	# before its cleanup: leak reports there would only hide the summary.
	if [ "$name" = before ]; then
		(cd "$dir" && ASAN_OPTIONS=detect_leaks=0 ./vma) >"$work/$name/run.out" 2>"$work/$name/run.err"
	else
		(cd "$dir" && ./vma) >"$work/$name/run.out" 2>"$work/$name/run.err"
	fi
	rc=$?
	echo $rc >"$work/$name/run.rc"
	# A failure with the whole series makes a patched kernel pointless.
	[ "$name" = before ] || return $rc
}

start=$(date +%s)
ok=1
if apply_series before tests && apply_series after all; then
	echo "  APPLIED ${#patches[@]} patches to copies of $ksrc (series $hash)"
	vma_tests before &
	before_pid=$!
	vma_tests after || ok=0
	wait "$before_pid" || ok=0
else
	ok=0
fi

mkdir -p "$work/checkpatch"
for p in "${patches[@]}"; do
	# No git history here, so checkpatch cannot look the Fixes: ids up.
	(cd "$work/checkpatch" && "$ksrc/scripts/checkpatch.pl" --strict --no-tree \
		--no-signoff --ignore UNKNOWN_COMMIT_ID --quiet "$p") \
		>"$work/checkpatch/${p##*/}.txt" 2>&1
	echo $? >"$work/checkpatch/${p##*/}.rc"
done

kernel_args=()
if [ $ok = 1 ]; then
	psrc=$cache/src/$(basename "$ksrc")+$name-$hash
	mkdir -p "$cache/src"
	exec 8>"$psrc.lock"
	flock 8
	if [ ! -f "$psrc/.kit-patched" ]; then
		make_tree "$psrc" || die "copying $ksrc to $psrc failed."
		for p in "${patches[@]}"; do
			apply "$psrc" "$p" || die "${p##*/} does not apply to $psrc."
		done
		check_unshared "$psrc"
		touch "$psrc/.kit-patched"
	fi
	kstart=$(date +%s)
	if "$here/build-kernel.sh" "$psrc" "$kver+$name-$hash" "$fragment" "$cache" "$kobj_mk"; then
		# shellcheck source=/dev/null # KOBJ=, written by build-kernel.sh
		. "$kobj_mk"
		kernel_args=(--kobj "$KOBJ" --kernel-src "$psrc"
			--kernel-seconds $(($(date +%s) - kstart))
			--kernel-built-at "$(stat -c %Y "$KOBJ/.kit-built")" --started "$kstart")
	else
		rm -f "$kobj_mk"
		kernel_args=(--kernel-failed)
	fi
	flock -u 8
fi

PYTHONPATH=$here python3 -m kit.upstreamcheck collect --work "$work" --ksrc "$ksrc" --kver "$kver" \
	--series-dir "$series_dir" --series-hash "$hash" --seconds $(($(date +%s) - start)) "${kernel_args[@]}" >"$json"
rc=$?
PYTHONPATH=$here python3 -m kit.upstreamcheck table "$json"
exit $rc
