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
#define DRM_WFD_CLAIM		0x01
#define DRM_WFD_CONNECT		0x02
#define DRM_WFD_FRAME_ACQUIRE	0x03
#define DRM_WFD_FRAME_RELEASE	0x04
#define DRM_WFD_REPORT_STATUS	0x05
#define DRM_WFD_REPORT_STATS	0x06
#define DRM_WFD_DISCONNECT	0x07

/**
 * struct drm_wfd_output_info - one output of the device
 * @connector_id: KMS object id of the output's connector
 * @crtc_id: KMS object id of the output's CRTC
 * @flags: WFD_OUTPUT_* state bits
 * @session_id: the session that owns the output, 0 when none
 */
struct drm_wfd_output_info {
	__u32 connector_id;
	__u32 crtc_id;
	__u32 flags;
	__u32 session_id;
};

/* The connector reports "connected" (a session connected it, or forced). */
#define WFD_OUTPUT_CONNECTED	(1u << 0)
/* A session has claimed the output. */
#define WFD_OUTPUT_CLAIMED	(1u << 1)

/**
 * struct drm_wfd_get_info - DRM_IOCTL_WFD_GET_INFO
 * @version: out, WFD_UAPI_VERSION of the running driver
 * @num_outputs: out, number of outputs; they are numbered 1..num_outputs
 * @caps: out, WFD_CAP_* bits (none defined yet)
 * @flags: in, must be zero
 * @max_edid_size: out, largest EDID CONNECT takes, in bytes
 * @outputs: out, one entry per output, index 0 is output 1
 * @reserved: must be zero
 */
struct drm_wfd_get_info {
	__u32 version;
	__u32 num_outputs;
	__u64 caps;
	__u32 flags;
	__u32 max_edid_size;
	struct drm_wfd_output_info outputs[WFD_MAX_OUTPUTS];
	__u64 reserved[4];
};

/**
 * struct drm_wfd_claim - DRM_IOCTL_WFD_CLAIM: start a session on an output
 * @output: in, 1-based output number, or 0 for any free output;
 *          out, the output claimed
 * @flags: in, must be zero
 * @session_id: out, the new session's id (never 0, never reused)
 * @pad: must be zero
 * @reserved: must be zero
 *
 * Needs CAP_SYS_ADMIN; fails with -EBUSY while the caller is DRM master.
 */
struct drm_wfd_claim {
	__u32 output;
	__u32 flags;
	__u32 session_id;
	__u32 pad;
	__u64 reserved[2];
};

/**
 * struct drm_wfd_connect - DRM_IOCTL_WFD_CONNECT: plug the sink in
 * @session_id: in, a session of the caller's that is not connected yet
 * @flags: in, must be zero
 * @edid_ptr: in, user pointer to the sink's EDID
 * @edid_size: in, its size: 128 times (1 + its extension count)
 * @max_width: in, widest mode the pipeline carries, 0 for no limit
 * @max_height: in, tallest mode the pipeline carries, 0 for no limit
 * @pad: must be zero
 * @max_pixel_rate: in, most pixels per second, 0 for no limit
 * @reserved: must be zero
 */
struct drm_wfd_connect {
	__u32 session_id;
	__u32 flags;
	__u64 edid_ptr;
	__u32 edid_size;
	__u32 max_width;
	__u32 max_height;
	__u32 pad;
	__u64 max_pixel_rate;
	__u64 reserved[2];
};

/**
 * struct drm_wfd_rect - a rectangle, x2/y2 exclusive
 * @x1: left
 * @y1: top
 * @x2: right
 * @y2: bottom
 */
struct drm_wfd_rect {
	__s32 x1, y1, x2, y2;
};

/**
 * struct drm_wfd_frame_acquire - DRM_IOCTL_WFD_FRAME_ACQUIRE
 * @session_id: in
 * @flags: in, must be zero; out, WFD_FRAME_* bits
 * @sequence: out, the frame's sequence number (1, 2, ...)
 * @timestamp_ns: out, CLOCK_MONOTONIC time the frame was committed
 * @buffer_id: out, stable id of the buffer; never reused for another one
 * @gem_handle: out, when WFD_FRAME_NEW_BUFFER: a GEM handle of the buffer
 *              in the caller's file (the caller owns it: GEM_CLOSE it on
 *              BUFFER_GONE); 0 otherwise
 * @fourcc: out, DRM_FORMAT_*
 * @width: out
 * @height: out
 * @num_planes: out, planes of @fourcc
 * @modifier: out, DRM_FORMAT_MOD_*
 * @offsets: out, per plane
 * @pitches: out, per plane
 * @damage: out, bounding box of what changed since the last acquired frame
 * @superseded: out, frames committed since the last acquire and never acquired
 * @pad: zero
 * @reserved: must be zero
 *
 * Returns the latest committed frame (-EAGAIN when no frame is new since
 * the last acquire) and holds its buffer until FRAME_RELEASE: the commit
 * that would retire the buffer waits (up to the hold_timeout_ms module
 * parameter).  One frame can be held at a time (-EBUSY otherwise).
 */
struct drm_wfd_frame_acquire {
	__u32 session_id;
	__u32 flags;
	__u64 sequence;
	__u64 timestamp_ns;
	__u64 buffer_id;
	__u32 gem_handle;
	__u32 fourcc;
	__u32 width;
	__u32 height;
	__u32 num_planes;
	__u32 pad;
	__u64 modifier;
	__u32 offsets[4];
	__u32 pitches[4];
	struct drm_wfd_rect damage;
	__u64 superseded;
	__u64 reserved[2];
};

/* @gem_handle is a new handle of a buffer the caller has not seen before. */
#define WFD_FRAME_NEW_BUFFER	(1u << 0)

/**
 * struct drm_wfd_frame_release - DRM_IOCTL_WFD_FRAME_RELEASE
 * @session_id: in
 * @flags: in, must be zero
 * @sequence: in, the held frame's sequence number
 * @reserved: must be zero
 */
struct drm_wfd_frame_release {
	__u32 session_id;
	__u32 flags;
	__u64 sequence;
	__u64 reserved[2];
};

/*
 * Session status, mirroring the Miracast MIRACAST_STATUS values.  Every
 * one of them ends the session and unplugs the output.
 */
#define WFD_STATUS_CRITICAL_ERROR		0
#define WFD_STATUS_MISSING_KEEPALIVE		1
#define WFD_STATUS_SINK_DISCONNECT_REQUEST	2
#define WFD_STATUS_INSUFFICIENT_BANDWIDTH	3
#define WFD_STATUS_SINK_FAILED_MODE_CHANGE	4
#define WFD_STATUS_COMPANION_DISCONNECT		5
#define WFD_STATUS_MAX				5

/**
 * struct drm_wfd_report_status - DRM_IOCTL_WFD_REPORT_STATUS
 * @session_id: in
 * @status: in, WFD_STATUS_*
 * @diag: in, diagnostic code (negative errno or protocol code), logged
 * @flags: in, must be zero
 * @reserved: must be zero
 */
struct drm_wfd_report_status {
	__u32 session_id;
	__u32 status;
	__s32 diag;
	__u32 flags;
	__u64 reserved[2];
};

/**
 * struct drm_wfd_report_stats - DRM_IOCTL_WFD_REPORT_STATS
 * @session_id: in
 * @flags: in, must be zero
 * @frames_encoded: in, total frames encoded
 * @frames_dropped: in, total frames not encoded
 * @bytes_sent: in, total bytes sent to the sink
 * @fps_milli: in, frames per second over the last interval, times 1000
 * @bitrate_kbps: in, bit rate over the last interval
 * @encode_us: in, mean encode time per frame
 * @latency_us: in, mean commit-to-send latency
 * @reserved: must be zero
 */
struct drm_wfd_report_stats {
	__u32 session_id;
	__u32 flags;
	__u64 frames_encoded;
	__u64 frames_dropped;
	__u64 bytes_sent;
	__u32 fps_milli;
	__u32 bitrate_kbps;
	__u32 encode_us;
	__u32 latency_us;
	__u64 reserved[2];
};

/**
 * struct drm_wfd_disconnect - DRM_IOCTL_WFD_DISCONNECT: graceful end
 * @session_id: in
 * @flags: in, must be zero
 * @reserved: must be zero
 */
struct drm_wfd_disconnect {
	__u32 session_id;
	__u32 flags;
	__u64 reserved[2];
};

#define DRM_IOCTL_WFD_GET_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_WFD_GET_INFO, struct drm_wfd_get_info)
#define DRM_IOCTL_WFD_CLAIM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_WFD_CLAIM, struct drm_wfd_claim)
#define DRM_IOCTL_WFD_CONNECT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_WFD_CONNECT, struct drm_wfd_connect)
#define DRM_IOCTL_WFD_FRAME_ACQUIRE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_WFD_FRAME_ACQUIRE, struct drm_wfd_frame_acquire)
#define DRM_IOCTL_WFD_FRAME_RELEASE \
	DRM_IOW(DRM_COMMAND_BASE + DRM_WFD_FRAME_RELEASE, struct drm_wfd_frame_release)
#define DRM_IOCTL_WFD_REPORT_STATUS \
	DRM_IOW(DRM_COMMAND_BASE + DRM_WFD_REPORT_STATUS, struct drm_wfd_report_status)
#define DRM_IOCTL_WFD_REPORT_STATS \
	DRM_IOW(DRM_COMMAND_BASE + DRM_WFD_REPORT_STATS, struct drm_wfd_report_stats)
#define DRM_IOCTL_WFD_DISCONNECT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_WFD_DISCONNECT, struct drm_wfd_disconnect)

/*
 * Events, read from the session owner's file like other DRM events.  Each
 * starts with struct drm_event.
 */
#define DRM_WFD_EVENT_FRAME_READY	0x80000000
#define DRM_WFD_EVENT_MODE_SET		0x80000001
#define DRM_WFD_EVENT_DPMS		0x80000002
#define DRM_WFD_EVENT_BUFFER_GONE	0x80000003

/**
 * struct drm_wfd_event_frame - a new frame was committed
 * @base: type DRM_WFD_EVENT_FRAME_READY
 * @session_id: the session
 * @output: 1-based output number
 * @sequence: the frame's sequence number
 * @timestamp_ns: CLOCK_MONOTONIC commit time
 * @damage: bounding box of this frame's damage
 */
struct drm_wfd_event_frame {
	struct drm_event base;
	__u32 session_id;
	__u32 output;
	__u64 sequence;
	__u64 timestamp_ns;
	struct drm_wfd_rect damage;
};

/**
 * struct drm_wfd_event_mode - the compositor set a mode or turned off
 * @base: type DRM_WFD_EVENT_MODE_SET
 * @session_id: the session
 * @output: 1-based output number
 * @width: active width, 0 when the output was disabled
 * @height: active height, 0 when disabled
 * @refresh_mhz: refresh rate in millihertz, 0 when disabled
 * @clock_khz: pixel clock, 0 when disabled
 *
 * A mode means the output is lit with it.  At CONNECT, the current mode of
 * an output the compositor keeps enabled is sent, followed by a DPMS off
 * event when it is off; turning it off and on again without changing the
 * mode sends &struct drm_wfd_event_dpms only.
 */
struct drm_wfd_event_mode {
	struct drm_event base;
	__u32 session_id;
	__u32 output;
	__u32 width;
	__u32 height;
	__u32 refresh_mhz;
	__u32 clock_khz;
};

#define WFD_DPMS_ON	0
#define WFD_DPMS_OFF	1

/**
 * struct drm_wfd_event_dpms - the compositor turned the output on or off
 *                             without changing its mode (DPMS / standby)
 * @base: type DRM_WFD_EVENT_DPMS
 * @session_id: the session
 * @output: 1-based output number
 * @state: WFD_DPMS_ON or WFD_DPMS_OFF
 * @pad: zero
 */
struct drm_wfd_event_dpms {
	struct drm_event base;
	__u32 session_id;
	__u32 output;
	__u32 state;
	__u32 pad;
};

/**
 * struct drm_wfd_event_buffer_gone - a buffer seen by the session is gone
 * @base: type DRM_WFD_EVENT_BUFFER_GONE
 * @session_id: the session
 * @output: 1-based output number
 * @buffer_id: the buffer; drop its cached handle, fd and imports
 */
struct drm_wfd_event_buffer_gone {
	struct drm_event base;
	__u32 session_id;
	__u32 output;
	__u64 buffer_id;
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_WFD_DRM_H_ */
