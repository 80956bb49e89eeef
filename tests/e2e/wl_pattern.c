// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A Wayland client for the compositor end-to-end test: asks for a
 * fullscreen window and fills it, at whatever size the compositor
 * configures, with frame N of the test pattern (tests/e2e/pattern.h), so a
 * checker knows every pixel of the surface.  SIGUSR1 moves STEP frames on
 * (the "client change"; default 1); SIGTERM and SIGINT end it.
 *
 * Each committed picture is announced on stdout as
 *   wl_pattern: frame N WxH
 * once the compositor has shown it (its frame callback ran).
 *
 * usage: wl_pattern [FIRST_FRAME [STEP]]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <wayland-client.h>

#include "pattern.h"
#include "xdg-shell-client-protocol.h"

struct client {
	struct wl_display *display;
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	/*
	 * The size the last toplevel configure gave.  A fullscreen window is
	 * exactly the output's size; 0x0 means there is no output (weston then
	 * rejects any buffer), so nothing is drawn until one comes.
	 */
	int32_t want_w, want_h;
	int32_t w, h;
	unsigned int frame, step, drawn_frame;
	struct picture *pictures;	/* not yet released by the compositor */
	bool dirty, closed;
};

/* One wl_buffer per picture; it frees itself when the compositor is done. */
struct picture {
	struct picture **prev, *next;
	struct wl_buffer *buffer;
	void *map;
	size_t size;
};

static void picture_free(struct picture *p)
{
	*p->prev = p->next;
	if (p->next)
		p->next->prev = p->prev;
	wl_buffer_destroy(p->buffer);
	munmap(p->map, p->size);
	free(p);
}

static void picture_release(void *data, struct wl_buffer *buffer)
{
	(void)buffer;
	picture_free(data);
}

static const struct wl_buffer_listener picture_listener = {
	.release = picture_release,
};

static struct picture *picture_new(struct client *c)
{
	size_t stride = (size_t)c->w * 4;
	struct wl_shm_pool *pool;
	struct picture *p;
	int fd;

	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->size = stride * (size_t)c->h;
	fd = memfd_create("wl_pattern", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)p->size) < 0) {
		perror("wl_pattern: memfd");
		goto fail;
	}
	p->map = mmap(NULL, p->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p->map == MAP_FAILED) {
		perror("wl_pattern: mmap");
		goto fail;
	}
	pool = wl_shm_create_pool(c->shm, fd, (int32_t)p->size);
	p->buffer = wl_shm_pool_create_buffer(pool, 0, c->w, c->h, (int32_t)stride,
					      WL_SHM_FORMAT_XRGB8888);
	wl_shm_pool_destroy(pool);
	close(fd);
	wl_buffer_add_listener(p->buffer, &picture_listener, p);
	p->next = c->pictures;
	if (p->next)
		p->next->prev = &p->next;
	p->prev = &c->pictures;
	c->pictures = p;
	return p;
fail:
	if (fd >= 0)
		close(fd);
	free(p);
	return NULL;
}

static void frame_done(void *data, struct wl_callback *cb, uint32_t time)
{
	struct client *c = data;

	(void)time;
	wl_callback_destroy(cb);
	printf("wl_pattern: frame %u %dx%d\n", c->drawn_frame, c->w, c->h);
	fflush(stdout);
}

static const struct wl_callback_listener frame_listener = {
	.done = frame_done,
};

static int draw(struct client *c)
{
	struct picture *p;
	uint32_t *px;

	c->dirty = false;
	if (c->want_w <= 0 || c->want_h <= 0)
		return 0;
	c->w = c->want_w;
	c->h = c->want_h;
	p = picture_new(c);
	if (!p)
		return -1;
	px = p->map;
	for (int32_t y = 0; y < c->h; y++)
		for (int32_t x = 0; x < c->w; x++)
			*px++ = pattern_pixel((unsigned)x, (unsigned)y, (unsigned)c->w, c->frame);
	c->drawn_frame = c->frame;
	wl_surface_attach(c->surface, p->buffer, 0, 0);
	wl_surface_damage_buffer(c->surface, 0, 0, c->w, c->h);
	wl_callback_add_listener(wl_surface_frame(c->surface), &frame_listener, c);
	wl_surface_commit(c->surface);
	return 0;
}

static void wm_base_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial)
{
	(void)data;
	xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {
	.ping = wm_base_ping,
};

static void xdg_surface_configure(void *data, struct xdg_surface *xdg_surface, uint32_t serial)
{
	struct client *c = data;

	xdg_surface_ack_configure(xdg_surface, serial);
	/* Redraw only when the size changes: the picture is otherwise the same. */
	if (c->want_w != c->w || c->want_h != c->h)
		c->dirty = true;
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_configure,
};

static void toplevel_configure(void *data, struct xdg_toplevel *toplevel,
			       int32_t w, int32_t h, struct wl_array *states)
{
	struct client *c = data;

	(void)toplevel;
	(void)states;
	c->want_w = w;
	c->want_h = h;
}

static void toplevel_close(void *data, struct xdg_toplevel *toplevel)
{
	struct client *c = data;

	(void)toplevel;
	c->closed = true;
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_configure,
	.close = toplevel_close,
};

static void registry_global(void *data, struct wl_registry *registry, uint32_t name,
			    const char *iface, uint32_t version)
{
	struct client *c = data;

	(void)version;
	if (!strcmp(iface, wl_compositor_interface.name))
		c->compositor = wl_registry_bind(registry, name, &wl_compositor_interface, 4);
	else if (!strcmp(iface, wl_shm_interface.name))
		c->shm = wl_registry_bind(registry, name, &wl_shm_interface, 1);
	else if (!strcmp(iface, xdg_wm_base_interface.name))
		c->wm_base = wl_registry_bind(registry, name, &xdg_wm_base_interface, 1);
}

static void registry_global_remove(void *data, struct wl_registry *registry, uint32_t name)
{
	(void)data;
	(void)registry;
	(void)name;
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

int main(int argc, char **argv)
{
	struct client c = { 0 };
	struct wl_registry *registry;
	struct pollfd pfd[2];
	sigset_t sigs;
	int ret = 1;

	if (argc > 3 || (argc > 1 && argv[1][0] == '-') || (argc > 2 && argv[2][0] == '-')) {
		fprintf(stderr, "usage: wl_pattern [FIRST_FRAME [STEP]]\n");
		return 2;
	}
	c.frame = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 0) : 0;
	c.step = argc > 2 ? (unsigned int)strtoul(argv[2], NULL, 0) : 1;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	pfd[1].fd = signalfd(-1, &sigs, SFD_CLOEXEC);
	pfd[1].events = POLLIN;
	if (pfd[1].fd < 0) {
		perror("wl_pattern: signalfd");
		return 1;
	}

	c.display = wl_display_connect(NULL);
	if (!c.display) {
		fprintf(stderr, "wl_pattern: cannot connect to the Wayland display\n");
		return 1;
	}
	registry = wl_display_get_registry(c.display);
	wl_registry_add_listener(registry, &registry_listener, &c);
	wl_display_roundtrip(c.display);
	if (!c.compositor || !c.shm || !c.wm_base) {
		fprintf(stderr, "wl_pattern: the compositor lacks wl_compositor, wl_shm or xdg_wm_base\n");
		goto out;
	}
	xdg_wm_base_add_listener(c.wm_base, &wm_base_listener, &c);
	c.surface = wl_compositor_create_surface(c.compositor);
	c.xdg_surface = xdg_wm_base_get_xdg_surface(c.wm_base, c.surface);
	xdg_surface_add_listener(c.xdg_surface, &xdg_surface_listener, &c);
	c.toplevel = xdg_surface_get_toplevel(c.xdg_surface);
	xdg_toplevel_add_listener(c.toplevel, &toplevel_listener, &c);
	xdg_toplevel_set_title(c.toplevel, "wfd test pattern");
	xdg_toplevel_set_fullscreen(c.toplevel, NULL);
	wl_surface_commit(c.surface);

	pfd[0].fd = wl_display_get_fd(c.display);
	pfd[0].events = POLLIN;
	while (!c.closed) {
		if (c.dirty && draw(&c) < 0)
			goto out;
		while (wl_display_prepare_read(c.display) != 0)
			wl_display_dispatch_pending(c.display);
		if (wl_display_flush(c.display) < 0 && errno != EAGAIN) {
			wl_display_cancel_read(c.display);
			break;
		}
		if (poll(pfd, 2, -1) < 0) {
			wl_display_cancel_read(c.display);
			if (errno == EINTR)
				continue;
			perror("wl_pattern: poll");
			goto out;
		}
		if (pfd[0].revents & POLLIN) {
			if (wl_display_read_events(c.display) < 0)
				break;
		} else {
			wl_display_cancel_read(c.display);
		}
		if (wl_display_dispatch_pending(c.display) < 0)
			break;
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(pfd[1].fd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo != SIGUSR1) {
				ret = 0;
				goto out;
			}
			c.frame += c.step;
			c.dirty = true;
		}
	}
	if (c.closed)
		ret = 0;
	else
		fprintf(stderr, "wl_pattern: lost the compositor: %s\n", strerror(wl_display_get_error(c.display)));
out:
	while (c.pictures)
		picture_free(c.pictures);
	if (c.toplevel)
		xdg_toplevel_destroy(c.toplevel);
	if (c.xdg_surface)
		xdg_surface_destroy(c.xdg_surface);
	if (c.surface)
		wl_surface_destroy(c.surface);
	if (c.wm_base)
		xdg_wm_base_destroy(c.wm_base);
	if (c.shm)
		wl_shm_destroy(c.shm);
	if (c.compositor)
		wl_compositor_destroy(c.compositor);
	wl_registry_destroy(registry);
	wl_display_disconnect(c.display);
	close(pfd[1].fd);
	return ret;
}
