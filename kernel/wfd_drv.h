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

struct dentry;
struct seq_file;

#include <drm/wfd_drm.h>

#define WFD_DRIVER_NAME		"wfd"
#define WFD_DRIVER_DESC		"Virtual wireless display outputs"
#define WFD_DRIVER_DATE		"20261203"
#define WFD_DRIVER_MAJOR	2
#define WFD_DRIVER_MINOR	0

/* Size limits of framebuffers and modes, as vkms. */
#define WFD_MIN_SIZE		1
#define WFD_MAX_SIZE		8192
/* Highest refresh rate a mode may have: bounds the vblank timer rate. */
#define WFD_MAX_REFRESH_HZ	240
/* Mode a forced-on connector prefers when no sink gave one. */
#define WFD_FORCED_PREF_W	1024
#define WFD_FORCED_PREF_H	768

struct wfd_claim;
struct wfd_device;

/* Session endings remembered per output, for debugfs. */
#define WFD_ENDINGS		16
/* Largest EDID a sink can give: base block plus 255 extensions. */
#define WFD_MAX_EDID_SIZE	(256 * 128)

/* Bounds of the hold_timeout_ms module parameter. */
#define WFD_HOLD_MIN_MS		10
#define WFD_HOLD_MAX_MS		1000

/**
 * struct wfd_ending - how a session ended
 * @session_id: the session
 * @status: WFD_STATUS_*, or -1 for a graceful DISCONNECT
 * @diag: the diagnostic code reported with @status
 * @duration_ms: time from CONNECT to end
 */
struct wfd_ending {
	u64 session_id;
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
 * struct wfd_crtc_mode - the CRTC state a session is told about
 * @enable: the CRTC has a mode
 * @active: it is lit (not DPMS off)
 * @width: active width, 0 when not enabled
 * @height: active height, 0 when not enabled
 * @refresh_mhz: refresh rate in mHz, 0 when not enabled
 * @clock_khz: pixel clock, 0 when not enabled
 *
 * All u32 so that two of them compare with memcmp().
 */
struct wfd_crtc_mode {
	u32 enable;
	u32 active;
	u32 width;
	u32 height;
	u32 refresh_mhz;
	u32 clock_khz;
};

/**
 * struct wfd_limits - what the daemon's pipeline carries, 0 for no limit
 * @max_width: widest mode
 * @max_height: tallest mode
 * @max_pixel_rate: pixels per second
 */
struct wfd_limits {
	u32 max_width;
	u32 max_height;
	u64 max_pixel_rate;
};

/**
 * struct wfd_output - one virtual wireless output
 *
 * An output is a fixed pipeline: one CRTC, one primary plane, one encoder
 * and one connector.  The fields after @connector are written at run time;
 * the comment on each group names what protects it.  Lock order:
 * claim->lock, mode_config.mutex, wfd->claim_lock, @lock; the DRM event
 * lock is never taken with @lock held.
 */
struct wfd_output {
	/** @wfd: the device this output belongs to */
	struct wfd_device *wfd;
	/** @index: 0-based; user space numbers outputs from 1 */
	unsigned int index;

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
	 * @lock: the frame path: everything from @scanout_fb to @stats.
	 * The commit path takes no other lock of ours, so it never waits
	 * on user space.  Taken from the vblank timer (hard irq), so
	 * irqsave everywhere; never held around an allocation, a sleep or
	 * a framebuffer put.
	 */
	spinlock_t lock;
	/** @scanout_fb: the visible framebuffer (a reference), or NULL */
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
	/** @live: a session is connected: frames are counted */
	bool live;
	/** @limits: the live session's limits, applied to modes */
	struct wfd_limits limits;
	/** @mode: the CRTC's state as of the latest commit */
	struct wfd_crtc_mode mode;
	/** @frame_seq: frames with damage since CONNECT */
	u64 frame_seq;
	/** @frame_ns: commit time of the latest frame */
	u64 frame_ns;
	/** @damage: damage of the frames after @acquired_seq */
	struct drm_rect damage;
	/** @acquired_seq: the last frame acquired */
	u64 acquired_seq;
	/** @held_fb: the held frame's buffer (a reference), or NULL */
	struct drm_framebuffer *held_fb;
	/** @held_seq: its frame sequence number */
	u64 held_seq;
	/** @hold_expired: the hold timed out before the release */
	bool hold_expired;
	/**
	 * @deferred: completion (flip event, out-fence) of the commit that
	 * retired @held_fb, with a vblank reference; armed on the release
	 * or at the first vblank after @hold_deadline
	 */
	struct drm_pending_vblank_event *deferred;
	/** @hold_deadline: when @deferred is armed without a release */
	ktime_t hold_deadline;
	/** @event_gen: bumped by every change a session may need to read */
	unsigned long event_gen;
	/** @frames_delivered: frames acquired */
	u64 frames_delivered;
	/** @superseded: frames of the session never acquired */
	u64 superseded;
	/** @stats: the session's last REPORT_STATS */
	struct drm_wfd_report_stats stats;
	/** @hold_timeouts: holds that expired */
	u64 hold_timeouts;

	/** @crc_work: computes CRCs outside the timer's hard irq */
	struct work_struct crc_work;
	/** @event_wq: readers and pollers of the claim fd */
	wait_queue_head_t event_wq;

	/**
	 * @sink_edid: the live session's EDID, else NULL; with the two
	 * fields below protected by mode_config.mutex, which the probe
	 * helpers hold when they call the connector's functions
	 */
	const struct drm_edid *sink_edid;
	/** @sink_name: monitor name from the EDID */
	char sink_name[16];
	/** @sink_modes: modes the EDID gave at the last probe */
	int sink_modes;

	/**
	 * @claim: the claim of the output, or NULL; with the fields below
	 * protected by wfd->claim_lock
	 */
	struct wfd_claim *claim;
	/** @session_id: the live session, 0 when none */
	u64 session_id;
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
	/** @claims: live claims, for leak checks in debugfs */
	atomic_t claims;
	/** @crc_wq: ordered queue of CRC work */
	struct workqueue_struct *crc_wq;
	/**
	 * @claim_lock: protects each output's claim fields.  Taken by the
	 * destruction of framebuffers: never drop one under it.
	 */
	struct mutex claim_lock;
	/** @next_session_id: last session id handed out */
	atomic64_t next_session_id;
	/** @next_buffer_id: last framebuffer id handed out */
	atomic64_t next_buffer_id;
};

#define to_wfd(d) container_of(d, struct wfd_device, drm)
#define crtc_to_wfd_output(c) container_of(c, struct wfd_output, crtc)
#define connector_to_wfd_output(c) container_of(c, struct wfd_output, connector)

/* wfd_output.c */
int wfd_output_init(struct wfd_device *wfd, unsigned int index);
enum drm_mode_status wfd_output_mode_status(struct wfd_output *output,
					    const struct drm_display_mode *mode);
int wfd_output_plug(struct wfd_output *output, const struct drm_edid *edid,
		    const struct wfd_limits *limits);
const struct drm_edid *wfd_output_unplug(struct wfd_output *output);
int wfd_output_edid_check(const u8 *buf, u32 size);

/* wfd_crtc.c */
int wfd_crtc_init(struct wfd_output *output, struct drm_plane *primary);

/* wfd_plane.c */
struct drm_plane *wfd_plane_create(struct wfd_output *output);

/* wfd_frame.c */
extern ktime_t wfd_hold_timeout;

/**
 * struct wfd_frame_info - a frame, as a session sees it
 * @fb: its buffer (a reference owned by the hold), or NULL
 * @seq: its sequence number
 * @ns: its commit time
 * @damage: damage since the last acquired frame
 * @superseded: frames committed since the last acquired one, before @seq
 */
struct wfd_frame_info {
	struct drm_framebuffer *fb;
	u64 seq;
	u64 ns;
	struct drm_rect damage;
	u64 superseded;
};

void wfd_frame_params(void);
void wfd_frame_debugfs_init(struct dentry *root);
void wfd_frame_init(struct wfd_output *output);
void wfd_frame_publish(struct wfd_output *output,
		       struct drm_plane_state *old_state,
		       struct drm_plane_state *new_state);
void wfd_frame_crtc_state(struct wfd_output *output,
			  const struct drm_crtc_state *state);
void wfd_frame_complete(struct wfd_output *output,
			struct drm_crtc_state *state);
bool wfd_frame_deferred(struct wfd_output *output);
void wfd_frame_vblank(struct wfd_output *output);
void wfd_frame_crtc_off(struct wfd_output *output);
void wfd_frame_start(struct wfd_output *output);
void wfd_frame_stop(struct wfd_output *output);
void wfd_frame_set_limits(struct wfd_output *output,
			  const struct wfd_limits *limits);
void wfd_frame_limits(struct wfd_output *output, struct wfd_limits *limits);
void wfd_frame_report_stats(struct wfd_output *output,
			    const struct drm_wfd_report_stats *stats);
int wfd_frame_hold(struct wfd_output *output, struct wfd_frame_info *f);
void wfd_frame_acquired(struct wfd_output *output, u64 seq);
struct drm_framebuffer *wfd_frame_unhold(struct wfd_output *output,
					 bool *expired);
int wfd_frame_release(struct wfd_output *output, u64 seq);
unsigned long wfd_frame_event_state(struct wfd_output *output,
				    struct wfd_crtc_mode *mode,
				    struct wfd_frame_info *f);
void wfd_frame_poke(struct wfd_output *output);
void wfd_frame_fb_gone(struct wfd_device *wfd, struct drm_framebuffer *fb);
void wfd_frame_debugfs_show(struct seq_file *m, struct wfd_output *output);

/* wfd_claim.c */
int wfd_claim_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
void wfd_claim_mark_gone(struct wfd_claim *claim, u64 buffer_id);
void wfd_claim_debugfs_show(struct seq_file *m, struct wfd_output *output);

/* wfd_debugfs.c */
void wfd_debugfs_init(struct drm_minor *minor);

#endif /* WFD_DRV_H */
