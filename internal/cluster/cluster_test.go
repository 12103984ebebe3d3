package cluster

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"newsdesk/internal/postgres/pgtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// eventually waits up to 30 seconds for cond; the issue allows a dead
// leader's work 30 seconds to move.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// terminate ends the sessions of application_name app, as a crash of
// their node would.
func terminate(t *testing.T, dsn, app string) int {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var n int
	if err := c.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name IN ($1, $1 || ' ' || $2) AND pid <> pg_backend_pid()`, app, AppSuffix).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// withApp names the sessions made with dsn. The pool size is there too,
// as a DSN shared with the store's pool has it: the lone connections of
// the leader and the listener must leave it out.
func withApp(t *testing.T, dsn, app string) string {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.ConnString() + "&pool_max_conns=4&application_name=" + app
}

func TestOneLeaderAndHandover(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tag := time.Now().Format("150405.000000")
	nodes := make([]*Leader, 3)
	stops := make([]context.CancelFunc, 3)
	done := make([]chan struct{}, 3)
	for i := range nodes {
		nodes[i] = &Leader{DSN: withApp(t, dsn, fmt.Sprintf("node%d-%s", i, tag)), Retry: 50 * time.Millisecond, Check: 50 * time.Millisecond, Log: quiet}
		nctx, stop := context.WithCancel(ctx)
		stops[i], done[i] = stop, make(chan struct{})
		go func() {
			defer close(done[i])
			nodes[i].Run(nctx)
		}()
	}
	running := map[int]bool{0: true, 1: true, 2: true}
	leader := func() int {
		t.Helper()
		who, n := -1, 0
		for i, l := range nodes {
			if l.Leading() {
				who, n = i, n+1
			}
		}
		if n > 1 {
			t.Fatalf("%d nodes lead at once", n)
		}
		return who
	}
	eventually(t, "no node leads", func() bool { return leader() >= 0 })
	for range 20 {
		leader() // never two at once while the others campaign
		time.Sleep(10 * time.Millisecond)
	}

	// The leader's process is killed: its session ends and it runs no
	// more. Another node takes over.
	first := leader()
	if terminate(t, dsn, fmt.Sprintf("node%d-%s", first, tag)) != 1 {
		t.Fatal("leader session not found")
	}
	stops[first]()
	<-done[first]
	delete(running, first)
	eventually(t, "no node took over from a killed leader", func() bool { w := leader(); return w >= 0 && w != first })

	// The leader shuts down cleanly: the last node takes over.
	second := leader()
	stops[second]()
	<-done[second]
	delete(running, second)
	eventually(t, "the last node did not take over", func() bool { w := leader(); return running[w] })
}

// A leader whose session dies stops leading, campaigns again and, alone,
// leads again.
func TestLeaderNoticesLostSession(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app := "alone-" + time.Now().Format("150405.000000")
	var elected atomic.Int64
	l := &Leader{DSN: withApp(t, dsn, app), Retry: 50 * time.Millisecond, Check: 50 * time.Millisecond, Log: quiet,
		Elected: func() { elected.Add(1) }}
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Run(ctx)
	}()
	eventually(t, "a lone node does not lead", func() bool { return l.Leading() })
	if terminate(t, dsn, app) != 1 {
		t.Fatal("leader session not found")
	}
	// Elected again means it saw the loss (Leading went false) first.
	eventually(t, "the lone node was not elected again after losing its session", func() bool { return elected.Load() == 2 })
	cancel()
	<-done
	if l.Leading() {
		t.Error("a stopped node still leads")
	}
}

func TestListenerHearsNotificationsAndReconnects(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app := "listener-" + time.Now().Format("150405.000000")
	var calls, ready atomic.Int64
	changed := make(chan string, 100)
	l := &Listener{DSN: withApp(t, dsn, app), Channel: "newsdesk_test_" + app[9:15], Log: quiet, Retry: 50 * time.Millisecond,
		Changed: func(_ context.Context, payload string) error { calls.Add(1); changed <- payload; return nil },
		Ready:   func() { ready.Add(1) }}
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Run(ctx)
	}()
	notifier, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer notifier.Close(context.Background())
	notify := func() {
		t.Helper()
		if _, err := notifier.Exec(ctx, "SELECT pg_notify($1, '42')", l.Channel); err != nil {
			t.Fatal(err)
		}
	}
	expect := func(payload, what string) {
		t.Helper()
		select {
		case got := <-changed:
			if got != payload {
				t.Fatalf("%s: payload %q, want %q", what, got, payload)
			}
		case <-time.After(30 * time.Second):
			t.Fatal(what)
		}
	}
	expect("", "no catch-up read after connecting")
	notify()
	expect("42", "a notification did not reach the listener")

	// The listener's session dies: it reconnects, catches up, and hears again.
	if terminate(t, dsn, app) != 1 {
		t.Fatal("listener session not found")
	}
	eventually(t, "the listener did not reconnect", func() bool { return ready.Load() >= 2 })
	expect("", "no catch-up read after reconnecting")
	notify()
	expect("42", "a notification after reconnecting did not reach the listener")
	cancel()
	<-done
}
