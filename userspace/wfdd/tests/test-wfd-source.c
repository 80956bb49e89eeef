// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The source session state machine against scripted sinks: a well-behaved
 * one, and ones that misbehave in each way the status mapping covers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfd_drm.h"
#include "wfd_source.h"

static int fails;
#define EXPECT(c) do { if (!(c)) { fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); fails++; } } while (0)

static struct wfds S;
static struct rtsp_parser op;	/* parses what the source wrote */
static struct rtsp_msg om;
static int verbose;
/* The last line logged, and whether one had a byte a terminal would act on. */
static char last_log[1024];
static bool log_unsafe;

static const char caps_body[] =
	"wfd_video_formats: 00 00 02 10 0001ffff 3fffffff 00000fff 00 0000 0000 11 none none\r\n"
	"wfd_audio_codecs: LPCM 00000003 00, AAC 0000000f 00\r\n"
	"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\r\n"
	"wfd_display_edid: none\r\n"
	"wfd_idr_request_capability: 1\r\n"
	"wfd_content_protection: none\r\n"
	"wfd_standby_resume_capability: supported\r\n";

static void log_fn(void *opaque, const char *fmt, ...)
{
	va_list ap;

	(void)opaque;
	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	for (const unsigned char *p = (const unsigned char *)last_log; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			log_unsafe = true;
	if (verbose)
		fprintf(stderr, "%s\n", last_log);
}

/* The time the test writes the source's messages at. */
static uint64_t T;

/* The next message the source wrote (at T, one message per write), or NULL. */
static const struct rtsp_msg *next_out(void)
{
	size_t n;
	int r;

	for (;;) {
		r = rtsp_parser_next(&op, &om);
		EXPECT(r >= 0);
		if (r == 1)
			return &om;
		n = wfds_out_ready(&S, T);
		if (r < 0 || !n)
			return NULL;
		EXPECT(n <= S.out_len);
		EXPECT(rtsp_parser_feed(&op, S.out, n) == 0);
		wfds_written(&S, n, T);
	}
}

static const struct rtsp_msg *expect_request(const char *method, int line)
{
	const struct rtsp_msg *m = next_out();

	if (!m || !m->request || strcmp(m->method, method)) {
		fprintf(stderr, "%s:%d: expected %s, got %s\n", __FILE__, line, method,
			!m ? "nothing" : m->request ? m->method : "a reply");
		fails++;
		return NULL;
	}
	return m;
}
#define EXPECT_REQ(meth) expect_request(meth, __LINE__)

static const struct rtsp_msg *expect_reply(int status, int line)
{
	const struct rtsp_msg *m = next_out();

	if (!m || m->request || m->status != status) {
		fprintf(stderr, "%s:%d: expected reply %d, got %s %d\n", __FILE__, line, status,
			!m ? "nothing" : m->request ? m->method : "reply", m ? m->status : 0);
		fails++;
		return NULL;
	}
	return m;
}
#define EXPECT_REPLY(st) expect_reply(st, __LINE__)

static void sink(uint64_t now, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	wfds_input(&S, buf, (size_t)n, now);
}

static void sink_reply(uint64_t now, long cseq, int status, const char *body)
{
	if (body)
		sink(now, "RTSP/1.0 %d X\r\nCSeq: %ld\r\nContent-Type: text/parameters\r\n"
		     "Content-Length: %zu\r\n\r\n%s", status, cseq, strlen(body), body);
	else
		sink(now, "RTSP/1.0 %d X\r\nCSeq: %ld\r\n\r\n", status, cseq);
}

static bool action(enum wfds_action_type type, struct wfds_action *out)
{
	struct wfds_action a;

	while (wfds_next_action(&S, &a)) {
		if (a.type == type) {
			if (out)
				*out = a;
			return true;
		}
	}
	return false;
}

static void no_actions(int line)
{
	struct wfds_action a;

	while (wfds_next_action(&S, &a)) {
		fprintf(stderr, "%s:%d: unexpected action %d\n", __FILE__, line, a.type);
		fails++;
	}
}
#define NO_ACTIONS() no_actions(__LINE__)

/* The source's own address, as the sink reached it. */
static const char *host = "10.1.2.3";

/* The configuration the next start() uses; NULL: defaults, without the request gap. */
static const struct wfds_config *next_cfg;

static void start(void)
{
	struct wfds_config c;

	wfds_config_defaults(&c);
	/* The gap before a request has a test of its own. */
	c.request_gap_ms = 0;
	if (next_cfg)
		c = *next_cfg;
	snprintf(c.host, sizeof(c.host), "%s", host);
	c.session_seed = 0xabcdef12;
	c.log = log_fn;
	T = 0;
	wfds_init(&S, &c, 0);
	rtsp_parser_init(&op);
}

/* M1 to M3 with a sink that sends M2 before answering M1 when @m2_first. */
static void to_caps(bool m2_first, const char *caps)
{
	const struct rtsp_msg *m;
	long cseq;

	start();
	m = EXPECT_REQ("OPTIONS");
	EXPECT(m && !strcmp(m->uri, "*") && !strcmp(rtsp_header(m, "Require"), "org.wfa.wfd1.0"));
	cseq = m ? m->cseq : 0;
	if (m2_first) {
		sink(10, "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nRequire: org.wfa.wfd1.0\r\n\r\n");
		m = EXPECT_REPLY(200);
		EXPECT(m && strstr(rtsp_header(m, "Public"), "org.wfa.wfd1.0") &&
		       strstr(rtsp_header(m, "Public"), "SET_PARAMETER"));
		EXPECT(!next_out());	/* M3 waits for the M1 reply */
		sink_reply(20, cseq, 200, NULL);
	} else {
		sink(10, "RTSP/1.0 200 OK\nCSeq: %ld\nPublic: org.wfa.wfd1.0, GET_PARAMETER, SET_PARAMETER\n\n", cseq);
		EXPECT(!next_out());
		sink(20, "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nRequire: org.wfa.wfd1.0\r\n\r\n");
		EXPECT_REPLY(200);
	}
	m = EXPECT_REQ("GET_PARAMETER");
	EXPECT(m && strstr(m->body, "wfd_video_formats\r\n") && strstr(m->body, "wfd_client_rtp_ports"));
	EXPECT(S.state == WFDS_M3);
	sink_reply(30, m ? m->cseq : 0, 200, caps);
}

/* To PLAYING at 1920x1080@30; returns the time of the last sink message. */
static uint64_t to_playing(void)
{
	const struct rtsp_msg *m;
	struct wfds_action a;

	to_caps(true, caps_body);
	EXPECT(action(WFDS_CONNECT_OUTPUT, NULL));
	EXPECT(S.state == WFDS_WAIT_MODE && !next_out());
	/* The mode the CRTC kept from an earlier sink: wait for the next. */
	wfds_set_mode(&S, 1234, 567, 60, 35);
	EXPECT(S.state == WFDS_WAIT_MODE && !next_out() && !action(WFDS_END, NULL));
	wfds_set_mode(&S, 1920, 1080, 30, 40);
	m = EXPECT_REQ("SET_PARAMETER");
	/* The sink skips frames (11: and changes rates, which we do not): M4 says 01. */
	EXPECT(m && strstr(m->body, "wfd_video_formats: 00 00 02 10 00000080 00000000 00000000 00 0000 0000 01 none none\r\n"));
	EXPECT(m && strstr(m->body, "wfd_audio_codecs: LPCM 00000002 00\r\n"));
	EXPECT(m && strstr(m->body, "wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\r\n"));
	EXPECT(m && strstr(m->body, "wfd_presentation_URL: rtsp://10.1.2.3/wfd1.0/streamid=0 none\r\n"));
	sink_reply(50, m ? m->cseq : 0, 200, NULL);
	EXPECT(action(WFDS_FORMAT, NULL));
	m = EXPECT_REQ("SET_PARAMETER");
	EXPECT(m && !strcmp(m->body, "wfd_trigger_method: SETUP\r\n"));
	sink_reply(60, m ? m->cseq : 0, 200, NULL);
	sink(70, "SETUP rtsp://10.1.2.3/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 2\r\n"
	     "Transport: RTP/AVP/UDP;unicast;client_port=19002-19003\r\n\r\n");
	m = EXPECT_REPLY(200);
	EXPECT(m && !strcmp(rtsp_header(m, "Session"), "ABCDEF12;timeout=30"));
	EXPECT(m && !strcmp(rtsp_header(m, "Transport"), "RTP/AVP/UDP;unicast;client_port=19002-19003"));
	EXPECT(S.state == WFDS_WAIT_PLAY);
	sink(80, "PLAY rtsp://10.1.2.3/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 3\r\nSession: ABCDEF12\r\n\r\n");
	m = EXPECT_REPLY(200);
	EXPECT(m && m->cseq == 3);
	EXPECT(action(WFDS_PLAY, &a) && a.rtp_port == 19002);
	EXPECT(action(WFDS_IDR, NULL));
	EXPECT(S.state == WFDS_PLAYING);
	return 80;	/* the last message from the sink */
}

static void test_happy_path_and_keepalive(void)
{
	const struct rtsp_msg *m;
	struct wfds_action a;
	uint64_t t = to_playing();

	/* M13, a second after PLAY: one IDR for a burst. */
	t += 1000;
	sink(t, "SET_PARAMETER rtsp://localhost/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 4\r\n"
	     "Session: ABCDEF12\r\nContent-Length: 17\r\n\r\nwfd_idr_request\r\n"
	     "SET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 5\r\n"
	     "Session: ABCDEF12\r\nContent-Length: 17\r\n\r\nwfd_idr_request\r\n");
	EXPECT_REPLY(200);
	EXPECT_REPLY(200);
	EXPECT(action(WFDS_IDR, NULL));
	NO_ACTIONS();
	/* The second came in the same read: the IDR not taken yet serves it. */
	EXPECT(!S.idr_due);

	/* Keep-alive at 25 s of silence, answered with a wrong Session (a quirk). */
	EXPECT(wfds_deadline(&S) == t + 25000);
	wfds_tick(&S, t + 24999);
	EXPECT(!next_out());
	for (int round = 0; round < 3; round++) {
		uint64_t now = t + 25000;

		wfds_tick(&S, now);
		m = EXPECT_REQ("GET_PARAMETER");
		EXPECT(m && !strcmp(rtsp_header(m, "Session"), "ABCDEF12") && !m->body_len);
		EXPECT(wfds_deadline(&S) == t + 30000);
		sink(now + 300, "RTSP/1.0 200 OK\r\nCSeq: %ld\r\nSession: 999\r\n\r\n", m ? m->cseq : 0);
		t = now + 300;
		NO_ACTIONS();
	}
	/* Graceful end: M5 TEARDOWN, the sink's M8. */
	wfds_stop(&S, t);
	m = EXPECT_REQ("SET_PARAMETER");
	EXPECT(m && !strcmp(m->body, "wfd_trigger_method: TEARDOWN\r\n"));
	sink_reply(t + 10, m ? m->cseq : 0, 200, NULL);
	sink(t + 20, "TEARDOWN rtsp://10.1.2.3/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 9\r\nSession: ABCDEF12\r\n\r\n");
	m = EXPECT_REPLY(200);
	EXPECT(m && !strcmp(rtsp_header(m, "Connection"), "close"));
	EXPECT(action(WFDS_END, &a) && a.status == -1);
	EXPECT(S.state == WFDS_ENDED);
}

static void test_keepalive_missing(void)
{
	const struct rtsp_msg *m;
	struct wfds_action a;
	uint64_t t = to_playing();

	wfds_tick(&S, t + 25000);
	EXPECT_REQ("GET_PARAMETER");
	wfds_tick(&S, t + 29999);
	NO_ACTIONS();
	EXPECT(wfds_deadline(&S) == t + 30000);
	wfds_tick(&S, t + 30000);
	EXPECT(action(WFDS_END, &a) && a.status == WFD_STATUS_MISSING_KEEPALIVE &&
	       a.diag == -ETIMEDOUT);
	/* Other traffic does not stand in for the keep-alive reply. */
	t = to_playing();
	wfds_tick(&S, t + 25000);
	EXPECT_REQ("GET_PARAMETER");
	sink(t + 27000, "GET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 20\r\n\r\n");
	EXPECT_REPLY(200);
	wfds_tick(&S, t + 30000);
	EXPECT(action(WFDS_END, &a) && a.status == WFD_STATUS_MISSING_KEEPALIVE);
	/*
	 * A daemon that stalled for a minute sends its M16 late and gives the
	 * sink its full reply time: the silence alone is not the sink's fault.
	 */
	t = to_playing();
	wfds_tick(&S, t + 60000);
	NO_ACTIONS();
	m = EXPECT_REQ("GET_PARAMETER");
	wfds_tick(&S, t + 64999);
	NO_ACTIONS();
	sink_reply(t + 64999, m ? m->cseq : 0, 200, NULL);
	wfds_tick(&S, t + 65000);
	NO_ACTIONS();
	EXPECT(S.state == WFDS_PLAYING);
}

static void test_sink_teardown_and_close(void)
{
	struct wfds_action a;
	uint64_t t = to_playing();

	sink(t, "TEARDOWN rtsp://10.1.2.3/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 9\r\n\r\n");
	EXPECT_REPLY(200);
	EXPECT(action(WFDS_END, &a) && a.status == WFD_STATUS_SINK_DISCONNECT_REQUEST && a.diag == 0);

	t = to_playing();
	wfds_closed(&S, -ECONNRESET, t);
	EXPECT(action(WFDS_END, &a) && a.status == WFD_STATUS_SINK_DISCONNECT_REQUEST &&
	       a.diag == -ECONNRESET);
	/* Once ended, nothing more happens. */
	wfds_closed(&S, 0, t);
	sink(t, "TEARDOWN * RTSP/1.0\r\nCSeq: 9\r\n\r\n");
	wfds_tick(&S, t + 100000);
	NO_ACTIONS();
	EXPECT(!next_out());

	/* Closed during capability exchange. */
	start();
	wfds_closed(&S, 0, 5);
	EXPECT(action(WFDS_END, &a) && a.status == WFD_STATUS_SINK_DISCONNECT_REQUEST &&
	       a.diag == -ENOTCONN);
}

static void test_m4_refused(void)
{
	const struct rtsp_msg *m;
	struct wfds_action a;
	uint64_t t;

	to_caps(false, caps_body);
	EXPECT(action(WFDS_CONNECT_OUTPUT, NULL));
	wfds_set_mode(&S, 1280, 720, 60, 40);
	m = EXPECT_REQ("SET_PARAMETER");
	EXPECT(m && strstr(m->body, " 00000040 00000000 00000000 "));
	sink_reply(50, m ? m->cseq : 0, 406, NULL);
	EXPECT(action(WFDS_END, &a) && a.status == WFD_STATUS_SINK_FAILED_MODE_CHANGE &&
	       a.diag == 406);

	/* A mode change mid-session: accepted, then refused. */
	t = to_playing();
	wfds_set_mode(&S, 1280, 720, 30, t);
	m = EXPECT_REQ("SET_PARAMETER");
	EXPECT(m && strstr(m->body, " 00000020 00000000 00000000 ") &&
	       !strstr(m->body, "wfd_client_rtp_ports"));
	sink_reply(t + 1, m ? m->cseq : 0, 200, NULL);
	EXPECT(action(WFDS_FORMAT, NULL));
	EXPECT(action(WFDS_IDR, NULL));
	wfds_set_mode(&S, 1024, 768, 60, t + 2);
	m = EXPECT_REQ("SET_PARAMETER");
	EXPECT(m && strstr(m->body, " 00000000 00000008 00000000 "));
	sink_reply(t + 3, m ? m->cseq : 0, 415, NULL);
	EXPECT(action(WFDS_END, &a) && a.status == WFD_STATUS_SINK_FAILED_MODE_CHANGE &&
	       a.diag == 415);

	/* A mode the sink never listed. */
	t = to_playing();
	wfds_set_mode(&S, 1234, 567, 60, t);
	EXPECT(action(WFDS_END, &a) && a.status == WFD_STATUS_SINK_FAILED_MODE_CHANGE &&
	       a.diag == -ENOENT);
}

static void test_bad_caps(void)
{
	struct wfds_action a;

	/* Only bits that do not exist. */
	to_caps(true, "wfd_video_formats: 00 00 01 01 00000000 c0000000 00000000 00 0000 0000 00 none none\r\n"
		      "wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\r\n");
	EXPECT(action(WFDS_END, &a) && a.status == WFD_STATUS_SINK_FAILED_MODE_CHANGE &&
	       a.diag == -EPROTO);
	/* No rtp port (old LG dongles): 19000, and interlaced-only is unusable. */
	to_caps(true, "wfd_video_formats: 00 00 01 01 00000001 00000000 00000000 00 0000 0000 00 none none\r\n");
	EXPECT(action(WFDS_CONNECT_OUTPUT, NULL) && S.rtp_port == 19000);
	to_caps(true, "wfd_video_formats: 00 00 01 01 00000004 00000000 00000000 00 0000 0000 00 none none\r\n");
	EXPECT(action(WFDS_END, &a) && a.status == WFD_STATUS_SINK_FAILED_MODE_CHANGE);
	/* M3 refused. */
	start();
	{
		const struct rtsp_msg *m = EXPECT_REQ("OPTIONS");

		sink_reply(1, m ? m->cseq : 0, 200, NULL);
		sink(2, "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n");
		EXPECT_REPLY(200);
		m = EXPECT_REQ("GET_PARAMETER");
		sink_reply(3, m ? m->cseq : 0, 404, NULL);
		EXPECT(action(WFDS_END, &a) && a.status == WFD_STATUS_SINK_DISCONNECT_REQUEST &&
		       a.diag == 404);
	}
}

static void test_timeouts(void)
{
	struct wfds_action a;
	const struct rtsp_msg *m;

	/* M1 never answered: the first request has longer. */
	start();
	EXPECT(wfds_deadline(&S) == 15000);
	wfds_tick(&S, 14999);
	NO_ACTIONS();
	wfds_tick(&S, 15000);
	EXPECT(action(WFDS_END, &a) && a.status == WFD_STATUS_MISSING_KEEPALIVE);
	/* SETUP trigger answered but no M6. */
	to_caps(true, caps_body);
	wfds_set_mode(&S, 640, 480, 60, 40);
	m = EXPECT_REQ("SET_PARAMETER");
	sink_reply(50, m ? m->cseq : 0, 200, NULL);
	m = EXPECT_REQ("SET_PARAMETER");
	sink_reply(60, m ? m->cseq : 0, 200, NULL);
	EXPECT(wfds_deadline(&S) == 5060);
	wfds_tick(&S, 5060);
	EXPECT(action(WFDS_END, &a) && a.status == WFD_STATUS_MISSING_KEEPALIVE);
	/* Our TEARDOWN trigger never followed by M8: graceful end after 2 s. */
	to_playing();
	wfds_stop(&S, 1000);
	EXPECT_REQ("SET_PARAMETER");
	wfds_tick(&S, 2999);
	NO_ACTIONS();
	wfds_tick(&S, 3000);
	EXPECT(action(WFDS_END, &a) && a.status == -1);
}

static void test_garbage(void)
{
	struct wfds_action a;
	char big[RTSP_MAX_LINE + 10];
	uint64_t t = to_playing();

	/* Framed garbage: 400, the session goes on. */
	sink(t, "HELLO WORLD\r\n\r\n");
	EXPECT_REPLY(400);
	sink(t, "DESCRIBE rtsp://x RTSP/1.0\r\nCSeq: 5\r\n\r\n");
	EXPECT_REPLY(501);
	sink(t, "PLAY rtsp://x RTSP/1.0\r\nCSeq: 6\r\nSession: 12345678\r\n\r\n");
	EXPECT_REPLY(454);
	sink(t, "SET_PARAMETER rtsp://x RTSP/1.0\r\nCSeq: 7\r\nContent-Length: 4\r\n\r\n\x01\x02\x03\x04");
	EXPECT_REPLY(400);
	sink(t, "RTSP/1.0 200 OK\r\nCSeq: 777\r\n\r\n");	/* matches no request */
	EXPECT(!next_out());
	NO_ACTIONS();
	EXPECT(S.state == WFDS_PLAYING);
	/* Unframeable: the session ends. */
	memset(big, 'z', sizeof(big));
	wfds_input(&S, big, sizeof(big), t);
	EXPECT(action(WFDS_END, &a) && a.status == WFD_STATUS_SINK_DISCONNECT_REQUEST &&
	       a.diag == -EMSGSIZE);
}

static void test_standby(void)
{
	const struct rtsp_msg *m;
	struct wfds_action a;
	uint64_t t = to_playing();

	/* DPMS off: stop streaming, M12 to the sink. */
	wfds_set_dpms(&S, true, t);
	EXPECT(action(WFDS_PAUSE, NULL));
	m = EXPECT_REQ("SET_PARAMETER");
	EXPECT(m && !strcmp(m->body, "wfd_standby\r\n") && rtsp_header(m, "Session"));
	sink_reply(t + 1, m ? m->cseq : 0, 200, NULL);
	EXPECT(S.state == WFDS_STANDBY);
	/* Keep-alives go on in standby. */
	wfds_tick(&S, t + 25001);
	m = EXPECT_REQ("GET_PARAMETER");
	sink_reply(t + 25002, m ? m->cseq : 0, 200, NULL);
	/* DPMS on: M5 PLAY, the sink's M7 resumes. */
	wfds_set_dpms(&S, false, t + 25003);
	m = EXPECT_REQ("SET_PARAMETER");
	EXPECT(m && !strcmp(m->body, "wfd_trigger_method: PLAY\r\n"));
	sink_reply(t + 25004, m ? m->cseq : 0, 200, NULL);
	sink(t + 25005, "PLAY rtsp://x/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 30\r\nSession: ABCDEF12\r\n\r\n");
	EXPECT_REPLY(200);
	EXPECT(action(WFDS_PLAY, &a) && a.rtp_port == 19002);
	EXPECT(S.state == WFDS_PLAYING);
	/* The sink's own standby (M12) and PAUSE (M9). */
	sink(t + 25006, "SET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 31\r\n"
	     "Session: ABCDEF12\r\nContent-Length: 13\r\n\r\nwfd_standby\r\n");
	EXPECT_REPLY(200);
	EXPECT(action(WFDS_PAUSE, NULL) && S.state == WFDS_STANDBY);
	sink(t + 25007, "PLAY rtsp://x/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 32\r\nSession: ABCDEF12\r\n\r\n");
	EXPECT_REPLY(200);
	EXPECT(action(WFDS_PLAY, NULL));
	sink(t + 25008, "PAUSE rtsp://x/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 33\r\nSession: ABCDEF12\r\n\r\n");
	EXPECT_REPLY(200);
	EXPECT(action(WFDS_PAUSE, NULL) && S.state == WFDS_PAUSED);
}

/* A sink that sends mutated copies of real messages at random. */
static void test_random(void)
{
	static const char *const msgs[] = {
		"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n",
		"RTSP/1.0 200 OK\r\nCSeq: %d\r\n\r\n",
		"SETUP rtsp://x/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 2\r\nTransport: RTP/AVP/UDP;unicast;client_port=%d\r\n\r\n",
		"PLAY rtsp://x/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 3\r\n\r\n",
		"PAUSE rtsp://x/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 3\r\n\r\n",
		"SET_PARAMETER rtsp://x RTSP/1.0\r\nCSeq: 4\r\nContent-Length: 17\r\n\r\nwfd_idr_request\r\n",
		"SET_PARAMETER rtsp://x RTSP/1.0\r\nCSeq: 4\r\nContent-Length: 13\r\n\r\nwfd_standby\r\n",
		"TEARDOWN rtsp://x RTSP/1.0\r\nCSeq: 5\r\n\r\n",
	};
	char buf[512];

	srand(777);
	for (int run = 0; run < 300; run++) {
		uint64_t t = 0;
		int ends = 0;

		if (run % 2)
			to_caps(run % 4 == 1, caps_body);
		else
			start();
		for (int step = 0; step < 60 && S.state != WFDS_ENDED; step++) {
			struct wfds_action a;
			int n, r = rand() % 12;

			t += (uint64_t)(rand() % 4000);
			if (r < 8) {
				n = snprintf(buf, sizeof(buf), msgs[r],
					     r == 1 ? (int)S.pending_cseq : rand() % 70000);
				for (int k = rand() % 3; k > 0 && n > 0; k--)
					buf[rand() % n] = (char)(rand() % 256);
				wfds_input(&S, buf, (size_t)n, t);
			} else if (r == 8) {
				wfds_set_mode(&S, rand() % 2 ? 1920 : 640, rand() % 2 ? 1080 : 480,
					      rand() % 2 ? 30 : 60, t);
			} else if (r == 9) {
				wfds_set_dpms(&S, rand() % 2, t);
			} else if (r == 10) {
				wfds_tick(&S, t);
			} else if (rand() % 8 == 0) {
				wfds_stop(&S, t);
			}
			while (wfds_next_action(&S, &a)) {
				if (a.type == WFDS_END)
					ends++;
			}
			EXPECT(S.out_len < sizeof(S.out));
			/* The source's output always parses. */
			while (next_out())
				;
		}
		wfds_closed(&S, 0, t);
		{
			struct wfds_action a;

			while (wfds_next_action(&S, &a))
				if (a.type == WFDS_END)
					ends++;
		}
		EXPECT(ends == 1);
	}
}


/*
 * After the M3 reply the compositor must set one of the sink's modes in
 * time: a sink that vanished half-open or a compositor that never picks
 * one of its modes must not hold the only slot forever.
 */
static void test_mode_timeout(void)
{
	struct wfds_config c;
	struct wfds_action a;

	to_caps(true, caps_body);
	EXPECT(action(WFDS_CONNECT_OUTPUT, NULL));
	EXPECT(S.state == WFDS_WAIT_MODE);
	EXPECT(wfds_deadline(&S) == 30 + 30000);
	/* A mode that is not the sink's does not reset the deadline. */
	wfds_set_mode(&S, 1234, 567, 60, 20000);
	wfds_tick(&S, 30029);
	NO_ACTIONS();
	wfds_tick(&S, 30030);
	EXPECT(action(WFDS_END, &a) && a.status == WFD_STATUS_SINK_FAILED_MODE_CHANGE &&
	       a.diag == -ETIMEDOUT);
	EXPECT(S.state == WFDS_ENDED);

	/* Configurable; a mode in time goes on to M4 with no deadline left. */
	wfds_config_defaults(&c);
	c.request_gap_ms = 0;
	c.mode_timeout_ms = 2000;
	next_cfg = &c;
	to_caps(true, caps_body);
	next_cfg = NULL;
	EXPECT(wfds_deadline(&S) == 2030);
	wfds_set_mode(&S, 640, 480, 60, 2029);
	EXPECT_REQ("SET_PARAMETER");
	EXPECT(S.state == WFDS_M4 && wfds_deadline(&S) == 2029 + 5000);
	wfds_tick(&S, 4000);
	EXPECT(!action(WFDS_END, NULL));
}

/* M1 answered but no M2 from the sink: the slot is freed too. */
static void test_no_m2(void)
{
	const struct rtsp_msg *m;
	struct wfds_action a;

	start();
	m = EXPECT_REQ("OPTIONS");
	sink_reply(10, m ? m->cseq : 0, 200, NULL);
	EXPECT(S.state == WFDS_M1 && S.pending_cseq < 0);
	EXPECT(wfds_deadline(&S) == 15000);
	wfds_tick(&S, 14999);
	NO_ACTIONS();
	wfds_tick(&S, 15000);
	EXPECT(action(WFDS_END, &a) && a.status == WFD_STATUS_MISSING_KEEPALIVE &&
	       a.diag == -ETIMEDOUT);
}

/* A sink slow to start has first_request_timeout_ms to answer M1. */
static void test_first_request_timeout(void)
{
	struct wfds_config c;
	struct wfds_action a;

	wfds_config_defaults(&c);
	c.request_gap_ms = 0;
	c.first_request_timeout_ms = 20000;
	next_cfg = &c;
	start();
	next_cfg = NULL;
	EXPECT_REQ("OPTIONS");
	EXPECT(wfds_deadline(&S) == 20000);
	wfds_tick(&S, 5000);
	wfds_tick(&S, 19999);
	NO_ACTIONS();
	wfds_tick(&S, 20000);
	EXPECT(action(WFDS_END, &a) && a.status == WFD_STATUS_MISSING_KEEPALIVE);
	/* Later requests keep request_timeout_ms. */
	to_caps(true, caps_body);
	wfds_set_mode(&S, 640, 480, 60, 40);
	EXPECT_REQ("SET_PARAMETER");
	EXPECT(wfds_deadline(&S) == 5040);
}

/* The audio of the first M4 stays negotiated through later M4s. */
static void test_audio_kept(void)
{
	const struct rtsp_msg *m;
	struct wfds_action a;
	uint64_t t = to_playing();

	EXPECT(S.audio);
	/* The compositor changes mode: the new M4 names the video only. */
	wfds_set_mode(&S, 1280, 720, 30, t + 1);
	m = EXPECT_REQ("SET_PARAMETER");
	EXPECT(m && !strstr(m->body, "wfd_audio_codecs"));
	sink_reply(t + 2, m ? m->cseq : 0, 200, NULL);
	EXPECT(action(WFDS_FORMAT, NULL));
	/* PAUSE, PLAY: the stream comes back with its audio track. */
	sink(t + 3, "PAUSE rtsp://x/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 40\r\nSession: ABCDEF12\r\n\r\n");
	EXPECT_REPLY(200);
	EXPECT(action(WFDS_PAUSE, NULL));
	sink(t + 4, "PLAY rtsp://x/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 41\r\nSession: ABCDEF12\r\n\r\n");
	EXPECT_REPLY(200);
	EXPECT(action(WFDS_PLAY, &a) && a.audio);
	/* Standby and resume too. */
	wfds_set_dpms(&S, true, t + 5);
	m = EXPECT_REQ("SET_PARAMETER");
	sink_reply(t + 6, m ? m->cseq : 0, 200, NULL);
	wfds_set_dpms(&S, false, t + 7);
	m = EXPECT_REQ("SET_PARAMETER");
	sink_reply(t + 8, m ? m->cseq : 0, 200, NULL);
	sink(t + 9, "PLAY rtsp://x/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 42\r\nSession: ABCDEF12\r\n\r\n");
	EXPECT_REPLY(200);
	EXPECT(action(WFDS_PLAY, &a) && a.audio);

	/* A sink without LPCM 48 kHz gets video only, every time. */
	to_caps(true, "wfd_video_formats: 00 00 01 01 00000001 00000000 00000000 00 0000 0000 00 none none\r\n"
		      "wfd_audio_codecs: AAC 0000000f 00\r\n");
	EXPECT(action(WFDS_CONNECT_OUTPUT, NULL));
	wfds_set_mode(&S, 640, 480, 60, 40);
	m = EXPECT_REQ("SET_PARAMETER");
	EXPECT(m && !strstr(m->body, "wfd_audio_codecs"));
	EXPECT(!S.audio);
}

/*
 * IDR requests: at most one per idr_min_interval_ms, the others merged
 * into one that follows; a new stream or format gets its IDR at once.
 */
static void test_idr_rate_limit(void)
{
	struct wfds_config c;
	struct wfds_action a;
	uint64_t t = to_playing(), t0;
	int idrs = 0;

	/* PLAY gave one at 80. */
	for (int i = 0; i < 1000; i++) {
		uint64_t now = t + 1 + (uint64_t)i;

		sink(now, "SET_PARAMETER rtsp://x/wfd1.0 RTSP/1.0\r\nCSeq: %d\r\nSession: ABCDEF12\r\n"
		     "Content-Length: 17\r\n\r\nwfd_idr_request\r\n", 100 + i);
		wfds_tick(&S, now);
		while (wfds_next_action(&S, &a)) {
			EXPECT(a.type == WFDS_IDR);
			idrs++;
		}
		while (next_out())
			;
	}
	/* 1000 requests over a second: four IDRs, 250, 500, 750 and 1000 ms after PLAY's. */
	EXPECT(idrs == 4 && !S.idr_due);
	/* One more request is served when its interval is up. */
	sink(t + 1001, "SET_PARAMETER rtsp://x/wfd1.0 RTSP/1.0\r\nCSeq: 99\r\nSession: ABCDEF12\r\n"
	     "Content-Length: 17\r\n\r\nwfd_idr_request\r\n");
	EXPECT_REPLY(200);
	NO_ACTIONS();
	EXPECT(S.idr_due && wfds_deadline(&S) == t + 1000 + 250);
	wfds_tick(&S, t + 1249);
	NO_ACTIONS();
	wfds_tick(&S, t + 1250);
	EXPECT(action(WFDS_IDR, NULL) && !S.idr_due);
	/* A new format gets its IDR at once, whatever the interval. */
	wfds_set_mode(&S, 1280, 720, 30, t + 1251);
	{
		const struct rtsp_msg *m = EXPECT_REQ("SET_PARAMETER");

		sink_reply(t + 1252, m ? m->cseq : 0, 200, NULL);
	}
	EXPECT(action(WFDS_FORMAT, NULL) && action(WFDS_IDR, NULL));
	/* Paused, a due request is dropped: PLAY brings its own IDR. */
	wfds_request_idr(&S, t + 1253);
	EXPECT(S.idr_due);
	sink(t + 1254, "PAUSE rtsp://x/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 50\r\nSession: ABCDEF12\r\n\r\n");
	EXPECT(action(WFDS_PAUSE, NULL) && !S.idr_due);

	/* The stream's own requests (a loss) share the limit. */
	t0 = to_playing();
	NO_ACTIONS();
	wfds_request_idr(&S, t0 + 10);
	NO_ACTIONS();
	wfds_request_idr(&S, t0 + 300);
	EXPECT(action(WFDS_IDR, NULL));

	/* 0 turns the limit off. */
	wfds_config_defaults(&c);
	c.request_gap_ms = 0;
	c.idr_min_interval_ms = 0;
	next_cfg = &c;
	t = to_playing();
	next_cfg = NULL;
	for (int i = 0; i < 5; i++) {
		wfds_request_idr(&S, t);
		EXPECT(action(WFDS_IDR, NULL));
	}
}

/* PLAY, PAUSE, M12 and M13 must name the session. */
static void test_session_required(void)
{
	static const char *const reqs[] = {
		"PLAY rtsp://x/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 60\r\n\r\n",
		"PAUSE rtsp://x/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 61\r\n\r\n",
		"SET_PARAMETER rtsp://x/wfd1.0 RTSP/1.0\r\nCSeq: 62\r\n"
		"Content-Length: 13\r\n\r\nwfd_standby\r\n",
		"SET_PARAMETER rtsp://x/wfd1.0 RTSP/1.0\r\nCSeq: 63\r\n"
		"Content-Length: 17\r\n\r\nwfd_idr_request\r\n",
	};
	uint64_t t = to_playing() + 1000;

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		sink(t, "%s", reqs[i]);
		EXPECT_REPLY(454);
		NO_ACTIONS();
		EXPECT(S.state == WFDS_PLAYING);
	}
	/* With a Session parameter after it, and spaces, the id still matches. */
	sink(t, "PAUSE rtsp://x/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 64\r\n"
	     "Session: ABCDEF12 ;timeout=30\r\n\r\n");
	EXPECT_REPLY(200);
	EXPECT(action(WFDS_PAUSE, NULL));
	/* TEARDOWN without one still ends the session. */
	sink(t, "TEARDOWN rtsp://x/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 65\r\n\r\n");
	EXPECT_REPLY(200);
	EXPECT(action(WFDS_END, NULL));
}

/* What the sink sent reaches the log escaped. */
static void test_log_escaped(void)
{
	uint64_t t = to_playing() + 1000;

	log_unsafe = false;
	sink(t, "PLAY rtsp://x/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 70\r\n"
	     "Session: \x1b[2J\x1b]0;pwned\x07\xff\r\n\r\n");
	EXPECT_REPLY(454);
	EXPECT(!log_unsafe);
	EXPECT(strstr(last_log, "\\x1b[2J\\x1b]0;pwned\\x07\\xff"));
	sink(t, "RTSP/1.0 500 \x1b[1mBroken\r\nCSeq: 999\r\n\r\n");
	EXPECT(!log_unsafe);
}

/*
 * A legal pipelined burst larger than the parser's buffer, in one read,
 * is handled message by message: the session goes on.
 */
static void test_pipelined_burst(void)
{
	static char burst[48 * 1024];
	size_t len = 0;
	int replies = 0, n = 0;
	uint64_t t = to_playing() + 1000;

	while (len + 200 < sizeof(burst))
		len += (size_t)snprintf(burst + len, sizeof(burst) - len,
					"GET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: %d\r\n"
					"Session: ABCDEF12\r\n\r\n", 1000 + n++);
	EXPECT(len > 2 * RTSP_MAX_MESSAGE);
	wfds_input(&S, burst, len, t);
	EXPECT(S.state == WFDS_PLAYING);
	NO_ACTIONS();
	while (next_out())
		replies++;
	EXPECT(replies == n);
}

/*
 * M3 leaves alone: not in the same send() as the reply to the sink's M2,
 * and only request_gap_ms after that reply was written, so that a sink
 * that reads one message per recv() takes it as M3.
 */
static void test_m3_alone(void)
{
	struct wfds_config c;
	const struct rtsp_msg *m;
	size_t n;

	wfds_config_defaults(&c);
	next_cfg = &c;
	start();
	next_cfg = NULL;
	EXPECT(c.request_gap_ms >= 20 && c.request_gap_ms <= 100);
	m = EXPECT_REQ("OPTIONS");
	sink_reply(10, m ? m->cseq : 0, 200, NULL);
	sink(20, "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nRequire: org.wfa.wfd1.0\r\n\r\n");
	/* The reply alone is ready; M3 waits behind it. */
	n = wfds_out_ready(&S, 20);
	EXPECT(n > 0 && n < S.out_len);
	EXPECT(!strncmp(S.out, "RTSP/1.0 200 OK\r\n", 17));
	T = 25;
	m = EXPECT_REPLY(200);
	EXPECT(!next_out());
	EXPECT(wfds_out_ready(&S, 25 + c.request_gap_ms - 1) == 0);
	EXPECT(wfds_deadline(&S) == 25 + c.request_gap_ms);
	T = 25 + c.request_gap_ms;
	m = EXPECT_REQ("GET_PARAMETER");
	/* Numbered as strict sinks expect: M1 1, M3 2. */
	EXPECT(m && m->cseq == 2);
	/* Replies go at once, each in its own write. */
	sink(90, "GET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 2\r\n\r\n"
	     "GET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 3\r\n\r\n");
	n = wfds_out_ready(&S, 90);
	EXPECT(n > 0 && n < S.out_len);
}

/* M1, M3, M4, M5 carry CSeq 1 to 4; the SETUP reply names our RTP port. */
static void test_numbering_and_server_port(void)
{
	struct wfds_config c;
	const struct rtsp_msg *m;

	wfds_config_defaults(&c);
	c.request_gap_ms = 0;
	c.rtp_server_port = 40000;
	next_cfg = &c;
	start();
	next_cfg = NULL;
	m = EXPECT_REQ("OPTIONS");
	EXPECT(m && m->cseq == 1);
	sink_reply(1, 1, 200, NULL);
	sink(2, "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n");
	EXPECT_REPLY(200);
	m = EXPECT_REQ("GET_PARAMETER");
	EXPECT(m && m->cseq == 2);
	sink_reply(3, 2, 200, caps_body);
	wfds_set_mode(&S, 1920, 1080, 30, 4);
	m = EXPECT_REQ("SET_PARAMETER");
	EXPECT(m && m->cseq == 3);
	sink_reply(5, 3, 200, NULL);
	m = EXPECT_REQ("SET_PARAMETER");
	EXPECT(m && m->cseq == 4 && strstr(m->body, "SETUP"));
	sink_reply(6, 4, 200, NULL);
	/* The stream URL with and without a port. */
	sink(7, "SETUP rtsp://10.1.2.3:7236/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 5\r\n"
	     "Transport: RTP/AVP/UDP;unicast;client_port=19000\r\n\r\n");
	m = EXPECT_REPLY(200);
	EXPECT(m && !strcmp(rtsp_header(m, "Transport"),
			    "RTP/AVP/UDP;unicast;client_port=19000;server_port=40000-40001"));
	sink(8, "PLAY rtsp://10.1.2.3/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 6\r\nSession: ABCDEF12\r\n\r\n");
	EXPECT_REPLY(200);
	EXPECT(action(WFDS_PLAY, NULL));
}

/*
 * A sink that keeps sending but stops reading: our replies pile up
 * unwritten until one does not fit, and that ends the session
 * (CRITICAL_ERROR, -ENOBUFS).  When the one that does not fit answers a
 * PAUSE (M9), playing or in standby, the session must stay ended: not
 * be paused again, and end no second time on the next message, tick or
 * the connection closing (found by fuzz-wfd).
 */
static void test_pause_reply_overflow(void)
{
	for (int standby = 0; standby < 2; standby++) {
		uint64_t t = to_playing() + 1000;
		struct wfds_action a;
		int cseq = 100, ends = 0;

		if (standby) {
			sink(t, "SET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: %d\r\n"
			     "Session: ABCDEF12\r\nContent-Length: 13\r\n\r\nwfd_standby\r\n", cseq++);
			EXPECT_REPLY(200);
			EXPECT(action(WFDS_PAUSE, NULL) && S.state == WFDS_STANDBY);
		}
		/* Replies of about 32 bytes, unwritten, while one more surely fits. */
		while (sizeof(S.out) - S.out_len > 40 && S.out_nmsgs < WFDS_MAX_OUT_MSGS - 1)
			sink(t, "GET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: %d\r\n\r\n",
			     cseq++);
		EXPECT(S.state == (standby ? WFDS_STANDBY : WFDS_PLAYING));
		NO_ACTIONS();
		/* The reply to PAUSE, with its Session header, does not fit. */
		sink(t, "PAUSE rtsp://x/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: %d\r\n"
		     "Session: ABCDEF12\r\n\r\n", cseq++);
		EXPECT(S.state == WFDS_ENDED);
		sink(t, "GET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: %d\r\n\r\n", cseq++);
		wfds_tick(&S, t + 60000);
		wfds_closed(&S, -ECONNRESET, t + 60000);
		while (wfds_next_action(&S, &a)) {
			EXPECT(a.type == WFDS_END);
			if (a.type == WFDS_END) {
				ends++;
				EXPECT(a.status == WFD_STATUS_CRITICAL_ERROR && a.diag == -ENOBUFS);
			}
		}
		EXPECT(ends == 1);
		EXPECT(S.state == WFDS_ENDED);
	}
}

/*
 * More of the sink's requests in one read than the action queue holds
 * (PLAY and PAUSE, over and over, then TEARDOWN): whatever else is
 * dropped, the END is not, or the caller would never learn that the
 * session is over.
 */
static void test_action_burst_keeps_end(void)
{
	char burst[8192];
	size_t len = 0;
	struct wfds_action a;
	int n = 0, ends = 0;
	uint64_t t = to_playing() + 1000;

	for (int i = 0; i < 2 * WFDS_MAX_ACTIONS; i++)
		len += (size_t)snprintf(burst + len, sizeof(burst) - len,
					"%s rtsp://x/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: %d\r\n"
					"Session: ABCDEF12\r\n\r\n", i & 1 ? "PLAY" : "PAUSE", 100 + i);
	len += (size_t)snprintf(burst + len, sizeof(burst) - len,
				"TEARDOWN rtsp://x/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 999\r\n\r\n");
	EXPECT(len < sizeof(burst) - 1);
	wfds_input(&S, burst, len, t);
	EXPECT(S.state == WFDS_ENDED);
	while (wfds_next_action(&S, &a)) {
		n++;
		if (a.type == WFDS_END) {
			ends++;
			EXPECT(a.status == WFD_STATUS_SINK_DISCONNECT_REQUEST && a.diag == 0);
		}
	}
	EXPECT(n <= WFDS_MAX_ACTIONS);
	EXPECT(ends == 1);
	wfds_closed(&S, 0, t);
	NO_ACTIONS();
}

/* Reached over IPv6, the presentation URL has the address in brackets. */
static void test_ipv6_url(void)
{
	const struct rtsp_msg *m;

	host = "fd00::5";
	to_caps(true, caps_body);
	EXPECT(action(WFDS_CONNECT_OUTPUT, NULL));
	wfds_set_mode(&S, 1920, 1080, 30, 40);
	m = EXPECT_REQ("SET_PARAMETER");
	EXPECT(m && strstr(m->body, "wfd_presentation_URL: rtsp://[fd00::5]/wfd1.0/streamid=0 none\r\n"));
	host = "10.1.2.3";
}

int main(int argc, char **argv)
{
	(void)argv;
	verbose = argc > 1;
	test_happy_path_and_keepalive();
	test_keepalive_missing();
	test_sink_teardown_and_close();
	test_m4_refused();
	test_bad_caps();
	test_timeouts();
	test_garbage();
	test_standby();
	test_ipv6_url();
	test_mode_timeout();
	test_no_m2();
	test_first_request_timeout();
	test_audio_kept();
	test_idr_rate_limit();
	test_session_required();
	test_log_escaped();
	test_pipelined_burst();
	test_m3_alone();
	test_numbering_and_server_port();
	test_pause_reply_overflow();
	test_action_burst_keeps_end();
	test_random();
	if (fails)
		fprintf(stderr, "%d failures\n", fails);
	return fails ? 1 : 0;
}
