/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wfd: virtual wireless display outputs
 */
#ifndef WFD_DRV_H
#define WFD_DRV_H

#include <linux/hrtimer.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <drm/drm_connector.h>
#include <drm/drm_crtc.h>
#include <drm/drm_device.h>
#include <drm/drm_encoder.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_plane.h>
#include <drm/drm_rect.h>

struct seq_file;

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
struct wfd_session;

/* Session endings remembered per output, for debugfs. */
#define WFD_ENDINGS		16
/* Largest EDID a sink can give: base block plus 255 extensions. */
#define WFD_MAX_EDID_SIZE	(256 * 128)

/**
 * struct wfd_ending - how a session ended
 * @session_id: the session
 * @status: WFD_STATUS_*, or -1 for a graceful DISCONNECT
 * @diag: the diagnostic code reported with @status
 * @duration_ms: time from claim to end
 */
struct wfd_ending {
	u32 session_id;
	s32 status;
	s32 diag;
	u64 duration_ms;
};

/**
 * struct wfd_framebuffer - a framebuffer with an id that is never reused
 * @base: the DRM framebuffer
 * @buffer_id: what sessions call it (KMS object ids are reused)
 */
struct wfd_framebuffer {
	struct drm_framebuffer base;
	u64 buffer_id;
};

#define to_wfd_fb(fb) container_of(fb, struct wfd_framebuffer, base)

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

	/**
	 * @session_lock: protects @session (and everything in it), the
	 * counters and @endings below.  Lock order: mode_config.mutex and
	 * the modeset locks before @session_lock.  Never drop the last
	 * reference of a framebuffer under it: destroying one takes it.
	 */
	struct mutex session_lock;
	/** @session: the session owning the output, or NULL */
	struct wfd_session *session;
	/** @hold_wq: commits waiting for the session to release a buffer */
	wait_queue_head_t hold_wq;
	/** @frames_delivered: frames acquired by sessions of this output */
	u64 frames_delivered;
	/** @hold_timeouts: holds ended by hold_timeout_ms */
	u64 hold_timeouts;
	/** @endings: the last WFD_ENDINGS session endings, a ring */
	struct wfd_ending endings[WFD_ENDINGS];
	/** @num_endings: sessions ended so far */
	unsigned int num_endings;
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
	/** @next_session_id: last session id handed out */
	atomic_t next_session_id;
	/** @next_buffer_id: last framebuffer id handed out */
	atomic64_t next_buffer_id;
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

/* wfd_session.c */
extern unsigned int wfd_hold_timeout_ms;
void wfd_session_output_init(struct wfd_output *output);
u32 wfd_session_id(const struct wfd_session *s);
bool wfd_session_connected(struct wfd_output *output);
int wfd_session_get_modes(struct wfd_output *output);
enum drm_mode_status wfd_session_mode_valid(struct wfd_output *output,
					    const struct drm_display_mode *mode);
void wfd_session_frame(struct wfd_output *output,
		       struct drm_plane_state *old_state,
		       struct drm_plane_state *new_state);
void wfd_session_crtc_event(struct wfd_output *output,
			    const struct drm_crtc_state *state, bool dpms);
void wfd_session_wait_retire(struct wfd_output *output,
			     struct drm_framebuffer *fb);
void wfd_session_fb_gone(struct wfd_device *wfd, struct drm_framebuffer *fb);
void wfd_session_file_closed(struct wfd_device *wfd, struct drm_file *file);
void wfd_session_debugfs_show(struct seq_file *m, struct wfd_output *output);
int wfd_claim_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int wfd_connect_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int wfd_frame_acquire_ioctl(struct drm_device *drm, void *data,
			    struct drm_file *file);
int wfd_frame_release_ioctl(struct drm_device *drm, void *data,
			    struct drm_file *file);
int wfd_report_status_ioctl(struct drm_device *drm, void *data,
			    struct drm_file *file);
int wfd_report_stats_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file);
int wfd_disconnect_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file);

/* wfd_debugfs.c */
void wfd_debugfs_init(struct drm_minor *minor);

#endif /* WFD_DRV_H */
