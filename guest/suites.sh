#!/bin/sh
# Runs inside the guest (busybox sh). usage: suites.sh SUITE...
# Each suite's TAP goes to /tmp/<suite>.tap and is printed between
# GUEST-TAP-BEGIN/END markers after the run, so kernel console messages do not
# interleave with it; the host (scripts/tap-count.sh) counts the results.

EDU_VENDOR=0x1234
EDU_DEVICE=0x11e8

# Every edu device's BDF, one a line, in bus order; edu_bdf: the first one,
# alone behind its root port (scripts/guest-run.sh), which the tests use.
edu_bdfs() {
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = $EDU_VENDOR ] && [ "$(cat "$d/device")" = $EDU_DEVICE ]; then
			basename "$d"
		fi
	done
}
edu_bdf() {
	b=$(edu_bdfs | head -n 1)
	[ -n "$b" ] && echo "$b"
}

bind_vfio_pci() {
	drv=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)
	case "$drv" in */vfio-pci) return 0 ;; esac
	[ -n "$drv" ] && echo "$1" >"/sys/bus/pci/devices/$1/driver/unbind"
	echo vfio-pci >"/sys/bus/pci/devices/$1/driver_override"
	echo "$1" >/sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "/sys/bus/pci/devices/$1/driver")")" = vfio-pci ]
}

# Bind every edu device to vfio-pci (noiommu mode is on via the command
# line); the tests that need two find the others themselves.
bind_edu() {
	edu_bdf >/dev/null || return 1
	for b in $(edu_bdfs); do
		bind_vfio_pci "$b" || return 1
	done
}

# KTAP helpers for shell-level checks.
n=0
fails=0
check() {
	desc=$1
	shift
	n=$((n + 1))
	if "$@" >/tmp/check.out 2>&1; then
		echo "ok $n $desc"
	else
		sed 's/^/# /' /tmp/check.out
		echo "not ok $n $desc"
		fails=$((fails + 1))
	fi
}

suite_noiommu_group() {
	n=0
	fails=0
	echo "TAP version 13"
	echo "1..6"
	check "edu device present" edu_bdf
	check "edu binds to vfio-pci" bind_edu
	bdf=$(edu_bdf)
	check "legacy noiommu group node exists" test -c /dev/vfio/noiommu-0
	check "iommu_group is a vfio-noiommu group" \
		sh -c "test \"\$(cat /sys/bus/pci/devices/$bdf/iommu_group/name 2>/dev/null)\" = vfio-noiommu || ls -l /sys/bus/pci/devices/$bdf/iommu_group"
	check "/dev/vfio/vfio and /dev/iommu exist" sh -c 'test -c /dev/vfio/vfio && test -c /dev/iommu'
	check "kernel tainted TAINT_USER" sh -c 'test $(( $(cat /proc/sys/kernel/tainted) & 64 )) -ne 0'
	[ $fails = 0 ]
}

# The cdev-only kernel (VFIO_GROUP=n): the cdev alone hands the device out,
# gives it an iommu_group of its own (which keeps a late IOMMU driver away)
# and taints the kernel. Run it first: the taint must come from the bind.
suite_noiommu_cdev_only() {
	n=0
	fails=0
	echo "TAP version 13"
	echo "1..7"
	check "TAINT_USER clear before the device is bound" \
		sh -c 'test $(( $(cat /proc/sys/kernel/tainted) & 64 )) -eq 0'
	check "edu binds to vfio-pci" bind_edu
	bdf=$(edu_bdf)
	check "noiommu-vfioN cdev in sysfs" \
		sh -c "ls /sys/bus/pci/devices/$bdf/vfio-dev/ | grep -qx 'noiommu-vfio[0-9]*'"
	check "no vfio group node in /dev/vfio" \
		sh -c '! ls /dev/vfio/ | grep -vqx devices'
	check "the device's iommu_group is its own vfio-noiommu group" \
		sh -c "test \"\$(cat /sys/bus/pci/devices/$bdf/iommu_group/name)\" = vfio-noiommu"
	check "the cdev tainted the kernel (TAINT_USER)" \
		sh -c 'test $(( $(cat /proc/sys/kernel/tainted) & 64 )) -ne 0'
	check "the cdev logged its taint, and no group did" \
		sh -c 'dmesg | grep -q "Adding kernel taint for vfio-noiommu cdev" && ! dmesg | grep -q "taint for vfio-noiommu group"'
	[ $fails = 0 ]
}

suite_iommufd() {
	/opt/bin/iommufd
}

# The same in two parts: the fixture whose cases race threads against each
# other, for a guest with more than one vCPU, and the rest
suite_iommufd_race() {
	/opt/bin/iommufd -f iommufd_noiommu_race
}

suite_iommufd_serial() {
	/opt/bin/iommufd -F iommufd_noiommu_race
}

# iommufd's selftests of the noiommu mock device only (prove-gates.sh)
suite_iommufd_noiommu() {
	/opt/bin/iommufd -f iommufd_noiommu -f iommufd_noiommu_race
}

# iommufd's selftests of its VFIO container compat on the mock domain only
# (prove-gates.sh)
suite_iommufd_vfio_compat() {
	/opt/bin/iommufd -f vfio_compat_mock_domain
}

suite_iommufd_fail_nth() {
	/opt/bin/iommufd_fail_nth
}

# iommufd_fail_nth's cases of the noiommu mock device only (prove-gates.sh)
suite_iommufd_fail_nth_noiommu() {
	/opt/bin/iommufd_fail_nth -t map_noiommu_domain -t noiommu_unmap_areas
}

# The VFIO selftests take the device's BDF as their last argument. QEMU runs
# edu with dma_mask=0xffffffffffffffff (scripts/guest-run.sh); tell libvfio's
# edu driver, whose default is QEMU's default 28-bit mask.
export VFIO_EDU_DMA_MASK=0xffffffffffffffff
run_vfio_test() {
	bind_edu || { echo "1..0 # SKIP edu device cannot be bound to vfio-pci"; return 4; }
	"/opt/bin/$1" "$(edu_bdf)"
}

suite_vfio_iommufd_noiommu_test() { run_vfio_test vfio_iommufd_noiommu_test; }
# For scripts/i386.sh: without libvfio_noiommu_regions, whose forked child
# must die of a libvfio assertion and on i386 dies of SIGSEGV instead;
# libvfio/assert.h passes 64-bit values to %lx there.
suite_vfio_iommufd_noiommu_test_32() {
	bind_edu || { echo "1..0 # SKIP edu device cannot be bound to vfio-pci"; return 4; }
	/opt/bin/vfio_iommufd_noiommu_test -T libvfio_noiommu_regions "$(edu_bdf)"
}
suite_vfio_pci_driver_test() { run_vfio_test vfio_pci_driver_test; }
suite_vfio_pci_device_test() { run_vfio_test vfio_pci_device_test; }
suite_vfio_rst_example() { run_vfio_test vfio_rst_example; }
# For the guest with an IOMMU (scripts/test.sh), where edu_bdf is behind it
suite_vfio_dma_mapping_test() { run_vfio_test vfio_dma_mapping_test; }
suite_vfio_iommufd_setup_test() { run_vfio_test vfio_iommufd_setup_test; }
suite_vfio_pci_device_init_perf_test() { run_vfio_test vfio_pci_device_init_perf_test; }
# One case of the driver test through the IOMMU, with iommufd: memcpy, a
# DMA from an unmapped IOVA (its result is not checked; the IOMMU's block
# shows as DMAR faults on the console) and one MSI, ten times.
# Each case of its IOMMU modes pins 1 GiB (this one took 113 s on the debug
# kernel in TCG), so the test command leaves it out; for a run by hand.
suite_vfio_pci_driver_iommufd() {
	bind_edu || { echo "1..0 # SKIP edu device cannot be bound to vfio-pci"; return 4; }
	/opt/bin/vfio_pci_driver_test -r vfio_pci_driver_test:iommufd:mix_and_match "$(edu_bdf)"
}

# vfio's selftests the way upstream users run them, from kselftest's install
# layout (build-selftests.sh; /opt/kselftest here): run_kselftest.sh -c vfio
# with the device in $VFIO_SELFTESTS_BDF. The runner prints one ok/not ok
# line per program and nests the program's own TAP under it with a "# "
# prefix; ksft_cases makes one flat TAP of it, a case per case of each
# program, named "PROGRAM: CASE" (kselftest_harness.h's SKIP reasons and
# timeout lines kept), so the suites above need not run these programs a
# second time. A program that reports no case is one case of its own, under
# the runner's name "selftests: vfio: PROGRAM": a SKIP with the reason it
# printed when it skipped as a whole, a failure when it failed. A program
# that fails with no failed case (it crashed, or exited non-zero after its
# cases) or reports fewer cases than it planned adds a failed case, and so
# does a program the runner started but gave no result for, the programs
# of the runner's plan that never reported, and a runner that printed no
# plan at all. The runner's own limit
# per program ("timeout set to ...") needs /usr/bin/timeout, which the guest
# does not have; build-selftests.sh's per-case limits apply.
ksft_cases() {
	awk '
	function reset() { prog = ""; plan = -1; seen = 0; nfail = 0; reason = ""; text = "" }
	BEGIN { reset(); rplan = -1; nprog = 0 }
	/^1\.\.[0-9]+$/ && rplan < 0 { rplan = substr($0, 4) + 0; next }
	/^# selftests: / { reset(); pname = substr($0, 3); prog = pname; sub(/^.*: /, "", prog); next }
	/^# / {
		l = substr($0, 3)
		if (l ~ /^1\.\.[0-9]+/ && plan < 0) {
			p = l; sub(/^1\.\./, "", p); sub(/[^0-9].*$/, "", p); plan = p + 0
			if (l ~ /^1\.\.0 # SKIP/) { reason = l; sub(/^1\.\.0 # SKIP */, "", reason) }
		} else if (l ~ /^(not )?ok [0-9]+ /) {
			res = (l ~ /^ok /) ? "ok" : "not ok"
			sub(/^(not )?ok [0-9]+ /, "", l)
			print res " " prog ": " l
			seen++
			if (res == "not ok") nfail++
		} else if (l ~ /: Test terminated by timeout$/) {
			print l
		} else {
			if (text == "" && l !~ /^(# |TAP version)/ && l ~ /[^ ]/) text = l
			print
		}
		next
	}
	/^(not )?ok [0-9]+ / {
		res = ($1 == "ok") ? "ok" : "not ok"
		name = $0; sub(/^(not )?ok [0-9]+ /, "", name); sub(/ *#.*$/, "", name)
		if (res == "not ok" && / # TIMEOUT/ && nfail == 0)
			print "# " name ": Test terminated by timeout"
		if (seen == 0 && res == "ok" && / # SKIP/)
			print "ok " name " # SKIP " (reason != "" ? reason : text != "" ? text : "no reason printed")
		else if (seen == 0)
			print res " " name
		else if (res == "not ok" && nfail == 0)
			print "not ok " name " # failed with no failed case"
		if (plan > seen)
			print "not ok " (prog != "" ? prog : name) ": " (plan - seen) " planned case(s) never reported"
		nprog++
		reset()
	}
	END {
		if (rplan < 0)
			print "not ok the runner printed no plan"
		if (prog != "") {
			print "not ok " pname " # the runner reported no result for it"
			nprog++
		}
		if (rplan > nprog)
			print "not ok " (rplan - nprog) " of the runner'"'"'s " rplan " programs never reported"
	}'
}
# The runner's output on stdin, as one TAP: plan, then ksft_cases' lines
# numbered (scripts/selftest-tap.sh checks it on the host)
ksft_tap() {
	cases=$(ksft_cases)
	echo "TAP version 13"
	echo "1..$(printf '%s\n' "$cases" | grep -cE '^(not )?ok ')"
	printf '%s\n' "$cases" | awk '/^(not )?ok / { n++; sub(/ok /, "ok " n " ") } { print }'
}
suite_vfio_run_kselftest() {
	[ -x /opt/kselftest/run_kselftest.sh ] ||
		{ echo "1..0 # SKIP no kselftest install layout in this guest"; return 4; }
	bind_edu || { echo "1..0 # SKIP edu device cannot be bound to vfio-pci"; return 4; }
	# The runner appends each program's output to /dev/stdout, which the
	# guest's bare devtmpfs lacks (udev makes it elsewhere): without the
	# link the output would go to a new file /dev/stdout. Appending to
	# ksft.out too: through a file opened without O_APPEND the runner's own
	# lines would overwrite the programs'.
	[ -e /dev/stdout ] || ln -s /proc/self/fd/1 /dev/stdout
	: >/tmp/ksft.out
	VFIO_SELFTESTS_BDF=$(edu_bdf) /opt/kselftest/run_kselftest.sh -c vfio >>/tmp/ksft.out 2>&1
	rc=$?
	ksft_tap </tmp/ksft.out
	return $rc
}

# vfio's scripts as their users run them, under bash (busybox sh cannot):
# setup.sh hands a device to vfio-pci and records it, run.sh runs a test on
# the recorded devices, cleanup.sh gives them back. The device starts with no
# driver, as edu does at boot (the guest has no driver for it).
unbound() {	# unbound BDF: no driver, no driver_override
	! [ -e "/sys/bus/pci/devices/$1/driver" ] &&
		[ "$(cat "/sys/bus/pci/devices/$1/driver_override")" = "(null)" ]
}
unbind_dev() {
	[ ! -e "/sys/bus/pci/devices/$1/driver" ] || echo "$1" >"/sys/bus/pci/devices/$1/driver/unbind"
	echo >"/sys/bus/pci/devices/$1/driver_override"
	unbound "$1"
}
setup_dev() {
	bash ./setup.sh "$1" &&
		[ "$(basename "$(readlink "/sys/bus/pci/devices/$1/driver")")" = vfio-pci ]
}
cleanup_dev() {
	bash ./cleanup.sh && unbound "$1" && ! [ -e /tmp/vfio-selftests-devices ]
}
suite_vfio_scripts() {
	[ -d /opt/kselftest/vfio ] ||
		{ echo "1..0 # SKIP no kselftest install layout in this guest"; return 4; }
	n=0
	fails=0
	echo "TAP version 13"
	echo "1..4"
	bdf=$(edu_bdf)
	cd /opt/kselftest/vfio || return 1
	check "edu ($bdf) has no driver" unbind_dev "$bdf"
	check "setup.sh binds it to vfio-pci" setup_dev "$bdf"
	check "run.sh ./vfio_pci_device_test passes on it" bash ./run.sh ./vfio_pci_device_test
	check "cleanup.sh unbinds it, clears driver_override and its record" cleanup_dev "$bdf"
	cd /
	[ $fails = 0 ]
}

# The KUnit suites that the kernel ran (built in, kunit.enable=1), read back
# from debugfs: the series' vfio_noiommu suite. A suite's results are KTAP
# with its cases one level in; each case is one TAP case here, named
# suite.case. A suite that did not run is a failed case, not a skip.
KUNIT_SUITES="vfio_noiommu"
kunit_report() {
	: >/tmp/kunit.cases
	for k in $KUNIT_SUITES; do
		r=/sys/kernel/debug/kunit/$k/results
		if ! [ -r "$r" ]; then
			echo "not ok $k # no results: the suite did not run" >>/tmp/kunit.cases
			continue
		fi
		awk -v suite="$k" '
		/^    1\.\.[0-9]+$/ { plan = substr($0, 8) + 0 }
		/^    (ok|not ok) [0-9]+ / {
			l = substr($0, 5)
			res = (l ~ /^ok /) ? "ok" : "not ok"
			sub(/^(not )?ok [0-9]+ /, "", l)
			print res " " suite "." l
			seen++
		}
		/^    # / { print "# " suite ": " substr($0, 7) }
		END {
			if (seen != plan || !seen)
				print "not ok " suite " # " seen " case results, plan 1.." plan
		}' "$r" >>/tmp/kunit.cases
	done
	echo "TAP version 13"
	echo "1..$(grep -cE '^(not )?ok ' /tmp/kunit.cases)"
	awk '/^(not )?ok / { n++; sub(/ok /, "ok " n " "); if ($1 == "not") f++ } { print }
	     END { exit f > 0 }' /tmp/kunit.cases
}

# The suites as the kernel ran them at boot (scripts/guest-suites.sh adds
# kunit.enable=1 for a guest that reports "kunit")
suite_kunit() { kunit_report; }

# The suites run now, through debugfs's "run" file, in a guest booted with
# kunit.enable=1 kunit.autorun=0 (scripts/guest-suites.sh, for a guest that
# reports "kunit_late"): last in a guest whose earlier suites check that
# the kernel is not tainted yet, which the noiommu devices that the suites
# register would taint. A suite with results before it is run here ran at
# boot, against what the earlier suites checked: that fails.
suite_kunit_late() {
	for k in $KUNIT_SUITES; do
		d=/sys/kernel/debug/kunit/$k
		if ! [ -w "$d/run" ] || grep -qE '^    (not )?ok ' "$d/results"; then
			echo "1..1"
			echo "not ok 1 $k # no debugfs run file, or it ran at boot"
			return 1
		fi
		echo 1 >"$d/run"
	done
	kunit_report
}

# The first edu, alone behind its root port; the smoke test finds the pair.
suite_noiommu_cdev_smoke() { /opt/bin/noiommu_cdev_smoke "$(edu_bdf)"; }

# The guest with an IOMMU (scripts/guest-run.sh, GUEST_VIOMMU=1): the first
# edu is behind it, the last one behind the host bridge that bypasses it.
# That both bind to vfio-pci is the program's first check: each edu is
# given to vfio-pci whether or not another one failed to bind.
suite_noiommu_mixed() {
	for b in $(edu_bdfs); do
		bind_vfio_pci "$b"
	done
	/opt/bin/noiommu_mixed "$(edu_bdf)" "$(edu_bdfs | tail -n 1)"
}

# Any suite named after an executable in /opt/bin runs it as is.
run_suite() {
	if type "suite_$1" >/dev/null 2>&1; then
		"suite_$1"
	elif [ -x "/opt/bin/$1" ]; then
		"/opt/bin/$1"
	else
		echo "1..0 # SKIP suite $1 not in this guest"
		return 4
	fi
}

[ -n "${SUITES_LIB:-}" ] && return 0

for s in "$@"; do
	echo "GUEST-SUITE-START $s"
	t0=$(cut -d' ' -f1 /proc/uptime)
	run_suite "$s" >"/tmp/$s.tap" 2>&1
	rc=$?
	t1=$(cut -d' ' -f1 /proc/uptime)
	echo "$rc $t0 $t1" >"/tmp/$s.rc"
	echo "GUEST-SUITE-DONE $s rc=$rc"
done
for s in "$@"; do
	read -r rc t0 t1 <"/tmp/$s.rc"
	echo "GUEST-TAP-BEGIN $s"
	cat "/tmp/$s.tap"
	echo "GUEST-TAP-END $s rc=$rc start=$t0 end=$t1"
done
