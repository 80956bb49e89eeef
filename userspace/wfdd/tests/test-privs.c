// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * privs_drop() in forked children, read back from /proc/self/status:
 *  - as root with every capability (wfdd run by hand): nothing is left,
 *    not even in the bounding set;
 *  - as wfdd@.service starts it: CAP_SYS_ADMIN alone, ambient, and no
 *    CAP_SETPCAP: the ambient, effective, permitted and inheritable sets
 *    end empty, the bounding set stays as it was;
 * and in both, no_new_privs is set and a CAP_SYS_ADMIN operation fails.
 * The first two need root; as another user the drop is only run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>

#include "privs.h"
#include "tap.h"

struct result {
	bool setup_ok;
	int ret;		/* privs_drop()'s */
	bool emptied;
	uint64_t bnd_before;
	uint64_t inh, prm, eff, bnd, amb, nnp;
	int unshare_err;	/* errno of unshare(CLONE_NEWUTS), 0 if it worked */
};

/* A "Name:\tvalue" field of /proc/self/status (hexadecimal for Cap*). */
static uint64_t status_field(const char *name, int base)
{
	char line[256];
	size_t len = strlen(name);
	uint64_t v = UINT64_MAX;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return v;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':')
			v = strtoull(line + len + 1, NULL, base);
	fclose(f);
	return v;
}

static int caps_set(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)prm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32) },
	};

	return (int)syscall(SYS_capset, &h, d);
}

/* What wfdd@.service gives: CAP_SYS_ADMIN, ambient, nothing else. */
static bool setup_unit(void)
{
	uint64_t admin = 1ull << CAP_SYS_ADMIN, all = status_field("CapPrm", 16);

	return !caps_set(all, all, admin) &&
	       !prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_ADMIN, 0, 0) &&
	       !caps_set(admin, admin, admin) &&
	       status_field("CapAmb", 16) == admin;
}

static int run_child(bool unit, struct result *r)
{
	int p[2], status;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe(p))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		struct result c = { .setup_ok = !unit || setup_unit() };

		close(p[0]);
		c.bnd_before = status_field("CapBnd", 16);
		c.ret = privs_drop(&c.emptied);
		c.inh = status_field("CapInh", 16);
		c.prm = status_field("CapPrm", 16);
		c.eff = status_field("CapEff", 16);
		c.bnd = status_field("CapBnd", 16);
		c.amb = status_field("CapAmb", 16);
		c.nnp = status_field("NoNewPrivs", 10);
		c.unshare_err = unshare(CLONE_NEWUTS) ? errno : 0;
		_exit(write(p[1], &c, sizeof(c)) == sizeof(c) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], r, sizeof(*r)) != sizeof(*r))
		r->ret = 1;
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return 0;
}

static void check_dropped(const struct result *r, const char *what)
{
	check(!r->ret, "%s: privs_drop() succeeds (%d)", what, r->ret);
	check(!r->eff && !r->prm && !r->inh,
	      "%s: no effective, permitted or inheritable capability (%#" PRIx64 " %#" PRIx64
	      " %#" PRIx64 ")", what, r->eff, r->prm, r->inh);
	check(!r->amb, "%s: no ambient capability (%#" PRIx64 ")", what, r->amb);
	check(r->nnp == 1, "%s: no_new_privs (%" PRIu64 ")", what, r->nnp);
	check(r->unshare_err == EPERM, "%s: CAP_SYS_ADMIN's unshare() is refused (%s)", what,
	      strerror(r->unshare_err));
}

int main(void)
{
	bool root = status_field("CapEff", 16) & 1ull << CAP_SETPCAP &&
		    status_field("CapEff", 16) & 1ull << CAP_SYS_ADMIN;
	struct result r;

	if (!root) {
		check(!run_child(false, &r) && !r.ret && !r.eff && !r.prm && r.nnp == 1,
		      "without capabilities: the drop works and leaves none");
		check(1, "as root # SKIP no CAP_SETPCAP and CAP_SYS_ADMIN to start with");
		return tap_done();
	}

	check(!run_child(false, &r) && r.setup_ok, "root: the child ran");
	check_dropped(&r, "root");
	check(r.emptied && !r.bnd, "root: the bounding set is empty (%#" PRIx64 ")", r.bnd);

	check(!run_child(true, &r) && r.setup_ok,
	      "unit: the child ran with CAP_SYS_ADMIN alone, ambient");
	check_dropped(&r, "unit");
	check(!r.emptied && r.bnd == r.bnd_before && r.bnd,
	      "unit: without CAP_SETPCAP the bounding set stays (%#" PRIx64 ")", r.bnd);
	return tap_done();
}
