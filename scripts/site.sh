# Sourced by audit.sh and validate.sh: builds newsdesk, serves the demo
# stories on 127.0.0.1:$PORT from a temporary database, and sets PAGES to
# one URL of every reader page type. The server is stopped by its PID on
# exit.
set -euo pipefail
# A free port, so as not to audit someone else's server by mistake.
PORT=${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
BASE="http://127.0.0.1:$PORT"
tmp=$(mktemp -d)
CGO_ENABLED=0 go build -o "$tmp/newsdesk" ./cmd/newsdesk
"$tmp/newsdesk" serve --addr "127.0.0.1:$PORT" --db "$tmp/site.db" --base-url "$BASE" >"$tmp/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
kill -0 $server 2>/dev/null || { cat "$tmp/serve.log"; echo "newsdesk did not start"; exit 1; }

# The first link of each kind on the front page (and the article's byline).
first() { { curl -fs "$1" | grep -o "href=\"$2[^\"?#]*\"" || true; } | sed -n '1{s/^href="//; s/"$//; p}'; }
article=$(first "$BASE/" /articles/)
# An author page, from the first story on the front page with a byline.
author=
for a in $({ curl -fs "$BASE/" | grep -o 'href="/articles/[^"?#]*"' || true; } | sed 's/^href="//; s/"$//' | head -20); do
	author=$(first "$BASE$a" /authors/)
	[ -n "$author" ] && break
done
PAGES=(
	"$BASE/"
	"$BASE$article"
	"$BASE$(first "$BASE/" /tags/)"
	"$BASE$(first "$BASE$article" /sources/)"
	"$BASE$(first "$BASE/" /sections/)"
	"$BASE$author"
	"$BASE$(first "$BASE/" /coverage/)"
	"$BASE/?page=2"
	"$BASE/search"
	"$BASE/search?q=the"
)
# Pages search engines may index (the rest say noindex).
INDEXABLE=8
# The 404 page: Lighthouse refuses to audit an error status, so audit.sh
# leaves it to axe; validate.sh checks its HTML.
NOT_FOUND="$BASE/articles/no-such-story"
