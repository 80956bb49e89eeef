// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The NetworkManager backend: P2P over NetworkManager's WifiP2P D-Bus API
 * (sd-bus), for desktops where NetworkManager owns the Wi-Fi device and
 * talking to wpa_supplicant directly would fight it.
 *
 *   find     Device.WifiP2P.StartFind; peers come as PeerAdded and the
 *            WifiP2PPeer objects' properties (Name, HwAddress, WfdIEs)
 *   connect  AddAndActivateConnection2 with a volatile "wifi-p2p"
 *            connection (peer, wfd-ies), bound to this D-Bus client: it
 *            goes when wfdd goes
 *   group    the device's StateChanged: ACTIVATED is the group up with
 *            its addresses (NetworkManager runs DHCP, or shares as group
 *            owner), leaving ACTIVATED is the group gone
 *
 * NetworkManager connects by push button with GO negotiation only: no
 * join, no PIN, no GO intent (p2p_nm_ops says so; wfdd refuses those
 * options).  It exposes neither the peers' group capability nor their
 * config methods, and sets the WFD IEs only while it connects.  Root is
 * not needed: polkit decides (org.freedesktop.NetworkManager.network-control
 * and settings.modify.own or .system).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "p2p.h"

#define NM_SERVICE	"org.freedesktop.NetworkManager"
#define NM_PATH		"/org/freedesktop/NetworkManager"
#define NM_IFACE	"org.freedesktop.NetworkManager"
#define NM_DEVICE	"org.freedesktop.NetworkManager.Device"
#define NM_WIFI_P2P	"org.freedesktop.NetworkManager.Device.WifiP2P"
#define NM_PEER		"org.freedesktop.NetworkManager.WifiP2PPeer"
#define NM_IP4		"org.freedesktop.NetworkManager.IP4Config"
#define DBUS_PROPS	"org.freedesktop.DBus.Properties"

#define NM_DEVICE_TYPE_WIFI_P2P	30
#define NM_STATE_DISCONNECTED	30
#define NM_STATE_ACTIVATED	100
#define NM_STATE_DEACTIVATING	110
#define NM_STATE_FAILED		120

#define MAX_PEERS 64

struct nm_peer {
	char *path;
	struct p2p_peer peer;
};

struct p2p_nm {
	struct p2p p;
	sd_bus *bus;
	char *device;			/* the WifiP2P device's object path */
	char *active;			/* the active connection, NULL when none */
	struct nm_peer peers[MAX_PEERS];
	int npeers;
	uint8_t wfd[3 + WFD_DEV_INFO_LEN];
	size_t wfd_len;
	bool activated;			/* the device is ACTIVATED */
	bool up;			/* ACTIVATED with an address, told as group_started */
	bool gone;			/* NetworkManager left the bus: tell after dispatch */
	bool resync;			/* report the peers already known on dispatch */
	char ifname[IF_NAMESIZE];
	const char *prog;
	int verbose;
};

/* A line to stderr, after the program's prefix. */
#define say(b, ...) p2p_say((b)->prog, __VA_ARGS__)

static const char *err_text(const sd_bus_error *e, int r)
{
	return sd_bus_error_is_set(e) ? e->message : strerror(-r);
}

/*
 * The device of type WifiP2P: for @iface "wlan0" the one named p2p-dev-wlan0.
 * @quiet: none is an answer (backend "auto"), not an error to report.
 */
static int find_device(struct p2p_nm *n, const char *iface, bool quiet)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	const char *path;
	char want[IF_NAMESIZE + 8];
	int r, found = 0;

	r = sd_bus_call_method(n->bus, NM_SERVICE, NM_PATH, NM_IFACE, "GetDevices", &e, &m, "");
	if (r < 0) {
		if (!quiet)
			say(n, "NetworkManager: %s", err_text(&e, r));
		sd_bus_error_free(&e);
		return r;
	}
	if (iface)
		snprintf(want, sizeof(want), "p2p-dev-%s", iface);
	r = sd_bus_message_enter_container(m, 'a', "o");
	while (r >= 0 && (r = sd_bus_message_read(m, "o", &path)) > 0) {
		uint32_t type = 0;
		char *name = NULL;

		if (sd_bus_get_property_trivial(n->bus, NM_SERVICE, path, NM_DEVICE, "DeviceType",
						NULL, 'u', &type) < 0 || type != NM_DEVICE_TYPE_WIFI_P2P)
			continue;
		sd_bus_get_property_string(n->bus, NM_SERVICE, path, NM_DEVICE, "Interface", NULL,
					   &name);
		if (!iface || (name && (!strcmp(name, want) || !strcmp(name, iface)))) {
			found++;
			if (found == 1) {
				n->device = strdup(path);
				snprintf(n->p.dev, sizeof(n->p.dev), "%s", name ? name : "");
			}
		}
		free(name);
	}
	sd_bus_message_unref(m);
	if (r < 0)
		return r;
	if (found > 1) {
		if (!quiet)
				say(n, "NetworkManager has more than one Wi-Fi P2P device: pick one with --p2p-iface");
		return -EEXIST;
	}
	if (!found) {
		if (!quiet)
				say(n, "NetworkManager has no Wi-Fi P2P device%s%s", iface ? " for " : "",
			    iface ? iface : "");
		return -ENODEV;
	}
	return n->device ? 0 : -ENOMEM;
}

/* A peer object's properties into @p: 0, or a negative errno. */
static int read_peer(struct p2p_nm *n, const char *path, struct p2p_peer *p)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	int r;

	memset(p, 0, sizeof(*p));
	r = sd_bus_call_method(n->bus, NM_SERVICE, path, DBUS_PROPS, "GetAll", &e, &m, "s",
			       NM_PEER);
	sd_bus_error_free(&e);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		const char *key, *s;
		const void *bytes;
		size_t len;

		r = sd_bus_message_read(m, "s", &key);
		if (r < 0)
			break;
		if (!strcmp(key, "Name") || !strcmp(key, "HwAddress")) {
			r = sd_bus_message_read(m, "v", "s", &s);
			if (r < 0)
				break;
			if (!strcmp(key, "Name"))
				snprintf(p->name, sizeof(p->name), "%s", s);
			else if (p2p_is_addr(s))
				for (int i = 0; i < 18; i++)
					p->addr[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] + 32 : s[i]);
		} else if (!strcmp(key, "WfdIEs")) {
			r = sd_bus_message_enter_container(m, 'v', "ay");
			if (r < 0)
				break;
			r = sd_bus_message_read_array(m, 'y', &bytes, &len);
			if (r < 0)
				break;
			if (len && !wfd_subelems_dev_info(bytes, len, &p->wfd))
				p->has_wfd = true;
			r = sd_bus_message_exit_container(m);
		} else {
			r = sd_bus_message_skip(m, "v");
		}
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	sd_bus_message_unref(m);
	if (r < 0)
		return r;
	/* NetworkManager does not tell these: push button, no group. */
	p->config_methods = P2P_CONFIG_PBC;
	return p->addr[0] ? 0 : -EINVAL;
}

static struct nm_peer *peer_by_path(struct p2p_nm *n, const char *path)
{
	for (int i = 0; i < n->npeers; i++)
		if (!strcmp(n->peers[i].path, path))
			return &n->peers[i];
	return NULL;
}

static void update_peer(struct p2p_nm *n, const char *path)
{
	struct nm_peer *np = peer_by_path(n, path);
	struct p2p_peer p;

	if (read_peer(n, path, &p))
		return;
	if (!np) {
		if (n->npeers == MAX_PEERS)
			return;
		np = &n->peers[n->npeers];
		np->path = strdup(path);
		if (!np->path)
			return;
		n->npeers++;
	}
	np->peer = p;
	if (n->p.cb->peer_found)
		n->p.cb->peer_found(n->p.opaque, &p);
}

static int on_peer_added(sd_bus_message *m, void *data, sd_bus_error *e)
{
	struct p2p_nm *n = data;
	const char *path;

	(void)e;
	if (sd_bus_message_read(m, "o", &path) > 0)
		update_peer(n, path);
	return 0;
}

static int on_peer_removed(sd_bus_message *m, void *data, sd_bus_error *e)
{
	struct p2p_nm *n = data;
	struct nm_peer *np;
	const char *path;
	char addr[P2P_ADDR_LEN];

	(void)e;
	if (sd_bus_message_read(m, "o", &path) <= 0 || !(np = peer_by_path(n, path)))
		return 0;
	memcpy(addr, np->peer.addr, sizeof(addr));
	free(np->path);
	*np = n->peers[--n->npeers];
	if (n->p.cb->peer_lost)
		n->p.cb->peer_lost(n->p.opaque, addr);
	return 0;
}

/* A peer's properties changed (its WFD IEs: a session became available). */
static int on_peer_changed(sd_bus_message *m, void *data, sd_bus_error *e)
{
	struct p2p_nm *n = data;
	const char *path = sd_bus_message_get_path(m);

	(void)e;
	if (path && peer_by_path(n, path))
		update_peer(n, path);
	return 0;
}

/* This side's address in the group, and the gateway (the group owner's) if any. */
static int read_ip4(struct p2p_nm *n, struct p2p_group *g)
{
	sd_bus_message *m = NULL;
	char *cfg = NULL, *gw = NULL;
	const char *path;
	int r;

	/* An object path: sd_bus_get_property_string() takes strings ('s') only. */
	r = sd_bus_get_property(n->bus, NM_SERVICE, n->device, NM_DEVICE, "Ip4Config", NULL, &m,
				"o");
	if (r >= 0 && sd_bus_message_read(m, "o", &path) > 0 && strcmp(path, "/"))
		cfg = strdup(path);
	m = sd_bus_message_unref(m);
	if (!cfg)
		return -ENOENT;
	r = sd_bus_get_property(n->bus, NM_SERVICE, cfg, NM_IP4, "AddressData", NULL, &m,
				"aa{sv}");
	if (r >= 0)
		r = sd_bus_message_enter_container(m, 'a', "a{sv}");
	if (r >= 0 && (r = sd_bus_message_enter_container(m, 'a', "{sv}")) > 0) {
		while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
			const char *key, *s;
			uint32_t prefix;

			r = sd_bus_message_read(m, "s", &key);
			if (r < 0)
				break;
			if (!strcmp(key, "address")) {
				r = sd_bus_message_read(m, "v", "s", &s);
				if (r >= 0 && inet_pton(AF_INET, s, &g->ip) != 1)
					g->ip.s_addr = 0;
			} else if (!strcmp(key, "prefix")) {
				r = sd_bus_message_read(m, "v", "u", &prefix);
				if (r >= 0 && prefix && prefix <= 32)
					g->mask.s_addr = htonl(0xffffffffu << (32 - prefix));
			} else {
				r = sd_bus_message_skip(m, "v");
			}
			if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
				break;
		}
	}
	sd_bus_message_unref(m);
	if (sd_bus_get_property_string(n->bus, NM_SERVICE, cfg, NM_IP4, "Gateway", NULL, &gw) >= 0 &&
	    gw && *gw && inet_pton(AF_INET, gw, &g->go_ip) != 1)
		g->go_ip.s_addr = 0;
	free(gw);
	free(cfg);
	return g->ip.s_addr ? 0 : -ENOENT;
}

static void group_up(struct p2p_nm *n)
{
	struct p2p_group g = { .addressed = true };
	char *ifname = NULL;

	/*
	 * The address may come after ACTIVATED (ipv4.may-fail): wait for the
	 * device's or its IP4Config's PropertiesChanged.
	 */
	if (read_ip4(n, &g)) {
		if (n->verbose > 1)
			say(n, "NetworkManager activated the group, no IPv4 address yet");
		return;
	}
	sd_bus_get_property_string(n->bus, NM_SERVICE, n->device, NM_DEVICE, "IpInterface", NULL,
				   &ifname);
	snprintf(g.ifname, sizeof(g.ifname), "%s", ifname && *ifname ? ifname : n->p.dev);
	free(ifname);
	memcpy(n->ifname, g.ifname, sizeof(n->ifname));
	/* No gateway: NetworkManager shares, this side owns the group. */
	g.go = !g.go_ip.s_addr;
	n->up = true;
	if (n->p.cb->group_started)
		n->p.cb->group_started(n->p.opaque, &g);
}

static int on_state(sd_bus_message *m, void *data, sd_bus_error *e)
{
	struct p2p_nm *n = data;
	uint32_t state, old, reason;

	(void)e;
	if (sd_bus_message_read(m, "uuu", &state, &old, &reason) < 0)
		return 0;
	if (n->verbose > 1)
		say(n, "NetworkManager device state %u -> %u (reason %u)", old, state, reason);
	n->activated = state == NM_STATE_ACTIVATED;
	if (n->activated && n->active && !n->up) {
		group_up(n);
		return 0;
	}
	if (state < NM_STATE_DEACTIVATING && state != NM_STATE_DISCONNECTED)
		return 0;
	if (n->up) {
		n->up = false;
		free(n->active);
		n->active = NULL;
		/* The peer left, or NetworkManager lost it: the sink is gone. */
		/* NMDeviceStateReason 38: connection removed, 39: user requested. */
		if (n->p.cb->group_removed)
			n->p.cb->group_removed(n->p.opaque, n->ifname,
					       reason == 38 || reason == 39 ? "REQUESTED" :
					       "GO_ENDING_SESSION");
	} else if (n->active && (state == NM_STATE_FAILED || state == NM_STATE_DISCONNECTED)) {
		free(n->active);
		n->active = NULL;
		if (n->p.cb->connect_failed)
			n->p.cb->connect_failed(n->p.opaque, "NetworkManager's activation",
						(int)reason);
	}
	return 0;
}

/* An address for an ACTIVATED group that had none yet. */
static int on_ip_changed(sd_bus_message *m, void *data, sd_bus_error *e)
{
	struct p2p_nm *n = data;

	(void)m;
	(void)e;
	if (n->activated && n->active && !n->up)
		group_up(n);
	return 0;
}

/*
 * NetworkManager left the bus.  Told after sd_bus_process() returns: the
 * callback closes this backend, bus included.
 */
static int on_name_lost(sd_bus_message *m, void *data, sd_bus_error *e)
{
	struct p2p_nm *n = data;
	const char *name, *old, *new;

	(void)e;
	if (sd_bus_message_read(m, "sss", &name, &old, &new) > 0 &&
	    !strcmp(name, NM_SERVICE) && !*new)
		n->gone = true;
	return 0;
}

static void nm_close(struct p2p *p)
{
	struct p2p_nm *n = (struct p2p_nm *)p;

	if (!n)
		return;
	if (n->bus && n->active)
		sd_bus_call_method(n->bus, NM_SERVICE, NM_PATH, NM_IFACE, "DeactivateConnection",
				   NULL, NULL, "o", n->active);
	for (int i = 0; i < n->npeers; i++)
		free(n->peers[i].path);
	free(n->active);
	free(n->device);
	sd_bus_flush_close_unref(n->bus);
	free(n);
}

static int nm_open(struct p2p **out, const struct p2p_config *cfg, const struct p2p_callbacks *cb,
		   void *opaque)
{
	struct p2p_nm *n = calloc(1, sizeof(*n));
	char rule[512];
	int r;

	if (!n)
		return -ENOMEM;
	n->p.ops = &p2p_nm_ops;
	n->p.cb = cb;
	n->p.opaque = opaque;
	n->prog = cfg->prog ? cfg->prog : "wfdd: p2p";
	n->verbose = cfg->verbose;
	r = sd_bus_open_system(&n->bus);
	if (r < 0) {
		say(n, "no system bus: %s", strerror(-r));
		goto fail;
	}
	r = find_device(n, cfg->iface, false);
	if (r < 0)
		goto fail;
	r = sd_bus_match_signal(n->bus, NULL, NM_SERVICE, n->device, NM_WIFI_P2P, "PeerAdded",
				on_peer_added, n);
	if (r >= 0)
		r = sd_bus_match_signal(n->bus, NULL, NM_SERVICE, n->device, NM_WIFI_P2P,
					"PeerRemoved", on_peer_removed, n);
	if (r >= 0)
		r = sd_bus_match_signal(n->bus, NULL, NM_SERVICE, n->device, NM_DEVICE,
					"StateChanged", on_state, n);
	snprintf(rule, sizeof(rule), "type='signal',sender='%s',interface='%s',"
		 "member='PropertiesChanged',arg0='%s'", NM_SERVICE, DBUS_PROPS, NM_PEER);
	if (r >= 0)
		r = sd_bus_add_match(n->bus, NULL, rule, on_peer_changed, n);
	/* The device's Ip4Config, and that object's addresses. */
	snprintf(rule, sizeof(rule), "type='signal',sender='%s',path='%s',interface='%s',"
		 "member='PropertiesChanged',arg0='%s'", NM_SERVICE, n->device, DBUS_PROPS,
		 NM_DEVICE);
	if (r >= 0)
		r = sd_bus_add_match(n->bus, NULL, rule, on_ip_changed, n);
	snprintf(rule, sizeof(rule), "type='signal',sender='%s',interface='%s',"
		 "member='PropertiesChanged',arg0='%s'", NM_SERVICE, DBUS_PROPS, NM_IP4);
	if (r >= 0)
		r = sd_bus_add_match(n->bus, NULL, rule, on_ip_changed, n);
	snprintf(rule, sizeof(rule), "type='signal',sender='org.freedesktop.DBus',"
		 "path='/org/freedesktop/DBus',interface='org.freedesktop.DBus',"
		 "member='NameOwnerChanged',arg0='%s'", NM_SERVICE);
	if (r >= 0)
		r = sd_bus_add_match(n->bus, NULL, rule, on_name_lost, n);
	if (r < 0) {
		say(n, "cannot follow NetworkManager's signals: %s", strerror(-r));
		goto fail;
	}
	if (cfg->device_name && n->verbose)
		say(n, "NetworkManager names this device itself (the host name)");
	if (n->verbose)
		say(n, "NetworkManager: Wi-Fi P2P device %s", n->p.dev);
	*out = &n->p;
	return 0;
fail:
	nm_close(&n->p);
	return r;
}

static int nm_fd(struct p2p *p)
{
	return sd_bus_get_fd(((struct p2p_nm *)p)->bus);
}

/* Peers NetworkManager knew before this find: no PeerAdded comes for them. */
static void report_known(struct p2p_nm *n)
{
	sd_bus_message *m = NULL;
	const char *path;
	char *paths[MAX_PEERS];
	int r, count = 0;

	n->resync = false;
	r = sd_bus_get_property(n->bus, NM_SERVICE, n->device, NM_WIFI_P2P, "Peers", NULL, &m, "ao");
	if (r >= 0)
		r = sd_bus_message_enter_container(m, 'a', "o");
	while (r >= 0 && count < MAX_PEERS && (r = sd_bus_message_read(m, "o", &path)) > 0)
		paths[count++] = strdup(path);
	sd_bus_message_unref(m);
	for (int i = 0; i < count; i++) {
		if (paths[i])
			update_peer(n, paths[i]);
		free(paths[i]);
	}
}

static int nm_dispatch(struct p2p *p)
{
	struct p2p_nm *n = (struct p2p_nm *)p;
	int r;

	if (n->resync)
		report_known(n);
	while (!n->gone && (r = sd_bus_process(n->bus, NULL)) > 0)
		;
	if (n->gone) {
		n->gone = false;
		if (!n->p.cb->backend_gone)
			return -ENOTCONN;
		/* Last: this closes @n. */
		n->p.cb->backend_gone(n->p.opaque);
		return 0;
	}
	return r < 0 ? r : 0;
}

/* Messages sd-bus read during a call wait in its queue: process at once. */
static int nm_wait_ms(struct p2p *p)
{
	struct p2p_nm *n = (struct p2p_nm *)p;
	uint64_t usec;

	if (n->resync)
		return 0;
	if (sd_bus_get_timeout(n->bus, &usec) < 0 || usec == UINT64_MAX)
		return -1;
	return usec == 0 ? 0 : 100;
}

static int nm_set_wfd(struct p2p *p, const struct wfd_dev_info *info)
{
	struct p2p_nm *n = (struct p2p_nm *)p;

	/* Used when connecting: NetworkManager sets the IEs then only. */
	n->wfd_len = wfd_dev_info_list(info, n->wfd);
	return 0;
}

static int call(struct p2p_nm *n, const char *what, int r, sd_bus_error *e)
{
	if (r < 0)
		say(n, "%s: %s", what, err_text(e, r));
	sd_bus_error_free(e);
	return r < 0 ? r : 0;
}

static int nm_find(struct p2p *p, int timeout_s)
{
	struct p2p_nm *n = (struct p2p_nm *)p;
	sd_bus_error e = SD_BUS_ERROR_NULL;

	if (timeout_s < 1 || timeout_s > 600)
		timeout_s = 30;
	n->resync = true;
	return call(n, "StartFind", sd_bus_call_method(n->bus, NM_SERVICE, n->device, NM_WIFI_P2P,
						     "StartFind", &e, NULL, "a{sv}", 1, "timeout",
						     "i", (int32_t)timeout_s), &e);
}

static int nm_stop_find(struct p2p *p)
{
	struct p2p_nm *n = (struct p2p_nm *)p;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r = sd_bus_call_method(n->bus, NM_SERVICE, n->device, NM_WIFI_P2P, "StopFind", &e,
				   NULL, "");

	/* "Not running" is no failure. */
	sd_bus_error_free(&e);
	return r < 0 && r != -EINVAL ? r : 0;
}

static int nm_find_running(struct p2p *p)
{
	(void)p;
	return -ENOTSUP;
}

static int nm_peers(struct p2p *p, struct p2p_peer *out, size_t max)
{
	struct p2p_nm *n = (struct p2p_nm *)p;
	sd_bus_message *m = NULL;
	const char *path;
	int r, count = 0;

	r = sd_bus_get_property(n->bus, NM_SERVICE, n->device, NM_WIFI_P2P, "Peers", NULL, &m, "ao");
	if (r >= 0)
		r = sd_bus_message_enter_container(m, 'a', "o");
	while (r >= 0 && (r = sd_bus_message_read(m, "o", &path)) > 0) {
		struct p2p_peer peer;

		if (read_peer(n, path, &peer))
			continue;
		if ((size_t)count < max)
			out[count] = peer;
		count++;
	}
	sd_bus_message_unref(m);
	return r < 0 ? r : count;
}

/* The "wfd-ies" entry of a wifi-p2p setting: {sv} holding ay. */
static int append_wfd_ies(sd_bus_message *m, const uint8_t *ies, size_t len)
{
	int r = sd_bus_message_open_container(m, 'e', "sv");

	if (r >= 0)
		r = sd_bus_message_append(m, "s", "wfd-ies");
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'v', "ay");
	if (r >= 0)
		r = sd_bus_message_append_array(m, 'y', ies, len);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	return r;
}

/*
 * The connection's settings, a{sa{sv}}: a volatile "wifi-p2p" connection
 * to @addr carrying our WFD IEs, without IPv6 (a shared IPv6 group would
 * need a prefix to hand out).
 */
static int append_settings(struct p2p_nm *n, sd_bus_message *m, const char *addr)
{
	char id[64];
	int r;

	snprintf(id, sizeof(id), "wfdd %s", addr);
	r = sd_bus_message_open_container(m, 'a', "{sa{sv}}");
	if (r >= 0)
		r = sd_bus_message_append(m, "{sa{sv}}", "connection", 3,
					  "type", "s", "wifi-p2p", "id", "s", id,
					  "autoconnect", "b", 0);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'e', "sa{sv}");
	if (r >= 0)
		r = sd_bus_message_append(m, "s", "wifi-p2p");
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "{sv}");
	if (r >= 0)
		r = sd_bus_message_append(m, "{sv}", "peer", "s", addr);
	if (r >= 0 && n->wfd_len)
		r = append_wfd_ies(m, n->wfd, n->wfd_len);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_append(m, "{sa{sv}}", "ipv6", 1, "method", "s", "disabled");
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	return r;
}

static int nm_connect(struct p2p *p, const char *addr, const struct p2p_connect_params *cp,
		      char *pin_out)
{
	struct p2p_nm *n = (struct p2p_nm *)p;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	const char *path, *active;
	int r;

	if (pin_out)
		pin_out[0] = 0;
	if (cp->method != P2P_METHOD_PBC || !p2p_is_addr(addr))
		return -EOPNOTSUPP;
	r = sd_bus_message_new_method_call(n->bus, &m, NM_SERVICE, NM_PATH, NM_IFACE,
					   "AddAndActivateConnection2");
	if (r >= 0)
		r = append_settings(n, m, addr);
	if (r >= 0)
		r = sd_bus_message_append(m, "oo", n->device, "/");
	/* In memory only, and gone when this client goes. */
	if (r >= 0)
		r = sd_bus_message_append(m, "a{sv}", 2, "persist", "s", "volatile",
					  "bind-activation", "s", "dbus-client");
	if (r >= 0)
		r = sd_bus_call(n->bus, m, 0, &e, &reply);
	sd_bus_message_unref(m);
	if (r >= 0)
		r = sd_bus_message_read(reply, "oo", &path, &active);
	if (r >= 0) {
		free(n->active);
		n->active = strdup(active);
		n->up = false;
	}
	sd_bus_message_unref(reply);
	return call(n, "AddAndActivateConnection2", r, &e);
}

static int nm_deactivate(struct p2p *p)
{
	struct p2p_nm *n = (struct p2p_nm *)p;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	if (!n->active)
		return 0;
	r = sd_bus_call_method(n->bus, NM_SERVICE, NM_PATH, NM_IFACE, "DeactivateConnection", &e,
			       NULL, "o", n->active);
	return call(n, "DeactivateConnection", r, &e);
}

static int nm_remove_group(struct p2p *p, const char *ifname)
{
	(void)ifname;
	return nm_deactivate(p);
}

/* NetworkManager listens by itself while it finds. */
static int nm_listen(struct p2p *p, int timeout_s)
{
	(void)p;
	(void)timeout_s;
	return 0;
}

const struct p2p_ops p2p_nm_ops = {
	.name = "nm",
	.open = nm_open,
	.fd = nm_fd,
	.dispatch = nm_dispatch,
	.wait_ms = nm_wait_ms,
	.set_wfd = nm_set_wfd,
	.find = nm_find,
	.stop_find = nm_stop_find,
	.find_running = nm_find_running,
	.peers = nm_peers,
	.connect = nm_connect,
	.cancel = nm_deactivate,
	.remove_group = nm_remove_group,
	.listen = nm_listen,
	.close = nm_close,
};

bool p2p_nm_manages(const char *iface)
{
	struct p2p_nm n = { .prog = "wfdd: p2p" };
	bool ret = false;

	if (sd_bus_open_system(&n.bus) < 0)
		return false;
	/* Not activated by asking: only a NetworkManager that runs owns devices. */
	if (sd_bus_call_method(n.bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
			       "org.freedesktop.DBus", "GetNameOwner", NULL, NULL, "s",
			       NM_SERVICE) >= 0) {
		int r = find_device(&n, iface, true);

		/* Several: it is NetworkManager's, and opening it says to pick one. */
		ret = !r || r == -EEXIST;
	}
	free(n.device);
	sd_bus_flush_close_unref(n.bus);
	return ret;
}
