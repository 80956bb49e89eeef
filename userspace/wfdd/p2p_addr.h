/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Addresses in a P2P group, for the link process: the group owner takes
 * 192.168.N.1/24 and serves one lease with dnsmasq; a client asks the
 * group owner with dhclient.  No DHCP of wfdd's own: Debian's
 * dnsmasq-base and isc-dhcp-client do it, run as children of the link
 * process with its capabilities.  dhclient runs with a script that does
 * nothing (-sf true): wfdd reads the lease and sets the address itself,
 * so nothing else of the host changes (no resolv.conf, no routes).
 */
#ifndef WFDD_P2P_ADDR_H
#define WFDD_P2P_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/types.h>

/* Add @addr/@prefix on @ifname (rtnetlink).  0 or a negative errno. */
int p2p_addr_add(const char *ifname, struct in_addr addr, int prefix);

/*
 * A /24 for a group this side owns: 192.168.49.0 unless an address of
 * this host is in it already, then 192.168.50.0 and so on.
 */
struct in_addr p2p_addr_pick_subnet(void);

/*
 * Start dnsmasq on @ifname, serving @lease alone (no router, no DNS);
 * its lease file and log go into @rundir.  The pid, or a negative errno.
 */
pid_t p2p_dhcp_server(const char *ifname, struct in_addr lease, const char *rundir,
		      bool log_to_stderr);
/* Start dhclient on @ifname, its lease file into @rundir: pid or -errno. */
pid_t p2p_dhcp_client(const char *ifname, const char *rundir, bool log_to_stderr);

struct p2p_lease {
	struct in_addr ip, mask, server, router;
};

/*
 * The last complete lease in the text of dhclient's lease file: 0, or
 * -ENOENT while there is none.
 */
int p2p_dhclient_lease(const char *text, struct p2p_lease *l);
/* Read @rundir's lease file of @ifname: 0, -ENOENT. */
int p2p_dhclient_read(const char *rundir, const char *ifname, struct p2p_lease *l);

/* The last lines of a helper's log in @rundir, to stderr with @prefix. */
void p2p_helper_log_tail(const char *rundir, const char *name, const char *prefix, int lines);

/* A prefix length from a netmask; 24 when it is not one. */
int p2p_mask_prefix(struct in_addr mask);

#endif
