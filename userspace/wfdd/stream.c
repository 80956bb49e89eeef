// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stream of one session: encode, mux, pace, send, and the audio track.
 * The status each send error ends with is listed in
 * Documentation/wfdd.rst.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "stream.h"

void frame_times_stamp(struct frame_times *t, int stage)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	t->wall[stage] = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	t->cpu[stage] = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The time the encoder takes moves the stream's clock on (tests: a virtual clock). */
static uint64_t now_ns(const struct stream *s)
{
	return s->cfg.clock ? s->cfg.clock() : monotonic_ns();
}

/*
 * What the pacer thread and the audio track's thread share is taken under
 * the lock; without the pacer thread, neither runs and nothing is shared.
 */
static void lock(struct stream *s)
{
	if (s->threaded)
		pthread_mutex_lock(&s->lock);
}

static void unlock(struct stream *s)
{
	if (s->threaded)
		pthread_mutex_unlock(&s->lock);
}

/* A packet of the audio track, stamped with when its first frame plays. */
static int audio_packet(void *opaque, enum audio_codec codec, const uint8_t *data, size_t len,
			uint64_t play_ns)
{
	struct stream *s = opaque;
	uint64_t pts = (play_ns + (uint64_t)s->cfg.latency_ms * 1000000ull) * 9 / 100000;
	uint64_t now;
	int ret;

	lock(s);
	/* Muxed now: an AAC packet may be made long after its pump began. */
	now = now_ns(s);
	rtp_set_time(&s->rtp, (uint32_t)(now * 9 / 100000));
	if (codec == AUDIO_AAC)
		ret = ts_mux_aac(&s->ts, data, len, pts, now * 27 / 1000);
	else
		ret = ts_mux_lpcm(&s->ts, data, pts, now * 27 / 1000);
	unlock(s);
	return ret;
}

/* What was muxed goes out whole; the pacer thread is told. */
static int flush_out(void *opaque)
{
	struct stream *s = opaque;
	int ret;

	lock(s);
	ret = rtp_flush(&s->rtp);
	if (s->threaded && rtp_next_send(&s->rtp) != UINT64_MAX)
		pthread_cond_signal(&s->wake);
	unlock(s);
	return ret;
}

void stream_init(struct stream *s, const struct stream_config *cfg)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->fd = -1;
	s->refresh_ms = 1000;
	s->idle_idr = true;
	audio_track_init(&s->track, audio_packet, s);
}

/*
 * The bytes a second the stream carries at @kbps and @fps besides the
 * access units themselves: TS and RTP headers (5 %), PSI and PCR, the
 * null packets of a flushed datagram (half of one a frame), and the LPCM
 * track (11 TS packets every 10 ms).
 */
static uint64_t nominal_rate(const struct stream *s, int kbps, int fps)
{
	uint64_t r = (uint64_t)kbps * 125 * 105 / 100;

	r += (10 * 2 + 25) * TS_PACKET_SIZE + (uint64_t)fps * 3 * TS_PACKET_SIZE;
	if (s->audio)
		r += 100 * 11 * TS_PACKET_SIZE;
	return r;
}

static int stream_fps(const struct stream *s)
{
	const struct enc_params *p = frame_encoder_params(s->fe);

	return p->fps ? p->fps : 30;
}

/*
 * The time a frame has to leave in: its frame period, three for an IDR,
 * both within half the latency budget.
 */
static uint64_t frame_horizon(const struct stream *s, bool key)
{
	uint64_t period = 1000000000ull / (uint64_t)stream_fps(s);
	uint64_t h = key ? 3 * period : period;

	return h < (uint64_t)s->cfg.latency_ms * 500000ull ? h : (uint64_t)s->cfg.latency_ms * 500000ull;
}

/*
 * The token bucket's rate: 1.2 times the nominal rate, or more if that is
 * what it takes for each frame waiting to leave by its deadline.  A frame
 * already late (the loop was encoding: nothing is paced meanwhile) gets
 * its own time again, from now: later still, but not in one burst.
 */
static void pace(struct stream *s, uint64_t now)
{
	const struct enc_params *p = frame_encoder_params(s->fe);
	uint64_t base = nominal_rate(s, p->bitrate_kbps ? p->bitrate_kbps : 4000,
				     stream_fps(s)) * 6 / 5, rate = base;

	for (unsigned int i = 0; i < s->nqueued; i++) {
		uint64_t h = s->queued[i].horizon;
		/* Late: what is left of it over its whole time again. */
		uint64_t left = s->queued[i].deadline > now ? s->queued[i].deadline - now : h;
		uint64_t bytes = (s->queued[i].end - s->rtp.qout) * TS_PACKET_SIZE +
				 (s->rtp.held ? RTP_PACKET_SIZE : 0);
		uint64_t need;

		/* Nearly late: a quarter of its time at least. */
		if (left < h / 4)
			left = h / 4;
		need = bytes * 1000000000ull / left;
		if (need > rate)
			rate = need;
	}
	/* However late, never more than eight times that: bursts stay bursts. */
	if (rate > base * 8)
		rate = base * 8;
	rtp_set_rate(&s->rtp, rate, now);
}

static void account_sent(struct stream *s, uint64_t now);

/*
 * The datagrams due at @now (under the lock): a datagram that got through
 * ends a run of EAGAIN, one EAGAIN starts it; the first error waits for
 * the stream's next look (pump()).
 */
static void send_due(struct stream *s, uint64_t now)
{
	uint64_t packets = s->rtp.packets;
	int err = rtp_pump(&s->rtp, now);

	if (s->rtp.packets > packets)
		s->first_send_error = 0;
	if (err == -EAGAIN && !s->first_send_error)
		s->first_send_error = now;
	if (err && !s->pacer_err) {
		s->pacer_err = err;
		s->pacer_err_at = now;
	}
	account_sent(s, now);
}

/*
 * The pacer: sends what the token bucket allows when it allows it,
 * whatever the loop does meanwhile (an encode takes tens of milliseconds
 * at 1080p, and more than a frame period under emulation: paced from the
 * loop, the datagrams of a frame waited for the next frame's encode).
 */
static void *pacer(void *arg)
{
	struct stream *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!s->pacer_stop) {
		uint64_t now = monotonic_ns(), next = rtp_next_send(&s->rtp);
		struct timespec ts;

		if (next <= now) {
			send_due(s, now);
			continue;
		}
		if (next == UINT64_MAX) {
			pthread_cond_wait(&s->wake, &s->lock);
		} else {
			ts.tv_sec = (time_t)(next / 1000000000ull);
			ts.tv_nsec = (long)(next % 1000000000ull);
			pthread_cond_timedwait(&s->wake, &s->lock, &ts);
		}
		s->pacer_wakeups++;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* A thread for the pacing of a real socket; without one, the loop paces. */
static void pacer_start(struct stream *s)
{
	pthread_condattr_t ca;
	int ret;

	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &ca);
	pthread_condattr_destroy(&ca);
	s->pacer_stop = false;
	ret = pthread_create(&s->pacer, NULL, pacer, s);
	if (ret) {
		fprintf(stderr, "wfdd: no pacer thread (%s): the loop paces\n", strerror(ret));
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		return;
	}
	s->threaded = true;
}

static void pacer_stop(struct stream *s)
{
	if (!s->threaded)
		return;
	pthread_mutex_lock(&s->lock);
	s->pacer_stop = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->pacer, NULL);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	s->threaded = false;
}

void stream_start(struct stream *s, struct frame_encoder *fe, int fd, uint64_t now)
{
	/* The track's thread muxes under the pacer's lock: it goes first. */
	audio_track_stop(&s->track);
	pacer_stop(s);
	s->fe = fe;
	s->fd = fd;
	s->playing = s->want_idr = s->lost = s->audio = s->blank = false;
	s->last_encode = s->last_idr = s->last_pts = 0;
	s->first_send_error = s->refused_since = s->last_refused = 0;
	s->last_send_error = 0;
	s->diag = 0;
	s->nqueued = 0;
	s->dropped = s->sound_late = 0;
	s->sound_waits = false;
	s->pacer_err = 0;
	/*
	 * Room in the socket for what a burst of the pacer and a slow
	 * interface queue hold (best effort: net.core.wmem_max caps it).
	 */
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){ STREAM_SNDBUF }, sizeof(int));
	ts_mux_init(&s->ts, rtp_ts_out, &s->rtp);
	rtp_release(&s->rtp);
	rtp_init(&s->rtp, fd, (uint32_t)getpid() * 2654435761u, (uint16_t)now);
	/* Without the queue, datagrams leave as they are made. */
	if (rtp_pace(&s->rtp, STREAM_QUEUE_PACKETS))
		fprintf(stderr, "wfdd: no memory for the pacing queue: datagrams are not paced\n");
	else
		pace(s, now);
	stats_init(&s->st, now, s->rtp.bytes);
	if (fd >= 0 && s->rtp.q)
		pacer_start(s);
}

void stream_superseded(struct stream *s, uint64_t n)
{
	lock(s);
	stats_superseded(&s->st, n);
	unlock(s);
}

void stream_set_audio(struct stream *s, enum audio_codec codec, struct audio_ring *ring)
{
	s->audio_codec = codec;
	s->audio_ring = ring;
}

void stream_play(struct stream *s, bool audio, uint64_t now)
{
	enum audio_codec codec = !audio ? AUDIO_NONE :
				 s->audio_codec == AUDIO_AAC ? AUDIO_AAC : AUDIO_LPCM;
	int ret;

	/*
	 * The audio starts again with the video, on the same clock: what
	 * plays into the ring (silence without it) from now on.
	 */
	if (codec == AUDIO_AAC && audio_track_start(&s->track, codec, s->audio_ring, now)) {
		fprintf(stderr, "wfdd: no AAC encoder: the audio track is LPCM\n");
		codec = AUDIO_LPCM;
	}
	if (codec != AUDIO_AAC)
		audio_track_start(&s->track, codec, s->audio_ring, now);
	s->audio = codec != AUDIO_NONE;
	lock(s);
	ts_mux_set_audio_type(&s->ts, codec == AUDIO_AAC ? TS_STREAM_TYPE_AAC :
				      codec == AUDIO_LPCM ? TS_STREAM_TYPE_LPCM : 0);
	unlock(s);
	/*
	 * To a real socket, the track has a thread of its own, which a
	 * picture's encode never holds (an AAC encoder and x264 may not fit
	 * in one core); without one, the loop's tick pumps it.
	 */
	if (s->audio && s->threaded && (ret = audio_track_run(&s->track, flush_out)))
		fprintf(stderr, "wfdd: no audio thread (%s): the loop sends the sound\n",
			strerror(-ret));
	s->next_tick = now;
	s->playing = true;
	s->want_idr = true;
}

void stream_pause(struct stream *s)
{
	s->playing = false;
	/* The sound starts again with the picture (stream_play()). */
	audio_track_stop(&s->track);
}

bool stream_paused(const struct stream *s)
{
	return !s->playing && s->fd >= 0;
}

/*
 * How late the sound may be before pictures wait: a track on time is up
 * to a tick, a packet and a graph cycle behind (about 50 ms), and input
 * may be waited for 60 ms more; a track a second behind starts again.
 */
#define SOUND_LATE_NS	150000000ull

/*
 * Where the machine cannot make both in time (x264 and AAC under
 * emulation), the sound goes first: a picture waiting costs a frame the
 * kernel supersedes, a late track a gap in the sound and a PTS jump.
 */
bool stream_sound_late(struct stream *s, uint64_t now)
{
	bool late = s->playing && s->audio &&
		    audio_track_behind(&s->track, now) > SOUND_LATE_NS;

	if (late && !s->sound_waits && !s->sound_late++)
		fprintf(stderr, "wfdd: the sound is late: pictures wait for it\n");
	s->sound_waits = late;
	return late;
}

void stream_idle(struct stream *s, unsigned int refresh_ms, bool idle_idr)
{
	s->refresh_ms = refresh_ms;
	s->idle_idr = idle_idr;
}

void stream_blank(struct stream *s, bool off)
{
	s->blank = off;
}

void stream_stop(struct stream *s)
{
	audio_track_stop(&s->track);
	pacer_stop(s);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->playing = false;
	rtp_release(&s->rtp);
}

/* Refusals: ICMP errors the socket reports for the receiver's host. */
#define REFUSED_FOR_NS	3000000000ull	/* that long ends the session */
#define REFUSED_GAP_NS	2000000000ull	/* a gap this long ends the run */

static bool refusal(int err)
{
	return err == -ECONNREFUSED || err == -EHOSTUNREACH || err == -ENETUNREACH;
}

/* Refusals keep coming: the receiver has gone. */
static bool refusals_go_on(const struct stream *s, uint64_t now)
{
	return s->refused_since && now - s->last_refused < REFUSED_GAP_NS;
}

/*
 * Fixed mapping of errors to session status (Documentation/wfdd.rst);
 * STREAM_OK while a transient send error may still clear.
 */
static int error_status(struct stream *s, int err, uint64_t now)
{
	if (!err)
		return STREAM_OK;
	/*
	 * A datagram did not make it (one the socket was too full for waits
	 * for the next try): every picture after it may reference a broken
	 * one until the next IDR.
	 */
	if (err != -EAGAIN || !s->rtp.q)
		s->lost = true;
	if (refusal(err)) {
		/*
		 * A receiver setting up its sockets refuses a datagram or two
		 * (ffmpeg does), and across a Wi-Fi link the kernel sends on
		 * at most one refusal a second: only refusals that go on for
		 * seconds say that the receiver is gone.
		 */
		s->last_send_error = err;
		if (!refusals_go_on(s, now))
			s->refused_since = now;
		s->last_refused = now;
		if (now - s->refused_since >= REFUSED_FOR_NS) {
			s->diag = err;
			return WFD_STATUS_SINK_DISCONNECT_REQUEST;
		}
		return STREAM_OK;
	}
	/* The pacing queue was full: what did not fit is lost, nothing more. */
	if (err == -ENOSPC && s->rtp.q)
		return STREAM_OK;
	if (err == -EAGAIN || err == -ENOBUFS) {
		s->last_send_error = err;
		/* (Paced, the sender started the run where it saw it.) */
		if (!s->first_send_error)
			s->first_send_error = now;
		/* Sustained for a second: the link cannot carry the stream. */
		if (now - s->first_send_error >= 1000000000ull) {
			s->diag = err;
			return WFD_STATUS_INSUFFICIENT_BANDWIDTH;
		}
		return STREAM_OK;
	}
	/* An encoder failure has set its own diag. */
	if (!s->diag)
		s->diag = err;
	return WFD_STATUS_CRITICAL_ERROR;
}

/*
 * One line per frame sent: sequence (0 for a refresh of the kept picture),
 * commit time, bytes of H.264, then wall and CPU nanoseconds spent in
 * acquire, convert, encode and mux+send, and the time the send returned.
 */
static void log_frame(struct stream *s, uint64_t seq, uint64_t commit_ns, size_t len,
		      const struct frame_times *t)
{
	FILE *f = s->cfg.frame_log;

	fprintf(f, "%llu %llu %zu", (unsigned long long)seq, (unsigned long long)commit_ns, len);
	for (int i = T_ACQUIRED; i < T_COUNT; i++)
		fprintf(f, " %llu %llu", (unsigned long long)(t->wall[i] - t->wall[i - 1]),
			(unsigned long long)(t->cpu[i] - t->cpu[i - 1]));
	fprintf(f, " %llu\n", (unsigned long long)t->wall[T_SENT]);
}

/* The frames whose last TS packet has left: their commit-to-send latency. */
static void account_sent(struct stream *s, uint64_t now)
{
	unsigned int n = 0;

	while (n < s->nqueued && s->queued[n].end <= s->rtp.qout)
		stats_sent(&s->st, now - s->queued[n++].commit);
	s->nqueued -= n;
	memmove(s->queued, s->queued + n, s->nqueued * sizeof(s->queued[0]));
}

/* The frame just queued (all of it, unpaced: sent). */
static void account_queued(struct stream *s, uint64_t commit_ns, bool key, uint64_t now)
{
	uint64_t deadline, horizon;

	if (!s->rtp.q) {
		stats_sent(&s->st, now - commit_ns);
		return;
	}
	horizon = frame_horizon(s, key);
	/* Not before the frame queued ahead of it. */
	deadline = now + horizon;
	if (s->nqueued && s->queued[s->nqueued - 1].deadline > deadline)
		deadline = s->queued[s->nqueued - 1].deadline;
	/* More frames in flight than that: the oldest counts as sent now. */
	if (s->nqueued == sizeof(s->queued) / sizeof(s->queued[0])) {
		stats_sent(&s->st, now - s->queued[0].commit);
		memmove(s->queued, s->queued + 1, --s->nqueued * sizeof(s->queued[0]));
	}
	s->queued[s->nqueued].end = s->rtp.qin;
	s->queued[s->nqueued].commit = commit_ns;
	s->queued[s->nqueued].horizon = horizon;
	s->queued[s->nqueued++].deadline = deadline;
}

/*
 * The sending's news: STREAM_OK or a status.  Without the pacer thread,
 * send what the token bucket allows now; with it, wake it for what was
 * just queued, and take the error it saw.
 */
static int pump(struct stream *s, uint64_t now)
{
	int err, ret;

	if (!s->rtp.q) {
		/* Unpaced, what was made has been sent. */
		s->first_send_error = 0;
		return STREAM_OK;
	}
	lock(s);
	/*
	 * Only with something queued: with nothing, the pacer sleeps until
	 * there is, and waking it for nothing (a paused stream's every pass
	 * of the loop) cost two wake-ups and a contended lock each time.
	 */
	if (s->threaded && rtp_next_send(&s->rtp) != UINT64_MAX)
		pthread_cond_signal(&s->wake);
	else if (!s->threaded)
		send_due(s, now);
	err = s->pacer_err;
	s->pacer_err = 0;
	ret = error_status(s, err, err ? s->pacer_err_at : now);
	unlock(s);
	return ret;
}

/* Whether the pacing queue takes an access unit of @len bytes, with PSI and PCR. */
static bool room_for(const struct stream *s, size_t len)
{
	return !s->rtp.q || rtp_room(&s->rtp) >= len / (TS_PACKET_SIZE - 4) + 16;
}

/* An IDR is due: asked for, after a loss, or periodic. */
static bool idr_due(const struct stream *s, bool periodic, uint64_t now)
{
	return s->want_idr ||
	       /* After a loss, as soon as the last one is old enough. */
	       (s->lost && now - s->last_idr >= (uint64_t)s->cfg.idr_min_ms * 1000000ull) ||
	       /*
		* By time, not by frame count: a receiver that lost a packet
		* recovers within the interval whatever the frame rate.
		*/
	       (periodic && now - s->last_idr >= (uint64_t)s->cfg.idr_ms * 1000000ull);
}

/*
 * Encode the kept picture and queue it; 0 or -errno.  @refresh: the kept
 * picture again, unchanged since the last one.  The stream's clock is the
 * caller's @now, moved on by the time the encoder took.
 */
static int encode_and_send(struct stream *s, uint64_t commit_ns, bool refresh, uint64_t seq,
			   struct frame_times *ft, uint64_t now)
{
	struct frame_times times;
	struct enc_out out;
	uint64_t t0 = now_ns(s), t1, at, pts;
	bool idr = idr_due(s, !refresh || s->idle_idr, now);
	int ret;

	if (s->cfg.frame_log && !ft) {
		/* A refresh has no acquire or convert stage. */
		ft = &times;
		frame_times_stamp(ft, T_START);
		for (int i = T_ACQUIRED; i <= T_CONVERTED; i++) {
			ft->wall[i] = ft->wall[T_START];
			ft->cpu[i] = ft->cpu[T_START];
		}
	}
	ret = refresh && !idr ? frame_encoder_repeat(s->fe, &out) :
				frame_encoder_encode(s->fe, idr, &out);
	if (ret == -EAGAIN)
		return 0;
	if (ret) {
		s->diag = frame_encoder_diag(s->fe, ret);
		return ret;
	}
	t1 = now_ns(s);
	at = now + (t1 - t0);
	if (s->cfg.frame_log)
		frame_times_stamp(ft, T_ENCODED);
	lock(s);
	if (!room_for(s, out.len)) {
		unlock(s);
		/*
		 * The link has not taken the last second's worth: this frame
		 * goes, and the pictures after it need an IDR.
		 */
		if (!s->dropped++)
			fprintf(stderr, "wfdd: the pacing queue is full: dropping frames\n");
		s->lost = true;
		s->last_encode = at;
		return 0;
	}
	if (out.key) {
		s->last_idr = now;
		s->want_idr = s->lost = false;
	}
	/*
	 * Never back, not even by a tick: a refresh or an IDR of the kept
	 * picture is stamped with the time it is made, and a frame handed
	 * over after it may have been committed before that.
	 */
	pts = (commit_ns + (uint64_t)s->cfg.latency_ms * 1000000ull) * 9 / 100000;
	if (s->last_pts && pts <= s->last_pts)
		pts = s->last_pts + 1;
	s->last_pts = pts;
	rtp_set_time(&s->rtp, (uint32_t)(at * 9 / 100000));
	ret = ts_mux_video(&s->ts, out.data, out.len, pts, out.key, at * 27 / 1000);
	if (!ret)
		ret = rtp_flush(&s->rtp);
	if (s->cfg.frame_log) {
		frame_times_stamp(ft, T_SENT);
		log_frame(s, seq, commit_ns, out.len, ft);
	}
	stats_frame(&s->st, out.len, t1 - t0);
	account_queued(s, commit_ns, out.key, at);
	s->last_encode = at;
	if (s->rtp.q)
		pace(s, at);
	unlock(s);
	return ret;
}

int stream_frame(struct stream *s, uint64_t commit_ns, uint64_t seq,
		 struct frame_times *ft, uint64_t now)
{
	int ret;

	/* Paused or in standby: keep the picture for the first IDR. */
	if (!s->playing)
		return STREAM_OK;
	ret = error_status(s, encode_and_send(s, commit_ns, false, seq, ft, now), now);
	return ret == STREAM_OK ? pump(s, now) : ret;
}

void stream_idr(struct stream *s)
{
	/* Within one frame: the next one, or the kept picture right away. */
	s->want_idr = true;
}

/*
 * While playing, PSI (every 100 ms), PCR (40 ms) and, without its thread,
 * the audio track's packets go out together on a tick: one wake-up for
 * all of them.
 */
#define TICK_NS		AUDIO_TICK_NS

/* When the kept picture is due again (UINT64_MAX: not while nothing changes). */
static uint64_t picture_due(const struct stream *s)
{
	uint64_t t = UINT64_MAX;

	if (!frame_encoder_has_picture(s->fe) || s->blank)
		return t;
	if (s->want_idr)
		return 0;
	if (s->lost)
		t = s->last_idr + (uint64_t)s->cfg.idr_min_ms * 1000000ull;
	if (s->refresh_ms && s->last_encode + s->refresh_ms * 1000000ull < t)
		t = s->last_encode + s->refresh_ms * 1000000ull;
	if (s->idle_idr && s->last_idr + (uint64_t)s->cfg.idr_ms * 1000000ull < t)
		t = s->last_idr + (uint64_t)s->cfg.idr_ms * 1000000ull;
	return t;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t stream_deadline(const struct stream *s)
{
	/* The pacer thread has its own deadlines. */
	uint64_t t = s->threaded ? UINT64_MAX : rtp_next_send(&s->rtp);

	/* Paused: nothing but what is still queued. */
	if (!s->playing)
		return t;
	t = min64(t, picture_due(s));
	t = min64(t, s->next_tick);
	return min64(t, s->st.since + STATS_INTERVAL_NS);
}

int stream_run(struct stream *s, uint64_t now)
{
	struct drm_wfd_report_stats rs = { 0 };
	bool report;
	int ret;

	ret = pump(s, now);
	if (ret != STREAM_OK || !s->playing)
		return ret;
	ret = 0;
	/* A static picture, sent again as the receiver needs. */
	if (now >= picture_due(s))
		ret = encode_and_send(s, now, true, 0, NULL, now);
	if (!ret && now >= s->next_tick) {
		s->next_tick = now + TICK_NS;
		lock(s);
		rtp_set_time(&s->rtp, (uint32_t)(now * 9 / 100000));
		ret = ts_mux_tick(&s->ts, now * 27 / 1000);
		unlock(s);
		if (!ret && s->audio && !s->track.threaded)
			ret = audio_track_pump(&s->track, now);
		if (!ret)
			ret = flush_out(s);
	}
	/* What the track's thread met: the same rules. */
	if (!ret)
		ret = audio_track_error(&s->track);
	lock(s);
	/* Once a second: report to the kernel and, with -v, print. */
	report = stats_tick(&s->st, now, s->rtp.bytes, &rs);
	unlock(s);
	if (report) {
		if (s->cfg.report)
			s->cfg.report(s->cfg.opaque, &rs, s->st.last_superseded);
		/*
		 * A send rate below the encoded rate, however it fails; but
		 * while the receiver refuses, that rule decides.
		 */
		if (stats_link_short(&s->st) && !ret && !refusals_go_on(s, now)) {
			s->diag = s->last_send_error ? s->last_send_error : -ENOBUFS;
			return WFD_STATUS_INSUFFICIENT_BANDWIDTH;
		}
	}
	ret = error_status(s, ret, now);
	return ret == STREAM_OK ? pump(s, now) : ret;
}
