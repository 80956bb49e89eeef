// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The frame source against a fake wfd driver: this program defines
 * ioctl(), which libwfd's and libdrm's calls reach instead of the C
 * library's, and plays the kernel's part of UAPI version 2.  The card is
 * /dev/null, the claim fd a pipe the test writes events into, and the
 * dma-bufs are memfds.  Checked: the claim closes the card and refuses
 * another UAPI version; events of another session are ignored; one fd per
 * buffer and session is cached, mapped, closed on BUFFER_GONE and when
 * the session ends; the next session on the same claim gets fresh fds;
 * an expired hold is counted, not fatal; no fd is left behind.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <xf86drm.h>

#include "source.h"
#include "tap.h"

#define MAX_BUFS 8

/* The fake kernel. */
static struct {
	uint32_t version;	/* GET_INFO's */
	int card;		/* the fd CLAIM was called on */
	int events[2];		/* the claim fd is a dup of events[0] */
	uint64_t next_session, session;
	uint64_t handed[MAX_BUFS];	/* buffers this session has an fd of */
	int fds[MAX_BUFS];	/* the fds handed out, in order */
	int nfds;
	uint64_t next_buffer;	/* what FRAME_ACQUIRE returns */
	bool force_cached;	/* ...without an fd, as if handed out before */
	int release_err;	/* FRAME_RELEASE's errno, once */
	uint64_t released, ended_session;
	int ended_status;	/* REPORT_STATUS's status, -1 for DISCONNECT */
} k;

static int fail(int err)
{
	errno = err;
	return -1;
}

static bool handed(uint64_t id)
{
	for (int i = 0; i < MAX_BUFS; i++)
		if (k.handed[i] == id)
			return true;
	return false;
}

/* A 64x64 XRGB8888 "dma-buf" whose bytes say which buffer it is. */
static int new_dmabuf(uint64_t id)
{
	int fd = memfd_create("fake-dmabuf", MFD_CLOEXEC);
	uint8_t page[64 * 64 * 4];

	memset(page, (int)id, sizeof(page));
	if (fd < 0 || write(fd, page, sizeof(page)) != sizeof(page))
		return -1;
	return fd;
}

static int acquire(struct drm_wfd_frame_acquire *f)
{
	static uint64_t seq;

	if (f->session_id != k.session || !k.session)
		return fail(ENOENT);
	f->sequence = ++seq;
	f->buffer_id = k.next_buffer;
	f->width = f->height = 64;
	f->pitches[0] = 256;
	f->dmabuf_fd = -1;
	if (!handed(f->buffer_id) && !k.force_cached) {
		for (int i = 0; i < MAX_BUFS; i++) {
			if (!k.handed[i]) {
				k.handed[i] = f->buffer_id;
				break;
			}
		}
		f->flags = WFD_FRAME_NEW_BUFFER;
		f->dmabuf_fd = new_dmabuf(f->buffer_id);
		k.fds[k.nfds++ % MAX_BUFS] = f->dmabuf_fd;
	}
	return 0;
}

static int end(uint64_t id, int status)
{
	if (id != k.session || !k.session)
		return fail(ENOENT);
	k.ended_session = id;
	k.ended_status = status;
	k.session = 0;
	memset(k.handed, 0, sizeof(k.handed));
	return 0;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);

	if (req == DRM_IOCTL_VERSION) {
		struct drm_version *v = arg;

		/* libdrm asks for the lengths, then for the strings. */
		if (v->name && v->name_len >= 3)
			memcpy(v->name, "wfd", 3);
		if (v->date && v->date_len >= 1)
			memcpy(v->date, "0", 1);
		if (v->desc && v->desc_len >= 4)
			memcpy(v->desc, "fake", 4);
		v->name_len = 3;
		v->date_len = 1;
		v->desc_len = 4;
		return 0;
	}
	if (req == DRM_IOCTL_AUTH_MAGIC)
		return fail(EACCES);	/* not master */
	if (req == DRM_IOCTL_WFD_GET_INFO) {
		((struct drm_wfd_get_info *)arg)->version = k.version;
		((struct drm_wfd_get_info *)arg)->num_outputs = 2;
		return 0;
	}
	if (req == DRM_IOCTL_WFD_CLAIM) {
		struct drm_wfd_claim *c = arg;

		k.card = fd;
		c->output = c->output ? c->output : 2;
		c->fd = fcntl(k.events[0], F_DUPFD_CLOEXEC, 0);
		return 0;
	}
	if (req == WFD_IOCTL_CONNECT) {
		if (k.session)
			return fail(EBUSY);
		k.session = ((struct drm_wfd_connect *)arg)->session_id = k.next_session++;
		return 0;
	}
	if (req == WFD_IOCTL_FRAME_ACQUIRE)
		return acquire(arg);
	if (req == WFD_IOCTL_FRAME_RELEASE) {
		const struct drm_wfd_frame_release *r = arg;
		int err = k.release_err;

		if (r->session_id != k.session)
			return fail(ENOENT);
		k.released = r->sequence;
		k.release_err = 0;
		return err ? fail(err) : 0;
	}
	if (req == WFD_IOCTL_REPORT_STATUS) {
		const struct drm_wfd_report_status *r = arg;

		return end(r->session_id, (int)r->status);
	}
	if (req == WFD_IOCTL_DISCONNECT)
		return end(((const struct drm_wfd_disconnect *)arg)->session_id, -1);
	/* Anything else is the C library's business. */
	return (int)syscall(SYS_ioctl, fd, req, arg);
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n - 1;	/* opendir()'s own */
}

static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static void send_event(const void *ev, size_t len)
{
	if (write(k.events[1], ev, len) != (ssize_t)len)
		check(0, "writing an event");
}

static uint64_t gone_id;

static void on_gone(void *opaque, uint64_t id)
{
	(void)opaque;
	gone_id = id;
}

int main(void)
{
	const uint64_t first = (1ull << 40) + 1;
	struct drm_wfd_event_mode mode = {
		.base = { DRM_WFD_EVENT_MODE_SET, sizeof(mode) },
		.session_id = first, .output = 2, .width = 1280, .height = 720,
		.refresh_mhz = 59940,
	};
	struct drm_wfd_event_dpms dpms = {
		.base = { DRM_WFD_EVENT_DPMS, sizeof(dpms) },
		.session_id = first + 100, .output = 2, .state = WFD_DPMS_OFF,
	};
	struct drm_wfd_event_buffer_gone gone = {
		.base = { DRM_WFD_EVENT_BUFFER_GONE, sizeof(gone) },
		.session_id = first, .output = 2, .buffer_id = 5,
	};
	struct drm_wfd_event_frame frame = {
		.base = { DRM_WFD_EVENT_FRAME_READY, sizeof(frame) },
		.session_id = first, .output = 2, .sequence = 1,
	};
	static const uint8_t edid[128];
	struct source s;
	struct source_frame f;
	enum source_step step;
	int base, fd5, fd6;

	if (pipe2(k.events, O_CLOEXEC))
		return 1;
	k.next_session = first;
	base = open_fds();

	/* Another UAPI version: no claim, no fd left open. */
	k.version = 1;
	check(source_claim(&s, "/dev/null", 0, &step) == -EPROTONOSUPPORT &&
	      step == SOURCE_VERSION && s.fd == -1 && open_fds() == base,
	      "a driver of UAPI version 1 is refused");

	/* The claim: the card is closed again, the claim fd stays. */
	k.version = WFD_UAPI_VERSION;
	check(source_claim(&s, "/dev/null", 0, &step) == 0 && s.fd >= 0 && s.output == 2 &&
	      !s.session, "the claim gives a claim fd and the output picked");
	check(!is_open(k.card) && open_fds() == base + 1,
	      "the card fd is closed after the claim");
	s.buffer_gone = on_gone;
	check(source_dispatch(&s) == 0 && source_acquire(&s, &f) == -EAGAIN,
	      "no session: nothing to read or acquire");

	/* The first session; another session's event is not this one's. */
	check(source_connect(&s, edid, sizeof(edid), 1920, 1080) == 0 && s.session == first,
	      "CONNECT gives the 64-bit session id");
	check(source_connect(&s, edid, sizeof(edid), 0, 0) == -EBUSY,
	      "a second CONNECT while the session is live is refused");
	send_event(&mode, sizeof(mode));
	send_event(&dpms, sizeof(dpms));
	send_event(&frame, sizeof(frame));
	check(source_dispatch(&s) == 0 && s.mode_w == 1280 && s.mode_h == 720 &&
	      s.mode_hz == 60 && !s.dpms_off && s.frame_ready,
	      "MODE_SET and FRAME_READY taken, another session's DPMS ignored");

	k.next_buffer = 5;
	check(source_acquire(&s, &f) == 0 && f.buf && f.buf->id == 5 && f.buf->map &&
	      f.buf->map[0] == 5 && f.buf->size == 64 * 64 * 4 && !s.frame_ready,
	      "a new buffer: its fd is kept and mapped");
	fd5 = f.buf->dmabuf;
	check(fd5 == k.fds[0] && source_release(&s, &f) == 0 && k.released == f.info.sequence,
	      "released by its sequence");
	check(source_acquire(&s, &f) == 0 && f.buf->dmabuf == fd5 && k.nfds == 1,
	      "the same buffer again: the cached fd, no new one");
	k.release_err = ETIMEDOUT;
	check(source_release(&s, &f) == 0 && s.hold_expired == 1,
	      "an expired hold is counted, not an error");

	send_event(&gone, sizeof(gone));
	check(source_dispatch(&s) == 0 && gone_id == 5 && !is_open(fd5),
	      "BUFFER_GONE: told, and the buffer's fd closed");

	k.next_buffer = 6;
	check(source_acquire(&s, &f) == 0 && f.buf->map[0] == 6, "another new buffer");
	fd6 = f.buf->dmabuf;
	source_release(&s, &f);
	k.force_cached = true;
	k.next_buffer = 7;
	check(source_acquire(&s, &f) == -EIO && k.released == f.info.sequence,
	      "a buffer without an fd: -EIO, and the frame is released");
	k.force_cached = false;

	/* The session ends: its fds go, the claim stays. */
	source_end(&s, WFD_STATUS_MISSING_KEEPALIVE, -110);
	check(k.ended_session == first && k.ended_status == WFD_STATUS_MISSING_KEEPALIVE &&
	      !s.session && !is_open(fd6) && is_open(s.fd) && open_fds() == base + 1,
	      "REPORT_STATUS ends the session, closes its fds, keeps the claim");
	check(source_acquire(&s, &f) == -EAGAIN, "no acquire between sessions");

	/* The next sink: a new session on the same claim, fresh fds. */
	check(source_connect(&s, edid, sizeof(edid), 0, 0) == 0 && s.session == first + 1 &&
	      !s.mode_w && !s.hold_expired && !s.frame_ready,
	      "the next session starts afresh on the same claim");
	k.next_buffer = 6;
	check(source_acquire(&s, &f) == 0 && f.buf->map[0] == 6 && k.nfds == 3 &&
	      f.buf->dmabuf == k.fds[2], "a buffer of the last session comes with a new fd");
	source_release(&s, &f);

	/* The end: a graceful DISCONNECT, then the claim fd is closed. */
	source_close(&s);
	check(k.ended_session == first + 1 && k.ended_status == -1 && s.fd == -1 &&
	      open_fds() == base, "closing ends the session gracefully and leaves no fd");
	return tap_done();
}
