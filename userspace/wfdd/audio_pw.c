// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The session's sound output in PipeWire: a stream that is an audio sink
 * node (media.class Audio/Sink) named wfd-output-N, described by the
 * sink's friendly name, taking 48 kHz stereo S16 in a quantum of about
 * 10 ms.
 * Applications play into it like into any sink; the node's volume and
 * mute are applied by PipeWire's converter in front of the stream, so
 * they act on what is sent.  Its process callback runs on PipeWire's data
 * thread and hands each cycle's frames on (to the ring, or to the agent's
 * socket), stamped with the cycle's CLOCK_MONOTONIC time
 * (pw_stream_get_time_n()).
 *
 * The node drives its graph: it is a driver node whose timer runs the
 * graph's cycles on CLOCK_MONOTONIC, at exactly 48000 frames a monotonic
 * second, so that what applications play reaches the ring at the rate the
 * stream is sent at, without drift by construction.  Its driver priority
 * is low: when an application links it with a sound card (or another
 * driver of higher priority), that driver runs the graph, the node
 * follows, and the ring corrects the drift between that clock and the
 * monotonic one (audio_ring.c).
 *
 * One connection per session: the node exists exactly while the session
 * does.  Without a PipeWire daemon (no user session: a server, the system
 * service), audio_pw_open() fails and the track sends silence.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio.h"

#ifdef HAVE_PIPEWIRE
#include <pipewire/pipewire.h>
#include <spa/node/io.h>
#include <spa/param/audio/format-utils.h>

/*
 * Below any sound card's (ALSA's are about 1000 and up): a hardware clock
 * cannot follow ours, while the ring follows any.
 */
#define DRIVER_PRIORITY	"100"
/* A cycle this late is a stall, not lateness: the timeline starts anew. */
#define STALL_NS	1000000000ull
/*
 * A cycle still running when the next is due: look again this much later,
 * and after IN_FLIGHT_NS take it as lost (an xrun) and go on.
 */
#define RETRY_NS	1000000ull
#define IN_FLIGHT_NS	50000000ull

struct audio_pw {
	struct pw_thread_loop *loop;
	struct pw_context *context;
	struct pw_core *core;
	struct pw_stream *stream;
	struct spa_hook stream_listener;
	audio_write_fn write;
	void *opaque;
	int verbose;
	char name[32];
	/* Buffers taken, and those a cycle late (data thread only). */
	uint64_t buffers, late;
	/*
	 * Driving (the thread loop's thread only): the graph's position, the
	 * timer, and the timeline of the cycles: cycle k starts at t0 plus
	 * the frames of the cycles before it, at the graph's rate.
	 */
	struct spa_io_position *position;
	struct spa_source *timer;
	bool streaming, armed;
	uint32_t rate;
	uint64_t t0, frames, triggered_at;
	/*
	 * Cycles started, and the number of the last one that ended as the
	 * data thread saw it at trigger_done: a late trigger_done marks the
	 * newest cycle done at worst, never the counts apart for good.
	 */
	_Atomic uint64_t cycles, done;
	uint64_t position_frames;	/* the clock's position: never goes back */
};

bool audio_pw_available(void)
{
	return true;
}

/*
 * PipeWire's data thread, once a graph cycle.  A cycle the thread missed
 * (a busy machine) leaves two buffers for the next one: the newest holds
 * the frames of this cycle, the older ones those of the cycles before.
 */
static void on_process(void *data)
{
	struct audio_pw *pw = data;
	struct pw_buffer *b[8];
	struct pw_time t = { 0 };
	uint32_t n = 0, frames[8];
	uint64_t start;

	while (n < 8 && (b[n] = pw_stream_dequeue_buffer(pw->stream)))
		n++;
	if (!n)
		return;
	/* The cycle's time: when the graph's driver started it, on CLOCK_MONOTONIC. */
	if (pw_stream_get_time_n(pw->stream, &t, sizeof(t)) < 0 || t.now <= 0)
		t.now = (int64_t)audio_now_ns();
	start = (uint64_t)t.now;
	for (uint32_t i = 0; i < n; i++) {
		struct spa_data *d = &b[i]->buffer->datas[0];

		frames[i] = 0;
		if (d->data && d->chunk && d->chunk->offset < d->maxsize) {
			uint32_t size = d->chunk->size;

			if (size > d->maxsize - d->chunk->offset)
				size = d->maxsize - d->chunk->offset;
			frames[i] = size / AUDIO_FRAME_BYTES;
		}
		if (i)
			start -= audio_frames_ns(frames[i]);
	}
	for (uint32_t i = 0; i < n; i++) {
		struct spa_data *d = &b[i]->buffer->datas[0];

		if (frames[i])
			pw->write(pw->opaque, (const int16_t *)((const uint8_t *)d->data +
				  d->chunk->offset), frames[i], start);
		start += audio_frames_ns(frames[i]);
		pw_stream_queue_buffer(pw->stream, b[i]);
	}
	pw->buffers += n;
	pw->late += n - 1;
}

static void arm(struct audio_pw *pw, uint64_t at)
{
	struct timespec ts = { .tv_sec = (time_t)(at / 1000000000ull),
			       .tv_nsec = (long)(at % 1000000000ull) };

	/* 0:0 disarms. */
	pw_loop_update_timer(pw_thread_loop_get_loop(pw->loop), pw->timer, &ts, NULL, true);
	pw->armed = at != 0;
}

static uint64_t timeline_ns(const struct audio_pw *pw)
{
	return pw->t0 + pw->frames / pw->rate * 1000000000ull +
	       pw->frames % pw->rate * 1000000000ull / pw->rate;
}

/*
 * The timer runs while the stream streams and is the graph's driver: the
 * graph starts when an application plays into the node, and stops when
 * the session manager suspends the idle node, so that a node nobody
 * plays into costs no wake-up.
 */
static void update_timer(struct audio_pw *pw)
{
	bool drive = pw->streaming && pw->position && pw_stream_is_driving(pw->stream);

	if (drive && !pw->armed) {
		atomic_store(&pw->done, atomic_load(&pw->cycles));
		pw->t0 = audio_now_ns();
		pw->frames = 0;
		pw->rate = 0;
		arm(pw, pw->t0);
		if (pw->verbose)
			fprintf(stderr, "%s: sound output %s drives its graph\n",
				program_invocation_short_name, pw->name);
	} else if (!drive && pw->armed) {
		arm(pw, 0);
		if (pw->verbose)
			fprintf(stderr, "%s: sound output %s stops driving (%s)\n",
				program_invocation_short_name, pw->name,
				pw->streaming ? "another driver runs the graph" : "not streaming");
	}
}

/*
 * One cycle of the graph, started at its time on the timeline: the
 * clock the graph's nodes read (pw_stream_get_time_n()) says when, and
 * the next cycle's timer is due at the time of the frames after this
 * one's.  A timer that fires late starts the cycle late but stamps it
 * with its time, so the stamps stay exact; the late cycles follow back to
 * back, as PipeWire's own timer driver does.
 */
static void on_timer(void *data, uint64_t expirations)
{
	struct audio_pw *pw = data;
	struct spa_io_clock *c;
	uint64_t t, now, duration;
	uint32_t rate;
	bool anew;

	(void)expirations;
	if (!pw->position || !pw_stream_is_driving(pw->stream)) {
		update_timer(pw);
		return;
	}
	/*
	 * The cycle before is still running (a busy machine): the clock its
	 * nodes read stays its own until it ends, or the frames it brings
	 * would be stamped with the time of the next.
	 */
	now = audio_now_ns();
	if (atomic_load(&pw->done) != atomic_load(&pw->cycles)) {
		if (now < pw->triggered_at + IN_FLIGHT_NS) {
			arm(pw, now + RETRY_NS);
			return;
		}
		atomic_store(&pw->done, atomic_load(&pw->cycles));
	}
	c = &pw->position->clock;
	duration = c->duration ? c->duration : 512;
	rate = c->rate.denom ? c->rate.denom : AUDIO_RATE;
	anew = rate != pw->rate;
	t = pw->rate ? timeline_ns(pw) : pw->t0;
	/* A stall (the process stopped a while) or a new rate: the timeline starts anew. */
	if (now > t + STALL_NS) {
		t = now;
		anew = true;
	}
	if (anew) {
		pw->t0 = t;
		pw->frames = 0;
		pw->rate = rate;
	}
	c->nsec = t;
	c->position = pw->position_frames;
	c->delay = 0;
	c->rate_diff = 1.0;
	pw->frames += duration;
	pw->position_frames += duration;
	c->next_nsec = timeline_ns(pw);
	atomic_fetch_add(&pw->cycles, 1);
	pw->triggered_at = now;
	pw_stream_trigger_process(pw->stream);
	arm(pw, c->next_nsec);
}

/* PipeWire's data thread: the cycle this node drove has ended. */
static void on_trigger_done(void *data)
{
	struct audio_pw *pw = data;

	atomic_store(&pw->done, atomic_load(&pw->cycles));
}

static void on_io_changed(void *data, uint32_t id, void *area, uint32_t size)
{
	struct audio_pw *pw = data;

	if (id != SPA_IO_Position)
		return;
	pw->position = area && size >= sizeof(*pw->position) ? area : NULL;
	update_timer(pw);
}

static void on_state(void *data, enum pw_stream_state old, enum pw_stream_state state,
		     const char *error)
{
	struct audio_pw *pw = data;

	(void)old;
	pw->streaming = state == PW_STREAM_STATE_STREAMING;
	update_timer(pw);
	if (state == PW_STREAM_STATE_ERROR)
		fprintf(stderr, "%s: sound output %s: %s\n", program_invocation_short_name,
			pw->name, error ? error : "error");
	else if (pw->verbose)
		fprintf(stderr, "%s: sound output %s: %s\n", program_invocation_short_name,
			pw->name, pw_stream_state_as_string(state));
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = on_state,
	.io_changed = on_io_changed,
	.process = on_process,
	.trigger_done = on_trigger_done,
};

void audio_pw_close(struct audio_pw *pw)
{
	if (!pw)
		return;
	if (pw->loop)
		pw_thread_loop_stop(pw->loop);
	if (pw->verbose && atomic_load(&pw->cycles))
		fprintf(stderr, "%s: sound output %s drove %llu cycles\n",
			program_invocation_short_name, pw->name,
			(unsigned long long)atomic_load(&pw->cycles));
	if (pw->timer)
		pw_loop_destroy_source(pw_thread_loop_get_loop(pw->loop), pw->timer);
	if (pw->stream)
		pw_stream_destroy(pw->stream);
	if (pw->core)
		pw_core_disconnect(pw->core);
	if (pw->context)
		pw_context_destroy(pw->context);
	if (pw->loop)
		pw_thread_loop_destroy(pw->loop);
	free(pw);
}

int audio_pw_open(struct audio_pw **out, unsigned int output, const char *description,
		  audio_write_fn write, void *opaque, int verbose)
{
	static bool initialized;
	uint8_t pod[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(pod, sizeof(pod));
	struct spa_audio_info_raw info = {
		.format = SPA_AUDIO_FORMAT_S16, .rate = AUDIO_RATE, .channels = AUDIO_CHANNELS,
		.position = { SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR },
	};
	const struct spa_pod *params[1];
	struct pw_properties *props;
	struct audio_pw *pw;
	int ret;

	*out = NULL;
	if (!initialized) {
		pw_init(NULL, NULL);
		initialized = true;
	}
	pw = calloc(1, sizeof(*pw));
	if (!pw)
		return -ENOMEM;
	pw->write = write;
	pw->opaque = opaque;
	pw->verbose = verbose;
	snprintf(pw->name, sizeof(pw->name), "wfd-output-%u", output);
	pw->loop = pw_thread_loop_new("wfdd-audio", NULL);
	if (!pw->loop)
		goto fail_errno;
	pw->context = pw_context_new(pw_thread_loop_get_loop(pw->loop), NULL, 0);
	if (!pw->context)
		goto fail_errno;
	/* No daemon: fails at once (ENOENT, ECONNREFUSED, EACCES). */
	pw->core = pw_context_connect(pw->context, NULL, 0);
	if (!pw->core)
		goto fail_errno;
	props = pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio",
				  PW_KEY_MEDIA_CATEGORY, "Playback",
				  PW_KEY_MEDIA_CLASS, "Audio/Sink",
				  PW_KEY_NODE_NAME, pw->name,
				  PW_KEY_NODE_DESCRIPTION, description,
				  PW_KEY_NODE_NICK, description,
				  /*
				   * 20 ms asked for, which PipeWire rounds to a power of
				   * two: a 512-frame quantum, 10.7 ms, a small added
				   * latency that a busy machine still keeps up with.
				   */
				  PW_KEY_NODE_LATENCY, "960/48000",
				  PW_KEY_PRIORITY_DRIVER, DRIVER_PRIORITY,
				  PW_KEY_AUDIO_RATE, "48000",
				  PW_KEY_AUDIO_CHANNELS, "2",
				  SPA_KEY_AUDIO_POSITION, "FL,FR",
				  PW_KEY_DEVICE_ICON_NAME, "video-display",
				  PW_KEY_APP_NAME, "wfdd",
				  NULL);
	if (!props)
		goto fail_errno;
	pw->stream = pw_stream_new(pw->core, pw->name, props);
	if (!pw->stream)
		goto fail_errno;
	pw->timer = pw_loop_add_timer(pw_thread_loop_get_loop(pw->loop), on_timer, pw);
	if (!pw->timer)
		goto fail_errno;
	pw_stream_add_listener(pw->stream, &pw->stream_listener, &stream_events, pw);
	params[0] = spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info);
	ret = pw_stream_connect(pw->stream, PW_DIRECTION_INPUT, PW_ID_ANY,
				PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
				PW_STREAM_FLAG_RT_PROCESS | PW_STREAM_FLAG_DRIVER, params, 1);
	if (ret < 0)
		goto fail;
	ret = pw_thread_loop_start(pw->loop);
	if (ret < 0)
		goto fail;
	*out = pw;
	return 0;
fail_errno:
	ret = errno ? -errno : -EIO;
fail:
	audio_pw_close(pw);
	return ret;
}

#else

bool audio_pw_available(void)
{
	return false;
}

int audio_pw_open(struct audio_pw **out, unsigned int output, const char *description,
		  audio_write_fn write, void *opaque, int verbose)
{
	(void)output, (void)description, (void)write, (void)opaque, (void)verbose;
	*out = NULL;
	return -ENOSYS;
}

void audio_pw_close(struct audio_pw *pw)
{
	(void)pw;
}

#endif
