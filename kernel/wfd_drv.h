/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wfd: virtual wireless display outputs
 */
#ifndef WFD_DRV_H
#define WFD_DRV_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <drm/drm_connector.h>
#include <drm/drm_crtc.h>
#include <drm/drm_device.h>
#include <drm/drm_encoder.h>
#include <drm/drm_plane.h>
#include <drm/drm_rect.h>

#include <drm/wfd_drm.h>

#define WFD_DRIVER_NAME		"wfd"
#define WFD_DRIVER_DESC		"Virtual wireless display outputs"
#define WFD_DRIVER_DATE		"20261128"
#define WFD_DRIVER_MAJOR	1
#define WFD_DRIVER_MINOR	0

/* Size limits of framebuffers and modes, as vkms. */
#define WFD_MIN_SIZE		1
#define WFD_MAX_SIZE		8192
/* Highest refresh rate a mode may have: bounds the vblank timer rate. */
#define WFD_MAX_REFRESH_HZ	240
/* Mode a forced-on connector prefers when no sink gave one. */
#define WFD_FORCED_PREF_W	1024
#define WFD_FORCED_PREF_H	768

struct wfd_device;

/**
 * struct wfd_output - one virtual wireless output
 *
 * An output is a fixed pipeline: one CRTC, one primary plane, one encoder
 * and one connector.  The fields after @connector are written at run time;
 * the comment on each group names what protects it.
 */
struct wfd_output {
	/** @wfd: the device this output belongs to */
	struct wfd_device *wfd;
	/** @index: 0-based; user space numbers outputs from 1 */
	unsigned int index;

	/** @primary: the primary plane */
	struct drm_plane *primary;
	/** @crtc: the CRTC */
	struct drm_crtc crtc;
	/** @encoder: the (virtual) encoder */
	struct drm_encoder encoder;
	/** @connector: the virtual connector */
	struct drm_connector connector;

	/**
	 * @vblank_timer: simulated vblank.  Started by enable_vblank and
	 * cancelled by disable_vblank, both called by the vblank core under
	 * its own lock; @period is set in atomic_enable before the vblank
	 * core can enable the timer, and not changed while it runs.
	 */
	struct hrtimer vblank_timer;
	/** @period: frame duration of the current mode */
	ktime_t period;

	/**
	 * @lock: protects the scanout snapshot and the CRC state below.
	 * Taken from the vblank timer (hard irq), so irqsave everywhere.
	 */
	spinlock_t lock;
	/** @scanout_fb: the scanned-out framebuffer (a reference is held) */
	struct drm_framebuffer *scanout_fb;
	/** @scanout_src: the visible part of @scanout_fb, in pixels */
	struct drm_rect scanout_src;
	/** @crc_enabled: the "auto" CRC source is selected */
	bool crc_enabled;
	/** @crc_pending: frames seen by the timer and not yet CRC'ed */
	bool crc_pending;
	/** @crc_frame_start: first frame number without a CRC entry */
	u64 crc_frame_start;
	/** @crc_frame_end: last frame number without a CRC entry */
	u64 crc_frame_end;

	/** @crc_work: computes CRCs outside the timer's hard irq */
	struct work_struct crc_work;
};

/**
 * struct wfd_device - the wfd DRM device
 */
struct wfd_device {
	/** @drm: the DRM device */
	struct drm_device drm;
	/** @num_outputs: number of entries of @outputs in use */
	unsigned int num_outputs;
	/** @outputs: the outputs, fixed at load */
	struct wfd_output outputs[WFD_MAX_OUTPUTS];
	/** @gem_objects: live GEM objects, for leak checks in debugfs */
	atomic_t gem_objects;
	/** @crc_wq: ordered queue of CRC work */
	struct workqueue_struct *crc_wq;
};

#define to_wfd(d) container_of(d, struct wfd_device, drm)
#define crtc_to_wfd_output(c) container_of(c, struct wfd_output, crtc)
#define connector_to_wfd_output(c) container_of(c, struct wfd_output, connector)

/* wfd_output.c */
int wfd_output_init(struct wfd_device *wfd, unsigned int index);

/* wfd_crtc.c */
int wfd_crtc_init(struct wfd_output *output, struct drm_plane *primary);
void wfd_crtc_set_scanout(struct wfd_output *output,
			  struct drm_framebuffer *fb,
			  const struct drm_rect *src);

/* wfd_plane.c */
struct drm_plane *wfd_plane_create(struct wfd_output *output);

/* wfd_debugfs.c */
void wfd_debugfs_init(struct drm_minor *minor);

#endif /* WFD_DRV_H */
