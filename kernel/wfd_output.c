// SPDX-License-Identifier: GPL-2.0-only
/*
 * wfd: outputs, their connector and encoder
 */

#include <drm/drm_atomic_helper.h>
#include <drm/drm_edid.h>
#include <drm/drm_modes.h>
#include <drm/drm_probe_helper.h>

#include "wfd_compat.h"
#include "wfd_drv.h"

/*
 * Connected while a sink is plugged in, or when forced on: the probe
 * helpers skip detect for forced connectors, but a hotplug probe does not.
 * Called with mode_config.mutex held.
 */
static enum drm_connector_status
wfd_connector_detect(struct drm_connector *connector, bool force)
{
	struct wfd_output *output = connector_to_wfd_output(connector);

	if (connector->force == DRM_FORCE_ON ||
	    connector->force == DRM_FORCE_ON_DIGITAL || output->sink_edid)
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
 * headless use work.  Called with mode_config.mutex held.
 */
static int wfd_connector_get_modes(struct drm_connector *connector)
{
	struct wfd_output *output = connector_to_wfd_output(connector);
	int count;

	count = wfd_compat_edid_update(connector, output->sink_edid);
	if (output->sink_edid) {
		output->sink_modes = count;
		return count;
	}
	count = drm_add_modes_noedid(connector, WFD_MAX_SIZE, WFD_MAX_SIZE);
	drm_set_preferred_mode(connector, WFD_FORCED_PREF_W, WFD_FORCED_PREF_H);
	return count;
}

/**
 * wfd_output_mode_status - apply the sink's limits to a mode
 * @output: the output
 * @mode: the mode
 *
 * Return: MODE_OK, or why the sink's pipeline cannot carry @mode.
 */
enum drm_mode_status wfd_output_mode_status(struct wfd_output *output,
					    const struct drm_display_mode *mode)
{
	struct wfd_limits l;

	wfd_frame_limits(output, &l);
	if (l.max_width && mode->hdisplay > l.max_width)
		return MODE_VIRTUAL_X;
	if (l.max_height && mode->vdisplay > l.max_height)
		return MODE_VIRTUAL_Y;
	if (l.max_pixel_rate &&
	    (u64)mode->hdisplay * mode->vdisplay * drm_mode_vrefresh(mode) >
	    l.max_pixel_rate)
		return MODE_CLOCK_HIGH;
	return MODE_OK;
}

static enum drm_mode_status
wfd_connector_mode_valid(struct drm_connector *connector,
			 struct drm_display_mode *mode)
{
	return wfd_output_mode_status(connector_to_wfd_output(connector), mode);
}

static const struct drm_connector_helper_funcs wfd_connector_helper_funcs = {
	.get_modes = wfd_connector_get_modes,
	.mode_valid = wfd_connector_mode_valid,
};

/* Probe the connector now; count the modes that survived validation. */
static int wfd_connector_probe_count(struct drm_connector *connector)
{
	struct drm_display_mode *mode;
	int count = 0;

	connector->funcs->fill_modes(connector, WFD_MAX_SIZE, WFD_MAX_SIZE);
	list_for_each_entry(mode, &connector->modes, head)
		count++;
	return count;
}

/**
 * wfd_output_plug - plug a sink in
 * @output: the output, which has no sink
 * @edid: the sink's EDID, which the output owns on success
 * @limits: what the daemon's pipeline carries
 *
 * The connector is probed at once.  Its status is set first, so that the
 * probe sees no change and schedules no uevent of its own: the caller
 * sends the one hotplug uevent.
 *
 * Return: 0; -EINVAL when the EDID gives no mode, or none within the
 * limits: then nothing changed, and no uevent was sent.
 */
int wfd_output_plug(struct wfd_output *output, const struct drm_edid *edid,
		    const struct wfd_limits *limits)
{
	struct drm_connector *connector = &output->connector;
	struct drm_device *drm = connector->dev;
	enum drm_connector_status old;
	int count;

	mutex_lock(&drm->mode_config.mutex);
	output->sink_edid = edid;
	output->sink_modes = 0;
	drm_edid_get_monitor_name(drm_edid_raw(edid), output->sink_name,
				  sizeof(output->sink_name) - 1);
	wfd_frame_set_limits(output, limits);
	old = connector->status;
	connector->status = connector_status_connected;
	count = wfd_connector_probe_count(connector);
	/* The core adds fallback modes to an EDID without any: not ours. */
	if (count && output->sink_modes) {
		mutex_unlock(&drm->mode_config.mutex);
		return 0;
	}
	output->sink_edid = NULL;
	wfd_frame_set_limits(output, &(struct wfd_limits){ });
	connector->status = old;
	wfd_connector_probe_count(connector);
	mutex_unlock(&drm->mode_config.mutex);
	return -EINVAL;
}

/**
 * wfd_output_unplug - take the sink out
 * @output: the output
 *
 * The caller probes (drm_helper_hpd_irq_event()), which turns the
 * connector disconnected and sends the uevent.
 *
 * Return: the sink's EDID, for the caller to free, or NULL.
 */
const struct drm_edid *wfd_output_unplug(struct wfd_output *output)
{
	struct drm_device *drm = output->connector.dev;
	const struct drm_edid *edid;

	mutex_lock(&drm->mode_config.mutex);
	edid = output->sink_edid;
	output->sink_edid = NULL;
	wfd_frame_set_limits(output, &(struct wfd_limits){ });
	mutex_unlock(&drm->mode_config.mutex);
	return edid;
}

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
	wfd_frame_init(output);

	primary = wfd_plane_create(output);
	if (IS_ERR(primary))
		return PTR_ERR(primary);

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

/* --- the sink's EDID ------------------------------------------------- */

/*
 * CTA data blocks the core warns about rather than ignores: a YCbCr 4:2:0
 * capability map (extended tag 15) of more than 8 bytes hits a
 * WARN_ON_ONCE in parse_cta_y420cmdb().  The EDID is the sink's, from
 * the network: refuse it here.
 */
static bool wfd_cta_blocks_ok(const u8 *p, unsigned int len)
{
	unsigned int i = 0, n;

	while (i < len) {
		n = p[i] & 0x1f;
		if (i + 1 + n > len)
			break;
		if (p[i] >> 5 == 7 && n >= 1 && p[i + 1] == 15 && n - 1 > 8)
			return false;
		i += 1 + n;
	}
	return true;
}

/* Every CTA data block collection the core reads in @b: CTA and DisplayID. */
static bool wfd_edid_ext_ok(const u8 *b)
{
	unsigned int i, n, end;

	if (b[0] == 0x02) {
		/* Byte 2: where the detailed timings start, after the blocks. */
		return b[2] < 4 || b[2] > 127 || wfd_cta_blocks_ok(b + 4, b[2] - 4);
	}
	if (b[0] != 0x70)
		return true;
	/*
	 * DisplayID: a 4-byte section header from byte 1 (byte 2: the bytes
	 * of blocks that follow), then blocks of tag, revision, length; its
	 * CTA data blocks (tag 0x81) hold CTA ones.
	 */
	end = min_t(unsigned int, 5 + b[2], EDID_LENGTH - 1);
	for (i = 5; i + 3 <= end; i += 3 + n) {
		n = b[i + 2];
		if (i + 3 + n > end)
			break;
		if (b[i] == 0x81 && !wfd_cta_blocks_ok(b + i + 3, n))
			return false;
	}
	return true;
}

/**
 * wfd_output_edid_check - is a sink's EDID fit for the connector?
 * @buf: the EDID, a base block and its extensions
 * @size: its length in bytes, a multiple of %EDID_LENGTH
 *
 * Checks the header, the size against the extension count, every block's
 * checksum, and refuses what the DRM core would warn about rather than
 * ignore.  The EDID comes from the network (the sink), through wfdd.
 *
 * Return: 0, or -EINVAL.
 */
int wfd_output_edid_check(const u8 *buf, u32 size)
{
	static const u8 header[] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	u32 block;

	if (memcmp(buf, header, sizeof(header)))
		return -EINVAL;
	/* Byte 126 counts the extension blocks: the size must match it. */
	if (size != (buf[126] + 1u) * EDID_LENGTH)
		return -EINVAL;
	for (block = 0; block < size / EDID_LENGTH; block++) {
		const u8 *b = buf + block * EDID_LENGTH;
		u8 sum = 0;
		int j;

		for (j = 0; j < EDID_LENGTH; j++)
			sum += b[j];
		if (sum || (block && !wfd_edid_ext_ok(b)))
			return -EINVAL;
	}
	return 0;
}
