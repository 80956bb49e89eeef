// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RTP sender for MPEG-TS.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rtp.h"

int rtp_connect(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res, *ai;
	int fd = -EADDRNOTAVAIL, err;

	err = getaddrinfo(host, port, &hints, &res);
	if (err)
		return -EINVAL;
	for (ai = res; ai; ai = ai->ai_next) {
		int s = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

		if (s < 0) {
			fd = -errno;
			continue;
		}
		if (!connect(s, ai->ai_addr, ai->ai_addrlen)) {
			fd = s;
			break;
		}
		fd = -errno;
		close(s);
	}
	freeaddrinfo(res);
	return fd;
}

void rtp_init(struct rtp_sender *r, int fd, uint32_t ssrc, uint16_t seq)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->ssrc = ssrc;
	r->seq = seq;
}

void rtp_set_time(struct rtp_sender *r, uint32_t ts90k)
{
	if (!r->count)
		r->timestamp = ts90k;
}

static int rtp_send(struct rtp_sender *r)
{
	uint8_t *h = r->buf;

	h[0] = 0x80;			/* V=2, no padding, extension or CSRC */
	h[1] = RTP_PT_MP2T;		/* marker 0 */
	h[2] = (uint8_t)(r->seq >> 8);
	h[3] = (uint8_t)r->seq;
	h[4] = (uint8_t)(r->timestamp >> 24);
	h[5] = (uint8_t)(r->timestamp >> 16);
	h[6] = (uint8_t)(r->timestamp >> 8);
	h[7] = (uint8_t)r->timestamp;
	h[8] = (uint8_t)(r->ssrc >> 24);
	h[9] = (uint8_t)(r->ssrc >> 16);
	h[10] = (uint8_t)(r->ssrc >> 8);
	h[11] = (uint8_t)r->ssrc;
	r->count = 0;
	if (r->fd < 0) {
		int ret = r->sink ? r->sink(r->buf, RTP_PACKET_SIZE, r->opaque) : 0;

		if (ret) {
			r->seq++;
			return ret;
		}
	} else if (send(r->fd, r->buf, RTP_PACKET_SIZE, 0) < 0) {
		/* The datagram is lost either way: keep the sequence going. */
		r->seq++;
		return -errno;
	}
	r->seq++;
	r->packets++;
	r->bytes += RTP_PACKET_SIZE;
	return 0;
}

int rtp_push(struct rtp_sender *r, const uint8_t *ts_packet)
{
	memcpy(r->buf + RTP_HEADER_SIZE + r->count * TS_PACKET_SIZE, ts_packet,
	       TS_PACKET_SIZE);
	if (++r->count < RTP_TS_PER_PACKET)
		return 0;
	return rtp_send(r);
}

int rtp_flush(struct rtp_sender *r)
{
	static const uint8_t null_pkt[4] = { 0x47, TS_PID_NULL >> 8, TS_PID_NULL & 0xff, 0x10 };

	if (!r->count)
		return 0;
	while (r->count < RTP_TS_PER_PACKET) {
		uint8_t *p = r->buf + RTP_HEADER_SIZE + r->count * TS_PACKET_SIZE;

		memcpy(p, null_pkt, sizeof(null_pkt));
		memset(p + 4, 0xff, TS_PACKET_SIZE - 4);
		r->count++;
	}
	return rtp_send(r);
}

int rtp_ts_out(const uint8_t *pkt, void *opaque)
{
	return rtp_push(opaque, pkt);
}
