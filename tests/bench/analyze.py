#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn the raw logs of tests/bench/guest.sh into tables.

usage: analyze.py DIR                 writes DIR/results.{txt,csv,json}
       analyze.py --summary OUT ABI|SERIES...   prints every kernel's tables

Every time in the logs is CLOCK_MONOTONIC (ns) of the same guest, so
differences between processes are real latencies.  Absolute figures are
from QEMU TCG (emulated CPU); compare ratios from the same run.

Each point runs several times (files and tags ending in -rN): tables give
the median of the runs, and "median (worst-best)" for the ratios that
targets are judged on; a target is met only when the worse end is.
"""
import csv
import glob
import json
import os
import statistics
import subprocess
import sys

PATTERN_BITS = 16
PATTERN_BAR_H = 32


def read_rows(path):
    """Lines of whitespace-separated integers (text fields stay strings)."""
    rows = []
    try:
        with open(path) as f:
            for line in f:
                fields = line.split()
                if not fields:
                    continue
                row = []
                for x in fields:
                    try:
                        row.append(int(x))
                    except ValueError:
                        row.append(x)
                rows.append(row)
    except FileNotFoundError:
        pass
    return rows


def keyvals(path):
    kv = {}
    for row in read_rows(path):
        kv[str(row[0])] = row[1] if len(row) == 2 else " ".join(str(x) for x in row[1:])
    return kv


def rep_of(name):
    """(name without its -rN suffix, N); runs before repeats were made: 1."""
    base, _, n = name.rpartition("-r")
    if base and n.isdigit():
        return base, int(n)
    return name, 1


def median(values):
    v = [x for x in values if x is not None]
    return statistics.median(v) if v else None


def spread(values, lower_is_better=True):
    """(median, worse end, better end) of the runs' values."""
    v = [x for x in values if x is not None]
    if not v:
        return None
    worst, best = (max(v), min(v)) if lower_is_better else (min(v), max(v))
    return {"median": statistics.median(v), "worst": worst, "best": best, "runs": len(v)}


def fmt_spread(sp, nd=2):
    if not sp:
        return "-"
    if sp["runs"] == 1:
        return fmt(sp["median"], nd)
    return "%s (%s-%s)" % (fmt(sp["median"], nd), fmt(sp["worst"], nd), fmt(sp["best"], nd))


def bursts(times, gap_ns=500000):
    """Runs of datagrams less than @gap_ns apart: (size, duration ns) of each."""
    out = []
    start = prev = None
    n = 0
    for t in times:
        if prev is not None and t - prev < gap_ns:
            n += 1
        else:
            if n:
                out.append((n, prev - start))
            start, n = t, 1
        prev = t
    if n:
        out.append((n, prev - start))
    return out


def pct(values, p):
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def ms(ns):
    return None if ns is None else ns / 1e6


def mean(values):
    return statistics.fmean(values) if values else None


def pacing(flip_log, nominal_ns):
    """Flip intervals from the flip events' timestamps (the vblank time the
    driver reports) and from the times the client read the events (what a
    compositor sees, scheduling included)."""
    rows = [r for r in read_rows(flip_log) if len(r) >= 4 and r[3]]
    # evdi's flip events carry no timestamp (0): its stamp columns stay empty.
    ts = [r[2] for r in rows if r[2]]
    iv = [b - a for a, b in zip(ts, ts[1:])] or [0]
    rv = [b[3] - a[3] for a, b in zip(rows, rows[1:])]
    if len(rv) < 2:
        return None
    dev = [abs(x - nominal_ns) for x in rv]
    return {
        "flips": len(rows),
        "stamp_interval_mean_ms": ms(mean(iv)),
        "stamp_interval_stdev_ms": ms(statistics.pstdev(iv)),
        "interval_mean_ms": ms(mean(rv)),
        "interval_stdev_ms": ms(statistics.pstdev(rv)),
        "nominal_ms": ms(nominal_ns),
        "abs_dev_p50_us": pct(dev, 50) / 1e3,
        "abs_dev_p99_us": pct(dev, 99) / 1e3,
        "late_intervals_pct": 100.0 * sum(x > 1.5 * nominal_ns for x in rv) / len(rv),
    }


def commit_times(flip_log):
    """Frame number -> time the client started committing it."""
    return {r[0]: r[1] for r in read_rows(flip_log) if len(r) >= 2}


def latest_commit_before(commits, t):
    best = None
    for c in commits:
        if c <= t and (best is None or c > best):
            best = c
    return best


def decode_barcodes(ts_path, width):
    """Frame numbers of the decoded pictures of a transport stream, in order."""
    if not os.path.exists(ts_path) or os.path.getsize(ts_path) == 0:
        return []
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-i", ts_path, "-map", "0:v:0",
           "-vf", "crop=iw:%d:0:0,format=gray" % PATTERN_BAR_H,
           "-fps_mode", "passthrough", "-f", "rawvideo", "-"]
    raw = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         check=False).stdout
    size = width * PATTERN_BAR_H
    row = PATTERN_BAR_H // 2
    out = []
    for off in range(0, len(raw) - size + 1, size):
        n = 0
        for bit in range(PATTERN_BITS):
            x = (2 * bit + 1) * width // (2 * PATTERN_BITS)
            n = n << 1 | (raw[off + row * width + x] >= 0x80)
        out.append(n)
    return out


def pipeline_point(d, pt):
    tag, pipe, res, fps, kbps = pt[:5]
    # time, CPU and wake-ups at the window's start and end, then "static"
    t1, c1, w1, t2, c2, w2 = (pt[5:11] + [None] * 6)[:6] if len(pt) >= 11 else (None,) * 6
    static = len(pt) > 11 and pt[11] == "static"
    w, h = (int(x) for x in res.split("x"))
    p = os.path.join(d, tag)
    r = {"tag": tag, "point": rep_of(tag)[0], "rep": rep_of(tag)[1], "pipeline": pipe,
         "mode": "%s@%d" % (res, fps), "kbps": kbps, "static": static}
    if not isinstance(t1, int) or not isinstance(t2, int):
        r["error"] = "no measurement window (the encoder process was gone)"
        return r
    win = (t2 - t1) / 1e9
    pes = read_rows(p + ".pes")
    pkts = read_rows(p + ".pkt")
    commits = commit_times(p + ".flip")
    ns = decode_barcodes(p + ".ts", w)
    r["window_s"] = win
    r["pes"] = len(pes)
    r["decoded"] = len(ns)
    if len(ns) != len(pes):
        # A picture that does not decode would shift the pairing.
        r["warning"] = "%d PES but %d decoded pictures" % (len(pes), len(ns))
    seen = set()
    lat, sent_in_window, new_in_window = [], 0, 0
    for k, (idx, first, last, size) in enumerate(pes[:len(ns)]):
        n = ns[k]
        fresh = n not in seen
        seen.add(n)
        if not t1 <= last <= t2:
            continue
        sent_in_window += 1
        if fresh:
            new_in_window += 1
            if n in commits and commits[n] <= last:
                lat.append(last - commits[n])
    committed = [n for n, t in commits.items() if t1 <= t <= t2 and n > 0]
    dropped = sum(1 for n in committed if n not in seen)
    r["frames_sent"] = sent_in_window
    r["fps"] = new_in_window / win
    r["committed_fps"] = len(committed) / win
    r["dropped"] = dropped
    r["dropped_pct"] = 100.0 * dropped / len(committed) if committed else None
    for q in (50, 95, 99):
        r["latency_p%d_ms" % q] = ms(pct(lat, q))
    r["latency_samples"] = len(lat)
    nbytes = sum(row[1] for row in pkts if t1 <= row[0] <= t2)
    r["kbit_s"] = nbytes * 8 / win / 1000
    # Bursts at the receiver, from the times the kernel queued the
    # datagrams (on loopback: when they were sent).
    kt = [row[2] for row in pkts if len(row) >= 3 and row[2] and t1 <= row[0] <= t2]
    if kt:
        b = bursts(kt)
        big = max(b, key=lambda x: x[0])
        r["burst_max"] = big[0]
        r["burst_max_ms"] = ms(big[1])
        r["burst_p99"] = pct([x[0] for x in b], 99)
    if isinstance(w1, int) and isinstance(w2, int):
        r["wakeups_s"] = (w2 - w1) / win
    r["cpu_ms_per_s"] = (c2 - c1) / 1e6 / win
    r["cpu_pct"] = (c2 - c1) / (t2 - t1) * 100
    r["cpu_ms_per_frame"] = (c2 - c1) / 1e6 / sent_in_window if sent_in_window else None
    frames = [f for f in read_rows(p + ".frames") if len(f) >= 12 and t1 <= f[11] <= t2]
    if frames:
        for i, stage in enumerate(("acquire", "convert", "encode", "send")):
            r["wall_ms_" + stage] = ms(mean([f[3 + 2 * i] for f in frames]))
            r["cpu_ms_" + stage] = ms(mean([f[4 + 2 * i] for f in frames]))
        r["h264_bytes_per_frame"] = mean([f[2] for f in frames])
        r["refreshes"] = sum(1 for f in frames if f[0] == 0)
    # Bytes of pixel data each path copies or converts per frame, from the
    # code (Documentation/performance.rst): wfdd reads the dma-buf once,
    # converting into I420; ffmpeg's hwdownload copies the picture out of
    # the dma-buf first and converts it after.  Both encoders copy the
    # I420 picture in.
    yuv = w * h * 3 // 2
    if pipe == "ffmpeg":
        r["copy_bytes_per_frame"] = w * h * 4 + w * h * 4 + yuv
        r["copy_detail"] = "hwdownload copy %d + swscale read %d + encoder input %d" % (
            w * h * 4, w * h * 4, yuv)
    else:
        r["copy_bytes_per_frame"] = w * h * 4 + yuv
        r["copy_detail"] = "convert read %d (writes %d) + encoder input %d" % (
            w * h * 4, yuv, yuv)
    return r


def kernel_reps(d):
    """The runs of the kernel figures: suffixes "-r1"... (or "" for one run)."""
    reps = sorted({int(f.rsplit("-r", 1)[1][:-4]) for f in
                   (os.path.basename(x) for x in glob.glob(os.path.join(d, "k-flip-wfd-r*.log")))
                   if f.rsplit("-r", 1)[1][:-4].isdigit()})
    return ["-r%d" % r for r in reps] or [""]


def kernel_figures(d, res):
    k = {}
    runs = {drv: [] for drv in ("wfd", "wfd-alone", "vkms")}
    fr, internal, rt = [], [], []
    reps = kernel_reps(d)
    for rep in reps:
        for drv in runs:
            err = " ".join(" ".join(map(str, r)) for r in
                           read_rows(os.path.join(d, "k-flip-%s%s.err" % (drv, rep))))
            rate = 60
            for word in err.split():
                if "@" in word and word.split("@")[-1].isdigit():
                    rate = int(word.split("@")[-1])
            runs[drv].append(pacing(os.path.join(d, "k-flip-%s%s.log" % (drv, rep)), 1e9 / rate))
        sess = read_rows(os.path.join(d, "k-session%s.log" % rep))
        commits = sorted(commit_times(os.path.join(d, "k-flip-wfd%s.log" % rep)).values())
        for s in sess:
            if len(s) < 6:
                continue
            c = latest_commit_before(commits, s[1])
            if c is not None:
                fr.append(s[2] - c)
            internal.append(s[2] - s[1])
            rt.append(s[3] + s[4])
    k["runs"] = len(reps)
    for drv, pcs in runs.items():
        pcs = [x for x in pcs if x]
        if pcs:
            # The median run of each figure.
            k["pacing_" + drv] = {key: median([x[key] for x in pcs]) for key in pcs[0]}
    # Jitter against vkms, run by run (each run measures both in turn).
    for drv in ("wfd", "wfd-alone"):
        k["jitter_ratio_" + drv] = spread([
            ratio(a["interval_stdev_ms"], b["interval_stdev_ms"])
            for a, b in zip(runs[drv], runs["vkms"]) if a and b])
    k["frame_ready"] = {
        "samples": len(fr),
        "commit_to_event_p50_ms": ms(pct(fr, 50)),
        "commit_to_event_p99_ms": ms(pct(fr, 99)),
        "kernel_stamp_to_event_p50_ms": ms(pct(internal, 50)),
        "acquire_release_p50_ms": ms(pct(rt, 50)),
        "acquire_release_p99_ms": ms(pct(rt, 99)),
    }
    hp = read_rows(os.path.join(d, "k-hotplug.log"))
    if hp:
        k["hotplug"] = {
            "iterations": len(hp),
            "connect_to_uevent_p50_ms": ms(pct([r[1] for r in hp], 50)),
            "connect_to_uevent_max_ms": ms(max(r[1] for r in hp)),
            "status_to_uevent_p50_ms": ms(pct([r[2] for r in hp], 50)),
            "status_to_uevent_max_ms": ms(max(r[2] for r in hp)),
        }
    shared = keyvals(os.path.join(d, "k-shared%s.txt" % reps[0]))
    st = keyvals(os.path.join(d, "k-session%s.txt" % reps[0]))
    k["copies"] = {
        "kernel_pixel_bytes_per_frame": 0,
        "frames": st.get("session_frames"),
        "buffers_handed_over": st.get("session_buffers"),
        "client_buffers": 2,
        "marker_seen_by_client": shared.get("shared_buffers_marked"),
        "how": "the session wrote a marker through the dma-buf of each buffer it "
               "was handed; the committing client found it in its own dumb "
               "buffer's mapping before redrawing: the pages are the client's, "
               "and only its 2 buffers were ever handed over",
    }
    res["kernel"] = k


def evdi_figures(d, res):
    grabs = read_rows(os.path.join(d, "e-grab.log"))
    if not grabs:
        return
    e = {}
    ecommits = commit_times(os.path.join(d, "e-flip.log"))
    glat = [g[3] - ecommits[g[0]] for g in grabs if g[0] in ecommits and ecommits[g[0]] <= g[3]]
    e["evdi"] = {
        "frames": len(grabs),
        "handover_p50_ms": ms(pct([g[3] - g[2] for g in grabs], 50)),
        "handover_mean_ms": ms(mean([g[3] - g[2] for g in grabs])),
        "copied_bytes_per_frame": mean([g[5] for g in grabs]),
        "commit_to_user_p50_ms": ms(pct(glat, 50)),
        "commit_to_user_p95_ms": ms(pct(glat, 95)),
        "pacing": pacing(os.path.join(d, "e-flip.log"), 1e9 / 60),
    }
    sess = read_rows(os.path.join(d, "e-wfd-session.log"))
    wcommits = commit_times(os.path.join(d, "e-wfd-flip.log"))
    wlat = [s[6] - wcommits[s[7]] for s in sess
            if len(s) >= 8 and s[7] in wcommits and wcommits[s[7]] <= s[6]]
    e["wfd"] = {
        "frames": len(sess),
        "handover_p50_ms": ms(pct([s[3] + s[4] for s in sess], 50)),
        "handover_mean_ms": ms(mean([s[3] + s[4] for s in sess])),
        "copied_bytes_per_frame": 0,
        "commit_to_user_p50_ms": ms(pct(wlat, 50)),
        "commit_to_user_p95_ms": ms(pct(wlat, 95)),
        "pacing": pacing(os.path.join(d, "e-wfd-flip.log"), 1e9 / 60),
    }
    res["evdi"] = e


def fmt(v, nd=2):
    if v is None:
        return "-"
    if isinstance(v, float):
        return "%.*f" % (nd, v)
    return str(v)


def ratio(a, b):
    return a / b if a is not None and b else None


def group_points(pts):
    """Points by (mode, pipeline): their runs, in run order."""
    by = {}
    for p in pts:
        if "error" not in p:
            by.setdefault((p["mode"], p["pipeline"]), []).append(p)
    for runs in by.values():
        runs.sort(key=lambda p: p["rep"])
    return by


def med(runs, key):
    return median([p.get(key) for p in runs])


def paired(runs, others, key):
    """Ratios run by run (each run measured both, one after the other)."""
    o = {p["rep"]: p for p in others}
    return [ratio(p.get(key), o[p["rep"]].get(key)) for p in runs if p["rep"] in o]


def wfd_idle_figures(d):
    """Wake-ups and CPU of wfdd serving the test sink, per scenario and run."""
    out = {}
    for row in read_rows(os.path.join(d, "idle.txt")):
        if len(row) < 7 or not all(isinstance(x, int) for x in row[1:7]):
            continue
        tag, t1, c1, w1, t2, c2, w2 = row[:7]
        name, rep = rep_of(tag)
        out.setdefault(name, []).append({
            "rep": rep, "window_s": (t2 - t1) / 1e9,
            "wakeups_s": (w2 - w1) / ((t2 - t1) / 1e9),
            "cpu_pct": (c2 - c1) / (t2 - t1) * 100})
    return out


def audio_figures(d):
    """Sound: check_audio's rows (latency, A/V offset) and aaccost's line."""
    out = {}
    try:
        lines = open(os.path.join(d, "audio.txt")).read().splitlines()
    except OSError:
        return out
    for line in lines:
        w = line.split()
        if len(w) >= 12 and w[0] == "audio-row":
            out[w[1]] = {w[i]: float(w[i + 1]) for i in range(2, len(w) - 1, 2)}
        elif line.startswith("aaccost:") and "ms per second" in line:
            out["aac_cpu_ms_per_s"] = float(line.split(":")[2].split()[0])
    return out


WFD_IDLE = (
    ("w-static-skip", "playing, static picture, sink skips frames"),
    ("w-static-noskip", "playing, static picture, sink does not skip"),
    ("w-paused", "paused by the sink (standby), client drawing"),
    ("w-dpms", "standby: the output off (DPMS)"),
)


def tables(res):
    out = []
    info = res["info"]
    out.append("kernel %s (Debian %s), %s x%s, QUICK=%s, %s runs of each point; all absolute "
               "times are QEMU TCG" % (
                   info.get("kernel"), info.get("debian_version", "?"), info.get("cpu"),
                   info.get("ncpu"), info.get("quick"), info.get("repeats", 1)))
    out.append("(medians of the runs; \"m (w-b)\": median, worse and better run)")
    k = res.get("kernel", {})
    out.append("")
    out.append("KERNEL: flip pacing (1280x720@60, flips between two drawn buffers); intervals between "
               "flip events as read by the client, and between their timestamps (%s runs)" %
               k.get("runs", 1))
    out.append("  %-9s %7s %10s %10s %13s %13s %7s %11s %11s" % (
        "driver", "flips", "mean ms", "stdev ms", "|dev| p50 us", "|dev| p99 us", "late %",
        "stamp mean", "stamp stdev"))
    for drv in ("wfd", "wfd-alone", "vkms"):
        pc = k.get("pacing_" + drv)
        if pc:
            out.append("  %-9s %7d %10s %10s %13s %13s %7s %11s %11s" % (
                drv, pc["flips"], fmt(pc["interval_mean_ms"]), fmt(pc["interval_stdev_ms"]),
                fmt(pc["abs_dev_p50_us"], 0), fmt(pc["abs_dev_p99_us"], 0),
                fmt(pc["late_intervals_pct"], 1), fmt(pc["stamp_interval_mean_ms"]),
                fmt(pc["stamp_interval_stdev_ms"])))
    if k.get("jitter_ratio_wfd"):
        out.append("  jitter (stdev) wfd/vkms: %s, with no session (wfd-alone)/vkms: %s" % (
            fmt_spread(k.get("jitter_ratio_wfd")), fmt_spread(k.get("jitter_ratio_wfd-alone"))))
    out.append("  (wfd: with wfdd's session holding each frame until encoded; wfd-alone: forced on, "
               "no session)")
    f = k.get("frame_ready", {})
    out.append("KERNEL: commit -> FRAME_READY read p50 %s ms, p99 %s ms (kernel stamp -> read p50 %s ms); "
               "acquire+release p50 %s ms, p99 %s ms (%s frames)" % (
                   fmt(f.get("commit_to_event_p50_ms")), fmt(f.get("commit_to_event_p99_ms")),
                   fmt(f.get("kernel_stamp_to_event_p50_ms")), fmt(f.get("acquire_release_p50_ms")),
                   fmt(f.get("acquire_release_p99_ms")), f.get("samples")))
    hp = k.get("hotplug")
    if hp:
        out.append("KERNEL: hotplug uevent: CONNECT p50 %s ms (max %s), REPORT_STATUS p50 %s ms (max %s), %d runs" % (
            fmt(hp["connect_to_uevent_p50_ms"]), fmt(hp["connect_to_uevent_max_ms"]),
            fmt(hp["status_to_uevent_p50_ms"]), fmt(hp["status_to_uevent_max_ms"]), hp["iterations"]))
    c = k.get("copies", {})
    out.append("KERNEL: pixel bytes copied per frame: 0 (%s frames handed over as %s buffers, the "
               "client's %s; a marker written through the handed dma-buf was found %s times in the "
               "client's own mapping)" % (
                   c.get("frames"), c.get("buffers_handed_over"), c.get("client_buffers"),
                   c.get("marker_seen_by_client")))

    allpts = res.get("pipeline", [])
    by = group_points([p for p in allpts if not p.get("static")])
    for p in allpts:
        if "error" in p:
            out.append("  %s: %s" % (p["tag"], p["error"]))
    if by:
        out.append("")
        out.append("PIPELINE: commit -> last RTP packet at a loopback receiver (ms), fps, CPU")
        out.append("  %-14s %-8s %4s %6s %6s %6s %6s %6s %6s %8s %8s %7s %s" % (
            "mode", "pipeline", "runs", "p50", "p95", "p99", "fps", "commit", "drop%", "cpu/fr",
            "kbit/s", "cpu%", "stage cpu ms acq/conv/enc/send"))
        for (mode, pipe), runs in by.items():
            stages = "/".join(fmt(med(runs, "cpu_ms_" + x)) for x in
                              ("acquire", "convert", "encode", "send")) \
                if "cpu_ms_encode" in runs[0] else "-"
            warn = [p["warning"] for p in runs if "warning" in p]
            out.append("  %-14s %-8s %4d %6s %6s %6s %6s %6s %6s %8s %8s %7s %s%s" % (
                mode, pipe, len(runs), fmt(med(runs, "latency_p50_ms"), 1),
                fmt(med(runs, "latency_p95_ms"), 1), fmt(med(runs, "latency_p99_ms"), 1),
                fmt(med(runs, "fps"), 1), fmt(med(runs, "committed_fps"), 1),
                fmt(med(runs, "dropped_pct"), 0), fmt(med(runs, "cpu_ms_per_frame")),
                fmt(med(runs, "kbit_s"), 0), fmt(med(runs, "cpu_pct"), 0), stages,
                "  (" + warn[0] + ")" if warn else ""))
        out.append("")
        out.append("PIPELINE: ratios wfdd/ffmpeg, run by run, same input (latency, CPU, copies: < 1 "
                   "favours wfdd; fps: > 1)")
        out.append("  %-14s %-8s %18s %18s %18s %10s %8s" % (
            "mode", "encoder", "p95 lat", "cpu/fr", "fps", "copy B/fr", "copies"))
        for (mode, pipe), runs in by.items():
            f = by.get((mode, "ffmpeg"))
            if pipe == "ffmpeg" or not f:
                continue
            out.append("  %-14s %-8s %18s %18s %18s %10s %8s" % (
                mode, pipe, fmt_spread(spread(paired(runs, f, "latency_p95_ms"))),
                fmt_spread(spread(paired(runs, f, "cpu_ms_per_frame"))),
                fmt_spread(spread(paired(runs, f, "fps"), lower_is_better=False)),
                fmt(runs[0]["copy_bytes_per_frame"], 0),
                fmt(ratio(runs[0]["copy_bytes_per_frame"], f[0]["copy_bytes_per_frame"]))))
        out.append("")
        out.append("PACING: bursts at the receiver (datagrams less than 0.5 ms apart, by the kernel's "
                   "arrival times); largest burst, its duration, 99th percentile burst")
        out.append("  %-14s %-8s %18s %16s %12s" % ("mode", "pipeline", "largest burst",
                                                   "its duration ms", "p99 burst"))
        for (mode, pipe), runs in by.items():
            if not any("burst_max" in p for p in runs):
                continue
            out.append("  %-14s %-8s %18s %16s %12s" % (
                mode, pipe, fmt_spread(spread([p.get("burst_max") for p in runs]), 0),
                fmt(med(runs, "burst_max_ms"), 2), fmt(med(runs, "burst_p99"), 0)))
    idle = group_points([p for p in allpts if p.get("static")])
    if idle:
        out.append("")
        out.append("IDLE: a static picture, direct mode (--rtp)")
        for (mode, pipe), runs in idle.items():
            out.append("  %-8s %s for %.0f s: CPU %s %%, wake-ups %s /s, %s kbit/s, %s frames "
                       "sent%s" % (
                           pipe, mode, runs[0]["window_s"],
                           fmt_spread(spread([p.get("cpu_pct") for p in runs])),
                           fmt_spread(spread([p.get("wakeups_s") for p in runs]), 1),
                           fmt(med(runs, "kbit_s"), 1), fmt(med(runs, "frames_sent"), 0),
                           " (%s refreshes)" % fmt(med(runs, "refreshes"), 0)
                           if "refreshes" in runs[0] else ""))
    wi = res.get("wfd_idle")
    if wi:
        out.append("")
        out.append("IDLE: wfdd serving a Wi-Fi Display sink (the test sink), 1280x720@30")
        out.append("  %-48s %20s %18s" % ("", "wake-ups /s", "CPU %"))
        for name, what in WFD_IDLE:
            runs = wi.get(name)
            if runs:
                out.append("  %-48s %20s %18s" % (
                    what, fmt_spread(spread([r["wakeups_s"] for r in runs]), 1),
                    fmt_spread(spread([r["cpu_pct"] for r in runs]), 2)))
    au = res.get("audio")
    if au:
        out.append("")
        out.append("SOUND: a click played into wfd-output-1 at each flash of a 320x240 picture")
        out.append("  %-6s %8s %22s %22s %22s %22s" % (
            "", "flashes", "latency p50 ms", "latency p95 ms", "A/V offset p50 ms",
            "|A/V offset| p95 ms"))
        for codec in ("lpcm", "aac"):
            x = au.get(codec)
            if x:
                out.append("  %-6s %8d %22s %22s %22s %22s" % (
                    codec, x["flashes"], fmt(x["latency_median_ms"], 1),
                    fmt(x["latency_p95_ms"], 1), fmt(x["av_median_ms"], 1),
                    fmt(x["av_p95_abs_ms"], 1)))
        if "aac_cpu_ms_per_s" in au:
            out.append("  AAC encoder: %s ms of CPU per second of audio" %
                       fmt(au["aac_cpu_ms_per_s"], 2))
    e = res.get("evdi")
    if e:
        out.append("")
        out.append("EVDI vs WFD: getting a 1920x1080 frame to user space")
        out.append("  %-5s %7s %12s %12s %12s %12s %14s" % (
            "", "frames", "handover p50", "handover avg", "commit->user", "p95", "copied B/fr"))
        for name in ("evdi", "wfd"):
            x = e[name]
            out.append("  %-5s %7d %12s %12s %12s %12s %14s" % (
                name, x["frames"], fmt(x["handover_p50_ms"], 3), fmt(x["handover_mean_ms"], 3),
                fmt(x["commit_to_user_p50_ms"]), fmt(x["commit_to_user_p95_ms"]),
                fmt(x["copied_bytes_per_frame"], 0)))
        out.append("  hand-over cost wfd/evdi (mean): %s" % fmt(
            ratio(e["wfd"]["handover_mean_ms"], e["evdi"]["handover_mean_ms"]), 3))
        for name in ("evdi", "wfd"):
            pc = e[name]["pacing"]
            if pc:
                out.append("  %-5s flip intervals as read: mean %s ms, stdev %s ms over %d flips" % (
                    name, fmt(pc["interval_mean_ms"]), fmt(pc["interval_stdev_ms"]), pc["flips"]))
    return "\n".join(out) + "\n"


def flatten(prefix, v, rows):
    if isinstance(v, dict):
        for k2, v2 in v.items():
            flatten(prefix + [k2], v2, rows)
    elif isinstance(v, list):
        for item in v:
            name = item.get("tag", "?") if isinstance(item, dict) else "?"
            flatten(prefix + [name], item, rows)
    else:
        rows.append((".".join(prefix[:-1]), prefix[-1], v))


def analyze(d):
    res = {"info": keyvals(os.path.join(d, "info.txt"))}
    kernel_figures(d, res)
    res["pipeline"] = [pipeline_point(d, pt) for pt in read_rows(os.path.join(d, "points.txt"))]
    res["wfd_idle"] = wfd_idle_figures(d)
    res["audio"] = audio_figures(d)
    evdi_figures(d, res)
    with open(os.path.join(d, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    rows = []
    flatten([], res, rows)
    with open(os.path.join(d, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(("section", "metric", "value"))
        w.writerows(rows)
    text = tables(res)
    with open(os.path.join(d, "results.txt"), "w") as f:
        f.write(text)
    return text


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "--summary":
        outdir = sys.argv[2]
        for name in sys.argv[3:]:
            dirs = sorted(glob.glob(os.path.join(outdir, name + ".*")))
            for d in dirs:
                r = os.path.join(d, "results.txt")
                if os.path.exists(r):
                    print("==", os.path.basename(d))
                    print(open(r).read())
        return 0
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.write(analyze(sys.argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
