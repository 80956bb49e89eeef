/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Frame source: a wfd session, through libwfd.  Owns the session, the
 * dma-buf fd and mapping of each buffer (by buffer id), and turns kernel
 * events into callbacks.
 */
#ifndef WFDD_SOURCE_H
#define WFDD_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "libwfd.h"

struct source_buffer {
	uint64_t id;		/* 0: free slot */
	uint32_t handle;
	int dmabuf;
	uint8_t *map;
	size_t size;
};

struct source_frame {
	struct drm_wfd_frame_acquire info;
	struct source_buffer *buf;
};

struct source {
	int fd;
	uint32_t session, output;
	/* One per buffer the kernel gave us a handle of, until BUFFER_GONE. */
	struct source_buffer *bufs;
	size_t nbufs;
	/* Set by events. */
	bool frame_ready;
	bool dpms_off;
	int mode_w, mode_h;	/* 0 when the compositor turned the output off */
	unsigned int mode_hz;
	/* Optional: told of BUFFER_GONE before the buffer is dropped. */
	void (*buffer_gone)(void *opaque, uint64_t buffer_id);
	void *opaque;
};

/* Open @device (NULL: find it), claim @output, connect with @edid. */
int source_open(struct source *s, const char *device, uint32_t output,
		const uint8_t *edid, size_t edid_size, int max_w, int max_h);
/* Read pending events (non-blocking). */
int source_dispatch(struct source *s);
/* Acquire the latest frame (-EAGAIN: none) and map its buffer. */
int source_acquire(struct source *s, struct source_frame *f);
int source_release(struct source *s, struct source_frame *f);
/* End the session: status >= 0 reports it, -1 disconnects gracefully. */
void source_close(struct source *s, int status, int32_t diag);

#endif
