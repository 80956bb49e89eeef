// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wfdd's output: claimed once at start-up, with every privilege given up
 * right after, then one session per sink on the claim; and the glue of a
 * session: the compositor's frames into the encoder and the stream, the
 * sink's requests (Wi-Fi Display) to the output and the stream.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "privs.h"
#include "wfdd.h"

static void buffer_gone(void *opaque, uint64_t buffer_id)
{
	struct wfdd *d = opaque;

	frame_encoder_forget(d->fe, buffer_id);
}

/* Why the claim failed, after "cannot start a session on output N: ". */
static const char *claim_failure(enum source_step step, int err)
{
	switch (step) {
	case SOURCE_OPEN:
		return "cannot open the wfd card";
	case SOURCE_VERSION:
		return err == -EPROTONOSUPPORT ?
			"the wfd driver speaks another UAPI version than this wfdd (2)" :
			"GET_INFO failed";
	case SOURCE_CLAIM:
		break;
	}
	return "claiming it failed";
}

/*
 * Neither the network nor the sink's bytes ever meet a process that holds
 * a privilege: the claim fd carries all wfdd needs of CAP_SYS_ADMIN.
 */
int session_claim(struct wfdd *d)
{
	enum source_step step;
	bool bounding;
	int ret;

	ret = source_claim(&d->src, d->o.device, d->o.output, &step);
	if (ret) {
		fprintf(stderr, "wfdd: cannot start a session on output %u: %s: %s%s\n",
			d->o.output, claim_failure(step, ret), strerror(-ret),
			step == SOURCE_CLAIM && (ret == -EPERM || ret == -EACCES) ?
			" (claiming needs CAP_SYS_ADMIN)" : "");
		return 1;
	}
	d->src.buffer_gone = buffer_gone;
	d->src.opaque = d;
	ret = privs_drop(&bounding);
	if (ret) {
		fprintf(stderr, "wfdd: cannot drop capabilities: %s\n", strerror(-ret));
		return 1;
	}
	fprintf(stderr, "wfdd: claimed output %u; running without capabilities\n",
		d->src.output);
	if (d->o.verbose && !bounding)
		fprintf(stderr, "wfdd: no CAP_SETPCAP to empty the bounding set; "
			"no_new_privs keeps it unused\n");
	return 0;
}

/* Once a second while streaming: to the kernel (wfdctl) and, with -v, the log. */
static void report(void *opaque, const struct drm_wfd_report_stats *rs, uint64_t superseded)
{
	struct wfdd *d = opaque;

	wfd_report_stats(d->src.fd, d->src.session, rs);
	if (d->o.verbose)
		fprintf(stderr, "wfdd: %u.%03u fps, %u kbit/s, encode %u us, commit-to-send %u us, dropped %llu\n",
			rs->fps_milli / 1000, rs->fps_milli % 1000, rs->bitrate_kbps, rs->encode_us,
			rs->latency_us, (unsigned long long)superseded);
}

void session_init(struct wfdd *d)
{
	stream_init(&d->stream, &(struct stream_config){
		.latency_ms = d->o.latency_ms, .idr_ms = d->o.idr_ms,
		.idr_min_ms = d->o.idr_min_interval_ms,
		.frame_log = d->frame_log, .report = report, .opaque = d });
	/* Without its buffer, the sessions' audio is silence. */
	audio_ring_init(&d->ring);
}

/*
 * Start a session on the claim with @edid (logs a failure).  @max_w and
 * @max_h: the pipeline's limits, 0 for none.  0 or a negative errno.
 */
static int session_connect(struct wfdd *d, const uint8_t *edid, size_t size, int max_w,
			   int max_h)
{
	int ret = source_connect(&d->src, edid, size, max_w, max_h);

	session_audio_name(d, edid, size);

	if (ret)
		fprintf(stderr, "wfdd: cannot start a session on output %u: %s\n",
			d->src.output, strerror(-ret));
	return ret;
}

/* How wfd_conn_connect_output() reaches the kernel. */
static int connect_edid(void *opaque, const uint8_t *edid, size_t size)
{
	struct wfdd *d = opaque;
	const struct wfds *s = &d->conn->session;

	return session_connect(d, edid, size, (int)s->cfg.max_width, (int)s->cfg.max_height);
}

/*
 * Wi-Fi Display: the sink's capabilities are known, connect with its
 * modes: its own EDID without what M4 cannot offer, or (none, or the
 * kernel refuses it) one that describes exactly those modes.
 */
static int session_connect_sink(struct wfdd *d)
{
	const struct wfds *s = &d->conn->session;
	int ret;

	d->o.nmodes = (int)wfds_sink_modes(s, d->o.modes, MAX_MODES);
	ret = wfd_conn_connect_output(d->conn, d->o.name, connect_edid, d);
	if (ret)
		return ret;
	fprintf(stderr, "wfdd: session %llu on output %u for sink %s, %s EDID, best mode %ux%u@%u\n",
		(unsigned long long)d->src.session, d->src.output, d->conn->peer,
		d->conn->edid_own ? "the sink's" : "synthesized", d->o.modes[0].width,
		d->o.modes[0].height, d->o.modes[0].refresh_hz);
	return 0;
}

int session_connect_direct(struct wfdd *d, const uint8_t *edid, size_t size, int sock,
			   uint64_t now)
{
	int ret = session_connect(d, edid, size, 0, 0);

	if (ret)
		return ret;
	fprintf(stderr, "wfdd: session %llu on output %u, streaming to %s\n",
		(unsigned long long)d->src.session, d->src.output, d->o.rtp);
	d->diag = 0;
	stream_start(&d->stream, d->fe, sock, now);
	/* Receivers may join at any time: an IDR every interval, static or not. */
	stream_idle(&d->stream, (unsigned int)d->o.idr_ms, true);
	stream_play(&d->stream, session_audio_start(d, true), now);
	return 0;
}

void session_new_sink(struct wfdd *d, uint64_t now)
{
	d->seen_w = d->seen_h = 0;
	d->seen_hz = 0;
	d->seen_dpms_off = false;
	d->level_idc = d->max_kbps = 0;
	d->diag = 0;
	/* No socket before PLAY; the statistics count from now. */
	stream_start(&d->stream, d->fe, -1, now);
	stream_idle(&d->stream, 1000, true);
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

/*
 * While the stream is paused, the output's events are read at most this
 * often: a compositor draws on while the sink is in standby, and each
 * read is a wake-up (four a second were 14 context switches a second
 * under emulation).  Nothing waits on them meanwhile: they are state in
 * the kernel, and PLAY comes from the sink, not from them.
 */
#define PAUSED_EVENTS_NS	1000000000ull

/* Paused, and the events were read less than PAUSED_EVENTS_NS ago. */
static bool events_held(const struct wfdd *d, uint64_t now)
{
	return stream_paused(&d->stream) && now < d->events_at + PAUSED_EVENTS_NS;
}

int session_event_fd(const struct wfdd *d, uint64_t now)
{
	return d->src.session && !events_held(d, now) ? d->src.fd : -1;
}

int session_events(struct wfdd *d, uint64_t now)
{
	d->events_at = now;
	return source_dispatch(&d->src);
}

int session_frame(struct wfdd *d, uint64_t now)
{
	struct source_frame f;
	struct frame_times ft;
	uint64_t held;
	int ret;

	stream_blank(&d->stream, d->src.dpms_off);
	/*
	 * Paused: no picture is needed before PLAY, when the latest frame
	 * (the kernel keeps it pending) becomes the first IDR.
	 */
	if (!d->src.frame_ready || d->src.dpms_off || stream_paused(&d->stream))
		return SESSION_ON;
	/* Nor while the sound catches up: the loop's next tick looks again. */
	if (stream_sound_late(&d->stream, now))
		return SESSION_ON;
	if (d->frame_log)
		frame_times_stamp(&ft, T_START);
	ret = source_acquire(&d->src, &f);
	if (ret == -EAGAIN)
		return SESSION_ON;
	if (ret) {
		d->diag = ret;
		return WFD_STATUS_CRITICAL_ERROR;
	}
	if (d->frame_log)
		frame_times_stamp(&ft, T_ACQUIRED);
	stream_superseded(&d->stream, f.info.superseded);
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
		return WFD_STATUS_CRITICAL_ERROR;
	}
	if (d->frame_log)
		frame_times_stamp(&ft, T_CONVERTED);
	ret = stream_frame(&d->stream, f.info.timestamp_ns, f.info.sequence,
			   d->frame_log ? &ft : NULL, now);
	if (ret != STREAM_OK)
		d->diag = d->stream.diag;
	return ret;
}

/*
 * Start RTP to the sink's port (M7 PLAY), with the audio track when the
 * first M4 set one: later M4s change the video only.
 */
static int start_rtp(struct wfdd *d, uint16_t port, bool audio, uint64_t now)
{
	if (d->stream.fd < 0) {
		/* The socket whose port SETUP's reply named. */
		int sock = wfd_conn_rtp_socket(d->conn, port);

		if (sock < 0)
			return sock;
		stream_start(&d->stream, d->fe, sock, now);
		fprintf(stderr, "wfdd: streaming to %s:%u\n", d->conn->peer, port);
	}
	stream_play(&d->stream, session_audio_start(d, audio), now);
	return 0;
}

/* M4 accepted: the profile and level the sink takes. */
static int use_format(struct wfdd *d)
{
	const struct wfds *s = &d->conn->session;
	const struct wfd_video_codec *vc = &s->m4.video.codecs[0];
	int ret;

	ret = frame_encoder_use_profile(d->fe, vc->profile & WFD_PROFILE_CHP ?
					H264_CONSTRAINED_HIGH : H264_CONSTRAINED_BASELINE);
	d->level_idc = wfd_level_idc(vc->level);
	d->max_kbps = (int)wfd_level_max_kbps(vc->level, vc->profile);
	/*
	 * A static picture: a sink that skips frames gets it again only after
	 * the longest gap it allows (none: never), one that does not once a
	 * second; IDRs only for one that cannot ask for them.
	 */
	stream_idle(&d->stream, vc->frame_rate_control & WFD_FRC_SKIPPING ?
			WFD_FRC_SKIP_GAP(vc->frame_rate_control) : 1000,
		    !s->caps.idr_request_capable);
	fprintf(stderr, "wfdd: format %ux%u@%u, %s, level %d.%d, up to %d kbit/s\n",
		s->mode_w, s->mode_h, s->mode_hz, vc->profile & WFD_PROFILE_CHP ? "CHP" : "CBP",
		d->level_idc / 10, d->level_idc % 10, stream_kbps(d));
	return ret;
}

/* Tell the sink's session what the compositor did since the last time. */
static void tell_session(struct wfdd *d, uint64_t now)
{
	struct wfds *s = &d->conn->session;

	if (!d->src.session)
		return;
	if (d->src.mode_w != d->seen_w || d->src.mode_h != d->seen_h ||
	    d->src.mode_hz != d->seen_hz) {
		d->seen_w = d->src.mode_w;
		d->seen_h = d->src.mode_h;
		d->seen_hz = d->src.mode_hz;
		wfds_set_mode(s, (unsigned int)d->seen_w, (unsigned int)d->seen_h, d->seen_hz,
			      now / 1000000);
	}
	if (d->src.dpms_off != d->seen_dpms_off) {
		d->seen_dpms_off = d->src.dpms_off;
		wfds_set_dpms(s, d->seen_dpms_off, now / 1000000);
	}
}

int session_step(struct wfdd *d, short revents, uint64_t now)
{
	struct wfds *s = &d->conn->session;
	struct wfds_action a;
	int ret;

	tell_session(d, now);
	wfd_conn_io(d->conn, revents, now / 1000000);
	while (wfds_next_action(s, &a)) {
		switch (a.type) {
		case WFDS_CONNECT_OUTPUT:
			ret = session_connect_sink(d);
			if (ret)
				wfds_fail(s, WFD_STATUS_CRITICAL_ERROR, ret);
			break;
		case WFDS_FORMAT:
			ret = use_format(d);
			if (ret)
				wfds_fail(s, WFD_STATUS_CRITICAL_ERROR, ret);
			break;
		case WFDS_PLAY:
			ret = start_rtp(d, a.rtp_port, a.audio, now);
			if (ret) {
				fprintf(stderr, "wfdd: cannot reach %s:%u: %s\n", d->conn->peer,
					a.rtp_port, strerror(-ret));
				wfds_fail(s, WFD_STATUS_SINK_DISCONNECT_REQUEST, ret);
			}
			break;
		case WFDS_PAUSE:
			stream_pause(&d->stream);
			break;
		case WFDS_IDR:
			stream_idr(&d->stream);
			break;
		case WFDS_END:
			d->diag = a.diag;
			return a.status;
		}
	}
	/* What the actions queued (and the END's TEARDOWN reply) goes out now. */
	wfd_conn_io(d->conn, 0, now / 1000000);
	return SESSION_ON;
}

uint64_t session_deadline(const struct wfdd *d, uint64_t now)
{
	uint64_t t = stream_deadline(&d->stream), ms;

	/* Paused: the output's events again once the hold is over. */
	if (d->src.session && events_held(d, now) && d->events_at + PAUSED_EVENTS_NS < t)
		t = d->events_at + PAUSED_EVENTS_NS;

	/* The sink's session: replies, keep-alives, its own timeouts (ms). */
	if (d->conn && d->conn->fd >= 0) {
		ms = wfds_deadline(&d->conn->session);
		if (ms != UINT64_MAX && ms * 1000000ull < t)
			t = ms * 1000000ull;
	}
	return t;
}

static const char *const status_names[] = {
	"critical error", "missing keep-alive", "sink disconnect request",
	"insufficient bandwidth", "sink failed mode change", "companion disconnect",
};

void session_end(struct wfdd *d, int status)
{
	if (status >= 0)
		fprintf(stderr, "wfdd: session ends: %s (diag %d)\n", status_names[status], d->diag);
	else
		fprintf(stderr, "wfdd: session ends gracefully\n");
	if (d->src.hold_expired)
		fprintf(stderr, "wfdd: %llu frames were held past the kernel's hold timeout\n",
			(unsigned long long)d->src.hold_expired);
	if (d->stream.sound_late)
		fprintf(stderr, "wfdd: pictures waited for the sound %llu times\n",
			(unsigned long long)d->stream.sound_late);
	stream_stop(&d->stream);
	session_audio_end(d);
	source_end(&d->src, status, status >= 0 ? d->diag : 0);
}
