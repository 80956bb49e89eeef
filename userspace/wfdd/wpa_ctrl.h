/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A client of wpa_supplicant's control interface: datagrams over a
 * pathname AF_UNIX socket the supplicant made (one per interface under
 * its control directory, or one global socket).  A command is one
 * datagram; its reply is the next datagram that is not an event.  A
 * socket that sent ATTACH also gets every event:
 *
 *   per-interface socket:  "<3>P2P-DEVICE-FOUND ..."
 *   global socket:         "IFNAME=p2p-dev-wlan0 <3>P2P-DEVICE-FOUND ..."
 *
 * and per-interface commands on the global socket take the same
 * "IFNAME=... " prefix.  The client binds an abstract address the kernel
 * picks, so nothing is left behind in the file system.
 */
#ifndef WFDD_WPA_CTRL_H
#define WFDD_WPA_CTRL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

/* The largest reply or event the supplicant sends (it uses 4096). */
#define WPA_CTRL_MAX	8192

struct wpa_ctrl {
	int fd;
	char prefix[IF_NAMESIZE + 8];	/* "IFNAME=<ifname> " or "" */
	bool attached;
};

/*
 * Connect to the socket at @path; @ifname, when not NULL, is put before
 * every command (a global socket).  0 or a negative errno.
 */
int wpa_ctrl_open(struct wpa_ctrl *c, const char *path, const char *ifname);
void wpa_ctrl_close(struct wpa_ctrl *c);

/*
 * Send @cmd and wait up to @timeout_ms for its reply, which is copied
 * NUL-terminated into @reply (truncated to @size - 1).  Returns the
 * reply's length, or -ETIMEDOUT, or another negative errno.
 */
int wpa_ctrl_request(struct wpa_ctrl *c, const char *cmd, char *reply, size_t size,
		     int timeout_ms);
/* A command whose reply must be "OK": 0, -EIO for "FAIL...", or an errno. */
int wpa_ctrl_command(struct wpa_ctrl *c, const char *cmd, int timeout_ms);

/* Subscribe this socket to events (ATTACH). */
int wpa_ctrl_attach(struct wpa_ctrl *c, int timeout_ms);

/*
 * One pending datagram, NUL-terminated, without waiting: its length,
 * -EAGAIN when none is pending, or a negative errno (-ECONNREFUSED once
 * the supplicant is gone).
 */
int wpa_ctrl_recv(struct wpa_ctrl *c, char *buf, size_t size);

/*
 * Split an event into the interface it came from (the "IFNAME=" prefix,
 * else "" into @ifname), its level (the "<N>", -1 if none) and its text.
 * Returns the text, or NULL when @msg is not an event.
 */
const char *wpa_ctrl_event_split(const char *msg, char ifname[IF_NAMESIZE], int *level);

#endif
