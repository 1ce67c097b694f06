"""tools/plot timeseq: the time-sequence graph (Stevens) of one direction of a connection:
segments sent, retransmissions, drops, the ACKs received, the receive window's edge, SACK blocks."""
import matplotlib.pyplot as plt

from .events import data_direction, is_true, of_type, segments_of, window
from .output import DPI, save, series
from .trace import PlotError, read_trace


def rel(values, base):
    return (values.astype("int64") - int(base)) % (1 << 32)


def cmd_timeseq(a):
    meta, events, _ = read_trace(a.trace)
    seg = segments_of(events, a.conn)
    sender, receiver = data_direction(events, a.conn, a.sender)
    out = of_type(seg, "send")
    out = out[out["src"] == sender]
    syn = out[out["flags"].str.contains("S")]
    isn = int(syn.iloc[0]["seq"]) if not syn.empty else int(out.iloc[0]["seq"]) - 1
    peer_syn = of_type(seg, "send")
    peer_syn = peer_syn[(peer_syn["src"] == receiver) & peer_syn["flags"].str.contains("S")]
    seg = window(seg, a)
    out = window(out, a)
    if out.empty:
        raise PlotError("%s sends nothing on connection %d in that time window" % (sender, a.conn))
    data = out[out["len"] > 0]
    retx = data[data["retransmission"].map(is_true)] if "retransmission" in data else data.iloc[0:0]
    fresh = data.drop(retx.index)
    drops = of_type(seg, "drop")
    drops = drops[(drops["src"] == sender) & (drops["len"] > 0)]
    acks = of_type(seg, "deliver")
    acks = acks[(acks["node"] == sender) & acks["flags"].str.contains(r"\.", regex=True)]

    fig, ax = plt.subplots(figsize=(10, 6), dpi=DPI)
    t0 = out["t"].min()
    for frame, color, label in ((fresh, "tab:blue", "segment sent"), (retx, "tab:red", "retransmission")):
        if frame.empty:
            continue
        y0 = rel(frame["seq"], isn)
        ax.vlines(frame["t"], y0, y0 + frame["len"], color=color, lw=1.5 if frame is fresh else 2.5, label=label)
        if frame is retx:
            ax.plot(frame["t"], y0 + frame["len"] / 2, "o", mfc="none", color=color, ms=8)
    if not drops.empty:
        ax.plot(drops["t"], rel(drops["seq"], isn), "x", color="black", ms=6, label="dropped on the link")
    ack_line = rel(acks["ack"], isn)
    if not acks.empty:
        ax.step(acks["t"], ack_line, where="post", color="tab:green", lw=1, label="ACK received")
        # The receive window's right edge, scaled as RFC 7323 says when both SYNs carried wscale.
        shift = 0
        if not syn.empty and not peer_syn.empty:
            so, po = syn.iloc[0].get("options"), peer_syn.iloc[0].get("options")
            if isinstance(so, dict) and isinstance(po, dict) and "wscale" in so and "wscale" in po:
                shift = po["wscale"]
        win = acks["win"].astype("int64") * (1 << shift)
        ax.step(acks["t"], ack_line + win, where="post", color="tab:olive", lw=0.8, ls="--", label="receive window")
    sack_points = 0
    if "options" in acks:
        for _, r in acks.iterrows():
            opts = r["options"]
            if isinstance(opts, dict) and "sack" in opts:
                for left, right in opts["sack"]:
                    ax.vlines([r["t"]], [(left - isn) % (1 << 32)], [(right - isn) % (1 << 32)], color="tab:purple", lw=3)
                    sack_points += 1
    # The window edge may run far above the data: the data sets the scale.
    y = rel(out["seq"], isn)
    top, bottom = (y + out["len"]).max(), y.min()
    if not acks.empty:
        top, bottom = max(top, ack_line.max()), min(bottom, ack_line.min())
    margin = max((top - bottom) * 0.05, 1000)
    ax.set_ylim(bottom - margin, top + margin)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("relative sequence number (bytes)")
    ax.set_xlim(left=t0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=9)
    ax.set_title("%s: connection %d, %s > %s" % (meta.get("scenario", ""), a.conn, sender, receiver), fontsize=10)
    fig.tight_layout()
    n = series("timeseq", "segments", len(data))
    series("timeseq", "retransmissions", len(retx))
    series("timeseq", "dropped", len(drops))
    series("timeseq", "acks", len(acks))
    series("timeseq", "sack blocks", sack_points)
    save(fig, a.output)
    return n
