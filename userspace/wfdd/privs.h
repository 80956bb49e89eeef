/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Giving up privileges once the output is claimed: the claim fd carries
 * what CAP_SYS_ADMIN was needed for, and nothing wfdd does afterwards
 * (network, encoding, the sink's bytes) needs any capability.
 */
#ifndef WFDD_PRIVS_H
#define WFDD_PRIVS_H

#include <stdbool.h>

/*
 * Drop every capability of the process for good: clear the ambient set,
 * empty the bounding set while CAP_SETPCAP allows it (when the process has
 * CAP_SETPCAP at all), set no_new_privs (no execve() can give any back),
 * then empty the effective, permitted and inheritable sets.  Stores in
 * @bounding_emptied whether the bounding set is empty now; without
 * CAP_SETPCAP it stays as it was, which no_new_privs makes harmless.
 * Returns 0, or a negative errno with the process's capabilities in an
 * unknown state (the caller must exit).
 */
int privs_drop(bool *bounding_emptied);

#endif
