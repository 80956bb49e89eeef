// SPDX-License-Identifier: GPL-2.0-only
/*
 * wfd: the frame path, from the compositor's commit to the daemon
 */

/**
 * DOC: frame path
 *
 * A commit publishes what the output's plane shows (the framebuffer and
 * the damage) and what its CRTC does (mode, DPMS); the daemon picks the
 * latest frame up with FRAME_ACQUIRE, which holds its buffer, and gives
 * it back with FRAME_RELEASE.
 *
 * The hold works like the scanout of real hardware: the commit that
 * retires a held buffer does not wait for anything, but its completion
 * (flip event, out-fence, flip_done) is armed at the release, or at the
 * first vblank after the hold timed out, and so sent at the next vblank.
 * The next commit on the CRTC waits for it in
 * drm_atomic_helper_wait_for_dependencies(), as for hardware still
 * scanning out.  Publishing a frame, picking it and deciding whether a
 * completion waits are all done under the output's one spinlock, so the
 * daemon can never be handed a buffer whose retirement was not held.
 *
 * Everything here runs in the commit path, in the vblank timer or in the
 * ioctls' signalling sections: no allocation, no sleeping lock, no wait.
 */

#include <linux/delay.h>
#include <linux/dma-fence.h>
#include <linux/fault-inject.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>

#include <drm/drm_atomic.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_vblank.h>

#include "wfd_drv.h"

static unsigned int hold_timeout_ms = 200;
module_param(hold_timeout_ms, uint, 0444);
MODULE_PARM_DESC(hold_timeout_ms,
		 "Longest a held frame delays the completion of the commit retiring it (ms, "
		 __stringify(WFD_HOLD_MIN_MS) "-" __stringify(WFD_HOLD_MAX_MS) ", default 200)");

/* hold_timeout_ms, clamped and read once at load. */
ktime_t wfd_hold_timeout;

/**
 * wfd_frame_params - read the module parameters of the frame path
 *
 * Called once at load: the hold stays bounded, well under the 10 s the
 * DRM core waits for a flip, whatever was asked for.
 */
void wfd_frame_params(void)
{
	unsigned int ms = clamp(hold_timeout_ms, WFD_HOLD_MIN_MS, WFD_HOLD_MAX_MS);

	if (ms != hold_timeout_ms)
		pr_warn("wfd: hold_timeout_ms=%u is out of range, using %u\n",
			hold_timeout_ms, ms);
	hold_timeout_ms = ms;
	wfd_hold_timeout = ms_to_ktime(ms);
}

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
/*
 * Fault point "wfd_commit_delay" (debugfs, the kernel's fault-injection
 * attributes): when it fires, the commit sleeps between publishing the
 * new frame and completing, so that tests can act inside that window.
 */
static DECLARE_FAULT_ATTR(wfd_commit_delay);

static void wfd_frame_fault_delay(void)
{
	if (should_fail(&wfd_commit_delay, 1))
		msleep(100);
}

/**
 * wfd_frame_debugfs_init - create the frame path's fault point
 * @root: the DRM minor's debugfs directory
 */
void wfd_frame_debugfs_init(struct dentry *root)
{
	fault_create_debugfs_attr("wfd_commit_delay", root, &wfd_commit_delay);
}
#else
static void wfd_frame_fault_delay(void)
{
}

void wfd_frame_debugfs_init(struct dentry *root)
{
}
#endif

/**
 * wfd_frame_init - initialise the frame state of an output
 * @output: the output
 */
void wfd_frame_init(struct wfd_output *output)
{
	spin_lock_init(&output->lock);
	init_waitqueue_head(&output->event_wq);
}

/* Something a session reads changed: @output->lock is held. */
static bool wfd_frame_changed(struct wfd_output *output)
{
	output->event_gen++;
	return output->live;
}

static void wfd_rect_union(struct drm_rect *r, const struct drm_rect *add)
{
	r->x1 = min(r->x1, add->x1);
	r->y1 = min(r->y1, add->y1);
	r->x2 = max(r->x2, add->x2);
	r->y2 = max(r->y2, add->y2);
}

/**
 * wfd_frame_publish - a commit updated the output's plane
 * @output: the output
 * @old_state: the plane's old state
 * @new_state: the plane's new state
 *
 * Called from the plane's atomic_update.  The visible framebuffer is
 * tracked whenever it changes; an update with visible damage is a new
 * frame for a live session.
 */
void wfd_frame_publish(struct wfd_output *output,
		       struct drm_plane_state *old_state,
		       struct drm_plane_state *new_state)
{
	struct drm_framebuffer *fb = new_state->visible ? new_state->fb : NULL;
	struct drm_framebuffer *old;
	struct drm_rect src = { }, damage;
	bool damaged = false, wake = false;

	if (fb) {
		drm_rect_fp_to_int(&src, &new_state->src);
		damaged = drm_atomic_helper_damage_merged(old_state, new_state,
							  &damage);
		drm_framebuffer_get(fb);
	}

	spin_lock_irq(&output->lock);
	old = output->scanout_fb;
	output->scanout_fb = fb;
	output->scanout_src = src;
	if (damaged && output->live) {
		if (output->frame_seq > output->acquired_seq)
			wfd_rect_union(&output->damage, &damage);
		else
			output->damage = damage;
		output->frame_seq++;
		output->frame_ns = ktime_get_ns();
		wake = wfd_frame_changed(output);
	}
	spin_unlock_irq(&output->lock);

	/* Not the last reference: the old plane state holds one. */
	if (old)
		drm_framebuffer_put(old);
	if (wake)
		wake_up_interruptible(&output->event_wq);
	wfd_frame_fault_delay();
}

/**
 * wfd_frame_crtc_state - record what a commit does to the CRTC
 * @output: the output
 * @state: the CRTC's new state
 *
 * Called from atomic_begin of every CRTC in a commit, before its planes
 * are updated: a session learns a mode before the frames drawn for it.
 */
void wfd_frame_crtc_state(struct wfd_output *output,
			  const struct drm_crtc_state *state)
{
	const struct drm_display_mode *mode = &state->mode;
	struct wfd_crtc_mode m = {
		.enable = state->enable,
		.active = state->active,
	};
	bool wake = false;

	if (state->enable) {
		m.width = mode->hdisplay;
		m.height = mode->vdisplay;
		m.clock_khz = mode->clock;
		m.refresh_mhz = DIV_ROUND_CLOSEST_ULL((u64)mode->clock * 1000000,
						      (u64)mode->htotal * mode->vtotal);
	}

	spin_lock_irq(&output->lock);
	if (memcmp(&output->mode, &m, sizeof(m))) {
		output->mode = m;
		wake = wfd_frame_changed(output);
	}
	spin_unlock_irq(&output->lock);
	if (wake)
		wake_up_interruptible(&output->event_wq);
}

/* Arm @ev, which holds a vblank reference, for the next vblank. */
static void wfd_frame_arm(struct wfd_output *output,
			  struct drm_pending_vblank_event *ev)
{
	struct drm_device *drm = output->crtc.dev;
	unsigned long flags;

	spin_lock_irqsave(&drm->event_lock, flags);
	drm_crtc_arm_vblank_event(&output->crtc, ev);
	spin_unlock_irqrestore(&drm->event_lock, flags);
}

/**
 * wfd_frame_complete - arm the completion of a commit on the CRTC
 * @output: the output
 * @state: the CRTC's new state
 *
 * Called from atomic_flush, after the planes were updated.  The
 * completion is sent at the next vblank, or later when the commit retires
 * the buffer a session holds: then it waits for the release, or for the
 * hold to time out.
 */
void wfd_frame_complete(struct wfd_output *output, struct drm_crtc_state *state)
{
	struct drm_pending_vblank_event *ev = state->event;
	struct drm_crtc *crtc = &output->crtc;

	if (!ev)
		return;
	state->event = NULL;

	spin_lock_irq(&crtc->dev->event_lock);
	if (!state->active || drm_crtc_vblank_get(crtc)) {
		/* Off: no vblank will come, and nothing scans out. */
		drm_crtc_send_vblank_event(crtc, ev);
		ev = NULL;
	}
	spin_unlock_irq(&crtc->dev->event_lock);
	if (!ev)
		return;

	spin_lock_irq(&output->lock);
	if (output->held_fb && output->held_fb != output->scanout_fb &&
	    !output->hold_expired && !WARN_ON(output->deferred)) {
		output->deferred = ev;
		output->hold_deadline = ktime_add(ktime_get(), wfd_hold_timeout);
		ev = NULL;
	}
	spin_unlock_irq(&output->lock);
	if (ev)
		wfd_frame_arm(output, ev);
}

/**
 * wfd_frame_deferred - is a commit's completion waiting for a release?
 * @output: the output
 *
 * Return: true while the completion of the last commit waits for the
 * session to release a buffer.
 */
bool wfd_frame_deferred(struct wfd_output *output)
{
	bool deferred;

	spin_lock_irq(&output->lock);
	deferred = output->deferred;
	spin_unlock_irq(&output->lock);
	return deferred;
}

/**
 * wfd_frame_vblank - a simulated vblank happened
 * @output: the output
 *
 * Called from the vblank timer (hard irq) after the vblank was handled:
 * a completion whose hold timed out is armed for the next vblank.
 */
void wfd_frame_vblank(struct wfd_output *output)
{
	struct drm_pending_vblank_event *ev = NULL;

	spin_lock(&output->lock);
	if (output->deferred &&
	    ktime_after(ktime_get(), output->hold_deadline)) {
		ev = output->deferred;
		output->deferred = NULL;
		output->hold_expired = true;
		output->hold_timeouts++;
	}
	spin_unlock(&output->lock);
	if (ev)
		wfd_frame_arm(output, ev);
}

/**
 * wfd_frame_crtc_off - the CRTC's vblank is about to be turned off
 * @output: the output
 *
 * A completion still waiting is armed, so that drm_crtc_vblank_off()
 * sends it: none may outlive the vblank it holds a reference of.
 */
void wfd_frame_crtc_off(struct wfd_output *output)
{
	struct drm_pending_vblank_event *ev;

	spin_lock_irq(&output->lock);
	ev = output->deferred;
	output->deferred = NULL;
	if (ev)
		output->hold_expired = true;
	spin_unlock_irq(&output->lock);
	if (ev)
		wfd_frame_arm(output, ev);
}

/**
 * wfd_frame_start - a session connected: count frames from 1
 * @output: the output
 */
void wfd_frame_start(struct wfd_output *output)
{
	spin_lock_irq(&output->lock);
	output->live = true;
	output->frame_seq = 0;
	output->acquired_seq = 0;
	output->superseded = 0;
	output->stats = (struct drm_wfd_report_stats){ };
	wfd_frame_changed(output);
	spin_unlock_irq(&output->lock);
}

/**
 * wfd_frame_stop - the session ended: stop counting frames
 * @output: the output
 *
 * The caller releases a held frame with wfd_frame_unhold().
 */
void wfd_frame_stop(struct wfd_output *output)
{
	spin_lock_irq(&output->lock);
	output->live = false;
	wfd_frame_changed(output);
	spin_unlock_irq(&output->lock);
}

/**
 * wfd_frame_set_limits - set the limits modes are checked against
 * @output: the output
 * @limits: the sink's limits; zeros for none
 */
void wfd_frame_set_limits(struct wfd_output *output,
			  const struct wfd_limits *limits)
{
	spin_lock_irq(&output->lock);
	output->limits = *limits;
	spin_unlock_irq(&output->lock);
}

/**
 * wfd_frame_limits - the limits modes are checked against
 * @output: the output
 * @limits: filled with the limits, zeros when no sink is plugged in
 */
void wfd_frame_limits(struct wfd_output *output, struct wfd_limits *limits)
{
	unsigned long flags;

	spin_lock_irqsave(&output->lock, flags);
	*limits = output->limits;
	spin_unlock_irqrestore(&output->lock, flags);
}

/**
 * wfd_frame_report_stats - keep the daemon's figures, for debugfs
 * @output: the output
 * @stats: the last REPORT_STATS
 */
void wfd_frame_report_stats(struct wfd_output *output,
			    const struct drm_wfd_report_stats *stats)
{
	spin_lock_irq(&output->lock);
	output->stats = *stats;
	spin_unlock_irq(&output->lock);
}

/**
 * wfd_frame_hold - pick the latest frame and hold its buffer
 * @output: the output
 * @f: filled with the frame; f->fb is a reference owned by the hold
 *
 * The pick and the hold are one step under the frame lock: every commit
 * that retires the buffer after this sees it held.
 *
 * Return: 0; -EBUSY when a frame is held; -EAGAIN when no frame is new
 * since the last acquired one, or nothing is visible.
 */
int wfd_frame_hold(struct wfd_output *output, struct wfd_frame_info *f)
{
	int ret = 0;

	spin_lock_irq(&output->lock);
	if (output->held_fb) {
		ret = -EBUSY;
	} else if (!output->scanout_fb ||
		   output->frame_seq == output->acquired_seq) {
		ret = -EAGAIN;
	} else {
		f->fb = output->scanout_fb;
		f->seq = output->frame_seq;
		f->ns = output->frame_ns;
		f->damage = output->damage;
		f->superseded = f->seq - output->acquired_seq - 1;
		drm_framebuffer_get(f->fb);
		output->held_fb = f->fb;
		output->held_seq = f->seq;
		output->hold_expired = false;
	}
	spin_unlock_irq(&output->lock);
	return ret;
}

/**
 * wfd_frame_acquired - the daemon has the frame wfd_frame_hold() picked
 * @output: the output
 * @seq: its sequence number
 */
void wfd_frame_acquired(struct wfd_output *output, u64 seq)
{
	spin_lock_irq(&output->lock);
	output->superseded += seq - output->acquired_seq - 1;
	output->acquired_seq = seq;
	output->frames_delivered++;
	spin_unlock_irq(&output->lock);
}

/**
 * wfd_frame_unhold - end the hold, whatever it is
 * @output: the output
 * @expired: set to whether the hold had timed out
 *
 * A completion waiting for the hold is armed for the next vblank.  This
 * is a fence signalling path: it is annotated so, and takes no lock that
 * is held around allocations or waits.
 *
 * Return: the buffer that was held, or NULL; the caller drops that
 * reference, outside its own locks.
 */
struct drm_framebuffer *wfd_frame_unhold(struct wfd_output *output,
					 bool *expired)
{
	struct drm_pending_vblank_event *ev;
	struct drm_framebuffer *fb;
	bool cookie;

	cookie = dma_fence_begin_signalling();
	spin_lock_irq(&output->lock);
	fb = output->held_fb;
	output->held_fb = NULL;
	*expired = output->hold_expired;
	output->hold_expired = false;
	ev = output->deferred;
	output->deferred = NULL;
	spin_unlock_irq(&output->lock);
	if (ev)
		wfd_frame_arm(output, ev);
	dma_fence_end_signalling(cookie);
	return fb;
}

/**
 * wfd_frame_release - FRAME_RELEASE
 * @output: the output
 * @seq: the sequence number the daemon releases
 *
 * Return: 0; -ETIMEDOUT when the hold had expired (the frame is released
 * all the same); -EINVAL when @seq is not the held frame.
 */
int wfd_frame_release(struct wfd_output *output, u64 seq)
{
	struct drm_framebuffer *fb;
	bool held, expired;

	spin_lock_irq(&output->lock);
	held = output->held_fb && output->held_seq == seq;
	spin_unlock_irq(&output->lock);
	/* Only the claim's ioctls, serialised by its lock, hold or release. */
	if (!held)
		return -EINVAL;
	fb = wfd_frame_unhold(output, &expired);
	if (fb)
		drm_framebuffer_put(fb);
	return expired ? -ETIMEDOUT : 0;
}

/**
 * wfd_frame_event_state - what a session may read, in one snapshot
 * @output: the output
 * @mode: filled with the CRTC's state
 * @f: filled with the latest frame (no buffer)
 *
 * Return: the event generation of the snapshot.
 */
unsigned long wfd_frame_event_state(struct wfd_output *output,
				    struct wfd_crtc_mode *mode,
				    struct wfd_frame_info *f)
{
	unsigned long gen;

	spin_lock_irq(&output->lock);
	*mode = output->mode;
	f->fb = NULL;
	f->superseded = 0;
	f->seq = output->frame_seq;
	f->ns = output->frame_ns;
	f->damage = output->damage;
	gen = output->event_gen;
	spin_unlock_irq(&output->lock);
	return gen;
}

/**
 * wfd_frame_poke - tell a session's readers that something changed
 * @output: the output
 */
void wfd_frame_poke(struct wfd_output *output)
{
	spin_lock_irq(&output->lock);
	wfd_frame_changed(output);
	spin_unlock_irq(&output->lock);
	wake_up_interruptible(&output->event_wq);
}

/**
 * wfd_frame_fb_gone - a framebuffer is being destroyed
 * @wfd: the device
 * @fb: the framebuffer
 *
 * Each claim that handed out an fd of @fb keeps a BUFFER_GONE for it
 * until its daemon reads it.  Claims hold references of the buffers they
 * hold, so @fb is none of those.  Allocates nothing.
 */
void wfd_frame_fb_gone(struct wfd_device *wfd, struct drm_framebuffer *fb)
{
	u64 buffer_id = to_wfd_fb(fb)->buffer_id;
	unsigned int i;

	mutex_lock(&wfd->claim_lock);
	for (i = 0; i < wfd->num_outputs; i++)
		if (wfd->outputs[i].claim)
			wfd_claim_mark_gone(wfd->outputs[i].claim, buffer_id);
	mutex_unlock(&wfd->claim_lock);
}

/**
 * wfd_frame_debugfs_show - print an output's frame state
 * @m: the debugfs file
 * @output: the output
 */
void wfd_frame_debugfs_show(struct seq_file *m, struct wfd_output *output)
{
	struct drm_wfd_report_stats st;
	unsigned int n = output->index + 1;
	u64 committed, superseded, delivered, timeouts;
	bool held, deferred;

	spin_lock_irq(&output->lock);
	committed = output->frame_seq;
	superseded = output->superseded;
	delivered = output->frames_delivered;
	timeouts = output->hold_timeouts;
	held = output->held_fb;
	deferred = output->deferred;
	st = output->stats;
	spin_unlock_irq(&output->lock);

	seq_printf(m, "output%u.frames_committed: %llu\n", n, committed);
	seq_printf(m, "output%u.frames_superseded: %llu\n", n, superseded);
	seq_printf(m, "output%u.frame_held: %d\n", n, held);
	seq_printf(m, "output%u.completion_deferred: %d\n", n, deferred);
	seq_printf(m, "output%u.stats: encoded %llu dropped %llu bytes %llu fps %u.%03u kbps %u encode_us %u latency_us %u\n",
		   n, st.frames_encoded, st.frames_dropped, st.bytes_sent,
		   st.fps_milli / 1000, st.fps_milli % 1000, st.bitrate_kbps,
		   st.encode_us, st.latency_us);
	seq_printf(m, "output%u.frames_delivered: %llu\n", n, delivered);
	seq_printf(m, "output%u.hold_timeouts: %llu\n", n, timeouts);
}
