// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wfdctl: show the state of the wfd wireless display outputs.
 *
 * GET_INFO and the KMS getters are open to any client of the card, so any
 * user who may open it (its group, wfd with the udev rule installed, or
 * the seat's user) sees the outputs, claims, sessions, sinks and modes;
 * who holds each claim, the statistics and the endings are in debugfs,
 * which only root reads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include "libwfd.h"
#include "report.h"
#include "sinks.h"
#include "state.h"

/* wfd_state is a few kB even with 8 outputs and all their endings. */
#define STATE_MAX (256 * 1024)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wfdctl [--device PATH] [status] [--json]\n"
		"       wfdctl sinks [--timeout S] [--json] [--all] [--p2p-backend B] [--p2p-iface IF]\n"
		"       wfdctl --help | --version\n"
		"\n"
		"  status         outputs, claims, sessions, sinks, modes, statistics, last endings\n"
		"  sinks          the Wi-Fi Display sinks in range (wfdctl sinks --help)\n"
		"  --json         print the status as JSON\n"
		"  --device PATH  the wfd card (default: the DRM device whose driver is wfd)\n");
}

static bool is_wfd(int fd)
{
	drmVersionPtr v = drmGetVersion(fd);
	bool ret = v && !strcmp(v->name, "wfd");

	drmFreeVersion(v);
	return ret;
}

/*
 * Open the card whose driver is wfd.  Not wfd_open(): its one error,
 * ENODEV, cannot tell "not loaded" from "not allowed".
 */
static int open_wfd(const char *path, char *found, size_t size)
{
	drmDevicePtr devs[64];
	int n, i, fd = -1, denied = 0;

	if (path) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "wfdctl: cannot open %s: %s\n", path, strerror(errno));
			return -1;
		}
		if (!is_wfd(fd)) {
			fprintf(stderr, "wfdctl: %s is not a wfd device\n", path);
			close(fd);
			return -1;
		}
		snprintf(found, size, "%s", path);
	} else {
		n = drmGetDevices2(0, devs, 64);
		for (i = 0; i < n && fd < 0; i++) {
			const char *node = devs[i]->nodes[DRM_NODE_PRIMARY];

			if (!(devs[i]->available_nodes & (1 << DRM_NODE_PRIMARY)))
				continue;
			fd = open(node, O_RDWR | O_CLOEXEC);
			if (fd < 0) {
				denied |= errno == EACCES;
				continue;
			}
			if (!is_wfd(fd)) {
				close(fd);
				fd = -1;
				continue;
			}
			snprintf(found, size, "%s", node);
		}
		if (n > 0)
			drmFreeDevices(devs, n);
		if (fd < 0) {
			if (access("/sys/module/wfd", F_OK))
				fprintf(stderr, "wfdctl: no wfd device: the wfd module is not loaded (modprobe wfd)\n");
			else if (denied)
				fprintf(stderr, "wfdctl: no wfd device could be opened: permission denied "
					"(run as root, or as a member of the card's group: wfd with "
					"the udev rule installed, else video)\n");
			else
				fprintf(stderr, "wfdctl: the wfd module is loaded but no wfd DRM device was found\n");
			return -1;
		}
	}
	/* Like any wfd client: never keep master from the compositor. */
	if (drmIsMaster(fd))
		drmDropMaster(fd);
	return fd;
}

static void read_edid_name(int fd, uint32_t connector_id, char name[14])
{
	drmModeObjectPropertiesPtr props;
	uint32_t i;

	name[0] = '\0';
	props = drmModeObjectGetProperties(fd, connector_id, DRM_MODE_OBJECT_CONNECTOR);
	if (!props)
		return;
	for (i = 0; i < props->count_props; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);
		drmModePropertyBlobPtr blob = NULL;

		if (p && !strcmp(p->name, "EDID") && props->prop_values[i])
			blob = drmModeGetPropertyBlob(fd, (uint32_t)props->prop_values[i]);
		if (blob) {
			wfdctl_edid_name(blob->data, blob->length, name);
			drmModeFreePropertyBlob(blob);
		}
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
}

/* What KMS says of an output: its connector's name and EDID, its CRTC's mode. */
static void read_kms(int fd, struct wfdctl_output *o)
{
	drmModeConnectorPtr conn = drmModeGetConnectorCurrent(fd, o->connector_id);
	drmModeCrtcPtr crtc = drmModeGetCrtc(fd, o->crtc_id);

	if (conn) {
		const char *type = drmModeGetConnectorTypeName(conn->connector_type);

		snprintf(o->connector, sizeof(o->connector), "%s-%u",
			 type ? type : "Unknown", conn->connector_type_id);
		drmModeFreeConnector(conn);
	}
	read_edid_name(fd, o->connector_id, o->edid_name);
	if (crtc && crtc->mode_valid) {
		o->mode_valid = true;
		o->width = crtc->mode.hdisplay;
		o->height = crtc->mode.vdisplay;
		o->refresh_mhz = wfdctl_refresh_mhz(crtc->mode.clock, crtc->mode.htotal,
						    crtc->mode.vtotal, crtc->mode.flags);
	}
	drmModeFreeCrtc(crtc);
}

static char *read_file(const char *path, int *err)
{
	size_t len = 0;
	ssize_t n;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		*err = errno;
		return NULL;
	}
	buf = malloc(STATE_MAX + 1);
	if (!buf) {
		*err = ENOMEM;
		close(fd);
		return NULL;
	}
	/* seq_file hands out a page at a time. */
	while (len < STATE_MAX && (n = read(fd, buf + len, STATE_MAX - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*err = errno;
			free(buf);
			close(fd);
			return NULL;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* The debugfs state of the card @fd is, and the name of each claim's owner. */
static void read_debugfs(int fd, struct wfdctl_device *dev)
{
	char path[96], *text;
	unsigned int i, line = 0;
	struct stat st;
	int ret;

	if (fstat(fd, &st)) {
		dev->debugfs_errno = errno;
		return;
	}
	/* The DRM core names each minor's debugfs directory by its number. */
	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%u/wfd_state", minor(st.st_rdev));
	text = read_file(path, &dev->debugfs_errno);
	if (!text)
		return;
	ret = wfdctl_parse_state(dev, text, &line);
	free(text);
	if (ret) {
		fprintf(stderr, "wfdctl: %s: cannot parse line %u: %s\n", path, line, strerror(-ret));
		dev->debugfs_errno = -ret;
		return;
	}
	for (i = 0; i < dev->num_outputs; i++) {
		struct wfdctl_output *o = &dev->outputs[i];
		char comm[96];

		if (!o->claimed || o->claim_pid <= 0)
			continue;
		snprintf(comm, sizeof(comm), "/proc/%d/comm", o->claim_pid);
		text = read_file(comm, &ret);
		if (text) {
			snprintf(o->claim_comm, sizeof(o->claim_comm), "%s", text);
			o->claim_comm[strcspn(o->claim_comm, "\n")] = '\0';
			free(text);
		}
	}
}

static int status(const char *device, bool json)
{
	static struct wfdctl_device dev;
	struct drm_wfd_get_info info;
	unsigned int i;
	int fd, ret;

	fd = open_wfd(device, dev.path, sizeof(dev.path));
	if (fd < 0)
		return 1;
	ret = wfd_get_info(fd, &info);
	if (ret) {
		fprintf(stderr, "wfdctl: GET_INFO on %s failed: %s\n", dev.path, strerror(-ret));
		close(fd);
		return 1;
	}
	/* Another version lays the output entries out differently. */
	if (info.version != WFD_UAPI_VERSION) {
		fprintf(stderr, "wfdctl: %s: the wfd driver speaks UAPI version %u, this wfdctl "
			"version %u: install a matching wfdctl\n", dev.path, info.version,
			WFD_UAPI_VERSION);
		close(fd);
		return 1;
	}
	dev.uapi_version = info.version;
	dev.num_outputs = info.num_outputs < WFD_MAX_OUTPUTS ? info.num_outputs : WFD_MAX_OUTPUTS;
	dev.max_edid_size = info.max_edid_size;
	for (i = 0; i < dev.num_outputs; i++) {
		struct wfdctl_output *o = &dev.outputs[i];

		o->connector_id = info.outputs[i].connector_id;
		o->crtc_id = info.outputs[i].crtc_id;
		o->flags = info.outputs[i].flags;
		o->session_id = info.outputs[i].session_id;
		read_kms(fd, o);
	}
	read_debugfs(fd, &dev);
	close(fd);

	if (json)
		wfdctl_print_json(stdout, &dev);
	else
		wfdctl_print_text(stdout, &dev);
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	const char *device = NULL;
	bool json = false;
	int c;

	/* "sinks" has options of its own and needs no wfd card. */
	if (argc > 1 && !strcmp(argv[1], "sinks"))
		return wfdctl_sinks(argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, "hV", lo, NULL)) != -1) {
		switch (c) {
		case 'd': device = optarg; break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("wfdctl %s\n", WFDCTL_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	/* One command for now; "status" is also what no command means. */
	if (optind < argc && !strcmp(argv[optind], "sinks"))
		return wfdctl_sinks(argc - optind, argv + optind);
	if (optind < argc && strcmp(argv[optind], "status")) {
		fprintf(stderr, "wfdctl: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (optind + 1 < argc) {
		usage(stderr);
		return 2;
	}
	return status(device, json);
}
