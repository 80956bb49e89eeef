// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The audio ring, its clock and the audio track, in simulated time: an
 * input whose driver runs at 48 kHz of CLOCK_MONOTONIC, or 0.1 % fast or
 * slow, with jittery stamps, gaps, and a consumer loop that stalls; LPCM
 * packets out, and AAC packets decoded back with libavcodec.  Checks
 * that the output has 48000 frames a monotonic second, that every input
 * frame plays at the time its stamp says (within two frames), that gaps
 * are silence without a PTS jump, and that AAC's priming is compensated.
 * KTAP output.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>

#include "audio.h"
#include "tap.h"
#include "tsmux.h"
#include "wfdparams.h"

#define MS	1000000ull
#define SEC	1000000000ull
#define MAXOUT	(AUDIO_RATE * 130)

/* What the track sent, put back on its output frame index. */
static int16_t *outbuf;		/* left channel only */
static size_t out_max;		/* highest index written + 1 */
static uint64_t out_t0;
static uint64_t last_play, packets, pts_jumps;
static size_t last_len;
static enum audio_codec last_codec;
static AVCodecContext *dec;

static int64_t frame_of(uint64_t play_ns)
{
	double d = ((double)play_ns - (double)out_t0) * AUDIO_RATE / 1e9;

	return (int64_t)llround(d);
}

static void put(int64_t at, const int16_t *left, size_t n, size_t stride)
{
	for (size_t i = 0; i < n; i++) {
		int64_t j = at + (int64_t)i;

		if (j < 0 || j >= MAXOUT)
			continue;
		outbuf[j] = left[i * stride];
		if ((size_t)j + 1 > out_max)
			out_max = (size_t)j + 1;
	}
}

static void decode_aac(const uint8_t *adts, size_t len, uint64_t play_ns)
{
	AVPacket *p = av_packet_alloc();
	AVFrame *f = av_frame_alloc();
	int16_t tmp[AUDIO_AAC_FRAMES];

	p->data = (uint8_t *)adts;
	p->size = (int)len;
	if (avcodec_send_packet(dec, p) == 0) {
		while (avcodec_receive_frame(dec, f) == 0) {
			const float *l = (const float *)f->data[0];
			int n = f->nb_samples < AUDIO_AAC_FRAMES ? f->nb_samples : AUDIO_AAC_FRAMES;

			for (int i = 0; i < n; i++) {
				float v = l[i] * 32768.0f;

				tmp[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
			}
			put(frame_of(play_ns), tmp, (size_t)n, 1);
		}
	}
	av_frame_free(&f);
	p->data = NULL;
	p->size = 0;
	av_packet_free(&p);
}

static int on_packet(void *opaque, enum audio_codec codec, const uint8_t *data, size_t len,
		     uint64_t play_ns)
{
	size_t frames = codec == AUDIO_LPCM ? AUDIO_LPCM_FRAMES : AUDIO_AAC_FRAMES;

	(void)opaque;
	if (packets && play_ns != last_play + audio_frames_ns(frames) &&
	    llabs((long long)(play_ns - last_play - audio_frames_ns(frames))) > 1)
		pts_jumps++;
	packets++;
	last_play = play_ns;
	last_len = len;
	last_codec = codec;
	if (codec == AUDIO_LPCM) {
		int16_t left[AUDIO_LPCM_FRAMES];

		for (size_t i = 0; i < AUDIO_LPCM_FRAMES; i++)
			left[i] = (int16_t)(data[4 * i] << 8 | data[4 * i + 1]);
		put(frame_of(play_ns), left, AUDIO_LPCM_FRAMES, 1);
	} else {
		decode_aac(data, len, play_ns);
	}
	return 0;
}

static void reset_out(uint64_t t0)
{
	memset(outbuf, 0, MAXOUT * sizeof(*outbuf));
	out_max = 0;
	out_t0 = t0;
	packets = pts_jumps = 0;
}

/*
 * The simulated input: frame i of the input plays at
 * start + i / (48000 * (1 + skew)) s; its stamps get @jitter_ns of
 * noise.  Signal: @kind 0: DC 100 with clicks of 20000 at the frames in
 * clicks[]; 1: a 1 kHz sine of amplitude 8192 (-12 dBFS) from frame
 * @tone_from on, silence before.
 */
struct sim {
	double skew;
	uint64_t start;
	int64_t jitter_ns;
	int kind;
	uint64_t tone_from;
	const uint64_t *clicks;
	int nclicks;
	/* Blocks of the input not delivered, [gap_from, gap_to) in frames. */
	uint64_t gap_from, gap_to;
	/*
	 * Every @late_every blocks, one comes a cycle late, stamped like the
	 * next (PipeWire's data thread on a busy machine).
	 */
	int late_every;
	/*
	 * The data thread stalls: blocks [stall_from, stall_from + stall_blocks)
	 * come only when the block after them is due, all stamped with its time.
	 */
	uint64_t stall_from;
	int stall_blocks;
	uint64_t next;		/* next input frame */
};

static double in_time(const struct sim *s, uint64_t i)
{
	return (double)s->start + (double)i * 1e9 / (AUDIO_RATE * (1 + s->skew));
}

static int16_t in_value(const struct sim *s, uint64_t i)
{
	if (s->kind == 1) {
		if (i < s->tone_from)
			return 0;
		return (int16_t)lrint(8192 * sin(2 * M_PI * 1000.0 * (double)(i - s->tone_from) /
						  AUDIO_RATE));
	}
	for (int k = 0; k < s->nclicks; k++)
		if (s->clicks[k] == i)
			return 20000;
	return 100;
}

/* Deliver the input blocks (480 frames) whose start is 1 ms or more before @now. */
static void sim_feed(struct sim *s, struct audio_ring *r, uint64_t now)
{
	int16_t blk[480 * 2];

	while (in_time(s, s->next) + 1e6 <= (double)now) {
		uint64_t i = s->next, stall_end = s->stall_from + 480 * (uint64_t)s->stall_blocks;

		if (s->stall_blocks && i >= s->stall_from && i < stall_end &&
		    in_time(s, stall_end) + 1e6 > (double)now)
			break;
		int64_t noise = s->jitter_ns ? (rand() % (2 * s->jitter_ns + 1)) - s->jitter_ns : 0;

		uint64_t stamp_of = i;

		if (s->late_every && (i / 480) % (uint64_t)s->late_every == 1)
			stamp_of = i + 480;
		if (s->stall_blocks && i >= s->stall_from && i < stall_end)
			stamp_of = stall_end;
		for (int j = 0; j < 480; j++)
			blk[2 * j] = blk[2 * j + 1] = in_value(s, i + (uint64_t)j);
		if (!(i >= s->gap_from && i < s->gap_to))
			audio_ring_write(r, blk, 480,
					 (uint64_t)((int64_t)llround(in_time(s, stamp_of)) + noise));
		s->next += 480;
	}
}

/* Run from the track's start for @secs, pumping every @tick_ns (a stall: @stall_at for @stall_ns). */
static void run(struct sim *s, struct audio_ring *r, struct audio_track *t, uint64_t from,
		double secs, uint64_t tick_ns, uint64_t stall_at, uint64_t stall_ns)
{
	uint64_t end = from + (uint64_t)(secs * 1e9), next_tick = from;

	for (uint64_t now = from; now < end; now += MS) {
		sim_feed(s, r, now);
		if (now >= next_tick) {
			if (stall_ns && now >= stall_at && now < stall_at + stall_ns)
				continue;
			audio_track_pump(t, now);
			next_tick = now + tick_ns;
		}
	}
}

/* Where the output has a click, in output frames; -1 if none after @from. */
static int64_t find_click(size_t from)
{
	for (size_t i = from; i < out_max; i++)
		if (outbuf[i] > 10000)
			return (int64_t)i;
	return -1;
}

static void drift(double skew, int64_t jitter_ns, int late_every)
{
	static const uint64_t clicks[] = { 48000, 480000 + 17, 4800000 + 333 };
	struct sim s = { .skew = skew, .start = 1000 * SEC + 3 * MS + 12345, .jitter_ns = jitter_ns,
			 .clicks = clicks, .nclicks = 3, .late_every = late_every };
	struct audio_track t;
	struct audio_ring r;
	uint64_t t0 = 1000 * SEC;
	int64_t worst = 0, first = 0;
	size_t silent_late = 0;
	bool all = true;

	audio_ring_init(&r);
	audio_track_init(&t, on_packet, NULL);
	reset_out(t0);
	audio_track_start(&t, AUDIO_LPCM, &r, t0);
	run(&s, &r, &t, t0, 102, 20 * MS, 0, 0);
	for (int k = 0; k < 3; k++) {
		/* The click must play when its stamp says, whatever the drift. */
		int64_t want = frame_of((uint64_t)llround(in_time(&s, clicks[k])));
		int64_t got = find_click(want > 100 ? (size_t)want - 100 : 0);
		int64_t off = got < 0 ? 999999 : llabs(got - want);

		if (!k)
			first = off;
		else if (off > worst)
			worst = off;
		all &= got >= 0;
	}
	for (size_t i = AUDIO_RATE; i < out_max; i++)
		silent_late += outbuf[i] == 0;
	/*
	 * Jittery stamps move the model's phase a little: 4 frames are 83 us.
	 * While the loop locks on to a skewed driver, the first second may
	 * be up to 1 ms off.
	 */
	check(all && worst <= (jitter_ns || late_every ? 4 : 2) && first <= 48,
	      "skew %+.0f ppm, jitter %lld us%s: clicks at 10 s and 100 s play within %d frames "
	      "of their stamps (worst %lld), at 1 s within 48 (%lld)", skew * 1e6,
	      (long long)jitter_ns / 1000, late_every ? ", late callbacks" : "",
	      jitter_ns || late_every ? 4 : 2, (long long)worst, (long long)first);
	check(!silent_late && !pts_jumps && packets >= 100 * 100,
	      "skew %+.0f ppm: no silence after the first second, %llu packets, no PTS jump "
	      "(%zu silent, %llu jumps, %llu slips, %llu re-anchors)", skew * 1e6,
	      (unsigned long long)packets, silent_late, (unsigned long long)pts_jumps,
	      (unsigned long long)r.slips, (unsigned long long)r.reanchors);
	if (late_every)
		check(r.reanchors == 0, "a callback a cycle late every %d blocks: no new anchor",
		      late_every);
	else if (skew == 0 && !jitter_ns)
		check(r.slips == 0, "the same clock: no frame slipped (%llu)",
		      (unsigned long long)r.slips);
	else
		check(fabs((double)r.slips - fabs(skew) * AUDIO_RATE * 102) <=
		      fabs(skew) * AUDIO_RATE * 102 * 0.1 + 50,
		      "skew %+.0f ppm: %llu frames slipped, as many as the drift (%.0f)",
		      skew * 1e6, (unsigned long long)r.slips, fabs(skew) * AUDIO_RATE * 102);
	audio_track_stop(&t);
	audio_ring_destroy(&r);
}

/* Zero-crossing frequency and peak level (from the RMS) of outbuf[from, to). */
static void measure(size_t from, size_t to, double *hz, double *dbfs)
{
	double first = -1, last = -1, sum = 0;
	int n = 0;

	for (size_t i = from; i + 1 < to; i++) {
		sum += (double)outbuf[i] * outbuf[i];
		if (outbuf[i] < 0 && outbuf[i + 1] >= 0) {
			double x = (double)i + (double)-outbuf[i] / (outbuf[i + 1] - outbuf[i]);

			if (first < 0)
				first = x;
			last = x;
			n++;
		}
	}
	*hz = n > 1 ? (n - 1) * (double)AUDIO_RATE / (last - first) : 0;
	*dbfs = 20 * log10(sqrt(sum / (double)(to - from)) * sqrt(2) / 32768);
}

static void tone(enum audio_codec codec)
{
	/* The tone starts 2 s into the input. */
	struct sim s = { .start = 50 * SEC + 7 * MS, .kind = 1, .tone_from = 2 * AUDIO_RATE };
	struct audio_track t;
	struct audio_ring r;
	uint64_t t0 = 50 * SEC;
	int64_t want, got = -1;
	double hz, db;

	audio_ring_init(&r);
	audio_track_init(&t, on_packet, NULL);
	reset_out(t0);
	check(audio_track_start(&t, codec, &r, t0) == 0, "%s: the track starts",
	      audio_codec_name(codec));
	run(&s, &r, &t, t0, 6, 20 * MS, 0, 0);
	want = frame_of((uint64_t)llround(in_time(&s, s.tone_from)));
	for (size_t i = 0; i < out_max; i++) {
		if (abs(outbuf[i]) > 1000) {
			got = (int64_t)i;
			break;
		}
	}
	/* The first sample of the sine over 1000 is 1 frame in. */
	check(got >= 0 && llabs(got - 1 - want) <= (codec == AUDIO_AAC ? 48 : 0),
	      "%s: the tone's onset plays at its stamp (%+lld frames)%s", audio_codec_name(codec),
	      (long long)(got - 1 - want), codec == AUDIO_AAC ? ", the priming compensated" : "");
	measure((size_t)want + AUDIO_RATE / 2, (size_t)want + 3 * AUDIO_RATE, &hz, &db);
	check(fabs(hz - 1000) <= 10 && fabs(db - -12.04) <= 1,
	      "%s: 1 kHz at -12 dBFS comes out at %.2f Hz, %.2f dBFS", audio_codec_name(codec),
	      hz, db);
	check(!pts_jumps && last_codec == codec && (codec != AUDIO_AAC || last_len > 7),
	      "%s: %llu packets, consecutive PTS", audio_codec_name(codec),
	      (unsigned long long)packets);
	audio_track_stop(&t);
	audio_ring_destroy(&r);
}

static void underrun(void)
{
	/* 300 ms of input never arrive, 2 s in. */
	struct sim s = { .start = 10 * SEC + 2 * MS, .gap_from = 2 * AUDIO_RATE,
			 .gap_to = 2 * AUDIO_RATE + 14400 };
	struct audio_track t;
	struct audio_ring r;
	uint64_t t0 = 10 * SEC;
	size_t silent = 0, first_silent = 0;
	int64_t after;

	audio_ring_init(&r);
	audio_track_init(&t, on_packet, NULL);
	reset_out(t0);
	audio_track_start(&t, AUDIO_LPCM, &r, t0);
	run(&s, &r, &t, t0, 5, 20 * MS, 0, 0);
	for (size_t i = AUDIO_RATE / 2; i < out_max; i++) {
		if (!outbuf[i] && !silent++)
			first_silent = i;
	}
	after = frame_of((uint64_t)llround(in_time(&s, s.gap_to)));
	check(!pts_jumps && packets >= 490, "underrun: packets go on with consecutive PTS (%llu)",
	      (unsigned long long)packets);
	check(silent >= 14400 && silent <= 14400 + 480 && llabs((int64_t)first_silent -
	      frame_of((uint64_t)llround(in_time(&s, s.gap_from)))) <= 1 && outbuf[after + 2] == 100,
	      "underrun: the 300 ms missing are silence (%zu frames), the input after plays on time",
	      silent);
	audio_track_stop(&t);
	audio_ring_destroy(&r);
}

/* What a one-click input @s made of LPCM: silence after the first 100 ms, and the click's error. */
struct click_run {
	size_t silent;
	int64_t off;			/* frames the click is late */
	uint64_t reanchors, steps;
};

static struct click_run run_click(struct sim *s)
{
	struct click_run cr = { 0 };
	struct audio_track t;
	struct audio_ring r;
	uint64_t t0 = 30 * SEC;
	int64_t want;

	audio_ring_init(&r);
	audio_track_init(&t, on_packet, NULL);
	reset_out(t0);
	audio_track_start(&t, AUDIO_LPCM, &r, t0);
	run(s, &r, &t, t0, 5, 20 * MS, 0, 0);
	for (size_t i = 4800; i < out_max; i++)
		cr.silent += !outbuf[i];
	want = frame_of((uint64_t)llround(in_time(s, s->clicks[0])));
	cr.off = find_click((size_t)want - 2000) - want;
	cr.reanchors = r.reanchors;
	cr.steps = r.steps;
	audio_track_stop(&t);
	audio_ring_destroy(&r);
	return cr;
}

/* PipeWire's data thread stalls 50 ms, then runs the late cycles back to back. */
static void late_cycles(void)
{
	static const uint64_t clicks[] = { 3 * AUDIO_RATE + 100 };
	struct sim s = { .start = 30 * SEC + 4 * MS, .clicks = clicks, .nclicks = 1,
			 .stall_from = 3 * AUDIO_RATE - 480 * 2, .stall_blocks = 5 };
	struct click_run cr = run_click(&s);

	check(!cr.silent && !pts_jumps && !cr.reanchors && llabs(cr.off) <= 2,
	      "a 50 ms stall of the data thread: no silence, no new anchor, the sound on time "
	      "(%zu silent, %llu re-anchors, click %+lld frames)", cr.silent,
	      (unsigned long long)cr.reanchors, (long long)cr.off);
}

/*
 * Input lost: two blocks never come (PipeWire recycled them before the
 * data thread took them), the stamps of those after are right.  What
 * comes after belongs 20 ms later: within three blocks the sound is back
 * on time, with silence where the lost blocks were and nothing twice.
 */
static void lost_cycles(void)
{
	static const uint64_t clicks[] = { 3 * AUDIO_RATE + 4800 };
	struct sim s = { .start = 30 * SEC + 4 * MS, .clicks = clicks, .nclicks = 1,
			 .gap_from = 3 * AUDIO_RATE - 960, .gap_to = 3 * AUDIO_RATE };
	struct click_run cr = run_click(&s);

	check(!pts_jumps && !cr.reanchors && cr.steps == 1 && cr.silent >= 900 &&
	      cr.silent <= 960 + 480 && llabs(cr.off) <= 2,
	      "20 ms of input lost: %zu frames of silence, %llu steps, the sound on time 100 ms "
	      "later (click %+lld frames)", cr.silent, (unsigned long long)cr.steps,
	      (long long)cr.off);
}

/*
 * A slow encoder: while each packet is made (the emulator: AAC at less
 * than real time), the data thread writes the next block.  A pump emits
 * what is due at its @now and returns, however much input keeps coming:
 * the loop has frames to encode too.
 */
struct feeder {
	struct audio_ring *r;
	uint64_t next_ns;
	int16_t blk[480 * 2];
	unsigned int packets;
};

static int feed_while_encoding(void *opaque, enum audio_codec codec, const uint8_t *data,
			       size_t len, uint64_t play_ns)
{
	struct feeder *f = opaque;

	(void)codec, (void)data, (void)len, (void)play_ns;
	if (++f->packets < 1000) {
		audio_ring_write(f->r, f->blk, 480, f->next_ns);
		f->next_ns += 10 * MS;
	}
	return 0;
}

static void slow_encoder(void)
{
	struct audio_ring r;
	struct audio_track t;
	struct feeder f = { .r = &r, .next_ns = 60 * SEC };

	audio_ring_init(&r);
	for (int i = 0; i < 10; i++, f.next_ns += 10 * MS)
		audio_ring_write(&r, f.blk, 480, f.next_ns);
	audio_track_init(&t, feed_while_encoding, &f);
	audio_track_start(&t, AUDIO_LPCM, &r, 60 * SEC);
	audio_track_pump(&t, 60 * SEC + 100 * MS);
	check(f.packets <= 11, "input that keeps coming while packets are made: one pump emits "
	      "what is due, %u packets (at most 11)", f.packets);
	audio_track_stop(&t);
	audio_ring_destroy(&r);
}

static void stall(void)
{
	struct sim s = { .start = 20 * SEC };
	struct audio_track t;
	struct audio_ring r;
	uint64_t t0 = 20 * SEC;
	size_t silent = 0;

	audio_ring_init(&r);
	audio_track_init(&t, on_packet, NULL);
	reset_out(t0);
	audio_track_start(&t, AUDIO_LPCM, &r, t0);
	/* An encoder that takes 400 ms: the track catches up from the ring. */
	run(&s, &r, &t, t0, 4, 20 * MS, t0 + 2 * SEC, 400 * MS);
	for (size_t i = 4800; i < out_max; i++)
		silent += !outbuf[i];
	check(!pts_jumps && !silent && out_max >= 3 * AUDIO_RATE,
	      "a 400 ms stall of the loop: caught up from the ring, no gap, no jump");
	reset_out(t0 + 10 * SEC);
	audio_track_pump(&t, t0 + 10 * SEC);
	check(t.t0 == t0 + 10 * SEC, "a stall of seconds: the timeline starts again at the present");
	audio_track_stop(&t);
	audio_ring_destroy(&r);
}

static void silence_without_ring(void)
{
	struct audio_track t;
	uint64_t t0 = 5 * SEC;

	audio_track_init(&t, on_packet, NULL);
	reset_out(t0);
	audio_track_start(&t, AUDIO_LPCM, NULL, t0);
	for (uint64_t now = t0; now <= t0 + 1 * SEC; now += 20 * MS)
		audio_track_pump(&t, now);
	check(packets == 100 && !pts_jumps && last_play == t0 + 990 * MS && last_len == 1920,
	      "no PipeWire: 10 ms of silent LPCM every 10 ms, as before (%llu packets)",
	      (unsigned long long)packets);
	audio_track_stop(&t);
}

static uint8_t ts[64][TS_PACKET_SIZE];
static int nts;

static int ts_out(const uint8_t *pkt, void *opaque)
{
	(void)opaque;
	if (nts < 64)
		memcpy(ts[nts++], pkt, TS_PACKET_SIZE);
	return 0;
}

/* The PMT's audio entry and an AAC PES as the muxer lays them out. */
static void mux_aac(void)
{
	struct ts_mux m;
	uint8_t adts[400];
	const uint8_t *pmt = NULL, *pes = NULL;
	int es = 0;

	adts_header(adts, sizeof(adts) - 7);
	memset(adts + 7, 0x5a, sizeof(adts) - 7);
	ts_mux_init(&m, ts_out, NULL);
	ts_mux_set_audio_type(&m, TS_STREAM_TYPE_AAC);
	nts = 0;
	ts_mux_aac(&m, adts, sizeof(adts), 90000, 27000000);
	for (int i = 0; i < nts; i++) {
		unsigned int pid = (unsigned int)(ts[i][1] & 0x1f) << 8 | ts[i][2];

		if (pid == TS_PID_PMT)
			pmt = ts[i];
		if (pid == TS_PID_AUDIO) {
			if (ts[i][1] & 0x40)
				pes = ts[i] + 4 + (ts[i][3] & 0x20 ? 1 + ts[i][4] : 0);
			es += 184 - (ts[i][3] & 0x20 ? 1 + ts[i][4] : 0);
		}
	}
	/* PMT: header 8 + PCR PID 2 + info 2 + video 5, then the audio entry. */
	check(pmt && pmt[5 + 17] == TS_STREAM_TYPE_AAC && (pmt[5 + 18] & 0x1f) == 0x11 &&
	      pmt[5 + 19] == 0x00 && pmt[5 + 20] == 0xf0 && pmt[5 + 21] == 0x00 &&
	      pmt[5 + 2] == 18 + 5, "PMT: AAC (0x0f) on 0x1100, no descriptor");
	check(pes && pes[0] == 0 && pes[1] == 0 && pes[2] == 1 && pes[3] == 0xc0 &&
	      (pes[4] << 8 | pes[5]) == 8 + (int)sizeof(adts) && pes[7] == 0x80 &&
	      (pes[9] >> 4) == 2 && pes[14] == 0xff && es == 14 + (int)sizeof(adts),
	      "PES: audio stream 0xc0 with PTS, its length, the ADTS frame whole");
	ts_mux_set_audio_type(&m, TS_STREAM_TYPE_LPCM);
	nts = 0;
	ts_mux_tick(&m, 28000000);
	check(nts >= 2 && ts[1][5 + 17] == TS_STREAM_TYPE_LPCM && ts[1][5 + 22] == 0x83 &&
	      ((ts[1][5 + 5] >> 1) & 0x1f) == 2, "back to LPCM: its descriptor, a new PMT version");
}

/* M4's audio: LPCM when both sides take it, AAC otherwise, nothing outside @allow. */
static void choose(void)
{
	const unsigned int both = 1u << WFD_AUDIO_LPCM | 1u << WFD_AUDIO_AAC;
	struct wfd_audio_codecs sink = { .n = 2, .codecs = {
		{ .format = WFD_AUDIO_AAC, .modes = 0x1 },
		{ .format = WFD_AUDIO_LPCM, .modes = 0x3 } } }, out;
	struct wfd_audio_codecs aac_only = { .n = 1, .codecs = {
		{ .format = WFD_AUDIO_AAC, .modes = 0x7 } } };
	struct wfd_audio_codecs lpcm_44k = { .n = 1, .codecs = {
		{ .format = WFD_AUDIO_LPCM, .modes = 0x1 } } };

	check(!wfd_choose_audio_from(&sink, both, &out) && out.n == 1 &&
	      out.codecs[0].format == WFD_AUDIO_LPCM && out.codecs[0].modes == 0x2,
	      "M4 audio: LPCM 48 kHz when the sink lists it, even after AAC");
	check(!wfd_choose_audio_from(&sink, 1u << WFD_AUDIO_AAC, &out) &&
	      out.codecs[0].format == WFD_AUDIO_AAC && out.codecs[0].modes == 0x1,
	      "M4 audio: --audio aac picks AAC 48 kHz stereo");
	check(!wfd_choose_audio_from(&aac_only, both, &out) && out.codecs[0].format == WFD_AUDIO_AAC,
	      "M4 audio: a sink that lists only AAC gets AAC");
	check(wfd_choose_audio_from(&aac_only, 1u << WFD_AUDIO_LPCM, &out) == -ENOENT &&
	      wfd_choose_audio_from(&lpcm_44k, both, &out) == -ENOENT &&
	      wfd_choose_audio_from(&sink, 0, &out) == -ENOENT,
	      "M4 audio: none when nothing fits (44.1 kHz only, --audio lpcm for an AAC sink, none)");
}

static void small_things(void)
{
	uint8_t h[7], edid[128] = { 0 };
	char name[14];
	static const uint8_t desc[18] = { 0, 0, 0, 0xfc, 0, 'L', 'i', 'v', 'i', 'n', 'g', ' ',
					  'r', 'o', 'o', 'm', 0x0a, ' ' };

	adts_header(h, 300);
	check(h[0] == 0xff && h[1] == 0xf1 && h[2] == 0x4c && h[3] == 0x80 &&
	      ((h[3] & 3) << 11 | h[4] << 3 | h[5] >> 5) == 307 && h[6] == 0xfc,
	      "ADTS: AAC-LC, 48 kHz, 2 channels, frame length with the header");
	memcpy(edid + 72, desc, sizeof(desc));
	check(audio_edid_name(edid, sizeof(edid), name, sizeof(name)) &&
	      !strcmp(name, "Living room"), "EDID monitor name: '%s'", name);
	memset(edid + 72, 0, 18);
	check(!audio_edid_name(edid, sizeof(edid), name, sizeof(name)), "EDID without a name");
	check(audio_frames_ns(480) == 10 * MS && audio_frames_ns(48000 * 3 + 1) == 3 * SEC + 20833,
	      "frames to nanoseconds");
}

int main(void)
{
	const AVCodec *c = avcodec_find_decoder(AV_CODEC_ID_AAC);

	printf("KTAP version 1\n");
	outbuf = calloc(MAXOUT, sizeof(*outbuf));
	dec = avcodec_alloc_context3(c);
	if (!outbuf || !dec || avcodec_open2(dec, c, NULL) < 0) {
		printf("Bail out! no AAC decoder\n");
		return 1;
	}
	srand(7);
	small_things();
	mux_aac();
	choose();
	silence_without_ring();
	drift(0, 0, 0);
	drift(0.001, 0, 0);
	drift(-0.001, 0, 0);
	drift(0.0001, 200000, 0);
	drift(0, 0, 37);
	underrun();
	late_cycles();
	lost_cycles();
	slow_encoder();
	stall();
	tone(AUDIO_LPCM);
	if (aac_enc_available()) {
		tone(AUDIO_AAC);
	} else {
		printf("ok %d # SKIP built without libavcodec's AAC encoder\n", ++tap_tests);
	}
	avcodec_free_context(&dec);
	free(outbuf);
	return tap_done();
}
