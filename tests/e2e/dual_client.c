// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A KMS client driving two wfd outputs as one compositor does with two
 * monitors: it waits for outputs 1 and 2 to be connected, lights both
 * CRTCs with their preferred modes in one atomic commit, then flips both
 * in one atomic commit per frame, drawing the moving pattern, for
 * SECONDS seconds.
 *
 * usage: dual_client SECONDS
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

struct fb {
	uint32_t handle, pitch, id;
	uint64_t size;
	uint32_t *map;
};

struct head {
	uint32_t crtc, conn, plane;
	drmModeModeInfo mode;
	struct fb fb[2];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fb_create(int fd, int w, int h, struct fb *b)
{
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint64_t off;

	if (drmModeCreateDumbBuffer(fd, (uint32_t)w, (uint32_t)h, 32, 0, &b->handle,
				    &b->pitch, &b->size) ||
	    drmModeMapDumbBuffer(fd, b->handle, &off))
		return -1;
	b->map = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
	if (b->map == MAP_FAILED)
		return -1;
	handles[0] = b->handle;
	pitches[0] = b->pitch;
	return drmModeAddFB2(fd, (uint32_t)w, (uint32_t)h, DRM_FORMAT_XRGB8888, handles,
			     pitches, offsets, &b->id, 0);
}

static void fb_draw(struct fb *b, int w, int h, unsigned int n)
{
	for (int y = 0; y < h; y++) {
		uint32_t *row = b->map + (size_t)y * b->pitch / 4;

		for (int x = 0; x < w; x++)
			row[x] = pattern_pixel((unsigned int)x, (unsigned int)y,
					       (unsigned int)w, n);
	}
}

static uint32_t prop(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, obj, type);
	uint32_t id = 0;

	for (uint32_t i = 0; props && i < props->count_props && !id; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name))
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

static uint32_t primary_plane(int fd, uint32_t crtc)
{
	drmModePlaneResPtr res = drmModeGetPlaneResources(fd);
	drmModeResPtr kms = drmModeGetResources(fd);
	uint32_t id = 0;
	int index = -1;

	for (int i = 0; kms && i < kms->count_crtcs; i++)
		if (kms->crtcs[i] == crtc)
			index = i;
	for (uint32_t i = 0; res && index >= 0 && i < res->count_planes && !id; i++) {
		drmModePlanePtr p = drmModeGetPlane(fd, res->planes[i]);

		if (p && (p->possible_crtcs & (1u << index)))
			id = p->plane_id;
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(res);
	drmModeFreeResources(kms);
	return id;
}

/* Wait for the daemon to connect the output, as a compositor would. */
static int head_wait(int fd, struct head *h)
{
	double deadline = now() + 90;

	while (now() < deadline) {
		drmModeConnectorPtr c = drmModeGetConnector(fd, h->conn);

		if (c && c->connection == DRM_MODE_CONNECTED && c->count_modes) {
			h->mode = c->modes[0];
			drmModeFreeConnector(c);
			return 0;
		}
		drmModeFreeConnector(c);
		usleep(100000);
	}
	return -1;
}

static void plane_add(drmModeAtomicReqPtr req, int fd, const struct head *h, uint32_t fb)
{
	uint32_t p = h->plane;

	drmModeAtomicAddProperty(req, p, prop(fd, p, DRM_MODE_OBJECT_PLANE, "FB_ID"), fb);
	drmModeAtomicAddProperty(req, p, prop(fd, p, DRM_MODE_OBJECT_PLANE, "CRTC_ID"), h->crtc);
	drmModeAtomicAddProperty(req, p, prop(fd, p, DRM_MODE_OBJECT_PLANE, "SRC_W"),
				 (uint64_t)h->mode.hdisplay << 16);
	drmModeAtomicAddProperty(req, p, prop(fd, p, DRM_MODE_OBJECT_PLANE, "SRC_H"),
				 (uint64_t)h->mode.vdisplay << 16);
	drmModeAtomicAddProperty(req, p, prop(fd, p, DRM_MODE_OBJECT_PLANE, "CRTC_W"),
				 h->mode.hdisplay);
	drmModeAtomicAddProperty(req, p, prop(fd, p, DRM_MODE_OBJECT_PLANE, "CRTC_H"),
				 h->mode.vdisplay);
}

/* Both CRTCs lit in one commit. */
static int light_both(int fd, struct head *h)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	int ret = 0;

	for (int i = 0; i < 2 && !ret; i++) {
		uint32_t blob;

		ret = drmModeCreatePropertyBlob(fd, &h[i].mode, sizeof(h[i].mode), &blob);
		if (ret)
			break;
		drmModeAtomicAddProperty(req, h[i].crtc,
					 prop(fd, h[i].crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID"), blob);
		drmModeAtomicAddProperty(req, h[i].crtc,
					 prop(fd, h[i].crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE"), 1);
		drmModeAtomicAddProperty(req, h[i].conn,
					 prop(fd, h[i].conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID"),
					 h[i].crtc);
		plane_add(req, fd, &h[i], h[i].fb[0].id);
	}
	if (!ret)
		ret = drmModeAtomicCommit(fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	drmModeAtomicFree(req);
	return ret;
}

/* Both planes flipped in one commit, with one event per CRTC. */
static int flip_both(int fd, struct head *h, unsigned int n)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	int ret;

	for (int i = 0; i < 2; i++)
		drmModeAtomicAddProperty(req, h[i].plane,
					 prop(fd, h[i].plane, DRM_MODE_OBJECT_PLANE, "FB_ID"),
					 h[i].fb[n & 1].id);
	ret = drmModeAtomicCommit(fd, req, DRM_MODE_ATOMIC_NONBLOCK |
				  DRM_MODE_PAGE_FLIP_EVENT, NULL);
	drmModeAtomicFree(req);
	return ret;
}

static int pending;

static void on_flip(int fd, unsigned int seq, unsigned int s, unsigned int us, void *data)
{
	(void)fd; (void)seq; (void)s; (void)us; (void)data;
	pending--;
}

int main(int argc, char **argv)
{
	drmEventContext ev = { .version = 2, .page_flip_handler = on_flip };
	struct drm_wfd_get_info info;
	struct head h[2] = { 0 };
	unsigned int n = 0, flips = 0;
	double seconds, t0;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: dual_client SECONDS\n");
		return 2;
	}
	seconds = atof(argv[1]);
	fd = wfd_open(NULL);
	if (fd < 0 || wfd_get_info(fd, &info) || info.num_outputs < 2) {
		fprintf(stderr, "dual_client: no wfd device with two outputs\n");
		return 1;
	}
	drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1);
	for (int i = 0; i < 2; i++) {
		h[i].crtc = info.outputs[i].crtc_id;
		h[i].conn = info.outputs[i].connector_id;
		h[i].plane = primary_plane(fd, h[i].crtc);
		if (head_wait(fd, &h[i])) {
			fprintf(stderr, "dual_client: output %d never connected\n", i + 1);
			return 1;
		}
		if (fb_create(fd, h[i].mode.hdisplay, h[i].mode.vdisplay, &h[i].fb[0]) ||
		    fb_create(fd, h[i].mode.hdisplay, h[i].mode.vdisplay, &h[i].fb[1]))
			return 1;
		fb_draw(&h[i].fb[0], h[i].mode.hdisplay, h[i].mode.vdisplay, 0);
	}
	if (kms_take_master(fd) || light_both(fd, h)) {
		perror("dual_client: lighting both outputs");
		return 1;
	}
	printf("dual_client: %s and %s\n", h[0].mode.name, h[1].mode.name);
	fflush(stdout);
	t0 = now();
	while (now() - t0 < seconds) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (!pending) {
			n++;
			for (int i = 0; i < 2; i++)
				fb_draw(&h[i].fb[n & 1], h[i].mode.hdisplay, h[i].mode.vdisplay, n);
			if (flip_both(fd, h, n) == 0) {
				pending = 2;
				flips++;
			} else if (errno != EBUSY) {
				break;	/* an output was unplugged */
			}
		}
		if (poll(&p, 1, 1000) == 1)
			drmHandleEvent(fd, &ev);
	}
	printf("dual_client: %u two-output commits in %.1f s\n", flips, now() - t0);
	close(fd);
	return 0;
}
