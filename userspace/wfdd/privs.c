// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Dropping every capability, with the raw capget()/capset() system calls
 * (no libcap for four calls).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "privs.h"

/* Version 3: two 32-bit words per set, capabilities 0 to 63. */
#define CAP_WORDS _LINUX_CAPABILITY_U32S_3

static int caps_get(struct __user_cap_data_struct d[CAP_WORDS])
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };

	return syscall(SYS_capget, &h, d) ? -errno : 0;
}

static int caps_set(const struct __user_cap_data_struct d[CAP_WORDS])
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };

	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

/* Empty the bounding set: every capability the kernel knows of. */
static int bounding_drop(void)
{
	int cap, in;

	/* PR_CAPBSET_READ fails with EINVAL past the last capability. */
	for (cap = 0; (in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) >= 0; cap++)
		if (in && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return -errno;
	return errno == EINVAL && cap > 0 ? 0 : -errno;
}

int privs_drop(bool *bounding_emptied)
{
	struct __user_cap_data_struct d[CAP_WORDS];
	unsigned int i = CAP_TO_INDEX(CAP_SETPCAP);
	uint32_t setpcap = CAP_TO_MASK(CAP_SETPCAP);
	int ret;

	*bounding_emptied = false;
	/* Ambient capabilities would survive an execve(): none. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		return -errno;
	ret = caps_get(d);
	if (ret)
		return ret;
	/* CAP_SETPCAP permitted but not effective: make it effective. */
	if ((d[i].permitted & setpcap) && !(d[i].effective & setpcap)) {
		d[i].effective |= setpcap;
		ret = caps_set(d);
		if (ret)
			return ret;
	}
	if (d[i].permitted & setpcap) {
		ret = bounding_drop();
		if (ret)
			return ret;
		*bounding_emptied = true;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	memset(d, 0, sizeof(d));
	ret = caps_set(d);
	if (ret)
		return ret;
	/* Check: a kernel that kept something back is not one to go on with. */
	ret = caps_get(d);
	if (ret)
		return ret;
	for (i = 0; i < CAP_WORDS; i++)
		if (d[i].effective || d[i].permitted || d[i].inheritable)
			return -EPERM;
	return 0;
}
