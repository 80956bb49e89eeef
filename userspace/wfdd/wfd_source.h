/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Wi-Fi Display source session: the RTSP M1-M16 exchange with one sink,
 * as a state machine without I/O.  The caller feeds it the bytes read
 * from the RTSP connection, the time, and what the compositor does to the
 * output (mode set, DPMS); it hands back the bytes to write and actions
 * (connect the output, start/stop RTP, force an IDR, end with a status).
 *
 * Times are milliseconds of any monotonic clock.
 */
#ifndef WFDD_WFD_SOURCE_H
#define WFDD_WFD_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtsp.h"
#include "wfdparams.h"

struct wfds_config {
	/* Our address as the sink reaches it, for wfd_presentation_URL. */
	char host[64];
	uint32_t keepalive_interval_ms;	/* M16 after this much silence (25000) */
	uint32_t keepalive_timeout_ms;	/* sink dead after this much silence (30000) */
	uint32_t first_request_timeout_ms; /* M1's reply and the sink's M2 (15000) */
	uint32_t request_timeout_ms;	/* reply to M3-M5, M12; the sink's M6, M7 (5000) */
	uint32_t mode_timeout_ms;	/* for one of the sink's modes from the compositor (30000) */
	uint32_t teardown_timeout_ms;	/* M8 after our TEARDOWN trigger (2000) */
	uint32_t idr_min_interval_ms;	/* IDR requests closer than this are merged (250) */
	uint32_t request_gap_ms;	/* a request waits this long after our last message (50) */
	uint8_t profiles;		/* WFD_PROFILE_* the encoder produces */
	uint8_t prefer_profiles;	/* of those, what it makes without a switch (0: none) */
	uint8_t max_level;		/* one WFD_LEVEL_* bit */
	uint8_t audio_formats;		/* 1u << enum wfd_audio_format it sends (LPCM) */
	unsigned int max_width, max_height;	/* encoder limits */
	uint16_t rtp_server_port;	/* our RTP port, for server_port= in SETUP (0: none) */
	uint32_t session_seed;		/* makes the RTSP session id */
	/*
	 * Problems worth a log line (malformed messages, masked bits).  What
	 * the sink sent reaches it escaped: no control character, no byte
	 * above 0x7e.
	 */
	void (*log)(void *opaque, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
	void *log_opaque;
};

void wfds_config_defaults(struct wfds_config *c);

enum wfds_action_type {
	/* The sink's capabilities are known: connect the output (see caps). */
	WFDS_CONNECT_OUTPUT,
	/* M4 accepted: encode with this format (see format). */
	WFDS_FORMAT,
	/*
	 * Send RTP to the sink's port (see rtp_port), with the silent LPCM
	 * track when audio was negotiated (see audio); first frame an IDR.
	 */
	WFDS_PLAY,
	/* Stop sending RTP (PAUSE, standby). */
	WFDS_PAUSE,
	/*
	 * Encode an IDR now: the stream (re)starts in a new format, or the
	 * sink asked for one (M13, at most one per idr_min_interval_ms).
	 */
	WFDS_IDR,
	/* The session is over: end it with status (-1: graceful) and diag. */
	WFDS_END,
};

struct wfds_action {
	enum wfds_action_type type;
	uint16_t rtp_port;
	bool audio;
	int status;
	int32_t diag;
};

enum wfds_state {
	WFDS_M1,		/* M1 sent, waiting for its reply and the sink's M2 */
	WFDS_M3,		/* M3 sent */
	WFDS_WAIT_MODE,		/* output connected, waiting for the compositor's mode */
	WFDS_M4,		/* M4 sent */
	WFDS_M5_SETUP,		/* M5 SETUP trigger sent, waiting for M6 */
	WFDS_WAIT_PLAY,		/* M6 answered, waiting for M7 */
	WFDS_PLAYING,
	WFDS_PAUSED,		/* M9 from the sink */
	WFDS_STANDBY,		/* output off (DPMS) or sink standby (M12) */
	WFDS_TEARDOWN,		/* our TEARDOWN trigger sent, waiting for M8 */
	WFDS_ENDED,
};

#define WFDS_MAX_ACTIONS	16
#define WFDS_OUT_SIZE		(2 * RTSP_MAX_MESSAGE)
#define WFDS_MAX_OUT_MSGS	1024

/* A message queued in wfds.out: where it ends now, and whether it is a request. */
struct wfds_out_msg {
	size_t end;
	bool request;
};

struct wfds {
	struct wfds_config cfg;
	enum wfds_state state;
	struct rtsp_parser parser;
	struct rtsp_msg msg;
	char session_id[16];

	/* Our request in flight (one at a time): its CSeq, kind, deadline. */
	long next_cseq;
	long pending_cseq;	/* -1: none */
	int pending_kind;
	uint64_t pending_deadline;
	/* Requests waiting for the one in flight. */
	bool want_m4, want_standby, want_resume, want_teardown;
	uint64_t wait_deadline;	/* for the sink's M2, M6, M7 or the compositor's mode */

	bool m1_done, m2_seen;
	uint64_t last_alive;	/* last message from the sink */
	uint64_t teardown_deadline;

	struct wfd_params caps;		/* the sink's M3 reply */
	struct wfd_params m4;		/* what we set, video in the last M4 */
	/* Negotiated in the first M4, for every PLAY that follows. */
	bool audio;
	struct wfd_audio_codecs audio_format;
	unsigned int mode_w, mode_h, mode_hz;	/* 0: output off */
	bool dpms_off;
	bool sink_standby;
	uint16_t rtp_port;

	/* IDRs: when the last one was asked for; one more is due. */
	bool idr_sent, idr_due;
	uint64_t idr_last;

	/* What to write: the messages in out, and when the last one left. */
	char out[WFDS_OUT_SIZE];
	size_t out_len;
	struct wfds_out_msg out_msgs[WFDS_MAX_OUT_MSGS];
	unsigned int out_nmsgs;
	bool out_any;		/* a message has been written */
	uint64_t out_last;	/* when the last whole message was written */
	struct wfds_action actions[WFDS_MAX_ACTIONS];
	unsigned int nactions;
};

/* Start a session with a sink that just connected: queues M1. */
void wfds_init(struct wfds *s, const struct wfds_config *cfg, uint64_t now);

/* Bytes read from the RTSP connection. */
void wfds_input(struct wfds *s, const void *data, size_t len, uint64_t now);
/* The connection was closed (@err 0) or failed (-errno). */
void wfds_closed(struct wfds *s, int err, uint64_t now);
/* Check the timers. */
void wfds_tick(struct wfds *s, uint64_t now);
/* The next time wfds_tick() has something to do (UINT64_MAX: none). */
uint64_t wfds_deadline(const struct wfds *s);

/* The compositor set a mode (0x0 when it disabled the output). */
void wfds_set_mode(struct wfds *s, unsigned int w, unsigned int h, unsigned int hz,
		   uint64_t now);
/* The compositor turned the output off or on (DPMS). */
void wfds_set_dpms(struct wfds *s, bool off, uint64_t now);
/* End gracefully: M5 TEARDOWN, then M8 or a timeout. */
void wfds_stop(struct wfds *s, uint64_t now);
/* End now with @status, e.g. a streaming failure; sends nothing. */
void wfds_fail(struct wfds *s, int status, int32_t diag);

/*
 * Bytes to write: the first wfds_out_ready() bytes of s->out, the rest of
 * one message, each message in a send() of its own.  A request of ours
 * waits until request_gap_ms after the message before it was written
 * whole (a sink that reads one message per recv() must get it alone);
 * 0 while it waits or when there is nothing to write.
 */
size_t wfds_out_ready(const struct wfds *s, uint64_t now);
/* The caller wrote @n bytes of s->out at @now. */
void wfds_written(struct wfds *s, size_t n, uint64_t now);
/*
 * The stream asks for an IDR (a loss): like the sink's M13, at most one
 * per idr_min_interval_ms, the others merged into the next one due.
 */
void wfds_request_idr(struct wfds *s, uint64_t now);
/*
 * The modes the output is connected with: the sink's that the encoder,
 * the level and the profiles can carry, native first.  Returns how many
 * of @n were filled.
 */
size_t wfds_sink_modes(const struct wfds *s, struct wfd_mode *modes, size_t n);
/* Take the next action; false when there is none. */
bool wfds_next_action(struct wfds *s, struct wfds_action *a);

const char *wfds_state_name(enum wfds_state st);

#endif
