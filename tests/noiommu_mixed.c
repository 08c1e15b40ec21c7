// SPDX-License-Identifier: GPL-2.0-only
/*
 * noiommu_mixed - a device behind an IOMMU and a noiommu device side by side
 *
 * Runs as root in a guest with an IOMMU that translates for some devices
 * and not for others (scripts/guest-run.sh with GUEST_VIOMMU=1: QEMU's
 * intel-iommu, and a PCIe host bridge that bypasses it), booted with
 * vfio.enable_unsafe_noiommu_mode=1, both edu devices given to vfio-pci
 * (driver_override): that both bind is the first check.
 * The mode is decided per device: the isolated device must keep what it has
 * without the mode (its IOMMU group, the vfioN cdev, no CAP_SYS_RAWIO to
 * open or bind it, DMA translated by its IOMMU, which blocks a DMA to a
 * physical address that no IOVA maps), and the two must share one IOAS,
 * each with a page table of its own kind, the noiommu device doing DMA to
 * the physical addresses that IOMMU_IOAS_NOIOMMU_GET_PA reports for the
 * same mapping.
 *
 * usage: noiommu_mixed ISOLATED_BDF NOIOMMU_BDF
 * Output: "ok N name" / "not ok N name" lines, the plan, a totals line.
 * Exit status: 0 when nothing failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "edu.h"
#include "iommufd_ops.h"
#include "rawio.h"
#include "tap.h"
#include "vfio_dev.h"

#define PAGE		4096
#define BUF_PAGES	4
#define XFER		3000	/* inside edu's buffer, see edu.h's users */

struct dev {
	const char *bdf;
	char cdev[300];
	int fd;
	__u32 devid;
	__u32 pt;
	volatile uint8_t *bar;
	size_t bar_size;
};

static bool exists(const char *fmt, const char *arg)
{
	char p[512];

	snprintf(p, sizeof(p), fmt, arg);
	return !access(p, F_OK);
}

/* True if the device's driver is vfio-pci */
static bool bound_to_vfio_pci(const char *bdf)
{
	char p[512], drv[512];
	ssize_t n;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(p, drv, sizeof(drv) - 1);
	if (n <= 0)
		return false;
	drv[n] = 0;
	return !strcmp(strrchr(drv, '/') ? strrchr(drv, '/') + 1 : drv,
		       "vfio-pci");
}

static bool is_chr(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISCHR(st.st_mode);
}

/* The device's entry in vfio-dev/ (its cdev name), or "" */
static void cdev_name(const char *bdf, char *name, size_t len)
{
	if (vfio_dev_name(bdf, name, len))
		name[0] = 0;
}

/* The number of the device's iommu_group, or -1 */
static int group_nr(const char *bdf)
{
	char p[512], link[512];
	char *slash;
	ssize_t n;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(p, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = 0;
	slash = strrchr(link, '/');
	return slash ? atoi(slash + 1) : -1;
}

/* True if the device's iommu_group is one that VFIO made up (noiommu) */
static bool group_is_noiommu(const char *bdf)
{
	char p[512], name[64] = "";
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/iommu_group/name", bdf);
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, name, sizeof(name) - 1);
	close(fd);
	return n > 0 && !strncmp(name, "vfio-noiommu", 12);
}

struct bind_arg {
	const char *path;
	int fd;
};

static int bind_new_iommufd(void *p)
{
	struct bind_arg *a = p;
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
	};
	int fd = a->fd >= 0 ? a->fd : open(a->path, O_RDWR);

	bind.iommufd = open("/dev/iommu", O_RDWR);
	if (fd < 0 || bind.iommufd < 0)
		return 201;
	return ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) ? errno : 0;
}

/*
 * VFIO_DEVICE_BIND_IOMMUFD to a new iommufd, in a child without
 * CAP_SYS_RAWIO, of @fd (an open device file of the caller's) or, if @fd is
 * negative, of the child's own open of @path: 0 or the errno that failed
 * (201: the child could not open the files; else as run_without_rawio()).
 */
static int bind_without_rawio(const char *path, int fd)
{
	struct bind_arg a = { .path = path, .fd = fd };

	return run_without_rawio(bind_new_iommufd, &a);
}

/* Open, bind to @iommufd, turn on memory and bus master, map BAR0 */
static int dev_open(struct dev *d, int iommufd)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iommufd,
	};
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	uint16_t cmd;
	void *bar;

	d->fd = open(d->cdev, O_RDWR);
	if (d->fd < 0)
		return -errno;
	if (ioctl(d->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return -errno;
	d->devid = bind.out_devid;
	reg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &reg))
		return -errno;
	if (pread(d->fd, &cmd, 2, reg.offset + 4) != 2)
		return -EIO;
	cmd |= 0x6;	/* memory space + bus master */
	if (pwrite(d->fd, &cmd, 2, reg.offset + 4) != 2)
		return -EIO;
	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &reg))
		return -errno;
	bar = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd,
		   reg.offset);
	if (bar == MAP_FAILED)
		return -errno;
	d->bar = bar;
	d->bar_size = reg.size;
	return 0;
}

static void dev_close(struct dev *d)
{
	if (d->bar)
		munmap((void *)d->bar, d->bar_size);
	if (d->fd >= 0)
		close(d->fd);
}

/*
 * A pattern that differs from every earlier copy's, so a DMA that moved
 * nothing cannot pass on what a device's buffer still holds
 */
static void fill(uint8_t *p)
{
	static unsigned int seed = 11;
	int i;

	for (i = 0; i < XFER; i++)
		p[i] = (uint8_t)(i * 7 + seed);
	seed += 18;
}

/*
 * Have @d copy XFER bytes from device address @src to @dst through its
 * buffer; true if @out then holds what @in does. The addresses are IOVAs
 * for a device behind an IOMMU, physical addresses for a noiommu device.
 */
static bool copy_by_dma(struct dev *d, uint64_t src, uint64_t dst,
			const uint8_t *in, uint8_t *out)
{
	fill((uint8_t *)in);
	memset(out, 0, XFER);
	if (edu_dma(d->bar, src, EDU_BUF_ADDR, XFER, 0) ||
	    edu_dma(d->bar, EDU_BUF_ADDR, dst, XFER, EDU_CMD_TO_RAM))
		return false;
	return !memcmp(in, out, XFER);
}

/* Map @buf at *@iova, or where the kernel chooses if *@iova is 0 */
static int ioas_map(int iommufd, __u32 ioas, void *buf, __u64 *iova)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 (*iova ? IOMMU_IOAS_MAP_FIXED_IOVA : 0),
		.ioas_id = ioas,
		.user_va = (uintptr_t)buf,
		.length = BUF_PAGES * PAGE,
		.iova = *iova,
	};

	if (ioctl(iommufd, IOMMU_IOAS_MAP, &map))
		return -errno;
	*iova = map.iova;
	return 0;
}

/*
 * Both devices in IOAS @ioas, where @buf is mapped at @iova: the isolated
 * one copies page 0 to page 1 by IOVA, the noiommu one page 0 to page 2 by
 * the physical addresses GET_PA reports. @what names the step.
 */
static void dma_both(int iommufd, __u32 ioas, struct dev *iso, struct dev *noi,
		     uint8_t *buf, __u64 iova, const char *what)
{
	__u64 len0 = PAGE, len2 = PAGE, pa0 = 0, pa2 = 0;
	int r0, r2;

	result(copy_by_dma(iso, iova, iova + PAGE, buf, buf + PAGE),
	       "%s: isolated edu copies by IOVA through its IOMMU", what);
	r0 = get_pa(iommufd, ioas, iova, &len0, &pa0, 0);
	r2 = get_pa(iommufd, ioas, iova + 2 * PAGE, &len2, &pa2, 0);
	/* a page asked for at a page-aligned IOVA: exactly that page */
	if (!result(!r0 && !r2 && len0 == PAGE && len2 == PAGE,
		    "%s: GET_PA answers a page for each (%d %d)", what, r0, r2))
		return;
	result(copy_by_dma(noi, pa0, pa2, buf, buf + 2 * PAGE),
	       "%s: noiommu edu copies by GET_PA's physical addresses", what);
}

int main(int argc, char **argv)
{
	struct dev iso = { .fd = -1 }, noi = { .fd = -1 };
	__u64 iova, iova2, len, pa, pa_again;
	__u32 ioas, ioas2, pt;
	uint8_t *buf = MAP_FAILED;
	int iommufd = -1, r, g;
	char node[256];

	if (argc != 3) {
		fprintf(stderr, "usage: %s ISOLATED_BDF NOIOMMU_BDF\n", argv[0]);
		return 2;
	}
	iso.bdf = argv[1];
	noi.bdf = argv[2];
	printf("TAP version 13\n");

	/* What each device got from VFIO, with the mode on for both */
	result(bound_to_vfio_pci(iso.bdf), "isolated %s: bound to vfio-pci",
	       iso.bdf);
	result(bound_to_vfio_pci(noi.bdf), "noiommu %s: bound to vfio-pci",
	       noi.bdf);
	result(exists("/sys/bus/pci/devices/%s/iommu", iso.bdf),
	       "isolated %s: behind an IOMMU (sysfs iommu link)", iso.bdf);
	result(!exists("/sys/bus/pci/devices/%s/iommu", noi.bdf),
	       "noiommu %s: no IOMMU (no sysfs iommu link)", noi.bdf);
	cdev_name(iso.bdf, node, sizeof(node));
	result(!strncmp(node, "vfio", 4) && node[4] >= '0' && node[4] <= '9',
	       "isolated: cdev named vfioN (%s)", node);
	snprintf(iso.cdev, sizeof(iso.cdev), "/dev/vfio/devices/%s", node);
	result(is_chr(iso.cdev), "isolated: %s is a char device", iso.cdev);
	cdev_name(noi.bdf, node, sizeof(node));
	result(!strncmp(node, "noiommu-vfio", 12),
	       "noiommu: cdev named noiommu-vfioN (%s)", node);
	snprintf(noi.cdev, sizeof(noi.cdev), "/dev/vfio/devices/%s", node);
	result(is_chr(noi.cdev), "noiommu: %s is a char device", noi.cdev);

	g = group_nr(iso.bdf);
	snprintf(node, sizeof(node), "/dev/vfio/%d", g);
	result(g >= 0 && !group_is_noiommu(iso.bdf) && is_chr(node),
	       "isolated: its IOMMU's group %d, group node %s", g, node);
	g = group_nr(noi.bdf);
	snprintf(node, sizeof(node), "/dev/vfio/noiommu-%d", g);
	result(g >= 0 && group_is_noiommu(noi.bdf) && is_chr(node),
	       "noiommu: a vfio-noiommu group %d, group node %s", g, node);

	r = open_without_rawio(iso.cdev);
	result(r == 0, "isolated: opens without CAP_SYS_RAWIO (errno %d)", r);
	r = open_without_rawio(noi.cdev);
	result(r == EPERM, "noiommu: EPERM without CAP_SYS_RAWIO (errno %d)", r);
	r = bind_without_rawio(iso.cdev, -1);
	result(r == 0, "isolated: binds without CAP_SYS_RAWIO (errno %d)", r);
	/* An fd opened with the capability, passed on to a process without */
	noi.fd = open(noi.cdev, O_RDWR);
	r = noi.fd < 0 ? -1 : bind_without_rawio(NULL, noi.fd);
	result(r == EPERM, "noiommu: bind without CAP_SYS_RAWIO: EPERM (errno %d)",
	       r);
	if (noi.fd >= 0)
		close(noi.fd);
	noi.fd = -1;

	iommufd = open("/dev/iommu", O_RDWR);
	if (!need(iommufd >= 0, "open /dev/iommu"))
		goto done;
	r = dev_open(&iso, iommufd);
	if (!result(!r, "isolated: open, bind to iommufd, map BAR0 (%d)", r))
		goto done;
	r = dev_open(&noi, iommufd);
	if (!result(!r, "noiommu: open, bind to the same iommufd, map BAR0 (%d)", r))
		goto done;

	/* One IOAS, the noiommu device first */
	if (!need(!ioas_alloc(iommufd, &ioas), "IOAS_ALLOC"))
		goto done;
	r = attach_pt(noi.fd, ioas, &noi.pt);
	result(!r, "noiommu: attach to the IOAS (%d), HWPT %u", r, noi.pt);
	r = attach_pt(iso.fd, ioas, &iso.pt);
	result(!r && iso.pt != noi.pt,
	       "isolated: attach to the same IOAS (%d), a HWPT of its own %u", r,
	       iso.pt);
	if (r)
		goto done;
	r = attach_pt(iso.fd, noi.pt, NULL);
	result(r == -EINVAL, "isolated: attach to the noiommu HWPT: EINVAL (%d)", r);
	r = attach_pt(noi.fd, iso.pt, NULL);
	result(r == -EINVAL, "noiommu: attach to the IOMMU's HWPT: EINVAL (%d)", r);

	buf = mmap(NULL, BUF_PAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!need(buf != MAP_FAILED, "mmap the DMA buffer"))
		goto done;
	iova = 0;
	r = ioas_map(iommufd, ioas, buf, &iova);
	if (!result(!r, "IOAS_MAP with both attached (%d), IOVA 0x%llx", r,
		    (unsigned long long)iova))
		goto done;
	dma_both(iommufd, ioas, &iso, &noi, buf, iova, "both attached");
	len = PAGE;
	if (!need(!get_pa(iommufd, ioas, iova, &len, &pa, 0), "GET_PA of page 0"))
		goto done;

	/* Without its noiommu HWPT the IOAS has no physical addresses to give */
	len = PAGE;
	r = detach_pt(noi.fd);
	result(!r, "noiommu: detach (%d)", r);
	r = get_pa(iommufd, ioas, iova, &len, &pa, 0);
	result(r == -EOPNOTSUPP,
	       "GET_PA with only the IOMMU's HWPT: EOPNOTSUPP (%d)", r);
	result(copy_by_dma(&iso, iova, iova + PAGE, buf, buf + PAGE),
	       "isolated: DMA by IOVA goes on alone");

	/*
	 * Attached again, the new noiommu HWPT has the mapping made before: the
	 * same page (the IOMMU's HWPT still maps it, and the process too)
	 */
	r = attach_pt(noi.fd, ioas, &noi.pt);
	result(!r && noi.pt != iso.pt, "noiommu: attach again (%d), HWPT %u", r,
	       noi.pt);
	len = PAGE;
	r = get_pa(iommufd, ioas, iova, &len, &pa_again, 0);
	result(!r && pa == pa_again,
	       "GET_PA after attaching again: the same page (%d, 0x%llx 0x%llx)",
	       r, (unsigned long long)pa, (unsigned long long)pa_again);
	dma_both(iommufd, ioas, &iso, &noi, buf, iova, "attached again");

	/*
	 * The IOMMU translates: a DMA write by the isolated device to page 3's
	 * physical address, taken as an IOVA that nothing maps, must not reach
	 * page 3 (its buffer holds the last copy, which differs from page 3).
	 */
	len = PAGE;
	r = get_pa(iommufd, ioas, iova + 3 * PAGE, &len, &pa, 0);
	if (!r && pa + PAGE > iova && pa < iova + BUF_PAGES * PAGE) {
		skip("isolated: DMA to a physical address as IOVA is blocked",
		     "page 3's physical address is a mapped IOVA");
	} else {
		memset(buf + 3 * PAGE, 0x5a, XFER);
		r = r ?: edu_dma(iso.bar, EDU_BUF_ADDR, pa, XFER, EDU_CMD_TO_RAM);
		result(!r && buf[3 * PAGE] == 0x5a &&
		       !memcmp(buf + 3 * PAGE, buf + 3 * PAGE + 1, XFER - 1),
		       "isolated: DMA to a physical address as IOVA is blocked (%d)",
		       r);
		/* and the same DMA to page 3's IOVA lands: the device did run */
		r = edu_dma(iso.bar, EDU_BUF_ADDR, iova + 3 * PAGE, XFER,
			    EDU_CMD_TO_RAM);
		result(!r && !memcmp(buf + 3 * PAGE, buf + PAGE, XFER),
		       "isolated: the same DMA to page 3's IOVA lands (%d)", r);
	}

	/*
	 * A second IOAS, the isolated device first and the buffer mapped before
	 * the noiommu device comes: it cannot use the IOMMU's HWPT and gets a
	 * noiommu one filled with the mapping. The IOVA differs from the first
	 * IOAS's, so the isolated device's DMA works only if it moved.
	 */
	if (!need(!ioas_alloc(iommufd, &ioas2), "IOAS_ALLOC of a second IOAS"))
		goto done;
	r = attach_pt(iso.fd, ioas2, &iso.pt);
	result(!r, "isolated: moves to the second IOAS (%d), HWPT %u", r,
	       iso.pt);
	iova2 = iova + 0x100000;
	r = ioas_map(iommufd, ioas2, buf, &iova2);
	result(!r, "IOAS_MAP of the same buffer there (%d)", r);
	r = attach_pt(noi.fd, ioas2, &pt);
	result(!r && pt != iso.pt, "noiommu: moves there too (%d), HWPT %u", r, pt);
	if (!r)
		dma_both(iommufd, ioas2, &iso, &noi, buf, iova2, "second IOAS");
	len = PAGE;
	r = get_pa(iommufd, ioas, iova, &len, &pa, 0);
	result(r == -EOPNOTSUPP, "GET_PA in the IOAS both left: EOPNOTSUPP (%d)", r);

done:
	/*
	 * The noiommu device goes first, while the IOMMU's HWPT still holds
	 * the IOAS and its pinned area; the guest's splat and kmemleak scans
	 * judge the teardown.
	 */
	dev_close(&noi);
	dev_close(&iso);
	if (iommufd >= 0)
		close(iommufd);
	if (buf != MAP_FAILED)
		munmap(buf, BUF_PAGES * PAGE);
	return tap_end();
}
