// SPDX-License-Identifier: GPL-2.0-only
/*
 * wfd: outputs, their connector and encoder
 */

#include <drm/drm_atomic_helper.h>
#include <drm/drm_edid.h>
#include <drm/drm_modes.h>
#include <drm/drm_probe_helper.h>

#include "wfd_drv.h"

static enum drm_connector_status
wfd_connector_detect(struct drm_connector *connector, bool force)
{
	if (wfd_session_connected(connector_to_wfd_output(connector)))
		return connector_status_connected;
	return connector_status_disconnected;
}

static const struct drm_connector_funcs wfd_connector_funcs = {
	.detect = wfd_connector_detect,
	.fill_modes = drm_helper_probe_single_connector_modes,
	.reset = drm_atomic_helper_connector_reset,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

/*
 * The sink's modes; a connector forced on with no sink behind it offers
 * the standard mode list up to the size limit, like vkms, so that IGT and
 * headless use work.
 */
static int wfd_connector_get_modes(struct drm_connector *connector)
{
	int count;

	count = wfd_session_get_modes(connector_to_wfd_output(connector));
	if (count >= 0)
		return count;
	count = drm_add_modes_noedid(connector, WFD_MAX_SIZE, WFD_MAX_SIZE);
	drm_set_preferred_mode(connector, WFD_FORCED_PREF_W, WFD_FORCED_PREF_H);
	return count;
}

static enum drm_mode_status
wfd_connector_mode_valid(struct drm_connector *connector,
			 struct drm_display_mode *mode)
{
	return wfd_session_mode_valid(connector_to_wfd_output(connector), mode);
}

static const struct drm_connector_helper_funcs wfd_connector_helper_funcs = {
	.get_modes = wfd_connector_get_modes,
	.mode_valid = wfd_connector_mode_valid,
};

static int wfd_connector_init(struct wfd_output *output)
{
	struct drm_connector *connector = &output->connector;
	int ret;

	ret = drmm_connector_init(&output->wfd->drm, connector,
				  &wfd_connector_funcs,
				  DRM_MODE_CONNECTOR_VIRTUAL, NULL);
	if (ret)
		return ret;

	/*
	 * The core gives Virtual connectors no EDID property; ours carry the
	 * sink's EDID, which is how its name reaches compositors.
	 */
	drm_object_attach_property(&connector->base,
				   output->wfd->drm.mode_config.edid_property, 0);
	drm_connector_helper_add(connector, &wfd_connector_helper_funcs);
	connector->polled = DRM_CONNECTOR_POLL_HPD;
	/* Start disconnected, not "unknown", until the first probe. */
	connector->status = connector_status_disconnected;
	return 0;
}

/**
 * wfd_output_init - create the KMS objects of one output
 * @wfd: the device
 * @index: 0-based index of the output
 *
 * Return: 0 or a negative errno.
 */
int wfd_output_init(struct wfd_device *wfd, unsigned int index)
{
	struct wfd_output *output = &wfd->outputs[index];
	struct drm_plane *primary;
	int ret;

	output->wfd = wfd;
	output->index = index;
	wfd_session_output_init(output);

	primary = wfd_plane_create(output);
	if (IS_ERR(primary))
		return PTR_ERR(primary);
	output->primary = primary;

	ret = wfd_crtc_init(output, primary);
	if (ret)
		return ret;

	ret = drmm_encoder_init(&wfd->drm, &output->encoder, NULL,
				DRM_MODE_ENCODER_VIRTUAL, NULL);
	if (ret)
		return ret;
	output->encoder.possible_crtcs = drm_crtc_mask(&output->crtc);

	ret = wfd_connector_init(output);
	if (ret)
		return ret;

	return drm_connector_attach_encoder(&output->connector,
					    &output->encoder);
}
