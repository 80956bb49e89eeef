// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wpa_supplicant control interface client: connect, command and reply,
 * events.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "wpa_ctrl.h"

int wpa_ctrl_open(struct wpa_ctrl *c, const char *path, const char *ifname)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	sa_family_t family = AF_UNIX;
	int ret;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	if (ifname && strlen(ifname) >= IF_NAMESIZE)
		return -EINVAL;
	if (ifname)
		snprintf(c->prefix, sizeof(c->prefix), "IFNAME=%s ", ifname);
	memcpy(sun.sun_path, path, strlen(path));
	c->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return -errno;
	/*
	 * The supplicant replies to the address a command came from: bind
	 * one (an abstract name the kernel makes up), or it has none.
	 */
	if (bind(c->fd, (struct sockaddr *)&(struct sockaddr_un){ .sun_family = family },
		 sizeof(family)) ||
	    connect(c->fd, (struct sockaddr *)&sun, sizeof(sun))) {
		ret = -errno;
		close(c->fd);
		c->fd = -1;
		return ret;
	}
	return 0;
}

void wpa_ctrl_close(struct wpa_ctrl *c)
{
	if (c->fd < 0)
		return;
	if (c->attached) {
		char buf[64];

		wpa_ctrl_request(c, "DETACH", buf, sizeof(buf), 200);
	}
	close(c->fd);
	c->fd = -1;
	c->attached = false;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Events on a command socket (attached, or a late one) are not replies. */
static bool is_event(const char *msg)
{
	return msg[0] == '<' || !strncmp(msg, "IFNAME=", 7);
}

int wpa_ctrl_recv(struct wpa_ctrl *c, char *buf, size_t size)
{
	ssize_t n;

	if (size < 2)
		return -EINVAL;
	do
		n = recv(c->fd, buf, size - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	buf[n] = 0;
	return (int)n;
}

int wpa_ctrl_request(struct wpa_ctrl *c, const char *cmd, char *reply, size_t size,
		     int timeout_ms)
{
	char msg[WPA_CTRL_MAX];
	long long end;
	size_t len;
	int n;

	if (c->fd < 0)
		return -ENOTCONN;
	/* A reply that came after its request timed out must not answer this one. */
	if (!c->attached)
		while (wpa_ctrl_recv(c, msg, sizeof(msg)) >= 0)
			;
	n = snprintf(msg, sizeof(msg), "%s%s", c->prefix, cmd);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -E2BIG;
	if (send(c->fd, msg, (size_t)n, 0) < 0)
		return -errno;
	end = now_ms() + timeout_ms;
	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		long long left = end - now_ms();

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n <= 0)
			continue;
		n = wpa_ctrl_recv(c, msg, sizeof(msg));
		if (n == -EAGAIN)
			continue;
		if (n < 0)
			return n;
		if (is_event(msg))
			continue;
		len = (size_t)n < size ? (size_t)n : size - 1;
		memcpy(reply, msg, len);
		reply[len] = 0;
		return (int)len;
	}
}

int wpa_ctrl_command(struct wpa_ctrl *c, const char *cmd, int timeout_ms)
{
	char reply[64];
	int n = wpa_ctrl_request(c, cmd, reply, sizeof(reply), timeout_ms);

	if (n < 0)
		return n;
	return strncmp(reply, "OK", 2) ? -EIO : 0;
}

int wpa_ctrl_attach(struct wpa_ctrl *c, int timeout_ms)
{
	int ret = wpa_ctrl_command(c, "ATTACH", timeout_ms);

	if (!ret)
		c->attached = true;
	return ret;
}

const char *wpa_ctrl_event_split(const char *msg, char ifname[IF_NAMESIZE], int *level)
{
	const char *p = msg;

	ifname[0] = 0;
	*level = -1;
	if (!strncmp(p, "IFNAME=", 7)) {
		const char *sp = strchr(p + 7, ' ');
		size_t n;

		if (!sp)
			return NULL;
		n = (size_t)(sp - (p + 7));
		if (!n || n >= IF_NAMESIZE)
			return NULL;
		memcpy(ifname, p + 7, n);
		ifname[n] = 0;
		p = sp + 1;
	}
	if (*p != '<')
		return NULL;
	if (p[1] >= '0' && p[1] <= '9' && p[2] == '>') {
		*level = p[1] - '0';
		return p + 3;
	}
	return NULL;
}
