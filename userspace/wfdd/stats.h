/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Streaming statistics, in one-second intervals: what wfdd reports to the
 * kernel (REPORT_STATS) and prints with -v, and whether the link keeps
 * up with the encoder.
 */
#ifndef WFDD_STATS_H
#define WFDD_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wfd_drm.h"

#define STATS_INTERVAL_NS	1000000000ull
/*
 * Intervals in a row the link may carry less than was encoded.  Paced,
 * an IDR leaves over several frame periods and a starved sender thread
 * trails for a second or two (two ended sessions under a loaded
 * emulator); a link that cannot carry the stream stays short.
 */
#define STATS_SHORT_LIMIT	5

struct stats {
	/* The current interval. */
	uint64_t frames, superseded, bytes, encode_ns;
	uint64_t sent, latency_ns;	/* frames whose last datagram left */
	uint64_t since, sent_since;	/* its start, and the bytes sent by then */
	/* Totals. */
	uint64_t total_frames, total_superseded;
	int short_intervals;	/* in a row, ending with the last one closed */
	/* The last closed interval, for -v. */
	uint64_t last_superseded;
};

/* Start counting at @now (CLOCK_MONOTONIC ns), @sent bytes already sent. */
void stats_init(struct stats *s, uint64_t now, uint64_t sent);
/* One coded frame of @bytes queued to be sent. */
void stats_frame(struct stats *s, size_t bytes, uint64_t encode_ns);
/* The last datagram of a frame left, @latency_ns after its commit. */
void stats_sent(struct stats *s, uint64_t latency_ns);
/* Frames committed and never encoded (FRAME_ACQUIRE's superseded). */
void stats_superseded(struct stats *s, uint64_t n);
/*
 * When an interval has passed: close it into @rs (all but session_id and
 * flags) given the sender's running total of bytes @sent, and return
 * true.  Otherwise false.
 */
bool stats_tick(struct stats *s, uint64_t now, uint64_t sent, struct drm_wfd_report_stats *rs);
/*
 * The send rate stayed below the encoded rate (fewer bytes left the
 * socket than the encoder made, though the transport adds to them) for
 * STATS_SHORT_LIMIT intervals in a row: the link cannot carry the stream.
 */
bool stats_link_short(const struct stats *s);

#endif
