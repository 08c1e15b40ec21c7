// SPDX-License-Identifier: GPL-2.0
/*
 * noiommu_dma_demo: drive one real DMA through a VFIO noiommu device cdev and
 * IOMMUFD, explaining each step in plain words. Made for QEMU's edu device
 * (PCI 1234:11e8), whose DMA engine copies between RAM and a 4 KiB buffer
 * inside the device.
 *
 *   noiommu_dma_demo BDF
 *
 * Exit status 0 only if the data came back byte for byte.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "edu.h"
#include "vfio_dev.h"

static const char *bdf;

static void die(const char *what)
{
	printf("FAILED: %s: %s\n", what, strerror(errno));
	exit(1);
}

static char *find_cdev(void)
{
	static char path[300];
	int rc = noiommu_cdev_path(bdf, path, sizeof(path));

	if (rc) {
		errno = -rc;
		die(noiommu_cdev_error(rc));
	}
	return path;
}

static uint64_t get_pa(int iommufd, uint32_t ioas, uint64_t iova, uint64_t *len)
{
	struct iommu_ioas_noiommu_get_pa gp = {
		.size = sizeof(gp), .ioas_id = ioas, .iova = iova, .length = *len,
	};

	if (ioctl(iommufd, IOMMU_IOAS_NOIOMMU_GET_PA, &gp))
		die("IOMMU_IOAS_NOIOMMU_GET_PA");
	*len = gp.length;
	return gp.out_phys;
}

/*
 * The highest address the edu device reaches: QEMU's edu drops the address
 * bits above its dma_mask (28 bits unless QEMU is told otherwise), so memory
 * above that must not be given to it. guest/suites.sh passes the mask that
 * scripts/guest-run.sh gives QEMU as VFIO_EDU_DMA_MASK.
 */
static uint64_t dma_limit(void)
{
	const char *mask = getenv("VFIO_EDU_DMA_MASK");

	return mask ? strtoull(mask, NULL, 0) : (1ULL << 28) - 1;
}

/* Refuse a run shorter than @count bytes or beyond what the device reaches */
static void check_reach(uint64_t pa, uint64_t len, uint64_t count)
{
	uint64_t limit = dma_limit();

	if (len < count || pa > limit || count - 1 > limit - pa) {
		printf("FAILED: %" PRIu64 " bytes at physical 0x%" PRIx64
		       " are not contiguous or not below the device's DMA limit 0x%" PRIx64 "\n",
		       count, pa, limit);
		exit(1);
	}
}

static void dma(volatile uint8_t *bar, uint64_t src, uint64_t dst,
		uint64_t count, uint64_t cmd)
{
	int ret = edu_dma(bar, src, dst, count, cmd);

	if (ret) {
		errno = -ret;
		die("edu DMA did not complete");
	}
}

int main(int argc, char **argv)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_ioas_map map = { .size = sizeof(map) };
	const size_t bufsz = 2 * 4096, xfer = 3000;
	uint64_t pa_src, pa_dst, len;
	int devfd, iommufd, i, bad = 0;
	volatile uint8_t *bar;
	uint16_t cmd;
	uint8_t *buf;
	char *cdev;

	if (argc != 2) {
		fprintf(stderr, "usage: %s BDF\n", argv[0]);
		return 2;
	}
	bdf = argv[1];

	cdev = find_cdev();
	printf("1. %s has no IOMMU, so VFIO gave it the cdev %s\n", bdf, cdev);
	devfd = open(cdev, O_RDWR);
	if (devfd < 0)
		die("open the cdev (needs CAP_SYS_RAWIO)");
	iommufd = open("/dev/iommu", O_RDWR);
	if (iommufd < 0)
		die("open /dev/iommu");
	bind.iommufd = iommufd;
	if (ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		die("VFIO_DEVICE_BIND_IOMMUFD");
	printf("2. bound it to /dev/iommu: iommufd device id %u\n", bind.out_devid);
	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas))
		die("IOMMU_IOAS_ALLOC");
	attach.pt_id = ioas.out_ioas_id;
	if (ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		die("VFIO_DEVICE_ATTACH_IOMMUFD_PT");
	printf("3. attached it to IO address space %u: it got the software-only noiommu page table %u\n",
	       ioas.out_ioas_id, attach.pt_id);

	buf = mmap(NULL, bufsz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap");
	memset(buf, 0, bufsz);
	map.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
	map.ioas_id = ioas.out_ioas_id;
	map.user_va = (uintptr_t)buf;
	map.length = bufsz;
	if (ioctl(iommufd, IOMMU_IOAS_MAP, &map))
		die("IOMMU_IOAS_MAP");
	printf("4. mapped %zu bytes of my memory at IOVA 0x%" PRIx64 ": the kernel pinned those pages\n",
	       bufsz, (uint64_t)map.iova);

	len = 4096;
	pa_src = get_pa(iommufd, ioas.out_ioas_id, map.iova, &len);
	printf("5. IOMMU_IOAS_NOIOMMU_GET_PA: IOVA 0x%" PRIx64 " -> physical 0x%" PRIx64 " (%" PRIu64 " contiguous bytes)\n",
	       (uint64_t)map.iova, pa_src, len);
	check_reach(pa_src, len, xfer);
	len = 4096;
	pa_dst = get_pa(iommufd, ioas.out_ioas_id, map.iova + 4096, &len);
	printf("   IOMMU_IOAS_NOIOMMU_GET_PA: IOVA 0x%" PRIx64 " -> physical 0x%" PRIx64 " (%" PRIu64 " contiguous bytes)\n",
	       (uint64_t)map.iova + 4096, pa_dst, len);
	check_reach(pa_dst, len, xfer);
	printf("   %zu contiguous bytes at each, below the device's DMA limit 0x%" PRIx64 "\n",
	       xfer, dma_limit());

	reg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &reg))
		die("config region info");
	if (pread(devfd, &cmd, 2, reg.offset + 4) != 2)
		die("read PCI_COMMAND");
	cmd |= 0x6;	/* memory space + bus master */
	if (pwrite(devfd, &cmd, 2, reg.offset + 4) != 2)
		die("write PCI_COMMAND");
	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &reg))
		die("BAR0 region info");
	bar = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED, devfd,
		   reg.offset);
	if (bar == MAP_FAILED)
		die("mmap BAR0");

	for (i = 0; i < (int)xfer; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	printf("6. wrote a %zu-byte pattern into the first page; the edu device copies it\n", xfer);
	dma(bar, pa_src, EDU_BUF_ADDR, xfer, 0);
	printf("   DMA 1: RAM (physical 0x%" PRIx64 ") -> device buffer: done\n", pa_src);
	dma(bar, EDU_BUF_ADDR, pa_dst, xfer, EDU_CMD_TO_RAM);
	printf("   DMA 2: device buffer -> RAM (physical 0x%" PRIx64 "): done\n", pa_dst);

	for (i = 0; i < (int)xfer; i++)
		bad += buf[4096 + i] != buf[i];
	if (bad) {
		printf("7. FAILED: %d of %zu bytes differ after the round trip\n", bad, xfer);
		return 1;
	}
	printf("7. verified: all %zu bytes came back identical through the device's DMA engine\n", xfer);

	close(devfd);
	close(iommufd);
	printf("8. closed the device and /dev/iommu: the pages are unpinned again\n");
	return 0;
}
