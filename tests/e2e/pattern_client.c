// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A KMS client for the end-to-end tests: waits for wfd output 1 to be
 * connected, lights it up with its preferred mode and page-flips the
 * moving pattern at the refresh rate for SECONDS seconds.
 *
 * usage: pattern_client SECONDS
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "kms_master.h"
#include "libwfd.h"
#include "pattern.h"

struct buf { uint32_t handle, pitch, fb; uint64_t size; uint32_t *map; };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int mkbuf(int fd, int w, int h, struct buf *b)
{
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint64_t off;

	if (drmModeCreateDumbBuffer(fd, w, h, 32, 0, &b->handle, &b->pitch, &b->size) ||
	    drmModeMapDumbBuffer(fd, b->handle, &off))
		return -1;
	b->map = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	handles[0] = b->handle;
	pitches[0] = b->pitch;
	return b->map == MAP_FAILED ||
	       drmModeAddFB2(fd, w, h, DRM_FORMAT_XRGB8888, handles, pitches, offsets, &b->fb, 0);
}

static void draw(struct buf *b, int w, int h, unsigned int n)
{
	for (int y = 0; y < h; y++) {
		uint32_t *row = b->map + (size_t)y * b->pitch / 4;

		for (int x = 0; x < w; x++)
			row[x] = pattern_pixel((unsigned)x, (unsigned)y, (unsigned)w, n);
	}
}

static void on_flip(int fd, unsigned int seq, unsigned int s, unsigned int us, void *data)
{
	(void)fd; (void)seq; (void)s; (void)us;
	*(int *)data = 0;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 10, t0, deadline;
	drmEventContext ev = { .version = 2, .page_flip_handler = on_flip };
	struct drm_wfd_get_info info;
	drmModeConnectorPtr conn = NULL;
	drmModeModeInfo mode;
	struct buf b[2];
	int fd = -1, pending = 0;
	unsigned int n = 0;

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
		fprintf(stderr, "pattern_client: no wfd device\n");
		return 1;
	}
	/* Wait for the daemon to connect the sink, as a compositor would. */
	deadline = now() + 60;
	while (now() < deadline) {
		conn = drmModeGetConnector(fd, info.outputs[0].connector_id);
		if (conn && conn->connection == DRM_MODE_CONNECTED && conn->count_modes)
			break;
		drmModeFreeConnector(conn);
		conn = NULL;
		usleep(100000);
	}
	if (!conn) {
		fprintf(stderr, "pattern_client: output 1 never connected\n");
		return 1;
	}
	mode = conn->modes[0];
	if (mkbuf(fd, mode.hdisplay, mode.vdisplay, &b[0]) ||
	    mkbuf(fd, mode.hdisplay, mode.vdisplay, &b[1]))
		return 1;
	draw(&b[0], mode.hdisplay, mode.vdisplay, n);
	if (kms_take_master(fd)) {
		perror("pattern_client: cannot become DRM master");
		return 1;
	}
	if (drmModeSetCrtc(fd, info.outputs[0].crtc_id, b[0].fb, 0, 0,
			   &info.outputs[0].connector_id, 1, &mode)) {
		perror("pattern_client: setcrtc");
		return 1;
	}
	printf("pattern_client: %s@%u\n", mode.name, mode.vrefresh);
	fflush(stdout);
	t0 = now();
	while (now() - t0 < seconds) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (!pending) {
			n++;
			draw(&b[n & 1], mode.hdisplay, mode.vdisplay, n);
			if (drmModePageFlip(fd, info.outputs[0].crtc_id, b[n & 1].fb,
					    DRM_MODE_PAGE_FLIP_EVENT, &pending) == 0)
				pending = 1;
			else if (errno != EBUSY)
				break;	/* e.g. the output was unplugged */
		}
		if (poll(&p, 1, 1000) == 1)
			drmHandleEvent(fd, &ev);
	}
	printf("pattern_client: %u frames in %.1f s\n", n, now() - t0);
	drmModeFreeConnector(conn);
	close(fd);
	return 0;
}
