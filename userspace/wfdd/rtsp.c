// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RTSP/1.0 (RFC 2326) message parser and writer, for Wi-Fi Display.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rtsp.h"

/* The header section (start line to blank line) may take this much. */
#define RTSP_MAX_HEAD	(RTSP_MAX_MESSAGE - RTSP_MAX_BODY)

void rtsp_parser_init(struct rtsp_parser *p)
{
	p->len = 0;
	p->whole = 0;
}

int rtsp_parser_feed(struct rtsp_parser *p, const void *data, size_t len)
{
	if (len > sizeof(p->buf) - p->len)
		return -EMSGSIZE;
	memcpy(p->buf + p->len, data, len);
	p->len += len;
	return 0;
}

size_t rtsp_parser_take(struct rtsp_parser *p, const void *data, size_t len)
{
	size_t room = sizeof(p->buf) - p->len;

	if (len > room)
		len = room;
	memcpy(p->buf + p->len, data, len);
	p->len += len;
	return len;
}

size_t rtsp_parser_needed(const struct rtsp_parser *p)
{
	return p->whole > p->len ? p->whole - p->len : 0;
}

static void consume(struct rtsp_parser *p, size_t n)
{
	memmove(p->buf, p->buf + n, p->len - n);
	p->len -= n;
	p->whole = 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = 0;
	return s;
}

/* A decimal number of at most 9 digits, or -1. */
static long parse_uint(const char *s)
{
	long v = 0;
	int n = 0;

	for (; *s >= '0' && *s <= '9'; s++, n++) {
		if (n == 9)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return n && !*s ? v : -1;
}

/* A method, URI or header name: printable ASCII, no space; @colon allowed? */
static bool token_ok(const char *s, bool colon)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s >= 0x7f || (*s == ':' && !colon))
			return false;
	return true;
}

static int parse_start_line(struct rtsp_msg *m, char *line)
{
	char *sp1, *sp2;

	if (!strncmp(line, "RTSP/1.0 ", 9)) {
		char *code = line + 9;

		m->request = false;
		if (code[0] < '1' || code[0] > '5' || code[1] < '0' || code[1] > '9' ||
		    code[2] < '0' || code[2] > '9' || (code[3] && code[3] != ' '))
			return -EBADMSG;
		m->status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
		m->reason = code[3] ? trim(code + 4) : "";
		return 0;
	}
	sp1 = strchr(line, ' ');
	if (!sp1)
		return -EBADMSG;
	*sp1++ = 0;
	sp2 = strchr(sp1, ' ');
	if (!sp2 || strcmp(sp2 + 1, "RTSP/1.0"))
		return -EBADMSG;
	*sp2 = 0;
	if (!token_ok(line, false) || !token_ok(sp1, true))
		return -EBADMSG;
	m->request = true;
	m->method = line;
	m->uri = sp1;
	return 0;
}

int rtsp_parser_next(struct rtsp_parser *p, struct rtsp_msg *m)
{
	size_t pos = 0, head_end = 0, body_len = 0, out = 0;
	bool have_len = false;
	int err = 0;
	char *line, *next;

	/* A body still on its way: the header section is not parsed again. */
	if (p->whole > p->len)
		return 0;
	/* Blank lines between messages are allowed (RFC 2326 §4). */
	while (pos < p->len && (p->buf[pos] == '\r' || p->buf[pos] == '\n'))
		pos++;
	consume(p, pos);

	/* Find the blank line that ends the header section. */
	for (pos = 0;;) {
		const char *nl = memchr(p->buf + pos, '\n', p->len - pos);
		size_t ll;

		if (!nl) {
			if (p->len - pos > RTSP_MAX_LINE + 1 || p->len >= RTSP_MAX_HEAD)
				return -EMSGSIZE;
			return 0;
		}
		ll = (size_t)(nl - (p->buf + pos));
		if (ll > RTSP_MAX_LINE + 1)
			return -EMSGSIZE;
		pos += ll + 1;
		if (pos > RTSP_MAX_HEAD)
			return -EMSGSIZE;
		if (ll == 0 || (ll == 1 && p->buf[pos - 2] == '\r')) {
			head_end = pos;
			break;
		}
	}

	memset(m, 0, offsetof(struct rtsp_msg, text));
	m->cseq = -1;
	/* Copy the header section with each line end turned into one NUL. */
	for (pos = 0; pos < head_end; pos++) {
		char c = p->buf[pos];

		if (c == '\n') {
			if (out && m->text[out - 1] == '\r')
				out--;
			m->text[out++] = 0;
		} else {
			/* A NUL would cut a line short and hide what follows. */
			if (!c)
				err = -EBADMSG;
			m->text[out++] = c;
		}
	}

	/* The start line is cut up in place: find the headers first. */
	next = m->text + strlen(m->text) + 1;
	if (!err)
		err = parse_start_line(m, m->text);
	for (line = next; *line; line = next) {
		char *colon = strchr(line, ':'), *name, *value;

		next = line + strlen(line) + 1;

		if (!colon) {
			err = err ? err : -EBADMSG;
			continue;
		}
		*colon = 0;
		name = line;
		value = trim(colon + 1);
		if (!token_ok(name, false)) {
			err = err ? err : -EBADMSG;
			continue;
		}
		if (!strcasecmp(name, "Content-Length")) {
			long v = parse_uint(value);

			/* The stream cannot be framed past a bad length. */
			if (v < 0 || (have_len && (size_t)v != body_len))
				return -EPROTO;
			if (v > RTSP_MAX_BODY)
				return -EMSGSIZE;
			body_len = (size_t)v;
			have_len = true;
		} else if (!strcasecmp(name, "CSeq")) {
			m->cseq = parse_uint(value);
		}
		if (m->nheaders == RTSP_MAX_HEADERS) {
			err = err ? err : -EBADMSG;
			continue;
		}
		m->headers[m->nheaders].name = name;
		m->headers[m->nheaders].value = value;
		m->nheaders++;
	}

	if (p->len - head_end < body_len) {
		/* Parsed once more when the whole body is in. */
		p->whole = head_end + body_len;
		return 0;
	}
	memcpy(m->text + out, p->buf + head_end, body_len);
	m->text[out + body_len] = 0;
	m->body = m->text + out;
	m->body_len = body_len;
	consume(p, head_end + body_len);
	return err ? err : 1;
}

const char *rtsp_header(const struct rtsp_msg *m, const char *name)
{
	for (unsigned int i = 0; i < m->nheaders; i++)
		if (!strcasecmp(m->headers[i].name, name))
			return m->headers[i].value;
	return NULL;
}

static void out_vprintf(struct rtsp_out *o, const char *fmt, va_list ap)
{
	int n;

	if (o->overflow)
		return;
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->overflow = true;
	else
		o->len += (size_t)n;
}

static void __attribute__((format(printf, 2, 3)))
out_printf(struct rtsp_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_vprintf(o, fmt, ap);
	va_end(ap);
}

static void out_init(struct rtsp_out *o, char *buf, size_t cap)
{
	o->buf = buf;
	o->cap = cap;
	o->len = 0;
	o->overflow = !cap;
}

void rtsp_out_request(struct rtsp_out *o, char *buf, size_t cap,
		      const char *method, const char *uri, long cseq)
{
	out_init(o, buf, cap);
	out_printf(o, "%s %s RTSP/1.0\r\nCSeq: %ld\r\n", method, uri, cseq);
}

void rtsp_out_response(struct rtsp_out *o, char *buf, size_t cap,
		       int status, long cseq)
{
	out_init(o, buf, cap);
	out_printf(o, "RTSP/1.0 %d %s\r\n", status, rtsp_reason(status));
	/* A reply to a message without a usable CSeq carries none. */
	if (cseq >= 0)
		out_printf(o, "CSeq: %ld\r\n", cseq);
}

void rtsp_out_header(struct rtsp_out *o, const char *name, const char *fmt, ...)
{
	va_list ap;

	out_printf(o, "%s: ", name);
	va_start(ap, fmt);
	out_vprintf(o, fmt, ap);
	va_end(ap);
	out_printf(o, "\r\n");
}

int rtsp_out_end(struct rtsp_out *o, const char *content_type,
		 const char *body, size_t body_len)
{
	if (body_len) {
		out_printf(o, "Content-Type: %s\r\n", content_type);
		out_printf(o, "Content-Length: %zu\r\n\r\n", body_len);
		if (!o->overflow && body_len < o->cap - o->len) {
			memcpy(o->buf + o->len, body, body_len);
			o->len += body_len;
			o->buf[o->len] = 0;
		} else {
			o->overflow = true;
		}
	} else {
		out_printf(o, "\r\n");
	}
	return o->overflow ? -ENOSPC : (int)o->len;
}

const char *rtsp_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 451: return "Parameter Not Understood";
	case 454: return "Session Not Found";
	case 455: return "Method Not Valid in This State";
	case 457: return "Invalid Range";
	case 461: return "Unsupported Transport";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "RTSP Version Not Supported";
	default: return "Unknown";
	}
}
