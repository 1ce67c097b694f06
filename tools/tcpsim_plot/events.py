"""Selecting from a trace's events (the DataFrame read_trace returns): records of some types, a
connection's segments, its endpoints, the direction its data goes, a --start/--end window."""
import numpy as np

from .trace import PlotError


def of_type(events, *types):
    return events[events["type"].isin(types)]


def segments_of(events, conn):
    seg = of_type(events, "send", "deliver", "drop")
    seg = seg[seg["conn"] == conn]
    if seg.empty:
        raise PlotError("no segments of connection %d in this trace" % conn)
    return seg


def endpoints(events, conn):
    """(first sender, its peer) of a connection, as host names."""
    first = of_type(events, "send")
    first = first[first["conn"] == conn]
    if first.empty:
        raise PlotError("connection %d sends nothing in this trace" % conn)
    row = first.iloc[0]
    return row["src"], row["dst"]


def window(frame, a):
    """The rows within --start/--end (seconds), if given."""
    if a.start is not None:
        frame = frame[frame["t"] >= a.start]
    if a.end is not None:
        frame = frame[frame["t"] <= a.end]
    return frame


def is_true(v):
    return isinstance(v, (bool, np.bool_)) and bool(v)



def data_direction(events, conn, sender):
    sends = of_type(events, "send")
    sends = sends[sends["conn"] == conn]
    if sender is None:
        by = sends.groupby("src")["len"].sum()
        sender = by.idxmax()
    mine = sends[sends["src"] == sender]
    if mine.empty:
        raise PlotError("%s sends nothing on connection %d" % (sender, conn))
    return sender, mine.iloc[0]["dst"]

