// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wfdd's end of the per-user audio agent (audio_agent.h): a listening
 * UNIX socket and a thread that accepts the agent, tells it when a
 * session's node should exist, and writes the frames it sends into the
 * session's ring (the ring's producer, as PipeWire's data thread is when
 * wfdd runs in the user's session).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "audio_agent.h"

struct audio_agent {
	int listen_fd, fd, wake[2];
	uid_t uid;
	int verbose;
	pthread_t thread;
	pthread_mutex_t lock;	/* the fields below, and sends on fd */
	bool open;
	unsigned int output;
	char name[64];
	struct audio_ring *ring;
	uint64_t frames;
};

static void send_msg(struct audio_agent *ag, uint32_t type)
{
	struct agent_msg m = { .magic = AGENT_MAGIC, .type = type, .version = AGENT_VERSION,
			       .output = ag->output };

	if (ag->fd < 0)
		return;
	snprintf(m.name, sizeof(m.name), "%s", ag->name);
	if (send(ag->fd, &m, sizeof(m), MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && ag->verbose)
		fprintf(stderr, "wfdd: audio agent: %s\n", strerror(errno));
}

static void accept_agent(struct audio_agent *ag)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd = accept4(ag->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.uid != ag->uid) {
		fprintf(stderr, "wfdd: audio agent refused: uid %d is not the one served (%d)\n",
			len == sizeof(cred) ? (int)cred.uid : -1, (int)ag->uid);
		close(fd);
		return;
	}
	pthread_mutex_lock(&ag->lock);
	if (ag->fd >= 0) {
		/* A newer agent replaces the old one (a restart). */
		close(ag->fd);
	}
	ag->fd = fd;
	fprintf(stderr, "wfdd: audio agent of uid %d connected (pid %d)\n", (int)cred.uid,
		(int)cred.pid);
	if (ag->open)
		send_msg(ag, AGENT_OPEN);
	pthread_mutex_unlock(&ag->lock);
}

/* One message from the agent; false when it is gone. */
static bool from_agent(struct audio_agent *ag)
{
	static _Thread_local union {
		struct agent_msg m;
		uint8_t b[sizeof(struct agent_msg) + AGENT_MAX_FRAMES * AUDIO_FRAME_BYTES];
	} u;
	ssize_t n = recv(ag->fd, &u, sizeof(u), MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return false;
	if (n < (ssize_t)sizeof(u.m) || u.m.magic != AGENT_MAGIC)
		return true;
	if (u.m.type == AGENT_AUDIO && u.m.frames <= AGENT_MAX_FRAMES &&
	    (size_t)n == sizeof(u.m) + u.m.frames * AUDIO_FRAME_BYTES) {
		pthread_mutex_lock(&ag->lock);
		if (ag->open && ag->ring) {
			audio_ring_write(ag->ring, (const int16_t *)(u.b + sizeof(u.m)), u.m.frames,
					 u.m.t_ns);
			ag->frames += u.m.frames;
		}
		pthread_mutex_unlock(&ag->lock);
	}
	return true;
}

static void *run(void *opaque)
{
	struct audio_agent *ag = opaque;

	for (;;) {
		struct pollfd p[3] = {
			{ .fd = ag->wake[0], .events = POLLIN },
			{ .fd = ag->listen_fd, .events = POLLIN },
			{ .fd = ag->fd, .events = POLLIN },
		};

		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (p[1].revents)
			accept_agent(ag);
		if (p[2].revents && p[2].fd == ag->fd && !from_agent(ag)) {
			pthread_mutex_lock(&ag->lock);
			close(ag->fd);
			ag->fd = -1;
			pthread_mutex_unlock(&ag->lock);
			fprintf(stderr, "wfdd: audio agent gone\n");
		}
	}
	return NULL;
}

int audio_agent_listen(struct audio_agent **out, const char *path, uid_t uid, int verbose)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct audio_agent *ag;
	int ret;

	*out = NULL;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	ag = calloc(1, sizeof(*ag));
	if (!ag)
		return -ENOMEM;
	ag->fd = -1;
	ag->uid = uid;
	ag->verbose = verbose;
	pthread_mutex_init(&ag->lock, NULL);
	strcpy(sa.sun_path, path);
	ag->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (ag->listen_fd < 0 || pipe2(ag->wake, O_CLOEXEC))
		goto fail;
	unlink(path);
	if (bind(ag->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    /* Anyone may connect; SO_PEERCRED decides who is served. */
	    chmod(path, 0666) || listen(ag->listen_fd, 4))
		goto fail;
	ret = pthread_create(&ag->thread, NULL, run, ag);
	if (ret) {
		errno = ret;
		goto fail;
	}
	*out = ag;
	return 0;
fail:
	ret = -errno;
	if (ag->listen_fd >= 0)
		close(ag->listen_fd);
	pthread_mutex_destroy(&ag->lock);
	free(ag);
	return ret;
}

void audio_agent_open(struct audio_agent *ag, unsigned int output, const char *name,
		      struct audio_ring *ring)
{
	pthread_mutex_lock(&ag->lock);
	ag->open = true;
	ag->output = output;
	ag->ring = ring;
	ag->frames = 0;
	snprintf(ag->name, sizeof(ag->name), "%s", name);
	send_msg(ag, AGENT_OPEN);
	pthread_mutex_unlock(&ag->lock);
}

void audio_agent_close(struct audio_agent *ag)
{
	pthread_mutex_lock(&ag->lock);
	if (ag->open)
		send_msg(ag, AGENT_CLOSE);
	ag->open = false;
	ag->ring = NULL;
	pthread_mutex_unlock(&ag->lock);
}

bool audio_agent_connected(struct audio_agent *ag)
{
	bool c;

	pthread_mutex_lock(&ag->lock);
	c = ag->fd >= 0;
	pthread_mutex_unlock(&ag->lock);
	return c;
}

void audio_agent_destroy(struct audio_agent *ag)
{
	if (!ag)
		return;
	if (write(ag->wake[1], "x", 1) == 1)
		pthread_join(ag->thread, NULL);
	if (ag->fd >= 0)
		close(ag->fd);
	close(ag->listen_fd);
	close(ag->wake[0]);
	close(ag->wake[1]);
	pthread_mutex_destroy(&ag->lock);
	free(ag);
}
