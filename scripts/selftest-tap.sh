#!/usr/bin/env bash
# Check on the host how the guest counts kselftest runner output: feed a
# made-up run_kselftest.sh output through guest/suites.sh's ksft_tap (under
# busybox awk, as in the guest) and scripts/tap-count.awk, and compare the
# counts with what each line must give. Each case below is a way a program
# can fail that must not count as passed.
source "$(dirname "$0")/lib.sh"

bb=$(command -v busybox) || die "busybox not installed (scripts/deps.sh)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin" && ln -s "$bb" "$tmp/bin/awk"

# 7 programs planned, 6 started:
#   a: 2 cases pass, then it crashes (1 failure) and 1 planned case is
#      missing (1 failure);
#   b: 1 case passes, 1 times out (1 failure, 1 timeout);
#   c: plans 4 cases, reports none, exits 0 (1 pass of the program line,
#      1 failure for the missing cases);
#   d: reports nothing and the runner times it out (1 failure, 1 timeout);
#   s: skips as a whole (1 skip);
#   e: 1 case passes, then the runner stops (1 failure: no result for e;
#      1 failure: one program of the plan never reported).
cat >"$tmp/runner.out" <<'OUT'
TAP version 13
1..7
# timeout set to 45
# selftests: vfio: a
# TAP version 13
# 1..3
# ok 1 f.x
# ok 2 f.y
not ok 1 selftests: vfio: a # exit=139
# selftests: vfio: b
# 1..2
# ok 1 g.x
# # y: Test terminated by timeout
# not ok 2 g.y
not ok 2 selftests: vfio: b
# selftests: vfio: c
# 1..4
ok 3 selftests: vfio: c
# selftests: vfio: d
not ok 4 selftests: vfio: d # TIMEOUT 45 seconds
# selftests: vfio: s
# 1..0 # SKIP no device
ok 5 selftests: vfio: s # SKIP no device
# selftests: vfio: e
# 1..2
# ok 1 h.x
OUT
# counts RUNNER_OUTPUT RC: "passed failed skipped timeouts" of the suite
counts() {
	{
		echo "GUEST-TAP-BEGIN vfio_run_kselftest"
		PATH="$tmp/bin:$PATH" SUITES_LIB=1 sh -c ". '$TOP/guest/suites.sh' && ksft_tap" <"$1"
		echo "GUEST-TAP-END vfio_run_kselftest rc=$2 start=0 end=1"
	} >"$tmp/console.log"
	awk -f "$TOP/scripts/tap-count.awk" "$tmp/console.log" |
		awk -F'\t' '$1 == "SUITE" { print $3, $4, $5, $6 }'
}
# expect WHAT RUNNER_OUTPUT RC WANT
expect() {
	local got
	got=$(counts "$2" "$3")
	if [ "$got" != "$4" ]; then
		sed 's/^/    /' "$tmp/console.log"
		die "ksft_tap + tap-count.awk, $1: passed failed skipped timeouts = '$got', want '$4'"
	fi
	info "ksft_tap + tap-count.awk, $1: $got (passed failed skipped timeouts) as expected"
}
expect "every failure mode" "$tmp/runner.out" 1 "5 7 1 2"
# A runner that printed nothing at all, not even a plan, and exited 0
: >"$tmp/empty.out"
expect "no output" "$tmp/empty.out" 0 "0 1 0 0"

# How guest-suites.sh judges skips against tests/expected-skips, on a
# made-up console (CONSOLE_LOG= judges it without a boot): a listed skip
# passes; the same case skipped with another message, an unlisted skip and
# a listed skip that did not happen each fail.
cat >"$tmp/skips.log" <<'LOG'
GUEST-TAP-BEGIN s
TAP version 13
1..3
ok 1 f.a
ok 2 f.b # SKIP no device here
ok 3 f.c # SKIP no device here
GUEST-TAP-END s rc=0 start=0 end=1
LOG
# judge WHAT EXPECTED-SKIPS-LINES WANT-STATUS WANT-CHECK: the guest's exit
# status and the CHECK line it must write
judge() {
	local rc=0
	printf '%b' "$2" >"$tmp/expected-skips"
	: >"$tmp/results"
	CONSOLE_LOG=$tmp/skips.log EXPECTED_SKIPS=$tmp/expected-skips RESULTS=$tmp/results \
		"$TOP/scripts/guest-suites.sh" made-up s >"$tmp/judge.out" 2>&1 || rc=$?
	if [ "$rc" != "$3" ] || ! grep -qF -- "$4" "$tmp/results"; then
		sed 's/^/    /' "$tmp/judge.out" "$tmp/results"
		die "guest-suites.sh skip check, $1: exit $rc, want $3 and a line '$4'"
	fi
	info "guest-suites.sh skip check, $1: exit $rc, '$4' as expected"
}
ok='*\ts\tf.b\tno device*\tnone here\n*\ts\tf.c\tno device here\tnone here\n'
judge "both skips listed" "$ok" 0 "CHECK PASS made-up: every skip listed"
judge "a listed case skipped with another message" \
	'*\ts\tf.b\tno device*\tnone here\n*\ts\tf.c\tno memory\tnone here\n' 1 \
	"CHECK FAIL made-up:s: skip not listed in tests/expected-skips: f.c (no device here); line 2 lists it with the message 'no memory'"
# ... reported once: the entry of a case that did skip is not stale
if grep -q 'listed skip did not happen' "$tmp/results"; then
	sed 's/^/    /' "$tmp/results"
	die "guest-suites.sh skip check: a case that skipped with another message is also reported as a stale entry"
fi
judge "an unlisted skip" '*\ts\tf.b\tno device*\tnone here\n' 1 \
	"CHECK FAIL made-up:s: skip not listed in tests/expected-skips: f.c (no device here)"
judge "a listed skip that did not happen" "$ok"'*\ts\tf.a\t*\tnone here\n' 1 \
	"CHECK FAIL made-up:s: listed skip did not happen: f.a"
# An entry that names a case another entry accepted, with a message the case
# did not print, never matched: stale
judge "an entry whose message no skip printed, its case accepted by another" \
	"$ok"'*\ts\tf.c\tno memory\tnone here\n' 1 \
	"CHECK FAIL made-up:s: listed skip did not happen: f.c"
