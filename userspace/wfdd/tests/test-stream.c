// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stream of a session (stream.c) on a virtual clock, with a fake
 * encoder whose access units say what they are, and a fake socket that
 * keeps every datagram with the time it left (and fails where told).  A
 * demuxer here takes the datagrams apart again: continuity, PES
 * reassembly, PTS, IDRs.  Last, the pacer thread on a real loopback
 * socket.  TAP output.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "stream.h"
#include "tap.h"

#define MS 1000000ull
#define T0 (1000 * MS)	/* the virtual clock starts here */

/* ---- a fake socket ---- */

#define MAX_DGRAMS 20000

static struct {
	uint64_t now;			/* the virtual clock */
	int fail_at;			/* datagram number that fails (-1: none) */
	int fail_err;
	int fail_count;			/* how many fail */
	int fail_every;			/* one in this many from fail_at (0: 1) */
	int attempts;			/* datagrams offered to the socket */
	int n;
	uint64_t t[MAX_DGRAMS];
	uint8_t d[MAX_DGRAMS][RTP_PACKET_SIZE];
} sock;

static int sock_send(const uint8_t *d, size_t len, void *opaque)
{
	int k = sock.attempts++;

	(void)opaque;
	if (sock.fail_at >= 0 && k >= sock.fail_at) {
		int every = sock.fail_every ? sock.fail_every : 1;

		if ((k - sock.fail_at) % every == 0 && (k - sock.fail_at) / every < sock.fail_count)
			return sock.fail_err;
	}
	if (len != RTP_PACKET_SIZE || sock.n == MAX_DGRAMS)
		return -EMSGSIZE;
	sock.t[sock.n] = sock.now;
	memcpy(sock.d[sock.n++], d, len);
	return 0;
}

/* ---- a fake encoder: access units of a given size, numbered ---- */

static struct {
	size_t p_size, idr_size;	/* bytes of each kind of access unit */
	int encodes, idrs, repeats;
	uint64_t idr_at[256];		/* when each IDR was made */
	size_t sizes[4096];		/* by access unit number */
} enc;

struct encoder {
	int unused;
};

static uint8_t au[512 * 1024];

static int fake_open(struct encoder **e, const struct enc_params *p)
{
	(void)p;
	*e = calloc(1, sizeof(**e));
	return *e ? 0 : -ENOMEM;
}

static int fake_load(struct encoder *e, const struct enc_frame *f)
{
	(void)e;
	(void)f;
	return 0;
}

/* AUD, then a slice NAL (IDR or not) whose bytes carry the AU's number. */
static int fake_encode(struct encoder *e, const struct yuv_image *img, bool idr,
		       struct enc_out *out)
{
	size_t len = idr ? enc.idr_size : enc.p_size;
	int n = enc.encodes++;

	(void)e;
	(void)img;
	memset(au, 0, len);
	memcpy(au, "\0\0\0\1\x09\xf0\0\0\0\1", 10);
	au[10] = idr ? 0x65 : 0x41;
	au[11] = (uint8_t)(n >> 8);
	au[12] = (uint8_t)n;
	for (size_t i = 13; i < len; i++)
		au[i] = (uint8_t)(i * 7 + (size_t)n);
	enc.sizes[n] = len;
	if (idr && enc.idrs < 256)
		enc.idr_at[enc.idrs] = sock.now;
	enc.idrs += idr;
	out->data = au;
	out->len = len;
	out->key = idr;
	return 0;
}

/* An unchanged picture again: what an encoder codes as skipped macroblocks. */
static int fake_repeat(struct encoder *e, const struct yuv_image *img, struct enc_out *out)
{
	enc.repeats++;
	return fake_encode(e, img, false, out);
}

static void fake_close(struct encoder *e)
{
	free(e);
}

static const struct encoder_ops fake_ops = {
	.name = "fake", .long_name = "fake", .open = fake_open, .load = fake_load,
	.encode = fake_encode, .repeat = fake_repeat, .close = fake_close,
};

/* ---- a demuxer ---- */

struct pes {
	uint64_t pts;
	size_t len;		/* payload bytes after the PES header */
	bool key;		/* an IDR slice */
	int au;			/* the fake encoder's number of the AU */
	bool complete;		/* exactly that AU's bytes */
	bool tail;		/* ends with that AU's last bytes */
	int first, last;	/* datagrams of its first and last TS packet */
};

static struct {
	struct pes pes[4096];
	int npes;
	int cc_errors;		/* continuity breaks on the video PID */
	int pts_back;		/* video PTS not after the one before */
	int lpcm;		/* audio PES */
	uint8_t buf[512 * 1024];
	size_t got;
	bool open;
} dmx;

static uint64_t get_pts(const uint8_t *p)
{
	return ((uint64_t)(p[0] & 0x0e) << 29) | ((uint64_t)p[1] << 22) |
	       ((uint64_t)(p[2] & 0xfe) << 14) | ((uint64_t)p[3] << 7) | (p[4] >> 1);
}

static void pes_done(void)
{
	struct pes *p;

	if (!dmx.open)
		return;
	p = &dmx.pes[dmx.npes - 1];
	dmx.open = false;
	p->len = dmx.got;
	p->key = dmx.got > 10 && dmx.buf[10] == 0x65;
	p->au = dmx.got > 12 ? dmx.buf[11] << 8 | dmx.buf[12] : -1;
	p->complete = p->au >= 0 && enc.sizes[p->au] == dmx.got;
	for (size_t i = 13; p->complete && i < dmx.got; i++)
		p->complete = dmx.buf[i] == (uint8_t)(i * 7 + (size_t)p->au);
	p->tail = p->au >= 0 && dmx.got >= 100 && enc.sizes[p->au] >= 100;
	for (size_t i = 1; p->tail && i <= 100; i++)
		p->tail = dmx.buf[dmx.got - i] ==
			  (uint8_t)((enc.sizes[p->au] - i) * 7 + (size_t)p->au);
}

/* Take apart every datagram the socket kept. */
static void demux(void)
{
	int cc = -1;

	memset(&dmx, 0, sizeof(dmx));
	for (int k = 0; k < sock.n; k++) {
		for (int i = 0; i < RTP_TS_PER_PACKET; i++) {
			const uint8_t *p = sock.d[k] + RTP_HEADER_SIZE + i * TS_PACKET_SIZE;
			unsigned int pid = (unsigned int)(p[1] & 0x1f) << 8 | p[2];
			size_t off = 4;

			if (pid == TS_PID_AUDIO && (p[1] & 0x40))
				dmx.lpcm++;
			if (pid != TS_PID_VIDEO)
				continue;
			if (cc >= 0 && (p[3] & 0x0f) != ((cc + 1) & 0x0f))
				dmx.cc_errors++;
			cc = p[3] & 0x0f;
			if (p[3] & 0x20)
				off += 1 + p[4];
			if (p[1] & 0x40) {
				pes_done();
				if (dmx.npes && get_pts(p + off + 9) <= dmx.pes[dmx.npes - 1].pts)
					dmx.pts_back++;
				dmx.pes[dmx.npes++] = (struct pes){ .pts = get_pts(p + off + 9),
								    .first = k };
				dmx.open = true;
				dmx.got = 0;
				off += 9 + p[off + 8];
			}
			if (!dmx.open)
				continue;
			memcpy(dmx.buf + dmx.got, p + off, TS_PACKET_SIZE - off);
			dmx.got += TS_PACKET_SIZE - off;
			dmx.pes[dmx.npes - 1].last = k;
		}
	}
	pes_done();
}

/* ---- the stream under test ---- */

/* The encoder takes no time on the virtual clock. */
static uint64_t virtual_clock(void)
{
	return sock.now;
}

static struct frame_encoder *fe;
static struct stream st;

static void setup(size_t p_size, size_t idr_size)
{
	memset(&enc, 0, sizeof(enc));
	memset(&sock, 0, sizeof(sock));
	enc.p_size = p_size;
	enc.idr_size = idr_size;
	sock.fail_at = -1;
	sock.now = T0;
	if (fe) {
		stream_stop(&st);
		frame_encoder_destroy(fe);
	}
	if (frame_encoder_create_ops(&fe, &fake_ops, NULL, NULL, stderr) ||
	    frame_encoder_configure(fe, &(struct enc_params){ .width = 64, .height = 64,
			.fps = 30, .bitrate_kbps = 4000, .gop = 60 }) ||
	    frame_encoder_load(fe, &(struct enc_frame){ .buffer_id = 1, .width = 64,
			.height = 64 }))
		abort();
	stream_init(&st, &(struct stream_config){ .latency_ms = 100, .idr_ms = 1000,
						  .idr_min_ms = 250, .clock = virtual_clock });
	stream_start(&st, fe, -1, sock.now);
	st.rtp.sink = sock_send;
}

/* The stream run at each of its deadlines up to @until. */
static int run_until(uint64_t until)
{
	int ret = STREAM_OK;

	while (ret == STREAM_OK && stream_deadline(&st) <= until) {
		sock.now = stream_deadline(&st) > sock.now ? stream_deadline(&st) : sock.now;
		ret = stream_run(&st, sock.now);
	}
	sock.now = until;
	return ret;
}

/* A new frame committed at @commit, handed over at @now. */
static int frame(uint64_t commit, uint64_t now)
{
	int ret = run_until(now);

	return ret == STREAM_OK ? stream_frame(&st, commit, 1, NULL, now) : ret;
}

/*
 * The daemon's loop on the virtual clock: from *@t for @ms, a new frame
 * every 33 ms, and the stream run at each of its deadlines.  Stops at the
 * first status, and leaves *@t at that time.
 */
static int run_for(uint64_t *t, unsigned int ms)
{
	uint64_t end = *t + ms * MS, next_frame = *t, next;
	int ret = STREAM_OK;

	while (ret == STREAM_OK && *t < end) {
		sock.now = *t;
		if (*t >= next_frame) {
			ret = stream_frame(&st, *t, 1, NULL, *t);
			next_frame += 33 * MS;
		}
		if (ret == STREAM_OK)
			ret = stream_run(&st, *t);
		next = stream_deadline(&st);
		if (ret == STREAM_OK)
			*t = next_frame < next ? next_frame : next;
	}
	return ret;
}

/*
 * The stream flows: an IDR of the kept picture at once, then the frames,
 * their PTS the commit time plus the latency.
 */
static void test_basic(void)
{
	int ret = STREAM_OK;

	setup(5000, 20000);
	stream_play(&st, false, T0);
	for (uint64_t i = 1; i <= 5 && ret == STREAM_OK; i++)
		ret = frame(T0 + i * 33 * MS, T0 + i * 33 * MS + 5 * MS);
	ret = ret == STREAM_OK ? run_until(T0 + 300 * MS) : ret;
	demux();
	check(ret == STREAM_OK && dmx.npes == 6, "basic: the kept picture and 5 frames, 6 PES (%d)",
	      dmx.npes);
	check(dmx.pes[0].key && !dmx.pes[1].key, "basic: the first is an IDR, the next not");
	check(dmx.pes[0].pts == (T0 + 100 * MS) * 9 / 100000 &&
	      dmx.pes[1].pts == (T0 + 133 * MS) * 9 / 100000 &&
	      dmx.pes[5].pts == (T0 + 265 * MS) * 9 / 100000,
	      "basic: PTS = commit + latency");
	for (int i = 0; i < dmx.npes; i++)
		check(dmx.pes[i].complete && dmx.pes[i].au == i, "basic: PES %d is AU %d, whole", i, i);
	check(!dmx.cc_errors, "basic: continuity");
	check(!dmx.pts_back, "basic: PTS strictly increasing");
}

/*
 * One datagram of a P-frame is lost (the socket refuses it): the rest of
 * its PES still goes out, and the next frame is an IDR, since every
 * P-frame after it would reference a broken picture.  Another loss soon
 * after waits for the shortest IDR interval.
 */
static void test_loss_idr(void)
{
	uint64_t t = T0;
	int ret = STREAM_OK, idrs;

	setup(25000, 40000);
	stream_play(&st, false, t);
	/* Well past the shortest IDR interval after the first IDR. */
	for (int i = 0; i < 10; i++, t += 33 * MS)
		ret = frame(t, t + MS);
	/* The fourth datagram of the next frame (PES 11, after the first IDR) fails. */
	ret = run_until(t + MS);
	sock.fail_at = sock.attempts + 3;
	sock.fail_err = -ENOBUFS;
	sock.fail_count = 1;
	ret = ret == STREAM_OK ? frame(t, t + MS) : ret;
	t += 33 * MS;
	check(ret == STREAM_OK, "loss: one lost datagram does not end the session");
	ret = frame(t, t + MS);
	t += 33 * MS;
	/* Everything sent, the IDR too, before the next frame. */
	ret = ret == STREAM_OK ? run_until(t + 60 * MS) : ret;
	t += 66 * MS;
	demux();
	check(dmx.npes >= 13 && !dmx.pes[11].key && !dmx.pes[11].complete && dmx.pes[11].tail,
	      "loss: the PES with the lost datagram is finished (tail %d)",
	      dmx.npes > 11 && dmx.pes[11].tail);
	check(dmx.npes >= 13 && dmx.pes[12].key && dmx.pes[12].complete,
	      "loss: the next picture is an IDR");
	/* A loss right after that IDR: the next IDR waits for the interval. */
	idrs = enc.idrs;
	ret = ret == STREAM_OK ? run_until(t + MS) : ret;
	sock.fail_at = sock.attempts + 2;
	ret = ret == STREAM_OK ? frame(t, t + MS) : ret;
	for (int i = 0; i < 12 && ret == STREAM_OK; i++) {
		t += 33 * MS;
		ret = frame(t, t + MS);
	}
	ret = ret == STREAM_OK ? run_until(t + 100 * MS) : ret;
	demux();
	check(ret == STREAM_OK && enc.idrs == idrs + 1 &&
	      enc.idr_at[idrs] - enc.idr_at[idrs - 1] >= 250 * MS &&
	      enc.idr_at[idrs] - enc.idr_at[idrs - 1] < 300 * MS,
	      "loss: the next IDR comes 250 ms after the last one (%lld ms)",
	      enc.idrs > idrs ? (long long)((enc.idr_at[idrs] - enc.idr_at[idrs - 1]) / MS) : -1ll);
	check(enc.idrs == 3, "loss: three IDRs in all (%d)", enc.idrs);
	check(!dmx.pts_back, "loss: PTS strictly increasing");
}

/*
 * ICMP port unreachable: a receiver that is still setting up its sockets
 * (ffmpeg does) refuses one datagram, and that is a loss, not the end.
 * Only refusals that go on for 3 s (none 2 s apart) end the session, as
 * the sink's request; those that stop in time are forgotten.
 */
static void test_refused(void)
{
	uint64_t t = T0, t1;
	int ret, idrs;

	setup(5000, 20000);
	stream_play(&st, false, t);
	ret = run_for(&t, 400);
	idrs = enc.idrs;
	sock.fail_at = sock.attempts + 2;
	sock.fail_err = -ECONNREFUSED;
	sock.fail_count = 1;
	ret = run_for(&t, 5000);
	check(ret == STREAM_OK, "refused: one ECONNREFUSED does not end the session (%d)", ret);
	check(enc.idrs > idrs, "refused: an IDR follows it");
	/* Refused again and again for 2.5 s (loopback: one datagram in two), then no more. */
	sock.fail_at = sock.attempts;
	sock.fail_every = 2;
	sock.fail_count = 2500 / 33 * 4 / 2;
	ret = run_for(&t, 2500);
	ret = ret == STREAM_OK ? run_for(&t, 3000) : ret;
	check(ret == STREAM_OK, "refused: 2.5 s of refusals, then none: the session goes on (%d)",
	      ret);
	/* A receiver gone for good: the session ends 3 s after the first refusal. */
	sock.fail_at = sock.attempts;
	sock.fail_every = 2;
	sock.fail_count = 1000000;
	t1 = t;
	ret = run_for(&t, 10000);
	check(ret == WFD_STATUS_SINK_DISCONNECT_REQUEST && st.diag == -ECONNREFUSED &&
	      t - t1 >= 3000 * MS && t - t1 < 3200 * MS,
	      "refused: for good, the session ends as the sink's request after %llu ms (%d, diag %d)",
	      (unsigned long long)((t - t1) / MS), ret, st.diag);
	/* Across a Wi-Fi link the kernel rate-limits ICMP: one refusal a second. */
	setup(5000, 20000);
	t = T0;
	stream_play(&st, false, t);
	ret = run_for(&t, 400);
	sock.fail_at = sock.attempts;
	sock.fail_err = -ECONNREFUSED;
	sock.fail_every = 200;	/* about a second's datagrams */
	sock.fail_count = 1000000;
	t1 = t;
	ret = run_for(&t, 10000);
	check(ret == WFD_STATUS_SINK_DISCONNECT_REQUEST && t - t1 >= 3000 * MS &&
	      t - t1 < 4100 * MS,
	      "refused: one a second ends the session after %llu ms (%d)",
	      (unsigned long long)((t - t1) / MS), ret);
}

/*
 * The PTS never goes back.  An IDR of the kept picture (PLAY, the sink's
 * request) or a refresh is stamped with the time it is made, and a new
 * frame handed over right after it was committed before that time.
 */
static void test_pts(void)
{
	uint64_t t = T0;
	int ret;

	setup(5000, 20000);
	stream_play(&st, false, t);
	ret = frame(t, t + MS);
	/* The sink asks for an IDR at t + 40 ms; a frame committed at t + 33 ms is ready. */
	t += 40 * MS;
	ret = ret == STREAM_OK ? run_until(t) : ret;
	stream_idr(&st);
	ret = ret == STREAM_OK ? stream_run(&st, t) : ret;
	ret = ret == STREAM_OK ? frame(t - 7 * MS, t) : ret;
	/* The idle refresh, then a frame committed just before it. */
	t += 1100 * MS;
	ret = ret == STREAM_OK ? run_until(t) : ret;
	ret = ret == STREAM_OK ? frame(t - 2 * MS, t + MS) : ret;
	/* Two frames committed in the same 90 kHz tick. */
	t += 33 * MS;
	ret = ret == STREAM_OK ? frame(t, t + MS) : ret;
	ret = ret == STREAM_OK ? frame(t + 1000, t + 2 * MS) : ret;
	ret = ret == STREAM_OK ? run_until(t + 100 * MS) : ret;
	demux();
	check(ret == STREAM_OK && dmx.npes == 8, "pts: 8 pictures (%d)", dmx.npes);
	check(!dmx.pts_back, "pts: strictly increasing (%d went back)", dmx.pts_back);
	for (int i = 1; i < dmx.npes; i++)
		if (dmx.pes[i].pts <= dmx.pes[i - 1].pts)
			printf("# PES %d: PTS %llu after %llu\n", i,
			       (unsigned long long)dmx.pes[i].pts,
			       (unsigned long long)dmx.pes[i - 1].pts);
}

/* The most datagrams that left at one instant, from datagram @from on. */
static int largest_burst(int from, uint64_t *when)
{
	int best = 0;

	for (int k = from, n = 1; k < sock.n; k++, n++) {
		if (k > from && sock.t[k] != sock.t[k - 1])
			n = 1;
		if (n > best) {
			best = n;
			if (when)
				*when = sock.t[k];
		}
	}
	return best;
}

/* The most datagrams that left within any @window ns, from datagram @from on. */
static int most_within(int from, uint64_t window)
{
	int best = 0;

	for (int a = from, b = from; b < sock.n; b++) {
		while (sock.t[b] - sock.t[a] >= window)
			a++;
		if (b - a + 1 > best)
			best = b - a + 1;
	}
	return best;
}

/*
 * Pacing: an IDR of 150 datagrams must not leave back to back (what
 * overflows a socket buffer or a Wi-Fi queue): a token bucket spreads it
 * over a few frame periods, within the latency budget; a P-frame of the
 * target size is spread over most of its frame period; and no datagram is
 * ever held longer than that.
 */
static void test_pacing(void)
{
	uint64_t t = T0, t_idr, t_end, at;
	int ret, from, burst, n_idr;

	/* 4000 kbit/s at 30 fps: 16.7 kB a frame; an IDR of 200 kB; no periodic one. */
	setup(16666, 200000);
	st.cfg.idr_ms = 100000;
	stream_play(&st, false, t);
	t_idr = t;
	ret = run_for(&t, 200);
	demux();
	n_idr = dmx.pes[0].last - dmx.pes[0].first + 1;
	burst = largest_burst(0, &at);
	t_end = sock.t[dmx.pes[0].last];
	check(ret == STREAM_OK && n_idr >= 150, "pacing: an IDR of %d datagrams", n_idr);
	check(burst <= 12, "pacing: at most 12 datagrams at once (%d)", burst);
	check(most_within(0, 2 * MS) <= 12, "pacing: at most 12 in any 2 ms (%d)",
	      most_within(0, 2 * MS));
	check(t_end - t_idr >= 30 * MS && t_end - t_idr <= 60 * MS,
	      "pacing: the IDR leaves within 30-60 ms, half the latency budget (%llu ms)",
	      (unsigned long long)((t_end - t_idr) / MS));
	/* P-frames of the target size, once the IDR has gone. */
	ret = run_for(&t, 1000);
	demux();
	from = dmx.pes[dmx.npes - 10].first;
	for (int i = dmx.npes - 10; i < dmx.npes - 1; i++) {
		uint64_t spread = sock.t[dmx.pes[i].last] - sock.t[dmx.pes[i].first];

		if (spread < 15 * MS || spread > 33 * MS) {
			check(0, "pacing: P-frame %d spread over %llu ms, not 15-33", i,
			      (unsigned long long)(spread / MS));
			from = -1;
			break;
		}
	}
	if (from >= 0)
		check(1, "pacing: P-frames spread over 15-33 ms of their 33 ms period");
	check(ret == STREAM_OK && largest_burst(from < 0 ? 0 : from, NULL) <= 4,
	      "pacing: P-frames in bursts of at most 4 datagrams (%d)",
	      largest_burst(from < 0 ? 0 : from, NULL));
	check(!dmx.pts_back && !dmx.cc_errors, "pacing: PTS and continuity");
}

/*
 * A socket too full to take a datagram (EAGAIN) delays it, and loses
 * nothing: no IDR for it.  Full for over a second, the link cannot carry
 * the stream.
 */
static void test_full_socket(void)
{
	uint64_t t = T0, t1;
	int ret, idrs;

	setup(16666, 50000);
	stream_play(&st, false, t);
	ret = run_for(&t, 500);
	idrs = enc.idrs;
	sock.fail_at = sock.attempts + 3;
	sock.fail_err = -EAGAIN;
	sock.fail_count = 10;
	ret = ret == STREAM_OK ? run_for(&t, 400) : ret;
	demux();
	check(ret == STREAM_OK && enc.idrs == idrs && st.rtp.lost == 0,
	      "full socket: ten EAGAIN, nothing lost, no IDR (%d, %d IDRs)", ret, enc.idrs - idrs);
	ret = STREAM_OK;
	for (int i = 1; i < dmx.npes - 1; i++)
		if (!dmx.pes[i].complete)
			ret = i;
	check(ret == STREAM_OK && !dmx.cc_errors, "full socket: every PES whole (%d)", ret);
	sock.fail_at = sock.attempts;
	sock.fail_count = 1000000;
	t1 = t;
	ret = run_for(&t, 3000);
	check(ret == WFD_STATUS_INSUFFICIENT_BANDWIDTH && st.diag == -EAGAIN &&
	      t - t1 >= 1000 * MS && t - t1 < 1100 * MS,
	      "full socket: for good, insufficient bandwidth after %llu ms (%d)",
	      (unsigned long long)((t - t1) / MS), ret);
}

/* Runs of the stream over @ms of a static picture from *@t: how many times it woke. */
static int idle_for(uint64_t *t, unsigned int ms, int *ret)
{
	uint64_t end = *t + ms * MS;
	int wakes = 0;

	*ret = STREAM_OK;
	while (*ret == STREAM_OK && stream_deadline(&st) <= end) {
		sock.now = stream_deadline(&st) > sock.now ? stream_deadline(&st) : sock.now;
		*ret = stream_run(&st, sock.now);
		wakes++;
	}
	*t = sock.now = end;
	return wakes;
}

/*
 * Idle costs nothing: a paused stream has no deadline at all; a static
 * picture is sent again only as the receiver needs it (never, for a sink
 * that skips frames and asks for IDRs; once a second, coded as an
 * unchanged picture, for one that does not skip; as an IDR every
 * interval where receivers may join at any time), and the stream wakes
 * for PSI, PCR and the audio track, not every 20 ms.
 */
static void test_idle(void)
{
	uint64_t t = T0;
	int ret, wakes, encodes, idrs;

	setup(5000, 20000);
	stream_play(&st, true, t);
	ret = frame(t, t + MS);
	idle_for(&t, 1000, &ret);
	stream_pause(&st);
	idle_for(&t, 100, &ret);
	wakes = idle_for(&t, 10000, &ret);
	check(ret == STREAM_OK && wakes == 0 && stream_deadline(&st) == UINT64_MAX,
	      "idle: paused, no wake-up in 10 s (%d)", wakes);

	/* A sink that skips frames without a limit and asks for IDRs. */
	stream_idle(&st, 0, false);
	stream_play(&st, true, t);
	idle_for(&t, 500, &ret);
	encodes = enc.encodes;
	wakes = idle_for(&t, 10000, &ret);
	check(ret == STREAM_OK && enc.encodes == encodes,
	      "idle: frame skipping, no picture in 10 s (%d)", enc.encodes - encodes);
	check(wakes <= 10 * 55, "idle: %d wake-ups in 10 s, for PSI, PCR and audio", wakes);
	demux();
	check(dmx.lpcm >= 990, "idle: the audio track flows (%d PES)", dmx.lpcm);

	/* A sink that does not skip frames: once a second, an unchanged picture. */
	stream_idle(&st, 1000, false);
	encodes = enc.encodes;
	idrs = enc.idrs;
	idle_for(&t, 10000, &ret);
	check(ret == STREAM_OK && enc.encodes - encodes >= 9 && enc.encodes - encodes <= 11 &&
	      enc.repeats == enc.encodes - encodes && enc.idrs == idrs,
	      "idle: no frame skipping, %d refreshes, %d repeats, %d IDRs",
	      enc.encodes - encodes, enc.repeats, enc.idrs - idrs);

	/* A loss on a static picture: the IDR comes without a new frame. */
	stream_idle(&st, 0, false);
	idle_for(&t, 300, &ret);
	sock.fail_at = sock.attempts;
	sock.fail_err = -ENOBUFS;
	sock.fail_count = 1;
	idrs = enc.idrs;
	idle_for(&t, 1000, &ret);
	check(ret == STREAM_OK && enc.idrs == idrs + 1, "idle: a loss brings an IDR anyway");

	/* Receivers that may join at any time: an IDR every interval. */
	stream_idle(&st, 1000, true);
	encodes = enc.encodes;
	idrs = enc.idrs;
	idle_for(&t, 10000, &ret);
	check(ret == STREAM_OK && enc.idrs - idrs >= 9 && enc.idrs - idrs <= 11 &&
	      enc.encodes - encodes == enc.idrs - idrs,
	      "idle: direct mode, an IDR a second (%d)", enc.idrs - idrs);
	demux();
	check(!dmx.pts_back && !dmx.cc_errors, "idle: PTS and continuity");
}

/*
 * The loop is the encoder's too: while it encodes, nothing is paced.  A
 * frame whose deadline passed meanwhile must not leave in one burst: it
 * leaves over half its own time at least.
 */
static void test_pacing_after_stall(void)
{
	uint64_t t = T0;
	int ret, from;

	setup(16666, 200000);
	st.cfg.idr_ms = 100000;
	stream_play(&st, false, t);
	ret = run_for(&t, 300);
	/* A frame, then 80 ms of an encoder that holds the loop. */
	ret = ret == STREAM_OK ? frame(t, t + MS) : ret;
	from = sock.n;
	t += 80 * MS;
	ret = ret == STREAM_OK ? run_for(&t, 300) : ret;
	demux();
	check(ret == STREAM_OK && largest_burst(from, NULL) <= 4,
	      "pacing: after a stall, a late frame in bursts of at most 4 (%d)",
	      largest_burst(from, NULL));
	/* An IDR late by 80 ms. */
	stream_idr(&st);
	ret = ret == STREAM_OK ? frame(t, t + MS) : ret;
	from = sock.n;
	t += 80 * MS;
	ret = ret == STREAM_OK ? run_for(&t, 300) : ret;
	check(ret == STREAM_OK && largest_burst(from, NULL) <= 12,
	      "pacing: after a stall, a late IDR in bursts of at most 12 (%d)",
	      largest_burst(from, NULL));
}

static uint64_t monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Where the loop cannot make both in time, the sound goes first: while
 * the audio track is more than 150 ms behind, pictures wait (the daemon
 * does not acquire them); once the track has caught up, they flow again.
 * Without the thread, the loop's tick pumps the track: a loop that was
 * away for 200 ms finds it late until its next tick.
 */
static void test_sound_first(void)
{
	uint64_t t = T0;
	int ret;
	bool before, during, after, video;

	setup(5000, 20000);
	stream_set_audio(&st, AUDIO_LPCM, NULL);
	stream_play(&st, true, t);
	ret = run_for(&t, 300);
	before = stream_sound_late(&st, t);
	t += 200 * MS;
	during = stream_sound_late(&st, t) && stream_sound_late(&st, t + MS);
	ret = ret == STREAM_OK ? run_until(t) : ret;
	after = stream_sound_late(&st, t);
	stream_play(&st, false, t);
	video = stream_sound_late(&st, t + 2000 * MS);
	check(ret == STREAM_OK && !before && during && !after,
	      "sound first: on time, 200 ms late, on time again after a tick (%d %d %d)", before,
	      during, after);
	check(!video && st.sound_late == 1,
	      "sound first: without sound never late; one time late counted once (%llu)",
	      (unsigned long long)st.sound_late);
}

/*
 * The stream on the real clock, to a loopback socket that stamps what it
 * receives (*@rx), from *@tx: with it, the stream's threads run.
 */
static int real_stream(int *rx, int *tx)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);

	*rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	*tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (*rx < 0 || *tx < 0 || bind(*rx, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(*rx, SOL_SOCKET, SO_RCVBUF, &(int){ 4 << 20 }, sizeof(int)) ||
	    setsockopt(*rx, SOL_SOCKET, SO_TIMESTAMPNS, &(int){ 1 }, sizeof(int)) ||
	    getsockname(*rx, (struct sockaddr *)&sa, &len) ||
	    connect(*tx, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	setup(16666, 200000);
	stream_stop(&st);
	stream_init(&st, &(struct stream_config){ .latency_ms = 100, .idr_ms = 100000,
						  .idr_min_ms = 250 });
	return 0;
}

/*
 * To a real socket, a thread of the stream paces: an IDR queued just
 * before the loop goes away for 300 ms (an encode) arrives whole, paced,
 * meanwhile.  Real time, so only loose bounds.
 */
static void test_pacer_thread(void)
{
	uint64_t t0, kt[512], first = 0, last = 0, wakeups;
	int rx, tx, n = 0, burst = 1, best = 1, ret;
	uint16_t seq = 0;
	bool in_order = true;

	if (real_stream(&rx, &tx)) {
		check(0, "pacer thread: loopback sockets: %s", strerror(errno));
		return;
	}
	t0 = monotonic();
	stream_start(&st, fe, tx, t0);
	stream_play(&st, false, t0);
	ret = stream_frame(&st, t0, 1, NULL, t0);
	check(ret == STREAM_OK && st.threaded, "pacer thread: running");
	usleep(300000);
	for (;;) {
		union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(struct timespec))]; } c;
		uint8_t buf[RTP_PACKET_SIZE];
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &c,
				     .msg_controllen = sizeof(c) };
		struct cmsghdr *cm;
		struct timespec ts = { 0 };

		if (recvmsg(rx, &mh, 0) != RTP_PACKET_SIZE || n == 512)
			break;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS)
				memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
		kt[n] = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		if (n && (uint16_t)(buf[2] << 8 | buf[3]) != (uint16_t)(seq + 1))
			in_order = false;
		seq = (uint16_t)(buf[2] << 8 | buf[3]);
		if (n && kt[n] - kt[n - 1] < 500000) {
			if (++burst > best)
				best = burst;
		} else if (n) {
			burst = 1;
		}
		if (!n)
			first = kt[n];
		last = kt[n];
		n++;
	}
	/* Its 150-odd datagrams, the first PSI and PCR, the tick's. */
	check(n >= 155 && in_order, "pacer thread: the IDR's %d datagrams, in order", n);
	check(best <= 12 && last - first >= 30000000ull,
	      "pacer thread: in bursts of at most 12 (%d), over %llu ms", best,
	      (unsigned long long)((last - first) / 1000000));
	/* Paused, with nothing queued, the loop's passes leave the pacer asleep. */
	stream_pause(&st);
	usleep(100000);
	pthread_mutex_lock(&st.lock);
	wakeups = st.pacer_wakeups;
	pthread_mutex_unlock(&st.lock);
	for (int i = 0; i < 100; i++) {
		stream_run(&st, monotonic());
		usleep(2000);
	}
	pthread_mutex_lock(&st.lock);
	wakeups = st.pacer_wakeups - wakeups;
	pthread_mutex_unlock(&st.lock);
	check(wakeups == 0, "pacer thread: paused, 100 passes of the loop woke it %llu times",
	      (unsigned long long)wakeups);
	stream_stop(&st);
	close(rx);
}

/* The audio PES a loopback receiver got: PTS and when it came. */
static struct {
	int n;
	uint64_t pts[1024], at[1024];
} aud;

/* Read what has come to @rx until @until (0: only what is there). */
static void receive(int rx, uint64_t until)
{
	for (;;) {
		uint8_t d[RTP_PACKET_SIZE];
		uint64_t now = monotonic();
		struct pollfd p = { .fd = rx, .events = POLLIN };

		if (until && now < until && poll(&p, 1, (int)((until - now) / MS) + 1) < 0)
			return;
		if (recv(rx, d, sizeof(d), 0) != RTP_PACKET_SIZE) {
			if (!until || monotonic() >= until)
				return;
			continue;
		}
		for (int i = 0; i < RTP_TS_PER_PACKET; i++) {
			const uint8_t *p = d + RTP_HEADER_SIZE + i * TS_PACKET_SIZE;
			unsigned int pid = (unsigned int)(p[1] & 0x1f) << 8 | p[2];
			size_t off = 4 + ((p[3] & 0x20) ? 1 + p[4] : 0);

			if (pid != TS_PID_AUDIO || !(p[1] & 0x40) || aud.n == 1024)
				continue;
			aud.pts[aud.n] = get_pts(p + off + 9);
			aud.at[aud.n++] = monotonic();
		}
	}
}

/* The daemon's loop on the real clock for @ms: a frame every 33 ms. */
static int run_real(int rx, unsigned int ms)
{
	uint64_t end = monotonic() + ms * MS, next_frame = 0;
	int ret = STREAM_OK;

	while (ret == STREAM_OK && monotonic() < end) {
		uint64_t now = monotonic();

		if (now >= next_frame) {
			ret = stream_frame(&st, now, 1, NULL, now);
			next_frame = now + 33 * MS;
		}
		if (ret == STREAM_OK)
			ret = stream_run(&st, monotonic());
		receive(rx, 0);
		usleep(2000);
	}
	return ret;
}

/*
 * To a real socket, the audio track has a thread of its own: while an
 * encode holds the loop for 1.2 s (x264 and an AAC encoder in an emulator
 * hold it for long), the sound goes on, and its PTS never jump.  (Pumped
 * by the loop, none came meanwhile, and the track fell more than a second
 * behind and started again.)
 */
static void test_audio_thread(void)
{
	uint64_t stall, resume, during = 0;
	int rx, tx, ret, jumps = 0;
	bool late;

	if (real_stream(&rx, &tx)) {
		check(0, "audio thread: loopback sockets: %s", strerror(errno));
		return;
	}
	memset(&aud, 0, sizeof(aud));
	stream_set_audio(&st, AUDIO_LPCM, NULL);
	stream_start(&st, fe, tx, monotonic());
	stream_play(&st, true, monotonic());
	ret = run_real(rx, 300);
	stall = monotonic();
	receive(rx, stall + 1200 * MS);
	resume = monotonic();
	late = stream_sound_late(&st, resume);
	ret = ret == STREAM_OK ? run_real(rx, 300) : ret;
	stream_stop(&st);
	receive(rx, 0);
	close(rx);
	for (int i = 0; i < aud.n; i++) {
		if (i && aud.pts[i] != aud.pts[i - 1] + 900)
			jumps++;
		during += aud.at[i] > stall + 100 * MS && aud.at[i] < resume - 100 * MS;
	}
	check(!late, "audio thread: the sound was not late after the loop's 1.2 s away");
	check(ret == STREAM_OK && aud.n >= 150, "audio thread: %d LPCM PES in 1.8 s", aud.n);
	check(during >= 80, "audio thread: %llu of them while the loop was held for 1.2 s",
	      (unsigned long long)during);
	check(!jumps, "audio thread: PTS 10 ms apart throughout (%d jumps)", jumps);
}

int main(void)
{
	test_basic();
	test_loss_idr();
	test_refused();
	test_pts();
	test_pacing();
	test_pacing_after_stall();
	test_full_socket();
	test_idle();
	test_sound_first();
	test_pacer_thread();
	test_audio_thread();
	stream_stop(&st);
	frame_encoder_destroy(fe);
	return tap_done();
}
