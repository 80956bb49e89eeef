// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * P2P without radios: WFD IE subelements both ways, wpa_supplicant event
 * lines and peer replies (real ones from wpa_supplicant 2.10, and peers
 * that name themselves to look like more fields), the choice of the P2P
 * device, the connect commands, and the wpa backend against a fake
 * supplicant: a datagram socket in a temporary directory, served by a
 * thread, that answers commands and sends events.  KTAP output.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "p2p.h"
#include "p2p_addr.h"
#include "p2p_link.h"
#include "p2p_privs.h"
#include "p2p_wpa.h"
#include "p2p_wpa_parse.h"
#include "fake-wpa.h"
#include "tap.h"
#include "wfd_ie.h"
#include "wpa_ctrl.h"

static void test_ie(void)
{
	struct wfd_dev_info i, o;
	char hex[WFD_DEV_INFO_HEX];
	uint8_t b[64];
	const uint8_t *body;
	size_t n;

	wfd_dev_info_source(&i, true, 7236, 50);
	wfd_dev_info_subelem_hex(&i, hex);
	check(!strcmp(hex, "000600101c440032"), "source, available, 7236, 50 Mbit/s: %s", hex);
	wfd_dev_info_list_hex(&i, hex);
	check(!strcmp(hex, "00000600101c440032"), "as a list (NetworkManager's WfdIEs): %s", hex);
	wfd_dev_info_source(&i, false, 7236, 50);
	wfd_dev_info_subelem_hex(&i, hex);
	check(!strcmp(hex, "000600001c440032"), "a source in a session is not available: %s", hex);

	n = (size_t)wfd_hex_decode("0x00111C440096", 14, b, sizeof(b));
	check(n == 6 && !wfd_dev_info_unpack(b, n, &o) && wfd_dev_info_type(&o) == WFD_DEV_PRIMARY_SINK &&
	      wfd_dev_info_available(&o) && o.rtsp_port == 7236 && o.max_mbps == 150 &&
	      wfd_dev_info_is_sink(&o), "a Roku's 0x00111c440096: primary sink, available, 150 Mbit/s");
	check(wfd_hex_decode("00110", 5, b, sizeof(b)) == -EINVAL &&
	      wfd_hex_decode("0011zz", 6, b, sizeof(b)) == -EINVAL &&
	      wfd_hex_decode("00112233", 8, b, 3) == -ENOSPC, "odd, non-hex and too long hex refused");
	check(wfd_dev_info_unpack(b, 5, &o) == -EINVAL, "a 5-byte device information is refused");

	/* Associated BSSID (1) first, then the device information. */
	n = (size_t)wfd_hex_decode("010006020000000100000006000112ab0000", 36, b, sizeof(b));
	check(n == 18 && wfd_subelem_find(b, n, WFD_SUBELEM_ASSOC_BSSID, &body, &n) == 1 && n == 6 &&
	      body[0] == 2, "the associated BSSID subelement is found");
	n = 18;
	check(wfd_subelems_dev_info(b, n, &o) == 0 && wfd_dev_info_type(&o) == WFD_DEV_PRIMARY_SINK &&
	      !wfd_dev_info_available(&o) && o.rtsp_port == 0x12ab,
	      "device information after another subelement: a sink without a session free");
	check(wfd_subelems_dev_info(b, 17, &o) == -EINVAL, "a truncated list is refused");
	check(wfd_subelems_dev_info(b, 9, &o) == -ENOENT, "no device information: -ENOENT");
	for (int t = 0; t < 4; t++)
		check(!!strstr("source primary sink secondary sink dual role",
			       wfd_dev_type_name((enum wfd_dev_type)t)), "type %d is named %s", t,
		      wfd_dev_type_name((enum wfd_dev_type)t));
}

static void test_split(void)
{
	char ifname[IF_NAMESIZE];
	const char *t;
	int level;

	t = wpa_ctrl_event_split("IFNAME=p2p-dev-wlan0 <3>P2P-FIND-STOPPED ", ifname, &level);
	check(t && !strcmp(t, "P2P-FIND-STOPPED ") && !strcmp(ifname, "p2p-dev-wlan0") && level == 3,
	      "a global socket's event: interface, level, text");
	t = wpa_ctrl_event_split("<2>CTRL-EVENT-TERMINATING", ifname, &level);
	check(t && !ifname[0] && level == 2, "a per-interface socket's event");
	check(!wpa_ctrl_event_split("OK\n", ifname, &level) &&
	      !wpa_ctrl_event_split("IFNAME=x", ifname, &level) &&
	      !wpa_ctrl_event_split("IFNAME=waytoolonginterfacename <3>X", ifname, &level),
	      "replies and broken prefixes are not events");
}

static void test_events(void)
{
	struct p2p_wpa_event ev;

	check(!p2p_wpa_parse_event("P2P-DEVICE-FOUND 02:00:00:00:01:00 p2p_dev_addr=42:00:00:00:01:00 "
				   "pri_dev_type=7-0050F204-1 name='Living Room TV' config_methods=0x188 "
				   "dev_capab=0x25 group_capab=0x0 wfd_dev_info=0x00111c440032 "
				   "new=1", &ev) &&
	      ev.type == P2P_WPA_EV_DEVICE_FOUND && !strcmp(ev.peer.addr, "42:00:00:00:01:00") &&
	      !strcmp(ev.peer.name, "Living Room TV") && !strcmp(ev.peer.dev_type, "7-0050F204-1") &&
	      ev.peer.config_methods == 0x188 && ev.peer.dev_capab == 0x25 && !ev.peer.group_capab &&
	      p2p_peer_is_sink(&ev.peer) && wfd_dev_info_available(&ev.peer.wfd) &&
	      ev.peer.wfd.rtsp_port == 7236, "P2P-DEVICE-FOUND of a sink, wpa_supplicant 2.10");
	check(!p2p_wpa_parse_event("P2P-DEVICE-FOUND 42:00:00:00:02:00 p2p_dev_addr=42:00:00:00:02:00 "
				   "pri_dev_type=10-0050F204-5 name='phone' config_methods=0x188 "
				   "dev_capab=0x25 group_capab=0x2b new=1", &ev) &&
	      !ev.peer.has_wfd && !p2p_peer_is_sink(&ev.peer) && ev.peer.group_capab == 0x2b,
	      "a plain P2P device (no WFD IE), group owner of a persistent group");
	/* A name made to look like the fields after it. */
	check(!p2p_wpa_parse_event("P2P-DEVICE-FOUND 42:00:00:00:03:00 p2p_dev_addr=42:00:00:00:03:00 "
				   "pri_dev_type=1-0050F204-1 name='a' config_methods=0x1 b' "
				   "config_methods=0x80 dev_capab=0x25 group_capab=0x0 new=1", &ev) &&
	      !strcmp(ev.peer.name, "a' config_methods=0x1 b") &&
	      ev.peer.config_methods == 0x80 && !ev.peer.has_wfd,
	      "fields are read after the name's last possible end");
	check(p2p_wpa_parse_event("P2P-DEVICE-FOUND 42:00:00:00:03:00 p2p_dev_addr=42:00:00:00:03:00 "
				  "pri_dev_type=1-0050F204-1 name='0123456789012345678901234567890123' "
				  "config_methods=0x80 dev_capab=0x25 group_capab=0x0 new=1", &ev) == -EINVAL,
	      "a name longer than 32 bytes is refused");
	check(p2p_wpa_parse_event("P2P-DEVICE-FOUND 42:00:00:00:03:00 p2p_dev_addr=42:00:00:00:03:00 "
				  "name='x' config_methods=0x80 wfd_dev_info=0x0011", &ev) == -EINVAL,
	      "a short wfd_dev_info is refused");
	check(!p2p_wpa_parse_event("P2P-DEVICE-LOST p2p_dev_addr=42:00:00:00:01:00", &ev) &&
	      ev.type == P2P_WPA_EV_DEVICE_LOST && !strcmp(ev.addr, "42:00:00:00:01:00"),
	      "P2P-DEVICE-LOST");
	check(!p2p_wpa_parse_event("P2P-GO-NEG-REQUEST 42:00:00:00:00:00 dev_passwd_id=4 go_intent=7",
				   &ev) && ev.type == P2P_WPA_EV_GO_NEG_REQUEST &&
	      ev.dev_passwd_id == 4 && ev.go_intent == 7, "P2P-GO-NEG-REQUEST, push button");
	check(!p2p_wpa_parse_event("P2P-GO-NEG-FAILURE status=1", &ev) &&
	      ev.type == P2P_WPA_EV_GO_NEG_FAILURE && ev.status == 1, "P2P-GO-NEG-FAILURE status=1");
	check(!p2p_wpa_parse_event("P2P-GO-NEG-FAILURE status=-1", &ev) && ev.status == -1,
	      "P2P-GO-NEG-FAILURE status=-1 (no answer)");
	check(!p2p_wpa_parse_event("P2P-GROUP-STARTED p2p-wlan0-0 GO ssid=\"DIRECT-kJ\" freq=2437 "
				   "passphrase=\"eLDe0ZQg\" go_dev_addr=42:00:00:00:00:00", &ev) &&
	      ev.type == P2P_WPA_EV_GROUP_STARTED && !strcmp(ev.group.ifname, "p2p-wlan0-0") &&
	      ev.group.go && !strcmp(ev.group.ssid, "DIRECT-kJ") && ev.group.freq == 2437 &&
	      !strcmp(ev.group.go_dev_addr, "42:00:00:00:00:00") && !ev.group.persistent &&
	      !ev.group.ip.s_addr, "P2P-GROUP-STARTED as GO");
	check(!p2p_wpa_parse_event("P2P-GROUP-STARTED p2p-wlan0-1 client ssid=\"DIRECT-\\\"q\" "
				   "freq=5180 psk=0123 go_dev_addr=42:00:00:00:01:00 [PERSISTENT] "
				   "ip_addr=192.168.49.10 ip_mask=255.255.255.0 go_ip_addr=192.168.49.1",
				   &ev) && !ev.group.go && ev.group.persistent &&
	      !strcmp(ev.group.ssid, "DIRECT-\"q") && ev.group.freq == 5180 &&
	      ev.group.ip.s_addr == inet_addr("192.168.49.10") &&
	      ev.group.go_ip.s_addr == inet_addr("192.168.49.1"),
	      "P2P-GROUP-STARTED as client, persistent, addresses from the GO");
	/* The group owner picks the passphrase: it may look like fields. */
	check(!p2p_wpa_parse_event("P2P-GROUP-STARTED p2p-wlan0-1 client ssid=\"DIRECT-x\" freq=2437 "
				   "passphrase=\"a go_dev_addr=66:66:66:66:66:66 ip_addr=1.2.3.4\" "
				   "go_dev_addr=42:00:00:00:01:00", &ev) &&
	      !strcmp(ev.group.go_dev_addr, "42:00:00:00:01:00") && !ev.group.ip.s_addr,
	      "fields are read after the passphrase");
	check(p2p_wpa_parse_event("P2P-GROUP-STARTED p2p-wlan0-0 boss ssid=\"x\" freq=1 "
				  "go_dev_addr=42:00:00:00:00:00", &ev) == -EINVAL,
	      "a role other than GO or client is refused");
	check(!p2p_wpa_parse_event("P2P-GROUP-REMOVED p2p-wlan0-0 client reason=GO_ENDING_SESSION",
				   &ev) && ev.type == P2P_WPA_EV_GROUP_REMOVED && !ev.group.go &&
	      !strcmp(ev.group.ifname, "p2p-wlan0-0") && !strcmp(ev.reason, "GO_ENDING_SESSION"),
	      "P2P-GROUP-REMOVED with its reason");
	check(!p2p_wpa_parse_event("P2P-GROUP-REMOVED p2p-wlan0-0 GO", &ev) && ev.group.go &&
	      !ev.reason[0], "P2P-GROUP-REMOVED without a reason");
	check(!p2p_wpa_parse_event("AP-STA-DISCONNECTED 42:00:00:00:01:01 p2p_dev_addr=42:00:00:00:01:00",
				   &ev) && ev.type == P2P_WPA_EV_STA_DISCONNECTED &&
	      !strcmp(ev.addr, "42:00:00:00:01:00"), "AP-STA-DISCONNECTED: the device address");
	check(!p2p_wpa_parse_event("AP-STA-CONNECTED 42:00:00:00:01:01", &ev) &&
	      !strcmp(ev.addr, "42:00:00:00:01:01"), "AP-STA-CONNECTED without a device address");
	check(!p2p_wpa_parse_event("P2P-PROV-DISC-SHOW-PIN 42:00:00:00:01:00 12345670 "
				   "p2p_dev_addr=42:00:00:00:01:00 name='TV'", &ev) &&
	      ev.type == P2P_WPA_EV_PROV_DISC_SHOW_PIN && !strcmp(ev.pin, "12345670"),
	      "P2P-PROV-DISC-SHOW-PIN");
	check(p2p_wpa_parse_event("P2P-PROV-DISC-SHOW-PIN 42:00:00:00:01:00 12;rm", &ev) == -EINVAL,
	      "a PIN that is not digits is refused");
	check(!p2p_wpa_parse_event("CTRL-EVENT-SCAN-STARTED ", &ev) && ev.type == P2P_WPA_EV_OTHER,
	      "other events are of no interest");
	check(p2p_wpa_parse_event("P2P-DEVICE-LOST p2p_dev_addr=42:00:00:00:01", &ev) == -EINVAL &&
	      p2p_wpa_parse_event("P2P-GO-NEG-REQUEST zz:00:00:00:00:00 dev_passwd_id=4", &ev) == -EINVAL,
	      "bad addresses are refused");
}

static const char peer_reply[] =
	"42:00:00:00:01:00\n"
	"pri_dev_type=7-0050F204-1\n"
	"device_name=Living Room TV\n"
	"manufacturer=\n"
	"config_methods=0x188\n"
	"dev_capab=0x25\n"
	"group_capab=0x2b\n"
	"level=-30\n"
	"wfd_subelems=00000600111c440032\n";

static void test_peer(void)
{
	struct p2p_peer p;
	char v[32];

	check(!p2p_wpa_parse_peer(peer_reply, &p) && !strcmp(p.addr, "42:00:00:00:01:00") &&
	      !strcmp(p.name, "Living Room TV") && p.group_capab == 0x2b && p2p_peer_is_sink(&p) &&
	      p.wfd.rtsp_port == 7236, "P2P_PEER reply");
	check(p2p_peer_matches(&p, "Living Room TV") && p2p_peer_matches(&p, "42:00:00:00:01:00") &&
	      !p2p_peer_matches(&p, "living room tv") && !p2p_peer_matches(&p, "42:00:00:00:01:01"),
	      "a peer answers to its name (exactly) and its address");
	strcpy(p.addr, "4a:00:00:00:01:00");
	check(p2p_peer_matches(&p, "4A:00:00:00:01:00"), "addresses match in any case");
	check(p2p_wpa_parse_peer("FAIL\n", &p) == -EINVAL, "P2P_PEER FAIL");
	check(!p2p_wpa_status_value("wpa_state=DISCONNECTED\np2p_state=SEARCH\nwifi_display=1\n",
				    "p2p_state", v, sizeof(v)) && !strcmp(v, "SEARCH") &&
	      p2p_wpa_status_value("p2p_state=SEARCH\n", "state", v, sizeof(v)) == -ENOENT,
	      "STATUS values by whole key");
}

static bool all_capable(void *opaque, const char *name)
{
	(void)opaque;
	return !strcmp(name, "wlan1");
}

static void test_pick(void)
{
	char names[4][IF_NAMESIZE] = { "wlan0", "p2p-dev-wlan0", "p2p-wlan0-0" };
	char two[4][IF_NAMESIZE] = { "wlan0", "p2p-dev-wlan0", "wlan1", "p2p-dev-wlan1" };
	char none[3][IF_NAMESIZE] = { "wlan0", "wlan1", "p2p-wlan1-0" };
	char out[IF_NAMESIZE];

	check(!p2p_wpa_pick_iface(names, 3, NULL, all_capable, NULL, out) &&
	      !strcmp(out, "p2p-dev-wlan0"), "the only P2P device is picked");
	check(!p2p_wpa_pick_iface(names, 3, "wlan0", all_capable, NULL, out) &&
	      !strcmp(out, "p2p-dev-wlan0"), "--p2p-iface wlan0 means its P2P device");
	check(p2p_wpa_pick_iface(two, 4, NULL, all_capable, NULL, out) == -EEXIST,
	      "two P2P devices: the user must pick");
	check(!p2p_wpa_pick_iface(two, 4, "wlan1", all_capable, NULL, out) &&
	      !strcmp(out, "p2p-dev-wlan1"), "... and can");
	check(!p2p_wpa_pick_iface(none, 3, NULL, all_capable, NULL, out) && !strcmp(out, "wlan1"),
	      "no P2P device: the interface that does P2P itself, not a group");
	check(p2p_wpa_pick_iface(none, 3, "wlan7", all_capable, NULL, out) == -ENODEV,
	      "an interface the supplicant does not run on");
}

static void test_connect_cmd(void)
{
	struct p2p_connect_params cp = { .method = P2P_METHOD_PBC, .go_intent = 7 };
	const char *a = "42:00:00:00:01:00";
	char cmd[128];

	check(!p2p_wpa_connect_cmd(a, &cp, cmd, sizeof(cmd)) &&
	      !strcmp(cmd, "P2P_CONNECT 42:00:00:00:01:00 pbc go_intent=7"), "%s", cmd);
	cp.method = P2P_METHOD_JOIN;
	check(!p2p_wpa_connect_cmd(a, &cp, cmd, sizeof(cmd)) &&
	      !strcmp(cmd, "P2P_CONNECT 42:00:00:00:01:00 pbc join"), "%s", cmd);
	cp.method = P2P_METHOD_PIN_DISPLAY;
	cp.go_intent = -1;
	check(!p2p_wpa_connect_cmd(a, &cp, cmd, sizeof(cmd)) &&
	      !strcmp(cmd, "P2P_CONNECT 42:00:00:00:01:00 pin"), "%s", cmd);
	cp.pin = "12345670";
	check(!p2p_wpa_connect_cmd(a, &cp, cmd, sizeof(cmd)) &&
	      !strcmp(cmd, "P2P_CONNECT 42:00:00:00:01:00 12345670 display"), "%s", cmd);
	cp.method = P2P_METHOD_PIN_KEYPAD;
	check(!p2p_wpa_connect_cmd(a, &cp, cmd, sizeof(cmd)) &&
	      !strcmp(cmd, "P2P_CONNECT 42:00:00:00:01:00 12345670 keypad"), "%s", cmd);
	cp.pin = "1234 join";
	check(p2p_wpa_connect_cmd(a, &cp, cmd, sizeof(cmd)) == -EINVAL, "a PIN with words refused");
	cp.pin = NULL;
	check(p2p_wpa_connect_cmd(a, &cp, cmd, sizeof(cmd)) == -EINVAL, "keypad needs a PIN");
	cp.method = P2P_METHOD_PBC;
	check(p2p_wpa_connect_cmd("42:00:00:00:01:00 auth", &cp, cmd, sizeof(cmd)) == -EINVAL,
	      "an address with more in it refused");
	cp.go_intent = 16;
	check(p2p_wpa_connect_cmd(a, &cp, cmd, sizeof(cmd)) == -EINVAL, "GO intent 16 refused");
	check(p2p_method_parse("pin-keypad") == P2P_METHOD_PIN_KEYPAD && p2p_method_parse("x") == -1 &&
	      !strcmp(p2p_method_name(P2P_METHOD_JOIN), "join"), "method names");
}

static const char *fake_reply(const char *cmd)
{
	if (!strcmp(cmd, "ATTACH") || !strcmp(cmd, "DETACH") || !strncmp(cmd, "SET ", 4) ||
	    !strncmp(cmd, "WFD_SUBELEM_SET ", 16) || !strncmp(cmd, "P2P_FIND", 8) ||
	    !strcmp(cmd, "P2P_STOP_FIND") || !strncmp(cmd, "P2P_GROUP_REMOVE ", 17))
		return "OK\n";
	if (!strcmp(cmd, "STATUS"))
		return "wpa_state=DISCONNECTED\np2p_device_address=42:00:00:00:00:00\naddress=42:00:00:00:00:00\n";
	if (!strcmp(cmd, "GET wifi_display"))
		return "0";
	if (!strcmp(cmd, "WFD_SUBELEM_GET 0"))
		return "\n";
	if (!strcmp(cmd, "P2P_PEER FIRST"))
		return peer_reply;
	if (!strncmp(cmd, "P2P_PEER NEXT-42:00:00:00:01:00", 31))
		return "42:00:00:00:02:00\npri_dev_type=10-0050F204-5\ndevice_name=phone\n"
		       "config_methods=0x188\ndev_capab=0x25\ngroup_capab=0x0\n";
	if (!strcmp(cmd, "P2P_CONNECT 42:00:00:00:01:00 pin go_intent=7"))
		return "87654325\n";
	if (!strncmp(cmd, "P2P_CONNECT ", 12))
		return "OK\n";
	return "FAIL\n";
}

static struct seen {
	int found, lost, requests, failed, started, removed, left, gone;
	struct p2p_peer peer;
	struct p2p_group group;
	char reason[32], addr[P2P_ADDR_LEN];
	int status, passwd;
} seen;

static void cb_found(void *o, const struct p2p_peer *p) { (void)o; seen.found++; seen.peer = *p; }
static void cb_lost(void *o, const char *a) { (void)o; seen.lost++; snprintf(seen.addr, sizeof(seen.addr), "%s", a); }
static void cb_request(void *o, const char *a, int id) { (void)o; (void)a; seen.requests++; seen.passwd = id; }
static void cb_failed(void *o, const char *w, int s) { (void)o; (void)w; seen.failed++; seen.status = s; }
static void cb_started(void *o, const struct p2p_group *g) { (void)o; seen.started++; seen.group = *g; }
static void cb_removed(void *o, const char *i, const char *r)
{
	(void)o;
	(void)i;
	seen.removed++;
	snprintf(seen.reason, sizeof(seen.reason), "%s", r);
}
static void cb_left(void *o, const char *a) { (void)o; seen.left++; snprintf(seen.addr, sizeof(seen.addr), "%s", a); }
static void cb_gone(void *o) { (void)o; seen.gone++; }

static const struct p2p_callbacks cbs = {
	.peer_found = cb_found, .peer_lost = cb_lost, .connect_request = cb_request,
	.connect_failed = cb_failed, .group_started = cb_started, .group_removed = cb_removed,
	.station_left = cb_left, .backend_gone = cb_gone,
};

/* Send an event and let the backend read it. */
static void deliver(struct p2p *p, const char *msg)
{
	struct pollfd pfd = { .fd = p->ops->fd(p), .events = POLLIN };

	fake_event(msg);
	if (poll(&pfd, 1, 2000) == 1)
		p->ops->dispatch(p);
}

static void test_backend(void)
{
	struct p2p_config cfg = { .device_name = "wfd test", .go_intent = 7, .prog = "test-p2p" };
	struct p2p_connect_params cp = { .method = P2P_METHOD_PIN_DISPLAY, .go_intent = 7 };
	struct p2p_peer peers[4];
	struct wfd_dev_info info;
	struct p2p *p = NULL;
	char pin[9], empty[sizeof(fk.dir) + 8];
	int ret;

	ret = fake_start("p2p-dev-wlan0", fake_reply);
	if (ret) {
		check(0, "fake supplicant: %s", strerror(-ret));
		return;
	}
	/* Beside it, a file that is not a socket. */
	snprintf(empty, sizeof(empty), "%s/README", fk.dir);
	fclose(fopen(empty, "w"));

	cfg.ctrl_path = fk.dir;
	ret = p2p_wpa_ops.open(&p, &cfg, &cbs, NULL);
	check(!ret && p, "the backend opens the only P2P device: %s", strerror(-ret));
	if (ret)
		goto out;
	check(logged("ATTACH\n") && logged("SET device_name wfd test\n") &&
	      logged("SET device_type 1-0050F204-1\n") && logged("SET p2p_go_intent 7\n") &&
	      logged("SET persistent_reconnect 1\n") && !logged("update_config"),
	      "device name, type, config methods, GO intent, persistent reconnect; config not saved");
	wfd_dev_info_source(&info, true, 7236, 50);
	check(!p->ops->set_wfd(p, &info) && logged("SET wifi_display 1\n") &&
	      logged("WFD_SUBELEM_SET 0 000600101c440032\n"), "WFD IEs set");
	check(!p->ops->find(p, 30) && logged("P2P_FIND 30\n"), "find");
	check(p->ops->find_running(p) == -ENOTSUP, "a per-interface socket cannot tell a find runs");
	ret = p->ops->peers(p, peers, 4);
	check(ret == 2 && !strcmp(peers[0].name, "Living Room TV") && p2p_peer_is_sink(&peers[0]) &&
	      !strcmp(peers[1].name, "phone") && !p2p_peer_is_sink(&peers[1]),
	      "peers already known: FIRST, NEXT, until FAIL (%d)", ret);
	deliver(p, "<3>P2P-DEVICE-FOUND 02:00:00:00:01:00 p2p_dev_addr=42:00:00:00:01:00 "
		"pri_dev_type=7-0050F204-1 name='Living Room TV' config_methods=0x188 dev_capab=0x25 "
		"group_capab=0x0 wfd_dev_info=0x00011c440032 new=1");
	check(seen.found == 1 && !wfd_dev_info_available(&seen.peer.wfd), "a peer found, not available");
	deliver(p, "<3>CTRL-EVENT-SCAN-STARTED ");
	deliver(p, "<3>P2P-GO-NEG-REQUEST 42:00:00:00:01:00 dev_passwd_id=4 go_intent=15");
	check(seen.requests == 1 && seen.passwd == 4 && seen.found == 1, "a connect request");
	ret = p->ops->connect(p, "42:00:00:00:01:00", &cp, pin);
	check(!ret && !strcmp(pin, "87654325"), "a PIN the supplicant made comes back: %s", pin);
	deliver(p, "<3>P2P-GO-NEG-FAILURE status=1");
	check(seen.failed == 1 && seen.status == 1, "negotiation failure with its status");
	deliver(p, "<3>P2P-GROUP-STARTED p2p-wlan0-0 GO ssid=\"DIRECT-ab\" freq=2437 "
		"passphrase=\"secret12\" go_dev_addr=42:00:00:00:00:00");
	check(seen.started == 1 && seen.group.go && !strcmp(seen.group.ifname, "p2p-wlan0-0"),
	      "group started");
	deliver(p, "<3>AP-STA-DISCONNECTED 42:00:00:00:01:01 p2p_dev_addr=42:00:00:00:01:00");
	check(seen.left == 1 && !strcmp(seen.addr, "42:00:00:00:01:00"), "the sink left the group");
	check(!p->ops->remove_group(p, "p2p-wlan0-0") && logged("P2P_GROUP_REMOVE p2p-wlan0-0\n") &&
	      p->ops->remove_group(p, "x y") == -EINVAL, "group removed; a bad name refused");
	deliver(p, "<3>P2P-GROUP-REMOVED p2p-wlan0-0 GO reason=REQUESTED");
	check(seen.removed == 1 && !strcmp(seen.reason, "REQUESTED"), "group removed event");
	deliver(p, "<3>P2P-DEVICE-LOST p2p_dev_addr=42:00:00:00:01:00");
	check(seen.lost == 1, "peer lost");
	deliver(p, "<2>CTRL-EVENT-TERMINATING ");
	check(seen.gone == 1, "the supplicant going away is told");
	p->ops->close(p);
	check(logged("DETACH\n"), "closing detaches");
out:
	unlink(empty);
	fake_stop();
}

/* No supplicant: a clear error, not a hang. */
static void test_absent(void)
{
	struct p2p_config cfg = { .ctrl_path = "/nonexistent/wpa_supplicant", .go_intent = -1,
				  .prog = "test-p2p (expected)" };
	struct p2p *p = NULL;

	check(p2p_wpa_ops.open(&p, &cfg, &cbs, NULL) == -ENOENT && !p,
	      "no control directory: -ENOENT");
}

/* dhclient's lease file, as it wrote it in the test VM, with an older lease before. */
static const char lease_file[] =
	"lease {\n  interface \"p2p-wlan0-0\";\n  fixed-address 10.0.0.5;\n"
	"  option dhcp-server-identifier 10.0.0.1;\n}\n"
	"lease {\n"
	"  interface \"p2p-wlan0-1\";\n"
	"  fixed-address 192.168.49.44;\n"
	"  option subnet-mask 255.255.255.0;\n"
	"  option routers 192.168.49.1;\n"
	"  option dhcp-lease-time 3600;\n"
	"  option dhcp-message-type 5;\n"
	"  option dhcp-server-identifier 192.168.49.1;\n"
	"  option dhcp-renewal-time 1800;\n"
	"  option broadcast-address 192.168.49.255;\n"
	"  renew 4 2026/12/03 14:37:55;\n"
	"}\n"
	"lease {\n  interface \"p2p-wlan0-1\";\n  fixed-address 192.168.49.45;\n";

static void test_lease(void)
{
	struct p2p_lease l;
	struct in_addr m;

	check(!p2p_dhclient_lease(lease_file, &l) && l.ip.s_addr == inet_addr("192.168.49.44") &&
	      l.server.s_addr == inet_addr("192.168.49.1") &&
	      l.router.s_addr == inet_addr("192.168.49.1") &&
	      l.mask.s_addr == inet_addr("255.255.255.0"),
	      "the last complete lease of dhclient's file");
	check(p2p_dhclient_lease("lease {\n  fixed-address 192.168.49.45;\n", &l) == -ENOENT &&
	      p2p_dhclient_lease("", &l) == -ENOENT, "no complete lease yet");
	check(p2p_dhclient_lease("lease {\n  fixed-address 1.2.3.4;\n}\n", &l) == -ENOENT,
	      "a lease that names no server is of no use");
	m.s_addr = inet_addr("255.255.255.0");
	check(p2p_mask_prefix(m) == 24, "255.255.255.0 is /24");
	m.s_addr = inet_addr("255.255.0.255");
	check(p2p_mask_prefix(m) == 24, "a non-contiguous mask falls back to /24");
	m.s_addr = inet_addr("255.255.255.252");
	check(p2p_mask_prefix(m) == 30, "255.255.255.252 is /30");
}

static void test_channel(void)
{
	struct p2p_link_msg m = { .type = P2P_LINK_UP, .port = 7236 }, r;
	char junk[8] = "garbage";
	int sv[2];

	strcpy(m.ifname, "p2p-wlan0-0");
	strcpy(m.local, "192.168.49.1");
	strcpy(m.peer, "192.168.49.10");
	strcpy(m.peer_name, "TV");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		check(0, "socketpair: %s", strerror(errno));
		return;
	}
	check(p2p_link_recv(sv[1], &r) == -EAGAIN, "nothing pending: -EAGAIN");
	check(!p2p_link_send(sv[0], &m) && !p2p_link_recv(sv[1], &r) && r.type == P2P_LINK_UP &&
	      !strcmp(r.peer, "192.168.49.10") && r.port == 7236, "UP goes through");
	r = m;
	strcpy(r.local, "192.168.4.1; rm");
	check(p2p_link_check(&r) == -EPROTO, "UP with a local address that is not one");
	r = m;
	memset(r.peer_name, 'x', sizeof(r.peer_name));
	check(p2p_link_check(&r) == -EPROTO, "an unterminated string");
	r = m;
	r.peer[0] = 0;
	check(!p2p_link_check(&r), "UP without a peer (any peer of the group)");
	r = (struct p2p_link_msg){ .type = P2P_LINK_DOWN, .status = 2, .diag = -100 };
	check(!p2p_link_check(&r), "DOWN, sink disconnect request, -ENETDOWN");
	r.status = 6;
	check(p2p_link_check(&r) == -EPROTO, "DOWN with a status that does not exist");
	r = (struct p2p_link_msg){ .type = P2P_LINK_SESSION, .busy = 2 };
	check(p2p_link_check(&r) == -EPROTO, "SESSION busy is 0 or 1");
	r.type = 99;
	r.busy = 0;
	check(p2p_link_check(&r) == -EPROTO, "an unknown type");
	send(sv[0], junk, sizeof(junk), 0);
	check(p2p_link_recv(sv[1], &r) == -EPROTO, "a message of the wrong size");
	close(sv[0]);
	check(p2p_link_recv(sv[1], &r) == -ENOTCONN, "the other side gone: -ENOTCONN");
	close(sv[1]);
	check(!p2p_link_running("wfd-test-dev0"), "no link process on a made-up device");
}

/* /proc/self/status's line @key as a number. */
static unsigned long long status_hex(const char *key)
{
	char line[256];
	unsigned long long v = ~0ull;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtoull(line + strlen(key), NULL, 16);
	if (f)
		fclose(f);
	return v;
}

/* The link process's capabilities, in a child: root runs it. */
static void test_privs(void)
{
	pid_t pid;
	int st;

	if (geteuid()) {
		printf("ok %d the link process keeps the network capabilities # SKIP not root\n",
		       ++tap_tests);
		return;
	}
	pid = fork();
	if (!pid) {
		uint64_t missing;
		int ret = p2p_privs_keep(P2P_LINK_CAPS, &missing);

		_exit(ret ? 10 : missing ? 11 : status_hex("CapEff:") != P2P_LINK_CAPS ? 12 :
		      status_hex("CapPrm:") != P2P_LINK_CAPS ? 13 :
		      status_hex("CapAmb:") != P2P_LINK_CAPS ? 14 :
		      status_hex("CapBnd:") != P2P_LINK_CAPS ? 15 :
		      status_hex("NoNewPrivs:") != 1 ? 16 : 0);
	}
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && !WEXITSTATUS(st),
	      "the link process keeps CAP_NET_ADMIN, NET_RAW, NET_BIND_SERVICE (ambient, bounding) "
	      "and no other: %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(void)
{
	printf("KTAP version 1\n");
	test_ie();
	test_split();
	test_events();
	test_peer();
	test_pick();
	test_connect_cmd();
	test_backend();
	test_absent();
	test_lease();
	test_channel();
	test_privs();
	return tap_done();
}
