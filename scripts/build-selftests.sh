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

run_logged "$LOGS/headers-$name.log" make -C "$SRC" O="$OUT" headers ||
	die "make headers failed"

for t in "$@"; do
	step "selftests[$name]: building $t (static)"
	mkdir -p "$DEST/$t"
	run_logged "$LOGS/selftests-$name-$t.log" \
		make -C "$SRC/tools/testing/selftests/$t" -j"$(nproc)" \
		KHDR_INCLUDES="-isystem $OUT/usr/include" OUTPUT="$DEST/$t" \
		EXTRA_CFLAGS=-static LDFLAGS="-static -pthread" ||
		die "selftests[$name]: $t does not build (see $LOGS/selftests-$name-$t.log)"
done
