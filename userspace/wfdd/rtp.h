/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RTP (RFC 3550) sender for MPEG-TS (RFC 2250): 7 TS packets, 1328 bytes,
 * payload type 33, 90 kHz timestamps, a constant SSRC.
 */
#ifndef WFDD_RTP_H
#define WFDD_RTP_H

#include <stdint.h>
#include <sys/types.h>

#include "tsmux.h"

#define RTP_HEADER_SIZE		12
#define RTP_TS_PER_PACKET	7
#define RTP_PACKET_SIZE		(RTP_HEADER_SIZE + RTP_TS_PER_PACKET * TS_PACKET_SIZE)
#define RTP_PT_MP2T		33

struct rtp_sender {
	int fd;			/* connected UDP socket, or -1 to only build */
	uint8_t buf[RTP_PACKET_SIZE];
	int count;		/* TS packets in buf */
	uint16_t seq;
	uint32_t ssrc;
	uint32_t timestamp;	/* of the datagram being filled */
	uint64_t packets, bytes;
	/* Where built datagrams go when fd < 0 (tests): 0, or -errno as send() fails. */
	int (*sink)(const uint8_t *dgram, size_t len, void *opaque);
	void *opaque;
};

/* Open a UDP socket connected to @host:@port.  Returns an fd or -errno. */
int rtp_connect(const char *host, const char *port);

void rtp_init(struct rtp_sender *r, int fd, uint32_t ssrc, uint16_t seq);

/* Set the 90 kHz timestamp of the datagrams that follow. */
void rtp_set_time(struct rtp_sender *r, uint32_t ts90k);

/* Queue one TS packet; sends when 7 are queued.  0 or -errno. */
int rtp_push(struct rtp_sender *r, const uint8_t *ts_packet);

/* Send what is queued, padded to 7 packets with null packets. */
int rtp_flush(struct rtp_sender *r);

/* ts_out_fn adapter. */
int rtp_ts_out(const uint8_t *pkt, void *opaque);

#endif
