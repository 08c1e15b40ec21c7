# shellcheck shell=bash
# Common helpers for the harness scripts. Source it; do not run it.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
TREE=$BUILD/linux
LOGS=$BUILD/logs
# Caches shared by every clone on this machine (downloads, ccache).
CACHE=${NOIOMMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/noiommu-cdev}
mkdir -p "$BUILD" "$LOGS" "$CACHE"

_t0=${_t0:-$(date +%s)}
export _t0

step() { printf '==> [%4ss] %s\n' "$(( $(date +%s) - _t0 ))" "$*"; }
info() { printf '    %s\n' "$*"; }
warn() { printf '!!! %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# run_logged LOGFILE CMD...: run CMD with its output in LOGFILE; on failure
# print the tail of the log so the reason is visible without digging.
run_logged() {
	local log=$1
	shift
	if ! "$@" >"$log" 2>&1; then
		warn "command failed: $*"
		warn "last lines of $log:"
		grep -E 'error|Error|ERROR|warning:|undefined|\*\*\*' "$log" | tail -n 30 >&2 || true
		tail -n 20 "$log" >&2
		return 1
	fi
}

# The identity the harness gives commits it makes in build/linux (never a
# real person's name). Override with SERIES_NAME/SERIES_EMAIL.
SERIES_NAME=${SERIES_NAME:-Seed fecf5f37 maintainers}
SERIES_EMAIL=${SERIES_EMAIL:-maintainers@users.noreply.b-seed-fecf5f37.example}
SERIES_VERSION=8

# CPU priorities. The guests are timed (their cases have time limits), the
# builds and static checks are not, so the guests come first; but on a host
# busy with other work the builds must still get their fair share, or they
# starve: at nice 10 against two CPU-bound processes at nice 0, a cold
# kernel build took over 27 minutes instead of ~8. As root, which the
# commands are run as (they install their dependencies), the guests run at
# nice -5 (scripts/guest-run.sh sets it, whatever it was started with), the
# builds at the niceness the command was started with, and the static
# checks in the background at +5. A user who may not raise a priority runs
# the guests as started, the builds at +10 and the static checks at +19.
if [ "$(id -u)" = 0 ]; then
	GUEST_NICE=-5 BUILD_NICE=0 STATIC_NICE=5
else
	GUEST_NICE= BUILD_NICE=10 STATIC_NICE=19
fi

# Fixed identity and date of the base commit, so its hash is the same on
# every machine.
BASE_IDENT_NAME="Debian linux-source-7.2"
BASE_IDENT_EMAIL="linux-source@debian.invalid"
BASE_DATE="2026-01-01T00:00:00+0000"

# The private apt configuration (sid + trixie-backports, own lists and
# cache under build/apt); never the system's sources. Sets APTDIR, APT_OPTS.
private_apt() {
	APTDIR=$BUILD/apt
	mkdir -p "$APTDIR"/{lists/partial,cache/archives/partial,etc/preferences.d,etc/apt.conf.d}
	cat >"$APTDIR/etc/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main
SRC
	APT_OPTS=(
		-o "Dir::Etc::SourceList=$APTDIR/etc/sources.list"
		-o "Dir::Etc::SourceParts=-"
		-o "Dir::Etc::Parts=$APTDIR/etc/apt.conf.d"
		-o "Dir::Etc::PreferencesParts=$APTDIR/etc/preferences.d"
		-o "Dir::State::Lists=$APTDIR/lists"
		-o "Dir::Cache=$APTDIR/cache"
		-o "Dir::Cache::Archives=$APTDIR/cache/archives"
		-o "Debug::NoLocking=1"
		-o "APT::Get::List-Cleanup=0"
		-o "Acquire::Languages=none"
	)
}

# ccache for every compiler run of the harness. It lives outside the clone
# and hashes paths relative to build/, so a fresh clone on the same machine
# reuses it; the inode cache hashes each header once instead of once per
# object that includes it.
use_ccache() {
	export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
	export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
	export CCACHE_BASEDIR=$BUILD CCACHE_NOHASHDIR=1
	export CCACHE_INODECACHE=${CCACHE_INODECACHE:-true}
}

# seed_build_dir DIR [FROM]: a kernel build directory that does not exist yet
# starts as a copy of build/out/FROM (default main; copied under a temporary
# name, so an interrupted copy is never taken for a build), and kbuild then
# rebuilds only what DIR's configuration changes. Does nothing if DIR exists
# or FROM has not been built.
seed_build_dir() {
	local from=$BUILD/out/${2:-main}
	[ ! -e "$1/.config" ] && [ -f "$from/.config" ] || return 0
	rm -rf "$1" "$1.tmp"
	cp -a "$from" "$1.tmp"
	mv "$1.tmp" "$1"
}

# kill_tree PID: stop PID and everything it started (a background guest:
# its shell, timeout and QEMU), children first.
kill_tree() {
	local c
	for c in $(pgrep -P "$1" 2>/dev/null); do
		kill_tree "$c"
	done
	kill "$1" 2>/dev/null || true
}

series_patches() {
	ls "${PATCHDIR:-$TOP/patches}"/[0-9][0-9][0-9][0-9]-*.patch 2>/dev/null | grep -v '/0000-' || true
}
