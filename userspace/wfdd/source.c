// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Frame source over a claimed wfd output.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "source.h"

int source_claim(struct source *s, const char *device, uint32_t output,
		 enum source_step *step)
{
	struct drm_wfd_get_info info;
	int card, ret;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	*step = SOURCE_OPEN;
	card = wfd_open(device);
	if (card < 0)
		return card;
	/* A driver of another version lays the structs out differently. */
	*step = SOURCE_VERSION;
	ret = wfd_get_info(card, &info);
	if (!ret && info.version != WFD_UAPI_VERSION)
		ret = -EPROTONOSUPPORT;
	if (!ret) {
		*step = SOURCE_CLAIM;
		ret = wfd_claim(card, output, &s->output);
		if (ret >= 0) {
			s->fd = ret;
			ret = 0;
		}
	}
	/* The claim fd stands on its own: no card fd is left open. */
	close(card);
	return ret;
}

static void buffer_drop(struct source_buffer *b)
{
	if (b->map)
		munmap(b->map, b->size);
	if (b->dmabuf >= 0)
		close(b->dmabuf);
	memset(b, 0, sizeof(*b));
}

/* Every fd the session handed out is ours to close when it ends. */
static void buffers_drop(struct source *s)
{
	for (size_t i = 0; i < s->nbufs; i++)
		if (s->bufs[i].id)
			buffer_drop(&s->bufs[i]);
	free(s->bufs);
	s->bufs = NULL;
	s->nbufs = 0;
}

int source_connect(struct source *s, const uint8_t *edid, size_t edid_size,
		   int max_w, int max_h)
{
	uint64_t id;
	int ret;

	if (s->session)
		return -EBUSY;
	ret = wfd_connect(s->fd, edid, edid_size, (uint32_t)max_w, (uint32_t)max_h, 0, &id);
	if (ret)
		return ret;
	/* Nothing of the last session's output may leak into this one. */
	s->session = id;
	s->frame_ready = s->dpms_off = false;
	s->mode_w = s->mode_h = 0;
	s->mode_hz = 0;
	s->hold_expired = 0;
	return 0;
}

static void on_event(const struct drm_event *ev, void *data)
{
	struct source *s = data;

	/* Every wfd event names its session right after the header. */
	if (ev->length < sizeof(struct drm_wfd_event_dpms) ||
	    ((const struct drm_wfd_event_dpms *)ev)->session_id != s->session)
		return;
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
				buffer_drop(&s->bufs[i]);
		break;
	}
	}
}

int source_dispatch(struct source *s)
{
	int n;

	if (!s->session)
		return 0;
	do {
		n = wfd_read_events(s->fd, on_event, s);
	} while (n > 0);
	return n;
}

/*
 * The buffer of @f: the cached one, or a new one from the fd the kernel
 * handed out with it.  The kernel hands out one fd per buffer and
 * session, so a buffer we cannot take now is lost for the session.
 */
static struct source_buffer *buffer_get(struct source *s,
					const struct drm_wfd_frame_acquire *f)
{
	struct source_buffer *b = NULL;
	size_t i;

	for (i = 0; i < s->nbufs && !b; i++)
		if (s->bufs[i].id == f->buffer_id)
			b = &s->bufs[i];
	if (!(f->flags & WFD_FRAME_NEW_BUFFER))
		return b;
	/* A new fd of a buffer we have: the new one is the good one. */
	if (b)
		buffer_drop(b);
	for (i = 0; i < s->nbufs && !b; i++)
		if (!s->bufs[i].id)
			b = &s->bufs[i];
	if (!b) {
		struct source_buffer *nb = realloc(s->bufs, (s->nbufs + 4) * sizeof(*nb));

		if (!nb) {
			close(f->dmabuf_fd);
			return NULL;
		}
		memset(nb + s->nbufs, 0, 4 * sizeof(*nb));
		s->bufs = nb;
		b = &s->bufs[s->nbufs];
		s->nbufs += 4;
	}
	b->id = f->buffer_id;
	b->dmabuf = f->dmabuf_fd;
	b->size = (size_t)lseek(b->dmabuf, 0, SEEK_END);
	b->map = mmap(NULL, b->size, PROT_READ, MAP_SHARED, b->dmabuf, 0);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		buffer_drop(b);
		return NULL;
	}
	return b;
}

int source_acquire(struct source *s, struct source_frame *f)
{
	int ret;

	s->frame_ready = false;
	if (!s->session)
		return -EAGAIN;
	ret = wfd_frame_acquire(s->fd, s->session, &f->info);
	if (ret)
		return ret;
	f->buf = buffer_get(s, &f->info);
	if (!f->buf) {
		source_release(s, f);
		return -EIO;
	}
	return 0;
}

int source_release(struct source *s, struct source_frame *f)
{
	int ret = wfd_frame_release(s->fd, s->session, f->info.sequence);

	/* Released all the same; the picture may be torn, the stream goes on. */
	if (ret == -ETIMEDOUT) {
		s->hold_expired++;
		ret = 0;
	}
	return ret;
}

void source_end(struct source *s, int status, int32_t diag)
{
	if (!s->session)
		return;
	buffers_drop(s);
	if (status >= 0)
		wfd_report_status(s->fd, s->session, (uint32_t)status, diag);
	else
		wfd_disconnect(s->fd, s->session);
	s->session = 0;
	s->frame_ready = false;
}

void source_close(struct source *s)
{
	source_end(s, -1, 0);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
