/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwfd: client library for wfd sessions (UAPI version 2).
 *
 * A session daemon opens the wfd card, claims an output once, and may
 * then close the card: the claim fd it got is all it needs.  CLAIM is the
 * only call that needs CAP_SYS_ADMIN, so the daemon can drop every
 * capability right after it.  On the claim fd it serves sinks one after
 * another: CONNECT with a sink's EDID starts a session, frames are
 * acquired and released as FRAME_READY events arrive, and DISCONNECT or
 * REPORT_STATUS ends the session while the claim stays.  Closing the last
 * reference of the claim fd frees the output (ending a live session as
 * WFD_STATUS_COMPANION_DISCONNECT).  See Documentation/uapi.rst.
 *
 * Every function returns 0 (or a count or an fd, where it says so) or a
 * negative errno.
 */
#ifndef LIBWFD_H
#define LIBWFD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wfd_drm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A mode for EDID synthesis. */
struct wfd_mode {
	uint32_t width, height, refresh_hz;
};

/*
 * Open the wfd card: @path, or when NULL the first DRM device whose
 * driver is "wfd" (card numbers change from boot to boot).  Drops DRM
 * master at once, so that the daemon never holds it (CLAIM would fail
 * with -EBUSY).  Returns the card fd (close-on-exec), or -ENODEV when
 * there is no wfd card (or @path is not one), or another negative errno.
 */
int wfd_open(const char *path);

/*
 * DRM_IOCTL_WFD_GET_INFO on the card: any client may call it.  Callers
 * should check that @info->version is WFD_UAPI_VERSION: an older driver
 * lays the output entries out differently.
 */
int wfd_get_info(int card_fd, struct drm_wfd_get_info *info);

/*
 * Claim @output (1-based, 0 for the first free one) of the card
 * @card_fd.  Needs CAP_SYS_ADMIN (-EACCES otherwise); -EBUSY when the
 * output is claimed already, none is free, or the caller is DRM master.
 * On success returns the claim fd (close-on-exec) and stores the output
 * claimed in @claimed_output when not NULL.  @card_fd may be
 * closed afterwards; the claim lasts until the last reference of the
 * claim fd is closed (dup(), fork() and SCM_RIGHTS share it).
 */
int wfd_claim(int card_fd, uint32_t output, uint32_t *claimed_output);

/*
 * Start a session: plug the claimed output in with the sink's @edid
 * (@size bytes: 128 times (1 + its extension count)) and the limits of
 * the pipeline (@max_width, @max_height, @max_pixel_rate in pixels per
 * second; 0 for none).  Stores the new session's id (never 0, never
 * reused) in @session_id.  -EINVAL for an EDID the kernel refuses or one
 * without a usable mode (nothing changes then); -EBUSY while a session is
 * live on the claim.
 */
int wfd_connect(int claim_fd, const void *edid, size_t size, uint32_t max_width,
		uint32_t max_height, uint64_t max_pixel_rate, uint64_t *session_id);

/*
 * Build an EDID (base block plus one CTA extension when a mode needs a
 * VIC) listing @modes, the first preferred, with monitor name @name.
 * Writes at most @size bytes to @edid.  Returns the EDID's size, or a
 * negative errno (-EINVAL for no or unsupported modes, -ENOSPC).
 */
int wfd_edid_synthesize(const struct wfd_mode *modes, size_t n,
			const char *name, uint8_t *edid, size_t size);

/*
 * Build an EDID that carries exactly @modes (at most 240 Hz, 4095x4095;
 * the first is the sink's native one and becomes the preferred mode),
 * however many: CTA-861 modes (progressive VICs; 640x480@60, 720x480@60,
 * 720x576@50 and the 720p/1080p rates) as short video descriptors in a
 * CTA-861 extension, the native one first and marked native, every other
 * mode as a detailed timing, in the base block and then in as many CTA-861
 * extensions as they need.  The native mode is also the first detailed
 * timing (with its CTA-861 timing when it has one), which makes it the
 * preferred mode.  Monitor name @name.  Writes at most @size bytes to
 * @edid; returns the EDID's size, or -EINVAL (no or unsupported modes) or
 * -ENOSPC.  (wfd_edid_synthesize() lists up to 9 modes as detailed
 * timings only.)
 */
int wfd_edid_describe(const struct wfd_mode *modes, size_t n,
		      const char *name, uint8_t *edid, size_t size);

/* A mode as the kernel reads it out of an EDID. */
struct wfd_edid_mode {
	uint32_t width, height;
	uint32_t refresh_hz;	/* rounded, as the kernel rounds */
	uint32_t flags;		/* WFD_EDID_MODE_* */
};

#define WFD_EDID_MODE_INTERLACED	(1u << 0)
#define WFD_EDID_MODE_DETAILED		(1u << 1)	/* a detailed timing */
#define WFD_EDID_MODE_CTA		(1u << 2)	/* a CTA-861 VIC */

/*
 * The modes the kernel's EDID parser (Linux 6.1 to 6.12) finds in @edid
 * (@size bytes, 128 per block): detailed timings of the base block and of
 * CTA-861 extensions, standard timings, established timings I to III,
 * CVT 3-byte codes, CTA-861 short video descriptors (also 4:2:0 only),
 * and the VICs of the HDMI vendor block.  Modes the kernel infers from a
 * range descriptor and those of DisplayID and VTB extensions are not
 * listed (wfd_edid_filter() removes what they would add).  Fills at most
 * @n of @modes and returns how many there are in all, or -EINVAL for what
 * is not an EDID.  Duplicates are listed as often as the EDID lists them.
 */
int wfd_edid_modes(const uint8_t *edid, size_t size, struct wfd_edid_mode *modes,
		   size_t n);

/*
 * Remove from @edid, in place, every mode for which @keep returns false:
 * detailed timings become dummy descriptors, standard timings unused,
 * established timing and CVT rate bits are cleared, short video
 * descriptors are taken out of their data block (and the 4:2:0 map with
 * them), the HDMI vendor block's VICs and 3D modes are switched off; the
 * modes the kernel would infer from range limits (the continuous
 * frequency feature bit), and DisplayID and VTB extensions, which this
 * does not read, go as well.  Everything else of the EDID (name, serial,
 * size, colour, audio) is kept, and the checksums are made right.
 * Returns the new size (smaller when extensions were removed), or
 * -EINVAL for what is not an EDID.
 */
int wfd_edid_filter(uint8_t *edid, size_t size,
		    bool (*keep)(const struct wfd_edid_mode *mode, void *opaque),
		    void *opaque);

/*
 * The calls below name the live session: for a session that has ended
 * (or never was) they fail with -ENOENT, so that a stale call cannot act
 * on the next sink's session.
 */

/*
 * Acquire the latest frame and hold its buffer until wfd_frame_release().
 * Returns 0, -EAGAIN when no frame is new since the last acquire (never
 * retried here), or -EBUSY when a frame is held already.  When
 * @frame->flags has WFD_FRAME_NEW_BUFFER, @frame->dmabuf_fd is a new
 * dma-buf fd (close-on-exec) of the buffer, which the caller owns: it is
 * handed out once per buffer and session, so cache it by
 * @frame->buffer_id, close it on DRM_WFD_EVENT_BUFFER_GONE for that id,
 * and close every cached one when the session ends.  Otherwise, and on
 * any error, @frame->dmabuf_fd is -1.
 */
int wfd_frame_acquire(int claim_fd, uint64_t session_id,
		      struct drm_wfd_frame_acquire *frame);

/*
 * Release the held frame @sequence.  -ETIMEDOUT means it was released
 * but its hold had expired first (the hold_timeout_ms module parameter):
 * the compositor may have drawn into the buffer meanwhile.  That is no
 * reason to end the session.
 */
int wfd_frame_release(int claim_fd, uint64_t session_id, uint64_t sequence);

/*
 * Report the statistics of the last interval.  @stats's session_id is
 * ignored (@session_id is used); its flags, pad and reserved must be zero.
 */
int wfd_report_stats(int claim_fd, uint64_t session_id,
		     const struct drm_wfd_report_stats *stats);

/*
 * End the session with a WFD_STATUS_* and a diagnostic code (a negative
 * errno or a protocol code): the output is unplugged, the claim stays.
 */
int wfd_report_status(int claim_fd, uint64_t session_id, uint32_t status,
		      int32_t diag);

/* End the session gracefully: the output is unplugged, the claim stays. */
int wfd_disconnect(int claim_fd, uint64_t session_id);

/*
 * Read the events pending on the claim fd and call @cb for each, in the
 * kernel's order (MODE_SET, DPMS, BUFFER_GONE..., FRAME_READY within one
 * read).  Never blocks: puts @claim_fd in O_NONBLOCK mode (for good: the
 * mode belongs to the open file, which dup() and fork() share) and reads
 * what is there.  Events come only while a session is connected; poll()
 * the claim fd for POLLIN to wait for them.  Returns the number of events
 * read, 0 when none was pending, or a negative errno (-EPROTO for a
 * malformed record).  Call it again while it returns more than 0: one
 * call reads at most 4 KiB of events.
 */
int wfd_read_events(int claim_fd,
		    void (*cb)(const struct drm_event *ev, void *data),
		    void *data);

#ifdef __cplusplus
}
#endif

#endif
