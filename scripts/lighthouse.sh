#!/usr/bin/env bash
# Lighthouse (npm lighthouse@12, headless Debian chromium) on the front page
# and an article of a fresh site with the demo stories and their pictures.
# Prints each category's score and the audits about pictures and layout.
# Needs node/npm and /usr/bin/chromium; installs lighthouse into a temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${LH_PORT:-18190}
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

(cd "$tmp" && npm install --silent --no-audit --no-fund lighthouse@12 >/dev/null)
go build -o "$tmp/newsdesk" ./cmd/newsdesk
"$tmp/newsdesk" serve --addr "127.0.0.1:$PORT" --db "$tmp/lh.db" 2>"$tmp/serve.log" &
pid=$!
for _ in $(seq 1 1000); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.01; done
slug=$(curl -fs "http://127.0.0.1:$PORT/" | grep -o 'href="/articles/[^"]*"' | sed -n '1{s/href="//; s/"$//; p}')
for path in / "$slug"; do
	out="$tmp/report.json"
	CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium} "$tmp/node_modules/.bin/lighthouse" "http://127.0.0.1:$PORT$path" \
		--quiet --chrome-flags="--headless=new --no-sandbox" --output=json --output-path="$out" \
		--only-categories=performance,accessibility,best-practices,seo >/dev/null
	node -e '
const r = require(process.argv[1]), a = r.audits;
console.log(process.argv[2] + ": " + Object.entries(r.categories).map(([k, v]) => k + " " + Math.round(v.score * 100)).join(", "));
for (const k of ["unsized-images", "image-size-responsive", "cumulative-layout-shift", "largest-contentful-paint",
	"lcp-lazy-loaded", "prioritize-lcp-image", "offscreen-images", "uses-responsive-images", "total-blocking-time"])
	console.log("  " + k + ": score " + a[k].score + (a[k].displayValue ? ", " + a[k].displayValue : ""));
' "$out" "$path"
done
