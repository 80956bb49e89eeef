// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lip-sync test's client: on wfd's first output, a black picture that
 * flashes white, and into the sound output wfd-output-1 a click (10 ms of
 * 1 kHz) at the same CLOCK_MONOTONIC instant as each flash.  It plays
 * like a careful media player: the click goes into the buffer of the
 * graph cycle whose time covers the instant, at the frame that falls on
 * it, and the flash is committed at the instant.  A flash stays 1.5 s (an
 * emulated encoder makes a few pictures a second), then 2.5 s of black.
 *
 * With SKEW (a fraction, 0.004 for 0.4 %), its stream is a deliberately
 * skewed driver of the graph it shares with wfd-output-1: a driver
 * priority above any other, and a timer that runs the graph's cycles at
 * 48000 * (1 + SKEW) frames a monotonic second while telling the nodes
 * the graph runs at 48 kHz, as a sound card whose crystal is off does.
 * Each cycle is stamped with the monotonic instant it starts at, so a
 * follower that maps its frames by the stamps keeps time; one that
 * counts frames drifts by SKEW.
 *
 * usage: av_flash FLASHES [SKEW]
 * Prints "av_flash: flash N at T" (T: CLOCK_MONOTONIC seconds of the
 * commit) for each.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <pipewire/pipewire.h>
#include <spa/node/io.h>
#include <spa/param/audio/format-utils.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "kms_master.h"
#include "libwfd.h"

#define RATE		48000
#define CLICK_FRAMES	480

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct buf {
	uint32_t handle, pitch, fb;
	uint64_t size;
	uint32_t *px;
};

static int mkbuf(int fd, int w, int h, uint32_t colour, struct buf *b)
{
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint64_t off;

	if (drmModeCreateDumbBuffer(fd, (uint32_t)w, (uint32_t)h, 32, 0, &b->handle, &b->pitch,
				    &b->size) ||
	    drmModeMapDumbBuffer(fd, b->handle, &off))
		return -1;
	b->px = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
	if (b->px == MAP_FAILED)
		return -1;
	for (size_t i = 0; i < b->size / 4; i++)
		b->px[i] = colour;
	handles[0] = b->handle;
	pitches[0] = b->pitch;
	return drmModeAddFB2(fd, (uint32_t)w, (uint32_t)h, DRM_FORMAT_XRGB8888, handles, pitches,
			     offsets, &b->fb, 0);
}

/* The audio side: PipeWire's data thread reads the next click's time. */
static struct pw_stream *stream;
static _Atomic uint64_t click_at;	/* CLOCK_MONOTONIC ns; 0: none */
static uint64_t click_done;
static int64_t click_pos = -1;		/* frames of the click already written */
/* The skewed driver: frames a monotonic second, 0 when not driving. */
static double drive_rate;
static struct pw_thread_loop *drive_loop;
static struct spa_source *drive_timer;
static struct spa_io_position *drive_pos;
static uint64_t drive_t0, drive_frames;
static bool drive_armed;

static void on_process(void *data)
{
	struct pw_buffer *b = pw_stream_dequeue_buffer(stream);
	struct pw_time t = { 0 };
	struct spa_data *d;
	uint32_t n, stride = 4;
	int16_t *s;
	uint64_t at = atomic_load(&click_at), start;

	(void)data;
	if (!b)
		return;
	d = &b->buffer->datas[0];
	s = d->data;
	if (!s) {
		pw_stream_queue_buffer(stream, b);
		return;
	}
	n = d->maxsize / stride;
	if (b->requested && b->requested < n)
		n = (uint32_t)b->requested;
	pw_stream_get_time_n(stream, &t, sizeof(t));
	/*
	 * This buffer plays in this cycle of the graph (plus what the graph
	 * delays after us): its first frame at the cycle's time.
	 */
	start = (uint64_t)t.now;
	if (t.rate.denom && t.delay > 0)
		start += (uint64_t)t.delay * 1000000000ull * t.rate.num / t.rate.denom;
	memset(s, 0, n * stride);
	if (at && at != click_done) {
		int64_t off = 0;

		if (click_pos < 0) {
			/* Not begun: its first frame falls in this buffer, or it is late. */
			off = (int64_t)(((double)at - (double)start) *
					(drive_rate ? drive_rate : RATE) / 1e9);
			if (off >= (int64_t)n)
				off = -1;
			else if (off < 0)
				off = 0;
			if (off >= 0)
				click_pos = 0;
		}
		for (int64_t i = off; off >= 0 && i < (int64_t)n && click_pos < CLICK_FRAMES;
		     i++, click_pos++) {
			int16_t v = (int16_t)lrint(16384 * sin(2 * M_PI * 1000 * (double)click_pos / RATE));

			s[2 * i] = s[2 * i + 1] = v;
		}
		if (click_pos >= CLICK_FRAMES) {
			click_done = at;
			click_pos = -1;
		}
	}
	d->chunk->offset = 0;
	d->chunk->stride = (int32_t)stride;
	d->chunk->size = n * stride;
	pw_stream_queue_buffer(stream, b);
}

static void drive_arm(uint64_t at)
{
	struct timespec ts = { .tv_sec = (time_t)(at / 1000000000ull),
			       .tv_nsec = (long)(at % 1000000000ull) };

	pw_loop_update_timer(pw_thread_loop_get_loop(drive_loop), drive_timer, &ts, NULL, true);
	drive_armed = true;
}

/* A cycle at its true monotonic instant; the clock says 48 kHz regardless. */
static void on_drive_timer(void *data, uint64_t expirations)
{
	struct spa_io_clock *c;
	uint64_t t, duration;

	(void)data, (void)expirations;
	if (!drive_pos || !pw_stream_is_driving(stream)) {
		drive_armed = false;
		return;
	}
	c = &drive_pos->clock;
	duration = c->duration ? c->duration : 480;
	t = drive_t0 + (uint64_t)((double)drive_frames * 1e9 / drive_rate);
	c->nsec = t;
	c->position = drive_frames;
	c->delay = 0;
	c->rate_diff = 1.0;
	drive_frames += duration;
	c->next_nsec = drive_t0 + (uint64_t)((double)drive_frames * 1e9 / drive_rate);
	pw_stream_trigger_process(stream);
	drive_arm(c->next_nsec);
}

static void drive_update(void)
{
	if (drive_rate && !drive_armed && drive_pos && pw_stream_is_driving(stream)) {
		drive_t0 = mono_ns();
		drive_frames = 0;
		drive_arm(drive_t0);
		fprintf(stderr, "av_flash: driving the graph at %.1f frames a second\n",
			drive_rate);
	}
}

static void on_io_changed(void *data, uint32_t id, void *area, uint32_t size)
{
	(void)data;
	if (id == SPA_IO_Position) {
		drive_pos = area && size >= sizeof(*drive_pos) ? area : NULL;
		drive_update();
	}
}

static void on_state(void *data, enum pw_stream_state old, enum pw_stream_state state,
		     const char *error)
{
	(void)data, (void)old, (void)error;
	if (state == PW_STREAM_STATE_STREAMING)
		drive_update();
}

static const struct pw_stream_events events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = on_state,
	.io_changed = on_io_changed,
	.process = on_process,
};

static int audio_open(struct pw_thread_loop **loop)
{
	uint8_t pod[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(pod, sizeof(pod));
	struct spa_audio_info_raw info = {
		.format = SPA_AUDIO_FORMAT_S16, .rate = RATE, .channels = 2,
		.position = { SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR },
	};
	const struct spa_pod *params[1];

	pw_init(NULL, NULL);
	*loop = pw_thread_loop_new("av_flash", NULL);
	drive_loop = *loop;
	stream = pw_stream_new_simple(pw_thread_loop_get_loop(*loop), "av_flash",
		pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CATEGORY, "Playback",
				  PW_KEY_MEDIA_ROLE, "Movie", PW_KEY_TARGET_OBJECT, "wfd-output-1",
				  PW_KEY_NODE_LATENCY, "480/48000",
				  /* Skewed: above wfd-output-1's and any card's. */
				  PW_KEY_PRIORITY_DRIVER, drive_rate ? "30000" : "0", NULL),
		&events, NULL);
	if (!stream)
		return -1;
	drive_timer = pw_loop_add_timer(pw_thread_loop_get_loop(*loop), on_drive_timer, NULL);
	if (!drive_timer)
		return -1;
	params[0] = spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info);
	if (pw_stream_connect(stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
			      PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
			      PW_STREAM_FLAG_RT_PROCESS |
			      (drive_rate ? PW_STREAM_FLAG_DRIVER : 0), params, 1) < 0)
		return -1;
	return pw_thread_loop_start(*loop);
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = (time_t)(t / 1000000000ull),
			       .tv_nsec = (long)(t % 1000000000ull) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int main(int argc, char **argv)
{
	struct drm_wfd_get_info info;
	struct pw_thread_loop *loop;
	drmModeConnectorPtr conn = NULL;
	drmModeModeInfo mode;
	struct buf black, white;
	uint32_t crtc_id, connector_id;
	int flashes = argc > 1 ? atoi(argv[1]) : 3, fd = -1;
	uint64_t deadline;

	if (argc > 2)
		drive_rate = RATE * (1 + atof(argv[2]));
	for (int i = 0; i < 16 && fd < 0; i++) {
		char path[32];
		drmVersionPtr v;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (!v || strcmp(v->name, "wfd")) {
			close(fd);
			fd = -1;
		}
		drmFreeVersion(v);
	}
	if (fd < 0 || wfd_get_info(fd, &info)) {
		fprintf(stderr, "av_flash: no wfd device\n");
		return 1;
	}
	crtc_id = info.outputs[0].crtc_id;
	connector_id = info.outputs[0].connector_id;
	deadline = mono_ns() + 60000000000ull;
	while (mono_ns() < deadline) {
		conn = drmModeGetConnector(fd, connector_id);
		if (conn && conn->connection == DRM_MODE_CONNECTED && conn->count_modes)
			break;
		drmModeFreeConnector(conn);
		conn = NULL;
		usleep(100000);
	}
	if (!conn) {
		fprintf(stderr, "av_flash: output 1 never connected\n");
		return 1;
	}
	mode = conn->modes[0];
	if (mkbuf(fd, mode.hdisplay, mode.vdisplay, 0x000000, &black) ||
	    mkbuf(fd, mode.hdisplay, mode.vdisplay, 0xffffff, &white) || kms_take_master(fd) ||
	    drmModeSetCrtc(fd, crtc_id, black.fb, 0, 0, &connector_id, 1, &mode)) {
		perror("av_flash: KMS");
		return 1;
	}
	printf("av_flash: %s@%u\n", mode.name, mode.vrefresh);
	fflush(stdout);
	/* wfdd makes the sound output once the stream plays: wait for it to take us. */
	if (audio_open(&loop)) {
		fprintf(stderr, "av_flash: cannot play into wfd-output-1\n");
		return 1;
	}
	sleep_until(mono_ns() + 4000000000ull);
	for (int i = 0; i < flashes; i++) {
		uint64_t at = mono_ns() + 500000000ull;

		atomic_store(&click_at, at);
		sleep_until(at);
		if (drmModePageFlip(fd, crtc_id, white.fb, 0, NULL) &&
		    drmModeSetCrtc(fd, crtc_id, white.fb, 0, 0, &connector_id, 1, &mode)) {
			perror("av_flash: flash");
			return 1;
		}
		printf("av_flash: flash %d at %.6f (commit took %.3f ms)\n", i + 1, at / 1e9,
		       (mono_ns() - at) / 1e6);
		fflush(stdout);
		sleep_until(at + 1500000000ull);
		if (drmModePageFlip(fd, crtc_id, black.fb, 0, NULL))
			drmModeSetCrtc(fd, crtc_id, black.fb, 0, 0, &connector_id, 1, &mode);
		sleep_until(at + 4000000000ull);
	}
	pw_thread_loop_stop(loop);
	pw_stream_destroy(stream);
	pw_thread_loop_destroy(loop);
	drmModeFreeConnector(conn);
	close(fd);
	return 0;
}
