/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sound of a session: what applications play into the session's sound
 * output (a PipeWire sink, audio_pw.c) goes through a ring that maps it to
 * CLOCK_MONOTONIC (the clock of the kernel's frame stamps, and of the
 * video's PTS), and leaves it as LPCM or AAC-LC packets stamped on that
 * clock (the audio track).  48 kHz, stereo, signed 16-bit: the format Wi-Fi
 * Display makes mandatory, used end to end.
 *
 * Threads: the ring is written by one producer (PipeWire's data thread)
 * and read by one consumer (wfdd's loop); everything else is the
 * consumer's.
 */
#ifndef WFDD_AUDIO_H
#define WFDD_AUDIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define AUDIO_RATE		48000
#define AUDIO_CHANNELS		2
/* One stereo frame of S16. */
#define AUDIO_FRAME_BYTES	(AUDIO_CHANNELS * 2)
/* Samples of one LPCM PES (10 ms) and of one AAC frame (21.3 ms). */
#define AUDIO_LPCM_FRAMES	480
#define AUDIO_AAC_FRAMES	1024

/* Nanoseconds of @frames at 48 kHz (exact for whole milliseconds). */
static inline uint64_t audio_frames_ns(uint64_t frames)
{
	return frames / AUDIO_RATE * 1000000000ull +
	       frames % AUDIO_RATE * 1000000000ull / AUDIO_RATE;
}

/* CLOCK_MONOTONIC in nanoseconds: the clock of the ring's stamps and the track. */
static inline uint64_t audio_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

enum audio_codec { AUDIO_NONE, AUDIO_LPCM, AUDIO_AAC };

/* "none", "lpcm", "aac". */
const char *audio_codec_name(enum audio_codec c);

/*
 * The ring and its clock.  The producer writes blocks of frames with the
 * CLOCK_MONOTONIC time of their first frame (PipeWire: the graph cycle's
 * time, pw_stream_get_time_n()).  A delay-locked loop turns those stamps
 * into a model of the input's clock, input frame index -> monotonic time,
 * which follows a driver that runs faster or slower than 48 kHz of the
 * monotonic clock.  The consumer asks for the frames of a span of
 * monotonic time: it gets exactly 48000 frames a monotonic second, the
 * input's frames that fall there, one frame repeated or skipped now and
 * then to follow the input's drift, and silence where the input has none
 * (an underrun, no application playing, no PipeWire at all): the output
 * timeline never jumps.
 */
#define AUDIO_RING_FRAMES	(1u << 17)	/* 2.7 s */

struct audio_ring {
	pthread_mutex_t lock;
	int16_t *buf;			/* AUDIO_RING_FRAMES interleaved frames */
	uint64_t wpos;			/* input frames written */
	/* The clock model: input frame s plays at a + (s - s0) * q ns. */
	bool locked;			/* the model has an anchor */
	uint64_t s0;
	double a, q;
	uint64_t blocks;		/* since the model started */
	unsigned int off_blocks;	/* blocks in a row far off the model */
	unsigned int steady_blocks;	/* of those, off by the same amount */
	double last_e;			/* the last block's error (ns) */
	uint64_t valid_from;		/* frames before belong to an older model */
	/* The consumer's read position and its bookkeeping. */
	bool synced;
	uint64_t rpos;
	uint64_t hold;			/* frames of silence before reading on */
	uint64_t max_wait_ns;		/* wait this long past a span for its input */
	/* Counters, for statistics and tests. */
	uint64_t reanchors, steps, gap_frames, slips, silent_frames, overruns;
};

int audio_ring_init(struct audio_ring *r);
void audio_ring_destroy(struct audio_ring *r);
/* Forget the input (a new session, or the input restarted). */
void audio_ring_reset(struct audio_ring *r);
/*
 * Producer: @n interleaved frames, the first of which plays at @t_ns
 * (CLOCK_MONOTONIC).  Never blocks for long (a mutex the consumer holds
 * for a copy).
 */
void audio_ring_write(struct audio_ring *r, const int16_t *frames, size_t n, uint64_t t_ns);
/*
 * Consumer: whether the @n frames from monotonic time @t_ns can be read at
 * @now: the input covers them, or it is late by more than max_wait_ns.
 */
bool audio_ring_ready(struct audio_ring *r, uint64_t t_ns, size_t n, uint64_t now);
/*
 * Consumer: the @n frames that play from @t_ns into @out (interleaved,
 * native endian).  Returns how many of them are silence for want of input.
 */
size_t audio_ring_read(struct audio_ring *r, uint64_t t_ns, int16_t *out, size_t n);

/*
 * AAC-LC, 48 kHz stereo, with libavcodec's native encoder, as ADTS frames.
 * The encoder delays its output and primes with silence: each frame comes
 * with the output frame index of its first sample (negative for the
 * priming), which is what makes its PTS right.
 */
struct aac_enc;

typedef int (*aac_out_fn)(void *opaque, const uint8_t *adts, size_t len, int64_t pos);

int aac_enc_create(struct aac_enc **e, int bitrate);
/*
 * Encode AUDIO_AAC_FRAMES interleaved frames whose first is output frame
 * @pos; NULL flushes.  Each ADTS frame ready goes to @out.  0, the first
 * error of @out, or -EIO.
 */
int aac_enc_encode(struct aac_enc *e, const int16_t *pcm, int64_t pos, aac_out_fn out,
		   void *opaque);
/* Priming frames (the decoder's output before the first input frame). */
int aac_enc_delay(const struct aac_enc *e);
void aac_enc_destroy(struct aac_enc *e);
/* Whether wfdd was built with the AAC encoder. */
bool aac_enc_available(void);

/* The 7-byte ADTS header of an AAC-LC 48 kHz stereo frame of @payload bytes. */
void adts_header(uint8_t h[7], size_t payload);

/*
 * The audio track of one stream: reads the ring on a timeline that starts
 * at audio_track_start() and advances by whole packets, encodes, and hands
 * out packets with the CLOCK_MONOTONIC time their first frame plays at.
 * Pumped by its owner, or by a thread of its own (audio_track_run()).
 */
typedef int (*audio_packet_fn)(void *opaque, enum audio_codec codec, const uint8_t *data,
			       size_t len, uint64_t play_ns);
/* After the packets of one pump: push them on.  0 or -errno. */
typedef int (*audio_flush_fn)(void *opaque);

struct audio_track {
	/* The pump's state: the thread's while it runs, else the owner's. */
	enum audio_codec codec;
	struct audio_ring *ring;	/* not ours; may be NULL: silence */
	struct aac_enc *aac;
	uint64_t t0;			/* the timeline's start */
	uint64_t frames;		/* frames read since t0 */
	_Atomic uint64_t next_at;	/* the next packet plays from here; 0: stopped */
	uint64_t packets;
	int16_t pcm[AUDIO_AAC_FRAMES * AUDIO_CHANNELS];
	uint8_t be[AUDIO_LPCM_FRAMES * AUDIO_FRAME_BYTES];
	audio_packet_fn out;
	void *opaque;
	/* The thread (audio_track_run()); lock guards stop and wake. */
	bool threaded;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	audio_flush_fn flush;
	_Atomic int err;		/* the first error since the owner looked */
};

void audio_track_init(struct audio_track *t, audio_packet_fn out, void *opaque);
/*
 * (Re)start the track at @now with @codec, reading @ring (NULL: silence).
 * 0 or -errno (no AAC encoder).
 */
int audio_track_start(struct audio_track *t, enum audio_codec codec, struct audio_ring *ring,
		      uint64_t now);
/* Emit every packet due at @now.  0 or the first error of the callback. */
int audio_track_pump(struct audio_track *t, uint64_t now);
/*
 * Pump the started track on a thread of its own, on CLOCK_MONOTONIC, every
 * AUDIO_TICK_NS, then call @flush: what the owner's loop does meanwhile (a
 * picture's encode) never holds the sound.  The callbacks run on that
 * thread.  0, or -errno and the owner pumps.
 */
#define AUDIO_TICK_NS	20000000ull
int audio_track_run(struct audio_track *t, audio_flush_fn flush);
/* How far the track is behind @now: its next packet's start to @now; 0: on time, stopped. */
uint64_t audio_track_behind(struct audio_track *t, uint64_t now);
/* The first error the thread met since the last call (it goes on); 0: none. */
int audio_track_error(struct audio_track *t);
/* Stop the thread, if it runs, and the track. */
void audio_track_stop(struct audio_track *t);

/*
 * Where captured frames go: @n interleaved frames, the first playing at
 * @t_ns (CLOCK_MONOTONIC).  Called on PipeWire's data thread.
 */
typedef void (*audio_write_fn)(void *opaque, const int16_t *frames, size_t n, uint64_t t_ns);

/* An audio_write_fn into the ring @opaque. */
void audio_ring_write_fn(void *opaque, const int16_t *frames, size_t n, uint64_t t_ns);

/*
 * The PipeWire side: a sink node named wfd-output-N with the sink's name
 * as description, whose audio goes to @write (wfdd: the ring; the
 * per-user agent: wfdd's socket).  Not available (NULL, -errno) without
 * PipeWire at build time or run time.
 */
struct audio_pw;

int audio_pw_open(struct audio_pw **pw, unsigned int output, const char *description,
		  audio_write_fn write, void *opaque, int verbose);
void audio_pw_close(struct audio_pw *pw);
/* Whether wfdd was built with PipeWire. */
bool audio_pw_available(void);

/* The monitor name (descriptor 0xFC) of an EDID, into @name; false if none. */
bool audio_edid_name(const uint8_t *edid, size_t size, char *name, size_t len);

#endif
