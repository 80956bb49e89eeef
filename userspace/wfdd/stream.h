/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stream of one session: the frame encoder's kept picture encoded as
 * H.264, muxed in MPEG-TS (with a silent LPCM track when the sink takes
 * audio) and sent over RTP to one receiver.  The caller loads pictures
 * into the frame encoder and says when; the stream decides what to
 * encode (the new frame, a refresh of the kept picture, an IDR), stamps
 * it and sends it, and says when a failure should end the session.
 *
 * Datagrams are paced: a token bucket at 1.2 times the stream's nominal
 * rate, raised while needed so that a frame leaves within its frame
 * period and an IDR within three (both at most half the latency budget).
 * To a real socket a thread of the stream's own sends them, so that they
 * leave on time while the caller encodes; to a test's sink, the caller's
 * calls do.
 *
 * Times are CLOCK_MONOTONIC nanoseconds, given by the caller.  Functions
 * that can fail the session return STREAM_OK, or the WFD_STATUS_* to end
 * it with (the diag is then in ->diag).
 */
#ifndef WFDD_STREAM_H
#define WFDD_STREAM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "audio.h"
#include "encoder.h"
#include "rtp.h"
#include "stats.h"
#include "tsmux.h"

#define STREAM_OK	(-2)

/* TS packets the pacing queue holds: 3 MB, an IDR of the highest level twice. */
#define STREAM_QUEUE_PACKETS	16384
/* The send buffer asked for (the kernel gives at most net.core.wmem_max). */
#define STREAM_SNDBUF		(1 << 20)

/*
 * Wall (CLOCK_MONOTONIC) and process CPU times at the start of a frame and
 * after its acquire, convert, encode and send stages, for --frame-log.
 */
enum { T_START, T_ACQUIRED, T_CONVERTED, T_ENCODED, T_SENT, T_COUNT };
struct frame_times {
	uint64_t wall[T_COUNT], cpu[T_COUNT];
};

/* Stamp @stage of @t with the wall and CPU times now. */
void frame_times_stamp(struct frame_times *t, int stage);

struct stream_config {
	int latency_ms;		/* PTS = commit time + this */
	int idr_ms;		/* longest time between IDR pictures */
	int idr_min_ms;		/* shortest time between IDRs for losses */
	FILE *frame_log;	/* one line per frame sent, or NULL */
	/* What the encoder's time is measured with (NULL: CLOCK_MONOTONIC). */
	uint64_t (*clock)(void);
	/* Once a second while the stream flows: what to report (may be NULL). */
	void (*report)(void *opaque, const struct drm_wfd_report_stats *rs,
		       uint64_t superseded);
	void *opaque;
};

struct stream {
	struct stream_config cfg;
	struct frame_encoder *fe;	/* holds the kept picture; not ours */
	int fd;				/* connected UDP socket, -1 before start */
	struct ts_mux ts;
	struct rtp_sender rtp;
	struct stats st;
	bool playing;			/* RTP flows (PLAY, or direct mode) */
	bool blank;			/* the output is off: no refresh */
	bool want_idr;			/* the next picture is an IDR */
	bool lost;			/* a datagram was lost: an IDR soon */
	bool audio;			/* an audio track */
	enum audio_codec audio_codec;	/* its codec (stream_set_audio()) */
	struct audio_ring *audio_ring;	/* what plays into it; NULL: silence */
	struct audio_track track;
	uint64_t last_encode, last_idr;
	uint64_t last_pts;		/* 90 kHz, not wrapped to 33 bits */
	/*
	 * Frames queued and not yet sent out whole: where they end in the
	 * queue (rtp.qin), their commit time (for their latency), when they
	 * should have left and the time they were given (for the pacing).
	 */
	struct { uint64_t end, commit, deadline, horizon; } queued[16];
	unsigned int nqueued;
	uint64_t dropped;		/* frames the full queue did not take */
	bool sound_waits;		/* pictures wait for the sound now */
	uint64_t sound_late;		/* times they began to */
	uint64_t next_tick;		/* PSI, PCR (and audio), while playing */
	/* How a static picture is kept alive (stream_idle()). */
	unsigned int refresh_ms;
	bool idle_idr;
	uint64_t first_send_error;	/* start of a run of EAGAIN/ENOBUFS */
	uint64_t refused_since;		/* start of a run of refusals (ICMP) */
	uint64_t last_refused;
	int last_send_error;		/* the last send error, as -errno */
	int32_t diag;			/* with a status returned */
	/*
	 * The pacer thread, with a real socket.  The lock covers what it
	 * shares: rtp, st, queued, first_send_error and its own error.
	 */
	bool threaded;
	pthread_t pacer;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool pacer_stop;
	int pacer_err;			/* its first send error since the last look */
	uint64_t pacer_err_at;
	uint64_t pacer_wakeups;		/* its waits that ended, for tests */
};

void stream_init(struct stream *s, const struct stream_config *cfg);
/*
 * Start a session's stream on @fd (a connected UDP socket, which the
 * stream closes; -1 with ->rtp.sink set in tests), encoding with @fe.
 * Nothing flows before stream_play().
 */
void stream_start(struct stream *s, struct frame_encoder *fe, int fd, uint64_t now);
/*
 * The audio track's codec (AUDIO_NONE: LPCM) and the ring it reads (NULL:
 * silence), from the next stream_play() on.
 */
void stream_set_audio(struct stream *s, enum audio_codec codec, struct audio_ring *ring);
/* Send RTP (again), with or without the audio track; an IDR comes first. */
void stream_play(struct stream *s, bool audio, uint64_t now);
/* Stop sending: the kept picture stays for the next IDR. */
void stream_pause(struct stream *s);
/* It has played to a receiver and does not now. */
bool stream_paused(const struct stream *s);
/*
 * The sound is late: the next picture waits (the kernel keeps the latest
 * frame pending) until the audio track has caught up.
 */
bool stream_sound_late(struct stream *s, uint64_t now);
/*
 * What a static picture needs: sent again @refresh_ms after the last one
 * (0: never, for a sink that skips frames), as an unchanged picture the
 * encoder codes cheaply; and with @idle_idr, an IDR every idr_ms all the
 * same (receivers that may join at any time, or cannot ask for one).
 * The default: 1000 ms, IDRs.
 */
void stream_idle(struct stream *s, unsigned int refresh_ms, bool idle_idr);
/* Frames committed and never encoded (FRAME_ACQUIRE's superseded). */
void stream_superseded(struct stream *s, uint64_t n);
/* The compositor turned the output off (or on): no picture to refresh. */
void stream_blank(struct stream *s, bool off);
/*
 * The receiver asked for an IDR: the next picture is one, the kept one
 * at the next stream_run() if no new frame comes first.
 */
void stream_idr(struct stream *s);
/*
 * The frame encoder took a new picture, committed at @commit_ns (@seq:
 * its sequence; @ft: its times so far, NULL without --frame-log): encode
 * and send it when the stream flows.
 */
int stream_frame(struct stream *s, uint64_t commit_ns, uint64_t seq,
		 struct frame_times *ft, uint64_t now);
/* What is due at @now: datagrams, a picture, PSI/PCR, audio, statistics. */
int stream_run(struct stream *s, uint64_t now);
/*
 * When stream_run() has something to do next (UINT64_MAX: nothing, as
 * when paused).
 */
uint64_t stream_deadline(const struct stream *s);
/* The session is over: close the socket. */
void stream_stop(struct stream *s);

#endif
