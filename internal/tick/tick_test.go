package tick

import (
	"context"
	"testing"
	"time"
)

// Every calls its function at once with no first wait, again after each
// interval, and returns once the context ends.
func TestEvery(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		Every(ctx, 0, time.Millisecond, func() {
			if calls++; calls == 3 {
				cancel()
			}
		})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Every did not return after its context ended")
	}
	if calls != 3 {
		t.Errorf("fn called %d times, want 3", calls)
	}
}

// Nothing is called before the first wait is over.
func TestEveryWaitsFirst(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	called := false
	Every(ctx, time.Hour, time.Millisecond, func() { called = true })
	if called {
		t.Error("fn called before the first wait")
	}
}
