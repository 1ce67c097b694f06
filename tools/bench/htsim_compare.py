"""`tools/bench/run --with-htsim`: cases A and C on tcpsim and on htsim, side by side.

htsim (../shared/htsim: its core library, unmodified, and htsim_bench.cpp, a program that runs
cases A and C on it) is built in a folder of its own under the build directory, never in the
shared copy. Each pair of runs is htsim, tcpsim as shipped and tcpsim with the ACK-every-packet
settings of ../shared/htsim/*-ackevery.json (delayed ACK and SACK off, NewReno: what htsim's
TcpSrc/TcpSink do), one after the other, so that all three see the same stretch of machine time.
The figure is the whole process's wall time (set-up included, as a user waits for it), from
this script's clock. Reported: the median of each, the ratio of the medians (htsim over tcpsim:
above 1 is tcpsim faster), and the spread of the ratios of the pairs.
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("TCPSIM_HTSIM_DIR", os.path.join(os.path.dirname(ROOT), "shared", "htsim"))

# The arguments of htsim_bench that make each case (its README), and tcpsim's two scenarios.
CASES = {
    "A": {"htsim": ["-topo", "link", "-flows", "1", "-bytes", "100000000", "-bneck_mbps", "10",
                    "-bneck_delay_ms", "10", "-bneck_q", "100"],
          "shipped": "a-bulk.json", "ackevery": "a-bulk-ackevery.json"},
    "C": {"htsim": ["-topo", "dumbbell", "-flows", "100", "-bytes", "10000000", "-bneck_mbps", "1000",
                    "-bneck_delay_ms", "10", "-bneck_q", "2000", "-access_mbps", "10000", "-access_delay_ms", "1",
                    "-access_q", "10000"],
          "shipped": "c-dumbbell.json", "ackevery": "c-dumbbell-ackevery.json"},
}
MIN_PAIRS = 11
HTSIM_FLAGS = "-Wall -std=c++11 -fPIE -O3 -DNDEBUG"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def build(bdir):
    """Copies ../shared/htsim into BUILD/htsim-bench/src (only when the shared copy is newer),
    builds libhtsim.a and htsim_bench there; returns the program's path."""
    if not os.path.isfile(os.path.join(SHARED, "htsim_bench.cpp")):
        sys.exit(f"tools/bench/run: --with-htsim needs htsim's sources in {SHARED} (htsim_bench.cpp and sim/); "
                 "set TCPSIM_HTSIM_DIR to their folder")
    out = os.path.join(bdir, "htsim-bench")
    src = os.path.join(out, "src")
    exe = os.path.join(out, "htsim_bench")
    newest = max(os.path.getmtime(os.path.join(d, f)) for d, _, fs in os.walk(SHARED) for f in fs)
    if os.path.exists(exe) and os.path.getmtime(exe) > newest:
        return exe
    log(f"tools/bench/run: building htsim from {SHARED} in {out} ...")
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(SHARED, src)
    jobs = str(os.cpu_count() or 2)
    subprocess.run(["make", "-C", os.path.join(src, "sim"), "-j" + jobs, "libhtsim.a", "CFLAGS=" + HTSIM_FLAGS],
                   check=True, stdout=sys.stderr)
    subprocess.run(["g++", "-O3", "-DNDEBUG", "-std=c++11", "-I" + os.path.join(src, "sim"),
                    os.path.join(src, "htsim_bench.cpp"), "-L" + os.path.join(src, "sim"), "-lhtsim", "-o", exe],
                   check=True, stdout=sys.stderr)
    return exe


SUMMARY_RE = re.compile(r"^summary: .*\bfinished=(\d+) .*\baggregate_goodput_mbps=([0-9.]+) .*\bevents=(\d+)", re.M)
TCPSIM_RE = re.compile(r"stopped \((\w+)\) at t=([0-9.]+) s after (\d+) events")


def timed(cmd):
    """Runs cmd; (whole-process wall seconds, stdout, stderr). Exits on failure."""
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"tools/bench/run: {' '.join(cmd)} failed (exit {p.returncode}):\n{p.stderr[-2000:]}")
    return wall, p.stdout, p.stderr


def run_htsim(exe, key):
    # -quiet 1 keeps htsim's own per-flow chatter off stdout, as -q does tcpsim's.
    wall, out, _ = timed([exe] + CASES[key]["htsim"] + ["-quiet", "1"])
    m = SUMMARY_RE.search(out)
    if not m:
        sys.exit(f"tools/bench/run: htsim_bench printed no summary line for case {key}")
    return {"wall_s": wall, "events": int(m.group(3)), "finished": int(m.group(1)),
            "goodput_mbps": float(m.group(2))}


def run_tcpsim(tcpsim, scenario):
    wall, _, err = timed([tcpsim, "run", scenario, "-q", "--no-trace"])
    m = TCPSIM_RE.search(err)
    return {"wall_s": wall, "events": int(m.group(3)) if m else None}


def compare(tcpsim, bdir, cases, pairs):
    """{case: figures} for the cases of A and C asked for, `pairs` interleaved triples each."""
    exe = build(bdir)
    pairs = max(pairs, MIN_PAIRS)
    results = {}
    for key in [k for k in cases if k in CASES]:
        c = CASES[key]
        shipped = os.path.join(ROOT, "scenarios", "bench", c["shipped"])
        ackevery = os.path.join(SHARED, c["ackevery"])
        runs = {"htsim": [], "tcpsim": [], "ackevery": []}
        log(f"tools/bench/run: htsim vs tcpsim, case {key}, {pairs} interleaved runs of each ...")
        for _ in range(pairs):
            runs["htsim"].append(run_htsim(exe, key))
            runs["tcpsim"].append(run_tcpsim(tcpsim, shipped))
            runs["ackevery"].append(run_tcpsim(tcpsim, ackevery))
        med = {k: statistics.median(r["wall_s"] for r in v) for k, v in runs.items()}
        ratio = sorted(h["wall_s"] / t["wall_s"] for h, t in zip(runs["htsim"], runs["tcpsim"]))
        ratio_like = sorted(h["wall_s"] / t["wall_s"] for h, t in zip(runs["htsim"], runs["ackevery"]))
        results[key] = {
            "pairs": pairs,
            "tcpsim_wall_s": round(med["tcpsim"], 4), "tcpsim_events": runs["tcpsim"][0]["events"],
            "ackevery_wall_s": round(med["ackevery"], 4), "ackevery_events": runs["ackevery"][0]["events"],
            "htsim_wall_s": round(med["htsim"], 4), "htsim_events": runs["htsim"][0]["events"],
            "htsim_finished": runs["htsim"][0]["finished"], "htsim_goodput_mbps": runs["htsim"][0]["goodput_mbps"],
            "htsim_over_tcpsim": round(med["htsim"] / med["tcpsim"], 2),
            "htsim_over_ackevery": round(med["htsim"] / med["ackevery"], 2),
            "pair_ratio_range": [round(ratio[0], 2), round(ratio[-1], 2)],
            "pair_ratio_like_range": [round(ratio_like[0], 2), round(ratio_like[-1], 2)],
        }
    return results


def table(results):
    """The side-by-side table (markdown) for the cases compared."""
    what = {"A": "A: 1 flow, 10 Mbit/s, 100 MB", "C": "C: 100 flows x 10 MB, 1 Gbit/s dumbbell"}
    lines = ["| case | tcpsim | tcpsim, ACK every packet (like htsim) | htsim (NDEBUG) | htsim / tcpsim |",
             "|---|---:|---:|---:|---:|"]
    for key, r in results.items():
        lines.append(
            f"| {what[key]} | {r['tcpsim_wall_s']:.4f} s, {r['tcpsim_events']:,} events | "
            f"{r['ackevery_wall_s']:.4f} s, {r['ackevery_events']:,} events | "
            f"{r['htsim_wall_s']:.4f} s, {r['htsim_events']:,} events | "
            f"{r['htsim_over_tcpsim']} ({r['htsim_over_ackevery']} like for like) |")
    lines.append("")
    for key, r in results.items():
        lines.append(f"case {key}: medians of {r['pairs']} interleaved runs each (whole process); the ratios of the "
                     f"pairs ran {r['pair_ratio_range'][0]}-{r['pair_ratio_range'][1]} "
                     f"({r['pair_ratio_like_range'][0]}-{r['pair_ratio_like_range'][1]} like for like); "
                     f"htsim: {r['htsim_finished']} flows finished, {r['htsim_goodput_mbps']} Mbit/s")
    return "\n".join(lines)
