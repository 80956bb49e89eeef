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
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "wfdd.h"

/*
 * Wall (CLOCK_MONOTONIC) and process CPU times at the start of a frame and
 * after its acquire, convert, encode and send stages, for --frame-log.
 */
enum { T_START, T_ACQUIRED, T_CONVERTED, T_ENCODED, T_SENT, T_COUNT };
struct frame_times {
	uint64_t wall[T_COUNT], cpu[T_COUNT];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void stamp(struct frame_times *t, int stage)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	t->wall[stage] = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	t->cpu[stage] = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wfdd --listen ADDR[:PORT] [--allow PEER] [--keepalive MS]\n"
		"            [--keepalive-timeout MS] [--output N] [--bitrate KBPS] ...\n"
		"       wfdd --rtp HOST:PORT [--output N] [--mode WxH@R]... [--bitrate KBPS]\n"
		"            [--encoder auto|vaapi|x264|openh264] [--va-device PATH] [--device PATH]\n"
		"            [--name NAME] [--latency MS] [--idr-interval MS] [--frame-log FILE] [-v]\n");
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
		{ "listen", required_argument, NULL, 'L' },
		{ "allow", required_argument, NULL, 'A' },
		{ "keepalive", required_argument, NULL, 'k' },
		{ "keepalive-timeout", required_argument, NULL, 'K' },
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
	o->idr_ms = 1000;
	o->keepalive_ms = 25000;
	o->keepalive_timeout_ms = 30000;
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
		case 'L': o->listen = optarg; break;
		case 'A': o->allow = optarg; break;
		case 'k': o->keepalive_ms = atoi(optarg); break;
		case 'K': o->keepalive_timeout_ms = atoi(optarg); break;
		case 'v': o->verbose++; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	/* Before anything is opened: a bad name is a usage error. */
	if (strcmp(o->encoder, "auto") && !encoder_find(o->encoder)) {
		fprintf(stderr, "wfdd: unknown encoder '%s' (auto, vaapi, x264, openh264)\n",
			o->encoder);
		return -1;
	}
	/* One of the two modes; modes come from the sink in Wi-Fi Display mode. */
	if (!o->rtp == !o->listen || (o->listen && o->nmodes) || optind != argc ||
	    o->bitrate_kbps < 100 || o->latency_ms < 0 || o->idr_ms < 100 ||
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

/*
 * Fixed mapping of errors to session status (Documentation/wfdd.rst);
 * -1 while a transient send error may still clear.
 */
static int error_status(struct wfdd *d, int err, uint64_t now)
{
	if (err == -ECONNREFUSED)
		return WFD_STATUS_SINK_DISCONNECT_REQUEST;
	if (err == -EAGAIN || err == -ENOBUFS) {
		d->last_send_error = err;
		if (!d->first_send_error)
			d->first_send_error = now;
		/* Sustained for a second: the link cannot carry the stream. */
		if (now - d->first_send_error >= 1000000000ull)
			return WFD_STATUS_INSUFFICIENT_BANDWIDTH;
		return -1;
	}
	return WFD_STATUS_CRITICAL_ERROR;
}

/*
 * One line per frame sent: sequence (0 for a refresh of the kept picture),
 * commit time, bytes of H.264, then wall and CPU nanoseconds spent in
 * acquire, convert, encode and mux+send, and the time the send returned.
 */
static void log_frame(struct wfdd *d, uint64_t seq, uint64_t commit_ns, size_t len,
		      const struct frame_times *t)
{
	fprintf(d->frame_log, "%llu %llu %zu", (unsigned long long)seq,
		(unsigned long long)commit_ns, len);
	for (int i = T_ACQUIRED; i < T_COUNT; i++)
		fprintf(d->frame_log, " %llu %llu",
			(unsigned long long)(t->wall[i] - t->wall[i - 1]),
			(unsigned long long)(t->cpu[i] - t->cpu[i - 1]));
	fprintf(d->frame_log, " %llu\n", (unsigned long long)t->wall[T_SENT]);
}

static int encode_and_send(struct wfdd *d, uint64_t commit_ns, bool idr, uint64_t seq,
			   struct frame_times *ft)
{
	struct frame_times refresh;
	struct enc_out out;
	uint64_t t0 = now_ns(), t1, pts;
	int ret;

	/*
	 * Periodic IDR by time, not by frame count: a receiver that lost a
	 * packet recovers within the interval whatever the frame rate.
	 */
	idr |= t0 - d->last_idr >= (uint64_t)d->o.idr_ms * 1000000ull || d->want_idr;
	if (d->frame_log && !ft) {
		/* A refresh has no acquire or convert stage. */
		ft = &refresh;
		stamp(ft, T_START);
		for (int i = T_ACQUIRED; i <= T_CONVERTED; i++) {
			ft->wall[i] = ft->wall[T_START];
			ft->cpu[i] = ft->cpu[T_START];
		}
	}
	ret = frame_encoder_encode(d->fe, idr, &out);
	if (ret == -EAGAIN)
		return 0;
	if (ret) {
		d->diag = frame_encoder_diag(d->fe, ret);
		return ret;
	}
	t1 = now_ns();
	if (d->frame_log)
		stamp(ft, T_ENCODED);
	if (out.key) {
		d->last_idr = t0;
		d->want_idr = false;
	}
	pts = (commit_ns + (uint64_t)d->o.latency_ms * 1000000ull) * 9 / 100000;
	rtp_set_time(&d->rtp, (uint32_t)(t1 * 9 / 100000));
	ret = ts_mux_video(&d->ts, out.data, out.len, pts, out.key, t1 * 27 / 1000);
	if (!ret)
		ret = rtp_flush(&d->rtp);
	if (d->frame_log) {
		stamp(ft, T_SENT);
		log_frame(d, seq, commit_ns, out.len, ft);
	}
	stats_frame(&d->st, out.len, t1 - t0, now_ns() - commit_ns);
	d->last_encode = now_ns();
	return ret;
}

/* --bitrate, but no more than the negotiated level lets the sink's decoder take. */
static int stream_kbps(const struct wfdd *d)
{
	return d->max_kbps && d->o.bitrate_kbps > d->max_kbps ? d->max_kbps : d->o.bitrate_kbps;
}

static int ensure_encoder(struct wfdd *d, int w, int h)
{
	int fps = d->o.modes[0].refresh_hz;

	for (int i = 0; i < d->o.nmodes; i++)
		if ((int)d->o.modes[i].width == w && (int)d->o.modes[i].height == h)
			fps = (int)d->o.modes[i].refresh_hz;
	/* The compositor's mode says the rate when the size is the frames'. */
	if (d->src.mode_w == w && d->src.mode_h == h && d->src.mode_hz)
		fps = (int)d->src.mode_hz;
	return frame_encoder_configure(d->fe, &(struct enc_params){
		.width = w, .height = h, .fps = fps, .bitrate_kbps = stream_kbps(d),
		.gop = fps * 2, .level_idc = d->level_idc });
}

/*
 * Frames arrive but no MODE_SET has told the mode yet.  The kernel has a
 * lit output's mode pending from CONNECT on, drops no event, and puts
 * MODE_SET before FRAME_READY in one read, so this should not happen;
 * should it all the same, take the mode from the frames and the sink's
 * modes, since M4 waits for it.  A later MODE_SET of the same mode
 * changes nothing.
 */
static void infer_mode(struct wfdd *d, int w, int h)
{
	for (int i = 0; i < d->o.nmodes; i++) {
		if ((int)d->o.modes[i].width == w && (int)d->o.modes[i].height == h) {
			fprintf(stderr, "wfdd: no MODE_SET for this session: %dx%d@%u from the frames\n",
				w, h, d->o.modes[i].refresh_hz);
			d->src.mode_w = w;
			d->src.mode_h = h;
			d->src.mode_hz = d->o.modes[i].refresh_hz;
			return;
		}
	}
}

static int new_frame(struct wfdd *d)
{
	struct source_frame f;
	struct frame_times ft;
	uint64_t held;
	int ret;

	if (d->frame_log)
		stamp(&ft, T_START);
	ret = source_acquire(&d->src, &f);
	if (ret == -EAGAIN)
		return 0;
	if (ret)
		return ret;
	if (d->frame_log)
		stamp(&ft, T_ACQUIRED);
	stats_superseded(&d->st, f.info.superseded);
	if (d->conn && !d->src.mode_w)
		infer_mode(d, (int)f.info.width, (int)f.info.height);
	ret = ensure_encoder(d, (int)f.info.width, (int)f.info.height);
	if (!ret)
		ret = frame_encoder_load(d->fe, &(struct enc_frame){
			.buffer_id = f.info.buffer_id, .dmabuf = f.buf->dmabuf,
			.map = f.buf->map, .size = f.buf->size, .fourcc = f.info.fourcc,
			.modifier = f.info.modifier, .width = (int)f.info.width,
			.height = (int)f.info.height, .offset = f.info.offsets[0],
			.pitch = f.info.pitches[0] });
	/* The picture is ours now: give the buffer back before encoding. */
	held = d->src.hold_expired;
	source_release(&d->src, &f);
	if (d->src.hold_expired > held && !held)
		fprintf(stderr, "wfdd: frame %llu was held past the kernel's hold timeout: "
			"the compositor may have drawn into it\n",
			(unsigned long long)f.info.sequence);
	if (ret) {
		d->diag = frame_encoder_diag(d->fe, ret);
		return ret;
	}
	if (d->frame_log)
		stamp(&ft, T_CONVERTED);
	/* Paused or in standby: keep the picture for the first IDR. */
	if (!d->streaming)
		return 0;
	return encode_and_send(d, f.info.timestamp_ns, false, f.info.sequence, &ft);
}

/*
 * Once a second: report to the kernel and, with -v, print.  Returns true
 * when the link has carried less than was encoded for too long.
 */
static bool report_stats(struct wfdd *d, uint64_t now)
{
	struct drm_wfd_report_stats rs = { 0 };

	if (!stats_tick(&d->st, now, d->rtp.bytes, &rs))
		return false;
	wfd_report_stats(d->src.fd, d->src.session, &rs);
	if (d->o.verbose)
		fprintf(stderr, "wfdd: %u.%03u fps, %u kbit/s, encode %u us, commit-to-send %u us, dropped %llu\n",
			rs.fps_milli / 1000, rs.fps_milli % 1000, rs.bitrate_kbps, rs.encode_us,
			rs.latency_us, (unsigned long long)d->st.last_superseded);
	return stats_link_short(&d->st);
}

/* Start RTP to the sink's port (M7 PLAY). */
static int start_rtp(struct wfdd *d, uint16_t port)
{
	char p[8];

	if (d->sock < 0) {
		snprintf(p, sizeof(p), "%u", port);
		d->sock = rtp_connect(d->conn->peer, p);
		if (d->sock < 0)
			return d->sock;
		ts_mux_init(&d->ts, rtp_ts_out, &d->rtp);
		rtp_init(&d->rtp, d->sock, (uint32_t)getpid() * 2654435761u, (uint16_t)now_ns());
		stats_init(&d->st, now_ns(), d->rtp.bytes);
		fprintf(stderr, "wfdd: streaming to %s:%u\n", d->conn->peer, port);
	}
	/* Real audio capture comes later: silence keeps the sink's clock. */
	d->audio = d->conn->session.m4.present & WFD_P_AUDIO_CODECS;
	ts_mux_set_audio(&d->ts, d->audio);
	d->audio_ns = now_ns();
	d->streaming = true;
	d->want_idr = true;
	return 0;
}

/* Silent LPCM up to @now, 10 ms a PES, on the video's presentation clock. */
static int send_silence(struct wfdd *d, uint64_t now)
{
	int ret = 0;

	/* After a pause, start again from now rather than catch up. */
	if (now - d->audio_ns > 200000000ull)
		d->audio_ns = now;
	while (!ret && d->audio_ns <= now) {
		uint64_t pts = (d->audio_ns + (uint64_t)d->o.latency_ms * 1000000ull) * 9 / 100000;

		ret = ts_mux_lpcm(&d->ts, NULL, pts, now * 27 / 1000);
		d->audio_ns += 10000000ull;
	}
	return ret;
}

/*
 * Tell the session what the compositor did, run its I/O and carry out its
 * actions.  Returns a status to end with (-1: graceful), or -2 to go on.
 */
static int session_step(struct wfdd *d, short revents, uint64_t now)
{
	struct wfds *s = &d->conn->session;
	struct wfds_action a;
	int ret;

	if (d->src.session && (d->src.mode_w != d->seen_w || d->src.mode_h != d->seen_h ||
			       d->src.mode_hz != d->seen_hz)) {
		d->seen_w = d->src.mode_w;
		d->seen_h = d->src.mode_h;
		d->seen_hz = d->src.mode_hz;
		wfds_set_mode(s, (unsigned int)d->seen_w, (unsigned int)d->seen_h, d->seen_hz,
			      now / 1000000);
	}
	if (d->src.session && d->src.dpms_off != d->seen_dpms_off) {
		d->seen_dpms_off = d->src.dpms_off;
		wfds_set_dpms(s, d->seen_dpms_off, now / 1000000);
	}
	wfd_conn_io(d->conn, revents, now / 1000000);
	while (wfds_next_action(s, &a)) {
		switch (a.type) {
		case WFDS_CONNECT_OUTPUT:
			ret = session_connect_sink(d);
			if (ret)
				wfds_fail(s, WFD_STATUS_CRITICAL_ERROR, ret);
			break;
		case WFDS_FORMAT: {
			const struct wfd_video_codec *vc = &s->m4.video.codecs[0];

			ret = frame_encoder_use_profile(d->fe, vc->profile & WFD_PROFILE_CHP ?
							H264_CONSTRAINED_HIGH :
							H264_CONSTRAINED_BASELINE);
			if (ret)
				wfds_fail(s, WFD_STATUS_CRITICAL_ERROR, ret);
			d->level_idc = wfd_level_idc(vc->level);
			d->max_kbps = (int)wfd_level_max_kbps(vc->level, vc->profile);
			fprintf(stderr, "wfdd: format %ux%u@%u, %s, level %d.%d, up to %d kbit/s\n",
				s->mode_w, s->mode_h, s->mode_hz,
				vc->profile & WFD_PROFILE_CHP ? "CHP" : "CBP", d->level_idc / 10,
				d->level_idc % 10, stream_kbps(d));
			break;
		}
		case WFDS_PLAY:
			ret = start_rtp(d, a.rtp_port);
			if (ret) {
				fprintf(stderr, "wfdd: cannot reach %s:%u: %s\n", d->conn->peer,
					a.rtp_port, strerror(-ret));
				wfds_fail(s, WFD_STATUS_SINK_DISCONNECT_REQUEST, ret);
			}
			break;
		case WFDS_PAUSE:
			d->streaming = false;
			break;
		case WFDS_IDR:
			d->want_idr = true;
			/* Within one frame: from the kept picture, now. */
			if (d->streaming && frame_encoder_has_picture(d->fe)) {
				int status;

				ret = encode_and_send(d, now, true, 0, NULL);
				status = ret ? error_status(d, ret, now) : -1;
				if (status >= 0) {
					if (!d->diag)
						d->diag = ret;
					return status;
				}
			}
			break;
		case WFDS_END:
			d->diag = a.diag;
			return a.status;
		}
	}
	/* What the actions queued (and the END's TEARDOWN reply) goes out now. */
	wfd_conn_io(d->conn, 0, now / 1000000);
	return -2;
}

static int run(struct wfdd *d, int sigfd, int timerfd)
{
	for (;;) {
		struct pollfd p[5] = {
			/* Events come only while a session is connected. */
			{ .fd = d->src.session ? d->src.fd : -1, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = timerfd, .events = POLLIN },
			{ .fd = d->conn ? d->conn->fd : -1,
			  .events = d->conn ? wfd_conn_events(d->conn) : 0 },
			/* Only to turn away others while a sink is connected. */
			{ .fd = d->conn ? d->conn->listen_fd : -1, .events = POLLIN },
		};
		uint64_t now;
		int ret = 0;

		if (poll(p, 5, -1) < 0) {
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
				return -1;	/* SIGINT/SIGTERM: graceful end */
			/* Wi-Fi Display: M5 TEARDOWN, the END follows. */
			d->stopping = true;
			wfds_stop(&d->conn->session, now_ns() / 1000000);
		}
		if (p[4].revents)
			wfd_conn_accept(d->conn, &d->conn->session.cfg, now_ns() / 1000000);
		if (p[0].revents && (ret = source_dispatch(&d->src)) < 0) {
			d->diag = ret;
			return WFD_STATUS_CRITICAL_ERROR;
		}
		if (d->conn) {
			ret = session_step(d, p[3].revents, now_ns());
			if (ret != -2)
				return ret;
		}
		ret = 0;
		if (d->src.frame_ready && !d->src.dpms_off)
			ret = new_frame(d);
		now = now_ns();
		if (p[2].revents) {
			uint64_t ticks;

			if (read(timerfd, &ticks, sizeof(ticks)) < 0)
				ticks = 0;
		}
		if (p[2].revents && d->streaming) {
			/* An idle desktop: keep the sink's picture alive at 1 fps. */
			if (!ret && frame_encoder_has_picture(d->fe) && !d->src.dpms_off &&
			    now - d->last_encode >= 1000000000ull)
				ret = encode_and_send(d, now, false, 0, NULL);
			if (!ret) {
				rtp_set_time(&d->rtp, (uint32_t)(now * 9 / 100000));
				ret = ts_mux_tick(&d->ts, now * 27 / 1000);
				if (!ret && d->audio)
					ret = send_silence(d, now);
				if (!ret)
					ret = rtp_flush(&d->rtp);
			}
			/* A send rate below the encoded rate, however it fails. */
			if (report_stats(d, now) && !ret) {
				d->diag = d->last_send_error ? d->last_send_error : -ENOBUFS;
				return WFD_STATUS_INSUFFICIENT_BANDWIDTH;
			}
		}
		if (ret) {
			int status = error_status(d, ret, now);

			if (status >= 0) {
				/* An encoder failure has set its own diag. */
				if (!d->diag)
					d->diag = ret;
				return status;
			}
		} else {
			d->first_send_error = 0;
		}
	}
}

static const char *const status_names[] = {
	"critical error", "missing keep-alive", "sink disconnect request",
	"insufficient bandwidth", "sink failed mode change", "companion disconnect",
};

/*
 * Wi-Fi Display mode: one sink after the other until SIGINT/SIGTERM.  A
 * session starts on the claimed output when a sink has told its modes,
 * and ends with its status, which unplugs the output.
 */
static int listen_loop(struct wfdd *d, int sigfd, int timerfd)
{
	struct wfd_conn conn;
	struct wfds_config cfg;
	unsigned int profiles;
	int ret;

	ret = wfd_conn_listen(&conn, d->o.listen, d->o.allow);
	if (ret) {
		fprintf(stderr, "wfdd: cannot listen on %s%s%s: %s\n", d->o.listen,
			d->o.allow ? " for " : "", d->o.allow ? d->o.allow : "", strerror(-ret));
		return ret == -EINVAL ? 2 : 1;
	}
	wfds_config_defaults(&cfg);
	cfg.keepalive_interval_ms = (uint32_t)d->o.keepalive_ms;
	cfg.keepalive_timeout_ms = (uint32_t)d->o.keepalive_timeout_ms;
	cfg.session_seed = (uint32_t)getpid() * 2654435761u ^ (uint32_t)now_ns();
	conn.verbose = d->o.verbose;
	d->conn = &conn;
	fprintf(stderr, "wfdd: waiting for a sink on %s\n", d->o.listen);
	while (!d->stopping) {
		struct pollfd p[2] = {
			{ .fd = conn.listen_fd, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
		};
		int status;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		cfg.session_seed++;
		/*
		 * Offer the profile the encoder makes: software and most VA-API
		 * drivers make Constrained Baseline, which every sink decodes;
		 * some VA-API drivers make only (Constrained) High.
		 */
		profiles = frame_encoder_profiles(d->fe);
		cfg.profiles = (profiles & 1u << H264_CONSTRAINED_HIGH ? WFD_PROFILE_CHP : 0) |
			       (profiles & 1u << H264_CONSTRAINED_BASELINE ? WFD_PROFILE_CBP : 0);
		if (wfd_conn_accept(&conn, &cfg, now_ns() / 1000000))
			continue;
		/* Nothing of the last session may leak into this one. */
		d->sock = -1;
		d->streaming = d->want_idr = false;
		d->seen_w = d->seen_h = 0;
		d->seen_hz = 0;
		d->seen_dpms_off = false;
		d->level_idc = d->max_kbps = 0;
		d->diag = 0;
		d->first_send_error = 0;
		stats_init(&d->st, now_ns(), 0);

		status = run(d, sigfd, timerfd);
		if (status >= 0)
			fprintf(stderr, "wfdd: session ends: %s (diag %d)\n", status_names[status],
				d->diag);
		else
			fprintf(stderr, "wfdd: session ends gracefully\n");
		session_end(d, status);
		wfd_conn_hangup(&conn);
		if (d->sock >= 0)
			close(d->sock);
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

int main(int argc, char **argv)
{
	struct wfdd d = { .src.fd = -1 };
	struct itimerspec its = { { 0, 20000000 }, { 0, 20000000 } };
	uint8_t edid[256];
	char host[256], *port = NULL;
	sigset_t mask;
	int n = 0, ret, sock, sigfd = -1, timerfd = -1, status;

	if (parse_opts(argc, argv, &d.o))
		return 2;
	if (d.o.rtp) {
		snprintf(host, sizeof(host), "%s", d.o.rtp);
		port = strrchr(host, ':');
		if (!port) {
			fprintf(stderr, "wfdd: --rtp needs HOST:PORT\n");
			return 2;
		}
		*port++ = 0;
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
	ret = session_claim(&d);
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
	timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	timerfd_settime(timerfd, 0, &its, NULL);

	if (d.o.listen) {
		ret = listen_loop(&d, sigfd, timerfd);
		goto out;
	}

	sock = rtp_connect(host, port);
	if (sock < 0) {
		fprintf(stderr, "wfdd: cannot reach %s: %s\n", d.o.rtp, strerror(-sock));
		ret = 1;
		goto out;
	}
	ret = session_connect(&d, edid, (size_t)n, 0, 0);
	if (ret) {
		close(sock);
		ret = 1;
		goto out;
	}
	fprintf(stderr, "wfdd: session %llu on output %u, streaming to %s\n",
		(unsigned long long)d.src.session, d.src.output, d.o.rtp);
	d.streaming = true;

	ts_mux_init(&d.ts, rtp_ts_out, &d.rtp);
	rtp_init(&d.rtp, sock, (uint32_t)getpid() * 2654435761u, (uint16_t)now_ns());
	stats_init(&d.st, now_ns(), d.rtp.bytes);

	status = run(&d, sigfd, timerfd);
	if (status >= 0)
		fprintf(stderr, "wfdd: session ends: %s (diag %d)\n", status_names[status], d.diag);
	else
		fprintf(stderr, "wfdd: stopping\n");
	session_end(&d, status);
	close(sock);
	ret = status >= 0 ? 1 : 0;
out:
	/* The output is free again once the claim fd is closed. */
	source_close(&d.src);
	frame_encoder_destroy(d.fe);
	if (timerfd >= 0)
		close(timerfd);
	if (sigfd >= 0)
		close(sigfd);
	if (d.frame_log)
		fclose(d.frame_log);
	return ret;
}
