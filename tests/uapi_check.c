// SPDX-License-Identifier: GPL-2.0
/*
 * Compile-and-run check of the IOMMU_IOAS_NOIOMMU_GET_PA UAPI layout against
 * the installed headers: the struct is 40 bytes with fixed offsets, the
 * command number follows IOMMUFD_CMD_HW_QUEUE_ALLOC, and the ioctl number is
 * _IO(';', 0x95). Built and run by scripts/static.sh.
 */
#include <stddef.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <linux/iommufd.h>

#define CHECK_OFF(m, o) \
	_Static_assert(offsetof(struct iommu_ioas_noiommu_get_pa, m) == (o), #m)

_Static_assert(sizeof(struct iommu_ioas_noiommu_get_pa) == 40, "size");
CHECK_OFF(size, 0);
CHECK_OFF(flags, 4);
CHECK_OFF(ioas_id, 8);
CHECK_OFF(__reserved, 12);
CHECK_OFF(iova, 16);
CHECK_OFF(length, 24);
CHECK_OFF(out_phys, 32);
_Static_assert(_Alignof(struct iommu_ioas_noiommu_get_pa) == 8, "align");
_Static_assert(IOMMUFD_CMD_IOAS_NOIOMMU_GET_PA == 0x95, "cmd");
_Static_assert(IOMMUFD_CMD_IOAS_NOIOMMU_GET_PA == IOMMUFD_CMD_HW_QUEUE_ALLOC + 1,
	       "cmd follows HW_QUEUE_ALLOC");
_Static_assert(IOMMU_IOAS_NOIOMMU_GET_PA == _IO(';', 0x95), "ioctl");

int main(void)
{
	printf("uapi: struct iommu_ioas_noiommu_get_pa is %zu bytes, ioctl 0x%lx\n",
	       sizeof(struct iommu_ioas_noiommu_get_pa),
	       (unsigned long)IOMMU_IOAS_NOIOMMU_GET_PA);
	return 0;
}
