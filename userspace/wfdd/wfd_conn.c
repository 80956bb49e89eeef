// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RTSP connection of a Wi-Fi Display source: sockets around the session.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wfd_conn.h"

static void conn_log(void *opaque, const char *fmt, ...)
{
	struct wfd_conn *c = opaque;
	va_list ap;

	fprintf(stderr, "wfdd: sink %s: ", c->peer);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Split "HOST", "HOST:PORT", "[V6]" or "[V6]:PORT". */
static int split_host_port(const char *s, char *host, size_t hsize, const char **port)
{
	const char *colon;
	size_t n;

	*port = WFD_RTSP_PORT;
	if (*s == '[') {
		const char *e = strchr(s, ']');

		if (!e || (e[1] && e[1] != ':'))
			return -EINVAL;
		n = (size_t)(e - s - 1);
		if (e[1] == ':')
			*port = e + 2;
		s++;
	} else {
		colon = strchr(s, ':');
		/* More than one colon is a bare IPv6 address. */
		if (colon && !strchr(colon + 1, ':')) {
			n = (size_t)(colon - s);
			*port = colon + 1;
		} else {
			n = strlen(s);
		}
	}
	if (!n || n >= hsize || !**port)
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = 0;
	return 0;
}

static void numeric(const struct sockaddr *sa, socklen_t len, char *buf, size_t size)
{
	if (getnameinfo(sa, len, buf, (socklen_t)size, NULL, 0, NI_NUMERICHOST))
		snprintf(buf, size, "?");
}

int wfd_conn_listen(struct wfd_conn *c, const char *addr, const char *allow)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *ai = NULL;
	const char *port;
	char host[256];
	int one = 1, ret;

	memset(c, 0, sizeof(*c));
	c->listen_fd = c->fd = -1;
	if (split_host_port(addr, host, sizeof(host), &port))
		return -EINVAL;
	if (allow) {
		struct addrinfo *pa = NULL;

		if (getaddrinfo(allow, NULL, &(struct addrinfo){ .ai_socktype = SOCK_STREAM },
				&pa))
			return -EHOSTUNREACH;
		numeric(pa->ai_addr, pa->ai_addrlen, c->allow, sizeof(c->allow));
		freeaddrinfo(pa);
	}
	if (getaddrinfo(host, port, &hints, &ai))
		return -EADDRNOTAVAIL;
	c->listen_fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->listen_fd < 0) {
		ret = -errno;
		freeaddrinfo(ai);
		return ret;
	}
	/* A restarted daemon must not wait for TIME_WAIT of the last session. */
	setsockopt(c->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(c->listen_fd, ai->ai_addr, ai->ai_addrlen) || listen(c->listen_fd, 1)) {
		ret = -errno;
		freeaddrinfo(ai);
		close(c->listen_fd);
		c->listen_fd = -1;
		return ret;
	}
	freeaddrinfo(ai);
	return 0;
}

int wfd_conn_accept(struct wfd_conn *c, const struct wfds_config *cfg, uint64_t now_ms)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct wfds_config sc = *cfg;
	char peer[64];
	int fd, one = 1;

	fd = accept4(c->listen_fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return errno == EAGAIN || errno == EINTR || errno == ECONNABORTED ? -EAGAIN : -errno;
	numeric((struct sockaddr *)&ss, len, peer, sizeof(peer));
	if (c->fd >= 0 || (c->allow[0] && strcmp(peer, c->allow))) {
		fprintf(stderr, "wfdd: refusing a connection from %s (%s)\n", peer,
			c->fd >= 0 ? "a sink is connected" : "not the allowed peer");
		close(fd);
		return -EAGAIN;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->fd = fd;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		numeric((struct sockaddr *)&ss, len, sc.host, sizeof(sc.host));
	sc.log = conn_log;
	sc.log_opaque = c;
	c->now = now_ms;
	fprintf(stderr, "wfdd: sink %s connected\n", c->peer);
	wfds_init(&c->session, &sc, now_ms);
	return 0;
}

short wfd_conn_events(const struct wfd_conn *c)
{
	return (short)(POLLIN | (wfds_out_ready(&c->session, c->now) ? POLLOUT : 0));
}

/* Write what may go now, each message in a send() of its own. */
static void flush(struct wfd_conn *c, uint64_t now_ms)
{
	size_t n;

	while ((n = wfds_out_ready(&c->session, now_ms)) > 0) {
		ssize_t k = send(c->fd, c->session.out, n, MSG_NOSIGNAL);

		if (k < 0) {
			if (errno != EAGAIN && errno != EINTR)
				wfds_closed(&c->session, -errno, now_ms);
			return;
		}
		if (c->verbose > 1)
			fprintf(stderr, "wfdd: >>> %.*s", (int)k, c->session.out);
		wfds_written(&c->session, (size_t)k, now_ms);
		if ((size_t)k < n)
			return;
	}
}

void wfd_conn_io(struct wfd_conn *c, short revents, uint64_t now_ms)
{
	c->now = now_ms;
	if (c->fd < 0 || c->session.state == WFDS_ENDED)
		return;
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		char buf[4096];
		ssize_t n;

		for (;;) {
			n = recv(c->fd, buf, sizeof(buf), 0);
			if (n > 0) {
				if (c->verbose > 1)
					fprintf(stderr, "wfdd: <<< %.*s", (int)n, buf);
				wfds_input(&c->session, buf, (size_t)n, now_ms);
				continue;
			}
			if (n == 0)
				wfds_closed(&c->session, 0, now_ms);
			else if (errno != EAGAIN && errno != EINTR)
				wfds_closed(&c->session, -errno, now_ms);
			break;
		}
	}
	wfds_tick(&c->session, now_ms);
	flush(c, now_ms);
}

int wfd_conn_timeout(const struct wfd_conn *c, uint64_t now_ms)
{
	uint64_t d;

	if (c->fd < 0)
		return -1;
	d = wfds_deadline(&c->session);
	if (d == UINT64_MAX)
		return -1;
	return d <= now_ms ? 0 : d - now_ms > 60000 ? 60000 : (int)(d - now_ms);
}

int wfd_conn_edid(const struct wfd_conn *c, const char *name, uint8_t *edid, size_t size)
{
	const struct wfds *s = &c->session;
	struct wfd_mode modes[9];
	size_t n;
	int ret = -EINVAL;

	if ((s->caps.present & WFD_P_DISPLAY_EDID) && s->caps.edid.blocks) {
		size_t len = s->caps.edid.blocks * 128u;

		if (len > size)
			return -ENOSPC;
		memcpy(edid, s->caps.edid.data, len);
		return (int)len;
	}
	n = wfd_video_modes(&s->caps.video, s->cfg.max_width, s->cfg.max_height, modes, 9);
	/* Best first: drop the least modes until they fit. */
	while (n && (ret = wfd_edid_synthesize(modes, n, name, edid, size)) == -ENOSPC)
		n--;
	return ret;
}

void wfd_conn_hangup(struct wfd_conn *c)
{
	if (c->fd < 0)
		return;
	/* The reply to a TEARDOWN is worth a short wait. */
	for (int i = 0; i < 10 && c->session.out_len; i++) {
		struct pollfd p = { .fd = c->fd, .events = POLLOUT };
		size_t len = c->session.out_len;

		if (poll(&p, 1, 20) <= 0)
			continue;
		flush(c, c->now + 20u * (unsigned int)(i + 1));
		if (c->session.out_len == len && wfds_out_ready(&c->session, UINT64_MAX))
			break;
	}
	close(c->fd);
	c->fd = -1;
	fprintf(stderr, "wfdd: sink %s disconnected\n", c->peer);
}

void wfd_conn_close(struct wfd_conn *c)
{
	wfd_conn_hangup(c);
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	c->listen_fd = -1;
}
