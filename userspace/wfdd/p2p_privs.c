// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The privileges of wfdd's two processes once the link process is forked:
 * the link process keeps the network capabilities and the supplicant's
 * group, and nothing else; the stream process gives that group up before
 * privs_drop() takes everything else.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "p2p_privs.h"

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

static uint64_t set_of(const struct __user_cap_data_struct d[CAP_WORDS], int which)
{
	uint64_t s = 0;

	for (int i = 0; i < CAP_WORDS; i++)
		s |= (uint64_t)(which == 0 ? d[i].effective : which == 1 ? d[i].permitted :
			       d[i].inheritable) << (32 * i);
	return s;
}

static int raise_effective(int cap)
{
	struct __user_cap_data_struct d[CAP_WORDS];
	int ret = caps_get(d);

	if (ret)
		return ret;
	if (!(d[CAP_TO_INDEX(cap)].permitted & CAP_TO_MASK(cap)))
		return -EPERM;
	d[CAP_TO_INDEX(cap)].effective |= CAP_TO_MASK(cap);
	return caps_set(d);
}

int p2p_privs_keep(uint64_t keep, uint64_t *missing)
{
	struct __user_cap_data_struct d[CAP_WORDS];
	uint64_t have;
	int ret, cap, in;

	ret = caps_get(d);
	if (ret)
		return ret;
	have = set_of(d, 1);
	*missing = keep & ~have;
	keep &= have;
	/*
	 * The bounding set: what root gets back at every execve() of a
	 * helper.  Only what is kept stays in it.
	 */
	if (!raise_effective(CAP_SETPCAP)) {
		for (cap = 0; (in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) >= 0; cap++)
			if (in && !(cap < 64 && (keep >> cap & 1)) &&
			    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
				return -errno;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		return -errno;
	for (int i = 0; i < CAP_WORDS; i++) {
		d[i].effective = d[i].permitted = d[i].inheritable = (uint32_t)(keep >> (32 * i));
	}
	ret = caps_set(d);
	if (ret)
		return ret;
	/* Ambient: the helpers (dnsmasq, dhclient) run with these too. */
	for (cap = 0; cap < 64; cap++)
		if ((keep >> cap & 1) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0))
			return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	ret = caps_get(d);
	if (ret)
		return ret;
	if (set_of(d, 0) != keep || set_of(d, 1) != keep)
		return -EPERM;
	return 0;
}

int p2p_privs_leave_group(gid_t gid)
{
	gid_t groups[NGROUPS_MAX_SMALL], kept[NGROUPS_MAX_SMALL];
	int n = getgroups(NGROUPS_MAX_SMALL, groups), k = 0;

	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++)
		if (groups[i] != gid)
			kept[k++] = groups[i];
	if (k == n)
		return 0;
	if (raise_effective(CAP_SETGID) || setgroups((size_t)k, kept))
		return -EPERM;
	return 1;
}
