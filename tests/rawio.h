/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Open a file as a root process that lacks CAP_SYS_RAWIO, the capability
 * that a noiommu VFIO device needs: shared by the harness programs that check
 * which device cdevs demand it (noiommu_cdev_smoke.c, noiommu_mixed.c).
 */
#ifndef NOIOMMU_RAWIO_H
#define NOIOMMU_RAWIO_H

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

/* Drop CAP_SYS_RAWIO from this process's effective set; 0 or -errno */
static inline int drop_rawio(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_TO_INDEX(CAP_SYS_RAWIO)].effective &=
		~CAP_TO_MASK(CAP_SYS_RAWIO);
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

/*
 * open(@path, O_RDWR) in a child without CAP_SYS_RAWIO: 0 if it opened, the
 * errno of open() if not, -1 if the child could not tell (200 if it could
 * not drop the capability).
 */
static inline int open_without_rawio(const char *path)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd;

		if (drop_rawio())
			_exit(200);
		fd = open(path, O_RDWR);
		_exit(fd >= 0 ? 0 : errno & 0xff);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#endif
