// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RTSP parser and writer: framing, limits, quirks, and a randomized
 * robustness run (garbage, truncation, arbitrary splits of the stream).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtsp.h"

static int fails;
#define EXPECT(c) do { if (!(c)) { fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); fails++; } } while (0)

static struct rtsp_parser p;
static struct rtsp_msg m;

static int feed_str(const char *s)
{
	return rtsp_parser_feed(&p, s, strlen(s));
}

static void test_request_crlf(void)
{
	rtsp_parser_init(&p);
	EXPECT(feed_str("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nRequire: org.wfa.wfd1.0\r\n\r\n") == 0);
	EXPECT(rtsp_parser_next(&p, &m) == 1);
	EXPECT(m.request && !strcmp(m.method, "OPTIONS") && !strcmp(m.uri, "*"));
	EXPECT(m.cseq == 1 && m.nheaders == 2 && m.body_len == 0);
	EXPECT(!strcmp(rtsp_header(&m, "require"), "org.wfa.wfd1.0"));
	EXPECT(rtsp_header(&m, "Session") == NULL);
	EXPECT(rtsp_parser_next(&p, &m) == 0 && p.len == 0);
}

/* A reply with a body, split at every byte, then with bare LF line ends. */
static void test_response_split(void)
{
	static const char msg[] =
		"RTSP/1.0 200 OK\r\ncseq:   3 \r\nContent-Type: text/parameters\r\n"
		"content-length: 45\r\n\r\n"
		"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 1\r\n";
	char lf[sizeof(msg)];
	size_t j = 0;

	EXPECT(strlen(msg) - (strstr(msg, "\r\n\r\n") + 4 - msg) == 45);
	rtsp_parser_init(&p);
	for (size_t i = 0; i < strlen(msg); i++) {
		EXPECT(rtsp_parser_feed(&p, msg + i, 1) == 0);
		EXPECT(rtsp_parser_next(&p, &m) == (i == strlen(msg) - 1));
	}
	EXPECT(!m.request && m.status == 200 && !strcmp(m.reason, "OK") && m.cseq == 3);
	EXPECT(m.body_len == 45 && !strncmp(m.body, "wfd_client", 10) && m.body[45] == 0);

	/* Bare LF in the header section; the body keeps its bytes. */
	for (size_t i = 0; msg + i < strstr(msg, "\r\n\r\n") + 4; i++)
		if (msg[i] != '\r')
			lf[j++] = msg[i];
	strcpy(lf + j, strstr(msg, "\r\n\r\n") + 4);
	rtsp_parser_init(&p);
	EXPECT(feed_str(lf) == 0);
	EXPECT(rtsp_parser_next(&p, &m) == 1 && m.cseq == 3 && m.body_len == 45);
	EXPECT(!strcmp(rtsp_header(&m, "CONTENT-TYPE"), "text/parameters"));
}

/* Two messages in one read, stray blank lines between them. */
static void test_pipelined(void)
{
	rtsp_parser_init(&p);
	EXPECT(feed_str("RTSP/1.0 200 OK\r\nCSeq: 7\r\n\r\n\r\n\r\n"
			"SET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 2\r\n"
			"Content-Length: 17\r\n\r\nwfd_idr_request\r\n") == 0);
	EXPECT(rtsp_parser_next(&p, &m) == 1 && !m.request && m.cseq == 7);
	EXPECT(rtsp_parser_next(&p, &m) == 1 && m.request && m.cseq == 2);
	EXPECT(!strcmp(m.method, "SET_PARAMETER") && m.body_len == 17);
	EXPECT(rtsp_parser_next(&p, &m) == 0);
}

/*
 * A complete header section with its body still coming is parsed once:
 * the parser knows how much is missing and waits for it.
 */
static void test_body_waits(void)
{
	static const char head[] = "SET_PARAMETER rtsp://x/wfd1.0 RTSP/1.0\r\nCSeq: 4\r\n"
				   "Content-Length: 4000\r\n\r\n";
	char body[4000];

	memset(body, 'x', sizeof(body));
	rtsp_parser_init(&p);
	EXPECT(rtsp_parser_needed(&p) == 0);
	EXPECT(feed_str(head) == 0);
	EXPECT(rtsp_parser_next(&p, &m) == 0);
	EXPECT(rtsp_parser_needed(&p) == 4000);
	for (size_t i = 0; i < sizeof(body) - 1; i++) {
		EXPECT(rtsp_parser_feed(&p, body + i, 1) == 0);
		EXPECT(rtsp_parser_next(&p, &m) == 0);
	}
	EXPECT(rtsp_parser_needed(&p) == 1);
	EXPECT(rtsp_parser_feed(&p, body, 1) == 0);
	EXPECT(rtsp_parser_next(&p, &m) == 1 && m.cseq == 4 && m.body_len == 4000);
	EXPECT(rtsp_parser_needed(&p) == 0 && p.len == 0);
}

/*
 * A legal pipelined burst far larger than the buffer, in one read: taken
 * piecewise and drained as it goes, every message comes out.
 */
static void test_take_burst(void)
{
	static const char one[] = "SET_PARAMETER rtsp://x/wfd1.0 RTSP/1.0\r\nCSeq: 9\r\n"
				  "Session: 12345678\r\nContent-Length: 17\r\n\r\nwfd_idr_request\r\n";
	static char burst[40 * 1024];
	size_t len = 0, pos = 0;
	int count = 0, r;

	while (len + sizeof(one) - 1 <= sizeof(burst)) {
		memcpy(burst + len, one, sizeof(one) - 1);
		len += sizeof(one) - 1;
	}
	EXPECT(len > 2 * RTSP_MAX_MESSAGE);
	rtsp_parser_init(&p);
	/* Feeding it whole cannot work: it does not fit. */
	EXPECT(rtsp_parser_feed(&p, burst, len) == -EMSGSIZE);
	while (pos < len) {
		size_t n = rtsp_parser_take(&p, burst + pos, len - pos);

		EXPECT(n > 0);
		if (!n)
			break;
		pos += n;
		while ((r = rtsp_parser_next(&p, &m)) == 1)
			count++;
		EXPECT(r == 0);
	}
	EXPECT(count == (int)(len / (sizeof(one) - 1)));
}

static void test_bad(void)
{
	static const char nul[] = "OPTIONS * RTSP/1.0\r\nCSeq: 1\0x\r\n\r\n";
	char big[RTSP_MAX_LINE + 64];

	/* A bad start line is skipped, and the next message still parses. */
	rtsp_parser_init(&p);
	EXPECT(feed_str("HELLO\r\nCSeq: 4\r\n\r\nOPTIONS * RTSP/1.0\r\nCSeq: 5\r\n\r\n") == 0);
	EXPECT(rtsp_parser_next(&p, &m) == -EBADMSG);
	EXPECT(rtsp_parser_next(&p, &m) == 1 && m.cseq == 5);

	/* Wrong version, bad status code, header without colon. */
	rtsp_parser_init(&p);
	EXPECT(feed_str("OPTIONS * HTTP/1.1\r\n\r\nRTSP/1.0 2x0 OK\r\n\r\n"
			"RTSP/1.0 200 OK\r\nno colon here\r\nCSeq: 9\r\n\r\n") == 0);
	EXPECT(rtsp_parser_next(&p, &m) == -EBADMSG);
	EXPECT(rtsp_parser_next(&p, &m) == -EBADMSG);
	EXPECT(rtsp_parser_next(&p, &m) == -EBADMSG);
	EXPECT(p.len == 0);

	/* A body behind a bad message is consumed with it. */
	rtsp_parser_init(&p);
	EXPECT(feed_str("BAD\r\nContent-Length: 5\r\n\r\nxxxxxOPTIONS * RTSP/1.0\r\n\r\n") == 0);
	EXPECT(rtsp_parser_next(&p, &m) == -EBADMSG);
	EXPECT(rtsp_parser_next(&p, &m) == 1 && m.cseq == -1);

	/* Content-Length that cannot frame the stream. */
	rtsp_parser_init(&p);
	EXPECT(feed_str("RTSP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n") == 0);
	EXPECT(rtsp_parser_next(&p, &m) == -EPROTO);
	rtsp_parser_init(&p);
	EXPECT(feed_str("RTSP/1.0 200 OK\r\nContent-Length: 99999999999\r\n\r\n") == 0);
	EXPECT(rtsp_parser_next(&p, &m) == -EPROTO);
	rtsp_parser_init(&p);
	EXPECT(feed_str("RTSP/1.0 200 OK\r\nContent-Length: 5000\r\n\r\n") == 0);
	EXPECT(rtsp_parser_next(&p, &m) == -EMSGSIZE);
	rtsp_parser_init(&p);
	EXPECT(feed_str("RTSP/1.0 200 OK\r\nContent-Length: 2\r\ncontent-length: 3\r\n\r\n") == 0);
	EXPECT(rtsp_parser_next(&p, &m) == -EPROTO);

	/* An over-long line, with and without its line end yet. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	rtsp_parser_init(&p);
	EXPECT(feed_str(big) == 0);
	EXPECT(rtsp_parser_next(&p, &m) == -EMSGSIZE);
	rtsp_parser_init(&p);
	EXPECT(feed_str("OPTIONS * RTSP/1.0\r\nX: ") == 0);
	EXPECT(feed_str(big) == 0 && feed_str("\r\n\r\n") == 0);
	EXPECT(rtsp_parser_next(&p, &m) == -EMSGSIZE);

	/* A line just at the limit is fine. */
	rtsp_parser_init(&p);
	EXPECT(feed_str("OPTIONS * RTSP/1.0\r\n") == 0);
	big[RTSP_MAX_LINE - 3] = 0;
	EXPECT(feed_str("X: ") == 0 && feed_str(big) == 0 && feed_str("\r\n\r\n") == 0);
	EXPECT(rtsp_parser_next(&p, &m) == 1 && strlen(rtsp_header(&m, "x")) == RTSP_MAX_LINE - 3);

	/* Too many headers: skipped, but framing holds. */
	rtsp_parser_init(&p);
	EXPECT(feed_str("OPTIONS * RTSP/1.0\r\n") == 0);
	for (int i = 0; i < RTSP_MAX_HEADERS + 3; i++)
		EXPECT(feed_str("X-A: b\r\n") == 0);
	EXPECT(feed_str("Content-Length: 2\r\n\r\nokOPTIONS * RTSP/1.0\r\n\r\n") == 0);
	EXPECT(rtsp_parser_next(&p, &m) == -EBADMSG);
	EXPECT(rtsp_parser_next(&p, &m) == 1);

	/* The buffer cannot take more than a message's worth. */
	rtsp_parser_init(&p);
	for (int i = 0; i < RTSP_MAX_MESSAGE / 8; i++)
		EXPECT(feed_str("X-A: b\r\n") == 0);
	EXPECT(rtsp_parser_feed(&p, "x", 1) == -EMSGSIZE);
	EXPECT(rtsp_parser_next(&p, &m) == -EMSGSIZE);

	/* An embedded NUL is refused, not used to hide a header. */
	rtsp_parser_init(&p);
	EXPECT(rtsp_parser_feed(&p, nul, sizeof(nul) - 1) == 0);
	EXPECT(rtsp_parser_next(&p, &m) == -EBADMSG);
}

static void test_writer(void)
{
	char buf[512];
	struct rtsp_out o;
	const char *body = "wfd_trigger_method: SETUP\r\n";
	int n;

	rtsp_out_request(&o, buf, sizeof(buf), "SET_PARAMETER", "rtsp://localhost/wfd1.0", 5);
	rtsp_out_header(&o, "Session", "%s", "0123456789");
	n = rtsp_out_end(&o, "text/parameters", body, strlen(body));
	EXPECT(n > 0 && (size_t)n == strlen(buf));
	EXPECT(!strcmp(buf, "SET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 5\r\n"
		       "Session: 0123456789\r\nContent-Type: text/parameters\r\n"
		       "Content-Length: 27\r\n\r\nwfd_trigger_method: SETUP\r\n"));
	/* What we write, we parse. */
	rtsp_parser_init(&p);
	EXPECT(rtsp_parser_feed(&p, buf, (size_t)n) == 0);
	EXPECT(rtsp_parser_next(&p, &m) == 1 && m.cseq == 5 && m.body_len == strlen(body));
	EXPECT(!strcmp(rtsp_header(&m, "session"), "0123456789"));

	rtsp_out_response(&o, buf, sizeof(buf), 454, 8);
	n = rtsp_out_end(&o, NULL, NULL, 0);
	EXPECT(!strcmp(buf, "RTSP/1.0 454 Session Not Found\r\nCSeq: 8\r\n\r\n"));
	rtsp_out_response(&o, buf, sizeof(buf), 400, -1);
	n = rtsp_out_end(&o, NULL, NULL, 0);
	EXPECT(!strcmp(buf, "RTSP/1.0 400 Bad Request\r\n\r\n"));

	/* Overflow at every size is reported, never written past. */
	for (size_t cap = 0; cap < 120; cap++) {
		char small[128];

		memset(small, 0x5a, sizeof(small));
		rtsp_out_request(&o, small, cap, "GET_PARAMETER", "rtsp://localhost/wfd1.0", 12);
		n = rtsp_out_end(&o, "text/parameters", body, strlen(body));
		EXPECT(n == -ENOSPC || (n > 0 && (size_t)n < cap));
		for (size_t i = cap; i < sizeof(small); i++)
			EXPECT(small[i] == 0x5a);
	}
}

/*
 * Robustness: random bytes, real messages mutated and truncated, cut at
 * random points.  The parser must neither crash (ASan/UBSan watch) nor
 * return a message that breaks its own invariants.
 */
static void test_random(void)
{
	static const char *const seeds[] = {
		"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nRequire: org.wfa.wfd1.0\r\n\r\n",
		"RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Length: 20\r\n\r\nwfd_audio_codecs: no",
		"SETUP rtsp://10.0.0.1/wfd1.0/streamid=0 RTSP/1.0\nCSeq: 3\nTransport: RTP/AVP/UDP;unicast;client_port=19000\n\n",
	};
	unsigned int seed = 12345;
	char buf[2048];

	srand(seed);
	for (int iter = 0; iter < 20000; iter++) {
		const char *s = seeds[rand() % 3];
		size_t len = strlen(s), pos = 0;
		int r;

		memcpy(buf, s, len);
		if (iter % 4 == 0) {
			len = (size_t)(rand() % (int)sizeof(buf));
			for (size_t i = 0; i < len; i++)
				buf[i] = (char)(rand() % 4 ? rand() % 256 : "\r\n: 0"[rand() % 5]);
		} else {
			for (int k = rand() % 6; k > 0; k--)
				buf[rand() % (int)len] = (char)(rand() % 256);
			if (rand() % 3 == 0)
				len = (size_t)(rand() % (int)len);
		}
		rtsp_parser_init(&p);
		while (pos < len) {
			size_t chunk = (size_t)(rand() % 64) + 1;

			if (chunk > len - pos)
				chunk = len - pos;
			if (rtsp_parser_feed(&p, buf + pos, chunk))
				break;
			pos += chunk;
			while ((r = rtsp_parser_next(&p, &m)) != 0) {
				if (r == 1) {
					EXPECT(m.body_len <= RTSP_MAX_BODY);
					EXPECT(m.body[m.body_len] == 0);
					EXPECT(m.nheaders <= RTSP_MAX_HEADERS);
					EXPECT(m.request ? m.method && m.uri : m.status >= 100);
				} else if (r != -EBADMSG) {
					pos = len;	/* unframeable: the connection would end */
					break;
				}
			}
		}
	}
}

int main(void)
{
	test_request_crlf();
	test_response_split();
	test_pipelined();
	test_body_waits();
	test_take_burst();
	test_bad();
	test_writer();
	test_random();
	if (fails)
		fprintf(stderr, "%d failures\n", fails);
	return fails ? 1 : 0;
}
