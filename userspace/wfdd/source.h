/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Frame source: a claimed wfd output, through libwfd.  Owns the claim fd
 * for the daemon's whole life, and the sessions on it one after another;
 * per session, the dma-buf fd and mapping of each buffer (by buffer id),
 * and the kernel's events turned into state and callbacks.
 */
#ifndef WFDD_SOURCE_H
#define WFDD_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "libwfd.h"

struct source_buffer {
	uint64_t id;		/* 0: free slot */
	int dmabuf;		/* from FRAME_ACQUIRE, ours until BUFFER_GONE */
	uint8_t *map;
	size_t size;
};

struct source_frame {
	struct drm_wfd_frame_acquire info;
	struct source_buffer *buf;
};

struct source {
	int fd;			/* the claim fd, -1 when not claimed */
	uint32_t output;
	uint64_t session;	/* the live session, 0 when none */
	/* One per buffer the kernel gave us an fd of, until BUFFER_GONE. */
	struct source_buffer *bufs;
	size_t nbufs;
	/* Set by events. */
	bool frame_ready;
	bool dpms_off;
	int mode_w, mode_h;	/* 0 when the compositor turned the output off */
	unsigned int mode_hz;
	/* Frames released after their hold had expired, this session. */
	uint64_t hold_expired;
	/* Optional: told of BUFFER_GONE before the buffer is dropped. */
	void (*buffer_gone)(void *opaque, uint64_t buffer_id);
	void *opaque;
};

/* Where claiming failed, for the log. */
enum source_step { SOURCE_OPEN, SOURCE_VERSION, SOURCE_CLAIM };

/*
 * Open the card @device (NULL: find it), check its UAPI version, claim
 * @output (0: the first free one) and close the card again: the claim fd
 * is all the sessions need.  On failure, @step says which step failed.
 * Returns 0 or a negative errno (-EPROTONOSUPPORT: another UAPI version).
 */
int source_claim(struct source *s, const char *device, uint32_t output,
		 enum source_step *step);
/* Start a session on the claim: plug the output in with @edid. */
int source_connect(struct source *s, const uint8_t *edid, size_t edid_size,
		   int max_w, int max_h);
/* Read pending events (non-blocking). */
int source_dispatch(struct source *s);
/* Acquire the latest frame (-EAGAIN: none) and map its buffer. */
int source_acquire(struct source *s, struct source_frame *f);
/*
 * Release @f.  0, or a negative errno; a hold that had expired is counted
 * in hold_expired and is no error.
 */
int source_release(struct source *s, struct source_frame *f);
/*
 * End the live session, if any: status >= 0 reports it, -1 disconnects
 * gracefully.  Closes the session's buffers; the claim stays.
 */
void source_end(struct source *s, int status, int32_t diag);
/* Give the claim up (ending a live session gracefully first). */
void source_close(struct source *s);

#endif
