// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * MPEG-TS muxer (ISO/IEC 13818-1) for one H.264 stream and LPCM or AAC audio.
 */
#include <string.h>

#include "tsmux.h"

enum { CC_PAT, CC_PMT, CC_PCR, CC_VIDEO, CC_AUDIO };

uint32_t ts_crc32(const uint8_t *data, size_t len)
{
	uint32_t crc = 0xffffffffu;

	while (len--) {
		crc ^= (uint32_t)*data++ << 24;
		for (int i = 0; i < 8; i++)
			crc = crc & 0x80000000u ? (crc << 1) ^ 0x04c11db7u : crc << 1;
	}
	return crc;
}

void ts_put_pts(uint8_t *p, unsigned int prefix, uint64_t pts)
{
	pts &= (1ull << 33) - 1;
	p[0] = (uint8_t)((prefix << 4) | ((pts >> 29) & 0x0e) | 1);
	p[1] = (uint8_t)(pts >> 22);
	p[2] = (uint8_t)(((pts >> 14) & 0xfe) | 1);
	p[3] = (uint8_t)(pts >> 7);
	p[4] = (uint8_t)(((pts << 1) & 0xfe) | 1);
}

void ts_mux_init(struct ts_mux *m, ts_out_fn out, void *opaque)
{
	memset(m, 0, sizeof(*m));
	m->out = out;
	m->opaque = opaque;
}

static void ts_header(uint8_t *p, uint16_t pid, bool pusi, unsigned int afc,
		      uint8_t *cc)
{
	p[0] = 0x47;
	p[1] = (uint8_t)((pusi ? 0x40 : 0) | (pid >> 8));
	p[2] = (uint8_t)pid;
	p[3] = (uint8_t)((afc << 4) | (*cc & 0x0f));
	/* Packets without payload do not advance the counter. */
	if (afc & 1)
		*cc = (*cc + 1) & 0x0f;
}

/* One PSI section in one packet, stuffed with 0xff. */
static int ts_psi(struct ts_mux *m, uint16_t pid, uint8_t *cc,
		  const uint8_t *section, size_t len)
{
	uint8_t p[TS_PACKET_SIZE];
	uint32_t crc;

	memset(p, 0xff, sizeof(p));
	ts_header(p, pid, true, 1, cc);
	p[4] = 0;	/* pointer field */
	memcpy(p + 5, section, len);
	crc = ts_crc32(section, len);
	p[5 + len] = (uint8_t)(crc >> 24);
	p[6 + len] = (uint8_t)(crc >> 16);
	p[7 + len] = (uint8_t)(crc >> 8);
	p[8 + len] = (uint8_t)crc;
	return m->out(p, m->opaque);
}

static int ts_pat_pmt(struct ts_mux *m)
{
	/* section_length counts from after itself to the end of the CRC. */
	const uint8_t pat[] = {
		0x00, 0xb0, 13, 0x00, 0x01, 0xc1, 0x00, 0x00,
		0x00, 0x01, 0xe0 | (TS_PID_PMT >> 8), TS_PID_PMT & 0xff,
	};
	uint8_t pmt[] = {
		0x02, 0xb0, 18, 0x00, 0x01, 0xc1, 0x00, 0x00,
		0xe0 | (TS_PID_PCR >> 8), TS_PID_PCR & 0xff, 0xf0, 0x00,
		TS_STREAM_TYPE_H264, 0xe0 | (TS_PID_VIDEO >> 8), TS_PID_VIDEO & 0xff,
		0xf0, 0x00,
		/*
		 * Only with audio: its entry, with the LPCM audio stream
		 * descriptor of Wi-Fi Display (tag 0x83): sampling frequency
		 * (2: 48 kHz) << 5 | bits per sample (0: 16) << 3 | reserved
		 * ones | no emphasis, then channels (1: stereo) << 5 | reserved.
		 */
		TS_STREAM_TYPE_LPCM, 0xe0 | (TS_PID_AUDIO >> 8), TS_PID_AUDIO & 0xff,
		0xf0, 0x04, 0x83, 0x02, (2 << 5) | (0 << 3) | 0x06, (1 << 5) | 0x0f,
	};
	size_t pmt_len = sizeof(pmt) - (m->audio ? 0 : 9);

	/* AAC (ADTS) needs no descriptor. */
	if (m->audio && m->aac) {
		pmt[17] = TS_STREAM_TYPE_AAC;
		pmt[21] = 0x00;
		pmt_len -= 4;
	}

	pmt[2] = (uint8_t)(pmt_len + 4 - 3);
	/* reserved, version_number, current_next_indicator */
	pmt[5] = (uint8_t)(0xc1 | (m->pmt_version & 0x1f) << 1);
	return ts_psi(m, TS_PID_PAT, &m->cc[CC_PAT], pat, sizeof(pat)) ?:
	       ts_psi(m, TS_PID_PMT, &m->cc[CC_PMT], pmt, pmt_len);
}

static void ts_put_pcr(uint8_t *p, uint64_t pcr)
{
	uint64_t base = (pcr / 300) & ((1ull << 33) - 1);
	unsigned int ext = (unsigned int)(pcr % 300);

	p[0] = (uint8_t)(base >> 25);
	p[1] = (uint8_t)(base >> 17);
	p[2] = (uint8_t)(base >> 9);
	p[3] = (uint8_t)(base >> 1);
	p[4] = (uint8_t)(((base & 1) << 7) | 0x7e | (ext >> 8));
	p[5] = (uint8_t)ext;
}

void ts_pcr_packet(uint8_t *p, uint64_t pcr)
{
	/* Without payload the continuity counter never moves from 0. */
	uint8_t cc = 0;

	memset(p, 0xff, TS_PACKET_SIZE);
	ts_header(p, TS_PID_PCR, false, 2, &cc);
	p[4] = 183;	/* adaptation field fills the packet */
	p[5] = 0x10;	/* PCR flag */
	ts_put_pcr(p + 6, pcr);
}

bool ts_stamp_pcr(uint8_t *p, uint64_t pcr)
{
	/* An adaptation field with its PCR flag set. */
	if (!(p[3] & 0x20) || p[4] < 7 || !(p[5] & 0x10))
		return false;
	ts_put_pcr(p + 6, pcr);
	return true;
}

static int ts_pcr(struct ts_mux *m, uint64_t now)
{
	uint8_t p[TS_PACKET_SIZE];

	ts_pcr_packet(p, now);
	return m->out(p, m->opaque);
}

/*
 * Whether @interval has passed since @last.  The stream's threads mux
 * with times taken before they got the lock: one may come a little
 * before the last, which is not a wrap-around to "long ago".
 */
static bool due(uint64_t now, uint64_t last, uint64_t interval)
{
	return now >= last && now - last >= interval;
}

int ts_mux_tick(struct ts_mux *m, uint64_t now)
{
	int ret = 0;

	if (!m->psi_sent || due(now, m->last_psi, TS_PSI_INTERVAL)) {
		ret = ts_pat_pmt(m);
		m->psi_sent = true;
		m->last_psi = now;
	}
	if (!ret && (!m->pcr_sent || due(now, m->last_pcr, TS_PCR_INTERVAL))) {
		ret = ts_pcr(m, now);
		m->pcr_sent = true;
		m->last_pcr = now;
	}
	return ret;
}

/*
 * One PES packet: header @pes (@pes_len bytes) and @len bytes of @data
 * (NULL: zeros), split in TS packets on @pid; @key marks a random access
 * point.  Every packet goes to the output even after one failed: a lost
 * packet is a loss, a PES cut short would be garbage up to the next one.
 */
static int ts_pes(struct ts_mux *m, uint16_t pid, uint8_t *cc, const uint8_t *pes,
		  size_t pes_len, const uint8_t *data, size_t len, bool key)
{
	size_t pes_left = pes_len, off = 0;
	bool first = true;
	int ret = 0, err;

	while (pes_left || off < len) {
		uint8_t p[TS_PACKET_SIZE];
		size_t room = TS_PACKET_SIZE - 4, hdr = 4, n;
		size_t payload = pes_left + (len - off);
		size_t af = 0;	/* adaptation field bytes, length byte included */

		if (first && key)
			af = 2;	/* flags: random_access_indicator */
		if (payload < room - af)
			af = room - payload;
		room -= af;

		ts_header(p, pid, first, af ? 3 : 1, cc);
		if (af) {
			p[4] = (uint8_t)(af - 1);
			if (af > 1) {
				p[5] = first && key ? 0x40 : 0x00;
				memset(p + 6, 0xff, af - 2);
			}
			hdr += af;
		}
		n = pes_left < room ? pes_left : room;
		memcpy(p + hdr, pes + pes_len - pes_left, n);
		pes_left -= n;
		hdr += n;
		room -= n;
		n = len - off < room ? len - off : room;
		if (data)
			memcpy(p + hdr, data + off, n);
		else
			memset(p + hdr, 0, n);
		off += n;
		first = false;
		err = m->out(p, m->opaque);
		if (!ret)
			ret = err;
	}
	return ret;
}

int ts_mux_video(struct ts_mux *m, const uint8_t *au, size_t len,
		 uint64_t pts, bool key, uint64_t now)
{
	uint8_t pes[14] = { 0, 0, 1, 0xe0, 0, 0, 0x80, 0x80, 5 };
	int ret, err;

	/* A random access point is preceded by fresh PSI and PCR. */
	if (key)
		m->psi_sent = m->pcr_sent = false;
	ret = ts_mux_tick(m, now);
	/* PES_packet_length 0: unbounded, allowed for video. */
	ts_put_pts(pes + 9, 2, pts);
	err = ts_pes(m, TS_PID_VIDEO, &m->cc[CC_VIDEO], pes, sizeof(pes), au, len, key);
	return ret ?: err;
}

void ts_mux_set_audio(struct ts_mux *m, bool lpcm)
{
	ts_mux_set_audio_type(m, lpcm ? TS_STREAM_TYPE_LPCM : 0);
}

void ts_mux_set_audio_type(struct ts_mux *m, uint8_t stream_type)
{
	bool audio = stream_type != 0, aac = stream_type == TS_STREAM_TYPE_AAC;

	if (m->audio == audio && (!audio || m->aac == aac))
		return;
	/* A demuxer may cache the PMT by its version: a new one for it. */
	m->pmt_version = (m->pmt_version + 1) & 0x1f;
	m->psi_sent = false;	/* and it goes out at once */
	m->audio = audio;
	m->aac = aac;
}

int ts_mux_aac(struct ts_mux *m, const uint8_t *adts, size_t len, uint64_t pts, uint64_t now)
{
	/* An audio stream (0xc0) with PTS, one ADTS frame a PES. */
	const size_t pes_length = 3 + 5 + len;
	uint8_t pes[14] = {
		0, 0, 1, 0xc0, (uint8_t)(pes_length >> 8), (uint8_t)pes_length, 0x80, 0x80, 5,
	};
	int ret = ts_mux_tick(m, now), err;

	if (pes_length > 0xffff)
		return ret;
	ts_put_pts(pes + 9, 2, pts);
	err = ts_pes(m, TS_PID_AUDIO, &m->cc[CC_AUDIO], pes, sizeof(pes), adts, len, true);
	return ret ?: err;
}

int ts_mux_lpcm(struct ts_mux *m, const uint8_t *samples, uint64_t pts, uint64_t now)
{
	/*
	 * private_stream_1 with PTS, then the LPCM header of Wi-Fi Display:
	 * sub-stream 0xa0, 6 audio frames, reserved, then quantization (0:
	 * 16 bit) << 6 | sampling frequency (2: 48 kHz) << 3 | channels (1:
	 * stereo).
	 */
	const size_t pes_length = 3 + 5 + 4 + TS_LPCM_BYTES;
	uint8_t pes[18] = {
		0, 0, 1, 0xbd, (uint8_t)(pes_length >> 8), (uint8_t)pes_length, 0x80, 0x80, 5,
		[14] = 0xa0, 6, 0x00, (0 << 6) | (2 << 3) | 1,
	};
	int ret = ts_mux_tick(m, now), err;

	ts_put_pts(pes + 9, 2, pts);
	/* Each audio PES is a random access point of its stream. */
	err = ts_pes(m, TS_PID_AUDIO, &m->cc[CC_AUDIO], pes, sizeof(pes), samples,
		     TS_LPCM_BYTES, true);
	return ret ?: err;
}
