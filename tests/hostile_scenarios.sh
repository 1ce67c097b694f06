#!/bin/sh
# Large and hostile scenario files, each within the 64 MiB file limit, loaded under an address
# space limit (ulimit -v): every one ends with "tcpsim: error: ..." and exit 2, or loads; none
# aborts (exit 134) or is killed. Generated here, not stored: they are tens of megabytes.
#   1. 33 million entries in a loss model's drop list (64 MiB): refused at the entry past the
#      list limit, in well under the address space given.
#   2. 6 million JSON values in an ignored "_pad" member (599 objects of 9,999 keys, 53 MB): the
#      most the value limit allows, which loads and runs within 1 GiB of address space.
#   3. The same file with 250 MiB of address space: too little, reported as out of memory (exit 2).
#   4. 6,000,001 values: refused at the value past the limit.
# Usage: hostile_scenarios.sh TCPSIM WORK_DIR
set -eu
tcpsim=$1 dir=$2
rm -rf "$dir"
mkdir -p "$dir"
head='{"name":"h","duration":"1s","nodes":[{"name":"a"},{"name":"b"}],"applications":[{"type":"bulk","from":"a","to":"b","bytes":1000}],'
fails=0

# expect NAME LIMIT_KIB EXIT MESSAGE_REGEX COMMAND...
expect() {
  name=$1 limit=$2 want=$3 pattern=$4
  shift 4
  status=0
  (ulimit -v "$limit" && exec "$@") >"$dir/$name.out" 2>"$dir/$name.err" || status=$?
  if [ "$status" -ne "$want" ] || ! grep -Eq "$pattern" "$dir/$name.out" "$dir/$name.err"; then
    echo "FAIL $name: exit $status (wanted $want), output:"
    head -c 600 "$dir/$name.err"
    fails=$((fails + 1))
  else
    echo "ok   $name: exit $status: $(head -c 200 "$dir/$name.err" "$dir/$name.out" | grep -E "$pattern" | head -1)"
  fi
}

python3 - "$dir" "$head" <<'PY'
import sys
d, head = sys.argv[1], sys.argv[2]
link = '"links":[{"between":["a","b"],"loss":{"model":"packets","drop":['
with open(d + "/drops.json", "w") as f:
    f.write(head + link)
    f.write(",".join(["1"] * 33_000_000))
    f.write("]}}]}")
def pad(name, objects):
    with open(d + "/" + name, "w") as f:
        f.write(head + '"links":[{"between":["a","b"]}],"_pad":[')
        f.write(",".join("{" + ",".join('"%d":0' % i for i in range(9_999)) + "}" for _ in range(objects)))
        f.write("]}")
pad("values.json", 599)   # 599 x 10,000 values and the scenario's own: under 6,000,000
pad("toomany.json", 600)  # 6,000,600
PY
ls -l "$dir"/*.json

expect drops 1000000 2 'tcpsim: error: .*drops.json: /links/0/loss/drop/1000000: a list of more than 1000000 entries' \
  "$tcpsim" validate "$dir/drops.json"
expect values-run 1048576 0 'stopped \(end_time\)' "$tcpsim" run "$dir/values.json" -q -o "$dir/values.trace.json"
expect values-small 256000 2 'tcpsim: error: .*values.json: .*out of memory while (reading|loading)' \
  "$tcpsim" run "$dir/values.json" -q -o "$dir/values-small.trace.json"
expect toomany 1000000 2 'tcpsim: error: .*toomany.json: /_pad/59[0-9]/[0-9]+: the file holds more than 6000000 JSON values' \
  "$tcpsim" validate "$dir/toomany.json"
rm -f "$dir"/*.json
[ "$fails" -eq 0 ]
