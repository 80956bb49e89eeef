/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MPEG-TS muxer for one H.264 stream and optionally one LPCM or AAC audio stream,
 * laid out as Wi-Fi Display sources do: PAT, PMT on 0x100, PCR on its own
 * PID 0x1000, video on 0x1011, audio on 0x1100.
 */
#ifndef WFDD_TSMUX_H
#define WFDD_TSMUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TS_PACKET_SIZE		188
#define TS_PID_PAT		0x0000
#define TS_PID_PMT		0x0100
#define TS_PID_PCR		0x1000
#define TS_PID_VIDEO		0x1011
#define TS_PID_AUDIO		0x1100
#define TS_PID_NULL		0x1fff
#define TS_STREAM_TYPE_H264	0x1b
/* LPCM as Wi-Fi Display carries it (private stream 1, stream type 0x83). */
#define TS_STREAM_TYPE_LPCM	0x83
/* AAC in ADTS frames (ISO/IEC 13818-7). */
#define TS_STREAM_TYPE_AAC	0x0f

/*
 * One LPCM PES: 6 audio frames of 80 samples, 48 kHz, 16-bit, stereo,
 * big-endian: 10 ms, 1920 bytes.
 */
#define TS_LPCM_SAMPLES		480
#define TS_LPCM_BYTES		(TS_LPCM_SAMPLES * 2 * 2)

/* PSI and PCR intervals, in 27 MHz units. */
#define TS_PSI_INTERVAL		(27000000ull / 10)	/* 100 ms */
#define TS_PCR_INTERVAL		(27000000ull / 25)	/* 40 ms */

typedef int (*ts_out_fn)(const uint8_t *pkt, void *opaque);

struct ts_mux {
	ts_out_fn out;
	void *opaque;
	uint8_t cc[5];		/* PAT, PMT, PCR, video, audio */
	bool psi_sent, pcr_sent;
	bool audio;		/* the PMT lists the audio stream */
	bool aac;		/* which is AAC, not LPCM */
	uint8_t pmt_version;	/* bumped whenever the PMT's content changes */
	uint64_t last_psi, last_pcr;	/* 27 MHz */
};

void ts_mux_init(struct ts_mux *m, ts_out_fn out, void *opaque);

/*
 * Emit PAT/PMT and a PCR if they are due at @now (27 MHz system clock).
 * Returns 0 or the first error of @out.  Here and below, every packet is
 * offered to @out even after one failed.
 */
int ts_mux_tick(struct ts_mux *m, uint64_t now);

/*
 * Mux one access unit (Annex B, starting with an access unit delimiter)
 * as one PES packet with PTS @pts (90 kHz).  @key marks a random access
 * point.  Returns 0 or the first error of @out.
 */
int ts_mux_video(struct ts_mux *m, const uint8_t *au, size_t len,
		 uint64_t pts, bool key, uint64_t now);

/*
 * List (or not) the LPCM stream in the PMT from now on: a change goes out
 * at once, as a new version of the PMT.
 */
void ts_mux_set_audio(struct ts_mux *m, bool lpcm);

/* The audio stream from now on: TS_STREAM_TYPE_LPCM, TS_STREAM_TYPE_AAC, 0 for none. */
void ts_mux_set_audio_type(struct ts_mux *m, uint8_t stream_type);

/*
 * Mux one ADTS frame of @len bytes as one PES with PTS @pts (90 kHz).
 * Returns 0 or the first error of @out.
 */
int ts_mux_aac(struct ts_mux *m, const uint8_t *adts, size_t len, uint64_t pts, uint64_t now);

/*
 * Mux one LPCM PES of TS_LPCM_BYTES of big-endian samples (NULL: silence)
 * with PTS @pts (90 kHz).  Returns 0 or the first error of @out.
 */
int ts_mux_lpcm(struct ts_mux *m, const uint8_t *samples, uint64_t pts, uint64_t now);

/*
 * A PCR packet (on TS_PID_PCR, adaptation field only) carrying @pcr: a
 * sender that stamps PCRs as they leave inserts these.
 */
void ts_pcr_packet(uint8_t *pkt, uint64_t pcr);
/* If @pkt carries a PCR, set it to @pcr and return true. */
bool ts_stamp_pcr(uint8_t *pkt, uint64_t pcr);

/* CRC-32/MPEG-2 of PSI sections. */
uint32_t ts_crc32(const uint8_t *data, size_t len);

/* Write a 33-bit timestamp with the 4-bit @prefix in PES header form. */
void ts_put_pts(uint8_t *p, unsigned int prefix, uint64_t pts);

#endif
