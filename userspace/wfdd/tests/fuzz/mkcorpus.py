#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Writes the seed corpus of fuzz-wfd (make fuzz) into corpus/: whole
# M1-M16 dialogues of a sink with a source session, the misbehaving sinks
# of test-wfd-source, and the text both sides send.  The format is
# fuzz-wfd.c's: a first byte with bit 0 clear starts a script of
# operations (the second byte picks the source's configuration), set it
# starts text (bits 1-6: the chunk size less one).
#
# The crash-* files in corpus/ are not written here: they are inputs make
# fuzz found a bug with, minimized (-minimize_crash=1), kept as found.
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")

# Configuration flavours (fuzz-wfd.c: config()).
CHP_ONLY, LEVEL_32, PREFER_CBP, SERVER_PORT, NO_GAP, NO_IDR_LIMIT, IPV6 = 1, 2, 4, 8, 16, 32, 64

# Status indexes of fuzz-wfd.c's statuses[], and its caps[] bodies.
OK, E400, E404, E406, E415, E454, E455, E461, E500 = 0, 4, 5, 6, 7, 8, 9, 10, 11
CAPS_TV, CAPS_DONGLE, CAPS_CHP, CAPS_MASKED, CAPS_TCP, CAPS_GARBAGE, NOBODY = 0, 1, 2, 3, 4, 5, 6
WRONG_CSEQ, WRONG_SESSION = 0x80, 0x40

# Requests of fuzz-wfd.c's reqs[], and the Session header choice.
OPTIONS, SETUP, SETUP_PORT, PLAY, PAUSE, TEARDOWN, GET, IDR, STANDBY, BADSET, DESCRIBE, \
    SETUP_TCP, SETUP_BADPORT = range(13)
NO_SESSION, SESSION, SESSION_PARAMS, BAD_SESSION = range(4)

# Modes of fuzz-wfd.c's modes[].
OFF, M480, M720_30, M1080_30, M1080_60, ODD, M600_30, M360_30 = range(8)


def script(flavour, *ops):
    return bytes([0, flavour]) + b"".join(ops)


def data(b):
    return bytes([0, len(b) & 255, len(b) >> 8]) + b


def wait(ms):
    out = b""
    while ms > 0:
        if ms >= 2040:
            out += bytes([2, min(255, ms // 250)])
            ms -= min(255, ms // 250) * 250
        else:
            out += bytes([1, max(1, ms // 8)])
            ms -= max(1, ms // 8) * 8
    return out


def reply(status=OK, body=NOBODY):
    return bytes([3, status, body])


def req(k, sess=SESSION):
    return bytes([4, k, sess])


def mode(m):
    return bytes([5, m])


def dpms(off):
    return bytes([6, 1 if off else 0])


STOP, WRITE, IDR_STREAM = bytes([7]), bytes([10]), bytes([11])


def close(reset=False):
    return bytes([8, 1 if reset else 0])


def fail(status):
    return bytes([9, status])


def caps_body(b):
    return bytes([12, len(b) & 255, len(b) >> 8]) + b


def text(chunk, b):
    return bytes([1 | ((chunk - 1) % 64) << 1]) + b


# M1 to playing, with the gap (a short wait before each request of ours).
def to_playing(caps=CAPS_TV, m=M1080_30, m2_first=False):
    ops = []
    if m2_first:
        ops += [req(OPTIONS, NO_SESSION), wait(60), reply()]
    else:
        ops += [reply(), req(OPTIONS, NO_SESSION)]
    ops += [wait(60), reply(OK, caps), mode(m), wait(60), reply(), wait(60), reply(),
            req(SETUP, NO_SESSION), req(PLAY, SESSION)]
    return ops


seeds = {}

# A whole dialogue: capabilities, play, IDRs, keep-alives, standby both
# ways, pause, a mode change, our TEARDOWN and the sink's M8.
seeds["dialogue-whole"] = script(
    SERVER_PORT, *to_playing(), wait(1000), req(IDR), req(IDR), wait(100), req(IDR),
    wait(300), IDR_STREAM, wait(25000), reply(OK, NOBODY | WRONG_SESSION),
    dpms(True), wait(60), reply(), wait(25000), reply(), dpms(False), wait(60), reply(),
    req(PLAY), req(STANDBY), req(PLAY), req(PAUSE), req(PLAY, SESSION_PARAMS),
    mode(M720_30), wait(60), reply(), req(GET, NO_SESSION), wait(1000), STOP, wait(60),
    reply(), req(TEARDOWN))
seeds["dialogue-m2-first-no-gap"] = script(
    NO_GAP | PREFER_CBP | IPV6, *to_playing(m2_first=True, m=M1080_60), wait(500),
    req(IDR), mode(OFF), wait(60), reply(), mode(M480), wait(60), reply(), wait(60),
    reply(), req(PLAY), wait(2000), req(TEARDOWN, NO_SESSION))
seeds["dialogue-dongle"] = script(
    NO_IDR_LIMIT, *to_playing(CAPS_DONGLE, M480), req(IDR), req(IDR), dpms(True),
    wait(60), reply(), dpms(False), wait(60), reply(), req(PLAY), close())
seeds["dialogue-chp-sink"] = script(
    CHP_ONLY | LEVEL_32, *to_playing(CAPS_CHP, M360_30), dpms(True), wait(60), reply(),
    wait(60), reply(E500), dpms(False), wait(60), reply(), req(PLAY), STOP, wait(3000))
seeds["dialogue-chp-source-cbp-sink"] = script(CHP_ONLY, *to_playing(CAPS_DONGLE, M480))
# Refusals and timeouts.
seeds["m1-refused"] = script(0, reply(E404))
seeds["m3-refused"] = script(NO_GAP, reply(), req(OPTIONS, NO_SESSION), reply(E404))
seeds["m4-refused"] = script(NO_GAP, reply(), req(OPTIONS, NO_SESSION), reply(OK, CAPS_TV),
                             mode(M720_30), reply(E406))
seeds["m4-refused-later"] = script(0, *to_playing(), mode(M1080_60), wait(60), reply(E415))
seeds["setup-refused"] = script(NO_GAP, reply(), req(OPTIONS, NO_SESSION),
                                reply(OK, CAPS_TV), mode(M480), reply(), reply(E461))
seeds["no-m1-reply"] = script(0, wait(16000))
seeds["no-m2"] = script(0, reply(), wait(16000))
seeds["no-mode"] = script(0, reply(), req(OPTIONS, NO_SESSION), wait(60),
                          reply(OK, CAPS_TV), mode(ODD), wait(31000))
seeds["no-setup"] = script(NO_GAP, reply(), req(OPTIONS, NO_SESSION), reply(OK, CAPS_TV),
                           mode(M480), reply(), reply(), wait(6000))
seeds["no-play"] = script(NO_GAP, reply(), req(OPTIONS, NO_SESSION), reply(OK, CAPS_TV),
                          mode(M480), reply(), reply(), req(SETUP_PORT, NO_SESSION), wait(6000))
seeds["missing-keepalive"] = script(0, *to_playing(), wait(25000), wait(6000))
seeds["daemon-stalled"] = script(0, *to_playing(), wait(60000), wait(4000), reply())
seeds["teardown-no-m8"] = script(0, *to_playing(), STOP, wait(60), reply(), wait(2500))
seeds["teardown-refused"] = script(0, *to_playing(), STOP, wait(60), reply(E500))
seeds["stop-early"] = script(0, reply(), STOP)
seeds["sink-teardown"] = script(0, *to_playing(), req(TEARDOWN))
seeds["closed-reset"] = script(0, *to_playing(), close(True))
seeds["fail"] = script(0, *to_playing(), fail(3))
# Bad capabilities.
seeds["caps-masked"] = script(NO_GAP, reply(), req(OPTIONS, NO_SESSION), reply(OK, CAPS_MASKED))
seeds["caps-tcp"] = script(NO_GAP, reply(), req(OPTIONS, NO_SESSION), reply(OK, CAPS_TCP))
seeds["caps-garbage"] = script(NO_GAP, reply(), req(OPTIONS, NO_SESSION),
                               reply(OK, CAPS_GARBAGE))
edid = bytes([0, 255, 255, 255, 255, 255, 255, 0]) + bytes(118) + bytes([0, 0])
seeds["caps-edid"] = script(
    NO_GAP, reply(), req(OPTIONS, NO_SESSION), caps_body(
        b"wfd_video_formats: 00 00 01 01 00000001 ffffffff 00000000 00 0000 0000 00\r\n"
        b"wfd_display_edid: 0001 " + edid.hex().encode() + b"\r\n"
        b"wfd_audio_codecs: LPCM 00000003 00\r\nintel_sink_information: x\r\n"),
    mode(M480), reply(), reply(), req(SETUP), req(PLAY))
# The sink misbehaving while playing.
seeds["requests-out-of-place"] = script(
    0, req(SETUP, NO_SESSION), req(PLAY, NO_SESSION), req(PAUSE, NO_SESSION),
    req(DESCRIBE), req(BADSET), *to_playing(), req(PLAY, NO_SESSION), req(PAUSE, BAD_SESSION),
    req(IDR, NO_SESSION), req(STANDBY, BAD_SESSION), req(SETUP_TCP), req(SETUP_BADPORT),
    reply(OK, NOBODY | WRONG_CSEQ), req(SETUP))
seeds["garbage-framed"] = script(
    0, *to_playing(), data(b"HELLO WORLD\r\n\r\n"),
    data(b"PLAY rtsp://x RTSP/1.0\r\nCSeq: 6\r\nSession: \x1b[2J\xff\r\n\r\n"),
    data(b"RTSP/1.0 200 OK\r\nCSeq: 777\r\n\r\n"))
seeds["garbage-unframeable"] = script(0, *to_playing(), data(b"z" * 1100))
seeds["pipelined-burst"] = script(
    0, *to_playing(), data(b"GET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 9\r\n\r\n" * 240))
seeds["idr-storm"] = script(0, *to_playing(), *([req(IDR), wait(8)] * 80))
# A sink that sends but no longer reads: in standby, its replies pile up
# behind our M12 (which waits for the gap) until the one to its PAUSE
# does not fit.  The session ends once (make fuzz found it ending twice).
seeds["pause-reply-overflow"] = script(
    0, *to_playing(), dpms(True), *([req(GET, NO_SESSION)] * 817), req(PAUSE))
# More of the sink's requests in one read than the action queue holds,
# then its TEARDOWN: the END is not dropped.
seeds["action-burst-end"] = script(0, *to_playing(), data(b"".join(
    b"%s rtsp://10.0.0.1/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: %d\r\nSession: 00000000\r\n\r\n"
    % (b"PLAY" if i & 1 else b"PAUSE", 100 + i) for i in range(32)) +
    b"TEARDOWN rtsp://10.0.0.1/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 999\r\n\r\n"))
seeds["stream-idr"] = script(0, *to_playing(), *([IDR_STREAM, wait(100)] * 8))

# What the sink sends, as text.
sink_side = (
    b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: org.wfa.wfd1.0, GET_PARAMETER, SET_PARAMETER\r\n\r\n"
    b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nRequire: org.wfa.wfd1.0\r\n\r\n"
    b"RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: text/parameters\r\nContent-Length: 385\r\n\r\n"
    b"wfd_video_formats: 00 00 03 10 0001ffff 3fffffff 00000fff 00 0000 0000 11 none none\r\n"
    b"wfd_audio_codecs: LPCM 00000003 00, AAC 0000000f 00\r\n"
    b"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\r\n"
    b"wfd_display_edid: none\r\nwfd_idr_request_capability: 1\r\n"
    b"wfd_content_protection: HDCP2.1 port=1189\r\nwfd_standby_resume_capability: supported\r\n"
    b"RTSP/1.0 200 OK\r\nCSeq: 3\r\n\r\n"
    b"RTSP/1.0 200 OK\r\nCSeq: 4\r\n\r\n"
    b"SETUP rtsp://10.0.0.1/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 2\r\n"
    b"Transport: RTP/AVP/UDP;unicast;client_port=19000-19001\r\n\r\n"
    b"PLAY rtsp://10.0.0.1/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 3\r\nSession: 12345678\r\n\r\n"
    b"SET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 4\r\nSession: 12345678\r\n"
    b"Content-Length: 17\r\n\r\nwfd_idr_request\r\n"
    b"RTSP/1.0 200 OK\r\nCSeq: 5\r\nSession: 12345678\r\n\r\n"
    b"TEARDOWN rtsp://10.0.0.1/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 5\r\nSession: 12345678\r\n\r\n")
seeds["text-sink-dialogue"] = text(64, sink_side)
seeds["text-sink-dialogue-bytewise"] = text(1, sink_side)
# What the source sends, as text (M1, M3, M4, M5, M16, replies).
source_side = (
    b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nRequire: org.wfa.wfd1.0\r\n\r\n"
    b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: org.wfa.wfd1.0, SETUP, TEARDOWN, PLAY, PAUSE, "
    b"GET_PARAMETER, SET_PARAMETER\r\n\r\n"
    b"GET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 2\r\n"
    b"Content-Type: text/parameters\r\nContent-Length: 173\r\n\r\n"
    b"wfd_video_formats\r\nwfd_audio_codecs\r\nwfd_client_rtp_ports\r\nwfd_display_edid\r\n"
    b"wfd_idr_request_capability\r\nwfd_content_protection\r\nwfd_standby_resume_capability\r\n"
    b"SET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 3\r\n"
    b"Content-Type: text/parameters\r\nContent-Length: 263\r\n\r\n"
    b"wfd_video_formats: 00 00 01 10 00000080 00000000 00000000 00 0000 0000 00 none none\r\n"
    b"wfd_audio_codecs: LPCM 00000002 00\r\n"
    b"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\r\n"
    b"wfd_presentation_URL: rtsp://10.0.0.1/wfd1.0/streamid=0 none\r\n"
    b"SET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 4\r\n"
    b"Content-Type: text/parameters\r\nContent-Length: 27\r\n\r\nwfd_trigger_method: SETUP\r\n"
    b"RTSP/1.0 200 OK\r\nCSeq: 2\r\nSession: 1234ABCD;timeout=30\r\n"
    b"Transport: RTP/AVP/UDP;unicast;client_port=19000-19001;server_port=40000-40001\r\n\r\n"
    b"RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: 1234ABCD\r\nRange: npt=now-\r\n\r\n"
    b"GET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 5\r\nSession: 1234ABCD\r\n\r\n"
    b"SET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 6\r\nSession: 1234ABCD\r\n"
    b"Content-Type: text/parameters\r\nContent-Length: 13\r\n\r\nwfd_standby\r\n"
    b"SET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 7\r\nSession: 1234ABCD\r\n"
    b"Content-Type: text/parameters\r\nContent-Length: 30\r\n\r\nwfd_trigger_method: TEARDOWN\r\n")
seeds["text-source-dialogue"] = text(37, source_side)
# Parameter bodies with the quirks of real sinks.
seeds["text-params-tv"] = text(64, (
    b"wfd_content_protection: HDCP2.1 port=1189\r\n"
    b"wfd_video_formats: 28 00 02 10 0001ffff 3fffffff 00000fff 00 0000 0000 11 none none, "
    b"01 04 000000ab ffffffff 00000000 00 0000 0000 11 0780 0438\r\n"
    b"wfd_audio_codecs: LPCM 00000003 00, AAC 0000000f 00, AC3 00000007 00\r\n"
    b"wfd_display_edid: 0000 none\r\nwfd_connector_type: 05\r\n"
    b"intel_sink_manufacturer_name: none\r\n"
    b"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\r\n"
    b"wfd_idr_request_capability: 1\r\nwfd_standby_resume_capability: supported\r\n"
    b"wfd_uibc_capability: none\r\nWFD_PRESENTATION_URL: rtsp://10.0.0.1/wfd1.0/streamid=0 none\r\n"
    b"wfd_trigger_method: PAUSE\r\nwfd_idr_request\r\nwfd_standby\r\n"))
seeds["text-params-dongle"] = text(5, (
    b"wfd_video_formats: 00 00 01 01 000000A1 00000000 00000000 00 0000 0000 00\n"
    b"wfd_audio_codecs: none\nwfd_client_rtp_ports: RTP/AVP/TCP;unicast 1028 0 mode=play\n"
    b"wfd_display_edid: 0001 " + edid.hex().upper().encode() + b"\n"
    b"wfd_content_protection: HDCP2.0 port=1189\nwfd_video_formats: none\n"))
seeds["text-params-malformed"] = text(64, (
    b"wfd_video_formats: 00 00 01 01 0000000g 00000000 00000000 00 0000 0000 00\r\n"
    b"wfd_audio_codecs: MP3 00000003 00\r\nwfd_client_rtp_ports: RTP/AVP/UDP;unicast x 0 mode=play\r\n"
    b"wfd_display_edid: 0005 00\r\nwfd_idr_request_capability: 2\r\n"
    b"wfd_content_protection: HDCP3 port=1\r\nwfd_standby_resume_capability: yes\r\n"
    b"wfd_presentation_URL: http://x none\r\nwfd_trigger_method: JUMP\r\nno colon\r\n"))
# Framing edges.
seeds["text-framing"] = text(3, (
    b"\r\n\r\nOPTIONS * HTTP/1.1\r\n\r\nRTSP/1.0 2x0 OK\r\n\r\n"
    b"RTSP/1.0 200 OK\r\nno colon here\r\nCSeq: 9\r\n\r\n"
    b"BAD\r\nContent-Length: 5\r\n\r\nxxxxxOPTIONS * RTSP/1.0\r\n\r\n"
    b"RTSP/1.0 200 OK\r\nContent-Length: 2\r\ncontent-length: 3\r\n\r\n"))
seeds["text-nul"] = text(64, b"OPTIONS * RTSP/1.0\r\nCSeq: 1\x00x\r\n\r\n")
seeds["text-too-long"] = text(64, b"RTSP/1.0 200 OK\r\nContent-Length: 5000\r\n\r\n" + b"a" * 100)

os.makedirs(OUT, exist_ok=True)
for name, b in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(b)
print(f"{len(seeds)} seeds in {OUT}", file=sys.stderr)
