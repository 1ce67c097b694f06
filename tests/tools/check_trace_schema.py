#!/usr/bin/python3
"""Every shipped scenario's trace validates against tools/trace.schema.json.

Usage: check_trace_schema.py TCPSIM SCHEMA WORKDIR SCENARIO...

Each scenario runs twice: --format json at --trace-level all (every record type the scenario
produces), and --format jsonl at its own level (the line layout: meta first, summary last).
Uses Debian's python3-jsonschema (Draft 2020-12). Exit 0 if all validate, 1 otherwise.
"""
import json
import os
import subprocess

# Long scenarios (mathis.json simulates 300 s) are cut by an event budget: the trace is still a
# complete document (stop_reason "event_budget") and validation stays quick.
BUDGET = "30000"
import sys

import jsonschema


def main():
    tcpsim, schema_path, work = sys.argv[1:4]
    scenarios = sys.argv[4:]
    schema = json.load(open(schema_path))
    jsonschema.Draft202012Validator.check_schema(schema)
    defs = schema["$defs"]
    # One validator per $def, resolved against the schema's own $defs. Events are checked against
    # their type's definition directly: the same as #/$defs/event (whose if/then picks it), but
    # without evaluating a dozen conditions per record, which keeps this test fast.
    part = {k: jsonschema.Draft202012Validator({"$ref": "#/$defs/" + k, "$defs": defs}) for k in defs}

    known_types = set(defs["event"]["properties"]["type"]["enum"])

    def event_errors(rec):
        t = rec.get("type") if isinstance(rec, dict) else None
        return list(part[t if t in known_types else "event"].iter_errors(rec))

    def document_errors(doc):
        errs = []
        if not isinstance(doc, dict) or set(doc) != {"meta", "events", "summary"}:
            return ["the document must have exactly meta, events and summary"]
        errs += [e.message for e in part["meta"].iter_errors(doc["meta"])]
        errs += [e.message for e in part["summary"].iter_errors(doc["summary"])]
        for i, ev in enumerate(doc["events"]):
            errs += ["events/%d: %s" % (i, e.message) for e in event_errors(ev)]
        return errs
    os.makedirs(work, exist_ok=True)
    failed = 0
    if not scenarios:
        print("no scenarios given")
        return 1
    for scenario in scenarios:
        stem = os.path.splitext(os.path.basename(scenario))[0]
        doc_path = os.path.join(work, stem + ".trace.json")
        lines_path = os.path.join(work, stem + ".trace.jsonl")
        subprocess.run([tcpsim, "run", scenario, "-q", "--trace-level", "all", "--max-events", BUDGET, "-o", doc_path], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([tcpsim, "run", scenario, "-q", "--format", "jsonl", "--max-events", BUDGET, "-o", lines_path], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        doc = json.load(open(doc_path))
        errors = document_errors(doc)
        with open(lines_path) as f:
            lines = [json.loads(line) for line in f]
        for i, rec in enumerate(lines):
            kind = "meta" if i == 0 else "summary" if i == len(lines) - 1 else "event"
            if kind != "event" and rec.get("type") != kind:
                errors.append("line %d: expected the %s line" % (i + 1, kind))
                continue
            errs = event_errors(rec) if kind == "event" else list(part[kind].iter_errors(rec))
            errors += ["line %d: %s" % (i + 1, e.message) for e in errs]
        types = sorted({e["type"] for e in doc["events"]})
        print("%s: %d events (%s), %d jsonl lines: %s" % (stem, len(doc["events"]), " ".join(types), len(lines),
                                                          "ok" if not errors else "%d errors" % len(errors)))
        for e in errors[:5]:
            print("  " + e)
        failed += bool(errors)

    # The schema must reject what is wrong, or the checks above prove nothing: broken copies of
    # the smallest trace, each with one fault, must each fail.
    paths = [os.path.join(work, os.path.splitext(os.path.basename(s))[0] + ".trace.json") for s in scenarios]
    doc = json.load(open(min(paths, key=os.path.getsize)))
    send = next(i for i, e in enumerate(doc["events"]) if e["type"] == "send")
    faults = {
        "negative seq": lambda d: d["events"][send].update(seq=-1),
        "unknown event field": lambda d: d["events"][send].update(colour="blue"),
        "unknown event type": lambda d: d["events"][send].update(type="teleport"),
        "send without pkt": lambda d: d["events"][send].pop("pkt"),
        "drop reason not in the list": lambda d: d["events"][send].update(type="drop", reason="gremlins"),
        "flags not tcpdump letters": lambda d: d["events"][send].update(flags="SYN"),
        "t_ns a float": lambda d: d["events"][send].update(t_ns=0.5),
        "meta without nodes": lambda d: d["meta"].pop("nodes"),
        "summary stop reason unknown": lambda d: d["summary"]["run"].update(stop_reason="bored"),
    }
    for what, apply in faults.items():
        broken = json.loads(json.dumps(doc))
        apply(broken)
        caught = bool(document_errors(broken))
        print("schema rejects %s: %s" % (what, "yes" if caught else "NO"))
        failed += not caught
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
