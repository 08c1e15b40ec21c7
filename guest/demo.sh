#!/bin/sh
# The demo inside the guest, in plain words.
SUITES_LIB=1 . /opt/guest/suites.sh
say() { echo "$*"; }
bdf=$(edu_bdf) || { say "no edu device found"; exit 1; }
say "QEMU's edu device (PCI 1234:11e8) is at $bdf; no IOMMU in this machine."
say "Binding it to vfio-pci with vfio.enable_unsafe_noiommu_mode=1 ..."
bind_edu || { say "binding failed"; exit 1; }
say "bound to: $(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)")"
say "legacy group node: $(ls /dev/vfio/ | tr '\n' ' ')"
if [ -d /sys/bus/pci/devices/$bdf/vfio-dev ]; then
	say "device cdev(s) in sysfs: $(ls /sys/bus/pci/devices/$bdf/vfio-dev | tr '\n' ' ')"
fi
if [ -d /dev/vfio/devices ]; then
	say "device cdev node(s): $(ls /dev/vfio/devices | tr '\n' ' ')"
fi
say "kernel taint: $(cat /proc/sys/kernel/tainted) (TAINT_USER=64 set by noiommu mode)"
say ""
say "Now a real DMA through the noiommu cdev and IOMMUFD:"
/opt/bin/vfio_noiommu_demo "$bdf"
