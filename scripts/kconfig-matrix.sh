#!/usr/bin/env bash
# Build every Kconfig combination in configs/matrix/ (VFIO_GROUP,
# VFIO_CONTAINER, IOMMUFD_VFIO_CONTAINER, VFIO_DEVICE_CDEV, VFIO_NOIOMMU,
# IOMMUFD and VFIO built in or as modules) on top of guest + features +
# iommufd-test + matrix-base. Each variant: the final .config must hold the
# intended values (build-kernel.sh checks), vmlinux and modules must build
# and link, and modpost must be clean.
#   kconfig-matrix.sh [VARIANT-GLOB]
#
# The variants run in two lanes at the same time, each lane one variant after
# the other in its own build directory (build/out/matrix-a, -b), so a variant
# only rebuilds what its options change. Most of a variant's build is serial
# (syncconfig, the vmlinux link, modpost): one lane alone leaves a core idle.
# Within a lane, IOMMUFD changes between y, m and n once: such a change
# makes kbuild rebuild about half of the kernel (include/linux/sched/user.h
# tests it), which costs little with ccache. A new lane directory starts as a
# copy of build/out/main, so only what the variant's options change is built.
source "$(dirname "$0")/lib.sh"

glob=${1:-*}
LANE_A="01-* 02-* 03-* 04-* 05-* 13-* 12-*"
LANE_B="06-* 07-* 08-* 09-* 10-* 11-*"

# Every variant is in exactly one lane.
mapfile -t all < <(cd "$TOP/configs/matrix" && ls -- $glob.config 2>/dev/null | sed 's/\.config$//')
[ ${#all[@]} -gt 0 ] || die "kconfig matrix: no variant matches '$glob'"
lane_of() {
	local p
	for p in $LANE_A; do [[ $1 == $p ]] && { echo a; return; }; done
	for p in $LANE_B; do [[ $1 == $p ]] && { echo b; return; }; done
	return 1
}
for v in "${all[@]}"; do
	lane_of "$v" >/dev/null || die "kconfig matrix: variant $v is in no lane (LANE_A/LANE_B in $0)"
done

# run_lane LANE PATTERN...: the lane's variants in order; one line
# "PASS|FAIL NAME" per variant on stdout, messages in the lane's log.
run_lane() {
	local lane=$1 p v name out=$BUILD/out/matrix-$1 ok
	shift
	if [ ! -f "$out/.config" ] && [ -f "$BUILD/out/main/.config" ]; then
		rm -rf "$out"
		cp -a "$BUILD/out/main" "$out"
	fi
	for p in "$@"; do
		for v in "${all[@]}"; do
			[[ $v == $p ]] || continue
			name=$v ok=PASS
			if ! OUT=$out KBUILD_TARGETS="vmlinux modules" KBUILD_LOCK_HELD=1 \
				"$TOP/scripts/build-kernel.sh" matrix guest features iommufd-test matrix-base \
				"$TOP/configs/matrix/$name.config" >"$LOGS/matrix-$name.log" 2>&1; then
				warn "kconfig matrix: $name FAILED:"
				grep -E '^!!!|ERROR|error:|undefined' "$LOGS/matrix-$name.log" | head -n 20 >&2
				ok=FAIL
			elif grep -E '^(WARNING|ERROR): modpost' "$LOGS/kbuild-matrix-$lane.log" >&2; then
				warn "kconfig matrix: $name: modpost is not clean"
				ok=FAIL
			elif grep -E ': warning:' "$LOGS/kbuild-matrix-$lane.log" | grep -E 'drivers/(vfio|iommu)/' >&2; then
				warn "kconfig matrix: $name: compiler warnings in vfio/iommu"
				ok=FAIL
			fi
			echo "$ok $name"
		done
	done
}

# One kernel build job at a time on this machine: the matrix holds the lock
# for both lanes.
exec 9>"$BUILD/.kbuild.lock"
flock 9
rm -rf "$BUILD/out/matrix"	# the single directory of an older layout
run_lane a $LANE_A >"$BUILD/.matrix-a.res" 2>"$LOGS/matrix-lane-a.log" &
pa=$!
run_lane b $LANE_B >"$BUILD/.matrix-b.res" 2>"$LOGS/matrix-lane-b.log" &
pb=$!
wait $pa || true
wait $pb || true
cat "$LOGS/matrix-lane-a.log" "$LOGS/matrix-lane-b.log" >&2

bad=0
for v in "${all[@]}"; do
	ok=$(awk -v n="$v" '$2 == n { print $1 }' "$BUILD/.matrix-a.res" "$BUILD/.matrix-b.res")
	case $ok in
	PASS) info "kconfig matrix: $v OK" ;;
	FAIL) bad=1 ;;
	*) warn "kconfig matrix: $v did not run (lane $(lane_of "$v") died?)"; ok=FAIL; bad=1 ;;
	esac
	[ -n "${RESULTS:-}" ] && echo "CHECK $ok kconfig-matrix:$v" >>"$RESULTS"
done
exit $bad
