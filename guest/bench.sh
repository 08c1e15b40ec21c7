#!/bin/sh
# The benchmark inside the guest (busybox sh).
#   bench.sh HUGEPAGES [noiommu_bench options]
# Reserves HUGEPAGES 2 MiB pages (the boot command line of guest-run.sh
# fixes hugepages=64 and a second hugepages= is ignored by the kernel, so the
# pool is grown here, right after boot, while memory is not fragmented),
# binds edu to vfio-pci and runs noiommu_bench on it. Its BENCH lines are
# printed between GUEST-BENCH-BEGIN/END after the run, so kernel console
# messages do not interleave with them; its progress goes to the console.
SUITES_LIB=1 . /opt/guest/suites.sh

need=$1
shift
echo "$need" >/proc/sys/vm/nr_hugepages
have=$(sed -n 's/^HugePages_Total: *//p' /proc/meminfo)
if [ "${have:-0}" -lt "$need" ]; then
	echo "bench: only ${have:-0} of $need 2 MiB pages could be reserved"
	exit 1
fi
bind_edu || { echo "bench: cannot bind edu to vfio-pci"; exit 1; }
bdf=$(edu_bdf)
echo "bench: edu at $bdf bound to vfio-pci, $have 2 MiB pages"
/opt/bin/noiommu_bench "$@" "$bdf" >/tmp/bench.out
rc=$?
echo "GUEST-BENCH-BEGIN"
cat /tmp/bench.out
echo "GUEST-BENCH-END rc=$rc"
exit $rc
