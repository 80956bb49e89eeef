/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RTSP connection of a Wi-Fi Display source: listens on the given
 * address, accepts one sink at a time (optionally only from the addresses
 * of one peer), and moves bytes between the socket and the session state
 * machine.
 */
#ifndef WFDD_WFD_CONN_H
#define WFDD_WFD_CONN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "wfd_source.h"

#define WFD_RTSP_PORT	"7236"
#define WFD_CONN_MAX_ALLOW	16
/* The largest EDID the output is connected with (wfd_edid_describe() of every mode). */
#define WFD_CONN_MAX_EDID	(32 * 128)

/* wfd_conn_listen_opts() flags. */
#define WFD_CONN_ALLOW_ANY	(1u << 0)	/* a wildcard address without --allow */

struct wfd_conn {
	int listen_fd;
	int fd;			/* the sink's connection, -1 when none */
	char peer[64];		/* its numeric address, for RTP and the log */
	struct sockaddr_in6 peer_addr;	/* its address, IPv4 as v4-mapped */
	char allow[256];	/* "": any peer */
	/* The addresses @allow resolved to, IPv4 as v4-mapped. */
	struct in6_addr allow_addrs[WFD_CONN_MAX_ALLOW];
	unsigned int nallow;
	/* The output was connected with the sink's own EDID (else ours). */
	bool edid_own;
	/* Our RTP socket, bound before SETUP so that its reply names its port. */
	int rtp_fd;
	uint16_t rtp_port;
	struct wfds session;
	int verbose;
	uint64_t now;		/* of the last wfd_conn_io() */
	/* Refused connections: logged at most once per interval, then counted. */
	uint64_t refused_logged;
	unsigned long refused_quiet;
	/* Where log lines go (NULL: stderr; set after listening), without line ends. */
	void (*log)(void *opaque, const char *line);
	void *log_opaque;
};

/*
 * Listen on @addr: "HOST", "HOST:PORT" or "[V6]:PORT" (port 7236 by
 * default); accept only the addresses of @allow (a host name or address,
 * every address it resolves to) when not NULL.  The address need not
 * exist yet (IP_FREEBIND): a Wi-Fi Direct group may come up later.  A
 * wildcard address (0.0.0.0, [::]) would let anyone on every network of
 * the host take the output: it is refused (-EINVAL, with a log line)
 * unless @allow is given or @flags has WFD_CONN_ALLOW_ANY.  Returns 0 or
 * a negative errno.
 */
int wfd_conn_listen_opts(struct wfd_conn *c, const char *addr, const char *allow,
			 unsigned int flags);
int wfd_conn_listen(struct wfd_conn *c, const char *addr, const char *allow);

/*
 * Accept a pending connection (the listening socket polled readable) and
 * start a session on it with @cfg (host, rtp_server_port and the log are
 * filled in here).  The connection gets TCP keep-alives that find a sink
 * gone half-open within cfg->keepalive_timeout_ms.  Returns 0, -EAGAIN
 * when there was none or it was refused, or a negative errno.
 */
int wfd_conn_accept(struct wfd_conn *c, const struct wfds_config *cfg, uint64_t now_ms);

/* Whether @peer (IPv4, IPv6 or v4-mapped) is allowed. */
bool wfd_conn_allowed(const struct wfd_conn *c, const struct sockaddr *peer);

/* poll() events for the sink's connection. */
short wfd_conn_events(const struct wfd_conn *c);
/*
 * Handle @revents of the sink's connection (reading at most
 * WFD_CONN_MAX_READ bytes: a flooding sink does not starve the stream),
 * then the timers, then write what may go.
 */
#define WFD_CONN_MAX_READ	(16 * 1024)
void wfd_conn_io(struct wfd_conn *c, short revents, uint64_t now_ms);
/* poll() timeout until the session's next deadline, -1 for none. */
int wfd_conn_timeout(const struct wfd_conn *c, uint64_t now_ms);

/*
 * The EDID to connect the output with: the sink's own when it sent one,
 * without the modes the source cannot send it (wfds_sink_modes()), else
 * one that describes exactly those modes, named @name.  Logs what it did
 * to the sink's EDID.  Returns the size or a negative errno.
 */
int wfd_conn_edid(struct wfd_conn *c, const char *name, uint8_t *edid, size_t size);

/*
 * Connect the output through @connect (0 or a negative errno): with
 * wfd_conn_edid()'s EDID, and when the kernel refuses the sink's own
 * (-EINVAL), once more with the synthesized one, saying so once.
 * Returns @connect's result; edid_own says which EDID it took.
 */
int wfd_conn_connect_output(struct wfd_conn *c, const char *name,
			    int (*connect)(void *opaque, const uint8_t *edid, size_t size),
			    void *opaque);

/*
 * The RTP socket for the sink's @port: the one bound at accept (whose
 * port SETUP's reply named), connected to the sink.  The caller owns it.
 * Returns an fd or a negative errno.
 */
int wfd_conn_rtp_socket(struct wfd_conn *c, uint16_t port);

/* Write what is left (bounded wait), close the sink's connection. */
void wfd_conn_hangup(struct wfd_conn *c);
void wfd_conn_close(struct wfd_conn *c);

#endif
