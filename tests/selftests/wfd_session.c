// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM tests of wfd sessions (the session UAPI), through libwfd.  KTAP.
 * Needs root and a freshly loaded wfd with one output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "ktap.h"
#include "libwfd.h"
#include "wfd_util.h"

static const struct wfd_mode sink_modes[] = {
	{ 1280, 720, 60 }, { 640, 480, 60 }, { 1920, 1080, 30 },
};
#define SINK_NAME "WFD-TEST"

/* The sink's EDID, for sessions started from helper processes too. */
static uint8_t g_edid[256];

struct ctx {
	int comp;	/* the "compositor": master, does the modesets */
	int daemon;	/* the session owner */
	uint32_t crtc, conn, plane;
	uint8_t edid[256];
	int edid_size;
	int uevent;
};

static int uevent_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	return fd;
}

static void uevent_drain(int fd)
{
	char buf[4096];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* Wait up to @ms for a DRM hotplug uevent; returns the wait in ms or -1. */
static double uevent_wait_hotplug(int fd, int ms)
{
	double t0 = util_now();

	while ((util_now() - t0) * 1000 < ms) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char buf[4096];
		ssize_t n;

		if (poll(&p, 1, 100) != 1)
			continue;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = 0;
		int drm = 0, hotplug = 0;

		for (char *s = buf; s < buf + n; s += strlen(s) + 1) {
			drm |= !strcmp(s, "SUBSYSTEM=drm");
			hotplug |= !strcmp(s, "HOTPLUG=1");
		}
		if (drm && hotplug)
			return (util_now() - t0) * 1000;
	}
	return -1;
}

static int conn_status(struct ctx *c)
{
	drmModeConnectorPtr conn = drmModeGetConnector(c->comp, c->conn);
	int st = conn ? (int)conn->connection : -1;

	drmModeFreeConnector(conn);
	return st;
}

static int session_start(struct ctx *c, uint32_t *id)
{
	int ret = wfd_claim(c->daemon, 1, id, NULL);

	if (ret)
		return ret;
	return wfd_connect(c->daemon, *id, g_edid, (size_t)c->edid_size, 0, 0, 0);
}

static int test_connect(struct ctx *c)
{
	drmModeConnectorPtr conn;
	drmModePropertyBlobPtr blob;
	uint32_t id, out, edid_prop;
	double ms;
	int i;

	uevent_drain(c->uevent);
	CHECK(wfd_claim(c->daemon, 0, &id, &out) == 0);
	CHECK(id != 0 && out == 1);
	CHECK(conn_status(c) == DRM_MODE_DISCONNECTED);
	CHECK(wfd_connect(c->daemon, id, c->edid, (size_t)c->edid_size, 0, 0, 0) == 0);
	ms = uevent_wait_hotplug(c->uevent, 5000);
	ktap_diag("connect: hotplug uevent after %.1f ms", ms);
	CHECK(ms >= 0);

	conn = drmModeGetConnector(c->comp, c->conn);
	CHECK(conn && conn->connection == DRM_MODE_CONNECTED);
	CHECK(conn->count_modes == 3);
	for (i = 0; i < 3; i++) {
		int found = 0;

		for (int j = 0; j < conn->count_modes; j++)
			found |= conn->modes[j].hdisplay == sink_modes[i].width &&
				 conn->modes[j].vdisplay == sink_modes[i].height &&
				 conn->modes[j].vrefresh == sink_modes[i].refresh_hz;
		CHECK(found);
	}
	CHECK(conn->modes[0].type & DRM_MODE_TYPE_PREFERRED);
	CHECK(conn->modes[0].hdisplay == 1280);
	drmModeFreeConnector(conn);

	/* The sink's name reaches user space in the EDID property. */
	edid_prop = util_prop_id(c->comp, c->conn, DRM_MODE_OBJECT_CONNECTOR, "EDID");
	if (!edid_prop) {
		drmModeObjectPropertiesPtr props =
			drmModeObjectGetProperties(c->comp, c->conn, DRM_MODE_OBJECT_CONNECTOR);

		for (uint32_t k = 0; props && k < props->count_props; k++) {
			drmModePropertyPtr p = drmModeGetProperty(c->comp, props->props[k]);

			ktap_diag("prop %u %s", props->props[k], p ? p->name : "?");
			drmModeFreeProperty(p);
		}
		drmModeFreeObjectProperties(props);
	}
	CHECK(edid_prop);
	{
		drmModeObjectPropertiesPtr props =
			drmModeObjectGetProperties(c->comp, c->conn, DRM_MODE_OBJECT_CONNECTOR);
		uint64_t blob_id = 0;

		for (uint32_t k = 0; props && k < props->count_props; k++)
			if (props->props[k] == edid_prop)
				blob_id = props->prop_values[k];
		drmModeFreeObjectProperties(props);
		blob = drmModeGetPropertyBlob(c->comp, (uint32_t)blob_id);
	}
	CHECK(blob && blob->length == (uint32_t)c->edid_size);
	CHECK(memmem(blob->data, blob->length, SINK_NAME, strlen(SINK_NAME)));
	drmModeFreePropertyBlob(blob);

	CHECK(util_wfd_state(c->comp, "output1.session") == id);
	CHECK(wfd_disconnect(c->daemon, id) == 0);
	CHECK(conn_status(c) == DRM_MODE_DISCONNECTED);
	/* The id is stale now. */
	CHECK(wfd_disconnect(c->daemon, id) == -ENOENT);
	return 0;
}

static int test_bad_edid(struct ctx *c)
{
	uint8_t bad[256];
	struct wfd_mode huge = { 3000, 2000, 30 };
	uint32_t id;
	int n;

	CHECK(wfd_claim(c->daemon, 1, &id, NULL) == 0);
	CHECK(wfd_connect(c->daemon, id, c->edid, 64, 0, 0, 0) == -EINVAL);
	memcpy(bad, c->edid, 128);
	bad[60] ^= 0x10;
	CHECK(wfd_connect(c->daemon, id, bad, 128, 0, 0, 0) == -EINVAL);
	memcpy(bad, c->edid, 128);
	bad[0] = 0x42;
	CHECK(wfd_connect(c->daemon, id, bad, 128, 0, 0, 0) == -EINVAL);
	/* Size not matching the extension count. */
	memcpy(bad, c->edid, 128);
	memcpy(bad + 128, c->edid, 128);
	CHECK(wfd_connect(c->daemon, id, bad, 256, 0, 0, 0) == -EINVAL);
	CHECK(wfd_connect(c->daemon, id, c->edid, 40000, 0, 0, 0) == -EINVAL);
	CHECK(wfd_connect(c->daemon, id, NULL, 128, 0, 0, 0) == -EFAULT);
	/* No mode the pipeline can carry. */
	n = wfd_edid_synthesize(&huge, 1, "HUGE", bad, sizeof(bad));
	CHECK(n == 128);
	CHECK(wfd_connect(c->daemon, id, bad, 128, 1920, 1080, 0) == -EINVAL);
	CHECK(conn_status(c) == DRM_MODE_DISCONNECTED);
	/* Nothing changed: a good EDID still connects. */
	CHECK(wfd_connect(c->daemon, id, c->edid, (size_t)c->edid_size, 0, 0, 0) == 0);
	CHECK(conn_status(c) == DRM_MODE_CONNECTED);
	CHECK(wfd_connect(c->daemon, id, c->edid, (size_t)c->edid_size, 0, 0, 0) == -EBUSY);
	CHECK(wfd_disconnect(c->daemon, id) == 0);
	return 0;
}

static int test_claim_rules(struct ctx *c)
{
	struct drm_wfd_claim bad = { .output = 1, .flags = 1 };
	uint32_t id, id2;

	CHECK(wfd_claim(c->daemon, 1, &id, NULL) == 0);
	CHECK(wfd_claim(c->daemon, 1, &id2, NULL) == -EBUSY);
	CHECK(wfd_claim(c->daemon, 0, &id2, NULL) == -EBUSY);
	CHECK(wfd_claim(c->daemon, 9, &id2, NULL) == -EINVAL);
	CHECK_ERRNO(drmIoctl(c->daemon, DRM_IOCTL_WFD_CLAIM, &bad), EINVAL);
	/* The compositor's (master) file cannot claim. */
	CHECK(wfd_disconnect(c->daemon, id) == 0);
	CHECK(wfd_claim(c->comp, 1, &id2, NULL) == -EBUSY);
	/* Another file's session is not ours. */
	CHECK(wfd_claim(c->daemon, 1, &id, NULL) == 0);
	CHECK(wfd_report_status(c->comp, id, WFD_STATUS_CRITICAL_ERROR, 0) == -EPERM);
	CHECK(wfd_disconnect(c->daemon, id) == 0);
	return 0;
}

static int test_unprivileged(struct ctx *c)
{
	pid_t pid = fork();
	int status;

	CHECK(pid >= 0);
	if (pid == 0) {
		struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct data[2];
		struct drm_wfd_get_info info;
		uint32_t id;

		if (syscall(SYS_capget, &hdr, data))
			_exit(2);
		data[0].effective &= ~(1u << CAP_SYS_ADMIN);
		if (syscall(SYS_capset, &hdr, data))
			_exit(3);
		if (wfd_claim(c->daemon, 1, &id, NULL) != -EACCES)
			_exit(4);
		if (wfd_report_status(c->daemon, 1, 0, 0) != -EACCES)
			_exit(5);
		/* GET_INFO stays open to every client. */
		if (wfd_get_info(c->daemon, &info))
			_exit(6);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		ktap_diag("child status %d", WEXITSTATUS(status));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
}

/*
 * Hand each event read from @fd to @visit, in order, until it returns
 * true, for up to @ms.  The rest of that read is dropped.  0 when @visit
 * was satisfied, else -ETIMEDOUT.
 */
static int read_events(int fd, int ms, bool (*visit)(const struct drm_event *e, void *arg),
		       void *arg)
{
	double t0 = util_now();
	uint64_t buf[512];

	while ((util_now() - t0) * 1000 < ms) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n, off = 0;

		if (poll(&p, 1, 50) != 1)
			continue;
		n = read(fd, buf, sizeof(buf));
		while (n > 0 && off < n) {
			const struct drm_event *e = (const void *)((char *)buf + off);

			if (visit(e, arg))
				return 0;
			off += e->length;
		}
	}
	return -ETIMEDOUT;
}

struct event_match {
	bool (*match)(const struct drm_event *e, const void *arg);
	const void *arg;
	void *out;
	size_t len;
};

static bool copy_if_match(const struct drm_event *e, void *arg)
{
	struct event_match *m = arg;

	if (!m->match(e, m->arg))
		return false;
	memcpy(m->out, e, m->len < e->length ? m->len : e->length);
	return true;
}

/*
 * Read events until one that @match takes (copied to @out), for @ms.
 * Events read before it are dropped.  0 or -ETIMEDOUT.
 */
static int wait_event_match(int fd, bool (*match)(const struct drm_event *e, const void *arg),
			    const void *arg, int ms, void *out, size_t len)
{
	struct event_match m = { .match = match, .arg = arg, .out = out, .len = len };

	return read_events(fd, ms, copy_if_match, &m);
}

static bool match_type(const struct drm_event *e, const void *arg)
{
	return e->type == *(const uint32_t *)arg;
}

static int wait_event(int fd, uint32_t type, int ms, void *out, size_t len)
{
	return wait_event_match(fd, match_type, &type, ms, out, len);
}

/* Light the connected output up with its preferred mode on @fb. */
static int light_up(struct ctx *c, uint32_t fb)
{
	drmModeConnectorPtr conn = drmModeGetConnector(c->comp, c->conn);
	int ret;

	if (!conn || !conn->count_modes)
		return -1;
	ret = util_modeset(c->comp, c->crtc, c->conn, c->plane, &conn->modes[0], fb, 0);
	drmModeFreeConnector(conn);
	return ret;
}

static int flip(struct ctx *c, uint32_t fb, uint32_t flags)
{
	return drmModePageFlip(c->comp, c->crtc, fb, flags, NULL);
}

/* Commit @fb again with one damage rectangle; 0 or -errno. */
static int commit_damage(struct ctx *c, uint32_t fb, struct drm_mode_rect r)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	uint32_t blob = 0;
	int ret;

	ret = drmModeCreatePropertyBlob(c->comp, &r, sizeof(r), &blob);
	if (ret)
		goto out;
	drmModeAtomicAddProperty(req, c->plane, util_prop_id(c->comp, c->plane,
				 DRM_MODE_OBJECT_PLANE, "FB_ID"), fb);
	drmModeAtomicAddProperty(req, c->plane, util_prop_id(c->comp, c->plane,
				 DRM_MODE_OBJECT_PLANE, "FB_DAMAGE_CLIPS"), blob);
	ret = drmModeAtomicCommit(c->comp, req, 0, NULL);
	drmModeDestroyPropertyBlob(c->comp, blob);
out:
	drmModeAtomicFree(req);
	return ret;
}

/*
 * Damage reaches the daemon as given, and a commit whose damage lies
 * outside the visible area is no frame at all: an idle desktop that
 * commits costs the daemon no encode and the link no bandwidth.
 */
static int check_damage(struct ctx *c, uint32_t id, uint32_t fb)
{
	struct drm_mode_rect part = { 16, 16, 80, 48 }, outside = { 3000, 0, 3100, 10 };
	struct drm_wfd_event_frame ev;
	struct drm_wfd_frame_acquire f;

	CHECK(commit_damage(c, fb, part) == 0);
	CHECK(wait_event(c->daemon, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(ev.damage.x1 == 16 && ev.damage.y1 == 16);
	CHECK(ev.damage.x2 == 80 && ev.damage.y2 == 48);
	CHECK(wfd_frame_acquire(c->daemon, id, &f) == 0);
	CHECK(f.damage.x1 == 16 && f.damage.x2 == 80);
	CHECK(wfd_frame_release(c->daemon, id, f.sequence) == 0);

	CHECK(commit_damage(c, fb, outside) == 0);
	CHECK(wait_event(c->daemon, DRM_WFD_EVENT_FRAME_READY, 500, &ev, sizeof(ev)) == -ETIMEDOUT);
	CHECK(wfd_frame_acquire(c->daemon, id, &f) == -EAGAIN);
	return 0;
}

static int check_pixels(struct ctx *c, struct drm_wfd_frame_acquire *f,
			int dmabuf, struct wfd_dumb *ref)
{
	size_t size = (size_t)f->pitches[0] * f->height;
	uint32_t *map = mmap(NULL, size, PROT_READ, MAP_SHARED, dmabuf, 0);
	int same;

	(void)c;
	if (map == MAP_FAILED)
		return 0;
	same = !memcmp(map, ref->map, size);
	munmap(map, size);
	return same;
}

static int test_frames(struct ctx *c)
{
	struct drm_wfd_event_frame ev;
	struct drm_wfd_frame_acquire f;
	struct wfd_dumb a, b;
	uint32_t id;
	int dmabuf;
	uint64_t buf_a;

	CHECK(session_start(c, &id) == 0);
	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &b) == 0);
	for (uint32_t i = 0; i < a.size / 4; i++) {
		a.map[i] = i * 2654435761u;
		b.map[i] = ~i;
	}
	CHECK(wfd_frame_acquire(c->daemon, id, &f) == -EAGAIN);
	CHECK(light_up(c, a.fb_id) == 0);
	CHECK(wait_event(c->daemon, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(ev.session_id == id && ev.output == 1 && ev.sequence >= 1);
	CHECK(ev.damage.x2 == 1280 && ev.damage.y2 == 720);

	CHECK(wfd_frame_acquire(c->daemon, id, &f) == 0);
	CHECK(f.flags & WFD_FRAME_NEW_BUFFER);
	CHECK(f.gem_handle && f.fourcc == DRM_FORMAT_XRGB8888);
	CHECK(f.width == 1280 && f.height == 720 && f.num_planes == 1);
	CHECK(f.modifier == DRM_FORMAT_MOD_LINEAR && f.pitches[0] == a.pitch);
	CHECK(drmPrimeHandleToFD(c->daemon, f.gem_handle, DRM_CLOEXEC, &dmabuf) == 0);
	CHECK(check_pixels(c, &f, dmabuf, &a));
	close(dmabuf);
	buf_a = f.buffer_id;
	/* One frame held at a time; nothing new to acquire anyway. */
	CHECK(wfd_frame_acquire(c->daemon, id, &f) == -EBUSY);
	CHECK(wfd_frame_release(c->daemon, id, f.sequence + 100) == -EINVAL);
	CHECK(wfd_frame_release(c->daemon, id, ev.sequence) == 0);
	CHECK(wfd_frame_acquire(c->daemon, id, &f) == -EAGAIN);

	/* A new buffer, then back to the known one: no new handle. */
	CHECK(flip(c, b.fb_id, 0) == 0);
	CHECK(wait_event(c->daemon, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(wfd_frame_acquire(c->daemon, id, &f) == 0);
	CHECK((f.flags & WFD_FRAME_NEW_BUFFER) && f.buffer_id != buf_a);
	CHECK(drmPrimeHandleToFD(c->daemon, f.gem_handle, DRM_CLOEXEC, &dmabuf) == 0);
	CHECK(check_pixels(c, &f, dmabuf, &b));
	close(dmabuf);
	CHECK(wfd_frame_release(c->daemon, id, f.sequence) == 0);
	usleep(50000);
	CHECK(flip(c, a.fb_id, 0) == 0);
	CHECK(wait_event(c->daemon, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(wfd_frame_acquire(c->daemon, id, &f) == 0);
	CHECK(!(f.flags & WFD_FRAME_NEW_BUFFER) && f.buffer_id == buf_a && !f.gem_handle);
	CHECK(wfd_frame_release(c->daemon, id, f.sequence) == 0);
	CHECK(check_damage(c, id, a.fb_id) == 0);

	/* Destroying a buffer the daemon knows sends BUFFER_GONE. */
	{
		struct drm_wfd_event_buffer_gone gone;
		uint64_t buf_b = 0;

		(void)buf_b;
		drmModeRmFB(c->comp, b.fb_id);
		b.fb_id = 0;
		CHECK(wait_event(c->daemon, DRM_WFD_EVENT_BUFFER_GONE, 5000, &gone, sizeof(gone)) == 0);
		CHECK(gone.buffer_id != buf_a && gone.session_id == id);
	}
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	CHECK(wfd_disconnect(c->daemon, id) == 0);
	util_dumb_destroy(c->comp, &a);
	util_dumb_destroy(c->comp, &b);
	return 0;
}

/* MODE_SET or FRAME_READY of session @arg (events of ended sessions may be queued). */
static bool match_mode_or_frame(const struct drm_event *e, const void *arg)
{
	/* Both events start with the session id. */
	return (e->type == DRM_WFD_EVENT_MODE_SET || e->type == DRM_WFD_EVENT_FRAME_READY) &&
	       *(const uint32_t *)(e + 1) == *(const uint32_t *)arg;
}

/* The type of the first of MODE_SET and FRAME_READY of session @id, or 0. */
static uint32_t first_of_mode_frame(int fd, uint32_t id, int ms,
				    struct drm_wfd_event_mode *mode)
{
	if (wait_event_match(fd, match_mode_or_frame, &id, ms, mode, sizeof(*mode)))
		return 0;
	return mode->base.type;
}

/*
 * The daemon learns the mode before the first frame in it, and a session
 * that connects to an output the compositor kept lit learns the mode at
 * once, with no modeset.
 */
static int test_mode_first(struct ctx *c)
{
	struct drm_wfd_event_mode mode;
	struct wfd_dumb a;
	uint32_t id;

	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	CHECK(session_start(c, &id) == 0);
	CHECK(light_up(c, a.fb_id) == 0);
	CHECK(first_of_mode_frame(c->daemon, id, 5000, &mode) == DRM_WFD_EVENT_MODE_SET);
	CHECK(mode.session_id == id && mode.width == 1280 && mode.height == 720);
	CHECK(mode.refresh_mhz > 59000 && mode.refresh_mhz < 61000);
	CHECK(wfd_disconnect(c->daemon, id) == 0);

	/* The CRTC stays on; the next session is told its mode at connect. */
	CHECK(session_start(c, &id) == 0);
	CHECK(first_of_mode_frame(c->daemon, id, 2000, &mode) == DRM_WFD_EVENT_MODE_SET);
	CHECK(mode.session_id == id && mode.width == 1280 && mode.height == 720);
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	CHECK(wfd_disconnect(c->daemon, id) == 0);
	util_dumb_destroy(c->comp, &a);
	return 0;
}

/* MODE_SET or DPMS of session @arg. */
static bool match_mode_or_dpms(const struct drm_event *e, const void *arg)
{
	return (e->type == DRM_WFD_EVENT_MODE_SET || e->type == DRM_WFD_EVENT_DPMS) &&
	       *(const uint32_t *)(e + 1) == *(const uint32_t *)arg;
}

struct mode_dpms_seq {
	uint32_t id;
	size_t want, got;
	char seq[16];
};

static bool note_mode_dpms(const struct drm_event *e, void *arg)
{
	struct mode_dpms_seq *s = arg;
	const struct drm_wfd_event_mode *m = (const void *)e;
	const struct drm_wfd_event_dpms *d = (const void *)e;

	if (match_mode_or_dpms(e, &s->id))
		s->seq[s->got++] = e->type == DRM_WFD_EVENT_DPMS ?
				   (d->state == WFD_DPMS_ON ? '1' : '0') :
				   m->width ? 'M' : 'Z';
	return s->got == s->want;
}

/*
 * The next @n (at most 15) MODE_SET and DPMS events of session @id, in
 * order, as letters: 'M' for a mode, 'Z' for a disable, '0'/'1' for DPMS
 * off/on (waits up to 5 s; fewer when they do not come).
 */
static const char *mode_dpms_events(int fd, uint32_t id, size_t n)
{
	static struct mode_dpms_seq s;

	s = (struct mode_dpms_seq){ .id = id, .want = n };
	read_events(fd, 5000, note_mode_dpms, &s);
	return s.seq;
}

/* Turn the CRTC off or on keeping its mode, as DPMS does. */
static int set_active(struct ctx *c, bool on)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	int ret;

	ret = drmModeAtomicAddProperty(req, c->crtc, util_prop_id(c->comp, c->crtc,
					DRM_MODE_OBJECT_CRTC, "ACTIVE"), on) < 0 ? -EINVAL :
	      drmModeAtomicCommit(c->comp, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL) ? -errno : 0;
	drmModeAtomicFree(req);
	return ret;
}

/*
 * DPMS off and on again, with the mode kept, reach the daemon as DPMS
 * events and not as mode changes: the sink goes to standby and resumes.
 */
static int test_dpms(struct ctx *c)
{
	struct wfd_dumb a;
	const char *seq;
	uint32_t id;

	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	CHECK(session_start(c, &id) == 0);
	CHECK(light_up(c, a.fb_id) == 0);
	CHECK(!strcmp(mode_dpms_events(c->daemon, id, 1), "M"));
	CHECK(set_active(c, false) == 0);
	CHECK(set_active(c, true) == 0);
	seq = mode_dpms_events(c->daemon, id, 2);
	ktap_diag("dpms off, on: events %s", seq);
	CHECK(!strcmp(seq, "01"));
	/* A session that connects to an output that is off learns both. */
	CHECK(set_active(c, false) == 0);
	CHECK(wfd_disconnect(c->daemon, id) == 0);
	CHECK(session_start(c, &id) == 0);
	seq = mode_dpms_events(c->daemon, id, 2);
	ktap_diag("connect while off: events %s", seq);
	CHECK(!strcmp(seq, "M0"));
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	CHECK(wfd_disconnect(c->daemon, id) == 0);
	util_dumb_destroy(c->comp, &a);
	return 0;
}

static void set_hold_timeout(int ms)
{
	char v[16];

	snprintf(v, sizeof(v), "%d", ms);
	util_write_file("/sys/module/wfd/parameters/hold_timeout_ms", v);
}

static int flip_done_within(int fd, int ms)
{
	drmEventContext evctx = { .version = 2 };
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return 0;
	drmHandleEvent(fd, &evctx);
	return 1;
}

static int test_hold(struct ctx *c)
{
	struct drm_wfd_event_frame ev;
	struct drm_wfd_frame_acquire f;
	struct wfd_dumb a, b;
	long timeouts0;
	uint32_t id;
	double t0, waited;

	CHECK(session_start(c, &id) == 0);
	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &b) == 0);
	CHECK(light_up(c, a.fb_id) == 0);
	CHECK(wait_event(c->daemon, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(wfd_frame_acquire(c->daemon, id, &f) == 0);

	/* Held: the flip retiring buffer A does not complete until release. */
	set_hold_timeout(10000);
	CHECK(flip(c, b.fb_id, DRM_MODE_PAGE_FLIP_EVENT) == 0);
	CHECK(!flip_done_within(c->comp, 500));
	t0 = util_now();
	CHECK(wfd_frame_release(c->daemon, id, f.sequence) == 0);
	CHECK(flip_done_within(c->comp, 5000));
	ktap_diag("hold: flip completed %.1f ms after release", (util_now() - t0) * 1000);

	/* A daemon that never releases stalls the flip only for the timeout. */
	set_hold_timeout(300);
	timeouts0 = util_wfd_state(c->comp, "output1.hold_timeouts");
	CHECK(wait_event(c->daemon, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(wfd_frame_acquire(c->daemon, id, &f) == 0);
	t0 = util_now();
	CHECK(flip(c, a.fb_id, DRM_MODE_PAGE_FLIP_EVENT) == 0);
	CHECK(flip_done_within(c->comp, 5000));
	waited = (util_now() - t0) * 1000;
	ktap_diag("hold timeout: flip completed after %.1f ms (timeout 300 ms)", waited);
	CHECK(waited >= 250);
	CHECK(util_wfd_state(c->comp, "output1.hold_timeouts") == timeouts0 + 1);
	CHECK(wfd_frame_release(c->daemon, id, f.sequence) == -EINVAL);
	set_hold_timeout(200);

	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	CHECK(wfd_disconnect(c->daemon, id) == 0);
	util_dumb_destroy(c->comp, &a);
	util_dumb_destroy(c->comp, &b);
	return 0;
}

static int test_status(struct ctx *c)
{
	char key[64];
	uint32_t status;

	for (status = 0; status <= WFD_STATUS_MAX; status++) {
		uint32_t id;
		double t0, ms;

		CHECK(session_start(c, &id) == 0);
		CHECK(conn_status(c) == DRM_MODE_CONNECTED);
		uevent_drain(c->uevent);
		t0 = util_now();
		CHECK(wfd_report_status(c->daemon, id, status, -(int32_t)(100 + status)) == 0);
		ms = uevent_wait_hotplug(c->uevent, 5000);
		CHECK(ms >= 0);
		CHECK(conn_status(c) == DRM_MODE_DISCONNECTED);
		ktap_diag("status %u: unplug uevent %.1f ms after the ioctl",
			  status, (util_now() - t0) * 1000);
		CHECK(wfd_report_status(c->daemon, id, status, 0) == -ENOENT);
	}
	snprintf(key, sizeof(key), "output1.sessions_ended");
	CHECK(util_wfd_state(c->comp, key) > WFD_STATUS_MAX);
	return 0;
}

static int test_bad_status(struct ctx *c)
{
	struct drm_wfd_report_status bad = { .status = 0, .flags = 2 };
	uint32_t id;

	CHECK(session_start(c, &id) == 0);
	CHECK(wfd_report_status(c->daemon, id, WFD_STATUS_MAX + 1, 0) == -EINVAL);
	CHECK(wfd_report_status(c->daemon, id, 0xffffffffu, 0) == -EINVAL);
	CHECK(wfd_report_status(c->daemon, id + 1000, 0, 0) == -ENOENT);
	CHECK(wfd_report_status(c->daemon, 0, 0, 0) == -ENOENT);
	bad.session_id = id;
	CHECK_ERRNO(drmIoctl(c->daemon, DRM_IOCTL_WFD_REPORT_STATUS, &bad), EINVAL);
	CHECK(conn_status(c) == DRM_MODE_CONNECTED);
	CHECK(wfd_disconnect(c->daemon, id) == 0);
	return 0;
}

static int test_kill_daemon(struct ctx *c)
{
	struct wfd_dumb a;
	int pipefd[2];
	pid_t pid;
	char ch;
	double t0;

	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	CHECK(pipe(pipefd) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct drm_wfd_event_frame ev;
		struct drm_wfd_frame_acquire f;
		int fd = wfd_open(NULL);
		uint32_t id;

		if (fd < 0 || session_start(&(struct ctx){ .daemon = fd,
				.edid_size = c->edid_size }, &id))
			_exit(1);
		(void)write(pipefd[1], "c", 1);
		/* Hold a frame and die holding it. */
		if (!wait_event(fd, DRM_WFD_EVENT_FRAME_READY, 10000, &ev, sizeof(ev)) &&
		    !wfd_frame_acquire(fd, id, &f))
			(void)write(pipefd[1], "h", 1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	CHECK(read(pipefd[0], &ch, 1) == 1 && ch == 'c');
	CHECK(light_up(c, a.fb_id) == 0);
	CHECK(read(pipefd[0], &ch, 1) == 1 && ch == 'h');
	close(pipefd[0]);
	uevent_drain(c->uevent);
	t0 = util_now();
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CHECK(uevent_wait_hotplug(c->uevent, 5000) >= 0);
	CHECK(conn_status(c) == DRM_MODE_DISCONNECTED);
	ktap_diag("SIGKILL: unplugged after %.1f ms", (util_now() - t0) * 1000);
	/* A new daemon claims the output at once. */
	{
		uint32_t id;

		CHECK(wfd_claim(c->daemon, 1, &id, NULL) == 0);
		CHECK(wfd_disconnect(c->daemon, id) == 0);
	}
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	util_dumb_destroy(c->comp, &a);
	return 0;
}

static int count_fds(void)
{
	char path[64];
	int n = 0;

	for (int i = 0; i < 1024; i++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", i);
		n += access(path, F_OK) == 0;
	}
	return n;
}

static int test_cycles(struct ctx *c)
{
	struct wfd_dumb a;
	long gem0;
	int fds0 = count_fds(), i, cycles = 1000;
	double t0 = util_now();

	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	gem0 = util_wfd_state(c->comp, "gem_objects");
	for (i = 0; i < cycles; i++) {
		struct drm_wfd_frame_acquire f;
		int fd = wfd_open(NULL), dmabuf;
		uint32_t id;

		CHECK(fd >= 0);
		CHECK(wfd_claim(fd, 1, &id, NULL) == 0);
		CHECK(wfd_connect(fd, id, c->edid, (size_t)c->edid_size, 0, 0, 0) == 0);
		if (i == 0)
			CHECK(light_up(c, a.fb_id) == 0);
		else
			CHECK(flip(c, a.fb_id, 0) == 0 || errno == EBUSY);
		if (wfd_frame_acquire(fd, id, &f) == 0) {
			if (f.gem_handle &&
			    drmPrimeHandleToFD(fd, f.gem_handle, DRM_CLOEXEC, &dmabuf) == 0)
				close(dmabuf);
			wfd_frame_release(fd, id, f.sequence);
		}
		switch (i % 3) {
		case 0: CHECK(wfd_disconnect(fd, id) == 0); break;
		case 1: CHECK(wfd_report_status(fd, id, (uint32_t)i % 6, -i) == 0); break;
		default: break; /* closing the fd ends it */
		}
		close(fd);
	}
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	ktap_diag("%d cycles in %.1f s; gem objects %ld -> %ld, fds %d -> %d", cycles,
		  util_now() - t0, gem0, util_wfd_state(c->comp, "gem_objects"),
		  fds0, count_fds());
	CHECK(util_wfd_state(c->comp, "gem_objects") == gem0);
	CHECK(count_fds() == fds0);
	CHECK(util_wfd_state(c->comp, "output1.session") == 0);
	util_dumb_destroy(c->comp, &a);
	return 0;
}

struct race {
	struct ctx *c;
	int fd;
	uint32_t id;
	volatile int stop;
	int which;
};

static void *race_thread(void *arg)
{
	struct race *r = arg;
	struct drm_wfd_frame_acquire f;

	while (!r->stop) {
		switch (r->which) {
		case 0:
			if (!wfd_frame_acquire(r->fd, r->id, &f))
				wfd_frame_release(r->fd, r->id, f.sequence);
			break;
		case 1:
			flip(r->c, 0, 0);
			break;
		case 2: {
			struct drm_wfd_report_stats st = { .session_id = r->id, .fps_milli = 1 };

			wfd_report_stats(r->fd, &st);
			break;
		}
		}
	}
	return NULL;
}

static int test_race(struct ctx *c)
{
	struct wfd_dumb a, b;
	double t0 = util_now();
	int rounds = 0;

	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &b) == 0);
	while (util_now() - t0 < 6.0) {
		struct race r[3];
		pthread_t th[3];
		int fd = wfd_open(NULL);
		uint32_t id;

		CHECK(fd >= 0);
		CHECK(session_start(&(struct ctx){ .daemon = fd, .edid_size = c->edid_size }, &id) == 0);
		if (!rounds)
			CHECK(light_up(c, a.fb_id) == 0);
		for (int i = 0; i < 3; i++) {
			r[i] = (struct race){ .c = c, .fd = fd, .id = id, .which = i };
			pthread_create(&th[i], NULL, race_thread, &r[i]);
		}
		for (int k = 0; k < 20; k++) {
			drmModePageFlip(c->comp, c->crtc, (k & 1) ? a.fb_id : b.fb_id, 0, NULL);
			usleep(5000);
		}
		/* End the session while the threads hammer it. */
		if (rounds & 1)
			wfd_report_status(fd, id, WFD_STATUS_CRITICAL_ERROR, -1);
		else
			close(fd);
		usleep(20000);
		for (int i = 0; i < 3; i++)
			r[i].stop = 1;
		for (int i = 0; i < 3; i++)
			pthread_join(th[i], NULL);
		if (rounds & 1)
			close(fd);
		rounds++;
	}
	ktap_diag("race: %d rounds", rounds);
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	util_dumb_destroy(c->comp, &a);
	util_dumb_destroy(c->comp, &b);
	CHECK(util_wfd_state(c->comp, "output1.session") == 0);
	return 0;
}

int main(void)
{
	static const struct {
		const char *name;
		int (*fn)(struct ctx *c);
	} tests[] = {
		{ "connect_modes_name_uevent", test_connect },
		{ "bad_edid_rejected", test_bad_edid },
		{ "claim_rules", test_claim_rules },
		{ "unprivileged_refused", test_unprivileged },
		{ "frames_by_dmabuf", test_frames },
		{ "mode_set_before_frames", test_mode_first },
		{ "dpms_events_keep_mode", test_dpms },
		{ "hold_blocks_retiring_flip", test_hold },
		{ "every_status_unplugs", test_status },
		{ "undefined_status_refused", test_bad_status },
		{ "daemon_killed_unplugs", test_kill_daemon },
		{ "claim_stream_end_cycles", test_cycles },
		{ "race_acquire_release_close", test_race },
	};
	size_t n = sizeof(tests) / sizeof(tests[0]), i;
	struct drm_wfd_get_info info;
	struct ktap k;
	struct ctx c = { 0 };

	ktap_header(&k, (int)n);
	/* The compositor opens first and is master; the daemon is not. */
	c.comp = util_open_driver("wfd", false);
	c.daemon = wfd_open(NULL);
	c.uevent = uevent_open();
	c.edid_size = wfd_edid_synthesize(sink_modes, 3, SINK_NAME, c.edid, sizeof(c.edid));
	memcpy(g_edid, c.edid, sizeof(g_edid));
	if (c.comp < 0 || c.daemon < 0 || c.uevent < 0 || c.edid_size <= 0 ||
	    wfd_get_info(c.comp, &info) || !drmIsMaster(c.comp) || drmIsMaster(c.daemon)) {
		ktap_diag("setup failed");
		for (i = 0; i < n; i++)
			ktap_result(&k, tests[i].name, 1);
		return ktap_finish(&k);
	}
	drmSetClientCap(c.comp, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	drmSetClientCap(c.comp, DRM_CLIENT_CAP_ATOMIC, 1);
	c.crtc = info.outputs[0].crtc_id;
	c.conn = info.outputs[0].connector_id;
	c.plane = util_primary_plane(c.comp, c.crtc);
	for (i = 0; i < n; i++) {
		if (getenv("WFD_ONLY") && strcmp(getenv("WFD_ONLY"), tests[i].name))
			continue;
		ktap_result(&k, tests[i].name, tests[i].fn(&c));
		/* A failed test may leave its session: end it for the next. */
		if (!wfd_get_info(c.comp, &info) && info.outputs[0].session_id)
			wfd_disconnect(c.daemon, info.outputs[0].session_id);
	}
	return ktap_finish(&k);
}
