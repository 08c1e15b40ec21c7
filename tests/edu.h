/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's edu device (PCI 1234:11e8): the DMA registers in BAR0 and one
 * polled DMA, shared by the harness programs that drive it through a mmap()
 * of BAR0 (noiommu_dma_demo.c, noiommu_bench.c).
 */
#ifndef NOIOMMU_EDU_H
#define NOIOMMU_EDU_H

#include <errno.h>
#include <stdint.h>
#include <time.h>

#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_COUNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_START	0x1
#define EDU_CMD_TO_RAM	0x2
#define EDU_BUF_ADDR	0x40000	/* the device's 4 KiB buffer */

/*
 * Copy @count bytes from @src to @dst (one of them EDU_BUF_ADDR, the other a
 * physical address; EDU_CMD_TO_RAM in @cmd for device -> RAM) and wait for
 * the device. QEMU runs the copy from a ~100 ms timer. Returns 0, or
 * -ETIMEDOUT after 5 s.
 */
static inline int edu_dma(volatile uint8_t *bar, uint64_t src, uint64_t dst,
			  uint64_t count, uint64_t cmd)
{
	volatile uint64_t *reg = (volatile uint64_t *)(bar + EDU_DMA_CMD);
	struct timespec t = { .tv_nsec = 1000 * 1000 };
	int i;

	*(volatile uint64_t *)(bar + EDU_DMA_SRC) = src;
	*(volatile uint64_t *)(bar + EDU_DMA_DST) = dst;
	*(volatile uint64_t *)(bar + EDU_DMA_COUNT) = count;
	*reg = cmd | EDU_CMD_START;
	for (i = 0; i < 5000; i++) {
		if (!(*reg & EDU_CMD_START))
			return 0;
		nanosleep(&t, NULL);
	}
	return -ETIMEDOUT;
}

#endif
