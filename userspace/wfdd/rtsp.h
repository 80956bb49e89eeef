/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RTSP/1.0 messages as Wi-Fi Display uses them: an incremental parser fed
 * from a byte stream and a writer.  Sizes are bounded; nothing here does
 * I/O or allocates.
 */
#ifndef WFDD_RTSP_H
#define WFDD_RTSP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Limits.  A message with a longer line, more headers or a larger body is
 * refused as a whole: the stream cannot be re-framed after it.  The body
 * limit leaves room for a four-block wfd_display_edid in hex.
 */
#define RTSP_MAX_LINE		1024
#define RTSP_MAX_HEADERS	32
#define RTSP_MAX_BODY		4096
#define RTSP_MAX_MESSAGE	(8192 + RTSP_MAX_BODY)

struct rtsp_header {
	const char *name, *value;
};

struct rtsp_msg {
	bool request;
	/* Request line. */
	const char *method, *uri;
	/* Status line. */
	int status;
	const char *reason;
	/* CSeq, or -1 when absent or not a number. */
	long cseq;
	struct rtsp_header headers[RTSP_MAX_HEADERS];
	unsigned int nheaders;
	const char *body;	/* NUL-terminated, body_len bytes */
	size_t body_len;
	/* The strings above point in here. */
	char text[RTSP_MAX_MESSAGE + 1];
};

struct rtsp_parser {
	char buf[RTSP_MAX_MESSAGE];
	size_t len;
	/*
	 * Once a message's header section is complete, its whole length:
	 * it is not parsed again until that much is in.  0 otherwise.
	 */
	size_t whole;
};

void rtsp_parser_init(struct rtsp_parser *p);

/*
 * Append @len bytes from the stream.  Returns 0, or -EMSGSIZE when they
 * do not fit: the peer sends messages larger than the limits (or no
 * message boundary at all).
 */
int rtsp_parser_feed(struct rtsp_parser *p, const void *data, size_t len);

/*
 * Append what fits of @len bytes; returns how many were taken.  A
 * complete message always fits in an empty buffer, so a caller that takes
 * out every complete message (rtsp_parser_next()) before the next call
 * never loses a legal stream, however much it reads at once.
 */
size_t rtsp_parser_take(struct rtsp_parser *p, const void *data, size_t len);

/*
 * How many more bytes the message at the head of the buffer needs, once
 * its header section is complete (the rest of its body); 0 when that is
 * not known yet.
 */
size_t rtsp_parser_needed(const struct rtsp_parser *p);

/*
 * Take the next complete message out of the buffer.  Returns 1 with @m
 * filled, 0 when more bytes are needed, or a negative errno when the
 * stream cannot be framed any more (-EMSGSIZE: over-long line, message or
 * body; -EBADMSG: a bad Content-Length or start line).  Lines may end in
 * CRLF or a bare LF.  Header names compare without case.
 */
int rtsp_parser_next(struct rtsp_parser *p, struct rtsp_msg *m);

/* Value of header @name (any case), or NULL. */
const char *rtsp_header(const struct rtsp_msg *m, const char *name);

/*
 * Writer: build a message into a caller's buffer.  Overflow is sticky
 * and reported once by rtsp_out_end().
 */
struct rtsp_out {
	char *buf;
	size_t cap, len;
	bool overflow;
};

void rtsp_out_request(struct rtsp_out *o, char *buf, size_t cap,
		      const char *method, const char *uri, long cseq);
void rtsp_out_response(struct rtsp_out *o, char *buf, size_t cap,
		       int status, long cseq);
void rtsp_out_header(struct rtsp_out *o, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Finish with @body (may be NULL): adds Content-Type when there is a body,
 * Content-Length and the blank line.  Returns the length, or -ENOSPC.
 */
int rtsp_out_end(struct rtsp_out *o, const char *content_type,
		 const char *body, size_t body_len);

/* Reason phrase of a status code ("Unknown" for codes we never send). */
const char *rtsp_reason(int status);

#endif
