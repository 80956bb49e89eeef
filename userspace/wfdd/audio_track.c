// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The audio track of a stream (audio.h): a timeline on CLOCK_MONOTONIC
 * that starts when the stream plays and advances by whole packets, each
 * read from the ring once its input has come (or is overdue), and sent as
 * LPCM (big-endian, 10 ms a packet) or encoded as AAC (1024 frames a
 * packet).  Every packet is stamped with the time its first frame plays:
 * the PTS follows from the sample count, never from when the packet was
 * made, so underruns and a late loop make no jump.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "audio.h"

/* AAC-LC for 48 kHz stereo: transparent enough, a fraction of the video's rate. */
#define AAC_BITRATE	192000
/*
 * A loop that stalled for longer (or a track that was not pumped) starts
 * its timeline again at the present rather than catch up: the sink would
 * drop packets that late anyway.
 */
#define MAX_BEHIND_NS	1000000000ull

const char *audio_codec_name(enum audio_codec c)
{
	switch (c) {
	case AUDIO_LPCM:
		return "lpcm";
	case AUDIO_AAC:
		return "aac";
	case AUDIO_NONE:
		break;
	}
	return "none";
}

bool audio_edid_name(const uint8_t *edid, size_t size, char *name, size_t len)
{
	if (size < 128 || len < 14)
		return false;
	for (int d = 54; d <= 108; d += 18) {
		const uint8_t *p = edid + d;
		size_t n = 0;

		if (p[0] || p[1] || p[2] || p[3] != 0xfc)
			continue;
		while (n < 13 && p[5 + n] != 0x0a && p[5 + n] >= 0x20 && p[5 + n] < 0x7f) {
			name[n] = (char)p[5 + n];
			n++;
		}
		while (n && name[n - 1] == ' ')
			n--;
		name[n] = 0;
		return n > 0;
	}
	return false;
}

void audio_track_init(struct audio_track *t, audio_packet_fn out, void *opaque)
{
	memset(t, 0, sizeof(*t));
	t->out = out;
	t->opaque = opaque;
}

static void thread_stop(struct audio_track *t);

void audio_track_stop(struct audio_track *t)
{
	thread_stop(t);
	aac_enc_destroy(t->aac);
	t->aac = NULL;
	t->codec = AUDIO_NONE;
	atomic_store(&t->next_at, 0);
}

/* Output frame @pos (negative: AAC's priming) plays at this time. */
static uint64_t play_time(const struct audio_track *t, int64_t pos)
{
	return pos >= 0 ? t->t0 + audio_frames_ns((uint64_t)pos) :
			  t->t0 - audio_frames_ns((uint64_t)-pos);
}

static int restart(struct audio_track *t, uint64_t now)
{
	int ret;

	if (t->frames)
		fprintf(stderr, "wfdd: the audio track fell %llu ms behind: it starts again\n",
			(unsigned long long)((now - play_time(t, (int64_t)t->frames)) / 1000000));
	t->t0 = now;
	t->frames = 0;
	atomic_store(&t->next_at, now);
	if (t->codec != AUDIO_AAC)
		return 0;
	/* The encoder's queue belongs to the old timeline. */
	aac_enc_destroy(t->aac);
	t->aac = NULL;
	ret = aac_enc_create(&t->aac, AAC_BITRATE);
	if (ret) {
		/* No track, rather than a thread that pumps into no encoder. */
		t->codec = AUDIO_NONE;
		atomic_store(&t->next_at, 0);
	}
	return ret;
}

int audio_track_start(struct audio_track *t, enum audio_codec codec, struct audio_ring *ring,
		      uint64_t now)
{
	audio_track_stop(t);
	if (codec == AUDIO_NONE)
		return 0;
	t->codec = codec;
	t->ring = ring;
	t->frames = 0;
	return restart(t, now);
}

static int aac_out(void *opaque, const uint8_t *adts, size_t len, int64_t pos)
{
	struct audio_track *t = opaque;

	t->packets++;
	return t->out(t->opaque, AUDIO_AAC, adts, len, play_time(t, pos));
}

int audio_track_pump(struct audio_track *t, uint64_t now)
{
	size_t n = t->codec == AUDIO_AAC ? AUDIO_AAC_FRAMES : AUDIO_LPCM_FRAMES;
	int ret = 0;

	if (t->codec == AUDIO_NONE)
		return 0;
	if (now > play_time(t, (int64_t)t->frames) + MAX_BEHIND_NS) {
		ret = restart(t, now);
		if (ret)
			return ret;
	}
	while (!ret) {
		uint64_t at = play_time(t, (int64_t)t->frames);

		/*
		 * Only what is due by @now: where a packet takes longer to
		 * make than it lasts (AAC in an emulator), the input keeps
		 * coming while it is made, and the loop stayed here for as
		 * long as the sound played, the picture frozen.
		 */
		if (at > now)
			break;
		if (t->ring ? !audio_ring_ready(t->ring, at, n, now) :
			      now < at + audio_frames_ns(n))
			break;
		if (t->ring)
			audio_ring_read(t->ring, at, t->pcm, n);
		else
			memset(t->pcm, 0, n * AUDIO_FRAME_BYTES);
		if (t->codec == AUDIO_LPCM) {
			/* Wi-Fi Display's LPCM is big-endian. */
			for (size_t i = 0; i < n * AUDIO_CHANNELS; i++) {
				uint16_t v = (uint16_t)t->pcm[i];

				t->be[2 * i] = (uint8_t)(v >> 8);
				t->be[2 * i + 1] = (uint8_t)v;
			}
			t->packets++;
			ret = t->out(t->opaque, AUDIO_LPCM, t->be, sizeof(t->be), at);
		} else {
			ret = aac_enc_encode(t->aac, t->pcm, (int64_t)t->frames, aac_out, t);
		}
		t->frames += n;
		atomic_store(&t->next_at, play_time(t, (int64_t)t->frames));
	}
	return ret;
}

uint64_t audio_track_behind(struct audio_track *t, uint64_t now)
{
	uint64_t at = atomic_load(&t->next_at);

	return at && now > at ? now - at : 0;
}

/*
 * The track's thread: a pump every AUDIO_TICK_NS, or at once after one
 * that took longer (an AAC encoder under emulation).  An error is kept
 * for the owner, who ends the stream if it is one that ends it; the
 * sound goes on meanwhile.
 */
static void *track_thread(void *arg)
{
	struct audio_track *t = arg;
	uint64_t next = audio_now_ns();

	pthread_mutex_lock(&t->lock);
	while (!t->stop) {
		uint64_t now = audio_now_ns();
		struct timespec ts;
		int ret, err, none = 0;

		if (now < next) {
			ts.tv_sec = (time_t)(next / 1000000000ull);
			ts.tv_nsec = (long)(next % 1000000000ull);
			pthread_cond_timedwait(&t->wake, &t->lock, &ts);
			continue;
		}
		pthread_mutex_unlock(&t->lock);
		ret = audio_track_pump(t, now);
		err = t->flush(t->opaque);
		ret = ret ? ret : err;
		if (ret)
			atomic_compare_exchange_strong(&t->err, &none, ret);
		next = now + AUDIO_TICK_NS;
		pthread_mutex_lock(&t->lock);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

int audio_track_run(struct audio_track *t, audio_flush_fn flush)
{
	pthread_condattr_t ca;
	int ret;

	if (t->codec == AUDIO_NONE || t->threaded)
		return -EINVAL;
	pthread_mutex_init(&t->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->wake, &ca);
	pthread_condattr_destroy(&ca);
	t->stop = false;
	t->flush = flush;
	ret = pthread_create(&t->thread, NULL, track_thread, t);
	if (ret) {
		pthread_cond_destroy(&t->wake);
		pthread_mutex_destroy(&t->lock);
		return -ret;
	}
	t->threaded = true;
	return 0;
}

int audio_track_error(struct audio_track *t)
{
	return atomic_exchange(&t->err, 0);
}

static void thread_stop(struct audio_track *t)
{
	if (!t->threaded)
		return;
	pthread_mutex_lock(&t->lock);
	t->stop = true;
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->wake);
	pthread_mutex_destroy(&t->lock);
	t->threaded = false;
}
