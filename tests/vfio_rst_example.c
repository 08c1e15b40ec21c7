// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_rst_example: the usage example of Documentation/driver-api/vfio.rst
 * ("VFIO Device cdev in No-IOMMU Mode"), compiled as it is written there and
 * run against QEMU's edu device. noiommu_map_buffer(), struct dma_run and
 * struct noiommu_mapping come from the .rst (scripts/doc-example.sh extracts
 * them into vfio_rst_example.inc); this file only adds what the example leaves
 * to its reader: the includes, opening the cdev, a DMA through edu at the
 * physical addresses the example returned, and the unmap of step 8.
 *
 *   vfio_rst_example BDF
 *
 * Prints TAP; exit status 0 only if the data came back byte for byte.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "edu.h"
#include "vfio_dev.h"
#include "vfio_rst_example.inc"

#define PAGE	4096
#define XFER	3000	/* inside edu's buffer, see edu.h */

/*
 * The highest address edu reaches: its DMA mask, QEMU's dma_mask property,
 * which guest/suites.sh passes on as VFIO_EDU_DMA_MASK (QEMU's default is
 * 28 bits).
 */
static __u64 edu_dma_limit(void)
{
	const char *mask = getenv("VFIO_EDU_DMA_MASK");

	return mask ? strtoull(mask, NULL, 0) : (1ULL << 28) - 1;
}

/* The physical address of byte @off of the buffer, @len bytes contiguous */
static __u64 phys_of(const struct dma_run *runs, int n, __u64 off, __u64 len)
{
	__u64 start = 0;
	int i;

	for (i = 0; i < n; start += runs[i].len, i++) {
		if (off >= start && off - start < runs[i].len) {
			if (off - start + len > runs[i].len)
				errx(1, "bytes %llu+%llu are not in one run",
				     (unsigned long long)off,
				     (unsigned long long)len);
			return runs[i].phys + (off - start);
		}
	}
	errx(1, "byte %llu is in no run", (unsigned long long)off);
}

int main(int argc, char **argv)
{
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct noiommu_mapping m;
	struct dma_run runs[8];
	volatile uint8_t *bar;
	char path[300];
	int cdev_fd, n, i, rc;
	uint16_t cmd;
	uint8_t *buf;

	if (argc != 2)
		errx(2, "usage: %s BDF", argv[0]);
	printf("TAP version 13\n1..1\n");
	fflush(stdout);

	rc = noiommu_cdev_path(argv[1], path, sizeof(path));
	if (rc) {
		errno = -rc;
		err(1, "%s: %s", argv[1], noiommu_cdev_error(rc));
	}
	cdev_fd = open(path, O_RDWR);
	if (cdev_fd < 0)
		err(1, "%s", path);
	buf = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		err(1, "mmap");
	for (i = 0; i < XFER; i++)
		buf[i] = (uint8_t)(i * 13 + 5);
	memset(buf + PAGE, 0, PAGE);

	/* The example from vfio.rst */
	n = noiommu_map_buffer(cdev_fd, buf, 2 * PAGE, edu_dma_limit(), runs, 8,
			       &m);
	printf("# %d physically contiguous run(s)\n", n);

	/* Bus master and memory space on, then the edu DMA engine in BAR0 */
	reg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(cdev_fd, VFIO_DEVICE_GET_REGION_INFO, &reg) ||
	    pread(cdev_fd, &cmd, 2, reg.offset + 4) != 2)
		err(1, "PCI_COMMAND");
	cmd |= 0x6;
	if (pwrite(cdev_fd, &cmd, 2, reg.offset + 4) != 2)
		err(1, "PCI_COMMAND");
	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(cdev_fd, VFIO_DEVICE_GET_REGION_INFO, &reg))
		err(1, "BAR0");
	bar = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   cdev_fd, reg.offset);
	if (bar == MAP_FAILED)
		err(1, "mmap BAR0");

	/* RAM -> device -> RAM, at the addresses the example returned */
	if (edu_dma(bar, phys_of(runs, n, 0, XFER), EDU_BUF_ADDR, XFER, 0) ||
	    edu_dma(bar, EDU_BUF_ADDR, phys_of(runs, n, PAGE, XFER), XFER,
		    EDU_CMD_TO_RAM))
		errx(1, "edu DMA did not complete");
	if (memcmp(buf, buf + PAGE, XFER)) {
		printf("not ok 1 vfio.rst example: DMA at its physical addresses\n");
		return 1;
	}

	/* Step 8: DMA stopped (edu is idle), then unmap */
	unmap.ioas_id = m.ioas_id;
	unmap.iova = m.iova;
	unmap.length = m.len;
	if (ioctl(m.iommufd, IOMMU_IOAS_UNMAP, &unmap) || unmap.length != m.len)
		err(1, "IOMMU_IOAS_UNMAP");
	printf("ok 1 vfio.rst example: DMA at its physical addresses\n");
	return 0;
}
