#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages the kit needs, and only the missing ones.
#
#   deps.sh PACKAGE...
#
# Runs apt-get as root, through sudo otherwise; when neither works it stops
# with the exact command to run by hand.
set -euo pipefail

missing=()
for p in "$@"; do
	dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
	sudo=(sudo)
else
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "  Install them, then run make again:" >&2
	echo "    sudo apt-get update && sudo ${cmd[*]}" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { "${sudo[@]}" apt-get update && "${sudo[@]}" "${cmd[@]}"; } >"$log" 2>&1; then
	tail -n 20 "$log" >&2
	echo "deps: apt-get could not install: ${missing[*]} (full log: $log)." >&2
	echo "  Fix the apt error above, or install them by hand: ${sudo[*]} ${cmd[*]}" >&2
	exit 1
fi
rm -f "$log"
