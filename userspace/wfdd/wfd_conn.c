// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RTSP connection of a Wi-Fi Display source: sockets around the session.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
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

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND	78
#endif

/* Refused connections: one log line per this many milliseconds at most. */
#define REFUSED_LOG_MS	10000

static void __attribute__((format(printf, 2, 3)))
conn_log(struct wfd_conn *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (c->log)
		c->log(c->log_opaque, line);
	else
		fprintf(stderr, "wfdd: %s\n", line);
}

/* The session's log lines, already escaped, with the sink named. */
static void session_log(void *opaque, const char *fmt, ...)
{
	struct wfd_conn *c = opaque;
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	conn_log(c, "sink %s: %s", c->peer, line);
}

/* -vv: the RTSP messages, one line each, anything unprintable escaped. */
static void dump(struct wfd_conn *c, const char *dir, const char *p, size_t n)
{
	char line[1024];
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch == '\n' || o + 5 >= sizeof(line)) {
			line[o] = 0;
			conn_log(c, "%s %s", dir, line);
			o = 0;
			if (ch == '\n')
				continue;
		}
		if (ch == '\r')
			continue;
		if (ch >= 0x20 && ch < 0x7f)
			line[o++] = (char)ch;
		else
			o += (size_t)snprintf(line + o, sizeof(line) - o, "\\x%02x", ch);
	}
	if (o) {
		line[o] = 0;
		conn_log(c, "%s %s", dir, line);
	}
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

/* @sa as an IPv6 address, IPv4 as v4-mapped; false for other families. */
static bool to_v6(const struct sockaddr *sa, struct in6_addr *a)
{
	if (sa->sa_family == AF_INET6) {
		*a = ((const struct sockaddr_in6 *)sa)->sin6_addr;
		return true;
	}
	if (sa->sa_family == AF_INET) {
		memset(a, 0, sizeof(*a));
		a->s6_addr[10] = a->s6_addr[11] = 0xff;
		memcpy(a->s6_addr + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return true;
	}
	return false;
}

/* A v4-mapped IPv6 socket address as the IPv4 one it is; others unchanged. */
static socklen_t unmap(struct sockaddr_storage *ss, socklen_t len)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in s4 = { .sin_family = AF_INET };

	if (ss->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return len;
	s4.sin_port = s6->sin6_port;
	memcpy(&s4.sin_addr, s6->sin6_addr.s6_addr + 12, 4);
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &s4, sizeof(s4));
	return sizeof(s4);
}

static void numeric(const struct sockaddr *sa, socklen_t len, char *buf, size_t size)
{
	if (getnameinfo(sa, len, buf, (socklen_t)size, NULL, 0, NI_NUMERICHOST))
		snprintf(buf, size, "?");
}

static bool is_wildcard(const struct sockaddr *sa)
{
	struct in6_addr a;

	if (!to_v6(sa, &a))
		return false;
	if (sa->sa_family == AF_INET)
		return ((const struct sockaddr_in *)sa)->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&a);
}

/* Whether an interface of this host has the address of @sa now. */
static bool is_local(const struct sockaddr *sa)
{
	struct ifaddrs *ifa, *i;
	struct in6_addr want, have;
	bool found = false;

	if (!to_v6(sa, &want) || getifaddrs(&ifa))
		return true;	/* cannot tell: say nothing */
	for (i = ifa; i && !found; i = i->ifa_next)
		found = i->ifa_addr && to_v6(i->ifa_addr, &have) && !memcmp(&want, &have, sizeof(want));
	freeifaddrs(ifa);
	return found;
}

bool wfd_conn_allowed(const struct wfd_conn *c, const struct sockaddr *peer)
{
	struct in6_addr a;

	if (!c->nallow)
		return true;
	if (!to_v6(peer, &a))
		return false;
	for (unsigned int i = 0; i < c->nallow; i++)
		if (!memcmp(&a, &c->allow_addrs[i], sizeof(a)))
			return true;
	return false;
}

/* Every address @allow resolves to, IPv4 and IPv6. */
static int resolve_allow(struct wfd_conn *c, const char *allow)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL, *ai;

	if (getaddrinfo(allow, NULL, &hints, &res))
		return -EHOSTUNREACH;
	for (ai = res; ai && c->nallow < WFD_CONN_MAX_ALLOW; ai = ai->ai_next) {
		struct in6_addr a;
		unsigned int i;

		if (!to_v6(ai->ai_addr, &a))
			continue;
		for (i = 0; i < c->nallow; i++)
			if (!memcmp(&a, &c->allow_addrs[i], sizeof(a)))
				break;
		if (i == c->nallow)
			c->allow_addrs[c->nallow++] = a;
	}
	freeaddrinfo(res);
	snprintf(c->allow, sizeof(c->allow), "%s", allow);
	return c->nallow ? 0 : -EHOSTUNREACH;
}

int wfd_conn_listen_opts(struct wfd_conn *c, const char *addr, const char *allow,
			 unsigned int flags)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *ai = NULL;
	const char *port;
	char host[256];
	int one = 1, zero = 0, ret;

	memset(c, 0, sizeof(*c));
	c->listen_fd = c->fd = c->rtp_fd = -1;
	if (split_host_port(addr, host, sizeof(host), &port))
		return -EINVAL;
	if (allow) {
		ret = resolve_allow(c, allow);
		if (ret)
			return ret;
	}
	if (getaddrinfo(host, port, &hints, &ai))
		return -EADDRNOTAVAIL;
	if (is_wildcard(ai->ai_addr) && !allow && !(flags & WFD_CONN_ALLOW_ANY)) {
		conn_log(c, "--listen %s is every address of this host: anyone who reaches one "
			 "could take the output and see the desktop; name the sink with --allow "
			 "PEER, or accept anyone with --allow-any", addr);
		freeaddrinfo(ai);
		return -EINVAL;
	}
	c->listen_fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->listen_fd < 0) {
		ret = -errno;
		freeaddrinfo(ai);
		return ret;
	}
	/* A restarted daemon must not wait for TIME_WAIT of the last session. */
	setsockopt(c->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* The P2P group's address may come later than the daemon. */
	if (ai->ai_family == AF_INET6) {
		setsockopt(c->listen_fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
		/* [::] takes IPv4 sinks too, whatever the host's default. */
		if (is_wildcard(ai->ai_addr))
			setsockopt(c->listen_fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	} else {
		setsockopt(c->listen_fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	}
	if (bind(c->listen_fd, ai->ai_addr, ai->ai_addrlen) || listen(c->listen_fd, 1)) {
		ret = -errno;
		freeaddrinfo(ai);
		close(c->listen_fd);
		c->listen_fd = -1;
		return ret;
	}
	if (!is_wildcard(ai->ai_addr) && !is_local(ai->ai_addr))
		conn_log(c, "%s is no address of this host yet: listening for it all the same",
			 host);
	freeaddrinfo(ai);
	return 0;
}

int wfd_conn_listen(struct wfd_conn *c, const char *addr, const char *allow)
{
	return wfd_conn_listen_opts(c, addr, allow, 0);
}

/* A sink gone half-open is found within @timeout_ms, whatever the state. */
static void set_keepalive(int fd, uint32_t timeout_ms)
{
	int one = 1, idle = (int)(timeout_ms / 3000), intvl = (int)(timeout_ms / 6000), cnt = 3;
	unsigned int user = timeout_ms;

	if (idle < 1)
		idle = 1;
	if (intvl < 1)
		intvl = 1;
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	/* Also bounds how long unacknowledged data may wait. */
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user, sizeof(user));
}

/* Our RTP socket on the address the sink reached: its port goes in SETUP's reply. */
static void open_rtp(struct wfd_conn *c, const struct sockaddr_storage *local, socklen_t len)
{
	struct sockaddr_storage ss = *local;
	socklen_t sl = sizeof(ss);

	c->rtp_port = 0;
	c->rtp_fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->rtp_fd < 0)
		return;
	if (ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_port = 0;
	else
		((struct sockaddr_in *)&ss)->sin_port = 0;
	if (bind(c->rtp_fd, (struct sockaddr *)&ss, len) ||
	    getsockname(c->rtp_fd, (struct sockaddr *)&ss, &sl)) {
		close(c->rtp_fd);
		c->rtp_fd = -1;
		return;
	}
	c->rtp_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
			    ((struct sockaddr_in *)&ss)->sin_port);
}

static void refused(struct wfd_conn *c, const char *peer, const char *why, uint64_t now_ms)
{
	if (c->refused_logged && now_ms - c->refused_logged < REFUSED_LOG_MS) {
		c->refused_quiet++;
		return;
	}
	if (c->refused_quiet)
		conn_log(c, "refusing a connection from %s (%s); %lu more refused since the last "
			 "such line", peer, why, c->refused_quiet);
	else
		conn_log(c, "refusing a connection from %s (%s)", peer, why);
	c->refused_logged = now_ms ? now_ms : 1;
	c->refused_quiet = 0;
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
	len = unmap(&ss, len);
	numeric((struct sockaddr *)&ss, len, peer, sizeof(peer));
	if (c->fd >= 0 || !wfd_conn_allowed(c, (struct sockaddr *)&ss)) {
		refused(c, peer, c->fd >= 0 ? "a sink is connected" : "not the allowed peer", now_ms);
		close(fd);
		return -EAGAIN;
	}
	/* Each message leaves in its own segment, at once. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	set_keepalive(fd, cfg->keepalive_timeout_ms);
	c->fd = fd;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	memset(&c->peer_addr, 0, sizeof(c->peer_addr));
	c->peer_addr.sin6_family = AF_INET6;
	to_v6((struct sockaddr *)&ss, &c->peer_addr.sin6_addr);
	if (ss.ss_family == AF_INET6)
		c->peer_addr.sin6_scope_id = ((struct sockaddr_in6 *)&ss)->sin6_scope_id;
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
		len = unmap(&ss, len);
		numeric((struct sockaddr *)&ss, len, sc.host, sizeof(sc.host));
		open_rtp(c, &ss, len);
	}
	sc.rtp_server_port = c->rtp_port;
	sc.log = session_log;
	sc.log_opaque = c;
	c->refused_logged = 0;
	c->refused_quiet = 0;
	c->now = now_ms;
	conn_log(c, "sink %s connected", c->peer);
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
			dump(c, ">>>", c->session.out, (size_t)k);
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
		size_t total = 0;
		ssize_t n;

		/* Bounded: the rest waits for the next poll(). */
		while (total < WFD_CONN_MAX_READ && c->session.state != WFDS_ENDED) {
			n = recv(c->fd, buf, sizeof(buf), 0);
			if (n > 0) {
				if (c->verbose > 1)
					dump(c, "<<<", buf, (size_t)n);
				wfds_input(&c->session, buf, (size_t)n, now_ms);
				total += (size_t)n;
				/* Replies leave as they are made: a burst cannot fill the buffer. */
				flush(c, now_ms);
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

/* What the filter keeps: the modes the session can send; what it drops, for the log. */
struct keep_ctx {
	const struct wfd_mode *modes;
	size_t n;
	unsigned int dropped;
	char example[32];
};

static bool keep_mode(const struct wfd_edid_mode *m, void *opaque)
{
	struct keep_ctx *k = opaque;

	if (!(m->flags & WFD_EDID_MODE_INTERLACED))
		for (size_t i = 0; i < k->n; i++)
			if (k->modes[i].width == m->width && k->modes[i].height == m->height &&
			    k->modes[i].refresh_hz == m->refresh_hz)
				return true;
	if (!k->dropped++)
		snprintf(k->example, sizeof(k->example), "%ux%u%s@%u", m->width, m->height,
			 m->flags & WFD_EDID_MODE_INTERLACED ? "i" : "", m->refresh_hz);
	return false;
}

/* An EDID that describes exactly the modes the session can send. */
static int synthesize(struct wfd_conn *c, const char *name, uint8_t *edid, size_t size)
{
	struct wfd_mode modes[64];
	size_t n = wfds_sink_modes(&c->session, modes, 64), all = n;
	int ret = -EINVAL;

	/* Best first: should they not fit, the least go. */
	while (n && (ret = wfd_edid_describe(modes, n, name, edid, size)) == -ENOSPC)
		n--;
	if (ret > 0 && n < all)
		conn_log(c, "sink %s: only its %zu best modes of %zu fit in the EDID", c->peer, n,
			 all);
	return ret;
}

/* The sink's own EDID without what cannot be sent; 0 when nothing is left of it. */
static int sink_edid(struct wfd_conn *c, uint8_t *edid, size_t size)
{
	const struct wfds *s = &c->session;
	struct wfd_mode modes[64];
	struct keep_ctx k = { modes, 0, 0, "" };
	size_t len = s->caps.edid.blocks * 128u;
	int ret;

	if (!(s->caps.present & WFD_P_DISPLAY_EDID) || !s->caps.edid.blocks)
		return 0;
	if (len > size)
		return -ENOSPC;
	memcpy(edid, s->caps.edid.data, len);
	k.n = wfds_sink_modes(s, modes, 64);
	ret = wfd_edid_filter(edid, len, keep_mode, &k);
	if (ret < 0 || wfd_edid_modes(edid, (size_t)ret, NULL, 0) <= 0) {
		conn_log(c, "sink %s: no mode of its EDID can be sent (%s): using its "
			 "wfd_video_formats", c->peer, ret < 0 ? "not an EDID" : "none left");
		return 0;
	}
	if (k.dropped)
		conn_log(c, "sink %s: %u mode%s of its EDID cannot be sent (%s%s): left out",
			 c->peer, k.dropped, k.dropped > 1 ? "s" : "", k.example,
			 k.dropped > 1 ? ", ..." : "");
	return ret;
}

int wfd_conn_edid(struct wfd_conn *c, const char *name, uint8_t *edid, size_t size)
{
	int n = sink_edid(c, edid, size);

	return n ? n : synthesize(c, name, edid, size);
}

int wfd_conn_connect_output(struct wfd_conn *c, const char *name,
			    int (*connect)(void *opaque, const uint8_t *edid, size_t size),
			    void *opaque)
{
	uint8_t edid[WFD_CONN_MAX_EDID];
	int n = sink_edid(c, edid, sizeof(edid)), ret;

	c->edid_own = n > 0;
	if (n > 0) {
		ret = connect(opaque, edid, (size_t)n);
		if (ret != -EINVAL)
			return ret;
		c->edid_own = false;
		conn_log(c, "sink %s: the kernel refused its EDID: using one made from its "
			 "wfd_video_formats", c->peer);
	}
	n = synthesize(c, name, edid, sizeof(edid));
	if (n < 0)
		return n;
	return connect(opaque, edid, (size_t)n);
}

int wfd_conn_rtp_socket(struct wfd_conn *c, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = c->rtp_fd, ret;

	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, &c->peer_addr, sizeof(c->peer_addr));
	((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
	len = unmap(&ss, sizeof(c->peer_addr));
	if (fd < 0)
		fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	c->rtp_fd = -1;
	if (connect(fd, (struct sockaddr *)&ss, len)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

void wfd_conn_hangup(struct wfd_conn *c)
{
	if (c->rtp_fd >= 0)
		close(c->rtp_fd);
	c->rtp_fd = -1;
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
	conn_log(c, "sink %s disconnected", c->peer);
}

void wfd_conn_close(struct wfd_conn *c)
{
	wfd_conn_hangup(c);
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	c->listen_fd = -1;
}
