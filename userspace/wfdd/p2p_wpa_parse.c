// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Parsing wpa_supplicant's P2P events and replies.  Peers name
 * themselves: a device name may hold quotes, spaces and what looks like
 * further fields, so the fields after a name are looked for after its
 * last possible end, never inside it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p2p_wpa_parse.h"

int p2p_wpa_addr(const char *s, size_t len, char out[P2P_ADDR_LEN])
{
	if (len != 17)
		return -EINVAL;
	for (size_t i = 0; i < 17; i++) {
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return -EINVAL;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[17] = 0;
	return 0;
}

/* The value of " key=" (or key= at the start) in @s, up to the next space. */
static const char *find_token(const char *s, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	const char *p = s;

	while ((p = strstr(p, key))) {
		if (p == s || p[-1] == ' ') {
			p += klen;
			*len = strcspn(p, " ");
			return p;
		}
		p += klen;
	}
	return NULL;
}

static int token(const char *s, const char *key, char *out, size_t size)
{
	size_t len;
	const char *v = find_token(s, key, &len);

	if (!v)
		return -ENOENT;
	if (len >= size)
		return -EINVAL;
	memcpy(out, v, len);
	out[len] = 0;
	return 0;
}

static int token_addr(const char *s, const char *key, char out[P2P_ADDR_LEN])
{
	size_t len;
	const char *v = find_token(s, key, &len);

	return v ? p2p_wpa_addr(v, len, out) : -ENOENT;
}

static int parse_num(const char *v, int base, long max, long *out)
{
	char *end;
	long n;

	if (!*v)
		return -EINVAL;
	errno = 0;
	n = strtol(v, &end, base);
	if (errno || *end || n < 0 || n > max)
		return -EINVAL;
	*out = n;
	return 0;
}

/* "key=0x1f" or "key=12" (@base 0 takes either), within 0..@max. */
static int token_num(const char *s, const char *key, long max, long *out)
{
	char v[24];
	int ret = token(s, key, v, sizeof(v));

	return ret ? ret : parse_num(v, 0, max, out);
}

/* "status=-1" is a status too. */
static int token_int(const char *s, const char *key, int *out)
{
	char v[24], *end;
	long n;

	if (token(s, key, v, sizeof(v)))
		return -ENOENT;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || end == v || n < -1000 || n > 1000)
		return -EINVAL;
	*out = (int)n;
	return 0;
}

/* The leading address of an event's arguments. */
static int first_addr(const char *args, char out[P2P_ADDR_LEN])
{
	return p2p_wpa_addr(args, strcspn(args, " "), out);
}

static int wfd_from_hex(const char *hex, struct p2p_peer *p)
{
	uint8_t b[WFD_DEV_INFO_LEN];
	int n = wfd_hex_decode(hex, strlen(hex), b, sizeof(b));

	if (n < 0)
		return n;
	if (wfd_dev_info_unpack(b, (size_t)n, &p->wfd))
		return -EINVAL;
	p->has_wfd = true;
	return 0;
}

/*
 * "P2P-DEVICE-FOUND <addr> p2p_dev_addr=<addr> pri_dev_type=<type>
 * name='<name>' config_methods=0x.. dev_capab=0x.. group_capab=0x..
 * [wfd_dev_info=0x<6 bytes>] ... new=N ..."
 */
static int parse_found(const char *args, struct p2p_peer *p)
{
	static const char open_name[] = " name='", close_name[] = "' config_methods=";
	const char *name, *end = NULL, *q, *rest;
	char v[32];
	long n;
	int ret;

	memset(p, 0, sizeof(*p));
	name = strstr(args, open_name);
	if (!name)
		return -EINVAL;
	name += strlen(open_name);
	/* The last closing: a name may itself hold "' config_methods=". */
	for (q = name; (q = strstr(q, close_name)); q++)
		end = q;
	if (!end || (size_t)(end - name) >= sizeof(p->name))
		return -EINVAL;
	memcpy(p->name, name, (size_t)(end - name));
	p->name[end - name] = 0;
	rest = end + 2;
	/* Before the name: fixed fields the supplicant made. */
	{
		char head[160];
		size_t hl = (size_t)(name - args);

		if (hl >= sizeof(head))
			return -EINVAL;
		memcpy(head, args, hl);
		head[hl] = 0;
		ret = token_addr(head, "p2p_dev_addr=", p->addr);
		if (ret == -ENOENT)
			ret = first_addr(head, p->addr);
		if (ret)
			return -EINVAL;
		if (token(head, "pri_dev_type=", p->dev_type, sizeof(p->dev_type)))
			p->dev_type[0] = 0;
	}
	if (token_num(rest, "config_methods=", 0xffff, &n))
		return -EINVAL;
	p->config_methods = (uint16_t)n;
	if (!token_num(rest, "dev_capab=", 0xff, &n))
		p->dev_capab = (uint8_t)n;
	if (!token_num(rest, "group_capab=", 0xff, &n))
		p->group_capab = (uint8_t)n;
	ret = token(rest, "wfd_dev_info=", v, sizeof(v));
	if (ret == -EINVAL || (!ret && wfd_from_hex(v, p)))
		return -EINVAL;
	return 0;
}

static void ipv4_token(const char *s, const char *key, struct in_addr *a)
{
	char v[INET_ADDRSTRLEN];

	if (token(s, key, v, sizeof(v)) || inet_pton(AF_INET, v, a) != 1)
		a->s_addr = 0;
}

/*
 * "P2P-GROUP-STARTED <ifname> GO|client ssid=\"..\" freq=N [psk=..]
 * [passphrase=\"..\"] go_dev_addr=<addr> [[PERSISTENT]] [ip_addr=..
 * ip_mask=.. go_ip_addr=..]".  The passphrase comes from the group
 * owner, the peer: fields are read after the last go_dev_addr only.
 */
static int parse_group_started(const char *args, struct p2p_group *g)
{
	const char *q, *tail = NULL, *ssid;
	size_t n = strcspn(args, " ");
	long freq;

	memset(g, 0, sizeof(*g));
	if (!n || n >= sizeof(g->ifname))
		return -EINVAL;
	memcpy(g->ifname, args, n);
	args += n;
	if (!strncmp(args, " GO ", 4))
		g->go = true;
	else if (strncmp(args, " client ", 8))
		return -EINVAL;
	for (q = args; (q = strstr(q, " go_dev_addr=")); q++)
		tail = q + 1;
	if (!tail || token_addr(tail, "go_dev_addr=", g->go_dev_addr))
		return -EINVAL;
	g->persistent = strstr(tail, " [PERSISTENT]") != NULL;
	ipv4_token(tail, "ip_addr=", &g->ip);
	ipv4_token(tail, "ip_mask=", &g->mask);
	ipv4_token(tail, "go_ip_addr=", &g->go_ip);
	/* The SSID (escaped by the supplicant) and frequency are for logs. */
	ssid = strstr(args, " ssid=\"");
	if (ssid && ssid < tail) {
		size_t i = 0;

		for (ssid += 7; *ssid && *ssid != '"' && i < sizeof(g->ssid) - 1; ssid++) {
			if (*ssid == '\\' && ssid[1])
				ssid++;
			g->ssid[i++] = *ssid;
		}
		g->ssid[i] = 0;
	}
	q = strstr(ssid ? ssid : args, " freq=");
	if (q && q < tail) {
		char v[12];

		if (!token(q + 1, "freq=", v, sizeof(v)) && !parse_num(v, 10, 100000, &freq))
			g->freq = (int)freq;
	}
	return 0;
}

/* "P2P-GROUP-REMOVED <ifname> GO|client [reason=X]" */
static int parse_group_removed(const char *args, struct p2p_wpa_event *ev)
{
	size_t n = strcspn(args, " ");

	if (!n || n >= sizeof(ev->group.ifname))
		return -EINVAL;
	memcpy(ev->group.ifname, args, n);
	ev->group.ifname[n] = 0;
	ev->group.go = !strncmp(args + n, " GO", 3);
	if (token(args + n, "reason=", ev->reason, sizeof(ev->reason)))
		ev->reason[0] = 0;
	return 0;
}

struct prefix {
	const char *text;
	enum p2p_wpa_ev_type type;
};

static const struct prefix prefixes[] = {
	{ "P2P-DEVICE-FOUND ", P2P_WPA_EV_DEVICE_FOUND },
	{ "P2P-DEVICE-LOST ", P2P_WPA_EV_DEVICE_LOST },
	{ "P2P-FIND-STOPPED", P2P_WPA_EV_FIND_STOPPED },
	{ "P2P-GO-NEG-REQUEST ", P2P_WPA_EV_GO_NEG_REQUEST },
	{ "P2P-GO-NEG-SUCCESS ", P2P_WPA_EV_GO_NEG_SUCCESS },
	{ "P2P-GO-NEG-FAILURE ", P2P_WPA_EV_GO_NEG_FAILURE },
	{ "P2P-GROUP-FORMATION-SUCCESS", P2P_WPA_EV_GROUP_FORMATION_SUCCESS },
	{ "P2P-GROUP-FORMATION-FAILURE", P2P_WPA_EV_GROUP_FORMATION_FAILURE },
	{ "P2P-GROUP-STARTED ", P2P_WPA_EV_GROUP_STARTED },
	{ "P2P-GROUP-REMOVED ", P2P_WPA_EV_GROUP_REMOVED },
	{ "P2P-PROV-DISC-SHOW-PIN ", P2P_WPA_EV_PROV_DISC_SHOW_PIN },
	{ "P2P-PROV-DISC-PBC-REQ ", P2P_WPA_EV_PROV_DISC_PBC_REQ },
	{ "P2P-PROV-DISC-FAILURE ", P2P_WPA_EV_PROV_DISC_FAILURE },
	{ "AP-STA-CONNECTED ", P2P_WPA_EV_STA_CONNECTED },
	{ "AP-STA-DISCONNECTED ", P2P_WPA_EV_STA_DISCONNECTED },
	{ "CTRL-EVENT-TERMINATING", P2P_WPA_EV_TERMINATING },
};

int p2p_wpa_parse_event(const char *text, struct p2p_wpa_event *ev)
{
	const char *args = NULL;
	long n;
	int ret = 0;

	memset(ev, 0, sizeof(*ev));
	ev->status = -1;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t len = strlen(prefixes[i].text);

		if (!strncmp(text, prefixes[i].text, len)) {
			ev->type = prefixes[i].type;
			args = text + len;
			break;
		}
	}
	if (!args)
		return 0;
	switch (ev->type) {
	case P2P_WPA_EV_DEVICE_FOUND:
		ret = parse_found(args, &ev->peer);
		break;
	case P2P_WPA_EV_DEVICE_LOST:
		ret = token_addr(args, "p2p_dev_addr=", ev->addr);
		break;
	case P2P_WPA_EV_GO_NEG_REQUEST:
		ret = first_addr(args, ev->addr);
		if (!ret && !token_num(args, "dev_passwd_id=", 0xffff, &n))
			ev->dev_passwd_id = (int)n;
		if (!ret && !token_num(args, "go_intent=", 15, &n))
			ev->go_intent = (int)n;
		break;
	case P2P_WPA_EV_GO_NEG_SUCCESS:
		ev->go = !strncmp(args, "role=GO", 7);
		if (token_addr(args, "peer_dev=", ev->addr))
			ev->addr[0] = 0;
		break;
	case P2P_WPA_EV_GO_NEG_FAILURE:
		ret = token_int(args, "status=", &ev->status);
		break;
	case P2P_WPA_EV_GROUP_STARTED:
		ret = parse_group_started(args, &ev->group);
		break;
	case P2P_WPA_EV_GROUP_REMOVED:
		ret = parse_group_removed(args, ev);
		break;
	case P2P_WPA_EV_PROV_DISC_SHOW_PIN: {
		const char *pin = args + strcspn(args, " ");
		size_t len;

		ret = first_addr(args, ev->addr);
		if (ret || *pin != ' ')
			break;
		pin++;
		len = strcspn(pin, " ");
		if (len < 4 || len >= sizeof(ev->pin) || strspn(pin, "0123456789") < len)
			return -EINVAL;
		memcpy(ev->pin, pin, len);
		ev->pin[len] = 0;
		break;
	}
	case P2P_WPA_EV_PROV_DISC_PBC_REQ:
		ret = first_addr(args, ev->addr);
		break;
	case P2P_WPA_EV_PROV_DISC_FAILURE:
		ret = token_addr(args, "p2p_dev_addr=", ev->addr);
		if (!ret)
			token_int(args, "status=", &ev->status);
		break;
	case P2P_WPA_EV_STA_CONNECTED:
	case P2P_WPA_EV_STA_DISCONNECTED:
		/* The station's interface address first, its device address after. */
		ret = token_addr(args, "p2p_dev_addr=", ev->addr);
		if (ret == -ENOENT)
			ret = first_addr(args, ev->addr);
		break;
	default:
		break;
	}
	return ret ? -EINVAL : 0;
}

/* One "key=value" line of a multi-line reply. */
static const char *line_value(const char *reply, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	const char *p = reply;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			p += klen + 1;
			*len = strcspn(p, "\n");
			return p;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

int p2p_wpa_status_value(const char *reply, const char *key, char *out, size_t size)
{
	size_t len;
	const char *v = line_value(reply, key, &len);

	if (!v)
		return -ENOENT;
	if (len >= size)
		len = size - 1;
	memcpy(out, v, len);
	out[len] = 0;
	return 0;
}

static int line_num(const char *reply, const char *key, long max, long *out)
{
	char v[24];

	if (p2p_wpa_status_value(reply, key, v, sizeof(v)))
		return -ENOENT;
	return parse_num(v, 0, max, out);
}

int p2p_wpa_parse_peer(const char *reply, struct p2p_peer *p)
{
	char hex[512];
	uint8_t list[256];
	long n;
	int len;

	memset(p, 0, sizeof(*p));
	if (p2p_wpa_addr(reply, strcspn(reply, "\n"), p->addr))
		return -EINVAL;
	{
		size_t nl;
		const char *v = line_value(reply, "device_name", &nl);

		if (v) {
			if (nl >= sizeof(p->name))
				return -EINVAL;
			memcpy(p->name, v, nl);
			p->name[nl] = 0;
		}
	}
	p2p_wpa_status_value(reply, "pri_dev_type", p->dev_type, sizeof(p->dev_type));
	if (!line_num(reply, "config_methods", 0xffff, &n))
		p->config_methods = (uint16_t)n;
	if (!line_num(reply, "dev_capab", 0xff, &n))
		p->dev_capab = (uint8_t)n;
	if (!line_num(reply, "group_capab", 0xff, &n))
		p->group_capab = (uint8_t)n;
	if (!p2p_wpa_status_value(reply, "wfd_subelems", hex, sizeof(hex)) && hex[0]) {
		len = wfd_hex_decode(hex, strlen(hex), list, sizeof(list));
		if (len < 0)
			return -EINVAL;
		if (!wfd_subelems_dev_info(list, (size_t)len, &p->wfd))
			p->has_wfd = true;
	}
	return 0;
}
