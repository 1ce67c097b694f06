#!/bin/sh
# A sweep interrupted with SIGINT part-way stops starting runs, leaves out the ones it was
# running, says how to continue and exits 130; resumed, it ends with the same results (but for
# wall times) and byte-identical statistics as the same sweep run without interruption.
# Usage: sweep_interrupt_resume.sh TCPSIM SWEEP_FILE WORK_DIR
set -eu
tcpsim=$1 sweep=$2 dir=$3
name=$(basename "$sweep" .json)
reps=300  # 12 points x 300 = 3600 runs, about 2 s on 2 threads
rm -rf "$dir"
mkdir -p "$dir/stopped" "$dir/whole"
results="$dir/stopped/$name.results.jsonl"

"$tcpsim" sweep "$sweep" --replications $reps --jobs 2 --quiet --out-dir "$dir/stopped" >/dev/null 2>"$dir/err" &
pid=$!
while [ "$(cat "$results" 2>/dev/null | wc -l)" -lt 100 ]; do
  kill -0 $pid 2>/dev/null || { echo "the sweep ended before it could be interrupted"; exit 1; }
  sleep 0.02
done
kill -INT $pid
status=0
wait $pid || status=$?
cat "$dir/err"
[ "$status" -eq 130 ] || { echo "exit status $status, expected 130"; exit 1; }
grep -q "tcpsim: sweep: interrupted after [0-9]* of 3600 runs; they are in .*--resume" "$dir/err"
lines=$(wc -l <"$results")
[ "$lines" -lt 3600 ] || { echo "the sweep finished before the signal"; exit 1; }
# Every line is whole: the runs in flight were left out, not cut.
[ "$(tail -c 1 "$results" | od -An -c | tr -d ' ')" = '\n' ]
echo "interrupted with $lines of 3600 runs in the results file"

"$tcpsim" sweep "$sweep" --replications $reps --jobs 2 --quiet --out-dir "$dir/stopped" --resume >/dev/null
"$tcpsim" sweep "$sweep" --replications $reps --jobs 2 --quiet --out-dir "$dir/whole" >/dev/null

cmp "$dir/stopped/$name.stats.json" "$dir/whole/$name.stats.json"
cmp "$dir/stopped/$name.stats.csv" "$dir/whole/$name.stats.csv"
strip_wall() { sed 's/,"wall_s":[^,}]*}$/}/' "$1"; }
strip_wall "$results" >"$dir/stopped.nowall"
strip_wall "$dir/whole/$name.results.jsonl" >"$dir/whole.nowall"
cmp "$dir/stopped.nowall" "$dir/whole.nowall"
echo "resumed: 3600 runs, same results and statistics as the uninterrupted sweep"
