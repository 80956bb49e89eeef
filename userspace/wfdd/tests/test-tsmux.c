// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Byte-level tests of the MPEG-TS muxer and the RTP packetizer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtp.h"
#include "tsmux.h"

static int fails;
#define EXPECT(c) do { if (!(c)) { fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); fails++; } } while (0)

static uint8_t pkts[512][TS_PACKET_SIZE];
static int npkts;

static int collect(const uint8_t *p, void *opaque)
{
	(void)opaque;
	if (npkts < 512)
		memcpy(pkts[npkts++], p, TS_PACKET_SIZE);
	return 0;
}

static unsigned pid(const uint8_t *p) { return (unsigned)((p[1] & 0x1f) << 8 | p[2]); }
static unsigned afc(const uint8_t *p) { return (p[3] >> 4) & 3; }

static uint64_t get_pts(const uint8_t *p)
{
	return ((uint64_t)(p[0] & 0x0e) << 29) | ((uint64_t)p[1] << 22) |
	       ((uint64_t)(p[2] & 0xfe) << 14) | ((uint64_t)p[3] << 7) | (p[4] >> 1);
}

static void test_psi(void)
{
	static const uint8_t pat[] = {
		0x47, 0x40, 0x00, 0x10, 0x00, 0x00, 0xb0, 0x0d, 0x00, 0x01, 0xc1, 0x00,
		0x00, 0x00, 0x01, 0xe1, 0x00,
	};
	struct ts_mux m;

	npkts = 0;
	ts_mux_init(&m, collect, NULL);
	EXPECT(ts_mux_tick(&m, 27000000) == 0);
	EXPECT(npkts == 3);
	EXPECT(!memcmp(pkts[0], pat, sizeof(pat)));
	/* CRC over the section, then stuffing. */
	EXPECT(ts_crc32(pkts[0] + 5, 12 + 4) == 0);
	EXPECT(pkts[0][5 + 16] == 0xff && pkts[0][187] == 0xff);
	/* PMT: PCR PID 0x1000, one H.264 stream on 0x1011. */
	EXPECT(pid(pkts[1]) == TS_PID_PMT && pkts[1][5] == 0x02);
	EXPECT(((pkts[1][13] & 0x1f) << 8 | pkts[1][14]) == TS_PID_PCR);
	EXPECT(pkts[1][17] == 0x1b && ((pkts[1][18] & 0x1f) << 8 | pkts[1][19]) == TS_PID_VIDEO);
	EXPECT(ts_crc32(pkts[1] + 5, 3 + 18) == 0);
	/* PCR: adaptation only, 27 MHz value split in base and extension. */
	EXPECT(pid(pkts[2]) == TS_PID_PCR && afc(pkts[2]) == 2 && pkts[2][4] == 183);
	EXPECT(pkts[2][5] == 0x10);
	{
		const uint8_t *p = pkts[2] + 6;
		uint64_t base = ((uint64_t)p[0] << 25) | ((uint64_t)p[1] << 17) |
				((uint64_t)p[2] << 9) | ((uint64_t)p[3] << 1) | (p[4] >> 7);
		unsigned ext = (unsigned)((p[4] & 1) << 8 | p[5]);

		EXPECT(base * 300 + ext == 27000000);
	}
	/* Within the intervals nothing is repeated; after them both are. */
	npkts = 0;
	EXPECT(ts_mux_tick(&m, 27000000 + TS_PCR_INTERVAL - 1) == 0 && npkts == 0);
	EXPECT(ts_mux_tick(&m, 27000000 + TS_PCR_INTERVAL) == 0 && npkts == 1);
	EXPECT(pid(pkts[0]) == TS_PID_PCR && (pkts[0][3] & 0x0f) == 0);
	npkts = 0;
	EXPECT(ts_mux_tick(&m, 27000000 + TS_PSI_INTERVAL) == 0 && npkts == 3);
	/* Continuity counters advance per PID with payload only. */
	EXPECT((pkts[0][3] & 0x0f) == 1 && (pkts[1][3] & 0x0f) == 1 && (pkts[2][3] & 0x0f) == 0);
	/*
	 * A time a little before the last (another thread's, taken before
	 * it got the lock) is not "long ago": nothing is due.
	 */
	npkts = 0;
	EXPECT(ts_mux_tick(&m, 27000000 + TS_PSI_INTERVAL - 27000) == 0 && npkts == 0);
}

static void test_pes(void)
{
	static uint8_t au[1000], out[2000];
	struct ts_mux m;
	size_t got = 0;
	int cc = -1, video = 0;

	for (size_t i = 0; i < sizeof(au); i++)
		au[i] = (uint8_t)(i * 7);
	au[0] = au[1] = au[2] = 0; au[3] = 1; au[4] = 9;	/* AUD */
	npkts = 0;
	ts_mux_init(&m, collect, NULL);
	EXPECT(ts_mux_video(&m, au, sizeof(au), 0x1ffffffffull, true, 0) == 0);
	for (int i = 0; i < npkts; i++) {
		const uint8_t *p = pkts[i];
		size_t off = 4;

		EXPECT(p[0] == 0x47);
		if (pid(p) != TS_PID_VIDEO)
			continue;
		if (cc >= 0)
			EXPECT((p[3] & 0x0f) == ((cc + 1) & 0x0f));
		cc = p[3] & 0x0f;
		if (afc(p) == 3) {
			if (!video)	/* random access indicator on a key frame */
				EXPECT(p[4] >= 1 && (p[5] & 0x40));
			off += 1 + p[4];
		}
		if (!video) {
			EXPECT(p[1] & 0x40);	/* payload unit start */
			EXPECT(!memcmp(p + off, "\0\0\1\xe0\0\0\x80\x80\x05", 9));
			EXPECT((p[off + 9] >> 4) == 2);
			EXPECT(get_pts(p + off + 9) == 0x1ffffffffull);
			off += 14;
		} else {
			EXPECT(!(p[1] & 0x40));
		}
		memcpy(out + got, p + off, TS_PACKET_SIZE - off);
		got += TS_PACKET_SIZE - off;
		video++;
	}
	/* The key frame is preceded by PAT, PMT and PCR. */
	EXPECT(pid(pkts[0]) == TS_PID_PAT && pid(pkts[1]) == TS_PID_PMT && pid(pkts[2]) == TS_PID_PCR);
	EXPECT(got == sizeof(au) && !memcmp(out, au, sizeof(au)));
	EXPECT(video == (int)((sizeof(au) + 14 + 183) / 184));
}

/* LPCM: the PMT lists it when enabled; its PES carries the WFD LPCM header. */
static void test_lpcm(void)
{
	static uint8_t samples[TS_LPCM_BYTES], out[TS_LPCM_BYTES + 200];
	struct ts_mux m;
	size_t got = 0;
	int audio = 0, cc = -1;

	for (size_t i = 0; i < sizeof(samples); i++)
		samples[i] = (uint8_t)(i * 13 + 1);
	npkts = 0;
	ts_mux_init(&m, collect, NULL);
	ts_mux_set_audio(&m, true);
	EXPECT(ts_mux_lpcm(&m, samples, 90000, 27000000) == 0);
	EXPECT(pid(pkts[0]) == TS_PID_PAT && pid(pkts[1]) == TS_PID_PMT);
	/*
	 * PMT: section_length 27, video then LPCM 0x83 on 0x1100 with its
	 * 48 kHz/16-bit/stereo descriptor, valid CRC.
	 */
	EXPECT(pkts[1][7] == 27);
	EXPECT(pkts[1][17] == 0x1b && pkts[1][22] == TS_STREAM_TYPE_LPCM);
	EXPECT(((pkts[1][23] & 0x1f) << 8 | pkts[1][24]) == TS_PID_AUDIO);
	EXPECT(!memcmp(pkts[1] + 25, "\xf0\x04\x83\x02\x46\x2f", 6));
	EXPECT(ts_crc32(pkts[1] + 5, 3 + 27) == 0);
	for (int i = 0; i < npkts; i++) {
		const uint8_t *p = pkts[i];
		size_t off = 4;

		if (pid(p) != TS_PID_AUDIO)
			continue;
		if (cc >= 0)
			EXPECT((p[3] & 0x0f) == ((cc + 1) & 0x0f));
		cc = p[3] & 0x0f;
		if (afc(p) == 3)
			off += 1 + p[4];
		if (!audio) {
			const size_t len = 3 + 5 + 4 + TS_LPCM_BYTES;

			EXPECT(p[1] & 0x40);
			EXPECT(!memcmp(p + off, "\0\0\1\xbd", 4));
			EXPECT(p[off + 4] == (len >> 8) && p[off + 5] == (len & 0xff));
			EXPECT(get_pts(p + off + 9) == 90000);
			EXPECT(!memcmp(p + off + 14, "\xa0\x06\x00\x11", 4));
			off += 18;
		}
		memcpy(out + got, p + off, TS_PACKET_SIZE - off);
		got += TS_PACKET_SIZE - off;
		audio++;
	}
	EXPECT(got == sizeof(samples) && !memcmp(out, samples, sizeof(samples)));
	EXPECT(audio == (int)((sizeof(samples) + 18 + 183) / 184));
	/* Silence: zeros; switching audio off sends a PMT without it at once. */
	npkts = 0;
	EXPECT(ts_mux_lpcm(&m, NULL, 90900, 27000000) == 0);
	EXPECT(npkts == audio && pkts[npkts - 1][187] == 0);
	ts_mux_set_audio(&m, false);
	npkts = 0;
	EXPECT(ts_mux_tick(&m, 27000001) == 0);
	EXPECT(npkts == 2 && pid(pkts[1]) == TS_PID_PMT && pkts[1][7] == 18);
}

/* version_number of the PSI section in @p (a packet starting one). */
static unsigned int psi_version(const uint8_t *p)
{
	return (p[10] >> 1) & 0x1f;
}

/*
 * A demuxer that caches the PMT by version must see each new content
 * under a new version (ISO/IEC 13818-1 2.4.4.9): the PAT never changes.
 */
static void test_pmt_version(void)
{
	struct ts_mux m;
	unsigned int v0;

	npkts = 0;
	ts_mux_init(&m, collect, NULL);
	EXPECT(ts_mux_tick(&m, 0) == 0 && pid(pkts[1]) == TS_PID_PMT);
	v0 = psi_version(pkts[1]);
	EXPECT(pkts[1][10] & 1);	/* current_next_indicator */
	for (unsigned int i = 1; i <= 40; i++) {
		/* Audio on, off, on...: every change is a new PMT. */
		ts_mux_set_audio(&m, i % 2);
		npkts = 0;
		EXPECT(ts_mux_tick(&m, i) == 0 && npkts == 2);
		EXPECT(pid(pkts[0]) == TS_PID_PAT && psi_version(pkts[0]) == 0);
		EXPECT(psi_version(pkts[1]) == ((v0 + i) & 0x1f));
		EXPECT(pkts[1][7] == (i % 2 ? 27 : 18));
		EXPECT(ts_crc32(pkts[1] + 5, 3 + pkts[1][7]) == 0);
	}
	/* The same content again is the same version. */
	ts_mux_set_audio(&m, false);
	npkts = 0;
	EXPECT(ts_mux_tick(&m, 41 + TS_PSI_INTERVAL) == 0 && npkts == 3);
	EXPECT(psi_version(pkts[1]) == ((v0 + 40) & 0x1f));
}

static uint8_t dgrams[16][RTP_PACKET_SIZE];
static size_t dlen[16];
static int ndgrams;

static int dsink(const uint8_t *d, size_t len, void *opaque)
{
	(void)opaque;
	memcpy(dgrams[ndgrams], d, len);
	dlen[ndgrams++] = len;
	return 0;
}

static void test_rtp(void)
{
	struct rtp_sender r;
	uint8_t pkt[TS_PACKET_SIZE];

	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x47;
	rtp_init(&r, -1, 0x11223344, 0xfffe);
	r.sink = dsink;
	rtp_set_time(&r, 90000);
	for (int i = 0; i < 9; i++)
		EXPECT(rtp_push(&r, pkt) == 0);
	EXPECT(ndgrams == 1);
	EXPECT(rtp_flush(&r) == 0);
	EXPECT(ndgrams == 2);
	EXPECT(dlen[0] == 1328 && dlen[1] == 1328);
	EXPECT(dgrams[0][0] == 0x80 && dgrams[0][1] == 33);
	EXPECT(dgrams[0][2] == 0xff && dgrams[0][3] == 0xfe);
	EXPECT(dgrams[1][2] == 0xff && dgrams[1][3] == 0xff);
	EXPECT(!memcmp(dgrams[0] + 4, "\x00\x01\x5f\x90\x11\x22\x33\x44", 8));
	EXPECT(!memcmp(dgrams[1] + 8, "\x11\x22\x33\x44", 4));
	/* Padding: null packets after the two real ones. */
	EXPECT(dgrams[1][12 + 2 * 188] == 0x47 &&
	       ((dgrams[1][12 + 2 * 188 + 1] & 0x1f) << 8 | dgrams[1][12 + 2 * 188 + 2]) == 0x1fff);
	EXPECT(rtp_flush(&r) == 0 && ndgrams == 2);
	EXPECT(r.packets == 2 && r.bytes == 2 * 1328);
}

int main(void)
{
	test_psi();
	test_pes();
	test_lpcm();
	test_pmt_version();
	test_rtp();
	printf("%s\n", fails ? "FAIL" : "PASS");
	return fails != 0;
}
