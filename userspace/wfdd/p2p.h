/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Wi-Fi Direct (P2P) for a Wi-Fi Display source: find sinks, connect to
 * one, follow its group.  Two backends behind one interface:
 * wpa_supplicant's control interface (p2p_wpa.c) and NetworkManager's
 * WifiP2P D-Bus API (p2p_nm.c).  A backend has one fd to poll; dispatch()
 * reads what is pending and calls back.  Commands answer at once (the
 * backend's daemon replies within milliseconds); what they start is
 * reported through the callbacks.
 */
#ifndef WFDD_P2P_H
#define WFDD_P2P_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wfd_ie.h"

#define P2P_ADDR_LEN	18	/* "02:00:00:00:01:00" and a NUL */
#define P2P_NAME_LEN	33	/* WPS device names have up to 32 bytes */

/* Group capability bits a peer announces. */
#define P2P_GROUP_CAPAB_GO		0x01
#define P2P_GROUP_CAPAB_PERSISTENT	0x02

/* WPS config methods a peer announces. */
#define P2P_CONFIG_DISPLAY	0x0008
#define P2P_CONFIG_PBC		0x0080
#define P2P_CONFIG_KEYPAD	0x0100

struct p2p_peer {
	char addr[P2P_ADDR_LEN];	/* P2P device address, lower case */
	char name[P2P_NAME_LEN];
	char dev_type[24];		/* primary device type, "7-0050F204-1" */
	uint16_t config_methods;
	uint8_t dev_capab, group_capab;
	bool has_wfd;			/* it sent a device information subelement */
	struct wfd_dev_info wfd;
};

/* A WFD sink a source may connect to (primary, secondary, dual role). */
static inline bool p2p_peer_is_sink(const struct p2p_peer *p)
{
	return p->has_wfd && wfd_dev_info_is_sink(&p->wfd);
}

enum p2p_method {
	P2P_METHOD_AUTO,	/* join a group owner, else push button */
	P2P_METHOD_PBC,
	P2P_METHOD_PIN_DISPLAY,	/* this side shows the PIN, the sink's user types it */
	P2P_METHOD_PIN_KEYPAD,	/* the sink shows the PIN, it is given here */
	P2P_METHOD_JOIN,	/* join the sink's running group, push button */
};

struct p2p_connect_params {
	enum p2p_method method;	/* never AUTO here */
	const char *pin;	/* PIN methods; NULL with PIN_DISPLAY: make one */
	int go_intent;		/* 0-15, -1 for the backend's default */
};

struct p2p_group {
	char ifname[IF_NAMESIZE];
	bool go;			/* this side is the group owner */
	char go_dev_addr[P2P_ADDR_LEN];
	char ssid[33];
	int freq;
	bool persistent;
	/* The GO's address allocation in the 4-way handshake, if it did. */
	struct in_addr ip, mask, go_ip;
	/*
	 * The backend set the address itself (NetworkManager): @ip is this
	 * side's, @go_ip the group owner's (0 when this side owns it).
	 */
	bool addressed;
};

struct p2p_callbacks {
	/* New or changed peer. */
	void (*peer_found)(void *opaque, const struct p2p_peer *peer);
	void (*peer_lost)(void *opaque, const char *addr);
	void (*find_stopped)(void *opaque);
	/* A peer asks to connect (GO negotiation request) with this password id. */
	void (*connect_request)(void *opaque, const char *addr, int dev_passwd_id);
	/* A connection attempt failed: @what and a status code. */
	void (*connect_failed)(void *opaque, const char *what, int status);
	/* A PIN to show the sink's user (PIN_DISPLAY). */
	void (*show_pin)(void *opaque, const char *addr, const char *pin);
	void (*group_started)(void *opaque, const struct p2p_group *g);
	/* @reason: the backend's word for it, "" when none. */
	void (*group_removed)(void *opaque, const char *ifname, const char *reason);
	/* A client joined or left the group this side owns (device address). */
	void (*station_joined)(void *opaque, const char *dev_addr);
	void (*station_left)(void *opaque, const char *dev_addr);
	/* The backend's daemon went away; close and open again later. */
	void (*backend_gone)(void *opaque);
	/* Every event of the backend's daemon, as text, before the above. */
	void (*raw_event)(void *opaque, const char *text);
};

/* What a backend configures for this device when it opens. */
struct p2p_config {
	/* wpa: the control directory or global socket (NULL: the usual places). */
	const char *ctrl_path;
	/* The interface (wpa: "wlan0" or "p2p-dev-wlan0"; nm: the device), NULL: the only one. */
	const char *iface;
	const char *device_name;	/* NULL: leave it */
	int go_intent;			/* 0-15, -1: leave it */
	bool update_config;		/* wpa: let the supplicant save what was set */
	/*
	 * A passing user (wfdctl sinks): configure nothing but the WFD IEs,
	 * and put back on close what was there before.
	 */
	bool transient;
	const char *prog;		/* log prefix, "wfdd: p2p" by default */
	int verbose;
};

struct p2p;

struct p2p_ops {
	const char *name;
	int (*open)(struct p2p **p, const struct p2p_config *cfg, const struct p2p_callbacks *cb,
		    void *opaque);
	int (*fd)(struct p2p *p);
	/*
	 * The longest wait before dispatch() must run although the fd is
	 * quiet (what the backend read during a call), -1 for none; NULL
	 * when the fd says it all.
	 */
	int (*wait_ms)(struct p2p *p);
	/* Read what the fd has and call back; a negative errno when the backend is gone. */
	int (*dispatch)(struct p2p *p);
	/* The WFD IEs this device announces (device information). */
	int (*set_wfd)(struct p2p *p, const struct wfd_dev_info *info);
	int (*find)(struct p2p *p, int timeout_s);
	int (*stop_find)(struct p2p *p);
	/* 1 when a find runs (anyone's), 0 when not, -ENOTSUP when it cannot tell. */
	int (*find_running)(struct p2p *p);
	/* The peers already known: up to @max into @out; returns how many there are. */
	int (*peers)(struct p2p *p, struct p2p_peer *out, size_t max);
	/* Connect to @addr; a PIN the backend made goes into @pin_out (9 bytes). */
	int (*connect)(struct p2p *p, const char *addr, const struct p2p_connect_params *cp,
		       char *pin_out);
	/* Give up a connection attempt in progress. */
	int (*cancel)(struct p2p *p);
	/* Leave or end the group on @ifname. */
	int (*remove_group)(struct p2p *p, const char *ifname);
	/* Stay discoverable (listen state) for @timeout_s. */
	int (*listen)(struct p2p *p, int timeout_s);
	void (*close)(struct p2p *p);
	/* What the backend supports besides push button GO negotiation. */
	bool pin, join, go_intent;
};

/* The common head of every backend's state. */
struct p2p {
	const struct p2p_ops *ops;
	const struct p2p_callbacks *cb;
	void *opaque;
	char dev[IF_NAMESIZE];	/* the device opened, for logs and wfdctl */
};

extern const struct p2p_ops p2p_wpa_ops;
#ifdef WFD_HAVE_NM
extern const struct p2p_ops p2p_nm_ops;
/* Does NetworkManager run and own a Wi-Fi device that does P2P (@iface's)? */
bool p2p_nm_manages(const char *iface);
#endif

/* "@prog: " and the message, a line to stderr: the backends' log. */
__attribute__((format(printf, 2, 3)))
void p2p_say(const char *prog, const char *fmt, ...);

/* The backend by name ("wpa", "nm"), NULL when unknown or not built. */
const struct p2p_ops *p2p_backend(const char *name);
/*
 * "auto": nm when NetworkManager runs and manages a Wi-Fi device that can
 * do P2P (and the nm backend is built and tested), else wpa.
 */
const struct p2p_ops *p2p_backend_auto(const char *iface, int verbose);

/* Method names: "auto", "pbc", "pin-display", "pin-keypad", "join"; -1 when unknown. */
int p2p_method_parse(const char *s);
const char *p2p_method_name(enum p2p_method m);

/*
 * Does @peer answer to @target: its device address (any case) or its
 * name (exactly)?
 */
bool p2p_peer_matches(const struct p2p_peer *peer, const char *target);
/* A MAC address in the usual colon form. */
bool p2p_is_addr(const char *s);

#endif
