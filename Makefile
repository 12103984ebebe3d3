# newsdesk — run `make run` for a local site with demo stories, `make test`
# for the full check CI runs.

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN     := bin/newsdesk

.PHONY: run run-binary build test generate check-generated vet bench soak vulncheck audit validate clean cluster-test bench-cluster

# The address and database come from NEWSDESK_ADDR / NEWSDESK_DB (or
# `make run ADDR=:9000`); unset, serve listens on :8080 with newsdesk.db.
run: run-binary
	./$(BIN) serve $(if $(ADDR),--addr $(ADDR))

# Release builds use Go 1.27.3 (fetched through the module proxy on first
# use) for the standard library's security fixes; `make run` and the tests
# use the machine's Go, which the browser-test dependencies need.
RELEASE_GO := go1.27.3

build:
	GOTOOLCHAIN=$(RELEASE_GO) CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/newsdesk

run-binary:
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/newsdesk

generate:
	go tool templ generate
	go tool templ fmt templates

# Fails when the committed *_templ.go files or templ sources are stale.
check-generated:
	go tool templ fmt -fail templates
	go tool templ generate
	git diff --exit-code -- '*_templ.go'
	@test -z "$$(git status --porcelain -- '*_templ.go')" || { git status --porcelain -- '*_templ.go'; echo 'generated files not committed'; exit 1; }

vet:
	go vet ./...
	@test -z "$$(gofmt -l cmd internal web templates static)" || { gofmt -l cmd internal web templates static; echo 'gofmt needed'; exit 1; }

# The web tests run twice: on SQLite with everything else, then on
# PostgreSQL (NEWSDESK_TEST_STORE=postgres; a fresh schema per test on the
# server of NEWSDESK_TEST_POSTGRES, and failing, never skipping, without
# one). The second pass leaves out -race, which the first and the
# PostgreSQL store's own tests (internal/storetest) have, and the browser
# tests, which check what Chromium does with pages the first pass
# renders; measured on 2 cores, each would add about two minutes.
test: check-generated vet
	go test -race -count=1 ./...
	NEWSDESK_TEST_STORE=postgres go test -count=1 -skip '^TestBrowser' ./web/

bench:
	bash scripts/bench.sh

soak:
	bash scripts/soak.sh

# Known vulnerabilities in dependencies and the standard library, checked
# offline against the Go vulnerability database (see the script).
vulncheck:
	GOTOOLCHAIN=$(RELEASE_GO) bash scripts/vulncheck.sh

# Lighthouse 12 (accessibility, SEO) and axe-core on every reader page
# type of a demo site; needs node/npm and chromium (docs/ACCESSIBILITY.md).
audit:
	bash scripts/audit.sh

# The W3C Nu HTML Checker over every page type and xmllint with the
# sitemaps.org schema over the sitemaps. Needs node/npm and, on Debian,
# `apt-get install -y default-jre-headless libxml2-utils`.
validate:
	bash scripts/validate.sh

# Three serve nodes on one PostgreSQL database behind nginx (load balancer
# and caching proxy): publish visible through the proxy, sessions shared,
# kill -9 under load, leader handover (internal/cluster/e2e_test.go). Needs
# nginx and a PostgreSQL server (NEWSDESK_TEST_POSTGRES, see .ci/run).
cluster-test:
	NEWSDESK_CLUSTER_TEST=1 go test -count=1 -run TestCluster -v ./internal/cluster/

# One node on SQLite against one and three nodes on PostgreSQL behind
# nginx: article warm and uncached, search, a newsroom, and import
# throughput (docs/PERFORMANCE.md). Needs wrk, nginx and a PostgreSQL server.
bench-cluster:
	bash scripts/bench-cluster.sh

clean:
	rm -rf bin
