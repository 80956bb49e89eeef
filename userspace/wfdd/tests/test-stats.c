// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Statistics intervals: the figures reported to the kernel, and the
 * send-rate-below-encoded-rate rule that ends a session as
 * INSUFFICIENT_BANDWIDTH.  KTAP output.
 */
#include <stdio.h>

#include "stats.h"
#include "tap.h"

#define MS 1000000ull


/* Three 10000-byte frames; @sent more bytes left the socket. */
static bool second(struct stats *s, uint64_t *now, uint64_t *sent, uint64_t add,
		   struct drm_wfd_report_stats *rs)
{
	for (int i = 0; i < 3; i++) {
		stats_frame(s, 10000, 2 * MS);
		stats_sent(s, 5 * MS);
	}
	*now += 1000 * MS;
	*sent += add;
	return stats_tick(s, *now, *sent, rs);
}

int main(void)
{
	struct drm_wfd_report_stats rs = { 0 };
	uint64_t now = 5000 * MS, sent = 1000;
	struct stats s;

	printf("KTAP version 1\n");
	stats_init(&s, now, sent);
	stats_frame(&s, 10000, 2 * MS);
	stats_sent(&s, 5 * MS);
	stats_superseded(&s, 4);
	check(!stats_tick(&s, now + 999 * MS, sent, &rs), "no report before a second");
	stats_frame(&s, 10000, 2 * MS);
	stats_sent(&s, 5 * MS);
	stats_frame(&s, 10000, 2 * MS);
	stats_sent(&s, 5 * MS);
	sent += 31000;
	now += 1000 * MS;
	check(stats_tick(&s, now, sent, &rs), "a report after a second");
	check(rs.fps_milli == 3000 && rs.bitrate_kbps == 240 && rs.encode_us == 2000 &&
	      rs.latency_us == 5000, "3.000 fps, 240 kbit/s, encode 2000 us, latency 5000 us: "
	      "%u, %u, %u, %u", rs.fps_milli, rs.bitrate_kbps, rs.encode_us, rs.latency_us);
	check(rs.frames_encoded == 3 && rs.frames_dropped == 4 && rs.bytes_sent == 32000 &&
	      s.last_superseded == 4, "totals: 3 encoded, 4 superseded, 32000 bytes sent");
	check(!stats_link_short(&s), "more sent than coded: the link keeps up");

	check(second(&s, &now, &sent, 20000, &rs) && !stats_link_short(&s) &&
	      rs.frames_encoded == 6 && s.last_superseded == 0,
	      "one short second is tolerated");
	for (int i = 2; i < STATS_SHORT_LIMIT; i++)
		check(second(&s, &now, &sent, 29999, &rs) && !stats_link_short(&s),
		      "%d short seconds in a row are tolerated", i);
	check(second(&s, &now, &sent, 29999, &rs) && stats_link_short(&s),
	      "%d in a row: insufficient bandwidth", STATS_SHORT_LIMIT);
	check(second(&s, &now, &sent, 31000, &rs) && !stats_link_short(&s),
	      "the link recovers: the count restarts");

	/* Idle: nothing coded, PSI and PCR still sent. */
	now += 2000 * MS;
	sent += 500;
	check(stats_tick(&s, now, sent, &rs) && rs.fps_milli == 0 && rs.encode_us == 0 &&
	      rs.latency_us == 0 && !stats_link_short(&s), "idle interval: zeros, no shortage");
	stats_frame(&s, 25000, 3 * MS);
	stats_sent(&s, 7 * MS);
	now += 2000 * MS;
	sent += 26000;
	check(stats_tick(&s, now, sent, &rs), "a two-second interval");
	check(rs.fps_milli == 500 && rs.bitrate_kbps == 100,
	      "over it: 0.500 fps, 100 kbit/s: %u, %u", rs.fps_milli, rs.bitrate_kbps);
	/*
	 * Paced, a frame leaves after it was coded, maybe in the next
	 * interval: the latency is that of the frames that left.
	 */
	stats_frame(&s, 10000, 2 * MS);
	stats_frame(&s, 10000, 2 * MS);
	stats_sent(&s, 9 * MS);
	now += 1000 * MS;
	sent += 21000;
	check(stats_tick(&s, now, sent, &rs) && rs.latency_us == 9000 && rs.fps_milli == 2000,
	      "latency of the frames sent: %u us", rs.latency_us);
	stats_sent(&s, 13 * MS);
	now += 1000 * MS;
	check(stats_tick(&s, now, sent, &rs) && rs.latency_us == 13000 && rs.fps_milli == 0,
	      "and of the one sent after its interval: %u us", rs.latency_us);
	return tap_done();
}
