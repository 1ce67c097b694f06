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


def run_plot(source, args, out):
    """(exit code, series counts, stdout, stderr) of tools/plot ARGS -o OUT."""
    r = subprocess.run([os.path.join(source, "tools", "plot")] + args + ["-o", out], capture_output=True, text=True)
    counts = {m.group(1): int(m.group(2)) for m in re.finditer(r"^plot: \w+: (.+): (\d+) points$", r.stdout, re.M)}
    return r.returncode, counts, r.stdout, r.stderr


def plot(source, args, out):
    rc, counts, stdout, stderr = run_plot(source, args, out)
    if rc != 0:
        print(stdout + stderr)
    return rc, counts


def overlapping(boxes):
    """Pairs of [x0, y0, x1, y1] boxes that overlap."""
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]


def label_numbers(text):
    """The seq, ack and SACK numbers in a ladder label."""
    numbers = [int(v) for v in re.findall(r"(?:seq|ack)=(\d+)", text) + re.findall(r"seq=\d+:(\d+)", text)]
    for block in re.findall(r"sack ([\d,-]+)", text):
        numbers += [int(v) for v in re.findall(r"\d+", block)]
    return numbers


def reddish_near(png, x, y, radius=4):
    """Whether the PNG has a red pixel (like tab:red) within radius pixels of (x, y)."""
    import matplotlib.image
    img = matplotlib.image.imread(png)
    h, w = img.shape[:2]
    for yy in range(max(0, int(y) - radius), min(h, int(y) + radius + 1)):
        for xx in range(max(0, int(x) - radius), min(w, int(x) + radius + 1)):
            r, g, b = img[yy, xx][:3]
            if r > 0.7 and g < 0.35 and b < 0.35:
                return True
    return False


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
    # ... and stays as clear as it was: every segment its own label, none on another; the SYNs
    # show the ISNs (1000 and 5000), the segments after them numbers relative to them.
    layout = os.path.join(work, "ladder-handshake.json")
    rc, n = plot(source, ["ladder", hs, "--layout", layout], out)
    lay = json.load(open(layout)) if rc == 0 else {"labels": []}
    texts = [l["text"] for l in lay["labels"]]
    check(n.get("labelled") == 8 and n.get("labels") == 8 and len(texts) == 8,
          "ladder labels each of the handshake's 8 segments on its own (%s)" % n)
    check(not overlapping([l["box"] for l in lay["labels"]]), "no two of the handshake ladder's labels overlap")
    check("SYN seq=1000" in texts and "SYN,ACK seq=5000 ack=1001" in texts and "PSH,ACK seq=1:101 ack=1" in texts
          and "ACK seq=102 ack=202" in texts, "handshake ladder: absolute ISNs in the SYNs, relative after (%s)" % texts)
    rc, _ = plot(source, ["ladder", hs, "--relative", "--layout", layout], out)
    texts = [l["text"] for l in json.load(open(layout))["labels"]] if rc == 0 else []
    check("SYN seq=0" in texts and "SYN,ACK seq=0 ack=1" in texts, "ladder --relative: the SYNs too (%s)" % texts)
    rc, _ = plot(source, ["ladder", hs, "--absolute", "--layout", layout], out)
    texts = [l["text"] for l in json.load(open(layout))["labels"]] if rc == 0 else []
    check("PSH,ACK seq=1001:1101 ack=5001" in texts, "ladder --absolute: seq/ack as on the wire (%s)" % texts)

    # ladder on a packetdrill script's run (tcpsim packetdrill -o): the handshake and a write of
    # 2000 bytes (two 1000-byte segments) between "local" and "remote".
    script = os.path.join(work, "pd.pkt")
    with open(script, "w") as f:
        f.write("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 bind(3, ..., ...) = 0\n+0 listen(3, 1) = 0\n"
                "+0 < S 0:0(0) win 65535 <mss 1000>\n+0 > S. 0:0(0) ack 1 <mss 1460>\n"
                "+.1 < . 1:1(0) ack 1 win 65535\n+0 accept(3, ..., ...) = 4\n"
                "+0 write(4, ..., 2000) = 2000\n+0 > P. 1:2001(2000) ack 1\n+.1 < . 1:1(0) ack 2001 win 65535\n")
    pd_trace = os.path.join(work, "pd.trace.json")
    r = subprocess.run([tcpsim, "packetdrill", script, "-o", pd_trace], capture_output=True, text=True)
    check(r.returncode == 0 and "pass" in r.stdout, "the packetdrill script passes (%s)" % r.stdout.strip())
    rc, n = plot(source, ["ladder", pd_trace], os.path.join(work, "ladder-packetdrill.png"))
    check(rc == 0 and n.get("segments") == 6 and n.get("delivered") == 6,
          "ladder draws a packetdrill run's 6 segments (SYN, SYN-ACK, ACK, 2 data, ACK) (%s)" % n)

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

    # ladder on lossy-transfer: 10-digit ISNs, a burst of 10 segments whose lines fan out, one of
    # them lost, SACKs in the ACKs that come back. Labels carry relative numbers (but in the
    # SYNs), never overlap, and together cover every segment (a burst shares one); the loss is a
    # red cross on a dashed line that stops short of the receiver.
    out = os.path.join(work, "ladder-lossy.png")
    layout = os.path.join(work, "ladder-lossy.json")
    rc, n = plot(source, ["ladder", lt, "--layout", layout], out)
    check(rc == 0, "ladder on lossy-transfer exits 0")
    lay = json.load(open(layout)) if rc == 0 else {"labels": [], "lost": [], "image": [0, 0]}
    labels = lay["labels"]
    big = [l["text"] for l in labels if "SYN" not in l["text"] and any(v >= 10 ** 7 for v in label_numbers(l["text"]))]
    check(labels and not big, "lossy ladder: relative seq/ack/SACK numbers, below 10^7, past the SYNs (%s)" % big)
    check(not overlapping([l["box"] for l in labels]), "lossy ladder: no two labels overlap (%d labels)" % len(labels))
    check(all(0 <= l["box"][0] and l["box"][2] <= lay["image"][0] and 0 <= l["box"][1] and l["box"][3] <= lay["image"][1]
              for l in labels), "lossy ladder: every label inside the picture")
    covered = sum(len(l["pkts"]) for l in labels)
    check(n.get("labelled") == covered and n.get("labels") == len(labels) and n.get("labels", 99) < n.get("segments", 0),
          "lossy ladder: stdout says how many segments are labelled (%s; %d labels cover %d)" % (n, len(labels), covered))
    check(any(re.search(r"\bsack \d+-\d+", l["text"]) for l in labels),
          "lossy ladder: SACK blocks in the ACKs' labels (%s)" % [l["text"] for l in labels if "sack" in l["text"]])
    lost = lay["lost"]
    check(n.get("dropped", 0) >= 1 and len(lost) == n.get("dropped"), "lossy ladder: draws the drop (%s)" % n)
    check(all(c["dashed"] and c["lane"][0] < c["cross"][0] < c["lane"][1] for c in lost),
          "lossy ladder: a lost segment's dashed line stops between the hosts (%s)" % lost)
    check(lost and all(reddish_near(out, *c["cross"]) for c in lost), "lossy ladder: a red cross where it was dropped")
    check(any("LOST" in l["text"] for l in labels), "lossy ladder: the lost segment's label says so")
    again = os.path.join(work, "ladder-lossy-again.png")
    plot(source, ["ladder", lt], again)
    check(os.path.exists(out) and os.path.exists(again) and open(out, "rb").read() == open(again, "rb").read(),
          "ladder: the same trace gives the same file")

    # cwnd: with "cc" records it draws them; without, flight and RTT samples from the segments.
    # By default only the data sender (lossy-transfer's client; the server sends only ACKs).
    out = os.path.join(work, "cwnd.png")
    rc, n, stdout, _ = run_plot(source, ["cwnd", lt], out)
    check(rc == 0, "cwnd exits 0")
    check(n and all(v > 0 for k, v in n.items() if "ssthresh" not in k), "cwnd's series are non-empty (%s)" % n)
    check(n and all(k.startswith("conn 0 client ") for k in n) and "conn 0 client cwnd" in n,
          "cwnd draws only the data sender by default (%s)" % sorted(n))
    check("not drawn" in stdout and "server" in stdout, "cwnd says which ends it left out")
    sane_png(out, 800, 500)
    # Every end with --all-ends: the server's 1 s initial RTO (no RTT sample yet) goes on the RTO's
    # own logarithmic axis, and the SRTT panel (about 40-65 ms) keeps a scale of tens of ms.
    layout = os.path.join(work, "cwnd.json")
    rc, n = plot(source, ["cwnd", lt, "--all-ends", "--layout", layout], os.path.join(work, "cwnd-all.png"))
    check(rc == 0 and "conn 0 server cwnd" in n and "conn 0 client cwnd" in n, "cwnd --all-ends draws both ends (%s)" % sorted(n))
    panels = {p["name"]: p for p in json.load(open(layout))["panels"]} if rc == 0 else {}
    srtt, rto = panels.get("SRTT (ms)", {}), panels.get("RTO (s)", {})
    check(srtt and 40 < srtt["ylim"][1] < 200, "cwnd: the SRTT axis is set by the SRTT, not the 1 s RTO (%s)" % srtt)
    check(rto and rto["scale"] == "log" and rto["ylim"][0] < 0.2 and rto["ylim"][1] > 1,
          "cwnd: the RTO (0.2 to 1 s) on its own log axis (%s)" % rto)

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

    # sweep with one replication (keepalive-interval: deterministic, parameter values with units
    # "1s".."10s", a categorical metric "outcome" as "keepalive timeout:1"): no confidence bars and
    # no warnings, the legend says so; units on the axes; the category is neither parameter nor metric.
    one_dir = os.path.join(work, "one-replication")
    subprocess.run([tcpsim, "sweep", os.path.join(source, "scenarios", "sweeps", "keepalive-interval.json"),
                    "--replications", "1", "--quiet", "--force", "--out-dir", one_dir], check=True, stdout=subprocess.DEVNULL)
    one = os.path.join(one_dir, "keepalive-interval.stats.csv")
    out = os.path.join(work, "sweep-one.png")
    rc, n, stdout, stderr = run_plot(source, ["sweep", one], out)
    check(rc == 0 and n == {"keepalive_close_time": 4}, "sweep on 1 replication draws the 4 points (%s)" % n)
    check(stderr == "", "sweep on 1 replication writes nothing on stderr (no All-NaN warnings): %r" % stderr[:300])
    check("1 replication, no confidence interval" in stdout, "sweep says: 1 replication, no confidence interval")
    check("x axis: interval (s)" in stdout and "y axis: keepalive_close_time (s)" in stdout,
          "sweep puts units on the axes, values like \"4s\" in seconds (%s)"
          % [l for l in stdout.splitlines() if "axis" in l])
    check("outcome" not in "".join(n) and "categorical metrics, not drawn: outcome" in stdout,
          "sweep: the categorical outcome is not a parameter or a metric")
    sane_png(out, 600, 400)
    rc, _, _, stderr = run_plot(source, ["sweep", one, "--metric", "outcome"], out)
    check(rc == 2 and "categorical" in stderr, "sweep --metric outcome: refused, as categorical (%s)" % stderr.strip())
    rc, n, stdout, stderr = run_plot(source, ["sweep", real, "--metric", "goodput_bps", "--x", "loss", "--log-x"], out)
    check(rc == 0 and "y axis: goodput_bps (Mbit/s)" in stdout and "x axis: loss (probability)" in stdout
          and "mean of 2 replications" in stdout and stderr == "",
          "sweep: goodput in Mbit/s, loss as a probability, 2 replications with bars (%s)"
          % [l for l in stdout.splitlines() if "axis" in l or "statistics" in l])

    # The wrong kind of file: exit code 2, what was expected and what the file is; no traceback.
    empty = os.path.join(work, "empty.json")
    open(empty, "w").close()
    text = os.path.join(work, "notes.txt")
    open(text, "w").write("not a trace\n")
    pcap_base = os.path.join(work, "capture")
    subprocess.run([tcpsim, "run", os.path.join(source, "scenarios", "handshake.json"), "-q", "--format", "pcap",
                    "-o", pcap_base], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pcap = pcap_base + ".client.pcap"
    cases = [(["ladder", one], "statistics CSV"), (["cwnd", one], "statistics CSV"), (["sweep", lt], "a tcpsim trace"),
             (["sweep", hs], "a tcpsim trace"), (["ladder", pcap], "pcap"), (["sweep", pcap], "pcap"),
             (["ladder", empty], "empty file"), (["sweep", empty], "empty file"), (["timeseq", text], "not JSON"),
             (["ladder", os.path.join(source, "scenarios", "handshake.json")], "scenario"),
             (["sweep", os.path.join(one_dir, "keepalive-interval.stats.json")], "statistics JSON")]
    for args, what in cases:
        rc, _, _, stderr = run_plot(source, args, os.path.join(work, "wrong.png"))
        expected = "expected a tcpsim trace" if args[0] != "sweep" else "expected the statistics CSV"
        check(rc == 2 and expected in stderr and what in stderr and "Traceback" not in stderr
              and "Expecting value" not in stderr,
              "%s on %s: exit 2, %r and %r (%d: %s)" % (args[0], os.path.basename(args[1]), expected, what, rc,
                                                        stderr.strip()[:200]))

    print("%d failure(s)" % len(failures) if failures else "all ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
