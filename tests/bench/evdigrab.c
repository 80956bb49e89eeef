// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * evdigrab: an evdi client for the benchmarks, doing what evdi clients do:
 * it connects the first evdi device with the same synthesized EDID wfdd
 * would give (libwfd), registers one buffer of the mode's size, and for
 * each update asks for it (evdi_request_update) and grabs it
 * (evdi_grab_pixels: the kernel copies the picture into the buffer).
 *
 * usage: evdigrab --mode WxH@R [--seconds S] [--log FILE]
 *
 * Log, one line per grab: frame number read from the grabbed picture's
 * barcode, the time the update was requested, the time the grab started,
 * the time it returned (the frame is in user space), the number of
 * damage rectangles and the bytes they cover.  CLOCK_MONOTONIC ns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <evdi_lib.h>
#include <xf86drm.h>

#include "barcode.h"
#include "libwfd.h"

#define BUFFER_ID 1
#define MAX_RECTS 16

struct grabber {
	evdi_handle h;
	FILE *log;
	uint32_t *pixels;
	int width, height;
	bool registered, requested;
	uint64_t request_ns, grabs, copied;
	struct evdi_rect rects[MAX_RECTS];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void grab(struct grabber *g)
{
	uint64_t t0 = now_ns(), t1, bytes = 0;
	int n = MAX_RECTS;

	evdi_grab_pixels(g->h, g->rects, &n);
	t1 = now_ns();
	for (int i = 0; i < n; i++)
		bytes += 4ull * (uint64_t)(g->rects[i].x2 - g->rects[i].x1) *
			 (uint64_t)(g->rects[i].y2 - g->rects[i].y1);
	g->grabs++;
	g->copied += bytes;
	if (g->log)
		fprintf(g->log, "%u %llu %llu %llu %d %llu\n",
			barcode_read(g->pixels, (size_t)g->width * 4, (unsigned int)g->width),
			(unsigned long long)g->request_ns, (unsigned long long)t0,
			(unsigned long long)t1, n, (unsigned long long)bytes);
}

static void on_mode(struct evdi_mode mode, void *data)
{
	struct grabber *g = data;
	struct evdi_buffer b = { .id = BUFFER_ID };

	if (g->registered) {
		evdi_unregister_buffer(g->h, BUFFER_ID);
		g->registered = false;
	}
	free(g->pixels);
	g->pixels = NULL;
	g->requested = false;
	if (mode.width <= 0 || mode.height <= 0)
		return;
	g->width = mode.width;
	g->height = mode.height;
	g->pixels = calloc((size_t)mode.width * (size_t)mode.height, 4);
	if (!g->pixels)
		return;
	b.buffer = g->pixels;
	b.width = mode.width;
	b.height = mode.height;
	b.stride = mode.width * 4;
	b.rects = g->rects;
	b.rect_count = MAX_RECTS;
	evdi_register_buffer(g->h, b);
	g->registered = true;
	fprintf(stderr, "evdigrab: mode %dx%d@%d\n", mode.width, mode.height, mode.refresh_rate);
}

static void on_update(int buffer, void *data)
{
	struct grabber *g = data;

	if (buffer == BUFFER_ID && g->registered && g->requested) {
		g->requested = false;
		grab(g);
	}
}

/* The minor of the first DRM card whose driver is evdi. */
static int find_evdi(void)
{
	for (int i = 0; i < 16; i++) {
		char path[32];
		drmVersionPtr v;
		int fd, found;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		found = v && !strcmp(v->name, "evdi");
		drmFreeVersion(v);
		close(fd);
		if (found)
			return i;
	}
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "seconds", required_argument, NULL, 's' },
		{ "log", required_argument, NULL, 'l' },
		{ 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	struct wfd_mode m = { 1920, 1080, 60 };
	struct grabber g = { 0 };
	struct evdi_event_context ctx = {
		.mode_changed_handler = on_mode,
		.update_ready_handler = on_update,
		.user_data = &g,
	};
	const char *logpath = NULL;
	double seconds = 10;
	uint8_t edid[256];
	uint64_t t0;
	int c, dev, n;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (sscanf(optarg, "%ux%u@%u", &m.width, &m.height, &m.refresh_hz) != 3) {
				fprintf(stderr, "evdigrab: bad --mode %s\n", optarg);
				return 2;
			}
			break;
		case 's': seconds = atof(optarg); break;
		case 'l': logpath = optarg; break;
		default:
			fprintf(stderr, "usage: evdigrab --mode WxH@R [--seconds S] [--log FILE]\n");
			return 2;
		}
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	n = wfd_edid_synthesize(&m, 1, "bench", edid, sizeof(edid));
	dev = find_evdi();
	if (n < 0 || dev < 0) {
		fprintf(stderr, "evdigrab: %s\n", dev < 0 ? "no evdi device" : "bad mode");
		return 1;
	}
	if (logpath && !(g.log = fopen(logpath, "w"))) {
		fprintf(stderr, "evdigrab: cannot write %s: %s\n", logpath, strerror(errno));
		return 1;
	}
	g.h = evdi_open(dev);
	if (g.h == EVDI_INVALID_HANDLE) {
		fprintf(stderr, "evdigrab: cannot open evdi card%d\n", dev);
		return 1;
	}
	evdi_connect(g.h, edid, (unsigned int)n, m.width * m.height,
		     m.width * m.height * m.refresh_hz);
	t0 = now_ns();
	while (!stop && now_ns() - t0 < (uint64_t)(seconds * 1e9)) {
		struct pollfd p = { .fd = evdi_get_event_ready(g.h), .events = POLLIN };

		if (g.registered && !g.requested) {
			g.request_ns = now_ns();
			g.requested = true;
			/* True: an update is there already, grab it now. */
			if (evdi_request_update(g.h, BUFFER_ID)) {
				g.requested = false;
				grab(&g);
				continue;
			}
		}
		if (poll(&p, 1, 100) == 1)
			evdi_handle_events(g.h, &ctx);
	}
	printf("evdi_grabs %llu\nevdi_bytes_copied %llu\n", (unsigned long long)g.grabs,
	       (unsigned long long)g.copied);
	if (g.registered)
		evdi_unregister_buffer(g.h, BUFFER_ID);
	evdi_disconnect(g.h);
	evdi_close(g.h);
	free(g.pixels);
	if (g.log)
		fclose(g.log);
	return 0;
}
