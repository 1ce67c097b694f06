#!/bin/sh
# A sweep stopped part-way and then resumed ends with the same results (but for wall times) and
# byte-identical statistics as the same sweep run without interruption.
#   KILL: SIGKILL, no chance to clean up (the last line may be cut short);
#   INT:  SIGINT, which the sweep honours: no further run starts, the runs in flight are left
#         out, it says how to continue and exits 130, and every line of the file is whole.
# Usage: sweep_kill_resume.sh TCPSIM SWEEP_FILE WORK_DIR KILL|INT
set -eu
tcpsim=$1 sweep=$2 dir=$3 sig=$4
name=$(basename "$sweep" .json)
reps=300  # 12 points x 300 = 3600 runs, about 2 s on 2 threads
rm -rf "$dir"
mkdir -p "$dir/stopped" "$dir/whole"
results="$dir/stopped/$name.results.jsonl"

"$tcpsim" sweep "$sweep" --replications $reps --jobs 2 --quiet --out-dir "$dir/stopped" >/dev/null 2>"$dir/err" &
pid=$!
# Stop it once 100 runs are in the file.
while [ "$(cat "$results" 2>/dev/null | wc -l)" -lt 100 ]; do
  kill -0 $pid 2>/dev/null || { echo "the sweep ended before the signal"; exit 1; }
  sleep 0.02
done
kill -s "$sig" $pid
status=0
wait $pid 2>/dev/null || status=$?
lines=$(wc -l <"$results")
echo "SIG$sig with $lines of 3600 runs in the results file"
[ "$lines" -lt 3600 ] || { echo "the sweep finished before the signal"; exit 1; }
if [ "$sig" = INT ]; then
  cat "$dir/err"
  [ "$status" -eq 130 ] || { echo "exit status $status, expected 130"; exit 1; }
  grep -q "tcpsim: sweep: interrupted after [0-9]* of 3600 runs; they are in .*--resume" "$dir/err"
  [ "$(tail -c 1 "$results" | od -An -c | tr -d ' ')" = '\n' ]
fi

"$tcpsim" sweep "$sweep" --replications $reps --jobs 2 --quiet --out-dir "$dir/stopped" --resume >/dev/null
"$tcpsim" sweep "$sweep" --replications $reps --jobs 2 --quiet --out-dir "$dir/whole" >/dev/null

cmp "$dir/stopped/$name.stats.json" "$dir/whole/$name.stats.json"
cmp "$dir/stopped/$name.stats.csv" "$dir/whole/$name.stats.csv"
strip_wall() { sed 's/,"wall_s":[^,}]*}$/}/' "$1"; }
strip_wall "$results" >"$dir/stopped.nowall"
strip_wall "$dir/whole/$name.results.jsonl" >"$dir/whole.nowall"
cmp "$dir/stopped.nowall" "$dir/whole.nowall"
[ "$(wc -l <"$dir/stopped.nowall")" -eq 3600 ]
echo "resumed: 3600 runs, each once, same results and statistics as the uninterrupted sweep"
