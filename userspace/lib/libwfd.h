/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwfd: client library for wfd sessions.
 *
 * A session daemon opens the wfd device, claims an output, connects it
 * with the sink's EDID, and then acquires and releases frames as
 * FRAME_READY events arrive.  See Documentation/uapi.rst.
 */
#ifndef LIBWFD_H
#define LIBWFD_H

#include <stddef.h>
#include <stdint.h>

#include <wfd_drm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A mode for EDID synthesis. */
struct wfd_mode {
	uint32_t width, height, refresh_hz;
};

/*
 * Open the wfd device: @path, or when NULL the first DRM device whose
 * driver is "wfd" (card numbers change from boot to boot).  Drops DRM
 * master at once, so that the daemon never holds it.  Returns an fd or a
 * negative errno.
 */
int wfd_open(const char *path);

/* DRM_IOCTL_WFD_GET_INFO.  Returns 0 or a negative errno. */
int wfd_get_info(int fd, struct drm_wfd_get_info *info);

/*
 * Claim @output (1-based, 0 for any free one).  On success stores the
 * session id and the output claimed.  Returns 0 or a negative errno.
 */
int wfd_claim(int fd, uint32_t output, uint32_t *session_id,
	      uint32_t *claimed_output);

/* Connect the session's output with @edid.  Returns 0 or a negative errno. */
int wfd_connect(int fd, uint32_t session_id, const void *edid, size_t size,
		uint32_t max_width, uint32_t max_height, uint64_t max_pixel_rate);

/*
 * Build an EDID (base block plus one CTA extension when a mode needs a
 * VIC) listing @modes, the first preferred, with monitor name @name.
 * Writes at most @size bytes to @edid.  Returns the EDID's size, or a
 * negative errno (-EINVAL for no or unsupported modes, -ENOSPC).
 */
int wfd_edid_synthesize(const struct wfd_mode *modes, size_t n,
			const char *name, uint8_t *edid, size_t size);

/* Acquire the latest frame.  Returns 0, -EAGAIN, or a negative errno. */
int wfd_frame_acquire(int fd, uint32_t session_id,
		      struct drm_wfd_frame_acquire *frame);
int wfd_frame_release(int fd, uint32_t session_id, uint64_t sequence);

/* End the session with a WFD_STATUS_* and a diagnostic code. */
int wfd_report_status(int fd, uint32_t session_id, uint32_t status, int32_t diag);
int wfd_report_stats(int fd, const struct drm_wfd_report_stats *stats);
/* End the session gracefully. */
int wfd_disconnect(int fd, uint32_t session_id);

/*
 * Read the events pending on @fd (non-blocking) and call @cb for each.
 * Returns the number of events, or a negative errno.
 */
int wfd_read_events(int fd, void (*cb)(const struct drm_event *ev, void *data),
		    void *data);

#ifdef __cplusplus
}
#endif

#endif
