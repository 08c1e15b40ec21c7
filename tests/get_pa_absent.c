// SPDX-License-Identifier: GPL-2.0
/*
 * get_pa_absent: on a kernel built without noiommu support
 * (CONFIG_IOMMUFD_NOIOMMU=n), IOMMU_IOAS_NOIOMMU_GET_PA fails with
 * EOPNOTSUPP before any other check, as in the mainline ABI: before the
 * CAP_SYS_RAWIO check (EPERM), the flags (also EOPNOTSUPP, so the test uses
 * valid ones), the length (EINVAL) and the IOAS look up (ENOENT).
 * Prints TAP; run as root in the guest of the Kconfig matrix variant
 * 05-cdev-only-no-noiommu (scripts/kconfig-matrix.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/iommufd.h>

static int n, fails;

static void expect(int fd, struct iommu_ioas_noiommu_get_pa *cmd,
		   const char *what)
{
	int ret = ioctl(fd, IOMMU_IOAS_NOIOMMU_GET_PA, cmd) ? errno : 0;

	n++;
	if (ret == EOPNOTSUPP) {
		printf("ok %d %s: EOPNOTSUPP\n", n, what);
	} else {
		printf("not ok %d %s: %s, expected EOPNOTSUPP\n", n, what,
		       ret ? strerror(ret) : "success");
		fails++;
	}
}

int main(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_noiommu_get_pa cmd = { .size = sizeof(cmd) };
	int fd;

	printf("TAP version 13\n1..4\n");
	fd = open("/dev/iommu", O_RDWR);
	if (fd < 0 || ioctl(fd, IOMMU_IOAS_ALLOC, &alloc)) {
		printf("Bail out! /dev/iommu: %s\n", strerror(errno));
		return 1;
	}

	cmd.ioas_id = alloc.out_ioas_id;
	cmd.length = 4096;
	expect(fd, &cmd, "a valid call on an IOAS");
	cmd.length = 0;
	expect(fd, &cmd, "length 0, which would be EINVAL");
	cmd.length = 4096;
	cmd.ioas_id = 0;
	expect(fd, &cmd, "an unknown IOAS, which would be ENOENT");

	/* Without CAP_SYS_RAWIO, which would be EPERM */
	cmd.ioas_id = alloc.out_ioas_id;
	if (syscall(SYS_capget, &hdr, data)) {
		printf("Bail out! capget: %s\n", strerror(errno));
		return 1;
	}
	data[CAP_TO_INDEX(CAP_SYS_RAWIO)].effective &=
		~CAP_TO_MASK(CAP_SYS_RAWIO);
	if (syscall(SYS_capset, &hdr, data)) {
		printf("Bail out! capset: %s\n", strerror(errno));
		return 1;
	}
	expect(fd, &cmd, "without CAP_SYS_RAWIO, which would be EPERM");
	return fails ? 1 : 0;
}
