// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * aaccost: the CPU cost of wfdd's AAC-LC encoder (libavcodec's native
 * encoder, 48 kHz stereo, 192 kbit/s, as the audio track uses it) per
 * second of audio, on a signal with some content (two tones and noise).
 *
 * usage: aaccost [SECONDS]   (default 60)
 * Prints "aaccost: N s of audio in C ms of CPU: X ms per second (Y % of a core)".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "audio.h"

static uint64_t bytes;

static int count(void *opaque, const uint8_t *adts, size_t len, int64_t pos)
{
	(void)opaque, (void)adts, (void)pos;
	bytes += len;
	return 0;
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 60, t0, ms;
	long frames = (long)(secs * AUDIO_RATE) / AUDIO_AAC_FRAMES;
	int16_t pcm[AUDIO_AAC_FRAMES * 2];
	struct aac_enc *e;

	if (aac_enc_create(&e, 192000)) {
		fprintf(stderr, "aaccost: no AAC encoder\n");
		return 1;
	}
	srand(1);
	t0 = cpu_ms();
	for (long f = 0; f < frames; f++) {
		for (int i = 0; i < AUDIO_AAC_FRAMES; i++) {
			double t = (double)(f * AUDIO_AAC_FRAMES + i) / AUDIO_RATE;
			double v = 0.2 * sin(2 * M_PI * 440 * t) + 0.1 * sin(2 * M_PI * 3100 * t) +
				   0.05 * ((double)rand() / RAND_MAX - 0.5);

			pcm[2 * i] = (int16_t)(v * 32767);
			pcm[2 * i + 1] = (int16_t)(v * 0.8 * 32767);
		}
		if (aac_enc_encode(e, pcm, f * AUDIO_AAC_FRAMES, count, NULL))
			return 1;
	}
	ms = cpu_ms() - t0;
	printf("aaccost: %.0f s of audio in %.0f ms of CPU: %.2f ms per second (%.2f %% of a core), "
	       "%.0f kbit/s\n", secs, ms, ms / secs, ms / secs / 10, bytes * 8 / secs / 1000);
	aac_enc_destroy(e);
	return 0;
}
