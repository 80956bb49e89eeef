// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Encoder selection.
 */
#include <string.h>

#include "encoder.h"

const struct encoder_ops *encoder_find(const char *name)
{
	/* "auto": x264 is the faster of the software encoders. */
	if (!strcmp(name, "auto") || !strcmp(name, "x264"))
		return &encoder_x264;
	if (!strcmp(name, "openh264"))
		return &encoder_openh264;
	return NULL;
}
