"""tools/plot ladder: the sequence (ladder) diagram of a connection's first segments, the two
ends as vertical lines, each segment an arrow (a lost one dashed, with a cross where it was
dropped), labelled with its flags, seq/ack and SACK blocks where the label overlaps nothing."""
import json

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from .events import endpoints, is_true, of_type, segments_of
from .output import DPI, save, series
from .trace import read_trace

FLAG_WORDS = [("S", "SYN"), ("F", "FIN"), ("R", "RST"), ("P", "PSH"), (".", "ACK")]
MOD = 1 << 32


def flag_words(flags):
    return ",".join(word for letter, word in FLAG_WORDS if letter in str(flags)) or str(flags)



class Placer:
    """Puts text where it overlaps nothing placed before: boxes in display pixels."""

    def __init__(self, fig):
        self.renderer = fig.canvas.get_renderer()
        self.boxes = []

    def size(self, text):
        bb = text.get_window_extent(self.renderer)
        return bb.width, bb.height

    def taken(self, box, pad=2.0):
        x0, y0, x1, y1 = box
        return any(x0 < b[2] + pad and b[0] < x1 + pad and y0 < b[3] + pad and b[1] < y1 + pad for b in self.boxes)

    def occupy(self, text):
        bb = text.get_window_extent(self.renderer)
        self.boxes.append((bb.x0, bb.y0, bb.x1, bb.y1))
        return self.boxes[-1]

    def place(self, text, ax, centres, lo, hi, bottom, top):
        """Moves text (centred) to the first of the display points centres where its box,
        kept within [lo, hi] x [bottom, top], is clear; removes it when none is."""
        w, h = self.size(text)
        for cx, cy in centres:
            cx = min(max(cx, lo + w / 2), hi - w / 2) if hi - lo > w else (lo + hi) / 2
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if box[1] < bottom or box[3] > top or self.taken(box):
                continue
            text.set_position(ax.transData.inverted().transform((cx, cy)))
            self.boxes.append(box)
            return box
        text.remove()
        return None


def ladder_label(s, isn, numbers, n=None):
    """Flags, seq(:end), ack and SACK blocks of a segment (or of n bytes from it, for a burst):
    absolute or relative to each side's ISN (numbers: absolute, relative, or mixed: absolute in
    SYNs, relative after them)."""
    flags = str(s["flags"])
    absolute = numbers == "absolute" or (numbers == "mixed" and "S" in flags)

    def num(v, side):
        return int(v) if absolute or side not in isn else (int(v) - isn[side]) % MOD

    seq, n = num(s["seq"], s["src"]), int(s["len"]) if n is None else n
    text = flag_words(flags) + " seq=%d" % seq + (":%d" % ((seq + n) % MOD if absolute else seq + n) if n else "")
    if "." in flags:
        text += " ack=%d" % num(s["ack"], s["dst"])
    opts = s.get("options")
    if isinstance(opts, dict) and opts.get("sack"):
        text += " sack " + ",".join("%d-%d" % (num(l, s["dst"]), num(r, s["dst"])) for l, r in opts["sack"])
    return text


def cmd_ladder(a):
    meta, events, _ = read_trace(a.trace)
    left, right = endpoints(events, a.conn)
    seg = segments_of(events, a.conn)
    all_sends = of_type(seg, "send")
    sends = all_sends.head(a.count)
    arrivals = of_type(seg, "deliver", "drop").drop_duplicates("pkt").set_index("pkt")
    isn = {}
    for src, flags, seq in zip(all_sends["src"], all_sends["flags"], all_sends["seq"]):
        if src not in isn:
            isn[src] = int(seq) if "S" in str(flags) else (int(seq) - 1) % MOD
        if len(isn) == 2:
            break
    numbers = "absolute" if a.absolute else "relative" if a.relative else "mixed"

    # Transit times of the delivered segments, per direction: a lost segment is drawn towards
    # where a segment sent next to it arrived.
    delivered_rows = arrivals[arrivals["type"] == "deliver"]
    transit = all_sends[all_sends["pkt"].isin(delivered_rows.index)][["src", "t", "pkt", "len"]].copy()
    transit["transit"] = delivered_rows.loc[transit["pkt"], "t"].to_numpy() - transit["t"].to_numpy()

    def would_arrive(s, t_drop):
        # The segment sent nearest before or after it by the same side, with or without payload
        # as it was (a bare ACK is not serialized as long).
        src, t_send = s["src"], s["t"]
        mine = transit[(transit["src"] == src) & ((transit["len"] > 0) == (int(s["len"]) > 0))]
        if mine.empty:
            mine = transit[transit["src"] == src]
        if not mine.empty:
            near = mine.iloc[int(np.argmin(np.abs(mine["pkt"].to_numpy() - int(s["pkt"]))))]
            t1 = t_send + near["transit"]
            if t1 > t_drop:
                return t1
        return t_drop + max(t_drop - t_send, 1e-4)

    arrows = []  # dicts: the segment, where its line runs, what happened to it
    for _, s in sends.iterrows():
        x0, x1 = (0.0, 1.0) if s["src"] == left else (1.0, 0.0)
        arrow = dict(s=s, x0=x0, t0=s["t"], retx=is_true(s.get("retransmission")))
        if s["pkt"] in arrivals.index and arrivals.loc[s["pkt"], "type"] == "deliver":
            arrow.update(kind="delivered", x1=x1, t1=arrivals.loc[s["pkt"], "t"])
        else:
            # Lost: the line runs towards where it would have arrived and stops, with a cross,
            # at the time it was dropped.
            known = s["pkt"] in arrivals.index
            t_drop = arrivals.loc[s["pkt"], "t"] if known else None
            t_would = would_arrive(s, t_drop if known else s["t"])
            if not known:
                t_drop = (s["t"] + t_would) / 2
            f = (t_drop - s["t"]) / (t_would - s["t"]) if t_would > s["t"] else 0.5
            f = min(max(f, 0.08), 0.92)
            arrow.update(kind="lost", x1=x0 + (x1 - x0) * f, t1=t_drop, known=known,
                         reason=arrivals.loc[s["pkt"], "reason"] if known and "reason" in arrivals else None)
        arrows.append(arrow)

    t0 = min(r["t0"] for r in arrows)
    t_end = max(max(r["t1"], r["t0"]) for r in arrows)
    span = (t_end - t0) or 0.001
    width, height = 9.0, max(4.0, min(18.0, 1.4 + 0.75 * len(arrows)))
    fig = plt.figure(figsize=(width, height), dpi=DPI)
    left_in, right_in, top_in, bottom_in = 0.8, 0.2, 0.8, 0.25
    ax = fig.add_axes([left_in / width, bottom_in / height, 1 - (left_in + right_in) / width,
                       1 - (top_in + bottom_in) / height])
    pad = span * 0.06
    ax.set_ylim(t_end + pad, t0 - pad * 1.2)
    ax.set_xlim(-0.35, 1.35)
    ax.set_xticks([])
    ax.set_ylabel("time (s)")
    for spine in ("top", "right", "bottom"):
        ax.spines[spine].set_visible(False)
    x = {left: 0.0, right: 1.0}
    colour = {"delivered": "tab:blue", "retx": "tab:orange", "lost": "tab:red"}
    delivered = dropped = retransmitted = retransmitted_delivered = 0
    for r in arrows:
        if r["kind"] == "delivered":
            delivered += 1
            retransmitted += r["retx"]
            retransmitted_delivered += r["retx"]
            ax.annotate("", xy=(r["x1"], r["t1"]), xytext=(r["x0"], r["t0"]),
                        arrowprops=dict(arrowstyle="-|>", color=colour["retx" if r["retx"] else "delivered"],
                                        lw=1.2, shrinkA=0, shrinkB=0))
        else:
            dropped += 1
            retransmitted += r["retx"]
            ax.plot([r["x0"], r["x1"]], [r["t0"], r["t1"]], color=colour["lost"], lw=1.8, ls=(0, (4, 2.5)), zorder=4)
            ax.plot([r["x1"]], [r["t1"]], marker="x", color=colour["lost"], ms=13, mew=3, zorder=5)

    placer = Placer(fig)
    px = ax.transData.transform
    lane_lo, lane_hi = px((0.0, t0))[0] + 4, px((1.0, t0))[0] - 4
    axes_box = ax.get_window_extent(placer.renderer)
    for name, xv in x.items():
        ax.axvline(xv, color="black", lw=2)
        placer.occupy(ax.text(xv, t0 - span * 0.04, name, ha="center", va="bottom", fontsize=11, weight="bold"))
    # The crosses stay visible: no label goes over them.
    for r in arrows:
        if r["kind"] == "lost":
            cx, cy = px((r["x1"], r["t1"]))
            placer.boxes.append((cx - 9, cy - 9, cx + 9, cy + 9))
    states = of_type(events, "state")
    states = states[(states["conn"] == a.conn) & (states["t"] <= t_end) & states["node"].isin([left, right])]
    # Changes at (nearly) one instant, such as LISTEN > SYN-RECEIVED, share one label.
    min_gap = span * 0.2 / height
    for node, st in states.groupby("node", sort=True):
        groups = []
        for _, r in st.iterrows():
            if groups and r["t"] - groups[-1][-1]["t"] < min_gap:
                groups[-1].append(r)
            else:
                groups.append([r])
        side = x[node]
        for g in groups:
            names = [r["to"] for r in g]
            text = ax.text(side + (-0.02 if side == 0 else 0.02), g[0]["t"], " > ".join(names), fontsize=7,
                           color="dimgray", ha="right" if side == 0 else "left", va="center")
            # Too long for the margin beside the line: one state a line.
            bb = text.get_window_extent(placer.renderer)
            if bb.x0 < 0 or bb.x1 > width * DPI:
                text.set_text("\n> ".join(names))
            placer.occupy(text)

    # A burst (data segments of one side sent together, back to back in sequence, alike but for
    # seq) gets one label: one per segment would only pile up where their lines fan out.
    def burst_of(prev, r):
        p, s = prev["s"], r["s"]
        opts = s.get("options")
        return (prev["kind"] == r["kind"] == "delivered" and not prev["retx"] and not r["retx"]
                and p["src"] == s["src"] and str(p["flags"]) == str(s["flags"]) and int(s["len"]) > 0
                and int(p["len"]) > 0 and (int(p["seq"]) + int(p["len"])) % MOD == int(s["seq"])
                and int(p["ack"]) == int(s["ack"]) and not (isinstance(opts, dict) and opts.get("sack"))
                and abs(px((0, s["t"]))[1] - px((0, p["t"]))[1]) < 4)

    groups = []
    for i, r in enumerate(arrows):
        if groups and burst_of(arrows[groups[-1][-1]], r):
            groups[-1].append(i)
        else:
            groups.append([i])

    # Labels, most telling first (handshake and close, losses, retransmissions, SACKs, then in
    # order of sending), each at the first point along its line(s) where it overlaps nothing; one
    # that fits nowhere is left out, and the title says how many segments have a label.
    def rank(g):
        r = arrows[g[0]]
        flags = str(r["s"]["flags"])
        opts = r["s"].get("options")
        return (0 if any(c in flags for c in "SFR") else 1 if r["kind"] == "lost" else 2 if r["retx"]
                else 3 if isinstance(opts, dict) and opts.get("sack") else 4, g[0])

    fractions = (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.12, 0.88)
    labels = []
    for g in sorted(groups, key=rank):
        r = arrows[g[0]]
        if len(g) > 1:
            last = arrows[g[-1]]["s"]
            size = (int(last["seq"]) + int(last["len"]) - int(r["s"]["seq"])) % MOD
            text = ladder_label(r["s"], isn, numbers, size) + " (%d segments)" % len(g)
        else:
            text = ladder_label(r["s"], isn, numbers)
        if r["retx"]:
            text = "retx " + text
        if r["kind"] == "lost":
            text += " LOST" if r["known"] else " (no arrival in the trace)"
        artist = ax.text(0.5, r["t0"], text, ha="center", va="center", fontsize=8,
                         color="tab:red" if r["kind"] == "lost" else "black",
                         bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
        centres = []
        if r["kind"] == "lost":
            # Beside the cross first.
            w = placer.size(artist)[0]
            c = px((r["x1"], r["t1"]))
            step = 1 if r["x1"] > r["x0"] else -1
            centres += [(c[0] + step * (14 + w / 2), c[1]), (c[0] - step * (14 + w / 2), c[1]),
                        (c[0], c[1] - 16), (c[0], c[1] + 16)]
        # Along the middle line of the group, then its first and last.
        for j in dict.fromkeys((g[len(g) // 2], g[0], g[-1])):
            q = arrows[j]
            a0, a1 = px((q["x0"], q["t0"])), px((q["x1"], q["t1"]))
            centres += [(a0[0] + (a1[0] - a0[0]) * f, a0[1] + (a1[1] - a0[1]) * f) for f in fractions]
        box = placer.place(artist, ax, centres, lane_lo, lane_hi, axes_box.y0, axes_box.y1)
        if box is not None:
            labels.append(dict(pkt=int(r["s"]["pkt"]), pkts=[int(arrows[j]["s"]["pkt"]) for j in g], text=text,
                               box=box))
    labels.sort(key=lambda d: d["pkt"])
    labelled = sum(len(d["pkts"]) for d in labels)

    title = "%s: connection %d, first %d segments" % (meta.get("scenario", ""), a.conn, len(arrows))
    note = {"mixed": "seq/ack relative to each side's ISN after the SYNs (the SYNs show the absolute ISNs)",
            "relative": "seq/ack relative to each side's ISN", "absolute": "absolute seq/ack"}[numbers]
    if labelled < len(arrows):
        note += "\n%d of %d segments labelled (the other labels would overlap)" % (labelled, len(arrows))
    fig.text(left_in / width, 1 - 0.12 / height, title, ha="left", va="top", fontsize=10)
    fig.text(left_in / width, 1 - 0.36 / height, note, ha="left", va="top", fontsize=8, color="dimgray")
    if dropped or retransmitted:
        handles = []
        if delivered > retransmitted_delivered:
            handles.append(Line2D([], [], color=colour["delivered"], lw=1.2, label="delivered"))
        if retransmitted_delivered:
            handles.append(Line2D([], [], color=colour["retx"], lw=1.2, label="retransmission, delivered"))
        if dropped:
            handles.append(Line2D([], [], color=colour["lost"], lw=1.5, ls=(0, (4, 2.5)), marker="x", ms=8, mew=2,
                                  label="lost: x where it was dropped"))
        fig.legend(handles=handles, loc="upper right", bbox_to_anchor=(1 - right_in / width, 1 - 0.06 / height),
                   fontsize=8, frameon=False)
    series("ladder", "segments", len(arrows))
    series("ladder", "delivered", delivered)
    series("ladder", "dropped", dropped)
    series("ladder", "retransmissions", retransmitted)
    series("ladder", "labelled", labelled)
    series("ladder", "labels", len(labels))
    series("ladder", "states", len(states))
    if a.layout:
        # Where things went, in pixels of the PNG (y down), for tests and the curious.
        h_px = height * DPI

        def flip(b):
            return [round(b[0], 1), round(h_px - b[3], 1), round(b[2], 1), round(h_px - b[1], 1)]

        lost = [dict(pkt=int(r["s"]["pkt"]), cross=[round(v, 1) for v in (px((r["x1"], r["t1"]))[0],
                                                                         h_px - px((r["x1"], r["t1"]))[1])],
                     start=[round(v, 1) for v in (px((r["x0"], r["t0"]))[0], h_px - px((r["x0"], r["t0"]))[1])],
                     lane=[round(lane_lo - 4, 1), round(lane_hi + 4, 1)], dashed=True)
                for r in arrows if r["kind"] == "lost"]
        with open(a.layout, "w") as f:
            json.dump(dict(image=[int(width * DPI), int(h_px)],
                           labels=[dict(pkts=d["pkts"], text=d["text"], box=flip(d["box"])) for d in labels],
                           lost=lost), f, indent=1)
    save(fig, a.output)
    return len(arrows)
