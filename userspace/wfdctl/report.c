// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wfdctl: the status report.
 *
 * What GET_INFO and KMS say is always shown; what only debugfs knows
 * (who holds the claim, statistics, frame counters, endings) is shown
 * when it was read, and the text says why it is missing otherwise.
 *
 * An output is claimed by one daemon for as long as it runs; each sink it
 * serves is a session on that claim, so a session's owner is the claim's.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "report.h"

static const char *session_state(const struct wfdctl_output *o)
{
	if (!o->session_id)
		return NULL;
	/* CONNECT plugs the output in: a live session is connected. */
	return o->flags & WFD_OUTPUT_CONNECTED ? "connected" : "not connected";
}

/* The sink's name: the session's (debugfs), else the connector's EDID. */
static const char *sink_name(const struct wfdctl_device *dev,
			     const struct wfdctl_output *o)
{
	if (dev->have_debugfs && o->have_session && o->sink[0])
		return o->sink;
	if ((o->flags & WFD_OUTPUT_CONNECTED) && o->edid_name[0])
		return o->edid_name;
	return NULL;
}

/* Text from the kernel or a sink, shown with unprintable bytes as '?'. */
static void put_text(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s >= 0x20 && *s < 0x7f ? *s : '?', f);
}

/*
 * Who holds the claim: debugfs says, when it was read and agrees with
 * GET_INFO (the claim may have changed hands between the two reads).
 */
static bool claim_known(const struct wfdctl_device *dev, const struct wfdctl_output *o)
{
	return dev->have_debugfs && (o->flags & WFD_OUTPUT_CLAIMED) && o->claimed &&
	       o->claim_pid > 0;
}

/* "wfdd (pid 1201)", or "(pid 1201)" when its name is unknown. */
static void put_claimant(FILE *f, const struct wfdctl_output *o)
{
	if (o->claim_comm[0]) {
		put_text(f, o->claim_comm);
		fputc(' ', f);
	}
	fprintf(f, "(pid %" PRId32 ")", o->claim_pid);
}

static void print_ending_text(FILE *f, const struct wfdctl_ending *e)
{
	fprintf(f, "    session %" PRIu64 ": %s, diag %" PRId32 ", after %" PRIu64 ".%03u s\n",
		e->session_id, e->status_name, e->diag, e->duration_ms / 1000,
		(unsigned int)(e->duration_ms % 1000));
}

static void print_output_text(FILE *f, const struct wfdctl_device *dev, unsigned int i)
{
	const struct wfdctl_output *o = &dev->outputs[i];
	const char *state = session_state(o), *sink = sink_name(dev, o);
	unsigned int k;

	fprintf(f, "output %u (%s): %s\n", i + 1, o->connector[0] ? o->connector : "?",
		o->flags & WFD_OUTPUT_CONNECTED ? "connected" : "disconnected");
	if (state) {
		fprintf(f, "  session:  %" PRIu64 ", %s", o->session_id, state);
		if (claim_known(dev, o)) {
			fputs(", owner ", f);
			put_claimant(f, o);
		}
	} else {
		fprintf(f, "  session:  none%s",
			o->flags & WFD_OUTPUT_CONNECTED ? " (forced on)" : "");
		/* Claimed: a daemon waits for its next sink. */
		if (o->flags & WFD_OUTPUT_CLAIMED) {
			fputs(", claimed", f);
			if (claim_known(dev, o)) {
				fputs(" by ", f);
				put_claimant(f, o);
			}
		}
	}
	fputc('\n', f);
	if (sink) {
		fputs("  sink:     ", f);
		put_text(f, sink);
		fputc('\n', f);
	}
	if (o->mode_valid)
		fprintf(f, "  mode:     %" PRIu32 "x%" PRIu32 "@%" PRIu32 ".%03" PRIu32 " Hz\n",
			o->width, o->height, o->refresh_mhz / 1000, o->refresh_mhz % 1000);
	else if (o->flags & WFD_OUTPUT_CONNECTED)
		fputs("  mode:     off (no compositor has lit the output up)\n", f);

	if (!dev->have_debugfs)
		return;
	if (state && o->have_session) {
		if (o->have_stats)
			fprintf(f, "  stream:   %u.%03u fps, %" PRIu32 " kbit/s, encode %" PRIu32
				" us, commit-to-send %" PRIu32 " us, %" PRIu64 " bytes sent\n",
				o->stats.fps_milli / 1000, o->stats.fps_milli % 1000,
				o->stats.bitrate_kbps, o->stats.encode_us,
				o->stats.latency_us, o->stats.bytes_sent);
		fprintf(f, "  frames:   committed %" PRIu64 ", encoded %" PRIu64 ", dropped %"
			PRIu64 ", superseded %" PRIu64 ", held %s\n",
			o->frames_committed, o->stats.frames_encoded, o->stats.frames_dropped,
			o->frames_superseded, o->frame_held ? "yes" : "no");
	}
	fprintf(f, "  output:   %" PRIu64 " frames delivered, %" PRIu64 " hold timeouts, %"
		PRIu32 " sessions ended\n",
		o->frames_delivered, o->hold_timeouts, o->sessions_ended);
	if (o->num_endings) {
		fprintf(f, "  last endings (oldest first):\n");
		for (k = 0; k < o->num_endings; k++)
			print_ending_text(f, &o->endings[k]);
	}
}

void wfdctl_print_text(FILE *f, const struct wfdctl_device *dev)
{
	unsigned int i;

	fprintf(f, "%s: wfd UAPI %" PRIu32 ", %" PRIu32 " output%s\n", dev->path,
		dev->uapi_version, dev->num_outputs, dev->num_outputs == 1 ? "" : "s");
	for (i = 0; i < dev->num_outputs; i++)
		print_output_text(f, dev, i);
	if (!dev->have_debugfs)
		fprintf(f, "(claim owners, statistics and endings are in debugfs, which is not readable: %s%s)\n",
			strerror(dev->debugfs_errno),
			dev->debugfs_errno == EACCES ? "; run as root" : "");
}

/* A JSON string: quotes, backslashes and bytes outside printable ASCII escaped. */
static void put_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void print_output_json(FILE *f, const struct wfdctl_device *dev, unsigned int i)
{
	const struct wfdctl_output *o = &dev->outputs[i];
	const char *state = session_state(o), *sink = sink_name(dev, o);
	bool details = dev->have_debugfs && state && o->have_session;
	unsigned int k;

	fprintf(f, "    {\n      \"output\": %u,\n      \"connector\": ", i + 1);
	put_json_string(f, o->connector);
	fprintf(f, ",\n      \"connector_id\": %" PRIu32 ",\n      \"crtc_id\": %" PRIu32
		",\n      \"connected\": %s,\n      \"claimed\": %s,\n      \"claim\": ",
		o->connector_id, o->crtc_id, o->flags & WFD_OUTPUT_CONNECTED ? "true" : "false",
		o->flags & WFD_OUTPUT_CLAIMED ? "true" : "false");
	if (claim_known(dev, o)) {
		fprintf(f, "{ \"pid\": %" PRId32 ", \"owner\": ", o->claim_pid);
		put_json_string(f, o->claim_comm);
		fputs(" }", f);
	} else {
		fputs("null", f);
	}
	fputs(",\n      \"session\": ", f);
	if (state) {
		fprintf(f, "{ \"id\": %" PRIu64 ", \"state\": \"%s\"", o->session_id, state);
		/* The claim's owner runs the session; the names are version 1's. */
		if (details && claim_known(dev, o)) {
			fprintf(f, ", \"owner_pid\": %" PRId32 ", \"owner\": ", o->claim_pid);
			put_json_string(f, o->claim_comm);
		}
		fputs(" }", f);
	} else {
		fputs("null", f);
	}
	fputs(",\n      \"sink\": ", f);
	if (sink)
		put_json_string(f, sink);
	else
		fputs("null", f);
	fputs(",\n      \"mode\": ", f);
	if (o->mode_valid)
		fprintf(f, "{ \"width\": %" PRIu32 ", \"height\": %" PRIu32
			", \"refresh_hz\": %" PRIu32 ".%03" PRIu32 " }",
			o->width, o->height, o->refresh_mhz / 1000, o->refresh_mhz % 1000);
	else
		fputs("null", f);

	fputs(",\n      \"stats\": ", f);
	if (details && o->have_stats)
		fprintf(f, "{ \"fps\": %u.%03u, \"bitrate_kbps\": %" PRIu32 ", \"encode_us\": %"
			PRIu32 ", \"latency_us\": %" PRIu32 ", \"frames_encoded\": %" PRIu64
			", \"frames_dropped\": %" PRIu64 ", \"bytes_sent\": %" PRIu64 " }",
			o->stats.fps_milli / 1000, o->stats.fps_milli % 1000,
			o->stats.bitrate_kbps, o->stats.encode_us, o->stats.latency_us,
			o->stats.frames_encoded, o->stats.frames_dropped, o->stats.bytes_sent);
	else
		fputs("null", f);
	fputs(",\n      \"frames\": ", f);
	if (details)
		fprintf(f, "{ \"committed\": %" PRIu64 ", \"superseded\": %" PRIu64
			", \"held\": %s }", o->frames_committed, o->frames_superseded,
			o->frame_held ? "true" : "false");
	else
		fputs("null", f);

	if (!dev->have_debugfs) {
		fputs(",\n      \"frames_delivered\": null,\n      \"hold_timeouts\": null"
		      ",\n      \"sessions_ended\": null,\n      \"endings\": null\n    }", f);
		return;
	}
	fprintf(f, ",\n      \"frames_delivered\": %" PRIu64 ",\n      \"hold_timeouts\": %"
		PRIu64 ",\n      \"sessions_ended\": %" PRIu32 ",\n      \"endings\": [",
		o->frames_delivered, o->hold_timeouts, o->sessions_ended);
	for (k = 0; k < o->num_endings; k++) {
		const struct wfdctl_ending *e = &o->endings[k];

		fprintf(f, "%s\n        { \"session\": %" PRIu64 ", \"status\": ",
			k ? "," : "", e->session_id);
		put_json_string(f, e->status_name);
		fprintf(f, ", \"status_code\": %" PRId32 ", \"diag\": %" PRId32
			", \"duration_ms\": %" PRIu64 " }", e->status, e->diag, e->duration_ms);
	}
	fputs(o->num_endings ? "\n      ]\n    }" : "]\n    }", f);
}

void wfdctl_print_json(FILE *f, const struct wfdctl_device *dev)
{
	unsigned int i;

	fputs("{\n  \"device\": ", f);
	put_json_string(f, dev->path);
	fprintf(f, ",\n  \"uapi_version\": %" PRIu32 ",\n  \"debugfs\": %s,\n",
		dev->uapi_version, dev->have_debugfs ? "true" : "false");
	if (!dev->have_debugfs) {
		fputs("  \"debugfs_error\": ", f);
		put_json_string(f, strerror(dev->debugfs_errno));
		fputs(",\n", f);
	}
	fputs("  \"outputs\": [", f);
	for (i = 0; i < dev->num_outputs; i++) {
		fputs(i ? ",\n" : "\n", f);
		print_output_json(f, dev, i);
	}
	fputs(dev->num_outputs ? "\n  ]\n}\n" : "]\n}\n", f);
}
