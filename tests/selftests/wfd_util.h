/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the wfd selftests.
 */
#ifndef WFD_UTIL_H
#define WFD_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include "wfd_drm.h"

#define CHECK(cond) do {						\
	if (getenv("WFD_TRACE"))					\
		ktap_diag("%s:%d: %s", __FILE__, __LINE__, #cond);	\
	if (!(cond)) {							\
		ktap_diag("%s:%d: check failed: %s", __FILE__,		\
			  __LINE__, #cond);				\
		return 1;						\
	}								\
} while (0)

#define CHECK_ERRNO(expr, err) do {					\
	errno = 0;							\
	int __r = (expr);						\
	int __e = __r < 0 ? (__r == -1 ? errno : -__r) : 0;		\
	if (__e != (err)) {						\
		ktap_diag("%s:%d: %s: got errno %d, want %d", __FILE__,	\
			  __LINE__, #expr, __e, (err));			\
		return 1;						\
	}								\
} while (0)

struct wfd_dumb {
	uint32_t handle, pitch, fb_id;
	uint32_t width, height;
	uint64_t size;
	uint32_t *map;
};

/* Open the card node of the first DRM device whose driver is @name. */
int util_open_driver(const char *name, bool render);
/* Minor number of an open card node, for debugfs paths. */
int util_minor(int fd);
/* Read "key: value" from wfd's debugfs state file; -1 when absent. */
long util_wfd_state(int fd, const char *key);
/*
 * The value of the last "key: value" line of wfd's debugfs state file
 * (keys such as outputN.ending repeat); 0, or -ENOENT when absent.
 */
int util_wfd_state_str(int fd, const char *key, char *val, size_t len);
/* Write @val to the connector's sysfs "status" file (on/off/detect). */
int util_force_connector(int fd, uint32_t connector_id, const char *val);
uint32_t util_prop_id(int fd, uint32_t obj, uint32_t type, const char *name);
int util_dumb_create(int fd, uint32_t w, uint32_t h, uint32_t fourcc,
		     struct wfd_dumb *b);
void util_dumb_fill(struct wfd_dumb *b, uint32_t xrgb);
void util_dumb_destroy(int fd, struct wfd_dumb *b);
/* Light up @crtc_id + @conn_id with @mode scanning out @fb_id. */
int util_modeset(int fd, uint32_t crtc_id, uint32_t conn_id, uint32_t plane_id,
		 const drmModeModeInfo *mode, uint32_t fb_id, uint32_t flags);
int util_disable(int fd, uint32_t crtc_id, uint32_t conn_id, uint32_t plane_id);
uint32_t util_primary_plane(int fd, uint32_t crtc_id);
double util_now(void);
/* Open fds of this process. */
int util_count_fds(void);

/*
 * The wfd ioctls, raw, so that the tests exercise the UAPI itself.  Each
 * returns 0 (or the new fd) on success and a negative errno on failure.
 * util_ioctl() retries on EINTR only: drmIoctl() would also retry on
 * EAGAIN, which is FRAME_ACQUIRE's "no new frame".
 */
int util_ioctl(int fd, unsigned long request, void *arg);
int util_wfd_get_info(int card, struct drm_wfd_get_info *info);
/* CLAIM on the card fd: the claim fd; @claimed may be NULL. */
int util_wfd_claim(int card, uint32_t output, uint32_t *claimed);
int util_wfd_connect(int claim, const void *edid, size_t size, uint32_t max_width,
		     uint32_t max_height, uint64_t max_pixel_rate, uint64_t *session_id);
/* Zeroes @f, then FRAME_ACQUIRE; @f->dmabuf_fd is -1 unless a new fd came. */
int util_wfd_acquire(int claim, uint64_t session_id, struct drm_wfd_frame_acquire *f);
int util_wfd_release(int claim, uint64_t session_id, uint64_t sequence);
int util_wfd_report_status(int claim, uint64_t session_id, uint32_t status, int32_t diag);
int util_wfd_report_stats(int claim, const struct drm_wfd_report_stats *stats);
int util_wfd_disconnect(int claim, uint64_t session_id);
int util_read_file(const char *path, char *buf, size_t len);
int util_write_file(const char *path, const char *val);

#endif
