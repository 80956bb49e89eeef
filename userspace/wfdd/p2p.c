// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the P2P backends share: names of methods and backends, matching a
 * peer to what the user asked for.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "p2p.h"

static const char *const methods[] = {
	[P2P_METHOD_AUTO] = "auto",
	[P2P_METHOD_PBC] = "pbc",
	[P2P_METHOD_PIN_DISPLAY] = "pin-display",
	[P2P_METHOD_PIN_KEYPAD] = "pin-keypad",
	[P2P_METHOD_JOIN] = "join",
};

int p2p_method_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (!strcmp(s, methods[i]))
			return (int)i;
	return -1;
}

const char *p2p_method_name(enum p2p_method m)
{
	return (size_t)m < sizeof(methods) / sizeof(methods[0]) ? methods[m] : "?";
}

bool p2p_is_addr(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

bool p2p_peer_matches(const struct p2p_peer *peer, const char *target)
{
	if (p2p_is_addr(target))
		return !strcasecmp(peer->addr, target);
	return !strcmp(peer->name, target);
}

void p2p_say(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const struct p2p_ops *p2p_backend(const char *name)
{
	if (!strcmp(name, "wpa"))
		return &p2p_wpa_ops;
#ifdef WFD_HAVE_NM
	if (!strcmp(name, "nm"))
		return &p2p_nm_ops;
#endif
	return NULL;
}

const struct p2p_ops *p2p_backend_auto(const char *iface, int verbose)
{
#ifdef WFD_HAVE_NM
	/* wpa_supplicant driven behind NetworkManager's back would fight it. */
	if (p2p_nm_manages(iface)) {
		if (verbose)
			fprintf(stderr, "p2p: NetworkManager manages the Wi-Fi device: nm backend\n");
		return &p2p_nm_ops;
	}
#endif
	if (verbose)
		fprintf(stderr, "p2p: wpa backend (wpa_supplicant's control interface)\n");
	return &p2p_wpa_ops;
}
