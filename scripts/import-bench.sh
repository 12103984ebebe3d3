#!/usr/bin/env bash
# import-bench.sh — time a full import of the synthetic benchmark corpus:
# gencorpus piped into `newsdesk import`, full-text index and related
# stories included. Target: 100k stories in at most 120 s.
#
#   scripts/import-bench.sh            # 100000 stories, seed 1
#   N=10000 SEED=2 scripts/import-bench.sh
#
# Both commands are built first, so compiling is not timed. The database
# is written to a temporary directory that is removed afterwards (set
# KEEP=1 to keep it and print its path).
set -euo pipefail

N=${N:-100000}
SEED=${SEED:-1}
cd "$(dirname "$0")/.."

TMP=$(mktemp -d)
if [ "${KEEP:-}" = 1 ]; then
	trap 'echo "kept $TMP"' EXIT
else
	trap 'rm -rf "$TMP"' EXIT
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(go version | cut -d' ' -f3-)"
go build -o "$TMP/newsdesk" ./cmd/newsdesk
go build -o "$TMP/gencorpus" ./cmd/gencorpus

start=$(date +%s.%N)
"$TMP/gencorpus" -n "$N" -seed "$SEED" | "$TMP/newsdesk" import --db "$TMP/bench.db" -
end=$(date +%s.%N)

awk -v s="$start" -v e="$end" -v n="$N" 'BEGIN {
	t = e - s
	printf "imported %d stories in %.1f s: %.0f stories/s\n", n, t, n / t
}'
echo "database: $(du -sh "$TMP" | cut -f1)"
