#!/bin/sh
# Runs inside the guest (busybox sh). usage: suites.sh SUITE...
# Each suite's TAP goes to /tmp/<suite>.tap and is printed between
# GUEST-TAP-BEGIN/END markers after the run, so kernel console messages do not
# interleave with it; the host (scripts/tap-count.sh) counts the results.

EDU_VENDOR=0x1234
EDU_DEVICE=0x11e8

edu_bdf() {
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = $EDU_VENDOR ] && [ "$(cat "$d/device")" = $EDU_DEVICE ]; then
			basename "$d"
			return 0
		fi
	done
	return 1
}

# Bind the edu device to vfio-pci (noiommu mode is on via the command line).
bind_edu() {
	bdf=$(edu_bdf) || return 1
	drv=$(readlink "/sys/bus/pci/devices/$bdf/driver" 2>/dev/null)
	case "$drv" in */vfio-pci) return 0 ;; esac
	[ -n "$drv" ] && echo "$bdf" >"/sys/bus/pci/devices/$bdf/driver/unbind"
	echo vfio-pci >"/sys/bus/pci/devices/$bdf/driver_override"
	echo "$bdf" >/sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "/sys/bus/pci/devices/$bdf/driver")")" = vfio-pci ]
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

suite_iommufd() {
	/opt/bin/iommufd
}

suite_iommufd_fail_nth() {
	/opt/bin/iommufd_fail_nth
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
suite_vfio_pci_driver_test() { run_vfio_test vfio_pci_driver_test; }
suite_vfio_pci_device_test() { run_vfio_test vfio_pci_device_test; }

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
