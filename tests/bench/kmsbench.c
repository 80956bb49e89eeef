// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmsbench: the measuring tools of the benchmarks (tests/bench), one
 * program with a command per role.  Every time is CLOCK_MONOTONIC in
 * nanoseconds, the clock of DRM events, of wfd's commit timestamps and of
 * wfdd's --frame-log, so that figures from different processes compare.
 *
 *   kmsbench card DRIVER
 *       print the primary node of the first DRM device of DRIVER
 *   kmsbench flip --driver DRIVER [--mode WxH] [--seconds S] [--log FILE]
 *                 [--static] [--nodraw] [--check-shared]
 *       a KMS client: lights the first connected output with its preferred
 *       mode (or the first of size WxH) and page-flips the moving test pattern (tests/e2e/pattern.h)
 *       into two dumb buffers as fast as flips complete; logs one line per
 *       flip: frame number, time before the flip ioctl, the flip event's
 *       timestamp, the time the event was read.  --static draws frame 0
 *       once and then only waits; --nodraw flips between frames 0 and 1
 *       drawn once (flip pacing without the cost of drawing).  On a driver
 *       without page-flip events (evdi) each frame is a blocking SETCRTC
 *       instead, logged as if its return were the flip.  --check-shared
 *       counts the times the marker of "session --mark" is found in a
 *       buffer about to be redrawn, and clears it.
 *   kmsbench session --mode WxH@R [--seconds S] [--log FILE] [--mark]
 *       a minimal wfd session: connects output 1 with that mode, acquires
 *       and releases every frame; logs: sequence, the kernel's commit
 *       timestamp, the time FRAME_READY was read, the duration of
 *       FRAME_ACQUIRE and of FRAME_RELEASE, whether the buffer was new,
 *       the time the acquire returned and the frame number read from the
 *       picture through the buffer's dma-buf mapping.  --mark writes a
 *       marker into each frame's buffer through its dma-buf.  Releases
 *       whose hold had expired are counted (session_holds_expired).
 *   kmsbench hotplug [--iterations N]
 *       claims output 1 and connects a sink on it N times; logs the time
 *       from CONNECT, and from REPORT_STATUS, to the DRM hotplug uevent
 *       seen on netlink
 *   kmsbench stat PID...
 *       print the time and the CPU time used so far by the processes
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/dma-buf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "barcode.h"
#include "kms_master.h"
#include "libwfd.h"

/* What "session --mark" writes at the end of each buffer it is handed. */
#define SHARED_MARK 0x214b52414d444657ull	/* "WFDMARK!" */

struct buf {
	uint32_t handle, pitch, fb;
	uint64_t size;
	uint32_t *map;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static FILE *open_log(const char *path)
{
	FILE *f = path ? fopen(path, "w") : NULL;

	if (path && !f)
		fprintf(stderr, "kmsbench: cannot write %s: %s\n", path, strerror(errno));
	return f;
}

static int open_card(const char *driver, char *path, size_t size)
{
	for (int i = 0; i < 16; i++) {
		drmVersionPtr v;
		int fd;

		snprintf(path, size, "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && !strcmp(v->name, driver)) {
			drmFreeVersion(v);
			return fd;
		}
		drmFreeVersion(v);
		close(fd);
	}
	return -1;
}

/* The first connected connector with modes, and a CRTC that can drive it. */
static int find_output(int fd, double wait_s, drmModeConnectorPtr *out, uint32_t *crtc)
{
	uint64_t deadline = now_ns() + (uint64_t)(wait_s * 1e9);

	do {
		drmModeResPtr res = drmModeGetResources(fd);

		for (int i = 0; res && i < res->count_connectors; i++) {
			drmModeConnectorPtr c = drmModeGetConnector(fd, res->connectors[i]);
			drmModeEncoderPtr e;

			if (!c || c->connection != DRM_MODE_CONNECTED || !c->count_modes ||
			    !c->count_encoders) {
				drmModeFreeConnector(c);
				continue;
			}
			e = drmModeGetEncoder(fd, c->encoders[0]);
			for (int j = 0; e && j < res->count_crtcs; j++) {
				if (e->possible_crtcs & (1u << j)) {
					*crtc = res->crtcs[j];
					*out = c;
					drmModeFreeEncoder(e);
					drmModeFreeResources(res);
					return 0;
				}
			}
			drmModeFreeEncoder(e);
			drmModeFreeConnector(c);
		}
		drmModeFreeResources(res);
		usleep(50000);
	} while (now_ns() < deadline && !stop);
	return -1;
}

static int mkbuf(int fd, int w, int h, struct buf *b)
{
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint64_t off;

	if (drmModeCreateDumbBuffer(fd, (uint32_t)w, (uint32_t)h, 32, 0, &b->handle,
				    &b->pitch, &b->size) ||
	    drmModeMapDumbBuffer(fd, b->handle, &off))
		return -1;
	b->map = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		return -1;
	}
	handles[0] = b->handle;
	pitches[0] = b->pitch;
	return drmModeAddFB2(fd, (uint32_t)w, (uint32_t)h, DRM_FORMAT_XRGB8888, handles,
			     pitches, offsets, &b->fb, 0);
}

static void rmbuf(int fd, struct buf *b)
{
	if (b->fb)
		drmModeRmFB(fd, b->fb);
	if (b->map)
		munmap(b->map, b->size);
	if (b->handle)
		drmModeDestroyDumbBuffer(fd, b->handle);
}

/*
 * Frame n of the pattern.  Below the barcode a pixel is the red of its
 * column or'ed with the green of its row: one table each, so that drawing
 * a 1080p frame under emulation does not take longer than a frame.
 */
static void draw(struct buf *b, int w, int h, unsigned int n, uint32_t *col, uint32_t *row)
{
	for (int x = 0; x < w; x++)
		col[x] = pattern_pixel((unsigned int)x, PATTERN_BAR_H, (unsigned int)w, n) & 0xff0000;
	for (int y = 0; y < h; y++)
		row[y] = pattern_pixel(0, (unsigned int)y, (unsigned int)w, n) & 0x00ffff;
	for (int y = 0; y < h; y++) {
		uint32_t *p = b->map + (size_t)y * b->pitch / 4;

		if (y < PATTERN_BAR_H) {
			for (int x = 0; x < w; x++)
				p[x] = pattern_pixel((unsigned int)x, (unsigned int)y, (unsigned int)w, n);
		} else {
			for (int x = 0; x < w; x++)
				p[x] = col[x] | row[y];
		}
	}
}

struct flip_state {
	FILE *log;
	bool pending;
	unsigned int n;
	uint64_t commit_ns, frames;
};

static void on_flip(int fd, unsigned int seq, unsigned int s, unsigned int us, void *data)
{
	struct flip_state *st = data;

	(void)fd; (void)seq;
	st->pending = false;
	st->frames++;
	if (st->log)
		fprintf(st->log, "%u %llu %llu %llu\n", st->n, (unsigned long long)st->commit_ns,
			(unsigned long long)s * 1000000000ull + (unsigned long long)us * 1000ull,
			(unsigned long long)now_ns());
}

static int cmd_flip(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "driver", required_argument, NULL, 'd' },
		{ "seconds", required_argument, NULL, 's' },
		{ "log", required_argument, NULL, 'l' },
		{ "mode", required_argument, NULL, 'm' },
		{ "static", no_argument, NULL, 'S' },
		{ "nodraw", no_argument, NULL, 'N' },
		{ "check-shared", no_argument, NULL, 'c' },
		{ 0 },
	};
	drmEventContext ev = { .version = 2, .page_flip_handler = on_flip };
	struct flip_state st = { 0 };
	const char *driver = "wfd", *logpath = NULL;
	double seconds = 10;
	bool still = false, check = false, nodraw = false, blocking = false;
	unsigned int want_w = 0, want_h = 0;
	drmModeModeInfo mode;
	drmModeConnectorPtr conn = NULL;
	struct buf b[2] = { 0 };
	uint32_t crtc = 0, *col = NULL, *row = NULL;
	unsigned int shared = 0;
	char path[32];
	uint64_t t0;
	int fd, c, w, h, flip_err, ret = 1;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': driver = optarg; break;
		case 's': seconds = atof(optarg); break;
		case 'l': logpath = optarg; break;
		case 'm':
			if (sscanf(optarg, "%ux%u", &want_w, &want_h) != 2) {
				fprintf(stderr, "kmsbench: bad --mode %s (WxH)\n", optarg);
				return 2;
			}
			break;
		case 'S': still = true; break;
		case 'N': nodraw = true; break;
		case 'c': check = true; break;
		default: return 2;
		}
	}
	fd = open_card(driver, path, sizeof(path));
	if (fd < 0) {
		fprintf(stderr, "kmsbench: no %s device\n", driver);
		return 1;
	}
	/* A wfd output connects when its session starts: wait for it. */
	if (find_output(fd, 120, &conn, &crtc)) {
		fprintf(stderr, "kmsbench: no connected output on %s\n", path);
		close(fd);
		return 1;
	}
	mode = conn->modes[0];
	for (int i = 0; want_w && i < conn->count_modes; i++) {
		if (conn->modes[i].hdisplay == want_w && conn->modes[i].vdisplay == want_h) {
			mode = conn->modes[i];
			break;
		}
	}
	if (want_w && (mode.hdisplay != want_w || mode.vdisplay != want_h)) {
		fprintf(stderr, "kmsbench: %s has no %ux%u mode\n", path, want_w, want_h);
		goto out;
	}
	w = mode.hdisplay;
	h = mode.vdisplay;
	st.log = open_log(logpath);
	col = calloc((size_t)w, sizeof(*col));
	row = calloc((size_t)h, sizeof(*row));
	if ((logpath && !st.log) || !col || !row || mkbuf(fd, w, h, &b[0]) ||
	    mkbuf(fd, w, h, &b[1])) {
		fprintf(stderr, "kmsbench: cannot set up %dx%d buffers: %s\n", w, h, strerror(errno));
		goto out;
	}
	draw(&b[0], w, h, 0, col, row);
	if (nodraw)
		draw(&b[1], w, h, 1, col, row);
	if (kms_take_master(fd)) {
		fprintf(stderr, "kmsbench: cannot become DRM master: %s\n", strerror(errno));
		goto out;
	}
	st.commit_ns = now_ns();
	if (drmModeSetCrtc(fd, crtc, b[0].fb, 0, 0, &conn->connector_id, 1, &mode)) {
		fprintf(stderr, "kmsbench: setcrtc: %s\n", strerror(errno));
		goto out;
	}
	if (st.log)
		fprintf(st.log, "0 %llu 0 0\n", (unsigned long long)st.commit_ns);
	fprintf(stderr, "kmsbench: %s %s@%u on %s\n", driver, mode.name, mode.vrefresh, path);
	t0 = now_ns();
	while (!stop && now_ns() - t0 < (uint64_t)(seconds * 1e9)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (still) {
			poll(NULL, 0, 100);
			continue;
		}
		if (!st.pending) {
			struct buf *nb = &b[(st.n + 1) & 1];
			uint64_t *tail = (uint64_t *)((uint8_t *)nb->map + nb->size) - 1;

			/* The session's marker, cleared for the next time round. */
			if (check && *tail == SHARED_MARK) {
				shared++;
				*tail = 0;
			}
			st.n++;
			if (!nodraw)
				draw(nb, w, h, st.n, col, row);
			st.commit_ns = now_ns();
			flip_err = 0;
			if (!blocking &&
			    drmModePageFlip(fd, crtc, nb->fb, DRM_MODE_PAGE_FLIP_EVENT, &st))
				flip_err = errno;
			if (!blocking && !flip_err) {
				st.pending = true;
			} else if (!blocking && st.frames) {
				/* e.g. the output was unplugged */
				fprintf(stderr, "kmsbench: page flip: %s\n", strerror(flip_err));
				break;
			} else if (drmModeSetCrtc(fd, crtc, nb->fb, 0, 0, &conn->connector_id, 1,
						  &mode)) {
				fprintf(stderr, "kmsbench: setcrtc: %s\n", strerror(errno));
				break;
			} else {
				uint64_t t = now_ns();

				if (!blocking)
					fprintf(stderr, "kmsbench: no page flip (%s): blocking SETCRTC\n",
						strerror(flip_err));
				blocking = true;
				on_flip(fd, 0, (unsigned int)(t / 1000000000ull),
					(unsigned int)(t % 1000000000ull / 1000), &st);
				continue;
			}
		}
		if (poll(&p, 1, 1000) == 1)
			drmHandleEvent(fd, &ev);
	}
	fprintf(stderr, "kmsbench: %llu %s in %.1f s\n", (unsigned long long)st.frames,
		blocking ? "blocking commits" : "flips", (double)(now_ns() - t0) / 1e9);
	if (check)
		printf("shared_buffers_marked %u\n", shared);
	ret = 0;
out:
	if (st.log)
		fclose(st.log);
	rmbuf(fd, &b[0]);
	rmbuf(fd, &b[1]);
	free(col);
	free(row);
	drmModeFreeConnector(conn);
	close(fd);
	return ret;
}

/* A buffer the kernel handed over: its dma-buf fd, mapped. */
struct handed {
	uint64_t id;
	int dmabuf;
	size_t size;
	uint8_t *map;
};

#define MAX_HANDED 16

struct session_state {
	bool ready;
	uint64_t ready_ns, kernel_ns;
	struct handed bufs[MAX_HANDED];
};

static void handed_drop(struct handed *b)
{
	if (b->map)
		munmap(b->map, b->size);
	if (b->dmabuf >= 0)
		close(b->dmabuf);
	memset(b, 0, sizeof(*b));
	b->dmabuf = -1;
}

/*
 * The mapping of the frame's buffer.  The fd of a new buffer is ours (the
 * kernel hands it out once per buffer and session): kept and mapped, or
 * closed when there is no room.
 */
static struct handed *handed_get(struct session_state *st,
				 const struct drm_wfd_frame_acquire *f)
{
	struct handed *b = NULL;

	for (int i = 0; i < MAX_HANDED; i++) {
		if (st->bufs[i].id == f->buffer_id)
			return &st->bufs[i];
		if (!b && !st->bufs[i].id)
			b = &st->bufs[i];
	}
	if (!(f->flags & WFD_FRAME_NEW_BUFFER) || f->dmabuf_fd < 0)
		return NULL;
	if (!b) {
		/* More buffers than a bench client uses: not mapped, not kept. */
		close(f->dmabuf_fd);
		return NULL;
	}
	b->id = f->buffer_id;
	b->dmabuf = f->dmabuf_fd;
	b->size = (size_t)lseek(b->dmabuf, 0, SEEK_END);
	b->map = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, b->dmabuf, 0);
	if (b->map != MAP_FAILED)
		return b;
	b->map = NULL;
	handed_drop(b);
	return NULL;
}

static void on_wfd_event(const struct drm_event *ev, void *data)
{
	struct session_state *st = data;

	if (ev->type == DRM_WFD_EVENT_BUFFER_GONE) {
		const struct drm_wfd_event_buffer_gone *g = (const void *)ev;

		for (int i = 0; i < MAX_HANDED; i++)
			if (st->bufs[i].id == g->buffer_id)
				handed_drop(&st->bufs[i]);
	}
	if (ev->type == DRM_WFD_EVENT_FRAME_READY) {
		const struct drm_wfd_event_frame *f = (const void *)ev;

		/* The first event after a frame was acquired is the one timed. */
		if (!st->ready) {
			st->ready_ns = now_ns();
			st->kernel_ns = f->timestamp_ns;
		}
		st->ready = true;
	}
}

/* Claim output 1 of the wfd card; the claim fd or a negative errno. */
static int claim_output(void)
{
	int card = wfd_open(NULL), claim;

	if (card < 0)
		return card;
	claim = wfd_claim(card, 1, NULL);
	/* The claim does not need the card fd. */
	close(card);
	return claim;
}

/* Plug a sink with the single mode @m in on @claim. */
static int connect_output(int claim, const struct wfd_mode *m, uint64_t *session)
{
	uint8_t edid[256];
	int n;

	n = wfd_edid_synthesize(m, 1, "bench", edid, sizeof(edid));
	if (n < 0)
		return n;
	return wfd_connect(claim, edid, (size_t)n, 0, 0, 0, session);
}

static int cmd_session(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "seconds", required_argument, NULL, 's' },
		{ "log", required_argument, NULL, 'l' },
		{ "mark", no_argument, NULL, 'k' },
		{ 0 },
	};
	struct wfd_mode m = { 640, 480, 60 };
	struct session_state st = { 0 };
	const char *logpath = NULL;
	double seconds = 10;
	bool mark = false;
	uint64_t t0, buffers = 0, frames = 0, expired = 0, session;
	FILE *log = NULL;
	int fd, c, ret;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (sscanf(optarg, "%ux%u@%u", &m.width, &m.height, &m.refresh_hz) != 3) {
				fprintf(stderr, "kmsbench: bad --mode %s\n", optarg);
				return 2;
			}
			break;
		case 's': seconds = atof(optarg); break;
		case 'l': logpath = optarg; break;
		case 'k': mark = true; break;
		default: return 2;
		}
	}
	for (int i = 0; i < MAX_HANDED; i++)
		st.bufs[i].dmabuf = -1;
	fd = claim_output();
	if (fd < 0) {
		fprintf(stderr, "kmsbench: cannot claim output 1: %s\n", strerror(-fd));
		return 1;
	}
	ret = connect_output(fd, &m, &session);
	if (ret) {
		fprintf(stderr, "kmsbench: cannot connect output 1: %s\n", strerror(-ret));
		close(fd);
		return 1;
	}
	log = open_log(logpath);
	t0 = now_ns();
	while (!stop && now_ns() - t0 < (uint64_t)(seconds * 1e9)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct drm_wfd_frame_acquire f;
		struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
		uint64_t a0, a1, r1;
		unsigned int n = 0;
		struct handed *b;

		if (poll(&p, 1, 200) != 1)
			continue;
		/* One call reads at most 4 KiB of events: read them all. */
		while ((ret = wfd_read_events(fd, on_wfd_event, &st)) > 0)
			;
		if (ret < 0 || !st.ready)
			continue;
		st.ready = false;
		a0 = now_ns();
		ret = wfd_frame_acquire(fd, session, &f);
		a1 = now_ns();
		if (ret == -EAGAIN)
			continue;
		if (ret) {
			fprintf(stderr, "kmsbench: acquire: %s\n", strerror(-ret));
			break;
		}
		buffers += !!(f.flags & WFD_FRAME_NEW_BUFFER);
		b = handed_get(&st, &f);
		if (b && f.fourcc == DRM_FORMAT_XRGB8888) {
			ioctl(b->dmabuf, DMA_BUF_IOCTL_SYNC, &sync);
			n = barcode_read(b->map + f.offsets[0], f.pitches[0], f.width);
			if (mark)
				*((uint64_t *)(b->map + b->size) - 1) = SHARED_MARK;
			sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ | DMA_BUF_SYNC_WRITE;
			ioctl(b->dmabuf, DMA_BUF_IOCTL_SYNC, &sync);
		}
		ret = wfd_frame_release(fd, session, f.sequence);
		r1 = now_ns();
		/* The hold expired: the frame was released all the same. */
		if (ret == -ETIMEDOUT) {
			expired++;
			ret = 0;
		}
		if (ret) {
			fprintf(stderr, "kmsbench: release: %s\n", strerror(-ret));
			break;
		}
		frames++;
		if (log)
			fprintf(log, "%llu %llu %llu %llu %llu %d %llu %u\n",
				(unsigned long long)f.sequence, (unsigned long long)st.kernel_ns,
				(unsigned long long)st.ready_ns, (unsigned long long)(a1 - a0),
				(unsigned long long)(r1 - a1), !!(f.flags & WFD_FRAME_NEW_BUFFER),
				(unsigned long long)a1, n);
	}
	printf("session_frames %llu\nsession_buffers %llu\nsession_holds_expired %llu\n",
	       (unsigned long long)frames, (unsigned long long)buffers,
	       (unsigned long long)expired);
	if (log)
		fclose(log);
	for (int i = 0; i < MAX_HANDED; i++)
		if (st.bufs[i].id)
			handed_drop(&st.bufs[i]);
	wfd_disconnect(fd, session);
	close(fd);
	return 0;
}

/* Waits up to 5 s for a DRM hotplug uevent; returns the time it was read. */
static uint64_t wait_hotplug(int nl)
{
	uint64_t deadline = now_ns() + 5000000000ull;
	char msg[4096];

	while (now_ns() < deadline) {
		struct pollfd p = { .fd = nl, .events = POLLIN };
		bool drm = false, hotplug = false;
		ssize_t n;

		if (poll(&p, 1, 100) != 1)
			continue;
		n = recv(nl, msg, sizeof(msg) - 1, 0);
		if (n <= 0)
			continue;
		msg[n] = 0;
		/* NUL-separated KEY=value strings after the "action@devpath" header. */
		for (char *s = msg; s < msg + n; s += strlen(s) + 1) {
			drm |= !strcmp(s, "SUBSYSTEM=drm");
			hotplug |= !strcmp(s, "HOTPLUG=1");
		}
		if (drm && hotplug)
			return now_ns();
	}
	return 0;
}

static int cmd_hotplug(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "iterations", required_argument, NULL, 'n' },
		{ "log", required_argument, NULL, 'l' },
		{ 0 },
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	struct wfd_mode m = { 1280, 720, 60 };
	const char *logpath = NULL;
	int iterations = 20, fd, nl, c, ret = 0;
	FILE *log;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'n': iterations = atoi(optarg); break;
		case 'l': logpath = optarg; break;
		default: return 2;
		}
	}
	log = open_log(logpath);
	if (logpath && !log)
		return 1;
	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (nl < 0 || bind(nl, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "kmsbench: uevent socket: %s\n", strerror(errno));
		return 1;
	}
	fd = claim_output();
	if (fd < 0) {
		fprintf(stderr, "kmsbench: cannot claim output 1: %s\n", strerror(-fd));
		close(nl);
		return 1;
	}
	for (int i = 0; i < iterations && !ret && !stop; i++) {
		uint64_t t0, t1, t2, t3, session;

		t0 = now_ns();
		ret = connect_output(fd, &m, &session);
		if (ret) {
			fprintf(stderr, "kmsbench: connect: %s\n", strerror(-ret));
			break;
		}
		t1 = wait_hotplug(nl);
		t2 = now_ns();
		ret = wfd_report_status(fd, session, WFD_STATUS_SINK_DISCONNECT_REQUEST, 0);
		t3 = ret ? 0 : wait_hotplug(nl);
		if (!t1 || !t3) {
			fprintf(stderr, "kmsbench: no hotplug uevent within 5 s\n");
			ret = -ETIMEDOUT;
			break;
		}
		if (log)
			fprintf(log, "%d %llu %llu\n", i, (unsigned long long)(t1 - t0),
				(unsigned long long)(t3 - t2));
	}
	if (log)
		fclose(log);
	close(fd);
	close(nl);
	return ret ? 1 : 0;
}

static int cmd_stat(int argc, char **argv)
{
	long tick = sysconf(_SC_CLK_TCK);
	unsigned long long cpu = 0;

	for (int i = 1; i < argc; i++) {
		unsigned long ut, st;
		char path[64], buf[1024], *p;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%s/stat", argv[i]);
		f = fopen(path, "r");
		if (!f || !fgets(buf, sizeof(buf), f)) {
			fprintf(stderr, "kmsbench: no process %s\n", argv[i]);
			if (f)
				fclose(f);
			return 1;
		}
		fclose(f);
		/* Fields 14 and 15 (utime, stime) follow the parenthesised name. */
		p = strrchr(buf, ')');
		if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
				 &ut, &st) != 2)
			return 1;
		cpu += (unsigned long long)(ut + st) * 1000000000ull / (unsigned long long)tick;
	}
	printf("%llu %llu\n", (unsigned long long)now_ns(), cpu);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	char path[32];
	int fd;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (argc < 2)
		goto usage;
	if (!strcmp(argv[1], "card") && argc == 3) {
		fd = open_card(argv[2], path, sizeof(path));
		if (fd < 0)
			return 1;
		close(fd);
		puts(path);
		return 0;
	}
	if (!strcmp(argv[1], "flip"))
		return cmd_flip(argc - 1, argv + 1);
	if (!strcmp(argv[1], "session"))
		return cmd_session(argc - 1, argv + 1);
	if (!strcmp(argv[1], "hotplug"))
		return cmd_hotplug(argc - 1, argv + 1);
	if (!strcmp(argv[1], "stat") && argc > 2)
		return cmd_stat(argc - 1, argv + 1);
usage:
	fprintf(stderr, "usage: kmsbench card DRIVER | flip ... | session ... | hotplug ... | stat PID...\n"
			"(see the comment at the top of tests/bench/kmsbench.c)\n");
	return 2;
}
