// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A KMS client for the end-to-end tests: waits for wfd output 1 to be
 * connected, lights it up with its preferred mode and page-flips the
 * moving pattern at the refresh rate for SECONDS seconds.  Like a
 * compositor it may blank the output (DPMS off, then on again) or switch
 * to another of the connector's modes on the way; times count from the
 * first modeset.
 *
 * usage: pattern_client SECONDS [--dpms-off-at S --dpms-on-at S]
 *                               [--mode-at S WxH]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
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

static uint32_t dpms_property(int fd, uint32_t connector_id)
{
	drmModeObjectPropertiesPtr props;
	uint32_t id = 0;

	props = drmModeObjectGetProperties(fd, connector_id, DRM_MODE_OBJECT_CONNECTOR);
	for (uint32_t i = 0; props && i < props->count_props && !id; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, "DPMS"))
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

static void usage(void)
{
	fprintf(stderr, "usage: pattern_client SECONDS [--dpms-off-at S --dpms-on-at S] "
		"[--mode-at S WxH]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	double seconds, t0, deadline, dpms_off_at = -1, dpms_on_at = -1, mode_at = -1;
	drmEventContext ev = { .version = 2, .page_flip_handler = on_flip };
	struct drm_wfd_get_info info;
	drmModeConnectorPtr conn = NULL;
	drmModeModeInfo mode;
	struct buf b[2];
	int fd = -1, pending = 0, want_w = 0, want_h = 0;
	uint32_t crtc_id, connector_id;
	bool blank = false;
	unsigned int n = 0;

	if (argc < 2)
		usage();
	seconds = atof(argv[1]);
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--dpms-off-at") && i + 1 < argc)
			dpms_off_at = atof(argv[++i]);
		else if (!strcmp(argv[i], "--dpms-on-at") && i + 1 < argc)
			dpms_on_at = atof(argv[++i]);
		else if (!strcmp(argv[i], "--mode-at") && i + 2 < argc &&
			 sscanf(argv[i + 2], "%dx%d", &want_w, &want_h) == 2) {
			mode_at = atof(argv[i + 1]);
			i += 2;
		} else
			usage();
	}
	if ((dpms_off_at < 0) != (dpms_on_at < 0) || dpms_on_at < dpms_off_at)
		usage();

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
	crtc_id = info.outputs[0].crtc_id;
	connector_id = info.outputs[0].connector_id;
	/* Wait for the daemon to connect the sink, as a compositor would. */
	deadline = now() + 60;
	while (now() < deadline) {
		conn = drmModeGetConnector(fd, connector_id);
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
	if (drmModeSetCrtc(fd, crtc_id, b[0].fb, 0, 0, &connector_id, 1, &mode)) {
		perror("pattern_client: setcrtc");
		return 1;
	}
	printf("pattern_client: %s@%u\n", mode.name, mode.vrefresh);
	fflush(stdout);
	t0 = now();
	while (now() - t0 < seconds) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double t = now() - t0;

		bool want_blank = dpms_off_at >= 0 && t >= dpms_off_at && t < dpms_on_at;

		/* Changes wait for the flip in flight, as a compositor's do. */
		if (!pending && want_blank != blank) {
			blank = want_blank;
			if (drmModeConnectorSetProperty(fd, connector_id,
							dpms_property(fd, connector_id),
							blank ? DRM_MODE_DPMS_OFF : DRM_MODE_DPMS_ON)) {
				perror("pattern_client: DPMS");
				return 1;
			}
			printf("pattern_client: DPMS %s at %.1f s\n", blank ? "off" : "on", t);
		} else if (!pending && mode_at >= 0 && t >= mode_at) {
			int i;

			mode_at = -1;
			for (i = 0; i < conn->count_modes; i++)
				if (conn->modes[i].hdisplay == want_w &&
				    conn->modes[i].vdisplay == want_h)
					break;
			if (i == conn->count_modes) {
				fprintf(stderr, "pattern_client: no %dx%d mode\n", want_w, want_h);
				return 1;
			}
			mode = conn->modes[i];
			/* The old buffers go with the process; a test client keeps them. */
			if (mkbuf(fd, mode.hdisplay, mode.vdisplay, &b[0]) ||
			    mkbuf(fd, mode.hdisplay, mode.vdisplay, &b[1]))
				return 1;
			draw(&b[n & 1], mode.hdisplay, mode.vdisplay, n);
			if (drmModeSetCrtc(fd, crtc_id, b[n & 1].fb, 0, 0, &connector_id, 1,
					   &mode)) {
				perror("pattern_client: setcrtc");
				return 1;
			}
			printf("pattern_client: %s@%u at %.1f s\n", mode.name, mode.vrefresh, t);
		}
		fflush(stdout);
		if (!pending && !blank) {
			n++;
			draw(&b[n & 1], mode.hdisplay, mode.vdisplay, n);
			if (drmModePageFlip(fd, crtc_id, b[n & 1].fb,
					    DRM_MODE_PAGE_FLIP_EVENT, &pending) == 0)
				pending = 1;
			else if (errno != EBUSY)
				break;	/* e.g. the output was unplugged */
		}
		if (poll(&p, 1, blank ? 100 : 1000) == 1)
			drmHandleEvent(fd, &ev);
	}
	printf("pattern_client: %u frames in %.1f s\n", n, now() - t0);
	drmModeFreeConnector(conn);
	close(fd);
	return 0;
}
