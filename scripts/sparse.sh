#!/usr/bin/env bash
# Build a sparse that can parse Linux 7.2 from Debian sid's source package
# (bookworm's 0.6.4 cannot: __typeof_unqual__), through the private apt
# configuration of fetch-base.sh. Prints the binary's path. The binary is
# kept in the cache ($NOIOMMU_CACHE/sparse), so a fresh clone does not build
# it again.
source "$(dirname "$0")/lib.sh"

dir=$CACHE/sparse
exec 8>"$CACHE/.sparse.lock"
flock 8
bin=$dir/src/sparse
if [ -x "$bin" ] && [ "$(sh "$TREE/scripts/checker-valid.sh" "$bin" 2>/dev/null)" = 1 ]; then
	echo "$bin"
	exit 0
fi
private_apt
mkdir -p "$CACHE/dl"
rm -rf "$dir"
mkdir -p "$dir"
step "sparse: fetching Debian sid's sparse source" >&2
apt_update() {
	run_logged "$LOGS/apt-private-update.log" \
		apt-get "${APT_OPTS[@]}" update >&2 ||
		die "private apt update failed (see $LOGS/apt-private-update.log)"
}
fetch_source() {
	(cd "$CACHE/dl" && run_logged "$LOGS/sparse-fetch.log" \
		apt-get "${APT_OPTS[@]}" source --download-only sparse) >&2
}
have_source() {
	ls "$CACHE/dl"/sparse_*.dsc "$CACHE/dl"/sparse_*.orig.tar.* >/dev/null 2>&1
}
if ! have_source; then
	# fetch-base.sh refreshes the private lists only when the base .deb
	# is not cached yet, so a fresh clone with a cached base has none;
	# lists from before sid moved on name a source that is gone: stale
	# lists are refreshed and the fetch tried once more. A fetch cut off
	# after the .dsc is fetched again (apt-get source keeps what it has).
	updated=
	if ! ls "$APTDIR/lists"/*_Sources* >/dev/null 2>&1; then
		apt_update
		updated=1
	fi
	fetch_source || { [ -z "$updated" ] && apt_update && fetch_source; } ||
		die "cannot fetch sparse source"
	have_source || die "sparse source incomplete after the fetch"
fi
orig=$(ls "$CACHE"/dl/sparse_*.orig.tar.* | sort -V | tail -n 1)
mkdir -p "$dir/src"
# A download cut off in the middle leaves a file that does not unpack:
# removed, so that the next run fetches the source again.
tar -xf "$orig" -C "$dir/src" --strip-components=1 || {
	rm -f "$CACHE"/dl/sparse_*
	die "sparse source does not unpack; removed from the cache"
}
step "sparse: building" >&2
run_logged "$LOGS/sparse-build.log" make -C "$dir/src" -j"$(nproc)" sparse >&2 ||
	die "sparse does not build"
[ "$(sh "$TREE/scripts/checker-valid.sh" "$bin")" = 1 ] || die "built sparse is not valid for this tree"
echo "$bin"
