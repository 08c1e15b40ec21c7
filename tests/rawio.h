/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run a step (an open, a bind) as a root process that lacks CAP_SYS_RAWIO,
 * the capability that a noiommu VFIO device needs: shared by the harness
 * programs that check which device cdevs demand it (noiommu_cdev_smoke.c,
 * noiommu_mixed.c).
 */
#ifndef NOIOMMU_RAWIO_H
#define NOIOMMU_RAWIO_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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
 * @fn(@arg) in a child without CAP_SYS_RAWIO: what it returned (0 or an
 * errno, below 200), 200 if the child could not drop the capability, -1 if
 * the child did not exit normally.
 */
static inline int run_without_rawio(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(drop_rawio() ? 200 : fn(arg) & 0xff);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static inline int open_rdwr(void *path)
{
	return open(path, O_RDWR) >= 0 ? 0 : errno;
}

/* open(@path, O_RDWR) without CAP_SYS_RAWIO: as run_without_rawio() */
static inline int open_without_rawio(const char *path)
{
	return run_without_rawio(open_rdwr, (void *)path);
}

#endif
