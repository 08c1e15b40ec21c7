#!/usr/bin/env bash
# The test command: everything, ending with one line "N passed, N failed".
#   scripts/test.sh            full run
#   ONLY="suite ..."           run only these guest suites (still builds)
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
		echo "CHECK $name PASS" >>"$RESULTS"
	else
		echo "CHECK $name FAIL" >>"$RESULTS"
		warn "FAILED: $name"
		return 1
	fi
}

summary() {
	local p=0 f=0 s=0
	echo
	echo "==================== summary ===================="
	while read -r kind name a b c; do
		case $kind in
		CHECK)
			case $a in
			PASS) p=$((p + 1)) ;;
			SKIP) s=$((s + 1)); echo "  skipped: $name" ;;
			*) f=$((f + 1)); echo "  FAILED:  $name" ;;
			esac ;;
		COUNT)
			p=$((p + a)); f=$((f + b)); s=$((s + c))
			printf '  %-40s %d passed, %d failed, %d skipped\n' "$name" "$a" "$b" "$c" ;;
		esac
	done <"$RESULTS"
	if [ $((p + f)) = 0 ]; then
		echo "  FAILED:  nothing ran"
		f=1
	fi
	echo "elapsed: $(( $(date +%s) - _t0 ))s; logs in build/logs/"
	echo "$p passed, $f failed, $s skipped"
	[ "$f" = 0 ]
}
trap 'summary; exit $?' EXIT

check "dependencies installed" "$TOP/scripts/deps.sh" || exit 1
check "series applies to the base (git am)" "$TOP/scripts/tree.sh" || exit 1

SUITES=${ONLY:-noiommu_group iommufd iommufd_fail_nth}
for cfg in ${CONFIGS:-debug}; do
	if check "kernel builds [$cfg]" "$TOP/scripts/build-kernel.sh" "$cfg" &&
	   check "selftests build [$cfg]" "$TOP/scripts/build-selftests.sh" "$cfg" iommu; then
		"$TOP/scripts/guest-suites.sh" "$cfg" $SUITES || true
	fi
done
