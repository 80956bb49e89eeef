// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwfd: client library for wfd sessions (UAPI version 2).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xf86drm.h>

#include "libwfd.h"

/* Not drmIoctl(): it retries on EAGAIN, which FRAME_ACQUIRE returns. */
static int wfd_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && errno == EINTR);
	return ret ? -errno : 0;
}

static int wfd_is_wfd(int fd)
{
	drmVersionPtr v = drmGetVersion(fd);
	int ret = v && !strcmp(v->name, "wfd");

	drmFreeVersion(v);
	return ret;
}

int wfd_open(const char *path)
{
	drmDevicePtr devs[64];
	int n, i, fd = -ENODEV;

	if (path) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (!wfd_is_wfd(fd)) {
			close(fd);
			return -ENODEV;
		}
	} else {
		n = drmGetDevices2(0, devs, 64);
		if (n < 0)
			return n;
		for (i = 0; i < n && fd < 0; i++) {
			if (!(devs[i]->available_nodes & (1 << DRM_NODE_PRIMARY)))
				continue;
			fd = open(devs[i]->nodes[DRM_NODE_PRIMARY], O_RDWR | O_CLOEXEC);
			if (fd >= 0 && !wfd_is_wfd(fd)) {
				close(fd);
				fd = -ENODEV;
			}
		}
		drmFreeDevices(devs, n);
		if (fd < 0)
			return -ENODEV;
	}
	/*
	 * The first opener of a card with no master becomes master: give it
	 * back at once so the compositor can take it.  Failing with EINVAL
	 * means we were not master, which is fine.
	 */
	if (drmIsMaster(fd))
		drmDropMaster(fd);
	return fd;
}

int wfd_get_info(int card_fd, struct drm_wfd_get_info *info)
{
	memset(info, 0, sizeof(*info));
	return wfd_ioctl(card_fd, DRM_IOCTL_WFD_GET_INFO, info);
}

int wfd_claim(int card_fd, uint32_t output, uint32_t *claimed_output)
{
	struct drm_wfd_claim args = { .output = output };
	int ret = wfd_ioctl(card_fd, DRM_IOCTL_WFD_CLAIM, &args);

	if (ret)
		return ret;
	if (args.fd < 0)
		return -EPROTO;
	if (claimed_output)
		*claimed_output = args.output;
	return args.fd;
}

int wfd_connect(int claim_fd, const void *edid, size_t size, uint32_t max_width,
		uint32_t max_height, uint64_t max_pixel_rate, uint64_t *session_id)
{
	struct drm_wfd_connect args = {
		.edid_ptr = (uintptr_t)edid,
		.edid_size = (uint32_t)size,
		.max_width = max_width,
		.max_height = max_height,
		.max_pixel_rate = max_pixel_rate,
	};
	int ret;

	if (size > UINT32_MAX)
		return -EINVAL;
	ret = wfd_ioctl(claim_fd, WFD_IOCTL_CONNECT, &args);
	if (ret)
		return ret;
	*session_id = args.session_id;
	return 0;
}

/*
 * An 18-byte detailed timing descriptor with reduced blanking in the
 * manner of CVT-RB: 160 pixels of horizontal blanking, at least 460 us of
 * vertical blanking.  The pixel clock is rounded to the descriptor's
 * 10 kHz unit so that the refresh rate rounds back to @m->refresh_hz.
 */
static int edid_dtd(uint8_t *d, const struct wfd_mode *m)
{
	uint32_t hblank = 160, hso = 48, hsw = 32;
	uint32_t vso = 3, vsw = 5, vblank, htotal, vtotal;
	uint64_t clock10k;

	if (!m->width || !m->height || !m->refresh_hz || m->refresh_hz > 240 ||
	    m->width > 4095 || m->height > 4095)
		return -EINVAL;
	/* Lines in 460 us at this refresh, at least vso + vsw + 6. */
	vblank = (uint32_t)((460ull * m->height * m->refresh_hz + 999999) / 1000000) + 1;
	if (vblank < vso + vsw + 6)
		vblank = vso + vsw + 6;
	htotal = m->width + hblank;
	vtotal = m->height + vblank;
	clock10k = ((uint64_t)htotal * vtotal * m->refresh_hz + 5000) / 10000;
	if (!clock10k || clock10k > 0xffff)
		return -EINVAL;

	d[0] = clock10k & 0xff;
	d[1] = clock10k >> 8;
	d[2] = m->width & 0xff;
	d[3] = hblank & 0xff;
	d[4] = ((m->width >> 8) << 4) | (hblank >> 8);
	d[5] = m->height & 0xff;
	d[6] = vblank & 0xff;
	d[7] = ((m->height >> 8) << 4) | (vblank >> 8);
	d[8] = hso & 0xff;
	d[9] = hsw & 0xff;
	d[10] = (uint8_t)(((vso & 0xf) << 4) | (vsw & 0xf));
	d[11] = (uint8_t)(((hso >> 8) << 6) | ((hsw >> 8) << 4) |
			  ((vso >> 4) << 2) | (vsw >> 4));
	/* Image size unknown (a projector-like sink); no border. */
	d[12] = d[13] = d[14] = d[15] = d[16] = 0;
	d[17] = 0x1e; /* digital separate sync, +h +v */
	return 0;
}

static void edid_checksum(uint8_t *block)
{
	uint8_t sum = 0;
	int i;

	for (i = 0; i < 127; i++)
		sum += block[i];
	block[127] = (uint8_t)(0x100 - sum);
}

int wfd_edid_synthesize(const struct wfd_mode *modes, size_t n,
			const char *name, uint8_t *edid, size_t size)
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	size_t need = n > 3 ? 256 : 128, i, len;
	uint8_t *b = edid, *ext = edid + 128;
	int ret;

	if (!n || n > 3 + 6)
		return -EINVAL;
	if (size < need)
		return -ENOSPC;
	memset(edid, 0, need);

	memcpy(b, header, sizeof(header));
	b[8] = 0x5c; b[9] = 0xe4;	/* manufacturer "WFD" */
	b[10] = 0x01;			/* product code */
	b[16] = 1; b[17] = 36;		/* week 1, 2026 */
	b[18] = 1; b[19] = 4;		/* EDID 1.4 */
	b[20] = 0xa5;			/* digital, 8 bpc, DisplayPort-like */
	b[24] = 0x06;			/* RGB 4:4:4, preferred timing is native */
	memset(b + 38, 0x01, 16);	/* no standard timings */

	/* Descriptors: up to three modes, then the monitor name. */
	for (i = 0; i < n && i < 3; i++) {
		ret = edid_dtd(b + 54 + 18 * i, &modes[i]);
		if (ret)
			return ret;
	}
	{
		uint8_t *d = b + 54 + 18 * 3;

		d[3] = 0xfc;
		memset(d + 5, ' ', 13);
		len = name ? strnlen(name, 13) : 0;
		memcpy(d + 5, name, len);
		if (len < 13)
			d[5 + len] = '\n';
	}
	/* Unused descriptor slots (fewer than three modes) are dummies. */
	for (i = n; i < 3; i++)
		b[54 + 18 * i + 3] = 0x10;

	if (n > 3) {
		b[126] = 1;
		ext[0] = 0x02;	/* CTA-861 extension */
		ext[1] = 0x03;
		ext[2] = 4;	/* no data blocks: descriptors start at 4 */
		ext[3] = 0;
		for (i = 3; i < n; i++) {
			ret = edid_dtd(ext + 4 + 18 * (i - 3), &modes[i]);
			if (ret)
				return ret;
		}
		edid_checksum(ext);
	}
	edid_checksum(b);
	return (int)need;
}

int wfd_frame_acquire(int claim_fd, uint64_t session_id,
		      struct drm_wfd_frame_acquire *frame)
{
	int ret;

	memset(frame, 0, sizeof(*frame));
	frame->session_id = session_id;
	ret = wfd_ioctl(claim_fd, WFD_IOCTL_FRAME_ACQUIRE, frame);
	if (ret || !(frame->flags & WFD_FRAME_NEW_BUFFER))
		frame->dmabuf_fd = -1;
	return ret;
}

int wfd_frame_release(int claim_fd, uint64_t session_id, uint64_t sequence)
{
	struct drm_wfd_frame_release args = {
		.session_id = session_id,
		.sequence = sequence,
	};

	return wfd_ioctl(claim_fd, WFD_IOCTL_FRAME_RELEASE, &args);
}

int wfd_report_stats(int claim_fd, uint64_t session_id,
		     const struct drm_wfd_report_stats *stats)
{
	struct drm_wfd_report_stats args = *stats;

	args.session_id = session_id;
	return wfd_ioctl(claim_fd, WFD_IOCTL_REPORT_STATS, &args);
}

int wfd_report_status(int claim_fd, uint64_t session_id, uint32_t status,
		      int32_t diag)
{
	struct drm_wfd_report_status args = {
		.session_id = session_id,
		.status = status,
		.diag = diag,
	};

	return wfd_ioctl(claim_fd, WFD_IOCTL_REPORT_STATUS, &args);
}

int wfd_disconnect(int claim_fd, uint64_t session_id)
{
	struct drm_wfd_disconnect args = { .session_id = session_id };

	return wfd_ioctl(claim_fd, WFD_IOCTL_DISCONNECT, &args);
}

int wfd_read_events(int claim_fd,
		    void (*cb)(const struct drm_event *ev, void *data),
		    void *data)
{
	/* Aligned for the event structs, which hold 64-bit fields. */
	uint64_t buf[512];
	int count = 0, flags = fcntl(claim_fd, F_GETFL);
	ssize_t len, off = 0;

	if (flags < 0)
		return -errno;
	if (!(flags & O_NONBLOCK) && fcntl(claim_fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	do {
		len = read(claim_fd, buf, sizeof(buf));
	} while (len < 0 && errno == EINTR);
	if (len < 0)
		return errno == EAGAIN ? 0 : -errno;
	/*
	 * The kernel hands out whole records, each a multiple of 8 bytes
	 * (which keeps the next one aligned): anything else is not wfd's.
	 */
	while (off < len) {
		const struct drm_event *ev = (const void *)((char *)buf + off);

		if (len - off < (ssize_t)sizeof(*ev) || ev->length < sizeof(*ev) ||
		    ev->length > (uint32_t)(len - off) || ev->length % 8)
			return -EPROTO;
		cb(ev, data);
		count++;
		off += ev->length;
	}
	return count;
}
