// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wfdctl sinks' list: which peers are shown, in which order, and how.
 *
 * usage: test-sinks        run the checks
 *        test-sinks json   print the fixture as JSON (check-sinks-json.py)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinks.h"

static int failures;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
			failures++;                                          \
		}                                                            \
	} while (0)

static struct p2p_peer peers[5];

static void fixture(void)
{
	struct p2p_peer *p = peers;

	/* A primary sink, available, in a group of its own (join). */
	strcpy(p->name, "Salon");
	strcpy(p->addr, "42:00:00:00:02:00");
	strcpy(p->dev_type, "7-0050F204-1");
	p->config_methods = P2P_CONFIG_PBC | P2P_CONFIG_DISPLAY;
	p->group_capab = P2P_GROUP_CAPAB_GO | P2P_GROUP_CAPAB_PERSISTENT;
	p->has_wfd = true;
	p->wfd = (struct wfd_dev_info){ .bits = 0x0011, .rtsp_port = 7236, .max_mbps = 150 };
	/* A sink busy with another source; its name has quotes and UTF-8. */
	p++;
	strcpy(p->name, "T\xc3\xa9l\xc3\xa9 \"2\"");
	strcpy(p->addr, "42:00:00:00:01:00");
	strcpy(p->dev_type, "7-0050F204-1");
	p->config_methods = P2P_CONFIG_PBC;
	p->has_wfd = true;
	p->wfd = (struct wfd_dev_info){ .bits = 0x0001, .rtsp_port = 7236, .max_mbps = 50 };
	/* A phone: P2P, no WFD. */
	p++;
	strcpy(p->name, "phone");
	strcpy(p->addr, "42:00:00:00:03:00");
	strcpy(p->dev_type, "10-0050F204-5");
	/* Another source. */
	p++;
	strcpy(p->name, "laptop");
	strcpy(p->addr, "42:00:00:00:04:00");
	p->has_wfd = true;
	p->wfd = (struct wfd_dev_info){ .bits = 0x0010, .rtsp_port = 7236, .max_mbps = 50 };
	/* A dual-role device with a byte that is not UTF-8 in its name. */
	p++;
	strcpy(p->name, "dongle\xff");
	strcpy(p->addr, "42:00:00:00:05:00");
	p->has_wfd = true;
	p->wfd = (struct wfd_dev_info){ .bits = 0x0013, .rtsp_port = 554, .max_mbps = 10 };
}

static char *print(void (*fn)(FILE *, const struct p2p_peer *, int, int), int n, int all)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, peers, n, all);
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	char *t;

	fixture();
	if (argc > 1 && !strcmp(argv[1], "json")) {
		wfdctl_sinks_print_json(stdout, peers, 5, argc > 2);
		return 0;
	}
	t = print(wfdctl_sinks_print_text, 5, 0);
	fputs(t, stdout);
	/* Sinks only, by name: "Salon", "Télé", then "dongle". */
	CHECK(strstr(t, "NAME") == t);
	CHECK(strstr(t, "Salon") < strstr(t, "T\xc3\xa9l\xc3\xa9") &&
	      strstr(t, "T\xc3\xa9l\xc3\xa9") < strstr(t, "dongle"));
	CHECK(!strstr(t, "phone") && !strstr(t, "laptop"));
	CHECK(strstr(t, "42:00:00:00:02:00  primary sink    available      7236  owner, persistent (join)"));
	CHECK(strstr(t, "42:00:00:00:01:00  primary sink    not available  7236  -"));
	CHECK(strstr(t, "dual role") && strstr(t, " 554 "));
	/* Not UTF-8: shown as '?', never as it came. */
	CHECK(strstr(t, "dongle?  ") && !strchr(t, '\xff'));
	free(t);
	t = print(wfdctl_sinks_print_text, 5, 1);
	CHECK(strstr(t, "phone") && strstr(t, "not WFD") && strstr(t, "laptop") && strstr(t, "source"));
	free(t);
	t = print(wfdctl_sinks_print_text, 0, 0);
	CHECK(!strcmp(t, "no Wi-Fi Display sink found\n"));
	free(t);
	t = print(wfdctl_sinks_print_json, 0, 0);
	CHECK(!strcmp(t, "[]\n"));
	free(t);
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
