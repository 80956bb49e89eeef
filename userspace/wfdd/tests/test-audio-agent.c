// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wfdd's end of the per-user audio agent, against a fake agent on a
 * socket in a temporary directory: the agent hears OPEN (at once, or when
 * it connects later) and CLOSE, its stamped frames reach the ring, and
 * another user's agent is refused.  KTAP output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audio_agent.h"
#include "tap.h"

static char path[108];

static int agent_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The next message within a second; its type, 0 if none, -1 at the end. */
static int next_msg(int fd, struct agent_msg *m)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, 1000) != 1)
		return 0;
	n = recv(fd, m, sizeof(*m), 0);
	if (n <= 0)
		return -1;
	return n == (ssize_t)sizeof(*m) && m->magic == AGENT_MAGIC ? (int)m->type : 0;
}

static void send_audio(int fd, uint64_t t_ns, int16_t value, uint32_t frames)
{
	struct {
		struct agent_msg m;
		int16_t pcm[480 * 2];
	} u = { .m = { .magic = AGENT_MAGIC, .type = AGENT_AUDIO, .t_ns = t_ns,
		       .frames = frames } };

	for (uint32_t i = 0; i < frames * 2; i++)
		u.pcm[i] = value;
	send(fd, &u, sizeof(u.m) + frames * 4, 0);
}

static bool wait_frames(struct audio_ring *r, uint64_t want)
{
	for (int i = 0; i < 100; i++) {
		uint64_t w;

		pthread_mutex_lock(&r->lock);
		w = r->wpos;
		pthread_mutex_unlock(&r->lock);
		if (w >= want)
			return true;
		usleep(10000);
	}
	return false;
}

int main(void)
{
	char dir[] = "/tmp/wfd-agent-XXXXXX";
	struct audio_agent *ag;
	struct audio_ring ring;
	struct agent_msg m;
	int16_t out[480 * 2];
	int fd, fd2, type;
	pid_t child;
	int status;

	printf("KTAP version 1\n");
	if (!mkdtemp(dir) || audio_ring_init(&ring)) {
		printf("Bail out! no temporary directory\n");
		return 1;
	}
	/* Like /run/wfdd-N: others may reach the socket (and be refused). */
	chmod(dir, 0755);
	snprintf(path, sizeof(path), "%s/audio.sock", dir);
	check(audio_agent_listen(&ag, path, getuid(), 0) == 0, "listening on %s", path);
	check(access(path, W_OK) == 0, "the socket is there for the agent");

	/* An agent that connects before any session: told nothing yet. */
	fd = agent_connect();
	check(fd >= 0 && next_msg(fd, &m) == 0, "an agent connects; no session, no message");
	for (int i = 0; i < 100 && !audio_agent_connected(ag); i++)
		usleep(10000);
	check(audio_agent_connected(ag), "wfdd sees the agent");
	audio_agent_open(ag, 1, "Living room", &ring);
	type = next_msg(fd, &m);
	check(type == AGENT_OPEN && m.output == 1 && !strcmp(m.name, "Living room"),
	      "a session with sound: OPEN for output 1, 'Living room'");

	/* Frames stamped by the agent reach the ring on its clock. */
	send_audio(fd, 5000000000ull, 1234, 480);
	send_audio(fd, 5010000000ull, 1234, 480);
	check(wait_frames(&ring, 960), "the agent's frames reach the ring");
	check(audio_ring_read(&ring, 5000000000ull, out, 480) == 0 && out[0] == 1234 &&
	      out[959] == 1234, "and play at the agent's stamps");

	audio_agent_close(ag);
	check(next_msg(fd, &m) == AGENT_CLOSE, "the session ends: CLOSE");
	send_audio(fd, 5020000000ull, 1, 480);
	usleep(100000);
	check(ring.wpos == 960, "frames after CLOSE go nowhere");

	/* A session while no agent is there: the next agent is told at once. */
	close(fd);
	for (int i = 0; i < 100 && audio_agent_connected(ag); i++)
		usleep(10000);
	audio_agent_open(ag, 2, "Kitchen", &ring);
	fd2 = agent_connect();
	type = next_msg(fd2, &m);
	check(type == AGENT_OPEN && m.output == 2 && !strcmp(m.name, "Kitchen"),
	      "an agent that comes during a session gets its OPEN");

	/* Another user's agent is refused (root can test it). */
	if (getuid() == 0) {
		child = fork();
		if (!child) {
			struct agent_msg cm;
			int cfd;

			if (setuid(65534))
				_exit(2);
			cfd = agent_connect();
			/* Served agents get the session's OPEN; this one the end. */
			_exit(cfd >= 0 && next_msg(cfd, &cm) == -1 ? 0 : 1);
		}
		waitpid(child, &status, 0);
		check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "an agent of another user is refused");
		check(audio_agent_connected(ag), "and the user's agent stays");
	} else {
		printf("ok %d # SKIP another user's agent needs root\n", ++tap_tests);
		printf("ok %d # SKIP another user's agent needs root\n", ++tap_tests);
	}
	audio_agent_close(ag);
	close(fd2);
	audio_agent_destroy(ag);
	unlink(path);
	rmdir(dir);
	audio_ring_destroy(&ring);
	return tap_done();
}
