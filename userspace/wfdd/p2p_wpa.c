// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The wpa_supplicant backend: P2P over the supplicant's control
 * interface.  Two sockets to the P2P device interface: one for commands
 * (request, reply), one attached for events.  Debian's supplicant makes a
 * socket per interface under /run/wpa_supplicant (wlan0, p2p-dev-wlan0
 * for its P2P device, p2p-wlan0-N for each group); one started with -g
 * has a global socket, where commands and events carry "IFNAME=".
 *
 * The P2P device interface gets every P2P event, and a group owner's
 * station events too (the supplicant copies them to the group's parent),
 * so no socket of a group interface is needed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "p2p_wpa.h"
#include "p2p_wpa_parse.h"
#include "wpa_ctrl.h"

#define CMD_TIMEOUT_MS	5000

struct p2p_wpa {
	struct p2p p;
	struct wpa_ctrl cmd, ev;
	bool global;
	char dev[IF_NAMESIZE];		/* where P2P commands go */
	char base[IF_NAMESIZE];		/* wlan0: its groups are p2p-wlan0-N */
	char groups[4][IF_NAMESIZE];	/* groups seen starting (global socket) */
	const char *prog;
	int verbose;
	/* A transient user (wfdctl): what to put back on close. */
	bool restore;
	char old_wifi_display[8], old_subelem[64];
};

/* A line to stderr, after the program's prefix. */
#define say(b, ...) p2p_say((b)->prog, __VA_ARGS__)

/* A bounded copy (truncating), NUL-terminated. */
static void copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

static const char *const default_dirs[] = { "/run/wpa_supplicant", "/var/run/wpa_supplicant" };

int p2p_wpa_pick_iface(char (*names)[IF_NAMESIZE], int n, const char *want,
		       bool (*p2p_capable)(void *opaque, const char *name), void *opaque,
		       char out[IF_NAMESIZE])
{
	char dev[IF_NAMESIZE + 8];
	int found = -1, count = 0;

	if (want) {
		/* The P2P device of that interface if it has one, else the interface. */
		snprintf(dev, sizeof(dev), "p2p-dev-%s", want);
		for (int i = 0; i < n; i++)
			if (!strcmp(names[i], dev))
				found = i;
		for (int i = 0; i < n && found < 0; i++)
			if (!strcmp(names[i], want))
				found = i;
		if (found < 0)
			return -ENODEV;
		memcpy(out, names[found], IF_NAMESIZE);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		if (!strncmp(names[i], "p2p-dev-", 8)) {
			found = i;
			count++;
		}
	}
	if (!count) {
		/* No dedicated P2P device: an interface doing P2P itself, not a group. */
		for (int i = 0; i < n; i++) {
			if (!strncmp(names[i], "p2p-", 4) || !p2p_capable(opaque, names[i]))
				continue;
			found = i;
			count++;
		}
	}
	if (count > 1)
		return -EEXIST;
	if (!count)
		return -ENODEV;
	memcpy(out, names[found], IF_NAMESIZE);
	return 0;
}

struct probe {
	const char *dir;	/* per-interface sockets here, or */
	struct wpa_ctrl *global;	/* the global socket */
};

static bool probe_p2p(void *opaque, const char *name)
{
	struct probe *pr = opaque;
	char path[PATH_MAX], reply[2048], cmd[64];
	struct wpa_ctrl c;
	bool ok;

	if (pr->global) {
		snprintf(cmd, sizeof(cmd), "IFNAME=%s STATUS", name);
		return wpa_ctrl_request(pr->global, cmd, reply, sizeof(reply), CMD_TIMEOUT_MS) > 0 &&
		       !p2p_wpa_status_value(reply, "p2p_device_address", cmd, sizeof(cmd));
	}
	snprintf(path, sizeof(path), "%s/%s", pr->dir, name);
	if (wpa_ctrl_open(&c, path, NULL))
		return false;
	ok = wpa_ctrl_request(&c, "STATUS", reply, sizeof(reply), CMD_TIMEOUT_MS) > 0 &&
	     !p2p_wpa_status_value(reply, "p2p_device_address", cmd, sizeof(cmd));
	wpa_ctrl_close(&c);
	return ok;
}

#define MAX_IFACES 16

/* The supplicant's interfaces: the sockets in a directory. */
static int list_dir(const char *dir, char (*names)[IF_NAMESIZE])
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < MAX_IFACES) {
		char path[PATH_MAX];
		struct stat st;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= IF_NAMESIZE)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) || !S_ISSOCK(st.st_mode))
			continue;
		copy(names[n++], IF_NAMESIZE, de->d_name);
	}
	closedir(d);
	return n;
}

/* ... or what the global socket's INTERFACES says. */
static int list_global(struct wpa_ctrl *g, char (*names)[IF_NAMESIZE])
{
	char reply[2048], *line, *save = NULL;
	int n = 0, ret;

	ret = wpa_ctrl_request(g, "INTERFACES", reply, sizeof(reply), CMD_TIMEOUT_MS);
	if (ret < 0)
		return ret;
	for (line = strtok_r(reply, "\n", &save); line && n < MAX_IFACES;
	     line = strtok_r(NULL, "\n", &save))
		if (*line && strlen(line) < IF_NAMESIZE)
			copy(names[n++], IF_NAMESIZE, line);
	return n;
}

static int configure(struct p2p_wpa *w, const struct p2p_config *cfg)
{
	char cmd[128];
	int ret = 0;

	if (cfg->device_name) {
		snprintf(cmd, sizeof(cmd), "SET device_name %s", cfg->device_name);
		ret = wpa_ctrl_command(&w->cmd, cmd, CMD_TIMEOUT_MS);
	}
	/* A computer (category 1), a PC (1): what sinks expect of a source. */
	if (!ret && cfg->device_name)
		ret = wpa_ctrl_command(&w->cmd, "SET device_type 1-0050F204-1", CMD_TIMEOUT_MS);
	if (!ret && cfg->device_name)
		ret = wpa_ctrl_command(&w->cmd,
				       "SET config_methods virtual_push_button physical_display keypad",
				       CMD_TIMEOUT_MS);
	if (!ret && cfg->go_intent >= 0) {
		snprintf(cmd, sizeof(cmd), "SET p2p_go_intent %d", cfg->go_intent);
		ret = wpa_ctrl_command(&w->cmd, cmd, CMD_TIMEOUT_MS);
	}
	/* A sink that re-invokes the group it had with us needs no new prompt. */
	if (!ret && cfg->device_name)
		ret = wpa_ctrl_command(&w->cmd, "SET persistent_reconnect 1", CMD_TIMEOUT_MS);
	if (!ret && cfg->update_config) {
		ret = wpa_ctrl_command(&w->cmd, "SET update_config 1", CMD_TIMEOUT_MS);
		if (!ret)
			ret = wpa_ctrl_command(&w->cmd, "SAVE_CONFIG", CMD_TIMEOUT_MS);
	}
	return ret;
}

static void wpa_close(struct p2p *p)
{
	struct p2p_wpa *w = (struct p2p_wpa *)p;
	char cmd[96];

	if (!w)
		return;
	if (w->restore && w->cmd.fd >= 0) {
		if (w->old_subelem[0]) {
			snprintf(cmd, sizeof(cmd), "WFD_SUBELEM_SET 0 %s", w->old_subelem);
			wpa_ctrl_command(&w->cmd, cmd, CMD_TIMEOUT_MS);
		}
		if (w->old_wifi_display[0]) {
			snprintf(cmd, sizeof(cmd), "SET wifi_display %s", w->old_wifi_display);
			wpa_ctrl_command(&w->cmd, cmd, CMD_TIMEOUT_MS);
		}
	}
	wpa_ctrl_close(&w->ev);
	wpa_ctrl_close(&w->cmd);
	free(w);
}

static int open_at(struct p2p_wpa *w, const char *path, const struct p2p_config *cfg)
{
	char names[MAX_IFACES][IF_NAMESIZE], sock[PATH_MAX];
	struct probe pr = { .dir = path };
	struct wpa_ctrl g = { .fd = -1 };
	struct stat st;
	int n, ret;

	if (stat(path, &st))
		return -errno;
	w->global = S_ISSOCK(st.st_mode);
	if (w->global) {
		ret = wpa_ctrl_open(&g, path, NULL);
		if (ret)
			return ret;
		pr.global = &g;
		n = list_global(&g, names);
	} else {
		n = list_dir(path, names);
	}
	ret = n;
	if (n >= 0)
		ret = p2p_wpa_pick_iface(names, n, cfg->iface, probe_p2p, &pr, w->dev);
	wpa_ctrl_close(&g);
	if (ret == -EEXIST) {
		fprintf(stderr, "%s: more than one P2P device in %s:", w->prog, path);
		for (int i = 0; i < n; i++)
			if (!strncmp(names[i], "p2p-dev-", 8))
				fprintf(stderr, " %s", names[i] + 8);
		fprintf(stderr, "; pick one with --p2p-iface\n");
		return ret;
	}
	if (ret == -ENODEV) {
		if (cfg->iface)
			say(w, "wpa_supplicant at %s does not run on %s", path, cfg->iface);
		else
			say(w, "wpa_supplicant at %s has no interface that can do P2P", path);
		return ret;
	}
	if (ret < 0)
		return ret;
	snprintf(w->base, sizeof(w->base), "%s",
		 strncmp(w->dev, "p2p-dev-", 8) ? w->dev : w->dev + 8);
	if (w->global)
		snprintf(sock, sizeof(sock), "%s", path);
	else
		snprintf(sock, sizeof(sock), "%s/%s", path, w->dev);
	ret = wpa_ctrl_open(&w->cmd, sock, w->global ? w->dev : NULL);
	if (!ret)
		ret = wpa_ctrl_open(&w->ev, sock, NULL);
	if (!ret)
		ret = wpa_ctrl_attach(&w->ev, CMD_TIMEOUT_MS);
	return ret;
}

static int wpa_open(struct p2p **out, const struct p2p_config *cfg,
		    const struct p2p_callbacks *cb, void *opaque)
{
	struct p2p_wpa *w = calloc(1, sizeof(*w));
	char reply[128];
	int ret = -ENOENT;

	if (!w)
		return -ENOMEM;
	w->p.ops = &p2p_wpa_ops;
	w->p.cb = cb;
	w->p.opaque = opaque;
	w->cmd.fd = w->ev.fd = -1;
	w->prog = cfg->prog ? cfg->prog : "wfdd: p2p";
	w->verbose = cfg->verbose;
	if (cfg->ctrl_path) {
		ret = open_at(w, cfg->ctrl_path, cfg);
	} else {
		for (size_t i = 0; i < sizeof(default_dirs) / sizeof(default_dirs[0]); i++) {
			ret = open_at(w, default_dirs[i], cfg);
			if (ret != -ENOENT)
				break;
		}
	}
	if (ret) {
		const char *where = cfg->ctrl_path ? cfg->ctrl_path : default_dirs[0];

		if (ret == -ENOENT || ret == -ECONNREFUSED)
			say(w, "no wpa_supplicant control interface at %s: is wpa_supplicant running "
			    "(with a ctrl_interface)?", where);
		else if (ret == -EACCES || ret == -EPERM)
			say(w, "cannot use wpa_supplicant's control interface at %s: %s "
			    "(needs root or its group, netdev on Debian)", where, strerror(-ret));
		else if (ret != -ENODEV && ret != -EEXIST)
			say(w, "wpa_supplicant at %s: %s", where, strerror(-ret));
		wpa_close(&w->p);
		return ret;
	}
	if (cfg->transient) {
		w->restore = true;
		if (wpa_ctrl_request(&w->cmd, "GET wifi_display", reply, sizeof(reply),
				     CMD_TIMEOUT_MS) > 0 && (reply[0] == '0' || reply[0] == '1'))
			snprintf(w->old_wifi_display, sizeof(w->old_wifi_display), "%c", reply[0]);
		if (wpa_ctrl_request(&w->cmd, "WFD_SUBELEM_GET 0", reply, sizeof(reply),
				     CMD_TIMEOUT_MS) > 0 &&
		    strncmp(reply, "FAIL", 4)) {
			reply[strcspn(reply, "\n")] = 0;
			if (strspn(reply, "0123456789abcdefABCDEF") == strlen(reply))
				copy(w->old_subelem, sizeof(w->old_subelem), reply);
		}
	}
	ret = configure(w, cfg);
	if (ret) {
		say(w, "configuring %s failed: %s", w->dev, strerror(-ret));
		wpa_close(&w->p);
		return ret;
	}
	memcpy(w->p.dev, w->dev, sizeof(w->p.dev));
	if (w->verbose)
		say(w, "wpa_supplicant: P2P device %s (%s socket)", w->dev,
		    w->global ? "global" : "interface");
	*out = &w->p;
	return 0;
}

static int wpa_fd(struct p2p *p)
{
	return ((struct p2p_wpa *)p)->ev.fd;
}

/* Events of the global socket that are ours: the P2P device's and its groups'. */
static bool ours(struct p2p_wpa *w, const char *ifname)
{
	size_t n = strlen(w->base);

	if (!ifname[0] || !strcmp(ifname, w->dev) || !strcmp(ifname, w->base))
		return true;
	if (!strncmp(ifname, "p2p-", 4) && !strncmp(ifname + 4, w->base, n) && ifname[4 + n] == '-')
		return true;
	for (size_t i = 0; i < sizeof(w->groups) / sizeof(w->groups[0]); i++)
		if (w->groups[i][0] && !strcmp(w->groups[i], ifname))
			return true;
	return false;
}

static void remember_group(struct p2p_wpa *w, const char *ifname, bool add)
{
	for (size_t i = 0; i < sizeof(w->groups) / sizeof(w->groups[0]); i++) {
		if (add && !w->groups[i][0]) {
			copy(w->groups[i], IF_NAMESIZE, ifname);
			return;
		}
		if (!add && !strcmp(w->groups[i], ifname))
			w->groups[i][0] = 0;
	}
}

/* Events as logged with -vv: the group's secret stays out. */
static void log_event(struct p2p_wpa *w, const char *text)
{
	const char *secret = strstr(text, " passphrase=");

	if (!secret)
		secret = strstr(text, " psk=");
	if (secret)
		say(w, "< %.*s ...", (int)(secret - text), text);
	else
		say(w, "< %s", text);
}

static void handle(struct p2p_wpa *w, const char *text)
{
	const struct p2p_callbacks *cb = w->p.cb;
	void *o = w->p.opaque;
	struct p2p_wpa_event ev;

	if (w->verbose > 1)
		log_event(w, text);
	if (cb->raw_event)
		cb->raw_event(o, text);
	if (p2p_wpa_parse_event(text, &ev)) {
		if (w->verbose)
			say(w, "malformed event ignored: %.60s", text);
		return;
	}
	switch (ev.type) {
	case P2P_WPA_EV_DEVICE_FOUND:
		if (cb->peer_found)
			cb->peer_found(o, &ev.peer);
		break;
	case P2P_WPA_EV_DEVICE_LOST:
		if (cb->peer_lost)
			cb->peer_lost(o, ev.addr);
		break;
	case P2P_WPA_EV_FIND_STOPPED:
		if (cb->find_stopped)
			cb->find_stopped(o);
		break;
	case P2P_WPA_EV_GO_NEG_REQUEST:
		if (cb->connect_request)
			cb->connect_request(o, ev.addr, ev.dev_passwd_id);
		break;
	case P2P_WPA_EV_GO_NEG_FAILURE:
		if (cb->connect_failed)
			cb->connect_failed(o, "GO negotiation", ev.status);
		break;
	case P2P_WPA_EV_GROUP_FORMATION_FAILURE:
		if (cb->connect_failed)
			cb->connect_failed(o, "group formation", -1);
		break;
	case P2P_WPA_EV_PROV_DISC_FAILURE:
		if (cb->connect_failed)
			cb->connect_failed(o, "provision discovery", ev.status);
		break;
	case P2P_WPA_EV_PROV_DISC_SHOW_PIN:
		if (cb->show_pin)
			cb->show_pin(o, ev.addr, ev.pin);
		break;
	case P2P_WPA_EV_GROUP_STARTED:
		if (w->global)
			remember_group(w, ev.group.ifname, true);
		if (cb->group_started)
			cb->group_started(o, &ev.group);
		break;
	case P2P_WPA_EV_GROUP_REMOVED:
		if (w->global)
			remember_group(w, ev.group.ifname, false);
		if (cb->group_removed)
			cb->group_removed(o, ev.group.ifname, ev.reason);
		break;
	case P2P_WPA_EV_STA_CONNECTED:
		if (cb->station_joined)
			cb->station_joined(o, ev.addr);
		break;
	case P2P_WPA_EV_STA_DISCONNECTED:
		if (cb->station_left)
			cb->station_left(o, ev.addr);
		break;
	case P2P_WPA_EV_TERMINATING:
		if (cb->backend_gone)
			cb->backend_gone(o);
		break;
	default:
		break;
	}
}

static int wpa_dispatch(struct p2p *p)
{
	struct p2p_wpa *w = (struct p2p_wpa *)p;
	char buf[WPA_CTRL_MAX], ifname[IF_NAMESIZE];
	const char *text;
	int n, level;

	for (int i = 0; i < 64; i++) {
		n = wpa_ctrl_recv(&w->ev, buf, sizeof(buf));
		if (n == -EAGAIN)
			return 0;
		if (n < 0) {
			if (w->p.cb->backend_gone)
				w->p.cb->backend_gone(w->p.opaque);
			return n;
		}
		text = wpa_ctrl_event_split(buf, ifname, &level);
		if (!text || (w->global && !ours(w, ifname)))
			continue;
		handle(w, text);
	}
	return 0;
}

static int wpa_set_wfd(struct p2p *p, const struct wfd_dev_info *info)
{
	struct p2p_wpa *w = (struct p2p_wpa *)p;
	char hex[WFD_DEV_INFO_HEX], cmd[64];
	int ret;

	ret = wpa_ctrl_command(&w->cmd, "SET wifi_display 1", CMD_TIMEOUT_MS);
	if (ret)
		return ret;
	wfd_dev_info_subelem_hex(info, hex);
	snprintf(cmd, sizeof(cmd), "WFD_SUBELEM_SET %d %s", WFD_SUBELEM_DEVICE_INFO, hex);
	return wpa_ctrl_command(&w->cmd, cmd, CMD_TIMEOUT_MS);
}

static int wpa_find(struct p2p *p, int timeout_s)
{
	struct p2p_wpa *w = (struct p2p_wpa *)p;
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "P2P_FIND %d", timeout_s);
	return wpa_ctrl_command(&w->cmd, cmd, CMD_TIMEOUT_MS);
}

static int wpa_stop_find(struct p2p *p)
{
	return wpa_ctrl_command(&((struct p2p_wpa *)p)->cmd, "P2P_STOP_FIND", CMD_TIMEOUT_MS);
}

static int wpa_listen(struct p2p *p, int timeout_s)
{
	struct p2p_wpa *w = (struct p2p_wpa *)p;
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "P2P_LISTEN %d", timeout_s);
	return wpa_ctrl_command(&w->cmd, cmd, CMD_TIMEOUT_MS);
}

/*
 * Only the global socket tells the P2P state.  Anything but idle or
 * listening is someone's find or connection: not to be disturbed.
 */
static int wpa_find_running(struct p2p *p)
{
	struct p2p_wpa *w = (struct p2p_wpa *)p;
	char reply[2048], state[32];
	struct wpa_ctrl g;
	int ret;

	if (!w->global)
		return -ENOTSUP;
	g = w->cmd;
	g.prefix[0] = 0;
	ret = wpa_ctrl_request(&g, "STATUS", reply, sizeof(reply), CMD_TIMEOUT_MS);
	if (ret < 0)
		return ret;
	if (p2p_wpa_status_value(reply, "p2p_state", state, sizeof(state)))
		return -ENOTSUP;
	return strcmp(state, "IDLE") && strcmp(state, "LISTEN_ONLY");
}

static int wpa_peers(struct p2p *p, struct p2p_peer *out, size_t max)
{
	struct p2p_wpa *w = (struct p2p_wpa *)p;
	char reply[WPA_CTRL_MAX], cmd[64];
	struct p2p_peer peer;
	int n = 0, ret;

	snprintf(cmd, sizeof(cmd), "P2P_PEER FIRST");
	for (int i = 0; i < 256; i++) {
		ret = wpa_ctrl_request(&w->cmd, cmd, reply, sizeof(reply), CMD_TIMEOUT_MS);
		if (ret < 0)
			return ret;
		if (!strncmp(reply, "FAIL", 4) || p2p_wpa_parse_peer(reply, &peer))
			break;
		if ((size_t)n < max)
			out[n] = peer;
		n++;
		snprintf(cmd, sizeof(cmd), "P2P_PEER NEXT-%s", peer.addr);
	}
	return n;
}

/* A PIN goes into a command line: digits only, 4 or 8 of them. */
static bool pin_ok(const char *pin)
{
	size_t n = strlen(pin);

	return (n == 4 || n == 8) && strspn(pin, "0123456789") == n;
}

int p2p_wpa_connect_cmd(const char *addr, const struct p2p_connect_params *cp, char *cmd,
			size_t size)
{
	char intent[16] = "";
	int n;

	if (!p2p_is_addr(addr))
		return -EINVAL;
	if (cp->go_intent >= 0) {
		if (cp->go_intent > 15)
			return -EINVAL;
		snprintf(intent, sizeof(intent), " go_intent=%d", cp->go_intent);
	}
	switch (cp->method) {
	case P2P_METHOD_PBC:
		n = snprintf(cmd, size, "P2P_CONNECT %s pbc%s", addr, intent);
		break;
	case P2P_METHOD_JOIN:
		n = snprintf(cmd, size, "P2P_CONNECT %s pbc join", addr);
		break;
	case P2P_METHOD_PIN_DISPLAY:
		if (cp->pin && !pin_ok(cp->pin))
			return -EINVAL;
		/* "pin": the supplicant makes one and replies with it. */
		n = cp->pin ? snprintf(cmd, size, "P2P_CONNECT %s %s display%s", addr, cp->pin,
				       intent) :
			      snprintf(cmd, size, "P2P_CONNECT %s pin%s", addr, intent);
		break;
	case P2P_METHOD_PIN_KEYPAD:
		if (!cp->pin || !pin_ok(cp->pin))
			return -EINVAL;
		n = snprintf(cmd, size, "P2P_CONNECT %s %s keypad%s", addr, cp->pin, intent);
		break;
	default:
		return -EINVAL;
	}
	return n < 0 || (size_t)n >= size ? -E2BIG : 0;
}

static int wpa_connect(struct p2p *p, const char *addr, const struct p2p_connect_params *cp,
		       char *pin_out)
{
	struct p2p_wpa *w = (struct p2p_wpa *)p;
	char cmd[128], reply[64];
	int ret;

	ret = p2p_wpa_connect_cmd(addr, cp, cmd, sizeof(cmd));
	if (ret)
		return ret;
	if (w->verbose > 1)
		say(w, "> %s", cmd);
	ret = wpa_ctrl_request(&w->cmd, cmd, reply, sizeof(reply), CMD_TIMEOUT_MS);
	if (ret < 0)
		return ret;
	if (!strncmp(reply, "FAIL", 4)) {
		if (w->verbose)
			say(w, "P2P_CONNECT: %s", reply);
		return -EIO;
	}
	if (pin_out) {
		pin_out[0] = 0;
		reply[strcspn(reply, "\n")] = 0;
		if (strncmp(reply, "OK", 2) && pin_ok(reply))
			copy(pin_out, 9, reply);
	}
	return 0;
}

static int wpa_cancel(struct p2p *p)
{
	return wpa_ctrl_command(&((struct p2p_wpa *)p)->cmd, "P2P_CANCEL", CMD_TIMEOUT_MS);
}

static int wpa_remove_group(struct p2p *p, const char *ifname)
{
	struct p2p_wpa *w = (struct p2p_wpa *)p;
	char cmd[64];

	if (!ifname[0] || strlen(ifname) >= IF_NAMESIZE || strpbrk(ifname, " \n"))
		return -EINVAL;
	snprintf(cmd, sizeof(cmd), "P2P_GROUP_REMOVE %s", ifname);
	return wpa_ctrl_command(&w->cmd, cmd, CMD_TIMEOUT_MS);
}

const struct p2p_ops p2p_wpa_ops = {
	.name = "wpa",
	.open = wpa_open,
	.fd = wpa_fd,
	.dispatch = wpa_dispatch,
	.set_wfd = wpa_set_wfd,
	.find = wpa_find,
	.stop_find = wpa_stop_find,
	.find_running = wpa_find_running,
	.peers = wpa_peers,
	.connect = wpa_connect,
	.cancel = wpa_cancel,
	.remove_group = wpa_remove_group,
	.listen = wpa_listen,
	.close = wpa_close,
	.pin = true,
	.join = true,
	.go_intent = true,
};
