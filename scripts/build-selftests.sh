#!/usr/bin/env bash
# Build the kselftests the guest runs, statically linked, against the UAPI
# headers of a kernel build:  build-selftests.sh CONFIGNAME TARGET...
# TARGETs: iommu, vfio. Output: build/selftests/<config>/<target>/.
source "$(dirname "$0")/lib.sh"

name=${1:?usage: build-selftests.sh CONFIGNAME TARGET...}
shift
SRC=${SRC:-$TREE}
OUT=${OUT:-$BUILD/out/$name}
DEST=${DEST:-$BUILD/selftests/$name}
[ -f "$OUT/.config" ] || die "no kernel build in $OUT (run build-kernel.sh $name first)"
use_ccache

run_logged "$LOGS/headers-$name.log" make -C "$SRC" O="$OUT" headers ||
	die "make headers failed"

# What a target's binaries are made of: the exported UAPI headers, tools/
# and iommufd's test header (iommufd_test.h), committed and uncommitted, and
# the fail_nth timeout below.
inputs() {
	{ (cd "$OUT/usr/include" && find . -type f -print0 | sort -z | xargs -0 sha1sum)
	  git -C "$SRC" rev-parse HEAD:tools HEAD:drivers/iommu/iommufd
	  git -C "$SRC" diff HEAD -- tools drivers/iommu/iommufd
	  echo "${FAIL_NTH_TIMEOUT:-}"; } | sha1sum | cut -c1-40
}
key=$(inputs)

for t in "$@"; do
	# REUSE=DIR: DIR/<target> built from the same inputs is copied instead
	# of built again (the bisect: most patches change none of them).
	if [ -n "${REUSE:-}" ] && [ -f "$REUSE/$t/.inputs" ] && [ "$(cat "$REUSE/$t/.inputs")" = "$key" ]; then
		step "selftests[$name]: $t unchanged since $REUSE, reused"
		rm -rf "$DEST/$t"
		mkdir -p "$DEST"
		cp -a "$REUSE/$t" "$DEST/$t"
		continue
	fi
	step "selftests[$name]: building $t (static)"
	rm -f "$DEST/$t/.inputs"
	mkdir -p "$DEST/$t"
	run_logged "$LOGS/selftests-$name-$t.log" \
		make -C "$SRC/tools/testing/selftests/$t" -j"$(nproc)" CC="ccache gcc" \
		KHDR_INCLUDES="-isystem $OUT/usr/include" OUTPUT="$DEST/$t" \
		EXTRA_CFLAGS=-static LDFLAGS="-static -pthread" ||
		die "selftests[$name]: $t does not build (see $LOGS/selftests-$name-$t.log)"
	echo "$key" >"$DEST/$t/.inputs"
done

# FAIL_NTH_TIMEOUT=SECONDS: rebuild iommufd_fail_nth with that per-case
# timeout instead of kselftest_harness.h's fixed 30 s. On the debug kernel
# (KASAN + lockdep + kmemleak under TCG) some of its cases legitimately take
# minutes; only the time limit changes, never what a case checks.
if [ -n "${FAIL_NTH_TIMEOUT:-}" ] && [ -d "$DEST/iommu" ]; then
	st=$SRC/tools/testing/selftests
	tmp=$DEST/iommu-src
	mkdir -p "$tmp"
	sed "s/^\tTEST_F(fixture_name, name)/\tTEST_F_TIMEOUT(fixture_name, name, $FAIL_NTH_TIMEOUT)/" \
		"$st/iommu/iommufd_fail_nth.c" >"$tmp/iommufd_fail_nth.c"
	[ "$(grep -c "TEST_F_TIMEOUT(fixture_name, name, $FAIL_NTH_TIMEOUT)" "$tmp/iommufd_fail_nth.c")" = 1 ] ||
		die "selftests[$name]: cannot set iommufd_fail_nth's timeout (TEST_FAIL_NTH changed?)"
	step "selftests[$name]: iommufd_fail_nth with a ${FAIL_NTH_TIMEOUT}s per-case timeout"
	run_logged "$LOGS/selftests-$name-fail-nth.log" \
		gcc -Wall -O2 -Wno-unused-function -isystem "$OUT/usr/include" -D_GNU_SOURCE= \
		-I"$st/iommu" -I"$st" -static -pthread "$tmp/iommufd_fail_nth.c" -lcap \
		-o "$DEST/iommu/iommufd_fail_nth" ||
		die "selftests[$name]: iommufd_fail_nth with a longer timeout does not build"
fi
