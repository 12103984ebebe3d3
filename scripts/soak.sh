#!/usr/bin/env bash
# soak.sh — load and durability soak of newsdesk on this machine.
#
#   scripts/soak.sh                                   # 60 s load, 20 crash rounds
#   SOAK_DURATION=20s SOAK_CRASH_ROUNDS=5 scripts/soak.sh
#
# 1. builds bin/newsdesk;
# 2. starts `newsdesk serve --trust-proxy` on 127.0.0.1:18080 (SOAK_PORT)
#    with a new database (demo stories load into it) and waits for /healthz;
# 3. load phase: cmd/soak with readers, comment writers (each POST with
#    its own X-Forwarded-For, which --trust-proxy honours) and concurrent
#    `newsdesk import` writers, then checks every acknowledged write is in
#    the database;
# 4. stops the server (SIGTERM, then waits for it);
# 5. crash phase: cmd/soak -crash, SIGKILLing serve and import mid-write
#    on a second database;
# 6. prints both summaries and exits 1 if either phase failed.
#
# SOAK_READERS, SOAK_WRITERS and SOAK_SEED pass through; KEEP=1 keeps the
# temporary directory (databases and server logs) and prints its path.
set -euo pipefail

DURATION=${SOAK_DURATION:-60s}
ROUNDS=${SOAK_CRASH_ROUNDS:-20}
PORT=${SOAK_PORT:-18080}
READERS=${SOAK_READERS:-64}
WRITERS=${SOAK_WRITERS:-4}
SEED=${SOAK_SEED:-1}
BASE="http://127.0.0.1:$PORT"
cd "$(dirname "$0")/.."

TMP=$(mktemp -d)
server_pid=
cleanup() {
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [ "${KEEP:-}" = 1 ]; then
		echo "kept $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "machine: $(nproc) cores, $(go version | cut -d' ' -f3-)"
echo "== build"
CGO_ENABLED=0 go build -o bin/newsdesk ./cmd/newsdesk
go build -o /dev/null ./cmd/soak # compile now, not inside the measured run

if curl -s -o /dev/null --max-time 1 "$BASE/healthz"; then
	echo "soak: something already answers on $BASE; stop it or set SOAK_PORT" >&2
	exit 1
fi

echo "== serve on $BASE (log: $TMP/serve.log)"
./bin/newsdesk serve --addr "127.0.0.1:$PORT" --db "$TMP/soak.db" --trust-proxy >"$TMP/serve.log" 2>&1 &
server_pid=$!
healthy=
for _ in $(seq 1 300); do
	if curl -fs -o /dev/null --max-time 1 "$BASE/healthz"; then
		healthy=1
		break
	fi
	if ! kill -0 "$server_pid" 2>/dev/null; then
		break
	fi
	sleep 0.1
done
if [ -z "$healthy" ]; then
	echo "soak: server did not become healthy" >&2
	tail -n 20 "$TMP/serve.log" >&2
	exit 1
fi

echo "== load phase: $DURATION"
load_status=0
go run ./cmd/soak -base "$BASE" -bin bin/newsdesk -db "$TMP/soak.db" \
	-readers "$READERS" -writers "$WRITERS" -duration "$DURATION" -seed "$SEED" \
	| tee "$TMP/load.out" || load_status=$?

echo "== stop serve (pid $server_pid)"
stop_status=0
kill -TERM "$server_pid"
wait "$server_pid" || stop_status=$?
server_pid=
if [ "$stop_status" != 0 ]; then
	echo "soak: serve exited $stop_status after SIGTERM" >&2
fi
if grep -q '"level":"ERROR"' "$TMP/serve.log"; then
	echo "soak: the server logged errors:" >&2
	grep '"level":"ERROR"' "$TMP/serve.log" | head -n 10 >&2
	load_status=1
fi

echo "== crash phase: $ROUNDS rounds"
mkdir "$TMP/crash"
crash_status=0
go run ./cmd/soak -crash "$ROUNDS" -bin bin/newsdesk -db "$TMP/crash/crash.db" -seed "$SEED" \
	| tee "$TMP/crash.out" || crash_status=$?

echo
echo "== summary"
grep -h '^SUMMARY' "$TMP/load.out" "$TMP/crash.out" || true
[ "$stop_status" = 0 ] || echo "serve stop: exit status $stop_status"
if [ "$load_status" != 0 ] || [ "$crash_status" != 0 ] || [ "$stop_status" != 0 ]; then
	echo "soak: FAIL" >&2
	exit 1
fi
echo "soak: PASS"
