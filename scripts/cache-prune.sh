#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Remove the kernel trees and lab kernels of KIT_CACHE that no run used for
# DAYS days, and print what is left.
#
#   cache-prune.sh DAYS [KEEP...]
#
# fetch-kernel.sh and build-kernel.sh touch .kit-used in what they hand
# out, so "used" means "handed to a build", not "read". KEEP names
# directories never removed (the trees this clone records). Each entry is
# removed under the lock its builder takes, so a run in another clone
# either finishes first or finds the entry gone and fetches it again.
set -euo pipefail

days=${1:?usage: cache-prune.sh DAYS [KEEP...]}
shift
cache=${KIT_CACHE:?KIT_CACHE must be set}
[[ $days =~ ^[0-9]+$ ]] || { echo "cache-prune: DAYS=$days is not a number of days" >&2; exit 1; }

keep() {
	local k
	for k in "$@"; do [ "$k" = "$entry" ] && return 0; done
	return 1
}

# An entry is stale if its stamp (or, before stamps, the entry) is older.
stale() {
	local stamp=$1/.kit-used
	[ -e "$stamp" ] || stamp=$1
	[ -n "$(find "$stamp" -maxdepth 0 -mtime +"$((days - 1))" 2>/dev/null)" ] ||
		[ "$days" = 0 ]
}

freed=0
[ -d "$cache/src" ] && {
	exec 7>"$cache/src/.lock"
	flock 7
	for entry in "$cache"/src/*/; do
		entry=${entry%/}
		[ -d "$entry" ] && ! keep "$@" && stale "$entry" || continue
		kb=$(du -sk "$entry" | cut -f1)
		rm -rf "$entry"
		freed=$((freed + kb))
		echo "cache-prune: removed $entry"
	done
	exec 7>&-
}
for entry in "$cache"/kernel/*/; do
	entry=${entry%/}
	[ -d "$entry" ] && ! keep "$@" && stale "$entry" || continue
	exec 9>"$entry.lock"
	flock 9
	kb=$(du -sk "$entry" | cut -f1)
	rm -rf "$entry" "$entry.log"
	exec 9>&-
	freed=$((freed + kb))
	echo "cache-prune: removed $entry"
done
echo "cache-prune: freed $((freed / 1024)) MiB; left in $cache:"
du -sh "$cache"/src/* "$cache"/kernel/*/ 2>/dev/null | sed 's/^/  /' || true
