// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wfdd --p2p, the stream process's side: options, the link process's
 * start, and its messages turned into listening sockets and session
 * endings.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "p2p_serve.h"
#include "wfdd.h"

static int number(const char *arg, int min, int max, int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (!*arg || *end || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

int p2p_serve_option(struct p2p_link_opts *o, int c, const char *arg)
{
	int m;

	if (!o->port)
		p2p_link_opts_default(o);
	switch (c) {
	case P2P_OPT_TARGET:
		if (!*arg || strlen(arg) >= P2P_NAME_LEN) {
			fprintf(stderr, "wfdd: --p2p takes a sink's name (up to 32 bytes) or address\n");
			return -1;
		}
		o->target = arg;
		return 1;
	case P2P_OPT_BACKEND:
		if (strcmp(arg, "auto") && !p2p_backend(arg)) {
			fprintf(stderr, "wfdd: --p2p-backend takes auto, wpa%s\n",
				p2p_backend("nm") ? ", nm" : " (nm: not built in)");
			return -1;
		}
		o->backend = arg;
		return 1;
	case P2P_OPT_METHOD:
		m = p2p_method_parse(arg);
		if (m < 0) {
			fprintf(stderr, "wfdd: --p2p-method takes auto, pbc, pin-display, pin-keypad, join\n");
			return -1;
		}
		o->method = (enum p2p_method)m;
		return 1;
	case P2P_OPT_PIN:
		if ((strlen(arg) != 8 && strlen(arg) != 4) || strspn(arg, "0123456789") != strlen(arg)) {
			fprintf(stderr, "wfdd: --p2p-pin takes 4 or 8 digits\n");
			return -1;
		}
		o->pin = arg;
		return 1;
	case P2P_OPT_GO_INTENT:
		if (number(arg, 0, 15, &o->go_intent)) {
			fprintf(stderr, "wfdd: --p2p-go-intent takes 0 to 15\n");
			return -1;
		}
		return 1;
	case P2P_OPT_IFACE:
		if (!*arg || strlen(arg) >= IF_NAMESIZE) {
			fprintf(stderr, "wfdd: --p2p-iface takes an interface name\n");
			return -1;
		}
		o->iface = arg;
		return 1;
	case P2P_OPT_CTRL:
		o->ctrl = arg;
		return 1;
	case P2P_OPT_TIMEOUT:
		if (number(arg, 0, 86400, &o->timeout_s)) {
			fprintf(stderr, "wfdd: --p2p-timeout takes seconds (0: no end)\n");
			return -1;
		}
		return 1;
	case P2P_OPT_SAVE:
		o->save_config = true;
		return 1;
	}
	return 0;
}

int p2p_serve_check(const struct p2p_link_opts *o, bool other_mode)
{
	const struct p2p_ops *ops;

	if (!o->target) {
		/* p2p_serve_option() set the port: a --p2p-... option came alone. */
		if (o->port)
			fprintf(stderr, "wfdd: the --p2p-... options need --p2p NAME|MAC\n");
		return o->port ? -1 : 0;
	}
	if (other_mode) {
		fprintf(stderr, "wfdd: --p2p replaces --listen and --allow, and does not go with --rtp "
			"or --mode\n");
		return -1;
	}
	if (o->method == P2P_METHOD_PIN_KEYPAD && !o->pin) {
		fprintf(stderr, "wfdd: --p2p-method pin-keypad needs --p2p-pin (the PIN the sink shows)\n");
		return -1;
	}
	if (o->pin && o->method != P2P_METHOD_PIN_KEYPAD && o->method != P2P_METHOD_PIN_DISPLAY) {
		fprintf(stderr, "wfdd: --p2p-pin goes with --p2p-method pin-display or pin-keypad\n");
		return -1;
	}
	ops = strcmp(o->backend, "auto") ? p2p_backend(o->backend) : NULL;
	if (ops && ((!ops->pin && (o->method == P2P_METHOD_PIN_DISPLAY ||
				   o->method == P2P_METHOD_PIN_KEYPAD)) ||
		    (!ops->join && o->method == P2P_METHOD_JOIN) ||
		    (!ops->go_intent && o->go_intent >= 0))) {
		fprintf(stderr, "wfdd: the %s backend connects by push button only: no PIN, no join, "
			"no GO intent\n", ops->name);
		return -1;
	}
	return 0;
}

int p2p_serve_start(struct wfdd *d)
{
	int ret = p2p_link_spawn(&d->link, &d->o.p2p);

	if (ret)
		fprintf(stderr, "wfdd: cannot start the P2P link process: %s\n", strerror(-ret));
	return ret;
}

int p2p_serve_fd(const struct wfdd *d)
{
	return d->o.p2p.target ? d->link.fd : -1;
}

static const char *const status_names[] = {
	"critical error", "missing keep-alive", "sink disconnect request",
	"insufficient bandwidth", "sink failed mode change", "companion disconnect",
};

/* Act on the link's message outside a session: 0 go on (@m->type says what came). */
static int read_link(struct wfdd *d, struct p2p_link_msg *m)
{
	int ret = p2p_link_recv(d->link.fd, m);

	if (ret == -EAGAIN || ret == -EPROTO) {
		if (ret == -EPROTO)
			fprintf(stderr, "wfdd: malformed message from the link process ignored\n");
		m->type = 0;
		return 0;
	}
	if (ret) {
		fprintf(stderr, "wfdd: the P2P link process is gone\n");
		return 1;
	}
	if (m->type == P2P_LINK_FATAL)
		return m->status;
	return 0;
}

static int listen_up(struct wfdd *d, struct wfd_conn *conn, const struct p2p_link_msg *m)
{
	char addr[INET_ADDRSTRLEN + 8];
	int ret;

	snprintf(addr, sizeof(addr), "%s:%u", m->local, m->port);
	ret = wfd_conn_listen(conn, addr, m->peer[0] ? m->peer : NULL);
	if (ret) {
		fprintf(stderr, "wfdd: cannot listen on %s in group %s: %s\n", addr, m->ifname,
			strerror(-ret));
		return ret;
	}
	conn->verbose = d->o.verbose;
	fprintf(stderr, "wfdd: waiting for sink \"%s\" (%s) on %s\n", m->peer_name,
		m->peer[0] ? m->peer : "any address", addr);
	return 0;
}

int p2p_serve_wait(struct wfdd *d, struct wfd_conn *conn, int sigfd)
{
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = d->link.fd, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
		};
		struct p2p_link_msg m;
		int ret;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p[1].revents) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) < 0)
				si.ssi_signo = 0;
			return SESSION_GRACEFUL;
		}
		ret = read_link(d, &m);
		if (ret)
			return ret;
		if (m.type != P2P_LINK_UP)
			continue;
		if (listen_up(d, conn, &m)) {
			/* The group is no use: the link leaves it and finds again. */
			p2p_link_session(&d->link, false);
			continue;
		}
		return 0;
	}
}

int p2p_serve_link(struct wfdd *d, struct wfd_conn *conn, int sigfd)
{
	struct p2p_link_msg m;
	int ret = read_link(d, &m);

	if (ret)
		return ret;
	if (m.type == P2P_LINK_DOWN) {
		/* No sink came on this group: wait for the next one. */
		wfd_conn_close(conn);
		return p2p_serve_wait(d, conn, sigfd);
	}
	return 0;
}

void p2p_serve_started(struct wfdd *d)
{
	if (d->o.p2p.target)
		p2p_link_session(&d->link, true);
}

int p2p_serve_ended(struct wfdd *d, struct wfd_conn *conn, int sigfd)
{
	if (!d->o.p2p.target)
		return 0;
	p2p_link_session(&d->link, false);
	wfd_conn_close(conn);
	if (d->stopping)
		return SESSION_GRACEFUL;
	return p2p_serve_wait(d, conn, sigfd);
}

int p2p_serve_during(struct wfdd *d)
{
	struct p2p_link_msg m;
	int ret = p2p_link_recv(d->link.fd, &m);

	if (ret == -EAGAIN || ret == -EPROTO)
		return SESSION_ON;
	if (ret) {
		fprintf(stderr, "wfdd: the P2P link process is gone\n");
		d->diag = -ENOLINK;
		d->stopping = true;
		return WFD_STATUS_CRITICAL_ERROR;
	}
	if (m.type == P2P_LINK_DOWN) {
		fprintf(stderr, "wfdd: the P2P group is gone: %s\n", status_names[m.status]);
		d->diag = m.diag;
		return m.status;
	}
	if (m.type == P2P_LINK_FATAL) {
		d->diag = -ENOLINK;
		d->stopping = true;
		return WFD_STATUS_CRITICAL_ERROR;
	}
	return SESSION_ON;
}

void p2p_serve_stop(struct wfdd *d)
{
	if (d->o.p2p.target)
		p2p_link_close(&d->link);
}
