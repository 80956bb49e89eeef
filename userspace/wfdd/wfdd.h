/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wfdd's state, shared by main.c (options and the loops that wire the
 * modules together) and session.c (the claimed output, its sessions, and
 * what carries frames and the sink's requests to the stream).
 */
#ifndef WFDD_WFDD_H
#define WFDD_WFDD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "encoder.h"
#include "source.h"
#include "stream.h"
#include "wfd_conn.h"
#include "p2p_serve.h"

#define MAX_MODES 9

/*
 * How a session ends: a WFD_STATUS_* (>= 0), SESSION_GRACEFUL, or
 * SESSION_ON while it goes on.
 */
#define SESSION_GRACEFUL	(-1)
#define SESSION_ON		STREAM_OK

struct opts {
	const char *device, *rtp, *encoder, *name;
	uint32_t output;
	struct wfd_mode modes[MAX_MODES];
	int nmodes;
	int bitrate_kbps, latency_ms, idr_ms, verbose;
	const char *frame_log;
	const char *va_device;
	const char *listen, *allow;
	struct p2p_link_opts p2p;	/* --p2p and its options */
	const char *audio;	/* --audio: auto, lpcm, aac, none */
	const char *audio_socket, *audio_user;	/* the per-user agent's */
	int keepalive_ms, keepalive_timeout_ms;
	bool allow_any;		/* --allow-any: a wildcard --listen without --allow */
	int first_request_timeout_ms, request_timeout_ms, mode_timeout_ms;
	int idr_min_interval_ms;
};

struct wfdd {
	struct opts o;
	struct p2p_link link;	/* wfdd --p2p: the link process */
	/* The claimed output; one session on it per sink. */
	struct source src;
	/* Keeps the last picture, for refresh and IDR. */
	struct frame_encoder *fe;
	struct stream stream;
	int32_t diag;			/* reported with the ending status */
	FILE *frame_log;
	/* Wi-Fi Display mode: the sink's connection; NULL in direct mode. */
	struct wfd_conn *conn;
	bool stopping;		/* SIGINT/SIGTERM: TEARDOWN sent, waiting for M8 */
	int seen_w, seen_h;	/* mode and DPMS last told to the session */
	unsigned int seen_hz;
	bool seen_dpms_off;
	uint64_t events_at;	/* when the output's events were last read */
	/* What M4 settled (0: no sink, or not yet): the level and its rate cap. */
	int level_idc;
	int max_kbps;
	/* The session's sound (session_audio.c): what plays into it, from where. */
	struct audio_ring ring;
	struct audio_pw *pw;
	struct audio_agent *agent;	/* --audio-socket: the user's agent makes it */
	bool agent_open;
	bool pw_missing_said;
	char audio_name[14];	/* the connector's monitor name */
};

/*
 * At start-up, before any socket is opened: claim the output of the
 * options, close the card and drop every capability.  Returns 0, or the
 * exit status after saying what failed.
 */
int session_claim(struct wfdd *d);
/* After the options: what the sessions' streams are made with. */
void session_init(struct wfdd *d);
/*
 * Wi-Fi Display: a sink connected; nothing of the last session may leak
 * into its session.
 */
void session_new_sink(struct wfdd *d, uint64_t now);
/* Direct mode: connect with --mode's EDID and stream to @sock at once. */
int session_connect_direct(struct wfdd *d, const uint8_t *edid, size_t size, int sock,
			   uint64_t now);
/*
 * The claim fd to wait on for the output's events, -1 for none: none
 * without a session, and none for a while after each read while the
 * stream is paused (a drawing compositor must not wake a paused wfdd).
 */
int session_event_fd(const struct wfdd *d, uint64_t now);
/* Read the output's events.  0 or a negative errno. */
int session_events(struct wfdd *d, uint64_t now);
/*
 * A frame is ready (or the output's state changed): take the picture,
 * give the buffer back, stream it; while the stream is paused, leave it
 * for the first picture after PLAY.  A session status.
 */
int session_frame(struct wfdd *d, uint64_t now);
/*
 * Wi-Fi Display: tell the sink's session what the compositor did, run its
 * I/O (@revents of the RTSP connection) and carry out its actions.  A
 * session status.
 */
int session_step(struct wfdd *d, short revents, uint64_t now);
/* The first time the session has something to do without an fd waking it. */
uint64_t session_deadline(const struct wfdd *d, uint64_t now);
/*
 * End the live session, if any, with @status and d->diag, and say so.
 * The output unplugs; the claim stays for the next sink.
 */
void session_end(struct wfdd *d, int status);


/* --audio: an enum audio_codec, AUDIO_AUTO, or -EINVAL. */
#define AUDIO_AUTO	3
int session_audio_option(const char *s);
/*
 * --audio-socket: listen for the user's audio agent (after the claim, no
 * privilege needed).  0, or the exit status after saying what failed.
 */
int session_audio_listen(struct wfdd *d);
/* The formats M4 may pick (1u << enum wfd_audio_format). */
unsigned int session_audio_formats(const struct wfdd *d);
/* The name of the session's sound output: the monitor name of @edid. */
void session_audio_name(struct wfdd *d, const uint8_t *edid, size_t size);
/*
 * The stream (re)starts, with sound if @audio (the sink agreed to it, or
 * direct mode): make the sound output if there is none yet and give its
 * ring to the stream.  Whether the stream has an audio track.
 */
bool session_audio_start(struct wfdd *d, bool audio);
/* The session is over: its sound output goes. */
void session_audio_end(struct wfdd *d);

#endif
