#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""wfdctl --json is JSON a program can read: parse the fixtures' reports
(test-wfdctl json NAME) with Python's own parser and check their fields."""
import json
import subprocess
import sys

test = sys.argv[1]


def report(name):
    out = subprocess.run([test, 'json', name], check=True, capture_output=True).stdout
    return json.loads(out.decode('ascii'))


r = report('streaming')
assert r['device'] == '/dev/dri/card1' and r['uapi_version'] == 2, r
assert r['debugfs'] is True and 'debugfs_error' not in r, r
o1, o2, o3 = r['outputs']
assert o1['output'] == 1 and o1['connector'] == 'Virtual-1', o1
assert o1['connector_id'] == 36 and o1['crtc_id'] == 35 and o1['connected'] is True, o1
assert o1['claimed'] is True and o1['claim'] == {'pid': 4242, 'owner': 'wfdd'}, o1
# Session ids are 64 bits: this one does not fit in 32.
assert o1['session'] == {'id': 2**32 + 7, 'state': 'connected', 'owner_pid': 4242,
                         'owner': 'wfdd'}, o1
# A control byte and quotes in the sink's name survive as themselves.
assert o1['sink'] == '\x01iving "room"', o1['sink']
assert o1['mode'] == {'width': 1920, 'height': 1080, 'refresh_hz': 30.0}, o1
assert o1['stats'] == {'fps': 29.97, 'bitrate_kbps': 3998, 'encode_us': 8123,
                       'latency_us': 12345, 'frames_encoded': 1200,
                       'frames_dropped': 3, 'bytes_sent': 987654321}, o1
assert o1['frames'] == {'committed': 1234, 'superseded': 30, 'held': True}, o1
assert o1['frames_delivered'] == 1230 and o1['hold_timeouts'] == 2, o1
assert o1['sessions_ended'] == 2, o1
assert o1['endings'] == [
    {'session': 5, 'status': 'graceful', 'status_code': -1, 'diag': 0, 'duration_ms': 12345},
    {'session': 2**32 + 6, 'status': 'missing keep-alive', 'status_code': 1, 'diag': -110,
     'duration_ms': 65000}], o1
assert o2['connected'] is False and o2['session'] is None and o2['sink'] is None, o2
assert o2['claimed'] is False and o2['claim'] is None, o2
assert o2['mode'] is None and o2['stats'] is None and o2['endings'] == [], o2
# Claimed, waiting for a sink: no session.
assert o3['claimed'] is True and o3['claim'] == {'pid': 4343, 'owner': 'wfdd'}, o3
assert o3['connected'] is False and o3['session'] is None and o3['frames'] is None, o3

r = report('nodebugfs')
assert r['debugfs'] is False and r['debugfs_error'] == 'Permission denied', r
o1, o3 = r['outputs'][0], r['outputs'][2]
assert o1['session'] == {'id': 2**32 + 7, 'state': 'connected'}, o1
# Without debugfs, that it is claimed but not by whom.
assert o1['claimed'] is True and o1['claim'] is None, o1
assert o3['claimed'] is True and o3['claim'] is None, o3
assert o1['sink'] == 'Living room', o1
assert o1['stats'] is None and o1['frames'] is None and o1['endings'] is None, o1

r = report('empty')
assert r['outputs'] == [] and r['debugfs_error'] == 'No such file or directory', r
print('json reports parse and carry their fields')
