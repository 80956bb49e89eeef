/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The wpa_supplicant backend (p2p_wpa_ops in p2p.h), and the parts of it
 * the unit tests reach without a supplicant.
 */
#ifndef WFDD_P2P_WPA_H
#define WFDD_P2P_WPA_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "p2p.h"

/*
 * Of the supplicant's interfaces @names, the one P2P commands go to:
 * with @want, "p2p-dev-<want>" or else @want itself; without, the only
 * P2P device ("p2p-dev-*"), or else the only interface that is not a
 * group and that @p2p_capable says does P2P.  0, -ENODEV (none), -EEXIST
 * (more than one).
 */
int p2p_wpa_pick_iface(char (*names)[IF_NAMESIZE], int n, const char *want,
		       bool (*p2p_capable)(void *opaque, const char *name), void *opaque,
		       char out[IF_NAMESIZE]);

/* The P2P_CONNECT command for @cp: 0, -EINVAL (bad address, PIN, intent). */
int p2p_wpa_connect_cmd(const char *addr, const struct p2p_connect_params *cp, char *cmd,
			size_t size);

#endif
