/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Find the VFIO device cdev of a PCI device bound to vfio-pci from its
 * vfio-dev/ directory in sysfs: shared by the harness programs that open it
 * (noiommu_dma_demo.c, vfio_rst_example.c, noiommu_bench.c) and those that
 * check its name (noiommu_cdev_smoke.c, noiommu_mixed.c).
 */
#ifndef NOIOMMU_VFIO_DEV_H
#define NOIOMMU_VFIO_DEV_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/*
 * The name of the cdev of the device at @bdf, whatever it is (vfioN, or
 * noiommu-vfioN for a noiommu device), into @name. Return 0, or -errno:
 * -ENOENT if the device has no vfio-dev/ directory (not bound to vfio-pci)
 * or no entry in it, -ENAMETOOLONG if a name does not fit.
 */
static inline int vfio_dev_name(const char *bdf, char *name, size_t len)
{
	struct dirent *de;
	char dir[512];
	int rc = -ENOENT;
	DIR *d;

	if (snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vfio-dev",
		     bdf) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] != '.') {
			rc = snprintf(name, len, "%s", de->d_name) < (int)len ?
			     0 : -ENAMETOOLONG;
			break;
		}
	}
	closedir(d);
	return rc;
}

/*
 * The /dev path of the noiommu-vfioN cdev of the device at @bdf, into @path.
 * Return 0, or -errno as vfio_dev_name() does, and -ENODEV if the device's
 * cdev is not a noiommu one (vfioN: the device has an IOMMU).
 */
static inline int noiommu_cdev_path(const char *bdf, char *path, size_t len)
{
	char name[256];
	int rc;

	rc = vfio_dev_name(bdf, name, sizeof(name));
	if (rc)
		return rc;
	if (strncmp(name, "noiommu-vfio", strlen("noiommu-vfio")))
		return -ENODEV;
	if (snprintf(path, len, "/dev/vfio/devices/%s", name) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

/* What a failure of noiommu_cdev_path() means, for a message */
static inline const char *noiommu_cdev_error(int rc)
{
	switch (rc) {
	case -ENOENT:
		return "no VFIO cdev (is the device bound to vfio-pci?)";
	case -ENODEV:
		return "its VFIO cdev is not a noiommu-vfioN one (it has an IOMMU)";
	default:
		return "cannot find its noiommu-vfioN cdev";
	}
}

#endif
