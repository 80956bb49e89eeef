// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the Wi-Fi Display protocol code (rtsp.c,
 * wfdparams.c, wfd_source.c).  An input is one of two kinds, by the
 * parity of its first byte:
 *
 *  - text (odd): bytes a peer sent.  They go through the RTSP framing in
 *    chunks, the parameter parser (and what it parsed is written and
 *    parsed back), and a source session as the sink's bytes, with a
 *    bounded clock step per chunk;
 *  - script (even): a sink and a compositor acting on a source session,
 *    one operation per step: bytes from the sink, a reply to the request
 *    in flight (with its CSeq, so that the dialogue gets anywhere), a
 *    request, time passing (in bounded steps), a mode, DPMS, a stop, the
 *    connection closing, and the source's writes, which must parse, and
 *    whose M4 must name a format the sink offered.
 *
 * The seed corpus (tests/fuzz/corpus, made by tests/fuzz/mkcorpus.py) has
 * whole M1-M16 dialogues both ways, what the source writes, and the
 * misbehaving sinks of test-wfd-source.  Build and run: make fuzz
 * (FUZZ_SECONDS=60); line coverage: make fuzz-coverage.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtsp.h"
#include "wfd_source.h"
#include "wfdparams.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rtsp_parser parser, outp;
static struct rtsp_msg msg, outm;
static struct wfds session;
static struct wfd_params p, q;

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "fuzz-wfd: %s\n", #c); abort(); } } while (0)

/* The RTSP framing of @data in chunks of @chunk: messages keep their invariants. */
static void frame_text(const uint8_t *data, size_t size, size_t chunk)
{
	rtsp_parser_init(&parser);
	for (size_t off = 0; off < size;) {
		size_t n = size - off < chunk ? size - off : chunk;
		int r;

		n = rtsp_parser_take(&parser, data + off, n);
		off += n;
		while ((r = rtsp_parser_next(&parser, &msg)) != 0) {
			if (r == 1) {
				CHECK(msg.body[msg.body_len] == 0 && msg.body_len <= RTSP_MAX_BODY);
				CHECK(msg.nheaders <= RTSP_MAX_HEADERS);
				CHECK(msg.request ? msg.method && msg.uri : msg.status >= 100);
				rtsp_header(&msg, "Session");
			} else if (r != -EBADMSG) {
				return;	/* unframeable: a connection would end here */
			}
		}
		if (!n && !rtsp_parser_needed(&parser))
			return;
	}
}

/* The parameters of @data; what was parsed, written and parsed back, is the same. */
static void params_text(const uint8_t *data, size_t size)
{
	static char buf[16384];
	struct wfd_mode modes[64];
	struct wfd_video_formats m4;
	uint32_t names;
	int len;

	wfd_params_parse_names((const char *)data, size, &names);
	if (wfd_params_parse((const char *)data, size, &p))
		return;
	len = wfd_params_write(&p, ~0u, buf, sizeof(buf));
	if (len >= 0) {
		CHECK(!wfd_params_parse(buf, (size_t)len, &q));
		CHECK(q.present == p.present && !q.invalid);
	}
	if (p.present & WFD_P_VIDEO_FORMATS) {
		size_t n = wfd_video_modes_for(&p.video, 1920, 1200, WFD_PROFILE_MASK, WFD_LEVEL_4_2,
					       modes, 64);

		/* A listed mode can be chosen, at a level that carries it. */
		for (size_t i = 0; i < n; i++) {
			CHECK(!wfd_choose_format(&p.video, modes[i].width, modes[i].height,
						 modes[i].refresh_hz, WFD_PROFILE_MASK,
						 (uint8_t)(i & 3), WFD_LEVEL_4_2, &m4));
			CHECK(wfd_level_carries(m4.codecs[0].level, modes[i].width,
						modes[i].height, modes[i].refresh_hz));
			CHECK(wfd_level_idc(m4.codecs[0].level) >= 31);
			CHECK(wfd_level_max_kbps(m4.codecs[0].level, m4.codecs[0].profile) >= 14000);
		}
		wfd_video_modes(&p.video, 1280, 720, modes, 4);
	}
	if (p.present & WFD_P_AUDIO_CODECS)
		wfd_choose_audio(&p.audio, &q.audio);
}

static uint64_t t;
static long sink_cseq;

/* The session's log: formatted (and escaped by the session), then dropped. */
static void log_fn(void *opaque, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	(void)opaque;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (const unsigned char *c = (const unsigned char *)buf; *c; c++)
		CHECK(*c >= 0x20 && *c < 0x7f);
}

static void config(struct wfds_config *c, uint8_t flavour)
{
	wfds_config_defaults(c);
	c->log = log_fn;
	/* A keep-alive timeout not above the interval is raised by a second. */
	if (flavour & 128)
		c->keepalive_timeout_ms = c->keepalive_interval_ms;
	/* Some runs with a source that makes Constrained High only, or caps the level. */
	if (flavour & 1)
		c->profiles = WFD_PROFILE_CHP;
	if (flavour & 2)
		c->max_level = WFD_LEVEL_3_2;
	c->prefer_profiles = flavour & 4 ? WFD_PROFILE_CBP : 0;
	c->rtp_server_port = flavour & 8 ? 40000 : 0;
	c->request_gap_ms = flavour & 16 ? 0 : 50;
	c->idr_min_interval_ms = flavour & 32 ? 0 : 250;
	snprintf(c->host, sizeof(c->host), flavour & 64 ? "fd00::1" : "10.0.0.1");
}

/*
 * What the source wrote: every message frames and parses; an M4 names
 * one format the sink offered.
 */
static void check_out(void)
{
	size_t n;
	int r;

	while ((n = wfds_out_ready(&session, t)) > 0) {
		CHECK(n <= session.out_len);
		CHECK(!rtsp_parser_feed(&outp, session.out, n));
		wfds_written(&session, n, t);
		while ((r = rtsp_parser_next(&outp, &outm)) == 1) {
			struct wfd_params m4;

			if (!outm.request || strcmp(outm.method, "SET_PARAMETER") ||
			    !strstr(outm.body, "wfd_video_formats"))
				continue;
			CHECK(!wfd_params_parse(outm.body, outm.body_len, &m4));
			CHECK(m4.present & WFD_P_VIDEO_FORMATS);
			CHECK(m4.video.ncodecs == 1);
		}
		CHECK(r == 0);
	}
}

static void drain_actions(int *ends)
{
	struct wfds_action a;

	while (wfds_next_action(&session, &a))
		if (a.type == WFDS_END)
			(*ends)++;
}

/* Byte reader over the script. */
struct rd {
	const uint8_t *p;
	size_t n;
};

static uint8_t byte(struct rd *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

static const int statuses[] = { 200, 200, 200, 200, 400, 404, 406, 415, 454, 455, 461, 500 };

/* Sink capabilities a reply to M3 may carry. */
static const char *const caps[] = {
	"wfd_video_formats: 00 00 03 10 0001ffff 3fffffff 00000fff 00 0000 0000 11 none none\r\n"
	"wfd_audio_codecs: LPCM 00000003 00, AAC 0000000f 00\r\n"
	"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\r\n"
	"wfd_display_edid: none\r\nwfd_idr_request_capability: 1\r\n"
	"wfd_content_protection: none\r\nwfd_standby_resume_capability: supported\r\n",
	"wfd_video_formats: 00 00 01 01 00000021 00000001 00000000 00 0000 0000 00\n"
	"wfd_audio_codecs: none\n",
	"wfd_video_formats: 30 00 02 02 00000001 00000000 00000040 00 0000 0000 00 none none\r\n"
	"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 1028 0 mode=play\r\n"
	"wfd_standby_resume_capability: none\r\n",
	"wfd_video_formats: 00 00 01 01 00000000 c0000000 00000000 00 0000 0000 00 none none\r\n",
	"wfd_video_formats: 00 00 01 01 00000001 00000000 00000000 00 0000 0000 00 none none\r\n"
	"wfd_client_rtp_ports: RTP/AVP/TCP;unicast 19000 0 mode=play\r\n",
	"garbage without a colon\r\n",
};

static void sink_text(const char *s)
{
	wfds_input(&session, s, strlen(s), t);
}

static void sink_reply(struct rd *r)
{
	uint8_t st = byte(r), b = byte(r);
	char buf[2048];
	const char *body = b % 8 < sizeof(caps) / sizeof(caps[0]) ? caps[b % 8] : NULL;
	long cseq = b & 0x80 ? session.pending_cseq + 1 : session.pending_cseq;

	if (body)
		snprintf(buf, sizeof(buf), "RTSP/1.0 %d OK\r\nCSeq: %ld\r\n%sContent-Length: %zu\r\n\r\n%s",
			 statuses[st % 12], cseq, b & 0x40 ? "Session: 999\r\n" : "", strlen(body),
			 body);
	else
		snprintf(buf, sizeof(buf), "RTSP/1.0 %d OK\r\nCSeq: %ld\r\n\r\n", statuses[st % 12],
			 cseq);
	sink_text(buf);
}

static void sink_request(struct rd *r)
{
	static const char *const reqs[] = {
		"OPTIONS * RTSP/1.0\r\nCSeq: %ld\r\nRequire: org.wfa.wfd1.0\r\n%s\r\n",
		"SETUP rtsp://10.0.0.1/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: %ld\r\n"
		"Transport: RTP/AVP/UDP;unicast;client_port=19002-19003\r\n%s\r\n",
		"SETUP rtsp://10.0.0.1:7236/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: %ld\r\n%s\r\n",
		"PLAY rtsp://10.0.0.1/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: %ld\r\n%s\r\n",
		"PAUSE rtsp://10.0.0.1/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: %ld\r\n%s\r\n",
		"TEARDOWN rtsp://10.0.0.1/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: %ld\r\n%s\r\n",
		"GET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: %ld\r\n%s\r\n",
		"SET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: %ld\r\n%s"
		"Content-Length: 17\r\n\r\nwfd_idr_request\r\n",
		"SET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: %ld\r\n%s"
		"Content-Length: 13\r\n\r\nwfd_standby\r\n",
		"SET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: %ld\r\n%s"
		"Content-Length: 4\r\n\r\n\x01\x02\x03\x04",
		"DESCRIBE rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: %ld\r\n%s\r\n",
		"SETUP rtsp://10.0.0.1/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: %ld\r\n"
		"Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n%s\r\n",
		"SETUP rtsp://10.0.0.1/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: %ld\r\n"
		"Transport: RTP/AVP/UDP;unicast;client_port=99999\r\n%s\r\n",
	};
	uint8_t k = byte(r), sess = byte(r);
	char session_hdr[64], buf[1024];

	switch (sess % 4) {
	case 0: session_hdr[0] = 0; break;
	case 1: snprintf(session_hdr, sizeof(session_hdr), "Session: %s\r\n", session.session_id); break;
	case 2: snprintf(session_hdr, sizeof(session_hdr), "Session: %s;timeout=30\r\n",
			 session.session_id); break;
	default: snprintf(session_hdr, sizeof(session_hdr), "Session: 0BADBEEF\r\n"); break;
	}
	snprintf(buf, sizeof(buf), reqs[k % (sizeof(reqs) / sizeof(reqs[0]))], ++sink_cseq,
		 session_hdr);
	sink_text(buf);
}

static const unsigned int modes[][3] = {
	{ 0, 0, 0 }, { 640, 480, 60 }, { 1280, 720, 30 }, { 1920, 1080, 30 }, { 1920, 1080, 60 },
	{ 1234, 567, 60 }, { 800, 600, 30 }, { 640, 360, 30 },
};

static void run_script(const uint8_t *data, size_t size)
{
	struct wfds_config cfg;
	struct rd r = { data, size };
	int ends = 0;

	config(&cfg, byte(&r));
	t = 0;
	sink_cseq = 0;
	rtsp_parser_init(&outp);
	wfds_init(&session, &cfg, t);
	while (r.n) {
		uint8_t op = byte(&r);
		size_t len;

		switch (op % 16) {
		case 0:	/* bytes from the sink */
			len = byte(&r);
			len |= (size_t)byte(&r) << 8;
			if (len > r.n)
				len = r.n;
			wfds_input(&session, r.p, len, t);
			r.p += len;
			r.n -= len;
			break;
		case 1:	/* time: up to 2 s */
			t += byte(&r) * 8u;
			wfds_tick(&session, t);
			break;
		case 2:	/* time: up to a minute, for the long timeouts */
			t += byte(&r) * 250u;
			wfds_tick(&session, t);
			break;
		case 3:
			sink_reply(&r);
			break;
		case 4:
			sink_request(&r);
			break;
		case 5: {
			const unsigned int *m = modes[byte(&r) % 8];

			wfds_set_mode(&session, m[0], m[1], m[2], t);
			break;
		}
		case 6:
			wfds_set_dpms(&session, byte(&r) & 1, t);
			break;
		case 7:
			wfds_stop(&session, t);
			break;
		case 8:
			wfds_closed(&session, byte(&r) & 1 ? -ECONNRESET : 0, t);
			break;
		case 9:
			wfds_fail(&session, byte(&r) % 6, -EIO);
			break;
		case 11:
			wfds_request_idr(&session, t);
			break;
		case 12: {	/* a reply to the request in flight with the sink's own body */
			char head[128];
			int n;

			len = byte(&r);
			len |= (size_t)byte(&r) << 8;
			if (len > r.n)
				len = r.n;
			n = snprintf(head, sizeof(head), "RTSP/1.0 200 OK\r\nCSeq: %ld\r\n"
				     "Content-Length: %zu\r\n\r\n", session.pending_cseq, len);
			wfds_input(&session, head, (size_t)n, t);
			wfds_input(&session, r.p, len, t);
			r.p += len;
			r.n -= len;
			break;
		}
		default:	/* 10, 13-15: the source writes */
			break;
		}
		check_out();
		drain_actions(&ends);
		CHECK(session.out_len < sizeof(session.out));
		/* Nothing is left due at a time that has passed. */
		CHECK(wfds_deadline(&session) > t || session.state == WFDS_ENDED ||
		      wfds_out_ready(&session, t) || (op % 16) == 9 || (op % 16) == 8);
	}
	wfds_closed(&session, 0, t);
	drain_actions(&ends);
	/* Every session ends once, and only once. */
	CHECK(ends == 1);
	{
		struct wfd_mode m[8];

		wfds_sink_modes(&session, m, 8);
		wfds_state_name(session.state);
	}
}

/* The text of a peer, as the sink's bytes to a session, with a bounded clock. */
static void session_text(const uint8_t *data, size_t size, size_t chunk)
{
	struct wfds_config cfg;
	int ends = 0;

	config(&cfg, (uint8_t)chunk);
	t = 0;
	rtsp_parser_init(&outp);
	wfds_init(&session, &cfg, t);
	for (size_t off = 0; off < size && session.state != WFDS_ENDED; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;

		wfds_input(&session, data + off, n, t);
		t += data[off] % 128u;
		wfds_tick(&session, t);
		if (session.state == WFDS_WAIT_MODE)
			wfds_set_mode(&session, 640, 480, 60, t);
		check_out();
		drain_actions(&ends);
	}
	wfds_closed(&session, 0, t);
	drain_actions(&ends);
	CHECK(ends == 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t chunk;

	if (!size)
		return 0;
	if (!(data[0] & 1)) {
		run_script(data + 1, size - 1);
		return 0;
	}
	chunk = (size_t)(data[0] >> 1) % 64 + 1;
	data++;
	size--;
	frame_text(data, size, chunk);
	params_text(data, size);
	session_text(data, size, chunk);
	return 0;
}
