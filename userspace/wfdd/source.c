// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Frame source over a wfd session.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>

#include "source.h"

int source_open(struct source *s, const char *device, uint32_t output,
		const uint8_t *edid, size_t edid_size, int max_w, int max_h)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->fd = wfd_open(device);
	if (s->fd < 0)
		return s->fd;
	ret = wfd_claim(s->fd, output, &s->session, &s->output);
	if (!ret)
		ret = wfd_connect(s->fd, s->session, edid, edid_size,
				  (uint32_t)max_w, (uint32_t)max_h, 0);
	if (ret) {
		if (s->session)
			wfd_disconnect(s->fd, s->session);
		close(s->fd);
		s->fd = -1;
	}
	return ret;
}

static void buffer_drop(struct source *s, struct source_buffer *b)
{
	struct drm_gem_close gc = { .handle = b->handle };

	if (b->map)
		munmap(b->map, b->size);
	if (b->dmabuf >= 0)
		close(b->dmabuf);
	if (b->handle)
		drmIoctl(s->fd, DRM_IOCTL_GEM_CLOSE, &gc);
	memset(b, 0, sizeof(*b));
}

static void on_event(const struct drm_event *ev, void *data)
{
	struct source *s = data;

	switch (ev->type) {
	case DRM_WFD_EVENT_FRAME_READY:
		s->frame_ready = true;
		break;
	case DRM_WFD_EVENT_MODE_SET: {
		const struct drm_wfd_event_mode *m = (const void *)ev;

		s->mode_w = (int)m->width;
		s->mode_h = (int)m->height;
		s->mode_hz = (m->refresh_mhz + 500) / 1000;
		/* A mode is set lit; a DPMS off event follows if it is not. */
		if (m->width)
			s->dpms_off = false;
		break;
	}
	case DRM_WFD_EVENT_DPMS:
		s->dpms_off = ((const struct drm_wfd_event_dpms *)ev)->state == WFD_DPMS_OFF;
		break;
	case DRM_WFD_EVENT_BUFFER_GONE: {
		uint64_t id = ((const struct drm_wfd_event_buffer_gone *)ev)->buffer_id;

		if (s->buffer_gone)
			s->buffer_gone(s->opaque, id);
		for (size_t i = 0; i < s->nbufs; i++)
			if (s->bufs[i].id == id)
				buffer_drop(s, &s->bufs[i]);
		break;
	}
	}
}

int source_dispatch(struct source *s)
{
	int n;

	do {
		n = wfd_read_events(s->fd, on_event, s);
	} while (n > 0);
	return n;
}

static struct source_buffer *buffer_get(struct source *s,
					const struct drm_wfd_frame_acquire *f)
{
	struct source_buffer *b = NULL;
	size_t i;

	for (i = 0; i < s->nbufs; i++)
		if (s->bufs[i].id == f->buffer_id)
			return &s->bufs[i];
	if (!(f->flags & WFD_FRAME_NEW_BUFFER))
		return NULL;
	for (i = 0; i < s->nbufs && !b; i++)
		if (!s->bufs[i].id)
			b = &s->bufs[i];
	if (!b) {
		/* The kernel remembers each buffer it handed us: keep them all. */
		struct source_buffer *nb = realloc(s->bufs, (s->nbufs + 4) * sizeof(*nb));

		if (!nb) {
			struct drm_gem_close gc = { .handle = f->gem_handle };

			drmIoctl(s->fd, DRM_IOCTL_GEM_CLOSE, &gc);
			return NULL;
		}
		memset(nb + s->nbufs, 0, 4 * sizeof(*nb));
		s->bufs = nb;
		b = &s->bufs[s->nbufs];
		s->nbufs += 4;
	}
	b->id = f->buffer_id;
	b->handle = f->gem_handle;
	b->dmabuf = -1;
	if (drmPrimeHandleToFD(s->fd, b->handle, DRM_CLOEXEC | DRM_RDWR, &b->dmabuf)) {
		buffer_drop(s, b);
		return NULL;
	}
	b->size = (size_t)lseek(b->dmabuf, 0, SEEK_END);
	b->map = mmap(NULL, b->size, PROT_READ, MAP_SHARED, b->dmabuf, 0);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		buffer_drop(s, b);
		return NULL;
	}
	return b;
}

int source_acquire(struct source *s, struct source_frame *f)
{
	int ret;

	s->frame_ready = false;
	ret = wfd_frame_acquire(s->fd, s->session, &f->info);
	if (ret)
		return ret;
	f->buf = buffer_get(s, &f->info);
	if (!f->buf) {
		wfd_frame_release(s->fd, s->session, f->info.sequence);
		return -EIO;
	}
	return 0;
}

int source_release(struct source *s, struct source_frame *f)
{
	return wfd_frame_release(s->fd, s->session, f->info.sequence);
}

void source_close(struct source *s, int status, int32_t diag)
{
	for (size_t i = 0; i < s->nbufs; i++)
		if (s->bufs[i].id)
			buffer_drop(s, &s->bufs[i]);
	free(s->bufs);
	s->bufs = NULL;
	s->nbufs = 0;
	if (status >= 0)
		wfd_report_status(s->fd, s->session, (uint32_t)status, diag);
	else
		wfd_disconnect(s->fd, s->session);
	close(s->fd);
	s->fd = -1;
}
