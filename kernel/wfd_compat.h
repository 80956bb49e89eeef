/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel API differences between the supported kernels (Debian 6.1 and
 * 6.12), bridged in one place.  Every branch here is keyed on a feature
 * probe from conftest.sh, never on the kernel version: the 6.12 stable
 * series changed fbdev and client APIs within one version number.
 */
#ifndef WFD_COMPAT_H
#define WFD_COMPAT_H

#include <drm/drm_connector.h>
#include <drm/drm_edid.h>
#include <drm/drm_fb_helper.h>

#include "wfd_conftest.h"

#if defined(WFD_HAVE_DRM_FBDEV_SHMEM_SETUP)
#include <drm/drm_fbdev_shmem.h>
#define WFD_FBDEV_DRIVER_OPS
static inline void wfd_compat_fbdev_setup(struct drm_device *drm)
{
	drm_fbdev_shmem_setup(drm, 32);
}
#elif defined(WFD_HAVE_DRM_FBDEV_GENERIC_SETUP)
#define WFD_FBDEV_DRIVER_OPS
static inline void wfd_compat_fbdev_setup(struct drm_device *drm)
{
	drm_fbdev_generic_setup(drm, 32);
}
#elif defined(WFD_HAVE_DRM_CLIENT_SETUP_SHMEM)
#include <drm/drm_client_setup.h>
#include <drm/drm_fbdev_shmem.h>
#define WFD_FBDEV_DRIVER_OPS DRM_FBDEV_SHMEM_DRIVER_OPS
static inline void wfd_compat_fbdev_setup(struct drm_device *drm)
{
	drm_client_setup(drm, NULL);
}
#else
#error "no fbdev emulation helper found; extend conftest.sh"
#endif

/**
 * wfd_compat_edid_update - set a connector's EDID property and add its modes
 * @connector: the connector, from &drm_connector_helper_funcs.get_modes
 * @drm_edid: the EDID, or NULL to clear it
 *
 * Return: the number of modes added.
 */
static inline int wfd_compat_edid_update(struct drm_connector *connector,
					 const struct drm_edid *drm_edid)
{
#if defined(WFD_HAVE_DRM_EDID_CONNECTOR_ADD_MODES)
	drm_edid_connector_update(connector, drm_edid);
	return drm_edid_connector_add_modes(connector);
#else
	/* Here the update adds the probed modes and returns their count. */
	return drm_edid_connector_update(connector, drm_edid);
#endif
}

#endif /* WFD_COMPAT_H */
