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
#define WFD_UAPI_VERSION	2

/* Most outputs one device can have (module parameter "outputs"). */
#define WFD_MAX_OUTPUTS		8

/*
 * Ioctls of the card (primary node).  Numbers 0x02 to 0x07 were the
 * per-session ioctls of version 1 on the card fd; they are retired (their
 * work is done on the claim fd now) and fail with -EINVAL.
 */
#define DRM_WFD_GET_INFO	0x00
#define DRM_WFD_CLAIM		0x08

/**
 * struct drm_wfd_output_info - one output of the device
 * @connector_id: KMS object id of the output's connector
 * @crtc_id: KMS object id of the output's CRTC
 * @flags: WFD_OUTPUT_* state bits
 * @pad: zero
 * @session_id: the live session on the output, 0 when none
 */
struct drm_wfd_output_info {
	__u32 connector_id;
	__u32 crtc_id;
	__u32 flags;
	__u32 pad;
	__u64 session_id;
};

/* The connector reports "connected" (a session connected it, or forced). */
#define WFD_OUTPUT_CONNECTED	(1u << 0)
/* A daemon holds a claim fd of the output. */
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
 * struct drm_wfd_claim - DRM_IOCTL_WFD_CLAIM: claim an output
 * @output: in, 1-based output number, or 0 for any free output;
 *          out, the output claimed
 * @flags: in, must be zero
 * @fd: out, the claim fd (close-on-exec)
 * @pad: must be zero
 * @reserved: must be zero
 *
 * Needs CAP_SYS_ADMIN, checked here and only here: the claim fd carries
 * the privilege.  Fails with -EBUSY while the caller is DRM master.  The
 * claim lasts until the last reference of the claim fd is closed.
 */
struct drm_wfd_claim {
	__u32 output;
	__u32 flags;
	__s32 fd;
	__u32 pad;
	__u64 reserved[2];
};

/*
 * Ioctls of the claim fd.  Every struct starts with the session id where
 * one is needed: a call naming a session that has ended fails with
 * -ENOENT, so that a stale call can never act on the next sink's session.
 */
#define WFD_IOCTL_BASE		'W'

/**
 * struct drm_wfd_connect - WFD_IOCTL_CONNECT: plug a sink in
 * @session_id: out, the new session's id (never 0, never reused)
 * @flags: in, must be zero
 * @edid_size: in, size of the sink's EDID: 128 times (1 + its extension count)
 * @edid_ptr: in, user pointer to the EDID
 * @max_width: in, widest mode the pipeline carries, 0 for no limit
 * @max_height: in, tallest mode the pipeline carries, 0 for no limit
 * @max_pixel_rate: in, most pixels per second, 0 for no limit
 * @reserved: must be zero
 */
struct drm_wfd_connect {
	__u64 session_id;
	__u32 flags;
	__u32 edid_size;
	__u64 edid_ptr;
	__u32 max_width;
	__u32 max_height;
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
 * struct drm_wfd_frame_acquire - WFD_IOCTL_FRAME_ACQUIRE
 * @session_id: in
 * @flags: in, must be zero; out, WFD_FRAME_* bits
 * @dmabuf_fd: out, when WFD_FRAME_NEW_BUFFER: a dma-buf fd (close-on-exec)
 *             of the buffer, which the caller owns; -1 otherwise
 * @sequence: out, the frame's sequence number (1, 2, ... per session)
 * @timestamp_ns: out, CLOCK_MONOTONIC time the frame was committed
 * @buffer_id: out, stable id of the buffer; never reused for another one
 * @fourcc: out, DRM_FORMAT_*
 * @width: out
 * @height: out
 * @num_planes: out, planes of @fourcc
 * @modifier: out, DRM_FORMAT_MOD_*
 * @offsets: out, per plane
 * @pitches: out, per plane
 * @damage: out, bounding box of what changed since the last acquired frame
 * @superseded: out, frames committed since the last acquire and never acquired
 * @reserved: must be zero
 *
 * Returns the latest committed frame (-EAGAIN when no frame is new since
 * the last acquire) and holds its buffer until FRAME_RELEASE: the commit
 * that retires the buffer completes (flip event, out-fence) only after the
 * release, or after the hold_timeout_ms module parameter.  One frame can
 * be held at a time (-EBUSY otherwise).  A dma-buf fd is handed out once
 * per buffer and session; BUFFER_GONE says when to close it.
 */
struct drm_wfd_frame_acquire {
	__u64 session_id;
	__u32 flags;
	__s32 dmabuf_fd;
	__u64 sequence;
	__u64 timestamp_ns;
	__u64 buffer_id;
	__u32 fourcc;
	__u32 width;
	__u32 height;
	__u32 num_planes;
	__u64 modifier;
	__u32 offsets[4];
	__u32 pitches[4];
	struct drm_wfd_rect damage;
	__u64 superseded;
	__u64 reserved[2];
};

/* @dmabuf_fd is a new fd of a buffer the session has not seen before. */
#define WFD_FRAME_NEW_BUFFER	(1u << 0)

/**
 * struct drm_wfd_frame_release - WFD_IOCTL_FRAME_RELEASE
 * @session_id: in
 * @flags: in, must be zero
 * @pad: must be zero
 * @sequence: in, the held frame's sequence number
 * @reserved: must be zero
 *
 * Fails with -ETIMEDOUT, after releasing the frame, when its hold had
 * expired: the compositor may have drawn into the buffer meanwhile.
 */
struct drm_wfd_frame_release {
	__u64 session_id;
	__u32 flags;
	__u32 pad;
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
 * struct drm_wfd_report_status - WFD_IOCTL_REPORT_STATUS: end with a status
 * @session_id: in
 * @status: in, WFD_STATUS_*
 * @diag: in, diagnostic code (negative errno or protocol code), logged
 * @flags: in, must be zero
 * @pad: must be zero
 * @reserved: must be zero
 */
struct drm_wfd_report_status {
	__u64 session_id;
	__u32 status;
	__s32 diag;
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
};

/**
 * struct drm_wfd_report_stats - WFD_IOCTL_REPORT_STATS
 * @session_id: in
 * @flags: in, must be zero
 * @pad: must be zero
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
	__u64 session_id;
	__u32 flags;
	__u32 pad;
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
 * struct drm_wfd_disconnect - WFD_IOCTL_DISCONNECT: end gracefully
 * @session_id: in
 * @flags: in, must be zero
 * @pad: must be zero
 * @reserved: must be zero
 */
struct drm_wfd_disconnect {
	__u64 session_id;
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
};

#define DRM_IOCTL_WFD_GET_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_WFD_GET_INFO, struct drm_wfd_get_info)
#define DRM_IOCTL_WFD_CLAIM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_WFD_CLAIM, struct drm_wfd_claim)

#define WFD_IOCTL_CONNECT \
	_IOWR(WFD_IOCTL_BASE, 0x80, struct drm_wfd_connect)
#define WFD_IOCTL_FRAME_ACQUIRE \
	_IOWR(WFD_IOCTL_BASE, 0x81, struct drm_wfd_frame_acquire)
#define WFD_IOCTL_FRAME_RELEASE \
	_IOW(WFD_IOCTL_BASE, 0x82, struct drm_wfd_frame_release)
#define WFD_IOCTL_REPORT_STATUS \
	_IOW(WFD_IOCTL_BASE, 0x83, struct drm_wfd_report_status)
#define WFD_IOCTL_REPORT_STATS \
	_IOW(WFD_IOCTL_BASE, 0x84, struct drm_wfd_report_stats)
#define WFD_IOCTL_DISCONNECT \
	_IOW(WFD_IOCTL_BASE, 0x85, struct drm_wfd_disconnect)

/*
 * Events, read() from the claim fd while a session is connected: whole
 * records, each starting with struct drm_event, as on a DRM fd.  The
 * queue is state, not a list, so nothing is ever dropped: MODE_SET and
 * DPMS say how the output differs from what was last read (intermediate
 * states between two reads are not replayed), FRAME_READY names the
 * latest frame, and one BUFFER_GONE is kept per buffer until it is read.
 * poll() reports POLLIN while any is pending.
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
 * @pad: zero
 * @sequence: the latest frame's sequence number
 * @timestamp_ns: CLOCK_MONOTONIC commit time
 * @damage: bounding box of the damage since the last acquired frame
 */
struct drm_wfd_event_frame {
	struct drm_event base;
	__u64 session_id;
	__u32 output;
	__u32 pad;
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
 * @pad: zero
 *
 * A mode means the output is lit with it, unless a DPMS off event
 * follows.  At CONNECT, the mode of an output the compositor keeps
 * enabled is pending at once.
 */
struct drm_wfd_event_mode {
	struct drm_event base;
	__u64 session_id;
	__u32 output;
	__u32 width;
	__u32 height;
	__u32 refresh_mhz;
	__u32 clock_khz;
	__u32 pad;
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
 */
struct drm_wfd_event_dpms {
	struct drm_event base;
	__u64 session_id;
	__u32 output;
	__u32 state;
};

/**
 * struct drm_wfd_event_buffer_gone - a buffer the session has an fd of is gone
 * @base: type DRM_WFD_EVENT_BUFFER_GONE
 * @session_id: the session
 * @output: 1-based output number
 * @pad: zero
 * @buffer_id: the buffer; close its dma-buf fd and drop its imports
 */
struct drm_wfd_event_buffer_gone {
	struct drm_event base;
	__u64 session_id;
	__u32 output;
	__u32 pad;
	__u64 buffer_id;
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_WFD_DRM_H_ */
