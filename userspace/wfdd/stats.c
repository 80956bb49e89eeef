// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Streaming statistics.
 */
#include <string.h>

#include "stats.h"

void stats_init(struct stats *s, uint64_t now, uint64_t sent)
{
	memset(s, 0, sizeof(*s));
	s->since = now;
	s->sent_since = sent;
}

void stats_frame(struct stats *s, size_t bytes, uint64_t encode_ns)
{
	s->frames++;
	s->total_frames++;
	s->bytes += bytes;
	s->encode_ns += encode_ns;
}

void stats_sent(struct stats *s, uint64_t latency_ns)
{
	s->sent++;
	s->latency_ns += latency_ns;
}

void stats_superseded(struct stats *s, uint64_t n)
{
	s->superseded += n;
	s->total_superseded += n;
}

bool stats_tick(struct stats *s, uint64_t now, uint64_t sent, struct drm_wfd_report_stats *rs)
{
	uint64_t dt = now - s->since;

	if (dt < STATS_INTERVAL_NS)
		return false;
	rs->frames_encoded = s->total_frames;
	rs->frames_dropped = s->total_superseded;
	rs->bytes_sent = sent;
	rs->fps_milli = (uint32_t)(s->frames * 1000000000000ull / dt);
	rs->bitrate_kbps = (uint32_t)(s->bytes * 8 * 1000000ull / dt);
	rs->encode_us = s->frames ? (uint32_t)(s->encode_ns / s->frames / 1000) : 0;
	rs->latency_us = s->sent ? (uint32_t)(s->latency_ns / s->sent / 1000) : 0;
	/*
	 * MPEG-TS and RTP only add bytes: less sent than coded means
	 * datagrams the socket refused.
	 */
	if (sent - s->sent_since < s->bytes)
		s->short_intervals++;
	else
		s->short_intervals = 0;
	s->last_superseded = s->superseded;
	s->frames = s->superseded = s->bytes = s->encode_ns = s->sent = s->latency_ns = 0;
	s->since = now;
	s->sent_since = sent;
	return true;
}

bool stats_link_short(const struct stats *s)
{
	return s->short_intervals >= STATS_SHORT_LIMIT;
}
