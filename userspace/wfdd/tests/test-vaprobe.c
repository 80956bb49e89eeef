// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Encoder selection: which render node VA-API is tried on, and what
 * "auto" falls back to, with the one log line that says why.
 *
 * Without arguments it uses fake device directories and, when /dev/dri
 * exists (in the VM: wfd's card node and vgem's render node), the real
 * nodes: wfd's and vgem's must be passed over, and with no other GPU the
 * frame encoder must fall back to x264.  KTAP output.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include "enc_vaapi.h"
#include "encoder.h"
#include "tap.h"


/*
 * Create a frame encoder by @name, open it at 320x240 unless it is VA-API
 * (no picture can be given here), and destroy it.  Returns the create's
 * ret; *log gets everything it logged, *used the encoder it chose.
 */
static int create(const char *name, const char *dev, char **log, const char **used)
{
	struct enc_params p = { .width = 320, .height = 240, .fps = 30,
				.bitrate_kbps = 1000, .gop = 60 };
	struct frame_encoder *fe = NULL;
	struct enc_out out;
	size_t len;
	FILE *f = open_memstream(log, &len);
	int ret = frame_encoder_create(&fe, name, dev, f);

	*used = fe ? frame_encoder_name(fe) : NULL;
	if (fe && strcmp(*used, "vaapi"))
		check(frame_encoder_configure(fe, &p) == 0 && !frame_encoder_has_picture(fe) &&
		      frame_encoder_encode(fe, false, &out) == -EINVAL,
		      "%s: %s opens; no picture, no encode", name, *used);
	frame_encoder_destroy(fe);
	fclose(f);
	return ret;
}

/* The length of @log's first line, to quote it in a KTAP line. */
static int first_line(const char *log)
{
	return (int)strcspn(log, "\n");
}

/* Lines of @log that mention @what. */
static int lines_with(const char *log, const char *what)
{
	int n = 0;

	for (const char *l = log; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *e = strchr(l, '\n'), *hit = strstr(l, what);

		n += hit && (!e || hit < e);
	}
	return n;
}

/* The DRM driver name of @path, or "" when it is no DRM node. */
static void driver_of(const char *path, char *name, size_t len)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	drmVersionPtr v = fd >= 0 ? drmGetVersion(fd) : NULL;

	snprintf(name, len, "%s", v ? v->name : "");
	if (v)
		drmFreeVersion(v);
	if (fd >= 0)
		close(fd);
}

static void real_nodes(void)
{
	DIR *d = opendir("/dev/dri");
	struct dirent *de;
	int others = 0, ours = 0, ret;
	char why[1024], *log;
	const char *used;
	void *dev = NULL;

	if (!d) {
		printf("# /dev/dri absent: real nodes not checked\n");
		return;
	}
	while ((de = readdir(d))) {
		char path[300], drv[64];

		if (strncmp(de->d_name, "card", 4) && strncmp(de->d_name, "renderD", 7))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", de->d_name);
		driver_of(path, drv, sizeof(drv));
		if (strcmp(drv, "wfd") && strcmp(drv, "vgem")) {
			others += !strncmp(de->d_name, "renderD", 7);
			continue;
		}
		ours++;
		ret = encoder_vaapi.device_open(&dev, path, why, sizeof(why));
		check(ret == -ENODEV && strstr(why, drv) && strstr(why, "not an encoder"),
		      "--va-device %s (%s) refused: %s", path, drv, why);
		if (!ret)
			encoder_vaapi.device_close(dev);
	}
	closedir(d);
	printf("# /dev/dri: %d wfd/vgem nodes, %d other render nodes\n", ours, others);
	ret = vaapi_device_find(&dev, "/dev/dri", why, sizeof(why));
	printf("# search: %s\n", why);
	if (!ret) {
		encoder_vaapi.device_close(dev);
		check(others > 0, "a VA device found among other drivers' nodes");
	} else if (!others) {
		check(ret == -ENODEV, "only wfd/vgem render nodes: no VA device");
	}
	ret = create("auto", NULL, &log, &used);
	for (const char *l = log; *l; l += first_line(l) + (l[first_line(l)] != 0))
		printf("# auto: %.*s\n", first_line(l), l);
	check(ret == 0 && used && (!strcmp(used, "vaapi") ||
				   (!strcmp(used, "x264") && strstr(log, "using x264"))),
	      "auto picks %s", used ? used : "nothing");
	if (!others)
		check(used && !strcmp(used, "x264") &&
		      !strncmp(log, "wfdd: no VA-API H.264 encoder (", 31) &&
		      lines_with(log, "VA-API") == 1,
		      "no GPU: one log line, x264");
	free(log);
}

int main(void)
{
	char dir[] = "/tmp/vaprobe-XXXXXX", path[64], why[512], *log;
	const char *used;
	void *dev = NULL;
	int ret;

	printf("KTAP version 1\n");
	if (!mkdtemp(dir))
		return 1;

	ret = vaapi_device_find(&dev, dir, why, sizeof(why));
	check(ret == -ENODEV && strstr(why, "no render node"), "empty directory: %s", why);

	/* A node that is not a DRM device is passed over, with the reason. */
	snprintf(path, sizeof(path), "%s/renderD128", dir);
	if (symlink("/dev/null", path))
		return 1;
	ret = vaapi_device_find(&dev, dir, why, sizeof(why));
	check(ret == -ENODEV && strstr(why, "renderD128: not a DRM device"), "not DRM: %s", why);
	unlink(path);
	rmdir(dir);

	ret = vaapi_device_find(&dev, dir, why, sizeof(why));
	check(ret == -ENODEV && strstr(why, dir), "no directory: %s", why);

	ret = encoder_vaapi.device_open(&dev, "/nonexistent/renderD128", why, sizeof(why));
	check(ret == -ENOENT && strstr(why, "/nonexistent/renderD128"), "--va-device missing: %s", why);

	ret = create("auto", "/dev/null", &log, &used);
	check(ret == 0 && used && !strcmp(used, "x264") &&
	      strstr(log, "no VA-API H.264 encoder (/dev/null: not a DRM device): using x264"),
	      "auto without VA falls back: %.*s", first_line(log), log);
	free(log);

	ret = create("vaapi", "/dev/null", &log, &used);
	check(ret == -ENODEV && !used && strstr(log, "cannot use vaapi"),
	      "vaapi asked for, none here: %.*s", first_line(log), log);
	free(log);

	ret = create("openh264", NULL, &log, &used);
	check(ret == 0 && used && !strcmp(used, "openh264") && !lines_with(log, "VA-API"),
	      "openh264 asked for: no VA probe");
	free(log);

	ret = create("mpeg2", NULL, &log, &used);
	check(ret == -ENOENT && !used, "unknown encoder: -ENOENT");
	free(log);

	real_nodes();
	return tap_done();
}
