#!/bin/bash
# The IndexedDB put micro-benchmark (BENCHMARKS.md, "What a put costs"): plain JavaScript in headless
# chromium, no app. Each variant runs in a fresh profile; prints µs a record.
#   bash xtask/idb-bench/run.sh 60000 base slim base slim
# Variants (index.html `V`): base (IndexedDB 9's indexes and terms), noidx, batch10, batch100 (ten or a
# hundred records a value, no index), trim, lean (fewer terms), noid (key paths without the id), slim
# (lean + noid: IndexedDB 10 / index version 7), ascii, asciislim, relaxed, strict, add, pipe2, per250, per5000,
# per100, u8 / u8slim (the record's text as UTF-8 bytes), pack10 / pack10u8 (ten records a value with the same
# index entries: each compound index a multiEntry array of the records' keys).
set -u
cd "$(dirname "$0")"
n=$1; shift
python3 -m http.server 8765 >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
sleep 1
for v in "$@"; do
  prof=$(mktemp -d)
  timeout 300 chromium --headless=new --no-sandbox --user-data-dir="$prof" --enable-logging=stderr --v=0 \
    "http://127.0.0.1:8765/index.html?n=$n#$v" 2>&1 | grep --line-buffered -o "RESULT [^\"]*" |
    while read -r l; do case "$l" in *DONE*) pkill -f "user-data-dir=$prof"; break;; *) echo "$l";; esac; done
  pkill -f "user-data-dir=$prof"; rm -rf "$prof"
done
