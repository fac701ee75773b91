# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash # sourced by the fetch scripts, which are bash
#
# Sourced by the fetch scripts: apt with a private state directory, pointed at
# the Debian mirror this machine is already configured with. The system's apt
# setup is never changed and no mirror host name is written down anywhere.
#
#   private_apt_init APT_DIR   then   apt-get "${apt_opts[@]}" ...
#
# KIT_SUITES names the suites (default: the ones carrying linux-source >= 7.2,
# which also carry the newer sparse). The caller defines die().

kit_suites=${KIT_SUITES:-sid trixie-backports}

# The first non-security "deb" source whose path ends in /debian, from
# one-line or deb822 apt sources; DEBIAN_MIRROR overrides it.
private_apt_mirror() {
	local f
	[ -n "${DEBIAN_MIRROR:-}" ] && { echo "$DEBIAN_MIRROR"; return; }
	{
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] && awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; break } }' "$f"
		done
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] && awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$f"
		done
	} | grep -Ev -- '-security|security\.' | grep -E '/debian/?$' | head -n1 | sed 's:/*$::'
}

# Set up APT_DIR for binary and source packages of the suites and refresh
# its package lists when they are more than a day old.
private_apt_init() {
	local dir=$1 mirror s
	local keyring=/usr/share/keyrings/debian-archive-keyring.gpg

	mirror=$(private_apt_mirror || true)
	[ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list{,.d}." \
		"Add a Debian archive source to apt, set DEBIAN_MIRROR=<uri of a Debian archive>," \
		"or use a kernel tree you already have: make KSRC=/path/to/linux."
	[ -f "$keyring" ] || die "$keyring is missing." \
		"Install it: apt-get install debian-archive-keyring"

	mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/etc/preferences.d"
	# apt's own locks are off (they live in system paths); this one is ours.
	exec 8>"$dir/.lock"
	flock 8
	touch "$dir/status"
	: >"$dir/etc/sources.list.new"
	for s in $kit_suites; do
		echo "deb [signed-by=$keyring] $mirror $s main" >>"$dir/etc/sources.list.new"
		echo "deb-src [signed-by=$keyring] $mirror $s main" >>"$dir/etc/sources.list.new"
	done
	# New sources (another mirror, other suites) mean the lists are stale.
	cmp -s "$dir/etc/sources.list.new" "$dir/etc/sources.list" || rm -f "$dir/lists/.updated"
	mv "$dir/etc/sources.list.new" "$dir/etc/sources.list"

	apt_opts=(
		-o "Dir::Etc::sourcelist=$dir/etc/sources.list"
		-o "Dir::Etc::sourceparts=-"
		-o "Dir::Etc::preferencesparts=$dir/etc/preferences.d"
		-o "Dir::State=$dir"
		-o "Dir::State::lists=$dir/lists"
		-o "Dir::State::status=$dir/status"
		-o "Dir::Cache=$dir"
		-o "Dir::Cache::archives=$dir/archives"
		-o "Debug::NoLocking=1"
	)

	if [ -z "$(find "$dir/lists/.updated" -mmin -1440 2>/dev/null)" ]; then
		echo "private-apt: reading the package lists of $kit_suites from the system's Debian mirror"
		apt-get "${apt_opts[@]}" -q update >"$dir/update.log" 2>&1 ||
			die "apt-get update of the private lists failed (log: $dir/update.log)." \
				"Check the network path to the Debian mirror, or use KSRC=/path/to/linux."
		touch "$dir/lists/.updated"
	fi
}
