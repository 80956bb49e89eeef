// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a test sink received of the audio: reads its MPEG-TS (ts_audio.c)
 * and checks a tone (frequency, level, no gap) or measures the offset of
 * clicks from flashes (lip-sync).  Also writes the tone the tests play.
 *
 * usage: check_audio tone FILE.ts CODEC HZ DBFS   (CODEC: lpcm or aac)
 *        check_audio lipsync FILE.ts CODEC BOUND_MS [ARRIVALS FLASH_LOG [DRIFT_MS]]
 *        check_audio make-tone FILE.wav HZ DBFS SECONDS
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ts_audio.h"

static void le16(FILE *f, unsigned int v)
{
	fputc((int)(v & 0xff), f);
	fputc((int)(v >> 8), f);
}

static void le32(FILE *f, uint32_t v)
{
	le16(f, v & 0xffff);
	le16(f, v >> 16);
}

/* A stereo 48 kHz S16 WAV of a sine at @hz with peak @dbfs, with 20 ms fades. */
static int make_tone(const char *path, double hz, double dbfs, double secs)
{
	uint32_t n = (uint32_t)(secs * TSA_RATE), fade = TSA_RATE / 50;
	double amp = 32768 * pow(10, dbfs / 20);
	FILE *f = fopen(path, "wb");

	if (!f)
		return 1;
	fwrite("RIFF", 1, 4, f);
	le32(f, 36 + n * 4);
	fwrite("WAVEfmt ", 1, 8, f);
	le32(f, 16);
	le16(f, 1);
	le16(f, 2);
	le32(f, TSA_RATE);
	le32(f, TSA_RATE * 4);
	le16(f, 4);
	le16(f, 16);
	fwrite("data", 1, 4, f);
	le32(f, n * 4);
	for (uint32_t i = 0; i < n; i++) {
		double g = i < fade ? (double)i / fade : n - i < fade ? (double)(n - i) / fade : 1;
		int v = (int)lrint(amp * g * sin(2 * M_PI * hz * i / TSA_RATE));

		le16(f, (unsigned int)(v & 0xffff));
		le16(f, (unsigned int)(v & 0xffff));
	}
	return fclose(f) ? 1 : 0;
}

/*
 * The tone: from its first loud frame + 500 ms to its last - 100 ms, the
 * frequency within 1 %, the level within 1 dB, no quiet run longer than
 * one packet, no PTS jump between packets; and how many pictures came
 * meanwhile (printed: where the machine cannot encode both in time, wfdd
 * lets the pictures wait for the sound).  Not @strict ("present"): a
 * second or more of it at its level within 6 dB, the rest measured and
 * printed only (where the player or the graph cannot keep time, as a
 * starved emulator, the gaps are theirs).
 */
static int tone(const char *path, const char *codec, double hz, double dbfs, bool strict)
{
	int want_type = !strcmp(codec, "aac") ? 0x0f : 0x83;
	size_t packet = want_type == 0x0f ? 1024 : 480;
	struct ts_audio a;
	size_t first, last, from, to, gap, pictures;
	double got_hz, got_db, secs, fps;
	int thresh, ok;

	if (ts_audio_read(path, &a, false)) {
		printf("check_audio: cannot read %s\n", path);
		return 2;
	}
	if (a.stream_type != want_type) {
		printf("check_audio: the PMT's audio is 0x%02x, not %s\n", a.stream_type, codec);
		return 1;
	}
	/* Loud: over a tenth of the tone's peak. */
	thresh = (int)(3276.8 * pow(10, dbfs / 20));
	first = tsa_first_loud(&a, 0, thresh);
	last = tsa_last_loud(&a, thresh);
	if (first == (size_t)-1 || last < first + TSA_RATE) {
		printf("check_audio: %s: %zu packets, no tone of a second or more\n", codec,
		       a.packets);
		return 1;
	}
	from = first + TSA_RATE / 2;
	to = last - TSA_RATE / 10;
	tsa_measure(&a, from, to, &got_hz, &got_db);
	/* A sine is quiet near its zero crossings for a frame or two. */
	gap = tsa_longest_quiet(&a, from, to, thresh / 4);
	secs = (double)(last - first) / TSA_RATE;
	pictures = tsa_pictures_in(&a, first, last);
	fps = (double)pictures / secs;
	if (strict)
		ok = fabs(got_hz - hz) <= hz / 100 && fabs(got_db - dbfs) <= 1 && gap <= packet &&
		     !a.decode_errors;
	else
		ok = fabs(got_db - dbfs) <= 6;
	printf("check_audio: %s, %zu packets (%zu PTS jumps, %zu decode errors), %.2f s of tone: "
	       "%.2f Hz (want %.0f +-1 %%), %.2f dBFS (want %.1f +-1 dB), longest gap %zu frames "
	       "(at most %zu), %zu pictures meanwhile, %.1f a second: %s\n", codec, a.packets,
	       a.pts_jumps, a.decode_errors, secs, got_hz, hz, got_db, dbfs, gap, packet, pictures,
	       fps, ok ? (strict ? "ok" : "present") : "WRONG");
	ts_audio_free(&a);
	return ok ? 0 : 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Lip-sync: each flash of the picture (a decoded picture much brighter
 * than the one before) and the click (the first loud frame after a
 * second of quiet) nearest to it; the offset is the click's PTS less the
 * flash's, positive when the sound is late.
 */
/* When the datagram that carried file offset @off arrived (ns), from the receiver's log. */
static double arrival(FILE *log, long off)
{
	unsigned long long t, o, best = 0;

	rewind(log);
	while (fscanf(log, "%llu %llu", &t, &o) == 2) {
		if ((long)o > off)
			break;
		best = t;
	}
	return (double)best;
}

/*
 * The clicks' delay in the stream: each click's PTS less the monotonic
 * instant it was played at.  wfdd stamps what plays at t with t plus its
 * latency, so the delay is the same for every click when the sound's
 * clock is mapped right, whatever clock drove the graph; a clock that
 * runs off drifts it by its skew (0.4 % over 20 s: 80 ms).  The spread
 * from the smallest to the largest must stay within @drift_ms.
 */
static bool delay_drift(const double *delay, int n, double drift_ms)
{
	double lo = 1e9, hi = -1e9;

	for (int k = 0; k < n; k++) {
		lo = fmin(lo, delay[k]);
		hi = fmax(hi, delay[k]);
	}
	printf("check_audio: click delay in the stream (PTS - played): %.1f to %.1f ms, drift "
	       "%.1f ms (bound %.0f ms): %s\n", lo, hi, hi - lo, drift_ms,
	       n > 1 && hi - lo <= drift_ms ? "ok" : "WRONG");
	return n > 1 && hi - lo <= drift_ms;
}

static int lipsync(const char *path, const char *codec, double bound_ms, const char *arrivals,
		   const char *flashes, double drift_ms)
{
	double lat[64], delay[64];
	int nlat = 0;
	size_t onsets[64];
	int want_type = !strcmp(codec, "aac") ? 0x0f : 0x83;
	double clicks[64], off[64], sorted[64];
	int nclicks = 0, n = 0, ok;
	struct ts_audio a;
	size_t i = 0;

	if (ts_audio_read(path, &a, true)) {
		printf("check_audio: cannot read %s\n", path);
		return 2;
	}
	if (a.stream_type != want_type) {
		printf("check_audio: the PMT's audio is 0x%02x, not %s\n", a.stream_type, codec);
		return 1;
	}
	while (nclicks < 64 && (i = tsa_first_loud(&a, i, 4096)) != (size_t)-1) {
		if (tsa_longest_quiet(&a, i > (size_t)TSA_RATE ? i - TSA_RATE : 0, i, 4096) >=
		    (i > (size_t)TSA_RATE ? (size_t)TSA_RATE : i)) {
			onsets[nclicks] = i;
			clicks[nclicks++] = ((double)a.pts0 + (double)i * 90000 / TSA_RATE) / 90;
		}
		i += TSA_RATE / 2;
	}
	for (size_t v = 1; v < a.nvideo && n < 64; v++) {
		double flash, best = 1e9;

		if (!(a.video[v].luma > 128 && a.video[v - 1].luma < 64))
			continue;
		flash = (double)a.video[v].pts / 90;
		for (int c = 0; c < nclicks; c++)
			if (fabs(clicks[c] - flash) < fabs(best))
				best = clicks[c] - flash;
		if (fabs(best) > 1000) {
			printf("check_audio: flash at %.3f s has no click within a second\n",
			       flash / 1000);
			continue;
		}
		printf("check_audio: flash at PTS %.3f s, click %+.1f ms\n", flash / 1000, best);
		off[n++] = best;
	}
	/*
	 * Latency: the click was played at its flash's instant (av_flash's
	 * log, CLOCK_MONOTONIC); the datagram that carried the start of its
	 * PES arrived (the receiver's log) that much later.
	 */
	if (arrivals && flashes) {
		FILE *al = fopen(arrivals, "r"), *fl = fopen(flashes, "r");
		double played[64];
		char line[256];
		int np = 0;

		while (fl && np < 64 && fgets(line, sizeof(line), fl)) {
			const char *p = strstr(line, " at ");

			if (strstr(line, "flash ") && p && sscanf(p, " at %lf", &played[np]) == 1)
				np++;
		}
		/*
		 * Each click with the instant it was played at: the last one
		 * before its PTS, within a second (a click lost on the way
		 * leaves its instant without a click, not the others shifted).
		 */
		for (int k = 0; al && k < nclicks; k++) {
			double at = -1;

			for (int j = 0; j < np; j++)
				if (played[j] * 1e3 <= clicks[k] && clicks[k] - played[j] * 1e3 < 1000)
					at = played[j];
			if (at < 0) {
				printf("check_audio: click at PTS %.3f s was played at no flash\n",
				       clicks[k] / 1e3);
				continue;
			}
			lat[nlat] = (arrival(al, tsa_offset_of(&a, onsets[k])) - at * 1e9) / 1e6;
			delay[nlat] = clicks[k] - at * 1e3;
			printf("check_audio: click %d played at %.3f s, PTS %+.1f ms from it, its packet "
			       "arrived %.1f ms later\n", k + 1, at, delay[nlat], lat[nlat]);
			nlat++;
		}
		if (al)
			fclose(al);
		if (fl)
			fclose(fl);
		qsort(lat, (size_t)nlat, sizeof(double), cmp_double);
		if (nlat)
			printf("check_audio: audio latency %s (played -> received): median %.1f ms, "
			       "max %.1f ms\n", codec, lat[nlat / 2], lat[nlat - 1]);
	}
	memcpy(sorted, off, sizeof(double) * (size_t)n);
	qsort(sorted, (size_t)n, sizeof(double), cmp_double);
	ok = n > 0;
	for (int k = 0; k < n; k++)
		ok &= fabs(off[k]) <= bound_ms;
	if (drift_ms > 0)
		ok &= delay_drift(delay, nlat, drift_ms);
	/* For the benchmark's table: medians and 95th percentiles (nearest rank). */
	if (n) {
		double mag[64];

		for (int k = 0; k < n; k++)
			mag[k] = fabs(off[k]);
		qsort(mag, (size_t)n, sizeof(double), cmp_double);
		printf("audio-row %s flashes %d av_median_ms %.1f av_p95_abs_ms %.1f latency_median_ms "
		       "%.1f latency_p95_ms %.1f\n", codec, n, sorted[n / 2],
		       mag[(int)ceil(0.95 * n) - 1], nlat ? lat[nlat / 2] : -1.0,
		       nlat ? lat[(int)ceil(0.95 * nlat) - 1] : -1.0);
	}
	printf("check_audio: lip-sync %s: %d flashes (%zu pictures, %d clicks), A/V offset median "
	       "%+.1f ms, worst %+.1f ms (bound +-%.0f ms): %s\n", codec, n, a.nvideo, nclicks,
	       n ? sorted[n / 2] : 0.0, n ? (fabs(sorted[0]) > fabs(sorted[n - 1]) ? sorted[0] :
	       sorted[n - 1]) : 0.0, bound_ms, ok ? "ok" : "WRONG");
	ts_audio_free(&a);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "tone"))
		return tone(argv[2], argv[3], atof(argv[4]), atof(argv[5]), true);
	if (argc == 6 && !strcmp(argv[1], "present"))
		return tone(argv[2], argv[3], atof(argv[4]), atof(argv[5]), false);
	if ((argc == 5 || argc == 7 || argc == 8) && !strcmp(argv[1], "lipsync"))
		return lipsync(argv[2], argv[3], atof(argv[4]), argc >= 7 ? argv[5] : NULL,
			       argc >= 7 ? argv[6] : NULL, argc == 8 ? atof(argv[7]) : 0);
	if (argc == 6 && !strcmp(argv[1], "make-tone"))
		return make_tone(argv[2], atof(argv[3]), atof(argv[4]), atof(argv[5]));
	fprintf(stderr, "usage: check_audio tone|present FILE.ts lpcm|aac HZ DBFS\n"
		"       check_audio lipsync FILE.ts lpcm|aac BOUND_MS [ARRIVALS FLASH_LOG "
		"[DRIFT_MS]]\n"
		"       check_audio make-tone FILE.wav HZ DBFS SECONDS\n");
	return 2;
}
