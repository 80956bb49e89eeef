// SPDX-License-Identifier: GPL-2.0-only
/*
 * wfd: CRTC, simulated vblank and CRC
 */

#include <linux/crc32.h>
#include <linux/dma-direction.h>
#include <linux/iosys-map.h>
#include <linux/slab.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/drm_vblank.h>

#include "wfd_drv.h"

static const char *const wfd_crc_sources[] = { "auto" };

/*
 * Locking: the vblank core calls wfd_disable_vblank() with its own
 * spinlocks held and interrupts off, and drm_crtc_handle_vblank() takes
 * those locks.  So disable_vblank must never wait for a running timer
 * callback (that would deadlock against it): it only tries to cancel, and a
 * callback that finds vblank off stops the timer itself.  The one
 * synchronous cancel is wfd_crtc_fini(), when no vblank can be enabled.
 */
static enum hrtimer_restart wfd_vblank_simulate(struct hrtimer *timer)
{
	struct wfd_output *output =
		container_of(timer, struct wfd_output, vblank_timer);
	struct drm_crtc *crtc = &output->crtc;
	unsigned long flags;
	u64 frame;

	/*
	 * Forward before handling, like hardware that raises the interrupt
	 * after its counters moved: get_vblank_timestamp relies on it.  An
	 * overrun (a late timer, common under emulation) is not an error:
	 * the vblank core counts the missed frames from the timestamps.
	 */
	hrtimer_forward_now(timer, output->period);

	if (!drm_crtc_handle_vblank(crtc))
		return HRTIMER_NORESTART;
	wfd_frame_vblank(output);

	spin_lock_irqsave(&output->lock, flags);
	if (output->crc_enabled) {
		/* Updated just above by drm_crtc_handle_vblank(). */
		frame = drm_crtc_vblank_count(crtc);
		if (!output->crc_pending)
			output->crc_frame_start = frame;
		output->crc_frame_end = frame;
		output->crc_pending = true;
		queue_work(output->wfd->crc_wq, &output->crc_work);
	}
	spin_unlock_irqrestore(&output->lock, flags);

	return HRTIMER_RESTART;
}

static int wfd_enable_vblank(struct drm_crtc *crtc)
{
	struct wfd_output *output = crtc_to_wfd_output(crtc);

	hrtimer_start(&output->vblank_timer, output->period,
		      HRTIMER_MODE_REL);
	return 0;
}

static void wfd_disable_vblank(struct drm_crtc *crtc)
{
	hrtimer_try_to_cancel(&crtc_to_wfd_output(crtc)->vblank_timer);
}

/*
 * The timer was forwarded before the vblank was handled, so its expiry is
 * one period after the vblank being handled.
 */
static bool wfd_get_vblank_timestamp(struct drm_crtc *crtc, int *max_error,
				     ktime_t *vblank_time, bool in_vblank_irq)
{
	struct wfd_output *output = crtc_to_wfd_output(crtc);

	*vblank_time = ktime_sub(hrtimer_get_expires(&output->vblank_timer),
				 output->period);
	*max_error = 0;
	return true;
}

/* CRC of what the sink would show: alpha is not displayed, so it is masked. */
static u32 wfd_crc_rows(const struct iosys_map *map, u32 pitch,
			const struct drm_rect *src, u32 *row)
{
	unsigned int w = drm_rect_width(src), h = drm_rect_height(src);
	unsigned int x, y;
	u32 crc = 0;

	for (y = 0; y < h; y++) {
		size_t off = (size_t)(src->y1 + y) * pitch + src->x1 * 4;

		iosys_map_memcpy_from(row, map, off, w * 4);
		for (x = 0; x < w; x++)
			row[x] |= 0xff000000;
		crc = crc32_le(crc, (const u8 *)row, w * 4);
	}
	return crc;
}

static u32 wfd_crc_black(unsigned int w, unsigned int h, u32 *row)
{
	unsigned int y;
	u32 crc = 0;

	memset32(row, 0xff000000, w);
	for (y = 0; y < h; y++)
		crc = crc32_le(crc, (const u8 *)row, w * 4);
	return crc;
}

static int wfd_crc_compute(struct wfd_output *output,
			   struct drm_framebuffer *fb,
			   const struct drm_rect *src, u32 *crc)
{
	struct iosys_map map[DRM_FORMAT_MAX_PLANES];
	struct iosys_map data[DRM_FORMAT_MAX_PLANES];
	const struct drm_display_mode *mode = &output->crtc.mode;
	unsigned int w = fb ? drm_rect_width(src) : mode->hdisplay;
	u32 *row;
	int ret;

	row = kmalloc_array(max(w, 1u), sizeof(*row), GFP_KERNEL);
	if (!row)
		return -ENOMEM;

	if (!fb) {
		*crc = wfd_crc_black(w, mode->vdisplay, row);
		kfree(row);
		return 0;
	}

	ret = drm_gem_fb_vmap(fb, map, data);
	if (ret)
		goto out_free;
	ret = drm_gem_fb_begin_cpu_access(fb, DMA_FROM_DEVICE);
	if (!ret) {
		*crc = wfd_crc_rows(&data[0], fb->pitches[0], src, row);
		drm_gem_fb_end_cpu_access(fb, DMA_FROM_DEVICE);
	}
	drm_gem_fb_vunmap(fb, map);
out_free:
	kfree(row);
	return ret;
}

static void wfd_crc_work(struct work_struct *work)
{
	struct wfd_output *output =
		container_of(work, struct wfd_output, crc_work);
	struct drm_framebuffer *fb;
	struct drm_rect src;
	u64 frame, start, end;
	u32 crc = 0;
	int ret;

	spin_lock_irq(&output->lock);
	if (!output->crc_pending) {
		spin_unlock_irq(&output->lock);
		return;
	}
	start = output->crc_frame_start;
	end = output->crc_frame_end;
	output->crc_pending = false;
	fb = output->scanout_fb;
	if (fb)
		drm_framebuffer_get(fb);
	src = output->scanout_src;
	spin_unlock_irq(&output->lock);

	ret = wfd_crc_compute(output, fb, &src, &crc);
	if (fb)
		drm_framebuffer_put(fb);
	if (ret) {
		drm_dbg_driver(output->crtc.dev, "CRC of frame %llu failed: %d\n",
			       end, ret);
		return;
	}

	/* Frames the worker fell behind on showed the same picture. */
	for (frame = start; frame <= end; frame++)
		drm_crtc_add_crc_entry(&output->crtc, true, frame, &crc);
}

static const char *const *wfd_get_crc_sources(struct drm_crtc *crtc,
					      size_t *count)
{
	*count = ARRAY_SIZE(wfd_crc_sources);
	return wfd_crc_sources;
}

static int wfd_crc_parse_source(const char *src_name, bool *enabled)
{
	if (!src_name) {
		*enabled = false;
		return 0;
	}
	if (!strcmp(src_name, "auto")) {
		*enabled = true;
		return 0;
	}
	return -EINVAL;
}

static int wfd_verify_crc_source(struct drm_crtc *crtc, const char *src_name,
				 size_t *values_cnt)
{
	bool enabled;

	if (wfd_crc_parse_source(src_name, &enabled))
		return -EINVAL;
	*values_cnt = 1;
	return 0;
}

static int wfd_set_crc_source(struct drm_crtc *crtc, const char *src_name)
{
	struct wfd_output *output = crtc_to_wfd_output(crtc);
	bool enabled, was_enabled;
	int ret;

	ret = wfd_crc_parse_source(src_name, &enabled);
	if (ret)
		return ret;

	/* CRCs are made per vblank: keep vblank on while they are wanted. */
	if (enabled) {
		ret = drm_crtc_vblank_get(crtc);
		if (ret)
			return ret;
	}

	spin_lock_irq(&output->lock);
	was_enabled = output->crc_enabled;
	output->crc_enabled = enabled;
	output->crc_pending = false;
	spin_unlock_irq(&output->lock);

	if (was_enabled)
		drm_crtc_vblank_put(crtc);
	return 0;
}

static const struct drm_crtc_funcs wfd_crtc_funcs = {
	.set_config = drm_atomic_helper_set_config,
	.page_flip = drm_atomic_helper_page_flip,
	.reset = drm_atomic_helper_crtc_reset,
	.atomic_duplicate_state = drm_atomic_helper_crtc_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_crtc_destroy_state,
	.enable_vblank = wfd_enable_vblank,
	.disable_vblank = wfd_disable_vblank,
	.get_vblank_timestamp = wfd_get_vblank_timestamp,
	.get_crc_sources = wfd_get_crc_sources,
	.verify_crc_source = wfd_verify_crc_source,
	.set_crc_source = wfd_set_crc_source,
};

/* Bound the vblank timer's rate: an absurd clock must not wedge the CPU. */
static enum drm_mode_status
wfd_crtc_mode_valid(struct drm_crtc *crtc, const struct drm_display_mode *mode)
{
	int refresh = drm_mode_vrefresh(mode);

	if (mode->clock <= 0 || refresh <= 0)
		return MODE_CLOCK_LOW;
	if (refresh > WFD_MAX_REFRESH_HZ)
		return MODE_BAD_VVALUE;
	return MODE_OK;
}

/*
 * The sink gets one picture of the CRTC's size: the primary plane covers
 * the CRTC whenever it is on (its own check rules out any other
 * position).  While a sink is plugged in, a mode that its pipeline cannot
 * carry is refused at the modeset, as at probe.
 */
static int wfd_crtc_atomic_check(struct drm_crtc *crtc,
				 struct drm_atomic_state *state)
{
	struct drm_crtc_state *new = drm_atomic_get_new_crtc_state(state, crtc);
	struct wfd_output *output = crtc_to_wfd_output(crtc);

	if (new->active && !(new->plane_mask & drm_plane_mask(crtc->primary)))
		return -EINVAL;
	if (new->enable && drm_atomic_crtc_needs_modeset(new) &&
	    wfd_output_mode_status(output, &new->mode) != MODE_OK)
		return -EINVAL;
	return 0;
}

static void wfd_crtc_atomic_enable(struct drm_crtc *crtc,
				   struct drm_atomic_state *state)
{
	struct wfd_output *output = crtc_to_wfd_output(crtc);
	const struct drm_display_mode *mode = &crtc->state->adjusted_mode;
	u64 frame_ns;

	frame_ns = div_u64((u64)mode->crtc_htotal * mode->crtc_vtotal *
			   NSEC_PER_MSEC, mode->crtc_clock);
	output->period = ns_to_ktime(frame_ns);
	drm_crtc_vblank_on(crtc);
}

static void wfd_crtc_atomic_disable(struct drm_crtc *crtc,
				    struct drm_atomic_state *state)
{
	wfd_frame_crtc_off(crtc_to_wfd_output(crtc));
	drm_crtc_vblank_off(crtc);
}

/* Every CRTC of a commit: the session learns its state before frames. */
static void wfd_crtc_atomic_begin(struct drm_crtc *crtc,
				  struct drm_atomic_state *state)
{
	wfd_frame_crtc_state(crtc_to_wfd_output(crtc),
			     drm_atomic_get_new_crtc_state(state, crtc));
}

static void wfd_crtc_atomic_flush(struct drm_crtc *crtc,
				  struct drm_atomic_state *state)
{
	wfd_frame_complete(crtc_to_wfd_output(crtc),
			   drm_atomic_get_new_crtc_state(state, crtc));
}

static const struct drm_crtc_helper_funcs wfd_crtc_helper_funcs = {
	.mode_valid = wfd_crtc_mode_valid,
	.atomic_check = wfd_crtc_atomic_check,
	.atomic_begin = wfd_crtc_atomic_begin,
	.atomic_enable = wfd_crtc_atomic_enable,
	.atomic_disable = wfd_crtc_atomic_disable,
	.atomic_flush = wfd_crtc_atomic_flush,
};

/*
 * Runs when the device is released, after the outputs were shut down: a
 * timer callback that raced with the last wfd_disable_vblank() may still be
 * queued, and must not run after the output is freed.
 */
static void wfd_crtc_fini(struct drm_device *drm, void *data)
{
	struct wfd_output *output = data;

	hrtimer_cancel(&output->vblank_timer);
	cancel_work_sync(&output->crc_work);
}

/**
 * wfd_crtc_init - create the CRTC of an output
 * @output: the output
 * @primary: its primary plane
 *
 * Return: 0 or a negative errno.
 */
int wfd_crtc_init(struct wfd_output *output, struct drm_plane *primary)
{
	struct drm_crtc *crtc = &output->crtc;
	int ret;

	ret = drmm_crtc_init_with_planes(&output->wfd->drm, crtc, primary, NULL,
					 &wfd_crtc_funcs, NULL);
	if (ret)
		return ret;

	drm_crtc_helper_add(crtc, &wfd_crtc_helper_funcs);
	INIT_WORK(&output->crc_work, wfd_crc_work);
	hrtimer_init(&output->vblank_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	output->vblank_timer.function = wfd_vblank_simulate;
	return drmm_add_action_or_reset(&output->wfd->drm, wfd_crtc_fini,
					output);
}
