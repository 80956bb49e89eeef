// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The RTSP connection on real loopback sockets: who may connect, what the
 * socket is set up with, how bytes are read and written, and the EDID the
 * output is connected with.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wfd_conn.h"

static int fails;
#define EXPECT(c) do { if (!(c)) { fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); fails++; } } while (0)

static struct wfd_conn C;
static int log_lines;
static char last_log[2048];
static bool verbose;

static void log_fn(void *opaque, const char *line)
{
	(void)opaque;
	log_lines++;
	snprintf(last_log, sizeof(last_log), "%s", line);
	if (verbose)
		fprintf(stderr, "log: %s\n", line);
}

static struct wfds_config config(void)
{
	struct wfds_config cfg;

	wfds_config_defaults(&cfg);
	return cfg;
}

static uint16_t listen_port(void)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(C.listen_fd, (struct sockaddr *)&ss, &len))
		return 0;
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
		     ((struct sockaddr_in *)&ss)->sin_port);
}

/* A sink's connection from @from (an IPv4 or IPv6 literal) to @to's port. */
static int dial(const char *from, const char *to, uint16_t port)
{
	struct sockaddr_storage src = { 0 }, dst = { 0 };
	socklen_t len;
	int fd, family = strchr(to, ':') ? AF_INET6 : AF_INET;

	if (family == AF_INET6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&src, *d = (struct sockaddr_in6 *)&dst;

		s->sin6_family = d->sin6_family = AF_INET6;
		inet_pton(AF_INET6, from, &s->sin6_addr);
		inet_pton(AF_INET6, to, &d->sin6_addr);
		d->sin6_port = htons(port);
		len = sizeof(*d);
	} else {
		struct sockaddr_in *s = (struct sockaddr_in *)&src, *d = (struct sockaddr_in *)&dst;

		s->sin_family = d->sin_family = AF_INET;
		inet_pton(AF_INET, from, &s->sin_addr);
		inet_pton(AF_INET, to, &d->sin_addr);
		d->sin_port = htons(port);
		len = sizeof(*d);
	}
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&src, len) || connect(fd, (struct sockaddr *)&dst, len)) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool have_ipv6(void)
{
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	bool ok = fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a));

	if (fd >= 0)
		close(fd);
	return ok;
}

/* Whatever the source sent, read within @ms; the length, 0 for none. */
static size_t sink_read(int fd, char *buf, size_t size, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	n = recv(fd, buf, size - 1, MSG_DONTWAIT);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return (size_t)n;
}

static void close_conn(void)
{
	wfd_conn_close(&C);
}

/*
 * --allow compares addresses: on a dual-stack listener an IPv4 sink
 * shows as ::ffff:a.b.c.d and must still match; a name allows every
 * address it has.
 */
static void test_allow(void)
{
	struct wfds_config cfg = config();
	uint16_t port;
	int s;

	if (!have_ipv6()) {
		printf("# no IPv6 here: the dual-stack part is skipped\n");
		return;
	}
	EXPECT(wfd_conn_listen(&C, "[::]:0", "127.0.0.1") == 0);
	C.log = log_fn;
	port = listen_port();
	s = dial("127.0.0.1", "127.0.0.1", port);
	EXPECT(s >= 0);
	EXPECT(wfd_conn_accept(&C, &cfg, 0) == 0 && C.fd >= 0);
	EXPECT(!strcmp(C.peer, "127.0.0.1"));
	/* Our address in the presentation URL is IPv4 too. */
	EXPECT(!strcmp(C.session.cfg.host, "127.0.0.1"));
	wfd_conn_hangup(&C);
	close(s);
	/* ::1 is not 127.0.0.1. */
	s = dial("::1", "::1", port);
	EXPECT(s >= 0);
	EXPECT(wfd_conn_accept(&C, &cfg, 0) == -EAGAIN && C.fd < 0);
	close(s);
	close_conn();

	/* A name: every address it resolves to. */
	EXPECT(wfd_conn_listen(&C, "[::]:0", "localhost") == 0);
	C.log = log_fn;
	port = listen_port();
	EXPECT(C.nallow >= 1);
	s = dial("127.0.0.1", "127.0.0.1", port);
	EXPECT(wfd_conn_accept(&C, &cfg, 0) == 0);
	wfd_conn_hangup(&C);
	close(s);
	close_conn();

	/* The comparison itself. */
	{
		struct sockaddr_in v4 = { .sin_family = AF_INET };
		struct sockaddr_in6 v6 = { .sin6_family = AF_INET6 };

		EXPECT(wfd_conn_listen(&C, "127.0.0.1:0", "10.1.2.3") == 0);
		inet_pton(AF_INET, "10.1.2.3", &v4.sin_addr);
		EXPECT(wfd_conn_allowed(&C, (struct sockaddr *)&v4));
		inet_pton(AF_INET6, "::ffff:10.1.2.3", &v6.sin6_addr);
		EXPECT(wfd_conn_allowed(&C, (struct sockaddr *)&v6));
		inet_pton(AF_INET6, "::ffff:10.1.2.4", &v6.sin6_addr);
		EXPECT(!wfd_conn_allowed(&C, (struct sockaddr *)&v6));
		inet_pton(AF_INET, "10.1.2.30", &v4.sin_addr);
		EXPECT(!wfd_conn_allowed(&C, (struct sockaddr *)&v4));
		close_conn();
	}
	/* An allow that resolves to nothing is an error. */
	EXPECT(wfd_conn_listen(&C, "127.0.0.1:0", "no-such-host.invalid") == -EHOSTUNREACH);
}

/* A wildcard address needs --allow or an explicit --allow-any. */
static void test_wildcard(void)
{
	EXPECT(wfd_conn_listen(&C, "0.0.0.0:0", NULL) == -EINVAL && C.listen_fd < 0);
	EXPECT(wfd_conn_listen_opts(&C, "0.0.0.0:0", NULL, WFD_CONN_ALLOW_ANY) == 0);
	close_conn();
	EXPECT(wfd_conn_listen(&C, "0.0.0.0:0", "127.0.0.1") == 0);
	close_conn();
	if (have_ipv6()) {
		EXPECT(wfd_conn_listen(&C, "[::]:0", NULL) == -EINVAL);
		EXPECT(wfd_conn_listen_opts(&C, "[::]:0", NULL, WFD_CONN_ALLOW_ANY) == 0);
		close_conn();
	}
	/* A named address needs neither. */
	EXPECT(wfd_conn_listen(&C, "127.0.0.1:0", NULL) == 0);
	close_conn();
}

/* An address that is not up yet (the P2P group forms later) is listened on. */
static void test_freebind(void)
{
	EXPECT(wfd_conn_listen(&C, "192.0.2.1:0", NULL) == 0 && C.listen_fd >= 0);
	close_conn();
}

/*
 * The sink's connection finds a sink gone half-open by itself (TCP
 * keep-alives), whatever the session waits for; and sends at once.
 */
static void test_socket_options(void)
{
	struct wfds_config cfg = config();
	int s, v = 0;
	unsigned int u = 0;
	socklen_t len = sizeof(v);

	EXPECT(wfd_conn_listen(&C, "127.0.0.1:0", NULL) == 0);
	C.log = log_fn;
	s = dial("127.0.0.1", "127.0.0.1", listen_port());
	EXPECT(wfd_conn_accept(&C, &cfg, 0) == 0);
	EXPECT(!getsockopt(C.fd, SOL_SOCKET, SO_KEEPALIVE, &v, &len) && v == 1);
	len = sizeof(v);
	EXPECT(!getsockopt(C.fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, &len) && v == 10);
	len = sizeof(u);
	EXPECT(!getsockopt(C.fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &u, &len) && u == 30000);
	len = sizeof(v);
	EXPECT(!getsockopt(C.fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) && v == 1);
	wfd_conn_hangup(&C);
	close(s);
	close_conn();
}

/* Refused connections are logged once per interval, with a count. */
static void test_refused_log(void)
{
	struct wfds_config cfg = config();
	int s;

	EXPECT(wfd_conn_listen(&C, "127.0.0.1:0", "127.0.0.2") == 0);
	C.log = log_fn;
	log_lines = 0;
	for (int i = 0; i < 50; i++) {
		s = dial("127.0.0.1", "127.0.0.1", listen_port());
		EXPECT(wfd_conn_accept(&C, &cfg, 1000 + (uint64_t)i) == -EAGAIN);
		close(s);
	}
	EXPECT(log_lines == 1);
	s = dial("127.0.0.1", "127.0.0.1", listen_port());
	EXPECT(wfd_conn_accept(&C, &cfg, 1000 + 10000) == -EAGAIN);
	close(s);
	EXPECT(log_lines == 2 && strstr(last_log, "49 more"));
	close_conn();
}

/*
 * Each message in its own send(), and M3 only a while after the reply to
 * the sink's M2 left: a sink that reads one message per recv() takes the
 * reply as the reply, and M3 as M3.
 */
static void test_one_message_per_send(void)
{
	struct wfds_config cfg = config();
	char buf[4096];
	int s;

	EXPECT(wfd_conn_listen(&C, "127.0.0.1:0", NULL) == 0);
	C.log = log_fn;
	s = dial("127.0.0.1", "127.0.0.1", listen_port());
	EXPECT(wfd_conn_accept(&C, &cfg, 0) == 0);
	wfd_conn_io(&C, 0, 0);
	EXPECT(sink_read(s, buf, sizeof(buf), 1000) && !strncmp(buf, "OPTIONS * RTSP/1.0\r\n", 20));
	/* The M1 reply and M2 in one segment, as sinks often send them. */
	{
		static const char m1m2[] = "RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n"
			"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nRequire: org.wfa.wfd1.0\r\n\r\n";

		EXPECT(send(s, m1m2, sizeof(m1m2) - 1, 0) == sizeof(m1m2) - 1);
	}
	{
		struct pollfd p = { .fd = C.fd, .events = POLLIN };

		EXPECT(poll(&p, 1, 1000) == 1);
		wfd_conn_io(&C, p.revents, 10);
	}
	/* The reply alone, even read late. */
	usleep(100000);
	EXPECT(sink_read(s, buf, sizeof(buf), 1000) > 0);
	EXPECT(!strncmp(buf, "RTSP/1.0 200 OK\r\n", 17) && !strstr(buf, "GET_PARAMETER rtsp"));
	/* M3 after the gap, and only then. */
	wfd_conn_io(&C, 0, 10 + cfg.request_gap_ms - 1);
	EXPECT(sink_read(s, buf, sizeof(buf), 50) == 0);
	EXPECT(wfd_conn_timeout(&C, 10 + cfg.request_gap_ms - 1) == 1);
	wfd_conn_io(&C, 0, 10 + cfg.request_gap_ms);
	EXPECT(sink_read(s, buf, sizeof(buf), 1000) > 0 && !strncmp(buf, "GET_PARAMETER ", 14));
	EXPECT(strstr(buf, "CSeq: 2\r\n"));
	wfd_conn_hangup(&C);
	close(s);
	close_conn();
}

/*
 * A sink that floods the connection does not keep the daemon in its read
 * loop: one call reads a bounded amount, the rest waits for the next.
 */
static void test_read_bound(void)
{
	static const char req[] = "GET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 7\r\n\r\n";
	struct wfds_config cfg = config();
	static char flood[256 * 1024];
	size_t len = 0;
	ssize_t n;
	int s, pending = 0, big = 1 << 20;

	while (len + sizeof(req) - 1 <= sizeof(flood)) {
		memcpy(flood + len, req, sizeof(req) - 1);
		len += sizeof(req) - 1;
	}
	EXPECT(wfd_conn_listen(&C, "127.0.0.1:0", NULL) == 0);
	C.log = log_fn;
	s = dial("127.0.0.1", "127.0.0.1", listen_port());
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	EXPECT(wfd_conn_accept(&C, &cfg, 0) == 0);
	setsockopt(C.fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	n = send(s, flood, len, MSG_DONTWAIT);
	EXPECT(n > 4 * WFD_CONN_MAX_READ);
	usleep(50000);
	wfd_conn_io(&C, POLLIN, 0);
	EXPECT(C.session.state != WFDS_ENDED);
	EXPECT(!ioctl(C.fd, FIONREAD, &pending) && pending > 0);
	EXPECT((size_t)n - (size_t)pending <= WFD_CONN_MAX_READ + 4096);
	wfd_conn_hangup(&C);
	close(s);
	close_conn();
}

/* Our RTP socket exists before SETUP; its port is the one SETUP names. */
static void test_rtp_socket(void)
{
	struct wfds_config cfg = config();
	struct sockaddr_in rx = { .sin_family = AF_INET }, from;
	socklen_t len = sizeof(rx);
	char buf[16];
	int s, r, u;

	EXPECT(wfd_conn_listen(&C, "127.0.0.1:0", NULL) == 0);
	C.log = log_fn;
	s = dial("127.0.0.1", "127.0.0.1", listen_port());
	EXPECT(wfd_conn_accept(&C, &cfg, 0) == 0);
	EXPECT(C.rtp_port && C.session.cfg.rtp_server_port == C.rtp_port);
	/* The sink's RTP port. */
	r = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	inet_pton(AF_INET, "127.0.0.1", &rx.sin_addr);
	EXPECT(!bind(r, (struct sockaddr *)&rx, sizeof(rx)));
	EXPECT(!getsockname(r, (struct sockaddr *)&rx, &len));
	u = wfd_conn_rtp_socket(&C, ntohs(rx.sin_port));
	EXPECT(u >= 0 && C.rtp_fd < 0);
	EXPECT(send(u, "rtp", 3, 0) == 3);
	len = sizeof(from);
	EXPECT(recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) == 3);
	EXPECT(ntohs(from.sin_port) == C.rtp_port);
	close(u);
	close(r);
	wfd_conn_hangup(&C);
	close(s);
	close_conn();
}

/* The EDID the output is connected with. */
static const char *const sink_formats =
	/* 1080p60 (CEA 8) native, 720p60 (CEA 6), CBP level 4.2 */
	"wfd_video_formats: 40 00 01 10 00000140 00000000 00000000 00 0000 0000 00 none none\r\n";

/* The sink's own EDID: 1080p60, 2160p30, 720p60, made by "SAM". */
static void sink_caps_with_edid(void)
{
	static const struct wfd_mode m[] = { { 1920, 1080, 60 }, { 3840, 2160, 30 }, { 1280, 720, 60 } };
	uint8_t e[256];
	char body[2048];
	int n = wfd_edid_describe(m, 3, "Sink", e, sizeof(e)), o;
	int sum;

	EXPECT(n == 256);
	e[8] = 0x4c;
	e[9] = 0x2d;
	sum = 0;
	for (int i = 0; i < 127; i++)
		sum += e[i];
	e[127] = (uint8_t)(0x100 - (sum & 0xff));
	o = snprintf(body, sizeof(body), "%swfd_display_edid: 0002 ", sink_formats);
	for (int i = 0; i < n; i++)
		o += snprintf(body + o, sizeof(body) - (size_t)o, "%02x", e[i]);
	snprintf(body + o, sizeof(body) - (size_t)o, "\r\n");
	EXPECT(wfd_params_parse(body, strlen(body), &C.session.caps) == 0);
	EXPECT(C.session.caps.edid.blocks == 2);
}

static int connects;
static bool refuse_sink_edid;
static uint8_t got_edid[WFD_CONN_MAX_EDID];
static size_t got_size;

static int fake_connect(void *opaque, const uint8_t *edid, size_t size)
{
	(void)opaque;
	connects++;
	memcpy(got_edid, edid, size);
	got_size = size;
	/* The kernel refuses the sink's EDID (not ours, "WFD"). */
	if (refuse_sink_edid && !(edid[8] == 0x5c && edid[9] == 0xe4))
		return -EINVAL;
	return 0;
}

static bool edid_has(uint32_t w, uint32_t h, uint32_t hz)
{
	struct wfd_edid_mode m[64];
	int n = wfd_edid_modes(got_edid, got_size, m, 64);

	for (int i = 0; i < n && i < 64; i++)
		if (m[i].width == w && m[i].height == h && m[i].refresh_hz == hz)
			return true;
	return false;
}

/*
 * The sink's EDID goes without the modes M4 cannot offer; the kernel
 * refusing it is not the end: the EDID made from wfd_video_formats
 * follows, logged once.
 */
static void test_edid(void)
{
	struct wfds_config cfg = config();

	wfds_init(&C.session, &cfg, 0);
	C.log = log_fn;
	snprintf(C.peer, sizeof(C.peer), "10.0.0.2");
	sink_caps_with_edid();
	/* Filtered: 2160p30 is gone, the sink's identity stays. */
	log_lines = 0;
	connects = 0;
	refuse_sink_edid = false;
	EXPECT(wfd_conn_connect_output(&C, "wfd", fake_connect, NULL) == 0 && connects == 1);
	EXPECT(got_edid[8] == 0x4c && got_size == 256 && C.edid_own);
	EXPECT(edid_has(1920, 1080, 60) && edid_has(1280, 720, 60) && !edid_has(3840, 2160, 30));
	EXPECT(log_lines == 1 && strstr(last_log, "3840x2160@30"));
	/* Refused by the kernel: the synthesized one, logged once. */
	log_lines = 0;
	connects = 0;
	refuse_sink_edid = true;
	EXPECT(wfd_conn_connect_output(&C, "wfd", fake_connect, NULL) == 0 && connects == 2);
	EXPECT(got_edid[8] == 0x5c && edid_has(1920, 1080, 60) && edid_has(1280, 720, 60));
	EXPECT(log_lines == 2 && strstr(last_log, "refused") && !C.edid_own);
	/* Other errors are not a reason to try again. */
	EXPECT(wfd_conn_edid(&C, "wfd", got_edid, sizeof(got_edid)) == 256);
	/* No EDID: the sink's wfd_video_formats, exactly. */
	EXPECT(wfd_params_parse(sink_formats, strlen(sink_formats), &C.session.caps) == 0);
	connects = 0;
	refuse_sink_edid = false;
	EXPECT(wfd_conn_connect_output(&C, "wfd", fake_connect, NULL) == 0 && connects == 1);
	EXPECT(got_edid[8] == 0x5c && edid_has(1920, 1080, 60) && edid_has(1280, 720, 60));
	EXPECT(wfd_edid_modes(got_edid, got_size, NULL, 0) <= 3);
}

int main(int argc, char **argv)
{
	(void)argv;
	verbose = argc > 1;
	test_allow();
	test_wildcard();
	test_freebind();
	test_socket_options();
	test_refused_log();
	test_one_message_per_send();
	test_read_bound();
	test_rtp_socket();
	test_edid();
	if (fails)
		fprintf(stderr, "%d failures\n", fails);
	return fails ? 1 : 0;
}
