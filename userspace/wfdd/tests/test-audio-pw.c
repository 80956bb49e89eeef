// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sink node against a real PipeWire (tests/pw-check.sh starts one in
 * a private session): opens wfd-output-1 described "Living room" into a
 * ring, says "ready", and for SECONDS reads the ring a second at a time
 * on CLOCK_MONOTONIC, as the audio track does, printing what it got:
 * frames that came, silence for want of input, the 1 kHz tone's
 * frequency (zero crossings) and peak level (from the RMS).
 *
 * usage: test-audio-pw SECONDS
 *        test-audio-pw tone FILE.wav   (8 s of 1 kHz at -12 dBFS, stereo S16)
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void le(FILE *f, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		fputc((int)(v >> (8 * i) & 0xff), f);
}

static int tone(const char *path)
{
	uint32_t n = 8 * AUDIO_RATE, fade = AUDIO_RATE / 50;
	FILE *f = fopen(path, "wb");

	if (!f)
		return 1;
	fwrite("RIFF", 1, 4, f);
	le(f, 36 + n * 4, 4);
	fwrite("WAVEfmt ", 1, 8, f);
	le(f, 16, 4);
	le(f, 1, 2);
	le(f, 2, 2);
	le(f, AUDIO_RATE, 4);
	le(f, AUDIO_RATE * 4, 4);
	le(f, 4, 2);
	le(f, 16, 2);
	fwrite("data", 1, 4, f);
	le(f, n * 4, 4);
	for (uint32_t i = 0; i < n; i++) {
		double g = i < fade ? (double)i / fade : n - i < fade ? (double)(n - i) / fade : 1;
		int v = (int)lrint(8192 * g * sin(2 * M_PI * 1000 * i / AUDIO_RATE));

		le(f, (uint32_t)v & 0xffff, 2);
		le(f, (uint32_t)v & 0xffff, 2);
	}
	return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
	static int16_t pcm[AUDIO_RATE * AUDIO_CHANNELS];
	int secs = argc > 1 ? atoi(argv[1]) : 5, ret;
	struct audio_ring ring;
	struct audio_pw *pw;
	uint64_t t;

	if (argc == 3 && !strcmp(argv[1], "tone"))
		return tone(argv[2]);
	if (!audio_pw_available()) {
		printf("test-audio-pw: built without PipeWire\n");
		return 77;
	}
	if (audio_ring_init(&ring))
		return 1;
	ret = audio_pw_open(&pw, 1, "Living room", audio_ring_write_fn, &ring, 1);
	if (ret) {
		printf("test-audio-pw: no PipeWire: %d\n", ret);
		return 1;
	}
	printf("test-audio-pw: ready\n");
	fflush(stdout);
	t = now_ns();
	for (int s = 0; s < secs; s++) {
		double sum = 0, first = -1, last = -1, db;
		size_t silent;
		int zc = 0;

		/* A second's frames, once they are due (and late ones are not). */
		while (now_ns() < t + 1000000000ull + ring.max_wait_ns)
			usleep(10000);
		silent = audio_ring_read(&ring, t, pcm, AUDIO_RATE);
		for (int i = 0; i + 1 < AUDIO_RATE; i++) {
			int16_t a = pcm[2 * i], b = pcm[2 * i + 2];

			sum += (double)a * a;
			if (a < 0 && b >= 0) {
				double x = i + (double)-a / (b - a);

				if (first < 0)
					first = x;
				last = x;
				zc++;
			}
		}
		db = 20 * log10(sqrt(sum / AUDIO_RATE) * sqrt(2) / 32768 + 1e-12);
		printf("second %d: %zu frames silent, %.2f Hz, %.2f dBFS, %llu slips, %llu re-anchors\n",
		       s, silent, zc > 1 ? (zc - 1) * (double)AUDIO_RATE / (last - first) : 0.0, db,
		       (unsigned long long)ring.slips, (unsigned long long)ring.reanchors);
		fflush(stdout);
		t += 1000000000ull;
	}
	audio_pw_close(pw);
	audio_ring_destroy(&ring);
	printf("test-audio-pw: closed\n");
	return 0;
}
