#!/usr/bin/env bash
# Run guest suites on a built kernel and count their TAP results.
#   guest-suites.sh CONFIGNAME SUITE...
# Uses build/out/CONFIGNAME's bzImage and build/selftests/CONFIGNAME's binaries
# (KERNEL=, OUT= and ST= override them); GUEST_APPEND= adds to the kernel
# command line. CONSOLE_LOG=FILE judges the counts and the skips of a
# recorded console log instead of booting, and writes FILE.counts; it does
# not look for kernel splats, which guest-run.sh does when it boots, and
# writes no guest-clean-boot check (scripts/selftest-tap.sh checks the
# judging with made-up logs).
# Prints one line per suite and every skip with its reason, and appends to
# $RESULTS (if set) "COUNT config:suite passed failed skipped timeouts",
# "TIMEOUT config:suite case", "SKIPPED config:suite<TAB>case<TAB>reason"
# and CHECK lines. Exit status: non-zero if any case failed, a skip is not as
# tests/expected-skips says, or the kernel splatted.
source "$(dirname "$0")/lib.sh"

name=${1:?usage: guest-suites.sh CONFIGNAME SUITE...}
shift
OUT=${OUT:-$BUILD/out/$name}
ST=${ST:-$BUILD/selftests/$name}
kernel=${KERNEL:-$OUT/arch/x86/boot/bzImage}
[ -n "${CONSOLE_LOG:-}" ] || [ -f "$kernel" ] || die "no kernel $kernel"
mem=${GUEST_MEM:-2G}
files=(-f "$TOP/guest/suites.sh:/opt/guest/suites.sh")
for b in "$ST"/*/*; do
	[[ $b != "$ST/kselftest/"* ]] || continue
	[ -f "$b" ] && [ -x "$b" ] && files+=(-f "$b")
done
# vfio's kselftest install layout (build-selftests.sh) goes in whole to
# /opt/kselftest, with bash for vfio's scripts (they need it; busybox sh
# cannot run them): Debian's bash-static as /bin/bash.
if [ -d "$ST/kselftest" ]; then
	files+=(-f "$ST/kselftest:/opt/kselftest")
	[ ! -x /bin/bash-static ] || files+=(-f /bin/bash-static:/bin/bash)
fi
for b in ${GUEST_EXTRA_FILES:-}; do
	files+=(-f "$b")
done

# The debug kernels have KUnit built in but off (configs/debug.config): a
# guest that reports the "kunit" suite turns it on, and the kernel runs its
# KUnit suites at boot, before the suites here start; one that reports
# "kunit_late" turns it on without running them, and that suite runs them.
append=${GUEST_APPEND:-}
case " $* " in *" kunit "*) append="${append:+$append }kunit.enable=1" ;; esac
case " $* " in *" kunit_late "*) append="${append:+$append }kunit.enable=1 kunit.autorun=0" ;; esac
if [[ " $* " == *" kunit "* && " $* " == *" kunit_late "* ]]; then
	die "kunit and kunit_late need guests of their own (kunit.autorun)"
fi

if [ -n "${CONSOLE_LOG:-}" ]; then
	[ -f "$CONSOLE_LOG" ] || die "no console log $CONSOLE_LOG"
	log=$CONSOLE_LOG grc=0
	step "guest[$name]: judging the recorded console $log; suites: $*"
else
	log=$LOGS/guest-$name-$(date +%Y%m%d-%H%M%S)-$$.log
	ln -sfn "$(basename "$log")" "$LOGS/guest-$name-latest.log"
	step "guest[$name]: booting; suites: $* (console: build/logs/$(basename "$log"))"
	set +e
	"$TOP/scripts/guest-run.sh" -q -k "$kernel" -m "$mem" -t "${GUEST_TIMEOUT:-1500}" -l "$log" \
		-a "$append" "${files[@]}" -- sh /opt/guest/suites.sh "$@"
	grc=$?
	set -e
fi

# tests/expected-skips (EXPECTED_SKIPS= overrides it): the skips this
# project accepts, one per line:
#   CONFIGS<TAB>SUITE<TAB>CASE<TAB>MESSAGE<TAB>REASON
# CONFIGS is a comma-separated list of globs matched against CONFIGNAME (the
# first argument: debug, main, bisect), CASE a glob matched against the
# case name, MESSAGE a glob matched against the reason the test printed
# for its skip; lines starting with # are comments.
EXPECTED_SKIPS=${EXPECTED_SKIPS:-$TOP/tests/expected-skips}
applies() {	# applies CONFIGS: CONFIGNAME matches one of CONFIGS' globs
	local g globs
	IFS=, read -ra globs <<<"$1"
	for g in "${globs[@]}"; do
		# shellcheck disable=SC2053 # $g is a glob
		[[ $name == $g ]] && return 0
	done
	return 1
}
# check_skips: lists every skip of this guest with its reason (skips[]);
# fails for a skip that no entry of EXPECTED_SKIPS for this CONFIGNAME and
# suite matches, case and message, and for an entry of a suite that ran
# here (ran[]) that matched no skip (stale). A listed case that skipped with
# another message fails as not listed (once: the entry is not also stale),
# so an entry cannot outlive its reason.
# Suites that did not run in this guest (ONLY=, QUICK=, a guest that died)
# are not judged. One CHECK per offence, or one PASS.
check_skips() {
	local n=0 l cfgs suite pat msg reason sk s c r i hit why bad_skips=0
	local -a e_line=() e_suite=() e_pat=() e_msg=() e_used=() e_other=()
	[ ${#ran[@]} -gt 0 ] || return 0
	if [ ! -f "$EXPECTED_SKIPS" ]; then
		warn "no $EXPECTED_SKIPS"
		result "CHECK FAIL $name: no tests/expected-skips"
		return 1
	fi
	while IFS= read -r l || [ -n "$l" ]; do
		n=$((n + 1))
		case $l in '' | '#'*) continue ;; esac
		IFS=$'\t' read -r cfgs suite pat msg reason <<<"$l"
		if [ -z "$reason" ]; then
			warn "$EXPECTED_SKIPS:$n: not CONFIGS<TAB>SUITE<TAB>CASE<TAB>MESSAGE<TAB>REASON: $l"
			result "CHECK FAIL $name: tests/expected-skips line $n is malformed"
			bad_skips=1
			continue
		fi
		applies "$cfgs" && [[ " ${ran[*]} " == *" $suite "* ]] || continue
		e_line+=("$n") e_suite+=("$suite") e_pat+=("$pat") e_msg+=("$msg") e_used+=(0)
	done <"$EXPECTED_SKIPS"
	[ ${#skips[@]} = 0 ] || info "skips (each must be listed in tests/expected-skips):"
	for sk in "${skips[@]}"; do
		IFS=$'\t' read -r s c r <<<"$sk"
		hit=0 why= e_other=()
		for i in "${!e_line[@]}"; do
			# shellcheck disable=SC2053 # CASE and MESSAGE are globs
			[ "${e_suite[$i]}" = "$s" ] && [[ $c == ${e_pat[$i]} ]] || continue
			# shellcheck disable=SC2053
			if [[ $r == ${e_msg[$i]} ]]; then
				hit=1 e_used[i]=1
			else
				why="; line ${e_line[$i]} lists it with the message '${e_msg[$i]}'"
				e_other+=("$i")
			fi
		done
		# A skip that no entry accepts fails here; the entries that name
		# its case with another message are not also stale
		if [ $hit = 0 ]; then
			for i in "${e_other[@]}"; do
				[ "${e_used[$i]}" = 1 ] || e_used[i]=2
			done
		fi
		result "SKIPPED $name:$s"$'\t'"$c"$'\t'"$r"
		if [ $hit = 1 ]; then
			info "  SKIP $s $c: $r"
		else
			info "  SKIP $s $c: $r  <- NOT in tests/expected-skips$why"
			result "CHECK FAIL $name:$s: skip not listed in tests/expected-skips: $c ($r)$why"
			bad_skips=1
		fi
	done
	for i in "${!e_line[@]}"; do
		[ "${e_used[$i]}" = 0 ] || continue
		info "  STALE tests/expected-skips:${e_line[$i]}: ${e_suite[$i]} ${e_pat[$i]} did not skip"
		result "CHECK FAIL $name:${e_suite[$i]}: listed skip did not happen: ${e_pat[$i]} (tests/expected-skips:${e_line[$i]})"
		bad_skips=1
	done
	[ $bad_skips = 1 ] || result "CHECK PASS $name: every skip listed in tests/expected-skips, no stale entry"
	return $bad_skips
}

bad=0
result() { [ -z "${RESULTS:-}" ] || printf '%s\n' "$*" >>"$RESULTS"; }
awk -f "$TOP/scripts/tap-count.awk" "$log" >"$log.counts"
ran=()	# suites that reported (a TAP section)
skips=()	# "suite<TAB>case<TAB>reason" of every skip
while IFS=$'\t' read -r kind s a b c d e f; do
	case $kind in
	FAIL) printf '    FAIL %s %s\n' "$s" "$a" ;;
	TIMEOUT) printf '    TIMEOUT %s %s\n' "$s" "$a"
		result "TIMEOUT $name:$s $a" ;;
	SKIP) skips+=("$s"$'\t'"$a"$'\t'"$b") ;;
	SUITE)	# passed failed skipped timeouts rc seconds
		ran+=("$s")
		printf '    %-28s %4d passed, %d failed%s, %d skipped  (exit %d, %ss)\n' \
			"$s" "$a" "$b" "$([ "$d" = 0 ] || echo " ($d timeout)")" "$c" "$e" "$f"
		result "COUNT $name:$s $a $b $c $d"
		[ "$b" = 0 ] || bad=1 ;;
	esac
done <"$log.counts"
# Suites asked for but with no TAP section at all: the guest died first.
for s in "$@"; do
	if [[ " ${ran[*]} " != *" $s "* ]]; then
		printf '    %-28s never reported (guest died?)\n' "$s"
		result "COUNT $name:$s 0 1 0 0"
		bad=1
	fi
done
check_skips || bad=1
if [ -n "${CONSOLE_LOG:-}" ]; then
	:	# no boot here to judge
elif [ $grc != 0 ]; then
	# guest-run.sh already printed the reason (splat, timeout, crash).
	[ -n "${RESULTS:-}" ] && echo "CHECK FAIL $name:guest-clean-boot" >>"$RESULTS"
	bad=1
else
	[ -n "${RESULTS:-}" ] && echo "CHECK PASS $name:guest-clean-boot" >>"$RESULTS"
fi
exit $bad
