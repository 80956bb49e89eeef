// SPDX-License-Identifier: GPL-2.0-only
/*
 * wfd: the primary plane
 */

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_plane.h>

#include "wfd_drv.h"

static const u32 wfd_plane_formats[] = {
	DRM_FORMAT_XRGB8888,
	DRM_FORMAT_ARGB8888,
};

static const u64 wfd_plane_modifiers[] = {
	DRM_FORMAT_MOD_LINEAR,
	DRM_FORMAT_MOD_INVALID,
};

static const struct drm_plane_funcs wfd_plane_funcs = {
	.update_plane = drm_atomic_helper_update_plane,
	.disable_plane = drm_atomic_helper_disable_plane,
	.reset = drm_atomic_helper_plane_reset,
	.atomic_duplicate_state = drm_atomic_helper_plane_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_plane_destroy_state,
};

/*
 * The output has no scaler and no background: the plane covers the whole
 * CRTC at 1:1 whenever the CRTC is on.  This is the contract of a sink that
 * receives one encoded picture of the CRTC's size.
 */
static int wfd_plane_atomic_check(struct drm_plane *plane,
				  struct drm_atomic_state *state)
{
	struct drm_plane_state *new_state =
		drm_atomic_get_new_plane_state(state, plane);
	struct drm_crtc_state *crtc_state;

	if (!new_state->fb || WARN_ON(!new_state->crtc))
		return 0;

	crtc_state = drm_atomic_get_crtc_state(state, new_state->crtc);
	if (IS_ERR(crtc_state))
		return PTR_ERR(crtc_state);

	return drm_atomic_helper_check_plane_state(new_state, crtc_state,
						   DRM_PLANE_NO_SCALING,
						   DRM_PLANE_NO_SCALING,
						   false, true);
}

static void wfd_plane_atomic_update(struct drm_plane *plane,
				    struct drm_atomic_state *state)
{
	struct drm_plane_state *old_state =
		drm_atomic_get_old_plane_state(state, plane);
	struct drm_plane_state *new_state =
		drm_atomic_get_new_plane_state(state, plane);
	/* On disable the new state has no CRTC: use the old one's. */
	struct drm_crtc *crtc = new_state->crtc ?: old_state->crtc;

	if (crtc)
		wfd_frame_publish(crtc_to_wfd_output(crtc), old_state, new_state);
}

static const struct drm_plane_helper_funcs wfd_plane_helper_funcs = {
	.prepare_fb = drm_gem_plane_helper_prepare_fb,
	.atomic_check = wfd_plane_atomic_check,
	.atomic_update = wfd_plane_atomic_update,
};

/**
 * wfd_plane_create - create the primary plane of an output
 * @output: the output, whose CRTC is not created yet
 *
 * Return: the plane, or an ERR_PTR.
 */
struct drm_plane *wfd_plane_create(struct wfd_output *output)
{
	struct drm_plane *plane;

	plane = __drmm_universal_plane_alloc(&output->wfd->drm, sizeof(*plane),
					     0, BIT(output->index),
					     &wfd_plane_funcs,
					     wfd_plane_formats,
					     ARRAY_SIZE(wfd_plane_formats),
					     wfd_plane_modifiers,
					     DRM_PLANE_TYPE_PRIMARY, NULL);
	if (IS_ERR(plane))
		return plane;

	drm_plane_helper_add(plane, &wfd_plane_helper_funcs);
	drm_plane_enable_fb_damage_clips(plane);
	return plane;
}
