#!/usr/bin/env bash
# The test command: everything, ending with one line "N passed, N failed".
#   scripts/test.sh
# Environment:
#   ONLY="suite ..."   run only these guest suites: those of VIOMMU_SUITES
#                      (and vfio_pci_driver_iommufd) in the guest with an
#                      IOMMU, those only of CDEV_SUITES in the cdev-only
#                      guest (in that list's order), the others in the
#                      debug guest
#   QUICK=1            skip the bisect build and the Kconfig matrix (they are
#                      reported as skipped, never as passed)
# Every check is one case in the count; each guest kselftest case counts as
# one case. Results: build/results.txt; logs: build/logs/.
source "$(dirname "$0")/lib.sh"

RESULTS=$BUILD/results.txt
export RESULTS
: >"$RESULTS"

check() {	# check NAME CMD...: one case
	local name=$1
	shift
	step "check: $name"
	if "$@"; then
		echo "CHECK PASS $name" >>"$RESULTS"
	else
		echo "CHECK FAIL $name" >>"$RESULTS"
		warn "FAILED: $name"
		return 1
	fi
}
# tests/noiommu_cdev_smoke.c: the cdev end to end, plus the legacy noiommu
# group opened through /dev/vfio/vfio, against the series' UAPI headers.
# tests/noiommu_mixed.c: a device behind an IOMMU and a noiommu device in one
# guest and one IOAS.
# tests/vfio_rst_example.c: the usage example of vfio.rst, extracted from the
# tree's Documentation (scripts/doc-example.sh) and compiled as written.
build_harness_tests() {
	local d=$BUILD/selftests/$1/harness
	mkdir -p "$d" "$BUILD/doc-example"
	gcc -static -O2 -Wall -Werror -I "$BUILD/out/$1/usr/include" \
		-o "$d/noiommu_cdev_smoke" "$TOP/tests/noiommu_cdev_smoke.c" &&
	"$TOP/scripts/doc-example.sh" "$BUILD/doc-example/vfio_rst_example.inc" &&
	gcc -static -O2 -Wall -Werror -I "$BUILD/out/$1/usr/include" -I "$TOP/tests" \
		-I "$BUILD/doc-example" -o "$d/vfio_rst_example" "$TOP/tests/vfio_rst_example.c" &&
	gcc -static -O2 -Wall -Werror -I "$BUILD/out/$1/usr/include" -I "$TOP/tests" \
		-o "$d/noiommu_mixed" "$TOP/tests/noiommu_mixed.c"
}
# recorded NAME CMD...: run a script that records its own cases; if it fails
# without recording anything, record that as a failure so it is never lost.
recorded() {
	local name=$1 n0 rc=0
	shift
	n0=$(wc -l <"$RESULTS")
	"$@" || rc=$?
	if [ $rc != 0 ] && [ "$(wc -l <"$RESULTS")" = "$n0" ]; then
		echo "CHECK FAIL $name (exit $rc, recorded no result)" >>"$RESULTS"
	fi
	return 0
}
skip() { echo "CHECK SKIP $1" >>"$RESULTS"; step "skipped: $1"; }

summary() {
	local p=0 f=0 s=0 line kind name a b c d timeouts=() skipped=()
	echo
	echo "==================== summary ===================="
	# CHECK STATUS TEXT | COUNT NAME PASSED FAILED SKIPPED [TIMEOUTS]
	# | TIMEOUT NAME CASE | SKIPPED NAME<TAB>CASE<TAB>REASON
	# (guest-suites.sh writes the last three; a case that ran out of time
	# is one of the FAILED of its COUNT, listed again as a TIMEOUT.)
	while IFS= read -r line; do
		read -r kind name a b c d <<<"$line"
		case $kind in
		CHECK)
			case $name in
			PASS) p=$((p + 1)) ;;
			SKIP) s=$((s + 1)); skipped+=("harness: ${line#CHECK SKIP } (a harness check this mode does not run)") ;;
			*) f=$((f + 1)); echo "  FAILED:  ${line#CHECK * }" ;;
			esac ;;
		COUNT)
			p=$((p + a)); f=$((f + b)); s=$((s + c))
			printf '  %-44s %d passed, %d failed%s, %d skipped\n' "$name" "$a" "$b" \
				"$([ "${d:-0}" = 0 ] || echo " ($d timeout)")" "$c" ;;
		TIMEOUT) timeouts+=("$name ${line#TIMEOUT * }") ;;
		SKIPPED)
			IFS=$'\t' read -r name a b <<<"${line#SKIPPED }"
			skipped+=("$name $a: $b") ;;
		esac
	done <"$RESULTS"
	if [ ${#timeouts[@]} -gt 0 ]; then
		echo "  timeouts (each one of the failed above): ${#timeouts[@]}"
		printf '    TIMEOUT %s\n' "${timeouts[@]}"
	fi
	if [ ${#skipped[@]} -gt 0 ]; then
		echo "  skipped, with the reason: ${#skipped[@]}"
		printf '    %s\n' "${skipped[@]}"
	fi
	if [ $((p + f)) = 0 ]; then
		echo "  FAILED:  nothing ran"
		f=1
	fi
	echo "checks: $(grep -c '^CHECK PASS ' "$RESULTS") passed of $(grep -c '^CHECK' "$RESULTS"); elapsed $(( $(date +%s) - _t0 ))s; logs in build/logs/"
	echo "$p passed, $f failed, $s skipped"
	[ "$f" = 0 ]
}
# Background jobs: NAME, results file and log of each, merged at the end. A
# job still running at exit (an early exit) is stopped first.
bg_names=() bg_files=() bg_pids=()
bg_start() {	# bg_start check|recorded NAME CMD...: "check NAME CMD..." or
		# "recorded NAME CMD..." in the background
	local how=$1 name=$2 f
	shift 2
	f=$(echo "$name" | tr -cs 'a-zA-Z0-9\n' '-' | sed 's/-$//')
	: >"$BUILD/results-$f.txt"
	step "$name: runs in the background (output: build/logs/test-$f.out)"
	(RESULTS=$BUILD/results-$f.txt; "$how" "$name" "$@") >"$LOGS/test-$f.out" 2>&1 &
	bg_names+=("$name")
	bg_files+=("$f")
	bg_pids+=($!)
}
bg_wait_all() {
	local i name f
	for i in "${!bg_pids[@]}"; do
		name=${bg_names[$i]} f=${bg_files[$i]}
		step "$name: waiting for it"
		wait "${bg_pids[$i]}" || true
		cat "$LOGS/test-$f.out"
		cat "$BUILD/results-$f.txt" >>"$RESULTS"
	done
	bg_names=() bg_files=() bg_pids=()
}
trap 'for p in "${bg_pids[@]}"; do kill_tree "$p"; done; summary; exit $?' EXIT

check "dependencies installed" "$TOP/scripts/deps.sh" || exit 1
check "series applies to the base (git am)" "$TOP/scripts/tree.sh" || exit 1
# How the guests count kselftest's runner output, on made-up output with
# every way a program can fail (scripts/selftest-tap.sh)
check "harness: runner output counted per case, failures never as passed" \
	"$TOP/scripts/selftest-tap.sh"

# checkpatch, kernel-doc and docutils run in a worktree of their own at
# HEAD (static.sh), so they run in the background from the start while the
# bisect moves build/linux, at the lowest priority: they fill the cores
# whenever the builds leave one idle.
bg_start recorded static env STATIC_REV="$(git -C "$TREE" rev-parse HEAD)" \
	nice -n "$STATIC_NICE" "$TOP/scripts/static.sh" checkpatch kerneldoc docs

# Guest suites, all on the debug kernel. Under KASAN + lockdep in TCG some
# cases run past kselftest_harness.h's fixed 30 s per-case limit:
# build-selftests.sh gives every case a limit that fits the configuration
# (only the limit changes).
# Two guests: iommufd's own suites, the longest, on one vCPU (a second one
# costs ~20% more host CPU under TCG for nothing): all of iommufd's cases but
# the fixture whose cases race threads against each other (iommufd_serial);
# that fixture (iommufd_race) and the series' tests, which include
# multi-threaded stress cases, on two.
# The KUnit suites (suite "kunit") run at boot in the first: the noiommu
# device they register taints the kernel, which the taint checks of the
# series' tests must not see.
DEBUG_SUITES_UP="kunit iommufd_serial iommufd_fail_nth"
# vfio_run_kselftest runs every vfio selftest program through kselftest's
# runner and counts each program's cases (guest/suites.sh), so the debug
# guest does not run vfio_iommufd_noiommu_test, vfio_pci_driver_test and
# vfio_pci_device_test as suites of their own as well.
DEBUG_SUITES="iommufd_race noiommu_group noiommu_cdev_smoke vfio_rst_example vfio_run_kselftest vfio_scripts"
# A third debug guest has an IOMMU (GUEST_VIOMMU=1, scripts/guest-run.sh)
# for all edus but one: the two kinds of device side by side, and vfio's
# selftests in their IOMMU modes (which the other guests skip) on an edu
# behind it, but vfio_pci_driver_test: each case of its IOMMU modes pins
# 1 GiB, 113 s for one on the debug kernel (guest/suites.sh has it as
# vfio_pci_driver_iommufd, for a run by hand). One vCPU. Its skips are
# listed as those of CONFIGNAME "viommu".
VIOMMU_SUITES="noiommu_mixed vfio_iommufd_setup_test vfio_pci_device_test vfio_dma_mapping_test vfio_pci_device_init_perf_test"
MAIN_SUITES="iommufd_fail_nth"
# The cdev-only guest (VFIO_GROUP=n): the taint and the DMA tests again,
# where the cdev is the only way to the device, and last the KUnit suites
# without the group code (kunit_late: run through debugfs after the taint
# checks, which the devices they register would fail).
CDEV_SUITES="noiommu_cdev_only vfio_iommufd_noiommu_test vfio_pci_driver_test vfio_rst_example kunit_late"
# The debug kernels check every page mapped into an IOMMU domain against
# the page allocator (CONFIG_IOMMU_DEBUG_PAGEALLOC).
DEBUG_APPEND="iommu.debug_pagealloc=1"
# The guests that run the VFIO tests also zero every page freed to the
# page allocator (init_on_free): a 4 KiB page freed while a device could
# still DMA to it loses its contents at once, so the tests' DMA checks of
# pinned pages fail whether or not memory pressure reused the page. (A
# hugetlb page goes back to its pool, which the tests check instead.)
VFIO_APPEND="$DEBUG_APPEND init_on_free=1"
if [ -n "${ONLY:-}" ]; then
	DEBUG_SUITES_UP=
	only_viommu=
	only_cdev=
	only_debug=
	for s in $ONLY; do
		if [[ " $VIOMMU_SUITES vfio_pci_driver_iommufd " == *" $s "* ]]; then
			only_viommu+=" $s"
		elif [[ " $CDEV_SUITES " != *" $s "* || " $DEBUG_SUITES " == *" $s "* ]]; then
			only_debug+=" $s"
		fi
	done
	# The cdev-only guest's order: the taint checks first, kunit_late last
	for s in $CDEV_SUITES; do
		if [[ " $ONLY " == *" $s "* && " $DEBUG_SUITES " != *" $s "* ]]; then
			only_cdev+=" $s"
		fi
	done
	DEBUG_SUITES=$only_debug
	VIOMMU_SUITES=$only_viommu
	CDEV_SUITES=$only_cdev
	MAIN_SUITES=
fi

# The debug kernel's guest suites are the longest jobs (~5 minutes of one
# core), so the debug kernel is built first and its suites run in the
# background while everything else builds and checks below the guests'
# priority (scripts/lib.sh) on what is left. Nothing else touches what the guest uses
# (build/out/debug, build/selftests/debug).
DEBUG_BUILT=
if check "kernel builds [debug]" "$TOP/scripts/build-kernel.sh" debug &&
   check "selftests build [debug]" "$TOP/scripts/build-selftests.sh" debug iommu vfio &&
   check "harness guest tests build [debug]" build_harness_tests debug; then
	# The one-vCPU guest's limit: 1500 s (guest-suites.sh) was too short
	# on 2026-12-02, in place beside a cold build of the main kernel on a
	# slower machine: iommufd_serial alone ran 1177-1211 s (and more than
	# 1000 s in the next run, stopped before it ended).
	[ -z "$DEBUG_SUITES_UP" ] ||
		bg_start recorded guest-debug-1cpu env GUEST_SMP=1 GUEST_TIMEOUT=2400 GUEST_APPEND="$DEBUG_APPEND" \
			"$TOP/scripts/guest-suites.sh" debug $DEBUG_SUITES_UP
	[ -z "$DEBUG_SUITES" ] ||
		bg_start recorded guest-debug env GUEST_APPEND="$VFIO_APPEND" \
			"$TOP/scripts/guest-suites.sh" debug $DEBUG_SUITES
	DEBUG_BUILT=1
fi

# The cdev-only kernel: the debug kernel without VFIO_GROUP, so the device
# has no vfio group and the cdev alone hands it out and taints the kernel.
# Its directory starts as a copy of the debug build (only VFIO changes).
if [ -n "$CDEV_SUITES" ] &&
   check "kernel builds [cdev]" env SEED_FROM=debug "$TOP/scripts/build-kernel.sh" cdev &&
   check "selftests build [cdev]" "$TOP/scripts/build-selftests.sh" cdev vfio &&
   check "harness guest tests build [cdev]" build_harness_tests cdev; then
	bg_start recorded guest-cdev env GUEST_APPEND="$VFIO_APPEND" \
		"$TOP/scripts/guest-suites.sh" cdev $CDEV_SUITES
fi

if [ -n "${QUICK:-}" ]; then
	skip "every patch builds (bisect)"
	check "kernel builds [main]" nice -n "$BUILD_NICE" "$TOP/scripts/build-kernel.sh" main || true
else
	# One case per patch and step: builds, selftests build, iommufd's
	# selftests in the guest at that patch. The last patch that touches
	# the kernel leaves build/out/main built with HEAD's kernel, and its
	# guest runs iommufd_fail_nth on it, so MAIN_SUITES are not repeated.
	recorded bisect nice -n "$BUILD_NICE" "$TOP/scripts/bisect-build.sh"
	MAIN_SUITES=
fi
# The UAPI header test ran in the main build (at HEAD now); this checks it.
recorded static:uapi nice -n "$BUILD_NICE" "$TOP/scripts/static.sh" uapi
# The demo needs only the main kernel and the UAPI headers, both built now:
# it boots in the background while sparse and the matrix build.
if [ -z "${ONLY:-}" ]; then
	bg_start check "DMA demo [main]" env DEMO_PREPARED=1 "$TOP/scripts/demo.sh"
fi
# The guest with an IOMMU boots the debug kernel too, but only now, when
# the longest guest (one vCPU, iommufd's suites) has less beside it.
if [ -n "$VIOMMU_SUITES" ] && [ -n "${DEBUG_BUILT:-}" ]; then
	bg_start recorded guest-viommu env GUEST_VIOMMU=1 GUEST_SMP=1 GUEST_APPEND="$VFIO_APPEND" \
		OUT="$BUILD/out/debug" ST="$BUILD/selftests/debug" \
		"$TOP/scripts/guest-suites.sh" viommu $VIOMMU_SUITES
fi
recorded static:sparse nice -n "$BUILD_NICE" "$TOP/scripts/static.sh" sparse
if [ -n "${QUICK:-}" ]; then
	skip "kconfig matrix"
else
	recorded kconfig-matrix nice -n "$BUILD_NICE" "$TOP/scripts/kconfig-matrix.sh"
fi
bg_wait_all
if [ -n "$MAIN_SUITES" ] &&
   check "selftests build [main]" "$TOP/scripts/build-selftests.sh" main iommu; then
	recorded guest-main "$TOP/scripts/guest-suites.sh" main $MAIN_SUITES
fi
