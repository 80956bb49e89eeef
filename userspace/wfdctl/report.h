/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wfdctl: the status report, as text for people or JSON for programs.
 */
#ifndef WFDCTL_REPORT_H
#define WFDCTL_REPORT_H

#include <stdio.h>

#include "state.h"

void wfdctl_print_text(FILE *f, const struct wfdctl_device *dev);
void wfdctl_print_json(FILE *f, const struct wfdctl_device *dev);

#endif
