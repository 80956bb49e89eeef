// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Addresses in a P2P group: rtnetlink for this side's address, dnsmasq
 * and dhclient for the DHCP.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "p2p_addr.h"

int p2p_mask_prefix(struct in_addr mask)
{
	uint32_t m = ntohl(mask.s_addr);
	int n = 0;

	while (n < 32 && (m & (0x80000000u >> n)))
		n++;
	/* Not contiguous: not a mask. */
	if (n < 32 && (m << n))
		return 24;
	return n ? n : 24;
}

static void add_attr(struct nlmsghdr *nh, size_t max, unsigned short type, const void *data,
		     size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	if (NLMSG_ALIGN(nh->nlmsg_len) + RTA_LENGTH(len) > max)
		return;
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

int p2p_addr_add(const char *ifname, struct in_addr addr, int prefix)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
		char attrs[64];
	} req;
	char buf[512];
	struct in_addr bcast;
	unsigned int index = if_nametoindex(ifname);
	ssize_t n;
	int fd, ret;

	if (!index)
		return -ENODEV;
	if (prefix < 1 || prefix > 32)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	req.nh.nlmsg_type = RTM_NEWADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	req.nh.nlmsg_seq = 1;
	req.ifa.ifa_family = AF_INET;
	req.ifa.ifa_prefixlen = (unsigned char)prefix;
	req.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	req.ifa.ifa_index = index;
	bcast.s_addr = addr.s_addr | htonl(prefix == 32 ? 0 : 0xffffffffu >> prefix);
	add_attr(&req.nh, sizeof(req), IFA_LOCAL, &addr, sizeof(addr));
	add_attr(&req.nh, sizeof(req), IFA_ADDRESS, &addr, sizeof(addr));
	add_attr(&req.nh, sizeof(req), IFA_BROADCAST, &bcast, sizeof(bcast));

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	ret = n < 0 ? -errno : -EPROTO;
	if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;

		if (nh->nlmsg_type == NLMSG_ERROR)
			ret = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
	}
	close(fd);
	return ret;
}

struct in_addr p2p_addr_pick_subnet(void)
{
	struct ifaddrs *ifa = NULL, *i;
	struct in_addr net;

	getifaddrs(&ifa);
	for (int third = 49; third < 255; third++) {
		bool used = false;

		net.s_addr = htonl(0xc0a80000u | (uint32_t)third << 8);
		for (i = ifa; i && !used; i = i->ifa_next) {
			const struct sockaddr_in *sin = (const struct sockaddr_in *)i->ifa_addr;

			used = sin && sin->sin_family == AF_INET &&
			       (sin->sin_addr.s_addr & htonl(0xffffff00u)) == net.s_addr;
		}
		if (!used)
			break;
	}
	freeifaddrs(ifa);
	return net;
}

/* The first of @dirs holding an executable @name. */
static int find_program(const char *name, char *path, size_t size)
{
	static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, size, "%s/%s", dirs[i], name);
		if (!access(path, X_OK))
			return 0;
	}
	return -ENOENT;
}

/*
 * Run a helper in a process group of its own (a Ctrl-C meant for wfdd
 * does not reach it: the link process stops it), with the link process's
 * capabilities (ambient), its output into @log or stderr.
 */
static pid_t spawn(const char *path, char *const argv[], const char *log)
{
	sigset_t all;
	pid_t pid = fork();

	if (pid)
		return pid < 0 ? -errno : pid;
	setpgid(0, 0);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	{
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (nul >= 0)
			dup2(nul, 0);
		if (log) {
			int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

			if (fd >= 0) {
				dup2(fd, 1);
				dup2(fd, 2);
			}
		} else {
			dup2(2, 1);
		}
	}
	syscall(SYS_close_range, 3u, ~0u, 0u);
	execv(path, argv);
	_exit(127);
}

pid_t p2p_dhcp_server(const char *ifname, struct in_addr lease, const char *rundir,
		      bool log_to_stderr)
{
	char path[PATH_MAX], iface[32], range[80], leases[PATH_MAX], log[PATH_MAX], a[16];

	if (find_program("dnsmasq", path, sizeof(path)))
		return -ENOENT;
	inet_ntop(AF_INET, &lease, a, sizeof(a));
	snprintf(iface, sizeof(iface), "--interface=%s", ifname);
	snprintf(range, sizeof(range), "--dhcp-range=%s,%s,255.255.255.0,1h", a, a);
	snprintf(leases, sizeof(leases), "--dhcp-leasefile=%s/dnsmasq-%s.leases", rundir, ifname);
	snprintf(log, sizeof(log), "%s/dnsmasq.log", rundir);
	{
		/*
		 * --no-daemon: no fork, no pid file, no change of user (wfdd's
		 * link process has none to give); no DNS, no router, no
		 * server for anything but the group's interface.
		 */
		char *const argv[] = {
			"dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0", iface,
			"--bind-interfaces", range, "--dhcp-option=3",
			"--dhcp-option=6", leases, "--dhcp-authoritative", "--no-ping",
			"--log-dhcp", NULL,
		};

		return spawn(path, argv, log_to_stderr ? NULL : log);
	}
}

pid_t p2p_dhcp_client(const char *ifname, const char *rundir, bool log_to_stderr)
{
	char path[PATH_MAX], truth[PATH_MAX], leases[PATH_MAX], pid[PATH_MAX], log[PATH_MAX];
	char conf[PATH_MAX], iface[IF_NAMESIZE];
	FILE *f;

	if (find_program("dhclient", path, sizeof(path)) ||
	    find_program("true", truth, sizeof(truth)))
		return -ENOENT;
	snprintf(iface, sizeof(iface), "%s", ifname);
	snprintf(leases, sizeof(leases), "%s/dhclient-%s.leases", rundir, ifname);
	snprintf(pid, sizeof(pid), "%s/dhclient-%s.pid", rundir, ifname);
	snprintf(log, sizeof(log), "%s/dhclient.log", rundir);
	snprintf(conf, sizeof(conf), "%s/dhclient.conf", rundir);
	unlink(leases);
	/*
	 * The group owner's DHCP server may start after the group does: ask
	 * again every second or two, not after dhclient's usual backoff.
	 */
	f = fopen(conf, "we");
	if (!f)
		return -errno;
	fputs("initial-interval 1;\nbackoff-cutoff 2;\ntimeout 40;\n", f);
	if (fclose(f))
		return -EIO;
	{
		/* Once (-1), in the foreground (-d), configuring nothing itself. */
		char *const argv[] = {
			"dhclient", "-d", "-1", "-v", "-sf", truth, "-lf", leases, "-pf", pid,
			"-cf", conf, iface, NULL,
		};

		return spawn(path, argv, log_to_stderr ? NULL : log);
	}
}

/* "fixed-address 192.168.49.10;" and "option routers 192.168.49.1,...;" */
static void lease_addr(const char *block, const char *key, struct in_addr *a)
{
	const char *p = strstr(block, key);
	char v[INET_ADDRSTRLEN];
	size_t n;

	a->s_addr = 0;
	if (!p)
		return;
	p += strlen(key);
	n = strcspn(p, ",; \n");
	if (n >= sizeof(v))
		return;
	memcpy(v, p, n);
	v[n] = 0;
	if (inet_pton(AF_INET, v, a) != 1)
		a->s_addr = 0;
}

int p2p_dhclient_lease(const char *text, struct p2p_lease *l)
{
	const char *start = NULL, *p = text, *end;
	char block[2048];
	size_t n;

	memset(l, 0, sizeof(*l));
	/* The last "lease {" that has its closing brace. */
	while ((p = strstr(p, "lease {"))) {
		if (strchr(p, '}'))
			start = p;
		p += 7;
	}
	if (!start)
		return -ENOENT;
	end = strchr(start, '}');
	n = (size_t)(end - start);
	if (n >= sizeof(block))
		n = sizeof(block) - 1;
	memcpy(block, start, n);
	block[n] = 0;
	lease_addr(block, "fixed-address ", &l->ip);
	lease_addr(block, "option subnet-mask ", &l->mask);
	lease_addr(block, "option dhcp-server-identifier ", &l->server);
	lease_addr(block, "option routers ", &l->router);
	if (!l->ip.s_addr || (!l->server.s_addr && !l->router.s_addr))
		return -ENOENT;
	if (!l->mask.s_addr)
		l->mask.s_addr = htonl(0xffffff00u);
	return 0;
}

int p2p_dhclient_read(const char *rundir, const char *ifname, struct p2p_lease *l)
{
	char path[PATH_MAX], text[8192];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/dhclient-%s.leases", rundir, ifname);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	text[n] = 0;
	return p2p_dhclient_lease(text, l);
}

void p2p_helper_log_tail(const char *rundir, const char *name, const char *prefix, int lines)
{
	char path[PATH_MAX], text[16384], *p;
	ssize_t n;
	int fd, seen = 0;

	snprintf(path, sizeof(path), "%s/%s.log", rundir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	if (n <= 0)
		return;
	text[n] = 0;
	for (p = text + n - 1; p > text; p--)
		if (*p == '\n' && p[1] && ++seen > lines)
			break;
	if (*p == '\n')
		p++;
	while (*p) {
		size_t len = strcspn(p, "\n");

		fprintf(stderr, "%s%s: %.*s\n", prefix, name, (int)len, p);
		p += len + (p[len] == '\n');
	}
}
