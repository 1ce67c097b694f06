#!/usr/bin/python3
"""The pcap files of a run, read back by tshark, against the run's own JSON trace.

Usage: check_pcap_tshark.py TCPSIM WORKDIR SCENARIO...

Runs each SCENARIO with --format json,pcap (capture at every host), then for each host's capture:
  - tshark reads it with IP and TCP checksum validation on: no malformed packet, no expert
    error, every checksum good;
  - the frames are exactly the JSON trace's segments at that host, in order (sent by it, or
    arriving at it): same addresses, ports, flags, seq, ack, window, length, and the IP header's
    ECN codepoint (ip.dsfield.ecn) is the record's "ecn";
  - the CE marks: the frames with ip.dsfield.ecn == 3 arriving at the hosts are as many as the
    links' ecn_marked in the summary (the marked packets reach their hosts);
  - the pcapng file of the same run (every node a capture point): capinfos names its interfaces
    after the nodes, in order, and its comment names the scenario and seed; each interface's
    frames are the node's classic pcap file's, frame for frame;
  - the handshake: the first SYN, SYN-ACK and ACK carry the JSON's numbers and options, and
    tshark finds the handshake complete (tcp.completeness has SYN, SYN-ACK and ACK);
  - duplicate ACKs: tshark's tcp.analysis.duplicate_ack count equals the count worked out from
    the JSON trace with Wireshark's definition (no payload, no SYN/FIN/RST, nonzero window, same
    ack and window as the previous segment in that direction, seq at the highest seen);
  - retransmissions, at the sender's capture (where segments are seen as sent, before the link
    loses or reorders anything): the frames tshark labels tcp.analysis.retransmission (which
    includes its fast and spurious retransmissions) or tcp.analysis.out_of_order (a
    retransmission sent within one handshake RTT of new data, by tshark's timing heuristic) are
    exactly the JSON's sends with "retransmission": true.
At a receiver's capture tshark's retransmission labels are not compared: they count segments
the link reordered or delayed (see README, "pcap").
Exit 0 on success, 1 on a mismatch, 77 (CTest SKIP_RETURN_CODE) when tshark is not installed.
"""
import json
import os
import shutil
import subprocess
import sys

SKIP = 77
FIELDS = ["frame.number", "ip.dsfield.ecn", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.seq_raw",
          "tcp.ack_raw", "tcp.window_size_value", "tcp.len", "tcp.analysis.retransmission",
          "tcp.analysis.out_of_order", "tcp.analysis.duplicate_ack", "_ws.malformed", "_ws.expert.severity",
          "ip.checksum.status", "tcp.checksum.status", "tcp.completeness", "tcp.options.mss_val",
          "tcp.options.wscale.shift", "tcp.options.sack_perm", "tcp.options.timestamp.tsval",
          "tcp.options.timestamp.tsecr"]
EXPERT_ERROR = 0x00800000  # Wireshark's PI_ERROR
ECN_CODEPOINT = {"": "0", "ect1": "1", "ect0": "2", "ce": "3"}
FLAG_BITS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, ".": 0x10, "U": 0x20, "E": 0x40, "W": 0x80}

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL: " + what)
    return ok


def flags_value(text):
    return 0 if text == "none" else sum(FLAG_BITS[c] for c in text)


def tshark_frames(path):
    cmd = ["tshark", "-n", "-r", path, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
           "-o", "tcp.analyze_sequence_numbers:TRUE", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    frames = []
    for line in out.splitlines():
        frames.append(dict(zip(FIELDS, line.split("\t"))))
    return frames


def wireshark_dup_acks(segments):
    """Duplicate ACKs by Wireshark's rule, per direction, in the order the capture sees them, up to
    the close: returns (count, n), n the segments looked at (until both FINs were seen; what the
    ends say to stray segments after that is Wireshark's own call)."""
    state = {}
    count = 0
    fins = set()
    n = 0
    for s in segments:
        key = (s["src"], s["sport"])
        flags = flags_value(s["flags"])
        if flags & FLAG_BITS["F"]:
            fins.add(key)
        if len(fins) == 2:
            break
        n += 1
        seq_len = s["len"] + (1 if flags & (FLAG_BITS["S"] | FLAG_BITS["F"]) else 0)
        prev = state.get(key)
        if prev is not None and s["len"] == 0 and s["win"] != 0 and not flags & 0x07 \
                and s["win"] == prev["win"] and s["ack"] == prev["ack"] and s["seq"] == prev["nextseq"]:
            count += 1
        nextseq = (s["seq"] + seq_len) % 2**32
        if prev is not None and ((prev["nextseq"] - nextseq) % 2**32) < 2**31:
            nextseq = prev["nextseq"]  # not beyond the highest seen
        state[key] = {"win": s["win"], "ack": s["ack"], "nextseq": nextseq}
    return count, n


def check_pcapng(prefix, names, trace):
    info = subprocess.run(["capinfos", "-I", "-k", prefix + ".pcapng"], check=True, capture_output=True, text=True).stdout
    interfaces = [line.split("=", 1)[1].strip() for line in info.splitlines() if line.strip().startswith("Name =")]
    check(interfaces == names, "%s.pcapng: interfaces named after the nodes %s (capinfos: %s)" % (prefix, names, interfaces))
    comment = "tcpsim scenario \"%s\", seed %d" % (trace["meta"]["scenario"], trace["meta"]["seed"])
    check(comment in info, "%s.pcapng: the section comment is '%s'" % (prefix, comment))
    fields = ["frame.interface_name", "frame.time_epoch", "frame.len", "ip.src", "ip.dst", "ip.dsfield.ecn", "tcp.flags",
              "tcp.seq_raw", "tcp.ack_raw", "tcp.len", "ip.checksum.status", "tcp.checksum.status"]

    def rows(path, extra=()):
        cmd = ["tshark", "-n", "-r", path, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
               "-T", "fields"] + [a for f in fields for a in ("-e", f)]
        return [line.split("\t") for line in subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()]
    ng = rows(prefix + ".pcapng")
    for name in names:
        classic = [r[1:] for r in rows("%s.%s.pcap" % (prefix, name))]
        mine = [r[1:] for r in ng if r[0] == name]
        check(mine == classic and len(mine) > 0,
              "%s.pcapng: interface %s has the %d frames of %s.%s.pcap (%d)" % (prefix, name, len(mine), prefix, name, len(classic)))


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    tcpsim, work = sys.argv[1:3]
    if shutil.which("tshark") is None:
        print("SKIP: tshark is not installed (Debian package tshark; tools/deps installs it as root): "
              "the pcap files were not checked against Wireshark's analysis")
        return SKIP
    os.makedirs(work, exist_ok=True)
    totals = {"dups": 0, "retr": 0}
    for scenario in sys.argv[3:]:
        check_scenario(tcpsim, scenario, work, totals)

    # Otherwise the comparisons above would hold vacuously.
    check(totals["dups"] > 0 and totals["retr"] > 0, "the scenarios have duplicate ACKs (%d) and retransmissions (%d)"
          % (totals["dups"], totals["retr"]))

    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("ok")
    return 0


def check_scenario(tcpsim, scenario, work, totals):
    prefix = os.path.join(work, os.path.splitext(os.path.basename(scenario))[0])
    names = [n["name"] for n in json.load(open(scenario))["nodes"]]
    subprocess.run([tcpsim, "run", scenario, "-q", "--format", "json,pcap,pcapng", "--capture", ",".join(names),
                    "-o", prefix], check=True, stdout=subprocess.DEVNULL)
    trace = json.load(open(prefix + ".trace.json"))
    check(trace["meta"]["trace_level"] != "summary", "the scenario's trace level keeps segments")
    nodes = trace["meta"]["nodes"]
    address = {n["name"]: n["address"] for n in nodes}
    events = trace["events"]
    conns = trace["summary"]["connections"]
    ce_arrived = 0

    for host in [n["name"] for n in nodes if n["type"] == "host"]:
        path = "%s.%s.pcap" % (prefix, host)
        frames = tshark_frames(path)
        # What the host's interface saw: its sends, and the packets that reached it.
        seen = [e for e in events if e["node"] == host and e["type"] in ("send", "deliver")]
        print("%s: %d frames, %d JSON segment events" % (path, len(frames), len(seen)))
        check(len(frames) == len(seen) and len(frames) > 0, "%s: frame count equals the JSON's" % host)

        malformed = sum(1 for f in frames if f["_ws.malformed"])
        errors = sum(1 for f in frames for sev in f["_ws.expert.severity"].split(",") if sev and int(sev) >= EXPERT_ERROR)
        bad_sums = sum(1 for f in frames if f["ip.checksum.status"] != "1" or f["tcp.checksum.status"] != "1")
        print("  malformed %d, expert errors %d, checksums not good %d" % (malformed, errors, bad_sums))
        check(malformed == 0 and errors == 0 and bad_sums == 0, "%s: no malformed frame, expert error or bad checksum" % host)

        mismatched = 0
        for f, e in zip(frames, seen):
            want = (address[e["src"]], address[e["dst"]], str(e["sport"]), str(e["dport"]), flags_value(e["flags"]),
                    str(e["seq"]), str(e["ack"]), str(e["win"]), str(e["len"]), ECN_CODEPOINT[e.get("ecn", "")])
            got = (f["ip.src"], f["ip.dst"], f["tcp.srcport"], f["tcp.dstport"], int(f["tcp.flags"], 16),
                   f["tcp.seq_raw"], f["tcp.ack_raw"], f["tcp.window_size_value"], f["tcp.len"], f["ip.dsfield.ecn"])
            if want != got:
                mismatched += 1
                if mismatched <= 3:
                    print("  frame %s: tshark %s, JSON %s" % (f["frame.number"], got, want))
        check(mismatched == 0, "%s: every frame carries the JSON's header fields" % host)
        ce_arrived += sum(1 for f, e in zip(frames, seen) if e["type"] == "deliver" and f["ip.dsfield.ecn"] == "3")

        # The handshake, as the first three segments of the first connection.
        hs = [e for e in seen if e["conn"] == 0][:3]
        fr = [f for f, e in zip(frames, seen) if e["conn"] == 0][:3]
        if check(len(hs) == 3 and [h["flags"].replace("E", "").replace("W", "") for h in hs] == ["S", "S.", "."], "%s: SYN, SYN-ACK, ACK first" % host):
            syn, synack, ack = hs
            check(synack["ack"] == (syn["seq"] + 1) % 2**32 and ack["seq"] == syn["seq"] + 1
                  and ack["ack"] == (synack["seq"] + 1) % 2**32, "%s: handshake numbers x, y, x+1, y+1" % host)
            for f, e in zip(fr[:2], hs[:2]):
                o = e.get("options", {})
                got = (f["tcp.options.mss_val"], f["tcp.options.wscale.shift"], f["tcp.options.sack_perm"] != "",
                       f["tcp.options.timestamp.tsval"], f["tcp.options.timestamp.tsecr"])
                want = (str(o.get("mss", "")), str(o.get("wscale", "")), bool(o.get("sack_permitted")),
                        str(o["ts"][0]) if "ts" in o else "", str(o["ts"][1]) if "ts" in o else "")
                check(got == want, "%s: frame %s options %s equal the JSON's %s" % (host, f["frame.number"], got, want))
        completeness = max((int(f["tcp.completeness"] or 0) for f in frames), default=0)
        check(completeness & 0x07 == 0x07, "%s: tshark sees the handshake complete (tcp.completeness %d)" % (host, completeness))

        json_dups, before_close = wireshark_dup_acks(seen)
        tshark_dups = sum(1 for f in frames[:before_close] if f["tcp.analysis.duplicate_ack"])
        print("  duplicate ACKs: tshark %d, JSON trace %d" % (tshark_dups, json_dups))
        check(tshark_dups == json_dups, "%s: duplicate ACK counts agree" % host)

        # What tshark makes of the segments this host sent (not of those that reached it).
        retr = [f["frame.number"] for f, e in zip(frames, seen) if e["type"] == "send" and f["tcp.analysis.retransmission"]]
        ooo = [f["frame.number"] for f, e in zip(frames, seen) if e["type"] == "send" and f["tcp.analysis.out_of_order"]]
        json_retr = [f["frame.number"] for f, e in zip(frames, seen) if e["type"] == "send" and e.get("retransmission")]
        # The summary's per-direction counts of the directions this host sends.
        sent_retr = sum(c[d]["retransmissions"] for c in conns for d in ("forward", "reverse")
                        if c[d]["from"].split(":")[0] == host)
        totals["dups"] += json_dups
        totals["retr"] += len(json_retr)
        print("  tshark: %d retransmissions, %d out-of-order; JSON: %d sends marked retransmission"
              % (len(retr), len(ooo), len(json_retr)))
        sends_retransmit = any(e["type"] == "send" and e.get("retransmission") for e in seen)
        if sends_retransmit:
            if sorted(retr + ooo, key=int) != json_retr:
                print("  tshark only: %s; JSON only: %s" % (sorted(set(retr + ooo) - set(json_retr), key=int),
                                                         sorted(set(json_retr) - set(retr + ooo), key=int)))
            check(sorted(retr + ooo, key=int) == json_retr,
                  "%s (a sender): tshark's retransmission/out-of-order frames are the JSON's retransmissions" % host)
        check(len(json_retr) == sent_retr, "%s: %d retransmitting sends, as the summary counts (%d)"
              % (host, len(json_retr), sent_retr))

    check_pcapng(prefix, names, trace)
    marked = sum(link.get("ecn_marked", 0) for link in trace["summary"]["links"])
    print("%s: %d CE-marked packets arrived at the hosts (ip.dsfield.ecn == 3), links marked %d"
          % (os.path.basename(scenario), ce_arrived, marked))
    check(ce_arrived == marked, "%s: tshark's CE marks at the hosts (%d) are the links' ecn_marked (%d)"
          % (os.path.basename(scenario), ce_arrived, marked))


if __name__ == "__main__":
    sys.exit(main())
