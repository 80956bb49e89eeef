// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the Wi-Fi Display protocol code: each input goes
 * through the RTSP parser, the WFD parameter parser (with the mode list
 * and the M4 choice) and a source session that takes it as what a sink
 * sent, in chunks whose sizes the input's first byte picks.
 * Build and run: make fuzz (FUZZ_SECONDS=60).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtsp.h"
#include "wfd_source.h"
#include "wfdparams.h"

static struct rtsp_parser parser;
static struct rtsp_msg msg;
static struct wfds session;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wfds_config cfg;
	struct wfds_action a;
	struct wfd_params p;
	struct wfd_mode modes[16];
	struct wfd_video_formats m4;
	size_t chunk, off;
	uint64_t t = 0;

	if (!size)
		return 0;
	chunk = (size_t)(data[0] % 64) + 1;
	data++;
	size--;

	/* The RTSP framing, fed in chunks. */
	rtsp_parser_init(&parser);
	for (off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;
		int r;

		if (rtsp_parser_feed(&parser, data + off, n))
			break;
		while ((r = rtsp_parser_next(&parser, &msg)) != 0) {
			if (r == 1 && (msg.body[msg.body_len] != 0 || msg.body_len > RTSP_MAX_BODY))
				abort();
			if (r < 0 && r != -EBADMSG)
				break;
		}
	}

	/* The parameters, and what the source makes of them. */
	if (!wfd_params_parse((const char *)data, size, &p) &&
	    (p.present & WFD_P_VIDEO_FORMATS)) {
		size_t n = wfd_video_modes(&p.video, 1920, 1200, modes, 16);

		for (size_t i = 0; i < n; i++)
			if (wfd_choose_format(&p.video, modes[i].width, modes[i].height,
					      modes[i].refresh_hz, 3, 0, WFD_LEVEL_4_2, &m4))
				abort();	/* a listed mode must be choosable */
	}

	/* A session taking the input as the sink's bytes. */
	wfds_config_defaults(&cfg);
	wfds_init(&session, &cfg, 0);
	for (off = 0; off < size && session.state != WFDS_ENDED; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;

		wfds_input(&session, data + off, n, t);
		t += data[off] * 100u;
		wfds_tick(&session, t);
		if (session.state == WFDS_WAIT_MODE)
			wfds_set_mode(&session, 640, 480, 60, t);
		wfds_written(&session, session.out_len);
		while (wfds_next_action(&session, &a))
			;
	}
	return 0;
}
