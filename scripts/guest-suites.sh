#!/usr/bin/env bash
# Run guest suites on a built kernel and count their TAP results.
#   guest-suites.sh CONFIGNAME SUITE...
# Uses build/out/CONFIGNAME's bzImage and build/selftests/CONFIGNAME's binaries
# (KERNEL=, OUT= and ST= override them); GUEST_APPEND= adds to the kernel
# command line.
# Prints one line per suite and appends to $RESULTS (if set)
# "COUNT config:suite passed failed skipped timeouts" and
# "TIMEOUT config:suite case" lines. Exit status: non-zero if any case
# failed or the kernel splatted.
source "$(dirname "$0")/lib.sh"

name=${1:?usage: guest-suites.sh CONFIGNAME SUITE...}
shift
OUT=${OUT:-$BUILD/out/$name}
ST=${ST:-$BUILD/selftests/$name}
kernel=${KERNEL:-$OUT/arch/x86/boot/bzImage}
[ -f "$kernel" ] || die "no kernel $kernel"
mem=${GUEST_MEM:-2G}
files=(-f "$TOP/guest/suites.sh:/opt/guest/suites.sh")
for b in "$ST"/*/*; do
	[ -f "$b" ] && [ -x "$b" ] && files+=(-f "$b")
done
for b in ${GUEST_EXTRA_FILES:-}; do
	files+=(-f "$b")
done

log=$LOGS/guest-$name-$(date +%Y%m%d-%H%M%S)-$$.log
ln -sfn "$(basename "$log")" "$LOGS/guest-$name-latest.log"
step "guest[$name]: booting; suites: $* (console: build/logs/$(basename "$log"))"
set +e
"$TOP/scripts/guest-run.sh" -q -k "$kernel" -m "$mem" -t "${GUEST_TIMEOUT:-1500}" -l "$log" \
	-a "${GUEST_APPEND:-}" "${files[@]}" -- sh /opt/guest/suites.sh "$@"
grc=$?
set -e

bad=0
result() { [ -z "${RESULTS:-}" ] || printf '%s\n' "$*" >>"$RESULTS"; }
awk -f "$TOP/scripts/tap-count.awk" "$log" >"$log.counts"
ran=()	# suites that reported (a TAP section)
while IFS=$'\t' read -r kind s a b c d e f; do
	case $kind in
	FAIL) printf '    FAIL %s %s\n' "$s" "$a" ;;
	TIMEOUT) printf '    TIMEOUT %s %s\n' "$s" "$a"
		result "TIMEOUT $name:$s $a" ;;
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
if [ $grc != 0 ]; then
	# guest-run.sh already printed the reason (splat, timeout, crash).
	[ -n "${RESULTS:-}" ] && echo "CHECK FAIL $name:guest-clean-boot" >>"$RESULTS"
	bad=1
else
	[ -n "${RESULTS:-}" ] && echo "CHECK PASS $name:guest-clean-boot" >>"$RESULTS"
fi
exit $bad
