/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Privileges split between wfdd's stream process and its link process
 * (p2p_link.h); privs.c drops the rest.
 */
#ifndef WFDD_P2P_PRIVS_H
#define WFDD_P2P_PRIVS_H

#include <stdint.h>
#include <sys/types.h>

#define NGROUPS_MAX_SMALL 64

/* The capabilities the link process keeps, as a mask of 1 << CAP_*. */
#define P2P_LINK_CAPS ((1ull << 12) /* CAP_NET_ADMIN */ | \
		       (1ull << 13) /* CAP_NET_RAW */ | \
		       (1ull << 10) /* CAP_NET_BIND_SERVICE */)

/*
 * Keep @keep of the capabilities held (effective, permitted, inheritable
 * and ambient, so helpers run with them) and no other: the bounding set
 * shrinks to them when CAP_SETPCAP allows, and no_new_privs is set.
 * @missing gets those of @keep that were not held.  0 or a negative errno.
 */
int p2p_privs_keep(uint64_t keep, uint64_t *missing);

/*
 * Leave the supplementary group @gid: 1 when left, 0 when not in it,
 * -EPERM without CAP_SETGID.
 */
int p2p_privs_leave_group(gid_t gid);

#endif
