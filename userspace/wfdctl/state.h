/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wfdctl: the state of a wfd device, as gathered from the driver's ioctls,
 * KMS and debugfs, and the parsers that fill it.  Nothing here does I/O,
 * so that the parsers can be tested on text and bytes alone.
 */
#ifndef WFDCTL_STATE_H
#define WFDCTL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wfd_drm.h>

/* The driver keeps the last 16 endings of each output (wfd_state). */
#define WFDCTL_MAX_ENDINGS 16

struct wfdctl_ending {
	uint64_t session_id;
	int32_t status;		/* WFD_STATUS_*, or -1 for a graceful end */
	char status_name[32];
	int32_t diag;
	uint64_t duration_ms;
};

struct wfdctl_stats {
	uint64_t frames_encoded, frames_dropped, bytes_sent;
	uint32_t fps_milli, bitrate_kbps, encode_us, latency_us;
};

struct wfdctl_output {
	/* GET_INFO: always there. */
	uint32_t connector_id, crtc_id, flags;
	uint64_t session_id;	/* the live session, 0 when none */

	/* KMS: always there. */
	char connector[32];
	bool mode_valid;
	uint32_t width, height, refresh_mhz;
	char edid_name[14];	/* monitor name in the connector's EDID */

	/* debugfs (root only): valid when the device's have_debugfs is set. */
	char status[16];	/* the connector's status as the kernel logs it */
	bool have_session;	/* the debugfs lines of a session were there */
	bool claimed;		/* a daemon holds the output's claim fd */
	int32_t claim_pid;	/* the process that claimed it (0: unknown) */
	char claim_comm[17];	/* its name, filled in by the caller from /proc */
	char sink[64];
	uint64_t frames_committed, frames_superseded;
	bool frame_held;
	bool have_stats;
	struct wfdctl_stats stats;
	uint64_t frames_delivered, hold_timeouts;
	uint32_t sessions_ended;
	unsigned int num_endings;	/* the last ones, oldest first */
	struct wfdctl_ending endings[WFDCTL_MAX_ENDINGS];
};

struct wfdctl_device {
	char path[64];
	uint32_t uapi_version;
	uint32_t num_outputs;
	uint32_t max_edid_size;
	bool have_debugfs;
	int debugfs_errno;	/* why there is no debugfs state, when none */
	int32_t gem_objects, framebuffers;
	struct wfdctl_output outputs[WFD_MAX_OUTPUTS];
};

/*
 * Parse the text of debugfs wfd_state into @dev (which GET_INFO filled
 * first: lines about outputs beyond num_outputs are ignored, and so are
 * keys this version does not know, so that a newer driver can add some).
 * Returns 0, or -EINVAL when a known key has a malformed value, with the
 * offending line number in @bad_line.
 */
int wfdctl_parse_state(struct wfdctl_device *dev, const char *text,
		       unsigned int *bad_line);

/*
 * The monitor name of an EDID base block (descriptor tag 0xFC), without
 * its newline and padding, as printable ASCII.  Writes "" when there is
 * none or @edid is not an EDID.
 */
void wfdctl_edid_name(const uint8_t *edid, size_t size, char name[14]);

/* The refresh rate of a mode, in millihertz (0 for a degenerate mode). */
uint32_t wfdctl_refresh_mhz(uint32_t clock_khz, uint32_t htotal, uint32_t vtotal,
			    uint32_t flags);

#endif
