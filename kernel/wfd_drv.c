// SPDX-License-Identifier: GPL-2.0-only
/*
 * wfd: virtual wireless display outputs
 */

/**
 * DOC: wfd
 *
 * wfd is a KMS driver for virtual wireless (Wi-Fi Display, Miracast)
 * outputs.  Each output is a CRTC, a primary plane, an encoder and a
 * connector of type Virtual.  A connector stays disconnected until a
 * session connects it with the modes a sink takes; the DRM core's standard
 * connector forcing lights it up with a default mode list instead, so that
 * tests and headless use work without a sink.  Vblank is simulated with an
 * hrtimer at the mode's refresh rate.  Buffers are GEM shmem objects with
 * PRIME import and export.
 */

#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/platform_device.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_vblank.h>

#include "wfd_compat.h"
#include "wfd_drv.h"

static unsigned int outputs = 1;
module_param(outputs, uint, 0444);
MODULE_PARM_DESC(outputs, "Number of virtual wireless outputs (1-8, default 1)");

static bool fbdev;
module_param(fbdev, bool, 0444);
MODULE_PARM_DESC(fbdev, "Enable fbdev emulation (default off: fbcon would bind to it)");

static struct platform_device *wfd_pdev;

static void wfd_gem_free(struct drm_gem_object *obj)
{
	atomic_dec(&to_wfd(obj->dev)->gem_objects);
	drm_gem_shmem_object_free(obj);
}

/* drm_gem_shmem_funcs with a counting free, for leak checks. */
static const struct drm_gem_object_funcs wfd_gem_funcs = {
	.free = wfd_gem_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/*
 * No object larger than the largest framebuffer wfd scans out (8192 x
 * 8192, 4 bytes a pixel), dumb or imported, and none empty.  Also keeps
 * @gem_objects true: the shmem helper frees an object whose creation
 * fails after this hook with kfree(), not funcs->free.  A dumb buffer
 * 2^31 pixels wide at 8 bpp came here with size 0 (6.1's helper computes
 * width * bpp in 32 bits), failed later with -ENOSPC and left the count
 * one too high.
 */
#define WFD_MAX_OBJECT_SIZE	((size_t)WFD_MAX_SIZE * WFD_MAX_SIZE * 4)

static struct drm_gem_object *wfd_gem_create_object(struct drm_device *drm,
						    size_t size)
{
	struct drm_gem_shmem_object *shmem;

	if (!size)
		return ERR_PTR(-EINVAL);
	if (size > WFD_MAX_OBJECT_SIZE)
		return ERR_PTR(-E2BIG);
	shmem = kzalloc(sizeof(*shmem), GFP_KERNEL);
	if (!shmem)
		return ERR_PTR(-ENOMEM);
	shmem->base.funcs = &wfd_gem_funcs;
	atomic_inc(&to_wfd(drm)->gem_objects);
	return &shmem->base;
}

/**
 * wfd_get_info_ioctl - DRM_IOCTL_WFD_GET_INFO: describe the device
 * @drm: the wfd device
 * @data: &struct drm_wfd_get_info
 * @file: the caller
 *
 * Open to every client of the device: it reveals nothing a KMS client
 * cannot learn from the KMS objects themselves.
 *
 * Return: 0, or -EINVAL when an input field is not zero.
 */
static int wfd_get_info_ioctl(struct drm_device *drm, void *data,
			      struct drm_file *file)
{
	struct wfd_device *wfd = to_wfd(drm);
	struct drm_wfd_get_info *args = data;
	unsigned int i;

	if (args->flags || memchr_inv(args->outputs, 0, sizeof(args->outputs)) ||
	    memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;

	memset(args, 0, sizeof(*args));
	args->version = WFD_UAPI_VERSION;
	args->num_outputs = wfd->num_outputs;
	args->max_edid_size = WFD_MAX_EDID_SIZE;
	for (i = 0; i < wfd->num_outputs; i++) {
		struct wfd_output *output = &wfd->outputs[i];
		struct drm_wfd_output_info *info = &args->outputs[i];

		info->connector_id = output->connector.base.id;
		info->crtc_id = output->crtc.base.id;
		if (READ_ONCE(output->connector.status) ==
		    connector_status_connected)
			info->flags |= WFD_OUTPUT_CONNECTED;
		mutex_lock(&wfd->claim_lock);
		if (output->claim)
			info->flags |= WFD_OUTPUT_CLAIMED;
		info->session_id = output->session_id;
		mutex_unlock(&wfd->claim_lock);
	}
	return 0;
}

/*
 * CLAIM is the one privileged ioctl: the claim fd it returns carries the
 * privilege, and everything else of a session is done on that fd.
 */
static const struct drm_ioctl_desc wfd_ioctls[] = {
	DRM_IOCTL_DEF_DRV(WFD_GET_INFO, wfd_get_info_ioctl, 0),
	DRM_IOCTL_DEF_DRV(WFD_CLAIM, wfd_claim_ioctl, DRM_ROOT_ONLY),
};

DEFINE_DRM_GEM_FOPS(wfd_fops);

static const struct drm_driver wfd_driver = {
	.driver_features = DRIVER_MODESET | DRIVER_GEM | DRIVER_ATOMIC,
	.fops = &wfd_fops,
	.ioctls = wfd_ioctls,
	.num_ioctls = ARRAY_SIZE(wfd_ioctls),
	.gem_create_object = wfd_gem_create_object,
	DRM_GEM_SHMEM_DRIVER_OPS,
	WFD_FBDEV_DRIVER_OPS
	.debugfs_init = wfd_debugfs_init,
	.name = WFD_DRIVER_NAME,
	.desc = WFD_DRIVER_DESC,
	.date = WFD_DRIVER_DATE,
	.major = WFD_DRIVER_MAJOR,
	.minor = WFD_DRIVER_MINOR,
};

static void wfd_fb_destroy(struct drm_framebuffer *fb)
{
	wfd_frame_fb_gone(to_wfd(fb->dev), fb);
	/* Frees fb, which is the start of the struct wfd_framebuffer. */
	drm_gem_fb_destroy(fb);
}

static const struct drm_framebuffer_funcs wfd_fb_funcs = {
	.destroy = wfd_fb_destroy,
	.create_handle = drm_gem_fb_create_handle,
	.dirty = drm_atomic_helper_dirtyfb,
};

static struct drm_framebuffer *
wfd_fb_create(struct drm_device *drm, struct drm_file *file,
	      const struct drm_mode_fb_cmd2 *mode_cmd)
{
	struct wfd_framebuffer *wfb;
	int ret;

	/*
	 * 6.1's core accepts any known format here; refuse early what no
	 * plane can scan out, as later kernels do, so userspace learns it at
	 * ADDFB2 rather than at its first commit.
	 */
	if (!drm_any_plane_has_format(drm, mode_cmd->pixel_format,
				      mode_cmd->modifier[0])) {
		drm_dbg_kms(drm, "no plane takes format %p4cc modifier 0x%llx\n",
			    &mode_cmd->pixel_format, mode_cmd->modifier[0]);
		return ERR_PTR(-EINVAL);
	}

	static_assert(offsetof(struct wfd_framebuffer, base) == 0);
	wfb = kzalloc(sizeof(*wfb), GFP_KERNEL);
	if (!wfb)
		return ERR_PTR(-ENOMEM);
	ret = drm_gem_fb_init_with_funcs(drm, &wfb->base, file, mode_cmd,
					 &wfd_fb_funcs);
	if (ret) {
		kfree(wfb);
		return ERR_PTR(ret);
	}
	wfb->buffer_id = atomic64_inc_return(&to_wfd(drm)->next_buffer_id);
	return &wfb->base;
}

static const struct drm_mode_config_funcs wfd_mode_config_funcs = {
	.fb_create = wfd_fb_create,
	.atomic_check = drm_atomic_helper_check,
	.atomic_commit = drm_atomic_helper_commit,
};

/*
 * Wait for the flip of every CRTC of the commit, as vkms does, except for
 * the CRTCs whose completion waits for a session to release a buffer:
 * the commit never waits on user space, the next one on the CRTC waits in
 * drm_atomic_helper_wait_for_dependencies().  Waiting for flip_done
 * rather than for a vblank count avoids the 100 ms vblank timeout, which
 * a simulated vblank can miss on a busy host.
 */
static void wfd_wait_for_flips(struct drm_atomic_state *state)
{
	struct drm_crtc_state *new;
	struct drm_crtc *crtc;
	int i;

	for_each_new_crtc_in_state(state, crtc, new, i) {
		struct drm_crtc_commit *commit = state->crtcs[i].commit;

		if (!commit || wfd_frame_deferred(crtc_to_wfd_output(crtc)))
			continue;
		if (!wait_for_completion_timeout(&commit->flip_done, 10 * HZ))
			drm_err(state->dev, "[CRTC:%d:%s] flip_done timed out\n",
				crtc->base.id, crtc->name);
	}
}

/*
 * Unlike the default tail, CRTCs are enabled before the planes are
 * updated: the session learns the mode before the frames drawn for it.
 */
static void wfd_atomic_commit_tail(struct drm_atomic_state *state)
{
	struct drm_device *drm = state->dev;

	drm_atomic_helper_commit_modeset_disables(drm, state);
	drm_atomic_helper_commit_modeset_enables(drm, state);
	drm_atomic_helper_commit_planes(drm, state, 0);
	drm_atomic_helper_fake_vblank(state);
	drm_atomic_helper_commit_hw_done(state);
	wfd_wait_for_flips(state);
	drm_atomic_helper_cleanup_planes(drm, state);
}

static const struct drm_mode_config_helper_funcs wfd_mode_config_helpers = {
	.atomic_commit_tail = wfd_atomic_commit_tail,
};

static int wfd_modeset_init(struct wfd_device *wfd)
{
	struct drm_device *drm = &wfd->drm;
	unsigned int i;
	int ret;

	ret = drmm_mode_config_init(drm);
	if (ret)
		return ret;

	drm->mode_config.funcs = &wfd_mode_config_funcs;
	drm->mode_config.helper_private = &wfd_mode_config_helpers;
	drm->mode_config.min_width = WFD_MIN_SIZE;
	drm->mode_config.min_height = WFD_MIN_SIZE;
	drm->mode_config.max_width = WFD_MAX_SIZE;
	drm->mode_config.max_height = WFD_MAX_SIZE;
	drm->mode_config.preferred_depth = 24;

	for (i = 0; i < wfd->num_outputs; i++) {
		ret = wfd_output_init(wfd, i);
		if (ret)
			return ret;
	}

	drm_mode_config_reset(drm);
	return 0;
}

static void wfd_destroy_wq(struct drm_device *drm, void *wq)
{
	destroy_workqueue(wq);
}

static int wfd_device_init(struct wfd_device *wfd)
{
	struct drm_device *drm = &wfd->drm;
	int ret;

	wfd->num_outputs = outputs;
	ret = drmm_mutex_init(drm, &wfd->claim_lock);
	if (ret)
		return ret;

	wfd->crc_wq = alloc_ordered_workqueue("wfd_crc", 0);
	if (!wfd->crc_wq)
		return -ENOMEM;
	ret = drmm_add_action_or_reset(drm, wfd_destroy_wq, wfd->crc_wq);
	if (ret)
		return ret;

	ret = wfd_modeset_init(wfd);
	if (ret)
		return ret;

	ret = drm_vblank_init(drm, wfd->num_outputs);
	if (ret)
		return ret;

	drm_kms_helper_poll_init(drm);

	ret = drm_dev_register(drm, 0);
	if (ret) {
		drm_kms_helper_poll_fini(drm);
		return ret;
	}

	if (fbdev)
		wfd_compat_fbdev_setup(drm);
	return 0;
}

static int __init wfd_init(void)
{
	struct platform_device *pdev;
	struct wfd_device *wfd;
	int ret;

	if (outputs < 1 || outputs > WFD_MAX_OUTPUTS) {
		pr_err("wfd: outputs=%u is out of range 1..%d\n",
		       outputs, WFD_MAX_OUTPUTS);
		return -EINVAL;
	}
	wfd_frame_params();

	pdev = platform_device_register_simple(WFD_DRIVER_NAME, -1, NULL, 0);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);

	if (!devres_open_group(&pdev->dev, NULL, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto out_unregister;
	}

	wfd = devm_drm_dev_alloc(&pdev->dev, &wfd_driver, struct wfd_device,
				 drm);
	if (IS_ERR(wfd)) {
		ret = PTR_ERR(wfd);
		goto out_devres;
	}

	/* PRIME import maps foreign buffers for this device. */
	ret = dma_coerce_mask_and_coherent(wfd->drm.dev, DMA_BIT_MASK(64));
	if (ret)
		goto out_devres;

	ret = wfd_device_init(wfd);
	if (ret)
		goto out_devres;

	platform_set_drvdata(pdev, &wfd->drm);
	wfd_pdev = pdev;
	return 0;

out_devres:
	devres_release_group(&pdev->dev, NULL);
out_unregister:
	platform_device_unregister(pdev);
	return ret;
}

static void __exit wfd_exit(void)
{
	struct platform_device *pdev = wfd_pdev;
	struct drm_device *drm = platform_get_drvdata(pdev);

	drm_dev_unregister(drm);
	drm_kms_helper_poll_fini(drm);
	drm_atomic_helper_shutdown(drm);
	devres_release_group(&pdev->dev, NULL);
	platform_device_unregister(pdev);
}

module_init(wfd_init);
module_exit(wfd_exit);

MODULE_AUTHOR("wfd developers");
MODULE_DESCRIPTION(WFD_DRIVER_DESC);
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
