#!/usr/bin/env bash
# make bench-cluster: one node on SQLite against one and three nodes on
# PostgreSQL, on loopback, with wrk.
#
#   1. a synthetic corpus (cmd/gencorpus, BENCH_STORIES, default 20000) is
#      imported into SQLite and into a fresh PostgreSQL schema: import
#      throughput of each;
#   2. serves: SQLite, 1 node (render cache on, and off); PostgreSQL,
#      1 node (on, off); PostgreSQL, 3 nodes behind nginx as a plain load
#      balancer (on, off), so that rows compare the nodes, not nginx's
#      cache; and the 3 cached nodes behind nginx's proxy_cache as deployed
#      (docs/DEPLOY.md, s-maxage=1);
#   3. wrk rows: article warm and uncached, search (uncached), and a
#      newsroom: readers spread over 2,000 articles (Zipf-like: a few
#      articles take most reads) while a story is published every 10 s
#      through a node;
#   4. prints a table: req/s, p50, p99 per row and configuration.
#
# Env: BENCH_STORIES (20000), BENCH_DURATION (10s), NEWSDESK_BIN (a built
# binary to use instead of building one), NEWSDESK_TEST_POSTGRES
# (a DSN whose role may create schemas; default: the role and database
# .ci/run creates). Needs wrk, nginx and psql; installs wrk and nginx with
# apt-get. Every server is stopped by PID at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

STORIES=${BENCH_STORIES:-20000}
DUR=${BENCH_DURATION:-10s}
BASE_DSN=${NEWSDESK_TEST_POSTGRES:-postgres://newsdesk:newsdesk@127.0.0.1:5432/newsdesk?sslmode=disable}
SCHEMA=bench_$$

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q && apt-get install -y -q "${need[@]}"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if ! psql "$BASE_DSN" -qAtc 'SELECT 1' >/dev/null; then
	echo "bench-cluster: no PostgreSQL at $BASE_DSN (set NEWSDESK_TEST_POSTGRES; .ci/run shows how to start one)" >&2
	exit 1
fi
sep='?'
case $BASE_DSN in *\?*) sep='&' ;; esac
PG="$BASE_DSN${sep}search_path=$SCHEMA"

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	touch "$tmp/stop" 2>/dev/null || true
	wait 2>/dev/null || true
	psql "$BASE_DSN" -qc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
psql "$BASE_DSN" -qc "CREATE SCHEMA $SCHEMA"

echo "== machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB, $(go version), $(psql "$BASE_DSN" -qAtc 'SHOW server_version' | cut -d' ' -f1 | sed 's/^/PostgreSQL /'), $("$NGINX" -v 2>&1 | sed 's|.*/||; s|^|nginx |')"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"

if [ -n "${NEWSDESK_BIN:-}" ]; then
	cp "$NEWSDESK_BIN" "$tmp/newsdesk"
else
	go build -o "$tmp/newsdesk" ./cmd/newsdesk
fi
go run ./cmd/gencorpus -n "$STORIES" -seed 1 > "$tmp/corpus.ndjson"

echo "== import $STORIES synthetic stories"
for db in "$tmp/bench.db" "$PG"; do
	start=$(date +%s.%N)
	"$tmp/newsdesk" import --db "$db" "$tmp/corpus.ndjson" | head -1
	secs=$(echo "$(date +%s.%N) - $start" | bc)
	name=SQLite
	[ "$db" = "$PG" ] && name=PostgreSQL
	printf 'import into %-10s %6.1f s, %6.0f stories/s\n' "$name" "$secs" "$(echo "$STORIES / $secs" | bc -l)"
done

# serve PORT DB CACHE_MB: one node.
serve() {
	"$tmp/newsdesk" serve --no-demo --addr "127.0.0.1:$1" --db "$2" --cache-mb "$3" --trust-proxy \
		--cache-control 'public, max-age=60, s-maxage=1' 2>"$tmp/serve-$1.log" &
	pids+=($!)
	for _ in $(seq 1 1000); do
		curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return
		sleep 0.01
	done
	echo "node on port $1 did not start:" >&2
	cat "$tmp/serve-$1.log" >&2
	exit 1
}
# nginx PORT CACHE(on|off) NODE_PORT…: nginx in front of nodes.
proxy() {
	local port=$1 cache=$2
	shift 2
	local up="" p
	for p in "$@"; do up+="server 127.0.0.1:$p;"; done
	local c=""
	if [ "$cache" = on ]; then
		c="proxy_cache nd$port; proxy_cache_key \$scheme\$http_host\$request_uri; proxy_cache_revalidate on; proxy_cache_lock on; proxy_cache_use_stale error timeout updating;"
	fi
	mkdir -p "$tmp/nginx-$port"
	cat > "$tmp/nginx-$port/nginx.conf" <<CONF
$( [ "$(id -u)" = 0 ] && echo "user root;")
worker_processes 2;
pid $tmp/nginx-$port/nginx.pid;
error_log $tmp/nginx-$port/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	proxy_temp_path $tmp/nginx-$port/proxy_temp;
	client_body_temp_path $tmp/nginx-$port/client_temp;
	proxy_cache_path $tmp/nginx-$port/cache levels=1:2 keys_zone=nd$port:10m max_size=256m inactive=10m use_temp_path=off;
	upstream nodes { $up keepalive 64; }
	server {
		listen 127.0.0.1:$port;
		location / {
			proxy_pass http://nodes;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host \$http_host;
			proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
			proxy_next_upstream error timeout http_502 http_503 http_504;
			$c
		}
	}
}
CONF
	"$NGINX" -p "$tmp/nginx-$port" -c "$tmp/nginx-$port/nginx.conf" -g 'daemon off;' &
	pids+=($!)
	sleep 0.3
}

serve 19101 "$tmp/bench.db" 64   # SQLite, cache on
serve 19102 "$tmp/bench.db" 0    # SQLite, cache off
serve 19111 "$PG" 64             # PostgreSQL node 1, cache on
serve 19112 "$PG" 64             # node 2
serve 19113 "$PG" 64             # node 3
serve 19121 "$PG" 0              # PostgreSQL node 1, cache off
serve 19122 "$PG" 0
serve 19123 "$PG" 0
proxy 19131 off 19111 19112 19113
proxy 19132 off 19121 19122 19123
proxy 19133 on 19111 19112 19113

slug=$(curl -fs "http://127.0.0.1:19101/" | grep -o 'href="/articles/[^"]*"' | sed -n 2p | sed 's/href="//; s/"$//')
query=government
# The newsroom's readers: 2,000 articles from the SQLite site's sitemap
# (the same slugs on both stores), read Zipf-like.
curl -fs "http://127.0.0.1:19101/sitemap.xml" | grep -o '<loc>[^<]*' | sed 's|<loc>[a-z]*://[^/]*||' | grep -v '^/sitemap' | head -2000 > "$tmp/urls.txt" || true
if [ ! -s "$tmp/urls.txt" ]; then
	curl -fs "http://127.0.0.1:19101/" | grep -o 'href="/articles/[^"]*"' | sed 's/href="//; s/"$//' > "$tmp/urls.txt"
fi
{
	echo 'local urls = {}'
	while read -r u; do echo "urls[#urls+1] = \"$u\""; done < "$tmp/urls.txt"
	cat <<'LUA'
math.randomseed(os.time())
request = function()
  -- Zipf-like: n^(u^3) for u uniform in [0,1) puts most reads on the
  -- first articles and a long tail on the rest.
  local n = #urls
  local i = math.floor(n ^ (math.random() ^ 3))
  if i < 1 then i = 1 end
  return wrk.format("GET", urls[i])
end
LUA
} > "$tmp/zipf.lua"

row() { # NAME URL [LUA] [CONNECTIONS]: req/s, p50, p99 of one wrk run
	local name=$1 url=$2 script=() out
	[ -n "${3:-}" ] && script=(-s "$3")
	local conns=${4:-32} threads=2
	[ "$conns" -lt 2 ] && threads=1
	out=$(wrk -t"$threads" -c"$conns" -d"$DUR" --latency "${script[@]}" "$url")
	printf '%-46s %10s %9s %9s %s\n' "$name" "$(echo "$out" | awk '/Requests\/sec/{print $2}')" \
		"$(echo "$out" | awk '$1=="50%"{print $2}')" "$(echo "$out" | awk '$1=="99%"{print $2}')" \
		"$(echo "$out" | awk '/Non-2xx/{print "non-2xx: "$5}')"
}

# publisher: one story every 10 s through the given store, until the
# file $tmp/stop exists.
publisher() {
	local db=$1 i=0
	rm -f "$tmp/stop"
	while [ ! -e "$tmp/stop" ]; do
		i=$((i + 1))
		printf '{"title":"Newsroom bench story %d %s","body":"Published during the benchmark.\\n\\nSecond paragraph.","published_at":"%s","source":"Bench Wire","url":"https://bench.example/%s/%d","section":"World"}\n' \
			"$i" "$$" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$$" "$i" | "$tmp/newsdesk" import --db "$db" - >/dev/null 2>&1 || true
		for _ in $(seq 100); do
			[ -e "$tmp/stop" ] && break
			sleep 0.1
		done
	done
}
stop_publisher() {
	touch "$tmp/stop"
	wait "$1" 2>/dev/null || true
}

echo "== wrk -t2 -c32 -d$DUR --latency, 127.0.0.1; every server on this machine"
printf '%-46s %10s %9s %9s\n' row req/s p50 p99
# Searches run one at a time per node: more wait at each node's admission
# gate (half the cores) and are answered 503 after 50 ms.
for cfg in "SQLite, 1 node|19101|19102|$tmp/bench.db|1" "PostgreSQL, 1 node|19111|19121|$PG|1" "PostgreSQL, 3 nodes behind nginx|19131|19132|$PG|3"; do
	IFS='|' read -r name warm cold db conns <<<"$cfg"
	row "$name: article, warm" "http://127.0.0.1:$warm$slug"
	row "$name: article, uncached" "http://127.0.0.1:$cold$slug"
	row "$name: search '$query', uncached, -c$conns" "http://127.0.0.1:$cold/search?q=$query" "" "$conns"
	publisher "$db" &
	pub=$!
	row "$name: newsroom (Zipf reads, 1 story/10 s)" "http://127.0.0.1:$warm" "$tmp/zipf.lua"
	stop_publisher $pub
done
row "PostgreSQL, 3 nodes behind nginx proxy_cache: article" "http://127.0.0.1:19133$slug"
publisher "$PG" &
pub=$!
row "PostgreSQL, 3 nodes behind nginx proxy_cache: newsroom" "http://127.0.0.1:19133" "$tmp/zipf.lua"
stop_publisher $pub
echo "(search rows run one connection per node; more get 503s from admission control, counted as non-2xx)"
