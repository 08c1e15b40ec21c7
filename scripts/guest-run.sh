#!/usr/bin/env bash
# Boot a kernel in QEMU (TCG) with three of QEMU's edu devices and noiommu mode
# on, run one shell command inside, power off, and judge the run. The first
# edu is alone behind a PCIe root port, so a secondary bus reset reaches it
# and affects nothing else (the tests' main device, 0000:01:00.0); the other
# two are functions 0 and 1 of one slot behind a second root port, so one
# hot reset covers both (the two-device hot reset tests).
#
# usage: guest-run.sh -k BZIMAGE [options] [--] COMMAND...
#   -k FILE        kernel image (bzImage)
#   -f SRC[:DEST]  put SRC (file or directory) into the guest at DEST
#                  (default /opt/bin/<basename SRC>); repeatable
#   -m MEM         guest RAM (default 1G)
#   -t SECONDS     hard timeout for the whole run (default 600)
#   -a ARGS        extra kernel command line
#   -l LOG         console log (default build/logs/guest-<time>.log)
#   -q             quiet: do not copy the console to stdout
#   -K             no kmemleak scan at the end
# Environment: GUEST_SMP=N vCPUs (default 2). GUEST_VIOMMU=1: QEMU's
# intel-iommu translates for the three edus above, and a fourth edu sits
# behind a second PCIe host bridge that bypasses it (bypass_iommu: the DMAR
# table leaves its bus out), 0000:81:00.0, a noiommu device in a guest that
# has an IOMMU; the kernel gets intel_iommu=on. GUEST_BUSYBOX=FILE: the
# guest's busybox (default /bin/busybox; scripts/i386.sh gives a 32-bit one).
# COMMAND runs as root under busybox sh in /, with /opt/bin in PATH and
# proc, sys, devtmpfs, debugfs and hugetlbfs (/dev/hugepages) mounted.
#
# Exit status: the command's status, or non-zero if the kernel printed a
# splat (BUG/WARNING/Oops/KASAN/UBSAN/lockdep/kmemleak/panic), the guest
# died, or the timeout hit. The offending console lines are printed.
source "$(dirname "$0")/lib.sh"

kernel= mem=1G tmo=600 extra= log= quiet=0 leakscan=1
files=()
while getopts "k:f:m:t:a:l:qK" o; do
	case $o in
	k) kernel=$OPTARG ;;
	f) files+=("$OPTARG") ;;
	m) mem=$OPTARG ;;
	t) tmo=$OPTARG ;;
	a) extra=$OPTARG ;;
	l) log=$OPTARG ;;
	q) quiet=1 ;;
	K) leakscan=0 ;;
	*) sed -n '2,30p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$kernel" ] && [ -f "$kernel" ] || die "guest-run: -k BZIMAGE required"
[ $# -gt 0 ] || die "guest-run: no command"
cmd="$*"
log=${log:-$LOGS/guest-$(date +%Y%m%d-%H%M%S)-$$.log}

work=$(mktemp -d "$BUILD/guest.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,opt/bin,etc,root,mnt,run}
busybox=${GUEST_BUSYBOX:-/bin/busybox}
cp "$busybox" "$root/bin/busybox"
applets=$("$busybox" --list) || die "guest-run: cannot list the applets of $busybox"
for a in $applets; do
	[ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
for f in "${files[@]}"; do
	src=${f%%:*}
	dest=/opt/bin/$(basename "$src")
	case $f in *:*) dest=${f#*:} ;; esac
	[ -e "$src" ] || die "guest-run: no such file $src"
	mkdir -p "$root$(dirname "$dest")"
	cp -a "$src" "$root$dest"
done
printf '%s\n' "$cmd" >"$root/etc/guest-cmd"
cat >"$root/init" <<INIT
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mkdir -p /dev/hugepages /dev/pts /dev/shm
mount -t hugetlbfs hugetlbfs /dev/hugepages 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /dev/shm
export PATH=/opt/bin:/bin:/sbin HOME=/root
cd /
echo "GUEST-START"
sh /etc/guest-cmd
rc=\$?
if [ $leakscan = 1 ] && [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak; sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak
	echo "GUEST-KMEMLEAK-DONE"
fi
echo "GUEST-EXIT: \$rc"
poweroff -f
INIT
chmod +x "$root/init"
# Not compressed: the kernel inflates a gzip initramfs in software, slowly
# under TCG. On 2026-12-02, the debug kernel, one vCPU, the same 17 MB of
# files, booted to a "true" and powered off, twice each: gzip -1 unpacked
# in 10.0-11.1 s ("Unpacking initramfs" to "Freeing initrd memory") of a
# 37.2-43.9 s run; uncompressed in 4.7-6.6 s of 33.2-38.5 s.
(cd "$root" && find . | cpio -o -H newc --quiet) >"$work/initrd.cpio"

# What a TCG guest needs to survive a slow or loaded host, for every guest:
# its clocks (TSC, PIT, HPET, ACPI PM timer) follow the host's wall clock
# while its progress follows the host CPU its vCPU threads get; the debug
# kernel runs a syscall loop 10-15x slower than the host does (busybox dd of
# 200000 1-byte blocks: 1.4-1.7 s in the guest, 0.09-0.16 s on the host;
# 0.27 s on the main kernel). Of the detectors whose reports the splat check
# below flags, the soft-lockup and workqueue watchdogs are not built (not set
# in the debug and main .config); RCU's CPU stall warning is, and the debug
# kernels' hung-task detector (120 s in D state). The clocksource watchdog
# only prints (and may switch clocksource).
slow_host=(
	# timer_irq_works() (arch/x86/kernel/apic/io_apic.c) panics "IO-APIC + timer doesn't work!" unless 5 ticks come in ~40e9/HZ TSC cycles: seen at 0.07 s under load.
	no_timer_check
	# RCU's stall report (kernel/rcu/tree_stall.h; "Call Trace:") comes after 21 s of wall time, ~1.5-2 s of hardware time here: 300, its maximum, is still < the guest timeouts.
	rcupdate.rcu_cpu_stall_timeout=300
)
# -cpu max offers LA57, so the guest ran with 5-level paging, where the
# debug kernel can report a KASAN error that is not one. Before alternatives
# are patched, pgtable_l5_enabled() reads boot_cpu_data's X86_FEATURE_LA57,
# and KASAN's shadow bounds (arch/x86/include/asm/kasan.h) follow it.
# identify_cpu() (arch/x86/kernel/cpu/common.c) clears boot_cpu_data's
# capabilities until CPUID refills them, and start_kernel() has interrupts
# on by then; an interrupt in that window that touches the 5-level direct
# map is reported as "BUG: KASAN: wild-memory-access". Seen twice at
# 0.003-0.008 s of boot, handle_edge_irq -> do_raw_spin_lock with the RIP in
# identify_cpu, before any code of the series runs. With 4-level paging the
# bit is clear before, during and after that window. Only a KASAN kernel
# (its .config beside it, build/out/<name>/) gets no5lvl; the others, the
# benchmark's among them, boot as the runs that the README records did.
base_quirks=()
kconfig=${kernel%/arch/x86/boot/bzImage}/.config
if [ -f "$kconfig" ] && grep -q '^CONFIG_KASAN=y' "$kconfig"; then
	base_quirks+=(no5lvl)
fi
viommu=() viommu_devs=()
if [ -n "${GUEST_VIOMMU:-}" ]; then
	# QEMU wants the IOMMU before the devices it translates for. No
	# interrupt remapping (intremap=off; the kernels have no IRQ_REMAP):
	# without it iommufd refuses a device behind the IOMMU with EPERM
	# unless allowed, as in a VM whose vIOMMU has none.
	viommu=(-device intel-iommu,intremap=off)
	viommu_devs=(-device pxb-pcie,id=pxb1,bus=pcie.0,bus_nr=0x80,bypass_iommu=on
		-device pcie-root-port,id=rp2,bus=pxb1,chassis=3,slot=0
		-device edu,bus=rp2,dma_mask=0xffffffffffffffff)
	extra="intel_iommu=on iommufd.allow_unsafe_interrupts=1 $extra"
fi
append="console=ttyS0 panic=-1 oops=panic acpi=noirq vfio.enable_unsafe_noiommu_mode=1 hugepagesz=2M hugepages=64 ${slow_host[*]} ${base_quirks[*]} $extra"
qemu=()
# The guest's absolute niceness (scripts/lib.sh), whatever the caller's is.
[ -z "$GUEST_NICE" ] || qemu=(nice -n $((GUEST_NICE - $(nice))))
qemu+=(qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m "$mem" -smp "${GUEST_SMP:-2}"
	-display none -monitor none -serial stdio -no-reboot -nodefaults
	-kernel "$kernel" -initrd "$work/initrd.cpio" -append "$append" "${viommu[@]}"
	-device pcie-root-port,id=rp0,bus=pcie.0,chassis=1,slot=1
	-device edu,bus=rp0,dma_mask=0xffffffffffffffff
	-device pcie-root-port,id=rp1,bus=pcie.0,chassis=2,slot=2
	-device edu,bus=rp1,addr=0.0,multifunction=on,dma_mask=0xffffffffffffffff
	-device edu,bus=rp1,addr=0.1,dma_mask=0xffffffffffffffff "${viommu_devs[@]}")
set +e
if [ $quiet = 1 ]; then
	timeout -k 5 "$tmo" "${qemu[@]}" </dev/null >"$log" 2>&1
else
	timeout -k 5 "$tmo" "${qemu[@]}" </dev/null 2>&1 | tee "$log"
fi
qrc=${PIPESTATUS[0]}
set -e
tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"

fail=0
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	warn "guest: TIMEOUT after ${tmo}s (console: $log)"
	tail -n 30 "$log" >&2
	fail=1
fi
splat='(BUG:|WARNING:|Oops|KASAN|UBSAN|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|general protection fault|Kernel panic|unreferenced object 0x|INFO: task .* blocked|Call Trace:)'
if grep -nE "$splat" "$log" >"$work/splat"; then
	warn "guest: kernel splat(s) in $log:"
	head -n 40 "$work/splat" >&2
	fail=1
fi
rc=$(sed -n 's/^.*GUEST-EXIT: \([0-9]*\).*$/\1/p' "$log" | tail -n 1)
if [ -z "$rc" ]; then
	[ "$fail" = 1 ] || { warn "guest: died before the command finished (console: $log)"; tail -n 30 "$log" >&2; }
	exit 1
fi
[ "$fail" = 0 ] || exit 1
exit "$rc"
