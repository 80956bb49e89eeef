// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The audio track of a Wi-Fi Display MPEG-TS, parsed and decoded for the
 * tests (ts_audio.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>

#include "ts_audio.h"

struct pes {
	uint8_t *buf;
	size_t len, cap;
	long offset;		/* of its first TS packet in the file */
};

struct demux {
	struct ts_audio *a;
	int audio_pid, video_pid, pmt_pid;
	struct pes apes, vpes;
	AVCodecContext *aac, *h264;
	AVPacket *pkt;
	AVFrame *frame;
	int64_t last_pts;	/* for unwrapping */
};

static int64_t unwrap(struct demux *d, int64_t pts)
{
	/* 33-bit PTS: take the value nearest the last one. */
	if (d->last_pts >= 0) {
		int64_t base = d->last_pts & ~((1ll << 33) - 1);

		pts += base;
		if (pts - d->last_pts > (1ll << 32))
			pts -= 1ll << 33;
		else if (d->last_pts - pts > (1ll << 32))
			pts += 1ll << 33;
	}
	d->last_pts = pts;
	return pts;
}

static void put(struct ts_audio *a, int64_t at, const int16_t *left, size_t n, size_t stride)
{
	if (at < 0 || at > 48000 * 3600)
		return;
	if ((size_t)at + n > a->cap) {
		size_t cap = ((size_t)at + n) * 2;
		int16_t *p = realloc(a->pcm, cap * sizeof(*p));

		if (!p)
			return;
		memset(p + a->cap, 0, (cap - a->cap) * sizeof(*p));
		a->pcm = p;
		a->cap = cap;
	}
	for (size_t i = 0; i < n; i++)
		a->pcm[at + (int64_t)i] = left[i * stride];
	if ((size_t)at + n > a->n)
		a->n = (size_t)at + n;
}

/* PES header: its length and PTS (-1 if none). */
static size_t pes_header(const uint8_t *p, size_t len, int64_t *pts)
{
	*pts = -1;
	if (len < 9 || p[0] || p[1] || p[2] != 1)
		return 0;
	if ((p[7] & 0x80) && len >= 14)
		*pts = (int64_t)(p[9] & 0x0e) << 29 | (int64_t)p[10] << 22 |
		       (int64_t)(p[11] & 0xfe) << 14 | (int64_t)p[12] << 7 | p[13] >> 1;
	return 9 + (size_t)p[8];
}

static void audio_pes(struct demux *d, const uint8_t *p, size_t len)
{
	struct ts_audio *a = d->a;
	int64_t pts, at;
	size_t h = pes_header(p, len, &pts), frames;

	if (!h || h > len || pts < 0)
		return;
	pts = unwrap(d, pts);
	if (a->pts0 < 0)
		a->pts0 = pts;
	if (a->npes == a->pes_cap) {
		size_t cap = a->pes_cap ? a->pes_cap * 2 : 1024;
		struct tsa_pes *v = realloc(a->pes, cap * sizeof(*v));

		if (v) {
			a->pes = v;
			a->pes_cap = cap;
		}
	}
	if (a->npes < a->pes_cap) {
		a->pes[a->npes].pts = pts;
		a->pes[a->npes++].offset = d->apes.offset;
	}
	at = (pts - a->pts0) * TSA_RATE / 90000;
	p += h;
	len -= h;
	if (a->stream_type == 0x83) {
		int16_t left[4096];

		/* The LPCM header: sub-stream 0xa0, frames, reserved, format. */
		if (len < 4 || p[0] != 0xa0)
			return;
		p += 4;
		len -= 4;
		frames = len / 4;
		if (frames > 4096)
			frames = 4096;
		for (size_t i = 0; i < frames; i++)
			left[i] = (int16_t)(p[4 * i] << 8 | p[4 * i + 1]);
		put(a, at, left, frames, 1);
	} else if (a->stream_type == 0x0f && d->aac) {
		frames = 1024;
		d->pkt->data = (uint8_t *)p;
		d->pkt->size = (int)len;
		if (avcodec_send_packet(d->aac, d->pkt) < 0) {
			a->decode_errors++;
		} else {
			while (avcodec_receive_frame(d->aac, d->frame) == 0) {
				int16_t left[4096];
				int n = d->frame->nb_samples < 4096 ? d->frame->nb_samples : 4096;
				const float *l = (const float *)d->frame->data[0];

				for (int i = 0; i < n; i++) {
					float v = l[i] * 32768.0f;

					left[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
				}
				put(a, at, left, (size_t)n, 1);
				frames = (size_t)n;
			}
		}
	} else {
		return;
	}
	if (a->packets && pts != a->last_end && llabs(pts - a->last_end) > 1)
		a->pts_jumps++;
	a->packets++;
	a->last_end = pts + (int64_t)frames * 90000 / TSA_RATE;
	/* Exact at 48 kHz for 480 frames; AAC's 1024 leave 1/3 of a tick. */
	if (a->stream_type == 0x0f)
		a->last_end = pts + ((int64_t)frames * 90000 + TSA_RATE / 2) / TSA_RATE;
}

static void decode_video(struct demux *d, AVPacket *pkt);

static void video_pes(struct demux *d, const uint8_t *p, size_t len)
{
	int64_t pts;
	size_t h = pes_header(p, len, &pts);

	if (!h || h > len || pts < 0)
		return;
	if (d->a->nvpts == d->a->vpts_cap) {
		size_t cap = d->a->vpts_cap ? d->a->vpts_cap * 2 : 256;
		int64_t *v = realloc(d->a->vpts, cap * sizeof(*v));

		if (!v)
			return;
		d->a->vpts = v;
		d->a->vpts_cap = cap;
	}
	pts = unwrap(d, pts);
	d->a->vpts[d->a->nvpts++] = pts;
	if (!d->h264)
		return;
	d->pkt->data = (uint8_t *)p + h;
	d->pkt->size = (int)(len - h);
	d->pkt->pts = pts;
	decode_video(d, d->pkt);
}

/* Decode @pkt (NULL: flush) and record its pictures. */
static void decode_video(struct demux *d, AVPacket *pkt)
{
	struct ts_audio *a = d->a;

	if (avcodec_send_packet(d->h264, pkt) < 0)
		return;
	while (avcodec_receive_frame(d->h264, d->frame) == 0) {
		const AVFrame *f = d->frame;
		double sum = 0;
		long n = 0;

		for (int y = 0; y < f->height; y += 4)
			for (int x = 0; x < f->width; x += 4, n++)
				sum += f->data[0][y * f->linesize[0] + x];
		if (a->nvideo == a->video_cap) {
			size_t cap = a->video_cap ? a->video_cap * 2 : 256;
			struct tsa_picture *v = realloc(a->video, cap * sizeof(*v));

			if (!v)
				return;
			a->video = v;
			a->video_cap = cap;
		}
		a->video[a->nvideo].pts = f->pts;
		a->video[a->nvideo++].luma = n ? sum / (double)n : 0;
	}
}

static void pes_add(struct pes *s, const uint8_t *p, size_t n)
{
	if (s->len + n > s->cap) {
		size_t cap = (s->len + n) * 2;
		uint8_t *b = realloc(s->buf, cap);

		if (!b)
			return;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static void psi(struct demux *d, int pid, const uint8_t *p, size_t n)
{
	size_t sec_len, i, ptr;

	if (n < 1 || (size_t)p[0] + 1 > n)
		return;
	ptr = p[0];
	p += 1 + ptr;
	n -= 1 + ptr;
	if (n < 12)
		return;
	sec_len = (size_t)(p[1] & 0x0f) << 8 | p[2];
	if (sec_len + 3 > n)
		return;
	if (pid == 0 && p[0] == 0x00) {
		for (i = 8; i + 4 <= sec_len + 3 - 4; i += 4)
			if (p[i] << 8 | p[i + 1])
				d->pmt_pid = (p[i + 2] & 0x1f) << 8 | p[i + 3];
	} else if (pid == d->pmt_pid && p[0] == 0x02) {
		size_t info = (size_t)(p[10] & 0x0f) << 8 | p[11];

		d->a->stream_type = 0;
		for (i = 12 + info; i + 5 <= sec_len + 3 - 4;) {
			int type = p[i], epid = (p[i + 1] & 0x1f) << 8 | p[i + 2];
			size_t es = (size_t)(p[i + 3] & 0x0f) << 8 | p[i + 4];

			if (type == 0x83 || type == 0x0f) {
				d->a->stream_type = type;
				d->audio_pid = epid;
			} else if (type == 0x1b) {
				d->video_pid = epid;
			}
			i += 5 + es;
		}
	}
}

int ts_audio_read(const char *path, struct ts_audio *a, bool video)
{
	const AVCodec *c = avcodec_find_decoder(AV_CODEC_ID_AAC);
	struct demux d = { .a = a, .audio_pid = -1, .video_pid = -1, .pmt_pid = -1,
			   .last_pts = -1 };
	uint8_t p[188];
	FILE *f = fopen(path, "rb");

	memset(a, 0, sizeof(*a));
	a->pts0 = -1;
	if (!f)
		return -1;
	d.aac = c ? avcodec_alloc_context3(c) : NULL;
	d.pkt = av_packet_alloc();
	d.frame = av_frame_alloc();
	if (!d.aac || avcodec_open2(d.aac, c, NULL) < 0) {
		fclose(f);
		return -1;
	}
	if (video) {
		const AVCodec *v = avcodec_find_decoder(AV_CODEC_ID_H264);

		d.h264 = v ? avcodec_alloc_context3(v) : NULL;
		if (!d.h264 || avcodec_open2(d.h264, v, NULL) < 0) {
			fclose(f);
			return -1;
		}
	}
	while (fread(p, 1, sizeof(p), f) == sizeof(p)) {
		int pid = (p[1] & 0x1f) << 8 | p[2];
		bool pusi = p[1] & 0x40;
		size_t off = 4;
		struct pes *s;

		if (p[0] != 0x47)
			continue;
		if (p[3] & 0x20)
			off += 1 + (size_t)p[4];
		if (!(p[3] & 0x10) || off >= 188)
			continue;
		if (pid == 0 || pid == d.pmt_pid) {
			if (pusi)
				psi(&d, pid, p + off, 188 - off);
			continue;
		}
		if (pid == d.audio_pid)
			s = &d.apes;
		else if (pid == d.video_pid)
			s = &d.vpes;
		else
			continue;
		if (pusi && s->len) {
			if (s == &d.apes)
				audio_pes(&d, s->buf, s->len);
			else
				video_pes(&d, s->buf, s->len);
			s->len = 0;
		}
		if (pusi)
			s->offset = ftell(f) - 188;
		if (pusi || s->len)
			pes_add(s, p + off, 188 - off);
	}
	if (d.apes.len)
		audio_pes(&d, d.apes.buf, d.apes.len);
	if (d.vpes.len)
		video_pes(&d, d.vpes.buf, d.vpes.len);
	if (d.h264)
		decode_video(&d, NULL);
	fclose(f);
	free(d.apes.buf);
	free(d.vpes.buf);
	d.pkt->data = NULL;
	d.pkt->size = 0;
	av_packet_free(&d.pkt);
	av_frame_free(&d.frame);
	avcodec_free_context(&d.aac);
	avcodec_free_context(&d.h264);
	return 0;
}

void ts_audio_free(struct ts_audio *a)
{
	free(a->pcm);
	free(a->video);
	free(a->vpts);
	free(a->pes);
	memset(a, 0, sizeof(*a));
}

void tsa_measure(const struct ts_audio *a, size_t from, size_t to, double *hz, double *dbfs)
{
	double first = -1, last = -1, sum = 0;
	long n = 0;

	if (to > a->n)
		to = a->n;
	for (size_t i = from; i + 1 < to; i++) {
		sum += (double)a->pcm[i] * a->pcm[i];
		if (a->pcm[i] < 0 && a->pcm[i + 1] >= 0) {
			double x = (double)i + (double)-a->pcm[i] / (a->pcm[i + 1] - a->pcm[i]);

			if (first < 0)
				first = x;
			last = x;
			n++;
		}
	}
	*hz = n > 1 ? (double)(n - 1) * TSA_RATE / (last - first) : 0;
	*dbfs = to > from + 1 ? 20 * log10(sqrt(sum / (double)(to - from)) * sqrt(2) / 32768 + 1e-12) :
				-999;
}

size_t tsa_longest_quiet(const struct ts_audio *a, size_t from, size_t to, int thresh)
{
	size_t run = 0, best = 0;

	if (to > a->n)
		to = a->n;
	for (size_t i = from; i < to; i++) {
		run = abs(a->pcm[i]) < thresh ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

size_t tsa_first_loud(const struct ts_audio *a, size_t from, int thresh)
{
	for (size_t i = from; i < a->n; i++)
		if (abs(a->pcm[i]) > thresh)
			return i;
	return (size_t)-1;
}

long tsa_offset_of(const struct ts_audio *a, size_t i)
{
	int64_t pts = a->pts0 + (int64_t)i * 90000 / TSA_RATE;
	long off = -1;

	/* The last PES that starts at or before the frame. */
	for (size_t k = 0; k < a->npes; k++)
		if (a->pes[k].pts <= pts)
			off = a->pes[k].offset;
	return off;
}

size_t tsa_last_loud(const struct ts_audio *a, int thresh)
{
	for (size_t i = a->n; i-- > 0;)
		if (abs(a->pcm[i]) > thresh)
			return i;
	return (size_t)-1;
}

size_t tsa_pictures_in(const struct ts_audio *a, size_t from, size_t to)
{
	int64_t start = a->pts0 + (int64_t)from * 90000 / TSA_RATE;
	int64_t end = a->pts0 + (int64_t)to * 90000 / TSA_RATE;
	size_t n = 0;

	for (size_t i = 0; i < a->nvpts; i++)
		n += a->vpts[i] >= start && a->vpts[i] < end;
	return n;
}
