// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sound of a session: --audio, the formats offered in M4, and the
 * session's sound output.  The output (a PipeWire sink node, audio_pw.c)
 * is made when the stream first plays with audio and goes when the
 * session ends, so it exists exactly while a session that carries sound
 * does.  Without PipeWire (none built in, no daemon for this user) the
 * track sends silence, and wfdd says so once.
 *
 * As the system service, wfdd cannot reach the user's PipeWire: with
 * --audio-socket it listens for the user's wfd-audio-agent instead, which
 * makes the node in the user's session and sends its frames back
 * (audio_agent.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "audio_agent.h"
#include "wfdd.h"

static const char *const choices[] = {
	[AUDIO_NONE] = "none", [AUDIO_LPCM] = "lpcm", [AUDIO_AAC] = "aac",
};

int session_audio_option(const char *s)
{
	if (!strcmp(s, "auto"))
		return AUDIO_AUTO;
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, choices[i]))
			return i;
	return -EINVAL;
}

unsigned int session_audio_formats(const struct wfdd *d)
{
	switch (session_audio_option(d->o.audio)) {
	case AUDIO_LPCM:
		return 1u << WFD_AUDIO_LPCM;
	case AUDIO_AAC:
		return 1u << WFD_AUDIO_AAC;
	case AUDIO_AUTO:
		/* LPCM when the sink has it (no encoder delay), else AAC. */
		return 1u << WFD_AUDIO_LPCM | (aac_enc_available() ? 1u << WFD_AUDIO_AAC : 0);
	}
	return 0;
}

void session_audio_name(struct wfdd *d, const uint8_t *edid, size_t size)
{
	/* The name the connector reports: the EDID's, which is --name when wfdd made it. */
	if (!audio_edid_name(edid, size, d->audio_name, sizeof(d->audio_name)))
		snprintf(d->audio_name, sizeof(d->audio_name), "%s", d->o.name);
}

int session_audio_listen(struct wfdd *d)
{
	const char *u = d->o.audio_user;
	struct passwd *pw;
	char *end;
	uid_t uid;
	int ret;

	if (!d->o.audio_socket)
		return 0;
	if (!u) {
		fprintf(stderr, "wfdd: --audio-socket needs --audio-user\n");
		return 2;
	}
	uid = (uid_t)strtoul(u, &end, 10);
	if (*end || end == u) {
		pw = getpwnam(u);
		if (!pw) {
			fprintf(stderr, "wfdd: --audio-user %s: no such user\n", u);
			return 2;
		}
		uid = pw->pw_uid;
	}
	ret = audio_agent_listen(&d->agent, d->o.audio_socket, uid, d->o.verbose);
	if (ret) {
		fprintf(stderr, "wfdd: cannot listen for the audio agent on %s: %s\n",
			d->o.audio_socket, strerror(-ret));
		return 1;
	}
	fprintf(stderr, "wfdd: sound through the audio agent of uid %d on %s\n", (int)uid,
		d->o.audio_socket);
	return 0;
}

static enum audio_codec session_codec(const struct wfdd *d, bool audio)
{
	int o = session_audio_option(d->o.audio);

	if (!audio)
		return AUDIO_NONE;
	/* Direct mode: what --audio says; auto is none there. */
	if (!d->conn)
		return o == AUDIO_LPCM || o == AUDIO_AAC ? (enum audio_codec)o : AUDIO_NONE;
	/* Wi-Fi Display: what the first M4 set. */
	return d->conn->session.audio_format.codecs[0].format == WFD_AUDIO_AAC ? AUDIO_AAC :
										 AUDIO_LPCM;
}

bool session_audio_start(struct wfdd *d, bool audio)
{
	enum audio_codec codec = session_codec(d, audio);
	int ret;

	if (codec != AUDIO_NONE && d->agent && !d->agent_open && d->ring.buf) {
		audio_ring_reset(&d->ring);
		audio_agent_open(d->agent, d->src.output, d->audio_name, &d->ring);
		d->agent_open = true;
		fprintf(stderr, "wfdd: sound output wfd-output-%u (\"%s\") through the audio "
			"agent (%s), sent as %s\n", d->src.output, d->audio_name,
			audio_agent_connected(d->agent) ? "connected" : "not connected yet",
			codec == AUDIO_AAC ? "AAC" : "LPCM");
	} else if (codec != AUDIO_NONE && !d->agent && !d->pw && d->ring.buf) {
		audio_ring_reset(&d->ring);
		ret = audio_pw_open(&d->pw, d->src.output, d->audio_name, audio_ring_write_fn,
				    &d->ring, d->o.verbose);
		if (!ret)
			fprintf(stderr, "wfdd: sound output wfd-output-%u (\"%s\"), sent as %s\n",
				d->src.output, d->audio_name, codec == AUDIO_AAC ? "AAC" : "LPCM");
		else if (!d->pw_missing_said)
			fprintf(stderr, "wfdd: no sound output: %s; the sink gets silence\n",
				ret == -ENOSYS ? "built without PipeWire" :
				"no PipeWire daemon for this user");
		d->pw_missing_said |= ret != 0;
	}
	stream_set_audio(&d->stream, codec, d->pw || d->agent_open ? &d->ring : NULL);
	return codec != AUDIO_NONE;
}

void session_audio_end(struct wfdd *d)
{
	if (d->agent_open) {
		audio_agent_close(d->agent);
		d->agent_open = false;
	}
	if (!d->pw)
		return;
	audio_pw_close(d->pw);
	d->pw = NULL;
	if (d->o.verbose)
		fprintf(stderr, "wfdd: sound output wfd-output-%u removed (%llu frames of "
			"silence for want of input, %llu frames slipped)\n", d->src.output,
			(unsigned long long)d->ring.silent_frames,
			(unsigned long long)d->ring.slips);
}
