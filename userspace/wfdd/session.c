// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wfdd's output: claimed once at start-up, with every privilege given up
 * right after, then one session per sink on the claim.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "privs.h"
#include "wfdd.h"

static void buffer_gone(void *opaque, uint64_t buffer_id)
{
	struct wfdd *d = opaque;

	frame_encoder_forget(d->fe, buffer_id);
}

/* Why the claim failed, after "cannot start a session on output N: ". */
static const char *claim_failure(enum source_step step, int err)
{
	switch (step) {
	case SOURCE_OPEN:
		return "cannot open the wfd card";
	case SOURCE_VERSION:
		return err == -EPROTONOSUPPORT ?
			"the wfd driver speaks another UAPI version than this wfdd (2)" :
			"GET_INFO failed";
	case SOURCE_CLAIM:
		break;
	}
	return "claiming it failed";
}

/*
 * Neither the network nor the sink's bytes ever meet a process that holds
 * a privilege: the claim fd carries all wfdd needs of CAP_SYS_ADMIN.
 */
int session_claim(struct wfdd *d)
{
	enum source_step step;
	bool bounding;
	int ret;

	ret = source_claim(&d->src, d->o.device, d->o.output, &step);
	if (ret) {
		fprintf(stderr, "wfdd: cannot start a session on output %u: %s: %s%s\n",
			d->o.output, claim_failure(step, ret), strerror(-ret),
			step == SOURCE_CLAIM && (ret == -EPERM || ret == -EACCES) ?
			" (claiming needs CAP_SYS_ADMIN)" : "");
		return 1;
	}
	d->src.buffer_gone = buffer_gone;
	d->src.opaque = d;
	ret = privs_drop(&bounding);
	if (ret) {
		fprintf(stderr, "wfdd: cannot drop capabilities: %s\n", strerror(-ret));
		return 1;
	}
	fprintf(stderr, "wfdd: claimed output %u; running without capabilities\n",
		d->src.output);
	if (d->o.verbose && !bounding)
		fprintf(stderr, "wfdd: no CAP_SETPCAP to empty the bounding set; "
			"no_new_privs keeps it unused\n");
	return 0;
}

int session_connect(struct wfdd *d, const uint8_t *edid, size_t size, int max_w, int max_h)
{
	int ret = source_connect(&d->src, edid, size, max_w, max_h);

	if (ret)
		fprintf(stderr, "wfdd: cannot start a session on output %u: %s\n",
			d->src.output, strerror(-ret));
	return ret;
}

int session_connect_sink(struct wfdd *d)
{
	const struct wfds *s = &d->conn->session;
	uint8_t edid[WFD_MAX_EDID_BLOCKS * 128];
	int n, ret;

	d->o.nmodes = (int)wfd_video_modes(&s->caps.video, s->cfg.max_width,
					   s->cfg.max_height, d->o.modes, MAX_MODES);
	n = wfd_conn_edid(d->conn, d->o.name, edid, sizeof(edid));
	if (n < 0) {
		fprintf(stderr, "wfdd: cannot describe the sink's modes: %s\n", strerror(-n));
		return n;
	}
	ret = session_connect(d, edid, (size_t)n, (int)s->cfg.max_width,
			      (int)s->cfg.max_height);
	if (ret)
		return ret;
	fprintf(stderr, "wfdd: session %llu on output %u for sink %s, %s EDID, best mode %ux%u@%u\n",
		(unsigned long long)d->src.session, d->src.output, d->conn->peer,
		(s->caps.present & WFD_P_DISPLAY_EDID) && s->caps.edid.blocks ? "the sink's" :
		"synthesized", d->o.modes[0].width, d->o.modes[0].height,
		d->o.modes[0].refresh_hz);
	return 0;
}

void session_end(struct wfdd *d, int status)
{
	if (d->src.hold_expired)
		fprintf(stderr, "wfdd: %llu frames were held past the kernel's hold timeout\n",
			(unsigned long long)d->src.hold_expired);
	source_end(&d->src, status, status >= 0 ? d->diag : 0);
}
