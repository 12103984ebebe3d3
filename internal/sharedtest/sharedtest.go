// Package sharedtest checks a store's shared state (web.SharedState: rate
// limits and setup tokens) the same way for every store.
package sharedtest

import (
	"context"
	"sync"
	"testing"
	"time"
)

// State is web.SharedState, repeated here so that store packages can run
// these checks without importing web.
type State interface {
	TakeLimit(ctx context.Context, key string, now time.Time, window time.Duration, max int) (bool, error)
	ReleaseLimit(ctx context.Context, key string, at time.Time) error
	ResetLimit(ctx context.Context, key string) error
	AddSetupToken(ctx context.Context, id string, expires time.Time) error
	SetupTokenValid(ctx context.Context, id string, now time.Time) (bool, error)
	EndSetup(ctx context.Context) error
}

// Run checks st, which must be empty, from two handles: other is a second
// handle on the same database (another node), or st again.
func Run(t *testing.T, st, other State) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const window = 10 * time.Minute
	take := func(s State, key string, at time.Time) bool {
		t.Helper()
		ok, err := s.TakeLimit(ctx, key, at, window, 3)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	t.Run("limit", func(t *testing.T) {
		for i := range 3 {
			if !take(st, "k", t0.Add(time.Duration(i)*time.Second)) {
				t.Fatalf("take %d refused under the limit", i)
			}
		}
		if take(other, "k", t0.Add(5*time.Second)) {
			t.Fatal("a fourth take within the window was allowed on the other handle")
		}
		if !take(other, "other key", t0.Add(5*time.Second)) {
			t.Fatal("another key shares the count")
		}
		// Giving back the second event frees one slot, once.
		if err := other.ReleaseLimit(ctx, "k", t0.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if !take(st, "k", t0.Add(6*time.Second)) {
			t.Fatal("released slot not free")
		}
		if take(st, "k", t0.Add(7*time.Second)) {
			t.Fatal("release freed more than one slot")
		}
		// The window slides: the first event (t0) expires at t0+window.
		if take(st, "k", t0.Add(window-time.Nanosecond)) {
			t.Fatal("allowed before the oldest event left the window")
		}
		if !take(st, "k", t0.Add(window)) {
			t.Fatal("refused after the oldest event left the window")
		}
		if err := st.ResetLimit(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if !take(other, "k", t0.Add(window+time.Duration(i))) {
				t.Fatalf("take %d after reset refused", i)
			}
		}
	})

	t.Run("concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		allowed := 0
		for i := range 20 {
			s := st
			if i%2 == 1 {
				s = other
			}
			wg.Go(func() {
				ok, err := s.TakeLimit(ctx, "race", t0, window, 5)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if allowed != 5 {
			t.Errorf("20 concurrent takes under a limit of 5 allowed %d", allowed)
		}
	})

	t.Run("setup", func(t *testing.T) {
		valid := func(s State, id string, at time.Time) bool {
			t.Helper()
			ok, err := s.SetupTokenValid(ctx, id, at)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if valid(st, "a", t0) {
			t.Fatal("a token nobody added is valid")
		}
		if err := st.AddSetupToken(ctx, "a", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := other.AddSetupToken(ctx, "b", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if !valid(other, "a", t0) || !valid(st, "b", t0) {
			t.Fatal("a token added on one handle is not valid on the other")
		}
		if valid(st, "a", t0.Add(time.Hour)) {
			t.Fatal("a token is valid once it expired")
		}
		if err := other.EndSetup(ctx); err != nil {
			t.Fatal(err)
		}
		if valid(st, "a", t0) || valid(st, "b", t0) {
			t.Fatal("tokens are valid after setup ended")
		}
	})
}
