// SPDX-License-Identifier: GPL-2.0-only
/*
 * wfd_ioctl_fuzz: a multi-threaded fuzzer of wfd's user-space interface,
 * run in the test VM by "make fuzz-kernel" (tests/fuzz/README.rst).
 *
 * Each thread draws operations from its own PRNG stream (the seed plus
 * the thread's index) and runs them on its own fds: KMS on the card
 * (atomic commits, framebuffers, dumb buffers, PRIME, master), the wfd
 * ioctls of the card, and the session calls of claim fds, with valid
 * arguments most of the time and boundary or broken ones otherwise; it
 * also forks, passes claim fds with SCM_RIGHTS and tries to unload the
 * module.  Each operation is one line of the trace, written before it
 * runs and completed with its result after, so that a kernel crash leaves
 * the operation in flight on disk.  --replay runs the operations of a
 * trace again, each thread's in the same order.
 *
 * At the end everything is closed and wfd's debugfs counters must return
 * to their values at the start, and the kernel must have logged no
 * warning: one KTAP result, fuzz_no_splat_no_leak.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <linux/capability.h>
#include <linux/dma-buf.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "wfd_drm.h"

#define MAX_THREADS	64
#define NARGS		6
#define NCARD		3
#define NCLAIM		4
#define NDUMB		8
#define NXFD		16
#define NVGEM		4
#define NCHILD_OPS	6
#define ARENA		65536
#define PAGE		4096
#define EDID_MAX	(256 * 128)
#define RES_W		48
#define ERRNO_MAX	256
/* dma-bufs larger than this are not imported into vgem: it pins them. */
#define VGEM_IMPORT_MAX	(64ull << 20)
/*
 * The shmem helper allocates (and pins) every page of a dumb buffer at
 * its first mmap: 4 threads with 8 buffers of hundreds of MB each ran
 * the guest out of memory.  A 3840x2160 XRGB buffer still maps.
 */
#define DUMB_MAP_MAX	(36ull << 20)
/* An operation this slow is reported (the VM is emulated: generous). */
#define SLOW_NS		5000000000ull

/* --- the operations ------------------------------------------------------ */

enum {
	OP_CARD_OPEN, OP_CARD_CLOSE, OP_CARD_DUP, OP_GET_INFO, OP_CLAIM,
	OP_BROKER_CLAIM, OP_LEGACY, OP_MASTER, OP_GETCONN, OP_FORCE,
	OP_CARD_READ, OP_DUMB_CREATE, OP_DUMB_MAP, OP_DUMB_DESTROY, OP_ADDFB,
	OP_RMFB, OP_ATOMIC, OP_PRIME_EXPORT, OP_PRIME_IMPORT, OP_VGEM,
	OP_XFD, OP_CONNECT, OP_ACQUIRE, OP_RELEASE, OP_STATUS, OP_STATS,
	OP_DISCONNECT, OP_CLAIM_JUNK, OP_CLAIM_READ, OP_CLAIM_POLL,
	OP_CLAIM_CLOSE, OP_CLAIM_DUP, OP_FORK, OP_SCM, OP_DELMOD,
	NUM_OPS
};

/* Where an operation may run. */
#define F_ROOT		(1u << 0)	/* not in the phase without capabilities */
#define F_NOCAPS	(1u << 1)	/* only in the phase without capabilities */
#define F_NOCHILD	(1u << 2)	/* not in a forked child */
#define F_VGEM		(1u << 3)	/* needs vgem */
#define F_CLAIMFD	(1u << 4)	/* acts on a claim fd */

struct opdesc {
	const char *name;
	const char *arg[NARGS];
	unsigned int weight;
	unsigned int flags;
};

static const struct opdesc ops[NUM_OPS] = {
	[OP_CARD_OPEN]	= { "card_open", { "card", "flags", "caps" }, 12, 0 },
	[OP_CARD_CLOSE]	= { "card_close", { "card" }, 6, 0 },
	[OP_CARD_DUP]	= { "card_dup", { "from", "to" }, 3, 0 },
	[OP_GET_INFO]	= { "get_info", { "card", "how", "val" }, 20, 0 },
	[OP_CLAIM]	= { "claim", { "card", "claim", "output", "how", "val" }, 25, 0 },
	[OP_BROKER_CLAIM] = { "broker_claim", { "claim", "output" }, 25, F_NOCAPS | F_NOCHILD },
	[OP_LEGACY]	= { "legacy", { "card", "nr", "dir", "size", "seed", "bad" }, 15, 0 },
	[OP_MASTER]	= { "master", { "card", "set" }, 25, 0 },
	[OP_GETCONN]	= { "getconnector", { "card", "output", "how", "count", "val" }, 20, 0 },
	[OP_FORCE]	= { "force", { "output", "what" }, 3, F_NOCHILD },
	[OP_CARD_READ]	= { "card_read", { "card", "size", "nonblock" }, 15, 0 },
	[OP_DUMB_CREATE] = { "dumb_create", { "card", "dumb", "dims", "w", "h", "bpp" }, 30, 0 },
	[OP_DUMB_MAP]	= { "dumb_map", { "dumb", "how", "val" }, 12, 0 },
	[OP_DUMB_DESTROY] = { "dumb_destroy", { "dumb", "how", "val" }, 10, 0 },
	[OP_ADDFB]	= { "addfb2", { "dumb", "how", "val" }, 30, 0 },
	[OP_RMFB]	= { "rmfb", { "dumb", "how", "val" }, 8, 0 },
	[OP_ATOMIC]	= { "atomic", { "card", "output", "kind", "dumb", "flags", "val" }, 110, 0 },
	[OP_PRIME_EXPORT] = { "prime_export", { "dumb", "flags" }, 15, 0 },
	[OP_PRIME_IMPORT] = { "prime_import", { "card", "xfd", "dumb", "how", "val" }, 15, 0 },
	[OP_VGEM]	= { "vgem", { "how", "dims", "xfd" }, 10, F_VGEM },
	[OP_XFD]	= { "xfd", { "xfd", "how", "val" }, 25, 0 },
	[OP_CONNECT]	= { "connect", { "claim", "how", "pos", "val", "lim" }, 45, F_CLAIMFD },
	[OP_ACQUIRE]	= { "acquire", { "claim", "how", "val" }, 90, F_CLAIMFD },
	[OP_RELEASE]	= { "release", { "claim", "how", "val" }, 70, F_CLAIMFD },
	[OP_STATUS]	= { "report_status", { "claim", "how", "status", "diag" }, 10, F_CLAIMFD },
	[OP_STATS]	= { "report_stats", { "claim", "how", "val" }, 20, F_CLAIMFD },
	[OP_DISCONNECT]	= { "disconnect", { "claim", "how", "val" }, 12, F_CLAIMFD },
	[OP_CLAIM_JUNK]	= { "claim_junk", { "claim", "type", "nr", "dir", "size", "seed" }, 15, F_CLAIMFD },
	[OP_CLAIM_READ]	= { "claim_read", { "claim", "size", "nonblock", "how" }, 60, F_CLAIMFD },
	[OP_CLAIM_POLL]	= { "claim_poll", { "claim", "ms", "events" }, 25, F_CLAIMFD },
	[OP_CLAIM_CLOSE] = { "claim_close", { "claim" }, 7, F_CLAIMFD },
	[OP_CLAIM_DUP]	= { "claim_dup", { "from", "to", "how" }, 7, F_CLAIMFD },
	[OP_FORK]	= { "fork", { "seed", "n" }, 3, F_NOCHILD },
	[OP_SCM]	= { "scm_rights", { "claim", "seed", "n", "give" }, 3, F_NOCHILD | F_CLAIMFD },
	[OP_DELMOD]	= { "delete_module", { 0 }, 2, F_NOCHILD },
};

struct oplist;

struct op {
	int type;
	uint64_t a[NARGS];
	/* Replay: the trace's numbering, and a forked child's operations. */
	uint64_t idx;
	struct oplist *kids;
};

struct oplist {
	struct op *v;
	size_t n, cap;
};

/* --- the device, found at start, read-only afterwards -------------------- */

struct output {
	uint32_t conn, crtc, plane;
	uint32_t p_active, p_mode_id, p_out_fence;
	uint32_t p_conn_crtc;
	uint32_t p_fb, p_crtc, p_src_x, p_src_y, p_src_w, p_src_h;
	uint32_t p_crtc_x, p_crtc_y, p_crtc_w, p_crtc_h, p_damage, p_in_fence;
	char sysfs_status[128];
};

/* Properties the random commits set, with the object they belong to. */
struct objprop {
	uint32_t obj, prop;
};

/* What the processes of a run share: the trace's end and the findings. */
struct shared {
	_Atomic uint64_t trace_off;
	_Atomic uint64_t violations;
	_Atomic uint64_t unloads;
	_Atomic uint64_t slow;
	_Atomic uint64_t notes;
};

static struct {
	uint64_t seed;
	int threads;
	double seconds;
	uint64_t max_ops;
	bool nocaps;
	bool quiet;
	const char *trace_path;
	const char *replay;

	char card_path[64];
	char vgem_path[64];
	int minor;
	uint32_t num_outputs;
	struct output out[WFD_MAX_OUTPUTS];
	struct objprop props[256];
	unsigned int nprops;

	int trace_fd;
	struct shared *sh;
	int broker;		/* socket to the privileged broker, or -1 */
	pthread_mutex_t broker_lock;
	atomic_bool stop;
	struct timespec start;
} g = { .broker = -1, .broker_lock = PTHREAD_MUTEX_INITIALIZER };

/* --- per-thread state -------------------------------------------------- */

struct card {
	int fd;
	unsigned int gen;
	int master;		/* 1 master, -1 not, 0 unknown: from results */
};

struct claim {
	int fd;
	uint32_t output;
	uint64_t sid;		/* the session this thread knows of, 0: none */
	uint64_t last_seq;	/* the last frame acquired in it */
	uint64_t held_seq;
	bool held;
};

struct dumb {
	int card;
	unsigned int gen;
	uint32_t handle, w, h, pitch, fb;
	uint64_t size;
	void *map;
	size_t maplen;
};

enum { X_NONE, X_DMABUF, X_FENCE, X_VGEM };

/* An fd of something else than a card or a claim: dma-bufs, fences. */
struct xfd {
	int fd;
	int kind;
	uint32_t w, h;
	uint64_t buffer_id;
};

struct stats {
	uint64_t n[NUM_OPS], ok[NUM_OPS];
	uint64_t err[ERRNO_MAX];
	uint64_t ioctls;
};

struct thr {
	int idx;
	pthread_t tid;
	uint64_t rng;
	uint64_t opn;		/* index of the current operation */
	unsigned int sub;	/* in a forked child: its operation's number */
	bool child;
	int scm_slot;		/* in an SCM_RIGHTS child: the claim it got */

	struct card cards[NCARD];
	unsigned int gen;
	struct claim claims[NCLAIM];
	struct dumb dumbs[NDUMB];
	struct xfd x[NXFD];
	unsigned int xnext;
	int vgem;
	uint32_t vh[NVGEM];
	unsigned int vnext;
	uint64_t last_sid;
	uint32_t mode_w[WFD_MAX_OUTPUTS], mode_h[WFD_MAX_OUTPUTS];
	int32_t fence;

	uint8_t *buf;		/* ARENA bytes */
	uint8_t *page;		/* read-write page, then a guard page, then... */
	uint8_t *guard;
	uint8_t *ro;		/* ...a read-only page */
	uint8_t *edid;		/* EDID_MAX + 128 bytes */

	timer_t timer;
	pid_t timer_pid;

	struct stats st;
	const struct oplist *script;
	atomic_bool done;
	char inflight[512];
	pthread_mutex_t inflight_lock;
};

/* --- small helpers ----------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd(struct thr *t)
{
	return splitmix(&t->rng);
}

static uint64_t below(struct thr *t, uint64_t n)
{
	return n ? rnd(t) % n : 0;
}

static bool pct(struct thr *t, unsigned int p)
{
	return below(t, 100) < p;
}

static const uint64_t edges[] = {
	0, 1, 2, 3, 4, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
	0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x100000000ull,
	0x7fffffffffffffffull, 0x8000000000000000ull, 0xfffffffffffffffeull,
	0xffffffffffffffffull,
};

#define NEDGES (sizeof(edges) / sizeof(edges[0]))

/* A boundary value most of the time, else anything. */
static uint64_t edge(struct thr *t)
{
	if (pct(t, 75))
		return edges[below(t, NEDGES)];
	return rnd(t);
}

static const char *errname(int e)
{
	const char *n = e ? strerrorname_np(e) : "0";

	return n ? n : "E?";
}

/* Fill @len bytes with a stream of @seed. */
static void junk(void *p, size_t len, uint64_t seed)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t v = splitmix(&seed);

		memcpy(b + i, &v, len - i < 8 ? len - i : 8);
	}
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return (int)n;
}

static int write_file(const char *path, const char *val, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	close(fd);
	return n < 0 ? -errno : 0;
}

/* An unbuffered line on stdout, safe from any thread or forked child. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[600];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDOUT_FILENO, line, (size_t)n) < 0)
		return;
}

/* --- the trace --------------------------------------------------------- */

static uint64_t trace_put(const char *s, size_t len)
{
	uint64_t off;

	if (g.trace_fd < 0)
		return 0;
	off = atomic_fetch_add(&g.sh->trace_off, len);
	if (pwrite(g.trace_fd, s, len, (off_t)off) < 0)
		return off;
	return off;
}

/*
 * A finding: counted across processes, on stdout (the first ones) and in
 * the trace as a comment after the operation's line.
 */
static void violation(struct thr *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void violation(struct thr *t, const char *fmt, ...)
{
	char msg[400], line[512];
	uint64_t n = atomic_fetch_add(&g.sh->violations, 1);
	va_list ap;
	int len;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (t && t->sub)
		len = snprintf(line, sizeof(line), "# violation: T%d %" PRIu64 ".%u: %s\n",
			       t->idx, t->opn, t->sub, msg);
	else if (t)
		len = snprintf(line, sizeof(line), "# violation: T%d %" PRIu64 ": %s\n",
			       t->idx, t->opn, msg);
	else
		len = snprintf(line, sizeof(line), "# violation: %s\n", msg);
	if (len > (int)sizeof(line) - 1)
		len = sizeof(line) - 1;
	trace_put(line, (size_t)len);
	if (n < 50 && write(STDOUT_FILENO, line, (size_t)len) < 0)
		return;
}

/* Something odd outside wfd (the DRM core's helpers): told, not failed. */
static void note(struct thr *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct thr *t, const char *fmt, ...)
{
	char msg[400], line[512];
	uint64_t n = atomic_fetch_add(&g.sh->notes, 1);
	va_list ap;
	int len;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	len = snprintf(line, sizeof(line), "# note: T%d %" PRIu64 ": %s\n", t->idx, t->opn, msg);
	if (len > (int)sizeof(line) - 1)
		len = sizeof(line) - 1;
	trace_put(line, (size_t)len);
	if (n < 10 && write(STDOUT_FILENO, line, (size_t)len) < 0)
		return;
}

static void fmt_val(char *s, size_t len, uint64_t v)
{
	if (v < 100000)
		snprintf(s, len, "%" PRIu64, v);
	else
		snprintf(s, len, "%#" PRIx64, v);
}

/* The operation's line, with a blank result of RES_W characters. */
static size_t fmt_line(const struct thr *t, const struct op *op, char *line, size_t len)
{
	const struct opdesc *d = &ops[op->type];
	uint64_t ns = now_ns();
	size_t n;
	int i;

	n = (size_t)snprintf(line, len, "T%d %" PRIu64, t->idx, t->opn);
	if (t->sub)
		n += (size_t)snprintf(line + n, len - n, ".%u", t->sub);
	n += (size_t)snprintf(line + n, len - n, " %" PRIu64 ".%06" PRIu64 " %s",
			      (uint64_t)(ns / 1000000000u), (uint64_t)(ns / 1000 % 1000000), d->name);
	for (i = 0; i < NARGS && d->arg[i]; i++) {
		char v[32];

		fmt_val(v, sizeof(v), op->a[i]);
		n += (size_t)snprintf(line + n, len - n, " %s=%s", d->arg[i], v);
	}
	n += (size_t)snprintf(line + n, len - n, " %-*s\n", RES_W, "= ?");
	return n;
}

static void trace_result(uint64_t off, size_t len, long r, uint64_t ns)
{
	char res[RES_W + 1];
	int n;

	if (g.trace_fd < 0)
		return;
	if (r < 0)
		n = snprintf(res, sizeof(res), "= %ld %s %" PRIu64 "us", r,
			     errname((int)-r), ns / 1000);
	else
		n = snprintf(res, sizeof(res), "= %ld %" PRIu64 "us", r, ns / 1000);
	if (n > RES_W)
		n = RES_W;
	memset(res + n, ' ', (size_t)(RES_W - n));
	/* The result field starts RES_W + 1 bytes before the line's end. */
	if (pwrite(g.trace_fd, res, RES_W, (off_t)(off + len - 1 - RES_W)) < 0)
		return;
}

/* --- ioctls and blocking calls ------------------------------------------- */

static long xioctl(struct thr *t, int fd, unsigned long req, void *arg)
{
	int r;

	t->st.ioctls++;
	r = ioctl(fd, req, arg);
	return r < 0 ? -errno : r;
}

static void on_timer(int sig)
{
	(void)sig;
}

/* Interrupt this thread's next blocking call after @ms. */
/*
 * Interrupt this thread's blocking call after @ms, and every @ms after
 * that until disarm(): a thread descheduled between arm() and the call
 * would take a single signal before it blocks, then block for ever.
 */
static void arm(struct thr *t, unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };
	struct itimerspec its = { .it_value = ts, .it_interval = ts };

	if (t->timer_pid != getpid()) {
		struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID,
					.sigev_signo = SIGUSR1 };

		sev._sigev_un._tid = gettid();
		if (timer_create(CLOCK_MONOTONIC, &sev, &t->timer))
			return;
		t->timer_pid = getpid();
	}
	timer_settime(t->timer, 0, &its, NULL);
}

static void disarm(struct thr *t)
{
	struct itimerspec its = { 0 };

	if (t->timer_pid == getpid())
		timer_settime(t->timer, 0, &its, NULL);
}

/* Bad user pointers; index 3 (read-only) is only bad for writes. */
#define NBADPTR 9

static void *badptr(struct thr *t, uint64_t which)
{
	switch (which % NBADPTR) {
	case 0: return NULL;
	case 1: return (void *)1;
	case 2: return t->guard;
	case 3: return t->ro;
	case 4: return t->page + PAGE - 8;	/* runs into the guard page */
	case 5: return (void *)0xffff888000000000ull;
	case 6: return (void *)0x00007ffffffff000ull;
	case 7: return (void *)UINTPTR_MAX;
	default: return (void *)0x8000000000000000ull;
	}
}

static bool bad_always(uint64_t which)
{
	return which % NBADPTR != 3;
}

/* Put @len bytes at the start of the read-only page. */
static void *ro_put(struct thr *t, const void *p, size_t len)
{
	mprotect(t->ro, PAGE, PROT_READ | PROT_WRITE);
	memcpy(t->ro, p, len);
	mprotect(t->ro, PAGE, PROT_READ);
	return t->ro;
}

/* --- EDIDs -------------------------------------------------------------- */

static void edid_fix(uint8_t *b)
{
	uint8_t sum = 0;
	int i;

	for (i = 0; i < 127; i++)
		sum += b[i];
	b[127] = (uint8_t)(0x100 - sum);
}

/* 18-byte 1280x720@60 detailed timing (CEA-861 VIC 4). */
static const uint8_t dtd_720p[18] = {
	0x01, 0x1d, 0x00, 0x72, 0x51, 0xd0, 0x1e, 0x20, 0x6e, 0x28,
	0x55, 0x00, 0x08, 0x22, 0x21, 0x00, 0x00, 0x1e,
};

/* A valid EDID 1.4 base block naming "WFD FUZZ", with @ext extensions. */
static void edid_base(uint8_t *e, unsigned int ext)
{
	static const uint8_t chroma[10] = {
		0xee, 0x91, 0xa3, 0x54, 0x4c, 0x99, 0x26, 0x0f, 0x50, 0x54,
	};
	static const uint8_t name[18] = {
		0, 0, 0, 0xfc, 0, 'W', 'F', 'D', ' ', 'F', 'U', 'Z', 'Z', '\n',
		' ', ' ', ' ', ' ',
	};
	static const uint8_t range[18] = {
		0, 0, 0, 0xfd, 0, 23, 76, 15, 83, 17, 0, 0x0a,
		' ', ' ', ' ', ' ', ' ', ' ',
	};
	int i;

	memset(e, 0, 128);
	memset(e + 1, 0xff, 6);
	e[8] = 0x5c;		/* manufacturer "WFD" */
	e[9] = 0xc4;
	e[10] = 0x01;		/* product */
	e[16] = 1;		/* week 1 of 2024 */
	e[17] = 34;
	e[18] = 1;		/* version 1.4 */
	e[19] = 4;
	e[20] = 0x80;		/* digital input */
	e[21] = 52;		/* 52 x 29 cm */
	e[22] = 29;
	e[23] = 120;		/* gamma 2.2 */
	e[24] = 0x02;		/* the preferred timing is native */
	memcpy(e + 25, chroma, sizeof(chroma));
	e[35] = 0x21;		/* 640x480@60, 800x600@60 */
	e[36] = 0x08;		/* 1024x768@60 */
	for (i = 38; i < 54; i++)
		e[i] = 1;	/* unused standard timings */
	e[38] = 0x81;		/* 1280x720@60 */
	e[39] = 0xc0;
	e[40] = 0xd1;		/* 1920x1080@60 */
	e[41] = 0xc0;
	memcpy(e + 54, dtd_720p, 18);
	memcpy(e + 72, name, 18);
	memcpy(e + 90, range, 18);
	e[111] = 0x10;		/* dummy descriptor */
	e[126] = (uint8_t)ext;
	edid_fix(e);
}

/* A CEA-861 extension: VICs 4, 16, 1 and an HDMI vendor block. */
static void edid_cea(uint8_t *b)
{
	static const uint8_t blocks[] = {
		0x43, 0x84, 0x10, 0x01,			/* video data block */
		0x65, 0x03, 0x0c, 0x00, 0x10, 0x00,	/* HDMI VSDB, 1.0.0.0 */
	};

	memset(b, 0, 128);
	b[0] = 0x02;
	b[1] = 0x03;
	b[2] = 4 + sizeof(blocks);
	memcpy(b + 4, blocks, sizeof(blocks));
	memcpy(b + 4 + sizeof(blocks), dtd_720p, 18);
	edid_fix(b);
}

/* An extension block of random content under a plausible tag. */
static void edid_junk_ext(uint8_t *b, uint64_t seed)
{
	static const uint8_t tags[] = { 0x02, 0x70, 0x10, 0x40, 0x50, 0x60, 0xa7, 0xf0, 0xff };
	uint64_t s = seed;

	junk(b, 128, seed);
	b[0] = tags[splitmix(&s) % sizeof(tags)];
	if (b[0] == 0x02) {
		b[1] = 3;
		b[2] = (uint8_t)(splitmix(&s) % 128);
	}
	edid_fix(b);
}

/* --- modes and dimensions ----------------------------------------------- */

#define MODE(c, hd, hss, hse, ht, vd, vss, vse, vt, r, f, n) \
	{ .clock = c, .hdisplay = hd, .hsync_start = hss, .hsync_end = hse, \
	  .htotal = ht, .vdisplay = vd, .vsync_start = vss, .vsync_end = vse, \
	  .vtotal = vt, .vrefresh = r, .flags = f, .type = DRM_MODE_TYPE_USERDEF, \
	  .name = n }

#define PP (DRM_MODE_FLAG_PHSYNC | DRM_MODE_FLAG_PVSYNC)
#define NN (DRM_MODE_FLAG_NHSYNC | DRM_MODE_FLAG_NVSYNC)

/* The first NDIMS_MODES have the sizes of the first dims[]. */
static const struct drm_mode_modeinfo modes[] = {
	MODE(25175, 640, 656, 752, 800, 480, 490, 492, 525, 60, NN, "640x480"),
	MODE(40000, 800, 840, 968, 1056, 600, 601, 605, 628, 60, PP, "800x600"),
	MODE(65000, 1024, 1048, 1184, 1344, 768, 771, 777, 806, 60, NN, "1024x768"),
	MODE(74250, 1280, 1390, 1430, 1650, 720, 725, 730, 750, 60, PP, "1280x720"),
	MODE(74250, 1920, 2008, 2052, 2200, 1080, 1084, 1089, 1125, 30, PP, "1920x1080"),
	/* Broken or extreme ones. */
	MODE(0, 640, 656, 752, 800, 480, 490, 492, 525, 60, NN, "clock0"),
	MODE(250000, 640, 656, 752, 800, 480, 490, 492, 525, 595, NN, "595Hz"),
	MODE(25175, 0, 656, 752, 800, 480, 490, 492, 525, 60, NN, "hdisplay0"),
	MODE(600000, 8192, 8200, 8250, 8300, 8192, 8193, 8195, 8200, 9, PP, "8192x8192"),
	MODE(74250, 1280, 1200, 1430, 1650, 720, 725, 730, 750, 60, PP, "badsync"),
	MODE(74250, 1280, 1390, 1430, 1650, 720, 725, 730, 750, 60,
	     PP | DRM_MODE_FLAG_INTERLACE | DRM_MODE_FLAG_DBLSCAN, "ilace"),
	MODE(1, 1, 2, 3, 4, 1, 2, 3, 4, 62, PP, "1x1"),
};

#define NMODES		(sizeof(modes) / sizeof(modes[0]))
#define NDIMS_MODES	5

static const struct { uint32_t w, h; } dims[] = {
	{ 640, 480 }, { 800, 600 }, { 1024, 768 }, { 1280, 720 }, { 1920, 1080 },
	{ 1, 1 }, { 8192, 1 }, { 1, 8192 }, { 63, 17 },
};

#define NDIMS (sizeof(dims) / sizeof(dims[0]))

/* --- slots ------------------------------------------------------------- */

static int card_fd(struct thr *t, uint64_t slot)
{
	return t->cards[slot % NCARD].fd;
}

static bool dumb_live(struct thr *t, const struct dumb *d)
{
	return d->card >= 0 && t->cards[d->card].fd >= 0 &&
	       t->cards[d->card].gen == d->gen;
}

static int dumb_fd(struct thr *t, const struct dumb *d)
{
	return dumb_live(t, d) ? t->cards[d->card].fd : -1;
}

static void dumb_unmap(struct dumb *d)
{
	if (d->map)
		munmap(d->map, d->maplen);
	d->map = NULL;
	d->maplen = 0;
}

/* Forget a dumb slot: its fb and handle go when its card is still open. */
static void dumb_release(struct thr *t, struct dumb *d)
{
	int fd = dumb_fd(t, d);

	if (fd >= 0 && d->fb)
		xioctl(t, fd, DRM_IOCTL_MODE_RMFB, &d->fb);
	if (fd >= 0 && d->handle) {
		struct drm_gem_close c = { .handle = d->handle };

		xioctl(t, fd, DRM_IOCTL_GEM_CLOSE, &c);
	}
	dumb_unmap(d);
	memset(d, 0, sizeof(*d));
	d->card = -1;
}

static void card_close(struct thr *t, unsigned int slot)
{
	struct card *c = &t->cards[slot];
	int i;

	if (c->fd < 0)
		return;
	for (i = 0; i < NDUMB; i++) {
		struct dumb *d = &t->dumbs[i];

		if (d->card == (int)slot && d->gen == c->gen) {
			dumb_unmap(d);
			memset(d, 0, sizeof(*d));
			d->card = -1;
		}
	}
	close(c->fd);
	c->fd = -1;
}

static void claim_close(struct claim *c)
{
	if (c->fd >= 0)
		close(c->fd);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void xfd_close(struct xfd *x)
{
	if (x->fd >= 0)
		close(x->fd);
	memset(x, 0, sizeof(*x));
	x->fd = -1;
}

/* Keep @fd, closing the oldest kept one when all slots are taken. */
static void xfd_add(struct thr *t, int fd, int kind, uint32_t w, uint32_t h, uint64_t id)
{
	struct xfd *x = &t->x[t->xnext++ % NXFD];

	xfd_close(x);
	*x = (struct xfd){ .fd = fd, .kind = kind, .w = w, .h = h, .buffer_id = id };
}

static void vgem_add(struct thr *t, uint32_t handle)
{
	uint32_t *h = &t->vh[t->vnext++ % NVGEM];

	if (*h) {
		struct drm_gem_close c = { .handle = *h };

		xioctl(t, t->vgem, DRM_IOCTL_GEM_CLOSE, &c);
	}
	*h = handle;
}

/* Slot pickers for the generator: mostly a slot in use. */
static uint64_t pick_card(struct thr *t)
{
	unsigned int live[NCARD], n = 0, i;

	for (i = 0; i < NCARD; i++)
		if (t->cards[i].fd >= 0)
			live[n++] = i;
	return n && pct(t, 95) ? live[below(t, n)] : below(t, NCARD);
}

static uint64_t pick_claim(struct thr *t, bool want_session)
{
	unsigned int live[NCLAIM], n = 0, i;

	for (i = 0; i < NCLAIM; i++)
		if (t->claims[i].fd >= 0 && (!want_session || t->claims[i].sid))
			live[n++] = i;
	if (!n && want_session)
		return pick_claim(t, false);
	return n && pct(t, 95) ? live[below(t, n)] : below(t, NCLAIM);
}

static uint64_t free_claim(struct thr *t)
{
	unsigned int i;

	for (i = 0; i < NCLAIM; i++)
		if (t->claims[i].fd < 0 && pct(t, 80))
			return i;
	return below(t, NCLAIM);
}

/* want: 0 any in use, 1 with a handle, 2 with an fb, 3 free */
static uint64_t pick_dumb(struct thr *t, int want)
{
	unsigned int ok[NDUMB], n = 0, i;

	for (i = 0; i < NDUMB; i++) {
		const struct dumb *d = &t->dumbs[i];
		bool live = dumb_live(t, d);

		if ((want == 0 && live && (d->handle || d->fb)) ||
		    (want == 1 && live && d->handle) ||
		    (want == 2 && live && d->fb) ||
		    (want == 3 && !live))
			ok[n++] = i;
	}
	return n && pct(t, 92) ? ok[below(t, n)] : below(t, NDUMB);
}

/* A dumb with an fb of @w x @h, else any with an fb. */
static uint64_t pick_fb(struct thr *t, uint32_t w, uint32_t h)
{
	unsigned int ok[NDUMB], n = 0, i;

	for (i = 0; i < NDUMB; i++) {
		const struct dumb *d = &t->dumbs[i];

		if (dumb_live(t, d) && d->fb && d->w == w && d->h == h)
			ok[n++] = i;
	}
	return n && pct(t, 85) ? ok[below(t, n)] : pick_dumb(t, 2);
}

static uint64_t pick_xfd(struct thr *t, int kind)
{
	unsigned int ok[NXFD], n = 0, i;

	for (i = 0; i < NXFD; i++)
		if (t->x[i].fd >= 0 && (!kind || t->x[i].kind == kind))
			ok[n++] = i;
	if (!n && kind)
		return pick_xfd(t, 0);
	return n && pct(t, 92) ? ok[below(t, n)] : below(t, NXFD);
}

static bool have_claim(struct thr *t)
{
	int i;

	for (i = 0; i < NCLAIM; i++)
		if (t->claims[i].fd >= 0)
			return true;
	return false;
}

/* A card slot that is master, or -1. */
static int master_card(struct thr *t)
{
	unsigned int i;

	for (i = 0; i < NCARD; i++)
		if (t->cards[i].fd >= 0 && t->cards[i].master > 0)
			return (int)i;
	return -1;
}

/* A card slot not known to be master (CLAIM refuses masters). */
static uint64_t pick_nonmaster(struct thr *t)
{
	unsigned int ok[NCARD], n = 0, i;

	for (i = 0; i < NCARD; i++)
		if (t->cards[i].fd >= 0 && t->cards[i].master <= 0)
			ok[n++] = i;
	return n && pct(t, 85) ? ok[below(t, n)] : pick_card(t);
}

static void set_master(struct thr *t, uint64_t slot, int master)
{
	if (t->cards[slot % NCARD].fd >= 0)
		t->cards[slot % NCARD].master = master;
}

/* A claim slot with (1) or without (0) a session, or -1. */
static int claim_with(struct thr *t, bool session)
{
	int i;

	for (i = 0; i < NCLAIM; i++)
		if (t->claims[i].fd >= 0 && !t->claims[i].sid == !session)
			return i;
	return -1;
}

static bool have_held(struct thr *t)
{
	int i;

	for (i = 0; i < NCLAIM; i++)
		if (t->claims[i].fd >= 0 && t->claims[i].held)
			return true;
	return false;
}

static bool have_card(struct thr *t)
{
	int i;

	for (i = 0; i < NCARD; i++)
		if (t->cards[i].fd >= 0)
			return true;
	return false;
}

/* --- the generator ----------------------------------------------------- */

static bool op_allowed(struct thr *t, int type)
{
	unsigned int f = ops[type].flags;

	if ((f & F_ROOT) && g.nocaps)
		return false;
	if ((f & F_NOCAPS) && !g.nocaps)
		return false;
	if ((f & F_NOCHILD) && t->child)
		return false;
	if ((f & F_VGEM) && t->vgem < 0)
		return false;
	return true;
}

static unsigned int op_weight(struct thr *t, int type)
{
	unsigned int w = ops[type].weight;

	if (!op_allowed(t, type))
		return 0;
	/* Without a claim fd, claim fd operations are mostly EBADF. */
	if ((ops[type].flags & F_CLAIMFD) && !have_claim(t))
		w = (w + 7) / 8;
	if ((type == OP_CLAIM || type == OP_BROKER_CLAIM) && !have_claim(t))
		w = w * 3 / 2;
	/* A claim without a session connects; without one, little else works. */
	if (type == OP_CONNECT && claim_with(t, false) >= 0)
		w *= 2;
	if ((type == OP_ACQUIRE || type == OP_STATUS || type == OP_STATS ||
	     type == OP_DISCONNECT || type == OP_CLAIM_READ || type == OP_CLAIM_POLL) &&
	    have_claim(t) && claim_with(t, true) < 0)
		w = (w + 5) / 6;
	if (type == OP_RELEASE && !have_held(t))
		w = (w + 3) / 4;
	/* Without capabilities, CLAIM is a plain EACCES check. */
	if (type == OP_CLAIM && g.nocaps)
		w = 4;
	/* Commits need master: whoever has it commits, the others try to get it. */
	if (type == OP_ATOMIC)
		w = master_card(t) >= 0 ? w * 3 / 2 : w / 5;
	if (type == OP_MASTER)
		w = master_card(t) >= 0 ? w / 5 : w * 2;
	return w;
}

static int pick_type(struct thr *t)
{
	unsigned int w[NUM_OPS], total = 0, r;
	int i;

	for (i = 0; i < NUM_OPS; i++) {
		w[i] = op_weight(t, i);
		total += w[i];
	}
	r = (unsigned int)below(t, total);
	for (i = 0; i < NUM_OPS; i++) {
		if (r < w[i])
			return i;
		r -= w[i];
	}
	return OP_GET_INFO;
}

static const uint64_t read_sizes[] = {
	0, 1, 7, 8, 23, 24, 31, 32, 39, 40, 55, 56, 57, 64, 96, 128, 4096, ARENA,
};

static uint64_t read_size(struct thr *t)
{
	if (pct(t, 85))
		return read_sizes[below(t, sizeof(read_sizes) / sizeof(read_sizes[0]))];
	return below(t, ARENA + 1);
}

static uint64_t claim_how(struct thr *t, unsigned int valid_pct, unsigned int n)
{
	return pct(t, valid_pct) ? 0 : 1 + below(t, n - 1);
}

static void gen_op(struct thr *t, struct op *op)
{
	uint64_t *a = op->a;
	int type;

	memset(op, 0, sizeof(*op));
	if (t->scm_slot >= 0) {
		static const int claim_ops[] = {
			OP_CONNECT, OP_ACQUIRE, OP_RELEASE, OP_STATUS, OP_STATS,
			OP_DISCONNECT, OP_CLAIM_READ, OP_CLAIM_POLL, OP_CLAIM_JUNK,
		};

		type = claim_ops[below(t, sizeof(claim_ops) / sizeof(claim_ops[0]))];
	} else if (!t->child && !have_card(t) && pct(t, 80)) {
		type = OP_CARD_OPEN;
	} else {
		type = pick_type(t);
	}
	op->type = type;

	switch (type) {
	case OP_CARD_OPEN: {
		unsigned int i;

		a[0] = below(t, NCARD);
		for (i = 0; i < NCARD; i++)
			if (t->cards[i].fd < 0) {
				a[0] = i;
				break;
			}
		a[1] = (pct(t, 10) ? 1 : 0) | (pct(t, 25) ? 2 : 0);
		a[2] = pct(t, 90) ? 3 : below(t, 8);
		break;
	}
	case OP_CARD_CLOSE:
		a[0] = pick_card(t);
		break;
	case OP_CARD_DUP:
		a[0] = pick_card(t);
		a[1] = below(t, NCARD);
		break;
	case OP_GET_INFO:
		a[0] = pick_card(t);
		a[1] = claim_how(t, 60, 6);
		a[2] = edge(t);
		break;
	case OP_CLAIM:
		a[0] = pick_nonmaster(t);
		a[1] = free_claim(t);
		a[2] = pct(t, 85) ? below(t, g.num_outputs + 1) : (uint32_t)edge(t);
		a[3] = claim_how(t, 70, 6);
		a[4] = edge(t);
		break;
	case OP_BROKER_CLAIM:
		a[0] = free_claim(t);
		a[1] = below(t, g.num_outputs + 1);
		break;
	case OP_LEGACY: {
		static const uint64_t nrs[] = { 2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6, 7,
						0, 1, 9, 0x0f, 0x3f, 0x5f };
		static const uint64_t sizes[] = { 0, 8, 16, 24, 32, 40, 48, 64, 128, 256 };

		a[0] = pick_card(t);
		a[1] = nrs[below(t, sizeof(nrs) / sizeof(nrs[0]))];
		a[2] = below(t, 4);
		a[3] = pct(t, 60) ? sizes[below(t, sizeof(sizes) / sizeof(sizes[0]))] :
				    below(t, 0x4000);
		a[4] = rnd(t);
		a[5] = pct(t, 15) ? 1 + below(t, NBADPTR) : 0;
		break;
	}
	case OP_MASTER:
		/* The master mostly gives master up, the others mostly ask. */
		if (master_card(t) >= 0 && pct(t, 80)) {
			a[0] = (uint64_t)master_card(t);
			a[1] = pct(t, 70) ? 0 : 1;
		} else {
			a[0] = pick_nonmaster(t);
			a[1] = pct(t, 85) ? 1 : 0;
		}
		break;
	case OP_GETCONN:
		a[0] = pick_card(t);
		a[1] = below(t, g.num_outputs);
		a[2] = pct(t, 45) ? 0 : pct(t, 60) ? 1 : 2 + below(t, 2);
		a[3] = below(t, 40);
		a[4] = edge(t);
		break;
	case OP_FORCE:
		a[0] = below(t, g.num_outputs);
		a[1] = below(t, 5);
		break;
	case OP_CARD_READ:
		a[0] = pick_card(t);
		a[1] = read_size(t);
		a[2] = pct(t, 70);
		break;
	case OP_DUMB_CREATE: {
		static const uint64_t bpps[] = { 0, 1, 8, 16, 24, 31, 32, 33, 64, 0xffffffff };

		a[0] = pick_card(t);
		a[1] = pick_dumb(t, 3);
		a[2] = pct(t, 88) ? below(t, pct(t, 80) ? NDIMS_MODES : NDIMS) : NDIMS + below(t, 4);
		a[3] = (uint32_t)edge(t);
		a[4] = (uint32_t)edge(t);
		a[5] = pct(t, 50) ? 32 : bpps[below(t, sizeof(bpps) / sizeof(bpps[0]))];
		break;
	}
	case OP_DUMB_MAP:
		a[0] = pick_dumb(t, 1);
		a[1] = claim_how(t, 80, 3);
		a[2] = edge(t);
		break;
	case OP_DUMB_DESTROY:
		a[0] = pick_dumb(t, 1);
		a[1] = pct(t, 70) ? 0 : pct(t, 60) ? 1 : 2;
		a[2] = edge(t);
		break;
	case OP_ADDFB:
		a[0] = pick_dumb(t, 1);
		a[1] = claim_how(t, 60, 12);
		a[2] = edge(t);
		break;
	case OP_RMFB:
		a[0] = pick_dumb(t, 2);
		a[1] = pct(t, 70) ? 0 : pct(t, 50) ? 2 : 1;
		a[2] = (uint32_t)edge(t);
		break;
	case OP_ATOMIC: {
		/* enable, flip, off, on, disable, random, damage, out fence, in fence, junk */
		static const unsigned int kw[] = { 20, 30, 8, 8, 8, 10, 8, 4, 4, 4 };
		unsigned int r, k;
		uint32_t o;

		a[0] = master_card(t) >= 0 && pct(t, 90) ? (uint64_t)master_card(t) : pick_card(t);
		o = (uint32_t)below(t, g.num_outputs);
		/* Frames for our own session, half of the time. */
		if (claim_with(t, true) >= 0 && pct(t, 50)) {
			uint32_t out = t->claims[claim_with(t, true)].output;

			if (out && out <= g.num_outputs)
				o = out - 1;
		}
		a[1] = o;
		r = (unsigned int)below(t, 104);
		for (k = 0; k < 9 && r >= kw[k]; k++)
			r -= kw[k];
		a[2] = k;
		a[4] = pct(t, 50) ? 0 : below(t, 64);
		if (k == 0) {
			a[3] = pick_dumb(t, 2);
			a[5] = below(t, 4 + NMODES);
			if (pct(t, 70)) {
				const struct dumb *d = &t->dumbs[a[3]];
				unsigned int j;

				for (j = 0; j < NDIMS_MODES; j++)
					if (d->w == modes[j].hdisplay && d->h == modes[j].vdisplay)
						a[5] = 4 + j;
			}
		} else {
			a[3] = pick_fb(t, t->mode_w[o], t->mode_h[o]);
			a[5] = k == 7 ? (pct(t, 80) ? 0 : 1 + below(t, NBADPTR)) :
			       k == 8 ? (pick_xfd(t, X_FENCE) | (pct(t, 20) ? 0x100 : 0)) :
			       rnd(t);
		}
		break;
	}
	case OP_PRIME_EXPORT:
		a[0] = pick_dumb(t, 1);
		a[1] = pct(t, 85) ? (DRM_CLOEXEC | DRM_RDWR) : (uint32_t)edge(t);
		break;
	case OP_PRIME_IMPORT:
		a[0] = pick_card(t);
		a[1] = pick_xfd(t, X_DMABUF);
		a[2] = pick_dumb(t, 3);
		a[3] = claim_how(t, 85, 4);
		a[4] = edge(t);
		break;
	case OP_VGEM:
		a[0] = pct(t, 50) ? 0 : pct(t, 60) ? 1 : 2;
		a[1] = below(t, NDIMS_MODES);
		a[2] = pick_xfd(t, X_DMABUF);
		break;
	case OP_XFD:
		a[0] = pick_xfd(t, 0);
		a[1] = below(t, 10);
		a[2] = pct(t, 50) ? below(t, 8) : edge(t);
		break;
	case OP_CONNECT: {
		/* valid, CEA, mutated, junk extensions, size, pointer, flags,
		 * limits, read-only args, bad header, EDID in the guard page */
		static const unsigned int hw[] = { 30, 15, 15, 8, 6, 5, 5, 6, 4, 3, 3 };
		static const uint64_t sizes[] = { 0, 1, 127, 128, 129, 255, 256, 384,
						  EDID_MAX, EDID_MAX + 128, 0x80000000, 0xffffffff };
		unsigned int r = (unsigned int)below(t, 100), k;

		a[0] = claim_with(t, false) >= 0 && pct(t, 85) ? (uint64_t)claim_with(t, false) :
									pick_claim(t, false);
		for (k = 0; k < 10 && r >= hw[k]; k++)
			r -= hw[k];
		a[1] = k;
		a[2] = k == 4 ? sizes[below(t, sizeof(sizes) / sizeof(sizes[0]))] :
		       pct(t, 50) ? below(t, 128) : below(t, 256);
		a[3] = rnd(t);
		a[4] = pct(t, 50) ? rnd(t) & 0x07ff07ff : rnd(t);
		break;
	}
	case OP_ACQUIRE:
		a[0] = pick_claim(t, true);
		a[1] = claim_how(t, 70, 7);
		a[2] = edge(t);
		break;
	case OP_RELEASE: {
		unsigned int i, held = NCLAIM;

		for (i = 0; i < NCLAIM; i++)
			if (t->claims[i].fd >= 0 && t->claims[i].held)
				held = i;
		a[0] = held < NCLAIM && pct(t, 90) ? held : pick_claim(t, true);
		a[1] = claim_how(t, 70, 7);
		a[2] = edge(t);
		break;
	}
	case OP_STATUS:
		a[0] = pick_claim(t, true);
		a[1] = claim_how(t, 50, 7);
		a[2] = pct(t, 70) ? below(t, WFD_STATUS_MAX + 3) : (uint32_t)edge(t);
		a[3] = (uint32_t)edge(t);
		break;
	case OP_STATS:
	case OP_DISCONNECT:
		a[0] = pick_claim(t, true);
		a[1] = claim_how(t, 60, 6);
		a[2] = type == OP_STATS ? rnd(t) : edge(t);
		break;
	case OP_CLAIM_JUNK: {
		static const uint64_t sizes[] = {
			sizeof(struct drm_wfd_connect), sizeof(struct drm_wfd_frame_acquire),
			sizeof(struct drm_wfd_frame_release), sizeof(struct drm_wfd_report_status),
			sizeof(struct drm_wfd_report_stats), sizeof(struct drm_wfd_disconnect),
			0, 8,
		};

		a[0] = pick_claim(t, false);
		a[1] = below(t, 4);
		a[2] = pct(t, 50) ? 0x80 + below(t, 8) : below(t, 256);
		a[3] = below(t, 4);
		a[4] = pct(t, 60) ? sizes[below(t, 8)] : below(t, 0x4000);
		a[5] = rnd(t);
		break;
	}
	case OP_CLAIM_READ:
		a[0] = pick_claim(t, true);
		a[1] = read_size(t);
		a[2] = pct(t, 70);
		a[3] = claim_how(t, 85, 4);
		break;
	case OP_CLAIM_POLL:
		a[0] = pick_claim(t, true);
		a[1] = pct(t, 50) ? 0 : below(t, 21);
		a[2] = pct(t, 80) ? POLLIN : rnd(t) & 0xffff;
		break;
	case OP_CLAIM_CLOSE:
		a[0] = pick_claim(t, false);
		break;
	case OP_CLAIM_DUP:
		a[0] = pick_claim(t, false);
		a[1] = below(t, NCLAIM);
		a[2] = below(t, 3);
		break;
	case OP_FORK:
		a[0] = rnd(t);
		a[1] = below(t, NCHILD_OPS);
		break;
	case OP_SCM:
		a[0] = pick_claim(t, false);
		a[1] = rnd(t);
		a[2] = below(t, NCHILD_OPS);
		a[3] = below(t, 2);
		break;
	default:
		break;
	}
	if (t->scm_slot >= 0)
		a[0] = (uint64_t)t->scm_slot;
}

/* --- card operations ----------------------------------------------------- */

static long do_card_open(struct thr *t, const uint64_t *a)
{
	unsigned int slot = a[0] % NCARD;
	int fd, flags = O_RDWR | O_CLOEXEC | (a[1] & 1 ? O_NONBLOCK : 0);
	struct drm_set_client_cap cap = { .value = 1 };

	card_close(t, slot);
	fd = open(g.card_path, flags);
	if (fd < 0)
		return -errno;
	t->cards[slot].fd = fd;
	t->cards[slot].gen = ++t->gen;
	t->cards[slot].master = 0;
	if (a[2] & 1) {
		cap.capability = DRM_CLIENT_CAP_UNIVERSAL_PLANES;
		xioctl(t, fd, DRM_IOCTL_SET_CLIENT_CAP, &cap);
	}
	if (a[2] & 2) {
		cap.capability = DRM_CLIENT_CAP_ATOMIC;
		xioctl(t, fd, DRM_IOCTL_SET_CLIENT_CAP, &cap);
	}
	if (a[2] & 4) {
		cap.capability = a[2] >> 3;
		cap.value = a[2];
		xioctl(t, fd, DRM_IOCTL_SET_CLIENT_CAP, &cap);
	}
	/* The first opener becomes master: give it back at once, sometimes. */
	if ((a[1] & 2) && !xioctl(t, fd, DRM_IOCTL_DROP_MASTER, NULL))
		t->cards[slot].master = -1;
	return fd;
}

static long do_card_dup(struct thr *t, const uint64_t *a)
{
	unsigned int to = a[1] % NCARD;
	int from = card_fd(t, a[0]), fd;

	if (to == a[0] % NCARD)
		return -EEXIST;
	card_close(t, to);
	fd = dup(from);
	if (fd < 0)
		return -errno;
	t->cards[to].fd = fd;
	t->cards[to].gen = ++t->gen;
	t->cards[to].master = t->cards[a[0] % NCARD].master;
	return fd;
}

static long do_get_info(struct thr *t, const uint64_t *a)
{
	int fd = card_fd(t, a[0]);
	unsigned int how = a[1] % 6;
	struct drm_wfd_get_info info;
	void *p = &info;
	unsigned long cmd = DRM_IOCTL_WFD_GET_INFO;
	long r;

	memset(&info, 0, sizeof(info));
	switch (how) {
	case 1: info.flags = (uint32_t)a[2] | 1; break;
	case 2: info.reserved[a[2] % 4] = a[2] | 1; break;
	case 3: ((uint8_t *)info.outputs)[a[2] % sizeof(info.outputs)] = 1; break;
	case 4: p = badptr(t, a[2]); break;
	case 5:
		/* A shorter struct: the DRM core zero-extends it. */
		cmd = DRM_IOC(DRM_IOC_READWRITE, DRM_IOCTL_BASE,
			      DRM_COMMAND_BASE + DRM_WFD_GET_INFO,
			      24 + a[2] % (sizeof(info) - 24));
		break;
	}
	r = xioctl(t, fd, cmd, p);
	if (fd < 0)
		return r;
	if ((how == 1 || how == 2 || how == 3) && r != -EINVAL)
		violation(t, "GET_INFO with nonzero input fields: %ld, want EINVAL", r);
	if (how == 4 && bad_always(a[2]) && r != -EFAULT)
		violation(t, "GET_INFO with a bad pointer: %ld, want EFAULT", r);
	if ((how == 0 || how == 5) && r)
		violation(t, "GET_INFO failed: %ld", r);
	if (how == 0 && !r) {
		uint32_t i;

		if (info.version != WFD_UAPI_VERSION || info.num_outputs != g.num_outputs ||
		    info.max_edid_size < 128)
			violation(t, "GET_INFO: version %u, %u outputs, max EDID %u",
				  info.version, info.num_outputs, info.max_edid_size);
		for (i = 0; i < info.num_outputs && i < WFD_MAX_OUTPUTS; i++) {
			const struct drm_wfd_output_info *o = &info.outputs[i];

			if (o->connector_id != g.out[i].conn || o->crtc_id != g.out[i].crtc ||
			    o->pad || (o->flags & ~(WFD_OUTPUT_CONNECTED | WFD_OUTPUT_CLAIMED)))
				violation(t, "GET_INFO: output %u: connector %u crtc %u flags %#x pad %u",
					  i + 1, o->connector_id, o->crtc_id, o->flags, o->pad);
		}
	}
	return r;
}

static void claim_store(struct thr *t, unsigned int slot, int fd, uint32_t output)
{
	struct claim *c = &t->claims[slot];

	claim_close(c);
	c->fd = fd;
	c->output = output;
}

static long do_claim(struct thr *t, const uint64_t *a)
{
	int fd = card_fd(t, a[0]);
	unsigned int slot = a[1] % NCLAIM, how = a[3] % 6;
	struct drm_wfd_claim args = { .output = (uint32_t)a[2], .fd = -1 };
	void *p = &args;
	long r;

	switch (how) {
	case 1: args.flags = (uint32_t)a[4] | 1; break;
	case 2: args.pad = (uint32_t)a[4] | 1; break;
	case 3: args.reserved[a[4] & 1] = a[4] | 1; break;
	case 4: args.output = (uint32_t)a[4]; break;
	case 5: p = badptr(t, a[4]); break;
	}
	r = xioctl(t, fd, DRM_IOCTL_WFD_CLAIM, p);
	if (!r) {
		if (p != &args) {
			violation(t, "CLAIM through a bad pointer succeeded");
			return r;
		}
		if (g.nocaps)
			violation(t, "CLAIM without CAP_SYS_ADMIN succeeded");
		if (args.fd < 0 || !args.output || args.output > g.num_outputs ||
		    ((uint32_t)a[2] && args.output != (uint32_t)a[2] && how != 4))
			violation(t, "CLAIM of output %u: fd %d output %u",
				  (uint32_t)a[2], args.fd, args.output);
		if (args.fd >= 0)
			claim_store(t, slot, args.fd, args.output);
		return args.fd;
	}
	if (fd < 0)
		return r;
	if (g.nocaps) {
		if (r != -EACCES && !(how == 5 && r == -EFAULT))
			violation(t, "CLAIM without CAP_SYS_ADMIN: %ld, want EACCES", r);
		return r;
	}
	if (how >= 1 && how <= 3 && r != -EINVAL)
		violation(t, "CLAIM with nonzero flags/pad/reserved: %ld, want EINVAL", r);
	if (how == 4 && args.output > g.num_outputs && r != -EINVAL)
		violation(t, "CLAIM of output %u: %ld, want EINVAL", args.output, r);
	if (how == 5 && bad_always(a[4]) && r != -EFAULT)
		violation(t, "CLAIM with a bad pointer: %ld, want EFAULT", r);
	return r;
}

/* Ask the privileged parent for a claim fd (the phase without capabilities). */
static long do_broker_claim(struct thr *t, const uint64_t *a)
{
	unsigned int slot = a[0] % NCLAIM;
	uint32_t req = (uint32_t)a[1];
	char cbuf[CMSG_SPACE(sizeof(int))];
	int32_t reply[2] = { -EIO, 0 };	/* errno, output claimed */
	struct iovec iov = { .iov_base = reply, .iov_len = sizeof(reply) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int fd = -1;
	ssize_t n;

	if (g.broker < 0)
		return -ENOTCONN;
	pthread_mutex_lock(&g.broker_lock);
	if (send(g.broker, &req, sizeof(req), 0) != sizeof(req)) {
		pthread_mutex_unlock(&g.broker_lock);
		return -errno;
	}
	n = recvmsg(g.broker, &msg, MSG_CMSG_CLOEXEC);
	pthread_mutex_unlock(&g.broker_lock);
	if (n != sizeof(reply))
		return n < 0 ? -errno : -EPROTO;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	if (reply[0])
		return reply[0];
	if (fd < 0)
		return -EPROTO;
	claim_store(t, slot, fd, (uint32_t)reply[1]);
	return fd;
}

static long do_legacy(struct thr *t, const uint64_t *a)
{
	int fd = card_fd(t, a[0]);
	uint32_t nr = (uint32_t)a[1] & 0x5f, size = (uint32_t)a[3] & 0x3fff;
	unsigned long cmd;
	long r;

	/* CLAIM with junk could succeed and leave an fd nobody tracks. */
	if (nr == DRM_WFD_CLAIM)
		nr = 2;
	cmd = DRM_IOC((uint32_t)a[2] & 3, DRM_IOCTL_BASE, DRM_COMMAND_BASE + nr, size);
	junk(t->buf, size, a[4]);
	r = xioctl(t, fd, cmd, a[5] ? badptr(t, a[5] - 1) : t->buf);
	if (fd >= 0 && nr != DRM_WFD_GET_INFO && r != -EINVAL)
		violation(t, "driver ioctl %#x (size %u): %ld, want EINVAL", nr, size, r);
	return r;
}

static long do_master(struct thr *t, const uint64_t *a)
{
	long r = xioctl(t, card_fd(t, a[0]),
			a[1] & 1 ? DRM_IOCTL_SET_MASTER : DRM_IOCTL_DROP_MASTER, NULL);

	if (r != -EBADF)
		set_master(t, a[0], (a[1] & 1) && !r ? 1 : -1);
	return r;
}

static long do_getconn(struct thr *t, const uint64_t *a)
{
	int fd = card_fd(t, a[0]);
	const struct output *o = &g.out[a[1] % g.num_outputs];
	unsigned int how = a[2] % 4, cap = (unsigned int)(a[3] % 33);
	struct drm_mode_get_connector gc;
	struct drm_mode_modeinfo *m = (void *)t->buf;
	uint32_t *props = (void *)(t->buf + 32 * sizeof(*m));
	uint64_t *vals = (void *)(t->buf + 32 * sizeof(*m) + 32 * 4);
	uint32_t *encs = (void *)(t->buf + 32 * sizeof(*m) + 32 * 12);
	long r;

	memset(&gc, 0, sizeof(gc));
	gc.connector_id = how == 3 ? (uint32_t)a[4] : o->conn;
	if (how == 0) {
		/* count_modes 0: a probe, for the master. */
		r = xioctl(t, fd, DRM_IOCTL_MODE_GETCONNECTOR, &gc);
		if (r)
			return r;
		if (gc.count_modes > 32)
			gc.count_modes = 32;
		if (gc.count_props > 32)
			gc.count_props = 32;
		if (gc.count_encoders > 8)
			gc.count_encoders = 8;
	} else if (how == 1) {
		gc.count_modes = cap;
		gc.count_props = cap;
		gc.count_encoders = cap % 9;
	} else if (how == 2) {
		gc.count_modes = (uint32_t)a[4] | 1;
		gc.count_props = (uint32_t)(a[4] >> 32) | 1;
		gc.count_encoders = 1;
		gc.modes_ptr = (uintptr_t)badptr(t, a[4]);
		gc.props_ptr = (uintptr_t)badptr(t, a[4] >> 8);
		gc.prop_values_ptr = (uintptr_t)badptr(t, a[4] >> 16);
		gc.encoders_ptr = (uintptr_t)badptr(t, a[4] >> 24);
		return xioctl(t, fd, DRM_IOCTL_MODE_GETCONNECTOR, &gc);
	}
	gc.modes_ptr = (uintptr_t)m;
	gc.props_ptr = (uintptr_t)props;
	gc.prop_values_ptr = (uintptr_t)vals;
	gc.encoders_ptr = (uintptr_t)encs;
	r = xioctl(t, fd, DRM_IOCTL_MODE_GETCONNECTOR, &gc);
	return r ? r : gc.count_modes;
}

static long do_force(struct thr *t, const uint64_t *a)
{
	static const char *const what[] = { "on", "off", "detect", "on-digital", "bogus" };
	const char *w = what[a[1] % 5];

	(void)t;
	return write_file(g.out[a[0] % g.num_outputs].sysfs_status, w, strlen(w));
}

/* Check what a read() of a card fd returned: whole DRM events. */
static void check_card_events(struct thr *t, const uint8_t *b, size_t n)
{
	size_t off = 0;

	while (off < n) {
		struct drm_event e;

		if (n - off < sizeof(e)) {
			violation(t, "card read: %zu trailing bytes", n - off);
			return;
		}
		memcpy(&e, b + off, sizeof(e));
		if (e.length < sizeof(e) || e.length > n - off ||
		    ((e.type == DRM_EVENT_VBLANK || e.type == DRM_EVENT_FLIP_COMPLETE) &&
		     e.length != sizeof(struct drm_event_vblank))) {
			violation(t, "card read: event type %#x length %u at %zu of %zu",
				  e.type, e.length, off, n);
			return;
		}
		off += e.length;
	}
}

static long do_card_read(struct thr *t, const uint64_t *a)
{
	int fd = card_fd(t, a[0]);
	size_t size = a[1] > ARENA ? ARENA : (size_t)a[1];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (a[2] & 1) {
		/* Read only what poll() says is there. */
		if (poll(&pfd, 1, 0) <= 0)
			return -EAGAIN;
	}
	arm(t, 20);
	n = read(fd, t->buf, size);
	disarm(t);
	if (n < 0)
		return -errno;
	if ((size_t)n > size)
		violation(t, "card read of %zu returned %zd", size, n);
	else
		check_card_events(t, t->buf, (size_t)n);
	return n;
}

/* --- buffers ------------------------------------------------------------- */

static long do_dumb_create(struct thr *t, const uint64_t *a)
{
	unsigned int slot = a[1] % NDUMB;
	struct dumb *d = &t->dumbs[slot];
	struct drm_mode_create_dumb c;
	int fd = card_fd(t, a[0]);
	long r;

	memset(&c, 0, sizeof(c));
	if (a[2] < NDIMS) {
		c.width = dims[a[2]].w;
		c.height = dims[a[2]].h;
		c.bpp = 32;
	} else {
		c.width = (uint32_t)a[3];
		c.height = (uint32_t)a[4];
		c.bpp = (uint32_t)a[5];
		if (a[2] == NDIMS + 3)
			c.flags = (uint32_t)a[5] | 1;
	}
	dumb_release(t, d);
	r = xioctl(t, fd, DRM_IOCTL_MODE_CREATE_DUMB, &c);
	if (r)
		return r;
	d->card = (int)(a[0] % NCARD);
	d->gen = t->cards[d->card].gen;
	d->handle = c.handle;
	d->w = c.width;
	d->h = c.height;
	d->pitch = c.pitch;
	d->size = c.size;
	/*
	 * The DRM core's shmem helper computes the pitch as width * bpp in
	 * 32 bits (6.12): a wide buffer gets a short pitch.  Not wfd's.
	 */
	if (c.bpp == 32 && (c.pitch < c.width * 4ull || c.size < (uint64_t)c.pitch * c.height))
		note(t, "CREATE_DUMB %ux%u: pitch %u size %llu", c.width, c.height,
			  c.pitch, (unsigned long long)c.size);
	return c.handle;
}

static long do_dumb_map(struct thr *t, const uint64_t *a)
{
	struct dumb *d = &t->dumbs[a[0] % NDUMB];
	int fd = dumb_fd(t, d);
	struct drm_mode_map_dumb m = { .handle = d->handle };
	unsigned int how = a[1] % 3;
	void *p;
	long r;

	if (how == 1) {
		/* mmap at an offset no object has. */
		p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, (off_t)(a[2] & ~0xfffull));
		if (p == MAP_FAILED)
			return -errno;
		munmap(p, PAGE);
		return 0;
	}
	if (how == 2) {
		m.handle = (uint32_t)a[2];
		m.pad = (uint32_t)(a[2] >> 32);
		return xioctl(t, fd, DRM_IOCTL_MODE_MAP_DUMB, &m);
	}
	r = xioctl(t, fd, DRM_IOCTL_MODE_MAP_DUMB, &m);
	if (r)
		return r;
	if (!d->size || d->size > DUMB_MAP_MAX)
		return -E2BIG;
	p = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m.offset);
	if (p == MAP_FAILED)
		return -errno;
	/* Touch the first and the last page. */
	((volatile uint8_t *)p)[0] = 0x5a;
	((volatile uint8_t *)p)[d->size - 1] = 0xa5;
	dumb_unmap(d);
	d->map = p;
	d->maplen = d->size;
	return 0;
}

static long do_dumb_destroy(struct thr *t, const uint64_t *a)
{
	struct dumb *d = &t->dumbs[a[0] % NDUMB];
	int fd = dumb_fd(t, d);
	long r;

	switch (a[1] % 3) {
	case 0: {
		struct drm_mode_destroy_dumb x = { .handle = d->handle };

		r = xioctl(t, fd, DRM_IOCTL_MODE_DESTROY_DUMB, &x);
		break;
	}
	case 1: {
		struct drm_gem_close x = { .handle = d->handle };

		r = xioctl(t, fd, DRM_IOCTL_GEM_CLOSE, &x);
		break;
	}
	default: {
		struct drm_gem_close x = { .handle = (uint32_t)a[2], .pad = (uint32_t)(a[2] >> 32) };

		return xioctl(t, fd, DRM_IOCTL_GEM_CLOSE, &x);
	}
	}
	/* The fb and the mapping keep the object: they stay. */
	if (!r)
		d->handle = 0;
	return r;
}

static long do_addfb(struct thr *t, const uint64_t *a)
{
	struct dumb *d = &t->dumbs[a[0] % NDUMB];
	int fd = dumb_fd(t, d);
	struct drm_mode_fb_cmd2 f;
	uint64_t v = a[2];
	long r;

	memset(&f, 0, sizeof(f));
	f.width = d->w;
	f.height = d->h;
	f.pixel_format = DRM_FORMAT_XRGB8888;
	f.handles[0] = d->handle;
	f.pitches[0] = d->pitch;
	switch (a[1] % 12) {
	case 1: f.pixel_format = DRM_FORMAT_ARGB8888; break;
	case 2: f.pixel_format = (uint32_t)v; break;
	case 3: f.pitches[0] = (uint32_t)(v % (d->pitch + 1)); break;
	case 4: f.offsets[0] = (uint32_t)v; break;
	case 5: f.width += 1 + (uint32_t)(v % 64); f.height += (uint32_t)(v >> 8) % 2; break;
	case 6:
		f.flags = DRM_MODE_FB_MODIFIERS;
		f.modifier[0] = v % 3 == 0 ? DRM_FORMAT_MOD_LINEAR :
				v % 3 == 1 ? DRM_FORMAT_MOD_INVALID : v;
		break;
	case 7: f.flags = (uint32_t)v | 4; break;
	case 8: f.handles[0] = (uint32_t)v; break;
	case 9:
		f.pixel_format = DRM_FORMAT_NV12;
		f.handles[1] = d->handle;
		f.pitches[1] = d->pitch;
		f.offsets[1] = d->pitch * (d->h / 2);
		break;
	case 10: f.width = (uint32_t)v % 2 ? 0 : f.width; f.height = (uint32_t)v % 2 ? f.height : 0; break;
	case 11: f.width = 8193; f.pitches[0] = 8193 * 4; break;
	}
	r = xioctl(t, fd, DRM_IOCTL_MODE_ADDFB2, &f);
	if (r)
		return r;
	if (d->fb)
		xioctl(t, fd, DRM_IOCTL_MODE_RMFB, &d->fb);
	d->fb = f.fb_id;
	/* Flips pick fbs by size: keep the fb's. */
	d->w = f.width;
	d->h = f.height;
	return f.fb_id;
}

static long do_rmfb(struct thr *t, const uint64_t *a)
{
	struct dumb *d = &t->dumbs[a[0] % NDUMB];
	int fd = dumb_fd(t, d);
	uint32_t id = d->fb;
	long r;

	switch (a[1] % 3) {
	case 1:
		id = (uint32_t)a[2];
		return xioctl(t, fd, DRM_IOCTL_MODE_RMFB, &id);
	case 2: {
		/* DRM_IOCTL_MODE_CLOSEFB (6.8): the fb goes, planes keep it. */
		struct { uint32_t fb_id, pad; } c = { .fb_id = d->fb };

		r = xioctl(t, fd, DRM_IOWR(0xD0, c), &c);
		break;
	}
	default:
		r = xioctl(t, fd, DRM_IOCTL_MODE_RMFB, &id);
		break;
	}
	if (!r)
		d->fb = 0;
	return r;
}

/* --- atomic commits ------------------------------------------------------ */

struct areq {
	uint32_t objs[16], counts[16], props[64];
	uint64_t vals[64];
	unsigned int nobj, nprop;
};

static void aput(struct areq *q, uint32_t obj, uint32_t prop, uint64_t val)
{
	if (!prop || q->nprop >= 64)
		return;
	if (!q->nobj || q->objs[q->nobj - 1] != obj) {
		if (q->nobj >= 16)
			return;
		q->objs[q->nobj] = obj;
		q->counts[q->nobj++] = 0;
	}
	q->counts[q->nobj - 1]++;
	q->props[q->nprop] = prop;
	q->vals[q->nprop++] = val;
}

static long acommit(struct thr *t, int fd, struct areq *q, uint32_t flags)
{
	struct drm_mode_atomic at = {
		.flags = flags,
		.count_objs = q->nobj,
		.objs_ptr = (uintptr_t)q->objs,
		.count_props_ptr = (uintptr_t)q->counts,
		.props_ptr = (uintptr_t)q->props,
		.prop_values_ptr = (uintptr_t)q->vals,
		.user_data = 0x5eed,
	};

	return xioctl(t, fd, DRM_IOCTL_MODE_ATOMIC, &at);
}

static long blob_create(struct thr *t, int fd, const void *data, size_t len, uint32_t *id)
{
	struct drm_mode_create_blob b = { .data = (uintptr_t)data, .length = (uint32_t)len };
	long r = xioctl(t, fd, DRM_IOCTL_MODE_CREATEPROPBLOB, &b);

	*id = r ? 0 : b.blob_id;
	return r;
}

static void blob_destroy(struct thr *t, int fd, uint32_t id)
{
	struct drm_mode_destroy_blob b = { .blob_id = id };

	if (id)
		xioctl(t, fd, DRM_IOCTL_MODE_DESTROYPROPBLOB, &b);
}

/* Mode @m: 0..3 one of the connector's current modes, then modes[]. */
static struct drm_mode_modeinfo pick_mode(struct thr *t, int fd, const struct output *o,
					  uint64_t m)
{
	m %= 4 + NMODES;
	if (m < 4) {
		struct drm_mode_modeinfo *list = (void *)t->buf;
		struct drm_mode_get_connector gc = {
			.connector_id = o->conn,
			.count_modes = 16,
			.modes_ptr = (uintptr_t)list,
		};

		if (!xioctl(t, fd, DRM_IOCTL_MODE_GETCONNECTOR, &gc) && m < gc.count_modes &&
		    m < 16)
			return list[m];
		return modes[m];
	}
	return modes[m - 4];
}

static uint64_t prop_value(struct thr *t, uint64_t *s)
{
	uint64_t v = splitmix(s);

	switch (v % 6) {
	case 0: return edges[(v >> 8) % NEDGES];
	case 1: return g.out[(v >> 8) % g.num_outputs].crtc;
	case 2: return g.out[(v >> 8) % g.num_outputs].conn;
	case 3: return t->dumbs[(v >> 8) % NDUMB].fb;
	case 4: return (v >> 8) % 64;
	default: return splitmix(s);
	}
}

static long do_atomic(struct thr *t, const uint64_t *a)
{
	int fd = card_fd(t, a[0]);
	unsigned int oi = (unsigned int)(a[1] % g.num_outputs), kind = a[2] % 10;
	const struct output *o = &g.out[oi];
	const struct dumb *d = &t->dumbs[a[3] % NDUMB];
	uint32_t fb = dumb_live(t, d) ? d->fb : 0;
	uint64_t f = a[4], val = a[5];
	uint32_t flags = 0, blob = 0;
	struct drm_mode_modeinfo mode;
	struct areq q;
	long r;

	memset(&q, 0, sizeof(q));
	if (f & 1)
		flags |= DRM_MODE_ATOMIC_NONBLOCK;
	if (f & 2)
		flags |= DRM_MODE_PAGE_FLIP_EVENT;
	if (f & 4)
		flags |= DRM_MODE_ATOMIC_TEST_ONLY;
	if (f & 16)
		flags |= 1u << (12 + ((f >> 5) & 7));
	if (f & 32)
		flags |= DRM_MODE_PAGE_FLIP_ASYNC;
	/* Mode sets, DPMS and disables need ALLOW_MODESET, unless bit 3. */
	if (kind != 1 && kind != 6 && kind != 7 && kind != 8 && !(f & 8))
		flags |= DRM_MODE_ATOMIC_ALLOW_MODESET;

	switch (kind) {
	case 0:
		mode = pick_mode(t, fd, o, val);
		r = blob_create(t, fd, &mode, sizeof(mode), &blob);
		if (r)
			return r;
		aput(&q, o->crtc, o->p_mode_id, blob);
		aput(&q, o->crtc, o->p_active, 1);
		aput(&q, o->conn, o->p_conn_crtc, o->crtc);
		aput(&q, o->plane, o->p_fb, fb);
		aput(&q, o->plane, o->p_crtc, o->crtc);
		aput(&q, o->plane, o->p_src_x, 0);
		aput(&q, o->plane, o->p_src_y, 0);
		aput(&q, o->plane, o->p_src_w, (uint64_t)mode.hdisplay << 16);
		aput(&q, o->plane, o->p_src_h, (uint64_t)mode.vdisplay << 16);
		aput(&q, o->plane, o->p_crtc_x, 0);
		aput(&q, o->plane, o->p_crtc_y, 0);
		aput(&q, o->plane, o->p_crtc_w, mode.hdisplay);
		aput(&q, o->plane, o->p_crtc_h, mode.vdisplay);
		break;
	case 1:
		aput(&q, o->plane, o->p_fb, fb);
		break;
	case 2:
	case 3:
		aput(&q, o->crtc, o->p_active, kind == 3);
		break;
	case 4:
		aput(&q, o->crtc, o->p_mode_id, 0);
		aput(&q, o->crtc, o->p_active, 0);
		aput(&q, o->conn, o->p_conn_crtc, 0);
		aput(&q, o->plane, o->p_fb, 0);
		aput(&q, o->plane, o->p_crtc, 0);
		break;
	case 5: {
		uint64_t s = val;
		unsigned int n = 1 + (unsigned int)(splitmix(&s) % 6), i;

		for (i = 0; i < n && g.nprops; i++) {
			const struct objprop *p = &g.props[splitmix(&s) % g.nprops];

			aput(&q, p->obj, p->prop, prop_value(t, &s));
		}
		break;
	}
	case 6: {
		/* Damage clips: inside, outside, inverted, many. */
		struct drm_mode_rect rects[8];
		uint64_t s = val;
		unsigned int n = (unsigned int)(splitmix(&s) % 9), i;

		for (i = 0; i < n; i++) {
			uint64_t v = splitmix(&s);

			switch (v % 4) {
			case 0:
				rects[i] = (struct drm_mode_rect){ 0, 0, (int32_t)d->w, (int32_t)d->h };
				break;
			case 1: {
				int32_t x = (int32_t)((v >> 8) % (d->w + 1)), y = (int32_t)((v >> 24) % (d->h + 1));

				rects[i] = (struct drm_mode_rect){ x, y, x + 16, y + 16 };
				break;
			}
			case 2:
				rects[i] = (struct drm_mode_rect){ 100, 100, 10, 10 };
				break;
			default:
				rects[i] = (struct drm_mode_rect){ (int32_t)(v >> 32), (int32_t)v,
								   INT32_MAX, INT32_MIN };
				break;
			}
		}
		if (n) {
			r = blob_create(t, fd, rects, n * sizeof(rects[0]), &blob);
			if (r)
				return r;
		}
		aput(&q, o->plane, o->p_fb, fb);
		aput(&q, o->plane, o->p_damage, blob);
		break;
	}
	case 7:
		t->fence = -1;
		aput(&q, o->crtc, o->p_out_fence,
		     val ? (uintptr_t)badptr(t, val - 1) : (uintptr_t)&t->fence);
		aput(&q, o->plane, o->p_fb, fb);
		break;
	case 8: {
		int in = val & 0x100 ? (int)(int32_t)(val >> 9) : t->x[val % NXFD].fd;

		/*
		 * A fence on a plane without an fb trips a WARN_ON in the DRM
		 * core (drm_atomic_helper_wait_for_fences(), any driver): only
		 * with an fb here, so that the run stays about wfd.
		 */
		if (fb)
			aput(&q, o->plane, o->p_in_fence, (uint64_t)(int64_t)in);
		aput(&q, o->plane, o->p_fb, fb);
		break;
	}
	default: {
		/* A broken request: counts, pointers, reserved. */
		struct drm_mode_atomic at;
		uint64_t s = val;

		aput(&q, o->crtc, o->p_active, 1);
		aput(&q, o->plane, o->p_fb, fb);
		at = (struct drm_mode_atomic){
			.flags = flags,
			.count_objs = q.nobj,
			.objs_ptr = (uintptr_t)q.objs,
			.count_props_ptr = (uintptr_t)q.counts,
			.props_ptr = (uintptr_t)q.props,
			.prop_values_ptr = (uintptr_t)q.vals,
		};
		switch (splitmix(&s) % 6) {
		case 0: at.count_objs = (uint32_t)edges[splitmix(&s) % NEDGES]; break;
		case 1: at.objs_ptr = (uintptr_t)badptr(t, splitmix(&s)); break;
		case 2: at.count_props_ptr = (uintptr_t)badptr(t, splitmix(&s)); break;
		case 3: at.prop_values_ptr = (uintptr_t)badptr(t, splitmix(&s)); break;
		case 4: at.reserved = splitmix(&s) | 1; break;
		default: q.counts[0] = (uint32_t)edges[splitmix(&s) % NEDGES]; break;
		}
		return xioctl(t, fd, DRM_IOCTL_MODE_ATOMIC, &at);
	}
	}

	r = acommit(t, fd, &q, flags);
	blob_destroy(t, fd, blob);
	if (r != -EBADF)
		set_master(t, a[0], r == -EACCES ? -1 : 1);
	if (kind == 7 && !val) {
		if (!r && !(flags & DRM_MODE_ATOMIC_TEST_ONLY) && t->fence >= 0)
			xfd_add(t, t->fence, X_FENCE, 0, 0, 0);
		else if (r && t->fence >= 0)
			violation(t, "a failed commit (%ld) wrote out-fence fd %d", r, t->fence);
	}
	if (!r && kind == 0 && !(flags & DRM_MODE_ATOMIC_TEST_ONLY)) {
		t->mode_w[oi] = mode.hdisplay;
		t->mode_h[oi] = mode.vdisplay;
	}
	return r;
}

/* --- PRIME, vgem, other fds --------------------------------------------- */

static long do_prime_export(struct thr *t, const uint64_t *a)
{
	const struct dumb *d = &t->dumbs[a[0] % NDUMB];
	struct drm_prime_handle p = { .handle = d->handle, .flags = (uint32_t)a[1], .fd = -1 };
	long r = xioctl(t, dumb_fd(t, d), DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);

	if (r)
		return r;
	xfd_add(t, p.fd, X_DMABUF, d->w, d->h, 0);
	return p.fd;
}

static long do_prime_import(struct thr *t, const uint64_t *a)
{
	unsigned int card = a[0] % NCARD;
	const struct xfd *x = &t->x[a[1] % NXFD];
	struct dumb *d = &t->dumbs[a[2] % NDUMB];
	struct drm_prime_handle p = { .fd = x->fd };
	uint32_t w = x->w, h = x->h;
	off_t size;
	long r;

	switch (a[3] % 4) {
	case 1: p.fd = t->claims[a[4] % NCLAIM].fd; break;
	case 2: p.fd = t->cards[a[4] % NCARD].fd; break;
	case 3: p.fd = (int32_t)a[4]; p.flags = (uint32_t)(a[4] >> 32); break;
	}
	dumb_release(t, d);
	r = xioctl(t, t->cards[card].fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);
	if (r)
		return r;
	size = lseek(p.fd, 0, SEEK_END);
	if (!w || !h || size < 0 || (uint64_t)w * h * 4 > (uint64_t)size) {
		w = 64;
		h = size >= 64 * 4 ? (uint32_t)(size / (64 * 4)) : 1;
		if (h > 8192)
			h = 8192;
	}
	d->card = (int)card;
	d->gen = t->cards[card].gen;
	d->handle = p.handle;
	d->w = w;
	d->h = h;
	d->pitch = w * 4;
	d->size = size > 0 ? (uint64_t)size : 0;
	return p.handle;
}

static long do_vgem(struct thr *t, const uint64_t *a)
{
	if (t->vgem < 0)
		return -ENODEV;
	switch (a[0] % 3) {
	case 0: {
		struct drm_mode_create_dumb c = { .width = dims[a[1] % NDIMS_MODES].w,
						  .height = dims[a[1] % NDIMS_MODES].h,
						  .bpp = 32 };
		struct drm_prime_handle p = { .flags = DRM_CLOEXEC | DRM_RDWR, .fd = -1 };
		long r = xioctl(t, t->vgem, DRM_IOCTL_MODE_CREATE_DUMB, &c);

		if (r)
			return r;
		vgem_add(t, c.handle);
		p.handle = c.handle;
		r = xioctl(t, t->vgem, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);
		if (r)
			return r;
		xfd_add(t, p.fd, X_VGEM, c.width, c.height, 0);
		return p.fd;
	}
	case 1: {
		const struct xfd *x = &t->x[a[2] % NXFD];
		struct drm_prime_handle p = { .fd = x->fd };
		off_t size = x->fd >= 0 ? lseek(x->fd, 0, SEEK_END) : -1;
		long r;

		/* vgem pins what it imports: nothing huge. */
		if (size > 0 && (uint64_t)size > VGEM_IMPORT_MAX)
			return -EFBIG;
		r = xioctl(t, t->vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);
		if (r)
			return r;
		vgem_add(t, p.handle);
		return p.handle;
	}
	default: {
		uint32_t *h = &t->vh[t->vnext % NVGEM];
		struct drm_gem_close c = { .handle = *h };
		long r = xioctl(t, t->vgem, DRM_IOCTL_GEM_CLOSE, &c);

		*h = 0;
		return r;
	}
	}
}

static long do_xfd(struct thr *t, const uint64_t *a)
{
	struct xfd *x = &t->x[a[0] % NXFD];
	uint64_t v = a[2];
	long r;

	switch (a[1] % 10) {
	case 0:
		if (x->fd < 0)
			return -EBADF;
		xfd_close(x);
		return 0;
	case 1: {
		off_t size = lseek(x->fd, 0, SEEK_END);
		size_t len;
		void *p;

		if (size < 0)
			return -errno;
		len = v & 1 ? (size_t)size + PAGE : (size_t)size;
		if (!len)
			return -EINVAL;
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, x->fd, 0);
		if (p == MAP_FAILED)
			return -errno;
		if (len == (size_t)size)
			r = ((volatile uint8_t *)p)[0];
		else
			r = 0;
		munmap(p, len);
		return r;
	}
	case 2: {
		static const uint64_t fl[] = {
			DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ,
			DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW,
			DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE,
		};
		struct dma_buf_sync s = { .flags = fl[v % 6] };

		return xioctl(t, x->fd, DMA_BUF_IOCTL_SYNC, &s);
	}
	case 3: {
		struct dma_buf_sync s = { .flags = v };

		r = xioctl(t, x->fd, DMA_BUF_IOCTL_SYNC, &s);
		if (x->fd >= 0 && x->kind != X_FENCE && (v & ~DMA_BUF_SYNC_VALID_FLAGS_MASK) &&
		    r != -EINVAL)
			violation(t, "DMA_BUF_IOCTL_SYNC flags %#" PRIx64 ": %ld, want EINVAL", v, r);
		return r;
	}
	case 4: {
		/* 'b' ioctls with junk, not EXPORT_SYNC_FILE: it makes fds. */
		uint32_t nr = (uint32_t)(v & 0xff), size = (uint32_t)(v >> 8) & 0xff;

		if (nr == 2)
			nr = 0x42;
		junk(t->buf, 256, v);
		return xioctl(t, x->fd, _IOC((unsigned int)(v >> 16) & 3, DMA_BUF_BASE, nr, size),
			      t->buf);
	}
	case 5: {
		char *name = (char *)t->buf;
		size_t len = v % 64;

		memset(name, 'n', len);
		name[len] = 0;
		return xioctl(t, x->fd, DMA_BUF_SET_NAME_B,
			      v & 0x100 ? badptr(t, v >> 9) : (void *)name);
	}
	case 6: {
		struct dma_buf_export_sync_file e = { .flags = (uint32_t)(v % 5), .fd = -1 };

		r = xioctl(t, x->fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &e);
		if (!r && e.fd >= 0) {
			xfd_add(t, e.fd, X_FENCE, 0, 0, 0);
			return e.fd;
		}
		return r;
	}
	case 7: {
		struct dma_buf_import_sync_file i = {
			.flags = (uint32_t)(v % 5),
			.fd = t->x[(v >> 8) % NXFD].fd,
		};

		return xioctl(t, x->fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &i);
	}
	case 8: {
		struct pollfd p = { .fd = x->fd, .events = POLLIN | POLLOUT };

		r = poll(&p, 1, 0);
		return r < 0 ? -errno : p.revents;
	}
	default: {
		int fd;

		if (x->fd < 0)
			return -EBADF;
		fd = fcntl(x->fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		xfd_add(t, fd, x->kind, x->w, x->h, x->buffer_id);
		return fd;
	}
	}
}

/* --- claim fd operations ------------------------------------------------- */

/* A session id that is not the live one, whatever it is. */
static uint64_t wrong_sid(uint64_t sid, uint64_t v)
{
	switch (v % 3) {
	case 0: return 0;
	case 1: return sid + (1ull << 40);
	default: return UINT64_MAX;
	}
}

static long do_connect(struct thr *t, const uint64_t *a)
{
	struct claim *c = &t->claims[a[0] % NCLAIM];
	unsigned int how = a[1] % 11;
	uint64_t pos = a[2], v = a[3], lim = a[4];
	struct drm_wfd_connect args;
	void *p = &args;
	uint8_t *e = t->edid;
	uint32_t size = 128;
	long r;

	memset(&args, 0, sizeof(args));
	edid_base(e, 0);
	switch (how) {
	case 1:
		edid_base(e, 1);
		edid_cea(e + 128);
		size = 256;
		break;
	case 2:
		/* One byte changed, the checksums fixed or not. */
		if (v & 0x100) {
			edid_base(e, 1);
			edid_cea(e + 128);
			size = 256;
		}
		e[pos % size] = (uint8_t)v;
		if (v & 0x200) {
			edid_fix(e);
			if (size > 128)
				edid_fix(e + 128);
		}
		break;
	case 3: {
		unsigned int n = 1 + (unsigned int)(pos % 255), i;
		uint64_t s = v;

		edid_base(e, n);
		for (i = 1; i <= n; i++)
			edid_junk_ext(e + 128 * i, splitmix(&s));
		size = 128 * (n + 1);
		break;
	}
	case 4:
		size = (uint32_t)pos;
		break;
	case 5:
		args.edid_ptr = (uintptr_t)badptr(t, v);
		break;
	case 6:
		if (v & 1)
			args.flags = (uint32_t)(v >> 1) | 1;
		else
			args.reserved[(v >> 1) & 1] = (v >> 2) | 1;
		break;
	case 7:
		args.max_width = (uint32_t)(lim & 0xffff);
		args.max_height = (uint32_t)((lim >> 16) & 0xffff);
		args.max_pixel_rate = v % 2 ? v >> 1 : (v >> 1) % 200000000;
		break;
	case 9:
		e[pos % 8] ^= (uint8_t)(v | 1);
		break;
	case 10:
		/* The EDID runs into the guard page. */
		memcpy(t->page + PAGE - 64, e, 64);
		args.edid_ptr = (uintptr_t)(t->page + PAGE - 64);
		break;
	}
	if (!args.edid_ptr && how != 5)
		args.edid_ptr = (uintptr_t)e;
	args.edid_size = size;
	if (how == 8)
		p = ro_put(t, &args, sizeof(args));

	r = xioctl(t, c->fd, WFD_IOCTL_CONNECT, p);
	if (!r) {
		/* An EDID on the read-only page (how 5) is readable, and may be good. */
		if (p != &args || (how == 5 && bad_always(v)) || how == 6 || how == 9 || how == 10 ||
		    (how == 4 && size != 128))
			violation(t, "CONNECT (how %u, size %u) succeeded", how, size);
		if (!args.session_id || args.session_id <= t->last_sid)
			violation(t, "CONNECT: session %" PRIu64 " after %" PRIu64,
				  (uint64_t)args.session_id, t->last_sid);
		t->last_sid = args.session_id;
		c->sid = args.session_id;
		c->last_seq = 0;
		c->held = false;
		return 0;
	}
	if (c->fd < 0)
		return r;
	if (how == 6 && r != -EINVAL)
		violation(t, "CONNECT with nonzero flags/reserved: %ld, want EINVAL", r);
	if (how == 4 && size != 128 && r != -EINVAL && r != -EBUSY)
		violation(t, "CONNECT with edid_size %u: %ld, want EINVAL", size, r);
	if ((how == 10 || (how == 5 && bad_always(v))) && r != -EFAULT && r != -EBUSY)
		violation(t, "CONNECT with a bad EDID pointer: %ld, want EFAULT", r);
	if (how == 9 && r != -EINVAL && r != -EBUSY)
		violation(t, "CONNECT with a bad EDID header: %ld, want EINVAL", r);
	/* A read-only struct: the session began and ended; ours is none. */
	if (how == 8 && r == -EFAULT)
		c->sid = 0;
	return r;
}

static long do_acquire(struct thr *t, const uint64_t *a)
{
	struct claim *c = &t->claims[a[0] % NCLAIM];
	unsigned int how = a[1] % 7;
	uint64_t v = a[2];
	struct drm_wfd_frame_acquire f;
	void *p = &f;
	long r;

	memset(&f, 0, sizeof(f));
	f.session_id = c->sid;
	f.dmabuf_fd = -1;
	switch (how) {
	case 1: f.session_id = wrong_sid(c->sid, v); break;
	case 2: f.flags = (uint32_t)v | 1; break;
	case 3: f.reserved[v & 1] = (v >> 1) | 1; break;
	case 4: p = badptr(t, v); break;
	case 5: p = ro_put(t, &f, sizeof(f)); break;
	case 6:
		/* Output fields hold junk on input: ignored. */
		junk(&f.dmabuf_fd, offsetof(struct drm_wfd_frame_acquire, reserved) -
		     offsetof(struct drm_wfd_frame_acquire, dmabuf_fd), v);
		break;
	}
	r = xioctl(t, c->fd, WFD_IOCTL_FRAME_ACQUIRE, p);
	if (!r) {
		if (p != &f) {
			violation(t, "ACQUIRE (how %u) succeeded", how);
			return r;
		}
		if (how == 1 || how == 2 || how == 3)
			violation(t, "ACQUIRE (how %u) succeeded", how);
		if (f.flags & ~WFD_FRAME_NEW_BUFFER)
			violation(t, "ACQUIRE: flags %#x", f.flags);
		if (f.flags & WFD_FRAME_NEW_BUFFER) {
			if (f.dmabuf_fd < 0)
				violation(t, "ACQUIRE: NEW_BUFFER with fd %d", f.dmabuf_fd);
			else
				xfd_add(t, f.dmabuf_fd, X_DMABUF, f.width, f.height, f.buffer_id);
		} else if (f.dmabuf_fd != -1) {
			violation(t, "ACQUIRE: fd %d without NEW_BUFFER", f.dmabuf_fd);
		}
		if (f.sequence <= c->last_seq || f.session_id != c->sid || !f.buffer_id ||
		    !f.num_planes || f.num_planes > 4)
			violation(t, "ACQUIRE: session %" PRIu64 " (ours %" PRIu64 ") sequence %" PRIu64
				  " after %" PRIu64 ", buffer %" PRIu64 ", %u planes",
				  (uint64_t)f.session_id, c->sid, (uint64_t)f.sequence, c->last_seq,
				  (uint64_t)f.buffer_id, f.num_planes);
		c->last_seq = f.sequence;
		c->held_seq = f.sequence;
		c->held = true;
		return 0;
	}
	if (c->fd < 0)
		return r;
	if (how == 1 && r != -ENOENT)
		violation(t, "ACQUIRE with a wrong session: %ld, want ENOENT", r);
	if ((how == 2 || how == 3) && r != -EINVAL)
		violation(t, "ACQUIRE with nonzero flags/reserved: %ld, want EINVAL", r);
	if (how == 4 && bad_always(v) && r != -EFAULT)
		violation(t, "ACQUIRE with a bad pointer: %ld, want EFAULT", r);
	if (r == -EBUSY)
		c->held = true;
	return r;
}

static long do_release(struct thr *t, const uint64_t *a)
{
	struct claim *c = &t->claims[a[0] % NCLAIM];
	unsigned int how = a[1] % 7;
	uint64_t v = a[2];
	struct drm_wfd_frame_release rel = {
		.session_id = c->sid,
		.sequence = c->held ? c->held_seq : c->last_seq,
	};
	void *p = &rel;
	long r;

	switch (how) {
	case 1: rel.sequence = c->last_seq + v % 4 - 1; break;
	case 2: rel.sequence = v; break;
	case 3: rel.session_id = wrong_sid(c->sid, v); break;
	case 4:
		if (v & 1)
			rel.flags = (uint32_t)(v >> 1) | 1;
		else
			rel.pad = (uint32_t)(v >> 1) | 1;
		break;
	case 5: rel.reserved[v & 1] = (v >> 1) | 1; break;
	case 6: p = badptr(t, v); break;
	}
	r = xioctl(t, c->fd, WFD_IOCTL_FRAME_RELEASE, p);
	if (!r || r == -ETIMEDOUT)
		c->held = false;
	if (c->fd < 0)
		return r;
	if ((how == 3 && r != -ENOENT) || ((how == 4 || how == 5) && r != -EINVAL) ||
	    (how == 6 && bad_always(v) && r != -EFAULT))
		violation(t, "RELEASE (how %u): %ld", how, r);
	return r;
}

static long do_status(struct thr *t, const uint64_t *a)
{
	struct claim *c = &t->claims[a[0] % NCLAIM];
	unsigned int how = a[1] % 7;
	struct drm_wfd_report_status s = {
		.session_id = c->sid,
		.status = (uint32_t)a[2] % (WFD_STATUS_MAX + 1),
		.diag = (int32_t)a[3],
	};
	void *p = &s;
	long r;

	switch (how) {
	case 1: s.status = (uint32_t)a[2] > WFD_STATUS_MAX ? (uint32_t)a[2] : WFD_STATUS_MAX + 1; break;
	case 2: s.session_id = wrong_sid(c->sid, a[3]); break;
	case 3: s.flags = (uint32_t)a[3] | 1; break;
	case 4: s.pad = (uint32_t)a[3] | 1; break;
	case 5: s.reserved[a[3] & 1] = a[3] | 1; break;
	case 6: p = badptr(t, a[3]); break;
	}
	r = xioctl(t, c->fd, WFD_IOCTL_REPORT_STATUS, p);
	if (!r) {
		/* The read-only page is readable: what it holds may be a good report. */
		if (how && !(how == 6 && !bad_always(a[3])))
			violation(t, "REPORT_STATUS (how %u) succeeded", how);
		c->sid = 0;
		c->held = false;
		return 0;
	}
	if (c->fd < 0)
		return r;
	if ((how == 2 && r != -ENOENT) || ((how == 1 || how == 3 || how == 4 || how == 5) &&
					   r != -EINVAL) ||
	    (how == 6 && bad_always(a[3]) && r != -EFAULT))
		violation(t, "REPORT_STATUS (how %u): %ld", how, r);
	return r;
}

static long do_stats(struct thr *t, const uint64_t *a)
{
	struct claim *c = &t->claims[a[0] % NCLAIM];
	unsigned int how = a[1] % 6;
	struct drm_wfd_report_stats s;
	uint64_t v = a[2], seed = a[2];
	void *p = &s;
	long r;

	memset(&s, 0, sizeof(s));
	if (v & 1) {
		s.frames_encoded = edges[splitmix(&seed) % NEDGES];
		s.frames_dropped = edges[splitmix(&seed) % NEDGES];
		s.bytes_sent = edges[splitmix(&seed) % NEDGES];
		s.fps_milli = (uint32_t)edges[splitmix(&seed) % NEDGES];
		s.bitrate_kbps = (uint32_t)edges[splitmix(&seed) % NEDGES];
		s.encode_us = (uint32_t)edges[splitmix(&seed) % NEDGES];
		s.latency_us = (uint32_t)edges[splitmix(&seed) % NEDGES];
	} else {
		s.frames_encoded = v >> 40;
		s.frames_dropped = v >> 56;
		s.bytes_sent = v >> 20;
		s.fps_milli = (uint32_t)(v % 120000);
		s.bitrate_kbps = (uint32_t)(v % 50000);
		s.encode_us = (uint32_t)(v % 33000);
		s.latency_us = (uint32_t)(v % 100000);
	}
	s.session_id = c->sid;
	switch (how) {
	case 1: s.session_id = wrong_sid(c->sid, v); break;
	case 2: s.flags = (uint32_t)v | 1; break;
	case 3: s.pad = (uint32_t)v | 1; break;
	case 4: s.reserved[v & 1] = v | 1; break;
	case 5: p = badptr(t, v >> 1); break;
	}
	r = xioctl(t, c->fd, WFD_IOCTL_REPORT_STATS, p);
	if (c->fd < 0)
		return r;
	if ((how == 1 && r != -ENOENT) || ((how >= 2 && how <= 4) && r != -EINVAL) ||
	    (how == 5 && bad_always(v >> 1) && r != -EFAULT))
		violation(t, "REPORT_STATS (how %u): %ld", how, r);
	return r;
}

static long do_disconnect(struct thr *t, const uint64_t *a)
{
	struct claim *c = &t->claims[a[0] % NCLAIM];
	unsigned int how = a[1] % 6;
	struct drm_wfd_disconnect dc = { .session_id = c->sid };
	uint64_t v = a[2];
	void *p = &dc;
	long r;

	switch (how) {
	case 1: dc.session_id = wrong_sid(c->sid, v); break;
	case 2: dc.flags = (uint32_t)v | 1; break;
	case 3: dc.pad = (uint32_t)v | 1; break;
	case 4: dc.reserved[v & 1] = v | 1; break;
	case 5: p = badptr(t, v); break;
	}
	r = xioctl(t, c->fd, WFD_IOCTL_DISCONNECT, p);
	if (!r) {
		/* The read-only page is readable: what it holds may be a good request. */
		if (how && !(how == 5 && !bad_always(v)))
			violation(t, "DISCONNECT (how %u) succeeded", how);
		c->sid = 0;
		c->held = false;
		return 0;
	}
	if (c->fd < 0)
		return r;
	if ((how == 1 && r != -ENOENT) || ((how >= 2 && how <= 4) && r != -EINVAL) ||
	    (how == 5 && bad_always(v) && r != -EFAULT))
		violation(t, "DISCONNECT (how %u): %ld", how, r);
	return r;
}

static bool wfd_cmd(unsigned long cmd)
{
	return cmd == WFD_IOCTL_CONNECT || cmd == WFD_IOCTL_FRAME_ACQUIRE ||
	       cmd == WFD_IOCTL_FRAME_RELEASE || cmd == WFD_IOCTL_REPORT_STATUS ||
	       cmd == WFD_IOCTL_REPORT_STATS || cmd == WFD_IOCTL_DISCONNECT;
}

static long do_claim_junk(struct thr *t, const uint64_t *a)
{
	static const unsigned int types[] = { WFD_IOCTL_BASE, DRM_IOCTL_BASE, DMA_BUF_BASE };
	const struct claim *c = &t->claims[a[0] % NCLAIM];
	unsigned int type = a[1] % 4 < 3 ? types[a[1] % 4] : (unsigned int)(a[5] >> 56);
	unsigned long cmd = _IOC((unsigned int)a[3] & 3, type, (unsigned int)a[2] & 0xff,
				 (unsigned int)a[4] & 0x3fff);
	long r;

	/* Not FIFREEZE and friends ('X'): they act on the file system. */
	if (type == 'X')
		cmd = _IOC((unsigned int)a[3] & 3, 'Y', (unsigned int)a[2] & 0xff,
			   (unsigned int)a[4] & 0x3fff);
	/* The real calls with junk are the other operations' business. */
	if (wfd_cmd(cmd))
		cmd ^= _IOC(0, 0, 0x40, 0);
	junk(t->buf, (size_t)(a[4] & 0x3fff), a[5]);
	r = xioctl(t, c->fd, cmd, t->buf);
	if (c->fd >= 0 && a[1] % 4 < 3 && r != -ENOTTY)
		violation(t, "claim fd ioctl %#lx: %ld, want ENOTTY", cmd, r);
	return r;
}

static size_t event_size(uint32_t type)
{
	switch (type) {
	case DRM_WFD_EVENT_FRAME_READY: return sizeof(struct drm_wfd_event_frame);
	case DRM_WFD_EVENT_MODE_SET: return sizeof(struct drm_wfd_event_mode);
	case DRM_WFD_EVENT_DPMS: return sizeof(struct drm_wfd_event_dpms);
	case DRM_WFD_EVENT_BUFFER_GONE: return sizeof(struct drm_wfd_event_buffer_gone);
	default: return 0;
	}
}

/* Whole events of the session; BUFFER_GONE closes the buffer's fd. */
static void check_claim_events(struct thr *t, struct claim *c, const uint8_t *b, size_t n)
{
	size_t off = 0;

	while (off < n) {
		struct drm_event e;
		uint64_t sid;
		uint32_t output;

		if (n - off < sizeof(e) + 12) {
			violation(t, "claim read: %zu trailing bytes", n - off);
			return;
		}
		memcpy(&e, b + off, sizeof(e));
		if (!event_size(e.type) || e.length != event_size(e.type) || e.length > n - off) {
			violation(t, "claim read: event type %#x length %u at %zu of %zu",
				  e.type, e.length, off, n);
			return;
		}
		memcpy(&sid, b + off + 8, sizeof(sid));
		memcpy(&output, b + off + 16, sizeof(output));
		if (!sid || !output || output > g.num_outputs ||
		    (c->output && output != c->output))
			violation(t, "claim read: event %#x of session %" PRIu64 " output %u (ours %u)",
				  e.type, sid, output, c->output);
		if (e.type == DRM_WFD_EVENT_BUFFER_GONE) {
			struct drm_wfd_event_buffer_gone gone;
			int i;

			memcpy(&gone, b + off, sizeof(gone));
			for (i = 0; i < NXFD; i++)
				if (t->x[i].fd >= 0 && t->x[i].buffer_id == gone.buffer_id &&
				    t->x[i].kind == X_DMABUF)
					xfd_close(&t->x[i]);
		}
		off += e.length;
	}
}

static void set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return;
	fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

static long do_claim_read(struct thr *t, const uint64_t *a)
{
	struct claim *c = &t->claims[a[0] % NCLAIM];
	size_t size = a[1] > ARENA ? ARENA : (size_t)a[1];
	bool nb = a[2] & 1;
	unsigned int how = a[3] % 4;
	void *buf = how == 0 ? (void *)t->buf : how == 1 ? NULL :
		    how == 2 ? (void *)(t->page + PAGE - 16) : (void *)t->ro;
	ssize_t n;

	set_nonblock(c->fd, nb);
	/* Blocking reads wait for a session's events: cut them short. */
	arm(t, 20);
	n = read(c->fd, buf, size);
	disarm(t);
	if (n < 0)
		return -errno;
	if (n == 0 && size)
		violation(t, "claim read of %zu returned 0", size);
	if ((size_t)n > size)
		violation(t, "claim read of %zu returned %zd", size, n);
	else if (how == 0)
		check_claim_events(t, c, t->buf, (size_t)n);
	else if (n > 0)
		violation(t, "claim read into a bad buffer (how %u) returned %zd", how, n);
	return n;
}

static long do_claim_poll(struct thr *t, const uint64_t *a)
{
	const struct claim *c = &t->claims[a[0] % NCLAIM];
	struct pollfd p = { .fd = c->fd, .events = (short)a[2] };
	int r;

	r = poll(&p, 1, (int)(a[1] % 21));
	if (r < 0)
		return -errno;
	if (r && (p.revents & POLLNVAL) && c->fd >= 0)
		violation(t, "poll of a claim fd: POLLNVAL");
	return r ? p.revents : 0;
}

static long do_claim_close(struct thr *t, const uint64_t *a)
{
	struct claim *c = &t->claims[a[0] % NCLAIM];
	int r;

	if (c->fd < 0)
		return -EBADF;
	r = close(c->fd);
	c->fd = -1;
	claim_close(c);
	return r ? -errno : 0;
}

static long do_claim_dup(struct thr *t, const uint64_t *a)
{
	unsigned int from = a[0] % NCLAIM, to = a[1] % NCLAIM;
	struct claim src = t->claims[from];
	int fd;

	if (from == to || src.fd < 0)
		return -EBADF;
	switch (a[2] % 3) {
	case 0: fd = dup(src.fd); break;
	case 1: fd = fcntl(src.fd, F_DUPFD_CLOEXEC, 0); break;
	default: fd = fcntl(src.fd, F_DUPFD, 700 + t->idx * 8 + (int)to); break;
	}
	if (fd < 0)
		return -errno;
	claim_close(&t->claims[to]);
	t->claims[to] = src;
	t->claims[to].fd = fd;
	return fd;
}

/* --- processes ------------------------------------------------------------ */

static void run_op(struct thr *t, const struct op *op);

/* A forked child's operations: its own stream, or the trace's. */
static void child_ops(struct thr *t, uint64_t seed, unsigned int n, const struct oplist *kids)
{
	unsigned int k;

	t->child = true;
	t->rng = seed;
	if (kids) {
		for (k = 0; k < kids->n; k++) {
			t->sub = (unsigned int)(k + 1);
			run_op(t, &kids->v[k]);
		}
		return;
	}
	for (k = 1; k <= n; k++) {
		struct op op;

		gen_op(t, &op);
		t->sub = k;
		run_op(t, &op);
	}
}

/* Wait for a child; one that does not end in 20 s is a finding. */
static long reap(struct thr *t, pid_t pid)
{
	uint64_t end = now_ns() + 20000000000ull;
	int status;
	pid_t r;

	while ((r = waitpid(pid, &status, WNOHANG)) == 0 && now_ns() < end)
		usleep(1000);
	if (r == 0) {
		violation(t, "child %d stuck for 20 s: killed", pid);
		kill(pid, SIGKILL);
		r = waitpid(pid, &status, 0);
	}
	if (r < 0)
		return -errno;
	if (WIFSIGNALED(status)) {
		violation(t, "child %d killed by signal %d", pid, WTERMSIG(status));
		return -EINTR;
	}
	return WEXITSTATUS(status);
}

static long do_fork(struct thr *t, const struct op *op)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		child_ops(t, op->a[0], 1 + (unsigned int)(op->a[1] % NCHILD_OPS), op->kids);
		_exit(0);
	}
	return reap(t, pid);
}

static long do_scm(struct thr *t, const struct op *op)
{
	unsigned int slot = op->a[0] % NCLAIM;
	struct claim *c = &t->claims[slot];
	int sv[2];
	pid_t pid;
	long r;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0) {
		char cbuf[CMSG_SPACE(sizeof(int))], b;
		struct iovec iov = { .iov_base = &b, .iov_len = 1 };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm;
		int fd = -1;

		close(sv[0]);
		if (recvmsg(sv[1], &msg, MSG_CMSG_CLOEXEC) != 1)
			_exit(3);
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
				memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
		if (fd < 0)
			_exit(4);
		/* The fd that came over the socket replaces the inherited one. */
		if (c->fd >= 0)
			close(c->fd);
		c->fd = fd;
		t->scm_slot = (int)slot;
		child_ops(t, op->a[1], 1 + (unsigned int)(op->a[2] % NCHILD_OPS), op->kids);
		_exit(0);
	}
	close(sv[1]);
	if (c->fd >= 0) {
		char cbuf[CMSG_SPACE(sizeof(int))], b = 'c';
		struct iovec iov = { .iov_base = &b, .iov_len = 1 };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm;

		memset(cbuf, 0, sizeof(cbuf));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &c->fd, sizeof(int));
		if (sendmsg(sv[0], &msg, MSG_NOSIGNAL) != 1)
			violation(t, "sendmsg of a claim fd: %s", strerror(errno));
		/* Given away: the child holds the claim, and ends it. */
		if (op->a[3] & 1)
			claim_close(c);
	}
	close(sv[0]);
	r = reap(t, pid);
	return r;
}

static long do_delmod(struct thr *t)
{
	long r = syscall(SYS_delete_module, "wfd", O_NONBLOCK);

	if (!r) {
		atomic_fetch_add(&g.sh->unloads, 1);
		violation(t, "delete_module(wfd) succeeded while the fuzzer holds its fds");
		atomic_store(&g.stop, true);
		return 0;
	}
	r = -errno;
	if (g.nocaps ? r != -EPERM : (r != -EAGAIN && r != -EBUSY))
		violation(t, "delete_module(wfd): %ld", r);
	return r;
}

/* --- running one operation ----------------------------------------------- */

static long exec_op(struct thr *t, const struct op *op)
{
	const uint64_t *a = op->a;

	switch (op->type) {
	case OP_CARD_OPEN: return do_card_open(t, a);
	case OP_CARD_CLOSE:
		if (t->cards[a[0] % NCARD].fd < 0)
			return -EBADF;
		card_close(t, a[0] % NCARD);
		return 0;
	case OP_CARD_DUP: return do_card_dup(t, a);
	case OP_GET_INFO: return do_get_info(t, a);
	case OP_CLAIM: return do_claim(t, a);
	case OP_BROKER_CLAIM: return do_broker_claim(t, a);
	case OP_LEGACY: return do_legacy(t, a);
	case OP_MASTER: return do_master(t, a);
	case OP_GETCONN: return do_getconn(t, a);
	case OP_FORCE: return do_force(t, a);
	case OP_CARD_READ: return do_card_read(t, a);
	case OP_DUMB_CREATE: return do_dumb_create(t, a);
	case OP_DUMB_MAP: return do_dumb_map(t, a);
	case OP_DUMB_DESTROY: return do_dumb_destroy(t, a);
	case OP_ADDFB: return do_addfb(t, a);
	case OP_RMFB: return do_rmfb(t, a);
	case OP_ATOMIC: return do_atomic(t, a);
	case OP_PRIME_EXPORT: return do_prime_export(t, a);
	case OP_PRIME_IMPORT: return do_prime_import(t, a);
	case OP_VGEM: return do_vgem(t, a);
	case OP_XFD: return do_xfd(t, a);
	case OP_CONNECT: return do_connect(t, a);
	case OP_ACQUIRE: return do_acquire(t, a);
	case OP_RELEASE: return do_release(t, a);
	case OP_STATUS: return do_status(t, a);
	case OP_STATS: return do_stats(t, a);
	case OP_DISCONNECT: return do_disconnect(t, a);
	case OP_CLAIM_JUNK: return do_claim_junk(t, a);
	case OP_CLAIM_READ: return do_claim_read(t, a);
	case OP_CLAIM_POLL: return do_claim_poll(t, a);
	case OP_CLAIM_CLOSE: return do_claim_close(t, a);
	case OP_CLAIM_DUP: return do_claim_dup(t, a);
	case OP_FORK: return do_fork(t, op);
	case OP_SCM: return do_scm(t, op);
	case OP_DELMOD: return do_delmod(t);
	default: return -ENOSYS;
	}
}

static void run_op(struct thr *t, const struct op *op)
{
	char line[640];
	size_t len = fmt_line(t, op, line, sizeof(line));
	uint64_t off = trace_put(line, len), start, ns;
	long r;

	if (!t->child) {
		pthread_mutex_lock(&t->inflight_lock);
		snprintf(t->inflight, sizeof(t->inflight), "%.*s", (int)(len - RES_W - 2), line);
		pthread_mutex_unlock(&t->inflight_lock);
	}
	start = now_ns();
	r = exec_op(t, op);
	ns = now_ns() - start;
	trace_result(off, len, r, ns);
	if (ns > SLOW_NS) {
		atomic_fetch_add(&g.sh->slow, 1);
		say("# slow: %.*s took %.1f s", (int)(len - RES_W - 2), line, (double)ns / 1e9);
	}
	if (t->child)
		return;
	t->st.n[op->type]++;
	if (r >= 0)
		t->st.ok[op->type]++;
	else if (-r < ERRNO_MAX)
		t->st.err[-r]++;
}

/* --- threads --------------------------------------------------------------- */

static int open_vgem(void)
{
	return g.vgem_path[0] ? open(g.vgem_path, O_RDWR | O_CLOEXEC) : -1;
}

static struct thr *thr_new(int idx)
{
	struct thr *t = calloc(1, sizeof(*t));
	int i;

	if (!t)
		return NULL;
	t->idx = idx;
	t->rng = g.seed + (uint64_t)idx;
	t->scm_slot = -1;
	t->vgem = -1;
	t->timer_pid = -1;
	pthread_mutex_init(&t->inflight_lock, NULL);
	for (i = 0; i < NCARD; i++)
		t->cards[i].fd = -1;
	for (i = 0; i < NCLAIM; i++)
		t->claims[i].fd = -1;
	for (i = 0; i < NDUMB; i++)
		t->dumbs[i].card = -1;
	for (i = 0; i < NXFD; i++)
		t->x[i].fd = -1;
	t->buf = malloc(ARENA);
	t->edid = malloc(EDID_MAX + 128);
	t->page = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!t->buf || !t->edid || t->page == MAP_FAILED) {
		free(t->buf);
		free(t->edid);
		free(t);
		return NULL;
	}
	t->guard = t->page + PAGE;
	t->ro = t->page + 2 * PAGE;
	mprotect(t->guard, PAGE, PROT_NONE);
	edid_base(t->ro, 0);
	mprotect(t->ro, PAGE, PROT_READ);
	return t;
}

static void thr_cleanup(struct thr *t)
{
	int i;

	for (i = 0; i < NCLAIM; i++)
		claim_close(&t->claims[i]);
	for (i = 0; i < NXFD; i++)
		xfd_close(&t->x[i]);
	for (i = 0; i < NDUMB; i++)
		dumb_unmap(&t->dumbs[i]);
	for (i = 0; i < NCARD; i++)
		card_close(t, (unsigned int)i);
	if (t->vgem >= 0)
		close(t->vgem);
	t->vgem = -1;
	if (t->timer_pid == getpid())
		timer_delete(t->timer);
	t->timer_pid = -1;
}

static void *thr_main(void *arg)
{
	struct thr *t = arg;
	uint64_t k;

	t->vgem = open_vgem();
	if (t->script) {
		for (k = 0; k < t->script->n && !atomic_load(&g.stop); k++) {
			t->opn = t->script->v[k].idx;
			run_op(t, &t->script->v[k]);
		}
	} else {
		for (k = 0; !atomic_load(&g.stop) && (!g.max_ops || k < g.max_ops); k++) {
			struct op op;

			t->opn = k;
			gen_op(t, &op);
			run_op(t, &op);
		}
	}
	thr_cleanup(t);
	atomic_store(&t->done, true);
	return NULL;
}

/* --- replay ------------------------------------------------------------ */

static void list_push(struct oplist *l, const struct op *op)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		struct op *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			perror("realloc");
			exit(2);
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *op;
}

/* Parse a trace into each thread's operations; -1 on a bad file. */
static int replay_load(const char *path, struct oplist *lists, int *threads)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	*threads = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *p = line, *tok, *save = NULL;
		struct op op;
		unsigned int thr, sub = 0;
		uint64_t idx;
		int type, i;

		lineno++;
		/* A crash can leave holes of NULs: skip them. */
		while (p < line + len && !*p)
			p++;
		if (*p == '#' || *p == '\n' || !*p) {
			if (!strncmp(p, "# wfd_ioctl_fuzz ", 17) && strstr(p, " nocaps=1"))
				g.nocaps = true;
			continue;
		}
		if (sscanf(p, "T%u %" SCNu64, &thr, &idx) != 2 || thr >= MAX_THREADS) {
			fprintf(stderr, "%s:%d: not an operation\n", path, lineno);
			continue;
		}
		tok = strtok_r(p, " \n", &save);		/* T<n> */
		tok = strtok_r(NULL, " \n", &save);		/* index[.sub] */
		if (tok && strchr(tok, '.'))
			sub = (unsigned int)strtoul(strchr(tok, '.') + 1, NULL, 10);
		strtok_r(NULL, " \n", &save);			/* time */
		tok = strtok_r(NULL, " \n", &save);		/* name */
		for (type = 0; tok && type < NUM_OPS; type++)
			if (!strcmp(tok, ops[type].name))
				break;
		if (!tok || type == NUM_OPS) {
			fprintf(stderr, "%s:%d: unknown operation\n", path, lineno);
			continue;
		}
		memset(&op, 0, sizeof(op));
		op.type = type;
		op.idx = idx;
		while ((tok = strtok_r(NULL, " \n", &save)) && strcmp(tok, "=")) {
			char *eq = strchr(tok, '=');

			if (!eq)
				continue;
			*eq = 0;
			for (i = 0; i < NARGS && ops[type].arg[i]; i++)
				if (!strcmp(tok, ops[type].arg[i]))
					op.a[i] = strtoull(eq + 1, NULL, 0);
		}
		if (sub) {
			struct oplist *l = &lists[thr];
			struct op *parent = NULL;
			size_t k;

			for (k = l->n; k > 0; k--)
				if (l->v[k - 1].idx == idx) {
					parent = &l->v[k - 1];
					break;
				}
			if (!parent)
				continue;
			if (!parent->kids) {
				parent->kids = calloc(1, sizeof(*parent->kids));
				if (!parent->kids)
					exit(2);
			}
			list_push(parent->kids, &op);
			continue;
		}
		list_push(&lists[thr], &op);
		if ((int)thr + 1 > *threads)
			*threads = (int)thr + 1;
	}
	free(line);
	fclose(f);
	return 0;
}

/* --- the device ---------------------------------------------------------- */

static int find_card(const char *driver, char *path, size_t len)
{
	int i;

	for (i = 0; i < 64; i++) {
		drmVersionPtr v;
		int fd;

		snprintf(path, len, "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && !strcmp(v->name, driver)) {
			drmFreeVersion(v);
			return fd;
		}
		drmFreeVersion(v);
		close(fd);
	}
	path[0] = 0;
	return -1;
}

static uint32_t prop_id(int fd, uint32_t obj, uint32_t type, const char *name, bool collect)
{
	drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, obj, type);
	uint32_t id = 0, i;

	for (i = 0; props && i < props->count_props; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name))
			id = p->prop_id;
		/*
		 * The random commits set any property but the out-fence
		 * pointer (a user pointer) and IN_FENCE_FD (see do_atomic()).
		 */
		if (collect && p && strcmp(p->name, "OUT_FENCE_PTR") &&
		    strcmp(p->name, "IN_FENCE_FD") &&
		    g.nprops < sizeof(g.props) / sizeof(g.props[0]))
			g.props[g.nprops++] = (struct objprop){ obj, p->prop_id };
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

static int discover(void)
{
	int fd = open(g.card_path, O_RDWR | O_CLOEXEC);
	struct drm_wfd_get_info info;
	drmModePlaneResPtr pres;
	drmModeResPtr res;
	struct stat st;
	uint32_t i, j;

	if (fd < 0)
		return -errno;
	fstat(fd, &st);
	g.minor = (int)minor(st.st_rdev);
	drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1);
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, DRM_IOCTL_WFD_GET_INFO, &info) || !info.num_outputs ||
	    info.num_outputs > WFD_MAX_OUTPUTS) {
		close(fd);
		return -ENODEV;
	}
	g.num_outputs = info.num_outputs;
	res = drmModeGetResources(fd);
	pres = drmModeGetPlaneResources(fd);
	for (i = 0; i < g.num_outputs; i++) {
		struct output *o = &g.out[i];
		drmModeConnectorPtr c;
		int crtc_idx = -1;

		o->conn = info.outputs[i].connector_id;
		o->crtc = info.outputs[i].crtc_id;
		for (j = 0; res && j < (uint32_t)res->count_crtcs; j++)
			if (res->crtcs[j] == o->crtc)
				crtc_idx = (int)j;
		for (j = 0; pres && crtc_idx >= 0 && j < pres->count_planes && !o->plane; j++) {
			drmModePlanePtr p = drmModeGetPlane(fd, pres->planes[j]);
			drmModeObjectPropertiesPtr pp =
				drmModeObjectGetProperties(fd, pres->planes[j], DRM_MODE_OBJECT_PLANE);
			uint32_t type = prop_id(fd, pres->planes[j], DRM_MODE_OBJECT_PLANE, "type", false);
			uint32_t k;

			for (k = 0; pp && k < pp->count_props; k++)
				if (pp->props[k] == type && pp->prop_values[k] == DRM_PLANE_TYPE_PRIMARY &&
				    p && (p->possible_crtcs & (1u << crtc_idx)))
					o->plane = p->plane_id;
			drmModeFreeObjectProperties(pp);
			drmModeFreePlane(p);
		}
		o->p_active = prop_id(fd, o->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", true);
		o->p_mode_id = prop_id(fd, o->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", false);
		o->p_out_fence = prop_id(fd, o->crtc, DRM_MODE_OBJECT_CRTC, "OUT_FENCE_PTR", false);
		o->p_conn_crtc = prop_id(fd, o->conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", true);
		o->p_fb = prop_id(fd, o->plane, DRM_MODE_OBJECT_PLANE, "FB_ID", true);
		o->p_crtc = prop_id(fd, o->plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID", false);
		o->p_src_x = prop_id(fd, o->plane, DRM_MODE_OBJECT_PLANE, "SRC_X", false);
		o->p_src_y = prop_id(fd, o->plane, DRM_MODE_OBJECT_PLANE, "SRC_Y", false);
		o->p_src_w = prop_id(fd, o->plane, DRM_MODE_OBJECT_PLANE, "SRC_W", false);
		o->p_src_h = prop_id(fd, o->plane, DRM_MODE_OBJECT_PLANE, "SRC_H", false);
		o->p_crtc_x = prop_id(fd, o->plane, DRM_MODE_OBJECT_PLANE, "CRTC_X", false);
		o->p_crtc_y = prop_id(fd, o->plane, DRM_MODE_OBJECT_PLANE, "CRTC_Y", false);
		o->p_crtc_w = prop_id(fd, o->plane, DRM_MODE_OBJECT_PLANE, "CRTC_W", false);
		o->p_crtc_h = prop_id(fd, o->plane, DRM_MODE_OBJECT_PLANE, "CRTC_H", false);
		o->p_damage = prop_id(fd, o->plane, DRM_MODE_OBJECT_PLANE, "FB_DAMAGE_CLIPS", false);
		o->p_in_fence = prop_id(fd, o->plane, DRM_MODE_OBJECT_PLANE, "IN_FENCE_FD", false);
		c = drmModeGetConnectorCurrent(fd, o->conn);
		if (c) {
			snprintf(o->sysfs_status, sizeof(o->sysfs_status),
				 "/sys/class/drm/card%d-%s-%u/status", g.minor,
				 drmModeGetConnectorTypeName(c->connector_type), c->connector_type_id);
			drmModeFreeConnector(c);
		}
	}
	drmModeFreePlaneResources(pres);
	drmModeFreeResources(res);
	close(fd);
	return 0;
}

/* --- the end: counters, kernel log ---------------------------------------- */

static const char *const counters[] = { "gem_objects", "framebuffers", "claims", "module_refcnt" };
#define NCOUNTERS 4

static long state_value(const char *buf, const char *key)
{
	size_t klen = strlen(key);
	const char *p;

	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ':')
			return strtol(p + klen + 1, NULL, 10);
	return -1;
}

static int read_counters(long *v)
{
	char path[96], *buf = malloc(65536);
	int i, r;

	if (!buf)
		return -ENOMEM;
	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%d/wfd_state", g.minor);
	r = read_file(path, buf, 65536);
	for (i = 0; i < 3; i++)
		v[i] = r < 0 ? -1 : state_value(buf, counters[i]);
	v[3] = read_file("/sys/module/wfd/refcnt", buf, 65536) < 0 ? -1 : strtol(buf, NULL, 10);
	free(buf);
	return r < 0 ? r : 0;
}

static bool kmsg_bad(const char *msg)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "Oops", "general protection", "Call Trace",
		"blocked for more than", "UBSAN", "do not call blocking ops",
		"possible recursive locking", "circular locking", "KASAN",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strstr(msg, bad[i]))
			return true;
	return false;
}

/* Lines the kernel logged since @fd was opened that report a problem. */
static int kmsg_check(int fd)
{
	char rec[2048];
	int bad = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		char *msg;

		if (n <= 0)
			continue;
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		if (kmsg_bad(msg)) {
			if (bad < 20)
				say("# kernel: %.*s", (int)strcspn(msg, "\n"), msg);
			bad++;
		}
	}
	return bad;
}

/* --- the phase without capabilities --------------------------------------- */

static int drop_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	char buf[32];
	int last = 40, c;

	if (read_file("/proc/sys/kernel/cap_last_cap", buf, sizeof(buf)) > 0)
		last = atoi(buf);
	for (c = 0; c <= last; c++)
		prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d))
		return -errno;
	if (syscall(SYS_capget, &h, d))
		return -errno;
	return d[0].effective || d[0].permitted || d[1].effective || d[1].permitted ? -EPERM : 0;
}

/* The privileged parent: CLAIM for the unprivileged child, fd by SCM_RIGHTS. */
static void broker_loop(int sock, int card)
{
	for (;;) {
		struct drm_wfd_claim args;
		char cbuf[CMSG_SPACE(sizeof(int))];
		int32_t reply[2];	/* errno, output claimed */
		struct iovec iov = { .iov_base = reply, .iov_len = sizeof(reply) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		uint32_t req;
		ssize_t n = recv(sock, &req, sizeof(req), 0);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return;
		}
		memset(&args, 0, sizeof(args));
		args.output = req;
		args.fd = -1;
		reply[0] = ioctl(card, DRM_IOCTL_WFD_CLAIM, &args) ? -errno : 0;
		reply[1] = (int32_t)args.output;
		if (!reply[0]) {
			struct cmsghdr *cm;

			memset(cbuf, 0, sizeof(cbuf));
			msg.msg_control = cbuf;
			msg.msg_controllen = sizeof(cbuf);
			cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &args.fd, sizeof(int));
		}
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
		if (!reply[0])
			close(args.fd);
		if (n < 0)
			return;
	}
}

/* Before fuzzing without capabilities: CLAIM fails, a passed claim works. */
static void nocaps_check(int card)
{
	struct thr *t = thr_new(MAX_THREADS - 1);
	struct drm_wfd_claim args = { .output = 0, .fd = -1 };
	uint64_t a[NARGS] = { 0 };
	long r;

	if (!t)
		return;
	if (ioctl(card, DRM_IOCTL_WFD_CLAIM, &args) == 0 || errno != EACCES)
		violation(NULL, "CLAIM without CAP_SYS_ADMIN: %s, want EACCES",
			  args.fd >= 0 ? "success" : strerror(errno));
	else
		say("# CLAIM without CAP_SYS_ADMIN: EACCES");
	r = do_broker_claim(t, a);
	if (r < 0) {
		violation(NULL, "no claim fd from the privileged parent: %s", strerror((int)-r));
	} else {
		struct claim *c = &t->claims[0];

		r = do_connect(t, (uint64_t[NARGS]){ 0, 0, 0, 0, 0 });
		if (!r)
			r = do_disconnect(t, (uint64_t[NARGS]){ 0, 0, 0 });
		if (r)
			violation(NULL, "a claim fd passed from the privileged parent: CONNECT/DISCONNECT %s",
				  strerror((int)-r));
		else
			say("# a claim fd passed from the privileged parent: CONNECT and DISCONNECT work");
		claim_close(c);
	}
	thr_cleanup(t);
	free(t->buf);
	free(t->edid);
	munmap(t->page, 3 * PAGE);
	free(t);
}

/* --- main ---------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
		"usage: wfd_ioctl_fuzz [--seed N] [--threads N] [--minutes M | --seconds S]\n"
		"                      [--max-ops N] [--nocaps] [--trace FILE] [--quiet]\n"
		"       wfd_ioctl_fuzz --replay TRACE [--trace FILE]\n"
		"Defaults from FUZZ_SEED, FUZZ_THREADS (4), FUZZ_MINUTES (2); the trace\n"
		"goes to $WFD_OUT/fuzz-trace.txt (fuzz-replay.txt when replaying).  A\n"
		"replay runs to its end unless given --minutes or --seconds.\n");
	exit(2);
}

static void merge(struct stats *sum, const struct stats *s)
{
	int i;

	for (i = 0; i < NUM_OPS; i++) {
		sum->n[i] += s->n[i];
		sum->ok[i] += s->ok[i];
	}
	for (i = 0; i < ERRNO_MAX; i++)
		sum->err[i] += s->err[i];
	sum->ioctls += s->ioctls;
}

static void summary(const struct stats *s, double secs)
{
	uint64_t total = 0, shown[ERRNO_MAX] = { 0 };
	int i, k;

	for (i = 0; i < NUM_OPS; i++)
		total += s->n[i];
	say("# summary: %" PRIu64 " operations in %.1f s (%.0f/s), %" PRIu64
	    " ioctls, %d threads, seed %" PRIu64 "%s",
	    total, secs, secs > 0 ? (double)total / secs : 0.0, s->ioctls, g.threads,
	    g.seed, g.nocaps ? ", no capabilities" : "");
	for (i = 0; i < NUM_OPS; i++)
		if (s->n[i])
			say("# op %-14s %9" PRIu64 "  ok %9" PRIu64, ops[i].name, s->n[i], s->ok[i]);
	/* errnos, most frequent first */
	for (k = 0; k < ERRNO_MAX; k++) {
		int best = -1;

		for (i = 1; i < ERRNO_MAX; i++)
			if (s->err[i] && !shown[i] && (best < 0 || s->err[i] > s->err[best]))
				best = i;
		if (best < 0)
			break;
		shown[best] = 1;
		say("# errno %-15s %9" PRIu64, errname(best), s->err[best]);
	}
}

/* Run the threads until the time is up (or their scripts end). */
static int run_threads(struct oplist *scripts)
{
	struct thr *th[MAX_THREADS] = { 0 };
	uint64_t start = now_ns(), deadline, next_report;
	struct stats sum;
	int i, stuck = 0;

	memset(&sum, 0, sizeof(sum));
	deadline = g.seconds > 0 ? start + (uint64_t)(g.seconds * 1e9) : UINT64_MAX;
	next_report = start + 30000000000ull;
	for (i = 0; i < g.threads; i++) {
		th[i] = thr_new(i);
		if (!th[i]) {
			fprintf(stderr, "out of memory\n");
			return -1;
		}
		th[i]->script = scripts ? &scripts[i] : NULL;
		if (pthread_create(&th[i]->tid, NULL, thr_main, th[i])) {
			fprintf(stderr, "pthread_create failed\n");
			free(th[i]);
			th[i] = NULL;
		}
	}
	for (;;) {
		uint64_t now = now_ns();
		bool all_done = true;

		for (i = 0; i < g.threads; i++)
			if (th[i] && !atomic_load(&th[i]->done))
				all_done = false;
		if (all_done || now >= deadline || atomic_load(&g.stop))
			break;
		if (now >= next_report && !g.quiet) {
			uint64_t n = 0;
			int j, k;

			for (j = 0; j < g.threads; j++)
				for (k = 0; th[j] && k < NUM_OPS; k++)
					n += th[j]->st.n[k];
			say("# progress: %.0f s, %" PRIu64 " operations, %" PRIu64 " violations",
			    (double)(now - start) / 1e9, n, (uint64_t)atomic_load(&g.sh->violations));
			next_report += 30000000000ull;
		}
		usleep(100000);
	}
	atomic_store(&g.stop, true);
	for (i = 0; i < g.threads; i++) {
		struct timespec ts;

		if (!th[i])
			continue;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 30;
		if (pthread_timedjoin_np(th[i]->tid, NULL, &ts)) {
			pthread_mutex_lock(&th[i]->inflight_lock);
			violation(NULL, "thread %d did not stop in 30 s; in flight: %s", i,
				  th[i]->inflight);
			pthread_mutex_unlock(&th[i]->inflight_lock);
			stuck++;
			continue;
		}
		merge(&sum, &th[i]->st);
		munmap(th[i]->page, 3 * PAGE);
		free(th[i]->buf);
		free(th[i]->edid);
		free(th[i]);
	}
	summary(&sum, (double)(now_ns() - start) / 1e9);
	return stuck;
}

int main(int argc, char **argv)
{
	struct oplist *scripts = NULL;
	const char *out = getenv("WFD_OUT");
	char trace_default[512], hdr[512];
	long before[NCOUNTERS], after[NCOUNTERS];
	struct sigaction sa;
	struct rlimit rl;
	int i, anchor, kmsg, splats, stuck = 0, child_rc = 0, hl;
	uint64_t waited;
	bool leak = false, ok;

	g.seed = getenv("FUZZ_SEED") ? strtoull(getenv("FUZZ_SEED"), NULL, 0) : (uint64_t)time(NULL);
	g.threads = getenv("FUZZ_THREADS") ? atoi(getenv("FUZZ_THREADS")) : 4;
	g.seconds = -1;
	for (i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--seed") && v)
			g.seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--threads") && v)
			g.threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--minutes") && v)
			g.seconds = 60.0 * atof(argv[++i]);
		else if (!strcmp(argv[i], "--seconds") && v)
			g.seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--max-ops") && v)
			g.max_ops = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--trace") && v)
			g.trace_path = argv[++i];
		else if (!strcmp(argv[i], "--replay") && v)
			g.replay = argv[++i];
		else if (!strcmp(argv[i], "--nocaps"))
			g.nocaps = true;
		else if (!strcmp(argv[i], "--quiet"))
			g.quiet = true;
		else
			usage();
	}
	if (!g.replay && (g.threads < 1 || g.threads > MAX_THREADS - 1))
		usage();
	snprintf(trace_default, sizeof(trace_default), "%s/%s", out && *out ? out : ".",
		 g.replay ? "fuzz-replay.txt" : "fuzz-trace.txt");
	if (!g.trace_path)
		g.trace_path = trace_default;

	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_timer;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	if (g.replay) {
		scripts = calloc(MAX_THREADS, sizeof(*scripts));
		if (!scripts || replay_load(g.replay, scripts, &g.threads) || !g.threads) {
			fprintf(stderr, "%s: no operations to replay\n", g.replay);
			return 2;
		}
	}
	/* A replay runs its operations to the end unless given a time. */
	if (g.seconds < 0 && !g.replay)
		g.seconds = 60.0 * (getenv("FUZZ_MINUTES") ? atof(getenv("FUZZ_MINUTES")) : 2.0);
	if (g.seconds < 0)
		g.seconds = 0;

	printf("KTAP version 1\n1..1\n");
	i = find_card("wfd", g.card_path, sizeof(g.card_path));
	if (i < 0) {
		printf("ok 1 fuzz_no_splat_no_leak # SKIP no wfd device\n");
		return 0;
	}
	close(i);
	i = find_card("vgem", g.vgem_path, sizeof(g.vgem_path));
	if (i >= 0)
		close(i);
	if (discover()) {
		printf("not ok 1 fuzz_no_splat_no_leak # cannot read the wfd device\n");
		return 1;
	}
	say("# %s: %u outputs, vgem %s, trace %s", g.card_path, g.num_outputs,
	    g.vgem_path[0] ? g.vgem_path : "absent", g.trace_path);
	if (g.replay) {
		size_t n = 0;

		for (i = 0; i < g.threads; i++)
			n += scripts[i].n;
		say("# replay of %s: %zu operations of %d threads%s", g.replay, n, g.threads,
		    g.nocaps ? ", without capabilities" : "");
	}

	g.sh = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g.sh == MAP_FAILED)
		return 2;
	memset(g.sh, 0, sizeof(*g.sh));
	g.trace_fd = open(g.trace_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (g.trace_fd < 0)
		say("# no trace: %s: %s", g.trace_path, strerror(errno));
	hl = snprintf(hdr, sizeof(hdr),
		      "# wfd_ioctl_fuzz seed=%" PRIu64 " threads=%d seconds=%.0f nocaps=%d outputs=%u%s%s\n"
		      "# T<thread> <op>[.<child op>] <time> <name> <args> = <result> [errno] <duration>\n",
		      g.seed, g.threads, g.seconds, g.nocaps, g.num_outputs,
		      g.replay ? " replay=" : "", g.replay ? g.replay : "");
	if (hl > (int)sizeof(hdr) - 1)
		hl = sizeof(hdr) - 1;
	trace_put(hdr, (size_t)hl);

	read_counters(before);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);

	/* Held all along: delete_module must always fail. */
	anchor = open(g.card_path, O_RDWR | O_CLOEXEC);
	if (anchor >= 0)
		ioctl(anchor, DRM_IOCTL_DROP_MASTER, NULL);

	if (g.nocaps) {
		int sv[2];
		pid_t pid;

		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
			perror("socketpair");
			return 2;
		}
		fflush(stdout);
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0) {
			close(sv[0]);
			g.broker = sv[1];
			if (drop_caps()) {
				violation(NULL, "cannot drop capabilities");
				_exit(1);
			}
			nocaps_check(anchor);
			stuck = run_threads(scripts);
			fflush(stdout);
			_exit(stuck ? 1 : 0);
		}
		close(sv[1]);
		broker_loop(sv[0], anchor);
		close(sv[0]);
		if (waitpid(pid, &child_rc, 0) != pid || !WIFEXITED(child_rc) ||
		    WEXITSTATUS(child_rc)) {
			say("# the unprivileged fuzzer ended with status %#x", child_rc);
			stuck = 1;
		}
	} else {
		stuck = run_threads(scripts);
	}
	if (anchor >= 0)
		close(anchor);

	/* Forced connectors back to detection. */
	for (i = 0; i < (int)g.num_outputs; i++)
		if (g.out[i].sysfs_status[0])
			write_file(g.out[i].sysfs_status, "detect", 6);

	/* Closing is asynchronous in places (deferred fput): wait up to 10 s. */
	for (waited = 0;; waited += 100) {
		read_counters(after);
		leak = false;
		for (i = 0; i < NCOUNTERS; i++)
			if (before[i] >= 0 && after[i] != before[i])
				leak = true;
		if (!leak || waited >= 10000 || stuck)
			break;
		usleep(100000);
	}
	say("# counters at start and end:%s", leak ? " LEAK" : "");
	for (i = 0; i < NCOUNTERS; i++)
		say("#   %-14s %ld -> %ld", counters[i], before[i], after[i]);
	splats = kmsg_check(kmsg);
	if (splats)
		say("# the kernel logged %d problem lines", splats);
	say("# violations %" PRIu64 ", module unloads %" PRIu64 ", slow operations %" PRIu64
	    ", notes %" PRIu64,
	    (uint64_t)atomic_load(&g.sh->violations), (uint64_t)atomic_load(&g.sh->unloads),
	    (uint64_t)atomic_load(&g.sh->slow), (uint64_t)atomic_load(&g.sh->notes));
	if (g.trace_fd >= 0)
		say("# trace: %s (replay: wfd_ioctl_fuzz --replay %s)", g.trace_path, g.trace_path);
	ok = !leak && !splats && !stuck && !atomic_load(&g.sh->violations) &&
	     !atomic_load(&g.sh->unloads);
	printf("%s 1 fuzz_no_splat_no_leak\n", ok ? "ok" : "not ok");
	return ok ? 0 : 1;
}
