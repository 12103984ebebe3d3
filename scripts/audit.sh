#!/usr/bin/env bash
# make audit: Lighthouse 12 (accessibility, SEO, best practices) on every
# reader page type of a demo site, and axe-core on each in light and dark
# mode (the Go browser test TestBrowserAccessibility). Fails below 100 in
# accessibility on any page, or in SEO on an indexable one.
#
# Needs node/npm (Lighthouse is installed into .cache/audit on first use)
# and Chromium (/usr/bin/chromium, or CHROME_PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
LH_DIR=.cache/audit
if [ ! -x "$LH_DIR/node_modules/.bin/lighthouse" ]; then
	mkdir -p "$LH_DIR"
	npm install --prefix "$LH_DIR" --no-audit --no-fund lighthouse@12.8.2 >/dev/null
fi
. scripts/site.sh

echo "Lighthouse $("$LH_DIR/node_modules/.bin/lighthouse" --version), $(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-60s %6s %6s %6s\n' page a11y seo best
fail=0
for i in "${!PAGES[@]}"; do
	url=${PAGES[$i]}
	"$LH_DIR/node_modules/.bin/lighthouse" "$url" --quiet --output=json --output-path="$tmp/lh.json" \
		--only-categories=accessibility,seo,best-practices --form-factor=mobile \
		--chrome-flags="--headless=new --no-sandbox --disable-gpu" >/dev/null 2>&1 || { echo "lighthouse failed on $url"; fail=1; continue; }
	read -r a s b failed < <(node -e '
		const r = require(process.argv[1]), c = r.categories, pct = x => Math.round(x.score * 100);
		const bad = Object.values(c).flatMap(cat => cat.auditRefs.filter(a => a.weight > 0 && r.audits[a.id].score !== null && r.audits[a.id].score < 1).map(a => a.id));
		console.log(pct(c.accessibility), pct(c.seo), pct(c["best-practices"]), bad.join(",") || "-");' "$tmp/lh.json")
	printf '%-60s %6s %6s %6s  %s\n' "${url#$BASE}" "$a" "$s" "$b" "$failed"
	if [ "$a" -lt 100 ] || { [ "$i" -lt "$INDEXABLE" ] && [ "$s" -lt 100 ]; }; then fail=1; fi
done

echo "axe-core on every reader page type, light and dark:"
go test -count=1 -run 'TestBrowserAccessibility' ./web/ || fail=1
exit $fail
