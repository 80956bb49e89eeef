// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Helpers shared by the wfd selftests.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "ktap.h"
#include "wfd_util.h"

int util_open_driver(const char *name, bool render)
{
	char path[64];
	int i;

	for (i = 0; i < 16; i++) {
		drmVersionPtr v;
		int fd;

		snprintf(path, sizeof(path), render ? "/dev/dri/renderD%d" :
			 "/dev/dri/card%d", render ? 128 + i : i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && !strcmp(v->name, name)) {
			drmFreeVersion(v);
			return fd;
		}
		drmFreeVersion(v);
		close(fd);
	}
	return -1;
}

int util_minor(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return -1;
	return minor(st.st_rdev);
}

int util_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return (int)n;
}

int util_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* The whole state file in @buf, or a negative errno. */
static int wfd_state_read(int fd, char *buf, size_t len)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%d/wfd_state",
		 util_minor(fd));
	return util_read_file(path, buf, len);
}

/* The value after "@key:" on the last line with that key, or NULL. */
static const char *wfd_state_find(const char *buf, const char *key)
{
	size_t klen = strlen(key);
	const char *p, *found = NULL;

	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, key, klen) && p[klen] == ':')
			found = p + klen + 1;
	}
	return found;
}

#define WFD_STATE_MAX 65536

long util_wfd_state(int fd, const char *key)
{
	char *buf = malloc(WFD_STATE_MAX);
	const char *v = NULL;
	long ret = -1;

	if (buf && wfd_state_read(fd, buf, WFD_STATE_MAX) >= 0)
		v = wfd_state_find(buf, key);
	if (v)
		ret = strtol(v, NULL, 10);
	free(buf);
	return ret;
}

int util_wfd_state_str(int fd, const char *key, char *val, size_t len)
{
	char *buf = malloc(WFD_STATE_MAX);
	const char *v = NULL;
	size_t n;

	if (buf && wfd_state_read(fd, buf, WFD_STATE_MAX) >= 0)
		v = wfd_state_find(buf, key);
	if (!v) {
		free(buf);
		return -ENOENT;
	}
	while (*v == ' ')
		v++;
	n = strcspn(v, "\n");
	if (n >= len)
		n = len - 1;
	memcpy(val, v, n);
	val[n] = 0;
	free(buf);
	return 0;
}

int util_force_connector(int fd, uint32_t connector_id, const char *val)
{
	drmModeConnectorPtr c = drmModeGetConnectorCurrent(fd, connector_id);
	char path[128];
	int ret;

	if (!c)
		return -ENOENT;
	snprintf(path, sizeof(path), "/sys/class/drm/card%d-%s-%u/status",
		 util_minor(fd), drmModeGetConnectorTypeName(c->connector_type),
		 c->connector_type_id);
	drmModeFreeConnector(c);
	ret = util_write_file(path, val);
	if (ret)
		ktap_diag("writing %s to %s: %s", val, path, strerror(-ret));
	return ret;
}

uint32_t util_prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectPropertiesPtr props;
	uint32_t id = 0, i;

	props = drmModeObjectGetProperties(fd, obj, type);
	if (!props)
		return 0;
	for (i = 0; i < props->count_props && !id; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name))
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

int util_dumb_create(int fd, uint32_t w, uint32_t h, uint32_t fourcc,
		     struct wfd_dumb *b)
{
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint64_t off;
	void *map;
	int ret;

	memset(b, 0, sizeof(*b));
	ret = drmModeCreateDumbBuffer(fd, w, h, 32, 0, &b->handle, &b->pitch,
				      &b->size);
	if (ret)
		return ret;
	b->width = w;
	b->height = h;
	ret = drmModeMapDumbBuffer(fd, b->handle, &off);
	if (ret)
		return ret;
	map = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (map == MAP_FAILED)
		return -errno;
	b->map = map;
	if (!fourcc)
		return 0;
	handles[0] = b->handle;
	pitches[0] = b->pitch;
	return drmModeAddFB2(fd, w, h, fourcc, handles, pitches, offsets,
			     &b->fb_id, 0);
}

void util_dumb_fill(struct wfd_dumb *b, uint32_t xrgb)
{
	uint32_t y, x;

	for (y = 0; y < b->height; y++) {
		uint32_t *row = (uint32_t *)((char *)b->map + (size_t)y * b->pitch);

		for (x = 0; x < b->width; x++)
			row[x] = xrgb;
	}
}

void util_dumb_destroy(int fd, struct wfd_dumb *b)
{
	if (b->fb_id)
		drmModeRmFB(fd, b->fb_id);
	if (b->map)
		munmap(b->map, b->size);
	if (b->handle)
		drmModeDestroyDumbBuffer(fd, b->handle);
	memset(b, 0, sizeof(*b));
}

uint32_t util_primary_plane(int fd, uint32_t crtc_id)
{
	drmModePlaneResPtr res = drmModeGetPlaneResources(fd);
	drmModeResPtr mres = drmModeGetResources(fd);
	uint32_t plane = 0, i;
	int crtc_idx = -1;

	for (i = 0; mres && i < (uint32_t)mres->count_crtcs; i++)
		if (mres->crtcs[i] == crtc_id)
			crtc_idx = (int)i;
	for (i = 0; res && crtc_idx >= 0 && i < res->count_planes && !plane; i++) {
		drmModePlanePtr p = drmModeGetPlane(fd, res->planes[i]);
		uint32_t type_prop = util_prop_id(fd, res->planes[i],
						  DRM_MODE_OBJECT_PLANE, "type");
		drmModeObjectPropertiesPtr props =
			drmModeObjectGetProperties(fd, res->planes[i],
						   DRM_MODE_OBJECT_PLANE);
		uint32_t j;

		for (j = 0; props && j < props->count_props; j++)
			if (props->props[j] == type_prop &&
			    props->prop_values[j] == DRM_PLANE_TYPE_PRIMARY &&
			    p && (p->possible_crtcs & (1u << crtc_idx)))
				plane = p->plane_id;
		drmModeFreeObjectProperties(props);
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(res);
	drmModeFreeResources(mres);
	return plane;
}

static int add(drmModeAtomicReqPtr req, int fd, uint32_t obj, uint32_t type,
	       const char *name, uint64_t val)
{
	uint32_t prop = util_prop_id(fd, obj, type, name);

	if (!prop)
		return -ENOENT;
	return drmModeAtomicAddProperty(req, obj, prop, val) < 0 ? -EINVAL : 0;
}

int util_modeset(int fd, uint32_t crtc_id, uint32_t conn_id, uint32_t plane_id,
		 const drmModeModeInfo *mode, uint32_t fb_id, uint32_t flags)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	uint32_t blob = 0;
	int ret;

	ret = drmModeCreatePropertyBlob(fd, mode, sizeof(*mode), &blob);
	if (ret)
		goto out;
	ret = add(req, fd, crtc_id, DRM_MODE_OBJECT_CRTC, "MODE_ID", blob) ?:
	      add(req, fd, crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE", 1) ?:
	      add(req, fd, conn_id, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", crtc_id) ?:
	      add(req, fd, plane_id, DRM_MODE_OBJECT_PLANE, "FB_ID", fb_id) ?:
	      add(req, fd, plane_id, DRM_MODE_OBJECT_PLANE, "CRTC_ID", fb_id ? crtc_id : 0) ?:
	      add(req, fd, plane_id, DRM_MODE_OBJECT_PLANE, "SRC_X", 0) ?:
	      add(req, fd, plane_id, DRM_MODE_OBJECT_PLANE, "SRC_Y", 0) ?:
	      add(req, fd, plane_id, DRM_MODE_OBJECT_PLANE, "SRC_W", (uint64_t)mode->hdisplay << 16) ?:
	      add(req, fd, plane_id, DRM_MODE_OBJECT_PLANE, "SRC_H", (uint64_t)mode->vdisplay << 16) ?:
	      add(req, fd, plane_id, DRM_MODE_OBJECT_PLANE, "CRTC_X", 0) ?:
	      add(req, fd, plane_id, DRM_MODE_OBJECT_PLANE, "CRTC_Y", 0) ?:
	      add(req, fd, plane_id, DRM_MODE_OBJECT_PLANE, "CRTC_W", mode->hdisplay) ?:
	      add(req, fd, plane_id, DRM_MODE_OBJECT_PLANE, "CRTC_H", mode->vdisplay);
	if (!ret)
		ret = drmModeAtomicCommit(fd, req, flags | DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	if (ret == -1)
		ret = -errno;
out:
	if (blob)
		drmModeDestroyPropertyBlob(fd, blob);
	drmModeAtomicFree(req);
	return ret;
}

int util_disable(int fd, uint32_t crtc_id, uint32_t conn_id, uint32_t plane_id)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	int ret;

	ret = add(req, fd, crtc_id, DRM_MODE_OBJECT_CRTC, "MODE_ID", 0) ?:
	      add(req, fd, crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE", 0) ?:
	      add(req, fd, conn_id, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", 0) ?:
	      add(req, fd, plane_id, DRM_MODE_OBJECT_PLANE, "FB_ID", 0) ?:
	      add(req, fd, plane_id, DRM_MODE_OBJECT_PLANE, "CRTC_ID", 0);
	if (!ret)
		ret = drmModeAtomicCommit(fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	if (ret == -1)
		ret = -errno;
	drmModeAtomicFree(req);
	return ret;
}

double util_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int util_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	/* ".", ".." and the directory's own fd. */
	return n - 3;
}

int util_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

int util_wfd_get_info(int card, struct drm_wfd_get_info *info)
{
	memset(info, 0, sizeof(*info));
	return util_ioctl(card, DRM_IOCTL_WFD_GET_INFO, info);
}

int util_wfd_claim(int card, uint32_t output, uint32_t *claimed)
{
	struct drm_wfd_claim args = { .output = output, .fd = -1 };
	int ret = util_ioctl(card, DRM_IOCTL_WFD_CLAIM, &args);

	if (ret)
		return ret;
	if (claimed)
		*claimed = args.output;
	return args.fd;
}

int util_wfd_connect(int claim, const void *edid, size_t size, uint32_t max_width,
		     uint32_t max_height, uint64_t max_pixel_rate, uint64_t *session_id)
{
	struct drm_wfd_connect args = {
		.edid_size = (uint32_t)size,
		.edid_ptr = (uintptr_t)edid,
		.max_width = max_width,
		.max_height = max_height,
		.max_pixel_rate = max_pixel_rate,
	};
	int ret = util_ioctl(claim, WFD_IOCTL_CONNECT, &args);

	if (!ret && session_id)
		*session_id = args.session_id;
	return ret;
}

int util_wfd_acquire(int claim, uint64_t session_id, struct drm_wfd_frame_acquire *f)
{
	int ret;

	memset(f, 0, sizeof(*f));
	f->session_id = session_id;
	f->dmabuf_fd = -1;
	ret = util_ioctl(claim, WFD_IOCTL_FRAME_ACQUIRE, f);
	if (ret)
		f->dmabuf_fd = -1;
	return ret;
}

int util_wfd_release(int claim, uint64_t session_id, uint64_t sequence)
{
	struct drm_wfd_frame_release args = {
		.session_id = session_id,
		.sequence = sequence,
	};

	return util_ioctl(claim, WFD_IOCTL_FRAME_RELEASE, &args);
}

int util_wfd_report_status(int claim, uint64_t session_id, uint32_t status, int32_t diag)
{
	struct drm_wfd_report_status args = {
		.session_id = session_id,
		.status = status,
		.diag = diag,
	};

	return util_ioctl(claim, WFD_IOCTL_REPORT_STATUS, &args);
}

int util_wfd_report_stats(int claim, const struct drm_wfd_report_stats *stats)
{
	struct drm_wfd_report_stats args = *stats;

	return util_ioctl(claim, WFD_IOCTL_REPORT_STATS, &args);
}

int util_wfd_disconnect(int claim, uint64_t session_id)
{
	struct drm_wfd_disconnect args = { .session_id = session_id };

	return util_ioctl(claim, WFD_IOCTL_DISCONNECT, &args);
}
