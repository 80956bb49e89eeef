/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wfdd's state, shared by main.c (options, the streaming loop, the Wi-Fi
 * Display mode) and session.c (the claimed output and its sessions).
 */
#ifndef WFDD_WFDD_H
#define WFDD_WFDD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "encoder.h"
#include "rtp.h"
#include "source.h"
#include "stats.h"
#include "tsmux.h"
#include "wfd_conn.h"

#define MAX_MODES 9

struct opts {
	const char *device, *rtp, *encoder, *name;
	uint32_t output;
	struct wfd_mode modes[MAX_MODES];
	int nmodes;
	int bitrate_kbps, latency_ms, idr_ms, verbose;
	const char *frame_log;
	const char *va_device;
	const char *listen, *allow;
	int keepalive_ms, keepalive_timeout_ms;
};

struct wfdd {
	struct opts o;
	/* The claimed output; one session on it per sink. */
	struct source src;
	/* Keeps the last picture, for refresh and IDR. */
	struct frame_encoder *fe;
	struct ts_mux ts;
	struct rtp_sender rtp;
	uint64_t last_encode;
	uint64_t last_idr;
	uint64_t first_send_error;	/* start of a run of EAGAIN/ENOBUFS */
	int last_send_error;		/* the last EAGAIN/ENOBUFS, as -errno */
	int32_t diag;			/* reported with the ending status */
	struct stats st;
	FILE *frame_log;
	/* Wi-Fi Display mode: the sink's connection; NULL in direct mode. */
	struct wfd_conn *conn;
	bool streaming;		/* RTP flows (always in direct mode) */
	bool want_idr;		/* the sink asked for one (M13) or just started playing */
	bool stopping;		/* SIGINT/SIGTERM: TEARDOWN sent, waiting for M8 */
	int sock;		/* RTP socket, -1 before PLAY */
	bool audio;		/* a silent LPCM track (the sink wants audio) */
	uint64_t audio_ns;	/* start time of the next LPCM PES */
	int seen_w, seen_h;	/* mode and DPMS last told to the session */
	unsigned int seen_hz;
	bool seen_dpms_off;
	/* What M4 settled (0: no sink, or not yet): the level and its rate cap. */
	int level_idc;
	int max_kbps;
};

/*
 * At start-up, before any socket is opened: claim the output of the
 * options, close the card and drop every capability.  Returns 0, or the
 * exit status after saying what failed.
 */
int session_claim(struct wfdd *d);
/*
 * Start a session on the claim with @edid (logs a failure).  @max_w and
 * @max_h: the pipeline's limits, 0 for none.  0 or a negative errno.
 */
int session_connect(struct wfdd *d, const uint8_t *edid, size_t size, int max_w, int max_h);
/* Wi-Fi Display: the sink's capabilities are known, connect with its modes. */
int session_connect_sink(struct wfdd *d);
/*
 * End the live session, if any, with @status and d->diag (-1:
 * gracefully).  The output unplugs; the claim stays for the next sink.
 */
void session_end(struct wfdd *d, int status);

#endif
