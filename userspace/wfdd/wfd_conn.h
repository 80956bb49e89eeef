/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RTSP connection of a Wi-Fi Display source: listens on the given
 * address, accepts one sink at a time (optionally only one peer address),
 * and moves bytes between the socket and the session state machine.
 */
#ifndef WFDD_WFD_CONN_H
#define WFDD_WFD_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "wfd_source.h"

#define WFD_RTSP_PORT	"7236"

struct wfd_conn {
	int listen_fd;
	int fd;			/* the sink's connection, -1 when none */
	char peer[64];		/* its numeric address, for RTP */
	char allow[64];		/* "": any peer */
	struct wfds session;
	int verbose;
	uint64_t now;		/* of the last wfd_conn_io() */
};

/*
 * Listen on @addr: "HOST", "HOST:PORT" or "[V6]:PORT" (port 7236 by
 * default); accept only @allow (a host name or address) when not NULL.
 * Returns 0 or a negative errno.
 */
int wfd_conn_listen(struct wfd_conn *c, const char *addr, const char *allow);

/*
 * Accept a pending connection (the listening socket polled readable) and
 * start a session on it with @cfg (host is filled in here).  Returns 0,
 * -EAGAIN when there was none or it was refused, or a negative errno.
 */
int wfd_conn_accept(struct wfd_conn *c, const struct wfds_config *cfg, uint64_t now_ms);

/* poll() events for the sink's connection. */
short wfd_conn_events(const struct wfd_conn *c);
/* Handle @revents of the sink's connection, then the timers, then write what may go. */
void wfd_conn_io(struct wfd_conn *c, short revents, uint64_t now_ms);
/* poll() timeout until the session's next deadline, -1 for none. */
int wfd_conn_timeout(const struct wfd_conn *c, uint64_t now_ms);

/*
 * The EDID to connect the output with: the sink's own when it sent one,
 * else one synthesized from the modes it lists, named @name.  Returns the
 * size or a negative errno.
 */
int wfd_conn_edid(const struct wfd_conn *c, const char *name, uint8_t *edid, size_t size);

/* Write what is left (bounded wait), close the sink's connection. */
void wfd_conn_hangup(struct wfd_conn *c);
void wfd_conn_close(struct wfd_conn *c);

#endif
