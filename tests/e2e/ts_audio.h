/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The audio of a Wi-Fi Display MPEG-TS, for the tests: the audio PES of
 * the PMT's audio stream, LPCM (stream type 0x83, which Debian's ffmpeg
 * does not decode: parsed here) or AAC in ADTS (0x0F, decoded with
 * libavcodec), put on a timeline by their PTS; the pictures' PTS and
 * brightness; and what a tone or a click looks like on that timeline.
 */
#ifndef TS_AUDIO_H
#define TS_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TSA_RATE	48000

struct ts_audio {
	int stream_type;	/* 0x83 LPCM, 0x0f AAC, 0: no audio in the PMT */
	/* The left channel, frame i playing at PTS pts0 + i * 90000 / 48000. */
	int16_t *pcm;
	size_t n, cap;
	int64_t pts0;		/* 90 kHz, unwrapped; -1 before the first PES */
	/* Audio PES: how many, how many with a PTS off their predecessor's end. */
	size_t packets, pts_jumps, decode_errors;
	int64_t last_end;	/* 90 kHz: where the last PES ends */
	/* Audio PES: PTS (90 kHz, unwrapped) and offset of its first TS packet in the file. */
	struct tsa_pes { int64_t pts; long offset; } *pes;
	size_t npes, pes_cap;
	/* Video PES, decoded or not: PTS (90 kHz, unwrapped). */
	int64_t *vpts;
	size_t nvpts, vpts_cap;
	/* Decoded pictures: PTS (90 kHz, unwrapped) and mean luma (0-255). */
	struct tsa_picture { int64_t pts; double luma; } *video;
	size_t nvideo, video_cap;
};

/*
 * Read a TS file, and decode its pictures if @video (their PTS come
 * either way).  0, or -1 (cannot read, no decoder).
 */
int ts_audio_read(const char *path, struct ts_audio *a, bool video);
void ts_audio_free(struct ts_audio *a);

/* Zero crossings (upwards, interpolated) and peak level (from the RMS) of pcm[from, to). */
void tsa_measure(const struct ts_audio *a, size_t from, size_t to, double *hz, double *dbfs);
/* The longest run of frames in [from, to) under @thresh in magnitude. */
size_t tsa_longest_quiet(const struct ts_audio *a, size_t from, size_t to, int thresh);
/* The first frame at or after @from over @thresh in magnitude; (size_t)-1 if none. */
size_t tsa_first_loud(const struct ts_audio *a, size_t from, int thresh);
/* The file offset of the audio PES that plays frame @i; -1 if none. */
long tsa_offset_of(const struct ts_audio *a, size_t i);
/* The last frame over @thresh; (size_t)-1 if none. */
size_t tsa_last_loud(const struct ts_audio *a, int thresh);
/* Video PES whose PTS falls where frames [from, to) play. */
size_t tsa_pictures_in(const struct ts_audio *a, size_t from, size_t to);

#endif
