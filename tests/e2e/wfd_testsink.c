// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A Wi-Fi Display sink for the tests: connects to a source's RTSP port,
 * answers M1-M7 as a sink does, receives the RTP stream on its port and
 * writes the MPEG-TS to a file for a real decoder, and misbehaves on
 * command.  It can also behave like the less forgiving sinks in the wild:
 * read one message per recv() (--one-per-recv), start slowly
 * (--slow-start), and be strict (--strict: fixed CSeqs in the replies to
 * M1, M3, M4, M5; only Wi-Fi Display methods in the Public header; a
 * server_port in the SETUP reply; the stream URL with the port; a
 * keep-alive at least every 60 s).  One line per event on stdout,
 * "testsink: SECONDS EVENT" (wall clock, microseconds).  SIGUSR1 makes
 * it send TEARDOWN once it plays, as a user who switches the TV off: a
 * test ends the session when it is done instead of guessing a time.
 *
 * usage: wfd_testsink [options]   (see usage())
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rtsp.h"

struct opts {
	const char *host, *port, *out, *formats, *audio, *edid;
	int rtp_port;
	double duration;
	/* Misbehaviour, each after SECONDS of PLAY (negative: never). */
	double teardown_after, close_after, garbage_after, idr_after, standby_after, resume_after;
	int idr_burst;
	bool no_keepalive, refuse_m4, wrong_session, truncate_after_m3;
	int drop_percent;
	/* Sinks in the wild. */
	bool one_per_recv, strict;
	double slow_start;
};

static struct opts o;
static int tcp = -1, udp = -1;
static long cseq = 100;
static char session[64];
static struct rtsp_parser parser;
static struct rtsp_msg msg;
/*
 * The stream's URL: M6 and every request after it go there.  The source
 * names it in M4 (wfd_presentation_URL); until then, and should it never,
 * the URL sources commonly use.
 */
static char url[256] = "rtsp://localhost/wfd1.0/streamid=0";
static bool have_url;
static FILE *ts_out;
static double t_play = -1;
/* Our M2 OPTIONS, whose reply --strict checks; requests from the source so far. */
static long m2_cseq = -1;
static int source_requests;
/* When the source last sent anything, for --strict's keep-alive check. */
static double t_source;
static bool failed;
static unsigned long packets, lost, dropped, keepalives;
static int last_seq = -1;
/* When the last RTP packet came: a stream that stops and starts is logged. */
static double t_last_rtp = -1;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wall-clock time stamps, so that a test can compare them with its own. */
static void say(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	printf("testsink: %lld.%06ld ", (long long)ts.tv_sec, ts.tv_nsec / 1000);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void send_all(const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(tcp, buf, len, MSG_NOSIGNAL);

		if (n <= 0) {
			say("send failed: %s", strerror(errno));
			exit(1);
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* A reply to the request in msg, with one extra header if @name. */
static void reply_with(int status, const char *name, const char *value, const char *body)
{
	char buf[4096];
	struct rtsp_out w;
	int n;

	/*
	 * --strict: like sinks that answer M1, M3, M4 and M5 with the CSeqs
	 * they expect (1 to 4) rather than the request's.
	 */
	rtsp_out_response(&w, buf, sizeof(buf), status,
			  o.strict && source_requests <= 4 ? source_requests : msg.cseq);
	if (name)
		rtsp_out_header(&w, name, "%s", value);
	if (session[0])
		rtsp_out_header(&w, "Session", "%s", o.wrong_session ? "0BADBEEF" : session);
	n = rtsp_out_end(&w, "text/parameters", body, body ? strlen(body) : 0);
	if (n > 0)
		send_all(buf, (size_t)n);
}

static void reply(int status, const char *body)
{
	reply_with(status, NULL, NULL, body);
}

static void request(const char *method, const char *uri, const char *extra_name,
		    const char *extra, const char *body)
{
	char buf[4096];
	struct rtsp_out w;
	int n;

	rtsp_out_request(&w, buf, sizeof(buf), method, uri, ++cseq);
	if (extra_name)
		rtsp_out_header(&w, extra_name, "%s", extra);
	if (session[0] && strcmp(method, "OPTIONS"))
		rtsp_out_header(&w, "Session", "%s", session);
	n = rtsp_out_end(&w, "text/parameters", body, body ? strlen(body) : 0);
	if (n > 0)
		send_all(buf, (size_t)n);
}

/* The M3 reply: the parameters asked for, with our capabilities. */
static void answer_m3(void)
{
	char body[4096];
	size_t len = 0;
	const char *p = msg.body;

	body[0] = 0;
	while (*p) {
		size_t n = strcspn(p, "\r\n");
		char name[64];

		if (n && n < sizeof(name)) {
			const char *v = NULL;

			memcpy(name, p, n);
			name[n] = 0;
			if (!strcmp(name, "wfd_video_formats"))
				v = o.formats;
			else if (!strcmp(name, "wfd_audio_codecs"))
				v = o.audio;
			else if (!strcmp(name, "wfd_client_rtp_ports"))
				v = "";
			else if (!strcmp(name, "wfd_display_edid"))
				v = o.edid ? o.edid : "none";
			else if (!strcmp(name, "wfd_idr_request_capability"))
				v = "1";
			else if (!strcmp(name, "wfd_content_protection"))
				v = "none";
			else if (!strcmp(name, "wfd_standby_resume_capability"))
				v = "supported";
			if (v && !strcmp(name, "wfd_client_rtp_ports"))
				len += (size_t)snprintf(body + len, sizeof(body) - len,
					"wfd_client_rtp_ports: RTP/AVP/UDP;unicast %d 0 mode=play\r\n",
					o.rtp_port);
			else if (v)
				len += (size_t)snprintf(body + len, sizeof(body) - len, "%s: %s\r\n",
							name, v);
			if (len >= sizeof(body))
				len = sizeof(body) - 1;
		}
		p += n;
		p += strspn(p, "\r\n");
	}
	reply(200, body);
	if (o.truncate_after_m3) {
		/* A message cut off in the middle of its headers, then silence. */
		static const char cut[] = "GET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 1";

		send_all(cut, sizeof(cut) - 1);
		say("sent a truncated message");
	}
}

/* The first codec of a wfd_video_formats value: profile, level, CEA, VESA, HH. */
struct codec { unsigned int profile, level, res[3]; };

static bool read_codec(const char *v, struct codec *c)
{
	unsigned int native, pref;

	return sscanf(v, "%x %x %x %x %x %x %x", &native, &pref, &c->profile, &c->level,
		      &c->res[0], &c->res[1], &c->res[2]) == 7;
}

static bool one_bit(unsigned int v)
{
	return v && !(v & (v - 1));
}

/*
 * Whether an M4's video format is one the sink offered: exactly one
 * resolution bit, one profile and one level bit, each among the sink's
 * (a level up to its highest).  NULL if so, else what is wrong.
 */
static const char *m4_outside_offer(const char *v)
{
	struct codec m, s;
	unsigned int bits = 0;

	v += strlen("wfd_video_formats:");
	if (!read_codec(v, &m) || !read_codec(o.formats, &s))
		return "unreadable";
	for (int i = 0; i < 3; i++) {
		if (m.res[i] & ~s.res[i])
			return "a resolution not offered";
		bits += m.res[i] ? 1 + !one_bit(m.res[i]) : 0;
	}
	if (bits != 1)
		return "not exactly one resolution";
	if (!one_bit(m.profile) || (m.profile & ~s.profile))
		return "a profile not offered";
	if (!one_bit(m.level) || m.level > s.level)
		return "a level above the sink's";
	return NULL;
}

/* Take the first URL of an M4's wfd_presentation_URL (the second is a secondary sink's). */
static void take_url(const char *body)
{
	static const char name[] = "wfd_presentation_URL:";
	const char *v = strcasestr(body, name);
	size_t n;

	if (!v) {
		if (!have_url)
			say("M4 without wfd_presentation_URL: using %s", url);
		return;
	}
	v += sizeof(name) - 1;
	v += strspn(v, " \t");
	n = strcspn(v, " \t\r\n");
	if (!n || n >= sizeof(url) || (n == 4 && !strncmp(v, "none", 4))) {
		say("M4 with a bad wfd_presentation_URL: using %s", url);
		return;
	}
	memcpy(url, v, n);
	url[n] = 0;
	have_url = true;
	/* --strict: the stream URL with the source's RTSP port, which it must take too. */
	if (o.strict && !strstr(url + 7, ":") && strlen(url) + strlen(o.port) + 2 < sizeof(url)) {
		char *path = strchr(url + 7, '/');
		char tail[256];

		if (path) {
			snprintf(tail, sizeof(tail), "%s", path);
			snprintf(path, sizeof(url) - (size_t)(path - url), ":%s%s", o.port, tail);
		}
	}
}

/* --strict: what a strict sink checks in the reply to its OPTIONS (M2). */
static const char *m2_reply_wrong(void)
{
	static const char *const ok[] = {
		"org.wfa.wfd1.0", "SETUP", "TEARDOWN", "PLAY", "PAUSE", "GET_PARAMETER",
		"SET_PARAMETER",
	};
	const char *pub = rtsp_header(&msg, "Public"), *p;
	bool wfd = false;

	if (!pub)
		return "no Public header";
	for (p = pub; *p;) {
		size_t n = strcspn(p, ", ");
		bool known = false;

		for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
			if (n == strlen(ok[i]) && !strncmp(p, ok[i], n))
				known = true;
		if (n && !known)
			return "a method that is not Wi-Fi Display's";
		wfd |= n == 14 && !strncmp(p, "org.wfa.wfd1.0", 14);
		p += n;
		p += strspn(p, ", ");
	}
	return wfd ? NULL : "no org.wfa.wfd1.0";
}

static void on_request(void)
{
	const char *body = msg.body;

	source_requests++;

	if (!strcmp(msg.method, "OPTIONS")) {
		/* WFD asks the sink's M1 reply to name the methods it takes. */
		reply_with(200, "Public", "org.wfa.wfd1.0, GET_PARAMETER, SET_PARAMETER", NULL);
		say("M1");
		request("OPTIONS", "*", "Require", "org.wfa.wfd1.0", NULL);
		m2_cseq = cseq;
	} else if (!strcmp(msg.method, "GET_PARAMETER") && msg.body_len) {
		say("M3");
		answer_m3();
	} else if (!strcmp(msg.method, "GET_PARAMETER")) {
		keepalives++;
		if (o.no_keepalive) {
			say("M16 keep-alive ignored");
			return;
		}
		say("M16 keep-alive");
		reply(200, NULL);
	} else if (!strcmp(msg.method, "SET_PARAMETER") && strstr(body, "wfd_video_formats")) {
		const char *v = strstr(body, "wfd_video_formats:");
		const char *wrong = m4_outside_offer(v);

		say("M4 %.*s", (int)strcspn(v, "\r\n"), v);
		if (strstr(body, "wfd_audio_codecs"))
			say("M4 audio %.*s", (int)strcspn(strstr(body, "wfd_audio_codecs"), "\r\n"),
			    strstr(body, "wfd_audio_codecs"));
		take_url(body);
		/* A real sink cannot show what it did not offer: refuse it. */
		if (wrong)
			say("M4 refused: %s", wrong);
		reply(o.refuse_m4 || wrong ? 406 : 200, NULL);
	} else if (!strcmp(msg.method, "SET_PARAMETER") && strstr(body, "wfd_trigger_method:")) {
		char transport[96];

		reply(200, NULL);
		if (strstr(body, "SETUP")) {
			say("M5 SETUP");
			snprintf(transport, sizeof(transport),
				 "RTP/AVP/UDP;unicast;client_port=%d", o.rtp_port);
			request("SETUP", url, "Transport", transport, NULL);
		} else if (strstr(body, "PLAY")) {
			say("M5 PLAY");
			request("PLAY", url, NULL, NULL, NULL);
		} else if (strstr(body, "PAUSE")) {
			say("M5 PAUSE");
			request("PAUSE", url, NULL, NULL, NULL);
		} else if (strstr(body, "TEARDOWN")) {
			say("M5 TEARDOWN");
			request("TEARDOWN", url, NULL, NULL, NULL);
		}
	} else if (!strcmp(msg.method, "SET_PARAMETER") && strstr(body, "wfd_standby")) {
		say("M12 standby from the source");
		reply(200, NULL);
	} else {
		say("unexpected %s", msg.method);
		reply(501, NULL);
	}
}

static void on_reply(void)
{
	const char *s = rtsp_header(&msg, "Session");

	if (msg.status != 200) {
		say("reply %d to CSeq %ld", msg.status, msg.cseq);
		return;
	}
	if (o.strict && msg.cseq == m2_cseq && m2_reply_wrong()) {
		say("strict: M2 reply with %s: giving up", m2_reply_wrong());
		failed = true;
		return;
	}
	if (s && !session[0]) {
		const char *t = rtsp_header(&msg, "Transport");

		/* Like sinks that take the source's RTP port from here. */
		if (o.strict && (!t || !strstr(t, "server_port="))) {
			say("strict: SETUP reply without server_port: giving up");
			failed = true;
			return;
		}
		snprintf(session, sizeof(session), "%.*s", (int)strcspn(s, ";"), s);
		say("M6 session %s (%s)", session, s);
		request("PLAY", url, NULL, NULL, NULL);
	} else if (s && t_play < 0) {
		t_play = now();
		say("M7 playing");
	} else if (s && rtsp_header(&msg, "Range")) {
		say("M7 playing again");
	}
}

/* One datagram, if one is waiting; false when none was. */
static bool on_rtp(void)
{
	uint8_t buf[2048];
	ssize_t n = recv(udp, buf, sizeof(buf), MSG_DONTWAIT);
	int seq;

	if (n < 0)
		return false;
	if (n < 12 || (buf[0] & 0xc0) != 0x80 || (buf[1] & 0x7f) != 33)
		return true;
	packets++;
	/*
	 * Playing, the source sends audio every 10 ms and a picture at least
	 * once a second: a longer silence is a pause or standby.
	 */
	if (t_last_rtp >= 0 && now() - t_last_rtp > 1.5)
		say("rtp resumed after %.1f s of silence", now() - t_last_rtp);
	t_last_rtp = now();
	seq = buf[2] << 8 | buf[3];
	if (last_seq >= 0 && seq != ((last_seq + 1) & 0xffff))
		lost += (unsigned long)((seq - last_seq - 1) & 0xffff);
	last_seq = seq;
	if (o.drop_percent && rand() % 100 < o.drop_percent) {
		dropped++;
		return true;
	}
	if (ts_out)
		fwrite(buf + 12, 1, (size_t)n - 12, ts_out);
	return true;
}

static volatile sig_atomic_t teardown_asked;

static void on_usr1(int sig)
{
	(void)sig;
	teardown_asked = 1;
}

static bool due(double *after)
{
	if (*after < 0 || t_play < 0 || now() - t_play < *after)
		return false;
	*after = -1;
	return true;
}

static void misbehave(void)
{
	if (teardown_asked && t_play >= 0) {
		teardown_asked = 0;
		o.teardown_after = 0;
	}
	if (due(&o.teardown_after)) {
		say("sending TEARDOWN");
		request("TEARDOWN", url, NULL, NULL, NULL);
	}
	if (due(&o.close_after)) {
		say("closing the connection");
		close(tcp);
		tcp = -1;
	}
	if (tcp >= 0 && due(&o.garbage_after)) {
		char junk[RTSP_MAX_LINE + 200];

		memset(junk, 'Z', sizeof(junk));
		say("sending garbage");
		static const char bad[] = "\x01\x02 garbage \xff\r\n\r\n";

		send_all(bad, sizeof(bad) - 1);
		send_all(junk, sizeof(junk));
	}
	if (tcp >= 0 && due(&o.idr_after)) {
		say("requesting %d IDRs", o.idr_burst);
		for (int i = 0; i < o.idr_burst; i++)
			request("SET_PARAMETER", url, NULL, NULL, "wfd_idr_request\r\n");
	}
	if (tcp >= 0 && due(&o.standby_after)) {
		say("entering standby");
		request("SET_PARAMETER", "rtsp://localhost/wfd1.0", NULL, NULL, "wfd_standby\r\n");
	}
	/* Out of standby (or a pause) as a sink does: PLAY again. */
	if (tcp >= 0 && due(&o.resume_after)) {
		say("resuming");
		request("PLAY", url, NULL, NULL, NULL);
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: wfd_testsink [--connect HOST[:PORT]] [--rtp-port N] [--out FILE.ts]\n"
		"       [--formats 'wfd_video_formats value'] [--audio 'wfd_audio_codecs value']\n"
		"       [--edid 'wfd_display_edid value'] [--duration S]\n"
		"       misbehave: [--no-keepalive] [--refuse-m4] [--wrong-session]\n"
		"       [--teardown-after S] [--close-after S] [--garbage-after S]\n"
		"       [--idr-after S --idr-burst N] [--standby-after S] [--resume-after S] [--truncate]\n"
		"       [--drop-percent P]\n"
		"       sinks in the wild: [--one-per-recv] [--slow-start S] [--strict]\n"
		"       SIGUSR1: send TEARDOWN now\n");
	exit(2);
}

static void parse(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "rtp-port", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "formats", required_argument, NULL, 'f' },
		{ "audio", required_argument, NULL, 'a' },
		{ "edid", required_argument, NULL, 'e' },
		{ "duration", required_argument, NULL, 'd' },
		{ "no-keepalive", no_argument, NULL, 'K' },
		{ "refuse-m4", no_argument, NULL, 'R' },
		{ "wrong-session", no_argument, NULL, 'W' },
		{ "teardown-after", required_argument, NULL, 'T' },
		{ "close-after", required_argument, NULL, 'C' },
		{ "garbage-after", required_argument, NULL, 'G' },
		{ "idr-after", required_argument, NULL, 'I' },
		{ "idr-burst", required_argument, NULL, 'B' },
		{ "standby-after", required_argument, NULL, 'S' },
		{ "resume-after", required_argument, NULL, 'r' },
		{ "truncate", no_argument, NULL, 'U' },
		{ "drop-percent", required_argument, NULL, 'D' },
		{ "one-per-recv", no_argument, NULL, '1' },
		{ "slow-start", required_argument, NULL, 's' },
		{ "strict", no_argument, NULL, 'X' },
		{ 0 },
	};
	static char host[128];
	char *colon;
	int c;

	o.host = "127.0.0.1";
	o.port = "7236";
	o.rtp_port = 19000;
	/* 640x480p60 native; 800x600p30 and 1280x720p30 too. */
	o.formats = "00 00 01 01 00000021 00000001 00000000 00 0000 0000 00 none none";
	o.audio = "LPCM 00000003 00";
	o.duration = 60;
	o.teardown_after = o.close_after = o.garbage_after = o.idr_after = o.standby_after =
		o.resume_after = -1;
	o.idr_burst = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			snprintf(host, sizeof(host), "%s", optarg);
			colon = strrchr(host, ':');
			if (colon) {
				*colon = 0;
				o.port = optarg + (colon - host) + 1;
			}
			o.host = host;
			break;
		case 'p': o.rtp_port = atoi(optarg); break;
		case 'o': o.out = optarg; break;
		case 'f': o.formats = optarg; break;
		case 'a': o.audio = optarg; break;
		case 'e': o.edid = optarg; break;
		case 'd': o.duration = atof(optarg); break;
		case 'K': o.no_keepalive = true; break;
		case 'R': o.refuse_m4 = true; break;
		case 'W': o.wrong_session = true; break;
		case 'T': o.teardown_after = atof(optarg); break;
		case 'C': o.close_after = atof(optarg); break;
		case 'G': o.garbage_after = atof(optarg); break;
		case 'I': o.idr_after = atof(optarg); break;
		case 'B': o.idr_burst = atoi(optarg); break;
		case 'S': o.standby_after = atof(optarg); break;
		case 'r': o.resume_after = atof(optarg); break;
		case 'U': o.truncate_after_m3 = true; break;
		case 'D': o.drop_percent = atoi(optarg); break;
		case '1': o.one_per_recv = true; break;
		case 's': o.slow_start = atof(optarg); break;
		case 'X': o.strict = true; break;
		default: usage();
		}
	}
	if (optind != argc || o.rtp_port <= 0 || o.rtp_port > 65535)
		usage();
}

static int open_sockets(void)
{
	struct addrinfo *ai = NULL, hints = { .ai_socktype = SOCK_STREAM };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o.rtp_port) };
	int bufsize = 16 << 20;

	udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	setsockopt(udp, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
	if (udp < 0 || bind(udp, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("testsink: rtp port");
		return -1;
	}
	if (getaddrinfo(o.host, o.port, &hints, &ai)) {
		fprintf(stderr, "testsink: cannot resolve %s\n", o.host);
		return -1;
	}
	/* The source may still be starting: retry for a while. */
	for (int i = 0; i < 300; i++) {
		tcp = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (tcp >= 0 && !connect(tcp, ai->ai_addr, ai->ai_addrlen))
			break;
		close(tcp);
		tcp = -1;
		usleep(100000);
	}
	freeaddrinfo(ai);
	if (tcp < 0) {
		fprintf(stderr, "testsink: cannot connect to %s:%s\n", o.host, o.port);
		return -1;
	}
	say("connected to %s:%s, rtp port %d", o.host, o.port, o.rtp_port);
	t_source = now();
	return 0;
}

int main(int argc, char **argv)
{
	double start;
	int ret = 0;

	parse(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, on_usr1);
	srand(1);
	if (o.out && !(ts_out = fopen(o.out, "w"))) {
		perror(o.out);
		return 2;
	}
	if (open_sockets())
		return 1;
	rtsp_parser_init(&parser);
	start = now();
	if (o.slow_start > 0)
		say("slow start: reading nothing for %.1f s", o.slow_start);
	while (now() - start < o.duration) {
		/* A slow start reads nothing: the source's M1 waits in the socket. */
		bool slow = now() - start < o.slow_start;
		struct pollfd p[2] = { { .fd = slow ? -1 : tcp, .events = POLLIN },
				       { .fd = udp, .events = POLLIN } };
		char buf[4096];
		ssize_t n;
		int r;

		if (poll(p, 2, 50) < 0 && errno != EINTR)
			break;
		/*
		 * A bounded batch: datagrams that arrive as fast as they are
		 * written out (a paced stream, a slow disk) must not keep the
		 * RTSP side from being read.
		 */
		if (p[1].revents)
			for (int k = 0; k < 64 && on_rtp(); k++)
				;
		misbehave();
		if (o.strict && tcp >= 0 && t_play >= 0 && now() - t_source > 60) {
			say("strict: nothing from the source for 60 s: giving up");
			failed = true;
		}
		if (failed && tcp >= 0) {
			/* A sink that gives up hangs up. */
			close(tcp);
			tcp = -1;
			ret = 1;
			start = now() - o.duration + 0.5;
		}
		if (tcp < 0 || !(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = recv(tcp, buf, sizeof(buf), 0);
		if (n <= 0) {
			say("connection closed by the source (%s)", n ? strerror(errno) : "eof");
			close(tcp);
			tcp = -1;
			/* Drain what is still in flight, then stop. */
			start = now() - o.duration + 0.5;
			continue;
		}
		t_source = now();
		if (o.one_per_recv) {
			/*
			 * Like sinks that take what one recv() gives as one message:
			 * what follows the first message in it is lost.
			 */
			rtsp_parser_init(&parser);
			if (!rtsp_parser_feed(&parser, buf, (size_t)n) &&
			    rtsp_parser_next(&parser, &msg) == 1) {
				if (parser.len)
					say("one message per recv: %zu bytes after it lost", parser.len);
				if (msg.request)
					on_request();
				else
					on_reply();
			} else {
				say("one message per recv: no whole message in %zd bytes", n);
			}
			continue;
		}
		if (rtsp_parser_feed(&parser, buf, (size_t)n)) {
			say("source sent too much");
			ret = 1;
			break;
		}
		while ((r = rtsp_parser_next(&parser, &msg)) != 0) {
			if (r < 0) {
				say("unparseable message from the source: %s", strerror(-r));
				ret = 1;
				break;
			}
			if (msg.request)
				on_request();
			else
				on_reply();
		}
	}
	/* What the source sent before it hung up is still queued: keep it. */
	while (on_rtp())
		;
	say("done: %lu rtp packets, %lu lost, %lu dropped on purpose, %lu keep-alives",
	    packets, lost, dropped, keepalives);
	if (ts_out)
		fclose(ts_out);
	if (tcp >= 0)
		close(tcp);
	close(udp);
	return ret;
}
