// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Wi-Fi Display source session state machine (M1-M16), without I/O.
 * The status each failure ends with is listed in Documentation/wfdd.rst.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wfd_source.h"
#include "wfd_drm.h"

#define WFD_URI		"rtsp://localhost/wfd1.0"
#define DEFAULT_RTP_PORT	19000	/* what older sinks that omit it use */

enum kind { K_M1, K_M3, K_M4, K_SETUP, K_PLAY, K_PAUSE, K_TEARDOWN, K_M12, K_M16 };

static const char *const kind_names[] = {
	"M1 OPTIONS", "M3 GET_PARAMETER", "M4 SET_PARAMETER", "M5 SETUP trigger",
	"M5 PLAY trigger", "M5 PAUSE trigger", "M5 TEARDOWN trigger", "M12 standby",
	"M16 keep-alive",
};

static const char *const trigger_of_kind[] = {
	[K_SETUP] = "SETUP", [K_PLAY] = "PLAY", [K_PAUSE] = "PAUSE", [K_TEARDOWN] = "TEARDOWN",
};

void wfds_config_defaults(struct wfds_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->host, sizeof(c->host), "127.0.0.1");
	c->keepalive_interval_ms = 25000;
	c->keepalive_timeout_ms = 30000;
	c->first_request_timeout_ms = 15000;
	c->request_timeout_ms = 5000;
	c->mode_timeout_ms = 30000;
	c->teardown_timeout_ms = 2000;
	c->idr_min_interval_ms = 250;
	c->request_gap_ms = 50;
	c->profiles = WFD_PROFILE_CBP | WFD_PROFILE_CHP;
	c->max_level = WFD_LEVEL_4_2;
	c->audio_formats = 1u << WFD_AUDIO_LPCM;
	c->max_width = 1920;
	c->max_height = 1200;
}

const char *wfds_state_name(enum wfds_state st)
{
	static const char *const names[] = {
		"M1", "M3", "wait-mode", "M4", "M5-setup", "wait-play", "playing",
		"paused", "standby", "teardown", "ended",
	};

	return (unsigned int)st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

/*
 * A log line, with what the sink sent made harmless for a terminal or a
 * journal: control characters and bytes above 0x7e become \xNN.
 */
static void __attribute__((format(printf, 2, 3)))
slog(struct wfds *s, const char *fmt, ...)
{
	char raw[512], safe[4 * sizeof(raw)];
	size_t o = 0;
	va_list ap;

	if (!s->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	for (const unsigned char *p = (const unsigned char *)raw; *p; p++) {
		if (*p >= 0x20 && *p < 0x7f)
			safe[o++] = (char)*p;
		else
			o += (size_t)snprintf(safe + o, sizeof(safe) - o, "\\x%02x", *p);
	}
	safe[o] = 0;
	s->cfg.log(s->cfg.log_opaque, "%s", safe);
}

#define LOG(s, ...) slog(s, __VA_ARGS__)

static void emit(struct wfds *s, enum wfds_action_type type, int status, int32_t diag)
{
	struct wfds_action *a;

	/* A burst of IDR requests needs one IDR. */
	if (type == WFDS_IDR && s->nactions && s->actions[s->nactions - 1].type == WFDS_IDR)
		return;
	/*
	 * The caller drains after each call, but one read may carry a burst
	 * of the sink's requests (PLAY, PAUSE, PLAY...), each with actions.
	 * The last slot is kept for the END, which end() emits once: were
	 * it dropped, the caller would never learn that the session is over.
	 */
	if (s->nactions >= WFDS_MAX_ACTIONS - (type == WFDS_END ? 0 : 1)) {
		LOG(s, "action queue full, dropping %d", type);
		return;
	}
	a = &s->actions[s->nactions++];
	a->type = type;
	a->rtp_port = s->rtp_port;
	a->audio = s->audio;
	a->status = status;
	a->diag = diag;
}

static void end(struct wfds *s, int status, int32_t diag)
{
	if (s->state == WFDS_ENDED)
		return;
	s->state = WFDS_ENDED;
	s->pending_cseq = -1;
	emit(s, WFDS_END, status, diag);
}

void wfds_fail(struct wfds *s, int status, int32_t diag)
{
	end(s, status, diag);
}

static bool established(const struct wfds *s)
{
	return s->state >= WFDS_WAIT_PLAY && s->state <= WFDS_STANDBY;
}

/* An IDR now: a stream (re)starts, or a request is due. */
static void force_idr(struct wfds *s, uint64_t now)
{
	emit(s, WFDS_IDR, 0, 0);
	s->idr_sent = true;
	s->idr_last = now;
	s->idr_due = false;
}

void wfds_request_idr(struct wfds *s, uint64_t now)
{
	if (s->state != WFDS_PLAYING)
		return;
	/* An IDR not taken yet serves this request too (a burst in one read). */
	if (s->nactions && s->actions[s->nactions - 1].type == WFDS_IDR)
		return;
	/* One per interval; the rest are merged into the next one due. */
	if (!s->idr_sent || now - s->idr_last >= s->cfg.idr_min_interval_ms)
		force_idr(s, now);
	else
		s->idr_due = true;
}

/* Queue a finished message; an unwritten backlog this large is a dead peer. */
static bool queue_out(struct wfds *s, struct rtsp_out *o, const char *ctype,
		      const char *body, size_t body_len, bool request)
{
	int n = rtsp_out_end(o, ctype, body, body_len);

	if (n < 0 || s->out_nmsgs == WFDS_MAX_OUT_MSGS) {
		end(s, WFD_STATUS_CRITICAL_ERROR, -ENOBUFS);
		return false;
	}
	s->out_len += (size_t)n;
	s->out_msgs[s->out_nmsgs].end = s->out_len;
	s->out_msgs[s->out_nmsgs].request = request;
	s->out_nmsgs++;
	return true;
}

static void send_request(struct wfds *s, enum kind k, const char *body, uint64_t now)
{
	struct rtsp_out o;
	char *buf = s->out + s->out_len;
	size_t cap = sizeof(s->out) - s->out_len;
	long cseq = s->next_cseq++;

	if (k == K_M1) {
		rtsp_out_request(&o, buf, cap, "OPTIONS", "*", cseq);
		rtsp_out_header(&o, "Require", "org.wfa.wfd1.0");
	} else {
		rtsp_out_request(&o, buf, cap, k == K_M3 || k == K_M16 ? "GET_PARAMETER" :
				 "SET_PARAMETER", WFD_URI, cseq);
		if (k == K_M16 || (established(s) && k != K_M4))
			rtsp_out_header(&o, "Session", "%s", s->session_id);
	}
	if (!queue_out(s, &o, "text/parameters", body, body ? strlen(body) : 0, true))
		return;
	s->pending_cseq = cseq;
	s->pending_kind = k;
	/* A keep-alive reply is due when the silence reaches the timeout. */
	s->pending_deadline = now + (k == K_M16 ?
		s->cfg.keepalive_timeout_ms - s->cfg.keepalive_interval_ms :
		k == K_M1 ? s->cfg.first_request_timeout_ms : s->cfg.request_timeout_ms);
}

static void send_trigger(struct wfds *s, enum kind k, uint64_t now)
{
	char body[64];

	snprintf(body, sizeof(body), "wfd_trigger_method: %s\r\n", trigger_of_kind[k]);
	send_request(s, k, body, now);
}

static int choose_format(const struct wfds *s, unsigned int w, unsigned int h,
			 unsigned int hz, struct wfd_video_formats *out)
{
	return wfd_choose_format(&s->caps.video, w, h, hz, s->cfg.profiles,
				 s->cfg.prefer_profiles, s->cfg.max_level, out);
}

static void send_m4(struct wfds *s, uint64_t now)
{
	char body[1024];
	int ret;

	ret = choose_format(s, s->mode_w, s->mode_h, s->mode_hz, &s->m4.video);
	if (ret) {
		LOG(s, "the sink does not take %ux%u@%u", s->mode_w, s->mode_h, s->mode_hz);
		end(s, WFD_STATUS_SINK_FAILED_MODE_CHANGE, ret);
		return;
	}
	s->m4.present = WFD_P_VIDEO_FORMATS;
	if (s->state == WFDS_M4) {
		/*
		 * The first M4 also sets audio, the transport and the URL.  Later
		 * ones change the video only: what audio it set stays in force.
		 */
		s->m4.present |= WFD_P_CLIENT_RTP_PORTS | WFD_P_PRESENTATION_URL;
		if ((s->caps.present & WFD_P_AUDIO_CODECS) && s->caps.audio.n) {
			if (!wfd_choose_audio_from(&s->caps.audio, s->cfg.audio_formats,
						   &s->audio_format)) {
				s->audio = true;
				s->m4.audio = s->audio_format;
				s->m4.present |= WFD_P_AUDIO_CODECS;
			} else {
				LOG(s, "no audio format that both sides take: video only");
			}
		}
		s->m4.rtp.tcp = false;
		s->m4.rtp.port0 = s->rtp_port;
		s->m4.rtp.port1 = 0;
		/* An IPv6 address goes in brackets in a URL (RFC 3986). */
		snprintf(s->m4.url0, sizeof(s->m4.url0),
			 strchr(s->cfg.host, ':') ? "rtsp://[%s]/wfd1.0/streamid=0" :
			 "rtsp://%s/wfd1.0/streamid=0", s->cfg.host);
		s->m4.url1[0] = 0;
	}
	ret = wfd_params_write(&s->m4, s->m4.present, body, sizeof(body));
	if (ret < 0) {
		end(s, WFD_STATUS_CRITICAL_ERROR, ret);
		return;
	}
	send_request(s, K_M4, body, now);
}

/* Send the next request that waits, when none is in flight. */
static void pump(struct wfds *s, uint64_t now)
{
	if (s->state == WFDS_ENDED || s->pending_cseq >= 0)
		return;
	if (s->want_teardown) {
		s->want_teardown = false;
		send_trigger(s, K_TEARDOWN, now);
	} else if (s->want_m4) {
		s->want_m4 = false;
		send_m4(s, now);
	} else if (s->want_standby) {
		s->want_standby = false;
		/* Without standby support the sink can still be paused. */
		if (s->caps.standby_resume_capable)
			send_request(s, K_M12, "wfd_standby\r\n", now);
		else
			send_trigger(s, K_PAUSE, now);
	} else if (s->want_resume) {
		s->want_resume = false;
		send_trigger(s, K_PLAY, now);
	}
}

void wfds_init(struct wfds *s, const struct wfds_config *cfg, uint64_t now)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	if (s->cfg.keepalive_timeout_ms <= s->cfg.keepalive_interval_ms)
		s->cfg.keepalive_timeout_ms = s->cfg.keepalive_interval_ms + 1000;
	rtsp_parser_init(&s->parser);
	/* At most 15 characters: some LG TVs take no longer session ids. */
	snprintf(s->session_id, sizeof(s->session_id), "%08X", cfg->session_seed);
	s->next_cseq = 1;
	s->pending_cseq = -1;
	s->last_alive = now;
	s->state = WFDS_M1;
	/* The sink's M2 is due as its M1 reply is: it may be slow to start. */
	s->wait_deadline = now + s->cfg.first_request_timeout_ms;
	send_request(s, K_M1, NULL, now);
}

/* Queue a reply; false when it did not fit, which has ended the session. */
static bool reply(struct wfds *s, const struct rtsp_msg *m, int status, const char *extra)
{
	struct rtsp_out o;

	rtsp_out_response(&o, s->out + s->out_len, sizeof(s->out) - s->out_len, status, m->cseq);
	if (extra)
		rtsp_out_header(&o, "Session", "%s", extra);
	return queue_out(s, &o, NULL, NULL, 0, false);
}

static void maybe_m3(struct wfds *s, uint64_t now)
{
	char body[256];

	if (s->state != WFDS_M1 || !s->m1_done || !s->m2_seen || s->pending_cseq >= 0)
		return;
	if (wfd_params_write_names(WFD_P_VIDEO_FORMATS | WFD_P_AUDIO_CODECS |
				   WFD_P_CLIENT_RTP_PORTS | WFD_P_DISPLAY_EDID |
				   WFD_P_IDR_REQUEST_CAPABILITY | WFD_P_CONTENT_PROTECTION |
				   WFD_P_STANDBY_RESUME_CAPABILITY, body, sizeof(body)) < 0)
		return;
	s->state = WFDS_M3;
	s->wait_deadline = 0;
	send_request(s, K_M3, body, now);
}

static void log_params(struct wfds *s, const struct wfd_params *p, const char *what)
{
	if (p->masked)
		LOG(s, "%s: the sink lists format bits that do not exist: ignored", what);
	for (uint32_t b = 1; b < (1u << WFD_P_COUNT); b <<= 1)
		if (p->invalid & b)
			LOG(s, "%s: malformed %s: ignored", what, wfd_param_name(b));
}

size_t wfds_sink_modes(const struct wfds *s, struct wfd_mode *modes, size_t n)
{
	if (!(s->caps.present & WFD_P_VIDEO_FORMATS))
		return 0;
	return wfd_video_modes_for(&s->caps.video, s->cfg.max_width, s->cfg.max_height,
				   s->cfg.profiles, s->cfg.max_level, modes, n);
}

static void on_m3_reply(struct wfds *s, const struct rtsp_msg *m, uint64_t now)
{
	struct wfd_mode modes[1];
	int ret = wfd_params_parse(m->body, m->body_len, &s->caps);

	if (ret) {
		LOG(s, "M3 reply: not a parameter list");
		end(s, WFD_STATUS_SINK_FAILED_MODE_CHANGE, -EPROTO);
		return;
	}
	log_params(s, &s->caps, "M3 reply");
	if (!wfds_sink_modes(s, modes, 1)) {
		LOG(s, "the sink lists no video format we can send");
		end(s, WFD_STATUS_SINK_FAILED_MODE_CHANGE, -EPROTO);
		return;
	}
	if ((s->caps.present & WFD_P_CLIENT_RTP_PORTS) && s->caps.rtp.tcp) {
		LOG(s, "the sink wants RTP over TCP, which is not supported");
		end(s, WFD_STATUS_SINK_FAILED_MODE_CHANGE, -EPROTONOSUPPORT);
		return;
	}
	s->rtp_port = s->caps.present & WFD_P_CLIENT_RTP_PORTS ? s->caps.rtp.port0 : 0;
	if (!s->rtp_port) {
		LOG(s, "the sink names no RTP port: using %d", DEFAULT_RTP_PORT);
		s->rtp_port = DEFAULT_RTP_PORT;
	}
	s->state = WFDS_WAIT_MODE;
	/* A compositor that never sets one of the sink's modes frees the slot. */
	s->wait_deadline = now + s->cfg.mode_timeout_ms;
	emit(s, WFDS_CONNECT_OUTPUT, 0, 0);
}

static void on_reply(struct wfds *s, const struct rtsp_msg *m, uint64_t now)
{
	enum kind k = (enum kind)s->pending_kind;

	if (s->pending_cseq < 0 || m->cseq != s->pending_cseq) {
		LOG(s, "reply with CSeq %ld matches no request: ignored", m->cseq);
		return;
	}
	s->pending_cseq = -1;
	if (m->status != 200) {
		LOG(s, "%s refused: %d %s", kind_names[k], m->status, m->reason);
		switch (k) {
		case K_M4:
			end(s, WFD_STATUS_SINK_FAILED_MODE_CHANGE, m->status);
			return;
		case K_M1: case K_M3: case K_SETUP:
			end(s, WFD_STATUS_SINK_DISCONNECT_REQUEST, m->status);
			return;
		case K_TEARDOWN:
			end(s, -1, 0);
			return;
		default:
			/* Keep-alive, standby and pause/play refusals are not fatal. */
			break;
		}
	} else {
		switch (k) {
		case K_M1:
			s->m1_done = true;
			maybe_m3(s, now);
			break;
		case K_M3:
			on_m3_reply(s, m, now);
			break;
		case K_M4:
			emit(s, WFDS_FORMAT, 0, 0);
			if (s->state == WFDS_M4) {
				s->state = WFDS_M5_SETUP;
				send_trigger(s, K_SETUP, now);
			} else if (s->state == WFDS_PLAYING) {
				force_idr(s, now);
			}
			break;
		case K_SETUP:
			s->wait_deadline = now + s->cfg.request_timeout_ms;
			break;
		default:
			break;
		}
	}
	pump(s, now);
}

/*
 * The sink's requests on the session (PLAY, PAUSE, M12, M13) must name
 * it (RFC 2326 12.37): 454 otherwise.
 */
static bool session_ok(struct wfds *s, const struct rtsp_msg *m, const char *what)
{
	const char *v = rtsp_header(m, "Session");
	size_t n;

	if (!v) {
		LOG(s, "%s without a Session header: refused", what);
		reply(s, m, 454, NULL);
		return false;
	}
	n = strcspn(v, ";");
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n == strlen(s->session_id) && !strncmp(v, s->session_id, n))
		return true;
	LOG(s, "%s with a wrong Session '%s'", what, v);
	reply(s, m, 454, NULL);
	return false;
}

static void on_setup(struct wfds *s, const struct rtsp_msg *m, uint64_t now)
{
	const char *t = rtsp_header(m, "Transport"), *cp;
	char session[48], transport[160];
	struct rtsp_out o;
	unsigned long p0 = 0, p1 = 0;
	int len;

	if (s->state != WFDS_M5_SETUP && s->state != WFDS_WAIT_PLAY) {
		reply(s, m, 455, NULL);
		return;
	}
	if (t && strstr(t, "TCP")) {
		reply(s, m, 461, NULL);
		return;
	}
	cp = t ? strstr(t, "client_port=") : NULL;
	if (cp) {
		char *e;

		p0 = strtoul(cp + 12, &e, 10);
		if (*e == '-')
			p1 = strtoul(e + 1, NULL, 10);
		if (!p0 || p0 > 65535 || p1 > 65535) {
			reply(s, m, 461, NULL);
			return;
		}
		s->rtp_port = (uint16_t)p0;
	} else {
		p0 = s->rtp_port;	/* older LG dongles omit it */
	}
	snprintf(session, sizeof(session), "%s;timeout=%u", s->session_id,
		 (s->cfg.keepalive_timeout_ms + 999) / 1000);
	if (p1)
		len = snprintf(transport, sizeof(transport),
			       "RTP/AVP/UDP;unicast;client_port=%lu-%lu", p0, p1);
	else
		len = snprintf(transport, sizeof(transport), "RTP/AVP/UDP;unicast;client_port=%lu",
			       p0);
	/* Some sinks take our RTP port from here, and fail without it. */
	if (s->cfg.rtp_server_port)
		snprintf(transport + len, sizeof(transport) - (size_t)len, ";server_port=%u-%u",
			 s->cfg.rtp_server_port, s->cfg.rtp_server_port + 1u);
	rtsp_out_response(&o, s->out + s->out_len, sizeof(s->out) - s->out_len, 200, m->cseq);
	rtsp_out_header(&o, "Session", "%s", session);
	rtsp_out_header(&o, "Transport", "%s", transport);
	if (!queue_out(s, &o, NULL, NULL, 0, false))
		return;
	s->state = WFDS_WAIT_PLAY;
	s->wait_deadline = now + s->cfg.request_timeout_ms;
}

static void on_play(struct wfds *s, const struct rtsp_msg *m, uint64_t now)
{
	struct rtsp_out o;

	if (!established(s)) {
		reply(s, m, 455, NULL);
		return;
	}
	if (!session_ok(s, m, "PLAY"))
		return;
	rtsp_out_response(&o, s->out + s->out_len, sizeof(s->out) - s->out_len, 200, m->cseq);
	rtsp_out_header(&o, "Session", "%s", s->session_id);
	rtsp_out_header(&o, "Range", "npt=now-");
	if (!queue_out(s, &o, NULL, NULL, 0, false))
		return;
	s->wait_deadline = 0;
	s->sink_standby = false;
	/* With the output off there is nothing to show: stay in standby. */
	if (s->dpms_off || !s->mode_w) {
		s->state = WFDS_STANDBY;
		return;
	}
	if (s->state != WFDS_PLAYING) {
		s->state = WFDS_PLAYING;
		emit(s, WFDS_PLAY, 0, 0);
	}
	force_idr(s, now);
}

static void on_set_parameter(struct wfds *s, const struct rtsp_msg *m, uint64_t now)
{
	struct wfd_params p;

	if (wfd_params_parse(m->body, m->body_len, &p)) {
		reply(s, m, 400, NULL);
		return;
	}
	if ((p.present & (WFD_P_IDR_REQUEST | WFD_P_STANDBY)) &&
	    !session_ok(s, m, p.present & WFD_P_STANDBY ? "M12 standby" : "M13 IDR request"))
		return;
	log_params(s, &p, "SET_PARAMETER");
	if (!reply(s, m, 200, NULL))
		return;
	if (p.present & WFD_P_IDR_REQUEST)
		wfds_request_idr(s, now);
	if ((p.present & WFD_P_STANDBY) && established(s)) {
		s->sink_standby = true;
		if (s->state == WFDS_PLAYING)
			emit(s, WFDS_PAUSE, 0, 0);
		s->state = WFDS_STANDBY;
		s->idr_due = false;
	}
}

static void on_request(struct wfds *s, const struct rtsp_msg *m, uint64_t now)
{
	const char *meth = m->method;

	if (!strcmp(meth, "OPTIONS")) {
		struct rtsp_out o;

		rtsp_out_response(&o, s->out + s->out_len, sizeof(s->out) - s->out_len, 200,
				  m->cseq);
		/* Only the methods a sink may send us: strict sinks check. */
		rtsp_out_header(&o, "Public", "org.wfa.wfd1.0, SETUP, TEARDOWN, PLAY, PAUSE, "
				"GET_PARAMETER, SET_PARAMETER");
		if (!queue_out(s, &o, NULL, NULL, 0, false))
			return;
		s->m2_seen = true;
		maybe_m3(s, now);
	} else if (!strcmp(meth, "SETUP")) {
		on_setup(s, m, now);
	} else if (!strcmp(meth, "PLAY")) {
		on_play(s, m, now);
	} else if (!strcmp(meth, "PAUSE")) {
		if (!established(s)) {
			reply(s, m, 455, NULL);
		} else if (session_ok(s, m, "PAUSE")) {
			/*
			 * A reply that does not fit (a sink that sends but no
			 * longer reads) has ended the session: PAUSED would
			 * bring it back, to end a second time.
			 */
			if (!reply(s, m, 200, s->session_id))
				return;
			if (s->state == WFDS_PLAYING)
				emit(s, WFDS_PAUSE, 0, 0);
			if (s->state != WFDS_STANDBY)
				s->state = WFDS_PAUSED;
			s->idr_due = false;
		}
	} else if (!strcmp(meth, "TEARDOWN")) {
		struct rtsp_out o;
		bool ours = s->state == WFDS_TEARDOWN;

		rtsp_out_response(&o, s->out + s->out_len, sizeof(s->out) - s->out_len, 200,
				  m->cseq);
		rtsp_out_header(&o, "Connection", "close");
		queue_out(s, &o, NULL, NULL, 0, false);
		if (ours)
			end(s, -1, 0);
		else
			end(s, WFD_STATUS_SINK_DISCONNECT_REQUEST, 0);
	} else if (!strcmp(meth, "SET_PARAMETER")) {
		on_set_parameter(s, m, now);
	} else if (!strcmp(meth, "GET_PARAMETER")) {
		/* The sink's own keep-alive, or a question we have no answers to. */
		reply(s, m, 200, NULL);
	} else {
		reply(s, m, 501, NULL);
	}
}

/* Handle every complete message in the parser; a negative errno when the stream breaks. */
static int drain(struct wfds *s, uint64_t now)
{
	int ret;

	while (s->state != WFDS_ENDED) {
		ret = rtsp_parser_next(&s->parser, &s->msg);
		if (ret == 0)
			return 0;
		if (ret == -EBADMSG) {
			/* Framed but malformed: answer it and go on. */
			LOG(s, "malformed RTSP message from the sink: ignored");
			reply(s, &s->msg, 400, NULL);
			continue;
		}
		if (ret < 0)
			return ret;
		/* Any message is a life-sign: some sinks reply with a wrong Session. */
		s->last_alive = now;
		if (s->msg.request)
			on_request(s, &s->msg, now);
		else
			on_reply(s, &s->msg, now);
		pump(s, now);
	}
	return 0;
}

void wfds_input(struct wfds *s, const void *data, size_t len, uint64_t now)
{
	const char *p = data;
	int ret = 0;

	/*
	 * Take what fits, handle every message that is complete, repeat: a
	 * legal burst of pipelined messages may be larger than the buffer.
	 */
	while (s->state != WFDS_ENDED && !ret) {
		size_t n = rtsp_parser_take(&s->parser, p, len);

		p += n;
		len -= n;
		ret = drain(s, now);
		if (!len)
			break;
		/* A full buffer holds a whole message or fails to frame: not reached. */
		if (!n && !ret)
			ret = -EMSGSIZE;
	}
	if (ret < 0) {
		/* The stream cannot be framed any more: the sink is gone for us. */
		LOG(s, "unparseable RTSP stream from the sink (%s)", strerror(-ret));
		end(s, WFD_STATUS_SINK_DISCONNECT_REQUEST, ret);
	}
}

void wfds_closed(struct wfds *s, int err, uint64_t now)
{
	(void)now;
	if (s->state == WFDS_TEARDOWN)
		end(s, -1, 0);
	else
		end(s, WFD_STATUS_SINK_DISCONNECT_REQUEST, err ? err : -ENOTCONN);
}

/* The states wait_deadline is for. */
static bool waiting(const struct wfds *s)
{
	return s->wait_deadline && ((s->state == WFDS_M1 && !s->m2_seen) ||
				    s->state == WFDS_WAIT_MODE || s->state == WFDS_M5_SETUP ||
				    s->state == WFDS_WAIT_PLAY);
}

void wfds_tick(struct wfds *s, uint64_t now)
{
	if (s->state == WFDS_ENDED)
		return;
	if (s->state == WFDS_TEARDOWN) {
		/* Whatever else is pending, the teardown deadline rules. */
		if (now >= s->teardown_deadline) {
			LOG(s, "no TEARDOWN from the sink in time: ending");
			end(s, -1, 0);
		}
		return;
	}
	if (s->pending_cseq >= 0 && now >= s->pending_deadline) {
		LOG(s, "no reply to %s", kind_names[s->pending_kind]);
		end(s, WFD_STATUS_MISSING_KEEPALIVE, -ETIMEDOUT);
		return;
	}
	if (waiting(s) && now >= s->wait_deadline) {
		if (s->state == WFDS_WAIT_MODE) {
			LOG(s, "the compositor set none of the sink's modes in %u ms",
			    s->cfg.mode_timeout_ms);
			end(s, WFD_STATUS_SINK_FAILED_MODE_CHANGE, -ETIMEDOUT);
		} else {
			LOG(s, "no %s from the sink", s->state == WFDS_M1 ? "OPTIONS (M2)" :
			    s->state == WFDS_M5_SETUP ? "SETUP" : "PLAY");
			end(s, WFD_STATUS_MISSING_KEEPALIVE, -ETIMEDOUT);
		}
		return;
	}
	if (s->idr_due && s->state == WFDS_PLAYING &&
	    now - s->idr_last >= s->cfg.idr_min_interval_ms)
		force_idr(s, now);
	/*
	 * Only an unanswered M16 ends the session, never the silence alone: a
	 * daemon that stalled (a slow encode) must not blame the sink.
	 */
	if (established(s) && s->pending_cseq < 0 &&
	    now - s->last_alive >= s->cfg.keepalive_interval_ms)
		send_request(s, K_M16, NULL, now);
}

/* When the first message in out may go (0: now, or nothing queued). */
static uint64_t out_due(const struct wfds *s)
{
	if (!s->out_nmsgs || !s->out_msgs[0].request || !s->out_any)
		return 0;
	return s->out_last + s->cfg.request_gap_ms;
}

uint64_t wfds_deadline(const struct wfds *s)
{
	uint64_t d = UINT64_MAX;

	if (out_due(s))
		d = out_due(s);
	if (s->state == WFDS_ENDED)
		return d;
	if (s->state == WFDS_TEARDOWN)
		return s->teardown_deadline < d ? s->teardown_deadline : d;
	if (s->pending_cseq >= 0 && s->pending_deadline < d)
		d = s->pending_deadline;
	if (waiting(s) && s->wait_deadline < d)
		d = s->wait_deadline;
	if (s->idr_due && s->state == WFDS_PLAYING &&
	    s->idr_last + s->cfg.idr_min_interval_ms < d)
		d = s->idr_last + s->cfg.idr_min_interval_ms;
	if (established(s) && s->pending_cseq < 0 &&
	    s->last_alive + s->cfg.keepalive_interval_ms < d)
		d = s->last_alive + s->cfg.keepalive_interval_ms;
	return d;
}

void wfds_set_mode(struct wfds *s, unsigned int w, unsigned int h, unsigned int hz,
		   uint64_t now)
{
	bool changed = w != s->mode_w || h != s->mode_h || hz != s->mode_hz;

	if (s->state == WFDS_ENDED)
		return;
	s->mode_w = w;
	s->mode_h = h;
	s->mode_hz = hz;
	if (!w) {
		/* The compositor disabled the output: like DPMS off. */
		if (s->state == WFDS_PLAYING) {
			emit(s, WFDS_PAUSE, 0, 0);
			s->state = WFDS_STANDBY;
			s->want_standby = true;
			s->idr_due = false;
		}
	} else if (s->state == WFDS_WAIT_MODE) {
		struct wfd_video_formats f;

		/*
		 * Before the first M4, a mode the sink does not take is what
		 * the CRTC showed before this sink came (a compositor may keep
		 * it lit across an unplug): it picks one of the sink's modes
		 * next, so wait for that (until mode_timeout_ms) rather than fail.
		 */
		if (choose_format(s, w, h, hz, &f)) {
			LOG(s, "%ux%u@%u is not the sink's: waiting for the compositor's next mode",
			    w, h, hz);
		} else {
			s->state = WFDS_M4;
			s->wait_deadline = 0;
			s->want_m4 = true;
		}
	} else if (changed && (established(s) || s->state == WFDS_M4 ||
			       s->state == WFDS_M5_SETUP)) {
		/* Renegotiate; the sink refusing ends the session. */
		s->want_m4 = true;
		if (s->state == WFDS_STANDBY && !s->dpms_off && !s->sink_standby)
			s->want_resume = true;
	}
	pump(s, now);
}

void wfds_set_dpms(struct wfds *s, bool off, uint64_t now)
{
	if (s->state == WFDS_ENDED || off == s->dpms_off)
		return;
	s->dpms_off = off;
	if (off && (s->state == WFDS_PLAYING || s->state == WFDS_PAUSED)) {
		if (s->state == WFDS_PLAYING)
			emit(s, WFDS_PAUSE, 0, 0);
		s->state = WFDS_STANDBY;
		s->want_standby = true;
		s->want_resume = false;
		s->idr_due = false;
	} else if (!off && s->state == WFDS_STANDBY && s->mode_w) {
		/* Ask the sink to play again; its M7 resumes the stream. */
		s->want_standby = false;
		s->want_resume = true;
	}
	pump(s, now);
}

void wfds_stop(struct wfds *s, uint64_t now)
{
	if (s->state == WFDS_ENDED || s->state == WFDS_TEARDOWN)
		return;
	if (s->state < WFDS_M5_SETUP) {
		/* No session yet: nothing to tear down on the sink. */
		end(s, -1, 0);
		return;
	}
	s->state = WFDS_TEARDOWN;
	s->teardown_deadline = now + s->cfg.teardown_timeout_ms;
	s->want_teardown = true;
	s->want_m4 = s->want_standby = s->want_resume = false;
	pump(s, now);
}

size_t wfds_out_ready(const struct wfds *s, uint64_t now)
{
	uint64_t due = out_due(s);

	if (!s->out_nmsgs || (due && now < due))
		return 0;
	return s->out_msgs[0].end;
}

void wfds_written(struct wfds *s, size_t n, uint64_t now)
{
	if (n > s->out_len)
		n = s->out_len;
	memmove(s->out, s->out + n, s->out_len - n);
	s->out_len -= n;
	for (unsigned int i = 0; i < s->out_nmsgs; i++)
		s->out_msgs[i].end = s->out_msgs[i].end > n ? s->out_msgs[i].end - n : 0;
	/* Whole messages went out: the gap before the next request starts. */
	while (s->out_nmsgs && !s->out_msgs[0].end) {
		memmove(s->out_msgs, s->out_msgs + 1, --s->out_nmsgs * sizeof(s->out_msgs[0]));
		s->out_any = true;
		s->out_last = now;
	}
}

bool wfds_next_action(struct wfds *s, struct wfds_action *a)
{
	if (!s->nactions)
		return false;
	*a = s->actions[0];
	memmove(s->actions, s->actions + 1, --s->nactions * sizeof(s->actions[0]));
	return true;
}
