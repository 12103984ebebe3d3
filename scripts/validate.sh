#!/usr/bin/env bash
# make validate: checks a demo site with validators no one on the project
# wrote. The W3C Nu HTML Checker (npm vnu-jar, run with Java) reads every
# reader page type and the newsroom login page; xmllint checks the
# sitemaps against the sitemaps.org schema (sitemap.xsd as shipped in the
# npm package "sitemap"). Feeds are checked in `make test` with gofeed.
#
# Install once on Debian: apt-get install -y default-jre-headless libxml2-utils
# (node/npm fetch vnu-jar and the schema into .cache/validate on first use).
#
# Not checked here, for want of a packaged copy of the schema: the Google
# News extension (sitemap-news.xsd) and the sitemap index (siteindex.xsd).
# Set NEWS_XSD=/path/to/sitemap-news.xsd to check /news-sitemap.xml too.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in java xmllint; do
	command -v $tool >/dev/null || { echo "validate needs $tool: apt-get install -y default-jre-headless libxml2-utils"; exit 1; }
done
V=.cache/validate
if [ ! -f "$V/node_modules/vnu-jar/build/dist/vnu.jar" ] || [ ! -f "$V/node_modules/sitemap/schema/sitemap.xsd" ]; then
	mkdir -p "$V"
	npm install --prefix "$V" --no-audit --no-fund --ignore-scripts vnu-jar@26.9.27 sitemap@9.0.1 >/dev/null
fi
. scripts/site.sh
fail=0

echo "== Nu HTML Checker $(java -jar "$V/node_modules/vnu-jar/build/dist/vnu.jar" --version)"
mkdir -p "$tmp/html"
for i in "${!PAGES[@]}"; do
	curl -s -o "$tmp/html/page$i.html" "${PAGES[$i]}"
	echo "page$i.html = ${PAGES[$i]#$BASE}"
done
curl -s -o "$tmp/html/not-found.html" "$NOT_FOUND"
echo "not-found.html = ${NOT_FOUND#$BASE}"
curl -s -o "$tmp/html/login.html" "$BASE/admin/login"
echo "login.html = /admin/login"
java -jar "$V/node_modules/vnu-jar/build/dist/vnu.jar" --format text "$tmp"/html/*.html && echo "no errors or warnings" || fail=1

echo "== sitemaps (xmllint, sitemap.xsd)"
xsd="$V/node_modules/sitemap/schema/sitemap.xsd"
maps=$(curl -fs "$BASE/sitemap.xml" | grep -o '<loc>[^<]*</loc>' | sed 's/<[^>]*>//g')
for m in $maps; do
	curl -fs "$m" >"$tmp/map.xml"
	xmllint --noout --nonet --schema "$xsd" "$tmp/map.xml" 2>&1 | sed "s|$tmp/map.xml|${m#$BASE}|" || fail=1
done
curl -fs "$BASE/news-sitemap.xml" >"$tmp/news.xml"
if [ -n "${NEWS_XSD:-}" ]; then
	cat >"$tmp/sitemap+news.xsd" <<XSD
<schema xmlns="http://www.w3.org/2001/XMLSchema">
  <import namespace="http://www.sitemaps.org/schemas/sitemap/0.9" schemaLocation="$PWD/$xsd"/>
  <import namespace="http://www.google.com/schemas/sitemap-news/0.9" schemaLocation="$NEWS_XSD"/>
</schema>
XSD
	xmllint --noout --nonet --schema "$tmp/sitemap+news.xsd" "$tmp/news.xml" 2>&1 | sed "s|$tmp/news.xml|/news-sitemap.xml|" || fail=1
else
	echo "/news-sitemap.xml: not checked (no sitemap-news.xsd; set NEWS_XSD)"
fi
exit $fail
