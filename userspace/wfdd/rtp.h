/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RTP (RFC 3550) sender for MPEG-TS (RFC 2250): 7 TS packets, 1328 bytes,
 * payload type 33, 90 kHz timestamps, a constant SSRC.
 *
 * Unpaced (the default), a datagram leaves as soon as it is full or
 * flushed.  Paced (rtp_pace()), TS packets wait in a queue and leave
 * through rtp_pump() as a token bucket allows; a datagram is then stamped
 * when it leaves (RTP timestamp, and the PCR of any PCR packet in it).
 */
#ifndef WFDD_RTP_H
#define WFDD_RTP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tsmux.h"

#define RTP_HEADER_SIZE		12
#define RTP_TS_PER_PACKET	7
#define RTP_PACKET_SIZE		(RTP_HEADER_SIZE + RTP_TS_PER_PACKET * TS_PACKET_SIZE)
#define RTP_PT_MP2T		33

/*
 * Paced: datagrams leave in bursts at least this far apart, of what the
 * token bucket gathered meanwhile (it holds that much, at least three
 * datagrams, and one more).
 */
#define RTP_PACE_QUANTUM_NS	2000000ull
/* Paced: PCR at least this often on the wire, however long a queue drains. */
#define RTP_PCR_INTERVAL_NS	40000000ull

struct rtp_sender {
	int fd;			/* connected UDP socket, or -1 to only build */
	uint8_t buf[RTP_PACKET_SIZE];
	int count;		/* TS packets in buf (unpaced) */
	uint16_t seq;
	uint32_t ssrc;
	uint32_t timestamp;	/* of the datagram being filled */
	uint64_t packets, bytes;
	uint64_t lost;		/* datagrams the socket refused for good */
	/* Where built datagrams go when fd < 0 (tests): 0, or -errno as send() fails. */
	int (*sink)(const uint8_t *dgram, size_t len, void *opaque);
	void *opaque;

	/* Paced: a ring of TS packets. */
	uint8_t (*q)[TS_PACKET_SIZE];
	size_t qcap, qhead, qlen;
	size_t qready;		/* packets at the head that may leave in a short datagram */
	uint64_t qin, qout;	/* TS packets queued and taken out, since rtp_init() */
	bool held;		/* buf holds a datagram to send again (EAGAIN) */
	/* The token bucket, in bytes x 1e9 (byte-nanoseconds). */
	uint64_t rate;		/* bytes per second */
	uint64_t credit, credit_max;
	uint64_t credit_at;	/* when credit was last brought up to date */
	uint64_t last_send;	/* when a datagram last left */
	uint64_t last_pcr;	/* when a PCR last left */
};

/* Open a UDP socket connected to @host:@port.  Returns an fd or -errno. */
int rtp_connect(const char *host, const char *port);

void rtp_init(struct rtp_sender *r, int fd, uint32_t ssrc, uint16_t seq);

/* Set the 90 kHz timestamp of the datagrams that follow (unpaced). */
void rtp_set_time(struct rtp_sender *r, uint32_t ts90k);

/* Queue one TS packet; sends when 7 are queued.  0 or -errno. */
int rtp_push(struct rtp_sender *r, const uint8_t *ts_packet);

/* Send what is queued, padded to 7 packets with null packets. */
int rtp_flush(struct rtp_sender *r);

/* ts_out_fn adapter. */
int rtp_ts_out(const uint8_t *pkt, void *opaque);

/*
 * Pace from now on: a queue of @cap TS packets (allocated here), and
 * rtp_push()/rtp_flush() only queue.  0 or -ENOMEM.
 */
int rtp_pace(struct rtp_sender *r, size_t cap);
/* The token bucket's rate from @now on, in bytes per second. */
void rtp_set_rate(struct rtp_sender *r, uint64_t bytes_per_s, uint64_t now);
/* Bytes waiting, and room for TS packets. */
size_t rtp_backlog(const struct rtp_sender *r);
size_t rtp_room(const struct rtp_sender *r);
/*
 * Send what the token bucket allows at @now.  Returns 0, or the first
 * send error: EAGAIN keeps the datagram for the next call; a refusal
 * (ECONNREFUSED, EHOSTUNREACH, ENETUNREACH: an ICMP error about an
 * earlier datagram, this one was not sent) is tried once more at once;
 * any other error loses the datagram.
 */
int rtp_pump(struct rtp_sender *r, uint64_t now);
/* When rtp_pump() has something to send (UINT64_MAX: nothing queued). */
uint64_t rtp_next_send(const struct rtp_sender *r);
/* Free the queue. */
void rtp_release(struct rtp_sender *r);

#endif
