/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What wpa_supplicant's control interface says about P2P, as structs:
 * event lines, "P2P_PEER <addr>" replies, the global STATUS.  No I/O.
 */
#ifndef WFDD_P2P_WPA_PARSE_H
#define WFDD_P2P_WPA_PARSE_H

#include "p2p.h"

enum p2p_wpa_ev_type {
	P2P_WPA_EV_OTHER,		/* not one wfdd acts on */
	P2P_WPA_EV_DEVICE_FOUND,	/* .peer */
	P2P_WPA_EV_DEVICE_LOST,		/* .addr */
	P2P_WPA_EV_FIND_STOPPED,
	P2P_WPA_EV_GO_NEG_REQUEST,	/* .addr, .dev_passwd_id, .go_intent */
	P2P_WPA_EV_GO_NEG_SUCCESS,	/* .go (our role), .addr (peer device) */
	P2P_WPA_EV_GO_NEG_FAILURE,	/* .status */
	P2P_WPA_EV_GROUP_FORMATION_SUCCESS,
	P2P_WPA_EV_GROUP_FORMATION_FAILURE,
	P2P_WPA_EV_GROUP_STARTED,	/* .group */
	P2P_WPA_EV_GROUP_REMOVED,	/* .group.ifname, .group.go, .reason */
	P2P_WPA_EV_PROV_DISC_SHOW_PIN,	/* .addr, .pin */
	P2P_WPA_EV_PROV_DISC_PBC_REQ,	/* .addr */
	P2P_WPA_EV_PROV_DISC_FAILURE,	/* .addr, .status */
	P2P_WPA_EV_STA_CONNECTED,	/* .addr: the client's device address */
	P2P_WPA_EV_STA_DISCONNECTED,	/* .addr */
	P2P_WPA_EV_TERMINATING,
};

struct p2p_wpa_event {
	enum p2p_wpa_ev_type type;
	struct p2p_peer peer;
	char addr[P2P_ADDR_LEN];
	int status;
	int dev_passwd_id, go_intent;
	bool go;
	char pin[9];
	struct p2p_group group;
	char reason[32];
};

/*
 * Parse an event's text (after the "<N>" level).  0 (type OTHER for
 * events of no interest), or -EINVAL when an event wfdd acts on is
 * malformed.
 */
int p2p_wpa_parse_event(const char *text, struct p2p_wpa_event *ev);

/* A "P2P_PEER <addr>" (or FIRST/NEXT) reply: 0 or -EINVAL ("FAIL"). */
int p2p_wpa_parse_peer(const char *reply, struct p2p_peer *peer);

/*
 * The value of "key=" on its own line of a STATUS-like reply, copied
 * into @out: 0, or -ENOENT.
 */
int p2p_wpa_status_value(const char *reply, const char *key, char *out, size_t size);

/* Normalize a MAC address into lower case colon form: 0 or -EINVAL. */
int p2p_wpa_addr(const char *s, size_t len, char out[P2P_ADDR_LEN]);

#endif
