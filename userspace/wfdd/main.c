// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wfdd: feeds a wireless display sink from a wfd output.
 *
 * At start-up, before any socket is opened, wfdd claims its output (the
 * one step that needs CAP_SYS_ADMIN), closes the card and drops every
 * capability: the claim fd is all it uses from then on.
 *
 * Direct streaming mode: connect the output with the given modes, and
 * send each new frame as H.264 in MPEG-TS over RTP to HOST:PORT.
 *
 * Wi-Fi Display mode (--listen): wait for a sink on the RTSP port, connect
 * the output with the sink's modes, negotiate the compositor's mode and
 * stream to the sink's RTP port; each failure ends the session with its
 * status, and the next sink may connect: a new session on the same claim.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "wfdd.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wfdd --listen ADDR[:PORT] [--allow PEER | --allow-any] [--keepalive MS]\n"
		"            [--keepalive-timeout MS] [--first-request-timeout MS] [--request-timeout MS]\n"
		"            [--mode-timeout MS] [--idr-min-interval MS] [--output N] [--bitrate KBPS] ...\n"
		P2P_USAGE
		"       wfdd --rtp HOST:PORT [--output N] [--mode WxH@R]... [--bitrate KBPS]\n"
		"            [--encoder auto|vaapi|x264|openh264] [--va-device PATH] [--device PATH]\n"
		"            [--name NAME] [--latency MS] [--idr-interval MS] [--frame-log FILE] [-v]\n"
		"       both: [--audio auto|lpcm|aac|none] [--audio-socket PATH --audio-user USER]\n");
}

static int parse_mode(const char *s, struct wfd_mode *m)
{
	char end;

	if (sscanf(s, "%ux%u@%u%c", &m->width, &m->height, &m->refresh_hz, &end) != 3 ||
	    !m->width || !m->height || !m->refresh_hz || m->refresh_hz > 240)
		return -1;
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "rtp", required_argument, NULL, 'r' },
		{ "mode", required_argument, NULL, 'm' },
		{ "bitrate", required_argument, NULL, 'b' },
		{ "encoder", required_argument, NULL, 'e' },
		{ "va-device", required_argument, NULL, 'a' },
		{ "device", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "latency", required_argument, NULL, 'l' },
		{ "idr-interval", required_argument, NULL, 'i' },
		{ "frame-log", required_argument, NULL, 'f' },
		{ "audio", required_argument, NULL, 'u' },
		{ "audio-socket", required_argument, NULL, 'U' },
		{ "audio-user", required_argument, NULL, 'W' },
		{ "listen", required_argument, NULL, 'L' },
		{ "allow", required_argument, NULL, 'A' },
		{ "keepalive", required_argument, NULL, 'k' },
		{ "keepalive-timeout", required_argument, NULL, 'K' },
		P2P_LONG_OPTIONS,
		{ "allow-any", no_argument, NULL, 'Y' },
		{ "first-request-timeout", required_argument, NULL, 'F' },
		{ "request-timeout", required_argument, NULL, 'R' },
		{ "mode-timeout", required_argument, NULL, 'M' },
		{ "idr-min-interval", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->encoder = "auto";
	o->name = "wfd";
	o->bitrate_kbps = 4000;
	o->latency_ms = 100;
	o->audio = "auto";
	o->idr_ms = 1000;
	o->keepalive_ms = 25000;
	o->keepalive_timeout_ms = 30000;
	o->first_request_timeout_ms = 15000;
	o->request_timeout_ms = 5000;
	o->mode_timeout_ms = 30000;
	o->idr_min_interval_ms = 250;
	while ((c = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (c) {
		case 'o': o->output = (uint32_t)atoi(optarg); break;
		case 'r': o->rtp = optarg; break;
		case 'm':
			if (o->nmodes == MAX_MODES || parse_mode(optarg, &o->modes[o->nmodes])) {
				fprintf(stderr, "wfdd: bad or too many --mode '%s' (WxH@R)\n", optarg);
				return -1;
			}
			o->nmodes++;
			break;
		case 'b': o->bitrate_kbps = atoi(optarg); break;
		case 'e': o->encoder = optarg; break;
		case 'a': o->va_device = optarg; break;
		case 'd': o->device = optarg; break;
		case 'n': o->name = optarg; break;
		case 'l': o->latency_ms = atoi(optarg); break;
		case 'i': o->idr_ms = atoi(optarg); break;
		case 'f': o->frame_log = optarg; break;
		case 'u': o->audio = optarg; break;
		case 'U': o->audio_socket = optarg; break;
		case 'W': o->audio_user = optarg; break;
		case 'L': o->listen = optarg; break;
		case 'A': o->allow = optarg; break;
		case 'k': o->keepalive_ms = atoi(optarg); break;
		case 'K': o->keepalive_timeout_ms = atoi(optarg); break;
		case 'Y': o->allow_any = true; break;
		case 'F': o->first_request_timeout_ms = atoi(optarg); break;
		case 'R': o->request_timeout_ms = atoi(optarg); break;
		case 'M': o->mode_timeout_ms = atoi(optarg); break;
		case 'j': o->idr_min_interval_ms = atoi(optarg); break;
		case 'v': o->verbose++; break;
		case 'h': usage(stdout); exit(0);
		default:
			/* --p2p and its options (p2p_serve.c); 0: not one of them. */
			switch (p2p_serve_option(&o->p2p, c, optarg)) {
			case 1: continue;
			case 0: usage(stderr);
			}
			return -1;
		}
	}
	/* Before anything is opened: a bad name is a usage error. */
	if (session_audio_option(o->audio) < 0 ||
	    (!strcmp(o->audio, "aac") && !aac_enc_available())) {
		fprintf(stderr, "wfdd: --audio takes auto, lpcm, %snone\n",
			aac_enc_available() ? "aac, " : "(aac: not built in) ");
		return -1;
	}
	if (strcmp(o->encoder, "auto") && !encoder_find(o->encoder)) {
		fprintf(stderr, "wfdd: unknown encoder '%s' (auto, vaapi, x264, openh264)\n",
			o->encoder);
		return -1;
	}
	/*
	 * The PCR a frame leaves with is the time it is sent: a PTS of less
	 * than that would be late before it arrives.
	 */
	if (o->latency_ms < 20) {
		fprintf(stderr, "wfdd: --latency must be at least 20 ms: the PTS must be ahead of "
			"the PCR a frame is sent with\n");
		return -1;
	}
	/* Either the sink is named, or anyone may take the output, knowingly. */
	if (o->allow && o->allow_any) {
		fprintf(stderr, "wfdd: --allow and --allow-any exclude each other\n");
		return -1;
	}
	if (o->first_request_timeout_ms < 100 || o->request_timeout_ms < 100 ||
	    o->mode_timeout_ms < 1000 || o->idr_min_interval_ms < 0) {
		usage(stderr);
		return -1;
	}
	if (p2p_serve_check(&o->p2p, o->rtp || o->listen || o->allow || o->nmodes))
		return -1;
	/* One of the three modes; modes come from the sink but in direct mode. */
	if ((!o->p2p.target && !o->rtp == !o->listen) || (o->listen && o->nmodes) || optind != argc ||
	    o->bitrate_kbps < 100 || o->idr_ms < 100 ||
	    o->keepalive_ms < 100 || o->keepalive_timeout_ms <= o->keepalive_ms) {
		usage(stderr);
		return -1;
	}
	if (!o->nmodes && o->rtp) {
		/* A sane default list: what every WFD sink takes. */
		static const struct wfd_mode def[] = {
			{ 1280, 720, 30 }, { 1920, 1080, 30 }, { 1280, 720, 60 }, { 640, 480, 60 },
		};
		memcpy(o->modes, def, sizeof(def));
		o->nmodes = 4;
	}
	return 0;
}

/* How long ppoll() may wait: until the first deadline of the session. */
static struct timespec *timeout(const struct wfdd *d, struct timespec *ts)
{
	uint64_t now = now_ns(), t = session_deadline(d, now);

	if (t == UINT64_MAX)
		return NULL;
	t = t > now ? t - now : 0;
	ts->tv_sec = (time_t)(t / 1000000000ull);
	ts->tv_nsec = (long)(t % 1000000000ull);
	return ts;
}

/*
 * One session, until it ends: its status (session_end()).  The loop only
 * waits and dispatches: signals, a sink knocking while one is served, the
 * output's events and frames, the sink's connection, and the deadlines
 * of the stream and of the sink's session.
 */
static int run(struct wfdd *d, int sigfd)
{
	for (;;) {
		struct pollfd p[5] = {
			/* Events come only while a session is connected. */
			{ .fd = session_event_fd(d, now_ns()), .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = d->conn ? d->conn->fd : -1,
			  .events = d->conn ? wfd_conn_events(d->conn) : 0 },
			/* Only to turn away others while a sink is connected. */
			{ .fd = d->conn ? d->conn->listen_fd : -1, .events = POLLIN },
			/* wfdd --p2p: the link process says when the group goes. */
			{ .fd = p2p_serve_fd(d), .events = POLLIN },
		};
		struct timespec ts;
		int ret;

		if (ppoll(p, 5, timeout(d, &ts), NULL) < 0) {
			if (errno == EINTR)
				continue;
			d->diag = -errno;
			return WFD_STATUS_CRITICAL_ERROR;
		}
		if (p[1].revents) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) < 0)
				si.ssi_signo = 0;
			if (!d->conn)
				return SESSION_GRACEFUL;
			/* Wi-Fi Display: M5 TEARDOWN, the END follows. */
			d->stopping = true;
			wfds_stop(&d->conn->session, now_ns() / 1000000);
		}
		if (p[4].revents && (ret = p2p_serve_during(d)) != SESSION_ON)
			return ret;
		if (p[3].revents)
			wfd_conn_accept(d->conn, &d->conn->session.cfg, now_ns() / 1000000);
		if (p[0].revents && (ret = session_events(d, now_ns())) < 0) {
			d->diag = ret;
			return WFD_STATUS_CRITICAL_ERROR;
		}
		if (d->conn && (ret = session_step(d, p[2].revents, now_ns())) != SESSION_ON)
			return ret;
		if ((ret = session_frame(d, now_ns())) != SESSION_ON)
			return ret;
		if ((ret = stream_run(&d->stream, now_ns())) != STREAM_OK) {
			d->diag = d->stream.diag;
			return ret;
		}
	}
}

/*
 * Wi-Fi Display mode: one sink after the other until SIGINT/SIGTERM.  A
 * session starts on the claimed output when a sink has told its modes,
 * and ends with its status, which unplugs the output.
 */
static int serve_sinks(struct wfdd *d, int sigfd)
{
	struct wfd_conn conn;
	struct wfds_config cfg;
	unsigned int profiles;
	int ret;

	/* wfdd --p2p: the address comes with the group with the sink. */
	ret = d->o.p2p.target ? p2p_serve_wait(d, &conn, sigfd) :
	      wfd_conn_listen_opts(&conn, d->o.listen, d->o.allow,
				   d->o.allow_any ? WFD_CONN_ALLOW_ANY : 0);
	if (ret && d->o.p2p.target)
		return ret == SESSION_GRACEFUL ? 0 : ret;
	if (ret) {
		fprintf(stderr, "wfdd: cannot listen on %s%s%s: %s\n", d->o.listen,
			d->o.allow ? " for " : "", d->o.allow ? d->o.allow : "", strerror(-ret));
		return ret == -EINVAL ? 2 : 1;
	}
	wfds_config_defaults(&cfg);
	cfg.keepalive_interval_ms = (uint32_t)d->o.keepalive_ms;
	cfg.keepalive_timeout_ms = (uint32_t)d->o.keepalive_timeout_ms;
	cfg.audio_formats = (uint8_t)session_audio_formats(d);
	cfg.first_request_timeout_ms = (uint32_t)d->o.first_request_timeout_ms;
	cfg.request_timeout_ms = (uint32_t)d->o.request_timeout_ms;
	cfg.mode_timeout_ms = (uint32_t)d->o.mode_timeout_ms;
	cfg.idr_min_interval_ms = (uint32_t)d->o.idr_min_interval_ms;
	cfg.session_seed = (uint32_t)getpid() * 2654435761u ^ (uint32_t)now_ns();
	conn.verbose = d->o.verbose;
	d->conn = &conn;
	if (d->o.listen)
		fprintf(stderr, "wfdd: waiting for a sink on %s\n", d->o.listen);
	while (!d->stopping) {
		struct pollfd p[3] = {
			{ .fd = conn.listen_fd, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = p2p_serve_fd(d), .events = POLLIN },
		};

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if (p[2].revents) {
			/* The group went before the sink came: listen on the next. */
			ret = p2p_serve_link(d, &conn, sigfd);
			if (ret) {
				ret = ret != SESSION_GRACEFUL;
				break;
			}
			continue;
		}
		cfg.session_seed++;
		/*
		 * Offer the profiles the encoders make (x264 both, some VA-API
		 * drivers only Constrained High), the one in use makes without
		 * a switch first: Constrained Baseline, which every sink
		 * decodes, in software.
		 */
		profiles = frame_encoder_profiles(d->fe);
		cfg.profiles = (profiles & 1u << H264_CONSTRAINED_HIGH ? WFD_PROFILE_CHP : 0) |
			       (profiles & 1u << H264_CONSTRAINED_BASELINE ? WFD_PROFILE_CBP : 0);
		cfg.prefer_profiles = frame_encoder_profile(d->fe) == H264_CONSTRAINED_HIGH ?
				      WFD_PROFILE_CHP : WFD_PROFILE_CBP;
		if (wfd_conn_accept(&conn, &cfg, now_ns() / 1000000))
			continue;
		session_new_sink(d, now_ns());
		p2p_serve_started(d);
		session_end(d, run(d, sigfd));
		wfd_conn_hangup(&conn);
		/* wfdd --p2p: leave the group, listen on the next one. */
		ret = p2p_serve_ended(d, &conn, sigfd);
		if (ret) {
			ret = ret != SESSION_GRACEFUL;
			break;
		}
		/*
		 * The encoder keeps the last picture and imports by buffer id:
		 * the next session's buffers are new, start afresh.
		 */
		frame_encoder_destroy(d->fe);
		d->fe = NULL;
		ret = frame_encoder_create(&d->fe, d->o.encoder, d->o.va_device, stderr);
		if (ret) {
			fprintf(stderr, "wfdd: cannot open the encoder again: %s\n", strerror(-ret));
			break;
		}
	}
	wfd_conn_close(&conn);
	return ret ? 1 : 0;
}

/* Direct mode: one session with --mode's modes, streamed to --rtp. */
static int stream_direct(struct wfdd *d, int sigfd)
{
	uint8_t edid[256];
	char host[256], *port;
	int n, sock, status;

	snprintf(host, sizeof(host), "%s", d->o.rtp);
	port = strrchr(host, ':');
	*port++ = 0;
	n = wfd_edid_synthesize(d->o.modes, (size_t)d->o.nmodes, d->o.name, edid, sizeof(edid));
	sock = rtp_connect(host, port);
	if (sock < 0) {
		fprintf(stderr, "wfdd: cannot reach %s: %s\n", d->o.rtp, strerror(-sock));
		return 1;
	}
	if (session_connect_direct(d, edid, (size_t)n, sock, now_ns())) {
		close(sock);
		return 1;
	}
	status = run(d, sigfd);
	session_end(d, status);
	return status >= 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct wfdd d = { .src.fd = -1 };
	uint8_t edid[256];
	sigset_t mask;
	int n, ret, sigfd = -1;

	if (parse_opts(argc, argv, &d.o))
		return 2;
	if (d.o.rtp) {
		/* Usage errors before anything is opened. */
		if (!strchr(d.o.rtp, ':')) {
			fprintf(stderr, "wfdd: --rtp needs HOST:PORT\n");
			return 2;
		}
		n = wfd_edid_synthesize(d.o.modes, (size_t)d.o.nmodes, d.o.name, edid,
					sizeof(edid));
		if (n < 0) {
			fprintf(stderr, "wfdd: cannot describe these modes: %s\n", strerror(-n));
			return 2;
		}
	}
	if (d.o.frame_log) {
		d.frame_log = fopen(d.o.frame_log, "w");
		if (!d.frame_log) {
			fprintf(stderr, "wfdd: cannot write %s: %s\n", d.o.frame_log, strerror(errno));
			return 2;
		}
	}
	session_init(&d);
	/* wfdd --p2p: the link process keeps what forming groups needs, nothing else. */
	if (d.o.p2p.target && p2p_serve_start(&d)) {
		ret = 1;
		goto out;
	}
	ret = session_claim(&d);
	if (ret)
		goto out;
	/* The user's audio agent: a socket opened without privileges too. */
	ret = session_audio_listen(&d);
	if (ret)
		goto out;
	/* The VA driver is not given a privilege either. */
	ret = frame_encoder_create(&d.fe, d.o.encoder, d.o.va_device, stderr);
	if (ret) {
		ret = 1;
		goto out;
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC);

	ret = d.o.listen || d.o.p2p.target ? serve_sinks(&d, sigfd) : stream_direct(&d, sigfd);
out:
	/* The output is free again once the claim fd is closed. */
	source_close(&d.src);
	p2p_serve_stop(&d);
	frame_encoder_destroy(d.fe);
	if (sigfd >= 0)
		close(sigfd);
	if (d.frame_log)
		fclose(d.frame_log);
	return ret;
}
