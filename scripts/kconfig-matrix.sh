#!/usr/bin/env bash
# Build every Kconfig combination in configs/matrix/ (VFIO_GROUP,
# VFIO_CONTAINER, IOMMUFD_VFIO_CONTAINER, VFIO_DEVICE_CDEV, VFIO_NOIOMMU,
# IOMMUFD and VFIO built in or as modules) on top of guest + features +
# iommufd-test + matrix-base, one after the other in one build directory so each variant only
# rebuilds what its options change. The variants are ordered so that IOMMUFD
# and VFIO change between y, m and n as rarely as possible: such a change
# rebuilds about half of the kernel. Each variant: the final .config must hold
# the intended values (build-kernel.sh checks), vmlinux and modules must build
# and link, and modpost must be clean.
#   kconfig-matrix.sh [VARIANT-GLOB]
source "$(dirname "$0")/lib.sh"

glob=${1:-*}
bad=0
for v in "$TOP"/configs/matrix/$glob.config; do
	name=$(basename "$v" .config)
	ok=0
	if ! OUT=$BUILD/out/matrix KBUILD_TARGETS="vmlinux modules" \
		"$TOP/scripts/build-kernel.sh" matrix guest features iommufd-test matrix-base "$v" \
		>"$LOGS/matrix-$name.log" 2>&1; then
		warn "kconfig matrix: $name FAILED:"
		grep -E '^!!!|ERROR|error:|undefined' "$LOGS/matrix-$name.log" | head -n 20 >&2
		ok=1
	elif grep -E '^(WARNING|ERROR): modpost' "$LOGS/kbuild-matrix.log" >&2; then
		warn "kconfig matrix: $name: modpost is not clean"
		ok=1
	elif grep -E ': warning:' "$LOGS/kbuild-matrix.log" | grep -E 'drivers/(vfio|iommu)/' >&2; then
		warn "kconfig matrix: $name: compiler warnings in vfio/iommu"
		ok=1
	else
		info "kconfig matrix: $name OK"
	fi
	[ $ok = 0 ] || bad=1
	[ -n "${RESULTS:-}" ] && echo "CHECK $([ $ok = 0 ] && echo PASS || echo FAIL) kconfig-matrix:$name" >>"$RESULTS"
done
exit $bad
