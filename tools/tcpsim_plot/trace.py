"""Reading tcpsim traces (JSON, JSONL) and tcpsim sweep's statistics CSV, and saying what a file
of the wrong kind is (a statistics CSV given as a trace, a pcap, a scenario, ...): PlotError, with
what was expected and what the file is."""
import json
import os
import re

import pandas as pd


class PlotError(Exception):
    pass


# ---------------------------------------------------------------- what a file is

EXPECT_TRACE = "a tcpsim trace (the JSON or JSONL that `tcpsim run SCENARIO -o TRACE` writes)"
EXPECT_STATS = "the statistics CSV of tcpsim sweep (OUT-DIR/NAME.stats.csv)"
MAGIC = [(b"\xd4\xc3\xb2\xa1", "a pcap capture"), (b"\xa1\xb2\xc3\xd4", "a pcap capture"),
         (b"\x4d\x3c\xb2\xa1", "a pcap capture"), (b"\xa1\xb2\x3c\x4d", "a pcap capture"),
         (b"\x0a\x0d\x0d\x0a", "a pcapng capture"), (b"\x1f\x8b", "gzip-compressed data"),
         (b"\x89PNG", "a PNG image"), (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a zip archive")]


def shorten(text, n=60):
    text = text.strip()
    return repr(text if len(text) <= n else text[:n] + "...")


def wrong_file(path, expected, got):
    return PlotError("%s: expected %s, got %s" % (path, expected, got))


def sniff(path):
    """(kind, description, start of the text): kind is one of empty, binary, json, csv, text."""
    if os.path.isdir(path):
        return "dir", "a directory", ""
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 16)
    except OSError as e:
        raise PlotError("%s: cannot read it: %s" % (path, e.strerror or e))
    if not head:
        return "empty", "an empty file", ""
    for magic, what in MAGIC:
        if head.startswith(magic):
            return "binary", what, ""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 3:
            return "binary", "binary data (not UTF-8 text)", ""
        text = head[:e.start].decode("utf-8")
    if "\0" in text:
        return "binary", "binary data", ""
    body = text.lstrip("\ufeff \t\r\n")
    if not body:
        return "empty", "a file of white space only", ""
    if body[0] in "{[":
        return "json", "JSON", body
    first = body.splitlines()[0]
    if "," in first:
        cols = [c.strip() for c in first.split(",")]
        if any(c.endswith("_mean") for c in cols) or "mean" in cols:
            return "csv", "the statistics CSV of tcpsim sweep", body
        if cols[:2] == ["t", "t_ns"]:
            return "csv", "a CSV trace of tcpsim (NAME.segments.csv, .cwnd.csv or .queue.csv)", body
        return "csv", "a CSV file (header %s)" % shorten(first), body
    return "text", "text that is not JSON (first line %s)" % shorten(first), body


def describe_json_value(doc):
    if isinstance(doc, dict):
        keys = set(doc)
        if doc.get("type") == "meta" or {"meta", "events"} <= keys:
            return "a tcpsim trace"
        if {"points", "parameters"} <= keys:
            return "the statistics JSON of tcpsim sweep"
        if {"run", "point", "params"} <= keys:
            return "the results of tcpsim sweep (NAME.results.jsonl)"
        if "vary" in keys:
            return "a sweep specification (`tcpsim sweep FILE` runs it)"
        if keys & {"nodes", "links", "applications"}:
            return "a tcpsim scenario (`tcpsim run FILE -o TRACE` writes its trace)"
        return "a JSON object with the keys %s" % shorten(", ".join(doc), 80)
    kinds = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return "JSON, %s" % kinds.get(type(doc), "a number")


def describe_json_file(path, body):
    try:
        return describe_json_value(json.loads(body.splitlines()[0]))
    except ValueError:
        pass
    if re.match(r'\{\s*"meta"\s*:', body):
        return "a tcpsim trace"
    if os.path.getsize(path) <= (64 << 20):
        try:
            with open(path, encoding="utf-8") as f:
                return describe_json_value(json.load(f))
        except ValueError as e:
            return "text that is not valid JSON (%s)" % e
    return "a JSON document"


# ---------------------------------------------------------------- reading


def read_trace(path):
    """(meta, events DataFrame, summary) from a json or jsonl trace."""
    kind, what, body = sniff(path)
    if kind != "json":
        if what.startswith("the statistics CSV"):
            what += "; `tools/plot sweep` draws it"
        elif "pcap" in what or "CSV trace" in what:
            what += "; tools/plot reads the JSON trace (`tcpsim run SCENARIO --format json -o TRACE.json`)"
        raise wrong_file(path, EXPECT_TRACE, what)
    with open(path, encoding="utf-8") as f:
        first = f.readline()
        try:
            head = json.loads(first)
        except ValueError:
            head = None
        if isinstance(head, dict) and head.get("type") == "meta":
            meta, records, summary = head, [], {}
            for number, line in enumerate(f, 2):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except ValueError as e:
                    raise PlotError("%s: line %d of the JSONL trace is not JSON (%s): is the trace cut short?"
                                    % (path, number, e))
                if not isinstance(rec, dict):
                    raise PlotError("%s: line %d of the JSONL trace is not a record" % (path, number))
                if rec.get("type") == "summary":
                    summary = rec
                else:
                    records.append(rec)
        else:
            f.seek(0)
            try:
                doc = json.load(f)
            except ValueError as e:
                if isinstance(head, dict):
                    got = describe_json_value(head) + ", one JSON document a line"
                elif re.match(r'\{\s*"meta"\s*:', body):
                    raise PlotError("%s: the trace is cut short (not valid JSON: %s): was the run interrupted?" % (path, e))
                else:
                    got = "text that is not valid JSON (%s)" % e
                raise wrong_file(path, EXPECT_TRACE, got)
            if not (isinstance(doc, dict) and isinstance(doc.get("meta"), dict) and isinstance(doc.get("events"), list)):
                got = describe_json_value(doc)
                if got == "the statistics JSON of tcpsim sweep":
                    got += "; `tools/plot sweep` draws the NAME.stats.csv beside it"
                raise wrong_file(path, EXPECT_TRACE, got)
            meta, records, summary = doc["meta"], doc["events"], doc.get("summary", {})
    events = pd.DataFrame.from_records(records)
    if events.empty or "type" not in events:
        raise PlotError("%s: the trace (level %s) has no event records: run with --trace-level segments or all"
                        % (path, meta.get("trace_level", "?")))
    return meta, events, summary


def read_stats(path):
    kind, what, body = sniff(path)
    if kind == "json":
        what = describe_json_file(path, body)
        if what.startswith("a tcpsim trace"):
            what += "; `tools/plot ladder`, `timeseq` and `cwnd` draw traces"
        elif what.startswith("the statistics JSON") or what.startswith("the results of tcpsim sweep"):
            what += "; give it the NAME.stats.csv beside it"
    if kind != "csv":
        raise wrong_file(path, EXPECT_STATS, what)
    try:
        stats = pd.read_csv(path)
    except ValueError as e:  # pandas' parser errors are ValueErrors
        raise wrong_file(path, EXPECT_STATS, "a CSV file pandas cannot read (%s)" % str(e).strip())
    if "mean" not in stats and not any(str(c).endswith("_mean") for c in stats.columns):
        raise wrong_file(path, EXPECT_STATS, "a CSV file without statistics, no M_mean or mean column (columns %s)"
                         % shorten(", ".join(map(str, stats.columns)), 80))
    return stats
