// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hold against a compositor that reuses its back buffer as soon as
 * the flip event says it may, made deterministic with the kernel's fault
 * injection: the fault point wfd_commit_delay makes a commit sleep 100 ms
 * between publishing its frame and arming its completion, and the daemon
 * acquires inside that window.  Whatever buffer it gets, the compositor
 * must not draw into it while it is held.
 *
 * The window needs CONFIG_FAULT_INJECTION_DEBUG_FS (the debug kernel of
 * make check-debug); that test skips elsewhere.  KTAP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "ktap.h"
#include "libwfd.h"
#include "wfd_util.h"

#define COLOR_A		0x00ff0000u
#define COLOR_B		0x0000ff00u
#define POISON		0x00abcdefu

struct ctx {
	int comp, card, claim;
	uint64_t sid;
	uint32_t crtc, conn, plane;
	struct wfd_dumb a, b;
	char fault[128];
	/* Set by the daemon thread. */
	uint64_t got_buffer;
	uint32_t seen;		/* first pixel not of the buffer's colour */
	double t_acquired, t_released;
	int ret;
	/* The buffer ids of A and B, once seen. */
	uint64_t id_a, id_b;
	/* The daemon's buffers, by id. */
	struct { uint64_t id; uint32_t *map; size_t size; } bufs[8];
};

static const struct wfd_mode sink_mode = { 640, 480, 60 };

static int fault_arm(struct ctx *c, int times)
{
	char path[192], val[16];

	snprintf(val, sizeof(val), "%d", times);
	snprintf(path, sizeof(path), "%s/probability", c->fault);
	if (util_write_file(path, "100"))
		return -1;
	snprintf(path, sizeof(path), "%s/interval", c->fault);
	util_write_file(path, "1");
	/* No stack dump per injected fault: the rig fails on call traces. */
	snprintf(path, sizeof(path), "%s/verbose", c->fault);
	util_write_file(path, "0");
	snprintf(path, sizeof(path), "%s/times", c->fault);
	return util_write_file(path, val);
}

static uint32_t *buffer_map(struct ctx *c, const struct drm_wfd_frame_acquire *f)
{
	size_t i;

	for (i = 0; i < 8 && c->bufs[i].id; i++)
		if (c->bufs[i].id == f->buffer_id)
			return c->bufs[i].map;
	if (i == 8 || f->dmabuf_fd < 0)
		return NULL;
	c->bufs[i].size = (size_t)lseek(f->dmabuf_fd, 0, SEEK_END);
	c->bufs[i].map = mmap(NULL, c->bufs[i].size, PROT_READ, MAP_SHARED,
			      f->dmabuf_fd, 0);
	close(f->dmabuf_fd);
	if (c->bufs[i].map == MAP_FAILED)
		return NULL;
	c->bufs[i].id = f->buffer_id;
	return c->bufs[i].map;
}

/* Acquire after @delay_ms, watch the held picture for @hold_ms, release. */
static int daemon_hold(struct ctx *c, int delay_ms, int hold_ms)
{
	struct drm_wfd_frame_acquire f;
	uint32_t *map;
	double t0;
	int ret;

	usleep((useconds_t)delay_ms * 1000);
	ret = util_wfd_acquire(c->claim, c->sid, &f);
	if (ret)
		return ret;
	c->t_acquired = util_now();
	c->got_buffer = f.buffer_id;
	map = buffer_map(c, &f);
	if (!map)
		return -EIO;
	t0 = util_now();
	/* Only the compositor's reuse of a released buffer writes POISON. */
	while (!c->seen && util_now() - t0 < hold_ms / 1000.0) {
		for (size_t i = 0; i < (size_t)f.pitches[0] / 4 * f.height; i += 97)
			if (map[i] == POISON) {
				c->seen = 1;
				break;
			}
	}
	c->t_released = util_now();
	ret = util_wfd_release(c->claim, c->sid, f.sequence);
	return ret;
}

struct daemon_args {
	struct ctx *c;
	int delay_ms, hold_ms;
};

static void *daemon_thread(void *p)
{
	struct daemon_args *d = p;

	d->c->ret = daemon_hold(d->c, d->delay_ms, d->hold_ms);
	return NULL;
}

static double flip_event_time;

static void on_flip(int fd, unsigned int seq, unsigned int sec, unsigned int usec,
		    void *data)
{
	(void)fd; (void)seq; (void)sec; (void)usec; (void)data;
	flip_event_time = util_now();
}

/* Wait for the flip event, then draw into @back at once. */
static int flip_and_reuse(struct ctx *c, struct wfd_dumb *front, struct wfd_dumb *back)
{
	drmEventContext ev = { .version = 2, .page_flip_handler = on_flip };
	struct pollfd p = { .fd = c->comp, .events = POLLIN };

	flip_event_time = 0;
	CHECK(drmModePageFlip(c->comp, c->crtc, front->fb_id, DRM_MODE_PAGE_FLIP_EVENT, NULL) == 0);
	while (!flip_event_time) {
		CHECK(poll(&p, 1, 3000) == 1);
		drmHandleEvent(c->comp, &ev);
	}
	util_dumb_fill(back, POISON);
	return 0;
}

/* Flip to @fb and wait for the flip to complete. */
static int flip_sync(struct ctx *c, struct wfd_dumb *fb)
{
	drmEventContext ev = { .version = 2, .page_flip_handler = on_flip };
	struct pollfd p = { .fd = c->comp, .events = POLLIN };
	double t0 = util_now();

	flip_event_time = 0;
	while (drmModePageFlip(c->comp, c->crtc, fb->fb_id, DRM_MODE_PAGE_FLIP_EVENT, NULL)) {
		CHECK(errno == EBUSY && util_now() - t0 < 3);
		usleep(5000);
	}
	while (!flip_event_time) {
		CHECK(poll(&p, 1, 3000) == 1);
		drmHandleEvent(c->comp, &ev);
	}
	return 0;
}

/* A fresh frame on @fb, acquired and released: its fd is cached. */
static int fresh_frame(struct ctx *c, struct wfd_dumb *fb, uint32_t color)
{
	struct drm_wfd_frame_acquire f;

	util_dumb_fill(fb, color);
	CHECK(flip_sync(c, fb) == 0);
	CHECK(util_wfd_acquire(c->claim, c->sid, &f) == 0);
	CHECK(buffer_map(c, &f) != NULL);
	CHECK(util_wfd_release(c->claim, c->sid, f.sequence) == 0);
	if (fb == &c->a)
		c->id_a = f.buffer_id;
	else
		c->id_b = f.buffer_id;
	return 0;
}

/*
 * ACQUIRE inside the window between the flip to B's publish and its
 * completion: the daemon must get B, or hold A so that the flip event
 * waits; A, which the compositor poisons on the event, is never read.
 */
static int test_acquire_in_window(struct ctx *c)
{
	struct daemon_args d = { .c = c, .delay_ms = 30, .hold_ms = 250 };
	pthread_t th;

	CHECK(fresh_frame(c, &c->b, COLOR_B) == 0);
	CHECK(fresh_frame(c, &c->a, COLOR_A) == 0);
	/* A frame on A that is new: the acquire has something to take. */
	CHECK(flip_sync(c, &c->a) == 0);

	c->seen = 0;
	CHECK(fault_arm(c, 1) == 0);
	pthread_create(&th, NULL, daemon_thread, &d);
	CHECK(flip_and_reuse(c, &c->b, &c->a) == 0);
	pthread_join(th, NULL);
	ktap_diag("acquired buffer %s, flip event %.0f ms after acquire",
		  c->got_buffer == c->id_a ? "A (held)" : c->got_buffer == c->id_b ? "B" : "?",
		  (flip_event_time - c->t_acquired) * 1000);
	CHECK(c->ret == 0 || c->ret == -ETIMEDOUT);
	CHECK(c->seen == 0);
	/* Published before the delay: the frame in the window is B's. */
	CHECK(c->got_buffer == c->id_b);
	return 0;
}

/*
 * ACQUIRE before the flip: the held buffer's flip event comes only after
 * the release, so the compositor draws into it only after that.
 */
static int test_event_after_release(struct ctx *c)
{
	struct daemon_args d = { .c = c, .delay_ms = 0, .hold_ms = 120 };
	pthread_t th;

	CHECK(fresh_frame(c, &c->b, COLOR_B) == 0);
	CHECK(fresh_frame(c, &c->a, COLOR_A) == 0);
	/* One more frame on A (damage) for the daemon to hold. */
	CHECK(flip_sync(c, &c->a) == 0);
	c->seen = 0;
	pthread_create(&th, NULL, daemon_thread, &d);
	usleep(20000);
	CHECK(flip_and_reuse(c, &c->b, &c->a) == 0);
	pthread_join(th, NULL);
	ktap_diag("flip event %.1f ms after the release", (flip_event_time - c->t_released) * 1000);
	CHECK(c->ret == 0);
	CHECK(c->seen == 0);
	CHECK(flip_event_time >= c->t_released);
	return 0;
}

static int setup(struct ctx *c)
{
	uint8_t edid[256];
	drmModeConnectorPtr conn;
	drmModeModeInfo mode;
	struct drm_wfd_get_info info;
	int n, i, found = 0;

	c->comp = util_open_driver("wfd", false);
	c->card = util_open_driver("wfd", false);
	CHECK(c->comp >= 0 && c->card >= 0 && drmIsMaster(c->comp));
	CHECK(util_wfd_get_info(c->comp, &info) == 0);
	c->crtc = info.outputs[0].crtc_id;
	c->conn = info.outputs[0].connector_id;
	drmSetClientCap(c->comp, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	drmSetClientCap(c->comp, DRM_CLIENT_CAP_ATOMIC, 1);
	c->plane = util_primary_plane(c->comp, c->crtc);
	c->claim = util_wfd_claim(c->card, 1, NULL);
	CHECK(c->claim >= 0);
	n = wfd_edid_synthesize(&sink_mode, 1, "race sink", edid, sizeof(edid));
	CHECK(n > 0);
	CHECK(util_wfd_connect(c->claim, edid, (size_t)n, 0, 0, 0, &c->sid) == 0);
	conn = drmModeGetConnector(c->comp, c->conn);
	CHECK(conn);
	for (i = 0; i < conn->count_modes && !found; i++)
		if (conn->modes[i].hdisplay == 640 && conn->modes[i].vdisplay == 480) {
			mode = conn->modes[i];
			found = 1;
		}
	drmModeFreeConnector(conn);
	CHECK(found);
	CHECK(util_dumb_create(c->comp, 640, 480, DRM_FORMAT_XRGB8888, &c->a) == 0);
	CHECK(util_dumb_create(c->comp, 640, 480, DRM_FORMAT_XRGB8888, &c->b) == 0);
	util_dumb_fill(&c->a, COLOR_A);
	CHECK(util_modeset(c->comp, c->crtc, c->conn, c->plane, &mode, c->a.fb_id, 0) == 0);
	return 0;
}

int main(void)
{
	static const struct {
		const char *name;
		int (*fn)(struct ctx *c);
		bool fault;
	} tests[] = {
		{ "acquire_in_commit_window", test_acquire_in_window, true },
		{ "held_buffer_event_after_release", test_event_after_release, false },
	};
	size_t n = sizeof(tests) / sizeof(tests[0]), i;
	static struct ctx c;
	struct ktap k;
	int minor;

	ktap_header(&k, (int)n);
	c.comp = util_open_driver("wfd", false);
	minor = c.comp >= 0 ? util_minor(c.comp) : -1;
	close(c.comp);
	snprintf(c.fault, sizeof(c.fault), "/sys/kernel/debug/dri/%d/wfd_commit_delay", minor);
	if (setup(&c)) {
		for (i = 0; i < n; i++)
			ktap_result(&k, tests[i].name, 1);
		return ktap_finish(&k);
	}
	for (i = 0; i < n; i++) {
		if (tests[i].fault && access(c.fault, F_OK)) {
			ktap_diag("no fault injection (CONFIG_FAULT_INJECTION_DEBUG_FS)");
			ktap_result(&k, tests[i].name, 2);
			continue;
		}
		ktap_result(&k, tests[i].name, tests[i].fn(&c));
	}
	util_disable(c.comp, c.crtc, c.conn, c.plane);
	close(c.claim);
	return ktap_finish(&k);
}
