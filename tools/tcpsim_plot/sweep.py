"""tools/plot sweep: a metric of tcpsim sweep's statistics CSV against a swept parameter, one line
per combination of the other parameters, with 95% confidence bars."""
import os
import re

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from .output import DPI, save, series
from .trace import PlotError, read_stats
from .units import axis_label, display_unit, quantity, short_name, value_text, with_units

STAT_COLUMNS = {"metric", "n", "mean", "sd", "stddev", "std", "ci95_low", "ci95_high", "min", "max", "median",
                "p50", "p95", "p99", "sem", "point", "runs", "failed"}
SWEEP_STATS = ("n", "mean", "sd", "ci95_low", "ci95_high", "min", "max")
CATEGORY_CELL = re.compile(r"^[^:;]+:\d+(;[^:;]+:\d+)*$")


def long_from_wide(stats):
    """tcpsim sweep's statistics CSV has one row per point and, per numeric metric M, the columns
    M_n, M_mean, M_sd, M_ci95_low, M_ci95_high, M_min, M_max, per categorical metric M one column
    M of "value:count;..." (plus point, runs and failed): one row per point and numeric metric,
    with the parameters, is what is drawn. Returns (long table, parameters, categorical metrics)."""
    metrics = [c[:-len("_mean")] for c in stats.columns if c.endswith("_mean")]
    owned = {"%s_%s" % (m, k) for m in metrics for k in SWEEP_STATS}
    rest = [c for c in stats.columns if c not in owned and c not in ("point", "runs", "failed")
            and not any(c.startswith(m + "_") for m in metrics)]
    categorical = [c for c in rest if stats[c].notna().any() and stats[c].dropna().map(
        lambda v: bool(CATEGORY_CELL.match(str(v)))).all() and stats[c].dtype == object]
    params = [c for c in rest if c not in categorical]
    rows = []
    for m in metrics:
        part = stats[params].copy()
        part["metric"] = m
        for k in SWEEP_STATS:
            part[k] = stats.get("%s_%s" % (m, k))
        if "failed" in stats:
            part["failed"] = stats["failed"]
        rows.append(part)
    return pd.concat(rows, ignore_index=True), params, categorical


def cmd_sweep(a):
    stats = read_stats(a.stats)
    if "mean" in stats:
        params = [c for c in stats.columns if c not in STAT_COLUMNS]
        categorical = [c for c in params if stats[c].dtype == object and stats[c].notna().any()
                       and stats[c].dropna().map(lambda v: bool(CATEGORY_CELL.match(str(v)))).all()]
        params = [c for c in params if c not in categorical]
    else:
        stats, params, categorical = long_from_wide(stats)
    if not params:
        raise PlotError("%s has no parameter column beside the statistics" % a.stats)
    if "metric" in stats:
        metrics = list(dict.fromkeys(stats["metric"]))
        metric = a.metric or metrics[0]
        if metric not in metrics:
            if metric in categorical:
                raise PlotError("%s: %s is a categorical metric (a count per value, such as %r), which is not drawn; "
                                "numeric metrics: %s" % (a.stats, metric, str(
                                    pd.read_csv(a.stats)[metric].dropna().iloc[0]), ", ".join(map(str, metrics))))
            raise PlotError("no metric %r in %s (metrics: %s)" % (metric, a.stats, ", ".join(map(str, metrics))))
        stats = stats[stats["metric"] == metric]
    else:
        metric = a.metric or "value"
    # Parameters with units ("1s", "10Mbps") count in the base unit; text parameters (the
    # congestion control) are categories.
    numeric, kinds = {}, {}
    for p in params:
        values = stats[p]
        if pd.api.types.is_numeric_dtype(values):
            numeric[p], kinds[p] = values.astype(float), quantity(p)
        else:
            parsed = with_units(values)
            if parsed is not None:
                numeric[p], kinds[p] = pd.Series(parsed[0], index=values.index), parsed[1]
    names = {p: short_name(p) for p in params}
    if a.x:
        matches = [p for p in params if a.x in (p, names[p])]
        if not matches:
            raise PlotError("no parameter %r in %s (parameters: %s)" % (a.x, a.stats, ", ".join(params)))
        x = matches[0]
    else:
        varying = [p for p in params if stats[p].nunique() > 1]
        x = next((p for p in varying if p in numeric), next(iter(varying), params[0]))
    if a.log_x and x not in numeric:
        raise PlotError("--log-x: parameter %s is not numeric (values: %s)" % (x, ", ".join(map(str, dict.fromkeys(stats[x])))))

    mean = stats["mean"].astype(float)
    if "ci95_low" in stats and "ci95_high" in stats:
        low, high = stats["ci95_low"].astype(float), stats["ci95_high"].astype(float)
    elif "sd" in stats and "n" in stats:
        half = 1.96 * stats["sd"].astype(float) / stats["n"].astype(float).clip(lower=1).pow(0.5)
        low, high = mean - half, mean + half
    else:
        low = high = pd.Series(np.nan, index=stats.index)
    kind = quantity(metric)
    factor, ylabel = axis_label(metric, kind, mean.dropna().tolist())
    if x in numeric:
        xfactor, xlabel = axis_label(names[x], kinds[x], numeric[x].tolist())
        xs = numeric[x] * xfactor
        categories = None
    else:
        categories = list(dict.fromkeys(map(str, stats[x])))
        xs = stats[x].map(lambda v: categories.index(str(v))).astype(float)
        xlabel = names[x]
    frame = pd.DataFrame({"x": xs, "mean": mean * factor, "low": low * factor, "high": high * factor}, index=stats.index)
    ns = stats["n"].dropna().astype(int) if "n" in stats else pd.Series(dtype=int)
    others = [p for p in params if p != x]

    # Groups in the order of their values: numbers by size, text as the file first has it.
    first_seen = {p: {v: i for i, v in enumerate(dict.fromkeys(map(str, stats[p])))} for p in others}

    def order(p, v):
        return (float(numeric[p].loc[v]) if p in numeric else first_seen[p][str(stats[p].loc[v])],)

    def shown(p, idx):
        """A parameter's value for the legend, in the unit its axis would have."""
        v = stats[p].loc[idx]
        if p in numeric and kinds[p] in ("s", "bit/s", "bytes"):
            f, unit = display_unit(kinds[p], numeric[p].tolist())
            return "%s %s" % (value_text(float("%.6g" % (numeric[p].loc[idx] * f))), unit)
        return value_text(v)

    groups = {}
    for idx in stats.index:
        key = tuple(stats[p].loc[idx] for p in others)
        groups.setdefault(key, []).append(idx)
    keyed = sorted(groups.items(), key=lambda kv: tuple(order(p, kv[1][0]) for p in others))
    fig, ax = plt.subplots(figsize=(9, 5), dpi=DPI, layout="constrained")
    total = bars = 0
    dodge = 0.06 if categories is not None and len(keyed) > 1 else 0.0
    for gi, (key, idx) in enumerate(keyed):
        rows = frame.loc[idx]
        rows = rows[rows["mean"].notna()].sort_values("x", kind="mergesort")
        label = ", ".join("%s=%s" % (names[p], shown(p, idx[0])) for p in others) or metric
        if rows.empty:
            series("sweep", label, 0)
            continue
        px = rows["x"] + dodge * (gi - (len(keyed) - 1) / 2)
        line, = ax.plot(px, rows["mean"], marker="o", ms=4, label=label)
        ok = rows["low"].notna() & rows["high"].notna()
        if ok.any():
            yerr = [(rows["mean"] - rows["low"])[ok].clip(lower=0), (rows["high"] - rows["mean"])[ok].clip(lower=0)]
            ax.errorbar(px[ok], rows["mean"][ok], yerr=yerr, fmt="none", ecolor=line.get_color(), capsize=3, lw=1)
            bars += int(ok.sum())
        total += series("sweep", label, len(rows))
    if total == 0:
        raise PlotError("%s: metric %s has no value at any point" % (a.stats, metric))
    nmin, nmax = (int(ns.min()), int(ns.max())) if not ns.empty else (0, 0)
    if bars == 0:
        what = ("%d replication, no confidence interval" % nmax if nmax == 1
                else "mean of %s runs, no confidence interval in the file" % (nmax if nmin == nmax else "%d-%d" % (nmin, nmax)))
    else:
        reps = "%d" % nmax if nmin == nmax else "%d-%d" % (nmin, nmax)
        what = "mean of %s replications, bars: 95%% confidence interval" % reps
        if nmin <= 1:
            what += " (none where n = 1)"
    failed = int(stats["failed"].fillna(0).sum()) if "failed" in stats else 0
    if failed:
        what += "; %d failed runs left out" % failed
    if a.log_x:
        ax.set_xscale("log")
        # A sweep has few values: ticks at them read better than powers of ten.
        values = sorted(set(frame["x"].dropna()))
        if len(values) <= 12:
            ax.set_xticks(values)
            ax.xaxis.set_minor_locator(mticker.NullLocator())
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: "%g" % float("%.6g" % v)))
    if categories is not None:
        ax.set_xticks(range(len(categories)))
        ax.set_xticklabels(categories)
        ax.set_xlim(-0.5, len(categories) - 0.5)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, title=what.replace(", ", ",\n", 1) if len(what) > 40 else what, title_fontsize=8,
              loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, alignment="left")
    name = os.path.basename(a.stats)
    name = name[:-len(".stats.csv")] + ": " if name.endswith(".stats.csv") else ""
    ax.set_title("%s%s against %s" % (name, metric, names[x]), fontsize=10)
    print("plot: sweep: x axis: %s%s" % (xlabel, ", log scale" if a.log_x else ""))
    print("plot: sweep: y axis: %s" % ylabel)
    print("plot: sweep: statistics: %s" % what)
    if categorical:
        print("plot: sweep: categorical metrics, not drawn: %s" % ", ".join(categorical))
    save(fig, a.output)
    return total
