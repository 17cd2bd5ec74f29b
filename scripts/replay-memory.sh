#!/usr/bin/env bash
# Peak memory of `governance-replay` on generated scripts of growing length:
# what it keeps beyond the control plane's own state should not grow with the
# script. Prints requests, peak resident memory, and bytes per request.
#   scripts/replay-memory.sh [N ...]   (default: 250000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(250000 1000000)
cargo build --release --quiet --bin governance-replay
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for n in "${sizes[@]}"; do
    # 1,000 agents, the built-in action types in turn, one request a
    # millisecond, small parameters; a review of an escalated email now and then.
    python3 - "$n" > "$work/script.jsonl" <<'PY'
import sys
n = int(sys.argv[1])
types = ["api_call", "db_read", "db_write", "email", "code_exec", "web_search"]
out = sys.stdout
for i in range(n):
    out.write('{"type":"request","at_ms":%d,"agent":"agent-%04d","action":"%s",'
              '"parameters":{"ticket":%d,"note":"routine"},"cost":0.01}\n'
              % (i + 1, i % 1000, types[i % 6], i % 97))
PY
    /usr/bin/time -f '%M' -o "$work/peak" target/release/governance-replay "$work/script.jsonl" > /dev/null 2> "$work/stderr" || { cat "$work/stderr"; exit 1; }
    peak_kb=$(cat "$work/peak")
    printf '%-10s requests  %8s KB peak resident  %6s bytes per request\n' \
        "$n" "$peak_kb" $(( peak_kb * 1024 / n ))
done
