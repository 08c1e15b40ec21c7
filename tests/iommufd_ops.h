/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The iommufd and VFIO cdev calls that the harness programs running in the
 * guest share (noiommu_cdev_smoke.c, noiommu_mixed.c): each returns 0 or
 * -errno and fills its outputs only on success.
 */
#ifndef NOIOMMU_IOMMUFD_OPS_H
#define NOIOMMU_IOMMUFD_OPS_H

#include <errno.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

static inline int ioas_alloc(int iommufd, __u32 *ioas_id)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };

	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc))
		return -errno;
	*ioas_id = alloc.out_ioas_id;
	return 0;
}

/* Attach the device to IOAS or HWPT @id; *@out (if not NULL): the HWPT */
static inline int attach_pt(int devfd, __u32 id, __u32 *out)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.pt_id = id,
	};

	if (ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		return -errno;
	if (out)
		*out = attach.pt_id;
	return 0;
}

static inline int detach_pt(int devfd)
{
	struct vfio_device_detach_iommufd_pt detach = {
		.argsz = sizeof(detach),
	};

	return ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach) ? -errno : 0;
}

/*
 * IOMMU_IOAS_NOIOMMU_GET_PA: the physical address of @iova in *@phys and the
 * length of its physically contiguous run, at most *@len, in *@len
 */
static inline int get_pa(int iommufd, __u32 ioas, __u64 iova, __u64 *len,
			 __u64 *phys, __u32 flags)
{
	struct iommu_ioas_noiommu_get_pa gp = {
		.size = sizeof(gp),
		.flags = flags,
		.ioas_id = ioas,
		.iova = iova,
		.length = *len,
	};

	if (ioctl(iommufd, IOMMU_IOAS_NOIOMMU_GET_PA, &gp))
		return -errno;
	*len = gp.length;
	*phys = gp.out_phys;
	return 0;
}

#endif
