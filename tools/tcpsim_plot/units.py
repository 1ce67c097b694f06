"""Quantities and units for the sweep's axes: what a metric or parameter measures (from its
name), parameter values with units ("250ms", "10Mbps", "64KB") in the base unit, and the unit
that reads well for a range of values."""
import re

# Values with units, as scenarios write them, in the base unit (s, bit/s, bytes).
UNITS = {"s": {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0},
         "bit/s": {"bps": 1.0, "kbps": 1e3, "Mbps": 1e6, "Gbps": 1e9, "Tbps": 1e12, "bit/s": 1.0, "kbit/s": 1e3,
                   "Mbit/s": 1e6, "Gbit/s": 1e9},
         "bytes": {"B": 1.0, "KB": 1e3, "kB": 1e3, "MB": 1e6, "GB": 1e9, "KiB": 1024.0, "MiB": 1048576.0,
                   "GiB": 1073741824.0}}
WITH_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z\u00b5/]+)\s*$")


def short_name(column):
    """A JSON pointer's last named step ("/links/0/delay" -> "delay"), else the column name."""
    parts = [p for p in str(column).split("/") if p and not p.isdigit()]
    return parts[-1] if str(column).startswith("/") and parts else str(column)


def quantity(column):
    """What a metric or parameter measures, from its name: s, bit/s, bytes, packets, segments,
    probability, fraction, or None."""
    path = [p for p in str(column).lower().split("/") if p]
    n = re.sub(r"\[\d+\]$", "", path[-1] if path else "")
    if n.endswith("_drops") or n in ("drops", "packets", "queue") or n.endswith("_packets"):
        return "packets"
    if "retransmi" in n or n.endswith("_segments"):
        return "segments"
    if n.endswith("_bps") or n in ("bps", "bandwidth") or n.endswith("_bandwidth") or (n == "rate" and "loss" not in path):
        return "bit/s"
    if n in ("loss", "loss_rate", "p", "probability") or n.endswith("_loss") or (n == "rate" and "loss" in path):
        return "probability"
    if (n.endswith(("_time", "_delay", "_interval", "_timeout", "_rtt", "_idle", "_at"))
            or n in ("delay", "interval", "idle", "timeout", "rtt", "rto", "min_rto", "msl", "duration", "time")):
        return "s"
    if n.endswith(("_bytes", "_buffer", "_cwnd", "_size")) or n in ("bytes", "mss", "cwnd", "buffer"):
        return "bytes"
    if n in ("streams_intact", "jain_index") or n.endswith(("_index", "_ratio", "_fraction")):
        return "fraction"
    return None


def with_units(values):
    """(numbers in the base unit, the quantity) when every value is a number with a unit of one
    kind ("1s", "250ms"; "10Mbps"; "64KB"), else None."""
    out, kind = [], None
    for v in values:
        m = WITH_UNIT.match(str(v))
        if not m:
            return None
        k = next((k for k, units in UNITS.items() if m.group(2) in units), None)
        if k is None or (kind is not None and k != kind):
            return None
        kind = k
        out.append(float(m.group(1)) * UNITS[k][m.group(2)])
    return out, kind


def display_unit(kind, values):
    """(factor, unit text) to show values of a quantity in a unit that reads well."""
    big = max((abs(v) for v in values if v == v), default=0.0)
    if kind == "bit/s":
        for factor, unit in ((1e9, "Gbit/s"), (1e6, "Mbit/s"), (1e3, "kbit/s")):
            if big >= factor:
                return 1 / factor, unit
        return 1.0, "bit/s"
    if kind == "s":
        if 0 < big < 1e-3:
            return 1e6, "\u00b5s"
        if 0 < big < 1:
            return 1e3, "ms"
        return 1.0, "s"
    if kind == "bytes":
        for factor, unit in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
            if big >= 10 * factor:
                return 1 / factor, unit
        return 1.0, "bytes"
    if kind == "fraction":
        return 1.0, "0 to 1"
    return 1.0, kind


def axis_label(name, kind, values):
    factor, unit = display_unit(kind, values) if kind else (1.0, None)
    return factor, ("%s (%s)" % (name, unit) if unit else name)


def value_text(v):
    if isinstance(v, float) and v.is_integer():
        return "%d" % v
    if isinstance(v, float):
        return "%g" % v
    return str(v)
