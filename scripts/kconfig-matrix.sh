#!/usr/bin/env bash
# Build every Kconfig combination in configs/matrix/ (VFIO_GROUP,
# VFIO_CONTAINER, IOMMUFD_VFIO_CONTAINER, VFIO_DEVICE_CDEV, VFIO_NOIOMMU,
# IOMMUFD and VFIO built in or as modules) on top of guest + features +
# iommufd-test + matrix-base. Each variant: the final .config must hold the
# intended values (build-kernel.sh checks), vmlinux and modules must build
# and link, and modpost must be clean. A variant with a "# boot: PROGRAM"
# line is also booted, and tests/PROGRAM.c must pass in it.
#   kconfig-matrix.sh [VARIANT-GLOB]
#
# The variants run in two lanes at the same time, each lane one variant after
# the other in its own build directory (build/out/matrix-a, -b), so a variant
# only rebuilds what its options change. Most of a variant's build is serial
# (syncconfig, the vmlinux link, modpost): one lane alone leaves a core idle.
# Within a lane, IOMMUFD changes between y, m and n once: such a change
# makes kbuild rebuild about half of the kernel (include/linux/sched/user.h
# tests it), which costs little with ccache. A lane runs its variants from
# the end whose IOMMUFD value its directory already has, so the next run
# does not change it back first. A new lane directory starts as a copy of
# build/out/main, so only what the variant's options change is built.
source "$(dirname "$0")/lib.sh"

glob=${1:-*}
LANE_A=('01-*' '02-*' '03-*' '04-*' '05-*' '13-*' '12-*')
LANE_B=('06-*' '07-*' '08-*' '09-*' '14-*' '10-*' '11-*')

mapfile -t all < <(cd "$TOP/configs/matrix" && ls -- $glob.config 2>/dev/null | sed 's/\.config$//')
[ ${#all[@]} -gt 0 ] || die "kconfig matrix: no variant matches '$glob'"
in_lane() {	# in_lane VARIANT PATTERN...
	local v=$1 p
	shift
	for p in "$@"; do [[ $v == $p ]] && return 0; done
	return 1
}
# The variants of each lane, in the lane's order. Every variant is in
# exactly one lane.
lane_a=() lane_b=()
for p in "${LANE_A[@]}"; do for v in "${all[@]}"; do [[ $v != $p ]] || lane_a+=("$v"); done; done
for p in "${LANE_B[@]}"; do for v in "${all[@]}"; do [[ $v != $p ]] || lane_b+=("$v"); done; done
for v in "${all[@]}"; do
	n=0
	in_lane "$v" "${LANE_A[@]}" && n=$((n + 1))
	in_lane "$v" "${LANE_B[@]}" && n=$((n + 1))
	[ $n = 1 ] || die "kconfig matrix: variant $v is in $n lanes, not one (LANE_A/LANE_B in $0)"
done

iommufd_of() { sed -n 's/^CONFIG_IOMMUFD=\(.\)$/\1/p; s/^# CONFIG_IOMMUFD is not set$/n/p' "$1" | tail -n 1; }

# boot_test OUT NAME PROGRAM: boot the variant's kernel and run
# tests/PROGRAM.c in it, built against the main build's UAPI headers (the
# series' HEAD: the matrix runs after the bisect).
boot_test() {
	local out=$1 name=$2 prog=$3 bin=$BUILD/matrix-tests/$3
	mkdir -p "$BUILD/matrix-tests"
	gcc -static -O2 -Wall -Werror -I "$BUILD/out/main/usr/include" \
		-o "$bin" "$TOP/tests/$prog.c" || { warn "kconfig matrix: $name: tests/$prog.c does not build"; return 1; }
	if ! "$TOP/scripts/guest-run.sh" -q -K -k "$out/arch/x86/boot/bzImage" -m 512M -t 300 \
		-l "$LOGS/matrix-$name-boot.log" -f "$bin" -- "$prog"; then
		warn "kconfig matrix: $name: $prog failed in its guest:"
		grep -E '^(not ok|Bail out)' "$LOGS/matrix-$name-boot.log" >&2 || true
		return 1
	fi
	grep -E '^ok ' "$LOGS/matrix-$name-boot.log" | sed "s/^/    $name: /" >&2
}

# run_lane LANE VARIANT...: the lane's variants in order; one line
# "PASS|FAIL NAME" per variant on stdout, messages in the lane's log.
run_lane() {
	local lane=$1 v name out=$BUILD/out/matrix-$1 ok i
	shift
	local -a vs=("$@")
	seed_build_dir "$out"
	# Start from the end whose IOMMUFD value the directory already has
	# (the previous run ended there): one IOMMUFD change per run, not two.
	if [ -f "$out/.config" ] && [ ${#vs[@]} -gt 1 ] &&
	   [ "$(iommufd_of "$out/.config")" != "$(iommufd_of "$TOP/configs/matrix/${vs[0]}.config")" ] &&
	   [ "$(iommufd_of "$out/.config")" = "$(iommufd_of "$TOP/configs/matrix/${vs[-1]}.config")" ]; then
		local -a rev=()
		for ((i = ${#vs[@]} - 1; i >= 0; i--)); do rev+=("${vs[$i]}"); done
		vs=("${rev[@]}")
	fi
	for name in "${vs[@]}"; do
		ok=PASS
		# "# boot: PROGRAM" in a variant: also boot it and run
		# tests/PROGRAM.c there (a check that needs that configuration).
		boot=$(sed -n 's/^# boot: //p' "$TOP/configs/matrix/$name.config")
		if ! OUT=$out KBUILD_TARGETS="vmlinux modules${boot:+ bzImage}" KBUILD_LOCK_HELD=1 \
			"$TOP/scripts/build-kernel.sh" matrix guest features iommufd-test matrix-base \
			"$TOP/configs/matrix/$name.config" >"$LOGS/matrix-$name.log" 2>&1; then
			warn "kconfig matrix: $name FAILED:"
			grep -E '^!!!|ERROR|error:|undefined' "$LOGS/matrix-$name.log" | head -n 20 >&2 || true
			ok=FAIL
		elif grep -E '^(WARNING|ERROR): modpost' "$LOGS/kbuild-matrix-$lane.log" >&2; then
			warn "kconfig matrix: $name: modpost is not clean"
			ok=FAIL
		elif grep -E ': warning:' "$LOGS/kbuild-matrix-$lane.log" | grep -E 'drivers/(vfio|iommu)/' >&2; then
			warn "kconfig matrix: $name: compiler warnings in vfio/iommu"
			ok=FAIL
		elif [ -n "$boot" ] && ! boot_test "$out" "$name" "$boot"; then
			ok=FAIL
		fi
		echo "$ok $name"
	done
}

# One kernel build job at a time on this machine: the matrix holds the lock
# for both lanes.
exec 9>"$BUILD/.kbuild.lock"
flock 9
rm -rf "$BUILD/out/matrix"	# the single directory of an older layout
: >"$BUILD/.matrix-a.res"
: >"$BUILD/.matrix-b.res"
: >"$LOGS/matrix-lane-a.log"
: >"$LOGS/matrix-lane-b.log"
pids=()
if [ ${#lane_a[@]} -gt 0 ]; then
	run_lane a "${lane_a[@]}" >"$BUILD/.matrix-a.res" 2>"$LOGS/matrix-lane-a.log" &
	pids+=($!)
fi
if [ ${#lane_b[@]} -gt 0 ]; then
	run_lane b "${lane_b[@]}" >"$BUILD/.matrix-b.res" 2>"$LOGS/matrix-lane-b.log" &
	pids+=($!)
fi
for p in "${pids[@]}"; do wait "$p" || true; done
cat "$LOGS/matrix-lane-a.log" "$LOGS/matrix-lane-b.log" >&2

bad=0
for v in "${all[@]}"; do
	ok=$(awk -v n="$v" '$2 == n { print $1 }' "$BUILD/.matrix-a.res" "$BUILD/.matrix-b.res")
	case $ok in
	PASS) info "kconfig matrix: $v OK" ;;
	FAIL) bad=1 ;;
	*) warn "kconfig matrix: $v did not run (its lane died?)"; ok=FAIL; bad=1 ;;
	esac
	[ -n "${RESULTS:-}" ] && echo "CHECK $ok kconfig-matrix:$v" >>"$RESULTS"
done
exit $bad
