/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wfdctl sinks: the Wi-Fi Display sinks in range, found with
 * wpa_supplicant or NetworkManager, without wfdd.
 */
#ifndef WFDCTL_SINKS_H
#define WFDCTL_SINKS_H

#include <stdio.h>

#include "p2p.h"

/* "wfdctl sinks [options]": @argv[0] is "sinks".  Returns the exit status. */
int wfdctl_sinks(int argc, char **argv);

/* The list, WFD sinks only (others with @all), sorted by name. */
void wfdctl_sinks_print_text(FILE *f, const struct p2p_peer *peers, int n, int all);
void wfdctl_sinks_print_json(FILE *f, const struct p2p_peer *peers, int n, int all);

#endif
