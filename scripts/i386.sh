#!/usr/bin/env bash
# Boot the series on 32-bit x86 and run its selftests there. Not part of the
# test command (README, "Not in the test command: a 32-bit kernel").
#   scripts/i386.sh [SUITE...]
# Builds build/out/i386 (tinyconfig + guest, features, iommufd-test and
# i386, ARCH=i386), builds iommufd's and VFIO's selftests with gcc -m32 into
# build/selftests/i386/{iommu,vfio}, and boots them with a 32-bit busybox
# (Debian's busybox-static:i386, unpacked into the cache, not installed:
# it would replace the host's). Installs Debian's i386 architecture,
# gcc-multilib, libcap-dev:i386 and uuid-dev:i386 (the selftests link them
# statically). Exit status: guest-suites.sh's. tests/expected-skips lists
# the skips of the default suites here; other suites may skip as it lists
# them for the test command's guests only.
source "$(dirname "$0")/lib.sh"

suites=("$@")
[ ${#suites[@]} -gt 0 ] ||
	suites=(iommufd iommufd_fail_nth vfio_iommufd_noiommu_test_32
		vfio_pci_driver_test vfio_pci_device_test)
"$TOP/scripts/tree.sh"

# The 32-bit libraries and busybox
if ! dpkg --print-foreign-architectures | grep -qx i386; then
	[ "$(id -u)" = 0 ] || die "need root to add Debian's i386 architecture"
	step "i386: adding Debian's i386 architecture"
	dpkg --add-architecture i386
	run_logged "$LOGS/apt-update-i386.log" apt-get update -q ||
		die "apt-get update failed (see $LOGS/apt-update-i386.log)"
fi
missing=()
for p in gcc-multilib libcap-dev:i386 uuid-dev:i386; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	step "i386: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive run_logged "$LOGS/apt-install-i386.log" \
		apt-get install -y -q --no-install-recommends "${missing[@]}" ||
		die "apt-get install failed (see $LOGS/apt-install-i386.log)"
fi
busybox=$CACHE/i386/busybox
if [ ! -x "$busybox" ]; then
	step "i386: fetching busybox-static:i386"
	tmp=$(mktemp -d "$BUILD/i386-busybox.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && run_logged "$LOGS/apt-download-i386.log" \
		apt-get download busybox-static:i386) ||
		die "cannot download busybox-static:i386 (see $LOGS/apt-download-i386.log)"
	dpkg-deb -x "$tmp"/busybox-static_*_i386.deb "$tmp/root"
	mkdir -p "$CACHE/i386"
	cp "$tmp/root/bin/busybox" "$busybox.tmp" && mv "$busybox.tmp" "$busybox"
	rm -rf "$tmp"
	trap - EXIT
fi

# The kernel and its UAPI headers
OUT=$BUILD/out/i386
KMAKE_ARGS=ARCH=i386 OUT=$OUT "$TOP/scripts/build-kernel.sh" i386 \
	guest features iommufd-test i386
grep -q '^CONFIG_X86_32=y' "$OUT/.config" || die "build/out/i386 is not a 32-bit kernel"
run_logged "$LOGS/headers-i386.log" make -C "$TREE" O="$OUT" ARCH=i386 headers ||
	die "make headers failed (see $LOGS/headers-i386.log)"

# The selftests, -m32. Large files (-D_FILE_OFFSET_BITS=64: VFIO's region
# offsets are above 4 GiB) and a 64-bit time_t, through USERCFLAGS, which
# lib.mk adds for every target (iommu's Makefile ignores EXTRA_CFLAGS).
# VFIO's do not build for 32-bit with -Werror (libvfio passes u64 to %lx):
# -Wno-error goes in EXTRA_CFLAGS, which vfio's Makefile adds after its
# -Werror. kselftest_harness.h's own per-case limit (30 s): the
# kernel is not a debug one.
ST=$BUILD/selftests/i386
for t in iommu vfio; do
	werror=
	[ $t != vfio ] || werror=-Wno-error
	rm -rf "${ST:?}/$t"
	mkdir -p "$ST/$t"
	step "i386: building the $t selftests (gcc -m32)"
	run_logged "$LOGS/selftests-i386-$t.log" \
		make -C "$TREE/tools/testing/selftests/$t" -j"$(nproc)" CC="gcc -m32" \
		KHDR_INCLUDES="-isystem $OUT/usr/include" OUTPUT="$ST/$t" \
		USERCFLAGS="-D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64" EXTRA_CFLAGS="-static $werror" \
		LDFLAGS="-static -pthread -m32" ||
		die "the $t selftests do not build for i386 (see $LOGS/selftests-i386-$t.log)"
done

GUEST_BUSYBOX=$busybox KERNEL=$OUT/arch/x86/boot/bzImage ST=$ST \
	exec "$TOP/scripts/guest-suites.sh" i386 "${suites[@]}"
