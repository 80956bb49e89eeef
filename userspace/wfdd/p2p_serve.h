/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wfdd --p2p: the stream process's side of the link process
 * (p2p_link.h).  Instead of one --listen address for good, wfdd listens
 * on each group's address for that group's sink, and a group that goes
 * away ends the session.
 */
#ifndef WFDD_P2P_SERVE_H
#define WFDD_P2P_SERVE_H

#include <stdbool.h>

#include "p2p_link.h"

struct wfdd;
struct wfd_conn;

enum {
	P2P_OPT_TARGET = 0x200, P2P_OPT_BACKEND, P2P_OPT_METHOD, P2P_OPT_PIN, P2P_OPT_GO_INTENT,
	P2P_OPT_IFACE, P2P_OPT_CTRL, P2P_OPT_TIMEOUT, P2P_OPT_SAVE,
};

/* wfdd's long options for P2P, for its getopt_long() table. */
#define P2P_LONG_OPTIONS \
	{ "p2p", required_argument, NULL, P2P_OPT_TARGET }, \
	{ "p2p-backend", required_argument, NULL, P2P_OPT_BACKEND }, \
	{ "p2p-method", required_argument, NULL, P2P_OPT_METHOD }, \
	{ "p2p-pin", required_argument, NULL, P2P_OPT_PIN }, \
	{ "p2p-go-intent", required_argument, NULL, P2P_OPT_GO_INTENT }, \
	{ "p2p-iface", required_argument, NULL, P2P_OPT_IFACE }, \
	{ "p2p-ctrl", required_argument, NULL, P2P_OPT_CTRL }, \
	{ "p2p-timeout", required_argument, NULL, P2P_OPT_TIMEOUT }, \
	{ "p2p-save-config", no_argument, NULL, P2P_OPT_SAVE }

#define P2P_USAGE \
	"       wfdd --p2p NAME|MAC [--p2p-method auto|pbc|pin-display|pin-keypad|join]\n" \
	"            [--p2p-pin PIN] [--p2p-go-intent 0-15] [--p2p-iface IFACE]\n" \
	"            [--p2p-backend auto|wpa|nm] [--p2p-ctrl PATH] [--p2p-timeout S] ...\n"

/*
 * One of P2P_LONG_OPTIONS: 1 taken, 0 not one of them, -1 a bad value
 * (said).
 */
int p2p_serve_option(struct p2p_link_opts *o, int c, const char *arg);
/* The options together, once parsed: 0 or -1 (said). */
int p2p_serve_check(const struct p2p_link_opts *o, bool other_mode);

/* Fork the link process: before the claim and the privilege drop. */
int p2p_serve_start(struct wfdd *d);
/* The channel's fd to poll, -1 without --p2p. */
int p2p_serve_fd(const struct wfdd *d);

/*
 * Wait for a group with the sink and listen on it (@conn): 0 listening,
 * SESSION_GRACEFUL (SIGINT/SIGTERM), or an exit status.
 */
int p2p_serve_wait(struct wfdd *d, struct wfd_conn *conn, int sigfd);
/* A message while waiting for the sink's connection: as p2p_serve_wait(). */
int p2p_serve_link(struct wfdd *d, struct wfd_conn *conn, int sigfd);
/* A sink connected (told to the link: no session available). */
void p2p_serve_started(struct wfdd *d);
/* Its session ended: leave the group, wait for the next (as p2p_serve_wait()). */
int p2p_serve_ended(struct wfdd *d, struct wfd_conn *conn, int sigfd);
/* A message while a session runs: SESSION_ON, or the status to end it with. */
int p2p_serve_during(struct wfdd *d);
/* Close the channel: the link process leaves the group and exits. */
void p2p_serve_stop(struct wfdd *d);

#endif
