/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake wpa_supplicant for the P2P tests: one per-interface control
 * socket in a temporary directory, served by a thread that logs every
 * command, answers with the test's reply function and remembers who
 * attached, to whom the test sends events.
 */
#ifndef WFDD_TESTS_FAKE_WPA_H
#define WFDD_TESTS_FAKE_WPA_H

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static struct fake {
	int fd;
	char dir[32], path[64];
	pthread_mutex_t lock;
	char log[16384];		/* commands received, one a line */
	struct sockaddr_un mon;		/* the attached client */
	socklen_t mon_len;
	bool stop;
	pthread_t thread;
	const char *(*reply)(const char *cmd);
} fk = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

static inline void *fake_thread(void *arg)
{
	(void)arg;
	while (!fk.stop) {
		struct pollfd p = { .fd = fk.fd, .events = POLLIN };
		struct sockaddr_un from;
		socklen_t len = sizeof(from);
		char buf[512];
		const char *r;
		ssize_t n;

		if (poll(&p, 1, 50) <= 0)
			continue;
		n = recvfrom(fk.fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &len);
		if (n <= 0)
			continue;
		buf[n] = 0;
		pthread_mutex_lock(&fk.lock);
		if ((size_t)n + strlen(fk.log) + 2 < sizeof(fk.log)) {
			strcat(fk.log, buf);
			strcat(fk.log, "\n");
		}
		if (!strcmp(buf, "ATTACH")) {
			fk.mon = from;
			fk.mon_len = len;
		}
		pthread_mutex_unlock(&fk.lock);
		r = fk.reply(buf);
		sendto(fk.fd, r, strlen(r), 0, (struct sockaddr *)&from, len);
	}
	return NULL;
}

/* The socket @name ("p2p-dev-wlan0") in a new temporary directory. */
static inline int fake_start(const char *name, const char *(*reply)(const char *cmd))
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(fk.dir, sizeof(fk.dir), "/tmp/test-p2p.XXXXXX");
	if (!mkdtemp(fk.dir))
		return -errno;
	snprintf(fk.path, sizeof(fk.path), "%s/%.16s", fk.dir, name);
	memcpy(sun.sun_path, fk.path, strlen(fk.path) + 1);
	fk.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fk.fd < 0 || bind(fk.fd, (struct sockaddr *)&sun, sizeof(sun)))
		return -errno;
	fk.reply = reply;
	fk.stop = false;
	fk.log[0] = 0;
	fk.mon_len = 0;
	return -pthread_create(&fk.thread, NULL, fake_thread, NULL);
}

static inline void fake_stop(void)
{
	fk.stop = true;
	pthread_join(fk.thread, NULL);
	close(fk.fd);
	unlink(fk.path);
	rmdir(fk.dir);
}

static inline void fake_event(const char *msg)
{
	pthread_mutex_lock(&fk.lock);
	sendto(fk.fd, msg, strlen(msg), 0, (struct sockaddr *)&fk.mon, fk.mon_len);
	pthread_mutex_unlock(&fk.lock);
}

static inline bool logged(const char *line)
{
	bool ret;

	pthread_mutex_lock(&fk.lock);
	ret = strstr(fk.log, line) != NULL;
	pthread_mutex_unlock(&fk.lock);
	return ret;
}

/* How often a line was received. */
static inline int logged_count(const char *line)
{
	int n = 0;
	const char *p;

	pthread_mutex_lock(&fk.lock);
	for (p = fk.log; (p = strstr(p, line)); p += strlen(line))
		n++;
	pthread_mutex_unlock(&fk.lock);
	return n;
}

/* Wait until @line was received @count times, up to @ms. */
static inline bool wait_logged(const char *line, int count, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		if (logged_count(line) >= count)
			return true;
		usleep(10000);
	}
	return logged_count(line) >= count;
}

static inline void fake_clear_log(void)
{
	pthread_mutex_lock(&fk.lock);
	fk.log[0] = 0;
	pthread_mutex_unlock(&fk.lock);
}

#endif
