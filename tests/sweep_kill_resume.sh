#!/bin/sh
# A sweep killed with SIGKILL part-way (no chance to clean up: the last line may be cut short)
# and then resumed ends with the same results (but for wall times) and byte-identical statistics
# as the same sweep run without interruption.
# Usage: sweep_kill_resume.sh TCPSIM SWEEP_FILE WORK_DIR
set -eu
tcpsim=$1 sweep=$2 dir=$3
name=$(basename "$sweep" .json)
reps=300  # 12 points x 300 = 3600 runs, about 2 s on 2 threads
rm -rf "$dir"
mkdir -p "$dir/killed" "$dir/whole"
results="$dir/killed/$name.results.jsonl"

"$tcpsim" sweep "$sweep" --replications $reps --jobs 2 --quiet --out-dir "$dir/killed" >/dev/null 2>&1 &
pid=$!
# Kill it once 100 runs are in the file.
while [ "$(cat "$results" 2>/dev/null | wc -l)" -lt 100 ]; do
  kill -0 $pid 2>/dev/null || { echo "the sweep ended before it could be killed"; exit 1; }
  sleep 0.02
done
kill -9 $pid
wait $pid 2>/dev/null || true
lines=$(wc -l <"$results")
echo "killed with $lines of 3600 runs in the results file"
[ "$lines" -lt 3600 ] || { echo "the sweep finished before the kill"; exit 1; }

"$tcpsim" sweep "$sweep" --replications $reps --jobs 2 --quiet --out-dir "$dir/killed" --resume >/dev/null
"$tcpsim" sweep "$sweep" --replications $reps --jobs 2 --quiet --out-dir "$dir/whole" >/dev/null

cmp "$dir/killed/$name.stats.json" "$dir/whole/$name.stats.json"
cmp "$dir/killed/$name.stats.csv" "$dir/whole/$name.stats.csv"
strip_wall() { sed 's/,"wall_s":[^,}]*}$/}/' "$1"; }
strip_wall "$results" >"$dir/killed.nowall"
strip_wall "$dir/whole/$name.results.jsonl" >"$dir/whole.nowall"
cmp "$dir/killed.nowall" "$dir/whole.nowall"
[ "$(wc -l <"$dir/killed.nowall")" -eq 3600 ]
echo "resumed: 3600 runs, each once, same results and statistics as the uninterrupted sweep"
