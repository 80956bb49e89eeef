// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of wfdctl's parsers and report, on the text the driver
 * prints in debugfs (kernel/wfd_debugfs.c, wfd_claim_debugfs_show() and
 * wfd_frame.c).  Version 1's keys (owner_pid, events_dropped) are no
 * longer read: unknown keys, ignored.
 *
 * usage: test-wfdctl            run the tests
 *        test-wfdctl json NAME  print the JSON report of fixture NAME
 *                               (for check-json.py)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drm_mode.h>

#include "libwfd.h"
#include "report.h"
#include "state.h"

static int failures;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
			failures++;                                          \
		}                                                            \
	} while (0)

/*
 * Three outputs: output 1 streams (session 2^32 + 7, more than 32 bits)
 * after two sessions ended, output 2 is free, output 3 is claimed by a
 * daemon waiting for its sink.
 */
#define SESSION_ID 4294967303ull
static const char state_streaming[] =
	"uapi_version: 2\n"
	"outputs: 3\n"
	"gem_objects: 3\n"
	"framebuffers: 2\n"
	"output1.connector: Virtual-1\n"
	"output1.status: connected\n"
	"output1.session: 4294967303\n"
	"output1.claimed: 1\n"
	"output1.claim_pid: 4242\n"
	"output1.sink: Living \"room\"\n"
	"output1.frames_committed: 1234\n"
	"output1.frames_superseded: 30\n"
	"output1.frame_held: 1\n"
	"output1.completion_deferred: 0\n"
	"output1.stats: encoded 1200 dropped 3 bytes 987654321 fps 29.970 kbps 3998 encode_us 8123 latency_us 12345\n"
	"output1.frames_delivered: 1230\n"
	"output1.hold_timeouts: 2\n"
	"output1.sessions_ended: 2\n"
	"output1.ending: session 5 status graceful (-1) diag 0 duration_ms 12345\n"
	"output1.ending: session 4294967302 status missing keep-alive (1) diag -110 duration_ms 65000\n"
	"output2.connector: Virtual-2\n"
	"output2.status: disconnected\n"
	"output2.session: 0\n"
	"output2.claimed: 0\n"
	"output2.frames_delivered: 0\n"
	"output2.hold_timeouts: 0\n"
	"output2.sessions_ended: 0\n"
	"output3.connector: Virtual-3\n"
	"output3.status: disconnected\n"
	"output3.session: 0\n"
	"output3.claimed: 1\n"
	"output3.claim_pid: 4343\n"
	"output3.frames_delivered: 0\n"
	"output3.hold_timeouts: 0\n"
	"output3.sessions_ended: 0\n";

static void fixture_streaming(struct wfdctl_device *dev)
{
	memset(dev, 0, sizeof(*dev));
	strcpy(dev->path, "/dev/dri/card1");
	dev->uapi_version = 2;
	dev->num_outputs = 3;
	dev->outputs[0] = (struct wfdctl_output){
		.connector_id = 36, .crtc_id = 35, .session_id = SESSION_ID,
		.flags = WFD_OUTPUT_CONNECTED | WFD_OUTPUT_CLAIMED,
		.connector = "Virtual-1", .mode_valid = true,
		.width = 1920, .height = 1080, .refresh_mhz = 30000,
		.edid_name = "Living room", .claim_comm = "wfdd",
	};
	dev->outputs[1] = (struct wfdctl_output){
		.connector_id = 40, .crtc_id = 39, .connector = "Virtual-2",
	};
	dev->outputs[2] = (struct wfdctl_output){
		.connector_id = 44, .crtc_id = 43, .connector = "Virtual-3",
		.flags = WFD_OUTPUT_CLAIMED, .claim_comm = "wfdd",
	};
}

static void test_parse_streaming(void)
{
	struct wfdctl_device dev;
	const struct wfdctl_output *o = &dev.outputs[0];
	unsigned int line = 0;

	fixture_streaming(&dev);
	CHECK(wfdctl_parse_state(&dev, state_streaming, &line) == 0);
	CHECK(dev.have_debugfs);
	CHECK(dev.gem_objects == 3 && dev.framebuffers == 2);
	CHECK(o->have_session && o->claimed && o->claim_pid == 4242);
	CHECK(!strcmp(o->sink, "Living \"room\""));
	CHECK(!strcmp(o->status, "connected"));
	CHECK(o->frames_committed == 1234 && o->frames_superseded == 30);
	CHECK(o->frame_held);
	CHECK(o->have_stats);
	CHECK(o->stats.frames_encoded == 1200 && o->stats.frames_dropped == 3);
	CHECK(o->stats.bytes_sent == 987654321ull);
	CHECK(o->stats.fps_milli == 29970 && o->stats.bitrate_kbps == 3998);
	CHECK(o->stats.encode_us == 8123 && o->stats.latency_us == 12345);
	CHECK(o->frames_delivered == 1230 && o->hold_timeouts == 2);
	CHECK(o->sessions_ended == 2 && o->num_endings == 2);
	CHECK(o->endings[0].session_id == 5 && o->endings[0].status == -1);
	CHECK(!strcmp(o->endings[0].status_name, "graceful"));
	CHECK(o->endings[0].duration_ms == 12345);
	CHECK(o->endings[1].session_id == SESSION_ID - 1 && o->endings[1].status == 1);
	CHECK(!strcmp(o->endings[1].status_name, "missing keep-alive"));
	CHECK(o->endings[1].diag == -110 && o->endings[1].duration_ms == 65000);
	CHECK(!dev.outputs[1].have_session && dev.outputs[1].num_endings == 0);
	CHECK(!dev.outputs[1].claimed && !dev.outputs[1].claim_pid);
	CHECK(!dev.outputs[2].have_session && dev.outputs[2].claimed);
	CHECK(dev.outputs[2].claim_pid == 4343);
}

static void test_parse_rejects(void)
{
	static const struct {
		const char *text;
		unsigned int line;
	} bad[] = {
		{ "uapi_version: 2\noutputs: 2\n", 2 },		/* GET_INFO said 3 */
		{ "uapi_version: 1\n", 1 },			/* GET_INFO said 2 */
		{ "outputs: 3\nno separator\n", 2 },
		{ "output1.claim_pid: 12x\n", 1 },
		{ "output1.claimed: 2\n", 1 },
		{ "output1.claimed: \n", 1 },
		{ "output1.session: 18446744073709551616\n", 1 },
		{ "output1.session: -1\n", 1 },
		{ "output1.frames_committed: -1\n", 1 },
		{ "output1.frames_committed: \n", 1 },
		{ "output1.frames_delivered: 99999999999999999999999\n", 1 },
		{ "output1.frame_held: 2\n", 1 },
		{ "output1.stats: encoded 1 dropped 2 bytes 3 fps 1.5 kbps\n", 1 },
		{ "output1.stats: encoded 1 dropped 2 bytes 3 fps 1.000 kbps 4 encode_us 5 latency_us 6 more\n", 1 },
		{ "output1.ending: session 5 status graceful diag 0 duration_ms 1\n", 1 },
		{ "output1.ending: session 5 status (1) diag 0 duration_ms 1\n", 1 },
		{ "output1.ending: session 5 status x (1) diag 0 duration_ms 1 extra\n", 1 },
		{ "output1.ending: session 5 status a name longer than thirty-one bytes (1) diag 0 duration_ms 1\n", 1 },
		{ "outputs: 3\n\noutput1.session: 0\n", 2 },
	};
	struct wfdctl_device dev;
	unsigned int i, line;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fixture_streaming(&dev);
		line = 0;
		if (wfdctl_parse_state(&dev, bad[i].text, &line) != -EINVAL ||
		    line != bad[i].line || dev.have_debugfs) {
			fprintf(stderr, "accepted or misplaced (line %u): %s", line, bad[i].text);
			failures++;
		}
	}
}

/* Keys a newer driver may add, and outputs GET_INFO does not list, are ignored. */
static void test_parse_forward_compatible(void)
{
	struct wfdctl_device dev;
	unsigned int line = 0;

	fixture_streaming(&dev);
	CHECK(wfdctl_parse_state(&dev,
		"uapi_version: 2\nnew_key: whatever it is\n"
		"output1.new_key: 12 apples\n"
		"output1.owner_pid: version 1's key, not looked at\n"
		"output4.session: garbage that is not looked at\n"
		"output0.session: nor this\n"
		"output1.sink: \n", &line) == 0);
	CHECK(dev.have_debugfs && dev.outputs[0].sink[0] == '\0');
}

/* More endings than the driver keeps: the newest ones stay. */
static void test_parse_many_endings(void)
{
	struct wfdctl_device dev;
	char text[4096], *p = text;
	unsigned int i;

	fixture_streaming(&dev);
	for (i = 1; i <= WFDCTL_MAX_ENDINGS + 4; i++)
		p += sprintf(p, "output2.ending: session %u status critical error (0) diag -%u duration_ms %u\n",
			     i, i, i * 10);
	CHECK(wfdctl_parse_state(&dev, text, NULL) == 0);
	CHECK(dev.outputs[1].num_endings == WFDCTL_MAX_ENDINGS);
	CHECK(dev.outputs[1].endings[0].session_id == 5);
	CHECK(dev.outputs[1].endings[WFDCTL_MAX_ENDINGS - 1].session_id == WFDCTL_MAX_ENDINGS + 4);
	CHECK(dev.outputs[1].endings[0].diag == -5);
	/* A second parse starts the list afresh. */
	CHECK(wfdctl_parse_state(&dev, state_streaming, NULL) == 0);
	CHECK(dev.outputs[1].num_endings == 0 && dev.outputs[0].num_endings == 2);
}

/* The monitor name, from EDIDs libwfd synthesizes as wfdd does. */
static void test_edid_name(void)
{
	static const struct wfd_mode modes[] = {
		{ 1920, 1080, 30 }, { 1280, 720, 60 }, { 640, 480, 60 }, { 800, 600, 60 },
	};
	uint8_t edid[256];
	char name[14];
	int size;

	size = wfd_edid_synthesize(modes, 4, "Living room", edid, sizeof(edid));
	CHECK(size == 256);
	wfdctl_edid_name(edid, (size_t)size, name);
	CHECK(!strcmp(name, "Living room"));

	size = wfd_edid_synthesize(modes, 1, "Thirteen chars", edid, sizeof(edid));
	CHECK(size == 128);
	wfdctl_edid_name(edid, (size_t)size, name);
	CHECK(!strcmp(name, "Thirteen char"));

	/* Trailing spaces are padding; unprintable bytes do not get through. */
	size = wfd_edid_synthesize(modes, 1, "TV  ", edid, sizeof(edid));
	wfdctl_edid_name(edid, (size_t)size, name);
	CHECK(!strcmp(name, "TV"));
	edid[54 + 3 * 18 + 5] = 0x07;
	wfdctl_edid_name(edid, (size_t)size, name);
	CHECK(!strcmp(name, "?V"));

	wfdctl_edid_name(edid, 127, name);
	CHECK(name[0] == '\0');
	edid[1] = 0;
	wfdctl_edid_name(edid, (size_t)size, name);
	CHECK(name[0] == '\0');

	/* No name descriptor. */
	size = wfd_edid_synthesize(modes, 1, "x", edid, sizeof(edid));
	edid[54 + 3 * 18 + 3] = 0x10;
	wfdctl_edid_name(edid, (size_t)size, name);
	CHECK(name[0] == '\0');
}

static void test_refresh(void)
{
	CHECK(wfdctl_refresh_mhz(148500, 2200, 1125, 0) == 60000);
	CHECK(wfdctl_refresh_mhz(74176, 1650, 750, 0) == 59940);
	CHECK(wfdctl_refresh_mhz(74250, 2200, 1125, DRM_MODE_FLAG_INTERLACE) == 60000);
	CHECK(wfdctl_refresh_mhz(25175, 800, 525, DRM_MODE_FLAG_DBLSCAN) == 29970);
	CHECK(wfdctl_refresh_mhz(25175, 0, 525, 0) == 0);
}

static char *report(const struct wfdctl_device *dev, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	if (json)
		wfdctl_print_json(f, dev);
	else
		wfdctl_print_text(f, dev);
	fclose(f);
	return buf;
}

static void test_text(void)
{
	struct wfdctl_device dev;
	char *t;

	fixture_streaming(&dev);
	CHECK(wfdctl_parse_state(&dev, state_streaming, NULL) == 0);
	dev.outputs[0].sink[6] = '\t';
	t = report(&dev, false);
	CHECK(strstr(t, "/dev/dri/card1: wfd UAPI 2, 3 outputs\n"));
	CHECK(strstr(t, "output 1 (Virtual-1): connected\n"));
	CHECK(strstr(t, "  session:  4294967303, connected, owner wfdd (pid 4242)\n"));
	CHECK(strstr(t, "  sink:     Living?\"room\"\n"));
	CHECK(strstr(t, "  mode:     1920x1080@30.000 Hz\n"));
	CHECK(strstr(t, "  stream:   29.970 fps, 3998 kbit/s, encode 8123 us, commit-to-send 12345 us, 987654321 bytes sent\n"));
	CHECK(strstr(t, "  frames:   committed 1234, encoded 1200, dropped 3, superseded 30, held yes\n"));
	CHECK(strstr(t, "    session 5: graceful, diag 0, after 12.345 s\n"));
	CHECK(strstr(t, "    session 4294967302: missing keep-alive, diag -110, after 65.000 s\n"));
	CHECK(strstr(t, "output 2 (Virtual-2): disconnected\n  session:  none\n  output:   0 frames"));
	CHECK(strstr(t, "output 3 (Virtual-3): disconnected\n"
		      "  session:  none, claimed by wfdd (pid 4343)\n  output:   0 frames"));
	CHECK(!strstr(t, "not readable"));
	free(t);

	/* Without debugfs: what the ioctls say, the EDID's name, and why. */
	fixture_streaming(&dev);
	dev.debugfs_errno = EACCES;
	dev.outputs[1].flags = WFD_OUTPUT_CONNECTED;
	t = report(&dev, false);
	CHECK(strstr(t, "  session:  4294967303, connected\n"));
	CHECK(strstr(t, "  sink:     Living room\n"));
	CHECK(!strstr(t, "stream:") && !strstr(t, "last endings") && !strstr(t, ", owner"));
	CHECK(strstr(t, "output 2 (Virtual-2): connected\n  session:  none (forced on)\n"
		      "  mode:     off (no compositor has lit the output up)\n"));
	CHECK(strstr(t, "output 3 (Virtual-3): disconnected\n  session:  none, claimed\n"));
	CHECK(strstr(t, "not readable: Permission denied; run as root)\n"));
	free(t);

	/*
	 * Between sessions: the daemon keeps the claim.  A claim debugfs
	 * has seen end (or change hands) since GET_INFO names no owner.
	 */
	fixture_streaming(&dev);
	CHECK(wfdctl_parse_state(&dev, state_streaming, NULL) == 0);
	dev.outputs[0].flags = WFD_OUTPUT_CLAIMED;
	dev.outputs[0].session_id = 0;
	dev.outputs[0].mode_valid = false;
	dev.outputs[2].flags = 0;
	t = report(&dev, false);
	CHECK(strstr(t, "output 1 (Virtual-1): disconnected\n"
		      "  session:  none, claimed by wfdd (pid 4242)\n"));
	CHECK(strstr(t, "output 3 (Virtual-3): disconnected\n  session:  none\n"));
	free(t);

	/* A forced-on output may be claimed too; no debugfs at all. */
	fixture_streaming(&dev);
	dev.outputs[1].flags = WFD_OUTPUT_CONNECTED | WFD_OUTPUT_CLAIMED;
	dev.debugfs_errno = ENOENT;
	t = report(&dev, false);
	CHECK(strstr(t, "output 2 (Virtual-2): connected\n  session:  none (forced on), claimed\n"));
	CHECK(strstr(t, "not readable: No such file or directory)\n"));
	free(t);
}

/* The fixtures check-json.py reads. */
static int dump_json(const char *name)
{
	struct wfdctl_device dev;
	char *t;

	fixture_streaming(&dev);
	if (!strcmp(name, "streaming")) {
		if (wfdctl_parse_state(&dev, state_streaming, NULL))
			return 1;
		dev.outputs[0].sink[0] = '\x01';
	} else if (!strcmp(name, "nodebugfs")) {
		dev.debugfs_errno = EACCES;
	} else if (!strcmp(name, "empty")) {
		dev.num_outputs = 0;
		dev.debugfs_errno = ENOENT;
	} else {
		return 2;
	}
	t = report(&dev, true);
	fputs(t, stdout);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "json"))
		return dump_json(argv[2]);
	test_parse_streaming();
	test_parse_rejects();
	test_parse_forward_compatible();
	test_parse_many_endings();
	test_edid_name();
	test_refresh();
	test_text();
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	else
		printf("all checks passed\n");
	return failures ? 1 : 0;
}
