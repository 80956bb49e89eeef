// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Wi-Fi Display IE subelements: the device information a source announces
 * and reads from sinks, and the hex forms wpa_supplicant and
 * NetworkManager carry them in.
 */
#include <errno.h>
#include <string.h>

#include "wfd_ie.h"

const char *wfd_dev_type_name(enum wfd_dev_type type)
{
	switch (type) {
	case WFD_DEV_SOURCE:
		return "source";
	case WFD_DEV_PRIMARY_SINK:
		return "primary sink";
	case WFD_DEV_SECONDARY_SINK:
		return "secondary sink";
	case WFD_DEV_DUAL_ROLE:
		break;
	}
	return "dual role";
}

void wfd_dev_info_source(struct wfd_dev_info *i, bool available, uint16_t rtsp_port,
			 uint16_t max_mbps)
{
	i->bits = WFD_DEV_SOURCE | (available ? WFD_DEV_INFO_AVAILABLE : 0);
	i->rtsp_port = rtsp_port;
	i->max_mbps = max_mbps;
}

void wfd_dev_info_pack(const struct wfd_dev_info *i, uint8_t out[WFD_DEV_INFO_LEN])
{
	out[0] = (uint8_t)(i->bits >> 8);
	out[1] = (uint8_t)i->bits;
	out[2] = (uint8_t)(i->rtsp_port >> 8);
	out[3] = (uint8_t)i->rtsp_port;
	out[4] = (uint8_t)(i->max_mbps >> 8);
	out[5] = (uint8_t)i->max_mbps;
}

int wfd_dev_info_unpack(const uint8_t *body, size_t len, struct wfd_dev_info *i)
{
	/* Longer bodies may come from later revisions: the first 6 bytes stay. */
	if (len < WFD_DEV_INFO_LEN)
		return -EINVAL;
	i->bits = (uint16_t)(body[0] << 8 | body[1]);
	i->rtsp_port = (uint16_t)(body[2] << 8 | body[3]);
	i->max_mbps = (uint16_t)(body[4] << 8 | body[5]);
	return 0;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int wfd_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t size)
{
	size_t n;

	if (hex_len >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
		hex += 2;
		hex_len -= 2;
	}
	if (hex_len % 2)
		return -EINVAL;
	if (hex_len / 2 > size)
		return -ENOSPC;
	for (n = 0; n < hex_len / 2; n++) {
		int hi = nibble(hex[2 * n]), lo = nibble(hex[2 * n + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[n] = (uint8_t)(hi << 4 | lo);
	}
	return (int)n;
}

void wfd_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t n = 0; n < len; n++) {
		*out++ = digits[in[n] >> 4];
		*out++ = digits[in[n] & 15];
	}
	*out = 0;
}

int wfd_subelem_find(const uint8_t *list, size_t len, uint8_t id, const uint8_t **body,
		     size_t *body_len)
{
	size_t pos = 0;

	while (pos < len) {
		size_t n;

		if (len - pos < 3)
			return -EINVAL;
		n = (size_t)list[pos + 1] << 8 | list[pos + 2];
		if (n > len - pos - 3)
			return -EINVAL;
		if (list[pos] == id) {
			*body = list + pos + 3;
			*body_len = n;
			return 1;
		}
		pos += 3 + n;
	}
	return 0;
}

int wfd_subelems_dev_info(const uint8_t *list, size_t len, struct wfd_dev_info *i)
{
	const uint8_t *body;
	size_t n;
	int ret = wfd_subelem_find(list, len, WFD_SUBELEM_DEVICE_INFO, &body, &n);

	if (ret < 0)
		return ret;
	if (!ret)
		return -ENOENT;
	return wfd_dev_info_unpack(body, n, i);
}

size_t wfd_dev_info_list(const struct wfd_dev_info *i, uint8_t *out)
{
	out[0] = WFD_SUBELEM_DEVICE_INFO;
	out[1] = 0;
	out[2] = WFD_DEV_INFO_LEN;
	wfd_dev_info_pack(i, out + 3);
	return 3 + WFD_DEV_INFO_LEN;
}

void wfd_dev_info_list_hex(const struct wfd_dev_info *i, char out[WFD_DEV_INFO_HEX])
{
	uint8_t b[3 + WFD_DEV_INFO_LEN];

	wfd_hex_encode(b, wfd_dev_info_list(i, b), out);
}

void wfd_dev_info_subelem_hex(const struct wfd_dev_info *i, char out[WFD_DEV_INFO_HEX])
{
	uint8_t b[3 + WFD_DEV_INFO_LEN];

	/* WFD_SUBELEM_SET names the id separately. */
	wfd_dev_info_list(i, b);
	wfd_hex_encode(b + 1, sizeof(b) - 1, out);
}
