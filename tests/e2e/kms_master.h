/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Taking DRM master before a modeset, as a compositor's launcher (logind,
 * seatd) does, for the tests' own KMS clients.
 */
#ifndef WFD_KMS_MASTER_H
#define WFD_KMS_MASTER_H

#include <errno.h>
#include <time.h>

#include <xf86drm.h>

/*
 * The first opener of a card with no master becomes master.  wfdd opens
 * the card when a sink connects and gives master back at once, but a
 * client that opens the card in that instant is left without it, and its
 * modeset fails with EACCES.  So take master explicitly, retrying while
 * someone holds it (EBUSY) for up to a second.  Returns 0 or -errno.
 */
static inline int kms_take_master(int fd)
{
	const struct timespec pause = { .tv_nsec = 10 * 1000 * 1000 };

	for (int i = 0; i < 100; i++) {
		if (drmIsMaster(fd) || !drmSetMaster(fd))
			return 0;
		if (errno != EBUSY)
			return -errno;
		nanosleep(&pause, NULL);
	}
	return -EBUSY;
}

#endif
