#!/usr/bin/env bash
# make bench: Go benchmarks, then a side-by-side HTTP load run on loopback.
#
# Builds a 100k-story database with the synthetic corpus generator, serves
# it with newsdesk, saves the exact bytes of one article page and serves
# them with nginx as the physical limit, then runs wrk against both:
#   nginx static (plain and gzip_static), a bare Go net/http handler
#   serving the same bytes (the Go limit), the same handler sending
#   newsdesk's header lines as well (what net/http costs for them),
#   newsdesk article warm (plain and
#   gzip), article with the render cache off, random articles with it off
#   (5,000 paths from the sitemaps), front page, search for a
#   common word (in over 10 % of stories), an uncommon one (under 1 %) and
#   one in none, cache off, and article latency while 64 connections send
#   unique random searches (admission control). Then the newsroom
#   (cmd/newsroomsim): a story published every 10 s through the story
#   editor while readers ask for pages at a fixed rate, spread Zipf-like
#   over every article, once with every write emptying the render cache
#   (the global data version, as before cache keys) and once with keys;
#   it prints the cache hit ratio and article p50/p99.
# Prints req/s, p50, p99 for each, newsdesk's peak RSS, its cold start and
# the newsdesk/nginx ratio. The Go benchmarks include picture processing
# (one 24 MP JPEG) and an article with and without a picture. Every server is stopped by PID at the end.
#
# Env: BENCH_STORIES (100000), BENCH_DURATION (10s), BENCH_SKIP_GO=1 to skip
# the Go benchmarks; NEWSROOM_DURATION (60s), NEWSROOM_RATE (1000 req/s),
# NEWSROOM_ZIPF (1.0), NEWSROOM_CACHE_MB (64), BENCH_SKIP_NEWSROOM=1. Needs
# wrk and nginx; installs them with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

STORIES=${BENCH_STORIES:-100000}
DUR=${BENCH_DURATION:-10s}
PORT_ND=18081 PORT_NOCACHE=18083 PORT_NGINX=18082 PORT_GO=18084 PORT_GOH=18085

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q && apt-get install -y -q "${need[@]}"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

echo "== machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB, $(go version)"

if [ "${BENCH_SKIP_GO:-}" != 1 ]; then
	echo "== go benchmarks"
	go test -run '^$' -bench . -benchmem -benchtime 2000x ./internal/related ./web
	go test -run '^$' -bench . -benchmem ./internal/sqlite
	echo "== pictures: one 24 MP JPEG upload (time, peak live heap; then the whole process's peak RSS)"
	mt=$(mktemp -d)
	go test -c -o "$mt/media.test" ./internal/media
	timer=()
	[ -x /usr/bin/time ] && timer=(/usr/bin/time -f 'whole test process, input made in it too: peak RSS %M kB')
	"${timer[@]}" "$mt/media.test" -test.run '^$' -test.bench Process24MP -test.benchtime 3x
	rm -rf "$mt"
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/newsdesk" ./cmd/newsdesk
echo "== import $STORIES synthetic stories"
go run ./cmd/gencorpus -n "$STORIES" -seed 1 > "$tmp/corpus.ndjson"
start=$(date +%s.%N)
"$tmp/newsdesk" import --db "$tmp/bench.db" "$tmp/corpus.ndjson" | head -1
echo "import: $(echo "$(date +%s.%N) - $start" | bc) s"
# The newsroom writes to its own copy, taken before anything serves.
[ "${BENCH_SKIP_NEWSROOM:-}" = 1 ] || cp "$tmp/bench.db" "$tmp/newsroom-base.db"

if [ "${BENCH_SKIP_GO:-}" != 1 ]; then
	echo "== search over the $STORIES-story database in process: query path, then the whole page"
	NEWSDESK_BENCH_DB="$tmp/bench.db" go test -run '^$' -bench SearchStored -benchmem -benchtime 200x ./internal/sqlite
	NEWSDESK_BENCH_DB="$tmp/bench.db" go test -run '^$' -bench 'SearchPageStored|PagesStored' -benchmem -benchtime 200x ./web
fi

# serve PORT CACHE_MB: starts newsdesk and prints ms until /healthz answers.
serve() {
	local port=$1 cache=$2 t0 t1
	t0=$(date +%s%N)
	"$tmp/newsdesk" serve --no-demo --addr "127.0.0.1:$port" --db "$tmp/bench.db" --cache-mb "$cache" 2>"$tmp/serve-$port.log" &
	pids+=($!)
	for _ in $(seq 1 500); do
		if curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
		sleep 0.005
	done
	t1=$(date +%s%N)
	echo "cold start to first served request (port $port): $(((t1 - t0) / 1000000)) ms"
}
serve $PORT_ND 64
ND_PID=${pids[-1]}
serve $PORT_NOCACHE 0

slug=$(curl -fs "http://127.0.0.1:$PORT_ND/" | grep -o 'href="/articles/[^"]*"' | sed -n 2p | sed 's/href="//; s/"$//')
query=$(curl -fs "http://127.0.0.1:$PORT_ND$slug" | grep -o '<h1 id="headline">[^<]*' | sed 's/.*>//' | awk '{print $1}')
mkdir -p "$tmp/www"
# nginx's workers drop root for an unprivileged user: run as root, they
# could not read a directory only root may enter (mktemp -d makes one),
# and would answer 403 to every request.
chmod a+rx "$tmp" "$tmp/www"
curl -fs "http://127.0.0.1:$PORT_ND$slug" -o "$tmp/www/article.html"
# newsdesk's header lines on that page, but for those net/http writes itself
# (Date, Content-Length), for the bare handler that sends them too.
curl -fs -D - -o /dev/null "http://127.0.0.1:$PORT_ND$slug" | tr -d '\r' |
	grep -iv '^\(HTTP/\|date:\|content-length:\|$\)' > "$tmp/www/article.headers"
gzip -9 -k "$tmp/www/article.html"
echo "article $slug: $(stat -c %s "$tmp/www/article.html") B, gzip $(stat -c %s "$tmp/www/article.html.gz") B"
css=$(grep -o '/static/css/[^"]*' "$tmp/www/article.html" | head -1)
echo "stylesheet gzip: $(curl -fs -H 'Accept-Encoding: gzip' "http://127.0.0.1:$PORT_ND$css" | wc -c) B"

cat > "$tmp/nginx.conf" <<CONF
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 1024; }
http {
	access_log off;
	default_type text/html;
	sendfile on;
	keepalive_requests 100000;
	server {
		listen 127.0.0.1:$PORT_NGINX;
		root $tmp/www;
		gzip_static on;
	}
}
CONF
"$NGINX" -c "$tmp/nginx.conf" -g 'daemon off;' &
pids+=($!)

# The Go limit: a bare net/http handler writing the same bytes; given a
# file of header lines, it sets those too (Header.Set, one by one), which
# is what net/http itself costs for newsdesk's headers.
mkdir -p "$tmp/gostatic"
cat > "$tmp/gostatic/main.go" <<'GO'
package main

import (
	"net/http"
	"os"
	"strconv"
	"strings"
)

func main() {
	page, _ := os.ReadFile(os.Args[2])
	n := strconv.Itoa(len(page))
	var lines [][2]string
	if len(os.Args) > 3 {
		b, _ := os.ReadFile(os.Args[3])
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if k, v, ok := strings.Cut(l, ": "); ok {
				lines = append(lines, [2]string{k, v})
			}
		}
	}
	http.ListenAndServe(os.Args[1], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		for _, l := range lines {
			h.Set(l[0], l[1])
		}
		h.Set("Content-Length", n)
		w.Write(page)
	}))
}
GO
(cd "$tmp/gostatic" && go build -o gostatic main.go)
"$tmp/gostatic/gostatic" "127.0.0.1:$PORT_GO" "$tmp/www/article.html" &
pids+=($!)
"$tmp/gostatic/gostatic" "127.0.0.1:$PORT_GOH" "$tmp/www/article.html" "$tmp/www/article.headers" &
pids+=($!)
sleep 0.5
for u in "http://127.0.0.1:$PORT_NGINX/article.html" "http://127.0.0.1:$PORT_GO/" "http://127.0.0.1:$PORT_GOH/"; do
	curl -fs "$u" | cmp -s - "$tmp/www/article.html" || { echo "$u does not answer with the article's bytes" >&2; exit 1; }
done
curl -fs -H 'Accept-Encoding: gzip' "http://127.0.0.1:$PORT_NGINX/article.html" | cmp -s - "$tmp/www/article.html.gz" ||
	{ echo "nginx does not answer with the gzipped article" >&2; exit 1; }

# Words for the search rows: "government" is in about 40 % of the
# synthetic stories; the first name in the article's slug in under 1 %.
common=government
uncommon=$(echo "$slug" | sed 's|/articles/||' | cut -d- -f1)
cat > "$tmp/randsearch.lua" <<'LUA'
local words = {"government", "flood", "minister", "market", "health", "court", "police", "energy", "school", "election"}
math.randomseed(os.time())
request = function()
  local q = words[math.random(#words)] .. "+" .. string.char(math.random(97, 122), math.random(97, 122), math.random(97, 122))
  return wrk.format("GET", "/search?q=" .. q)
end
LUA

# Random articles: 5,000 article paths from the story sitemaps, a random
# one each request, so that few pages and cards repeat.
for m in $(curl -fs "http://127.0.0.1:$PORT_NOCACHE/sitemap.xml" | grep -o '/sitemaps/stories-[^<]*'); do
	curl -fs "http://127.0.0.1:$PORT_NOCACHE$m" | grep -o '/articles/[^<]*'
done | shuf -n 5000 > "$tmp/articles.txt"
echo "random articles: $(wc -l < "$tmp/articles.txt") paths from the sitemaps"
cat > "$tmp/randarticle.lua" <<LUA
local paths = {}
for line in io.lines("$tmp/articles.txt") do paths[#paths + 1] = line end
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
LUA

# load NAME URL [gzip] [VAR] [SCRIPT]: one wrk run; prints a table row.
load() {
	local name=$1 url=$2 hdr=() out
	[ "${3:-}" = gzip ] && hdr=(-H 'Accept-Encoding: gzip')
	[ -n "${5:-}" ] && hdr+=(-s "$5")
	out=$(wrk -t2 -c64 -d"$DUR" --latency "${hdr[@]}" "$url")
	local rps p50 p99 n non secs ok
	rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
	p50=$(echo "$out" | awk '$1=="50%"{print $2}')
	p99=$(echo "$out" | awk '$1=="99%"{print $2}')
	# Answers other than 2xx (503 from admission control) are left out of
	# the 2xx/s column.
	n=$(echo "$out" | awk '/requests in/{print $1}')
	secs=$(echo "$out" | awk '/requests in/{sub("s,", "", $4); print $4}')
	non=$(echo "$out" | awk '/Non-2xx/{print $5}')
	ok=$(echo "scale=0; (${n} - ${non:-0}) / ${secs}" | bc)
	printf '%-32s %12s %10s %10s %10s\n' "$name" "$rps" "$ok" "$p50" "$p99"
	eval "RPS_${4:-x}=$rps"
}

echo "== wrk -t2 -c64 -d$DUR --latency, 127.0.0.1"
printf '%-32s %12s %10s %10s %10s\n' target req/s 2xx/s p50 p99
load "nginx static, plain" "http://127.0.0.1:$PORT_NGINX/article.html" "" NGX
load "nginx static, gzip_static" "http://127.0.0.1:$PORT_NGINX/article.html" gzip NGXGZ
load "Go net/http, same bytes" "http://127.0.0.1:$PORT_GO/" "" GO
load "Go net/http, same bytes+headers" "http://127.0.0.1:$PORT_GOH/" "" GOH
load "newsdesk article, warm" "http://127.0.0.1:$PORT_ND$slug" "" ND
load "newsdesk article, warm, gzip" "http://127.0.0.1:$PORT_ND$slug" gzip NDGZ
load "newsdesk article, cache off" "http://127.0.0.1:$PORT_NOCACHE$slug" "" NC
load "random articles, cache off" "http://127.0.0.1:$PORT_NOCACHE" "" RA "$tmp/randarticle.lua"
load "newsdesk front page, warm" "http://127.0.0.1:$PORT_ND/" "" FP
load "newsdesk front page, cache off" "http://127.0.0.1:$PORT_NOCACHE/" "" FPNC
load "newsdesk search, warm" "http://127.0.0.1:$PORT_ND/search?q=$query" "" SW
load "newsdesk search, cache off" "http://127.0.0.1:$PORT_NOCACHE/search?q=$query" "" S
load "search $common (common), cache off" "http://127.0.0.1:$PORT_NOCACHE/search?q=$common" "" SC
load "search $uncommon (<1 %), cache off" "http://127.0.0.1:$PORT_NOCACHE/search?q=$uncommon" "" SU
load "search zzyzx (none), cache off" "http://127.0.0.1:$PORT_NOCACHE/search?q=zzyzx" "" SN
echo "(req/s counts 503s from admission control; 2xx/s does not)"
for q in "$common" "$uncommon"; do
	printf 'search %s at -c2 (within the gate): ' "$q"
	wrk -t1 -c2 -d"$DUR" --latency "http://127.0.0.1:$PORT_NOCACHE/search?q=$q" | awk '/Requests\/sec/{r=$2} $1=="50%"{p50=$2} $1=="99%"{p99=$2} END{print r" req/s, p50 "p50", p99 "p99}'
done

echo "== admission: article while 64 connections send unique random searches"
wrk -t1 -c64 -d"$DUR" --latency -s "$tmp/randsearch.lua" "http://127.0.0.1:$PORT_ND" > "$tmp/flood.txt" &
flood=$!
sleep 1
load "article during search flood" "http://127.0.0.1:$PORT_ND$slug" "" NDF
wait "$flood"
echo "searches: $(awk '/Requests\/sec/{print $2}' "$tmp/flood.txt") req/s, $(awk '/Non-2xx/{print $5}' "$tmp/flood.txt") of $(awk '/requests in/{print $1}' "$tmp/flood.txt") answered 503"

echo "== summary"
echo "newsdesk/nginx article, plain: $(echo "scale=2; $RPS_ND / $RPS_NGX" | bc)"
echo "newsdesk/nginx article, gzip:  $(echo "scale=2; $RPS_NDGZ / $RPS_NGXGZ" | bc)"
echo "newsdesk/Go net/http article:  $(echo "scale=2; $RPS_ND / $RPS_GO" | bc)"
echo "newsdesk/Go net/http sending newsdesk's headers: $(echo "scale=2; $RPS_ND / $RPS_GOH" | bc)"
echo "newsdesk peak RSS (cached instance): $(awk '/VmHWM/{print $2, $3}' /proc/$ND_PID/status)"
echo "newsdesk peak RSS (cache-off instance): $(awk '/VmHWM/{print $2, $3}' /proc/${pids[1]}/status)"

if [ "${BENCH_SKIP_NEWSROOM:-}" != 1 ]; then
	echo "== newsroom: a story every 10 s through the editor; readers at ${NEWSROOM_RATE:-1000} req/s, Zipf s=${NEWSROOM_ZIPF:-1.0} over every article (cmd/newsroomsim)"
	go build -o "$tmp/newsroomsim" ./cmd/newsroomsim
	for mode in -global -global=false; do
		cp "$tmp/newsroom-base.db" "$tmp/newsroom.db"
		echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
		"$tmp/newsroomsim" -db "$tmp/newsroom.db" "$mode" -duration "${NEWSROOM_DURATION:-60s}" -warmup 30s \
			-rate "${NEWSROOM_RATE:-1000}" -zipf "${NEWSROOM_ZIPF:-1.0}" -cache-mb "${NEWSROOM_CACHE_MB:-64}"
		rm -f "$tmp/newsroom.db" "$tmp/newsroom.db-wal" "$tmp/newsroom.db-shm"
	done
fi
