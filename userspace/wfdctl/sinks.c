// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wfdctl sinks: find the Wi-Fi Display sinks in range.
 *
 * It talks to wpa_supplicant (or NetworkManager) itself, with no wfdd
 * running.  When a find already runs (wfdd's, or anyone's), it lists the
 * peers that find has found instead of starting a second one, which
 * would stop the first or break a connection in progress.  Otherwise it
 * announces this host as a Wi-Fi Display source (some sinks answer no
 * one else), finds for --timeout seconds, and puts back the WFD IEs that
 * were set before.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "p2p_link.h"
#include "sinks.h"

#define MAX_PEERS 64

static struct found {
	struct p2p_peer peers[MAX_PEERS];
	int n;
	int activity;		/* events that only a running find makes */
} found;

static void upsert(const struct p2p_peer *p)
{
	int i;

	for (i = 0; i < found.n; i++)
		if (!strcmp(found.peers[i].addr, p->addr))
			break;
	if (i == MAX_PEERS)
		return;
	found.peers[i] = *p;
	if (i == found.n)
		found.n++;
}

static void on_found(void *o, const struct p2p_peer *p)
{
	(void)o;
	upsert(p);
}

static void on_lost(void *o, const char *addr)
{
	(void)o;
	for (int i = 0; i < found.n; i++) {
		if (!strcmp(found.peers[i].addr, addr)) {
			found.peers[i] = found.peers[--found.n];
			return;
		}
	}
}

/* What a P2P find does on a P2P device: scans, and peers reported. */
static void on_event(void *o, const char *text)
{
	(void)o;
	if (!strncmp(text, "CTRL-EVENT-SCAN-STARTED", 23) || !strncmp(text, "P2P-DEVICE-FOUND", 16) ||
	    !strncmp(text, "CTRL-EVENT-SCAN-RESULTS", 23))
		found.activity++;
}

static const struct p2p_callbacks callbacks = {
	.peer_found = on_found,
	.peer_lost = on_lost,
	.raw_event = on_event,
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Dispatch the backend's events for @ms. */
static int pump(struct p2p *p, int ms, bool stop_on_activity)
{
	long long end = now_ms() + ms;

	for (;;) {
		struct pollfd pfd = { .fd = p->ops->fd(p), .events = POLLIN };
		long long left = end - now_ms();
		int ret;

		if (left <= 0 || (stop_on_activity && found.activity))
			return 0;
		if (p->ops->wait_ms) {
			int w = p->ops->wait_ms(p);

			if (w >= 0 && w < left)
				left = w;
		}
		ret = poll(&pfd, 1, (int)left);
		if (ret < 0 && errno != EINTR)
			return -errno;
		ret = p->ops->dispatch(p);
		if (ret < 0)
			return ret;
	}
}

/* Sort by name, then address: the same sinks list the same way. */
static int by_name(const void *a, const void *b)
{
	const struct p2p_peer *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->addr, y->addr);
}

static const char *session_text(const struct p2p_peer *p)
{
	if (!p->has_wfd)
		return "-";
	return wfd_dev_info_available(&p->wfd) ? "available" : "not available";
}

static const char *group_text(const struct p2p_peer *p)
{
	if (!(p->group_capab & P2P_GROUP_CAPAB_GO))
		return "-";
	return p->group_capab & P2P_GROUP_CAPAB_PERSISTENT ? "owner, persistent (join)" :
							     "owner (join)";
}

static int shown(const struct p2p_peer *peers, int n, int all, struct p2p_peer *out)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		if (all || p2p_peer_is_sink(&peers[i]))
			out[k++] = peers[i];
	qsort(out, (size_t)k, sizeof(*out), by_name);
	return k;
}

/* Decode one UTF-8 sequence at @s: its length, 0 if it is not valid. */
static int utf8_len(const unsigned char *s)
{
	int n = s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;

	for (int i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * A name for a terminal: what a peer sends could hold escape sequences.
 * Control bytes and bytes that are not UTF-8 become '?'.
 */
static void sanitize(const char *in, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;

	while (*s && o + 5 < size) {
		int n = *s >= 0x80 ? utf8_len(s) : 1;

		if (!n || *s < 0x20 || *s == 0x7f) {
			out[o++] = '?';
			s++;
			continue;
		}
		memcpy(out + o, s, (size_t)n);
		o += (size_t)n;
		s += n;
	}
	out[o] = 0;
}

/* Characters, not bytes, for the columns: UTF-8 continuation bytes do not count. */
static int width(const char *s)
{
	int w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

void wfdctl_sinks_print_text(FILE *f, const struct p2p_peer *peers, int n, int all)
{
	struct p2p_peer list[MAX_PEERS];
	int k = shown(peers, n < MAX_PEERS ? n : MAX_PEERS, all, list);
	int w = 4;

	if (!k) {
		fprintf(f, "no Wi-Fi Display sink found\n");
		return;
	}
	for (int i = 0; i < k; i++) {
		char name[4 * P2P_NAME_LEN];

		sanitize(list[i].name[0] ? list[i].name : "?", name, sizeof(name));
		if (width(name) > w)
			w = width(name);
	}
	fprintf(f, "%-*s  %-17s  %-14s  %-13s  %-4s  %s\n", w, "NAME", "ADDRESS", "TYPE",
		"SESSION", "RTSP", "GROUP");
	for (int i = 0; i < k; i++) {
		const struct p2p_peer *p = &list[i];
		char port[8] = "-";

		if (p->has_wfd)
			snprintf(port, sizeof(port), "%u", p->wfd.rtsp_port);
		char name[4 * P2P_NAME_LEN];

		sanitize(p->name[0] ? p->name : "?", name, sizeof(name));
		fprintf(f, "%s%*s  %-17s  %-14s  %-13s  %-4s  %s\n", name, w - width(name), "",
			p->addr,
			p->has_wfd ? wfd_dev_type_name(wfd_dev_info_type(&p->wfd)) : "not WFD",
			session_text(p), port, group_text(p));
	}
}

/* A JSON string: UTF-8 kept, control bytes escaped, other bytes U+FFFD. */
static void put_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		int n;

		if (*s == '"' || *s == '\\') {
			fprintf(f, "\\%c", *s++);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s++);
		} else if (*s < 0x80) {
			fputc(*s++, f);
		} else if ((n = utf8_len(s))) {
			fwrite(s, 1, (size_t)n, f);
			s += n;
		} else {
			fputs("\\ufffd", f);
			s++;
		}
	}
	fputc('"', f);
}

void wfdctl_sinks_print_json(FILE *f, const struct p2p_peer *peers, int n, int all)
{
	struct p2p_peer list[MAX_PEERS];
	int k = shown(peers, n < MAX_PEERS ? n : MAX_PEERS, all, list);

	fputs("[", f);
	for (int i = 0; i < k; i++) {
		const struct p2p_peer *p = &list[i];

		fputs(i ? ",\n {" : "\n {", f);
		fputs("\"name\": ", f);
		put_string(f, p->name);
		fprintf(f, ", \"address\": \"%s\", \"p2p_device_type\": ", p->addr);
		put_string(f, p->dev_type);
		fprintf(f, ", \"wfd\": %s", p->has_wfd ? "true" : "false");
		if (p->has_wfd)
			fprintf(f, ", \"device_type\": \"%s\", \"session_available\": %s, "
				"\"rtsp_port\": %u, \"max_throughput_mbps\": %u",
				wfd_dev_type_name(wfd_dev_info_type(&p->wfd)),
				wfd_dev_info_available(&p->wfd) ? "true" : "false", p->wfd.rtsp_port,
				p->wfd.max_mbps);
		fprintf(f, ", \"group_owner\": %s, \"persistent_group\": %s, "
			"\"push_button\": %s, \"pin_display\": %s, \"pin_keypad\": %s}",
			p->group_capab & P2P_GROUP_CAPAB_GO ? "true" : "false",
			p->group_capab & P2P_GROUP_CAPAB_PERSISTENT ? "true" : "false",
			p->config_methods & P2P_CONFIG_PBC ? "true" : "false",
			p->config_methods & P2P_CONFIG_DISPLAY ? "true" : "false",
			p->config_methods & P2P_CONFIG_KEYPAD ? "true" : "false");
	}
	fputs(k ? "\n]\n" : "]\n", f);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wfdctl sinks [--timeout S] [--json] [--all] [--p2p-backend auto|wpa|nm]\n"
		"                    [--p2p-iface IFACE] [--p2p-ctrl PATH] [-v]\n"
		"\n"
		"  --timeout S     find for S seconds (default 10)\n"
		"  --json          print the list as JSON\n"
		"  --all           list every P2P device, not only Wi-Fi Display sinks\n"
		"  --p2p-backend   wpa_supplicant (wpa) or NetworkManager (nm); auto picks\n"
		"  --p2p-iface     the Wi-Fi interface (default: the only one that does P2P)\n"
		"  --p2p-ctrl      wpa_supplicant's control directory or global socket\n");
}

int wfdctl_sinks(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "p2p-backend", required_argument, NULL, 'b' },
		{ "p2p-iface", required_argument, NULL, 'i' },
		{ "p2p-ctrl", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct p2p_config cfg = { .go_intent = -1, .transient = true, .prog = "wfdctl" };
	const char *backend = "auto";
	const struct p2p_ops *ops;
	struct wfd_dev_info info;
	struct p2p *p = NULL;
	bool json = false, own_find = false;
	int timeout = 10, all = 0, c, ret, running;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (c) {
		case 't':
			timeout = (int)strtol(optarg, &end, 10);
			if (*end || timeout < 1 || timeout > 600) {
				fprintf(stderr, "wfdctl: --timeout takes 1 to 600 seconds\n");
				return 2;
			}
			break;
		case 'j': json = true; break;
		case 'a': all = 1; break;
		case 'b': backend = optarg; break;
		case 'i': cfg.iface = optarg; break;
		case 'c': cfg.ctrl_path = optarg; break;
		case 'v': cfg.verbose++; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	ops = !strcmp(backend, "auto") ? p2p_backend_auto(cfg.iface, cfg.verbose) :
					 p2p_backend(backend);
	if (!ops) {
		fprintf(stderr, "wfdctl: unknown P2P backend '%s' (auto, wpa%s)\n", backend,
			p2p_backend("nm") ? ", nm" : "");
		return 2;
	}
	ret = ops->open(&p, &cfg, &callbacks, NULL);
	if (ret)
		return 1;
	running = ops->find_running(p);
	if (running == -ENOTSUP) {
		/*
		 * A per-interface socket does not tell; wfdd's link process
		 * does, and a find anyone runs scans every few hundred ms.
		 */
		running = p2p_link_running(p2p_link_dev_name(p));
		if (!running) {
			pump(p, 1500, true);
			running = found.activity > 0;
		}
	}
	if (running > 0) {
		fprintf(stderr, "wfdctl: a P2P find or connection is under way (wfdd's?): "
			"listing what it found\n");
	} else {
		wfd_dev_info_source(&info, true, 7236, 50);
		ret = ops->set_wfd(p, &info);
		if (!ret)
			ret = ops->find(p, timeout);
		if (ret) {
			fprintf(stderr, "wfdctl: cannot start a P2P find: %s\n", strerror(-ret));
			ops->close(p);
			return 1;
		}
		own_find = true;
		if (!json)
			fprintf(stderr, "wfdctl: looking for sinks for %d s...\n", timeout);
		ret = pump(p, timeout * 1000, false);
		if (ret)
			fprintf(stderr, "wfdctl: the P2P backend went away: %s\n", strerror(-ret));
	}
	/* The backend's own table: peers reported before, or to another client. */
	{
		struct p2p_peer known[MAX_PEERS];
		int n = ops->peers(p, known, MAX_PEERS);

		for (int i = 0; i < n && i < MAX_PEERS; i++)
			upsert(&known[i]);
	}
	if (own_find)
		ops->stop_find(p);
	ops->close(p);
	if (json)
		wfdctl_sinks_print_json(stdout, found.peers, found.n, all);
	else
		wfdctl_sinks_print_text(stdout, found.peers, found.n, all);
	return fflush(stdout) ? 1 : 0;
}
