// Package pgtest gives tests a PostgreSQL database of their own: a fresh,
// empty schema on a real server, dropped when the test ends.
//
// The server comes from NEWSDESK_TEST_POSTGRES, a DSN whose role may
// create schemas in its database (.ci/run and the Makefile set it). When
// it is unset, the local default DefaultDSN is tried, and a test that
// cannot reach it is skipped with a loud message. When it is set, an
// unreachable server fails the test: CI never skips PostgreSQL.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the environment variable holding the test server's DSN.
const EnvDSN = "NEWSDESK_TEST_POSTGRES"

// DefaultDSN is the server tried when EnvDSN is unset: the role and
// database that .ci/run creates on the machine's own PostgreSQL.
const DefaultDSN = "postgres://newsdesk:newsdesk@127.0.0.1:5432/newsdesk?sslmode=disable"

var (
	probeOnce sync.Once
	probeErr  error
)

// server returns the DSN to use and whether it was given explicitly.
func server() (string, bool) {
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		return dsn, true
	}
	return DefaultDSN, false
}

// probe connects to the test server once per process and returns why it
// could not, or nil.
func probe(base string) error {
	probeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err == nil {
			err = c.Ping(ctx)
			c.Close(ctx)
		}
		probeErr = err
	})
	return probeErr
}

// Reachable returns nil when the test server answers, else an error
// naming it: for a test run that requires PostgreSQL (the web tests with
// NEWSDESK_TEST_STORE=postgres), which then stops at once, whether or not
// EnvDSN is set.
func Reachable() error {
	base, _ := server()
	if err := probe(base); err != nil {
		return fmt.Errorf("PostgreSQL at %s is not reachable (set %s, or start one as .ci/run does): %w", redact(base), EnvDSN, err)
	}
	return nil
}

// DSN returns the DSN of a new, empty schema on the test server: every
// connection made with it works in that schema (search_path). The schema
// is dropped when t ends.
func DSN(t testing.TB) string {
	t.Helper()
	base, given := server()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if probe(base) != nil {
		if given {
			t.Fatalf("PostgreSQL at %s=%s is not reachable: %v", EnvDSN, redact(base), probeErr)
		}
		t.Skipf("SKIPPING POSTGRESQL TEST: no server at %s (%v). Set %s to a DSN, or start one: "+
			"pg_ctlcluster <version> main start and create role/database newsdesk (see .ci/run).",
			redact(base), probeErr, EnvDSN)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to test PostgreSQL: %v", err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	// Tests need no durability: commits that do not wait for the disk
	// make a test's many small transactions several times faster.
	return withParams(t, base, "search_path", schema, "synchronous_commit", "off")
}

// withParams adds query parameters (key, value, key, value …) to a
// URL-form DSN; pgx sends unknown ones as run-time parameters.
func withParams(t testing.TB, dsn string, kv ...string) string {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL", EnvDSN)
	}
	q := u.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// redact hides a DSN's password.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable DSN)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxx")
	}
	return fmt.Sprint(u)
}
