/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sound of a wfdd that runs as the system service: PipeWire runs in
 * the user's session, which the service (no capability, a user of its
 * own) cannot reach.  A small per-user agent (wfd-audio-agent, a systemd
 * --user unit) connects to a UNIX socket the service listens on, makes
 * the sink node in the user's PipeWire when wfdd says a session carries
 * sound, and sends what plays into it back, stamped on CLOCK_MONOTONIC.
 *
 * The socket is SOCK_SEQPACKET, one message per packet, native byte
 * order (both ends are on one machine).  wfdd accepts only the user it
 * was told (SO_PEERCRED), one agent at a time.
 */
#ifndef WFDD_AUDIO_AGENT_H
#define WFDD_AUDIO_AGENT_H

#include <stdint.h>
#include <sys/types.h>

#include "audio.h"

#define AGENT_MAGIC	0x41444657u	/* "WFDA" */
#define AGENT_VERSION	1
/* Frames in one AUDIO message at most (8 KiB of samples). */
#define AGENT_MAX_FRAMES 2048

enum agent_msg_type {
	AGENT_HELLO = 1,	/* agent -> wfdd: version */
	AGENT_OPEN,		/* wfdd -> agent: make the sink node (output, name) */
	AGENT_CLOSE,		/* wfdd -> agent: the session is over, remove it */
	AGENT_AUDIO,		/* agent -> wfdd: t_ns, frames, then the frames */
};

struct agent_msg {
	uint32_t magic, type;
	uint32_t version, output;	/* HELLO; OPEN */
	uint64_t t_ns;			/* AUDIO: when the first frame plays */
	uint32_t frames, reserved;	/* AUDIO: how many follow */
	char name[64];			/* OPEN: the node's description */
};

/* wfdd's side: the socket, and a thread that feeds what comes into the ring. */
struct audio_agent;

/*
 * Listen on @path (made world-connectable; only @uid is served).  0 or
 * -errno.
 */
int audio_agent_listen(struct audio_agent **ag, const char *path, uid_t uid, int verbose);
/*
 * A session carries sound: have the agent make output @output's node
 * described @name (now, or when it connects), its frames into @ring.
 */
void audio_agent_open(struct audio_agent *ag, unsigned int output, const char *name,
		      struct audio_ring *ring);
/* The session is over: the agent removes the node; frames stop. */
void audio_agent_close(struct audio_agent *ag);
/* Whether an agent is connected now. */
bool audio_agent_connected(struct audio_agent *ag);
void audio_agent_destroy(struct audio_agent *ag);

#endif
