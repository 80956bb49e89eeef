/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Wi-Fi Display information element subelements: what a P2P device
 * announces about itself during discovery, provision discovery and GO
 * negotiation (Wi-Fi Display Technical Specification, 5.1).
 *
 * Each subelement is an id byte, a 16-bit big-endian length and a body.
 * wpa_supplicant takes one subelement as "WFD_SUBELEM_SET <id> <hex of
 * length and body>", reports a peer's whole list as "wfd_subelems=<hex>"
 * and its device information body as "wfd_dev_info=0x<hex>";
 * NetworkManager's WfdIEs are the whole list, ids included.
 */
#ifndef WFDD_WFD_IE_H
#define WFDD_WFD_IE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum wfd_subelem_id {
	WFD_SUBELEM_DEVICE_INFO = 0,
	WFD_SUBELEM_ASSOC_BSSID = 1,
	WFD_SUBELEM_COUPLED_SINK = 6,
	WFD_SUBELEM_EXT_CAPAB = 7,
};

/* Device information, bits 1:0 of its bitmap. */
enum wfd_dev_type {
	WFD_DEV_SOURCE = 0,
	WFD_DEV_PRIMARY_SINK = 1,
	WFD_DEV_SECONDARY_SINK = 2,
	WFD_DEV_DUAL_ROLE = 3,		/* source or primary sink */
};

/* The rest of the device information bitmap. */
#define WFD_DEV_INFO_TYPE_MASK		0x0003u
#define WFD_DEV_INFO_COUPLED_SOURCE	0x0004u
#define WFD_DEV_INFO_COUPLED_SINK	0x0008u
#define WFD_DEV_INFO_AVAIL_MASK		0x0030u	/* 01: available, 00: not */
#define WFD_DEV_INFO_AVAILABLE		0x0010u
#define WFD_DEV_INFO_SERVICE_DISCOVERY	0x0040u
#define WFD_DEV_INFO_PREFER_TDLS	0x0080u
#define WFD_DEV_INFO_CONTENT_PROTECTION	0x0100u
#define WFD_DEV_INFO_TIME_SYNC		0x0200u

/* The device information subelement's body. */
#define WFD_DEV_INFO_LEN	6

struct wfd_dev_info {
	uint16_t bits;		/* the whole bitmap, as sent */
	uint16_t rtsp_port;	/* session management control port */
	uint16_t max_mbps;	/* maximum average throughput, Mbit/s */
};

static inline enum wfd_dev_type wfd_dev_info_type(const struct wfd_dev_info *i)
{
	return (enum wfd_dev_type)(i->bits & WFD_DEV_INFO_TYPE_MASK);
}

static inline bool wfd_dev_info_available(const struct wfd_dev_info *i)
{
	return (i->bits & WFD_DEV_INFO_AVAIL_MASK) == WFD_DEV_INFO_AVAILABLE;
}

/* A sink a source may stream to: primary, secondary or dual-role. */
static inline bool wfd_dev_info_is_sink(const struct wfd_dev_info *i)
{
	return wfd_dev_info_type(i) != WFD_DEV_SOURCE;
}

/* "source", "primary sink", "secondary sink", "dual role". */
const char *wfd_dev_type_name(enum wfd_dev_type type);

/* What a source announces: available or not, its RTSP port and throughput. */
void wfd_dev_info_source(struct wfd_dev_info *i, bool available, uint16_t rtsp_port,
			 uint16_t max_mbps);

/* Body <-> struct; unpack wants at least WFD_DEV_INFO_LEN bytes (-EINVAL). */
void wfd_dev_info_pack(const struct wfd_dev_info *i, uint8_t out[WFD_DEV_INFO_LEN]);
int wfd_dev_info_unpack(const uint8_t *body, size_t len, struct wfd_dev_info *i);

/*
 * Hex, as wpa_supplicant and NetworkManager's text forms carry it.  Decode
 * takes an optional "0x" and either case, and returns the bytes written,
 * -EINVAL for an odd length or a non-hex digit, -ENOSPC when it does not
 * fit.  Encode writes lower case and a NUL: @out holds 2 * @len + 1.
 */
int wfd_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t size);
void wfd_hex_encode(const uint8_t *in, size_t len, char *out);

/*
 * Walk a subelement list for @id: 1 and its body when found, 0 when not,
 * -EINVAL when a length runs past the end.
 */
int wfd_subelem_find(const uint8_t *list, size_t len, uint8_t id, const uint8_t **body,
		     size_t *body_len);

/* The device information in a list: 0, -ENOENT when absent, -EINVAL. */
int wfd_subelems_dev_info(const uint8_t *list, size_t len, struct wfd_dev_info *i);

/*
 * Text forms of a device information subelement, NUL-terminated:
 * wpa_supplicant's WFD_SUBELEM_SET argument ("000600101c440032": length
 * and body) and a whole list of that one subelement ("00000600101c440032",
 * NetworkManager's WfdIEs).  @out holds WFD_DEV_INFO_HEX bytes.
 */
#define WFD_DEV_INFO_HEX	(2 * (1 + 2 + WFD_DEV_INFO_LEN) + 1)
void wfd_dev_info_subelem_hex(const struct wfd_dev_info *i, char out[WFD_DEV_INFO_HEX]);
void wfd_dev_info_list_hex(const struct wfd_dev_info *i, char out[WFD_DEV_INFO_HEX]);
/* The whole list as bytes: @out holds 1 + 2 + WFD_DEV_INFO_LEN; returns that length. */
size_t wfd_dev_info_list(const struct wfd_dev_info *i, uint8_t *out);

#endif
