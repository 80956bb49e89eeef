// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AAC-LC, 48 kHz stereo, encoded by libavcodec's native encoder (Debian's
 * libavcodec; no non-free codec), framed as ADTS for MPEG-TS (stream type
 * 0x0F).  Built without libavcodec, aac_enc_create() fails with -ENOSYS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"

void adts_header(uint8_t h[7], size_t payload)
{
	size_t len = payload + 7;

	/* syncword, MPEG-4, layer 0, no CRC */
	h[0] = 0xff;
	h[1] = 0xf1;
	/* profile (AAC-LC: object type 2, minus one), 48 kHz (index 3), channels 2 */
	h[2] = (uint8_t)((1 << 6) | (3 << 2) | (2 >> 2));
	h[3] = (uint8_t)(((2 & 3) << 6) | ((len >> 11) & 3));
	h[4] = (uint8_t)(len >> 3);
	/* buffer fullness 0x7ff (variable rate), one raw data block */
	h[5] = (uint8_t)(((len & 7) << 5) | 0x1f);
	h[6] = 0xfc;
}

#ifdef HAVE_AAC
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>

struct aac_enc {
	AVCodecContext *c;
	AVFrame *f;
	AVPacket *p;
};

bool aac_enc_available(void)
{
	return true;
}

void aac_enc_destroy(struct aac_enc *e)
{
	if (!e)
		return;
	avcodec_free_context(&e->c);
	av_frame_free(&e->f);
	av_packet_free(&e->p);
	free(e);
}

int aac_enc_create(struct aac_enc **out, int bitrate)
{
	const AVCodec *codec = avcodec_find_encoder_by_name("aac");
	struct aac_enc *e;

	*out = NULL;
	if (!codec)
		return -ENOSYS;
	/* The encoder's statistics and notes are not wfdd's log. */
	if (av_log_get_level() > AV_LOG_ERROR)
		av_log_set_level(AV_LOG_ERROR);
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->c = avcodec_alloc_context3(codec);
	e->f = av_frame_alloc();
	e->p = av_packet_alloc();
	if (!e->c || !e->f || !e->p)
		goto fail;
	e->c->sample_fmt = AV_SAMPLE_FMT_FLTP;
	e->c->sample_rate = AUDIO_RATE;
	av_channel_layout_default(&e->c->ch_layout, AUDIO_CHANNELS);
	e->c->bit_rate = bitrate;
	e->c->profile = FF_PROFILE_AAC_LOW;
	e->c->time_base = (AVRational){ 1, AUDIO_RATE };
	/*
	 * The fast coder: a fraction of the CPU of the default two-loop
	 * search, which under emulation took more than wfdd's loop could spare.
	 */
	av_opt_set(e->c->priv_data, "aac_coder", "fast", 0);
	if (avcodec_open2(e->c, codec, NULL) < 0 || e->c->frame_size != AUDIO_AAC_FRAMES)
		goto fail;
	e->f->format = AV_SAMPLE_FMT_FLTP;
	e->f->nb_samples = AUDIO_AAC_FRAMES;
	e->f->sample_rate = AUDIO_RATE;
	if (av_channel_layout_copy(&e->f->ch_layout, &e->c->ch_layout) < 0 ||
	    av_frame_get_buffer(e->f, 0) < 0)
		goto fail;
	*out = e;
	return 0;
fail:
	aac_enc_destroy(e);
	return -EIO;
}

int aac_enc_delay(const struct aac_enc *e)
{
	return e->c->initial_padding;
}

int aac_enc_encode(struct aac_enc *e, const int16_t *pcm, int64_t pos, aac_out_fn out,
		   void *opaque)
{
	uint8_t adts[7 + 8192];
	int ret;

	if (pcm) {
		if (av_frame_make_writable(e->f) < 0)
			return -EIO;
		for (int ch = 0; ch < AUDIO_CHANNELS; ch++) {
			float *d = (float *)e->f->data[ch];

			for (int i = 0; i < AUDIO_AAC_FRAMES; i++)
				d[i] = pcm[i * AUDIO_CHANNELS + ch] / 32768.0f;
		}
		e->f->pts = pos;
	}
	if (avcodec_send_frame(e->c, pcm ? e->f : NULL) < 0)
		return -EIO;
	for (;;) {
		ret = avcodec_receive_packet(e->c, e->p);
		if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
			return 0;
		if (ret < 0)
			return -EIO;
		if ((size_t)e->p->size > sizeof(adts) - 7) {
			av_packet_unref(e->p);
			return -EIO;
		}
		adts_header(adts, (size_t)e->p->size);
		memcpy(adts + 7, e->p->data, (size_t)e->p->size);
		/* The pts counts the priming: negative for the first frame. */
		ret = out(opaque, adts, (size_t)e->p->size + 7, e->p->pts);
		av_packet_unref(e->p);
		if (ret)
			return ret;
	}
}

#else

bool aac_enc_available(void)
{
	return false;
}

int aac_enc_create(struct aac_enc **e, int bitrate)
{
	(void)bitrate;
	*e = NULL;
	return -ENOSYS;
}

int aac_enc_encode(struct aac_enc *e, const int16_t *pcm, int64_t pos, aac_out_fn out,
		   void *opaque)
{
	(void)e, (void)pcm, (void)pos, (void)out, (void)opaque;
	return -ENOSYS;
}

int aac_enc_delay(const struct aac_enc *e)
{
	(void)e;
	return 0;
}

void aac_enc_destroy(struct aac_enc *e)
{
	(void)e;
}

#endif
