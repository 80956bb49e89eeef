// SPDX-License-Identifier: GPL-2.0-only
/*
 * wfd: claims and sessions, the link between an output and its daemon
 */

/**
 * DOC: claims and sessions
 *
 * A privileged daemon claims an output with CLAIM on the card and gets a
 * claim fd: CAP_SYS_ADMIN is checked there and only there, and the fd
 * carries the privilege from then on, so the daemon can drop every
 * capability before it faces the network.  The claim lasts until the
 * last reference of the fd is closed; whoever holds the fd (after dup,
 * fork or SCM_RIGHTS) acts for the claim.  The claim references the DRM
 * device (drm_dev_get) and, through the fd's file operations, the module:
 * neither goes away while a claim fd is open.  It references no drm_file,
 * so the card fd it came from may be closed.
 *
 * On the claim fd, the daemon serves sinks one after another: CONNECT
 * plugs a sink in with its EDID and starts a session; the session ends
 * with REPORT_STATUS, DISCONNECT, or the close of the claim fd (as
 * WFD_STATUS_COMPANION_DISCONNECT).  Every ending unplugs the output,
 * releases what is held and is recorded.
 *
 * Buffers reach the daemon as dma-buf fds, one per buffer and session,
 * which the daemon owns: no GEM handle, so no drm_file, is involved.
 *
 * Events are read() from the claim fd.  They are computed from state at
 * read time, never queued, so none is ever dropped and nothing is
 * allocated when they arise: MODE_SET and DPMS from the CRTC state
 * against what was last read, BUFFER_GONE from a mark on the claim's
 * record of the buffer, FRAME_READY from the latest frame.
 */

#include <linux/anon_inodes.h>
#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include <drm/drm_auth.h>
#include <drm/drm_drv.h>
#include <drm/drm_edid.h>
#include <drm/drm_file.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem.h>
#include <drm/drm_prime.h>
#include <drm/drm_print.h>
#include <drm/drm_probe_helper.h>

#include "wfd_drv.h"

/* Graceful ends are recorded with this status. */
#define WFD_ENDING_GRACEFUL	(-1)
/* Mark of a buffer whose BUFFER_GONE is pending in @known. */
#define WFD_GONE		XA_MARK_0

/**
 * struct wfd_claim - a daemon's claim on an output, behind a claim fd
 *
 * @output is set at creation; everything else is protected by @lock,
 * which serialises the claim's ioctls and reads.  The entries of @known
 * are also marked gone by wfd_claim_mark_gone(), under wfd->claim_lock
 * only: the xarray's own lock covers that.
 */
struct wfd_claim {
	/** @output: the claimed output */
	struct wfd_output *output;
	/** @lock: see above */
	struct mutex lock;
	/** @pid: the claiming process, for debugfs */
	pid_t pid;
	/** @session_id: the live session, 0 when none */
	u64 session_id;
	/** @start: CONNECT time of the live session */
	ktime_t start;
	/** @known: buffer ids the session has an fd of */
	struct xarray known;
	/** @told: the CRTC state the daemon last read */
	struct wfd_crtc_mode told;
	/** @told_seq: the frame the daemon last read FRAME_READY of */
	u64 told_seq;
	/** @seen_gen: the event generation the daemon read up to */
	unsigned long seen_gen;
};

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

static struct drm_device *wfd_claim_drm(struct wfd_claim *claim)
{
	return &claim->output->wfd->drm;
}

/**
 * wfd_claim_mark_gone - a buffer is being destroyed
 * @claim: a claim, with wfd->claim_lock held
 * @buffer_id: the buffer
 *
 * If the claim's session has an fd of the buffer, its BUFFER_GONE stays
 * pending until read.  Allocates nothing.
 */
void wfd_claim_mark_gone(struct wfd_claim *claim, u64 buffer_id)
{
	if (!xa_load(&claim->known, buffer_id))
		return;
	xa_set_mark(&claim->known, buffer_id, WFD_GONE);
	wfd_frame_poke(claim->output);
}

/* Record the ending of the live session and forget it. */
static void wfd_claim_record_end(struct wfd_claim *claim, s32 status, s32 diag)
{
	struct wfd_output *output = claim->output;
	struct wfd_ending *e;

	mutex_lock(&output->wfd->claim_lock);
	e = &output->endings[output->num_endings++ % WFD_ENDINGS];
	e->session_id = claim->session_id;
	e->status = status;
	e->diag = diag;
	e->duration_ms = ktime_ms_delta(ktime_get(), claim->start);
	output->session_id = 0;
	mutex_unlock(&output->wfd->claim_lock);
}

/*
 * End the live session: stop frames, release the hold (its waiting
 * completion is armed), forget the buffers (their fds are the daemon's),
 * unplug the sink and tell the compositor with one hotplug uevent.
 */
static void wfd_session_end(struct wfd_claim *claim, s32 status, s32 diag)
{
	struct wfd_output *output = claim->output;
	struct drm_device *drm = wfd_claim_drm(claim);
	u64 id = claim->session_id;
	struct drm_framebuffer *fb;
	bool expired;

	wfd_frame_stop(output);
	fb = wfd_frame_unhold(output, &expired);
	if (fb)
		drm_framebuffer_put(fb);
	drm_edid_free(wfd_output_unplug(output));
	wfd_claim_record_end(claim, status, diag);
	WRITE_ONCE(claim->session_id, 0);
	/* Empty and reusable: the next session starts with no buffers. */
	xa_destroy(&claim->known);
	WRITE_ONCE(claim->seen_gen, 0);

	if (status == WFD_ENDING_GRACEFUL)
		drm_dbg_driver(drm, "output %u: session %llu ended gracefully\n",
			       output->index + 1, id);
	else
		dev_info_ratelimited(drm->dev, "output %u: session %llu ended: %s (diag %d)\n",
				     output->index + 1, id,
				     wfd_status_name(status), diag);
	/* Re-probe: the connector turns disconnected and a uevent fires. */
	drm_helper_hpd_irq_event(drm);
}

/* --- CONNECT --------------------------------------------------------- */

static const struct drm_edid *wfd_edid_from_user(const struct drm_wfd_connect *args)
{
	const struct drm_edid *edid;
	u8 *buf;
	int ret;

	if (args->edid_size < EDID_LENGTH || args->edid_size > WFD_MAX_EDID_SIZE ||
	    args->edid_size % EDID_LENGTH)
		return ERR_PTR(-EINVAL);
	buf = memdup_user(u64_to_user_ptr(args->edid_ptr), args->edid_size);
	if (IS_ERR(buf))
		return ERR_CAST(buf);
	ret = wfd_output_edid_check(buf, args->edid_size);
	edid = ret ? ERR_PTR(ret) : drm_edid_alloc(buf, args->edid_size);
	kfree(buf);
	return edid ?: ERR_PTR(-ENOMEM);
}

/* Start the session: frames count from 1, every state is news. */
static void wfd_session_start(struct wfd_claim *claim)
{
	struct wfd_output *output = claim->output;
	struct wfd_device *wfd = output->wfd;

	/* Read locklessly by poll and the read wait. */
	WRITE_ONCE(claim->session_id, atomic64_inc_return(&wfd->next_session_id));
	claim->start = ktime_get();
	claim->told = (struct wfd_crtc_mode){ .active = 1 };
	claim->told_seq = 0;

	mutex_lock(&wfd->claim_lock);
	output->session_id = claim->session_id;
	mutex_unlock(&wfd->claim_lock);
	wfd_frame_start(output);
	wake_up_interruptible(&output->event_wq);
}

static long wfd_ioc_connect(struct wfd_claim *claim, void __user *uarg)
{
	struct drm_wfd_connect args;
	const struct drm_edid *edid;
	struct wfd_limits limits;
	int ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.flags || memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	if (claim->session_id)
		return -EBUSY;

	edid = wfd_edid_from_user(&args);
	if (IS_ERR(edid))
		return PTR_ERR(edid);
	limits = (struct wfd_limits){
		.max_width = args.max_width,
		.max_height = args.max_height,
		.max_pixel_rate = args.max_pixel_rate,
	};
	ret = wfd_output_plug(claim->output, edid, &limits);
	if (ret) {
		drm_edid_free(edid);
		return ret;
	}
	wfd_session_start(claim);
	if (put_user(claim->session_id, (u64 __user *)uarg)) {
		/* Nobody knows the session: it never was. */
		wfd_session_end(claim, WFD_ENDING_GRACEFUL, -EFAULT);
		return -EFAULT;
	}
	drm_kms_helper_connector_hotplug_event(&claim->output->connector);
	return 0;
}

/* --- FRAME_ACQUIRE / FRAME_RELEASE ------------------------------------ */

/*
 * The common checks of the session ioctls, on arguments copied in: input
 * flags, pad and reserved fields must be zero, and the session must be
 * the live one (a stale id must never act on the next sink's session).
 */
static int wfd_session_args(struct wfd_claim *claim, u64 session_id,
			    u32 nonzero, const u64 *reserved, size_t size)
{
	if (nonzero || memchr_inv(reserved, 0, size))
		return -EINVAL;
	if (!session_id || session_id != claim->session_id)
		return -ENOENT;
	return 0;
}

/*
 * The ops of the dma-bufs made for sessions: the core's PRIME ops, under
 * another name.  The core takes a dma-buf with its own ops back into the
 * device it came from as the very object (a "self-import"), and expects
 * that object's cached dma-buf (@obj->dma_buf, tied to its GEM handles)
 * to be that one: a session's dma-buf, not cached, would trip
 * drm_gem_prime_fd_to_handle()'s WARN_ON once another export is cached.
 * With these ops it is imported back as any other device's buffer.
 */
static const struct dma_buf_ops wfd_session_dmabuf_ops = {
	.cache_sgt_mapping = true,
	.attach = drm_gem_map_attach,
	.detach = drm_gem_map_detach,
	.map_dma_buf = drm_gem_map_dma_buf,
	.unmap_dma_buf = drm_gem_unmap_dma_buf,
	.release = drm_gem_dmabuf_release,
	.mmap = drm_gem_dmabuf_mmap,
	.vmap = drm_gem_dmabuf_vmap,
	.vunmap = drm_gem_dmabuf_vunmap,
};

/*
 * A dma-buf of @obj: the one it was imported from, the one it was
 * exported as, or a new export.  A new one is not cached in @obj, whose
 * cache belongs to the handles of DRM files (see wfd_session_dmabuf_ops).
 */
static struct dma_buf *wfd_gem_dmabuf(struct drm_gem_object *obj)
{
	struct drm_device *drm = obj->dev;
	struct dma_buf_export_info exp_info = {
		.exp_name = KBUILD_MODNAME,
		.owner = THIS_MODULE,
		.ops = &wfd_session_dmabuf_ops,
		.size = obj->size,
		.flags = O_RDWR,
		.priv = obj,
		.resv = obj->resv,
	};
	struct dma_buf *buf;

	if (obj->import_attach) {
		buf = obj->import_attach->dmabuf;
		get_dma_buf(buf);
		return buf;
	}
	mutex_lock(&drm->object_name_lock);
	buf = obj->dma_buf;
	if (buf)
		get_dma_buf(buf);
	mutex_unlock(&drm->object_name_lock);
	return buf ?: drm_gem_dmabuf_export(drm, &exp_info);
}

static void wfd_acquire_fill(struct drm_wfd_frame_acquire *args,
			     const struct wfd_frame_info *f)
{
	struct drm_framebuffer *fb = f->fb;
	unsigned int i;

	args->sequence = f->seq;
	args->timestamp_ns = f->ns;
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
	args->damage.x1 = f->damage.x1;
	args->damage.y1 = f->damage.y1;
	args->damage.x2 = f->damage.x2;
	args->damage.y2 = f->damage.y2;
	args->superseded = f->superseded;
}

/*
 * The dma-buf fd of a buffer the session has not seen: reserved, not
 * installed, so that a failed copy to user space can take it back.
 */
static int wfd_acquire_new_buffer(struct wfd_claim *claim,
				  struct drm_framebuffer *fb,
				  struct dma_buf **buf)
{
	u64 id = to_wfd_fb(fb)->buffer_id;
	int fd, ret;

	/* fbs of the formats we take have a single object. */
	*buf = wfd_gem_dmabuf(fb->obj[0]);
	if (IS_ERR(*buf))
		return PTR_ERR(*buf);
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put;
	}
	ret = xa_insert(&claim->known, id, xa_mk_value(0), GFP_KERNEL);
	if (ret)
		goto err_fd;
	return fd;

err_fd:
	put_unused_fd(fd);
err_put:
	dma_buf_put(*buf);
	return ret;
}

static long wfd_ioc_acquire(struct wfd_claim *claim, void __user *uarg)
{
	struct wfd_output *output = claim->output;
	struct drm_wfd_frame_acquire args;
	struct dma_buf *buf = NULL;
	struct wfd_frame_info f;
	bool expired;
	int fd = -1, ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	ret = wfd_session_args(claim, args.session_id, args.flags,
			       args.reserved, sizeof(args.reserved));
	if (ret)
		return ret;

	ret = wfd_frame_hold(output, &f);
	if (ret)
		return ret;
	memset(&args, 0, sizeof(args));
	args.session_id = claim->session_id;
	if (!xa_load(&claim->known, to_wfd_fb(f.fb)->buffer_id)) {
		fd = wfd_acquire_new_buffer(claim, f.fb, &buf);
		if (fd < 0) {
			ret = fd;
			goto err_unhold;
		}
		args.flags |= WFD_FRAME_NEW_BUFFER;
	}
	args.dmabuf_fd = fd;
	wfd_acquire_fill(&args, &f);

	if (copy_to_user(uarg, &args, sizeof(args))) {
		ret = -EFAULT;
		goto err_buffer;
	}
	/* Nothing can fail from here: the frame is the daemon's. */
	if (buf)
		fd_install(fd, buf->file);
	wfd_frame_acquired(output, f.seq);
	return 0;

err_buffer:
	if (buf) {
		xa_erase(&claim->known, args.buffer_id);
		put_unused_fd(fd);
		dma_buf_put(buf);
	}
err_unhold:
	/* As if never acquired: the frame stays the latest, not held. */
	f.fb = wfd_frame_unhold(output, &expired);
	if (f.fb)
		drm_framebuffer_put(f.fb);
	return ret;
}

static long wfd_ioc_release(struct wfd_claim *claim, void __user *uarg)
{
	struct drm_wfd_frame_release args;
	int ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	ret = wfd_session_args(claim, args.session_id, args.flags | args.pad,
			       args.reserved, sizeof(args.reserved));
	return ret ?: wfd_frame_release(claim->output, args.sequence);
}

/* --- ending and statistics ------------------------------------------- */

static long wfd_ioc_report_status(struct wfd_claim *claim, void __user *uarg)
{
	struct drm_wfd_report_status args;
	int ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.status > WFD_STATUS_MAX)
		return -EINVAL;
	ret = wfd_session_args(claim, args.session_id, args.flags | args.pad,
			       args.reserved, sizeof(args.reserved));
	if (ret)
		return ret;
	wfd_session_end(claim, args.status, args.diag);
	return 0;
}

static long wfd_ioc_report_stats(struct wfd_claim *claim, void __user *uarg)
{
	struct drm_wfd_report_stats args;
	int ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	ret = wfd_session_args(claim, args.session_id, args.flags | args.pad,
			       args.reserved, sizeof(args.reserved));
	if (ret)
		return ret;
	wfd_frame_report_stats(claim->output, &args);
	return 0;
}

static long wfd_ioc_disconnect(struct wfd_claim *claim, void __user *uarg)
{
	struct drm_wfd_disconnect args;
	int ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	ret = wfd_session_args(claim, args.session_id, args.flags | args.pad,
			       args.reserved, sizeof(args.reserved));
	if (ret)
		return ret;
	wfd_session_end(claim, WFD_ENDING_GRACEFUL, 0);
	return 0;
}

static long wfd_claim_fop_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	struct wfd_claim *claim = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	mutex_lock(&claim->lock);
	switch (cmd) {
	case WFD_IOCTL_CONNECT:
		ret = wfd_ioc_connect(claim, uarg);
		break;
	case WFD_IOCTL_FRAME_ACQUIRE:
		ret = wfd_ioc_acquire(claim, uarg);
		break;
	case WFD_IOCTL_FRAME_RELEASE:
		ret = wfd_ioc_release(claim, uarg);
		break;
	case WFD_IOCTL_REPORT_STATUS:
		ret = wfd_ioc_report_status(claim, uarg);
		break;
	case WFD_IOCTL_REPORT_STATS:
		ret = wfd_ioc_report_stats(claim, uarg);
		break;
	case WFD_IOCTL_DISCONNECT:
		ret = wfd_ioc_disconnect(claim, uarg);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	mutex_unlock(&claim->lock);
	return ret;
}

/* --- events ------------------------------------------------------------ */

/* Copy one event out if it fits; 0 when it does not, else bytes or -EFAULT. */
static ssize_t wfd_event_put(char __user *buf, size_t room, u32 type,
			     void *ev, u32 len)
{
	struct drm_event *base = ev;

	if (len > room)
		return 0;
	base->type = type;
	base->length = len;
	/* Not "? -EFAULT : len": that is unsigned, and -EFAULT a byte count. */
	if (copy_to_user(buf, ev, len))
		return -EFAULT;
	return len;
}

/* Is the mode the daemon was told not the current one? */
static bool wfd_mode_news(const struct wfd_crtc_mode *cur,
			  const struct wfd_crtc_mode *told)
{
	if (cur->enable != told->enable)
		return true;
	return cur->enable && (cur->width != told->width ||
			       cur->height != told->height ||
			       cur->refresh_mhz != told->refresh_mhz ||
			       cur->clock_khz != told->clock_khz);
}

static bool wfd_dpms_news(const struct wfd_crtc_mode *cur,
			  const struct wfd_crtc_mode *told)
{
	return cur->enable && cur->active != told->active;
}

/* MODE_SET and DPMS for what changed since the last read. */
static ssize_t wfd_events_mode(struct wfd_claim *claim,
			       const struct wfd_crtc_mode *cur,
			       char __user *buf, size_t room)
{
	struct wfd_crtc_mode *told = &claim->told;
	ssize_t n = 0, r;

	if (wfd_mode_news(cur, told)) {
		struct drm_wfd_event_mode ev = {
			.session_id = claim->session_id,
			.output = claim->output->index + 1,
			.width = cur->width,
			.height = cur->height,
			.refresh_mhz = cur->refresh_mhz,
			.clock_khz = cur->clock_khz,
		};

		r = wfd_event_put(buf, room, DRM_WFD_EVENT_MODE_SET, &ev, sizeof(ev));
		if (r <= 0)
			return r;
		*told = *cur;
		/* A mode means lit: a DPMS off follows if it is not. */
		told->active = 1;
		n = r;
	}
	if (wfd_dpms_news(cur, told)) {
		struct drm_wfd_event_dpms ev = {
			.session_id = claim->session_id,
			.output = claim->output->index + 1,
			.state = cur->active ? WFD_DPMS_ON : WFD_DPMS_OFF,
		};

		r = wfd_event_put(buf + n, room - n, DRM_WFD_EVENT_DPMS, &ev, sizeof(ev));
		if (r <= 0)
			return n ?: r;
		told->active = cur->active;
		n += r;
	}
	return n;
}

/* BUFFER_GONE for each marked buffer. */
static ssize_t wfd_events_gone(struct wfd_claim *claim, char __user *buf,
			       size_t room)
{
	unsigned long id;
	ssize_t n = 0, r;
	void *entry;

	xa_for_each_marked(&claim->known, id, entry, WFD_GONE) {
		struct drm_wfd_event_buffer_gone ev = {
			.session_id = claim->session_id,
			.output = claim->output->index + 1,
			.buffer_id = id,
		};

		r = wfd_event_put(buf + n, room - n, DRM_WFD_EVENT_BUFFER_GONE,
				  &ev, sizeof(ev));
		if (r <= 0)
			return n ?: r;
		xa_erase(&claim->known, id);
		n += r;
	}
	return n;
}

static ssize_t wfd_events_frame(struct wfd_claim *claim,
				const struct wfd_frame_info *f,
				char __user *buf, size_t room)
{
	struct drm_wfd_event_frame ev = {
		.session_id = claim->session_id,
		.output = claim->output->index + 1,
		.sequence = f->seq,
		.timestamp_ns = f->ns,
		.damage = {
			.x1 = f->damage.x1,
			.y1 = f->damage.y1,
			.x2 = f->damage.x2,
			.y2 = f->damage.y2,
		},
	};
	ssize_t r;

	if (f->seq == claim->told_seq)
		return 0;
	r = wfd_event_put(buf, room, DRM_WFD_EVENT_FRAME_READY, &ev, sizeof(ev));
	if (r > 0)
		claim->told_seq = f->seq;
	return r;
}

/*
 * Copy out what is pending, in order: mode, DPMS, gone buffers, frame.
 * Returns the bytes copied, 0 when nothing is pending, -EINVAL when the
 * next event does not fit, -EFAULT.  Called with the claim's lock held.
 */
static ssize_t wfd_events_copy(struct wfd_claim *claim, char __user *buf,
			       size_t count)
{
	struct wfd_crtc_mode mode;
	struct wfd_frame_info f;
	unsigned long gen;
	ssize_t n = 0, r;

	if (!claim->session_id)
		return 0;
	gen = wfd_frame_event_state(claim->output, &mode, &f);

	r = wfd_events_mode(claim, &mode, buf, count);
	if (r < 0)
		return r;
	n += r;
	r = wfd_events_gone(claim, buf + n, count - n);
	if (r < 0)
		return n ?: r;
	n += r;
	r = wfd_events_frame(claim, &f, buf + n, count - n);
	if (r < 0)
		return n ?: r;
	n += r;

	/* Drained: wait for the next change.  Else the rest did not fit. */
	if (!wfd_mode_news(&mode, &claim->told) &&
	    !wfd_dpms_news(&mode, &claim->told) &&
	    !xa_marked(&claim->known, WFD_GONE) && f.seq == claim->told_seq)
		WRITE_ONCE(claim->seen_gen, gen);
	else if (!n)
		return -EINVAL;
	return n;
}

static bool wfd_claim_pending(struct wfd_claim *claim)
{
	return READ_ONCE(claim->session_id) &&
	       READ_ONCE(claim->output->event_gen) != READ_ONCE(claim->seen_gen);
}

static ssize_t wfd_claim_fop_read(struct file *file, char __user *buf,
				  size_t count, loff_t *pos)
{
	struct wfd_claim *claim = file->private_data;
	ssize_t n;
	int ret;

	for (;;) {
		mutex_lock(&claim->lock);
		n = wfd_events_copy(claim, buf, count);
		mutex_unlock(&claim->lock);
		if (n)
			return n;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(claim->output->event_wq,
					       wfd_claim_pending(claim));
		if (ret)
			return ret;
	}
}

static __poll_t wfd_claim_fop_poll(struct file *file, poll_table *wait)
{
	struct wfd_claim *claim = file->private_data;

	poll_wait(file, &claim->output->event_wq, wait);
	return wfd_claim_pending(claim) ? EPOLLIN | EPOLLRDNORM : 0;
}

/* --- the claim fd ------------------------------------------------------ */

static void wfd_claim_free(struct wfd_claim *claim)
{
	struct wfd_device *wfd = claim->output->wfd;

	xa_destroy(&claim->known);
	mutex_destroy(&claim->lock);
	kfree(claim);
	atomic_dec(&wfd->claims);
	drm_dev_put(&wfd->drm);
}

static int wfd_claim_fop_release(struct inode *inode, struct file *file)
{
	struct wfd_claim *claim = file->private_data;
	struct wfd_output *output = claim->output;

	mutex_lock(&claim->lock);
	if (claim->session_id)
		wfd_session_end(claim, WFD_STATUS_COMPANION_DISCONNECT, 0);
	mutex_unlock(&claim->lock);

	mutex_lock(&output->wfd->claim_lock);
	output->claim = NULL;
	mutex_unlock(&output->wfd->claim_lock);
	wfd_claim_free(claim);
	return 0;
}

static const struct file_operations wfd_claim_fops = {
	.owner = THIS_MODULE,
	.release = wfd_claim_fop_release,
	.unlocked_ioctl = wfd_claim_fop_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.read = wfd_claim_fop_read,
	.poll = wfd_claim_fop_poll,
	.llseek = noop_llseek,
};

/* Give @claim the first free output in [first, last): 0 or -EBUSY. */
static int wfd_claim_attach(struct wfd_device *wfd, struct wfd_claim *claim,
			    unsigned int first, unsigned int last)
{
	unsigned int i;
	int ret = -EBUSY;

	mutex_lock(&wfd->claim_lock);
	for (i = first; i < last && ret; i++) {
		if (!wfd->outputs[i].claim) {
			wfd->outputs[i].claim = claim;
			claim->output = &wfd->outputs[i];
			ret = 0;
		}
	}
	mutex_unlock(&wfd->claim_lock);
	return ret;
}

/**
 * wfd_claim_ioctl - DRM_IOCTL_WFD_CLAIM: claim an output, get a claim fd
 * @drm: the device
 * @data: &struct drm_wfd_claim
 * @file: the caller (DRM_ROOT_ONLY: it has CAP_SYS_ADMIN)
 *
 * Return: 0; -EINVAL for bad arguments; -EBUSY when the output (or every
 * output) is claimed, or the caller is DRM master; -EMFILE, -ENOMEM.
 */
int wfd_claim_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct wfd_device *wfd = to_wfd(drm);
	struct drm_wfd_claim *args = data;
	unsigned int first = 0, last = wfd->num_outputs;
	struct wfd_claim *claim;
	struct file *cfile;
	int fd, ret;

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

	claim = kzalloc(sizeof(*claim), GFP_KERNEL);
	if (!claim)
		return -ENOMEM;
	mutex_init(&claim->lock);
	xa_init(&claim->known);
	claim->pid = task_tgid_vnr(current);
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_free;
	}
	ret = wfd_claim_attach(wfd, claim, first, last);
	if (ret)
		goto err_fd;
	drm_dev_get(drm);
	atomic_inc(&wfd->claims);
	cfile = anon_inode_getfile("[wfd-claim]", &wfd_claim_fops, claim, O_RDWR);
	if (IS_ERR(cfile)) {
		put_unused_fd(fd);
		mutex_lock(&wfd->claim_lock);
		claim->output->claim = NULL;
		mutex_unlock(&wfd->claim_lock);
		wfd_claim_free(claim);
		return PTR_ERR(cfile);
	}
	args->output = claim->output->index + 1;
	args->fd = fd;
	fd_install(fd, cfile);
	return 0;

err_fd:
	put_unused_fd(fd);
err_free:
	mutex_destroy(&claim->lock);
	kfree(claim);
	return ret;
}

/* --- debugfs ------------------------------------------------------------- */

/**
 * wfd_claim_debugfs_show - print an output's claim and session state
 * @m: the debugfs file
 * @output: the output
 */
void wfd_claim_debugfs_show(struct seq_file *m, struct wfd_output *output)
{
	struct drm_device *drm = &output->wfd->drm;
	unsigned int n = output->index + 1, i, first;

	mutex_lock(&drm->mode_config.mutex);
	seq_printf(m, "output%u.sink: %s\n", n,
		   output->sink_edid ? output->sink_name : "");
	mutex_unlock(&drm->mode_config.mutex);

	mutex_lock(&output->wfd->claim_lock);
	seq_printf(m, "output%u.claimed: %d\n", n, !!output->claim);
	seq_printf(m, "output%u.claim_pid: %d\n", n,
		   output->claim ? output->claim->pid : 0);
	seq_printf(m, "output%u.session: %llu\n", n, output->session_id);
	seq_printf(m, "output%u.sessions_ended: %u\n", n, output->num_endings);
	first = output->num_endings > WFD_ENDINGS ? output->num_endings - WFD_ENDINGS : 0;
	for (i = first; i < output->num_endings; i++) {
		const struct wfd_ending *e = &output->endings[i % WFD_ENDINGS];

		seq_printf(m, "output%u.ending: session %llu status %s (%d) diag %d duration_ms %llu\n",
			   n, e->session_id, wfd_status_name(e->status), e->status,
			   e->diag, e->duration_ms);
	}
	mutex_unlock(&output->wfd->claim_lock);
}
