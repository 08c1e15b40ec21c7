#!/usr/bin/env bash
# Build the kselftests the guest runs, statically linked, against the UAPI
# headers of a kernel build:  build-selftests.sh CONFIGNAME TARGET...
# TARGETs: iommu, vfio. Output: build/selftests/<config>/<target>/, and for
# vfio also kselftest's install layout in build/selftests/<config>/kselftest/.
# HEADERS=DIR: the kernel's exported UAPI headers are already in DIR (a
# prebuilt kernel's); no "make headers", no kernel build needed (set
# CASE_LIMIT then if OUT has no .config).
source "$(dirname "$0")/lib.sh"

name=${1:?usage: build-selftests.sh CONFIGNAME TARGET...}
shift
SRC=${SRC:-$TREE}
OUT=${OUT:-$BUILD/out/$name}
DEST=${DEST:-$BUILD/selftests/$name}
HDR=${HEADERS:-$OUT/usr/include}
use_ccache

if [ -n "${HEADERS:-}" ]; then
	[ -f "$HDR/linux/vfio.h" ] || die "no exported UAPI headers in $HDR"
	[ -f "$OUT/.config" ] || [ -n "${CASE_LIMIT:-}" ] || die "HEADERS= without $OUT/.config: set CASE_LIMIT"
else
	[ -f "$OUT/.config" ] || die "no kernel build in $OUT (run build-kernel.sh $name first)"
	run_logged "$LOGS/headers-$name.log" make -C "$SRC" O="$OUT" headers ||
		die "make headers failed"
fi

# kselftest_harness.h kills a case after TEST_TIMEOUT_DEFAULT (30 s), or
# after the seconds of TEST_F_TIMEOUT(); neither can be changed with -D. The
# binaries are built against a copy of the header in which the default limit
# is LIMIT and every TEST_F_TIMEOUT() is scaled by LIMIT/30; only the limits
# change, never what a case checks. LIMIT comes from case_limit, here and
# nowhere else (CASE_LIMIT= overrides it).
#
# Per-case times measured on 2026-11-30 (2-core AMD EPYC, QEMU TCG, the host
# also running a -j2 kernel build; loadavg 3-3.9), slowest cases:
#   debug, 1 vCPU:  iommufd_fail_nth map_two_domains 47.6 s, the other
#                   fail_nth cases <=18.7 s; iommufd <=16.5 s (access_rw
#                   8.4-11.5 s, domain_dirty128M.get_dirty_bitmap 4.9 s)
#   debug, 2 vCPUs: map_two_domains 52.2 s; iommufd's cases took 1.34x
#                   their 1-vCPU time in all; vfio's tests <=4.0 s
#   main, 1 vCPU:   iommufd <=1.0 s, iommufd_fail_nth <=0.5 s
# Heavier load has made access_rw and get_dirty_bitmap exceed 30 s
# (../shared/NOTES.md), 2-6x their times above. So:
#  - main: kselftest's 30 s, 30x the slowest case;
#  - debug: 300 s, 10x: the slowest case (52 s) 4x slower still fits;
#  - per vCPU beyond the first, +50%: under load each vCPU thread competes
#    for the host's cores (measured +34% with 2 vCPUs).
# GUEST_SMP is the vCPU count of the guest that will run the binaries
# (default 2, as guest-run.sh's).
case_limit() {
	local base=30 smp=${GUEST_SMP:-2}
	grep -q '^CONFIG_KASAN=y' "$OUT/.config" && base=300
	echo $((base * (smp + 1) / 2))
}
LIMIT=${CASE_LIMIT:-$(case_limit)}
MARKER="kselftest_harness.h: TEST_TIMEOUT_DEFAULT $LIMIT"

# What a target's binaries are made of: the exported UAPI headers, tools/
# (kselftest_harness.h among them) and iommufd's test header
# (iommufd_test.h), committed and uncommitted, and the per-case limit.
inputs() {
	{ (cd "$HDR" && find . -type f -print0 | sort -z | xargs -0 sha1sum)
	  git -C "$SRC" rev-parse HEAD:tools HEAD:drivers/iommu/iommufd
	  git -C "$SRC" diff HEAD -- tools drivers/iommu/iommufd
	  echo "$LIMIT"; } | sha1sum | cut -c1-40
}
key=$(inputs)

# The targets are built from a shadow of the tree's selftests directory,
# $SHADOW/tools/testing/selftests: real directories of symbolic links to the
# tree's files, except kselftest_harness.h, which is the copy with LIMIT. The
# tests include it as "kselftest_harness.h" (found through -iquote, which
# comes before lib.mk's -I) or as "../kselftest_harness.h"
# (found next to the test's directory, so only a shadow can change it);
# iommufd_utils.h's "../../../../drivers/..." finds $SHADOW/drivers. make
# itself keeps the tree's paths (selfdir, top_srcdir). The path depends only
# on CONFIGNAME, so ccache sees the same command lines at every bisect step.
SHADOW=$BUILD/selftests/.shadow-$name
shadow() {	# shadow TARGET...
	local st=$SRC/tools/testing/selftests sh=$SHADOW/tools/testing/selftests t
	rm -rf "$SHADOW"
	mkdir -p "$sh"
	ln -s "$SRC/drivers" "$SHADOW/drivers"
	ln -s "$st"/* "$sh/"
	rm "$sh/kselftest_harness.h"
	sed -e "s/^#define TEST_TIMEOUT_DEFAULT 30$/#define TEST_TIMEOUT_DEFAULT $LIMIT/" \
	    -e "s/^\t__TEST_F_IMPL(fixture_name, test_name, -1, timeout)$/\t__TEST_F_IMPL(fixture_name, test_name, -1, (timeout) * $LIMIT \/ 30)/" \
	    -e "s/^#define __KSELFTEST_HARNESS_H$/&\nstatic const char __ksft_limits[] __attribute__((used)) = \"$MARKER\";/" \
	    "$st/kselftest_harness.h" >"$sh/kselftest_harness.h"
	[ "$(diff "$st/kselftest_harness.h" "$sh/kselftest_harness.h" | grep -c '^>')" = 3 ] ||
		die "selftests[$name]: kselftest_harness.h changed: cannot set its limits"
	for t in "$@"; do
		rm "$sh/$t"
		mkdir "$sh/$t"
		ln -s "$st/$t"/* "$sh/$t/"
	done
}
# check_limits DIR: every binary in DIR that has kselftest_harness.h in it
# was built with the copy (it carries MARKER).
check_limits() {
	local b bad=0
	for b in "$1"/*; do
		[ -f "$b" ] && [ -x "$b" ] && grep -q 'Test terminated by timeout' "$b" || continue
		grep -qF "$MARKER" "$b" && continue
		warn "selftests[$name]: $b has kselftest_harness.h's own limits, not $LIMIT s"
		bad=1
	done
	return $bad
}

# kselftest's make arguments: the shadow's copy of kselftest_harness.h, the
# tree's paths, static binaries.
mk_args=(CC="ccache gcc" selfdir="$SRC/tools/testing/selftests" top_srcdir="$SRC"
	USERCFLAGS="-iquote $SHADOW/tools/testing/selftests"
	KHDR_INCLUDES="-isystem $HDR" EXTRA_CFLAGS=-static LDFLAGS="-static -pthread")

# The kselftest install layout of vfio, as upstream users get it from
# "make -C tools/testing/selftests TARGETS=vfio install": run_kselftest.sh,
# kselftest-list.txt, kselftest/ (the runner) and vfio/ (the binaries and
# vfio's scripts) in $INST; guest/suites.sh's vfio_run_kselftest runs it.
# kselftest's own install target, from the shadow with BUILD=$DEST: its
# "all" step finds the binaries just built in $DEST/vfio up to date (nothing
# is compiled again) and install copies them, limits included.
INST=$DEST/kselftest
install_vfio() {
	local b
	rm -rf "${INST:?}"
	run_logged "$LOGS/selftests-$name-install.log" \
		make -C "$SHADOW/tools/testing/selftests" TARGETS=vfio BUILD="$DEST" \
		KSFT_INSTALL_PATH="$INST" "${mk_args[@]}" install ||
		die "selftests[$name]: kselftest install of vfio failed (see $LOGS/selftests-$name-install.log)"
	! grep -q 'ccache gcc' "$LOGS/selftests-$name-install.log" ||
		die "selftests[$name]: kselftest install compiled vfio again (see $LOGS/selftests-$name-install.log)"
	# The list names vfio's tests (the noiommu one once the series adds it).
	grep -q '^vfio:' "$INST/kselftest-list.txt" ||
		die "selftests[$name]: $INST/kselftest-list.txt does not list vfio's tests"
	[ ! -x "$DEST/vfio/vfio_iommufd_noiommu_test" ] ||
		grep -qx 'vfio:vfio_iommufd_noiommu_test' "$INST/kselftest-list.txt" ||
		die "selftests[$name]: $INST/kselftest-list.txt does not list vfio_iommufd_noiommu_test"
	for b in "$DEST/vfio"/*; do
		[ -f "$b" ] && [ -x "$b" ] || continue
		cmp -s "$b" "$INST/vfio/${b##*/}" || die "selftests[$name]: $INST/vfio/${b##*/} is not $b"
	done
	check_limits "$INST/vfio" || die "selftests[$name]: installed vfio: not every binary has the ${LIMIT}s limit"
}

shadow "$@"
for t in "$@"; do
	# REUSE=DIR: DIR/<target> built from the same inputs is copied instead
	# of built again (the bisect: most patches change none of them), with
	# vfio's install layout if DIR has one.
	if [ -n "${REUSE:-}" ] && [ -f "$REUSE/$t/.inputs" ] && [ "$(cat "$REUSE/$t/.inputs")" = "$key" ]; then
		step "selftests[$name]: $t unchanged since $REUSE, reused"
		rm -rf "${DEST:?}/$t"
		mkdir -p "$DEST"
		cp -a "$REUSE/$t" "$DEST/$t"
		if [ "$t" = vfio ]; then
			rm -rf "${INST:?}"
			[ ! -d "$REUSE/kselftest" ] || cp -a "$REUSE/kselftest" "$INST"
		fi
		continue
	fi
	step "selftests[$name]: building $t (static, ${LIMIT}s per kselftest_harness.h case)"
	# make does not know the copy of the header: other inputs, build anew.
	[ "$(cat "$DEST/$t/.inputs" 2>/dev/null)" = "$key" ] || rm -rf "${DEST:?}/$t"
	rm -f "$DEST/$t/.inputs"
	[ "$t" != vfio ] || rm -rf "${INST:?}"
	mkdir -p "$DEST/$t"
	run_logged "$LOGS/selftests-$name-$t.log" \
		make -C "$SHADOW/tools/testing/selftests/$t" -j"$(nproc)" "${mk_args[@]}" OUTPUT="$DEST/$t" ||
		die "selftests[$name]: $t does not build (see $LOGS/selftests-$name-$t.log)"
	check_limits "$DEST/$t" || die "selftests[$name]: $t: not every binary has the ${LIMIT}s limit"
	[ "$t" != vfio ] || install_vfio
	echo "$key" >"$DEST/$t/.inputs"
done
