#!/usr/bin/env bash
# Checks the module's dependencies for known vulnerabilities with
# govulncheck, offline: the Go vulnerability database is taken from the
# golang.org/x/vulndb module (its data/osv folder) through the module proxy
# and indexed locally, since the database's own web host may be out of
# reach. Bump VULNDB to refresh the data.
set -euo pipefail
cd "$(dirname "$0")/.."

VULN=golang.org/x/vuln/cmd/govulncheck@v1.9.0
VULNDB=golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018

dir=$(go mod download -json "$VULNDB" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
db=$(mktemp -d)
trap 'rm -rf "$db"' EXIT
(cd "$dir" && GOFLAGS=-mod=mod go run ./cmd/indexdb -vulns data/osv -out "$db/db")
go run "$VULN" -db "file://$db/db" ./...
