// SPDX-License-Identifier: GPL-2.0-only
/*
 * wfd: sessions, the link between an output and the daemon feeding a sink
 */

/**
 * DOC: sessions
 *
 * A privileged daemon claims an output (CLAIM), which starts a session
 * owned by its DRM file.  CONNECT gives the sink's EDID: the connector
 * becomes connected with the sink's modes and a hotplug uevent fires.
 * Each commit with damage on the output's plane is a new frame: the daemon
 * gets a FRAME_READY event, acquires the latest frame (a GEM handle in its
 * own file for a buffer it has not seen, from which it makes a dma-buf)
 * and releases it.  While a frame is held, the commit that would retire
 * its buffer waits, bounded by hold_timeout_ms.
 *
 * A session ends with a status (REPORT_STATUS), gracefully (DISCONNECT),
 * or when its file is closed (as WFD_STATUS_COMPANION_DISCONNECT).  Every
 * ending unplugs the output, releases what is held, and is recorded.
 */

#include <linux/capability.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include <drm/drm_atomic.h>
#include <drm/drm_auth.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_edid.h>
#include <drm/drm_file.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem.h>
#include <drm/drm_modes.h>
#include <drm/drm_modeset_lock.h>
#include <drm/drm_print.h>
#include <drm/drm_probe_helper.h>

#include "wfd_compat.h"
#include "wfd_drv.h"

unsigned int wfd_hold_timeout_ms = 200;
module_param_named(hold_timeout_ms, wfd_hold_timeout_ms, uint, 0644);
MODULE_PARM_DESC(hold_timeout_ms,
		 "Longest a held frame delays the commit retiring it (ms, default 200)");

/* Graceful ends are recorded with this status. */
#define WFD_ENDING_GRACEFUL	(-1)

/**
 * struct wfd_session - a daemon's claim on an output
 *
 * Everything here is protected by the output's session_lock.
 */
struct wfd_session {
	/** @output: the output */
	struct wfd_output *output;
	/** @file: the owner's DRM file; events go there */
	struct drm_file *file;
	/** @id: the session id */
	u32 id;
	/** @pid: the claiming process, for debugfs */
	pid_t pid;
	/** @start: claim time */
	ktime_t start;

	/** @edid: the sink's EDID once connected, else NULL */
	const struct drm_edid *edid;
	/** @sink_name: monitor name from the EDID */
	char sink_name[16];
	/** @max_width: mode limit from CONNECT, 0 for none */
	u32 max_width;
	/** @max_height: mode limit from CONNECT, 0 for none */
	u32 max_height;
	/** @max_pixel_rate: mode limit from CONNECT, 0 for none */
	u64 max_pixel_rate;

	/** @latest_fb: the latest frame's buffer (a reference is held) */
	struct drm_framebuffer *latest_fb;
	/** @latest_seq: its sequence number; 0 before the first frame */
	u64 latest_seq;
	/** @latest_ns: its commit time */
	u64 latest_ns;
	/** @damage: damage accumulated since the last acquire */
	struct drm_rect damage;
	/** @acquired_seq: sequence of the last acquired frame */
	u64 acquired_seq;
	/** @held_fb: the held frame's buffer (a reference is held) or NULL */
	struct drm_framebuffer *held_fb;
	/** @held_seq: the held frame's sequence number */
	u64 held_seq;
	/** @known: buffer ids the owner has a handle of (value: handle) */
	struct xarray known;

	/** @superseded: frames never acquired */
	u64 superseded;
	/** @events_dropped: events the owner's full queue refused */
	u64 events_dropped;
	/** @stats: last REPORT_STATS */
	struct drm_wfd_report_stats stats;
};

/* Event with room for any of our payloads. */
struct wfd_pending_event {
	struct drm_pending_event base;
	union {
		struct drm_event base;
		struct drm_wfd_event_frame frame;
		struct drm_wfd_event_mode mode;
		struct drm_wfd_event_dpms dpms;
		struct drm_wfd_event_buffer_gone gone;
	} ev;
};

static void wfd_session_send(struct wfd_session *s, u32 type,
			     struct drm_event *ev, u32 len)
{
	struct drm_device *drm = &s->output->wfd->drm;
	struct wfd_pending_event *p;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p) {
		s->events_dropped++;
		return;
	}
	memcpy(&p->ev, ev, len);
	p->ev.base.type = type;
	p->ev.base.length = len;
	if (drm_event_reserve_init(drm, s->file, &p->base, &p->ev.base)) {
		kfree(p);
		s->events_dropped++;
		return;
	}
	drm_send_event(drm, &p->base);
}

/**
 * wfd_session_id - the id of a session
 * @s: the session, with its output's session_lock held
 *
 * Return: the id.
 */
u32 wfd_session_id(const struct wfd_session *s)
{
	return s->id;
}

/* --- the connector's view ------------------------------------------ */

/**
 * wfd_session_output_init - initialise the session state of an output
 * @output: the output
 */
void wfd_session_output_init(struct wfd_output *output)
{
	mutex_init(&output->session_lock);
	init_waitqueue_head(&output->hold_wq);
}

/**
 * wfd_session_connected - does a session have a sink plugged in?
 * @output: the output
 *
 * Return: true when the output's session has connected a sink.
 */
bool wfd_session_connected(struct wfd_output *output)
{
	bool connected;

	mutex_lock(&output->session_lock);
	connected = output->session && output->session->edid;
	mutex_unlock(&output->session_lock);
	return connected;
}

/**
 * wfd_session_get_modes - add the sink's modes to the connector
 * @output: the output
 *
 * Called with mode_config.mutex held.
 *
 * Return: the number of modes added; -1 when no sink is connected.
 */
int wfd_session_get_modes(struct wfd_output *output)
{
	struct drm_connector *connector = &output->connector;
	int count = -1;

	mutex_lock(&output->session_lock);
	if (output->session && output->session->edid)
		count = wfd_compat_edid_update(connector, output->session->edid);
	else
		wfd_compat_edid_update(connector, NULL);
	mutex_unlock(&output->session_lock);
	return count;
}

/**
 * wfd_session_mode_valid - apply the session's limits to a mode
 * @output: the output
 * @mode: the mode
 *
 * Return: MODE_OK, or why the sink's pipeline cannot carry @mode.
 */
enum drm_mode_status wfd_session_mode_valid(struct wfd_output *output,
					    const struct drm_display_mode *mode)
{
	enum drm_mode_status status = MODE_OK;
	struct wfd_session *s;

	mutex_lock(&output->session_lock);
	s = output->session;
	if (s && s->max_width && mode->hdisplay > s->max_width)
		status = MODE_VIRTUAL_X;
	else if (s && s->max_height && mode->vdisplay > s->max_height)
		status = MODE_VIRTUAL_Y;
	else if (s && s->max_pixel_rate &&
		 (u64)mode->hdisplay * mode->vdisplay * drm_mode_vrefresh(mode) >
		 s->max_pixel_rate)
		status = MODE_CLOCK_HIGH;
	mutex_unlock(&output->session_lock);
	return status;
}

/* --- frames ---------------------------------------------------------- */

static void wfd_rect_union(struct drm_rect *r, const struct drm_rect *add)
{
	r->x1 = min(r->x1, add->x1);
	r->y1 = min(r->y1, add->y1);
	r->x2 = max(r->x2, add->x2);
	r->y2 = max(r->y2, add->y2);
}

/**
 * wfd_session_frame - a commit updated the output's plane
 * @output: the output
 * @old_state: the plane's old state
 * @new_state: the plane's new state
 *
 * Called from the plane's atomic_update.  A visible update with damage is
 * a new frame for the session.
 */
void wfd_session_frame(struct wfd_output *output,
		       struct drm_plane_state *old_state,
		       struct drm_plane_state *new_state)
{
	struct drm_framebuffer *put = NULL;
	struct drm_wfd_event_frame ev = { };
	struct wfd_session *s;
	struct drm_rect damage;

	if (!new_state->visible || !new_state->fb)
		return;
	if (!drm_atomic_helper_damage_merged(old_state, new_state, &damage))
		return;

	mutex_lock(&output->session_lock);
	s = output->session;
	if (!s || !s->edid)
		goto out;

	if (s->latest_fb != new_state->fb) {
		put = s->latest_fb;
		s->latest_fb = new_state->fb;
		drm_framebuffer_get(s->latest_fb);
	}
	if (s->latest_seq > s->acquired_seq)
		wfd_rect_union(&s->damage, &damage);
	else
		s->damage = damage;
	s->latest_seq++;
	s->latest_ns = ktime_get_ns();

	ev.session_id = s->id;
	ev.output = output->index + 1;
	ev.sequence = s->latest_seq;
	ev.timestamp_ns = s->latest_ns;
	ev.damage.x1 = damage.x1;
	ev.damage.y1 = damage.y1;
	ev.damage.x2 = damage.x2;
	ev.damage.y2 = damage.y2;
	wfd_session_send(s, DRM_WFD_EVENT_FRAME_READY, &ev.base, sizeof(ev));
out:
	mutex_unlock(&output->session_lock);
	if (put)
		drm_framebuffer_put(put);
}

static bool wfd_session_holds(struct wfd_output *output,
			      struct drm_framebuffer *fb)
{
	bool held;

	mutex_lock(&output->session_lock);
	held = output->session && output->session->held_fb == fb;
	mutex_unlock(&output->session_lock);
	return held;
}

/**
 * wfd_session_wait_retire - wait until @fb may be retired
 * @output: the output whose plane scans @fb out
 * @fb: the buffer a commit is about to replace
 *
 * Called from the commit tail before the planes are updated: while the
 * session holds @fb the commit does not complete, so the compositor cannot
 * reuse the buffer the daemon is still reading.  After hold_timeout_ms the
 * hold is broken, counted and logged.
 */
void wfd_session_wait_retire(struct wfd_output *output,
			     struct drm_framebuffer *fb)
{
	struct drm_framebuffer *put = NULL;
	struct wfd_session *s;
	u32 id = 0;

	if (wait_event_timeout(output->hold_wq,
			       !wfd_session_holds(output, fb),
			       msecs_to_jiffies(wfd_hold_timeout_ms)))
		return;

	mutex_lock(&output->session_lock);
	s = output->session;
	if (s && s->held_fb == fb) {
		put = s->held_fb;
		s->held_fb = NULL;
		output->hold_timeouts++;
		id = s->id;
	}
	mutex_unlock(&output->session_lock);
	if (!put)
		return;
	drm_framebuffer_put(put);
	dev_warn_ratelimited(output->wfd->drm.dev,
			     "output %u: session %u held a frame over %u ms\n",
			     output->index + 1, id, wfd_hold_timeout_ms);
}

/**
 * wfd_session_fb_gone - a framebuffer is being destroyed
 * @wfd: the device
 * @fb: the framebuffer
 *
 * Tells each session that has a handle of @fb to drop it.  Sessions hold
 * references of the buffers they use, so @fb is none of those.
 */
void wfd_session_fb_gone(struct wfd_device *wfd, struct drm_framebuffer *fb)
{
	u64 buffer_id = to_wfd_fb(fb)->buffer_id;
	unsigned int i;

	for (i = 0; i < wfd->num_outputs; i++) {
		struct wfd_output *output = &wfd->outputs[i];
		struct drm_wfd_event_buffer_gone ev = { };
		struct wfd_session *s;

		mutex_lock(&output->session_lock);
		s = output->session;
		if (s && xa_erase(&s->known, buffer_id)) {
			ev.session_id = s->id;
			ev.output = i + 1;
			ev.buffer_id = buffer_id;
			wfd_session_send(s, DRM_WFD_EVENT_BUFFER_GONE, &ev.base,
					 sizeof(ev));
		}
		mutex_unlock(&output->session_lock);
	}
}

/**
 * wfd_session_crtc_event - the compositor changed the CRTC
 * @output: the output
 * @state: the CRTC's new state
 * @dpms: only "active" changed (DPMS), not the mode or enable
 *
 * Sends DPMS, or MODE_SET with the new mode (zeros when disabled).
 */
void wfd_session_crtc_event(struct wfd_output *output,
			    const struct drm_crtc_state *state, bool dpms)
{
	const struct drm_display_mode *mode = &state->mode;
	struct wfd_session *s;

	mutex_lock(&output->session_lock);
	s = output->session;
	if (!s || !s->edid)
		goto out;

	if (dpms) {
		struct drm_wfd_event_dpms ev = {
			.session_id = s->id,
			.output = output->index + 1,
			.state = state->active ? WFD_DPMS_ON : WFD_DPMS_OFF,
		};

		wfd_session_send(s, DRM_WFD_EVENT_DPMS, &ev.base, sizeof(ev));
	} else {
		struct drm_wfd_event_mode ev = {
			.session_id = s->id,
			.output = output->index + 1,
		};

		if (state->enable) {
			ev.width = mode->hdisplay;
			ev.height = mode->vdisplay;
			ev.clock_khz = mode->clock;
			ev.refresh_mhz = DIV_ROUND_CLOSEST_ULL((u64)mode->clock * 1000000,
							       mode->htotal * mode->vtotal);
		}
		wfd_session_send(s, DRM_WFD_EVENT_MODE_SET, &ev.base, sizeof(ev));
	}
out:
	mutex_unlock(&output->session_lock);
}

/* --- session lifetime -------------------------------------------------- */

static const char *const wfd_status_names[] = {
	[WFD_STATUS_CRITICAL_ERROR] = "critical error",
	[WFD_STATUS_MISSING_KEEPALIVE] = "missing keep-alive",
	[WFD_STATUS_SINK_DISCONNECT_REQUEST] = "sink disconnect request",
	[WFD_STATUS_INSUFFICIENT_BANDWIDTH] = "insufficient bandwidth",
	[WFD_STATUS_SINK_FAILED_MODE_CHANGE] = "sink failed mode change",
	[WFD_STATUS_COMPANION_DISCONNECT] = "companion disconnect",
};

static const char *wfd_status_name(s32 status)
{
	if (status == WFD_ENDING_GRACEFUL)
		return "graceful";
	return wfd_status_names[status];
}

/* Find the caller's session @id: -ENOENT if none, -EPERM if not theirs. */
static struct wfd_session *wfd_session_lock(struct wfd_device *wfd, u32 id,
					    struct drm_file *file)
{
	unsigned int i;

	if (!id)
		return ERR_PTR(-ENOENT);
	for (i = 0; i < wfd->num_outputs; i++) {
		struct wfd_output *output = &wfd->outputs[i];

		mutex_lock(&output->session_lock);
		if (output->session && output->session->id == id) {
			if (output->session->file == file)
				return output->session;
			mutex_unlock(&output->session_lock);
			return ERR_PTR(-EPERM);
		}
		mutex_unlock(&output->session_lock);
	}
	return ERR_PTR(-ENOENT);
}

/*
 * The common start of the per-session ioctls: input flags and reserved
 * fields must be zero; then find and lock the caller's session.
 */
static struct wfd_session *wfd_session_lock_args(struct drm_device *drm,
						 u32 id, u32 flags,
						 const u64 *reserved,
						 size_t reserved_size,
						 struct drm_file *file)
{
	if (flags || memchr_inv(reserved, 0, reserved_size))
		return ERR_PTR(-EINVAL);
	return wfd_session_lock(to_wfd(drm), id, file);
}

static void wfd_session_unlock(struct wfd_session *s)
{
	mutex_unlock(&s->output->session_lock);
}

/*
 * End the session @s, which the caller has locked: detach it, record the
 * ending, unlock, then release what it held and unplug the output.
 */
static void wfd_session_end_locked(struct wfd_session *s, s32 status, s32 diag)
{
	struct wfd_output *output = s->output;
	struct drm_device *drm = &output->wfd->drm;
	struct wfd_ending *e;
	bool was_connected = s->edid;

	output->session = NULL;
	e = &output->endings[output->num_endings++ % WFD_ENDINGS];
	e->session_id = s->id;
	e->status = status;
	e->diag = diag;
	e->duration_ms = ktime_ms_delta(ktime_get(), s->start);
	mutex_unlock(&output->session_lock);

	wake_up_all(&output->hold_wq);
	if (s->held_fb)
		drm_framebuffer_put(s->held_fb);
	if (s->latest_fb)
		drm_framebuffer_put(s->latest_fb);
	xa_destroy(&s->known);
	drm_edid_free(s->edid);

	if (status == WFD_ENDING_GRACEFUL)
		drm_dbg_driver(drm, "output %u: session %u ended gracefully\n",
			       output->index + 1, s->id);
	else
		dev_info_ratelimited(drm->dev, "output %u: session %u ended: %s (diag %d)\n",
				     output->index + 1, s->id,
				     wfd_status_name(status), diag);
	kfree(s);

	/* Re-probe: the connector turns disconnected and a uevent fires. */
	if (was_connected)
		drm_helper_hpd_irq_event(drm);
}

/**
 * wfd_session_file_closed - end the sessions of a closing file
 * @wfd: the device
 * @file: the DRM file being closed
 *
 * Called before the DRM core releases the file, so that no event can be
 * queued on it afterwards.  A daemon that dies ends its sessions this way.
 */
void wfd_session_file_closed(struct wfd_device *wfd, struct drm_file *file)
{
	unsigned int i;

	for (i = 0; i < wfd->num_outputs; i++) {
		struct wfd_output *output = &wfd->outputs[i];

		mutex_lock(&output->session_lock);
		if (output->session && output->session->file == file)
			wfd_session_end_locked(output->session,
					       WFD_STATUS_COMPANION_DISCONNECT, 0);
		else
			mutex_unlock(&output->session_lock);
	}
}

/* --- ioctls -------------------------------------------------------------- */

/**
 * wfd_claim_ioctl - DRM_IOCTL_WFD_CLAIM: start a session on an output
 * @drm: the device
 * @data: &struct drm_wfd_claim
 * @file: the caller, which owns the session
 *
 * Return: 0; -EINVAL for bad arguments; -EBUSY when the output (or every
 * output) is taken, or the caller is DRM master; -ENOMEM.
 */
int wfd_claim_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct wfd_device *wfd = to_wfd(drm);
	struct drm_wfd_claim *args = data;
	unsigned int first = 0, last = wfd->num_outputs, i;
	struct wfd_session *s;

	if (args->flags || args->pad ||
	    memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	if (args->output > wfd->num_outputs)
		return -EINVAL;
	/* The daemon must never take master from the compositor. */
	if (drm_is_current_master(file))
		return -EBUSY;
	if (args->output) {
		first = args->output - 1;
		last = args->output;
	}

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->file = file;
	s->pid = task_tgid_vnr(current);
	s->start = ktime_get();
	xa_init(&s->known);

	for (i = first; i < last; i++) {
		struct wfd_output *output = &wfd->outputs[i];

		mutex_lock(&output->session_lock);
		if (!output->session) {
			s->output = output;
			s->id = atomic_inc_return(&wfd->next_session_id);
			output->session = s;
			mutex_unlock(&output->session_lock);
			args->output = i + 1;
			args->session_id = s->id;
			return 0;
		}
		mutex_unlock(&output->session_lock);
	}
	kfree(s);
	return -EBUSY;
}

static int wfd_edid_check(const u8 *buf, u32 size)
{
	static const u8 header[] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	u32 block;

	if (memcmp(buf, header, sizeof(header)))
		return -EINVAL;
	/* Byte 126 counts the extension blocks: the size must match it. */
	if (size != (buf[126] + 1u) * EDID_LENGTH)
		return -EINVAL;
	for (block = 0; block < size / EDID_LENGTH; block++) {
		const u8 *b = buf + block * EDID_LENGTH;
		u8 sum = 0;
		int j;

		for (j = 0; j < EDID_LENGTH; j++)
			sum += b[j];
		if (sum)
			return -EINVAL;
	}
	return 0;
}

/* Probe the connector now; count the modes that survived validation. */
static int wfd_connector_probe_count(struct wfd_output *output)
{
	struct drm_connector *connector = &output->connector;
	struct drm_display_mode *mode;
	int count = 0;

	connector->funcs->fill_modes(connector, WFD_MAX_SIZE, WFD_MAX_SIZE);
	list_for_each_entry(mode, &connector->modes, head)
		count++;
	return count;
}

/* Give the caller's session its sink; returns the session's output. */
static struct wfd_output *wfd_session_set_sink(struct wfd_device *wfd,
					       struct drm_wfd_connect *args,
					       struct drm_file *file,
					       const struct drm_edid *edid)
{
	struct wfd_session *s;
	struct wfd_output *output;

	s = wfd_session_lock(wfd, args->session_id, file);
	if (IS_ERR(s))
		return ERR_CAST(s);
	if (s->edid) {
		wfd_session_unlock(s);
		return ERR_PTR(-EBUSY);
	}
	s->edid = edid;
	s->max_width = args->max_width;
	s->max_height = args->max_height;
	s->max_pixel_rate = args->max_pixel_rate;
	drm_edid_get_monitor_name(drm_edid_raw(edid), s->sink_name,
				  sizeof(s->sink_name) - 1);
	output = s->output;
	wfd_session_unlock(s);
	return output;
}

static void wfd_session_clear_sink(struct wfd_output *output, u32 id)
{
	const struct drm_edid *edid = NULL;

	mutex_lock(&output->session_lock);
	if (output->session && output->session->id == id) {
		edid = output->session->edid;
		output->session->edid = NULL;
	}
	mutex_unlock(&output->session_lock);
	drm_edid_free(edid);
}

/*
 * A session that connects to an output the compositor already lights (it
 * kept the CRTC on, or forced the connector) gets no modeset, so it is
 * told the current mode (and DPMS state) at once.  Lock order: the CRTC's
 * modeset lock, then session_lock, as in the commit path.
 */
static void wfd_session_report_mode(struct wfd_output *output)
{
	struct drm_crtc *crtc = &output->crtc;

	drm_modeset_lock(&crtc->mutex, NULL);
	if (crtc->state->enable) {
		wfd_session_crtc_event(output, crtc->state, false);
		if (!crtc->state->active)
			wfd_session_crtc_event(output, crtc->state, true);
	}
	drm_modeset_unlock(&crtc->mutex);
}

/**
 * wfd_connect_ioctl - DRM_IOCTL_WFD_CONNECT: plug the sink in
 * @drm: the device
 * @data: &struct drm_wfd_connect
 * @file: the session's owner
 *
 * Return: 0; -EINVAL for a bad EDID or one without a usable mode (nothing
 * changes then); -ENOENT/-EPERM for a stale or foreign session; -EBUSY when
 * already connected; -EFAULT; -ENOMEM.
 */
int wfd_connect_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct wfd_device *wfd = to_wfd(drm);
	struct drm_wfd_connect *args = data;
	const struct drm_edid *edid;
	struct wfd_output *output;
	u8 *buf;
	int ret;

	if (args->flags || args->pad ||
	    memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	if (args->edid_size < EDID_LENGTH || args->edid_size > WFD_MAX_EDID_SIZE ||
	    args->edid_size % EDID_LENGTH)
		return -EINVAL;

	buf = memdup_user(u64_to_user_ptr(args->edid_ptr), args->edid_size);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = wfd_edid_check(buf, args->edid_size);
	edid = ret ? NULL : drm_edid_alloc(buf, args->edid_size);
	kfree(buf);
	if (ret)
		return ret;
	if (!edid)
		return -ENOMEM;

	mutex_lock(&drm->mode_config.mutex);
	output = wfd_session_set_sink(wfd, args, file, edid);
	if (IS_ERR(output)) {
		mutex_unlock(&drm->mode_config.mutex);
		drm_edid_free(edid);
		return PTR_ERR(output);
	}
	if (!wfd_connector_probe_count(output)) {
		/* No mode the pipeline can carry: undo, as if never called. */
		wfd_session_clear_sink(output, args->session_id);
		wfd_connector_probe_count(output);
		ret = -EINVAL;
	}
	mutex_unlock(&drm->mode_config.mutex);
	if (ret)
		return ret;

	wfd_session_report_mode(output);
	drm_kms_helper_connector_hotplug_event(&output->connector);
	return 0;
}

static void wfd_acquire_fill(struct drm_wfd_frame_acquire *args,
			     struct wfd_session *s)
{
	struct drm_framebuffer *fb = s->latest_fb;
	unsigned int i;

	args->sequence = s->latest_seq;
	args->timestamp_ns = s->latest_ns;
	args->buffer_id = to_wfd_fb(fb)->buffer_id;
	args->fourcc = fb->format->format;
	args->modifier = fb->modifier;
	args->width = fb->width;
	args->height = fb->height;
	args->num_planes = fb->format->num_planes;
	for (i = 0; i < fb->format->num_planes; i++) {
		args->offsets[i] = fb->offsets[i];
		args->pitches[i] = fb->pitches[i];
	}
	args->damage.x1 = s->damage.x1;
	args->damage.y1 = s->damage.y1;
	args->damage.x2 = s->damage.x2;
	args->damage.y2 = s->damage.y2;
	args->superseded = s->latest_seq - s->acquired_seq - 1;
}

/**
 * wfd_frame_acquire_ioctl - DRM_IOCTL_WFD_FRAME_ACQUIRE
 * @drm: the device
 * @data: &struct drm_wfd_frame_acquire
 * @file: the session's owner
 *
 * Return: 0; -EAGAIN when no frame is new; -EBUSY when a frame is held;
 * -ENOENT/-EPERM for a stale or foreign session; -EINVAL; -ENOMEM.
 */
int wfd_frame_acquire_ioctl(struct drm_device *drm, void *data,
			    struct drm_file *file)
{
	struct drm_wfd_frame_acquire *args = data;
	u32 id = args->session_id;
	struct wfd_session *s;
	u32 handle = 0;
	void *known;
	int ret = 0;

	s = wfd_session_lock_args(drm, id, args->flags, args->reserved,
				  sizeof(args->reserved), file);
	if (IS_ERR(s))
		return PTR_ERR(s);
	if (s->held_fb) {
		ret = -EBUSY;
		goto out;
	}
	if (!s->latest_fb || s->latest_seq == s->acquired_seq) {
		ret = -EAGAIN;
		goto out;
	}

	memset(args, 0, sizeof(*args));
	args->session_id = id;
	known = xa_load(&s->known, to_wfd_fb(s->latest_fb)->buffer_id);
	if (known) {
		handle = xa_to_value(known);
	} else {
		/* fbs of the formats we take have a single object. */
		ret = drm_gem_handle_create(file, s->latest_fb->obj[0], &handle);
		if (ret)
			goto out;
		ret = xa_err(xa_store(&s->known, to_wfd_fb(s->latest_fb)->buffer_id,
				      xa_mk_value(handle), GFP_KERNEL));
		if (ret) {
			drm_gem_handle_delete(file, handle);
			goto out;
		}
		args->flags |= WFD_FRAME_NEW_BUFFER;
		args->gem_handle = handle;
	}
	wfd_acquire_fill(args, s);

	s->superseded += args->superseded;
	s->acquired_seq = s->latest_seq;
	s->held_fb = s->latest_fb;
	s->held_seq = s->latest_seq;
	drm_framebuffer_get(s->held_fb);
	s->output->frames_delivered++;
out:
	wfd_session_unlock(s);
	return ret;
}

/**
 * wfd_frame_release_ioctl - DRM_IOCTL_WFD_FRAME_RELEASE
 * @drm: the device
 * @data: &struct drm_wfd_frame_release
 * @file: the session's owner
 *
 * Return: 0; -EINVAL when @sequence is not the held frame (or the hold
 * already timed out); -ENOENT/-EPERM for a stale or foreign session.
 */
int wfd_frame_release_ioctl(struct drm_device *drm, void *data,
			    struct drm_file *file)
{
	struct drm_wfd_frame_release *args = data;
	struct drm_framebuffer *put = NULL;
	struct wfd_output *output;
	struct wfd_session *s;
	int ret = 0;

	s = wfd_session_lock_args(drm, args->session_id, args->flags,
				  args->reserved, sizeof(args->reserved), file);
	if (IS_ERR(s))
		return PTR_ERR(s);
	output = s->output;
	if (s->held_fb && s->held_seq == args->sequence) {
		put = s->held_fb;
		s->held_fb = NULL;
	} else {
		ret = -EINVAL;
	}
	wfd_session_unlock(s);

	if (put) {
		wake_up_all(&output->hold_wq);
		drm_framebuffer_put(put);
	}
	return ret;
}

/**
 * wfd_report_status_ioctl - DRM_IOCTL_WFD_REPORT_STATUS: end with a status
 * @drm: the device
 * @data: &struct drm_wfd_report_status
 * @file: the session's owner
 *
 * Every defined status ends the session and unplugs the output.
 *
 * Return: 0; -EINVAL for an undefined status; -ENOENT/-EPERM for a stale or
 * foreign session.  Nothing changes on error.
 */
int wfd_report_status_ioctl(struct drm_device *drm, void *data,
			    struct drm_file *file)
{
	struct drm_wfd_report_status *args = data;
	struct wfd_session *s;

	if (args->status > WFD_STATUS_MAX)
		return -EINVAL;

	s = wfd_session_lock_args(drm, args->session_id, args->flags,
				  args->reserved, sizeof(args->reserved), file);
	if (IS_ERR(s))
		return PTR_ERR(s);
	wfd_session_end_locked(s, args->status, args->diag);
	return 0;
}

/**
 * wfd_report_stats_ioctl - DRM_IOCTL_WFD_REPORT_STATS
 * @drm: the device
 * @data: &struct drm_wfd_report_stats
 * @file: the session's owner
 *
 * Return: 0; -EINVAL; -ENOENT/-EPERM for a stale or foreign session.
 */
int wfd_report_stats_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct drm_wfd_report_stats *args = data;
	struct wfd_session *s;

	s = wfd_session_lock_args(drm, args->session_id, args->flags,
				  args->reserved, sizeof(args->reserved), file);
	if (IS_ERR(s))
		return PTR_ERR(s);
	s->stats = *args;
	wfd_session_unlock(s);
	return 0;
}

/**
 * wfd_disconnect_ioctl - DRM_IOCTL_WFD_DISCONNECT: end gracefully
 * @drm: the device
 * @data: &struct drm_wfd_disconnect
 * @file: the session's owner
 *
 * Return: 0; -EINVAL; -ENOENT/-EPERM for a stale or foreign session.
 */
int wfd_disconnect_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct drm_wfd_disconnect *args = data;
	struct wfd_session *s;

	s = wfd_session_lock_args(drm, args->session_id, args->flags,
				  args->reserved, sizeof(args->reserved), file);
	if (IS_ERR(s))
		return PTR_ERR(s);
	wfd_session_end_locked(s, WFD_ENDING_GRACEFUL, 0);
	return 0;
}

/* --- debugfs ------------------------------------------------------------- */

/**
 * wfd_session_debugfs_show - print an output's session state
 * @m: the debugfs file
 * @output: the output
 */
void wfd_session_debugfs_show(struct seq_file *m, struct wfd_output *output)
{
	unsigned int n = output->index + 1, i, first;
	struct wfd_session *s;

	mutex_lock(&output->session_lock);
	s = output->session;
	seq_printf(m, "output%u.session: %u\n", n, s ? s->id : 0);
	if (s) {
		seq_printf(m, "output%u.owner_pid: %d\n", n, s->pid);
		seq_printf(m, "output%u.sink: %s\n", n, s->edid ? s->sink_name : "");
		seq_printf(m, "output%u.frames_committed: %llu\n", n, s->latest_seq);
		seq_printf(m, "output%u.frames_superseded: %llu\n", n, s->superseded);
		seq_printf(m, "output%u.frame_held: %d\n", n, !!s->held_fb);
		seq_printf(m, "output%u.events_dropped: %llu\n", n, s->events_dropped);
		seq_printf(m, "output%u.stats: encoded %llu dropped %llu bytes %llu fps %u.%03u kbps %u encode_us %u latency_us %u\n",
			   n, s->stats.frames_encoded, s->stats.frames_dropped,
			   s->stats.bytes_sent, s->stats.fps_milli / 1000,
			   s->stats.fps_milli % 1000, s->stats.bitrate_kbps,
			   s->stats.encode_us, s->stats.latency_us);
	}
	seq_printf(m, "output%u.frames_delivered: %llu\n", n, output->frames_delivered);
	seq_printf(m, "output%u.hold_timeouts: %llu\n", n, output->hold_timeouts);
	seq_printf(m, "output%u.sessions_ended: %u\n", n, output->num_endings);
	first = output->num_endings > WFD_ENDINGS ? output->num_endings - WFD_ENDINGS : 0;
	for (i = first; i < output->num_endings; i++) {
		const struct wfd_ending *e = &output->endings[i % WFD_ENDINGS];

		seq_printf(m, "output%u.ending: session %u status %s (%d) diag %d duration_ms %llu\n",
			   n, e->session_id, wfd_status_name(e->status), e->status,
			   e->diag, e->duration_ms);
	}
	mutex_unlock(&output->session_lock);
}
