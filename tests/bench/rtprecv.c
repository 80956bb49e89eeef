// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rtprecv: an RTP/MPEG-TS receiver on loopback that timestamps what it
 * receives, for the benchmarks.  It binds 127.0.0.1:PORT, takes the time
 * (CLOCK_MONOTONIC) each datagram is read, and writes
 *
 *   PREFIX.ts       the transport stream (RTP headers stripped), for an
 *                   offline decode that reads each picture's frame number
 *   PREFIX.pes      one line per H.264 PES: index, time of its first and of
 *                   its last TS packet, bytes of TS packets
 *   PREFIX.pkt      one line per datagram: time, bytes, and the time the
 *                   kernel queued it (SO_TIMESTAMPNS, CLOCK_REALTIME): on
 *                   loopback, the time the sender sent it, however late
 *                   this reader runs, for the sender's bursts
 *   PREFIX.flowing  created when the first datagram arrives
 *
 * The H.264 PID is found from the PAT and PMT, so that any muxer's
 * streams (wfdd's, ffmpeg's) are measured alike.  Runs until SIGTERM or
 * SIGINT.
 *
 * usage: rtprecv PORT PREFIX
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TS_SIZE 188
#define RTP_HEADER 12

struct rx {
	FILE *ts, *pes, *pkt;
	int pmt_pid, video_pid;
	bool in_pes;
	uint64_t pes_index, pes_first, pes_last, pes_bytes;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void pes_end(struct rx *r)
{
	if (r->in_pes)
		fprintf(r->pes, "%llu %llu %llu %llu\n", (unsigned long long)r->pes_index++,
			(unsigned long long)r->pes_first, (unsigned long long)r->pes_last,
			(unsigned long long)r->pes_bytes);
	r->in_pes = false;
}

/* The payload of a PSI packet from its table_id on, and its length. */
static const uint8_t *psi(const uint8_t *p, int *len)
{
	int off = 4;

	if (p[3] & 0x20)
		off += 1 + p[4];
	if (!(p[1] & 0x40) || off >= TS_SIZE)
		return NULL;
	off += 1 + p[off];	/* pointer field */
	if (off + 8 > TS_SIZE)
		return NULL;
	*len = TS_SIZE - off;
	return p + off;
}

static void ts_packet(struct rx *r, const uint8_t *p, uint64_t t)
{
	int pid = (p[1] & 0x1f) << 8 | p[2], len;
	const uint8_t *s;

	if (p[0] != 0x47)
		return;
	if (pid == 0 && (s = psi(p, &len)) && s[0] == 0x00) {
		/* First program of the PAT. */
		int sec = (s[1] & 0x0f) << 8 | s[2];

		for (int i = 8; i + 4 <= 3 + sec - 4 && i + 4 <= len; i += 4) {
			if (s[i] << 8 | s[i + 1]) {
				r->pmt_pid = (s[i + 2] & 0x1f) << 8 | s[i + 3];
				break;
			}
		}
	} else if (pid == r->pmt_pid && (s = psi(p, &len)) && s[0] == 0x02) {
		int sec = (s[1] & 0x0f) << 8 | s[2], end = 3 + sec - 4;
		int i = 12 + ((s[10] & 0x0f) << 8 | s[11]);

		while (i + 5 <= end && i + 5 <= len) {
			if (s[i] == 0x1b) {
				r->video_pid = (s[i + 1] & 0x1f) << 8 | s[i + 2];
				break;
			}
			i += 5 + ((s[i + 3] & 0x0f) << 8 | s[i + 4]);
		}
	} else if (pid == r->video_pid) {
		if (p[1] & 0x40) {	/* payload unit start: a new PES */
			pes_end(r);
			r->in_pes = true;
			r->pes_first = t;
			r->pes_bytes = 0;
		}
		r->pes_last = t;
		r->pes_bytes += TS_SIZE;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct sigaction sig = { .sa_handler = on_signal };
	struct rx r = { .pmt_pid = -1, .video_pid = -1 };
	static uint8_t buf[65536];
	char path[4096];
	bool flowing = false;
	int fd, rcvbuf = 16 << 20;

	if (argc != 3 || atoi(argv[1]) <= 0 || atoi(argv[1]) > 65535) {
		fprintf(stderr, "usage: rtprecv PORT PREFIX\n");
		return 2;
	}
	sigaction(SIGINT, &sig, NULL);
	sigaction(SIGTERM, &sig, NULL);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sa.sin_port = htons((uint16_t)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &(int){ 1 }, sizeof(int)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "rtprecv: cannot bind port %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s.ts", argv[2]);
	r.ts = fopen(path, "w");
	snprintf(path, sizeof(path), "%s.pes", argv[2]);
	r.pes = fopen(path, "w");
	snprintf(path, sizeof(path), "%s.pkt", argv[2]);
	r.pkt = fopen(path, "w");
	if (!r.ts || !r.pes || !r.pkt) {
		fprintf(stderr, "rtprecv: cannot write %s.*: %s\n", argv[2], strerror(errno));
		return 1;
	}
	while (!stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(struct timespec))]; } c;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &c,
				     .msg_controllen = sizeof(c) };
		struct cmsghdr *cm;
		uint64_t t, kt = 0;
		ssize_t n;
		size_t off;

		if (poll(&p, 1, 100) != 1)
			continue;
		n = recvmsg(fd, &mh, 0);
		t = now_ns();
		if (n < RTP_HEADER)
			continue;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec ts;

				memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
				kt = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
			}
		}
		fprintf(r.pkt, "%llu %zd %llu\n", (unsigned long long)t, n, (unsigned long long)kt);
		if (!flowing) {
			FILE *f;

			snprintf(path, sizeof(path), "%s.flowing", argv[2]);
			f = fopen(path, "w");
			if (f)
				fclose(f);
			flowing = true;
		}
		/* Skip the RTP header with its CSRCs and extension. */
		off = RTP_HEADER + 4 * (buf[0] & 0x0f);
		if ((buf[0] & 0x10) && off + 4 <= (size_t)n)
			off += 4 + 4 * (size_t)(buf[off + 2] << 8 | buf[off + 3]);
		for (; off + TS_SIZE <= (size_t)n; off += TS_SIZE) {
			fwrite(buf + off, 1, TS_SIZE, r.ts);
			ts_packet(&r, buf + off, t);
		}
	}
	pes_end(&r);
	fclose(r.ts);
	fclose(r.pes);
	fclose(r.pkt);
	close(fd);
	return 0;
}
