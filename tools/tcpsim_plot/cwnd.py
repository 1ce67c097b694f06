"""tools/plot cwnd: cwnd, ssthresh and flight (top), SRTT (middle) and RTO (bottom, log scale) of
the connection ends over time, from the cc records, with the recovery periods shaded; without cc
records, the flight and RTT samples the segments tell."""
import json
import math

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
from matplotlib.patches import Patch

from .events import data_direction, is_true, of_type, window
from .output import DPI, save, series
from .trace import PlotError, read_trace


def derived_flight_and_rtt(events, conn, sender):
    """Without cc records: bytes in flight and RTT samples, worked out from the segments."""
    seg = events[(events["conn"] == conn) & events["type"].isin(["send", "deliver"])]
    high, acked, outstanding = None, None, {}
    flight_t, flight_v, rtt_t, rtt_v, retransmitted = [], [], [], [], set()
    for _, r in seg.iterrows():
        if r["type"] == "send" and r["src"] == sender:
            end = (int(r["seq"]) + int(r["len"]) + (1 if any(c in r["flags"] for c in "SF") else 0)) % (1 << 32)
            if is_true(r.get("retransmission")):
                retransmitted.add(end)
            else:
                outstanding.setdefault(end, r["t"])
            if high is None or (end - high) % (1 << 32) < (1 << 31):
                high = end
        elif r["type"] == "deliver" and r["node"] == sender and "." in r["flags"]:
            ack = int(r["ack"])
            if acked is None or (ack - acked) % (1 << 32) < (1 << 31):
                acked = ack
            # Karn: a sample only from a segment never retransmitted, the first ACK covering it.
            for end in [e for e in outstanding if (ack - e) % (1 << 32) < (1 << 31)]:
                if end not in retransmitted:
                    rtt_t.append(r["t"])
                    rtt_v.append(r["t"] - outstanding[end])
                del outstanding[end]
        else:
            continue
        if high is not None and acked is not None:
            flight_t.append(r["t"])
            flight_v.append(((high - acked) % (1 << 32)) if (high - acked) % (1 << 32) < (1 << 31) else 0)
    return flight_t, flight_v, rtt_t, rtt_v


def recovery_spans(rows):
    """(start, end, state) of the stretches a connection end spent out of the open state."""
    spans, start, state = [], None, "open"
    for t, rec in zip(rows["t"], rows["recovery"]):
        rec = rec if isinstance(rec, str) else "open"
        if rec != state:
            if state != "open":
                spans.append((start, t, state))
            start, state = t, rec
    if state != "open":
        spans.append((start, rows["t"].iloc[-1], state))
    return spans


def dots(rows):
    """A marker for a series too short to show as a line (a step needs two points)."""
    return "o" if len(rows) < 3 else None


RECOVERY_LOOK = {"fast": ("tab:orange", "fast recovery"), "rto": ("tab:red", "RTO recovery")}


def cmd_cwnd(a):
    meta, events, _ = read_trace(a.trace)
    cc_all = of_type(events, "cc")
    sends = of_type(events, "send")
    conns = a.conn or sorted(set(cc_all["conn"]) if not cc_all.empty else set(sends["conn"]))
    cc = window(cc_all, a)
    payload = sends[sends["len"] > 0] if "len" in sends else sends.iloc[0:0]
    # What to draw: by default the ends that sent data (payload in the segment records; without
    # segment records, the ends whose cc records saw bytes acknowledged), --all-ends every end.
    plan, left_out = [], []
    for conn in conns:
        nodes = sorted(set(cc_all.loc[cc_all["conn"] == conn, "node"])) if not cc_all.empty else []
        if sends.empty and nodes:
            mine = cc_all[cc_all["conn"] == conn]
            senders = sorted(set(mine.loc[mine["bytes_acked"].fillna(0) > 0, "node"])) if "bytes_acked" in mine else []
        else:
            senders = sorted(set(payload.loc[payload["conn"] == conn, "src"]))
        wanted = nodes if a.all_ends or not senders else [n for n in nodes if n in senders]
        left_out += ["conn %d %s" % (conn, n) for n in nodes if n not in wanted]
        for node in wanted:
            plan.append(("cc", conn, node))
        if not wanted:
            plan.append(("segments", conn, None))
    has_cc = any(kind == "cc" for kind, _, _ in plan)
    if has_cc:
        fig, (top, mid, bottom) = plt.subplots(3, 1, figsize=(10, 8.5), sharex=True, dpi=DPI, layout="constrained",
                                               gridspec_kw={"height_ratios": [3, 1.6, 1.3]})
    else:
        fig, (top, mid) = plt.subplots(2, 1, figsize=(10, 7), sharex=True, dpi=DPI, layout="constrained",
                                       gridspec_kw={"height_ratios": [3, 2]})
        bottom = None
    single = len(plan) == 1
    palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    total, drawn, shading = 0, [], []
    for i, (kind, conn, node) in enumerate(plan):
        c = palette[i % len(palette)]
        look = {"cwnd": "tab:blue", "ssthresh": "tab:orange", "flight": "tab:green", "srtt": "tab:blue",
                "rto": "tab:red"} if single else dict.fromkeys(("cwnd", "ssthresh", "flight", "srtt", "rto"), c)
        if kind == "cc":
            rows = cc[(cc["conn"] == conn) & (cc["node"] == node)]
            tag = "conn %d %s" % (conn, node)
            drawn.append("conn %d %s" % (conn, node))
            top.step(rows["t"], rows["cwnd"] / 1024, where="post", color=look["cwnd"], lw=1.5, marker=dots(rows), label=tag + " cwnd")
            total += series("cwnd", tag + " cwnd", len(rows))
            if "ssthresh" in rows:
                ss = rows[rows["ssthresh"].notna()]
                if not ss.empty:
                    top.step(ss["t"], ss["ssthresh"].astype(float) / 1024, where="post", ls="--", color=look["ssthresh"], marker=dots(ss),
                             lw=1.2, label=tag + " ssthresh")
                series("cwnd", tag + " ssthresh", len(ss))
            if "flight" in rows:
                top.step(rows["t"], rows["flight"] / 1024, where="post", lw=0.8, alpha=0.6, color=look["flight"], marker=dots(rows),
                         label=tag + " flight")
                series("cwnd", tag + " flight", int(rows["flight"].notna().sum()))
            # SRTT 0 is "no sample yet", not a round trip of no time: left out.
            if "srtt" in rows:
                r = rows[rows["srtt"].notna() & (rows["srtt"] > 0)]
                if not r.empty:
                    mid.step(r["t"], r["srtt"] * 1000, where="post", color=look["srtt"], lw=1.2, marker=dots(r), label=tag + " srtt")
                series("cwnd", tag + " srtt", len(r))
            if "rto" in rows:
                r = rows[rows["rto"].notna() & (rows["rto"] > 0)]
                if not r.empty:
                    bottom.step(r["t"], r["rto"], where="post", color=look["rto"], lw=1.2, marker=dots(r), label=tag + " rto")
                series("cwnd", tag + " rto", len(r))
            if single and "recovery" in rows and not rows.empty:
                seen = set()
                for start, end, state in recovery_spans(rows):
                    colour, what = RECOVERY_LOOK.get(state, ("tab:gray", state))
                    for ax in (top, mid, bottom):
                        ax.axvspan(start, end, color=colour, alpha=0.12, lw=0)
                    seen.add(state)
                for state in sorted(seen):
                    colour, what = RECOVERY_LOOK.get(state, ("tab:gray", state))
                    shading.append(Patch(color=colour, alpha=0.25, lw=0, label=what))
            continue
        # No cc records (an older trace, or the congestion-control records are off): what the
        # segments alone tell.
        try:
            sender, _ = data_direction(events, conn, None)
        except (PlotError, ValueError):
            continue
        drawn.append("conn %d %s" % (conn, sender))
        ft, fv, rt, rv = derived_flight_and_rtt(window(events, a), conn, sender)
        tag = "conn %d %s" % (conn, sender)
        top.step(ft, [v / 1024 for v in fv], where="post", color=look["flight"], label=tag + " flight (from segments)")
        total += series("cwnd", tag + " flight (from segments)", len(ft))
        mid.plot(rt, [v * 1000 for v in rv], ".", ms=3, color=look["srtt"], label=tag + " RTT samples (from segments)")
        series("cwnd", tag + " rtt samples (from segments)", len(rt))
    if total == 0:
        raise PlotError("nothing to plot: no cc records and no data segments for connection(s) %s"
                        % ", ".join(map(str, conns)))
    if left_out:
        print("plot: cwnd: not drawn (sent no data; --all-ends draws them): %s" % ", ".join(left_out))
    top.set_ylabel("KiB")
    mid.set_ylabel("SRTT (ms)" if has_cc else "RTT (ms)")
    mid.set_ylim(bottom=0)
    (bottom or mid).set_xlabel("time (s)")
    handles, _ = top.get_legend_handles_labels()
    top.legend(handles=handles + shading, fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.0),
               ncol=5 if single else 3, frameon=False)
    if bottom is not None:
        # The RTO (1 s before the first RTT sample, doubling at each timeout) on its own, logarithmic
        # axis: on the SRTT's axis it would squash tens of ms into a flat line.
        bottom.set_yscale("log")
        bottom.set_ylabel("RTO (s, log scale)")
        drawn_rto = [line.get_ydata() for line in bottom.get_lines()]
        if drawn_rto:
            lo = min(float(np.min(v)) for v in drawn_rto)
            hi = max(float(np.max(v)) for v in drawn_rto)
            # At least a factor of 6 in view, for two or more ticks of 1, 2, 5 x 10^k.
            widen = max(1.5, math.sqrt(6 * lo / hi))
            bottom.set_ylim(lo / widen, hi * widen)
        bottom.yaxis.set_major_locator(mticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        bottom.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: "%g" % v))
        bottom.yaxis.set_minor_locator(mticker.NullLocator())
    for ax in (top, mid, bottom):
        if ax is None:
            continue
        ax.grid(alpha=0.3)
    # (The lower panels use the top panel's colours.)

    def named(tags):
        conns_of = {t.split(" ", 2)[1] for t in tags}
        if len(conns_of) == 1:
            return ", ".join(dict.fromkeys(t.split(" ", 2)[2] for t in tags))
        return "%d connection ends" % len(tags)

    who = named(drawn)
    note = "" if has_cc else " (no cc records: flight and RTT from the segments)"
    if left_out:
        note += "; not drawn: %s, which sent no data (--all-ends)" % named(left_out)
    fig.suptitle("%s: congestion window, flight, SRTT and RTO of %s%s" % (meta.get("scenario", ""), who, note),
                 fontsize=10)
    if a.layout:
        # The panels' value ranges, for tests and the curious.
        panels = [(top, "cwnd (KiB)"), (mid, mid.get_ylabel()), (bottom, "RTO (s)")]
        with open(a.layout, "w") as f:
            json.dump(dict(panels=[dict(name=name, ylim=[float("%.6g" % v) for v in ax.get_ylim()], scale=ax.get_yscale())
                                   for ax, name in panels if ax is not None]), f, indent=1)
    save(fig, a.output)
    return total
