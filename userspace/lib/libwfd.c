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

/*
 * CTA-861 modes by VIC, as the kernel's table has them: size, refresh (as
 * the kernel rounds it) and interlacing.  VICs 1-127 and 193-219.
 */
struct vic_mode {
	uint16_t w, h;
	uint8_t hz;
	bool interlaced;
};

#define P(w, h, hz) { w, h, hz, false }
#define I(w, h, hz) { w, h, hz, true }
static const struct vic_mode vic_modes[] = {
	[1] = P(640, 480, 60), [2] = P(720, 480, 60), [3] = P(720, 480, 60),
	[4] = P(1280, 720, 60), [5] = I(1920, 1080, 60), [6] = I(720, 480, 60),
	[7] = I(720, 480, 60), [8] = P(720, 240, 60), [9] = P(720, 240, 60),
	[10] = I(2880, 480, 60), [11] = I(2880, 480, 60), [12] = P(2880, 240, 60),
	[13] = P(2880, 240, 60), [14] = P(1440, 480, 60), [15] = P(1440, 480, 60),
	[16] = P(1920, 1080, 60), [17] = P(720, 576, 50), [18] = P(720, 576, 50),
	[19] = P(1280, 720, 50), [20] = I(1920, 1080, 50), [21] = I(720, 576, 50),
	[22] = I(720, 576, 50), [23] = P(720, 288, 50), [24] = P(720, 288, 50),
	[25] = I(2880, 576, 50), [26] = I(2880, 576, 50), [27] = P(2880, 288, 50),
	[28] = P(2880, 288, 50), [29] = P(1440, 576, 50), [30] = P(1440, 576, 50),
	[31] = P(1920, 1080, 50), [32] = P(1920, 1080, 24), [33] = P(1920, 1080, 25),
	[34] = P(1920, 1080, 30), [35] = P(2880, 480, 60), [36] = P(2880, 480, 60),
	[37] = P(2880, 576, 50), [38] = P(2880, 576, 50), [39] = I(1920, 1080, 50),
	[40] = I(1920, 1080, 100), [41] = P(1280, 720, 100), [42] = P(720, 576, 100),
	[43] = P(720, 576, 100), [44] = I(720, 576, 100), [45] = I(720, 576, 100),
	[46] = I(1920, 1080, 120), [47] = P(1280, 720, 120), [48] = P(720, 480, 120),
	[49] = P(720, 480, 120), [50] = I(720, 480, 120), [51] = I(720, 480, 120),
	[52] = P(720, 576, 200), [53] = P(720, 576, 200), [54] = I(720, 576, 200),
	[55] = I(720, 576, 200), [56] = P(720, 480, 240), [57] = P(720, 480, 240),
	[58] = I(720, 480, 240), [59] = I(720, 480, 240), [60] = P(1280, 720, 24),
	[61] = P(1280, 720, 25), [62] = P(1280, 720, 30), [63] = P(1920, 1080, 120),
	[64] = P(1920, 1080, 100), [65] = P(1280, 720, 24), [66] = P(1280, 720, 25),
	[67] = P(1280, 720, 30), [68] = P(1280, 720, 50), [69] = P(1280, 720, 60),
	[70] = P(1280, 720, 100), [71] = P(1280, 720, 120), [72] = P(1920, 1080, 24),
	[73] = P(1920, 1080, 25), [74] = P(1920, 1080, 30), [75] = P(1920, 1080, 50),
	[76] = P(1920, 1080, 60), [77] = P(1920, 1080, 100), [78] = P(1920, 1080, 120),
	[79] = P(1680, 720, 24), [80] = P(1680, 720, 25), [81] = P(1680, 720, 30),
	[82] = P(1680, 720, 50), [83] = P(1680, 720, 60), [84] = P(1680, 720, 100),
	[85] = P(1680, 720, 120), [86] = P(2560, 1080, 24), [87] = P(2560, 1080, 25),
	[88] = P(2560, 1080, 30), [89] = P(2560, 1080, 50), [90] = P(2560, 1080, 60),
	[91] = P(2560, 1080, 100), [92] = P(2560, 1080, 120), [93] = P(3840, 2160, 24),
	[94] = P(3840, 2160, 25), [95] = P(3840, 2160, 30), [96] = P(3840, 2160, 50),
	[97] = P(3840, 2160, 60), [98] = P(4096, 2160, 24), [99] = P(4096, 2160, 25),
	[100] = P(4096, 2160, 30), [101] = P(4096, 2160, 50), [102] = P(4096, 2160, 60),
	[103] = P(3840, 2160, 24), [104] = P(3840, 2160, 25), [105] = P(3840, 2160, 30),
	[106] = P(3840, 2160, 50), [107] = P(3840, 2160, 60), [108] = P(1280, 720, 48),
	[109] = P(1280, 720, 48), [110] = P(1680, 720, 48), [111] = P(1920, 1080, 48),
	[112] = P(1920, 1080, 48), [113] = P(2560, 1080, 48), [114] = P(3840, 2160, 48),
	[115] = P(4096, 2160, 48), [116] = P(3840, 2160, 48), [117] = P(3840, 2160, 100),
	[118] = P(3840, 2160, 120), [119] = P(3840, 2160, 100), [120] = P(3840, 2160, 120),
	[121] = P(5120, 2160, 24), [122] = P(5120, 2160, 25), [123] = P(5120, 2160, 30),
	[124] = P(5120, 2160, 48), [125] = P(5120, 2160, 50), [126] = P(5120, 2160, 60),
	[127] = P(5120, 2160, 100),
	[193] = P(5120, 2160, 120), [194] = P(7680, 4320, 24), [195] = P(7680, 4320, 25),
	[196] = P(7680, 4320, 30), [197] = P(7680, 4320, 48), [198] = P(7680, 4320, 50),
	[199] = P(7680, 4320, 60), [200] = P(7680, 4320, 100), [201] = P(7680, 4320, 120),
	[202] = P(7680, 4320, 24), [203] = P(7680, 4320, 25), [204] = P(7680, 4320, 30),
	[205] = P(7680, 4320, 48), [206] = P(7680, 4320, 50), [207] = P(7680, 4320, 60),
	[208] = P(7680, 4320, 100), [209] = P(7680, 4320, 120), [210] = P(10240, 4320, 24),
	[211] = P(10240, 4320, 25), [212] = P(10240, 4320, 30), [213] = P(10240, 4320, 48),
	[214] = P(10240, 4320, 50), [215] = P(10240, 4320, 60), [216] = P(10240, 4320, 100),
	[217] = P(10240, 4320, 120), [218] = P(4096, 2160, 100), [219] = P(4096, 2160, 120),
};

/* HDMI 1.4 VICs of the vendor-specific data block. */
static const struct vic_mode hdmi_vic_modes[] = {
	[1] = P(3840, 2160, 30), [2] = P(3840, 2160, 25), [3] = P(3840, 2160, 24),
	[4] = P(4096, 2160, 24),
};

/* Established timings I and II, by bit of bytes 35, 36 and 37 bit 7. */
static const struct vic_mode est_modes[] = {
	P(800, 600, 60), P(800, 600, 56), P(640, 480, 75), P(640, 480, 72),
	P(640, 480, 67), P(640, 480, 60), P(720, 400, 88), P(720, 400, 70),
	P(1280, 1024, 75), P(1024, 768, 75), P(1024, 768, 70), P(1024, 768, 60),
	I(1024, 768, 87), P(832, 624, 75), P(800, 600, 75), P(800, 600, 72),
	P(1152, 864, 75),
};

/* Established timings III (descriptor 0xf7), bit 7 of its byte 6 first. */
static const struct vic_mode est3_modes[] = {
	P(640, 350, 85), P(640, 400, 85), P(720, 400, 85), P(640, 480, 85),
	P(848, 480, 60), P(800, 600, 85), P(1024, 768, 85), P(1152, 864, 75),
	P(1280, 768, 60), P(1280, 768, 60), P(1280, 768, 75), P(1280, 768, 85),
	P(1280, 960, 60), P(1280, 960, 85), P(1280, 1024, 60), P(1280, 1024, 85),
	P(1360, 768, 60), P(1440, 900, 60), P(1440, 900, 60), P(1440, 900, 75),
	P(1440, 900, 85), P(1400, 1050, 60), P(1400, 1050, 60), P(1400, 1050, 75),
	P(1400, 1050, 85), P(1680, 1050, 60), P(1680, 1050, 60), P(1680, 1050, 75),
	P(1680, 1050, 85), P(1600, 1200, 60), P(1600, 1200, 65), P(1600, 1200, 70),
	P(1600, 1200, 75), P(1600, 1200, 85), P(1792, 1344, 60), P(1792, 1344, 75),
	P(1856, 1392, 60), P(1856, 1392, 75), P(1920, 1200, 60), P(1920, 1200, 60),
	P(1920, 1200, 75), P(1920, 1200, 85), P(1920, 1440, 60), P(1920, 1440, 75),
};
#undef P
#undef I

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* What an EDID walk does with each mode: list it, and drop it unless kept. */
struct edid_walk {
	bool (*keep)(const struct wfd_edid_mode *mode, void *opaque);
	void *opaque;
	struct wfd_edid_mode *modes;
	size_t n, count;
	int revision;		/* of the base block */
	bool svd_removed;
};

/* One mode of the EDID; false when it is to go. */
static bool edid_found(struct edid_walk *w, uint32_t width, uint32_t height, uint32_t hz,
		       uint32_t flags)
{
	struct wfd_edid_mode m = { width, height, hz, flags };

	if (w->count < w->n)
		w->modes[w->count] = m;
	w->count++;
	return !w->keep || w->keep(&m, w->opaque);
}

static bool edid_found_vic(struct edid_walk *w, const struct vic_mode *t, size_t nt,
			   unsigned int vic)
{
	if (vic >= nt || !t[vic].w)
		return true;	/* no mode: nothing to keep or drop */
	return edid_found(w, t[vic].w, t[vic].h, t[vic].hz,
			  WFD_EDID_MODE_CTA | (t[vic].interlaced ? WFD_EDID_MODE_INTERLACED : 0));
}

/* A detailed timing's mode as the kernel makes it; false when it makes none. */
static bool edid_dtd_mode(const uint8_t *d, struct wfd_edid_mode *m)
{
	static const uint16_t cea_interlaced[][2] = {
		{ 1920, 1080 }, { 720, 480 }, { 1440, 480 }, { 2880, 480 },
		{ 720, 576 }, { 1440, 576 }, { 2880, 576 },
	};
	uint32_t clock = (uint32_t)(d[0] | d[1] << 8) * 10000u;
	uint32_t ha = d[2] | (uint32_t)(d[4] & 0xf0) << 4, hb = d[3] | (uint32_t)(d[4] & 0x0f) << 8;
	uint32_t va = d[5] | (uint32_t)(d[7] & 0xf0) << 4, vb = d[6] | (uint32_t)(d[7] & 0x0f) << 8;
	uint32_t hsw = d[9] | (uint32_t)(d[11] & 0x30) << 4;
	uint32_t vsw = (d[10] & 0x0fu) | (uint32_t)(d[11] & 0x03) << 4;
	uint64_t vtotal = va + vb, num = clock;
	bool interlaced = d[17] & 0x80;

	/* Tiny, stereo, or without sync pulses: the kernel takes none of them. */
	if (ha < 64 || va < 64 || (d[17] & 0x20) || !hsw || !vsw)
		return false;
	if (interlaced) {
		/* Field heights of CTA-861 sizes become frame heights. */
		for (size_t i = 0; i < ARRAY_LEN(cea_interlaced); i++) {
			if (ha == cea_interlaced[i][0] && va == cea_interlaced[i][1] / 2u) {
				va *= 2;
				vtotal = vtotal * 2 | 1;
			}
		}
		num *= 2;
	}
	m->width = ha;
	m->height = va;
	m->refresh_hz = (uint32_t)((num + (ha + hb) * vtotal / 2) / ((ha + hb) * vtotal));
	m->flags = WFD_EDID_MODE_DETAILED | (interlaced ? WFD_EDID_MODE_INTERLACED : 0);
	return true;
}

/* Standard timing @t (2 bytes); made unused when its mode goes. */
static void edid_walk_std(struct edid_walk *w, uint8_t *t)
{
	uint32_t hs, vs, hz = (t[1] & 0x3fu) + 60;

	if ((t[0] == 0 && t[1] == 0) || (t[0] == 1 && t[1] == 1) ||
	    (t[0] == 0x20 && t[1] == 0x20))
		return;
	hs = t[0] * 8u + 248;
	switch (t[1] >> 6) {
	case 0: vs = w->revision < 3 ? hs : hs * 10 / 16; break;
	case 1: vs = hs * 3 / 4; break;
	case 2: vs = hs * 4 / 5; break;
	default: vs = hs * 9 / 16; break;
	}
	if (hz == 60 && ((hs == 1360 && vs == 765) || (hs == 1368 && vs == 769))) {
		hs = 1366;
		vs = 768;
	}
	if (!edid_found(w, hs, vs, hz, 0))
		t[0] = t[1] = 1;
}

/* Established timings III: six bytes of bits. */
static void edid_walk_est3(struct edid_walk *w, uint8_t *est)
{
	for (unsigned int i = 0; i < 6; i++) {
		for (int j = 7; j >= 0; j--) {
			unsigned int m = i * 8 + (7u - (unsigned int)j);

			if (m >= ARRAY_LEN(est3_modes))
				break;
			if ((est[i] & (1u << j)) &&
			    !edid_found(w, est3_modes[m].w, est3_modes[m].h, est3_modes[m].hz, 0))
				est[i] &= (uint8_t)~(1u << j);
		}
	}
}

/* CVT 3-byte codes: four of them; a rate bit goes with its mode. */
static void edid_walk_cvt(struct edid_walk *w, uint8_t *codes)
{
	static const uint32_t rates[] = { 60, 85, 75, 60, 50 };

	for (unsigned int i = 0; i < 4; i++) {
		uint8_t *c = codes + 3 * i;
		uint32_t width, height;

		if (!c[0] && !c[1] && !c[2])
			continue;
		height = (c[0] + ((c[1] & 0xf0u) << 4) + 1) * 2;
		switch (c[1] & 0x0c) {
		case 0x00: width = height * 4 / 3; break;
		case 0x04: width = height * 16 / 9; break;
		case 0x08: width = height * 16 / 10; break;
		default: width = height * 15 / 9; break;
		}
		/* CVT makes the width a multiple of 8. */
		width -= width % 8;
		for (unsigned int j = 1; j < 5; j++)
			if ((c[2] & (1u << j)) && !edid_found(w, width, height, rates[j], 0))
				c[2] &= (uint8_t)~(1u << j);
		if (w->keep && !(c[2] & 0x1e))
			c[0] = c[1] = c[2] = 0;
	}
}

/* One 18-byte descriptor of the base block or of a CTA-861 extension. */
static void edid_walk_descriptor(struct edid_walk *w, uint8_t *d, bool base)
{
	struct wfd_edid_mode m;

	if (d[0] || d[1]) {
		if (edid_dtd_mode(d, &m) &&
		    !edid_found(w, m.width, m.height, m.refresh_hz, m.flags)) {
			/* A dummy descriptor in the base block, padding elsewhere. */
			memset(d, 0, 18);
			if (base)
				d[3] = 0x10;
		}
		return;
	}
	if (d[2])
		return;
	if (d[3] == 0xfa && w->revision >= 1) {
		for (unsigned int i = 0; i < 6; i++)
			edid_walk_std(w, d + 5 + 2 * i);
	} else if (d[3] == 0xf7 && w->revision >= 1) {
		edid_walk_est3(w, d + 6);
	} else if (d[3] == 0xf8 && w->revision >= 3) {
		edid_walk_cvt(w, d + 6);
	}
}

/* Take @n bytes at @at out of a CTA-861 block's data block collection. */
static void cta_cut(uint8_t *b, unsigned int at, unsigned int n)
{
	memmove(b + at, b + at + n, 127 - (at + n));
	memset(b + 127 - n, 0, n);
	b[2] = (uint8_t)(b[2] - n);
}

/* Short video descriptors: a VIC each (1-64 may carry the native bit). */
static unsigned int svd_vic(uint8_t svd)
{
	return (svd >= 1 && svd <= 64) || (svd >= 129 && svd <= 192) ? svd & 127u : svd;
}

/* A video data block (or a 4:2:0 one) at @pos: SVDs that go are cut out. */
static void cta_walk_svds(struct edid_walk *w, uint8_t *b, unsigned int pos,
			  unsigned int first)
{
	unsigned int len = b[pos] & 31u;

	for (unsigned int k = first; k < len;) {
		unsigned int at = pos + 1 + k;

		if (edid_found_vic(w, vic_modes, ARRAY_LEN(vic_modes), svd_vic(b[at]))) {
			k++;
			continue;
		}
		cta_cut(b, at, 1);
		b[pos]--;
		len--;
		w->svd_removed = true;
	}
}

/* The HDMI vendor block at @pos: its VICs, switched off if one goes. */
static void cta_walk_hdmi(struct edid_walk *w, uint8_t *b, unsigned int pos)
{
	const uint8_t *db = b + pos;
	unsigned int len = db[0] & 31u, off = 0, vic_len;
	bool keep = true;

	if (len < 8 || !(db[8] & 0x20))
		return;
	if (db[8] & 0x80)
		off += db[8] & 0x40 ? 4 : 2;
	if (len < 8 + off + 2)
		return;
	off++;
	/* 3D modes: the kernel offers none without stereo, and neither does wfd. */
	if (db[8 + off] & 0x80)
		keep = !w->keep;
	off++;
	vic_len = db[8 + off] >> 5;
	for (unsigned int i = 0; i < vic_len && len >= 9 + off + i; i++)
		if (!edid_found_vic(w, hdmi_vic_modes, ARRAY_LEN(hdmi_vic_modes), db[9 + off + i]))
			keep = false;
	if (!keep)
		b[pos + 8] &= (uint8_t)~0x20;
}

static void edid_walk_cta(struct edid_walk *w, uint8_t *b)
{
	unsigned int pos = 4;

	if (b[2] < 4 || b[2] > 127)
		return;
	/* Data blocks exist from revision 3 on. */
	while (b[1] >= 3 && pos < b[2]) {
		unsigned int tag = b[pos] >> 5, len = b[pos] & 31u;

		if (pos + 1 + len > b[2])
			break;
		if (tag == 2) {
			cta_walk_svds(w, b, pos, 0);
		} else if (tag == 7 && len >= 1 && b[pos + 1] == 14) {
			cta_walk_svds(w, b, pos, 1);
		} else if (tag == 3 && len >= 3 && b[pos + 1] == 0x03 && b[pos + 2] == 0x0c &&
			   b[pos + 3] == 0x00) {
			cta_walk_hdmi(w, b, pos);
		}
		pos += 1 + (b[pos] & 31u);
	}
	for (unsigned int d = b[2]; d + 18 <= 127; d += 18)
		edid_walk_descriptor(w, b + d, false);
}

/* Once the SVDs have changed, the 4:2:0 capability map points at others: cut it. */
static void cta_drop_y420_map(uint8_t *b)
{
	unsigned int pos = 4;

	if (b[2] < 4 || b[2] > 127 || b[1] < 3)
		return;
	while (pos < b[2]) {
		unsigned int len = b[pos] & 31u;

		if (pos + 1 + len > b[2])
			break;
		if (b[pos] >> 5 == 7 && len >= 1 && b[pos + 1] == 15) {
			cta_cut(b, pos, 1 + len);
			continue;
		}
		pos += 1 + len;
	}
}

static bool edid_valid(const uint8_t *edid, size_t size)
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };

	return edid && size >= 128 && size % 128 == 0 && !memcmp(edid, header, 8) &&
	       size == (edid[126] + 1u) * 128u;
}

/* Walk every mode of @e; with w->keep, edit what goes out. */
static void edid_walk(struct edid_walk *w, uint8_t *e, size_t size)
{
	uint32_t est = e[35] | (uint32_t)e[36] << 8 | (uint32_t)(e[37] & 0x80) << 9;

	w->revision = e[19];
	for (unsigned int i = 0; i < 4; i++)
		edid_walk_descriptor(w, e + 54 + 18 * i, true);
	for (size_t blk = 1; blk < size / 128; blk++)
		if (e[blk * 128] == 0x02)
			edid_walk_cta(w, e + blk * 128);
	for (unsigned int i = 0; i < 8; i++)
		edid_walk_std(w, e + 38 + 2 * i);
	for (unsigned int i = 0; i < ARRAY_LEN(est_modes); i++) {
		if (!(est & (1u << i)) ||
		    edid_found(w, est_modes[i].w, est_modes[i].h, est_modes[i].hz,
			       est_modes[i].interlaced ? WFD_EDID_MODE_INTERLACED : 0))
			continue;
		if (i < 8)
			e[35] &= (uint8_t)~(1u << i);
		else if (i < 16)
			e[36] &= (uint8_t)~(1u << (i - 8));
		else
			e[37] &= 0x7f;
	}
}

int wfd_edid_modes(const uint8_t *edid, size_t size, struct wfd_edid_mode *modes, size_t n)
{
	struct edid_walk w = { .modes = modes, .n = n };

	if (!edid_valid(edid, size) || size > 256 * 128)
		return -EINVAL;
	/* Nothing is edited without a keep function. */
	edid_walk(&w, (uint8_t *)(uintptr_t)edid, size);
	return (int)w.count;
}

int wfd_edid_filter(uint8_t *edid, size_t size,
		    bool (*keep)(const struct wfd_edid_mode *mode, void *opaque), void *opaque)
{
	struct edid_walk w = { .keep = keep, .opaque = opaque };
	size_t blk;

	if (!edid_valid(edid, size) || !keep)
		return -EINVAL;
	edid_walk(&w, edid, size);
	/* Modes inferred from range limits would come back otherwise. */
	edid[24] &= (uint8_t)~0x01;
	/* DisplayID and VTB extensions carry modes this does not read. */
	for (blk = 1; blk < size / 128;) {
		uint8_t *b = edid + blk * 128;

		if (b[0] == 0x70 || b[0] == 0x10) {
			memmove(b, b + 128, size - (blk + 1) * 128);
			size -= 128;
			edid[126]--;
			continue;
		}
		if (b[0] == 0x02 && w.svd_removed)
			cta_drop_y420_map(b);
		blk++;
	}
	for (blk = 0; blk < size / 128; blk++)
		edid_checksum(edid + blk * 128);
	return (int)size;
}

/* A CTA-861 mode wfd_edid_describe() gives as a VIC, with its timing. */
struct cta_timing {
	uint8_t vic;
	uint16_t w, h;
	uint8_t hz;
	uint32_t clock_khz;
	uint16_t hfp, hsw, htotal;
	uint16_t vfp, vsw, vtotal;
	bool positive;
};

static const struct cta_timing cta_timings[] = {
	{ 1, 640, 480, 60, 25175, 16, 96, 800, 10, 2, 525, false },
	{ 3, 720, 480, 60, 27000, 16, 62, 858, 9, 6, 525, false },
	{ 18, 720, 576, 50, 27000, 12, 64, 864, 5, 5, 625, false },
	{ 60, 1280, 720, 24, 59400, 1760, 40, 3300, 5, 5, 750, true },
	{ 61, 1280, 720, 25, 74250, 2420, 40, 3960, 5, 5, 750, true },
	{ 62, 1280, 720, 30, 74250, 1760, 40, 3300, 5, 5, 750, true },
	{ 19, 1280, 720, 50, 74250, 440, 40, 1980, 5, 5, 750, true },
	{ 4, 1280, 720, 60, 74250, 110, 40, 1650, 5, 5, 750, true },
	{ 32, 1920, 1080, 24, 74250, 638, 44, 2750, 4, 5, 1125, true },
	{ 33, 1920, 1080, 25, 74250, 528, 44, 2640, 4, 5, 1125, true },
	{ 34, 1920, 1080, 30, 74250, 88, 44, 2200, 4, 5, 1125, true },
	{ 31, 1920, 1080, 50, 148500, 528, 44, 2640, 4, 5, 1125, true },
	{ 16, 1920, 1080, 60, 148500, 88, 44, 2200, 4, 5, 1125, true },
};

static const struct cta_timing *cta_timing_of(const struct wfd_mode *m)
{
	for (size_t i = 0; i < ARRAY_LEN(cta_timings); i++)
		if (cta_timings[i].w == m->width && cta_timings[i].h == m->height &&
		    cta_timings[i].hz == m->refresh_hz)
			return &cta_timings[i];
	return NULL;
}

/* A detailed timing with the CTA-861 timing @t. */
static void edid_dtd_cta(uint8_t *d, const struct cta_timing *t)
{
	uint32_t clock10k = (t->clock_khz + 5) / 10;
	uint32_t hb = t->htotal - t->w, vb = t->vtotal - t->h;

	memset(d, 0, 18);
	d[0] = clock10k & 0xff;
	d[1] = (uint8_t)(clock10k >> 8);
	d[2] = t->w & 0xff;
	d[3] = hb & 0xff;
	d[4] = (uint8_t)((t->w >> 8) << 4 | hb >> 8);
	d[5] = t->h & 0xff;
	d[6] = vb & 0xff;
	d[7] = (uint8_t)((t->h >> 8) << 4 | vb >> 8);
	d[8] = t->hfp & 0xff;
	d[9] = t->hsw & 0xff;
	d[10] = (uint8_t)((t->vfp & 0xf) << 4 | (t->vsw & 0xf));
	d[11] = (uint8_t)((t->hfp >> 8) << 6 | (t->hsw >> 8) << 4 |
			  (t->vfp >> 4) << 2 | t->vsw >> 4);
	/* Digital separate sync, with the CTA-861 polarities. */
	d[17] = t->positive ? 0x1e : 0x18;
}

/* Detailed timings a CTA-861 extension holds after its data blocks. */
#define CTA_DTDS(d)	((127u - (d)) / 18u)

int wfd_edid_describe(const struct wfd_mode *modes, size_t n,
		      const char *name, uint8_t *edid, size_t size)
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	const struct cta_timing *native_cta;
	uint8_t vdb[32], *b = edid, probe[18];
	size_t nvics = 0, ndtd = 0, ext, need, i, len;
	unsigned int slot;
	int ret;

	if (!modes || !n)
		return -EINVAL;
	/* Every mode must be one a detailed timing can carry. */
	for (i = 0; i < n; i++) {
		ret = edid_dtd(probe, &modes[i]);
		if (ret)
			return ret;
	}
	native_cta = cta_timing_of(&modes[0]);
	for (i = 0; i < n; i++) {
		const struct cta_timing *t = cta_timing_of(&modes[i]);

		if (t && nvics < sizeof(vdb) - 1)
			vdb[1 + nvics++] = (uint8_t)(t->vic | (i ? 0 : 0x80));
		else if (i)
			ndtd++;
	}
	/* The base block takes the native mode and two more; the rest goes further. */
	ext = 0;
	if (nvics || ndtd > 2) {
		size_t left = ndtd > 2 ? ndtd - 2 : 0, first = CTA_DTDS(4 + (nvics ? 1 + nvics : 0));

		ext = 1;
		left = left > first ? left - first : 0;
		ext += (left + CTA_DTDS(4) - 1) / CTA_DTDS(4);
	}
	if (ext > 255)
		return -EINVAL;
	need = 128 * (1 + ext);
	if (size < need)
		return -ENOSPC;
	memset(edid, 0, need);

	memcpy(b, header, sizeof(header));
	b[8] = 0x5c; b[9] = 0xe4;	/* manufacturer "WFD" */
	b[10] = 0x02;			/* product code: every mode described */
	b[16] = 1; b[17] = 36;		/* week 1, 2026 */
	b[18] = 1; b[19] = 4;		/* EDID 1.4 */
	b[20] = 0xa5;			/* digital, 8 bpc, DisplayPort-like */
	b[24] = 0x06;			/* RGB 4:4:4, preferred timing is native */
	memset(b + 38, 0x01, 16);	/* no standard timings */
	b[126] = (uint8_t)ext;

	/* The native mode is the first detailed timing: the preferred mode. */
	if (native_cta)
		edid_dtd_cta(b + 54, native_cta);
	else
		edid_dtd(b + 54, &modes[0]);
	/* Then the other modes without a VIC, wherever there is room. */
	slot = 1;
	for (i = 1; i < n; i++) {
		uint8_t *d;

		if (cta_timing_of(&modes[i]) && nvics < sizeof(vdb) - 1)
			continue;
		if (slot < 3) {
			d = b + 54 + 18 * slot;
		} else {
			/* Slots past the base block: the extensions' in turn. */
			size_t k = slot - 3, blk = 1, d0 = 4 + (nvics ? 1 + nvics : 0);

			while (k >= CTA_DTDS(d0)) {
				k -= CTA_DTDS(d0);
				blk++;
				d0 = 4;
			}
			d = edid + 128 * blk + d0 + 18 * k;
		}
		edid_dtd(d, &modes[i]);
		slot++;
	}
	for (i = slot; i < 3; i++)
		b[54 + 18 * i + 3] = 0x10;
	{
		uint8_t *d = b + 54 + 18 * 3;

		d[3] = 0xfc;
		memset(d + 5, ' ', 13);
		len = name ? strnlen(name, 13) : 0;
		memcpy(d + 5, name, len);
		if (len < 13)
			d[5 + len] = '\n';
	}
	for (size_t blk = 1; blk <= ext; blk++) {
		uint8_t *x = edid + 128 * blk;

		x[0] = 0x02;	/* CTA-861 extension, revision 3 */
		x[1] = 0x03;
		x[2] = 4;
		if (blk == 1 && nvics) {
			vdb[0] = (uint8_t)(2 << 5 | nvics);
			memcpy(x + 4, vdb, 1 + nvics);
			x[2] = (uint8_t)(4 + 1 + nvics);
		}
		edid_checksum(x);
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
