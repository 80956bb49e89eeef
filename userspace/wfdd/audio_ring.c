// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The audio ring and its clock: input frames stamped by the producer's
 * clock in, frames on CLOCK_MONOTONIC out (audio.h).
 *
 * The model of the input clock is a delay-locked loop over the stamps of
 * the blocks: it predicts when each block starts, corrects its phase by a
 * small part of the error and its period by a smaller one (critically
 * damped, a time constant of about 100 blocks, 1 to 2 s), so that the
 * jitter of the stamps does not reach the output while a driver that
 * runs 0.1 % fast or slow is followed without error; one block's error
 * counts for 0.2 ms at most (a callback run late is an outlier, and the
 * frames stay contiguous).  Stamps off by 5 ms move the model there when
 * they stay off: by the same amount three blocks in a row (input that
 * was lost, a buffer PipeWire recycled before it reached us: what comes
 * after belongs that much later), or by any amount for 50 blocks; late
 * callbacks are not steady (they catch up, a block at a time).  A stamp
 * off by more than 250 ms or 2.5 blocks (the graph stopped and started
 * again) re-anchors the model, at 48 kHz.
 *
 * The consumer reads the input frame that the model puts at each output
 * frame's time.  It keeps its own read position, which moves one frame
 * at a time, and only when it is more than 1.5 frames off the model's:
 * when the two clocks agree the output is the input bit for bit; when
 * they do not, a frame is repeated or skipped every so often (at 0.1 %,
 * 48 times a second).  Beyond 10 ms off (a new anchor, a step), the read
 * position jumps to the model's when that is ahead; when it is behind (by
 * up to 250 ms: the input's frames belong later than read so far), the
 * output is silence until they are due, so that nothing plays twice.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"

#define NOMINAL_Q	(1e9 / AUDIO_RATE)
/* Loop gains per block; k2 = (1 - sqrt(1 - k1))^2 makes the loop critically damped. */
#define DLL_K1		0.02
#define DLL_K2		0.0001
/*
 * A stamp this far off the model (or 2.5 blocks, if more) is a new start
 * or a gap, not lateness.  Below, the frames stay where continuity puts
 * them: on a busy machine PipeWire's data thread runs cycles late, a
 * stall of tens of milliseconds, then the late ones back to back, each
 * stamped with the cycle the graph is in by then, and an application's
 * sound that a stalled graph delayed is still the sound that belongs
 * after what came before.
 */
#define REANCHOR_NS	250000000.0
/*
 * Stamps off by more than this for LASTING_BLOCKS blocks in a row: the
 * driver's timeline moved (a sound card's xrun): the model follows at
 * once, the frames stay contiguous.
 */
#define STEP_NS		5000000.0
#define LASTING_BLOCKS	50
/* Off by the same amount (within this) for STEADY_BLOCKS blocks: lost input. */
#define STEADY_NS	1000000.0
#define STEADY_BLOCKS	3
/* What one block's error may weigh in the loop. */
#define MAX_STEP_NS	200000.0
/* The model's period stays within 0.5 % of 48 kHz. */
#define MAX_SKEW	0.005
/* Slip a frame beyond this much error; jump beyond RESYNC. */
#define SLIP_FRAMES	1.5
#define RESYNC_FRAMES	480.0
/* Behind the model by up to this (250 ms): silence until due, not a jump back. */
#define HOLD_FRAMES	12000.0
/* Frames read with one decision to slip. */
#define CHUNK		240

int audio_ring_init(struct audio_ring *r)
{
	memset(r, 0, sizeof(*r));
	r->buf = calloc(AUDIO_RING_FRAMES, AUDIO_FRAME_BYTES);
	if (!r->buf)
		return -ENOMEM;
	pthread_mutex_init(&r->lock, NULL);
	/* Late enough for a graph cycle run late, early enough for the PTS. */
	r->max_wait_ns = 60000000ull;
	r->q = NOMINAL_Q;
	return 0;
}

void audio_ring_destroy(struct audio_ring *r)
{
	if (!r->buf)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r->buf);
	r->buf = NULL;
}

void audio_ring_reset(struct audio_ring *r)
{
	pthread_mutex_lock(&r->lock);
	r->locked = r->synced = false;
	r->hold = 0;
	r->q = NOMINAL_Q;
	r->reanchors = r->steps = r->gap_frames = r->slips = r->silent_frames = r->overruns = 0;
	r->off_blocks = r->steady_blocks = 0;
	pthread_mutex_unlock(&r->lock);
}

/* Append @n frames (NULL: silence) at wpos. */
static void put(struct audio_ring *r, const int16_t *frames, size_t n)
{
	size_t mask = AUDIO_RING_FRAMES - 1, first = AUDIO_RING_FRAMES - (r->wpos & mask);
	int16_t *at = r->buf + (r->wpos & mask) * AUDIO_CHANNELS;

	if (first > n)
		first = n;
	if (frames) {
		memcpy(at, frames, first * AUDIO_FRAME_BYTES);
		memcpy(r->buf, frames + first * AUDIO_CHANNELS, (n - first) * AUDIO_FRAME_BYTES);
	} else {
		memset(at, 0, first * AUDIO_FRAME_BYTES);
		memset(r->buf, 0, (n - first) * AUDIO_FRAME_BYTES);
	}
	r->wpos += n;
}

/*
 * A block @e ns off the model.  Late by less than half the ring: the
 * input missed cycles (an xrun, a pause of the graph), which become
 * silence, so that the frame count stays proportional to time.  Else (a
 * new graph, a clock that went back) the model starts anew at this block
 * and what the ring held plays no more.
 */
static void reanchor(struct audio_ring *r, double e, uint64_t t_ns)
{
	r->reanchors++;
	if (e > 0 && e < AUDIO_RING_FRAMES / 2 * r->q) {
		size_t gap = (size_t)llround(e / r->q);

		put(r, NULL, gap);
		r->gap_frames += gap;
	} else {
		r->valid_from = r->wpos;
	}
	/* The rate is learnt again too: a loop gone astray may be why. */
	r->a = (double)t_ns;
	r->q = NOMINAL_Q;
	r->blocks = 0;
	r->off_blocks = r->steady_blocks = 0;
}

void audio_ring_write(struct audio_ring *r, const int16_t *frames, size_t n, uint64_t t_ns)
{
	if (!n)
		return;
	pthread_mutex_lock(&r->lock);
	if (!r->locked) {
		r->locked = true;
		r->a = (double)t_ns;
		r->s0 = r->wpos;
		r->q = NOMINAL_Q;
		r->blocks = 0;
		/* What the ring holds from before plays no more. */
		r->valid_from = r->wpos;
	} else {
		double since = (double)(r->wpos - r->s0);
		double pred = r->a + since * r->q;
		double e = (double)t_ns - pred;

		if (fabs(e) > STEP_NS) {
			r->off_blocks++;
			r->steady_blocks = fabs(e - r->last_e) < STEADY_NS ? r->steady_blocks + 1 : 1;
		} else {
			r->off_blocks = r->steady_blocks = 0;
		}
		r->last_e = e;
		if (fabs(e) > fmax(REANCHOR_NS, 2.5 * (double)n * r->q)) {
			reanchor(r, e, t_ns);
		} else if (r->off_blocks > LASTING_BLOCKS || r->steady_blocks >= STEADY_BLOCKS) {
			r->a = (double)t_ns;
			r->off_blocks = r->steady_blocks = 0;
			r->steps++;
		} else {
			/* Wider at first, to lock on quickly; then narrow. */
			double k1 = fmax(DLL_K1, 0.1 * 8 / (8 + (double)r->blocks));
			double k2 = (1 - sqrt(1 - k1)) * (1 - sqrt(1 - k1));

			/* A late callback is an outlier, not a change of rate. */
			e = fmax(-MAX_STEP_NS, fmin(MAX_STEP_NS, e));
			r->a = pred + k1 * e;
			if (since > 0)
				r->q += k2 * e / since;
			if (r->q > NOMINAL_Q * (1 + MAX_SKEW))
				r->q = NOMINAL_Q * (1 + MAX_SKEW);
			if (r->q < NOMINAL_Q * (1 - MAX_SKEW))
				r->q = NOMINAL_Q * (1 - MAX_SKEW);
		}
		r->s0 = r->wpos;
		r->blocks++;
	}
	if (n > AUDIO_RING_FRAMES / 2) {
		/* Only the newest fit. */
		frames += (n - AUDIO_RING_FRAMES / 2) * AUDIO_CHANNELS;
		r->a += (double)(n - AUDIO_RING_FRAMES / 2) * r->q;
		n = AUDIO_RING_FRAMES / 2;
	}
	put(r, frames, n);
	pthread_mutex_unlock(&r->lock);
}

void audio_ring_write_fn(void *opaque, const int16_t *frames, size_t n, uint64_t t_ns)
{
	audio_ring_write(opaque, frames, n, t_ns);
}

/* The input frame (fractional) the model puts at monotonic time @t. */
static double model_pos(const struct audio_ring *r, uint64_t t)
{
	return (double)r->s0 + ((double)t - r->a) / r->q;
}

bool audio_ring_ready(struct audio_ring *r, uint64_t t_ns, size_t n, uint64_t now)
{
	uint64_t end = t_ns + audio_frames_ns(n);
	bool ready = now >= end + r->max_wait_ns;

	pthread_mutex_lock(&r->lock);
	if (!ready && r->locked) {
		double start = model_pos(r, t_ns), need = model_pos(r, end) + SLIP_FRAMES;

		if (r->synced && fabs((double)r->rpos - start) <= RESYNC_FRAMES)
			need = (double)r->rpos + (double)n + SLIP_FRAMES;
		ready = need <= (double)r->wpos;
	}
	pthread_mutex_unlock(&r->lock);
	return ready;
}

/* Copy @n input frames from @pos (silence outside what the ring holds). */
static size_t copy_frames(struct audio_ring *r, int64_t pos, int16_t *out, size_t n)
{
	int64_t oldest = (int64_t)r->wpos - AUDIO_RING_FRAMES;
	size_t silent = 0;

	if (oldest < (int64_t)r->valid_from)
		oldest = (int64_t)r->valid_from;
	for (size_t i = 0; i < n; i++, pos++) {
		if (pos < 0 || pos >= (int64_t)r->wpos || pos < oldest) {
			out[2 * i] = out[2 * i + 1] = 0;
			silent++;
			if (pos >= 0 && pos < (int64_t)r->wpos - AUDIO_RING_FRAMES)
				r->overruns++;
			continue;
		}
		memcpy(out + 2 * i, r->buf + ((uint64_t)pos & (AUDIO_RING_FRAMES - 1)) * AUDIO_CHANNELS,
		       AUDIO_FRAME_BYTES);
	}
	return silent;
}

size_t audio_ring_read(struct audio_ring *r, uint64_t t_ns, int16_t *out, size_t n)
{
	size_t silent = 0;

	pthread_mutex_lock(&r->lock);
	for (size_t done = 0; done < n;) {
		size_t c = n - done < CHUNK ? n - done : CHUNK;
		int16_t *o = out + done * AUDIO_CHANNELS;

		if (!r->locked) {
			memset(o, 0, c * AUDIO_FRAME_BYTES);
			silent += c;
			done += c;
			continue;
		}
		double target = model_pos(r, t_ns + audio_frames_ns(done));
		double off = (double)(int64_t)r->rpos - target;

		/* What comes next belongs later: silence until it is due. */
		if (r->synced && !r->hold && off > RESYNC_FRAMES && off <= HOLD_FRAMES)
			r->hold = (uint64_t)llround(off);
		if (r->hold) {
			c = r->hold < c ? (size_t)r->hold : c;
			memset(o, 0, c * AUDIO_FRAME_BYTES);
			r->hold -= c;
			silent += c;
			done += c;
			continue;
		}
		if (!r->synced || fabs(off) > RESYNC_FRAMES) {
			r->rpos = (uint64_t)(int64_t)llround(target);
			r->synced = true;
		} else if (off > SLIP_FRAMES) {
			r->rpos--;	/* ahead of the input's clock: repeat a frame */
			r->slips++;
		} else if (off < -SLIP_FRAMES) {
			r->rpos++;	/* behind: skip one */
			r->slips++;
		}
		silent += copy_frames(r, (int64_t)r->rpos, o, c);
		r->rpos += c;
		done += c;
	}
	r->silent_frames += silent;
	pthread_mutex_unlock(&r->lock);
	return silent;
}
