// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wfdctl: parsers for the debugfs state file and the EDID monitor name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drm_mode.h>

#include "state.h"

/* Copy @src into @dst of @size, cut at the size: the values are display text. */
static void copy_text(char *dst, size_t size, const char *src)
{
	size_t len = strnlen(src, size - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* An unsigned decimal that spans all of @s. */
static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

static int parse_u32(const char *s, uint32_t *v)
{
	uint64_t w;

	if (parse_u64(s, &w) || w > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)w;
	return 0;
}

static int parse_s32(const char *s, int32_t *v)
{
	char *end;
	long w;

	if (!*s)
		return -EINVAL;
	errno = 0;
	w = strtol(s, &end, 10);
	if (errno || *end || w < INT32_MIN || w > INT32_MAX)
		return -EINVAL;
	*v = (int32_t)w;
	return 0;
}

/* "encoded E dropped D bytes B fps F.FFF kbps K encode_us U latency_us L" */
static int parse_stats(const char *s, struct wfdctl_stats *st)
{
	unsigned int fps_int, fps_frac;
	int end = 0;

	if (sscanf(s, "encoded %" SCNu64 " dropped %" SCNu64 " bytes %" SCNu64
		   " fps %u.%3u kbps %" SCNu32 " encode_us %" SCNu32
		   " latency_us %" SCNu32 "%n",
		   &st->frames_encoded, &st->frames_dropped, &st->bytes_sent,
		   &fps_int, &fps_frac, &st->bitrate_kbps, &st->encode_us,
		   &st->latency_us, &end) != 8 || s[end] || fps_frac > 999 ||
	    fps_int > UINT32_MAX / 1000 - 1)
		return -EINVAL;
	st->fps_milli = fps_int * 1000 + fps_frac;
	return 0;
}

/* "session S status NAME (CODE) diag D duration_ms MS"; NAME has spaces. */
static int parse_ending(const char *s, struct wfdctl_ending *e)
{
	const char *name, *open;
	int end = 0;

	if (sscanf(s, "session %" SCNu64 " status %n", &e->session_id, &end) != 1 || !end)
		return -EINVAL;
	name = s + end;
	open = strchr(name, '(');
	if (!open || open == name || open[-1] != ' ' ||
	    (size_t)(open - 1 - name) >= sizeof(e->status_name))
		return -EINVAL;
	memcpy(e->status_name, name, (size_t)(open - 1 - name));
	e->status_name[open - 1 - name] = '\0';
	end = 0;
	if (sscanf(open, "(%" SCNd32 ") diag %" SCNd32 " duration_ms %" SCNu64 "%n",
		   &e->status, &e->diag, &e->duration_ms, &end) != 3 || open[end])
		return -EINVAL;
	return 0;
}

/* One "outputN.key: value" line; @o is output N. */
static int parse_output_key(struct wfdctl_output *o, const char *key, const char *val)
{
	uint32_t flag;

	if (!strcmp(key, "connector")) {
		copy_text(o->connector, sizeof(o->connector), val);
	} else if (!strcmp(key, "status")) {
		copy_text(o->status, sizeof(o->status), val);
	} else if (!strcmp(key, "session")) {
		/* GET_INFO's session id is authoritative; this one may be newer. */
		uint64_t id;

		if (parse_u64(val, &id))
			return -EINVAL;
		o->have_session = id != 0;
	} else if (!strcmp(key, "claimed")) {
		if (parse_u32(val, &flag) || flag > 1)
			return -EINVAL;
		o->claimed = flag;
	} else if (!strcmp(key, "claim_pid")) {
		return parse_s32(val, &o->claim_pid);
	} else if (!strcmp(key, "sink")) {
		copy_text(o->sink, sizeof(o->sink), val);
	} else if (!strcmp(key, "frames_committed")) {
		return parse_u64(val, &o->frames_committed);
	} else if (!strcmp(key, "frames_superseded")) {
		return parse_u64(val, &o->frames_superseded);
	} else if (!strcmp(key, "frame_held")) {
		if (parse_u32(val, &flag) || flag > 1)
			return -EINVAL;
		o->frame_held = flag;
	} else if (!strcmp(key, "stats")) {
		if (parse_stats(val, &o->stats))
			return -EINVAL;
		o->have_stats = true;
	} else if (!strcmp(key, "frames_delivered")) {
		return parse_u64(val, &o->frames_delivered);
	} else if (!strcmp(key, "hold_timeouts")) {
		return parse_u64(val, &o->hold_timeouts);
	} else if (!strcmp(key, "sessions_ended")) {
		return parse_u32(val, &o->sessions_ended);
	} else if (!strcmp(key, "ending")) {
		struct wfdctl_ending e;

		if (parse_ending(val, &e))
			return -EINVAL;
		/* Keep the newest ones should a newer driver print more. */
		if (o->num_endings == WFDCTL_MAX_ENDINGS) {
			memmove(o->endings, o->endings + 1,
				sizeof(o->endings[0]) * (WFDCTL_MAX_ENDINGS - 1));
			o->num_endings--;
		}
		o->endings[o->num_endings++] = e;
	}
	return 0;
}

static int parse_line(struct wfdctl_device *dev, char *line)
{
	char *sep = strstr(line, ": "), *key = line, *val;
	unsigned int n;
	int len = 0;

	/* The kernel prints "key: value" even for an empty value. */
	if (!sep)
		return -EINVAL;
	*sep = '\0';
	val = sep + 2;

	if (sscanf(key, "output%u.%n", &n, &len) == 1 && len) {
		if (n < 1 || n > dev->num_outputs)
			return 0;
		return parse_output_key(&dev->outputs[n - 1], key + len, val);
	}
	if (!strcmp(key, "uapi_version")) {
		uint32_t v;

		/* GET_INFO said which version; the two must agree. */
		if (parse_u32(val, &v) || (dev->uapi_version && v != dev->uapi_version))
			return -EINVAL;
		dev->uapi_version = v;
	} else if (!strcmp(key, "outputs")) {
		uint32_t v;

		if (parse_u32(val, &v) || v != dev->num_outputs)
			return -EINVAL;
	} else if (!strcmp(key, "gem_objects")) {
		return parse_s32(val, &dev->gem_objects);
	} else if (!strcmp(key, "framebuffers")) {
		return parse_s32(val, &dev->framebuffers);
	}
	return 0;
}

int wfdctl_parse_state(struct wfdctl_device *dev, const char *text,
		       unsigned int *bad_line)
{
	char *copy = strdup(text), *line, *next;
	unsigned int n = 0, i;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (i = 0; i < WFD_MAX_OUTPUTS; i++)
		dev->outputs[i].num_endings = 0;
	for (line = copy; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		n++;
		ret = parse_line(dev, line);
		if (ret) {
			if (bad_line)
				*bad_line = n;
			break;
		}
	}
	free(copy);
	if (!ret)
		dev->have_debugfs = true;
	return ret;
}

void wfdctl_edid_name(const uint8_t *edid, size_t size, char name[14])
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	unsigned int i, j;

	name[0] = '\0';
	if (size < 128 || memcmp(edid, header, sizeof(header)))
		return;
	/* Four 18-byte descriptors; a display descriptor starts 00 00 00 TAG. */
	for (i = 0; i < 4; i++) {
		const uint8_t *d = edid + 54 + 18 * i;

		if (d[0] || d[1] || d[2] || d[3] != 0xfc)
			continue;
		for (j = 0; j < 13 && d[5 + j] != '\n'; j++)
			name[j] = d[5 + j] >= 0x20 && d[5 + j] < 0x7f ? (char)d[5 + j] : '?';
		while (j && name[j - 1] == ' ')
			j--;
		name[j] = '\0';
		return;
	}
}

uint32_t wfdctl_refresh_mhz(uint32_t clock_khz, uint32_t htotal, uint32_t vtotal,
			    uint32_t flags)
{
	uint64_t den = (uint64_t)htotal * vtotal, num = (uint64_t)clock_khz * 1000000;

	if (!den)
		return 0;
	/* Like drm_mode_vrefresh(): fields for interlace, lines twice for doublescan. */
	if (flags & DRM_MODE_FLAG_INTERLACE)
		num *= 2;
	if (flags & DRM_MODE_FLAG_DBLSCAN)
		den *= 2;
	return (uint32_t)((num + den / 2) / den);
}
