/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Wi-Fi Display R1 parameters (the text/parameters bodies of M3, M4 and
 * M5): typed structs, a parser that masks what does not exist and a
 * writer, the resolution tables and the choice of the M4 format.
 * Pure functions: no I/O, no allocation, no logging (problems are
 * reported in struct wfd_params for the caller to log).
 */
#ifndef WFDD_WFDPARAMS_H
#define WFDD_WFDPARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libwfd.h"

#define WFD_MAX_VIDEO_CODECS	8
#define WFD_MAX_AUDIO_CODECS	4
#define WFD_MAX_EDID_BLOCKS	4
#define WFD_MAX_URL		256

enum wfd_res_table { WFD_CEA, WFD_VESA, WFD_HH, WFD_NTABLES };

/* Bits that exist in each table (the rest is masked on input). */
#define WFD_CEA_MASK		0x0001ffffu	/* bits 0-16 */
#define WFD_VESA_MASK		0x3fffffffu	/* bits 0-29 */
#define WFD_HH_MASK		0x00000fffu	/* bits 0-11 */

#define WFD_PROFILE_CBP		0x01
#define WFD_PROFILE_CHP		0x02
#define WFD_PROFILE_MASK	0x03
#define WFD_LEVEL_3_1		0x01
#define WFD_LEVEL_3_2		0x02
#define WFD_LEVEL_4		0x04
#define WFD_LEVEL_4_1		0x08
#define WFD_LEVEL_4_2		0x10
#define WFD_LEVEL_MASK		0x1f

struct wfd_resolution {
	uint16_t width, height;
	uint8_t hz;
	bool interlaced;
};

/* The mode of @bit in @table, or NULL when that bit does not exist. */
const struct wfd_resolution *wfd_resolution(enum wfd_res_table table, unsigned int bit);

/* frame_rate_control: frame skipping, with the longest gap in bits 3:1 (0.5 s units). */
#define WFD_FRC_SKIPPING	0x01
#define WFD_FRC_SKIP_GAP(frc)	((((frc) >> 1) & 7u) * 500u)	/* ms, 0: no limit */

struct wfd_video_codec {
	uint8_t profile;	/* WFD_PROFILE_* bits; exactly one in M4 */
	uint8_t level;		/* WFD_LEVEL_* bits: the highest is the limit; one in M4 */
	uint32_t res[WFD_NTABLES];	/* CEA, VESA, HH bitmaps */
	uint8_t latency;	/* 5 ms units */
	uint16_t min_slice_size;
	uint16_t slice_enc_params;
	uint8_t frame_rate_control;
	uint16_t max_hres, max_vres;	/* 0: none */
};

struct wfd_video_formats {
	bool none;
	uint8_t native;		/* bits 2:0 table, bits 7:3 index */
	uint8_t preferred_display_mode_supported;
	unsigned int ncodecs;
	struct wfd_video_codec codecs[WFD_MAX_VIDEO_CODECS];
};

enum wfd_audio_format { WFD_AUDIO_LPCM, WFD_AUDIO_AAC, WFD_AUDIO_AC3 };
#define WFD_LPCM_44K1_16_2CH	0x1
#define WFD_LPCM_48K_16_2CH	0x2
#define WFD_AAC_48K_16_2CH	0x1

struct wfd_audio_codec {
	enum wfd_audio_format format;
	uint32_t modes;
	uint8_t latency;
};

struct wfd_audio_codecs {
	unsigned int n;		/* 0: none */
	struct wfd_audio_codec codecs[WFD_MAX_AUDIO_CODECS];
};

struct wfd_rtp_ports {
	bool tcp;		/* RTP/AVP/TCP rather than RTP/AVP/UDP */
	uint16_t port0, port1;
};

struct wfd_edid {
	unsigned int blocks;	/* 0: none */
	uint8_t data[WFD_MAX_EDID_BLOCKS * 128];
};

struct wfd_content_protection {
	unsigned int hdcp;	/* 0: none, 20 or 21 for HDCP2.0/2.1 */
	uint16_t port;
};

enum wfd_trigger { WFD_TRIGGER_SETUP, WFD_TRIGGER_PLAY, WFD_TRIGGER_PAUSE,
		   WFD_TRIGGER_TEARDOWN };

/* Bits of wfd_params.present / .invalid. */
enum {
	WFD_P_VIDEO_FORMATS		= 1u << 0,
	WFD_P_AUDIO_CODECS		= 1u << 1,
	WFD_P_CLIENT_RTP_PORTS		= 1u << 2,
	WFD_P_DISPLAY_EDID		= 1u << 3,
	WFD_P_IDR_REQUEST_CAPABILITY	= 1u << 4,
	WFD_P_CONTENT_PROTECTION	= 1u << 5,
	WFD_P_STANDBY_RESUME_CAPABILITY	= 1u << 6,
	WFD_P_PRESENTATION_URL		= 1u << 7,
	WFD_P_TRIGGER_METHOD		= 1u << 8,
	WFD_P_IDR_REQUEST		= 1u << 9,	/* M13, no value */
	WFD_P_STANDBY			= 1u << 10,	/* M12, no value */
	WFD_P_COUNT			= 11,
};

struct wfd_params {
	uint32_t present;	/* parsed and valid */
	uint32_t invalid;	/* present in the text but malformed: ignored */
	bool masked;		/* resolution, profile or level bits that do not exist were dropped */
	unsigned int unknown;	/* parameters we do not know (vendor ones): skipped */

	struct wfd_video_formats video;
	struct wfd_audio_codecs audio;
	struct wfd_rtp_ports rtp;
	struct wfd_edid edid;
	bool idr_request_capable;
	struct wfd_content_protection cp;
	bool standby_resume_capable;
	char url0[WFD_MAX_URL], url1[WFD_MAX_URL];	/* "" for none */
	enum wfd_trigger trigger;
};

/* Name of the parameter with bit @p ("wfd_video_formats", ...). */
const char *wfd_param_name(uint32_t p);

/*
 * Parse a body of "name: value" lines (CRLF or LF).  Malformed values of
 * known parameters are flagged in ->invalid and skipped; bits that do not
 * exist are masked and flagged in ->masked.  Returns 0, or -EBADMSG when
 * the body is not a parameter list at all (no ':' on a line).
 */
int wfd_params_parse(const char *body, size_t len, struct wfd_params *p);

/*
 * Parse a GET_PARAMETER body (M3 as the sink sees it): one name a line.
 * Sets the bits of the known names in *@names.  Returns the number of
 * names, known or not.
 */
int wfd_params_parse_names(const char *body, size_t len, uint32_t *names);

/*
 * Write the parameters in @which (those also in p->present) as
 * "name: value\r\n" lines.  Returns the length, or -ENOSPC.
 */
int wfd_params_write(const struct wfd_params *p, uint32_t which, char *buf, size_t size);

/* Write the names of @which, one a line (an M3 body).  Length or -ENOSPC. */
int wfd_params_write_names(uint32_t which, char *buf, size_t size);

/*
 * Whether H.264 level @level (a WFD_LEVEL_* bit; the highest bit counts)
 * takes @w x @h at @hz: frame size and macroblock rate within its limits
 * (ITU-T H.264 Table A-1).
 */
bool wfd_level_carries(uint8_t level, unsigned int w, unsigned int h, unsigned int hz);

/*
 * The progressive modes of @v that the source can send: at most @max_w x
 * @max_h and 60 Hz, listed by a codec entry with a profile in @profiles
 * whose level (capped by @max_level) carries the mode.  Best first: the
 * sink's native mode, then by pixel rate.  Fills at most @n entries of
 * @modes and returns how many.  (Interlaced modes are never offered to
 * the compositor.)  These are exactly the modes wfd_choose_format() takes.
 */
size_t wfd_video_modes_for(const struct wfd_video_formats *v, unsigned int max_w,
			   unsigned int max_h, uint8_t profiles, uint8_t max_level,
			   struct wfd_mode *modes, size_t n);

/* The same for a source that makes both profiles, up to level 4.2. */
size_t wfd_video_modes(const struct wfd_video_formats *v, unsigned int max_w,
		       unsigned int max_h, struct wfd_mode *modes, size_t n);

/*
 * The M4 format for @w x @h @ @hz: one codec entry with exactly one
 * resolution bit, a profile in @profiles (source side) that the sink
 * allows for that mode, and the highest level both allow (capped by
 * @max_level), which must carry the mode.  Among the profiles, those in
 * @prefer come first (what the encoder in use makes without a switch),
 * then High before Baseline.  Returns 0, or -ENOENT when the sink does
 * not list the mode in a form the source can send.
 */
int wfd_choose_format(const struct wfd_video_formats *sink, unsigned int w,
		      unsigned int h, unsigned int hz, uint8_t profiles, uint8_t prefer,
		      uint8_t max_level, struct wfd_video_formats *out);

/* Highest bit rate of a level (kbit/s), per H.264 Annex A for Baseline; High ×1.25. */
unsigned int wfd_level_max_kbps(uint8_t level, uint8_t profile);

/* The H.264 level_idc (31 for 3.1 ... 42) of the highest WFD_LEVEL_* bit; 0 for none. */
int wfd_level_idc(uint8_t level);

/*
 * The M4 audio format: LPCM 48 kHz 16-bit stereo, the one WFD R1 makes
 * mandatory and the only one the source carries.  Returns 0 with exactly
 * one codec in @out, or -ENOENT when the sink does not list it.
 */
int wfd_choose_audio(const struct wfd_audio_codecs *sink, struct wfd_audio_codecs *out);
/*
 * The same among the formats of @allow (1u << enum wfd_audio_format) the
 * source can send: LPCM 48 kHz 16-bit stereo first (no encoder delay),
 * else AAC-LC 48 kHz stereo.  -ENOENT when there is none.
 */
int wfd_choose_audio_from(const struct wfd_audio_codecs *sink, unsigned int allow,
			  struct wfd_audio_codecs *out);

#endif
