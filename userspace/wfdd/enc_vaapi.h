/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VA-API device search and opening, exposed for the unit tests.
 */
#ifndef WFDD_ENC_VAAPI_H
#define WFDD_ENC_VAAPI_H

#include <stddef.h>

/*
 * Open the first render node ("renderD*", in name order) under @dir whose
 * VA driver encodes H.264 and converts RGB with VPP, passing over wfd's
 * and vgem's nodes without opening a VA display on them.  On success *dev
 * is for encoder_vaapi; @why says which device and what it offers, or,
 * on -ENODEV, why each node was passed over.
 */
int vaapi_device_find(void **dev, const char *dir, char *why, size_t len);

/*
 * Use the DRM node @fd (taken over; @name for the log) whatever its
 * driver.  For tests that have libva load a driver of their own
 * (LIBVA_DRIVER_NAME) on a node with none, such as vgem's.
 */
int vaapi_device_open_fd(void **dev, int fd, const char *name, char *why, size_t len);

#endif
