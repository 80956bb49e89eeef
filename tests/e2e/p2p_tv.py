#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The Wi-Fi Direct side of a TV, for tests/e2e/p2p.sh: drives the TV's own
wpa_supplicant (in its network namespace, over its global control socket)
the way Miracast TVs behave, gives the group addresses (dnsmasq when the TV
owns the group, dhclient when it does not) and runs the project's test
sink against the source for each cast.

Like a TV: it announces itself as a primary sink (or one with no session
available), stays in listen state, answers a source's GO negotiation
request once its "user" accepts (the first request gets "information
currently unavailable"; the TV then starts its own negotiation), or owns a
persistent group that sources join with push button.

Prints one line per step, with the wall time (CLOCK_REALTIME, as the test
sink does), for p2p.sh to check and time.
"""
import argparse
import os
import select
import signal
import socket
import subprocess
import sys
import time


def say(*a):
    print('tv: %.3f' % time.time(), *a, flush=True)


class Ctrl:
    """One datagram socket to a wpa_supplicant control socket."""

    def __init__(self, path, ifname=None):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.s.bind('')     # an abstract address: this runs in the TV's namespace
        self.s.connect(path)
        self.prefix = 'IFNAME=%s ' % ifname if ifname else ''

    def req(self, cmd, timeout=10):
        self.s.send((self.prefix + cmd).encode())
        end = time.time() + timeout
        while True:
            r, _, _ = select.select([self.s], [], [], max(0, end - time.time()))
            if not r:
                raise TimeoutError(cmd)
            d = self.s.recv(8192).decode(errors='replace')
            if not d.startswith('<') and not d.startswith('IFNAME='):
                return d.strip()

    def ok(self, cmd):
        r = self.req(cmd)
        if not r.startswith('OK'):
            raise RuntimeError('%s: %s' % (cmd, r))


class Events:
    def __init__(self, path):
        self.c = Ctrl(path)
        self.c.ok('ATTACH')

    def wait(self, names, timeout):
        """The next event whose name is in names, as (ifname, name, args)."""
        end = time.time() + timeout
        while time.time() < end:
            r, _, _ = select.select([self.c.s], [], [], max(0, end - time.time()))
            if not r:
                break
            msg = self.c.s.recv(8192).decode(errors='replace')
            ifname = ''
            if msg.startswith('IFNAME='):
                ifname, msg = msg[7:].split(' ', 1)
            if msg.startswith('<'):
                msg = msg[3:]
            name, _, args = msg.partition(' ')
            if name in names:
                return ifname, name, args
        return None


def arg(args, key):
    for w in args.split():
        if w.startswith(key + '='):
            return w[len(key) + 1:]
    return None


class TV:
    def __init__(self, o):
        self.o = o
        self.g = Ctrl(o.ctrl, o.dev)
        self.ev = Events(o.ctrl)
        self.helper = None
        self.group = None
        self.go = False
        self.role = 'client'

    def announce(self, available):
        self.g.ok('SET wifi_display 1')
        self.g.ok('WFD_SUBELEM_SET 0 0006%s1c440032' % ('0011' if available else '0001'))
        say('announces a primary sink, session %savailable' % ('' if available else 'not '))

    def setup(self):
        self.g.ok('SET device_name %s' % self.o.name)
        self.g.ok('SET device_type 7-0050F204-1')
        self.g.ok('SET config_methods virtual_push_button physical_display keypad')
        self.announce(not self.o.unavailable_until)

    def listen(self):
        self.g.ok('P2P_LISTEN 600')

    def stop_helper(self):
        if self.helper:
            self.helper.terminate()
            try:
                self.helper.wait(5)
            except subprocess.TimeoutExpired:
                self.helper.kill()
            self.helper = None

    def address_go(self, ifname):
        """The TV owns the group: its address and a DHCP server."""
        subprocess.run(['ip', 'addr', 'add', '192.168.49.1/24', 'dev', ifname], check=True)
        leases = os.path.join(self.o.dir, 'tv-dnsmasq.leases')
        if os.path.exists(leases):
            os.unlink(leases)
        self.helper = subprocess.Popen(
            ['dnsmasq', '--no-daemon', '--conf-file=/dev/null', '--port=0',
             '--interface=' + ifname, '--bind-interfaces', '--except-interface=lo',
             '--dhcp-range=192.168.49.20,192.168.49.99,255.255.255.0,1h',
             '--dhcp-leasefile=' + leases, '--dhcp-authoritative'],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.o.dir, 'tv-dnsmasq.log'), 'a'))
        return leases

    def wait_lease_go(self, leases, timeout=90):
        """The source's address, from the lease the TV's dnsmasq gave."""
        end = time.time() + timeout
        while time.time() < end:
            try:
                for line in open(leases):
                    f = line.split()
                    if len(f) >= 3:
                        return f[2]
            except FileNotFoundError:
                pass
            time.sleep(0.2)
        return None

    def address_client(self, ifname, timeout=90):
        """The source owns the group: a lease from it, and its address."""
        leases = os.path.join(self.o.dir, 'tv-dhclient.leases')
        if os.path.exists(leases):
            os.unlink(leases)
        self.helper = subprocess.Popen(
            ['dhclient', '-d', '-1', '-sf', '/bin/true', '-lf', leases,
             '-pf', os.path.join(self.o.dir, 'tv-dhclient.pid'), '-cf', '/dev/null', ifname],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.o.dir, 'tv-dhclient.log'), 'a'))
        end = time.time() + timeout
        while time.time() < end:
            try:
                text = open(leases).read()
            except FileNotFoundError:
                text = ''
            block = text[text.rfind('lease {'):] if 'lease {' in text else ''
            if '}' in block:
                ip = server = None
                for line in block.splitlines():
                    w = line.strip().rstrip(';').split()
                    if w[:1] == ['fixed-address']:
                        ip = w[1]
                    if w[:2] == ['option', 'dhcp-server-identifier']:
                        server = w[2]
                if ip and server:
                    subprocess.run(['ip', 'addr', 'add', ip + '/24', 'dev', ifname], check=True)
                    return server
            time.sleep(0.2)
        return None

    def wait_available(self):
        """A session of its own runs: not available until the test says."""
        while not os.path.exists(self.o.unavailable_until):
            self.ev.wait([], 0.5)
        self.announce(True)
        self.o.unavailable_until = None

    def accept(self, src, passwd_id):
        """Its user accepts: the TV negotiates itself, with its GO intent."""
        time.sleep(self.o.accept_delay)
        intent = 15 if self.role == 'go' else 0
        how = self.o.pin if self.o.pin else 'pbc'
        say('accepts %s (password id %s) with %s, GO intent %d' % (src, passwd_id, how, intent))
        self.g.ok('P2P_CONNECT %s %s go_intent=%d' % (src, how, intent))

    def persistent_group(self):
        self.g.ok('P2P_GROUP_ADD persistent')
        e = self.ev.wait(['P2P-GROUP-STARTED'], 60)
        if not e:
            raise RuntimeError('no persistent group')
        self.group = e[2].split()[0]
        self.go = True
        say('owns persistent group %s' % self.group)
        return self.address_go(self.group)

    def cast(self, n, role, leave_after, teardown_after):
        self.role = role
        leases = None
        if self.o.persistent:
            leases = os.path.join(self.o.dir, 'tv-dnsmasq.leases')
        if not self.o.persistent:
            self.listen()
        say('cast %d: listening' % n)
        while True:
            e = self.ev.wait(['P2P-GO-NEG-REQUEST', 'P2P-PROV-DISC-PBC-REQ', 'P2P-GROUP-STARTED'],
                             self.o.timeout)
            if not e:
                raise RuntimeError('no source came')
            ifname, name, args = e
            src = args.split()[0]
            if name == 'P2P-GO-NEG-REQUEST' and not self.o.persistent:
                say('cast %d: GO negotiation request from %s' % (n, src))
                if self.o.unavailable_until:
                    say('session not available: request ignored')
                    continue
                self.accept(src, arg(args, 'dev_passwd_id'))
            elif name == 'P2P-PROV-DISC-PBC-REQ' and self.o.persistent:
                say('cast %d: %s asks to join: push button' % (n, src))
                Ctrl(self.o.ctrl, self.group).ok('WPS_PBC')
                break
            elif name == 'P2P-GROUP-STARTED' and not self.o.persistent:
                self.group = args.split()[0]
                self.go = args.split()[1] == 'GO'
                say('cast %d: group %s started, the TV is %s' % (n, self.group,
                                                                'GO' if self.go else 'client'))
                break
        if self.go and not leases:
            leases = self.address_go(self.group)
        if self.go:
            src_ip = self.wait_lease_go(leases)
        else:
            src_ip = self.address_client(self.group)
        if not src_ip:
            raise RuntimeError('no address')
        say('cast %d: address done, the source is %s' % (n, src_ip))
        self.sink(n, src_ip, leave_after, teardown_after)

    def sink(self, n, src_ip, leave_after, teardown_after):
        out = os.path.join(self.o.dir, 'cast-%d.ts' % n)
        log = open(os.path.join(self.o.dir, 'sink-%d.log' % n), 'w')
        cmd = [self.o.sink, '--connect', src_ip + ':7236', '--rtp-port', '19000', '--out', out,
               '--duration', str(self.o.duration), '--formats', self.o.formats]
        if teardown_after:
            cmd += ['--teardown-after', str(teardown_after)]
        if os.path.exists(out):
            os.unlink(out)
        sink = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        first = None
        t0 = time.time()
        while sink.poll() is None:
            if first is None and os.path.exists(out) and os.path.getsize(out) > 0:
                first = time.time()
                say('cast %d: first media' % n)
            if leave_after and first and time.time() - first >= leave_after:
                say('cast %d: leaves the group %s' % (n, self.group))
                self.g.ok('P2P_GROUP_REMOVE %s' % self.group)
                break
            if time.time() - t0 > self.o.duration + 30:
                break
            time.sleep(0.1)
        if sink.poll() is None:
            time.sleep(1)
            sink.terminate()
        sink.wait()
        say('cast %d: sink done' % n)
        if not leave_after and not self.o.persistent:
            # The source leaves the group once the session is over: a client
            # sees the group go, a group owner its client leave.
            e = self.ev.wait(['P2P-GROUP-REMOVED', 'AP-STA-DISCONNECTED'], 30)
            say('cast %d: the source left the group' % n if e else
                'cast %d: the source kept the group' % n)
            if not e or e[1] == 'AP-STA-DISCONNECTED':
                self.g.ok('P2P_GROUP_REMOVE %s' % self.group)
        if self.o.persistent:
            e = self.ev.wait(['AP-STA-DISCONNECTED'], 30)
            say('cast %d: the source left the persistent group' % n if e else
                'cast %d: the source stayed' % n)
        else:
            self.stop_helper()
            self.group = None


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--ctrl', required=True)
    p.add_argument('--dev', default='p2p-dev-wlan1')
    p.add_argument('--name', default='Living Room TV')
    p.add_argument('--dir', required=True)
    p.add_argument('--sink', required=True)
    p.add_argument('--formats', required=True)
    p.add_argument('--role', choices=['go', 'client'], nargs='+', default=['client'],
                   help='per cast: the TV owns the group (GO intent 15) or not (0)')
    p.add_argument('--pin', help='the PIN the TV\'s user types')
    p.add_argument('--persistent', action='store_true')
    p.add_argument('--unavailable-until', help='no session available until this file exists')
    p.add_argument('--accept-delay', type=float, default=2)
    p.add_argument('--leave-after', type=float, nargs='+', default=[0],
                   help='per cast: leave the group this long after the first media (0: no)')
    p.add_argument('--teardown-after', type=float, nargs='+', default=[0])
    p.add_argument('--duration', type=float, default=60)
    p.add_argument('--timeout', type=float, default=240)
    p.add_argument('--casts', type=int, default=1)
    o = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
    tv = TV(o)
    tv.setup()
    tv.listen()
    if o.persistent:
        # Before any source looks: it finds a group owner, and joins.
        tv.persistent_group()
    say('ready: "%s"' % o.name)
    try:
        if o.unavailable_until:
            tv.wait_available()
        for n in range(1, o.casts + 1):
            role = o.role[min(n, len(o.role)) - 1]
            la = o.leave_after[min(n, len(o.leave_after)) - 1]
            td = o.teardown_after[min(n, len(o.teardown_after)) - 1]
            tv.cast(n, role, la, td)
        say('done')
    finally:
        tv.stop_helper()
        try:
            tv.g.req('P2P_STOP_FIND')
            if tv.group:
                tv.g.req('P2P_GROUP_REMOVE %s' % tv.group)
        except Exception:
            pass


if __name__ == '__main__':
    main()
