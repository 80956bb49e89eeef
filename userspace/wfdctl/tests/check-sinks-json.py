#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""wfdctl sinks --json is JSON a program can read: parse the fixture's list
(test-sinks json) with Python's own parser and check its fields."""
import json
import subprocess
import sys

test = sys.argv[1]
out = subprocess.run([test, 'json'], check=True, capture_output=True).stdout
sinks = json.loads(out.decode('utf-8'))
assert [s['name'] for s in sinks] == ['Salon', 'T\u00e9l\u00e9 "2"', 'dongle\ufffd'], sinks
salon, tele, dongle = sinks
assert salon == {'name': 'Salon', 'address': '42:00:00:00:02:00',
                 'p2p_device_type': '7-0050F204-1', 'wfd': True,
                 'device_type': 'primary sink', 'session_available': True, 'rtsp_port': 7236,
                 'max_throughput_mbps': 150, 'group_owner': True, 'persistent_group': True,
                 'push_button': True, 'pin_display': True, 'pin_keypad': False}, salon
assert tele['session_available'] is False and tele['group_owner'] is False, tele
assert dongle['device_type'] == 'dual role' and dongle['rtsp_port'] == 554, dongle
every = json.loads(subprocess.run([test, 'json', 'all'], check=True,
                                  capture_output=True).stdout.decode('utf-8'))
names = {s['name']: s for s in every}
assert names['phone']['wfd'] is False and 'device_type' not in names['phone'], names['phone']
assert names['laptop']['device_type'] == 'source', names['laptop']
print('ok')
