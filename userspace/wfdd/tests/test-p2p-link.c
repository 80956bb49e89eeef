// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The link process against a fake wpa_supplicant, in a network namespace
 * of its own (root only: it sets addresses, and runs dnsmasq): what it
 * asks the supplicant and what it tells the stream process, through a
 * sink with no session available, one that answers "information
 * currently unavailable" and negotiates itself, a group where this side
 * is client with the group owner's address allocation, the sink ending
 * the group, a group this side owns (dnsmasq, one lease), the sink
 * leaving it, and the channel closing.  The group interface is "lo" of
 * the namespace.  KTAP output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libwfd.h"
#include "p2p_link.h"
#include "fake-wpa.h"
#include "tap.h"

#define TV "42:00:00:00:01:00"

static const char *reply(const char *cmd)
{
	if (!strcmp(cmd, "STATUS"))
		return "wpa_state=DISCONNECTED\np2p_device_address=42:00:00:00:00:00\n";
	if (!strncmp(cmd, "P2P_PEER", 8))
		return "FAIL\n";
	return "OK\n";
}

static void found(bool available)
{
	char ev[512];

	snprintf(ev, sizeof(ev), "<3>P2P-DEVICE-FOUND " TV " p2p_dev_addr=" TV " "
		 "pri_dev_type=7-0050F204-1 name='Living Room TV' config_methods=0x188 "
		 "dev_capab=0x25 group_capab=0x0 wfd_dev_info=0x00%s1c440032 new=1",
		 available ? "11" : "01");
	fake_event(ev);
}

/* The next message from the link process, up to @ms: 0 or an errno. */
static int next_msg(int fd, struct p2p_link_msg *m, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return -ETIMEDOUT;
	return p2p_link_recv(fd, m);
}

/* Does the link process @pid have a child named @name? */
static bool helper_runs(pid_t pid, const char *name)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "pgrep -x -P %d %s >/dev/null", (int)pid, name);
	return !system(cmd);
}

static int run(void)
{
	struct p2p_link_opts o;
	struct p2p_link l;
	struct p2p_link_msg m;
	int ret;

	ret = fake_start("p2p-dev-wlan0", reply);
	if (ret) {
		check(0, "fake supplicant: %s", strerror(-ret));
		return tap_done();
	}
	p2p_link_opts_default(&o);
	o.target = "Living Room TV";
	o.backend = "wpa";
	o.ctrl = fk.dir;
	o.retry_s = 1;
	o.timeout_s = 0;
	ret = p2p_link_spawn(&l, &o);
	check(!ret, "the link process starts");
	if (ret)
		return tap_done();
	check(wait_logged("P2P_FIND 20\n", 1, 10000) && logged("SET persistent_reconnect 1\n") &&
	      logged("WFD_SUBELEM_SET 0 000600101c440032\n") && logged("SET p2p_go_intent 7\n"),
	      "configured, announced as a source with a session available, finding");
	check(p2p_link_running("p2p-dev-wlan0") == 1, "wfdctl can tell a link process uses the device");

	found(false);
	usleep(300000);
	check(!logged("P2P_CONNECT"), "a sink without a session available is not connected");
	found(true);
	check(wait_logged("P2P_CONNECT " TV " pbc go_intent=7\n", 1, 5000) &&
	      logged("P2P_STOP_FIND\n"), "an available sink: find stopped, push button, GO intent 7");
	fake_event("<3>P2P-GO-NEG-FAILURE status=1");
	fake_event("<3>P2P-GO-NEG-REQUEST " TV " dev_passwd_id=4 go_intent=15");
	check(wait_logged("P2P_CONNECT " TV " pbc go_intent=7\n", 2, 5000),
	      "the sink asks its user, then negotiates: answered");
	fake_event("<3>P2P-GROUP-STARTED lo client ssid=\"DIRECT-ab\" freq=2437 psk=00 "
		   "go_dev_addr=" TV " ip_addr=10.0.0.5 ip_mask=255.0.0.0 go_ip_addr=10.0.0.1");
	ret = next_msg(l.fd, &m, 5000);
	check(!ret && m.type == P2P_LINK_UP && !strcmp(m.local, "10.0.0.5") &&
	      !strcmp(m.peer, "10.0.0.1") && !strcmp(m.ifname, "lo") && m.port == 7236 &&
	      !strcmp(m.peer_name, "Living Room TV"),
	      "client with the group owner's addresses: UP %s for %s", m.local, m.peer);
	p2p_link_session(&l, true);
	check(wait_logged("WFD_SUBELEM_SET 0 000600001c440032\n", 1, 5000),
	      "a session runs: no session available announced");
	fake_event("<3>P2P-GROUP-REMOVED lo client reason=GO_ENDING_SESSION");
	ret = next_msg(l.fd, &m, 5000);
	check(!ret && m.type == P2P_LINK_DOWN && m.status == WFD_STATUS_SINK_DISCONNECT_REQUEST &&
	      m.diag == -ENETDOWN, "the sink ends the group: DOWN, sink disconnect request, -ENETDOWN");
	p2p_link_session(&l, false);
	check(wait_logged("P2P_FIND 20\n", 2, 5000) &&
	      logged_count("WFD_SUBELEM_SET 0 000600101c440032\n") >= 2,
	      "after a pause it finds again, available again");

	/* This side owns the group: dnsmasq serves the sink one lease. */
	found(true);
	check(wait_logged("P2P_CONNECT " TV " pbc go_intent=7\n", 3, 5000), "connects again");
	fake_event("<3>P2P-GROUP-STARTED lo GO ssid=\"DIRECT-cd\" freq=2437 passphrase=\"x\" "
		   "go_dev_addr=42:00:00:00:00:00");
	ret = next_msg(l.fd, &m, 10000);
	check(!ret && m.type == P2P_LINK_UP && !strcmp(m.local, "192.168.49.1") &&
	      !strcmp(m.peer, "192.168.49.10"), "group owner: UP %s for %s", m.local, m.peer);
	usleep(500000);
	check(helper_runs(l.pid, "dnsmasq"), "dnsmasq runs");
	fake_event("<3>AP-STA-CONNECTED 46:00:00:00:01:00 p2p_dev_addr=" TV);
	fake_event("<3>AP-STA-DISCONNECTED 46:00:00:00:01:00 p2p_dev_addr=" TV);
	ret = next_msg(l.fd, &m, 5000);
	check(!ret && m.type == P2P_LINK_DOWN && m.status == WFD_STATUS_SINK_DISCONNECT_REQUEST,
	      "the sink leaves the group it joined: DOWN");
	check(wait_logged("P2P_GROUP_REMOVE lo\n", 1, 5000), "the group is removed");
	usleep(500000);
	check(!helper_runs(l.pid, "dnsmasq"), "dnsmasq stopped");
	fake_event("<3>P2P-GROUP-REMOVED lo GO reason=REQUESTED");

	/* The stream process goes: the link process cleans up and exits. */
	check(wait_logged("P2P_FIND 20\n", 3, 5000), "finding again");
	fake_clear_log();
	p2p_link_close(&l);
	check(logged("P2P_STOP_FIND\n") && logged("DETACH\n"),
	      "the channel closed: find stopped, detached, exited");
	fake_stop();
	return tap_done();
}

int main(void)
{
	int st;
	pid_t pid;

	printf("KTAP version 1\n");
	if (geteuid()) {
		printf("1..0 # SKIP root only (addresses, dnsmasq)\n");
		return 0;
	}
	fflush(stdout);
	/* A namespace of its own: its lo is the group, its port 67 dnsmasq's. */
	pid = fork();
	if (!pid) {
		if (unshare(CLONE_NEWNET) || system("ip link set lo up")) {
			printf("1..0 # SKIP no network namespace: %s\n", strerror(errno));
			exit(0);
		}
		exit(run());
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
