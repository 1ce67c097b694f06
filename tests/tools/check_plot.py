#!/usr/bin/python3
"""tools/plot draws what the trace holds: each subcommand on a shipped scenario (and sweep on a
small fixture) writes a sane image and reports non-empty data series with the expected counts.

Usage: check_plot.py TCPSIM SOURCE_DIR WORKDIR
"""
import json
import os
import re
import struct
import subprocess
import sys

failures = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def plot(source, args, out):
    r = subprocess.run([os.path.join(source, "tools", "plot")] + args + ["-o", out], capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stdout + r.stderr)
    counts = {m.group(1): int(m.group(2)) for m in re.finditer(r"^plot: \w+: (.+): (\d+) points$", r.stdout, re.M)}
    return r.returncode, counts


def sane_png(path, min_w, min_h):
    size = png_size(path) if os.path.exists(path) else None
    check(size is not None and size[0] >= min_w and size[1] >= min_h and os.path.getsize(path) > 10000,
          "%s is a PNG of at least %dx%d px and 10 kB (got %s, %d bytes)"
          % (os.path.basename(path), min_w, min_h, size, os.path.getsize(path) if os.path.exists(path) else 0))


def main():
    tcpsim, source, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)

    def trace(name, fmt="json"):
        path = os.path.join(work, "%s.trace.%s" % (name, fmt))
        subprocess.run([tcpsim, "run", os.path.join(source, "scenarios", name + ".json"), "-q", "--format", fmt, "-o", path],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return path

    # ladder: the handshake scenario has 8 segments in all (3 handshake, request, response, FIN,
    # FIN-ACK, ACK), every one delivered; both ends change state 5 or 6 times before the last arrives.
    hs = trace("handshake", "jsonl")  # jsonl input works as well as json
    out = os.path.join(work, "ladder.png")
    rc, n = plot(source, ["ladder", hs], out)
    check(rc == 0, "ladder exits 0")
    check(n.get("segments") == 8 and n.get("delivered") == 8 and n.get("dropped") == 0,
          "ladder draws the handshake's 8 segments, all delivered (%s)" % n)
    check(n.get("states", 0) >= 10, "ladder labels the state changes (%s)" % n.get("states"))
    sane_png(out, 600, 400)

    # timeseq: lossy-transfer sends 1,000,000 bytes in 1448-byte segments (MSS 1460 less 12 bytes of
    # timestamps): 690 full segments and one of 880 = 691, plus every retransmission the summary counts.
    lt = trace("lossy-transfer")
    summary = json.load(open(lt))["summary"]["connections"][0]["forward"]
    out = os.path.join(work, "timeseq.png")
    rc, n = plot(source, ["timeseq", lt], out)
    check(rc == 0, "timeseq exits 0")
    check(n.get("segments") == 691 + summary["retransmissions"] and n.get("retransmissions") == summary["retransmissions"],
          "timeseq draws 691 + %d data segments (%s)" % (summary["retransmissions"], n))
    check(n.get("acks", 0) > 0 and n.get("dropped", 0) > 0, "timeseq draws ACKs and drops (%s)" % n)
    sane_png(out, 800, 500)
    svg = os.path.join(work, "timeseq.svg")
    rc, _ = plot(source, ["timeseq", lt, "--start", "0.5", "--end", "1.5"], svg)
    check(rc == 0 and "<svg" in open(svg).read(), "timeseq writes SVG by extension")

    # cwnd: with "cc" records it draws them; without, flight and RTT samples from the segments.
    out = os.path.join(work, "cwnd.png")
    rc, n = plot(source, ["cwnd", lt], out)
    check(rc == 0, "cwnd exits 0")
    check(n and all(v > 0 for k, v in n.items() if "ssthresh" not in k), "cwnd's series are non-empty (%s)" % n)
    sane_png(out, 800, 500)

    # cwnd with "cc" records (written by the congestion-control code): five samples of the client,
    # ssthresh "infinite" (null) in the first two, put into the handshake's jsonl trace.
    lines = [l for l in open(hs).read().splitlines() if '"type":"cc"' not in l]  # only the synthetic ones
    cc = []
    for i in range(5):
        cc.append(json.dumps({"t": 0.03 + i * 0.01, "t_ns": 30000000 + i * 10000000, "type": "cc", "node": "client",
                              "conn": 0, "cwnd": 14480 + i * 1448, "ssthresh": None if i < 2 else 20000,
                              "flight": 1448 * i, "srtt": 0.02, "rttvar": 0.01, "rto": 0.2, "bytes_acked": 1448 * i,
                              "recovery": "open", "cc": "cubic"}))
    with_cc = os.path.join(work, "with-cc.trace.jsonl")
    open(with_cc, "w").write("\n".join(lines[:-1] + cc + lines[-1:]) + "\n")
    out = os.path.join(work, "cwnd-cc.png")
    rc, n = plot(source, ["cwnd", with_cc], out)
    want = {"conn 0 client cwnd": 5, "conn 0 client ssthresh": 3, "conn 0 client flight": 5, "conn 0 client srtt": 5,
            "conn 0 client rto": 5}
    check(rc == 0 and n == want, "cwnd draws the cc records: %s" % n)
    sane_png(out, 800, 500)

    # sweep: a fixture in the statistics layout of tcpsim sweep; 2 queue sizes x 3 loss rates.
    csv = os.path.join(work, "stats.csv")
    with open(csv, "w") as f:
        f.write("loss,queue,metric,n,mean,sd,ci95_low,ci95_high,min,max\n")
        for q in (50, 100):
            for loss in (0.001, 0.01, 0.05):
                mean = 9e6 * (1 - 10 * loss) * (q / 100)
                f.write("%s,%d,goodput_bps,10,%g,%g,%g,%g,%g,%g\n" % (loss, q, mean, mean * 0.05, mean * 0.97, mean * 1.03,
                                                                      mean * 0.9, mean * 1.1))
                f.write("%s,%d,retransmissions,10,%g,1,%g,%g,0,10\n" % (loss, q, loss * 1000, loss * 1000 - 1, loss * 1000 + 1))
    out = os.path.join(work, "sweep.png")
    rc, n = plot(source, ["sweep", csv, "--metric", "goodput_bps", "--x", "loss", "--log-x"], out)
    check(rc == 0 and n == {"queue=50": 3, "queue=100": 3}, "sweep draws one 3-point series per queue size (%s)" % n)
    sane_png(out, 600, 400)
    rc, _ = plot(source, ["sweep", csv, "--metric", "no_such_metric"], out)
    check(rc == 2, "sweep refuses an unknown metric with exit code 2")

    # sweep on what tcpsim sweep really writes (one row per point, columns M_mean, M_ci95_low, ...):
    # the NewReno-vs-CUBIC sweep, 2 congestion controls x 3 loss rates, 2 replications.
    sweep_dir = os.path.join(work, "real-sweep")
    subprocess.run([tcpsim, "sweep", os.path.join(source, "scenarios", "sweeps", "newreno-vs-cubic.json"),
                    "--replications", "2", "--quiet", "--force", "--out-dir", sweep_dir], check=True,
                   stdout=subprocess.DEVNULL)
    real = os.path.join(sweep_dir, "newreno-vs-cubic.stats.csv")
    out = os.path.join(work, "sweep-real.png")
    rc, n = plot(source, ["sweep", real, "--metric", "goodput_bps", "--x", "loss", "--log-x"], out)
    check(rc == 0 and n is not None and sorted(n.values()) == [3, 3] and len(n) == 2,
          "sweep draws tcpsim sweep's own statistics: one 3-point series per congestion control (%s)" % n)
    sane_png(out, 600, 400)

    print("%d failure(s)" % len(failures) if failures else "all ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
