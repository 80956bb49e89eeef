// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RTP sender for MPEG-TS.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
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

static void put_header(struct rtp_sender *r)
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
}

/* The datagram in buf to the socket (or the tests' sink): 0 or -errno. */
static int send_buf(struct rtp_sender *r)
{
	if (r->fd < 0)
		return r->sink ? r->sink(r->buf, RTP_PACKET_SIZE, r->opaque) : 0;
	return send(r->fd, r->buf, RTP_PACKET_SIZE, 0) < 0 ? -errno : 0;
}

static int rtp_send(struct rtp_sender *r)
{
	int ret;

	put_header(r);
	r->count = 0;
	ret = send_buf(r);
	/* A datagram that failed is lost either way: keep the sequence going. */
	r->seq++;
	if (ret) {
		r->lost++;
		return ret;
	}
	r->packets++;
	r->bytes += RTP_PACKET_SIZE;
	return 0;
}

static void put_null(uint8_t *p)
{
	static const uint8_t null_pkt[4] = { 0x47, TS_PID_NULL >> 8, TS_PID_NULL & 0xff, 0x10 };

	memcpy(p, null_pkt, sizeof(null_pkt));
	memset(p + 4, 0xff, TS_PACKET_SIZE - 4);
}

int rtp_push(struct rtp_sender *r, const uint8_t *ts_packet)
{
	if (r->q) {
		if (r->qlen == r->qcap)
			return -ENOSPC;
		memcpy(r->q[(r->qhead + r->qlen) % r->qcap], ts_packet, TS_PACKET_SIZE);
		r->qlen++;
		r->qin++;
		return 0;
	}
	memcpy(r->buf + RTP_HEADER_SIZE + r->count * TS_PACKET_SIZE, ts_packet,
	       TS_PACKET_SIZE);
	if (++r->count < RTP_TS_PER_PACKET)
		return 0;
	return rtp_send(r);
}

int rtp_flush(struct rtp_sender *r)
{
	if (r->q) {
		/* What is queued may leave, the last datagram short. */
		r->qready = r->qlen;
		return 0;
	}
	if (!r->count)
		return 0;
	while (r->count < RTP_TS_PER_PACKET)
		put_null(r->buf + RTP_HEADER_SIZE + r->count++ * TS_PACKET_SIZE);
	return rtp_send(r);
}

int rtp_ts_out(const uint8_t *pkt, void *opaque)
{
	return rtp_push(opaque, pkt);
}

/* ---- pacing ---- */

/* What one datagram costs in the token bucket. */
#define DGRAM_CREDIT	((uint64_t)RTP_PACKET_SIZE * 1000000000ull)

int rtp_pace(struct rtp_sender *r, size_t cap)
{
	r->q = calloc(cap, TS_PACKET_SIZE);
	if (!r->q)
		return -ENOMEM;
	r->qcap = cap;
	r->qhead = r->qlen = r->qready = 0;
	return 0;
}

void rtp_release(struct rtp_sender *r)
{
	free(r->q);
	r->q = NULL;
	r->qcap = r->qhead = r->qlen = r->qready = 0;
	r->held = false;
}

/* The bucket fills at the rate, up to one quantum's worth and a datagram. */
static void refill(struct rtp_sender *r, uint64_t now)
{
	uint64_t dt;

	if (now <= r->credit_at)
		return;
	dt = now - r->credit_at;
	r->credit_at = now;
	if (!r->rate || dt >= (r->credit_max - r->credit) / r->rate)
		r->credit = r->credit_max;
	else
		r->credit += r->rate * dt;
}

void rtp_set_rate(struct rtp_sender *r, uint64_t bytes_per_s, uint64_t now)
{
	refill(r, now);
	r->rate = bytes_per_s;
	/* A quantum's worth, and room for a tick's PCR, PSI and audio at any rate. */
	r->credit_max = bytes_per_s * RTP_PACE_QUANTUM_NS;
	if (r->credit_max < 3 * DGRAM_CREDIT)
		r->credit_max = 3 * DGRAM_CREDIT;
	r->credit_max += DGRAM_CREDIT;
	if (r->credit > r->credit_max)
		r->credit = r->credit_max;
}

size_t rtp_backlog(const struct rtp_sender *r)
{
	return (r->qlen + (r->held ? RTP_TS_PER_PACKET : 0)) * TS_PACKET_SIZE;
}

size_t rtp_room(const struct rtp_sender *r)
{
	return r->qcap - r->qlen;
}

static bool have_datagram(const struct rtp_sender *r)
{
	return r->held || r->qlen >= RTP_TS_PER_PACKET || r->qready;
}

/* Stamp the datagram in buf with the time it leaves: RTP timestamp, PCRs. */
static void stamp(struct rtp_sender *r, uint64_t now)
{
	for (int i = 0; i < RTP_TS_PER_PACKET; i++)
		if (ts_stamp_pcr(r->buf + RTP_HEADER_SIZE + i * TS_PACKET_SIZE, now * 27 / 1000))
			r->last_pcr = now;
	r->timestamp = (uint32_t)(now * 9 / 100000);
	put_header(r);
}

/* The next datagram from the queue into buf; a PCR first when one is due. */
static void take(struct rtp_sender *r, uint64_t now)
{
	int n = 0;

	if (now - r->last_pcr >= RTP_PCR_INTERVAL_NS)
		ts_pcr_packet(r->buf + RTP_HEADER_SIZE + n++ * TS_PACKET_SIZE, 0);
	while (n < RTP_TS_PER_PACKET && r->qlen) {
		memcpy(r->buf + RTP_HEADER_SIZE + n++ * TS_PACKET_SIZE, r->q[r->qhead],
		       TS_PACKET_SIZE);
		r->qhead = (r->qhead + 1) % r->qcap;
		r->qlen--;
		r->qout++;
		if (r->qready)
			r->qready--;
	}
	while (n < RTP_TS_PER_PACKET)
		put_null(r->buf + RTP_HEADER_SIZE + n++ * TS_PACKET_SIZE);
	stamp(r, now);
}

static bool refusal(int err)
{
	return err == -ECONNREFUSED || err == -EHOSTUNREACH || err == -ENETUNREACH;
}

int rtp_pump(struct rtp_sender *r, uint64_t now)
{
	bool retried = false;
	int ret = 0, err;

	/* Datagrams leave in bursts at least a quantum apart (one may go on). */
	if (r->last_send && now != r->last_send && now < r->last_send + RTP_PACE_QUANTUM_NS)
		return 0;
	refill(r, now);
	while (have_datagram(r) && r->credit >= DGRAM_CREDIT) {
		if (r->held)
			stamp(r, now);
		else
			take(r, now);
		err = send_buf(r);
		if (err && (err == -EAGAIN || (refusal(err) && !retried))) {
			/*
			 * Not sent: the socket is full (the next call tries
			 * again), or it reported an ICMP error about an earlier
			 * datagram instead (try again at once).
			 */
			if (!ret)
				ret = err;
			r->held = true;
			if (err == -EAGAIN)
				break;
			retried = true;
			continue;
		}
		if (err) {
			if (!ret)
				ret = err;
			r->lost++;
		} else {
			r->packets++;
			r->bytes += RTP_PACKET_SIZE;
		}
		/* Sent or lost: a lost one leaves a gap in the sequence. */
		r->seq++;
		r->held = retried = false;
		r->credit -= DGRAM_CREDIT;
		r->last_send = now;
	}
	return ret;
}

uint64_t rtp_next_send(const struct rtp_sender *r)
{
	uint64_t due;

	if (!have_datagram(r))
		return UINT64_MAX;
	if (r->credit >= DGRAM_CREDIT || !r->rate)
		due = r->credit_at;
	else
		due = r->credit_at + (DGRAM_CREDIT - r->credit + r->rate - 1) / r->rate;
	/* A socket that was full, or datagrams a few at a time: a quantum apart. */
	if (r->held && due < r->credit_at + RTP_PACE_QUANTUM_NS)
		due = r->credit_at + RTP_PACE_QUANTUM_NS;
	if (due < r->last_send + RTP_PACE_QUANTUM_NS)
		due = r->last_send + RTP_PACE_QUANTUM_NS;
	return due;
}
