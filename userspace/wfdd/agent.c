// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wfd-audio-agent: the user's end of the sound of wfdd@N.service
 * (audio_agent.h).  It runs in the user's session (a systemd --user unit),
 * connects to each wfdd's audio socket, and while wfdd says a session
 * carries sound, keeps the sink node wfd-output-N in the user's PipeWire
 * and sends what plays into it to wfdd, stamped with the graph cycle's
 * CLOCK_MONOTONIC time.  It reconnects when a wfdd (re)starts.
 *
 * usage: wfd-audio-agent [--socket PATH]... [-v]
 * Without --socket: every /run/wfdd-*\/audio.sock.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "audio_agent.h"

#define MAX_CONNS	8

struct conn {
	char path[108];
	int fd;
	struct audio_pw *pw;
	unsigned int output;
	uint64_t sent, dropped;	/* frames, on PipeWire's data thread */
};

static struct conn conns[MAX_CONNS];
static int nconns, verbose;
static const char *explicit_paths[MAX_CONNS];
static int nexplicit;

/* PipeWire's data thread: the frames to wfdd, in messages of at most AGENT_MAX_FRAMES. */
static void send_frames(void *opaque, const int16_t *frames, size_t n, uint64_t t_ns)
{
	static _Thread_local union {
		struct agent_msg m;
		uint8_t b[sizeof(struct agent_msg) + AGENT_MAX_FRAMES * AUDIO_FRAME_BYTES];
	} u;
	struct conn *c = opaque;

	while (n) {
		size_t k = n < AGENT_MAX_FRAMES ? n : AGENT_MAX_FRAMES;

		memset(&u.m, 0, sizeof(u.m));
		u.m.magic = AGENT_MAGIC;
		u.m.type = AGENT_AUDIO;
		u.m.t_ns = t_ns;
		u.m.frames = (uint32_t)k;
		memcpy(u.b + sizeof(u.m), frames, k * AUDIO_FRAME_BYTES);
		if (send(c->fd, &u, sizeof(u.m) + k * AUDIO_FRAME_BYTES,
			 MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			c->dropped += k;
		else
			c->sent += k;
		frames += k * AUDIO_CHANNELS;
		t_ns += audio_frames_ns(k);
		n -= k;
	}
}

static void drop_node(struct conn *c)
{
	if (!c->pw)
		return;
	audio_pw_close(c->pw);
	c->pw = NULL;
	fprintf(stderr, "wfd-audio-agent: wfd-output-%u removed (%llu frames sent, %llu dropped)\n",
		c->output, (unsigned long long)c->sent, (unsigned long long)c->dropped);
}

static void hang_up(struct conn *c)
{
	drop_node(c);
	close(c->fd);
	c->fd = -1;
	fprintf(stderr, "wfd-audio-agent: %s: wfdd went away\n", c->path);
}

static void on_message(struct conn *c)
{
	struct agent_msg m;
	ssize_t n = recv(c->fd, &m, sizeof(m), MSG_DONTWAIT);
	int ret;

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		hang_up(c);
		return;
	}
	if (n != (ssize_t)sizeof(m) || m.magic != AGENT_MAGIC)
		return;
	m.name[sizeof(m.name) - 1] = 0;
	if (m.type == AGENT_OPEN) {
		drop_node(c);
		c->output = m.output;
		c->sent = c->dropped = 0;
		ret = audio_pw_open(&c->pw, m.output, m.name, send_frames, c, verbose);
		if (ret)
			fprintf(stderr, "wfd-audio-agent: cannot make wfd-output-%u: %s\n", m.output,
				strerror(-ret));
		else
			fprintf(stderr, "wfd-audio-agent: wfd-output-%u (\"%s\") for %s\n", m.output,
				m.name, c->path);
	} else if (m.type == AGENT_CLOSE) {
		drop_node(c);
	}
}

/* The sockets to serve: --socket's, else every wfdd's there is now. */
static void find_sockets(void)
{
	glob_t g = { 0 };
	size_t n = 0;
	const char **paths = explicit_paths;

	if (!nexplicit) {
		if (glob("/run/wfdd-*/audio.sock", 0, NULL, &g) == 0) {
			paths = (const char **)g.gl_pathv;
			n = g.gl_pathc;
		}
	} else {
		n = (size_t)nexplicit;
	}
	for (size_t i = 0; i < n; i++) {
		int k;

		for (k = 0; k < nconns; k++)
			if (!strcmp(conns[k].path, paths[i]))
				break;
		if (k == nconns && nconns < MAX_CONNS) {
			snprintf(conns[nconns].path, sizeof(conns[nconns].path), "%s", paths[i]);
			conns[nconns++].fd = -1;
		}
	}
	globfree(&g);
}

static void connect_all(void)
{
	find_sockets();
	for (int i = 0; i < nconns; i++) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		struct agent_msg hello = { .magic = AGENT_MAGIC, .type = AGENT_HELLO,
					   .version = AGENT_VERSION };
		struct conn *c = &conns[i];

		if (c->fd >= 0)
			continue;
		memcpy(sa.sun_path, c->path, sizeof(sa.sun_path) - 1);
		c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (c->fd < 0)
			continue;
		if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
		    send(c->fd, &hello, sizeof(hello), MSG_NOSIGNAL) < 0) {
			close(c->fd);
			c->fd = -1;
			continue;
		}
		fprintf(stderr, "wfd-audio-agent: connected to %s\n", c->path);
	}
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	sigset_t mask;
	int c, sigfd;

	while ((c = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			if (nexplicit < MAX_CONNS)
				explicit_paths[nexplicit++] = optarg;
			break;
		case 'v':
			verbose++;
			break;
		default:
			fprintf(c == 'h' ? stdout : stderr,
				"usage: wfd-audio-agent [--socket PATH]... [-v]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (!audio_pw_available()) {
		fprintf(stderr, "wfd-audio-agent: built without PipeWire\n");
		return 1;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	for (;;) {
		struct pollfd p[MAX_CONNS + 1] = { { .fd = sigfd, .events = POLLIN } };

		connect_all();
		for (int i = 0; i < nconns; i++) {
			p[i + 1].fd = conns[i].fd;
			p[i + 1].events = POLLIN;
		}
		/* Not connected everywhere: look again in a second. */
		if (poll(p, (nfds_t)nconns + 1, 1000) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		for (int i = 0; i < nconns; i++)
			if (p[i + 1].revents && conns[i].fd >= 0)
				on_message(&conns[i]);
	}
	for (int i = 0; i < nconns; i++)
		if (conns[i].fd >= 0)
			hang_up(&conns[i]);
	return 0;
}
