// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Wi-Fi Display R1 parameters: parse, write, resolution tables, M4 choice.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wfdparams.h"

/* The longest line we take: a four-block EDID in hex, with its name. */
#define WFD_MAX_LINE	1536

#define R(w, h, hz) { w, h, hz, false }
#define I(w, h, hz) { w, h, hz, true }

/* Bit order as in the WFD specification's tables 5-10, 5-11 and 5-12. */
static const struct wfd_resolution cea_modes[] = {
	R(640, 480, 60), R(720, 480, 60), I(720, 480, 60), R(720, 576, 50),
	I(720, 576, 50), R(1280, 720, 30), R(1280, 720, 60), R(1920, 1080, 30),
	R(1920, 1080, 60), I(1920, 1080, 60), R(1280, 720, 25), R(1280, 720, 50),
	R(1920, 1080, 25), R(1920, 1080, 50), I(1920, 1080, 50), R(1280, 720, 24),
	R(1920, 1080, 24),
};

static const struct wfd_resolution vesa_modes[] = {
	R(800, 600, 30), R(800, 600, 60), R(1024, 768, 30), R(1024, 768, 60),
	R(1152, 864, 30), R(1152, 864, 60), R(1280, 768, 30), R(1280, 768, 60),
	R(1280, 800, 30), R(1280, 800, 60), R(1360, 768, 30), R(1360, 768, 60),
	R(1366, 768, 30), R(1366, 768, 60), R(1280, 1024, 30), R(1280, 1024, 60),
	R(1400, 1050, 30), R(1400, 1050, 60), R(1440, 900, 30), R(1440, 900, 60),
	R(1600, 900, 30), R(1600, 900, 60), R(1600, 1200, 30), R(1600, 1200, 60),
	R(1680, 1024, 30), R(1680, 1024, 60), R(1680, 1050, 30), R(1680, 1050, 60),
	R(1920, 1200, 30), R(1920, 1200, 60),
};

static const struct wfd_resolution hh_modes[] = {
	R(800, 480, 30), R(800, 480, 60), R(854, 480, 30), R(854, 480, 60),
	R(864, 480, 30), R(864, 480, 60), R(640, 360, 30), R(640, 360, 60),
	R(960, 540, 30), R(960, 540, 60), R(848, 480, 30), R(848, 480, 60),
};

#undef R
#undef I

static const struct {
	const struct wfd_resolution *modes;
	unsigned int n;
	uint32_t mask;
} tables[WFD_NTABLES] = {
	[WFD_CEA] = { cea_modes, sizeof(cea_modes) / sizeof(cea_modes[0]), WFD_CEA_MASK },
	[WFD_VESA] = { vesa_modes, sizeof(vesa_modes) / sizeof(vesa_modes[0]), WFD_VESA_MASK },
	[WFD_HH] = { hh_modes, sizeof(hh_modes) / sizeof(hh_modes[0]), WFD_HH_MASK },
};

const struct wfd_resolution *wfd_resolution(enum wfd_res_table table, unsigned int bit)
{
	if ((unsigned int)table >= WFD_NTABLES || bit >= tables[table].n)
		return NULL;
	return &tables[table].modes[bit];
}

static const char *const param_names[WFD_P_COUNT] = {
	"wfd_video_formats", "wfd_audio_codecs", "wfd_client_rtp_ports",
	"wfd_display_edid", "wfd_idr_request_capability", "wfd_content_protection",
	"wfd_standby_resume_capability", "wfd_presentation_URL", "wfd_trigger_method",
	"wfd_idr_request", "wfd_standby",
};

/* Parameters that are a bare name, without ": value". */
#define WFD_P_FLAGS	(WFD_P_IDR_REQUEST | WFD_P_STANDBY)

const char *wfd_param_name(uint32_t p)
{
	for (unsigned int i = 0; i < WFD_P_COUNT; i++)
		if (p == 1u << i)
			return param_names[i];
	return NULL;
}

static int param_index(const char *name, size_t len)
{
	/* Sinks disagree on case ("wfd_presentation_url"): compare without it. */
	for (unsigned int i = 0; i < WFD_P_COUNT; i++)
		if (strlen(param_names[i]) == len && !strncasecmp(param_names[i], name, len))
			return (int)i;
	return -1;
}

/* A cursor over one value, with the field readers the grammar needs. */
struct cur {
	const char *s;
};

static void skip_ws(struct cur *c)
{
	while (*c->s == ' ' || *c->s == '\t')
		c->s++;
}

static bool word(struct cur *c, const char *w)
{
	size_t n = strlen(w);

	skip_ws(c);
	if (strncasecmp(c->s, w, n))
		return false;
	if (c->s[n] && c->s[n] != ' ' && c->s[n] != '\t' && c->s[n] != ',')
		return false;
	c->s += n;
	return true;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Exactly @digits hex digits, then a separator or the end. */
static bool hex(struct cur *c, unsigned int digits, uint32_t *v)
{
	uint32_t x = 0;

	skip_ws(c);
	for (unsigned int i = 0; i < digits; i++) {
		int h = hexval(c->s[i]);

		if (h < 0)
			return false;
		x = x << 4 | (uint32_t)h;
	}
	if (c->s[digits] && c->s[digits] != ' ' && c->s[digits] != '\t' &&
	    c->s[digits] != ',')
		return false;
	c->s += digits;
	*v = x;
	return true;
}

/* "none" or 4 hex digits. */
static bool hex4_or_none(struct cur *c, uint16_t *v)
{
	uint32_t x;

	if (word(c, "none")) {
		*v = 0;
		return true;
	}
	if (!hex(c, 4, &x))
		return false;
	*v = (uint16_t)x;
	return true;
}

static bool dec_port(struct cur *c, uint16_t *v)
{
	unsigned long x = 0;
	int n = 0;

	skip_ws(c);
	for (; *c->s >= '0' && *c->s <= '9'; c->s++, n++) {
		if (n == 5)
			return false;
		x = x * 10 + (unsigned long)(*c->s - '0');
	}
	if (!n || x > 65535 || (*c->s && *c->s != ' ' && *c->s != '\t'))
		return false;
	*v = (uint16_t)x;
	return true;
}

static bool at_end(struct cur *c)
{
	skip_ws(c);
	return !*c->s;
}

/*
 * After an item of a comma-separated list: 1 when another follows (the
 * comma is consumed), 0 at the end of the value, -1 on anything else.
 */
static int list_next(struct cur *c)
{
	if (at_end(c))
		return 0;
	if (*c->s != ',')
		return -1;
	c->s++;
	return 1;
}

static uint32_t mask_bits(uint32_t v, uint32_t mask, bool *masked)
{
	if (v & ~mask)
		*masked = true;
	return v & mask;
}

static bool parse_codec(struct cur *c, struct wfd_video_codec *vc, bool *masked)
{
	uint32_t prof, lev, lat, mss, sep, frc;

	if (!hex(c, 2, &prof) || !hex(c, 2, &lev) ||
	    !hex(c, 8, &vc->res[WFD_CEA]) || !hex(c, 8, &vc->res[WFD_VESA]) ||
	    !hex(c, 8, &vc->res[WFD_HH]) || !hex(c, 2, &lat) || !hex(c, 4, &mss) ||
	    !hex(c, 4, &sep) || !hex(c, 2, &frc))
		return false;
	/* Some sinks stop before max-hres/max-vres: take that as none. */
	skip_ws(c);
	if (*c->s && *c->s != ',') {
		if (!hex4_or_none(c, &vc->max_hres) || !hex4_or_none(c, &vc->max_vres))
			return false;
	}
	vc->profile = (uint8_t)mask_bits(prof, WFD_PROFILE_MASK, masked);
	vc->level = (uint8_t)mask_bits(lev, WFD_LEVEL_MASK, masked);
	for (int t = 0; t < WFD_NTABLES; t++)
		vc->res[t] = mask_bits(vc->res[t], tables[t].mask, masked);
	vc->latency = (uint8_t)lat;
	vc->min_slice_size = (uint16_t)mss;
	vc->slice_enc_params = (uint16_t)sep;
	vc->frame_rate_control = (uint8_t)frc;
	return true;
}

static bool parse_video(struct cur *c, struct wfd_video_formats *v, bool *masked)
{
	uint32_t native, pref;
	int more;

	memset(v, 0, sizeof(*v));
	if (word(c, "none")) {
		v->none = true;
		return at_end(c);
	}
	if (!hex(c, 2, &native) || !hex(c, 2, &pref))
		return false;
	v->native = (uint8_t)native;
	v->preferred_display_mode_supported = (uint8_t)pref;
	do {
		struct wfd_video_codec vc = { 0 };

		if (!parse_codec(c, &vc, masked))
			return false;
		/* An entry left without a profile, level or mode carries nothing. */
		if (!vc.profile || !vc.level ||
		    !(vc.res[WFD_CEA] | vc.res[WFD_VESA] | vc.res[WFD_HH]))
			*masked = true;
		else if (v->ncodecs < WFD_MAX_VIDEO_CODECS)
			v->codecs[v->ncodecs++] = vc;
		else
			*masked = true;
	} while ((more = list_next(c)) > 0);
	if (more < 0)
		return false;
	return v->ncodecs > 0;
}

static const char *const audio_names[] = { "LPCM", "AAC", "AC3" };
static const uint32_t audio_masks[] = { 0x3, 0xf, 0x7 };

static bool parse_audio(struct cur *c, struct wfd_audio_codecs *a, bool *masked)
{
	int more;

	memset(a, 0, sizeof(*a));
	if (word(c, "none"))
		return at_end(c);
	do {
		struct wfd_audio_codec ac = { 0 };
		uint32_t modes, lat;
		int f = -1;

		for (int i = 0; i < 3 && f < 0; i++)
			if (word(c, audio_names[i]))
				f = i;
		if (f < 0 || !hex(c, 8, &modes) || !hex(c, 2, &lat))
			return false;
		ac.format = (enum wfd_audio_format)f;
		ac.modes = mask_bits(modes, audio_masks[f], masked);
		ac.latency = (uint8_t)lat;
		if (!ac.modes || a->n == WFD_MAX_AUDIO_CODECS)
			*masked = true;
		else
			a->codecs[a->n++] = ac;
	} while ((more = list_next(c)) > 0);
	return more == 0;
}

static bool parse_rtp(struct cur *c, struct wfd_rtp_ports *r)
{
	memset(r, 0, sizeof(*r));
	if (word(c, "RTP/AVP/UDP;unicast"))
		r->tcp = false;
	else if (word(c, "RTP/AVP/TCP;unicast"))
		r->tcp = true;
	else
		return false;
	if (!dec_port(c, &r->port0) || !dec_port(c, &r->port1) || !word(c, "mode=play"))
		return false;
	return at_end(c);
}

static bool parse_edid(struct cur *c, struct wfd_edid *e)
{
	uint32_t blocks;

	memset(e, 0, sizeof(*e));
	if (word(c, "none"))
		return at_end(c);
	if (!hex(c, 4, &blocks))
		return false;
	skip_ws(c);
	/* "0000 none" is how some sinks say that they have none. */
	if (!blocks) {
		word(c, "none");
		return at_end(c);
	}
	if (blocks > WFD_MAX_EDID_BLOCKS)
		return false;
	for (unsigned int i = 0; i < blocks * 128; i++) {
		int hi = hexval(c->s[0]), lo = hi < 0 ? -1 : hexval(c->s[1]);

		if (lo < 0)
			return false;
		e->data[i] = (uint8_t)(hi << 4 | lo);
		c->s += 2;
	}
	e->blocks = blocks;
	return at_end(c);
}

static bool parse_cp(struct cur *c, struct wfd_content_protection *cp)
{
	memset(cp, 0, sizeof(*cp));
	if (word(c, "none"))
		return at_end(c);
	if (word(c, "HDCP2.0"))
		cp->hdcp = 20;
	else if (word(c, "HDCP2.1"))
		cp->hdcp = 21;
	else
		return false;
	skip_ws(c);
	if (strncasecmp(c->s, "port=", 5))
		return false;
	c->s += 5;
	return dec_port(c, &cp->port) && at_end(c);
}

static bool parse_url(struct cur *c, char *dst)
{
	size_t n = 0;

	skip_ws(c);
	while (c->s[n] && c->s[n] != ' ' && c->s[n] != '\t')
		n++;
	if (!n || n >= WFD_MAX_URL)
		return false;
	if (n == 4 && !strncasecmp(c->s, "none", 4))
		dst[0] = 0;
	else if (!strncasecmp(c->s, "rtsp://", 7)) {
		memcpy(dst, c->s, n);
		dst[n] = 0;
	} else {
		return false;
	}
	c->s += n;
	return true;
}

static const char *const trigger_names[] = { "SETUP", "PLAY", "PAUSE", "TEARDOWN" };

static bool parse_value(struct wfd_params *p, uint32_t bit, const char *value)
{
	struct cur c = { value };

	switch (bit) {
	case WFD_P_VIDEO_FORMATS:
		return parse_video(&c, &p->video, &p->masked);
	case WFD_P_AUDIO_CODECS:
		return parse_audio(&c, &p->audio, &p->masked);
	case WFD_P_CLIENT_RTP_PORTS:
		return parse_rtp(&c, &p->rtp);
	case WFD_P_DISPLAY_EDID:
		return parse_edid(&c, &p->edid);
	case WFD_P_IDR_REQUEST_CAPABILITY:
		if (word(&c, "1"))
			p->idr_request_capable = true;
		else if (word(&c, "0") || word(&c, "none"))
			p->idr_request_capable = false;
		else
			return false;
		return at_end(&c);
	case WFD_P_CONTENT_PROTECTION:
		return parse_cp(&c, &p->cp);
	case WFD_P_STANDBY_RESUME_CAPABILITY:
		if (word(&c, "supported"))
			p->standby_resume_capable = true;
		else if (word(&c, "none"))
			p->standby_resume_capable = false;
		else
			return false;
		return at_end(&c);
	case WFD_P_PRESENTATION_URL:
		return parse_url(&c, p->url0) && parse_url(&c, p->url1) && at_end(&c);
	case WFD_P_TRIGGER_METHOD:
		for (int i = 0; i < 4; i++) {
			if (word(&c, trigger_names[i])) {
				p->trigger = (enum wfd_trigger)i;
				return at_end(&c);
			}
		}
		return false;
	default:	/* the flags: a value after them is tolerated */
		return true;
	}
}

/* Call @fn for each line of @body, without its line end; stops on non-zero. */
static int each_line(const char *body, size_t len, void *ctx,
		     int (*fn)(void *ctx, const char *line, size_t n))
{
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(body + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (body + pos)) : len - pos;
		size_t next = pos + n + 1;
		int ret;

		if (n && body[pos + n - 1] == '\r')
			n--;
		ret = fn(ctx, body + pos, n);
		if (ret)
			return ret;
		pos = next;
	}
	return 0;
}

static int param_line(void *ctx, const char *line, size_t n)
{
	struct wfd_params *p = ctx;
	char buf[WFD_MAX_LINE + 1];
	const char *colon;
	size_t nl;
	int idx;

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
			return -EBADMSG;
	while (n && (*line == ' ' || *line == '\t'))
		line++, n--;
	if (!n)
		return 0;
	colon = memchr(line, ':', n);
	nl = colon ? (size_t)(colon - line) : n;
	while (nl && (line[nl - 1] == ' ' || line[nl - 1] == '\t'))
		nl--;
	idx = param_index(line, nl);
	if (idx < 0) {
		p->unknown++;
		return 0;
	}
	if ((1u << idx) & WFD_P_FLAGS) {
		p->present |= 1u << idx;
		return 0;
	}
	if (!colon || n - nl > WFD_MAX_LINE) {
		p->invalid |= 1u << idx;
		return 0;
	}
	memcpy(buf, colon + 1, n - (size_t)(colon + 1 - line));
	buf[n - (size_t)(colon + 1 - line)] = 0;
	if (parse_value(p, 1u << idx, buf)) {
		p->present |= 1u << idx;
		p->invalid &= ~(1u << idx);
	} else {
		p->present &= ~(1u << idx);
		p->invalid |= 1u << idx;
	}
	return 0;
}

int wfd_params_parse(const char *body, size_t len, struct wfd_params *p)
{
	memset(p, 0, sizeof(*p));
	return each_line(body, len, p, param_line);
}

struct names_ctx {
	uint32_t *names;
	int count;
};

static int name_line(void *ctx, const char *line, size_t n)
{
	struct names_ctx *nc = ctx;
	int idx;

	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	while (n && (*line == ' ' || *line == '\t'))
		line++, n--;
	if (!n)
		return 0;
	nc->count++;
	idx = param_index(line, n);
	if (idx >= 0)
		*nc->names |= 1u << idx;
	return 0;
}

int wfd_params_parse_names(const char *body, size_t len, uint32_t *names)
{
	struct names_ctx nc = { names, 0 };

	*names = 0;
	each_line(body, len, &nc, name_line);
	return nc.count;
}

struct wbuf {
	char *buf;
	size_t size, len;
	bool overflow;
};

static void __attribute__((format(printf, 2, 3)))
wprintf_(struct wbuf *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->len, w->size - w->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->size - w->len)
		w->overflow = true;
	else
		w->len += (size_t)n;
}

static void write_hex4_or_none(struct wbuf *w, uint16_t v)
{
	if (v)
		wprintf_(w, " %04x", v);
	else
		wprintf_(w, " none");
}

static void write_value(struct wbuf *w, const struct wfd_params *p, uint32_t bit)
{
	switch (bit) {
	case WFD_P_VIDEO_FORMATS:
		if (p->video.none) {
			wprintf_(w, "none");
			break;
		}
		wprintf_(w, "%02x %02x", p->video.native, p->video.preferred_display_mode_supported);
		for (unsigned int i = 0; i < p->video.ncodecs; i++) {
			const struct wfd_video_codec *vc = &p->video.codecs[i];

			wprintf_(w, "%s %02x %02x %08x %08x %08x %02x %04x %04x %02x", i ? "," : "",
				 vc->profile, vc->level, vc->res[WFD_CEA], vc->res[WFD_VESA],
				 vc->res[WFD_HH], vc->latency, vc->min_slice_size,
				 vc->slice_enc_params, vc->frame_rate_control);
			write_hex4_or_none(w, vc->max_hres);
			write_hex4_or_none(w, vc->max_vres);
		}
		break;
	case WFD_P_AUDIO_CODECS:
		if (!p->audio.n)
			wprintf_(w, "none");
		for (unsigned int i = 0; i < p->audio.n; i++)
			wprintf_(w, "%s%s %08x %02x", i ? ", " : "",
				 audio_names[p->audio.codecs[i].format],
				 p->audio.codecs[i].modes, p->audio.codecs[i].latency);
		break;
	case WFD_P_CLIENT_RTP_PORTS:
		wprintf_(w, "RTP/AVP/%s;unicast %u %u mode=play", p->rtp.tcp ? "TCP" : "UDP",
			 p->rtp.port0, p->rtp.port1);
		break;
	case WFD_P_DISPLAY_EDID:
		if (!p->edid.blocks) {
			wprintf_(w, "none");
			break;
		}
		wprintf_(w, "%04x ", p->edid.blocks);
		for (unsigned int i = 0; i < p->edid.blocks * 128; i++)
			wprintf_(w, "%02x", p->edid.data[i]);
		break;
	case WFD_P_IDR_REQUEST_CAPABILITY:
		wprintf_(w, "%d", p->idr_request_capable);
		break;
	case WFD_P_CONTENT_PROTECTION:
		if (p->cp.hdcp)
			wprintf_(w, "HDCP2.%u port=%u", p->cp.hdcp % 10, p->cp.port);
		else
			wprintf_(w, "none");
		break;
	case WFD_P_STANDBY_RESUME_CAPABILITY:
		wprintf_(w, "%s", p->standby_resume_capable ? "supported" : "none");
		break;
	case WFD_P_PRESENTATION_URL:
		wprintf_(w, "%s %s", p->url0[0] ? p->url0 : "none", p->url1[0] ? p->url1 : "none");
		break;
	case WFD_P_TRIGGER_METHOD:
		wprintf_(w, "%s", trigger_names[p->trigger]);
		break;
	}
}

int wfd_params_write(const struct wfd_params *p, uint32_t which, char *buf, size_t size)
{
	struct wbuf w = { buf, size, 0, !size };

	which &= p->present;
	for (unsigned int i = 0; i < WFD_P_COUNT; i++) {
		uint32_t bit = 1u << i;

		if (!(which & bit))
			continue;
		if (bit & WFD_P_FLAGS) {
			wprintf_(&w, "%s\r\n", param_names[i]);
			continue;
		}
		wprintf_(&w, "%s: ", param_names[i]);
		write_value(&w, p, bit);
		wprintf_(&w, "\r\n");
	}
	if (!w.overflow && !w.len && size)
		buf[0] = 0;
	return w.overflow ? -ENOSPC : (int)w.len;
}

int wfd_params_write_names(uint32_t which, char *buf, size_t size)
{
	struct wbuf w = { buf, size, 0, !size };

	for (unsigned int i = 0; i < WFD_P_COUNT; i++)
		if (which & (1u << i))
			wprintf_(&w, "%s\r\n", param_names[i]);
	if (!w.overflow && !w.len && size)
		buf[0] = 0;
	return w.overflow ? -ENOSPC : (int)w.len;
}

static uint8_t top_bit(uint8_t v)
{
	uint8_t b = 0;

	while (v >>= 1)
		b++;
	return (uint8_t)(1u << b);
}

bool wfd_level_carries(uint8_t level, unsigned int w, unsigned int h, unsigned int hz)
{
	/* MaxFS (macroblocks) and MaxMBPS of levels 3.1, 3.2, 4, 4.1, 4.2. */
	static const uint32_t max_fs[] = { 3600, 5120, 8192, 8192, 8704 };
	static const uint32_t max_mbps[] = { 108000, 216000, 245760, 245760, 522240 };
	uint64_t mbs = (uint64_t)((w + 15) / 16) * ((h + 15) / 16);
	unsigned int i = 0;

	level &= WFD_LEVEL_MASK;
	if (!level)
		return false;
	for (uint8_t b = top_bit(level); b > 1; b >>= 1)
		i++;
	/* Neither side may exceed sqrt(8 * MaxFS) macroblocks either. */
	if ((uint64_t)((w + 15) / 16) * ((w + 15) / 16) > 8ull * max_fs[i] ||
	    (uint64_t)((h + 15) / 16) * ((h + 15) / 16) > 8ull * max_fs[i])
		return false;
	return mbs <= max_fs[i] && mbs * hz <= max_mbps[i];
}

/* The level M4 names for codec entry @vc: the sink's, capped by ours. */
static uint8_t entry_level(const struct wfd_video_codec *vc, uint8_t max_level)
{
	uint8_t lev = top_bit(vc->level);

	return lev > max_level ? top_bit(max_level) : lev;
}

/* Whether @vc, as the source can use it, carries mode @r. */
static bool entry_carries(const struct wfd_video_codec *vc, const struct wfd_resolution *r,
			  uint8_t profiles, uint8_t max_level)
{
	if (r->interlaced || r->hz > 60 || !(vc->profile & profiles) || !max_level)
		return false;
	if ((vc->max_hres && r->width > vc->max_hres) ||
	    (vc->max_vres && r->height > vc->max_vres))
		return false;
	return wfd_level_carries(entry_level(vc, max_level), r->width, r->height, r->hz);
}

static uint64_t score(const struct wfd_mode *m)
{
	return (uint64_t)m->width * m->height * m->refresh_hz;
}

static int cmp_modes(const void *a, const void *b)
{
	uint64_t sa = score(a), sb = score(b);

	return sa < sb ? 1 : sa > sb ? -1 : 0;
}

size_t wfd_video_modes_for(const struct wfd_video_formats *v, unsigned int max_w,
			   unsigned int max_h, uint8_t profiles, uint8_t max_level,
			   struct wfd_mode *modes, size_t n)
{
	const struct wfd_resolution *native;
	struct wfd_mode all[96];
	size_t count = 0, out = 0;
	int native_at = -1;

	if (v->none)
		return 0;
	native = wfd_resolution((enum wfd_res_table)(v->native & 7), v->native >> 3);
	for (unsigned int i = 0; i < v->ncodecs; i++) {
		const struct wfd_video_codec *vc = &v->codecs[i];

		for (int t = 0; t < WFD_NTABLES; t++) {
			for (unsigned int b = 0; b < tables[t].n; b++) {
				const struct wfd_resolution *r = &tables[t].modes[b];
				struct wfd_mode m = { r->width, r->height, r->hz };
				size_t k;

				if (!(vc->res[t] & (1u << b)) || r->width > max_w ||
				    r->height > max_h || !entry_carries(vc, r, profiles, max_level))
					continue;
				for (k = 0; k < count; k++)
					if (!memcmp(&all[k], &m, sizeof(m)))
						break;
				if (k == count && count < sizeof(all) / sizeof(all[0]))
					all[count++] = m;
			}
		}
	}
	qsort(all, count, sizeof(all[0]), cmp_modes);
	/* The sink's native mode first: it becomes the preferred mode. */
	for (size_t k = 0; native && k < count; k++)
		if (all[k].width == native->width && all[k].height == native->height &&
		    all[k].refresh_hz == native->hz)
			native_at = (int)k;
	if (native_at >= 0 && n)
		modes[out++] = all[native_at];
	for (size_t k = 0; k < count && out < n; k++)
		if ((int)k != native_at)
			modes[out++] = all[k];
	return out;
}

size_t wfd_video_modes(const struct wfd_video_formats *v, unsigned int max_w,
		       unsigned int max_h, struct wfd_mode *modes, size_t n)
{
	return wfd_video_modes_for(v, max_w, max_h, WFD_PROFILE_MASK, WFD_LEVEL_4_2, modes, n);
}

/* Rank of profile bit @prof: preferred ones first, then High before Baseline. */
static unsigned int profile_rank(uint8_t prof, uint8_t prefer)
{
	return (prof & prefer ? 4u : 0u) + prof;
}

int wfd_choose_format(const struct wfd_video_formats *sink, unsigned int w,
		      unsigned int h, unsigned int hz, uint8_t profiles, uint8_t prefer,
		      uint8_t max_level, struct wfd_video_formats *out)
{
	const struct wfd_video_codec *best = NULL;
	uint8_t best_profile = 0, best_level = 0;
	int best_t = -1;
	unsigned int best_b = 0;

	if (sink->none)
		return -ENOENT;
	for (unsigned int i = 0; i < sink->ncodecs; i++) {
		const struct wfd_video_codec *vc = &sink->codecs[i];
		uint8_t lev = entry_level(vc, max_level);

		for (int t = 0; t < WFD_NTABLES; t++) {
			for (unsigned int b = 0; b < tables[t].n; b++) {
				const struct wfd_resolution *r = &tables[t].modes[b];

				if (!(vc->res[t] & (1u << b)) || r->width != w || r->height != h ||
				    r->hz != hz || !entry_carries(vc, r, profiles, max_level))
					continue;
				for (uint8_t prof = WFD_PROFILE_CBP; prof & WFD_PROFILE_MASK;
				     prof <<= 1) {
					unsigned int rank = profile_rank(prof, prefer);
					unsigned int best_rank = profile_rank(best_profile, prefer);

					if (!(prof & vc->profile & profiles))
						continue;
					if (!best || rank > best_rank ||
					    (rank == best_rank && lev > best_level)) {
						best = vc;
						best_profile = prof;
						best_level = lev;
						best_t = t;
						best_b = b;
					}
				}
			}
		}
	}
	if (!best)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->ncodecs = 1;
	out->codecs[0] = *best;
	out->codecs[0].profile = best_profile;
	out->codecs[0].level = best_level;
	for (int t = 0; t < WFD_NTABLES; t++)
		out->codecs[0].res[t] = t == best_t ? 1u << best_b : 0;
	/*
	 * M4 describes our stream: no slicing, and the sink's limits do not
	 * belong there.  Frame skipping where the sink takes it (bit 0, the
	 * longest gap in bits 3:1): what a static picture gets; no dynamic
	 * frame rate change (bit 4).
	 */
	out->codecs[0].latency = 0;
	out->codecs[0].min_slice_size = 0;
	out->codecs[0].slice_enc_params = 0;
	out->codecs[0].frame_rate_control = best->frame_rate_control & WFD_FRC_SKIPPING ?
					    best->frame_rate_control & 0x0f : 0;
	out->codecs[0].max_hres = 0;
	out->codecs[0].max_vres = 0;
	return 0;
}

unsigned int wfd_level_max_kbps(uint8_t level, uint8_t profile)
{
	unsigned int kbps;

	switch (top_bit(level)) {
	case WFD_LEVEL_3_1: kbps = 14000; break;
	case WFD_LEVEL_3_2:
	case WFD_LEVEL_4: kbps = 20000; break;
	default: kbps = 50000; break;
	}
	return profile & WFD_PROFILE_CHP ? kbps * 5 / 4 : kbps;
}

int wfd_level_idc(uint8_t level)
{
	level &= WFD_LEVEL_MASK;
	if (!level)
		return 0;
	switch (top_bit(level)) {
	case WFD_LEVEL_3_1: return 31;
	case WFD_LEVEL_3_2: return 32;
	case WFD_LEVEL_4: return 40;
	case WFD_LEVEL_4_1: return 41;
	case WFD_LEVEL_4_2: return 42;
	default: return 0;
	}
}

int wfd_choose_audio(const struct wfd_audio_codecs *sink, struct wfd_audio_codecs *out)
{
	for (unsigned int i = 0; i < sink->n; i++) {
		if (sink->codecs[i].format == WFD_AUDIO_LPCM &&
		    (sink->codecs[i].modes & WFD_LPCM_48K_16_2CH)) {
			memset(out, 0, sizeof(*out));
			out->n = 1;
			out->codecs[0].format = WFD_AUDIO_LPCM;
			out->codecs[0].modes = WFD_LPCM_48K_16_2CH;
			return 0;
		}
	}
	return -ENOENT;
}

int wfd_choose_audio_from(const struct wfd_audio_codecs *sink, unsigned int allow,
			  struct wfd_audio_codecs *out)
{
	if ((allow & 1u << WFD_AUDIO_LPCM) && !wfd_choose_audio(sink, out))
		return 0;
	if (!(allow & 1u << WFD_AUDIO_AAC))
		return -ENOENT;
	for (unsigned int i = 0; i < sink->n; i++) {
		if (sink->codecs[i].format == WFD_AUDIO_AAC &&
		    (sink->codecs[i].modes & WFD_AAC_48K_16_2CH)) {
			memset(out, 0, sizeof(*out));
			out->n = 1;
			out->codecs[0].format = WFD_AUDIO_AAC;
			out->codecs[0].modes = WFD_AAC_48K_16_2CH;
			return 0;
		}
	}
	return -ENOENT;
}
