// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Native unit test of libwfd's calls without the driver: this program
 * defines ioctl(), which the library's calls then reach instead of the C
 * library's, and plays the kernel's part of UAPI version 2.  It checks
 * what each call passes (request, session id, claim fd), what it hands
 * back, that EINTR is retried and EAGAIN is not, and the event reader on
 * a pipe standing in for the claim fd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libwfd.h"

static int fails;

#define EXPECT(c) do { if (!(c)) { fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); fails++; } } while (0)

#define CARD_FD		100
#define CLAIM_FD	101
#define SESSION		0x123456789abcull

/* The fake kernel: what the last call asked, and what the next one does. */
static struct {
	unsigned long req;
	int fd, calls;
	int fail_with;		/* errno for the next call, once */
	int eintr;		/* EINTRs before the call goes through */
	bool new_buffer;	/* FRAME_ACQUIRE hands out an fd */
	union {
		struct drm_wfd_get_info info;
		struct drm_wfd_claim claim;
		struct drm_wfd_connect connect;
		struct drm_wfd_frame_acquire acquire;
		struct drm_wfd_frame_release release;
		struct drm_wfd_report_stats stats;
		struct drm_wfd_report_status status;
		struct drm_wfd_disconnect disconnect;
	} in;
} k;

static int fake_fail(int err)
{
	errno = err;
	return -1;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	k.req = req;
	k.fd = fd;
	k.calls++;
	if (k.eintr) {
		k.eintr--;
		return fake_fail(EINTR);
	}
	memcpy(&k.in, arg, _IOC_SIZE(req) < sizeof(k.in) ? _IOC_SIZE(req) : sizeof(k.in));
	if (k.fail_with) {
		int err = k.fail_with;

		k.fail_with = 0;
		return fake_fail(err);
	}
	if (req == DRM_IOCTL_WFD_GET_INFO) {
		struct drm_wfd_get_info *i = arg;

		i->version = WFD_UAPI_VERSION;
		i->num_outputs = 2;
		i->outputs[1].session_id = SESSION;
		i->outputs[1].flags = WFD_OUTPUT_CONNECTED | WFD_OUTPUT_CLAIMED;
	} else if (req == DRM_IOCTL_WFD_CLAIM) {
		struct drm_wfd_claim *c = arg;

		if (fd != CARD_FD)
			return fake_fail(ENOTTY);
		if (!c->output)
			c->output = 2;
		c->fd = CLAIM_FD;
	} else if (req == WFD_IOCTL_CONNECT) {
		((struct drm_wfd_connect *)arg)->session_id = SESSION;
	} else if (req == WFD_IOCTL_FRAME_ACQUIRE) {
		struct drm_wfd_frame_acquire *f = arg;

		f->flags = k.new_buffer ? WFD_FRAME_NEW_BUFFER : 0;
		f->dmabuf_fd = k.new_buffer ? 7 : -1;
		f->sequence = 42;
		f->buffer_id = 9;
	} else if (req != WFD_IOCTL_FRAME_RELEASE && req != WFD_IOCTL_REPORT_STATS &&
		   req != WFD_IOCTL_REPORT_STATUS && req != WFD_IOCTL_DISCONNECT) {
		return fake_fail(ENOTTY);
	}
	/* Every call but GET_INFO and CLAIM is one of the claim fd's. */
	if (req != DRM_IOCTL_WFD_GET_INFO && req != DRM_IOCTL_WFD_CLAIM && fd != CLAIM_FD)
		return fake_fail(ENOTTY);
	return 0;
}

static void test_calls(void)
{
	static const uint8_t edid[256];
	struct drm_wfd_report_stats rs = { .session_id = 1, .fps_milli = 30000 };
	struct drm_wfd_get_info info;
	struct drm_wfd_frame_acquire f;
	uint64_t session = 0;
	uint32_t out = 0;

	EXPECT(wfd_get_info(CARD_FD, &info) == 0 && info.version == 2);
	EXPECT(info.outputs[1].session_id == SESSION);

	/* CLAIM returns the claim fd and the output it picked. */
	k.eintr = 1;
	k.calls = 0;
	EXPECT(wfd_claim(CARD_FD, 0, &out) == CLAIM_FD && out == 2 && k.calls == 2);
	EXPECT(k.req == DRM_IOCTL_WFD_CLAIM && k.in.claim.output == 0 && !k.in.claim.flags);
	EXPECT(wfd_claim(CARD_FD, 1, NULL) == CLAIM_FD && k.in.claim.output == 1);
	k.fail_with = EPERM;
	EXPECT(wfd_claim(CARD_FD, 1, &out) == -EPERM);

	/* CONNECT: the EDID and limits in, the 64-bit session id out. */
	EXPECT(wfd_connect(CLAIM_FD, edid, 256, 1920, 1080, 1ull << 33, &session) == 0);
	EXPECT(k.req == WFD_IOCTL_CONNECT && k.fd == CLAIM_FD && session == SESSION);
	EXPECT(k.in.connect.edid_ptr == (uintptr_t)edid && k.in.connect.edid_size == 256);
	EXPECT(k.in.connect.max_width == 1920 && k.in.connect.max_height == 1080);
	EXPECT(k.in.connect.max_pixel_rate == 1ull << 33 && !k.in.connect.flags);
	k.fail_with = EINVAL;
	session = 5;
	EXPECT(wfd_connect(CLAIM_FD, edid, 128, 0, 0, 0, &session) == -EINVAL && session == 5);

	/* ACQUIRE: -EAGAIN is an answer, not retried. */
	k.calls = 0;
	k.fail_with = EAGAIN;
	EXPECT(wfd_frame_acquire(CLAIM_FD, SESSION, &f) == -EAGAIN && k.calls == 1);
	EXPECT(f.dmabuf_fd == -1 && k.in.acquire.session_id == SESSION);
	k.new_buffer = true;
	EXPECT(wfd_frame_acquire(CLAIM_FD, SESSION, &f) == 0 && f.dmabuf_fd == 7);
	EXPECT(f.sequence == 42 && f.buffer_id == 9 && (f.flags & WFD_FRAME_NEW_BUFFER));
	k.new_buffer = false;
	EXPECT(wfd_frame_acquire(CLAIM_FD, SESSION, &f) == 0 && f.dmabuf_fd == -1);
	k.fail_with = EBUSY;
	EXPECT(wfd_frame_acquire(CLAIM_FD, SESSION, &f) == -EBUSY && f.dmabuf_fd == -1);

	/* RELEASE: -ETIMEDOUT goes through as it is. */
	k.fail_with = ETIMEDOUT;
	EXPECT(wfd_frame_release(CLAIM_FD, SESSION, 42) == -ETIMEDOUT);
	EXPECT(k.req == WFD_IOCTL_FRAME_RELEASE && k.in.release.session_id == SESSION);
	EXPECT(k.in.release.sequence == 42 && !k.in.release.flags && !k.in.release.pad);

	/* STATS: the session id argument wins over the struct's. */
	EXPECT(wfd_report_stats(CLAIM_FD, SESSION, &rs) == 0);
	EXPECT(k.req == WFD_IOCTL_REPORT_STATS && k.in.stats.session_id == SESSION);
	EXPECT(k.in.stats.fps_milli == 30000 && rs.session_id == 1);

	EXPECT(wfd_report_status(CLAIM_FD, SESSION, WFD_STATUS_MISSING_KEEPALIVE, -110) == 0);
	EXPECT(k.req == WFD_IOCTL_REPORT_STATUS && k.in.status.session_id == SESSION);
	EXPECT(k.in.status.status == WFD_STATUS_MISSING_KEEPALIVE && k.in.status.diag == -110);
	k.fail_with = ENOENT;
	EXPECT(wfd_disconnect(CLAIM_FD, SESSION + 1) == -ENOENT);
	EXPECT(k.req == WFD_IOCTL_DISCONNECT && k.in.disconnect.session_id == SESSION + 1);
	/* The claim fd's calls are not the card's. */
	EXPECT(wfd_disconnect(CARD_FD, SESSION) == -ENOTTY);
}

struct seen {
	uint32_t types[8];
	uint64_t sessions[8];
	int n;
};

static void on_event(const struct drm_event *ev, void *data)
{
	struct seen *s = data;

	if (s->n < 8) {
		s->types[s->n] = ev->type;
		/* Every wfd event has the session id right after the header. */
		s->sessions[s->n] = ((const struct drm_wfd_event_dpms *)ev)->session_id;
	}
	s->n++;
}

static void test_events(void)
{
	struct drm_wfd_event_mode mode = {
		.base = { DRM_WFD_EVENT_MODE_SET, sizeof(mode) },
		.session_id = SESSION, .output = 1, .width = 1920, .height = 1080,
	};
	struct drm_wfd_event_buffer_gone gone = {
		.base = { DRM_WFD_EVENT_BUFFER_GONE, sizeof(gone) },
		.session_id = SESSION, .output = 1, .buffer_id = 9,
	};
	struct drm_wfd_event_frame frame = {
		.base = { DRM_WFD_EVENT_FRAME_READY, sizeof(frame) },
		.session_id = SESSION, .output = 1, .sequence = 43,
	};
	struct drm_event bad = { DRM_WFD_EVENT_DPMS, 4 };
	struct seen s = { 0 };
	int p[2];

	if (pipe2(p, O_CLOEXEC)) {
		perror("pipe2");
		fails++;
		return;
	}
	/* Nothing pending: 0 at once, and the fd is non-blocking from now on. */
	EXPECT(wfd_read_events(p[0], on_event, &s) == 0 && s.n == 0);
	EXPECT(fcntl(p[0], F_GETFL) & O_NONBLOCK);

	EXPECT(write(p[1], &mode, sizeof(mode)) == sizeof(mode));
	EXPECT(write(p[1], &gone, sizeof(gone)) == sizeof(gone));
	EXPECT(write(p[1], &frame, sizeof(frame)) == sizeof(frame));
	EXPECT(wfd_read_events(p[0], on_event, &s) == 3 && s.n == 3);
	EXPECT(s.types[0] == DRM_WFD_EVENT_MODE_SET && s.types[1] == DRM_WFD_EVENT_BUFFER_GONE &&
	       s.types[2] == DRM_WFD_EVENT_FRAME_READY);
	EXPECT(s.sessions[0] == SESSION && s.sessions[2] == SESSION);
	EXPECT(wfd_read_events(p[0], on_event, &s) == 0 && s.n == 3);

	/* A record shorter than its header, or cut off, is not an event. */
	EXPECT(write(p[1], &bad, sizeof(bad)) == sizeof(bad));
	EXPECT(wfd_read_events(p[0], on_event, &s) == -EPROTO && s.n == 3);
	EXPECT(write(p[1], &frame, sizeof(frame) - 8) == sizeof(frame) - 8);
	EXPECT(wfd_read_events(p[0], on_event, &s) == -EPROTO && s.n == 3);

	close(p[1]);
	EXPECT(wfd_read_events(p[0], on_event, &s) == 0);
	close(p[0]);
	EXPECT(wfd_read_events(p[0], on_event, &s) == -EBADF);
}

int main(void)
{
	test_calls();
	test_events();
	printf("%s\n", fails ? "FAIL" : "PASS");
	return fails ? 1 : 0;
}
