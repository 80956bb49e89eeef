// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM tests of wfd sessions: the card's CLAIM, the claim fd and its
 * session ioctls and events.  The ioctls are called raw (wfd_util.c), so
 * that these tests check the UAPI itself; libwfd only finds the device
 * and makes EDIDs.  KTAP.
 *
 * Needs root and a freshly loaded wfd.  With arguments, runs only the
 * tests named; two_outputs_one_commit needs outputs >= 2 and skips
 * otherwise (wfd_load.sh runs it with two).
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
#include <sys/stat.h>
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

/* Events read from a claim fd and not looked at yet. */
struct evq {
	int fd;
	size_t off, len;
	uint64_t buf[2048];
};

struct ctx {
	int comp;	/* the "compositor": DRM master, does the modesets */
	int card;	/* the daemon's card fd: not master */
	int claim;	/* the daemon's claim fd of output 1, or -1 */
	struct evq q;	/* events of @claim */
	uint32_t crtc, conn, plane;
	uint8_t edid[256];
	int edid_size;
	int uevent;
	struct drm_wfd_get_info info;
};

/* --- events of a claim fd --------------------------------------------- */

/*
 * Read @fd's events through @q.  The fd is made nonblocking: POLLIN says
 * that something changed, and a change may leave nothing to report (DPMS
 * off and on again), where a blocking read would wait for the next one.
 */
static void evq_init(struct evq *q, int fd)
{
	int fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	q->fd = fd;
	q->off = q->len = 0;
}

/*
 * The next event of @q: a buffered one, else the first of a read() of its
 * fd within @ms.  NULL when none came.
 */
static const struct drm_event *evq_next(struct evq *q, int ms)
{
	double end = util_now() + ms / 1000.0;
	const struct drm_event *e;

	while (q->off >= q->len) {
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		int left = (int)((end - util_now()) * 1000);
		ssize_t n;

		if (poll(&p, 1, left > 0 ? left : 0) != 1) {
			if (left <= 0)
				return NULL;
			continue;
		}
		n = read(q->fd, q->buf, sizeof(q->buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			ktap_diag("read of the claim fd: %zd (%s)", n, strerror(errno));
			return NULL;
		}
		q->off = 0;
		q->len = (size_t)n;
	}
	e = (const void *)((const char *)q->buf + q->off);
	if (q->len - q->off < sizeof(*e) || e->length < sizeof(*e) ||
	    e->length > q->len - q->off) {
		ktap_diag("malformed event at %zu of a %zu byte read", q->off, q->len);
		q->off = q->len = 0;
		return NULL;
	}
	q->off += e->length;
	return e;
}

/* The type of the event at the start of @buf. */
static uint32_t buf_type(const void *buf)
{
	struct drm_event e;

	memcpy(&e, buf, sizeof(e));
	return e.type;
}

/* Every wfd event has the session id right after its header. */
static uint64_t ev_session(const struct drm_event *e)
{
	uint64_t id;

	memcpy(&id, e + 1, sizeof(id));
	return id;
}

/*
 * Hand each event of @q to @visit, in order, until it returns true, for up
 * to @ms.  0 when @visit was satisfied, else -ETIMEDOUT.
 */
static int read_events(struct evq *q, int ms, bool (*visit)(const struct drm_event *e, void *arg),
		       void *arg)
{
	double end = util_now() + ms / 1000.0;

	for (;;) {
		int left = (int)((end - util_now()) * 1000);
		const struct drm_event *e = evq_next(q, left > 0 ? left : 0);

		if (!e)
			return -ETIMEDOUT;
		if (visit(e, arg))
			return 0;
	}
}

struct event_match {
	uint32_t type;
	uint64_t session_id;
	void *out;
	size_t len;
};

static bool copy_if_match(const struct drm_event *e, void *arg)
{
	struct event_match *m = arg;

	if (e->type != m->type || ev_session(e) != m->session_id)
		return false;
	memset(m->out, 0, m->len);
	memcpy(m->out, e, m->len < e->length ? m->len : e->length);
	return true;
}

/*
 * Read events of @q until one of @type for session @id (copied to @out),
 * for up to @ms.  The events before it are dropped.  0 or -ETIMEDOUT.
 */
static int wait_event(struct evq *q, uint64_t id, uint32_t type, int ms, void *out, size_t len)
{
	struct event_match m = { .type = type, .session_id = id, .out = out, .len = len };

	return read_events(q, ms, copy_if_match, &m);
}

/* The events of one read(): MODE_SET, DPMS, BUFFER_GONE..., FRAME_READY. */
static int ev_rank(uint32_t type)
{
	switch (type) {
	case DRM_WFD_EVENT_MODE_SET: return 0;
	case DRM_WFD_EVENT_DPMS: return 1;
	case DRM_WFD_EVENT_BUFFER_GONE: return 2;
	case DRM_WFD_EVENT_FRAME_READY: return 3;
	default: return -1;
	}
}

/*
 * Check the records of one read() of @n bytes: whole events of known types
 * in the documented order, one of each kind but BUFFER_GONE.  Returns the
 * number of events, or -1 (with a diagnostic).
 */
static int check_read(const void *buf, ssize_t n)
{
	int count = 0, last = 0, seen[4] = { 0 };
	ssize_t off = 0;

	while (off < n) {
		const struct drm_event *e = (const void *)((const char *)buf + off);
		int rank;

		if (n - off < (ssize_t)sizeof(*e) || e->length < sizeof(*e) ||
		    e->length > n - off) {
			ktap_diag("read: a partial or malformed event at %zd of %zd bytes", off, n);
			return -1;
		}
		rank = ev_rank(e->type);
		if (rank < 0 || rank < last || (rank != 2 && seen[rank])) {
			ktap_diag("read: event %d of type %#x (rank %d) after rank %d", count,
				  e->type, rank, last);
			return -1;
		}
		seen[rank]++;
		last = rank;
		off += e->length;
		count++;
	}
	return count;
}

/* --- uevents ---------------------------------------------------------- */

static int g_minor;	/* the card's minor: other devices' uevents are not ours */

static int uevent_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	int size = 4 << 20;

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	return fd;
}

static void uevent_drain(int fd)
{
	char buf[4096];
	ssize_t n;

	/* ENOBUFS: some were lost while nobody read; the rest are still there. */
	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0 || (n < 0 && errno == ENOBUFS))
		;
}

/* Is the uevent in @buf (@n bytes) a DRM hotplug event of our card? */
static bool uevent_is_hotplug(const char *buf, ssize_t n)
{
	bool drm = false, hotplug = false, ours = false;
	char minor[32];

	snprintf(minor, sizeof(minor), "MINOR=%d", g_minor);
	for (const char *s = buf; s < buf + n; s += strlen(s) + 1) {
		drm |= !strcmp(s, "SUBSYSTEM=drm");
		hotplug |= !strcmp(s, "HOTPLUG=1");
		ours |= !strcmp(s, minor);
	}
	return drm && hotplug && ours;
}

/*
 * Read uevents for @ms, or until the first hotplug event of the card when
 * @first.  Returns how many hotplug events came; *@after_ms is the time of
 * the first.
 */
static int uevent_hotplugs(int fd, int ms, bool first, double *after_ms)
{
	double t0 = util_now();
	int count = 0;

	while ((util_now() - t0) * 1000 < ms) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char buf[4096];
		ssize_t n;

		if (poll(&p, 1, 50) != 1)
			continue;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = 0;
		if (!uevent_is_hotplug(buf, n))
			continue;
		if (!count++ && after_ms)
			*after_ms = (util_now() - t0) * 1000;
		if (first)
			break;
	}
	return count;
}

/* Wait up to @ms for a hotplug uevent of the card: the wait in ms, or -1. */
static double uevent_wait_hotplug(int fd, int ms)
{
	double after = -1;

	uevent_hotplugs(fd, ms, true, &after);
	return after;
}

/* --- the daemon's side ------------------------------------------------ */

/* Claim output 1 on the daemon's card fd into c->claim. */
static int claim(struct ctx *c)
{
	if (c->claim >= 0)
		close(c->claim);
	c->claim = util_wfd_claim(c->card, 1, NULL);
	evq_init(&c->q, c->claim);
	return c->claim < 0 ? c->claim : 0;
}

static void unclaim(struct ctx *c)
{
	if (c->claim >= 0)
		close(c->claim);
	c->claim = -1;
	evq_init(&c->q, -1);
}

/* Connect the sink on c->claim, claiming output 1 first if need be. */
static int session_start(struct ctx *c, uint64_t *id)
{
	int ret = c->claim >= 0 ? 0 : claim(c);

	if (ret)
		return ret;
	return util_wfd_connect(c->claim, c->edid, (size_t)c->edid_size, 0, 0, 0, id);
}

/* FRAME_ACQUIRE, retrying while there is no new frame, for up to @ms. */
static int acquire_wait(int fd, uint64_t id, struct drm_wfd_frame_acquire *f, int ms)
{
	double t0 = util_now();
	int ret;

	while ((ret = util_wfd_acquire(fd, id, f)) == -EAGAIN &&
	       (util_now() - t0) * 1000 < ms)
		usleep(2000);
	return ret;
}

static bool is_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags >= 0 && (flags & FD_CLOEXEC);
}

/* The hold_timeout_ms module parameter, or -1. */
static int hold_timeout_ms(void)
{
	char buf[32];

	if (util_read_file("/sys/module/wfd/parameters/hold_timeout_ms", buf, sizeof(buf)) < 0)
		return -1;
	return atoi(buf);
}

/* Do the pixels of the frame's dma-buf equal those of @ref? */
static bool check_pixels(const struct drm_wfd_frame_acquire *f, int dmabuf,
			 const struct wfd_dumb *ref)
{
	off_t size = lseek(dmabuf, 0, SEEK_END);
	const uint8_t *map;
	bool same = true;

	if (size <= 0 || f->width != ref->width || f->height != ref->height ||
	    (uint64_t)f->offsets[0] + (uint64_t)f->pitches[0] * f->height > (uint64_t)size)
		return false;
	map = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, dmabuf, 0);
	if (map == MAP_FAILED)
		return false;
	for (uint32_t y = 0; y < f->height && same; y++)
		same = !memcmp(map + f->offsets[0] + (size_t)y * f->pitches[0],
			       (const uint8_t *)ref->map + (size_t)y * ref->pitch,
			       (size_t)f->width * 4);
	munmap((void *)map, (size_t)size);
	return same;
}

/* --- the compositor's side -------------------------------------------- */

static int conn_status(struct ctx *c)
{
	drmModeConnectorPtr conn = drmModeGetConnector(c->comp, c->conn);
	int st = conn ? (int)conn->connection : -1;

	drmModeFreeConnector(conn);
	return st;
}

/* The connector's first mode of @w x @h (the preferred one when @w is 0). */
static int find_mode(struct ctx *c, uint32_t conn_id, int w, int h, drmModeModeInfo *out)
{
	drmModeConnectorPtr conn = drmModeGetConnector(c->comp, conn_id);
	int ret = -ENOENT;

	for (int i = 0; conn && i < conn->count_modes && ret; i++) {
		if ((!w && (conn->modes[i].type & DRM_MODE_TYPE_PREFERRED)) ||
		    (conn->modes[i].hdisplay == w && conn->modes[i].vdisplay == h)) {
			*out = conn->modes[i];
			ret = 0;
		}
	}
	drmModeFreeConnector(conn);
	return ret;
}

/* Light the connected output up with its preferred mode on @fb. */
static int light_up(struct ctx *c, uint32_t fb)
{
	drmModeModeInfo mode;

	if (find_mode(c, c->conn, 0, 0, &mode))
		return -ENOENT;
	return util_modeset(c->comp, c->crtc, c->conn, c->plane, &mode, fb, 0);
}

static int flip(struct ctx *c, uint32_t fb, uint32_t flags)
{
	return drmModePageFlip(c->comp, c->crtc, fb, flags, NULL);
}

static int add_prop(drmModeAtomicReqPtr req, int fd, uint32_t obj, uint32_t type,
		    const char *name, uint64_t value)
{
	uint32_t prop = util_prop_id(fd, obj, type, name);

	if (!prop || drmModeAtomicAddProperty(req, obj, prop, value) < 0)
		return -EINVAL;
	return 0;
}

/*
 * An atomic commit of @fb on the primary plane, with @flags; with @fence,
 * the CRTC's out-fence is stored there.  0 or -errno.
 */
static int commit_fb(struct ctx *c, uint32_t fb, uint32_t flags, int32_t *fence)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	int ret;

	ret = add_prop(req, c->comp, c->plane, DRM_MODE_OBJECT_PLANE, "FB_ID", fb);
	if (!ret && fence) {
		*fence = -1;
		ret = add_prop(req, c->comp, c->crtc, DRM_MODE_OBJECT_CRTC, "OUT_FENCE_PTR",
			       (uint64_t)(uintptr_t)fence);
	}
	if (!ret)
		ret = drmModeAtomicCommit(c->comp, req, flags, NULL) ? -errno : 0;
	drmModeAtomicFree(req);
	return ret;
}

/* Commit @fb with one damage rectangle; 0 or -errno. */
static int commit_damage(struct ctx *c, uint32_t fb, struct drm_mode_rect r)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	uint32_t blob = 0;
	int ret;

	ret = drmModeCreatePropertyBlob(c->comp, &r, sizeof(r), &blob);
	if (ret)
		goto out;
	ret = add_prop(req, c->comp, c->plane, DRM_MODE_OBJECT_PLANE, "FB_ID", fb) ?:
	      add_prop(req, c->comp, c->plane, DRM_MODE_OBJECT_PLANE, "FB_DAMAGE_CLIPS", blob);
	if (!ret)
		ret = drmModeAtomicCommit(c->comp, req, 0, NULL) ? -errno : 0;
	drmModeDestroyPropertyBlob(c->comp, blob);
out:
	drmModeAtomicFree(req);
	return ret;
}

/*
 * One commit that sets ACTIVE to @active and, with @mode, that mode with
 * @fb filling the plane.  0 or -errno.
 */
static int commit_crtc(struct ctx *c, bool active, const drmModeModeInfo *mode, uint32_t fb)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	uint32_t blob = 0;
	int ret;

	ret = add_prop(req, c->comp, c->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", active);
	if (!ret && mode) {
		int fd = c->comp;
		uint32_t p = c->plane;

		ret = drmModeCreatePropertyBlob(fd, mode, sizeof(*mode), &blob) ?:
		      add_prop(req, fd, c->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", blob) ?:
		      add_prop(req, fd, p, DRM_MODE_OBJECT_PLANE, "FB_ID", fb) ?:
		      add_prop(req, fd, p, DRM_MODE_OBJECT_PLANE, "CRTC_ID", c->crtc) ?:
		      add_prop(req, fd, p, DRM_MODE_OBJECT_PLANE, "SRC_W", (uint64_t)mode->hdisplay << 16) ?:
		      add_prop(req, fd, p, DRM_MODE_OBJECT_PLANE, "SRC_H", (uint64_t)mode->vdisplay << 16) ?:
		      add_prop(req, fd, p, DRM_MODE_OBJECT_PLANE, "CRTC_W", mode->hdisplay) ?:
		      add_prop(req, fd, p, DRM_MODE_OBJECT_PLANE, "CRTC_H", mode->vdisplay);
	}
	if (!ret)
		ret = drmModeAtomicCommit(c->comp, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL) ?
		      -errno : 0;
	if (blob)
		drmModeDestroyPropertyBlob(c->comp, blob);
	drmModeAtomicFree(req);
	return ret;
}

/* Turn the CRTC off or on keeping its mode, as DPMS does. */
static int set_active(struct ctx *c, bool on)
{
	return commit_crtc(c, on, NULL, 0);
}

/* Flip events read from the compositor's fd. */
static struct {
	int n;
	unsigned int seq;
	double t;
	uint32_t crtcs[8];
} g_flips;

static void on_flip(int fd, unsigned int seq, unsigned int sec, unsigned int usec,
		    unsigned int crtc_id, void *data)
{
	(void)fd; (void)data;
	if (g_flips.n < 8)
		g_flips.crtcs[g_flips.n] = crtc_id;
	g_flips.n++;
	g_flips.seq = seq;
	g_flips.t = sec + usec / 1e6;
}

/*
 * Wait up to @ms for @n flip events on @fd (counted from the last call of
 * flips_reset()).  0 or -ETIMEDOUT.
 */
static int flips_wait(int fd, int n, int ms)
{
	drmEventContext evctx = { .version = 3, .page_flip_handler2 = on_flip };
	double t0 = util_now();

	while (g_flips.n < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left = ms - (int)((util_now() - t0) * 1000);

		if (left <= 0 || poll(&p, 1, left) != 1)
			return -ETIMEDOUT;
		drmHandleEvent(fd, &evctx);
	}
	return 0;
}

static void flips_reset(void)
{
	memset(&g_flips, 0, sizeof(g_flips));
}

/* Is anything (an event) ready to read on @fd right now? */
static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static unsigned int vblank_now(int fd)
{
	drmVBlank vbl = { .request = { .type = DRM_VBLANK_RELATIVE, .sequence = 0 } };

	if (drmWaitVBlank(fd, &vbl))
		return 0;
	return vbl.reply.sequence;
}

static uint32_t fill_color(int i)
{
	return 0x00102030u + (uint32_t)i * 0x00131517u;
}

/* --- tests: connecting --------------------------------------------------- */

static int test_connect(struct ctx *c)
{
	struct drm_wfd_get_info info;
	drmModeConnectorPtr conn;
	drmModePropertyBlobPtr blob;
	uint64_t id, blob_id = 0;
	uint32_t out = 0, edid_prop;
	char sink[64];
	double ms;

	uevent_drain(c->uevent);
	c->claim = util_wfd_claim(c->card, 0, &out);
	evq_init(&c->q, c->claim);
	CHECK(c->claim >= 0 && out == 1);
	CHECK(is_cloexec(c->claim));
	CHECK(util_wfd_get_info(c->card, &info) == 0);
	CHECK(info.outputs[0].flags == WFD_OUTPUT_CLAIMED && info.outputs[0].session_id == 0);
	CHECK(util_wfd_state(c->comp, "output1.claimed") == 1);
	CHECK(util_wfd_state(c->comp, "output1.claim_pid") == getpid());
	CHECK(util_wfd_state(c->comp, "output1.session") == 0);
	CHECK(conn_status(c) == DRM_MODE_DISCONNECTED);

	CHECK(util_wfd_connect(c->claim, c->edid, (size_t)c->edid_size, 0, 0, 0, &id) == 0);
	CHECK(id != 0);
	ms = uevent_wait_hotplug(c->uevent, 5000);
	ktap_diag("connect: session %llu, hotplug uevent after %.1f ms", (unsigned long long)id, ms);
	CHECK(ms >= 0);

	conn = drmModeGetConnector(c->comp, c->conn);
	CHECK(conn && conn->connection == DRM_MODE_CONNECTED);
	CHECK(conn->count_modes == 3);
	for (int i = 0; i < 3; i++) {
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
	CHECK(edid_prop);
	{
		drmModeObjectPropertiesPtr props =
			drmModeObjectGetProperties(c->comp, c->conn, DRM_MODE_OBJECT_CONNECTOR);

		for (uint32_t k = 0; props && k < props->count_props; k++)
			if (props->props[k] == edid_prop)
				blob_id = props->prop_values[k];
		drmModeFreeObjectProperties(props);
	}
	blob = drmModeGetPropertyBlob(c->comp, (uint32_t)blob_id);
	CHECK(blob && blob->length == (uint32_t)c->edid_size);
	CHECK(memmem(blob->data, blob->length, SINK_NAME, strlen(SINK_NAME)));
	drmModeFreePropertyBlob(blob);

	/* GET_INFO and debugfs tell the session. */
	CHECK(util_wfd_get_info(c->card, &info) == 0);
	CHECK(info.outputs[0].flags == (WFD_OUTPUT_CLAIMED | WFD_OUTPUT_CONNECTED));
	CHECK(info.outputs[0].session_id == id && info.outputs[0].pad == 0);
	CHECK((uint64_t)util_wfd_state(c->comp, "output1.session") == id);
	CHECK(util_wfd_state_str(c->comp, "output1.sink", sink, sizeof(sink)) == 0);
	CHECK(!strcmp(sink, SINK_NAME));
	/* Replaced and removed keys. */
	CHECK(util_wfd_state(c->comp, "output1.owner_pid") == -1);
	CHECK(util_wfd_state(c->comp, "output1.events_dropped") == -1);

	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	CHECK(conn_status(c) == DRM_MODE_DISCONNECTED);
	/* The id is stale now; the claim stays. */
	CHECK(util_wfd_disconnect(c->claim, id) == -ENOENT);
	CHECK(util_wfd_get_info(c->card, &info) == 0);
	CHECK(info.outputs[0].flags == WFD_OUTPUT_CLAIMED && info.outputs[0].session_id == 0);
	CHECK(util_wfd_state(c->comp, "output1.claimed") == 1);
	unclaim(c);
	CHECK(util_wfd_get_info(c->card, &info) == 0);
	CHECK(info.outputs[0].flags == 0);
	CHECK(util_wfd_state(c->comp, "output1.claimed") == 0);
	return 0;
}

static int gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close cl = { .handle = handle };

	return drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &cl) ? -errno : 0;
}

static uint8_t edid_sum(const uint8_t *b)
{
	uint8_t sum = 0;

	for (int i = 0; i < 127; i++)
		sum += b[i];
	return (uint8_t)-sum;
}

/* The test EDID with a CTA extension holding a Y420 capability map of @len bytes. */
static int y420_edid(struct ctx *c, uint8_t *out, int len)
{
	uint8_t *ext = out + 128;

	if (c->edid_size < 128)
		return -1;
	memcpy(out, c->edid, 128);
	out[126] = 1;
	out[127] = edid_sum(out);
	memset(ext, 0, 128);
	ext[0] = 0x02;
	ext[1] = 3;
	ext[2] = (uint8_t)(4 + 2 + len);
	ext[4] = (uint8_t)(7 << 5 | (1 + len));	/* extended tag block */
	ext[5] = 15;				/* YCbCr 4:2:0 capability map */
	memset(ext + 6, 0xff, (size_t)len);
	ext[127] = edid_sum(ext);
	return 0;
}

static int test_bad_edid(struct ctx *c)
{
	struct drm_wfd_connect args;
	struct wfd_mode huge = { 3000, 2000, 30 };
	uint8_t bad[256];
	uint64_t id = 0;
	int n;

	CHECK(claim(c) == 0);
	uevent_drain(c->uevent);
	CHECK(util_wfd_connect(c->claim, c->edid, 64, 0, 0, 0, &id) == -EINVAL);
	CHECK(util_wfd_connect(c->claim, c->edid, 0, 0, 0, 0, &id) == -EINVAL);
	memcpy(bad, c->edid, 128);
	bad[60] ^= 0x10;
	CHECK(util_wfd_connect(c->claim, bad, 128, 0, 0, 0, &id) == -EINVAL);
	memcpy(bad, c->edid, 128);
	bad[0] = 0x42;
	CHECK(util_wfd_connect(c->claim, bad, 128, 0, 0, 0, &id) == -EINVAL);
	/* Size not matching the extension count. */
	memcpy(bad, c->edid, 128);
	memcpy(bad + 128, c->edid, 128);
	CHECK(util_wfd_connect(c->claim, bad, 256, 0, 0, 0, &id) == -EINVAL);
	CHECK(util_wfd_connect(c->claim, c->edid, 40000, 0, 0, 0, &id) == -EINVAL);
	CHECK(util_wfd_connect(c->claim, NULL, 128, 0, 0, 0, &id) == -EFAULT);
	/* Input fields that must be zero. */
	memset(&args, 0, sizeof(args));
	args.edid_size = (uint32_t)c->edid_size;
	args.edid_ptr = (uintptr_t)c->edid;
	args.flags = 1;
	CHECK(util_ioctl(c->claim, WFD_IOCTL_CONNECT, &args) == -EINVAL);
	args.flags = 0;
	args.reserved[1] = 1;
	CHECK(util_ioctl(c->claim, WFD_IOCTL_CONNECT, &args) == -EINVAL);
	/*
	 * A YCbCr 4:2:0 capability map longer than 8 bytes, which the DRM
	 * core warns about (a sink's EDID comes from the network): refused.
	 * 8 bytes are fine.
	 */
	CHECK(y420_edid(c, bad, 9) == 0);
	CHECK(util_wfd_connect(c->claim, bad, 256, 0, 0, 0, &id) == -EINVAL);
	CHECK(y420_edid(c, bad, 8) == 0);
	CHECK(util_wfd_connect(c->claim, bad, 256, 0, 0, 0, &id) == 0);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	uevent_drain(c->uevent);
	id = 0;
	/* No mode the pipeline can carry. */
	n = wfd_edid_synthesize(&huge, 1, "HUGE", bad, sizeof(bad));
	CHECK(n == 128);
	CHECK(util_wfd_connect(c->claim, bad, 128, 1920, 1080, 0, &id) == -EINVAL);
	CHECK(id == 0);
	CHECK(uevent_hotplugs(c->uevent, 500, false, NULL) == 0);
	CHECK(conn_status(c) == DRM_MODE_DISCONNECTED);
	/* Nothing changed: a good EDID still connects. */
	CHECK(util_wfd_connect(c->claim, c->edid, (size_t)c->edid_size, 0, 0, 0, &id) == 0);
	CHECK(conn_status(c) == DRM_MODE_CONNECTED);
	CHECK(util_wfd_connect(c->claim, c->edid, (size_t)c->edid_size, 0, 0, 0, &id) == -EBUSY);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	return 0;
}

/*
 * A valid EDID that gives no mode at all (no timings of any kind) is
 * refused like one whose modes are all beyond the limits: nothing changes,
 * not even a uevent.  (The probe helper adds its fallback modes to a
 * connected connector with none, so this must be caught before.)
 */
static int test_zero_mode_edid(struct ctx *c)
{
	static const uint8_t name[18] = { 0, 0, 0, 0xfc, 0, 'N', 'O', 'M', 'O', 'D', 'E', 'S',
					  '\n', ' ', ' ', ' ', ' ', ' ' };
	struct drm_wfd_get_info info;
	struct wfd_mode huge = { 3000, 2000, 30 };
	uint8_t edid[128], big[256];
	drmModeConnectorPtr conn;
	uint64_t id = 0;
	uint8_t sum = 0;
	int hotplugs;

	/* The synthesized base block with every timing taken out. */
	memcpy(edid, c->edid, sizeof(edid));
	memset(edid + 35, 0, 3);		/* established timings */
	memset(edid + 38, 0x01, 16);		/* standard timings: unused */
	memset(edid + 54, 0, 72);		/* four display descriptors... */
	memcpy(edid + 54, name, sizeof(name));	/* ...a name, three dummies */
	for (int d = 1; d < 4; d++)
		edid[54 + 18 * d + 3] = 0x10;
	edid[126] = 0;
	for (int i = 0; i < 127; i++)
		sum += edid[i];
	edid[127] = (uint8_t)(0x100 - sum);

	CHECK(claim(c) == 0);
	uevent_drain(c->uevent);
	CHECK(util_wfd_connect(c->claim, edid, sizeof(edid), 0, 0, 0, &id) == -EINVAL);
	CHECK(wfd_edid_synthesize(&huge, 1, "HUGE", big, sizeof(big)) == 128);
	CHECK(util_wfd_connect(c->claim, big, 128, 1920, 1080, 0, &id) == -EINVAL);
	CHECK(util_wfd_connect(c->claim, big, 128, 0, 0, 1000000, &id) == -EINVAL);
	CHECK(id == 0);
	hotplugs = uevent_hotplugs(c->uevent, 1000, false, NULL);
	ktap_diag("refused connects: %d hotplug uevents in 1 s", hotplugs);
	CHECK(hotplugs == 0);
	conn = drmModeGetConnector(c->comp, c->conn);
	CHECK(conn && conn->connection == DRM_MODE_DISCONNECTED && conn->count_modes == 0);
	drmModeFreeConnector(conn);
	CHECK(util_wfd_get_info(c->card, &info) == 0);
	CHECK(info.outputs[0].flags == WFD_OUTPUT_CLAIMED && info.outputs[0].session_id == 0);
	CHECK(util_wfd_state(c->comp, "output1.session") == 0);

	/* The claim is as good as new. */
	CHECK(util_wfd_connect(c->claim, c->edid, (size_t)c->edid_size, 0, 0, 0, &id) == 0);
	CHECK(id != 0);
	CHECK(conn_status(c) == DRM_MODE_CONNECTED);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	return 0;
}

/*
 * Each plug and each unplug is one hotplug uevent: counted over a second,
 * during which nothing probes the connector.
 */
static int test_one_uevent(struct ctx *c)
{
	struct wfd_dumb a;
	uint64_t id;
	int n;

	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	CHECK(claim(c) == 0);
	uevent_drain(c->uevent);
	CHECK(util_wfd_connect(c->claim, c->edid, (size_t)c->edid_size, 0, 0, 0, &id) == 0);
	n = uevent_hotplugs(c->uevent, 1000, false, NULL);
	ktap_diag("connect: %d hotplug uevents", n);
	CHECK(n == 1);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	n = uevent_hotplugs(c->uevent, 1000, false, NULL);
	ktap_diag("disconnect: %d hotplug uevents", n);
	CHECK(n == 1);

	/* With the CRTC lit (the mode is pending at connect) and by status. */
	CHECK(util_wfd_connect(c->claim, c->edid, (size_t)c->edid_size, 0, 0, 0, &id) == 0);
	CHECK(light_up(c, a.fb_id) == 0);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	uevent_drain(c->uevent);
	usleep(200000);
	uevent_drain(c->uevent);
	CHECK(util_wfd_connect(c->claim, c->edid, (size_t)c->edid_size, 0, 0, 0, &id) == 0);
	n = uevent_hotplugs(c->uevent, 1000, false, NULL);
	ktap_diag("connect to a lit CRTC: %d hotplug uevents", n);
	CHECK(n == 1);
	CHECK(util_wfd_report_status(c->claim, id, WFD_STATUS_MISSING_KEEPALIVE, -110) == 0);
	n = uevent_hotplugs(c->uevent, 1000, false, NULL);
	ktap_diag("status: %d hotplug uevents", n);
	CHECK(n == 1);

	/* And closing the claim. */
	CHECK(util_wfd_connect(c->claim, c->edid, (size_t)c->edid_size, 0, 0, 0, &id) == 0);
	n = uevent_hotplugs(c->uevent, 1000, false, NULL);
	CHECK(n == 1);
	unclaim(c);
	n = uevent_hotplugs(c->uevent, 1000, false, NULL);
	ktap_diag("close of the claim fd: %d hotplug uevents", n);
	CHECK(n == 1);
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	util_dumb_destroy(c->comp, &a);
	return 0;
}

/* --- tests: the claim -------------------------------------------------- */

static int test_claim_rules(struct ctx *c)
{
	struct drm_wfd_claim bad;
	struct drm_wfd_get_info info;
	struct drm_version version;
	struct drm_wfd_disconnect disc;
	uint64_t junk[8];
	int fd;

	CHECK(claim(c) == 0);
	CHECK(util_wfd_claim(c->card, 1, NULL) == -EBUSY);
	if (c->info.num_outputs == 1) {
		CHECK(util_wfd_claim(c->card, 0, NULL) == -EBUSY);
	} else {
		uint32_t out = 0;

		fd = util_wfd_claim(c->card, 0, &out);
		CHECK(fd >= 0 && out == 2);
		close(fd);
	}
	CHECK(util_wfd_claim(c->card, c->info.num_outputs + 1, NULL) == -EINVAL);
	CHECK(util_wfd_claim(c->card, 0xffffffffu, NULL) == -EINVAL);
	unclaim(c);

	/* Input fields that must be zero, on a free output. */
	memset(&bad, 0, sizeof(bad));
	bad.output = 1;
	bad.flags = 1;
	CHECK(util_ioctl(c->card, DRM_IOCTL_WFD_CLAIM, &bad) == -EINVAL);
	memset(&bad, 0, sizeof(bad));
	bad.output = 1;
	bad.pad = 1;
	CHECK(util_ioctl(c->card, DRM_IOCTL_WFD_CLAIM, &bad) == -EINVAL);
	memset(&bad, 0, sizeof(bad));
	bad.output = 1;
	bad.reserved[1] = 1;
	CHECK(util_ioctl(c->card, DRM_IOCTL_WFD_CLAIM, &bad) == -EINVAL);
	/* The compositor's (master) file cannot claim. */
	CHECK(util_wfd_claim(c->comp, 1, NULL) == -EBUSY);
	CHECK(util_wfd_get_info(c->card, &info) == 0);
	CHECK(info.outputs[0].flags == 0);

	/* The version 1 session ioctls of the card are retired. */
	for (unsigned int nr = 0x02; nr <= 0x07; nr++) {
		memset(junk, 0, sizeof(junk));
		junk[0] = 1;
		if (util_ioctl(c->card, DRM_IOWR(DRM_COMMAND_BASE + nr, uint64_t[8]), junk) != -EINVAL) {
			ktap_diag("card ioctl %#x is not retired", nr);
			return 1;
		}
	}

	/* The claim fd takes its own ioctls and no other. */
	CHECK(claim(c) == 0);
	memset(&version, 0, sizeof(version));
	CHECK(util_ioctl(c->claim, DRM_IOCTL_VERSION, &version) == -ENOTTY);
	memset(&disc, 0, sizeof(disc));
	CHECK(util_ioctl(c->claim, _IOW(WFD_IOCTL_BASE, 0x86, struct drm_wfd_disconnect),
			 &disc) == -ENOTTY);
	CHECK(util_ioctl(c->claim, _IOW('d', 0x85, struct drm_wfd_disconnect), &disc) == -ENOTTY);
	/* ...and it is no card: the card's ioctls are unknown there. */
	memset(&info, 0, sizeof(info));
	CHECK(util_ioctl(c->claim, DRM_IOCTL_WFD_GET_INFO, &info) == -ENOTTY);
	return 0;
}

/*
 * The session ioctls of the claim fd: non-zero flags, pad and reserved are
 * refused; a session id that is not the live one is -ENOENT, before
 * CONNECT, during a session and after it.
 */
static int test_session_args(struct ctx *c)
{
	struct drm_wfd_frame_acquire f;
	struct drm_wfd_frame_release rel;
	struct drm_wfd_report_stats st;
	struct drm_wfd_report_status rs;
	struct drm_wfd_disconnect disc;
	uint64_t id, ids[3];

	CHECK(claim(c) == 0);
	/* No session yet. */
	CHECK(util_wfd_acquire(c->claim, 1, &f) == -ENOENT);
	CHECK(util_wfd_release(c->claim, 1, 1) == -ENOENT);
	CHECK(util_wfd_disconnect(c->claim, 1) == -ENOENT);
	CHECK(util_wfd_connect(c->claim, c->edid, (size_t)c->edid_size, 0, 0, 0, &id) == 0);

	memset(&f, 0, sizeof(f));
	f.session_id = id;
	f.flags = 1;
	CHECK(util_ioctl(c->claim, WFD_IOCTL_FRAME_ACQUIRE, &f) == -EINVAL);
	memset(&f, 0, sizeof(f));
	f.session_id = id;
	f.reserved[0] = 1;
	CHECK(util_ioctl(c->claim, WFD_IOCTL_FRAME_ACQUIRE, &f) == -EINVAL);

	memset(&rel, 0, sizeof(rel));
	rel.session_id = id;
	rel.flags = 1;
	CHECK(util_ioctl(c->claim, WFD_IOCTL_FRAME_RELEASE, &rel) == -EINVAL);
	rel.flags = 0;
	rel.pad = 1;
	CHECK(util_ioctl(c->claim, WFD_IOCTL_FRAME_RELEASE, &rel) == -EINVAL);
	rel.pad = 0;
	rel.reserved[1] = 1;
	CHECK(util_ioctl(c->claim, WFD_IOCTL_FRAME_RELEASE, &rel) == -EINVAL);

	memset(&st, 0, sizeof(st));
	st.session_id = id;
	st.fps_milli = 30000;
	CHECK(util_wfd_report_stats(c->claim, &st) == 0);
	st.flags = 1;
	CHECK(util_wfd_report_stats(c->claim, &st) == -EINVAL);
	st.flags = 0;
	st.pad = 1;
	CHECK(util_wfd_report_stats(c->claim, &st) == -EINVAL);
	st.pad = 0;
	st.reserved[0] = 1;
	CHECK(util_wfd_report_stats(c->claim, &st) == -EINVAL);

	memset(&rs, 0, sizeof(rs));
	rs.session_id = id;
	rs.pad = 1;
	CHECK(util_ioctl(c->claim, WFD_IOCTL_REPORT_STATUS, &rs) == -EINVAL);
	rs.pad = 0;
	rs.reserved[1] = 1;
	CHECK(util_ioctl(c->claim, WFD_IOCTL_REPORT_STATUS, &rs) == -EINVAL);

	memset(&disc, 0, sizeof(disc));
	disc.session_id = id;
	disc.flags = 1;
	CHECK(util_ioctl(c->claim, WFD_IOCTL_DISCONNECT, &disc) == -EINVAL);
	disc.flags = 0;
	disc.pad = 1;
	CHECK(util_ioctl(c->claim, WFD_IOCTL_DISCONNECT, &disc) == -EINVAL);
	disc.pad = 0;
	disc.reserved[0] = 1;
	CHECK(util_ioctl(c->claim, WFD_IOCTL_DISCONNECT, &disc) == -EINVAL);

	/* Ids that are not the live session's: never 0, the next, the end. */
	ids[0] = 0;
	ids[1] = id + 1;
	ids[2] = ~0ull;
	for (int i = 0; i < 3; i++) {
		memset(&st, 0, sizeof(st));
		st.session_id = ids[i];
		CHECK(util_wfd_acquire(c->claim, ids[i], &f) == -ENOENT);
		CHECK(util_wfd_release(c->claim, ids[i], 1) == -ENOENT);
		CHECK(util_wfd_report_stats(c->claim, &st) == -ENOENT);
		CHECK(util_wfd_report_status(c->claim, ids[i], 0, 0) == -ENOENT);
		CHECK(util_wfd_disconnect(c->claim, ids[i]) == -ENOENT);
	}
	/* None of that touched the session. */
	CHECK(conn_status(c) == DRM_MODE_CONNECTED);
	CHECK((uint64_t)util_wfd_state(c->comp, "output1.session") == id);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);

	/* After the end, the old id is stale for everything. */
	memset(&st, 0, sizeof(st));
	st.session_id = id;
	CHECK(util_wfd_acquire(c->claim, id, &f) == -ENOENT);
	CHECK(util_wfd_release(c->claim, id, 1) == -ENOENT);
	CHECK(util_wfd_report_stats(c->claim, &st) == -ENOENT);
	CHECK(util_wfd_report_status(c->claim, id, 0, 0) == -ENOENT);
	CHECK(util_wfd_disconnect(c->claim, id) == -ENOENT);
	return 0;
}

/* Set the effective capabilities to none (@all) or all but CAP_SYS_ADMIN. */
static int drop_caps(bool all)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	if (all)
		memset(data, 0, sizeof(data));
	else
		data[0].effective &= ~(1u << CAP_SYS_ADMIN);
	return syscall(SYS_capset, &hdr, data) ? -1 : 0;
}

/* CLAIM needs CAP_SYS_ADMIN; GET_INFO does not. */
static int test_unprivileged(struct ctx *c)
{
	pid_t pid = fork();
	int status;

	CHECK(pid >= 0);
	if (pid == 0) {
		struct drm_wfd_get_info info;
		int fd;

		if (drop_caps(false))
			_exit(2);
		if (util_wfd_claim(c->card, 1, NULL) != -EACCES)
			_exit(3);
		if (util_wfd_claim(c->card, 0, NULL) != -EACCES)
			_exit(4);
		/* A card opened without the capability is no better. */
		fd = wfd_open(NULL);
		if (fd < 0 || util_wfd_claim(fd, 1, NULL) != -EACCES)
			_exit(5);
		/* GET_INFO stays open to every client. */
		if (util_wfd_get_info(fd, &info) || info.version != WFD_UAPI_VERSION)
			_exit(6);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		ktap_diag("child status %d", WEXITSTATUS(status));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(util_wfd_state(c->comp, "output1.claimed") == 0);
	return 0;
}

/*
 * The claim fd does not need the card fd it came from: a daemon may close
 * it and run whole sessions on the claim fd alone.
 */
static int test_claim_outlives_card(struct ctx *c)
{
	struct drm_wfd_event_frame ev;
	struct drm_wfd_frame_acquire f;
	struct drm_wfd_report_stats st = { .frames_encoded = 1 };
	struct drm_wfd_get_info info;
	struct wfd_dumb a;
	uint64_t id, id2;
	int card = wfd_open(NULL);

	CHECK(card >= 0);
	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	util_dumb_fill(&a, fill_color(1));
	c->claim = util_wfd_claim(card, 1, NULL);
	evq_init(&c->q, c->claim);
	CHECK(c->claim >= 0);
	close(card);

	CHECK(util_wfd_connect(c->claim, c->edid, (size_t)c->edid_size, 0, 0, 0, &id) == 0);
	CHECK(conn_status(c) == DRM_MODE_CONNECTED);
	CHECK(light_up(c, a.fb_id) == 0);
	CHECK(wait_event(&c->q, id, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(util_wfd_acquire(c->claim, id, &f) == 0);
	CHECK((f.flags & WFD_FRAME_NEW_BUFFER) && f.dmabuf_fd >= 0);
	CHECK(check_pixels(&f, f.dmabuf_fd, &a));
	close(f.dmabuf_fd);
	CHECK(util_wfd_release(c->claim, id, f.sequence) == 0);
	st.session_id = id;
	CHECK(util_wfd_report_stats(c->claim, &st) == 0);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);

	/* A second session on the same claim. */
	CHECK(util_wfd_connect(c->claim, c->edid, (size_t)c->edid_size, 0, 0, 0, &id2) == 0);
	CHECK(id2 != id && id2 != 0);
	CHECK(util_wfd_get_info(c->comp, &info) == 0);
	CHECK(info.outputs[0].session_id == id2);
	CHECK(util_wfd_disconnect(c->claim, id2) == 0);
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	unclaim(c);
	CHECK(util_wfd_state(c->comp, "output1.claimed") == 0);
	util_dumb_destroy(c->comp, &a);
	return 0;
}

static int send_fd(int sock, int fd)
{
	char data = 'F', cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char data, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* Read exactly @len bytes from @fd within @ms; 0 or -1. */
static int read_within(int fd, void *buf, size_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return -1;
	return read(fd, buf, len) == (ssize_t)len ? 0 : -1;
}

/*
 * The child of test_claim_passed: with no capability left, it gets the
 * claim fd over a socket and runs a whole session on it.  Returns the
 * number of the step that failed, 0 when all went well.
 */
static int capless_daemon(struct ctx *c, int sock)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	struct drm_wfd_event_frame ev;
	struct drm_wfd_frame_acquire f;
	struct drm_wfd_report_stats st = { .frames_encoded = 1, .fps_milli = 60000 };
	static struct evq q;
	uint32_t *map, want = fill_color(7);
	uint64_t id;
	int fd;

	if (drop_caps(true) || syscall(SYS_capget, &hdr, data) ||
	    data[0].effective || data[0].permitted || data[1].effective)
		return 10;
	/* Not allowed to claim anything itself. */
	if (util_wfd_claim(c->card, 1, NULL) != -EACCES)
		return 11;
	if (write(sock, "r", 1) != 1)
		return 12;
	fd = recv_fd(sock);
	if (fd < 0)
		return 13;
	evq_init(&q, fd);
	if (util_wfd_connect(fd, c->edid, (size_t)c->edid_size, 0, 0, 0, &id))
		return 14;
	if (write(sock, &id, sizeof(id)) != sizeof(id))
		return 15;
	if (wait_event(&q, id, DRM_WFD_EVENT_FRAME_READY, 10000, &ev, sizeof(ev)))
		return 16;
	if (util_wfd_acquire(fd, id, &f) || !(f.flags & WFD_FRAME_NEW_BUFFER) || f.dmabuf_fd < 0)
		return 17;
	map = mmap(NULL, (size_t)f.pitches[0] * f.height, PROT_READ, MAP_SHARED, f.dmabuf_fd, 0);
	if (map == MAP_FAILED)
		return 18;
	if (map[0] != want || map[f.pitches[0] / 4 * (f.height - 1) + f.width - 1] != want)
		return 19;
	munmap(map, (size_t)f.pitches[0] * f.height);
	close(f.dmabuf_fd);
	if (util_wfd_release(fd, id, f.sequence))
		return 20;
	st.session_id = id;
	if (util_wfd_report_stats(fd, &st))
		return 21;
	if (util_wfd_disconnect(fd, id))
		return 22;
	/* The next sink, ended by a status. */
	if (util_wfd_connect(fd, c->edid, (size_t)c->edid_size, 0, 0, 0, &id))
		return 23;
	if (util_wfd_report_status(fd, id, WFD_STATUS_SINK_DISCONNECT_REQUEST, -1))
		return 24;
	return 0;
}

/*
 * The claim fd carries the privilege: passed by SCM_RIGHTS to a process
 * that has no capability at all, it drives a full session there.  The
 * output stays claimed until that process's copy is gone.
 */
static int test_claim_passed(struct ctx *c)
{
	struct drm_wfd_get_info info;
	struct wfd_dumb a;
	int sv[2], status, fd;
	long ended0 = util_wfd_state(c->comp, "output1.sessions_ended");
	uint64_t id = 0;
	char ch;
	pid_t pid;

	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	util_dumb_fill(&a, fill_color(7));
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		_exit(capless_daemon(c, sv[1]));
	}
	close(sv[1]);
	CHECK(read_within(sv[0], &ch, 1, 10000) == 0 && ch == 'r');
	fd = util_wfd_claim(c->card, 1, NULL);
	CHECK(fd >= 0);
	CHECK(send_fd(sv[0], fd) == 0);
	close(fd);
	/* The child's copy keeps the claim. */
	CHECK(util_wfd_state(c->comp, "output1.claimed") == 1);
	CHECK(read_within(sv[0], &id, sizeof(id), 10000) == 0);
	CHECK(id != 0);
	CHECK(util_wfd_get_info(c->comp, &info) == 0);
	CHECK(info.outputs[0].session_id == id);
	CHECK(conn_status(c) == DRM_MODE_CONNECTED);
	CHECK(light_up(c, a.fb_id) == 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	close(sv[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		ktap_diag("capless child: status %d", WEXITSTATUS(status));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(util_wfd_state(c->comp, "output1.sessions_ended") == ended0 + 2);
	CHECK(util_wfd_state(c->comp, "output1.claimed") == 0);
	CHECK(util_wfd_get_info(c->comp, &info) == 0);
	CHECK(info.outputs[0].flags == 0);
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	util_dumb_destroy(c->comp, &a);
	return 0;
}

/*
 * dup() and fork() share one claim: any copy drives the session, closing
 * some copies changes nothing, and the session ends (as a companion
 * disconnect) when the last copy, here a child's, is closed.
 */
static int test_claim_shared(struct ctx *c)
{
	struct drm_wfd_event_frame ev;
	struct drm_wfd_frame_acquire f;
	struct drm_wfd_get_info info;
	struct wfd_dumb a, b;
	int fd2, to_child[2], from_child[2], status;
	uint64_t id, buf_a;
	char ending[160], ch;
	pid_t pid;

	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &b) == 0);
	util_dumb_fill(&a, fill_color(1));
	util_dumb_fill(&b, fill_color(2));
	CHECK(claim(c) == 0);
	fd2 = dup(c->claim);
	CHECK(fd2 >= 0);
	CHECK(util_wfd_connect(fd2, c->edid, (size_t)c->edid_size, 0, 0, 0, &id) == 0);
	CHECK(light_up(c, a.fb_id) == 0);
	CHECK(wait_event(&c->q, id, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(util_wfd_acquire(c->claim, id, &f) == 0);
	CHECK(f.dmabuf_fd >= 0);
	close(f.dmabuf_fd);
	buf_a = f.buffer_id;
	/* Acquired through one copy, released through the other. */
	CHECK(util_wfd_release(fd2, id, f.sequence) == 0);
	/* Closing a copy is not the end. */
	unclaim(c);
	c->claim = fd2;
	evq_init(&c->q, fd2);
	CHECK(util_wfd_get_info(c->comp, &info) == 0);
	CHECK(info.outputs[0].session_id == id);
	CHECK(info.outputs[0].flags == (WFD_OUTPUT_CLAIMED | WFD_OUTPUT_CONNECTED));

	CHECK(pipe2(to_child, O_CLOEXEC) == 0 && pipe2(from_child, O_CLOEXEC) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		static struct evq q;
		int r = 0;

		evq_init(&q, fd2);
		if (read_within(to_child[0], &ch, 1, 10000))
			_exit(2);
		if (wait_event(&q, id, DRM_WFD_EVENT_FRAME_READY, 10000, &ev, sizeof(ev)))
			_exit(3);
		if (acquire_wait(fd2, id, &f, 5000))
			_exit(4);
		/* B is new to the session, whichever copy asks. */
		if (!(f.flags & WFD_FRAME_NEW_BUFFER) || f.dmabuf_fd < 0 || f.buffer_id == buf_a)
			r = 5;
		else if (!check_pixels(&f, f.dmabuf_fd, &b))
			r = 6;
		close(f.dmabuf_fd);
		if (!r && util_wfd_release(fd2, id, f.sequence))
			r = 7;
		if (write(from_child[1], "a", 1) != 1)
			_exit(8);
		/* Holds the last copy until told to go; never disconnects. */
		if (read_within(to_child[0], &ch, 1, 20000))
			_exit(9);
		_exit(r);
	}
	close(to_child[0]);
	close(from_child[1]);
	CHECK(write(to_child[1], "g", 1) == 1);
	CHECK(commit_fb(c, b.fb_id, 0, NULL) == 0);
	CHECK(read_within(from_child[0], &ch, 1, 20000) == 0);
	/* The child's copy is the last one now. */
	unclaim(c);
	CHECK(conn_status(c) == DRM_MODE_CONNECTED);
	CHECK(util_wfd_state(c->comp, "output1.claimed") == 1);
	CHECK((uint64_t)util_wfd_state(c->comp, "output1.session") == id);
	uevent_drain(c->uevent);
	CHECK(write(to_child[1], "e", 1) == 1);
	CHECK(waitpid(pid, &status, 0) == pid);
	close(to_child[1]);
	close(from_child[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		ktap_diag("child status %d", WEXITSTATUS(status));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(uevent_wait_hotplug(c->uevent, 5000) >= 0);
	CHECK(conn_status(c) == DRM_MODE_DISCONNECTED);
	CHECK(util_wfd_state(c->comp, "output1.claimed") == 0);
	CHECK(util_wfd_state_str(c->comp, "output1.ending", ending, sizeof(ending)) == 0);
	ktap_diag("last ending: %s", ending);
	CHECK(strstr(ending, "companion disconnect"));
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	util_dumb_destroy(c->comp, &a);
	util_dumb_destroy(c->comp, &b);
	return 0;
}

/* Does an event of @id's session come?  (Used to spot stale sessions.) */
struct foreign_check {
	uint64_t live;
	int foreign;
	uint32_t type;
	void *out;
	size_t len;
};

static bool note_foreign(const struct drm_event *e, void *arg)
{
	struct foreign_check *fc = arg;

	if (ev_session(e) != fc->live) {
		ktap_diag("event %#x of session %llu read during session %llu", e->type,
			  (unsigned long long)ev_session(e), (unsigned long long)fc->live);
		fc->foreign++;
		return false;
	}
	if (e->type != fc->type)
		return false;
	memset(fc->out, 0, fc->len);
	memcpy(fc->out, e, fc->len < e->length ? fc->len : e->length);
	return true;
}

/*
 * One claim serves one sink after another: each connect is a new session
 * with its own id, modes and name; the first session's id acts on nothing
 * once it ended, and none of its events is read during the second.  A
 * buffer seen in the first session is new again in the second, under the
 * same stable id.
 */
static int test_sinks_in_turn(struct ctx *c)
{
	static const struct wfd_mode modes_b[] = { { 1280, 720, 60 }, { 800, 600, 60 } };
	struct drm_wfd_event_frame ev;
	struct drm_wfd_event_mode mode;
	struct drm_wfd_frame_acquire f;
	struct drm_wfd_report_stats st = { 0 };
	struct foreign_check fc;
	drmModeConnectorPtr conn;
	struct wfd_dumb a;
	uint8_t edid_b[256];
	uint64_t id_a, id_b, buf_a;
	char sink[64];
	int size_b;

	size_b = wfd_edid_synthesize(modes_b, 2, "SINK-B", edid_b, sizeof(edid_b));
	CHECK(size_b > 0);
	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	util_dumb_fill(&a, fill_color(3));
	CHECK(claim(c) == 0);

	CHECK(util_wfd_connect(c->claim, c->edid, (size_t)c->edid_size, 0, 0, 0, &id_a) == 0);
	CHECK(light_up(c, a.fb_id) == 0);
	CHECK(wait_event(&c->q, id_a, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(util_wfd_acquire(c->claim, id_a, &f) == 0);
	CHECK((f.flags & WFD_FRAME_NEW_BUFFER) && f.dmabuf_fd >= 0);
	close(f.dmabuf_fd);
	buf_a = f.buffer_id;
	CHECK(util_wfd_release(c->claim, id_a, f.sequence) == 0);
	/* Something left unread at the end: a frame. */
	CHECK(commit_damage(c, a.fb_id, (struct drm_mode_rect){ 0, 0, 64, 64 }) == 0);
	usleep(100000);
	CHECK(util_wfd_disconnect(c->claim, id_a) == 0);

	/* The compositor keeps the CRTC lit: B learns the mode at connect. */
	CHECK(util_wfd_connect(c->claim, edid_b, (size_t)size_b, 0, 0, 0, &id_b) == 0);
	CHECK(id_b != 0 && id_b != id_a);
	conn = drmModeGetConnector(c->comp, c->conn);
	CHECK(conn && conn->connection == DRM_MODE_CONNECTED && conn->count_modes == 2);
	drmModeFreeConnector(conn);
	CHECK(util_wfd_state_str(c->comp, "output1.sink", sink, sizeof(sink)) == 0);
	CHECK(!strcmp(sink, "SINK-B"));
	fc = (struct foreign_check){ .live = id_b, .type = DRM_WFD_EVENT_MODE_SET,
				     .out = &mode, .len = sizeof(mode) };
	CHECK(read_events(&c->q, 5000, note_foreign, &fc) == 0);
	CHECK(mode.width == 1280 && mode.height == 720 && mode.output == 1);

	/* The old id acts on nothing. */
	st.session_id = id_a;
	CHECK(util_wfd_acquire(c->claim, id_a, &f) == -ENOENT);
	CHECK(util_wfd_release(c->claim, id_a, 1) == -ENOENT);
	CHECK(util_wfd_report_stats(c->claim, &st) == -ENOENT);
	CHECK(util_wfd_report_status(c->claim, id_a, WFD_STATUS_CRITICAL_ERROR, 0) == -ENOENT);
	CHECK(util_wfd_disconnect(c->claim, id_a) == -ENOENT);
	CHECK(conn_status(c) == DRM_MODE_CONNECTED);

	CHECK(commit_damage(c, a.fb_id, (struct drm_mode_rect){ 0, 0, 1280, 720 }) == 0);
	fc.type = DRM_WFD_EVENT_FRAME_READY;
	fc.out = &ev;
	fc.len = sizeof(ev);
	CHECK(read_events(&c->q, 5000, note_foreign, &fc) == 0);
	CHECK(ev.sequence >= 1);
	CHECK(util_wfd_acquire(c->claim, id_b, &f) == 0);
	CHECK(f.sequence == ev.sequence);
	CHECK((f.flags & WFD_FRAME_NEW_BUFFER) && f.dmabuf_fd >= 0 && f.buffer_id == buf_a);
	CHECK(check_pixels(&f, f.dmabuf_fd, &a));
	close(f.dmabuf_fd);
	CHECK(util_wfd_release(c->claim, id_b, f.sequence) == 0);
	CHECK(fc.foreign == 0);
	CHECK(util_wfd_disconnect(c->claim, id_b) == 0);
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	util_dumb_destroy(c->comp, &a);
	return 0;
}

/* --- tests: frames ------------------------------------------------------ */

/*
 * Damage reaches the daemon as given, and a commit whose damage lies
 * outside the visible area is no frame at all: an idle desktop that
 * commits costs the daemon no encode and the link no bandwidth.
 */
static int check_damage(struct ctx *c, uint64_t id, uint32_t fb)
{
	struct drm_mode_rect part = { 16, 16, 80, 48 }, outside = { 3000, 0, 3100, 10 };
	struct drm_wfd_event_frame ev;
	struct drm_wfd_frame_acquire f;

	CHECK(commit_damage(c, fb, part) == 0);
	CHECK(wait_event(&c->q, id, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(ev.damage.x1 == 16 && ev.damage.y1 == 16);
	CHECK(ev.damage.x2 == 80 && ev.damage.y2 == 48);
	CHECK(util_wfd_acquire(c->claim, id, &f) == 0);
	CHECK(f.damage.x1 == 16 && f.damage.x2 == 80);
	CHECK(f.sequence == ev.sequence && f.dmabuf_fd == -1);
	CHECK(util_wfd_release(c->claim, id, f.sequence) == 0);

	CHECK(commit_damage(c, fb, outside) == 0);
	CHECK(wait_event(&c->q, id, DRM_WFD_EVENT_FRAME_READY, 500, &ev, sizeof(ev)) == -ETIMEDOUT);
	CHECK(util_wfd_acquire(c->claim, id, &f) == -EAGAIN);
	return 0;
}

static int test_frames(struct ctx *c)
{
	struct drm_wfd_event_buffer_gone gone;
	struct drm_wfd_event_frame ev;
	struct drm_wfd_frame_acquire f;
	struct wfd_dumb a, b;
	uint64_t id, buf_a, buf_b, seq;
	int dmabuf_a, dmabuf_b, exported;
	uint32_t handle;

	CHECK(session_start(c, &id) == 0);
	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &b) == 0);
	for (uint32_t i = 0; i < a.size / 4; i++) {
		a.map[i] = i * 2654435761u;
		b.map[i] = ~i;
	}
	CHECK(util_wfd_acquire(c->claim, id, &f) == -EAGAIN);
	CHECK(light_up(c, a.fb_id) == 0);
	CHECK(wait_event(&c->q, id, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(ev.session_id == id && ev.output == 1 && ev.sequence >= 1 && ev.pad == 0);
	CHECK(ev.damage.x2 == 1280 && ev.damage.y2 == 720);

	CHECK(util_wfd_acquire(c->claim, id, &f) == 0);
	CHECK(f.session_id == id && f.sequence == ev.sequence);
	CHECK(f.flags == WFD_FRAME_NEW_BUFFER && f.dmabuf_fd >= 0);
	CHECK(is_cloexec(f.dmabuf_fd));
	CHECK(f.fourcc == DRM_FORMAT_XRGB8888 && f.buffer_id != 0);
	CHECK(f.width == 1280 && f.height == 720 && f.num_planes == 1);
	CHECK(f.modifier == DRM_FORMAT_MOD_LINEAR && f.pitches[0] == a.pitch && f.offsets[0] == 0);
	CHECK(check_pixels(&f, f.dmabuf_fd, &a));
	dmabuf_a = f.dmabuf_fd;
	buf_a = f.buffer_id;
	seq = f.sequence;
	/*
	 * Imported back into the card once the compositor's own export is
	 * cached, the session's dma-buf is a buffer of its own (the core
	 * warns on a self-import whose dma-buf is not the cached one).
	 */
	CHECK(drmPrimeHandleToFD(c->comp, a.handle, DRM_CLOEXEC, &exported) == 0);
	CHECK(drmPrimeFDToHandle(c->comp, exported, &handle) == 0 && handle == a.handle);
	CHECK(drmPrimeFDToHandle(c->comp, dmabuf_a, &handle) == 0 && handle != a.handle);
	CHECK(gem_close(c->comp, handle) == 0);
	close(exported);
	/* One frame held at a time; nothing new to acquire anyway. */
	CHECK(util_wfd_acquire(c->claim, id, &f) == -EBUSY);
	CHECK(util_wfd_release(c->claim, id, seq + 100) == -EINVAL);
	CHECK(util_wfd_release(c->claim, id, seq) == 0);
	CHECK(util_wfd_release(c->claim, id, seq) == -EINVAL);
	CHECK(util_wfd_acquire(c->claim, id, &f) == -EAGAIN);

	/* A new buffer, then back to the known one: no new fd. */
	CHECK(flip(c, b.fb_id, 0) == 0);
	CHECK(wait_event(&c->q, id, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(util_wfd_acquire(c->claim, id, &f) == 0);
	CHECK((f.flags & WFD_FRAME_NEW_BUFFER) && f.dmabuf_fd >= 0 && f.buffer_id != buf_a);
	CHECK(f.sequence > seq);
	CHECK(check_pixels(&f, f.dmabuf_fd, &b));
	dmabuf_b = f.dmabuf_fd;
	buf_b = f.buffer_id;
	CHECK(util_wfd_release(c->claim, id, f.sequence) == 0);
	usleep(50000);
	CHECK(flip(c, a.fb_id, 0) == 0);
	CHECK(wait_event(&c->q, id, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(util_wfd_acquire(c->claim, id, &f) == 0);
	CHECK(!(f.flags & WFD_FRAME_NEW_BUFFER) && f.buffer_id == buf_a && f.dmabuf_fd == -1);
	CHECK(util_wfd_release(c->claim, id, f.sequence) == 0);
	/* The fd handed out is the buffer itself: it sees what is drawn now. */
	a.map[0] ^= 0xffffff;
	CHECK(check_pixels(&f, dmabuf_a, &a));
	CHECK(check_damage(c, id, a.fb_id) == 0);

	/* Destroying a buffer the daemon has an fd of sends BUFFER_GONE. */
	drmModeRmFB(c->comp, b.fb_id);
	b.fb_id = 0;
	CHECK(wait_event(&c->q, id, DRM_WFD_EVENT_BUFFER_GONE, 5000, &gone, sizeof(gone)) == 0);
	CHECK(gone.buffer_id == buf_b && gone.output == 1 && gone.pad == 0);
	close(dmabuf_b);
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	close(dmabuf_a);
	util_dumb_destroy(c->comp, &a);
	util_dumb_destroy(c->comp, &b);
	return 0;
}

struct later {
	struct ctx *c;
	uint32_t fb;
};

static void *commit_later(void *arg)
{
	struct later *l = arg;

	usleep(300000);
	commit_damage(l->c, l->fb, (struct drm_mode_rect){ 0, 0, 1, 1 });
	return NULL;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * read() of the claim fd: whole events only (-EINVAL when the buffer
 * cannot take the next one, which stays; -EFAULT when it cannot be
 * written, and nothing is consumed), -EAGAIN when nothing is pending
 * and O_NONBLOCK, a blocking read that waits, POLLIN while something is
 * pending.  The events are state: frames committed while the daemon does
 * not read are one FRAME_READY naming the latest, with the damage of all.
 */
static int test_read_rules(struct ctx *c)
{
	struct drm_wfd_event_mode mode;
	struct drm_wfd_event_frame ev;
	struct drm_wfd_frame_acquire f;
	drmModeModeInfo small;
	struct wfd_dumb a, s;
	struct later later = { .c = c };
	uint64_t id, buf[512], seq;
	pthread_t th;
	double t0;
	void *bad;
	ssize_t n;
	int fl;

	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	CHECK(util_dumb_create(c->comp, 640, 480, DRM_FORMAT_XRGB8888, &s) == 0);
	CHECK(session_start(c, &id) == 0);
	fl = fcntl(c->claim, F_GETFL);
	CHECK(fl >= 0 && fcntl(c->claim, F_SETFL, fl | O_NONBLOCK) == 0);
	CHECK(read(c->claim, buf, sizeof(buf)) == -1 && errno == EAGAIN);
	CHECK(!readable(c->claim));

	CHECK(light_up(c, a.fb_id) == 0);
	for (int i = 0; i < 100 && !readable(c->claim); i++)
		usleep(50000);
	CHECK(readable(c->claim));
	/* Too small for any event: nothing is consumed. */
	CHECK(read(c->claim, buf, 8) == -1 && errno == EINVAL);
	CHECK(read(c->claim, buf, 0) <= 0);
	/* A buffer that cannot be written: -EFAULT, and nothing is consumed. */
	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(bad != MAP_FAILED);
	CHECK(read(c->claim, bad, 4096) == -1 && errno == EFAULT);
	munmap(bad, 4096);
	CHECK(readable(c->claim));
	usleep(100000);
	n = read(c->claim, buf, sizeof(buf));
	CHECK(n > 0);
	CHECK(check_read(buf, n) == 2);
	CHECK(buf_type(buf) == DRM_WFD_EVENT_MODE_SET);
	CHECK(read(c->claim, buf, sizeof(buf)) == -1 && errno == EAGAIN);
	CHECK(!readable(c->claim));

	/* Five frames unread are one FRAME_READY with the latest. */
	CHECK(acquire_wait(c->claim, id, &f, 2000) == 0);
	if (f.dmabuf_fd >= 0)
		close(f.dmabuf_fd);
	seq = f.sequence;
	CHECK(util_wfd_release(c->claim, id, seq) == 0);
	for (int i = 0; i < 5; i++)
		CHECK(commit_damage(c, a.fb_id, (struct drm_mode_rect){ 100 * i, 10 * i,
				    100 * i + 10, 10 * i + 5 }) == 0);
	usleep(100000);
	n = read(c->claim, buf, sizeof(buf));
	CHECK(n == sizeof(ev));
	CHECK(check_read(buf, n) == 1);
	memcpy(&ev, buf, sizeof(ev));
	ktap_diag("5 frames unread: FRAME_READY sequence %llu (acquired %llu), damage %d,%d-%d,%d",
		  (unsigned long long)ev.sequence, (unsigned long long)seq,
		  ev.damage.x1, ev.damage.y1, ev.damage.x2, ev.damage.y2);
	CHECK(ev.base.type == DRM_WFD_EVENT_FRAME_READY && ev.sequence == seq + 5);
	CHECK(ev.damage.x1 == 0 && ev.damage.y1 == 0 && ev.damage.x2 == 410 && ev.damage.y2 == 45);
	CHECK(util_wfd_acquire(c->claim, id, &f) == 0);
	CHECK(f.sequence == seq + 5 && f.superseded == 4);
	CHECK(f.damage.x1 == 0 && f.damage.y1 == 0 && f.damage.x2 == 410 && f.damage.y2 == 45);
	CHECK(util_wfd_release(c->claim, id, f.sequence) == 0);
	CHECK(read(c->claim, buf, sizeof(buf)) == -1 && errno == EAGAIN);

	/* Two events pending, a buffer that takes only the first. */
	CHECK(find_mode(c, c->conn, 640, 480, &small) == 0);
	CHECK(util_modeset(c->comp, c->crtc, c->conn, c->plane, &small, s.fb_id, 0) == 0);
	later.fb = s.fb_id;
	usleep(100000);
	CHECK(read(c->claim, buf, sizeof(struct drm_wfd_event_mode)) ==
	      sizeof(struct drm_wfd_event_mode));
	CHECK(buf_type(buf) == DRM_WFD_EVENT_MODE_SET);
	memcpy(&mode, buf, sizeof(mode));
	CHECK(mode.width == 640 && mode.height == 480);
	CHECK(read(c->claim, buf, sizeof(struct drm_wfd_event_mode)) == -1 && errno == EINVAL);
	CHECK(read(c->claim, buf, sizeof(buf)) == sizeof(ev));
	CHECK(buf_type(buf) == DRM_WFD_EVENT_FRAME_READY);
	CHECK(util_wfd_acquire(c->claim, id, &f) == 0);
	if (f.dmabuf_fd >= 0)
		close(f.dmabuf_fd);
	CHECK(util_wfd_release(c->claim, id, f.sequence) == 0);

	/* A blocking read waits for the next event (SIGALRM ends a hang). */
	CHECK(fcntl(c->claim, F_SETFL, fl & ~O_NONBLOCK) == 0);
	CHECK(sigaction(SIGALRM, &(struct sigaction){ .sa_handler = on_alarm }, NULL) == 0);
	CHECK(pthread_create(&th, NULL, commit_later, &later) == 0);
	alarm(10);
	t0 = util_now();
	n = read(c->claim, buf, sizeof(buf));
	alarm(0);
	ktap_diag("blocking read: %zd bytes after %.0f ms", n, (util_now() - t0) * 1000);
	pthread_join(th, NULL);
	CHECK(n == sizeof(ev) && buf_type(buf) == DRM_WFD_EVENT_FRAME_READY);

	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	util_dumb_destroy(c->comp, &a);
	util_dumb_destroy(c->comp, &s);
	return 0;
}

#define GONE_BUFFERS 300

/*
 * Nothing is lost however long the daemon does not read: it acquires
 * frame after frame in new buffers, which the compositor destroys one by
 * one, and reads only at the end.  Every buffer's BUFFER_GONE is there,
 * once, in order before the FRAME_READY.
 */
static int test_buffer_gone(struct ctx *c)
{
	static uint64_t ids[GONE_BUFFERS];
	static int fds[GONE_BUFFERS], seen[GONE_BUFFERS];
	static uint64_t buf[16384];
	struct drm_wfd_frame_acquire f;
	drmModeModeInfo mode;
	struct wfd_dumb p, t[2];
	uint64_t id, p_id;
	int gone = 0, reads = 0, frames = 0, fl;
	double t0 = util_now();

	CHECK(session_start(c, &id) == 0);
	CHECK(find_mode(c, c->conn, 640, 480, &mode) == 0);
	CHECK(util_dumb_create(c->comp, 640, 480, DRM_FORMAT_XRGB8888, &p) == 0);
	CHECK(util_modeset(c->comp, c->crtc, c->conn, c->plane, &mode, p.fb_id, 0) == 0);
	CHECK(acquire_wait(c->claim, id, &f, 5000) == 0);
	CHECK(f.dmabuf_fd >= 0);
	p_id = f.buffer_id;
	close(f.dmabuf_fd);
	CHECK(util_wfd_release(c->claim, id, f.sequence) == 0);

	memset(t, 0, sizeof(t));
	for (int i = 0; i < GONE_BUFFERS; i++) {
		struct wfd_dumb *cur = &t[i & 1], *prev = &t[!(i & 1)];

		CHECK(util_dumb_create(c->comp, 640, 480, DRM_FORMAT_XRGB8888, cur) == 0);
		CHECK(commit_fb(c, cur->fb_id, 0, NULL) == 0);
		CHECK(acquire_wait(c->claim, id, &f, 5000) == 0);
		if (!(f.flags & WFD_FRAME_NEW_BUFFER) || f.dmabuf_fd < 0 || f.buffer_id == p_id) {
			ktap_diag("buffer %d: flags %#x fd %d id %llu", i, f.flags, f.dmabuf_fd,
				  (unsigned long long)f.buffer_id);
			return 1;
		}
		ids[i] = f.buffer_id;
		fds[i] = f.dmabuf_fd;
		seen[i] = 0;
		CHECK(util_wfd_release(c->claim, id, f.sequence) == 0);
		/* Off the plane now: the compositor destroys it. */
		if (prev->handle)
			util_dumb_destroy(c->comp, prev);
	}
	CHECK(commit_fb(c, p.fb_id, 0, NULL) == 0);
	util_dumb_destroy(c->comp, &t[(GONE_BUFFERS - 1) & 1]);
	ktap_diag("%d buffers acquired and destroyed in %.1f s", GONE_BUFFERS, util_now() - t0);

	/* Now read it all. */
	fl = fcntl(c->claim, F_GETFL);
	CHECK(fl >= 0 && fcntl(c->claim, F_SETFL, fl | O_NONBLOCK) == 0);
	for (t0 = util_now(); util_now() - t0 < 2.0;) {
		ssize_t n = read(c->claim, buf, sizeof(buf)), off = 0;

		if (n < 0 && errno == EAGAIN) {
			usleep(20000);
			continue;
		}
		CHECK(n > 0);
		reads++;
		CHECK(check_read(buf, n) > 0);
		while (off < n) {
			const struct drm_event *e = (const void *)((const char *)buf + off);
			const struct drm_wfd_event_buffer_gone *g = (const void *)e;
			int k;

			off += e->length;
			CHECK(ev_session(e) == id);
			frames += e->type == DRM_WFD_EVENT_FRAME_READY;
			if (e->type != DRM_WFD_EVENT_BUFFER_GONE)
				continue;
			for (k = 0; k < GONE_BUFFERS && ids[k] != g->buffer_id; k++)
				;
			if (k == GONE_BUFFERS || seen[k]) {
				ktap_diag("BUFFER_GONE of buffer %llu: %s",
					  (unsigned long long)g->buffer_id,
					  k == GONE_BUFFERS ? "never handed out" : "again");
				return 1;
			}
			seen[k] = 1;
			close(fds[k]);
			gone++;
		}
	}
	ktap_diag("%d BUFFER_GONE, %d FRAME_READY in %d reads", gone, frames, reads);
	CHECK(gone == GONE_BUFFERS);
	CHECK(frames == 1);
	CHECK(fcntl(c->claim, F_SETFL, fl) == 0);
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	util_dumb_destroy(c->comp, &p);
	return 0;
}

/*
 * The frame acquired is the buffer on the plane now.  Flip to A with
 * damage (a frame), then to B with damage only outside the visible area
 * (no new frame): the acquire that follows gets B, under the same
 * sequence, and never A, which is off the plane and free for the
 * compositor to draw into.
 */
static int test_stale_fb(struct ctx *c)
{
	struct drm_wfd_event_frame ev;
	struct drm_wfd_frame_acquire f;
	struct wfd_dumb p, a, b;
	uint64_t id, p_id;

	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &p) == 0);
	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &b) == 0);
	util_dumb_fill(&p, fill_color(1));
	util_dumb_fill(&a, fill_color(2));
	util_dumb_fill(&b, fill_color(3));
	CHECK(session_start(c, &id) == 0);
	CHECK(light_up(c, p.fb_id) == 0);
	CHECK(wait_event(&c->q, id, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(util_wfd_acquire(c->claim, id, &f) == 0);
	p_id = f.buffer_id;
	if (f.dmabuf_fd >= 0)
		close(f.dmabuf_fd);
	CHECK(util_wfd_release(c->claim, id, f.sequence) == 0);

	CHECK(commit_damage(c, a.fb_id, (struct drm_mode_rect){ 0, 0, 64, 64 }) == 0);
	CHECK(wait_event(&c->q, id, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(commit_damage(c, b.fb_id, (struct drm_mode_rect){ 3000, 0, 3100, 10 }) == 0);
	usleep(100000);
	CHECK(util_wfd_acquire(c->claim, id, &f) == 0);
	ktap_diag("frame %llu of buffer %llu (the first was %llu); pixel %08x (A %08x, B %08x)",
		  (unsigned long long)f.sequence, (unsigned long long)f.buffer_id,
		  (unsigned long long)p_id, f.dmabuf_fd >= 0 ?
		  (check_pixels(&f, f.dmabuf_fd, &b) ? fill_color(3) :
		   check_pixels(&f, f.dmabuf_fd, &a) ? fill_color(2) : 0) : 0,
		  fill_color(2), fill_color(3));
	CHECK(f.sequence == ev.sequence);
	CHECK((f.flags & WFD_FRAME_NEW_BUFFER) && f.dmabuf_fd >= 0 && f.buffer_id != p_id);
	CHECK(check_pixels(&f, f.dmabuf_fd, &b));
	close(f.dmabuf_fd);
	CHECK(util_wfd_release(c->claim, id, f.sequence) == 0);
	CHECK(util_wfd_acquire(c->claim, id, &f) == -EAGAIN);
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	util_dumb_destroy(c->comp, &p);
	util_dumb_destroy(c->comp, &a);
	util_dumb_destroy(c->comp, &b);
	return 0;
}

/*
 * An acquire that cannot write its answer back (-EFAULT) has done
 * nothing: no fd is left in the caller's table, no frame is held, and
 * the same frame, still new with its buffer, is acquired next.
 */
static int test_acquire_efault(struct ctx *c)
{
	struct drm_wfd_event_frame ev;
	struct drm_wfd_frame_acquire f, *ro;
	struct wfd_dumb a;
	uint64_t id;
	int fds0;

	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	util_dumb_fill(&a, fill_color(4));
	CHECK(session_start(c, &id) == 0);
	CHECK(light_up(c, a.fb_id) == 0);
	CHECK(wait_event(&c->q, id, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	fds0 = util_count_fds();

	/* Readable, so the request is read; not writable, so no answer. */
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	memset(ro, 0, sizeof(*ro));
	ro->session_id = id;
	ro->dmabuf_fd = -1;
	CHECK(mprotect(ro, 4096, PROT_READ) == 0);
	for (int i = 0; i < 3; i++)
		CHECK(util_ioctl(c->claim, WFD_IOCTL_FRAME_ACQUIRE, ro) == -EFAULT);
	munmap(ro, 4096);
	CHECK(util_ioctl(c->claim, WFD_IOCTL_FRAME_ACQUIRE, NULL) == -EFAULT);
	CHECK(util_count_fds() == fds0);
	CHECK(util_wfd_state(c->comp, "output1.frame_held") == 0);

	CHECK(util_wfd_acquire(c->claim, id, &f) == 0);
	CHECK(f.sequence == ev.sequence && f.superseded == 0);
	CHECK((f.flags & WFD_FRAME_NEW_BUFFER) && f.dmabuf_fd >= 0);
	CHECK(check_pixels(&f, f.dmabuf_fd, &a));
	close(f.dmabuf_fd);
	CHECK(util_wfd_release(c->claim, id, f.sequence) == 0);
	CHECK(util_count_fds() == fds0);
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	util_dumb_destroy(c->comp, &a);
	return 0;
}

/* --- tests: modes and DPMS -------------------------------------------- */

/* MODE_SET and DPMS events of one session, as letters and copies. */
struct mode_dpms_seq {
	uint64_t id;
	size_t want, got;
	char seq[16];
	struct drm_wfd_event_mode mode[16];
};

static bool note_mode_dpms(const struct drm_event *e, void *arg)
{
	struct mode_dpms_seq *s = arg;
	const struct drm_wfd_event_mode *m = (const void *)e;
	const struct drm_wfd_event_dpms *d = (const void *)e;

	if (ev_session(e) != s->id || s->got >= sizeof(s->seq) - 1)
		return s->got == s->want;
	if (e->type == DRM_WFD_EVENT_MODE_SET) {
		s->mode[s->got] = *m;
		s->seq[s->got++] = m->width ? 'M' : 'Z';
	} else if (e->type == DRM_WFD_EVENT_DPMS) {
		s->seq[s->got++] = d->state == WFD_DPMS_ON ? '1' :
				   d->state == WFD_DPMS_OFF ? '0' : '?';
	}
	return s->got == s->want;
}

/*
 * The next @n (at most 15) MODE_SET and DPMS events of session @id, in
 * order, as letters: 'M' for a mode, 'Z' for a disable, '0'/'1' for DPMS
 * off/on.  Waits up to @ms; fewer when they do not come.
 */
static const char *mode_dpms_events(struct evq *q, uint64_t id, size_t n, int ms,
				    struct mode_dpms_seq *s)
{
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->want = n;
	read_events(q, ms, note_mode_dpms, s);
	return s->seq;
}

struct first_of {
	uint64_t id;
	struct drm_wfd_event_mode mode;
	uint32_t type;
};

static bool note_mode_or_frame(const struct drm_event *e, void *arg)
{
	struct first_of *f = arg;

	if (ev_session(e) != f->id ||
	    (e->type != DRM_WFD_EVENT_MODE_SET && e->type != DRM_WFD_EVENT_FRAME_READY))
		return false;
	f->type = e->type;
	if (e->type == DRM_WFD_EVENT_MODE_SET)
		f->mode = *(const struct drm_wfd_event_mode *)e;
	return true;
}

/* The type of the first of MODE_SET and FRAME_READY of session @id, or 0. */
static uint32_t first_of_mode_frame(struct evq *q, uint64_t id, int ms,
				    struct drm_wfd_event_mode *mode)
{
	struct first_of f = { .id = id };

	if (read_events(q, ms, note_mode_or_frame, &f))
		return 0;
	*mode = f.mode;
	return f.type;
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
	uint64_t id;

	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	CHECK(session_start(c, &id) == 0);
	CHECK(light_up(c, a.fb_id) == 0);
	CHECK(first_of_mode_frame(&c->q, id, 5000, &mode) == DRM_WFD_EVENT_MODE_SET);
	CHECK(mode.session_id == id && mode.output == 1 && mode.pad == 0);
	CHECK(mode.width == 1280 && mode.height == 720 && mode.clock_khz > 0);
	CHECK(mode.refresh_mhz > 59000 && mode.refresh_mhz < 61000);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);

	/* The CRTC stays on; the next session is told its mode at connect. */
	CHECK(session_start(c, &id) == 0);
	CHECK(first_of_mode_frame(&c->q, id, 2000, &mode) == DRM_WFD_EVENT_MODE_SET);
	CHECK(mode.session_id == id && mode.width == 1280 && mode.height == 720);
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	util_dumb_destroy(c->comp, &a);
	return 0;
}

/*
 * DPMS off and on again, with the mode kept, reach the daemon as DPMS
 * events and not as mode changes: the sink goes to standby and resumes.
 * Events are state: off and on again between two reads is no change.
 */
static int test_dpms(struct ctx *c)
{
	struct mode_dpms_seq s;
	struct wfd_dumb a;
	const char *seq;
	uint64_t id;

	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	CHECK(session_start(c, &id) == 0);
	CHECK(light_up(c, a.fb_id) == 0);
	CHECK(!strcmp(mode_dpms_events(&c->q, id, 1, 5000, &s), "M"));
	CHECK(set_active(c, false) == 0);
	seq = mode_dpms_events(&c->q, id, 1, 5000, &s);
	ktap_diag("dpms off: events %s", seq);
	CHECK(!strcmp(seq, "0"));
	CHECK(set_active(c, true) == 0);
	seq = mode_dpms_events(&c->q, id, 1, 5000, &s);
	ktap_diag("dpms on: events %s", seq);
	CHECK(!strcmp(seq, "1"));
	/* Off and on before the daemon reads: back where it was. */
	CHECK(set_active(c, false) == 0);
	CHECK(set_active(c, true) == 0);
	seq = mode_dpms_events(&c->q, id, 1, 500, &s);
	ktap_diag("dpms off and on unread: events '%s'", seq);
	CHECK(!strcmp(seq, ""));
	/* A session that connects to an output that is off learns both. */
	CHECK(set_active(c, false) == 0);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	CHECK(session_start(c, &id) == 0);
	seq = mode_dpms_events(&c->q, id, 2, 5000, &s);
	ktap_diag("connect while off: events %s", seq);
	CHECK(!strcmp(seq, "M0"));
	CHECK(s.mode[0].width == 1280);
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	util_dumb_destroy(c->comp, &a);
	return 0;
}

/*
 * A compositor may change the mode while the output is off: a commit
 * {ACTIVE=0, MODE_ID=B} then {ACTIVE=1} lights the output with B, and the
 * daemon must learn B (not just DPMS off and on, which would leave the
 * sink in the old mode).  Disabling after DPMS off is a MODE_SET of zeros.
 */
static int test_dpms_mode_change(struct ctx *c)
{
	drmModeModeInfo big, small;
	struct mode_dpms_seq s;
	struct wfd_dumb a, b;
	const char *seq;
	uint64_t id;

	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	CHECK(util_dumb_create(c->comp, 640, 480, DRM_FORMAT_XRGB8888, &b) == 0);
	CHECK(session_start(c, &id) == 0);
	CHECK(find_mode(c, c->conn, 1280, 720, &big) == 0);
	CHECK(find_mode(c, c->conn, 640, 480, &small) == 0);
	CHECK(util_modeset(c->comp, c->crtc, c->conn, c->plane, &big, a.fb_id, 0) == 0);
	CHECK(!strcmp(mode_dpms_events(&c->q, id, 1, 5000, &s), "M"));
	CHECK(s.mode[0].width == 1280);

	/* Read between the two commits. */
	CHECK(commit_crtc(c, false, &small, b.fb_id) == 0);
	seq = mode_dpms_events(&c->q, id, 2, 5000, &s);
	ktap_diag("off with a new mode: events %s", seq);
	CHECK(!strcmp(seq, "M0"));
	CHECK(s.mode[0].width == 640 && s.mode[0].height == 480);
	CHECK(set_active(c, true) == 0);
	seq = mode_dpms_events(&c->q, id, 1, 5000, &s);
	ktap_diag("then on: events %s", seq);
	CHECK(!strcmp(seq, "1"));

	/* Both commits before the daemon reads: it is lit in the new mode. */
	CHECK(commit_crtc(c, false, &big, a.fb_id) == 0);
	CHECK(set_active(c, true) == 0);
	seq = mode_dpms_events(&c->q, id, 2, 1000, &s);
	ktap_diag("off with a new mode, then on, unread: events %s", seq);
	CHECK(seq[0] == 'M' && s.mode[0].width == 1280 && s.mode[0].height == 720);
	CHECK(!strchr(seq, '0') && !strchr(seq, 'Z'));

	/* Disabled after DPMS off. */
	CHECK(set_active(c, false) == 0);
	CHECK(!strcmp(mode_dpms_events(&c->q, id, 1, 5000, &s), "0"));
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	seq = mode_dpms_events(&c->q, id, 1, 5000, &s);
	ktap_diag("disable after dpms off: events %s", seq);
	CHECK(!strcmp(seq, "Z"));
	CHECK(!s.mode[0].width && !s.mode[0].height && !s.mode[0].refresh_mhz &&
	      !s.mode[0].clock_khz);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	util_dumb_destroy(c->comp, &a);
	util_dumb_destroy(c->comp, &b);
	return 0;
}

/*
 * While a session is connected, the atomic check refuses modes beyond the
 * limits it gave at CONNECT, not only the probe: a compositor's own mode
 * cannot overrun the daemon's pipeline.  Without a session there is no
 * such limit.
 */
static int test_session_limits(struct ctx *c)
{
	static const struct wfd_mode lm[] = { { 1920, 1080, 30 }, { 1280, 720, 60 }, { 640, 480, 60 } };
	drmModeModeInfo m1080, m720, m480;
	drmModeConnectorPtr conn;
	drmModeCrtcPtr crtc;
	struct wfd_dumb f1080, f720, f480;
	uint8_t edid[256];
	uint64_t id;
	int size = wfd_edid_synthesize(lm, 3, "LIMITS", edid, sizeof(edid));

	CHECK(size > 0);
	CHECK(util_dumb_create(c->comp, 1920, 1080, DRM_FORMAT_XRGB8888, &f1080) == 0);
	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &f720) == 0);
	CHECK(util_dumb_create(c->comp, 640, 480, DRM_FORMAT_XRGB8888, &f480) == 0);
	CHECK(claim(c) == 0);
	CHECK(util_wfd_connect(c->claim, edid, (size_t)size, 0, 0, 0, &id) == 0);
	CHECK(find_mode(c, c->conn, 1920, 1080, &m1080) == 0);
	CHECK(find_mode(c, c->conn, 1280, 720, &m720) == 0);
	CHECK(find_mode(c, c->conn, 640, 480, &m480) == 0);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);

	/* Size limits. */
	CHECK(util_wfd_connect(c->claim, edid, (size_t)size, 1280, 720, 0, &id) == 0);
	conn = drmModeGetConnector(c->comp, c->conn);
	CHECK(conn && conn->count_modes == 2);
	for (int i = 0; i < conn->count_modes; i++)
		CHECK(conn->modes[i].hdisplay <= 1280 && conn->modes[i].vdisplay <= 720);
	drmModeFreeConnector(conn);
	CHECK_ERRNO(util_modeset(c->comp, c->crtc, c->conn, c->plane, &m1080, f1080.fb_id,
				 DRM_MODE_ATOMIC_TEST_ONLY), EINVAL);
	CHECK(util_modeset(c->comp, c->crtc, c->conn, c->plane, &m720, f720.fb_id,
			   DRM_MODE_ATOMIC_TEST_ONLY) == 0);
	CHECK(util_modeset(c->comp, c->crtc, c->conn, c->plane, &m720, f720.fb_id, 0) == 0);
	CHECK_ERRNO(util_modeset(c->comp, c->crtc, c->conn, c->plane, &m1080, f1080.fb_id, 0),
		    EINVAL);
	crtc = drmModeGetCrtc(c->comp, c->crtc);
	CHECK(crtc && crtc->mode_valid && crtc->mode.hdisplay == 1280);
	drmModeFreeCrtc(crtc);
	/* Within the limits, commits go on as before. */
	CHECK(commit_fb(c, f720.fb_id, 0, NULL) == 0);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);

	/* A pixel rate limit between 640x480@60 and 1280x720@60. */
	CHECK(util_wfd_connect(c->claim, edid, (size_t)size, 0, 0, 30000000, &id) == 0);
	conn = drmModeGetConnector(c->comp, c->conn);
	CHECK(conn && conn->count_modes == 1 && conn->modes[0].hdisplay == 640);
	drmModeFreeConnector(conn);
	CHECK_ERRNO(util_modeset(c->comp, c->crtc, c->conn, c->plane, &m720, f720.fb_id,
				 DRM_MODE_ATOMIC_TEST_ONLY), EINVAL);
	CHECK_ERRNO(util_modeset(c->comp, c->crtc, c->conn, c->plane, &m1080, f1080.fb_id,
				 DRM_MODE_ATOMIC_TEST_ONLY), EINVAL);
	CHECK(util_modeset(c->comp, c->crtc, c->conn, c->plane, &m480, f480.fb_id, 0) == 0);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);

	/* No session: no limit of a session. */
	CHECK(util_modeset(c->comp, c->crtc, c->conn, c->plane, &m1080, f1080.fb_id,
			   DRM_MODE_ATOMIC_TEST_ONLY) == 0);
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	util_dumb_destroy(c->comp, &f1080);
	util_dumb_destroy(c->comp, &f720);
	util_dumb_destroy(c->comp, &f480);
	return 0;
}

/* --- tests: holding frames ----------------------------------------------- */

#define HOLD_PARAM "/sys/module/wfd/parameters/hold_timeout_ms"

/*
 * The legacy page flip retiring a held buffer completes at the first
 * vblank after FRAME_RELEASE; a daemon that never releases delays it by
 * hold_timeout_ms only, and its release then says -ETIMEDOUT.  The
 * parameter is fixed at load (0444).
 */
static int test_hold(struct ctx *c)
{
	struct drm_wfd_event_frame ev;
	struct drm_wfd_frame_acquire f;
	struct wfd_dumb fb[2];
	int hold = hold_timeout_ms(), next = 1, tries;
	bool done = false;
	long timeouts0;
	double t0, t1, ta;
	unsigned int vbl;
	struct stat st;
	uint64_t id;

	ktap_diag("hold_timeout_ms %d", hold);
	CHECK(hold >= 10 && hold <= 1000);
	CHECK(stat(HOLD_PARAM, &st) == 0 && !(st.st_mode & 0222));
	CHECK(util_write_file(HOLD_PARAM, "500") < 0 && hold_timeout_ms() == hold);

	CHECK(session_start(c, &id) == 0);
	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &fb[0]) == 0);
	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &fb[1]) == 0);
	CHECK(light_up(c, fb[0].fb_id) == 0);
	CHECK(wait_event(&c->q, id, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(util_wfd_acquire(c->claim, id, &f) == 0);

	/* Held: the flip retiring it completes only after the release. */
	for (tries = 0; tries < 3 && !done; tries++) {
		bool early;
		int ret;

		flips_reset();
		t0 = util_now();
		CHECK(flip(c, fb[next].fb_id, DRM_MODE_PAGE_FLIP_EVENT) == 0);
		usleep((useconds_t)hold * 250);
		early = readable(c->comp);
		vbl = vblank_now(c->comp);
		t1 = util_now();
		ret = util_wfd_release(c->claim, id, f.sequence);
		if ((t1 - t0) * 1000 < hold * 0.8) {
			CHECK(!early);
			CHECK(ret == 0);
			CHECK(flips_wait(c->comp, 1, 5000) == 0);
			ktap_diag("hold: flip completed %.1f ms after the release, vblank %u -> %u",
				  (util_now() - t1) * 1000, vbl, g_flips.seq);
			CHECK(g_flips.seq > vbl);
			done = true;
			break;
		}
		/* The VM was too slow to release before the timeout: again. */
		ktap_diag("release came %.0f ms after the flip (timeout %d ms): again",
			  (t1 - t0) * 1000, hold);
		CHECK(flips_wait(c->comp, 1, 5000) == 0);
		CHECK(wait_event(&c->q, id, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
		CHECK(util_wfd_acquire(c->claim, id, &f) == 0);
		next = !next;
	}
	CHECK(done);

	/* A daemon that never releases stalls the flip only for the timeout. */
	next = !next;
	timeouts0 = util_wfd_state(c->comp, "output1.hold_timeouts");
	CHECK(wait_event(&c->q, id, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(util_wfd_acquire(c->claim, id, &f) == 0);
	ta = util_now();
	flips_reset();
	CHECK(flip(c, fb[next].fb_id, DRM_MODE_PAGE_FLIP_EVENT) == 0);
	t0 = util_now();
	CHECK(flips_wait(c->comp, 1, hold + 5000) == 0);
	t1 = util_now();
	ktap_diag("hold timeout: flip completed %.1f ms after the acquire, %.1f ms after the flip (timeout %d ms)",
		  (t1 - ta) * 1000, (t1 - t0) * 1000, hold);
	CHECK((t1 - ta) * 1000 >= hold * 0.9);
	CHECK(util_wfd_state(c->comp, "output1.hold_timeouts") == timeouts0 + 1);
	CHECK(util_wfd_release(c->claim, id, f.sequence) == -ETIMEDOUT);
	CHECK(util_wfd_release(c->claim, id, f.sequence) == -EINVAL);
	/* And both go on. */
	CHECK(acquire_wait(c->claim, id, &f, 5000) == 0);
	CHECK(util_wfd_release(c->claim, id, f.sequence) == 0);

	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	util_dumb_destroy(c->comp, &fb[0]);
	util_dumb_destroy(c->comp, &fb[1]);
	return 0;
}

static bool fence_signaled(int fence, int ms)
{
	struct pollfd p = { .fd = fence, .events = POLLIN };

	return fence >= 0 && poll(&p, 1, ms) == 1;
}

/*
 * The compositor never waits on the daemon: a blocking atomic commit that
 * retires a held buffer returns at once, while its flip event and
 * out-fence come at the first vblank after the release.  Meanwhile a
 * nonblocking commit on the CRTC is -EBUSY, as for any commit in flight.
 * Without a release they come after about hold_timeout_ms, and the release
 * then says -ETIMEDOUT.
 */
static int test_commit_never_waits(struct ctx *c)
{
	struct drm_wfd_event_frame ev;
	struct drm_wfd_frame_acquire f;
	struct wfd_dumb fb[2];
	int hold = hold_timeout_ms(), next = 1, tries, fence = -1;
	bool done = false;
	double t0, t1, ta, took;
	long timeouts0;
	unsigned int vbl;
	uint64_t id;

	CHECK(hold >= 10 && hold <= 1000);
	CHECK(session_start(c, &id) == 0);
	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &fb[0]) == 0);
	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &fb[1]) == 0);
	CHECK(light_up(c, fb[0].fb_id) == 0);
	CHECK(wait_event(&c->q, id, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(util_wfd_acquire(c->claim, id, &f) == 0);

	for (tries = 0; tries < 3 && !done; tries++) {
		int ret, nb, legacy, legacy_errno;
		bool early;

		flips_reset();
		t0 = util_now();
		ret = commit_fb(c, fb[next].fb_id, DRM_MODE_PAGE_FLIP_EVENT, &fence);
		took = util_now() - t0;
		ktap_diag("blocking commit retiring the held buffer: %d after %.1f ms (timeout %d ms)",
			  ret, took * 1000, hold);
		CHECK(ret == 0 && fence >= 0);
		CHECK(took * 1000 < hold * 0.5);
		nb = commit_fb(c, fb[!next].fb_id, DRM_MODE_PAGE_FLIP_EVENT |
			       DRM_MODE_ATOMIC_NONBLOCK, NULL);
		legacy = flip(c, fb[!next].fb_id, DRM_MODE_PAGE_FLIP_EVENT);
		legacy_errno = errno;
		usleep((useconds_t)hold * 200);
		early = readable(c->comp) || fence_signaled(fence, 0);
		vbl = vblank_now(c->comp);
		t1 = util_now();
		ret = util_wfd_release(c->claim, id, f.sequence);
		if ((t1 - t0) * 1000 < hold * 0.8) {
			ktap_diag("meanwhile: nonblocking commit %d, page flip %d (%s)", nb,
				  legacy, legacy ? strerror(legacy_errno) : "");
			CHECK(nb == -EBUSY);
			CHECK(legacy != 0 && legacy_errno == EBUSY);
			CHECK(!early);
			CHECK(ret == 0);
			CHECK(flips_wait(c->comp, 1, 5000) == 0);
			CHECK(fence_signaled(fence, 5000));
			ktap_diag("flip event %.1f ms after the release, vblank %u -> %u",
				  (util_now() - t1) * 1000, vbl, g_flips.seq);
			CHECK(g_flips.seq > vbl);
			done = true;
		} else {
			ktap_diag("release came %.0f ms after the commit: again", (t1 - t0) * 1000);
			/* The hold was over: the other commits may have gone through. */
			CHECK(flips_wait(c->comp, 1 + !nb + !legacy, 5000) == 0);
			CHECK(wait_event(&c->q, id, DRM_WFD_EVENT_FRAME_READY, 5000, &ev,
					 sizeof(ev)) == 0);
			CHECK(acquire_wait(c->claim, id, &f, 5000) == 0);
			if (nb && legacy)
				next = !next;
		}
		close(fence);
		fence = -1;
	}
	CHECK(done);

	/* No release: the timeout completes it. */
	next = !next;
	timeouts0 = util_wfd_state(c->comp, "output1.hold_timeouts");
	CHECK(wait_event(&c->q, id, DRM_WFD_EVENT_FRAME_READY, 5000, &ev, sizeof(ev)) == 0);
	CHECK(util_wfd_acquire(c->claim, id, &f) == 0);
	ta = util_now();
	flips_reset();
	CHECK(commit_fb(c, fb[next].fb_id, DRM_MODE_PAGE_FLIP_EVENT, &fence) == 0);
	took = util_now() - ta;
	CHECK(took * 1000 < hold * 0.5);
	CHECK(flips_wait(c->comp, 1, hold + 5000) == 0);
	t1 = util_now();
	CHECK(fence_signaled(fence, 1000));
	close(fence);
	ktap_diag("no release: commit returned after %.1f ms, flip event %.1f ms after the acquire (timeout %d ms)",
		  took * 1000, (t1 - ta) * 1000, hold);
	CHECK((t1 - ta) * 1000 >= hold * 0.9);
	CHECK(util_wfd_state(c->comp, "output1.hold_timeouts") == timeouts0 + 1);
	CHECK(util_wfd_release(c->claim, id, f.sequence) == -ETIMEDOUT);

	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	util_dumb_destroy(c->comp, &fb[0]);
	util_dumb_destroy(c->comp, &fb[1]);
	return 0;
}

/* --- tests: ending sessions -------------------------------------------- */

static int test_status(struct ctx *c)
{
	struct drm_wfd_get_info info;
	long ended0 = util_wfd_state(c->comp, "output1.sessions_ended");
	char ending[160], want[32];
	uint32_t status;

	CHECK(claim(c) == 0);
	for (status = 0; status <= WFD_STATUS_MAX; status++) {
		uint64_t id;
		double t0, ms;

		CHECK(util_wfd_connect(c->claim, c->edid, (size_t)c->edid_size, 0, 0, 0, &id) == 0);
		CHECK(conn_status(c) == DRM_MODE_CONNECTED);
		uevent_drain(c->uevent);
		t0 = util_now();
		CHECK(util_wfd_report_status(c->claim, id, status, -(int32_t)(100 + status)) == 0);
		ms = uevent_wait_hotplug(c->uevent, 5000);
		CHECK(ms >= 0);
		CHECK(conn_status(c) == DRM_MODE_DISCONNECTED);
		ktap_diag("status %u: unplug uevent %.1f ms after the ioctl",
			  status, (util_now() - t0) * 1000);
		CHECK(util_wfd_report_status(c->claim, id, status, 0) == -ENOENT);
		/* The claim stays for the next sink. */
		CHECK(util_wfd_get_info(c->card, &info) == 0);
		CHECK(info.outputs[0].flags == WFD_OUTPUT_CLAIMED && info.outputs[0].session_id == 0);
		CHECK(util_wfd_state_str(c->comp, "output1.ending", ending, sizeof(ending)) == 0);
		snprintf(want, sizeof(want), "diag %d", -(int)(100 + status));
		CHECK(strstr(ending, want));
	}
	CHECK(util_wfd_state(c->comp, "output1.sessions_ended") == ended0 + WFD_STATUS_MAX + 1);
	return 0;
}

static int test_bad_status(struct ctx *c)
{
	struct drm_wfd_report_status bad = { .status = 0, .flags = 2 };
	uint64_t id;

	CHECK(session_start(c, &id) == 0);
	CHECK(util_wfd_report_status(c->claim, id, WFD_STATUS_MAX + 1, 0) == -EINVAL);
	CHECK(util_wfd_report_status(c->claim, id, 0xffffffffu, 0) == -EINVAL);
	CHECK(util_wfd_report_status(c->claim, id + 1000, 0, 0) == -ENOENT);
	CHECK(util_wfd_report_status(c->claim, 0, 0, 0) == -ENOENT);
	bad.session_id = id;
	CHECK(util_ioctl(c->claim, WFD_IOCTL_REPORT_STATUS, &bad) == -EINVAL);
	CHECK(conn_status(c) == DRM_MODE_CONNECTED);
	CHECK(util_wfd_disconnect(c->claim, id) == 0);
	return 0;
}

static int test_kill_daemon(struct ctx *c)
{
	struct wfd_dumb a, b;
	long timeouts0 = util_wfd_state(c->comp, "output1.hold_timeouts");
	int pipefd[2], fd;
	char ch, ending[160];
	pid_t pid;
	double t0;

	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &b) == 0);
	CHECK(pipe(pipefd) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct drm_wfd_event_frame ev;
		struct drm_wfd_frame_acquire f;
		static struct evq q;
		int card = wfd_open(NULL), claim_fd;
		uint64_t id;

		claim_fd = card < 0 ? -1 : util_wfd_claim(card, 1, NULL);
		if (claim_fd < 0 || util_wfd_connect(claim_fd, c->edid, (size_t)c->edid_size,
						     0, 0, 0, &id))
			_exit(1);
		evq_init(&q, claim_fd);
		(void)!write(pipefd[1], "c", 1);
		/* Hold a frame and die holding it. */
		if (!wait_event(&q, id, DRM_WFD_EVENT_FRAME_READY, 10000, &ev, sizeof(ev)) &&
		    !util_wfd_acquire(claim_fd, id, &f))
			(void)!write(pipefd[1], "h", 1);
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
	CHECK(util_wfd_state(c->comp, "output1.claimed") == 0);
	CHECK(util_wfd_state_str(c->comp, "output1.ending", ending, sizeof(ending)) == 0);
	CHECK(strstr(ending, "companion disconnect"));
	/* What it held is free: the flip retiring it is not delayed. */
	flips_reset();
	CHECK(flip(c, b.fb_id, DRM_MODE_PAGE_FLIP_EVENT) == 0);
	CHECK(flips_wait(c->comp, 1, 5000) == 0);
	CHECK(util_wfd_state(c->comp, "output1.hold_timeouts") == timeouts0);
	/* A new daemon claims the output at once. */
	fd = util_wfd_claim(c->card, 1, NULL);
	CHECK(fd >= 0);
	close(fd);
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	util_dumb_destroy(c->comp, &a);
	util_dumb_destroy(c->comp, &b);
	return 0;
}

#define CYCLES 1000

/*
 * Many sessions, on claims made from card fds closed at once, ended every
 * way: session ids are never 0 and never repeat, and nothing leaks.
 */
static int test_cycles(struct ctx *c)
{
	static uint64_t ids[CYCLES];
	struct wfd_dumb a;
	long gem0, gem = -1;
	int fds0 = util_count_fds(), i, fd = -1;
	double t0 = util_now(), t1;

	CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888, &a) == 0);
	gem0 = util_wfd_state(c->comp, "gem_objects");
	for (i = 0; i < CYCLES; i++) {
		struct drm_wfd_frame_acquire f;
		uint64_t id;

		if (fd < 0 || i % 7 == 0) {
			int card = wfd_open(NULL);

			if (fd >= 0)
				close(fd);
			CHECK(card >= 0);
			fd = util_wfd_claim(card, 1, NULL);
			close(card);
			CHECK(fd >= 0);
		}
		CHECK(util_wfd_connect(fd, c->edid, (size_t)c->edid_size, 0, 0, 0, &id) == 0);
		CHECK(id != 0);
		for (int j = 0; j < i; j++)
			if (ids[j] == id) {
				ktap_diag("session id %llu of cycle %d again in cycle %d",
					  (unsigned long long)id, j, i);
				return 1;
			}
		ids[i] = id;
		if (i == 0)
			CHECK(light_up(c, a.fb_id) == 0);
		else
			CHECK(flip(c, a.fb_id, 0) == 0 || errno == EBUSY);
		if (util_wfd_acquire(fd, id, &f) == 0) {
			if (f.dmabuf_fd >= 0)
				close(f.dmabuf_fd);
			util_wfd_release(fd, id, f.sequence);
		}
		switch (i % 3) {
		case 0: CHECK(util_wfd_disconnect(fd, id) == 0); break;
		case 1: CHECK(util_wfd_report_status(fd, id, (uint32_t)i % 6, -i) == 0); break;
		default: close(fd); fd = -1; break;	/* closing the claim ends it */
		}
	}
	if (fd >= 0)
		close(fd);
	CHECK(util_disable(c->comp, c->crtc, c->conn, c->plane) == 0);
	/* A commit still in flight holds its buffer a little longer. */
	for (t1 = util_now(); util_now() - t1 < 5.0; usleep(20000)) {
		gem = util_wfd_state(c->comp, "gem_objects");
		if (gem == gem0)
			break;
	}
	ktap_diag("%d cycles in %.1f s; gem objects %ld -> %ld, fds %d -> %d", CYCLES,
		  util_now() - t0, gem0, gem, fds0, util_count_fds());
	CHECK(gem == gem0);
	CHECK(util_count_fds() == fds0);
	CHECK(util_wfd_state(c->comp, "output1.session") == 0);
	CHECK(util_wfd_state(c->comp, "output1.claimed") == 0);
	util_dumb_destroy(c->comp, &a);
	return 0;
}

struct race {
	struct ctx *c;
	int fd;
	uint64_t id;
	uint32_t fb[2];
	volatile int stop;
	int which;
};

static void *race_thread(void *arg)
{
	struct race *r = arg;
	struct drm_wfd_frame_acquire f;
	uint64_t buf[256];
	unsigned int k = 0;

	while (!r->stop) {
		switch (r->which) {
		case 0:
			if (!util_wfd_acquire(r->fd, r->id, &f)) {
				if (f.dmabuf_fd >= 0)
					close(f.dmabuf_fd);
				util_wfd_release(r->fd, r->id, f.sequence);
			}
			break;
		case 1:
			commit_fb(r->c, r->fb[k++ & 1], DRM_MODE_ATOMIC_NONBLOCK, NULL);
			break;
		case 2: {
			struct drm_wfd_report_stats st = { .session_id = r->id, .fps_milli = 1 };

			util_wfd_report_stats(r->fd, &st);
			break;
		}
		case 3: {
			struct pollfd p = { .fd = r->fd, .events = POLLIN };

			if (poll(&p, 1, 10) == 1)
				(void)!read(r->fd, buf, sizeof(buf));
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
		struct race r[4];
		pthread_t th[4];
		int fd = util_wfd_claim(c->card, 1, NULL);
		uint64_t id;

		CHECK(fd >= 0);
		CHECK(fcntl(fd, F_SETFL, O_NONBLOCK) == 0);
		CHECK(util_wfd_connect(fd, c->edid, (size_t)c->edid_size, 0, 0, 0, &id) == 0);
		if (!rounds)
			CHECK(light_up(c, a.fb_id) == 0);
		for (int i = 0; i < 4; i++) {
			r[i] = (struct race){ .c = c, .fd = fd, .id = id, .which = i,
					      .fb = { a.fb_id, b.fb_id } };
			pthread_create(&th[i], NULL, race_thread, &r[i]);
		}
		for (int k = 0; k < 20; k++) {
			drmModePageFlip(c->comp, c->crtc, (k & 1) ? a.fb_id : b.fb_id, 0, NULL);
			usleep(5000);
		}
		/* End the session while the threads hammer it. */
		if (rounds & 1)
			util_wfd_report_status(fd, id, WFD_STATUS_CRITICAL_ERROR, -1);
		else
			close(fd);
		usleep(20000);
		for (int i = 0; i < 4; i++)
			r[i].stop = 1;
		for (int i = 0; i < 4; i++)
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
	CHECK(util_wfd_state(c->comp, "output1.claimed") == 0);
	return 0;
}

/* --- two outputs ------------------------------------------------------- */

struct output2 {
	uint32_t crtc, conn, plane;
	int claim;
	uint64_t id;
	struct evq q;
	struct wfd_dumb fb[2];
	uint64_t buf_id[2];
	long timeouts0;
	int frames;
	bool acquired;
	uint64_t seq;
};

/* One commit for both outputs: @fb of each; with @mode, lit with it. */
static int commit_both(struct ctx *c, struct output2 *o, const drmModeModeInfo *mode,
		       int fb, uint32_t flags)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	uint32_t blob = 0;
	int fd = c->comp, ret = 0;

	if (mode)
		ret = drmModeCreatePropertyBlob(fd, mode, sizeof(*mode), &blob);
	for (int k = 0; k < 2 && !ret; k++) {
		ret = add_prop(req, fd, o[k].plane, DRM_MODE_OBJECT_PLANE, "FB_ID",
			       o[k].fb[fb].fb_id);
		if (ret || !mode)
			continue;
		ret = add_prop(req, fd, o[k].crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", blob) ?:
		      add_prop(req, fd, o[k].crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", 1) ?:
		      add_prop(req, fd, o[k].conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", o[k].crtc) ?:
		      add_prop(req, fd, o[k].plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID", o[k].crtc) ?:
		      add_prop(req, fd, o[k].plane, DRM_MODE_OBJECT_PLANE, "SRC_X", 0) ?:
		      add_prop(req, fd, o[k].plane, DRM_MODE_OBJECT_PLANE, "SRC_Y", 0) ?:
		      add_prop(req, fd, o[k].plane, DRM_MODE_OBJECT_PLANE, "SRC_W",
			       (uint64_t)mode->hdisplay << 16) ?:
		      add_prop(req, fd, o[k].plane, DRM_MODE_OBJECT_PLANE, "SRC_H",
			       (uint64_t)mode->vdisplay << 16) ?:
		      add_prop(req, fd, o[k].plane, DRM_MODE_OBJECT_PLANE, "CRTC_X", 0) ?:
		      add_prop(req, fd, o[k].plane, DRM_MODE_OBJECT_PLANE, "CRTC_Y", 0) ?:
		      add_prop(req, fd, o[k].plane, DRM_MODE_OBJECT_PLANE, "CRTC_W", mode->hdisplay) ?:
		      add_prop(req, fd, o[k].plane, DRM_MODE_OBJECT_PLANE, "CRTC_H", mode->vdisplay);
	}
	if (!ret)
		ret = drmModeAtomicCommit(fd, req, flags | (mode ? DRM_MODE_ATOMIC_ALLOW_MODESET : 0),
					  NULL) ? -errno : 0;
	if (blob)
		drmModeDestroyPropertyBlob(fd, blob);
	drmModeAtomicFree(req);
	return ret;
}

/*
 * Acquire the new frame of both outputs, polling both claim fds from this
 * one thread; each frame must be its own output's, in buffer @fb.  The
 * frames stay held.  0, or 1 with a diagnostic.
 */
static int serve_both(struct output2 *o, int fb, int ms)
{
	double t0 = util_now();

	o[0].acquired = o[1].acquired = false;
	while (!o[0].acquired || !o[1].acquired) {
		struct pollfd p[2] = { { .fd = o[0].claim, .events = POLLIN },
				       { .fd = o[1].claim, .events = POLLIN } };
		int left = ms - (int)((util_now() - t0) * 1000);

		if (left <= 0 || poll(p, 2, left) < 1) {
			ktap_diag("no frame within %d ms (output 1 %d, output 2 %d)", ms,
				  o[0].acquired, o[1].acquired);
			return 1;
		}
		for (int k = 0; k < 2; k++) {
			const struct drm_wfd_event_frame *ev;
			const struct drm_event *e;
			struct drm_wfd_frame_acquire f;

			if (!(p[k].revents & POLLIN))
				continue;
			while ((e = evq_next(&o[k].q, 0)) && e->type != DRM_WFD_EVENT_FRAME_READY)
				;
			if (!e || o[k].acquired)
				continue;
			ev = (const void *)e;
			CHECK(ev->session_id == o[k].id && ev->output == (uint32_t)k + 1);
			CHECK(util_wfd_acquire(o[k].claim, o[k].id, &f) == 0);
			if (f.flags & WFD_FRAME_NEW_BUFFER) {
				CHECK(f.dmabuf_fd >= 0 && !o[k].buf_id[fb]);
				CHECK(check_pixels(&f, f.dmabuf_fd, &o[k].fb[fb]));
				close(f.dmabuf_fd);
				o[k].buf_id[fb] = f.buffer_id;
			}
			if (f.buffer_id != o[k].buf_id[fb]) {
				ktap_diag("output %d: buffer %llu, not %llu", k + 1,
					  (unsigned long long)f.buffer_id,
					  (unsigned long long)o[k].buf_id[fb]);
				return 1;
			}
			o[k].seq = f.sequence;
			o[k].acquired = true;
			o[k].frames++;
		}
	}
	return 0;
}

#define TWO_ROUNDS 30

/*
 * Two outputs, two claims, one daemon thread: a single commit lights
 * both CRTCs, each claim gets only its own output's frames, and commits
 * that retire both held frames at once never run into the hold timeout.
 */
static int test_two_outputs(struct ctx *c)
{
	static struct output2 o[2];
	struct drm_wfd_frame_acquire f;
	drmModeModeInfo mode;
	double took, worst = 0;

	if (c->info.num_outputs < 2) {
		ktap_diag("wfd has %u output: this needs two (wfd_load.sh runs it)",
			  c->info.num_outputs);
		return 2;
	}
	memset(o, 0, sizeof(o));
	for (int k = 0; k < 2; k++) {
		char key[64];
		uint32_t out = 0;

		o[k].crtc = c->info.outputs[k].crtc_id;
		o[k].conn = c->info.outputs[k].connector_id;
		o[k].plane = util_primary_plane(c->comp, o[k].crtc);
		o[k].claim = util_wfd_claim(c->card, (uint32_t)k + 1, &out);
		CHECK(o[k].claim >= 0 && out == (uint32_t)k + 1);
		evq_init(&o[k].q, o[k].claim);
		CHECK(util_wfd_connect(o[k].claim, c->edid, (size_t)c->edid_size, 0, 0, 0,
				       &o[k].id) == 0);
		snprintf(key, sizeof(key), "output%d.hold_timeouts", k + 1);
		o[k].timeouts0 = util_wfd_state(c->comp, key);
		for (int j = 0; j < 2; j++) {
			CHECK(util_dumb_create(c->comp, 1280, 720, DRM_FORMAT_XRGB8888,
					       &o[k].fb[j]) == 0);
			util_dumb_fill(&o[k].fb[j], fill_color(10 + 2 * k + j));
		}
	}
	CHECK(o[0].id != o[1].id);
	/* A claim acts on its own session only. */
	CHECK(util_wfd_acquire(o[0].claim, o[1].id, &f) == -ENOENT);
	CHECK(util_wfd_disconnect(o[1].claim, o[0].id) == -ENOENT);
	CHECK(util_wfd_report_status(o[0].claim, o[1].id, 0, 0) == -ENOENT);

	CHECK(find_mode(c, o[0].conn, 1280, 720, &mode) == 0);
	CHECK(commit_both(c, o, &mode, 0, 0) == 0);
	CHECK(serve_both(o, 0, 5000) == 0);
	for (int round = 1; round <= TWO_ROUNDS; round++) {
		double t0 = util_now();

		/* Both frames held: this commit retires both. */
		flips_reset();
		CHECK(commit_both(c, o, NULL, round & 1, DRM_MODE_PAGE_FLIP_EVENT) == 0);
		took = util_now() - t0;
		if (took > worst)
			worst = took;
		CHECK(util_wfd_release(o[0].claim, o[0].id, o[0].seq) == 0);
		CHECK(util_wfd_release(o[1].claim, o[1].id, o[1].seq) == 0);
		CHECK(flips_wait(c->comp, 2, 5000) == 0);
		CHECK((g_flips.crtcs[0] == o[0].crtc && g_flips.crtcs[1] == o[1].crtc) ||
		      (g_flips.crtcs[0] == o[1].crtc && g_flips.crtcs[1] == o[0].crtc));
		CHECK(serve_both(o, round & 1, 5000) == 0);
	}
	CHECK(util_wfd_release(o[0].claim, o[0].id, o[0].seq) == 0);
	CHECK(util_wfd_release(o[1].claim, o[1].id, o[1].seq) == 0);
	ktap_diag("%d rounds: frames %d and %d, slowest commit %.1f ms", TWO_ROUNDS,
		  o[0].frames, o[1].frames, worst * 1000);
	for (int k = 0; k < 2; k++) {
		char key[64];

		snprintf(key, sizeof(key), "output%d.hold_timeouts", k + 1);
		CHECK(util_wfd_state(c->comp, key) == o[k].timeouts0);
		CHECK(o[k].frames == TWO_ROUNDS + 1);
		CHECK(o[k].buf_id[0] != o[!k].buf_id[0] && o[k].buf_id[1] != o[!k].buf_id[1]);
	}
	for (int k = 0; k < 2; k++) {
		CHECK(util_disable(c->comp, o[k].crtc, o[k].conn, o[k].plane) == 0);
		CHECK(util_wfd_disconnect(o[k].claim, o[k].id) == 0);
		close(o[k].claim);
		util_dumb_destroy(c->comp, &o[k].fb[0]);
		util_dumb_destroy(c->comp, &o[k].fb[1]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct ctx *c);
	} tests[] = {
		{ "connect_modes_name_uevent", test_connect },
		{ "bad_edid_rejected", test_bad_edid },
		{ "connect_zero_mode_edid_refused", test_zero_mode_edid },
		{ "connect_one_uevent", test_one_uevent },
		{ "claim_rules", test_claim_rules },
		{ "session_ioctl_args", test_session_args },
		{ "unprivileged_refused", test_unprivileged },
		{ "claim_outlives_card_fd", test_claim_outlives_card },
		{ "claim_passed_to_capless_child", test_claim_passed },
		{ "claim_shared_by_dup_and_fork", test_claim_shared },
		{ "one_claim_sinks_in_turn", test_sinks_in_turn },
		{ "frames_by_dmabuf", test_frames },
		{ "events_read_whole_and_coalesced", test_read_rules },
		{ "buffer_gone_never_lost", test_buffer_gone },
		{ "stale_fb_not_acquired", test_stale_fb },
		{ "acquire_efault_keeps_frame", test_acquire_efault },
		{ "mode_set_before_frames", test_mode_first },
		{ "dpms_events_keep_mode", test_dpms },
		{ "dpms_off_with_mode_change", test_dpms_mode_change },
		{ "atomic_check_session_limits", test_session_limits },
		{ "hold_blocks_retiring_flip", test_hold },
		{ "commit_never_waits_on_daemon", test_commit_never_waits },
		{ "every_status_unplugs", test_status },
		{ "undefined_status_refused", test_bad_status },
		{ "daemon_killed_unplugs", test_kill_daemon },
		{ "claim_stream_end_cycles", test_cycles },
		{ "race_acquire_release_close", test_race },
		{ "two_outputs_one_commit", test_two_outputs },
	};
	size_t n = sizeof(tests) / sizeof(tests[0]), i;
	bool run[sizeof(tests) / sizeof(tests[0])];
	drmEventContext evctx = { .version = 3, .page_flip_handler2 = on_flip };
	static struct ctx c;
	int planned = 0;
	struct ktap k;

	for (i = 0; i < n; i++) {
		run[i] = argc < 2;
		for (int a = 1; a < argc; a++)
			run[i] |= !strcmp(argv[a], tests[i].name);
		planned += run[i];
	}
	for (int a = 1; a < argc; a++) {
		for (i = 0; i < n && strcmp(argv[a], tests[i].name); i++)
			;
		if (i == n) {
			fprintf(stderr, "wfd_session: no test %s\n", argv[a]);
			return 2;
		}
	}
	ktap_header(&k, planned);
	/* The compositor opens first and is master; the daemon is not. */
	c.claim = -1;
	c.comp = util_open_driver("wfd", false);
	c.card = wfd_open(NULL);
	c.uevent = uevent_open();
	c.edid_size = wfd_edid_synthesize(sink_modes, 3, SINK_NAME, c.edid, sizeof(c.edid));
	if (c.comp < 0 || c.card < 0 || c.uevent < 0 || c.edid_size <= 0 ||
	    util_wfd_get_info(c.comp, &c.info) || !drmIsMaster(c.comp) || drmIsMaster(c.card)) {
		ktap_diag("setup failed");
		for (i = 0; i < n; i++)
			if (run[i])
				ktap_result(&k, tests[i].name, 1);
		return ktap_finish(&k);
	}
	g_minor = util_minor(c.comp);
	drmSetClientCap(c.comp, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	drmSetClientCap(c.comp, DRM_CLIENT_CAP_ATOMIC, 1);
	c.crtc = c.info.outputs[0].crtc_id;
	c.conn = c.info.outputs[0].connector_id;
	c.plane = util_primary_plane(c.comp, c.crtc);
	for (i = 0; i < n; i++) {
		drmModeCrtcPtr crtc;

		if (!run[i])
			continue;
		ktap_result(&k, tests[i].name, tests[i].fn(&c));
		/* A failed test may leave its claim, a lit CRTC, flip events. */
		unclaim(&c);
		crtc = drmModeGetCrtc(c.comp, c.crtc);
		if (crtc && crtc->mode_valid)
			util_disable(c.comp, c.crtc, c.conn, c.plane);
		drmModeFreeCrtc(crtc);
		usleep(50000);
		while (readable(c.comp))
			drmHandleEvent(c.comp, &evctx);
		flips_reset();
	}
	return ktap_finish(&k);
}
