// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * WFD parameters: M3 replies in the shape real sinks send them (written
 * for these tests after the layouts in the WFD specification and public
 * captures), their quirks, round trips, mode lists and the M4 choice,
 * and randomized garbage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfdparams.h"

static int fails;
#define EXPECT(c) do { if (!(c)) { fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); fails++; } } while (0)

/* A TV: CHP and CBP entries, VESA 0x3FFFFFFF (bits that do not exist), vendor lines. */
static const char tv_m3[] =
	"wfd_content_protection: HDCP2.1 port=1189\r\n"
	"wfd_video_formats: 28 00 02 10 0001ffff 3fffffff 00000fff 00 0000 0000 11 none none, "
	"01 04 000000ab ffffffff 00000000 00 0000 0000 11 0780 0438\r\n"
	"wfd_audio_codecs: LPCM 00000003 00, AAC 0000000f 00, AC3 00000007 00\r\n"
	"wfd_display_edid: none\r\n"
	"wfd_connector_type: 05\r\n"
	"intel_sink_manufacturer_name: none\r\n"
	"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\r\n"
	"wfd_idr_request_capability: 1\r\n"
	"wfd_standby_resume_capability: supported\r\n"
	"wfd_uibc_capability: none\r\n";

/* A dongle: bare LF, upper-case hex, no max-hres/vres, no audio. */
static const char dongle_m3[] =
	"wfd_video_formats: 00 00 01 01 000000A1 00000000 00000000 00 0000 0000 00\n"
	"wfd_audio_codecs: none\n"
	"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 1028 0 mode=play\n";

static void test_tv(void)
{
	struct wfd_params p;
	const struct wfd_video_codec *c;

	EXPECT(wfd_params_parse(tv_m3, strlen(tv_m3), &p) == 0);
	EXPECT(p.present == (WFD_P_VIDEO_FORMATS | WFD_P_AUDIO_CODECS | WFD_P_CLIENT_RTP_PORTS |
			     WFD_P_DISPLAY_EDID | WFD_P_IDR_REQUEST_CAPABILITY |
			     WFD_P_CONTENT_PROTECTION | WFD_P_STANDBY_RESUME_CAPABILITY));
	EXPECT(p.invalid == 0 && p.unknown == 3);
	/* VESA bits 30/31 of the second entry, and level bit... */
	EXPECT(p.masked);
	EXPECT(p.video.native == 0x28 && p.video.ncodecs == 2);
	c = &p.video.codecs[0];
	EXPECT(c->profile == WFD_PROFILE_CHP && c->level == WFD_LEVEL_4_2);
	EXPECT(c->res[WFD_CEA] == 0x1ffff && c->res[WFD_VESA] == 0x3fffffff && c->res[WFD_HH] == 0xfff);
	EXPECT(c->frame_rate_control == 0x11 && !c->max_hres && !c->max_vres);
	c = &p.video.codecs[1];
	EXPECT(c->profile == WFD_PROFILE_CBP && c->level == WFD_LEVEL_4);
	EXPECT(c->res[WFD_VESA] == 0x3fffffff && c->max_hres == 1920 && c->max_vres == 1080);
	EXPECT(p.audio.n == 3 && p.audio.codecs[0].format == WFD_AUDIO_LPCM &&
	       p.audio.codecs[0].modes == 3 && p.audio.codecs[1].format == WFD_AUDIO_AAC);
	EXPECT(p.edid.blocks == 0);
	EXPECT(!p.rtp.tcp && p.rtp.port0 == 19000 && p.rtp.port1 == 0);
	EXPECT(p.idr_request_capable && p.standby_resume_capable);
	EXPECT(p.cp.hdcp == 21 && p.cp.port == 1189);
}

static void test_dongle(void)
{
	struct wfd_params p;

	EXPECT(wfd_params_parse(dongle_m3, strlen(dongle_m3), &p) == 0);
	EXPECT(p.present == (WFD_P_VIDEO_FORMATS | WFD_P_AUDIO_CODECS | WFD_P_CLIENT_RTP_PORTS));
	EXPECT(!p.masked && p.video.ncodecs == 1 && p.video.codecs[0].res[WFD_CEA] == 0xa1);
	EXPECT(p.audio.n == 0 && p.rtp.port0 == 1028);
}

/*
 * Frame skipping in M4: as the sink offers it (bit 0, the longest gap in
 * bits 3:1), never a dynamic frame rate change (bit 4), nothing where it
 * does not skip.
 */
static void test_frame_skipping(void)
{
	static const char skip_1s[] =
		"wfd_video_formats: 00 00 01 01 00000001 00000000 00000000 00 0000 0000 15 none none\r\n";
	struct wfd_params p;
	struct wfd_video_formats m4;

	EXPECT(wfd_params_parse(skip_1s, strlen(skip_1s), &p) == 0);
	EXPECT(wfd_choose_format(&p.video, 640, 480, 60, WFD_PROFILE_CBP, 0, WFD_LEVEL_4_2,
				 &m4) == 0);
	EXPECT(m4.codecs[0].frame_rate_control == 0x05 &&
	       WFD_FRC_SKIP_GAP(m4.codecs[0].frame_rate_control) == 1000);
	EXPECT(wfd_params_parse(dongle_m3, strlen(dongle_m3), &p) == 0);
	EXPECT(wfd_choose_format(&p.video, 640, 480, 60, WFD_PROFILE_CBP, 0, WFD_LEVEL_4_2,
				 &m4) == 0);
	EXPECT(m4.codecs[0].frame_rate_control == 0);
}

static void test_modes_and_m4(void)
{
	struct wfd_params p, m4 = { 0 };
	struct wfd_mode modes[64];
	const struct wfd_resolution *r;
	char buf[512];
	size_t n;
	int len;

	EXPECT(wfd_params_parse(tv_m3, strlen(tv_m3), &p) == 0);
	/* Native 0x28: CEA (table 0) index 5 = 1280x720p30, which leads. */
	n = wfd_video_modes_for(&p.video, 1920, 1200, 3, WFD_LEVEL_4_2, modes, 64);
	EXPECT(n > 10 && modes[0].width == 1280 && modes[0].height == 720 && modes[0].refresh_hz == 30);
	/*
	 * Then by pixel rate: 1080p60.  1920x1200 (VESA 28, 29) is listed but
	 * no level a sink can name carries it (9000 macroblocks; 4.2 takes 8704).
	 */
	EXPECT(modes[1].width == 1920 && modes[1].height == 1080 && modes[1].refresh_hz == 60);
	for (size_t i = 0; i < n; i++) {
		EXPECT(modes[i].width <= 1920 && modes[i].height <= 1200 && modes[i].refresh_hz <= 60);
		for (size_t j = 0; j < i; j++)
			EXPECT(memcmp(&modes[i], &modes[j], sizeof(modes[0])));
	}
	/* A smaller encoder limit. */
	n = wfd_video_modes_for(&p.video, 1280, 720, 3, WFD_LEVEL_4_2, modes, 64);
	for (size_t i = 0; i < n; i++)
		EXPECT(modes[i].width <= 1280 && modes[i].height <= 720);
	EXPECT(wfd_video_modes_for(&p.video, 1920, 1200, 3, WFD_LEVEL_4_2, modes, 2) == 2);

	/* 1080p30: CEA bit 7 in both entries: CHP (the better) with its level 4.2. */
	EXPECT(wfd_choose_format(&p.video, 1920, 1080, 30, WFD_PROFILE_CBP | WFD_PROFILE_CHP, 0,
				 WFD_LEVEL_4_2, &m4.video) == 0);
	EXPECT(m4.video.ncodecs == 1 && m4.video.codecs[0].profile == WFD_PROFILE_CHP);
	EXPECT(m4.video.codecs[0].level == WFD_LEVEL_4_2);
	EXPECT(m4.video.codecs[0].res[WFD_CEA] == 0x80 && !m4.video.codecs[0].res[WFD_VESA]);
	/* Its frame skipping (no limit) carries over, its frame rate change does not. */
	EXPECT(m4.video.codecs[0].frame_rate_control == WFD_FRC_SKIPPING);
	/* A Baseline-only source, capped at level 4: the CBP entry. */
	EXPECT(wfd_choose_format(&p.video, 1920, 1080, 30, WFD_PROFILE_CBP, 0, WFD_LEVEL_4,
				 &m4.video) == 0);
	EXPECT(m4.video.codecs[0].profile == WFD_PROFILE_CBP && m4.video.codecs[0].level == WFD_LEVEL_4);
	/* Not listed: 1920x1080@45; interlaced modes are never chosen. */
	EXPECT(wfd_choose_format(&p.video, 1920, 1080, 45, 3, 0, WFD_LEVEL_4_2, &m4.video) == -ENOENT);
	/* M4 text as Android writes 720p30 CBP 3.2. */
	EXPECT(wfd_choose_format(&p.video, 1280, 720, 30, WFD_PROFILE_CBP, 0, WFD_LEVEL_3_2,
				 &m4.video) == 0);
	EXPECT(wfd_choose_audio(&p.audio, &m4.audio) == 0);
	m4.rtp = p.rtp;
	strcpy(m4.url0, "rtsp://10.0.0.1/wfd1.0/streamid=0");
	m4.present = WFD_P_VIDEO_FORMATS | WFD_P_AUDIO_CODECS | WFD_P_CLIENT_RTP_PORTS |
		     WFD_P_PRESENTATION_URL;
	len = wfd_params_write(&m4, ~0u, buf, sizeof(buf));
	EXPECT(len > 0 && (size_t)len == strlen(buf));
	EXPECT(!strcmp(buf,
		"wfd_video_formats: 00 00 01 02 00000020 00000000 00000000 00 0000 0000 01 none none\r\n"
		"wfd_audio_codecs: LPCM 00000002 00\r\n"
		"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\r\n"
		"wfd_presentation_URL: rtsp://10.0.0.1/wfd1.0/streamid=0 none\r\n"));
	/* Every table bit maps to a mode, and no more bits exist. */
	for (unsigned int b = 0; b < 32; b++) {
		EXPECT(!wfd_resolution(WFD_CEA, b) == !((WFD_CEA_MASK >> b) & 1));
		EXPECT(!wfd_resolution(WFD_VESA, b) == !((WFD_VESA_MASK >> b) & 1));
		EXPECT(!wfd_resolution(WFD_HH, b) == !((WFD_HH_MASK >> b) & 1));
	}
	r = wfd_resolution(WFD_CEA, 9);
	EXPECT(r && r->width == 1920 && r->interlaced);
	r = wfd_resolution(WFD_HH, 8);
	EXPECT(r && r->width == 960 && r->height == 540 && r->hz == 30);
	EXPECT(wfd_level_max_kbps(WFD_LEVEL_3_1, WFD_PROFILE_CBP) == 14000);
	EXPECT(wfd_level_max_kbps(WFD_LEVEL_4_2, WFD_PROFILE_CHP) == 62500);
	EXPECT(wfd_level_idc(WFD_LEVEL_3_1) == 31);
	EXPECT(wfd_level_idc(WFD_LEVEL_4) == 40);
	EXPECT(wfd_level_idc(WFD_LEVEL_3_1 | WFD_LEVEL_4_2) == 42);
	EXPECT(wfd_level_idc(0) == 0);
	EXPECT(wfd_level_idc(0x20) == 0);
}

/*
 * Only modes the negotiated level carries reach the compositor, and M4
 * never names a level too small for its mode (H.264 Table A-1).
 */
static void test_level_carries(void)
{
	static const char cbp31[] =
		"wfd_video_formats: 00 00 01 01 0001ffff 3fffffff 00000fff 00 0000 0000 00 none none\r\n";
	static const char both[] =
		"wfd_video_formats: 00 00 03 10 000001ff 00000000 00000000 00 0000 0000 00 none none\r\n";
	struct wfd_params p;
	struct wfd_video_formats m4;
	struct wfd_mode modes[64];
	size_t n;

	EXPECT(wfd_level_carries(WFD_LEVEL_3_1, 1280, 720, 30));
	EXPECT(!wfd_level_carries(WFD_LEVEL_3_1, 1280, 720, 60));
	EXPECT(wfd_level_carries(WFD_LEVEL_3_2, 1280, 720, 60));
	EXPECT(!wfd_level_carries(WFD_LEVEL_3_2, 1920, 1080, 30));
	EXPECT(wfd_level_carries(WFD_LEVEL_4, 1920, 1080, 30));
	EXPECT(!wfd_level_carries(WFD_LEVEL_4_1, 1920, 1080, 60));
	EXPECT(wfd_level_carries(WFD_LEVEL_4_2, 1920, 1080, 60));
	EXPECT(!wfd_level_carries(WFD_LEVEL_4_2, 1920, 1200, 30));
	EXPECT(wfd_level_carries(WFD_LEVEL_4_2 | WFD_LEVEL_3_1, 1600, 1200, 60));
	EXPECT(!wfd_level_carries(0, 640, 480, 60));

	/* Every bit at level 3.1: nothing above 720p30's macroblock rate. */
	EXPECT(wfd_params_parse(cbp31, strlen(cbp31), &p) == 0);
	n = wfd_video_modes_for(&p.video, 1920, 1200, WFD_PROFILE_CBP, WFD_LEVEL_4_2, modes, 64);
	EXPECT(n > 0);
	for (size_t i = 0; i < n; i++) {
		EXPECT(wfd_level_carries(WFD_LEVEL_3_1, modes[i].width, modes[i].height,
					 modes[i].refresh_hz));
		EXPECT(wfd_choose_format(&p.video, modes[i].width, modes[i].height,
					 modes[i].refresh_hz, WFD_PROFILE_CBP, 0, WFD_LEVEL_4_2,
					 &m4) == 0 && m4.codecs[0].level == WFD_LEVEL_3_1);
	}
	EXPECT(wfd_choose_format(&p.video, 1920, 1080, 30, WFD_PROFILE_CBP, 0, WFD_LEVEL_4_2,
				 &m4) == -ENOENT);
	/* A profile the source cannot make gives no mode at all. */
	EXPECT(wfd_video_modes_for(&p.video, 1920, 1200, WFD_PROFILE_CHP, WFD_LEVEL_4_2, modes,
			       64) == 0);
	/* A source capped at level 3.2 cannot send 1080p to a 4.2 sink. */
	EXPECT(wfd_params_parse(both, strlen(both), &p) == 0);
	n = wfd_video_modes_for(&p.video, 1920, 1200, 3, WFD_LEVEL_3_2, modes, 64);
	for (size_t i = 0; i < n; i++)
		EXPECT(modes[i].height <= 720);
	EXPECT(wfd_choose_format(&p.video, 1920, 1080, 60, 3, 0, WFD_LEVEL_3_2, &m4) == -ENOENT);

	/* The encoder's own profile is preferred, else High before Baseline. */
	EXPECT(wfd_choose_format(&p.video, 1280, 720, 60, 3, 0, WFD_LEVEL_4_2, &m4) == 0 &&
	       m4.codecs[0].profile == WFD_PROFILE_CHP);
	EXPECT(wfd_choose_format(&p.video, 1280, 720, 60, 3, WFD_PROFILE_CBP, WFD_LEVEL_4_2,
				 &m4) == 0 && m4.codecs[0].profile == WFD_PROFILE_CBP);
	EXPECT(wfd_choose_format(&p.video, 1280, 720, 60, 3, WFD_PROFILE_CHP, WFD_LEVEL_4_2,
				 &m4) == 0 && m4.codecs[0].profile == WFD_PROFILE_CHP);
	/* A preference the sink does not take changes nothing. */
	EXPECT(wfd_choose_format(&p.video, 1280, 720, 60, WFD_PROFILE_CHP, WFD_PROFILE_CBP,
				 WFD_LEVEL_4_2, &m4) == 0 && m4.codecs[0].profile == WFD_PROFILE_CHP);
}

/* Every parameter written and parsed back gives the same struct. */
static void test_roundtrip(void)
{
	struct wfd_params a, b;
	char buf[2048];
	int len;

	EXPECT(wfd_params_parse(tv_m3, strlen(tv_m3), &a) == 0);
	a.edid.blocks = 2;
	for (int i = 0; i < 256; i++)
		a.edid.data[i] = (uint8_t)(i * 7);
	strcpy(a.url0, "rtsp://192.168.1.2/wfd1.0/streamid=0");
	a.trigger = WFD_TRIGGER_TEARDOWN;
	a.present |= WFD_P_PRESENTATION_URL | WFD_P_TRIGGER_METHOD | WFD_P_IDR_REQUEST |
		     WFD_P_STANDBY;
	a.masked = false;
	a.unknown = 0;
	len = wfd_params_write(&a, ~0u, buf, sizeof(buf));
	EXPECT(len > 0);
	EXPECT(strstr(buf, "wfd_idr_request\r\n") && strstr(buf, "wfd_trigger_method: TEARDOWN\r\n"));
	EXPECT(wfd_params_parse(buf, (size_t)len, &b) == 0);
	EXPECT(!memcmp(&a, &b, sizeof(a)));
	/* Too small a buffer, at each size. */
	for (size_t s = 0; s < (size_t)len; s += 7)
		EXPECT(wfd_params_write(&a, ~0u, buf, s) == -ENOSPC);
}

static void test_names(void)
{
	static const char m3[] = "wfd_video_formats\r\nwfd_audio_codecs\r\nwfd_client_rtp_ports\r\n"
				 "microsoft_cursor\r\n  \r\nwfd_display_edid";
	uint32_t names;
	char buf[256];
	int len;

	EXPECT(wfd_params_parse_names(m3, strlen(m3), &names) == 5);
	EXPECT(names == (WFD_P_VIDEO_FORMATS | WFD_P_AUDIO_CODECS | WFD_P_CLIENT_RTP_PORTS |
			 WFD_P_DISPLAY_EDID));
	len = wfd_params_write_names(names, buf, sizeof(buf));
	EXPECT(len > 0 && !strcmp(buf, "wfd_video_formats\r\nwfd_audio_codecs\r\n"
				  "wfd_client_rtp_ports\r\nwfd_display_edid\r\n"));
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"wfd_video_formats: 00 00 01 01 000000a1 00000000 00000000 00 0000 0000\r\n",
		"wfd_video_formats: 00 00 01 01 000000a1 00000000 00000000 00 0000 0000 00 0500\r\n",
		"wfd_video_formats: 00 00 01 01 0000g0a1 00000000 00000000 00 0000 0000 00 none none\r\n",
		"wfd_video_formats: 00 00 01 01 000000a1 00000000 00000000 00 0000 0000 00 none none,\r\n",
		"wfd_video_formats: 00 00 00 00 000000a1 00000000 00000000 00 0000 0000 00 none none\r\n",
		"wfd_video_formats: 00 00 01 01 00000000 c0000000 00000000 00 0000 0000 00 none none\r\n",
		"wfd_video_formats: 00\r\n",
		"wfd_video_formats\r\n",
		"wfd_audio_codecs: MP3 00000001 00\r\n",
		"wfd_audio_codecs: LPCM 0000002 00\r\n",
		"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 99999 0 mode=play\r\n",
		"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0\r\n",
		"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play extra\r\n",
		"wfd_display_edid: 0005 00\r\n",
		"wfd_display_edid: 0001 00ff\r\n",
		"wfd_content_protection: HDCP3.0 port=1\r\n",
		"wfd_presentation_URL: http://x none\r\n",
		"wfd_trigger_method: START\r\n",
		"wfd_idr_request_capability: yes\r\n",
	};
	struct wfd_params p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT(wfd_params_parse(bad[i], strlen(bad[i]), &p) == 0);
		if (p.present || !p.invalid)
			fprintf(stderr, "case %zu: present %x invalid %x\n", i, p.present, p.invalid);
		EXPECT(p.present == 0 && p.invalid != 0);
	}
	/* Control bytes: not a parameter list. */
	EXPECT(wfd_params_parse("wfd_audio_codecs: \x01\r\n", 21, &p) == -EBADMSG);
	EXPECT(wfd_params_parse("wfd_audio\0codecs: none", 22, &p) == -EBADMSG);
	/* A valid line after a bad one still counts. */
	EXPECT(wfd_params_parse("wfd_trigger_method: bad\nwfd_trigger_method: PLAY\n", 48, &p) == 0);
	EXPECT(p.present == WFD_P_TRIGGER_METHOD && !p.invalid && p.trigger == WFD_TRIGGER_PLAY);
}

static void test_random(void)
{
	static const char alphabet[] = "0123456789abcdefABCDEF ,:;=\r\n\t/none";
	struct wfd_params p;
	char buf[1024];
	struct wfd_mode modes[32];

	srand(4321);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len;

		if (iter & 1) {
			len = strlen(tv_m3);
			memcpy(buf, tv_m3, len);
			for (int k = rand() % 8; k > 0; k--)
				buf[rand() % (int)len] = alphabet[rand() % (int)(sizeof(alphabet) - 1)];
			len = (size_t)(rand() % (int)len) + 1;
		} else {
			len = (size_t)(rand() % (int)sizeof(buf));
			for (size_t i = 0; i < len; i++)
				buf[i] = rand() % 8 ? alphabet[rand() % (int)(sizeof(alphabet) - 1)]
						    : (char)(rand() % 256);
		}
		if (wfd_params_parse(buf, len, &p))
			continue;
		if (p.present & WFD_P_VIDEO_FORMATS) {
			struct wfd_video_formats out;

			EXPECT(p.video.ncodecs >= 1 && p.video.ncodecs <= WFD_MAX_VIDEO_CODECS);
			for (unsigned int i = 0; i < p.video.ncodecs; i++)
				EXPECT(!(p.video.codecs[i].res[WFD_VESA] & ~WFD_VESA_MASK));
			for (size_t i = wfd_video_modes_for(&p.video, 1920, 1200, 3, WFD_LEVEL_4_2,
							modes, 32); i-- > 0;)
				EXPECT(wfd_choose_format(&p.video, modes[i].width, modes[i].height,
							 modes[i].refresh_hz, 3, 0, WFD_LEVEL_4_2,
							 &out) == 0);
		}
		EXPECT(p.audio.n <= WFD_MAX_AUDIO_CODECS && p.edid.blocks <= WFD_MAX_EDID_BLOCKS);
	}
}

int main(void)
{
	test_tv();
	test_dongle();
	test_frame_skipping();
	test_modes_and_m4();
	test_level_carries();
	test_roundtrip();
	test_names();
	test_malformed();
	test_random();
	if (fails)
		fprintf(stderr, "%d failures\n", fails);
	return fails ? 1 : 0;
}
