// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wfdd's link process: finds the sink, forms a P2P group with it, gives
 * the group addresses, tells the stream process where to listen, follows
 * the group until it goes away, and starts over.  See p2p_link.h for the
 * channel and the privileges.
 *
 *   FIND ──sink found, available──> CONNECT ──group started──> ADDRESS
 *     ^                                │                          │
 *     │                        failed, timed out        lease (client) or
 *     │                                │                dnsmasq (GO): UP
 *   PAUSE <──────── group gone ────────┴──────────────────── UP / SESSION
 *
 * A sink that answers the first GO negotiation with "information
 * currently unavailable" while it asks its user, then starts its own
 * negotiation, is waited for: the supplicant answers it, or this process
 * does when it sees the request.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libwfd.h"
#include "p2p_addr.h"
#include "p2p_link.h"
#include "p2p_privs.h"

/* ---- the channel ---- */

int p2p_link_send(int fd, const struct p2p_link_msg *m)
{
	ssize_t n;

	do
		n = send(fd, m, sizeof(*m), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == sizeof(*m) ? 0 : -EPROTO;
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

static bool ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

int p2p_link_check(struct p2p_link_msg *m)
{
	if (!terminated(m->ifname, sizeof(m->ifname)) || !terminated(m->local, sizeof(m->local)) ||
	    !terminated(m->peer, sizeof(m->peer)) ||
	    !terminated(m->peer_name, sizeof(m->peer_name)))
		return -EPROTO;
	switch (m->type) {
	case P2P_LINK_UP:
		if (!m->port || !ipv4(m->local) || (m->peer[0] && !ipv4(m->peer)) || !m->ifname[0])
			return -EPROTO;
		return 0;
	case P2P_LINK_DOWN:
		if (m->status < WFD_STATUS_CRITICAL_ERROR ||
		    m->status > WFD_STATUS_COMPANION_DISCONNECT || m->diag > 0 || m->diag < -4095)
			return -EPROTO;
		return 0;
	case P2P_LINK_FATAL:
		return m->status >= 1 && m->status <= 2 ? 0 : -EPROTO;
	case P2P_LINK_SESSION:
		return m->busy <= 1 ? 0 : -EPROTO;
	}
	return -EPROTO;
}

int p2p_link_recv(int fd, struct p2p_link_msg *m)
{
	ssize_t n;

	do
		n = recv(fd, m, sizeof(*m), MSG_DONTWAIT | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (n == 0)
		return -ENOTCONN;
	if (n != sizeof(*m))
		return -EPROTO;
	return p2p_link_check(m);
}

/* ---- wfdctl's question: is wfdd's link process using this device? ---- */

/* An abstract name only a running link process holds. */
static socklen_t marker_addr(const char *dev, struct sockaddr_un *sun)
{
	int n;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	n = snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1, "wfdd-p2p-link/%s", dev);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

static int marker_bind(const char *dev)
{
	struct sockaddr_un sun;
	socklen_t len = marker_addr(dev, &sun);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret;

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun, len)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int p2p_link_running(const char *dev)
{
	int fd;

	if (!dev || !dev[0])
		return 0;
	fd = marker_bind(dev);
	if (fd == -EADDRINUSE)
		return 1;
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

const char *p2p_link_dev_name(const struct p2p *p)
{
	return p->dev;
}

int p2p_link_opts_default(struct p2p_link_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->backend = "auto";
	o->method = P2P_METHOD_AUTO;
	o->go_intent = -1;
	o->timeout_s = 60;
	o->retry_s = 5;
	o->port = 7236;
	return 0;
}

/* ---- the stream process's end ---- */

/* The group that owns the supplicant's control sockets (netdev on Debian). */
static gid_t ctrl_group(const char *ctrl)
{
	static const char *const dirs[] = { "/run/wpa_supplicant", "/var/run/wpa_supplicant" };
	struct stat st;

	if (ctrl)
		return stat(ctrl, &st) ? (gid_t)-1 : st.st_gid;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (!stat(dirs[i], &st))
			return st.st_gid;
	return (gid_t)-1;
}

int p2p_link_spawn(struct p2p_link *l, const struct p2p_link_opts *o)
{
	int sv[2], ret;
	gid_t gid;
	pid_t pid;

	l->fd = -1;
	l->pid = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(sv[0]);
		close(sv[1]);
		return ret;
	}
	if (!pid) {
		close(sv[0]);
		/* Nothing of the parent's but stdio and the channel. */
		if (sv[1] != 3) {
			dup2(sv[1], 3);
			close(sv[1]);
		}
		syscall(SYS_close_range, 4u, ~0u, 0u);
		p2p_link_main(3, o);
	}
	close(sv[1]);
	l->fd = sv[0];
	l->pid = pid;
	/* The supplicant's group is the link process's alone. */
	gid = ctrl_group(o->ctrl);
	if (gid != (gid_t)-1 && gid != 0 && gid != getegid()) {
		ret = p2p_privs_leave_group(gid);
		if (ret < 0)
			fprintf(stderr, "wfdd: no CAP_SETGID: the stream process stays in group %u "
				"of wpa_supplicant's control socket\n", (unsigned int)gid);
	}
	return 0;
}

int p2p_link_session(struct p2p_link *l, bool busy)
{
	struct p2p_link_msg m = { .type = P2P_LINK_SESSION, .busy = busy };

	return p2p_link_send(l->fd, &m);
}

void p2p_link_close(struct p2p_link *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	if (l->pid > 0) {
		/* It leaves the group first: a few seconds at most. */
		for (int i = 0; i < 100; i++) {
			if (waitpid(l->pid, NULL, WNOHANG) != 0)
				break;
			if (i == 99) {
				kill(l->pid, SIGKILL);
				waitpid(l->pid, NULL, 0);
			}
			usleep(50000);
		}
	}
	l->pid = -1;
}

/* ---- the link process ---- */

enum state {
	S_FIND,		/* looking for the sink */
	S_CONNECT,	/* connecting, waiting for the group */
	S_ADDRESS,	/* group up, waiting for a DHCP lease */
	S_UP,		/* the stream process listens; no sink on RTSP yet */
	S_SESSION,	/* a session runs */
	S_LEAVE,	/* leaving the group */
	S_PAUSE,	/* before finding again */
};

static const char *const state_names[] = {
	"find", "connect", "address", "up", "session", "leave", "pause",
};

#define FIND_S		20	/* one P2P_FIND; restarted when it stops */
#define CONNECT_S	120	/* the sink's user may have to accept */
#define LEASE_S		40	/* dhclient's answer */
#define RTSP_S		60	/* the sink's RTSP connection after the group is up */
#define LEAVE_S		5
#define MAX_SEEN	32

struct link {
	const struct p2p_link_opts *o;
	const struct p2p_ops *ops;
	struct p2p *p;
	int chan, sigfd, marker;
	enum state state;
	long long deadline;		/* of the state, 0 for none */
	long long find_until;		/* the first find's end (--p2p-timeout) */
	long long next_find;		/* restart of a find that stopped */
	long long find_started;		/* a find that does not say it stopped is restarted */
	bool ever_up;
	struct p2p_peer sink;
	bool have_sink;
	struct p2p_peer seen[MAX_SEEN];
	int nseen;
	bool said_busy, said_not_sink, said_waiting;
	bool target_seen;		/* the target answered, available or not */
	struct p2p_group group;
	bool have_group;
	struct in_addr subnet;
	bool joined;			/* the sink associated with our group */
	pid_t helper;
	const char *helper_name;
	char rundir[PATH_MAX];
	bool own_rundir;
	struct p2p_config cfg;
	long long t_find, t_found, t_connect, t_group, t_up;
	bool stream_gone;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double secs(long long from, long long to)
{
	return (double)(to - from) / 1000.0;
}

__attribute__((format(printf, 1, 2)))
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("wfdd: p2p: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void set_state(struct link *k, enum state s, int timeout_s)
{
	if (k->o->verbose > 1 && k->state != s)
		say("%s -> %s", state_names[k->state], state_names[s]);
	k->state = s;
	k->deadline = timeout_s ? now_ms() + timeout_s * 1000ll : 0;
}

static void send_msg(struct link *k, const struct p2p_link_msg *m)
{
	if (p2p_link_send(k->chan, m))
		k->stream_gone = true;
}

static void send_down(struct link *k, int status, const char *why)
{
	struct p2p_link_msg m = { .type = P2P_LINK_DOWN, .status = status, .diag = -ENETDOWN };

	say("%s", why);
	send_msg(k, &m);
}

static void announce(struct link *k, bool available)
{
	struct wfd_dev_info info;
	int ret;

	/* 50 Mbit/s: what an 802.11n group carries; sinks only show it. */
	wfd_dev_info_source(&info, available, k->o->port, 50);
	ret = k->ops->set_wfd(k->p, &info);
	if (ret)
		say("cannot set the WFD IEs: %s", strerror(-ret));
}

static void stop_helper(struct link *k)
{
	if (k->helper <= 0)
		return;
	kill(k->helper, SIGTERM);
	for (int i = 0; i < 40 && waitpid(k->helper, NULL, WNOHANG) == 0; i++)
		usleep(50000);
	if (waitpid(k->helper, NULL, WNOHANG) == 0) {
		kill(k->helper, SIGKILL);
		waitpid(k->helper, NULL, 0);
	}
	k->helper = 0;
	k->helper_name = NULL;
}

static void start_find(struct link *k)
{
	int ret;

	k->have_sink = false;
	k->said_busy = k->said_not_sink = false;
	ret = k->ops->find(k->p, FIND_S);
	k->find_started = now_ms();
	if (ret) {
		say("cannot start finding: %s", strerror(-ret));
		k->next_find = now_ms() + 2000;
	} else {
		k->next_find = 0;
	}
	if (!k->t_find)
		k->t_find = now_ms();
	set_state(k, S_FIND, 0);
}

/* After a failure or a session: a pause, then find again. */
static void pause_then_find(struct link *k)
{
	stop_helper(k);
	k->have_group = false;
	k->joined = false;
	k->t_find = 0;
	set_state(k, S_PAUSE, k->o->retry_s > 0 ? k->o->retry_s : 1);
}

static void leave_group(struct link *k)
{
	stop_helper(k);
	if (k->have_group) {
		int ret = k->ops->remove_group(k->p, k->group.ifname);

		if (!ret) {
			set_state(k, S_LEAVE, LEAVE_S);
			return;
		}
		say("cannot remove group %s: %s", k->group.ifname, strerror(-ret));
	}
	pause_then_find(k);
}

static enum p2p_method pick_method(const struct link *k)
{
	if (k->o->method != P2P_METHOD_AUTO)
		return k->o->method;
	/* A sink that owns a group already (persistent GO) is joined. */
	return k->sink.group_capab & P2P_GROUP_CAPAB_GO ? P2P_METHOD_JOIN : P2P_METHOD_PBC;
}

static void connect_sink(struct link *k, bool answer)
{
	struct p2p_connect_params cp = {
		.method = pick_method(k),
		.pin = k->o->pin,
		.go_intent = k->o->go_intent >= 0 ? k->o->go_intent : 7,
	};
	char pin[9] = "";
	int ret;

	if (k->state == S_FIND)
		k->ops->stop_find(k->p);
	if (cp.method == P2P_METHOD_JOIN && !k->ops->join) {
		say("the %s backend cannot join a running group", k->ops->name);
		pause_then_find(k);
		return;
	}
	if (!answer) {
		k->t_connect = now_ms();
		say("connecting to \"%s\" (%s) by %s, GO intent %d", k->sink.name, k->sink.addr,
		    p2p_method_name(cp.method), cp.go_intent);
	}
	ret = k->ops->connect(k->p, k->sink.addr, &cp, pin);
	if (ret) {
		say("cannot connect to %s: %s", k->sink.addr, strerror(-ret));
		pause_then_find(k);
		return;
	}
	if (pin[0])
		say("PIN for \"%s\": %s (enter it on the sink)", k->sink.name, pin);
	else if (cp.method == P2P_METHOD_PIN_DISPLAY && cp.pin && !answer)
		say("PIN for \"%s\": %s (enter it on the sink)", k->sink.name, cp.pin);
	if (!answer)
		set_state(k, S_CONNECT, CONNECT_S);
}

static void remember(struct link *k, const struct p2p_peer *p)
{
	int i;

	for (i = 0; i < k->nseen; i++)
		if (!strcmp(k->seen[i].addr, p->addr))
			break;
	if (i == MAX_SEEN)
		return;
	k->seen[i] = *p;
	if (i == k->nseen)
		k->nseen++;
}

static void on_found(void *o, const struct p2p_peer *p)
{
	struct link *k = o;

	remember(k, p);
	if (k->state != S_FIND || !p2p_peer_matches(p, k->o->target))
		return;
	k->target_seen = true;
	if (!p2p_peer_is_sink(p)) {
		if (!k->said_not_sink)
			say("\"%s\" (%s) is not a Wi-Fi Display sink (%s): waiting for one", p->name,
			    p->addr, p->has_wfd ? "a source" : "no WFD IE");
		k->said_not_sink = true;
		return;
	}
	if (!wfd_dev_info_available(&p->wfd)) {
		if (!k->said_busy)
			say("sink \"%s\" (%s) has no session available: waiting", p->name, p->addr);
		k->said_busy = true;
		return;
	}
	k->sink = *p;
	k->have_sink = true;
	k->t_found = now_ms();
	say("found sink \"%s\" (%s) after %.1f s", p->name, p->addr, secs(k->t_find, k->t_found));
	connect_sink(k, false);
}

static void on_lost(void *o, const char *addr)
{
	struct link *k = o;

	for (int i = 0; i < k->nseen; i++)
		if (!strcmp(k->seen[i].addr, addr))
			k->seen[i] = k->seen[--k->nseen];
}

static void on_find_stopped(void *o)
{
	struct link *k = o;

	/* Finds end by themselves: keep one running while looking. */
	if (k->state == S_FIND)
		k->next_find = now_ms() + 200;
}

static void on_request(void *o, const char *addr, int passwd_id)
{
	struct link *k = o;
	const struct p2p_peer *p = NULL;

	for (int i = 0; i < k->nseen; i++)
		if (!strcmp(k->seen[i].addr, addr))
			p = &k->seen[i];
	if (k->o->verbose)
		say("%s asks to connect (password id %d)", addr, passwd_id);
	if (k->state == S_CONNECT && k->have_sink && !strcmp(addr, k->sink.addr)) {
		/* The sink negotiates itself now that its user accepted. */
		connect_sink(k, true);
		return;
	}
	if (k->state == S_FIND && p && p2p_peer_matches(p, k->o->target) && p2p_peer_is_sink(p)) {
		/* The sink's user picked this source: go along. */
		k->sink = *p;
		k->have_sink = true;
		k->t_found = now_ms();
		connect_sink(k, false);
	}
}

static void on_failed(void *o, const char *what, int status)
{
	struct link *k = o;

	if (k->state != S_CONNECT)
		return;
	if (status == 1) {
		/* "Information currently unavailable": the sink asks its user. */
		if (!k->said_waiting)
			say("the sink asks its user; waiting");
		k->said_waiting = true;
		return;
	}
	say("%s with \"%s\" failed (status %d)", what, k->sink.name, status);
	pause_then_find(k);
}

static void on_pin(void *o, const char *addr, const char *pin)
{
	(void)o;
	say("PIN for %s: %s (enter it on the sink)", addr, pin);
}

static void send_up(struct link *k, struct in_addr local, struct in_addr peer)
{
	struct p2p_link_msg m = { .type = P2P_LINK_UP, .port = k->o->port };

	inet_ntop(AF_INET, &local, m.local, sizeof(m.local));
	if (peer.s_addr)
		inet_ntop(AF_INET, &peer, m.peer, sizeof(m.peer));
	memcpy(m.ifname, k->group.ifname, sizeof(m.ifname));
	memcpy(m.peer_name, k->sink.name, sizeof(m.peer_name));
	k->t_up = now_ms();
	say("%s: this side %s, the sink %s; address after %.1f s", k->group.ifname, m.local,
	    m.peer[0] ? m.peer : "(any)", secs(k->t_group, k->t_up));
	k->ever_up = true;
	send_msg(k, &m);
	set_state(k, S_UP, RTSP_S);
}

static void on_group_started(void *o, const struct p2p_group *g)
{
	struct link *k = o;
	struct in_addr self, lease;
	int ret;

	if (k->state != S_CONNECT && k->state != S_FIND) {
		say("group %s started while %s: removing it", g->ifname, state_names[k->state]);
		k->ops->remove_group(k->p, g->ifname);
		return;
	}
	k->group = *g;
	k->have_group = true;
	k->t_group = now_ms();
	say("group %s started, this side %s, after %.1f s (negotiation)", g->ifname,
	    g->go ? "GO" : "client", secs(k->t_connect ? k->t_connect : k->t_find, k->t_group));
	if (g->addressed) {
		send_up(k, g->ip, g->go_ip);
		return;
	}
	if (g->go) {
		/* One lease: the sink is the group's only client. */
		k->subnet = p2p_addr_pick_subnet();
		self.s_addr = k->subnet.s_addr | htonl(1);
		lease.s_addr = k->subnet.s_addr | htonl(10);
		ret = p2p_addr_add(g->ifname, self, 24);
		if (ret) {
			say("cannot set the address of %s: %s", g->ifname, strerror(-ret));
			leave_group(k);
			return;
		}
		k->helper = p2p_dhcp_server(g->ifname, lease, k->rundir, k->o->verbose > 1);
		if (k->helper < 0) {
			say("cannot start dnsmasq: %s", strerror(-k->helper));
			k->helper = 0;
			leave_group(k);
			return;
		}
		k->helper_name = "dnsmasq";
		send_up(k, self, lease);
		return;
	}
	if (g->ip.s_addr && g->go_ip.s_addr) {
		/* The group owner gave an address in the 4-way handshake. */
		ret = p2p_addr_add(g->ifname, g->ip, p2p_mask_prefix(g->mask));
		if (ret) {
			say("cannot set the address of %s: %s", g->ifname, strerror(-ret));
			leave_group(k);
			return;
		}
		send_up(k, g->ip, g->go_ip);
		return;
	}
	k->helper = p2p_dhcp_client(g->ifname, k->rundir, k->o->verbose > 1);
	if (k->helper < 0) {
		say("cannot start dhclient: %s", strerror(-k->helper));
		k->helper = 0;
		leave_group(k);
		return;
	}
	k->helper_name = "dhclient";
	set_state(k, S_ADDRESS, LEASE_S);
}

static void check_lease(struct link *k)
{
	struct p2p_lease l;
	struct in_addr peer;
	int ret;

	if (p2p_dhclient_read(k->rundir, k->group.ifname, &l))
		return;
	ret = p2p_addr_add(k->group.ifname, l.ip, p2p_mask_prefix(l.mask));
	if (ret) {
		say("cannot set the address of %s: %s", k->group.ifname, strerror(-ret));
		leave_group(k);
		return;
	}
	/* The sink is the group owner: the DHCP server, or the router it named. */
	peer = l.server.s_addr ? l.server : l.router;
	send_up(k, l.ip, peer);
}

static bool our_group(const struct link *k, const char *ifname)
{
	return k->have_group && !strcmp(k->group.ifname, ifname);
}

static void on_group_removed(void *o, const char *ifname, const char *reason)
{
	struct link *k = o;
	int status;

	if (!our_group(k, ifname))
		return;
	k->have_group = false;
	if (k->state == S_UP || k->state == S_SESSION) {
		/* The sink ended its group (switched off, stopped casting). */
		status = !strcmp(reason, "GO_ENDING_SESSION") || !strcmp(reason, "REQUESTED") ?
			 WFD_STATUS_SINK_DISCONNECT_REQUEST : WFD_STATUS_MISSING_KEEPALIVE;
		char why[96];

		snprintf(why, sizeof(why), "group %s removed (%s): the sink is gone", ifname,
			 reason[0] ? reason : "no reason given");
		send_down(k, status, why);
	} else if (k->state != S_LEAVE) {
		say("group %s removed (%s)", ifname, reason[0] ? reason : "no reason given");
	}
	pause_then_find(k);
}

static void on_joined(void *o, const char *addr)
{
	struct link *k = o;

	if (!k->have_group || !k->group.go)
		return;
	k->joined = true;
	if (k->o->verbose)
		say("%s joined group %s", addr, k->group.ifname);
}

static void on_left(void *o, const char *addr)
{
	struct link *k = o;

	/* A group owner's only sign that its client went away. */
	if (!k->have_group || !k->group.go || !k->joined)
		return;
	if (k->have_sink && strcmp(addr, k->sink.addr))
		return;
	k->joined = false;
	if (k->state == S_UP || k->state == S_SESSION) {
		char why[96];

		snprintf(why, sizeof(why), "the sink %s left group %s", addr, k->group.ifname);
		send_down(k, WFD_STATUS_SINK_DISCONNECT_REQUEST, why);
	} else {
		say("the sink %s left group %s", addr, k->group.ifname);
	}
	leave_group(k);
}

static void on_gone(void *o)
{
	struct link *k = o;

	say("the %s backend went away", k->ops->name);
	if (k->have_group && (k->state == S_UP || k->state == S_SESSION))
		send_down(k, WFD_STATUS_MISSING_KEEPALIVE, "the group's supplicant went away");
	stop_helper(k);
	k->have_group = false;
	if (k->p) {
		k->ops->close(k->p);
		k->p = NULL;
	}
	set_state(k, S_PAUSE, 5);
}

static const struct p2p_callbacks callbacks = {
	.peer_found = on_found,
	.peer_lost = on_lost,
	.find_stopped = on_find_stopped,
	.connect_request = on_request,
	.connect_failed = on_failed,
	.show_pin = on_pin,
	.group_started = on_group_started,
	.group_removed = on_group_removed,
	.station_joined = on_joined,
	.station_left = on_left,
	.backend_gone = on_gone,
};

static int open_backend(struct link *k)
{
	int ret = k->ops->open(&k->p, &k->cfg, &callbacks, k);

	if (ret)
		return ret;
	if (k->marker < 0)
		k->marker = marker_bind(k->p->dev);
	announce(k, true);
	return 0;
}

/* The first find found nothing by --p2p-timeout: say what there was. */
static void not_found(struct link *k)
{
	struct p2p_link_msg m = { .type = P2P_LINK_FATAL, .status = 1 };
	int sinks = 0;

	fprintf(stderr, "wfdd: p2p: no sink \"%s\" found in %d s", k->o->target, k->o->timeout_s);
	for (int i = 0; i < k->nseen; i++) {
		const struct p2p_peer *p = &k->seen[i];

		if (!p2p_peer_is_sink(p))
			continue;
		fprintf(stderr, "%s\"%s\" (%s%s)", sinks++ ? ", " : "; sinks in range: ", p->name,
			p->addr, wfd_dev_info_available(&p->wfd) ? "" : ", no session available");
	}
	if (!sinks)
		fprintf(stderr, "; no Wi-Fi Display sink in range (%d other P2P device%s)",
			k->nseen, k->nseen == 1 ? "" : "s");
	fputc('\n', stderr);
	send_msg(k, &m);
}

static void on_timer(struct link *k, long long now)
{
	/* Only a sink never seen times out: one without a session free is waited for. */
	if (k->state == S_FIND && k->o->timeout_s && !k->ever_up && k->find_until &&
	    !k->target_seen && now >= k->find_until) {
		not_found(k);
		k->find_until = 0;
		return;
	}
	/* NetworkManager tells no end of a find: restart it after its time. */
	if (k->state == S_FIND && !k->next_find && now >= k->find_started + (FIND_S + 5) * 1000ll)
		k->next_find = now;
	if (k->state == S_FIND && k->next_find && now >= k->next_find && k->p)
		start_find(k);
	if (k->state == S_ADDRESS)
		check_lease(k);
	if (!k->deadline || now < k->deadline)
		return;
	switch (k->state) {
	case S_CONNECT:
		say("\"%s\" did not connect in %d s", k->sink.name, CONNECT_S);
		k->ops->cancel(k->p);
		pause_then_find(k);
		break;
	case S_ADDRESS:
		say("no DHCP lease on %s in %d s", k->group.ifname, LEASE_S);
		p2p_helper_log_tail(k->rundir, "dhclient", "wfdd: p2p: ", 5);
		leave_group(k);
		break;
	case S_UP:
		send_down(k, WFD_STATUS_MISSING_KEEPALIVE, "the sink did not open its RTSP "
			  "connection: leaving the group");
		leave_group(k);
		break;
	case S_LEAVE:
		pause_then_find(k);
		break;
	case S_PAUSE:
		if (!k->p && open_backend(k)) {
			set_state(k, S_PAUSE, 5);
			break;
		}
		announce(k, true);
		start_find(k);
		break;
	default:
		k->deadline = 0;
		break;
	}
}

static void on_helper_exit(struct link *k)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid != k->helper)
			continue;
		k->helper = 0;
		say("%s exited (%s %d)", k->helper_name, WIFEXITED(st) ? "status" : "signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		if (!k->o->verbose || k->o->verbose < 2)
			p2p_helper_log_tail(k->rundir, k->helper_name, "wfdd: p2p: ", 5);
		if (k->state == S_ADDRESS) {
			check_lease(k);
			if (k->state == S_ADDRESS)
				leave_group(k);
		} else if (k->helper_name && !strcmp(k->helper_name, "dnsmasq") &&
			   (k->state == S_UP || k->state == S_SESSION)) {
			/* Without its DHCP server the group cannot go on. */
			send_down(k, WFD_STATUS_CRITICAL_ERROR, "no DHCP server: leaving the group");
			leave_group(k);
		}
	}
}

static void on_stream(struct link *k, const struct p2p_link_msg *m)
{
	if (m->type != P2P_LINK_SESSION)
		return;
	if (m->busy) {
		if (k->state == S_UP) {
			set_state(k, S_SESSION, 0);
			announce(k, false);
		}
		return;
	}
	/* The session ended: leave the group, the sink may cast again. */
	announce(k, true);
	if (k->state == S_UP || k->state == S_SESSION)
		leave_group(k);
}

static void make_rundir(struct link *k)
{
	const char *rt = getenv("RUNTIME_DIRECTORY");

	if (rt && *rt) {
		snprintf(k->rundir, sizeof(k->rundir), "%.*s", (int)strcspn(rt, ":"), rt);
		return;
	}
	snprintf(k->rundir, sizeof(k->rundir), "/tmp/wfdd-p2p.XXXXXX");
	if (mkdtemp(k->rundir))
		k->own_rundir = true;
	else
		snprintf(k->rundir, sizeof(k->rundir), "/tmp");
}

static void remove_rundir(struct link *k)
{
	static const char *const files[] = { "dnsmasq.log", "dhclient.log", "dhclient.conf" };
	char path[PATH_MAX + 64];

	if (!k->own_rundir)
		return;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", k->rundir, files[i]);
		unlink(path);
	}
	if (k->have_group || k->group.ifname[0]) {
		snprintf(path, sizeof(path), "%s/dnsmasq-%s.leases", k->rundir, k->group.ifname);
		unlink(path);
		snprintf(path, sizeof(path), "%s/dhclient-%s.leases", k->rundir, k->group.ifname);
		unlink(path);
		snprintf(path, sizeof(path), "%s/dhclient-%s.pid", k->rundir, k->group.ifname);
		unlink(path);
	}
	rmdir(k->rundir);
}

static void finish(struct link *k, int status)
{
	stop_helper(k);
	if (k->p) {
		if (k->have_group)
			k->ops->remove_group(k->p, k->group.ifname);
		else if (k->state == S_CONNECT)
			k->ops->cancel(k->p);
		else if (k->state == S_FIND)
			k->ops->stop_find(k->p);
		k->ops->close(k->p);
	}
	remove_rundir(k);
	_exit(status);
}

void p2p_link_main(int fd, const struct p2p_link_opts *o)
{
	struct link k = { .o = o, .chan = fd, .marker = -1 };
	uint64_t missing;
	sigset_t mask;
	int ret;

	/* SIGINT and SIGTERM are the stream process's: it closes the channel. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	k.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);

	ret = p2p_privs_keep(P2P_LINK_CAPS, &missing);
	if (ret) {
		say("cannot narrow the link process's capabilities: %s", strerror(-ret));
		_exit(1);
	}
	if (missing && o->verbose)
		say("without%s%s%s: setting addresses and DHCP may fail",
		    missing & (1ull << 12) ? " CAP_NET_ADMIN" : "",
		    missing & (1ull << 13) ? " CAP_NET_RAW" : "",
		    missing & (1ull << 10) ? " CAP_NET_BIND_SERVICE" : "");

	k.ops = !strcmp(o->backend, "auto") ? p2p_backend_auto(o->iface, o->verbose) :
					      p2p_backend(o->backend);
	if (!k.ops) {
		struct p2p_link_msg m = { .type = P2P_LINK_FATAL, .status = 2 };

		say("unknown backend %s", o->backend);
		p2p_link_send(fd, &m);
		_exit(2);
	}
	k.cfg = (struct p2p_config){
		.ctrl_path = o->ctrl, .iface = o->iface, .go_intent = o->go_intent >= 0 ?
		o->go_intent : 7, .update_config = o->save_config, .verbose = o->verbose,
	};
	{
		static char host[64];

		if (gethostname(host, sizeof(host) - 1) || !host[0])
			snprintf(host, sizeof(host), "wfd");
		k.cfg.device_name = host;
	}
	/* What "auto" picked may not do what the options ask. */
	if ((!k.ops->pin && (o->method == P2P_METHOD_PIN_DISPLAY ||
			     o->method == P2P_METHOD_PIN_KEYPAD)) ||
	    (!k.ops->join && o->method == P2P_METHOD_JOIN) ||
	    (!k.ops->go_intent && o->go_intent >= 0)) {
		struct p2p_link_msg m = { .type = P2P_LINK_FATAL, .status = 2 };

		say("the %s backend connects by push button only: no PIN, no join, no GO intent "
		    "(--p2p-backend wpa drives wpa_supplicant itself)", k.ops->name);
		p2p_link_send(fd, &m);
		_exit(2);
	}
	make_rundir(&k);
	if (open_backend(&k)) {
		struct p2p_link_msg m = { .type = P2P_LINK_FATAL, .status = 1 };

		p2p_link_send(fd, &m);
		finish(&k, 1);
	}
	say("looking for sink \"%s\" with %s on %s", o->target, k.ops->name, k.p->dev);
	if (o->timeout_s)
		k.find_until = now_ms() + o->timeout_s * 1000ll;
	start_find(&k);

	for (;;) {
		long long now = now_ms(), next = k.deadline;
		struct pollfd p[3] = {
			{ .fd = k.chan, .events = POLLIN },
			{ .fd = k.p ? k.ops->fd(k.p) : -1, .events = POLLIN },
			{ .fd = k.sigfd, .events = POLLIN },
		};
		int timeout;

		if (k.next_find && (!next || k.next_find < next))
			next = k.next_find;
		if (k.state == S_FIND && (!next || k.find_started + (FIND_S + 5) * 1000ll < next))
			next = k.find_started + (FIND_S + 5) * 1000ll;
		if (k.find_until && k.state == S_FIND && (!next || k.find_until < next))
			next = k.find_until;
		/* A lease is looked for four times a second. */
		if (k.state == S_ADDRESS && (!next || now + 250 < next))
			next = now + 250;
		timeout = !next ? -1 : next <= now ? 0 : (int)(next - now);
		if (k.p && k.ops->wait_ms) {
			int w = k.ops->wait_ms(k.p);

			if (w >= 0 && (timeout < 0 || w < timeout))
				timeout = w;
		}
		if (poll(p, 3, timeout) < 0 && errno != EINTR)
			finish(&k, 1);
		if (p[0].revents) {
			struct p2p_link_msg m;

			ret = p2p_link_recv(k.chan, &m);
			if (ret == -ENOTCONN || (ret && ret != -EAGAIN && ret != -EPROTO))
				finish(&k, 0);
			if (!ret)
				on_stream(&k, &m);
			else if (ret == -EPROTO)
				say("malformed message from the stream process ignored");
		}
		/* Every time round: a backend may have read events during a call. */
		if (k.p && k.ops->dispatch(k.p) < 0 && k.p)
			on_gone(&k);
		if (p[2].revents) {
			struct signalfd_siginfo si;

			while (read(k.sigfd, &si, sizeof(si)) == sizeof(si))
				;
			on_helper_exit(&k);
		}
		on_timer(&k, now_ms());
		if (k.stream_gone)
			finish(&k, 0);
	}
}
