// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM KMS tests of wfd.ko: the behaviours IGT checks that matter for
 * this driver, with libdrm only.  KTAP output.  Needs root, debugfs and a
 * freshly loaded wfd (and vgem.ko for the PRIME test).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "ktap.h"
#include "wfd_util.h"
#include "wfd_drm.h"

struct ctx {
	int fd;
	struct drm_wfd_get_info info;
	uint32_t crtc, conn, plane;
	drmModeModeInfo mode;
};

static int expected_outputs(void)
{
	char buf[32];

	if (util_read_file("/sys/module/wfd/parameters/outputs", buf, sizeof(buf)) < 0)
		return -1;
	return atoi(buf);
}

static int test_get_info(struct ctx *c)
{
	struct drm_wfd_get_info info;

	memset(&info, 0, sizeof(info));
	CHECK(drmIoctl(c->fd, DRM_IOCTL_WFD_GET_INFO, &info) == 0);
	CHECK(info.version == WFD_UAPI_VERSION);
	CHECK((int)info.num_outputs == expected_outputs());
	CHECK(info.max_edid_size >= 256);
	/* No daemon yet: nothing claimed, no session, nothing connected. */
	for (uint32_t i = 0; i < info.num_outputs; i++) {
		CHECK(info.outputs[i].connector_id && info.outputs[i].crtc_id);
		CHECK(info.outputs[i].flags == 0 && info.outputs[i].pad == 0);
		CHECK(info.outputs[i].session_id == 0);
	}
	for (uint32_t i = info.num_outputs; i < WFD_MAX_OUTPUTS; i++)
		CHECK(info.outputs[i].connector_id == 0 && info.outputs[i].crtc_id == 0);
	c->info = info;

	/* Input fields must be zero. */
	memset(&info, 0, sizeof(info));
	info.flags = 1;
	CHECK_ERRNO(drmIoctl(c->fd, DRM_IOCTL_WFD_GET_INFO, &info), EINVAL);
	memset(&info, 0, sizeof(info));
	info.reserved[3] = 1;
	CHECK_ERRNO(drmIoctl(c->fd, DRM_IOCTL_WFD_GET_INFO, &info), EINVAL);
	return 0;
}

static int test_enumerate(struct ctx *c)
{
	drmModeResPtr res = drmModeGetResources(c->fd);
	uint32_t i;

	CHECK(res);
	CHECK((uint32_t)res->count_connectors == c->info.num_outputs);
	CHECK((uint32_t)res->count_crtcs == c->info.num_outputs);
	CHECK((uint32_t)res->count_encoders == c->info.num_outputs);
	for (i = 0; i < c->info.num_outputs; i++) {
		drmModeConnectorPtr conn =
			drmModeGetConnector(c->fd, c->info.outputs[i].connector_id);
		drmModeEncoderPtr enc;
		drmModePlanePtr plane;
		uint32_t pid = util_primary_plane(c->fd, c->info.outputs[i].crtc_id);
		int xrgb = 0, argb = 0;

		CHECK(conn);
		CHECK(conn->connector_type == DRM_MODE_CONNECTOR_VIRTUAL);
		CHECK(conn->connection == DRM_MODE_DISCONNECTED);
		CHECK(conn->count_modes == 0);
		CHECK(conn->count_encoders == 1);
		CHECK(!(c->info.outputs[i].flags & WFD_OUTPUT_CONNECTED));
		enc = drmModeGetEncoder(c->fd, conn->encoders[0]);
		CHECK(enc && enc->encoder_type == DRM_MODE_ENCODER_VIRTUAL);
		CHECK(enc->possible_crtcs == (1u << i));
		CHECK(res->crtcs[i] == c->info.outputs[i].crtc_id);
		drmModeFreeEncoder(enc);
		drmModeFreeConnector(conn);

		CHECK(pid);
		plane = drmModeGetPlane(c->fd, pid);
		CHECK(plane);
		for (uint32_t f = 0; f < plane->count_formats; f++) {
			xrgb |= plane->formats[f] == DRM_FORMAT_XRGB8888;
			argb |= plane->formats[f] == DRM_FORMAT_ARGB8888;
		}
		drmModeFreePlane(plane);
		CHECK(xrgb && argb);
		CHECK(util_prop_id(c->fd, pid, DRM_MODE_OBJECT_PLANE, "FB_DAMAGE_CLIPS"));
		CHECK(util_prop_id(c->fd, pid, DRM_MODE_OBJECT_PLANE, "IN_FORMATS"));
	}
	drmModeFreeResources(res);
	return 0;
}

static int test_force_on(struct ctx *c)
{
	drmModeConnectorPtr conn;
	int i, pref = -1;

	CHECK(util_force_connector(c->fd, c->conn, "on") == 0);
	conn = drmModeGetConnector(c->fd, c->conn);
	CHECK(conn && conn->connection == DRM_MODE_CONNECTED);
	CHECK(conn->count_modes > 10);
	for (i = 0; i < conn->count_modes; i++)
		if (conn->modes[i].type & DRM_MODE_TYPE_PREFERRED)
			pref = i;
	CHECK(pref >= 0);
	CHECK(conn->modes[pref].hdisplay == 1024 && conn->modes[pref].vdisplay == 768);
	ktap_diag("forced on: %d modes, preferred %s", conn->count_modes,
		  conn->modes[pref].name);
	drmModeFreeConnector(conn);

	CHECK(util_force_connector(c->fd, c->conn, "detect") == 0);
	conn = drmModeGetConnector(c->fd, c->conn);
	CHECK(conn && conn->connection == DRM_MODE_DISCONNECTED);
	CHECK(conn->count_modes == 0);
	drmModeFreeConnector(conn);

	/* Leave it on for the tests that scan out; pick 640x480@60. */
	CHECK(util_force_connector(c->fd, c->conn, "on") == 0);
	conn = drmModeGetConnector(c->fd, c->conn);
	CHECK(conn);
	for (i = 0; i < conn->count_modes; i++)
		if (conn->modes[i].hdisplay == 640 && conn->modes[i].vdisplay == 480 &&
		    conn->modes[i].vrefresh == 60)
			c->mode = conn->modes[i];
	drmModeFreeConnector(conn);
	CHECK(c->mode.hdisplay == 640);
	return 0;
}

static int test_dumb(struct ctx *c)
{
	struct drm_mode_create_dumb cd;
	struct wfd_dumb b;
	uint64_t off;
	uint32_t *map2;
	long gem;

	CHECK(util_dumb_create(c->fd, 333, 77, 0, &b) == 0);
	CHECK(b.pitch >= 333 * 4 && b.size >= (uint64_t)b.pitch * 77);
	for (uint32_t i = 0; i < b.size / 4; i++)
		b.map[i] = i * 2654435761u;
	CHECK(drmModeMapDumbBuffer(c->fd, b.handle, &off) == 0);
	map2 = mmap(NULL, b.size, PROT_READ, MAP_SHARED, c->fd, off);
	CHECK(map2 != MAP_FAILED);
	CHECK(memcmp(map2, b.map, b.size) == 0);
	munmap(map2, b.size);
	util_dumb_destroy(c->fd, &b);

	memset(&cd, 0, sizeof(cd));
	cd.width = 64; cd.height = 64; cd.bpp = 0;
	CHECK_ERRNO(drmIoctl(c->fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd), EINVAL);
	memset(&cd, 0, sizeof(cd));
	cd.width = 0; cd.height = 64; cd.bpp = 32;
	CHECK_ERRNO(drmIoctl(c->fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd), EINVAL);
	memset(&cd, 0, sizeof(cd));
	cd.width = 1u << 31; cd.height = 1u << 31; cd.bpp = 32;
	CHECK_ERRNO(drmIoctl(c->fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd), EINVAL);
	/*
	 * Larger than any framebuffer wfd takes, or empty: refused before an
	 * object is made.  2^31 x 1 at 8 bpp is size 0 to 6.1's shmem helper
	 * (width * bpp in 32 bits); it failed later, the helper freed the
	 * object without the driver's hook, and gem_objects stayed one up.
	 */
	gem = util_wfd_state(c->fd, "gem_objects");
	memset(&cd, 0, sizeof(cd));
	cd.width = 1u << 31; cd.height = 1; cd.bpp = 8;
	CHECK(drmIoctl(c->fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd) == -1 &&
	      (errno == EINVAL || errno == E2BIG));
	cd.width = 8192; cd.height = 8193; cd.bpp = 32;
	CHECK_ERRNO(drmIoctl(c->fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd), E2BIG);
	CHECK(util_wfd_state(c->fd, "gem_objects") == gem);
	CHECK_ERRNO(drmModeMapDumbBuffer(c->fd, 0xdead, &off), ENOENT);
	return 0;
}

static int addfb(int fd, uint32_t w, uint32_t h, uint32_t fourcc,
		 uint32_t handle, uint32_t pitch, uint32_t offset)
{
	uint32_t handles[4] = { handle }, pitches[4] = { pitch };
	uint32_t offsets[4] = { offset }, id = 0;
	int ret;

	ret = drmModeAddFB2(fd, w, h, fourcc, handles, pitches, offsets, &id, 0);
	if (!ret)
		drmModeRmFB(fd, id);
	return ret;
}

static int addfb_mod(int fd, uint32_t handle, uint32_t pitch, uint64_t modifier)
{
	uint32_t handles[4] = { handle }, pitches[4] = { pitch }, offsets[4] = { 0 };
	uint64_t mods[4] = { modifier };
	uint32_t id = 0;
	int ret;

	ret = drmModeAddFB2WithModifiers(fd, 256, 256, DRM_FORMAT_XRGB8888, handles,
					 pitches, offsets, mods, &id,
					 DRM_MODE_FB_MODIFIERS);
	if (!ret)
		drmModeRmFB(fd, id);
	return ret;
}

static int test_addfb(struct ctx *c)
{
	struct wfd_dumb b;

	CHECK(util_dumb_create(c->fd, 256, 256, 0, &b) == 0);
	CHECK(addfb(c->fd, 256, 256, DRM_FORMAT_XRGB8888, b.handle, b.pitch, 0) == 0);
	CHECK(addfb(c->fd, 256, 256, DRM_FORMAT_ARGB8888, b.handle, b.pitch, 0) == 0);
	CHECK_ERRNO(addfb(c->fd, 256, 256, fourcc_code('W', 'F', 'D', '!'),
			  b.handle, b.pitch, 0), EINVAL);
	/* Known to the core but taken by no plane. */
	CHECK_ERRNO(addfb(c->fd, 256, 256, DRM_FORMAT_RGB565, b.handle, b.pitch, 0), EINVAL);
	CHECK_ERRNO(addfb_mod(c->fd, b.handle, b.pitch, DRM_FORMAT_MOD_INVALID), EINVAL);
	CHECK_ERRNO(addfb_mod(c->fd, b.handle, b.pitch, I915_FORMAT_MOD_X_TILED), EINVAL);
	CHECK(addfb_mod(c->fd, b.handle, b.pitch, DRM_FORMAT_MOD_LINEAR) == 0);
	CHECK_ERRNO(addfb(c->fd, 256, 256, DRM_FORMAT_XRGB8888, 0xdead, b.pitch, 0), ENOENT);
	CHECK_ERRNO(addfb(c->fd, 256, 256, DRM_FORMAT_XRGB8888, b.handle, 255 * 4, 0), EINVAL);
	CHECK_ERRNO(addfb(c->fd, 0, 256, DRM_FORMAT_XRGB8888, b.handle, b.pitch, 0), EINVAL);
	CHECK_ERRNO(addfb(c->fd, 8193, 1, DRM_FORMAT_XRGB8888, b.handle, 8193 * 4, 0), EINVAL);
	/* Larger than the object. */
	CHECK_ERRNO(addfb(c->fd, 256, 512, DRM_FORMAT_XRGB8888, b.handle, b.pitch, 0), EINVAL);
	CHECK_ERRNO(addfb(c->fd, 256, 256, DRM_FORMAT_XRGB8888, b.handle, b.pitch, 4096), EINVAL);
	util_dumb_destroy(c->fd, &b);
	return 0;
}

static void *flip_data;

/* Update the plane; flip events carry flip_data. */
static int commit_plane(int fd, uint32_t plane, uint32_t fb, uint32_t flags,
			uint32_t w, uint32_t h, uint32_t crtc, int dx)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	int ret;

#define P(name, v) drmModeAtomicAddProperty(req, plane, \
		util_prop_id(fd, plane, DRM_MODE_OBJECT_PLANE, name), v)
	P("FB_ID", fb);
	P("CRTC_ID", crtc);
	P("SRC_X", 0); P("SRC_Y", 0);
	P("SRC_W", (uint64_t)w << 16); P("SRC_H", (uint64_t)h << 16);
	P("CRTC_X", dx); P("CRTC_Y", 0);
	P("CRTC_W", w); P("CRTC_H", h);
#undef P
	ret = drmModeAtomicCommit(fd, req, flags, flip_data);
	drmModeAtomicFree(req);
	return ret;
}

static int test_atomic_rules(struct ctx *c)
{
	drmModeModeInfo fast = c->mode;
	struct wfd_dumb b, small;

	CHECK(util_dumb_create(c->fd, 640, 480, DRM_FORMAT_XRGB8888, &b) == 0);
	CHECK(util_dumb_create(c->fd, 320, 240, DRM_FORMAT_XRGB8888, &small) == 0);
	CHECK(util_modeset(c->fd, c->crtc, c->conn, c->plane, &c->mode, b.fb_id,
			   DRM_MODE_ATOMIC_TEST_ONLY) == 0);
	CHECK(util_modeset(c->fd, c->crtc, c->conn, c->plane, &c->mode, b.fb_id, 0) == 0);
	/* No scaling, no positioning: the plane covers the CRTC 1:1. */
	CHECK_ERRNO(commit_plane(c->fd, c->plane, small.fb_id, DRM_MODE_ATOMIC_TEST_ONLY,
				 320, 240, c->crtc, 0), EINVAL);
	CHECK_ERRNO(commit_plane(c->fd, c->plane, b.fb_id, DRM_MODE_ATOMIC_TEST_ONLY,
				 640, 480, c->crtc, 16), EINVAL);
	CHECK(commit_plane(c->fd, c->plane, b.fb_id, DRM_MODE_ATOMIC_TEST_ONLY,
			   640, 480, c->crtc, 0) == 0);
	/* A refresh rate beyond the vblank timer's bound is refused. */
	fast.clock = fast.clock * 10;
	fast.vrefresh = 600;
	CHECK_ERRNO(util_modeset(c->fd, c->crtc, c->conn, c->plane, &fast, b.fb_id,
				 DRM_MODE_ATOMIC_TEST_ONLY), EINVAL);
	fast = c->mode;
	fast.clock = 0;
	CHECK_ERRNO(util_modeset(c->fd, c->crtc, c->conn, c->plane, &fast, b.fb_id,
				 DRM_MODE_ATOMIC_TEST_ONLY), EINVAL);
	CHECK(util_disable(c->fd, c->crtc, c->conn, c->plane) == 0);
	util_dumb_destroy(c->fd, &small);
	util_dumb_destroy(c->fd, &b);
	return 0;
}

/* Take the primary plane off its CRTC, leaving the CRTC as it is. */
static int commit_plane_off(struct ctx *c, uint32_t flags)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	int ret;

	drmModeAtomicAddProperty(req, c->plane,
				 util_prop_id(c->fd, c->plane, DRM_MODE_OBJECT_PLANE, "FB_ID"), 0);
	drmModeAtomicAddProperty(req, c->plane,
				 util_prop_id(c->fd, c->plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID"), 0);
	ret = drmModeAtomicCommit(c->fd, req, flags, NULL);
	drmModeAtomicFree(req);
	return ret;
}

/*
 * A lit CRTC always shows a framebuffer on its primary plane: there is no
 * picture to send without one.  Lighting the CRTC with no framebuffer, or
 * taking the framebuffer off a lit CRTC, is refused by the atomic check;
 * an inactive CRTC (DPMS off) needs none.
 */
static int test_crtc_needs_primary(struct ctx *c)
{
	drmModeAtomicReqPtr req;
	struct wfd_dumb b;
	int ret;

	CHECK(util_dumb_create(c->fd, 640, 480, DRM_FORMAT_XRGB8888, &b) == 0);
	CHECK_ERRNO(util_modeset(c->fd, c->crtc, c->conn, c->plane, &c->mode, 0,
				 DRM_MODE_ATOMIC_TEST_ONLY), EINVAL);
	CHECK_ERRNO(util_modeset(c->fd, c->crtc, c->conn, c->plane, &c->mode, 0, 0), EINVAL);
	CHECK(util_modeset(c->fd, c->crtc, c->conn, c->plane, &c->mode, b.fb_id, 0) == 0);
	CHECK_ERRNO(commit_plane_off(c, DRM_MODE_ATOMIC_TEST_ONLY), EINVAL);
	CHECK_ERRNO(commit_plane_off(c, 0), EINVAL);
	/* Still lit with its framebuffer: a plane update goes through. */
	CHECK(commit_plane(c->fd, c->plane, b.fb_id, 0, 640, 480, c->crtc, 0) == 0);

	/* Off (DPMS) and without a framebuffer together is fine. */
	req = drmModeAtomicAlloc();
	drmModeAtomicAddProperty(req, c->crtc,
				 util_prop_id(c->fd, c->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE"), 0);
	drmModeAtomicAddProperty(req, c->plane,
				 util_prop_id(c->fd, c->plane, DRM_MODE_OBJECT_PLANE, "FB_ID"), 0);
	drmModeAtomicAddProperty(req, c->plane,
				 util_prop_id(c->fd, c->plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID"), 0);
	ret = drmModeAtomicCommit(c->fd, req, DRM_MODE_ATOMIC_TEST_ONLY |
				  DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	drmModeAtomicFree(req);
	CHECK(ret == 0);
	CHECK(util_disable(c->fd, c->crtc, c->conn, c->plane) == 0);
	util_dumb_destroy(c->fd, &b);
	return 0;
}

#define MAX_FLIPS 4096

/* What the flip events said: the vblank sequence and time of each. */
struct flip_stats {
	int events;
	unsigned int seq[MAX_FLIPS];
	double t[MAX_FLIPS];
};

static void flip_handler(int fd, unsigned int seq, unsigned int sec,
			 unsigned int usec, unsigned int crtc_id, void *data)
{
	struct flip_stats *s = data;

	(void)fd; (void)crtc_id;
	if (s->events < MAX_FLIPS) {
		s->seq[s->events] = seq;
		s->t[s->events] = sec + usec / 1e6;
	}
	s->events++;
}

/* The frame period of @m as the CRTC times it: htotal * vtotal / clock. */
static double mode_period(const drmModeModeInfo *m)
{
	return (double)m->htotal * m->vtotal / (m->clock * 1000.0);
}

/*
 * Flips complete on the simulated vblank, and their events carry its
 * sequence and time: each event is at a later vblank than the one before,
 * and the time between two events is the number of vblanks between them
 * times the frame period.  How many flips the loop gets through depends on
 * how fast the host runs the VM, so that rate is only logged.
 */
static int test_flip_pacing(struct ctx *c)
{
	drmEventContext ev = { .version = 3, .page_flip_handler2 = flip_handler };
	static struct flip_stats s;
	struct wfd_dumb b[2];
	double period = mode_period(&c->mode), t0, wall, worst = 0;
	int flips = 0, pending = 0, n, skipped = 0;

	s.events = 0;
	CHECK(util_dumb_create(c->fd, 640, 480, DRM_FORMAT_XRGB8888, &b[0]) == 0);
	CHECK(util_dumb_create(c->fd, 640, 480, DRM_FORMAT_XRGB8888, &b[1]) == 0);
	CHECK(util_modeset(c->fd, c->crtc, c->conn, c->plane, &c->mode, b[0].fb_id, 0) == 0);

	flip_data = &s;
	t0 = util_now();
	while (util_now() - t0 < 3.0 && s.events < MAX_FLIPS) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

		if (!pending) {
			CHECK(commit_plane(c->fd, c->plane, b[++flips & 1].fb_id,
					   DRM_MODE_PAGE_FLIP_EVENT | DRM_MODE_ATOMIC_NONBLOCK,
					   640, 480, c->crtc, 0) == 0);
			pending = 1;
		}
		if (poll(&pfd, 1, 1000) == 1) {
			int before = s.events;

			CHECK(drmHandleEvent(c->fd, &ev) == 0);
			pending -= s.events - before;
		}
	}
	while (pending) {
		int before = s.events;

		CHECK(drmHandleEvent(c->fd, &ev) == 0);
		pending -= s.events - before;
	}
	wall = util_now() - t0;
	n = s.events < MAX_FLIPS ? s.events : MAX_FLIPS;
	for (int i = 1; i < n; i++) {
		unsigned int dseq = s.seq[i] - s.seq[i - 1];
		double dt = s.t[i] - s.t[i - 1], err = dt - dseq * period;

		if (dseq == 0 || dseq > 1000000 || dt <= 0 || err > 0.0005 || err < -0.0005)
			ktap_diag("flip %d: sequence %u -> %u, time %.6f -> %.6f (%.3f ms for %u periods of %.3f ms)",
				  i, s.seq[i - 1], s.seq[i], s.t[i - 1], s.t[i], dt * 1e3,
				  dseq, period * 1e3);
		/* Never two flips in one vblank, never back in time. */
		CHECK(dseq >= 1 && dseq < 1000000);
		CHECK(dt > 0);
		/* The timestamps are the vblank times: whole periods apart. */
		CHECK(err < 0.0005 && err > -0.0005);
		if (err < 0)
			err = -err;
		if (err > worst)
			worst = err;
		skipped += (int)dseq - 1;
	}
	ktap_diag("flips: %d events in %.3f s of wall clock (%.1f per s; the refresh is %.3f Hz), %d vblanks without a flip between them, worst timestamp error %.1f us",
		  s.events, wall, s.events / wall, 1 / period, skipped, worst * 1e6);
	/* The flips went on at all; how fast depends on the host. */
	CHECK(s.events >= 3);

	CHECK(util_disable(c->fd, c->crtc, c->conn, c->plane) == 0);
	util_dumb_destroy(c->fd, &b[0]);
	util_dumb_destroy(c->fd, &b[1]);
	return 0;
}

/*
 * Move to @cpu (-1: any) when there are two: an hrtimer fires on the CPU
 * that armed it.
 */
static void run_on(int cpu)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	if (n < 2)
		return;
	CPU_ZERO(&set);
	for (long i = 0; i < n; i++)
		if (cpu < 0 || i == cpu)
			CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int set_active(int fd, uint32_t crtc, int active)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	int ret;

	drmModeAtomicAddProperty(req, crtc,
				 util_prop_id(fd, crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE"),
				 active);
	ret = drmModeAtomicCommit(fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	drmModeAtomicFree(req);
	return ret;
}

/*
 * Turning the CRTC off while flips and vblank waits are in flight: the
 * vblank core switches the simulated interrupt off with its locks held,
 * while the timer may be running on the other CPU.  So vblank is switched
 * on from one CPU (the timer is armed there) and off from the other, many
 * times: the failure this guards against was a hard lockup of the VM.
 */
static int test_dpms_off_during_flips(struct ctx *c)
{
	drmEventContext ev = { .version = 3, .page_flip_handler2 = flip_handler };
	static struct flip_stats s;
	drmModeModeInfo fast = c->mode;
	struct wfd_dumb b[2];
	int cycles = 0, flips = 0;
	double t0;

	/* The fastest refresh the CRTC takes widens the race window. */
	fast.clock *= 4;
	fast.vrefresh *= 4;
	s.events = 0;
	CHECK(util_dumb_create(c->fd, 640, 480, DRM_FORMAT_XRGB8888, &b[0]) == 0);
	CHECK(util_dumb_create(c->fd, 640, 480, DRM_FORMAT_XRGB8888, &b[1]) == 0);
	CHECK(util_modeset(c->fd, c->crtc, c->conn, c->plane, &fast, b[0].fb_id, 0) == 0);
	flip_data = &s;
	t0 = util_now();
	while (util_now() - t0 < 8.0) {
		drmVBlank vbl = { .request = { .type = DRM_VBLANK_RELATIVE, .sequence = 1 } };
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		int before = s.events;

		CHECK(commit_plane(c->fd, c->plane, b[++flips & 1].fb_id,
				   DRM_MODE_PAGE_FLIP_EVENT | DRM_MODE_ATOMIC_NONBLOCK,
				   640, 480, c->crtc, 0) == 0);
		/* Off with the flip pending: the commit waits for it. */
		run_on(1);
		CHECK(set_active(c->fd, c->crtc, 0) == 0);
		CHECK(poll(&pfd, 1, 1000) == 1);
		CHECK(drmHandleEvent(c->fd, &ev) == 0);
		CHECK(s.events == before + 1);
		/* A vblank wait on a CRTC that is off fails at once. */
		CHECK_ERRNO(drmWaitVBlank(c->fd, &vbl), EINVAL);
		run_on(0);
		CHECK(set_active(c->fd, c->crtc, 1) == 0);
		vbl.request.type = DRM_VBLANK_RELATIVE;
		vbl.request.sequence = 1;
		CHECK(drmWaitVBlank(c->fd, &vbl) == 0);
		cycles++;
	}
	run_on(-1);
	ktap_diag("%d off/on cycles with a flip in flight", cycles);
	CHECK(cycles >= 3);
	CHECK(util_disable(c->fd, c->crtc, c->conn, c->plane) == 0);
	util_dumb_destroy(c->fd, &b[0]);
	util_dumb_destroy(c->fd, &b[1]);
	return 0;
}

/* CRC helpers over debugfs, as IGT's igt_pipe_crc. */
static int crc_open(struct ctx *c)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%d/crtc-0/crc/control",
		 util_minor(c->fd));
	if (util_write_file(path, "auto"))
		return -1;
	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%d/crtc-0/crc/data",
		 util_minor(c->fd));
	return open(path, O_RDONLY | O_CLOEXEC);
}

static unsigned int vblank_now(int fd)
{
	drmVBlank vbl = { .request = { .type = DRM_VBLANK_RELATIVE, .sequence = 0 } };

	if (drmWaitVBlank(fd, &vbl))
		return 0;
	return vbl.reply.sequence;
}

/* The CRC of the first frame after @frame. */
static int crc_after(int crc_fd, unsigned int frame, uint32_t *crc)
{
	char line[64];

	for (int i = 0; i < 1000; i++) {
		unsigned int f, v;
		ssize_t n = read(crc_fd, line, sizeof(line) - 1);

		if (n <= 0)
			return -1;
		line[n] = 0;
		if (sscanf(line, "%x %x", &f, &v) != 2)
			return -1;
		if (f > frame) {
			*crc = v;
			return 0;
		}
	}
	return -1;
}

static int test_crc(struct ctx *c)
{
	struct wfd_dumb a, b, a2;
	uint32_t ca1, ca2, cb, ca3, cargb;
	int crc_fd;

	CHECK(util_dumb_create(c->fd, 640, 480, DRM_FORMAT_XRGB8888, &a) == 0);
	CHECK(util_dumb_create(c->fd, 640, 480, DRM_FORMAT_XRGB8888, &b) == 0);
	CHECK(util_dumb_create(c->fd, 640, 480, DRM_FORMAT_ARGB8888, &a2) == 0);
	util_dumb_fill(&a, 0x00ff8000);
	util_dumb_fill(&b, 0x000080ff);
	/* The same colours with another alpha: alpha is not displayed. */
	util_dumb_fill(&a2, 0x80ff8000);
	CHECK(util_modeset(c->fd, c->crtc, c->conn, c->plane, &c->mode, a.fb_id, 0) == 0);
	crc_fd = crc_open(c);
	CHECK(crc_fd >= 0);

	CHECK(crc_after(crc_fd, vblank_now(c->fd), &ca1) == 0);
	CHECK(crc_after(crc_fd, vblank_now(c->fd) + 1, &ca2) == 0);
	CHECK(ca1 == ca2);
	CHECK(commit_plane(c->fd, c->plane, b.fb_id, 0, 640, 480, c->crtc, 0) == 0);
	CHECK(crc_after(crc_fd, vblank_now(c->fd), &cb) == 0);
	CHECK(cb != ca1);
	CHECK(commit_plane(c->fd, c->plane, a2.fb_id, 0, 640, 480, c->crtc, 0) == 0);
	CHECK(crc_after(crc_fd, vblank_now(c->fd), &cargb) == 0);
	CHECK(commit_plane(c->fd, c->plane, a.fb_id, 0, 640, 480, c->crtc, 0) == 0);
	CHECK(crc_after(crc_fd, vblank_now(c->fd), &ca3) == 0);
	ktap_diag("crc: A %08x B %08x A(argb) %08x A again %08x", ca1, cb, cargb, ca3);
	CHECK(ca3 == ca1);
	CHECK(cargb == ca1);
	/* A one-pixel change changes the CRC. */
	a.map[640 * 240 + 320] ^= 1;
	CHECK(crc_after(crc_fd, vblank_now(c->fd) + 1, &ca3) == 0);
	CHECK(ca3 != ca1);
	close(crc_fd);

	CHECK(util_disable(c->fd, c->crtc, c->conn, c->plane) == 0);
	util_dumb_destroy(c->fd, &a);
	util_dumb_destroy(c->fd, &b);
	util_dumb_destroy(c->fd, &a2);
	return 0;
}

static int test_prime_self(struct ctx *c)
{
	struct wfd_dumb b;
	uint32_t h2;
	uint32_t *map;
	int dfd, fd2;

	CHECK(util_dumb_create(c->fd, 128, 128, 0, &b) == 0);
	util_dumb_fill(&b, 0x12345678);
	CHECK(drmPrimeHandleToFD(c->fd, b.handle, DRM_CLOEXEC | DRM_RDWR, &dfd) == 0);
	/* Importing into the exporting file gives the same handle back. */
	CHECK(drmPrimeFDToHandle(c->fd, dfd, &h2) == 0);
	CHECK(h2 == b.handle);
	/* The dma-buf maps the same pages. */
	map = mmap(NULL, b.size, PROT_READ, MAP_SHARED, dfd, 0);
	CHECK(map != MAP_FAILED);
	CHECK(map[0] == 0x12345678 && map[b.pitch / 4 * 127 + 127] == 0x12345678);
	munmap(map, b.size);
	/* Another file of the same device imports it too. */
	fd2 = util_open_driver("wfd", false);
	CHECK(fd2 >= 0);
	CHECK(drmPrimeFDToHandle(fd2, dfd, &h2) == 0);
	CHECK(h2 != 0);
	close(fd2);
	close(dfd);
	CHECK_ERRNO(drmPrimeHandleToFD(c->fd, 0xdead, DRM_CLOEXEC, &dfd), ENOENT);
	util_dumb_destroy(c->fd, &b);
	return 0;
}

/* A vgem buffer becomes a wfd framebuffer, is scanned out, and its CRC
 * equals the CRC of the same picture in a wfd dumb buffer. */
static int test_prime_vgem(struct ctx *c)
{
	int vfd = util_open_driver("vgem", false);
	struct drm_mode_create_dumb cd = { .width = 640, .height = 480, .bpp = 32 };
	struct drm_mode_map_dumb md = { 0 };
	struct wfd_dumb own;
	uint32_t handle, fb, crc_own, crc_vgem;
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint32_t *map;
	int dfd, crc_fd;

	if (vfd < 0) {
		ktap_diag("vgem not loaded");
		return 2;
	}
	CHECK(drmIoctl(vfd, DRM_IOCTL_MODE_CREATE_DUMB, &cd) == 0);
	md.handle = cd.handle;
	CHECK(drmIoctl(vfd, DRM_IOCTL_MODE_MAP_DUMB, &md) == 0);
	map = mmap(NULL, cd.size, PROT_READ | PROT_WRITE, MAP_SHARED, vfd, md.offset);
	CHECK(map != MAP_FAILED);
	for (uint32_t y = 0; y < 480; y++)
		for (uint32_t x = 0; x < 640; x++)
			map[y * cd.pitch / 4 + x] = (x * 0x010203u) ^ (y << 8);
	CHECK(drmPrimeHandleToFD(vfd, cd.handle, DRM_CLOEXEC, &dfd) == 0);
	CHECK(drmPrimeFDToHandle(c->fd, dfd, &handle) == 0);
	handles[0] = handle;
	pitches[0] = cd.pitch;
	CHECK(drmModeAddFB2(c->fd, 640, 480, DRM_FORMAT_XRGB8888, handles, pitches,
			    offsets, &fb, 0) == 0);

	CHECK(util_dumb_create(c->fd, 640, 480, DRM_FORMAT_XRGB8888, &own) == 0);
	CHECK(own.pitch == cd.pitch);
	for (uint32_t y = 0; y < 480; y++)
		for (uint32_t x = 0; x < 640; x++)
			own.map[y * own.pitch / 4 + x] = (x * 0x010203u) ^ (y << 8);

	CHECK(util_modeset(c->fd, c->crtc, c->conn, c->plane, &c->mode, own.fb_id, 0) == 0);
	crc_fd = crc_open(c);
	CHECK(crc_fd >= 0);
	CHECK(crc_after(crc_fd, vblank_now(c->fd), &crc_own) == 0);
	CHECK(commit_plane(c->fd, c->plane, fb, 0, 640, 480, c->crtc, 0) == 0);
	CHECK(crc_after(crc_fd, vblank_now(c->fd), &crc_vgem) == 0);
	ktap_diag("crc: wfd dumb %08x, vgem import %08x", crc_own, crc_vgem);
	CHECK(crc_own == crc_vgem);
	close(crc_fd);

	CHECK(util_disable(c->fd, c->crtc, c->conn, c->plane) == 0);
	drmModeRmFB(c->fd, fb);
	drmCloseBufferHandle(c->fd, handle);
	util_dumb_destroy(c->fd, &own);
	close(dfd);
	munmap(map, cd.size);
	close(vfd);
	return 0;
}

/*
 * Every object made by the tests is gone once their files are closed.  A
 * commit still in flight at the close holds its buffers until it retires,
 * which under emulation can take a while: wait for the counts, generously.
 */
static int test_no_leaks(struct ctx *c)
{
	long gem = -1, fbs = -1;
	double t0;
	int fd;

	CHECK(util_force_connector(c->fd, c->conn, "detect") == 0);
	close(c->fd);
	t0 = util_now();
	fd = util_open_driver("wfd", false);
	c->fd = fd;
	CHECK(fd >= 0);
	while (util_now() - t0 < 5.0) {
		gem = util_wfd_state(fd, "gem_objects");
		fbs = util_wfd_state(fd, "framebuffers");
		if (!gem && !fbs)
			break;
		usleep(20000);
	}
	ktap_diag("after close: gem_objects %ld, framebuffers %ld after %.0f ms",
		  gem, fbs, (util_now() - t0) * 1e3);
	CHECK(gem == 0 && fbs == 0);
	return 0;
}

int main(void)
{
	static const struct {
		const char *name;
		int (*fn)(struct ctx *c);
	} tests[] = {
		{ "get_info", test_get_info },
		{ "enumerate_disconnected", test_enumerate },
		{ "force_on_modes", test_force_on },
		{ "dumb_buffers", test_dumb },
		{ "addfb_validation", test_addfb },
		{ "atomic_check_rules", test_atomic_rules },
		{ "crtc_on_needs_primary", test_crtc_needs_primary },
		{ "flip_event_pacing", test_flip_pacing },
		{ "dpms_off_during_flips", test_dpms_off_during_flips },
		{ "crc", test_crc },
		{ "prime_export_import", test_prime_self },
		{ "prime_vgem_scanout", test_prime_vgem },
		{ "no_leaks", test_no_leaks },
	};
	struct ktap k;
	struct ctx c = { 0 };
	size_t i;

	ktap_header(&k, (int)(sizeof(tests) / sizeof(tests[0])));
	c.fd = util_open_driver("wfd", false);
	if (c.fd < 0) {
		ktap_diag("no wfd device");
		for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
			ktap_result(&k, tests[i].name, 1);
		return ktap_finish(&k);
	}
	drmSetClientCap(c.fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	drmSetClientCap(c.fd, DRM_CLIENT_CAP_ATOMIC, 1);
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		int r;

		if (i == 2) {
			c.crtc = c.info.outputs[0].crtc_id;
			c.conn = c.info.outputs[0].connector_id;
			c.plane = util_primary_plane(c.fd, c.crtc);
		}
		r = tests[i].fn(&c);
		ktap_result(&k, tests[i].name, r);
	}
	close(c.fd);
	return ktap_finish(&k);
}
