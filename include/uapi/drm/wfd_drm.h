/* SPDX-License-Identifier: MIT */
/*
 * wfd: virtual wireless display outputs
 *
 * User-space interface of the wfd DRM driver.  See Documentation/uapi.rst.
 *
 * All structures are fixed-size, 64-bit clean and padded explicitly.
 * Padding and reserved fields must be zero on input; the kernel rejects
 * non-zero padding and unknown flags with -EINVAL so that they can gain a
 * meaning later.
 */
#ifndef _UAPI_WFD_DRM_H_
#define _UAPI_WFD_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/* Version of this interface reported by DRM_IOCTL_WFD_GET_INFO. */
#define WFD_UAPI_VERSION	1

/* Most outputs one device can have (module parameter "outputs"). */
#define WFD_MAX_OUTPUTS		8

#define DRM_WFD_GET_INFO	0x00

/**
 * struct drm_wfd_output_info - one output of the device
 * @connector_id: KMS object id of the output's connector
 * @crtc_id: KMS object id of the output's CRTC
 * @flags: WFD_OUTPUT_* state bits
 * @pad: must be zero
 */
struct drm_wfd_output_info {
	__u32 connector_id;
	__u32 crtc_id;
	__u32 flags;
	__u32 pad;
};

/* The connector reports "connected" (a session connected it, or forced). */
#define WFD_OUTPUT_CONNECTED	(1u << 0)

/**
 * struct drm_wfd_get_info - DRM_IOCTL_WFD_GET_INFO
 * @version: out, WFD_UAPI_VERSION of the running driver
 * @num_outputs: out, number of outputs; they are numbered 1..num_outputs
 * @caps: out, WFD_CAP_* bits
 * @flags: in, must be zero
 * @pad: in, must be zero
 * @outputs: out, one entry per output, index 0 is output 1
 * @reserved: must be zero
 */
struct drm_wfd_get_info {
	__u32 version;
	__u32 num_outputs;
	__u64 caps;
	__u32 flags;
	__u32 pad;
	struct drm_wfd_output_info outputs[WFD_MAX_OUTPUTS];
	__u64 reserved[4];
};

#define DRM_IOCTL_WFD_GET_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_WFD_GET_INFO, struct drm_wfd_get_info)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_WFD_DRM_H_ */
