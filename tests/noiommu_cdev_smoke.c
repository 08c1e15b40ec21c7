// SPDX-License-Identifier: GPL-2.0-only
/*
 * noiommu_cdev_smoke - smoke test of the VFIO noiommu device cdev
 *
 * Runs as root in a guest booted with vfio.enable_unsafe_noiommu_mode=1 and
 * QEMU's edu device (1234:11e8), no IOMMU.  Binds the device to vfio-pci if
 * needed, then checks: the noiommu-vfioN cdev name (sysfs and /dev), the
 * TAINT_USER taint, EPERM on open without CAP_SYS_RAWIO, BIND_IOMMUFD,
 * IOAS_ALLOC, ATTACH_IOMMUFD_PT (noiommu HWPT id), IOAS_MAP,
 * IOAS_NOIOMMU_GET_PA (and its errors), a real DMA by edu to and from the
 * returned physical addresses, the hot reset ioctls with the iommufd
 * ownership model (with a second edu device in the same reset domain, if
 * any: both must be bound), DETACH, re-attach, close in both orders,
 * exclusion between cdev and group, and the legacy noiommu group with
 * /dev/vfio/vfio.
 *
 * usage: noiommu_cdev_smoke [BDF]   (default: the first edu device)
 * Output: "ok N name" / "not ok N name" lines, then a totals line.
 * Exit status: 0 when nothing failed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "iommufd_ops.h"
#include "rawio.h"
#include "tap.h"
#include "vfio_dev.h"

#ifndef IOMMU_IOAS_NOIOMMU_GET_PA
#define IOMMUFD_CMD_IOAS_NOIOMMU_GET_PA 0x95
struct iommu_ioas_noiommu_get_pa {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 out_phys;
};
#define IOMMU_IOAS_NOIOMMU_GET_PA \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_NOIOMMU_GET_PA)
#endif

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_DMA_START	0x1
#define EDU_DMA_TO_RAM	0x2
#define EDU_BUF		0x40000

#define MAP_IOVA	0x10000000ULL
#define MAP_PAGES	4

static char bdf[256];
static char cdev_path[512];
static char group_path[512];

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

static long read_hex(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	return strtol(buf, NULL, 0);
}

/* True if the entry @bdf of /sys/bus/pci/devices is an edu device */
static bool is_edu(const char *bdf)
{
	char p[512];

	if (bdf[0] == '.')
		return false;
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vendor", bdf);
	if (read_hex(p) != EDU_VENDOR)
		return false;
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/device", bdf);
	return read_hex(p) == EDU_DEVICE;
}

/* Finds an edu device other than @skip; "" skips nothing */
static bool find_edu(char *out, size_t len, const char *skip)
{
	struct dirent *de;
	DIR *d;

	d = opendir("/sys/bus/pci/devices");
	if (!d)
		return false;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, skip) || !is_edu(de->d_name))
			continue;
		snprintf(out, len, "%s", de->d_name);
		closedir(d);
		return true;
	}
	closedir(d);
	return false;
}

static void bind_vfio_pci(const char *bdf)
{
	char p[512], drv[512] = "";
	ssize_t n;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(p, drv, sizeof(drv) - 1);
	if (n > 0) {
		drv[n] = 0;
		if (strstr(drv, "/vfio-pci"))
			return;
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver/unbind",
			 bdf);
		write_file(p, bdf);
	}
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver_override", bdf);
	write_file(p, "vfio-pci");
	write_file("/sys/bus/pci/drivers_probe", bdf);
}

/* Finds vfio-dev/<name> under the device; returns the cdev name or NULL */
static const char *find_cdev_name(const char *bdf, char *name, size_t len)
{
	return vfio_dev_name(bdf, name, len) ? NULL : name;
}

static void find_group(void)
{
	char p[512], link[512];
	ssize_t n;
	char *slash;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(p, link, sizeof(link) - 1);
	if (n <= 0)
		return;
	link[n] = 0;
	slash = strrchr(link, '/');
	if (slash)
		snprintf(group_path, sizeof(group_path),
			 "/dev/vfio/noiommu-%s", slash + 1);
}

static int bind_iommufd(int devfd, int iommufd, __u32 *devid)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iommufd,
	};

	if (ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return -errno;
	*devid = bind.out_devid;
	return 0;
}

static int region_offset(int devfd, __u32 index, __u64 *off)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info),
		.index = index,
	};

	if (ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &info))
		return -errno;
	*off = info.offset;
	return 0;
}

static int bar_write64(int devfd, __u64 bar, __u64 reg, __u64 val)
{
	return pwrite(devfd, &val, 8, bar + reg) == 8 ? 0 : -errno;
}

static int bar_read64(int devfd, __u64 bar, __u64 reg, __u64 *val)
{
	return pread(devfd, val, 8, bar + reg) == 8 ? 0 : -errno;
}

/* One edu DMA; returns 0 when the engine finished */
static int edu_dma(int devfd, __u64 bar, __u64 src, __u64 dst, __u64 cnt,
		   __u64 cmd)
{
	__u64 v;
	int i;

	if (bar_write64(devfd, bar, EDU_DMA_SRC, src) ||
	    bar_write64(devfd, bar, EDU_DMA_DST, dst) ||
	    bar_write64(devfd, bar, EDU_DMA_CNT, cnt) ||
	    bar_write64(devfd, bar, EDU_DMA_CMD, cmd | EDU_DMA_START))
		return -EIO;
	for (i = 0; i < 300; i++) {
		usleep(10000);
		if (bar_read64(devfd, bar, EDU_DMA_CMD, &v))
			return -EIO;
		if (!(v & EDU_DMA_START))
			return 0;
	}
	return -ETIMEDOUT;
}

static int enable_bus_master(int devfd)
{
	__u64 cfg;
	__u16 cmd;
	int ret;

	ret = region_offset(devfd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg);
	if (ret)
		return ret;
	if (pread(devfd, &cmd, 2, cfg + PCI_COMMAND) != 2)
		return -errno;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(devfd, &cmd, 2, cfg + PCI_COMMAND) != 2)
		return -errno;
	return 0;
}

/*
 * The PA must be the real one: the device copies a pattern from the first
 * page of the mapping into its buffer and back into the second page.
 */
static void test_edu_dma(int devfd, int iommufd, __u32 ioas, unsigned char *buf,
			 long pg)
{
	const __u64 off = 0x100, cnt = 256;
	__u64 bar, pa_src, pa_dst, len, i;
	int ret;

	ret = get_pa(iommufd, ioas, MAP_IOVA + off, (len = cnt, &len),
		     &pa_src, 0);
	if (!ret)
		ret = get_pa(iommufd, ioas, MAP_IOVA + pg + off,
			     (len = cnt, &len), &pa_dst, 0);
	if (ret) {
		result(0, "edu_dma_roundtrip (get_pa %d)", ret);
		return;
	}
	for (i = 0; i < cnt; i++) {
		buf[off + i] = (unsigned char)(i * 7 + 3);
		buf[pg + off + i] = 0;
	}
	ret = region_offset(devfd, VFIO_PCI_BAR0_REGION_INDEX, &bar);
	if (!ret)
		ret = enable_bus_master(devfd);
	if (!ret)
		ret = edu_dma(devfd, bar, pa_src, EDU_BUF, cnt, 0);
	if (!ret)
		ret = edu_dma(devfd, bar, EDU_BUF, pa_dst, cnt, EDU_DMA_TO_RAM);
	if (ret) {
		result(0, "edu_dma_roundtrip (%d)", ret);
		return;
	}
	result(!memcmp(buf + off, buf + pg + off, cnt), "edu_dma_roundtrip");
}

static void test_get_pa(int iommufd, __u32 ioas, long pg, bool *have_get_pa)
{
	__u64 len, phys;
	int ret;

	len = 64;
	ret = get_pa(iommufd, ioas, MAP_IOVA + 0x123, &len, &phys, 0);
	if (ret == -ENOTTY) {
		*have_get_pa = false;
		skip("get_pa", "IOMMU_IOAS_NOIOMMU_GET_PA not supported");
		return;
	}
	*have_get_pa = true;
	result(!ret && phys && (phys & (pg - 1)) == 0x123 && len > 0 &&
	       len <= 64, "get_pa (ret %d phys 0x%llx len %llu)", ret,
	       (unsigned long long)phys, (unsigned long long)len);

	len = (__u64)MAP_PAGES * pg;
	ret = get_pa(iommufd, ioas, MAP_IOVA, &len, &phys, 0);
	result(!ret && len >= (__u64)pg && len <= (__u64)MAP_PAGES * pg &&
	       !(phys & (pg - 1)),
	       "get_pa_contiguous_len (ret %d len %llu)", ret,
	       (unsigned long long)len);

	len = 0;
	ret = get_pa(iommufd, ioas, MAP_IOVA, &len, &phys, 0);
	result(ret == -EINVAL, "get_pa_zero_length_einval (%d)", ret);

	len = 8;
	ret = get_pa(iommufd, ioas, MAP_IOVA, &len, &phys, 1);
	result(ret == -EOPNOTSUPP, "get_pa_flags_eopnotsupp (%d)", ret);

	len = 8;
	ret = get_pa(iommufd, ioas, MAP_IOVA - pg, &len, &phys, 0);
	result(ret == -ENOENT, "get_pa_unmapped_enoent (%d)", ret);

	len = 8;
	ret = get_pa(iommufd, ioas + 1000, MAP_IOVA, &len, &phys, 0);
	result(ret == -ENOENT, "get_pa_bad_ioas_enoent (%d)", ret);
}

static void test_hot_reset(int devfd, __u32 devid)
{
	struct {
		struct vfio_pci_hot_reset_info hdr;
		struct vfio_pci_dependent_device devs[32];
	} info = { .hdr.argsz = sizeof(info) };
	struct vfio_pci_hot_reset reset = { .argsz = sizeof(reset) };
	int ret;
	__u32 i;
	bool found = false;

	ret = ioctl(devfd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &info) ?
		-errno : 0;
	if (ret == -ENODEV) {
		skip("hot_reset_info", "no slot or bus reset for this device");
		skip("hot_reset", "no slot or bus reset for this device");
		goto group_array;
	}
	for (i = 0; !ret && i < info.hdr.count; i++)
		if (info.devs[i].devid == devid)
			found = true;
	result(!ret && (info.hdr.flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID) && found,
	       "hot_reset_info_devid (ret %d flags 0x%x count %u)", ret,
	       info.hdr.flags, info.hdr.count);
	if (ret || info.hdr.count != 1) {
		/* Others share the reset: see test_hot_reset_two() */
		skip("hot_reset", "other devices share the reset");
		goto group_array;
	}
	result(info.hdr.flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED,
	       "hot_reset_info_owned (flags 0x%x)", info.hdr.flags);

	/* Zero-length group_fds array: the iommufd ownership model */
	ret = ioctl(devfd, VFIO_DEVICE_PCI_HOT_RESET, &reset) ? -errno : 0;
	result(!ret, "hot_reset (%d)", ret);

group_array:

	/* A group fd array is refused on a cdev-opened device */
	reset.count = 1;
	ret = ioctl(devfd, VFIO_DEVICE_PCI_HOT_RESET, &reset) ? -errno : 0;
	result(ret == -EINVAL, "hot_reset_group_array_einval (%d)", ret);
}

static void test_cdev_flow(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	__u32 devid = 0, ioas = 0, pt = 0, pt2 = 0;
	struct iommu_ioas_map map = { .size = sizeof(map) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	bool have_get_pa = false;
	unsigned char *buf;
	int devfd, iommufd, ret;
	__u64 len, phys;

	devfd = open(cdev_path, O_RDWR);
	result(devfd >= 0, "open_cdev (%d)", devfd < 0 ? -errno : 0);
	iommufd = open("/dev/iommu", O_RDWR);
	result(iommufd >= 0, "open_iommufd (%d)", iommufd < 0 ? -errno : 0);
	if (devfd < 0 || iommufd < 0)
		return;

	/* No device access before BIND */
	ret = detach_pt(devfd);
	result(ret == -EINVAL, "detach_before_bind_einval (%d)", ret);

	ret = bind_iommufd(devfd, iommufd, &devid);
	result(!ret && devid, "bind_iommufd (ret %d devid %u)", ret, devid);
	if (ret)
		goto out;
	ret = bind_iommufd(devfd, iommufd, &devid);
	result(ret == -EINVAL, "bind_twice_einval (%d)", ret);

	ret = ioas_alloc(iommufd, &ioas);
	result(!ret, "ioas_alloc (ret %d id %u)", ret, ioas);
	if (ret)
		goto out;

	ret = attach_pt(devfd, ioas, &pt);
	result(!ret && pt && pt != ioas,
	       "attach_ioas_returns_hwpt (ret %d ioas %u pt %u)", ret, ioas, pt);
	if (ret)
		goto out;

	buf = mmap(NULL, MAP_PAGES * pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		result(0, "ioas_map (mmap failed)");
		goto out;
	}
	memset(buf, 0x5a, MAP_PAGES * pg);
	map.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
		    IOMMU_IOAS_MAP_WRITEABLE;
	map.ioas_id = ioas;
	map.user_va = (uintptr_t)buf;
	map.length = MAP_PAGES * pg;
	map.iova = MAP_IOVA;
	ret = ioctl(iommufd, IOMMU_IOAS_MAP, &map) ? -errno : 0;
	result(!ret, "ioas_map (%d)", ret);
	if (ret)
		goto out_munmap;

	test_get_pa(iommufd, ioas, pg, &have_get_pa);
	if (have_get_pa)
		test_edu_dma(devfd, iommufd, ioas, buf, pg);
	else
		skip("edu_dma_roundtrip", "no GET_PA");

	test_hot_reset(devfd, devid);

	ret = detach_pt(devfd);
	result(!ret, "detach (%d)", ret);
	ret = detach_pt(devfd);
	result(!ret, "detach_again_noop (%d)", ret);

	/* With no noiommu device attached nothing pins the pages any more */
	if (have_get_pa) {
		len = 8;
		ret = get_pa(iommufd, ioas, MAP_IOVA, &len, &phys, 0);
		result(ret == -EOPNOTSUPP,
		       "get_pa_after_detach_eopnotsupp (%d)", ret);
	}

	ret = attach_pt(devfd, ioas, &pt2);
	result(!ret && pt2 && pt2 != ioas, "reattach (ret %d pt %u)", ret, pt2);

	/* A noiommu device has no PASID support */
	{
		struct vfio_device_attach_iommufd_pt pa = {
			.argsz = sizeof(pa),
			.flags = VFIO_DEVICE_ATTACH_PASID,
			.pasid = 1,
			.pt_id = ioas,
		};

		ret = ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &pa) ?
			-errno : 0;
		result(ret == -EINVAL, "pasid_attach_einval (%d)", ret);
	}

	/* Attach while attached replaces the HWPT, as for any cdev device */
	ret = attach_pt(devfd, ioas, &pt2);
	result(!ret, "attach_while_attached_replaces (%d)", ret);

	if (have_get_pa) {
		unmap.ioas_id = ioas;
		unmap.iova = MAP_IOVA;
		unmap.length = MAP_PAGES * pg;
		ret = ioctl(iommufd, IOMMU_IOAS_UNMAP, &unmap) ? -errno : 0;
		len = 8;
		if (!ret)
			ret = get_pa(iommufd, ioas, MAP_IOVA, &len, &phys, 0);
		else
			ret = 1;
		result(ret == -ENOENT, "get_pa_after_unmap_enoent (%d)", ret);
	}

out_munmap:
	munmap(buf, MAP_PAGES * pg);
out:
	/* Close the device while attached and mapped, then the iommufd */
	close(devfd);
	close(iommufd);
}

/* Second round: close the iommufd first, then the still-bound device */
static void test_cdev_close_order(void)
{
	__u32 devid, ioas, pt;
	int devfd, iommufd, ret;

	devfd = open(cdev_path, O_RDWR);
	iommufd = open("/dev/iommu", O_RDWR);
	if (devfd < 0 || iommufd < 0) {
		result(0, "rebind_after_close (open failed)");
		goto out;
	}
	ret = bind_iommufd(devfd, iommufd, &devid);
	if (!ret)
		ret = ioas_alloc(iommufd, &ioas);
	if (!ret)
		ret = attach_pt(devfd, ioas, &pt);
	result(!ret, "rebind_after_close (%d)", ret);
	close(iommufd);
	iommufd = -1;
	/* The device fd still holds the iommufd context */
	ret = detach_pt(devfd);
	result(!ret, "detach_after_iommufd_close (%d)", ret);
out:
	if (devfd >= 0)
		close(devfd);
	if (iommufd >= 0)
		close(iommufd);
}

static void test_group(void)
{
	int container, group, devfd, cdevfd, ret;
	__u32 devid;
	struct vfio_group_status st = { .argsz = sizeof(st) };

	if (!group_path[0] || access(group_path, F_OK)) {
		skip("legacy_group", "no noiommu group (VFIO_GROUP=n?)");
		return;
	}
	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0) {
		skip("legacy_group", "no /dev/vfio/vfio container");
		return;
	}
	group = open(group_path, O_RDWR);
	result(group >= 0, "group_open (%d)", group < 0 ? -errno : 0);
	if (group < 0)
		goto out_container;

	ret = ioctl(group, VFIO_GROUP_GET_STATUS, &st) ? -errno : 0;
	result(!ret && (st.flags & VFIO_GROUP_FLAGS_VIABLE),
	       "group_viable (ret %d flags 0x%x)", ret, st.flags);
	ret = ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) ? -errno : 0;
	result(!ret, "group_set_container (%d)", ret);
	ret = ioctl(container, VFIO_CHECK_EXTENSION, VFIO_NOIOMMU_IOMMU);
	result(ret == 1, "container_has_noiommu (%d)", ret);
	ret = ioctl(container, VFIO_SET_IOMMU, VFIO_NOIOMMU_IOMMU) ? -errno : 0;
	result(!ret, "container_set_noiommu (%d)", ret);

	devfd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	result(devfd >= 0, "group_get_device_fd (%d)",
	       devfd < 0 ? -errno : 0);

	/* While the group is open the cdev cannot be bound */
	cdevfd = cdev_path[0] ? open(cdev_path, O_RDWR) : -1;
	if (!cdev_path[0]) {
		skip("cdev_bind_while_group_open", "no cdev");
	} else if (cdevfd >= 0) {
		int ictx = open("/dev/iommu", O_RDWR);

		ret = bind_iommufd(cdevfd, ictx, &devid);
		result(ret == -EBUSY, "cdev_bind_while_group_open_ebusy (%d)",
		       ret);
		close(ictx);
		close(cdevfd);
	} else {
		result(0, "cdev_open_while_group_open (%d)", -errno);
	}
	if (devfd >= 0)
		close(devfd);
	close(group);
out_container:
	close(container);
}

/* While the cdev is bound, the group cannot be opened */
static void test_group_blocked(void)
{
	int devfd, iommufd, group, ret;
	__u32 devid;

	if (!group_path[0] || access(group_path, F_OK)) {
		skip("group_open_while_cdev_bound", "no noiommu group");
		return;
	}
	devfd = open(cdev_path, O_RDWR);
	iommufd = open("/dev/iommu", O_RDWR);
	ret = bind_iommufd(devfd, iommufd, &devid);
	group = open(group_path, O_RDWR);
	result(!ret && group < 0 && errno == EBUSY,
	       "group_open_while_cdev_bound_ebusy (bind %d open %d)", ret,
	       group < 0 ? -errno : 0);
	if (group >= 0)
		close(group);
	close(devfd);
	close(iommufd);
}

static int hot_reset_info(int devfd, struct vfio_pci_hot_reset_info *hdr,
			  struct vfio_pci_dependent_device *devs, __u32 max)
{
	struct {
		struct vfio_pci_hot_reset_info hdr;
		struct vfio_pci_dependent_device devs[32];
	} info = { .hdr.argsz = sizeof(info) };

	if (ioctl(devfd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &info))
		return -errno;
	*hdr = info.hdr;
	memcpy(devs, info.devs, sizeof(*devs) * (max < 32 ? max : 32));
	return 0;
}

/*
 * The iommufd ownership model with two noiommu devices sharing a bus reset
 * (two edu devices behind one bridge): the reset needs both bound to the
 * caller's iommufd.  A noiommu device has no real iommu_group, so binding
 * one does not make the other owned.
 */
/*
 * Two edu devices on one bus, so that one bus reset covers both: the two
 * functions of one slot behind the second root port of scripts/guest-run.sh.
 */
static bool find_edu_pair(char a[256], char b[256])
{
	const size_t len = 256;
	char edus[16][256];
	struct dirent *de;
	int n = 0, i, j;
	DIR *d;

	d = opendir("/sys/bus/pci/devices");
	if (!d)
		return false;
	while ((de = readdir(d)) && n < 16) {
		if (is_edu(de->d_name))
			snprintf(edus[n++], sizeof(edus[0]), "%s", de->d_name);
	}
	closedir(d);
	/* "dddd:bb:" is the same: the same bus */
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (!strncmp(edus[i], edus[j], 8)) {
				bool lt = strcmp(edus[i], edus[j]) < 0;

				memcpy(a, edus[lt ? i : j], len);
				memcpy(b, edus[lt ? j : i], len);
				return true;
			}
	return false;
}

static void test_hot_reset_two(void)
{
	struct vfio_pci_hot_reset reset = { .argsz = sizeof(reset) };
	struct vfio_pci_dependent_device devs[32];
	struct vfio_pci_hot_reset_info hdr;
	char bdf1[256], bdf2[256], name[256], path1[512], path2[512];
	int fd1, fd2, iommufd, ret;
	__u32 id1, id2, i;
	bool b_seen = false, b_not_owned = true;

	if (!find_edu_pair(bdf1, bdf2)) {
		skip("hot_reset_two_devices", "no two edu devices on one bus");
		return;
	}
	bind_vfio_pci(bdf1);
	bind_vfio_pci(bdf2);
	if (!find_cdev_name(bdf1, name, sizeof(name))) {
		result(0, "hot_reset_two_devices (no cdev for %s)", bdf1);
		return;
	}
	snprintf(path1, sizeof(path1), "/dev/vfio/devices/%s", name);
	if (!find_cdev_name(bdf2, name, sizeof(name))) {
		result(0, "hot_reset_two_devices (no cdev for %s)", bdf2);
		return;
	}
	snprintf(path2, sizeof(path2), "/dev/vfio/devices/%s", name);
	diag("two devices on one bus: %s and %s", bdf1, bdf2);
	fd1 = open(path1, O_RDWR);
	fd2 = open(path2, O_RDWR);
	iommufd = open("/dev/iommu", O_RDWR);
	ret = bind_iommufd(fd1, iommufd, &id1);
	if (ret) {
		result(0, "hot_reset_two_devices (bind %d)", ret);
		goto out;
	}

	ret = hot_reset_info(fd1, &hdr, devs, 32);
	if (ret == -ENODEV) {
		skip("hot_reset_two_devices", "no slot or bus reset");
		goto out;
	}
	for (i = 0; !ret && i < hdr.count && i < 32; i++)
		if (devs[i].devid != id1) {
			b_seen = true;
			b_not_owned &= (__s32)devs[i].devid ==
				       VFIO_PCI_DEVID_NOT_OWNED;
		}
	result(!ret && hdr.count == 2 && b_seen && b_not_owned &&
	       (hdr.flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID) &&
	       !(hdr.flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED),
	       "hot_reset_info_other_not_owned (ret %d flags 0x%x count %u)",
	       ret, hdr.flags, hdr.count);
	ret = ioctl(fd1, VFIO_DEVICE_PCI_HOT_RESET, &reset) ? -errno : 0;
	result(ret == -EINVAL, "hot_reset_other_unbound_einval (%d)", ret);

	ret = bind_iommufd(fd2, iommufd, &id2);
	if (!ret)
		ret = hot_reset_info(fd1, &hdr, devs, 32);
	for (i = 0, b_seen = false; !ret && i < hdr.count && i < 32; i++)
		if (devs[i].devid == id2)
			b_seen = true;
	result(!ret && b_seen &&
	       (hdr.flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED),
	       "hot_reset_info_both_owned (ret %d flags 0x%x)", ret,
	       hdr.flags);
	ret = ioctl(fd1, VFIO_DEVICE_PCI_HOT_RESET, &reset) ? -errno : 0;
	result(!ret, "hot_reset_both_bound (%d)", ret);
out:
	close(fd1);
	close(fd2);
	close(iommufd);
}

int main(int argc, char **argv)
{
	char name[256], p[512];
	struct stat st;
	long taint;
	int err;

	printf("TAP version 13\n");
	if (argc > 1)
		snprintf(bdf, sizeof(bdf), "%s", argv[1]);
	else if (!find_edu(bdf, sizeof(bdf), "")) {
		printf("1..0 # SKIP no edu device\n");
		return 4;
	}
	diag("device %s", bdf);
	bind_vfio_pci(bdf);

	if (!find_cdev_name(bdf, name, sizeof(name))) {
		result(0, "vfio_dev_sysfs (no vfio-dev/ entry)");
		goto done;
	}
	find_group();

	taint = read_hex("/proc/sys/kernel/tainted");
	result(taint >= 0 && (taint & 64), "taint_user (%ld)", taint);

	if (access("/dev/vfio/devices", F_OK)) {
		/* No noiommu cdev: the device keeps its plain vfioN name */
		result(!strncmp(name, "vfio", 4), "no_cdev_sysfs_name (%s)",
		       name);
		skip("cdev", "no /dev/vfio/devices (VFIO_DEVICE_CDEV=n)");
		test_group();
		goto done;
	}

	result(!strncmp(name, "noiommu-vfio", 12), "cdev_sysfs_name (%s)",
	       name);
	snprintf(cdev_path, sizeof(cdev_path), "/dev/vfio/devices/%s", name);
	result(!stat(cdev_path, &st) && S_ISCHR(st.st_mode), "cdev_node (%s)",
	       cdev_path);
	snprintf(p, sizeof(p), "/sys/class/vfio-dev/%s", name);
	result(!access(p, F_OK), "cdev_class_entry (%s)", p);

	if (group_path[0])
		result(!access(group_path, F_OK), "legacy_group_node (%s)",
		       group_path);
	else
		skip("legacy_group_node", "no iommu_group (VFIO_GROUP=n?)");

	err = open_without_rawio(cdev_path);
	result(err == EPERM, "open_without_cap_sys_rawio_eperm (errno %d)",
	       err);

	test_cdev_flow();
	test_cdev_close_order();
	test_group();
	test_group_blocked();
	test_hot_reset_two();
	/* Everything above must have left the device reusable */
	test_cdev_close_order();

done:
	return tap_end();
}
