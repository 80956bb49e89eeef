// SPDX-License-Identifier: GPL-2.0-only
/*
 * wfd: debugfs state
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include <drm/drm_connector.h>
#include <drm/drm_file.h>
#include <drm/drm_mode_config.h>

#include "wfd_drv.h"

/*
 * One "key: value" per line, so that tests and wfdctl can parse it.  The
 * object counts go back to their load-time values when every client has
 * gone, which is how the tests find leaks on kernels without kmemleak.
 */
static int wfd_state_show(struct seq_file *m, void *unused)
{
	struct wfd_device *wfd = m->private;
	struct drm_device *drm = &wfd->drm;
	unsigned int i;

	seq_printf(m, "uapi_version: %u\n", WFD_UAPI_VERSION);
	seq_printf(m, "outputs: %u\n", wfd->num_outputs);
	seq_printf(m, "gem_objects: %d\n", atomic_read(&wfd->gem_objects));
	seq_printf(m, "claims: %d\n", atomic_read(&wfd->claims));
	mutex_lock(&drm->mode_config.fb_lock);
	seq_printf(m, "framebuffers: %d\n", drm->mode_config.num_fb);
	mutex_unlock(&drm->mode_config.fb_lock);

	for (i = 0; i < wfd->num_outputs; i++) {
		struct wfd_output *output = &wfd->outputs[i];

		seq_printf(m, "output%u.connector: %s\n", i + 1,
			   output->connector.name);
		seq_printf(m, "output%u.status: %s\n", i + 1,
			   drm_get_connector_status_name(output->connector.status));
		wfd_claim_debugfs_show(m, output);
		wfd_frame_debugfs_show(m, output);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wfd_state);

/**
 * wfd_debugfs_init - create the driver's debugfs files
 * @minor: the DRM minor whose debugfs directory gets them
 */
void wfd_debugfs_init(struct drm_minor *minor)
{
	debugfs_create_file("wfd_state", 0444, minor->debugfs_root,
			    to_wfd(minor->dev), &wfd_state_fops);
	wfd_frame_debugfs_init(minor->debugfs_root);
}
