/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wfdd's link process and the narrow channel to it.
 *
 * Forming P2P groups with sinks needs privileges the process that parses
 * RTSP from the network must not hold: the supplicant's control socket
 * (root or its group, netdev on Debian), and CAP_NET_ADMIN, CAP_NET_RAW
 * and CAP_NET_BIND_SERVICE for the addresses, the DHCP server and the
 * DHCP client.  Groups come and go with the sinks, so these cannot be
 * dropped once: wfdd forks a link process before it drops its
 * privileges, the link process keeps those and nothing else, and the two
 * speak over a socketpair in fixed-size messages:
 *
 *   link -> stream  UP      a group with the sink is up: listen on .local
 *                           port .port for .peer only
 *                   DOWN    the group went away: end the session with
 *                           .status and .diag (the output unplugs)
 *                   FATAL   the link cannot go on: exit with .status
 *   stream -> link  SESSION a sink connected (.busy 1: the WFD IE says
 *                           "not available"), or its session ended (0:
 *                           leave the group, find the sink again)
 *
 * Each side checks every field of what it gets.  The stream process
 * never tells the link process where to connect or what to run; the
 * link process never sees the network's bytes.  Closing the channel ends
 * the other side: the link process leaves the group and exits.
 */
#ifndef WFDD_P2P_LINK_H
#define WFDD_P2P_LINK_H

#include <arpa/inet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "p2p.h"

enum p2p_link_msg_type {
	P2P_LINK_UP = 1,
	P2P_LINK_DOWN,
	P2P_LINK_FATAL,
	P2P_LINK_SESSION,
};

struct p2p_link_msg {
	uint32_t type;
	int32_t status;			/* DOWN: WFD_STATUS_*; FATAL: exit status */
	int32_t diag;			/* DOWN: a negative errno */
	uint32_t busy;			/* SESSION */
	uint16_t port;			/* UP: the RTSP port to listen on */
	char ifname[IF_NAMESIZE];	/* UP: the group interface */
	char local[INET_ADDRSTRLEN];	/* UP: this side's address in the group */
	char peer[INET_ADDRSTRLEN];	/* UP: the sink's */
	char peer_name[P2P_NAME_LEN];	/* UP: the sink's device name */
};

/* Send one message: 0 or a negative errno. */
int p2p_link_send(int fd, const struct p2p_link_msg *m);
/*
 * Receive and check one message: 0, -ENOTCONN when the other side closed,
 * -EAGAIN when none is pending, -EPROTO for a malformed one.
 */
int p2p_link_recv(int fd, struct p2p_link_msg *m);
/* What a received message must be to be taken (p2p_link_recv() does it). */
int p2p_link_check(struct p2p_link_msg *m);

/* What wfdd's --p2p options ask of the link process. */
struct p2p_link_opts {
	const char *target;		/* --p2p NAME|MAC */
	const char *backend;		/* auto, wpa, nm */
	enum p2p_method method;
	const char *pin;
	int go_intent;			/* -1: 7 */
	const char *iface, *ctrl;
	int timeout_s;			/* the first find; 0: no end */
	int retry_s;			/* pause before finding again */
	bool save_config;
	uint16_t port;			/* RTSP, announced in the WFD IE */
	int verbose;
};

/* The stream process's end of the link. */
struct p2p_link {
	int fd;
	pid_t pid;
};

/*
 * Fork the link process, before the privileges are dropped.  In the
 * parent, the group of the supplicant's control socket is given up when
 * CAP_SETGID allows (the link process keeps it).  0 or a negative errno.
 */
int p2p_link_spawn(struct p2p_link *l, const struct p2p_link_opts *o);
/* Tell the link a session started (@busy) or ended. */
int p2p_link_session(struct p2p_link *l, bool busy);
/* Close the channel (the link process leaves the group and exits) and reap it. */
void p2p_link_close(struct p2p_link *l);

/*
 * Is a wfdd link process using the P2P device @dev (for wfdctl sinks)?
 * 1, 0, or a negative errno.
 */
int p2p_link_running(const char *dev);
/* The P2P device a backend opened ("p2p-dev-wlan0"), "" if it cannot say. */
const char *p2p_link_dev_name(const struct p2p *p);

/* Option parsing shared with main.c: "--p2p-..." options. */
int p2p_link_opts_default(struct p2p_link_opts *o);

/* Runs in the link process; never returns. */
void p2p_link_main(int fd, const struct p2p_link_opts *o) __attribute__((noreturn));

#endif
