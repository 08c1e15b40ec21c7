#!/usr/bin/env bash
# The main job: fetch the base, apply the series, build the kernel, boot it in
# QEMU with the edu DMA device and run the noiommu demo in plain words.
source "$(dirname "$0")/lib.sh"

# DEMO_PREPARED=1 (from test.sh): the tree and the main kernel
# are already built; only the demo binary and the boot are left. The main
# build exports the UAPI headers itself (CONFIG_HEADERS_INSTALL).
if [ -z "${DEMO_PREPARED:-}" ]; then
	step "dependencies"
	"$TOP/scripts/deps.sh"
	step "base tree + series"
	"$TOP/scripts/tree.sh"
	"$TOP/scripts/build-kernel.sh" main
fi
[ -f "$BUILD/out/main/usr/include/linux/iommufd.h" ] ||
	die "no UAPI headers in build/out/main/usr/include (scripts/build-kernel.sh main)"

step "building the DMA demo (tests/noiommu_dma_demo.c, static)"
mkdir -p "$BUILD/demo"
gcc -static -O2 -Wall -Werror -I "$BUILD/out/main/usr/include" \
	-o "$BUILD/demo/vfio_noiommu_demo" "$TOP/tests/noiommu_dma_demo.c" ||
	die "the demo does not build against the series' UAPI headers"

kernel=$BUILD/out/main/arch/x86/boot/bzImage
files=(-f "$TOP/guest/suites.sh:/opt/guest/suites.sh" -f "$TOP/guest/demo.sh:/opt/guest/demo.sh"
	-f "$BUILD/demo/vfio_noiommu_demo:/opt/bin/vfio_noiommu_demo")
step "booting the patched kernel in QEMU (TCG) with the edu device"
log=$LOGS/demo-$(date +%Y%m%d-%H%M%S).log
set +e
"$TOP/scripts/guest-run.sh" -q -k "$kernel" -m 1G -t 600 -l "$log" "${files[@]}" -- sh /opt/guest/demo.sh
rc=$?
set -e
sed -n '/GUEST-START/,/GUEST-EXIT/p' "$log" | grep -v '^GUEST-' | grep -v '^\[ *[0-9]*\.[0-9]*\]' |
	sed 's/^/    | /'
step "console log: $log"
if [ $rc = 0 ]; then
	step "demo finished OK in $(( $(date +%s) - _t0 ))s"
else
	warn "demo FAILED (exit $rc) after $(( $(date +%s) - _t0 ))s"
fi
exit $rc
