package main

import (
	"context"
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// TestHoldHeapCountsTheCacheOnce: the limit holdHeap sets is the page
// cache's bytes plus twice the rest of the live heap and the slack, and it
// follows the cache as it grows.
func TestHoldHeapCountsTheCacheOnce(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	debug.SetMemoryLimit(math.MaxInt64)

	keep := make([]byte, 64<<20) // live, as a full page cache would be
	runtime.GC()
	live := func() int64 {
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(s)
		return int64(s[0].Value.Uint64())
	}
	for _, cached := range []int64{0, 64 << 20} {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			holdHeap(ctx, func() int { return int(cached) })
		}()
		deadline := time.Now().Add(5 * time.Second)
		for debug.SetMemoryLimit(-1) == math.MaxInt64 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		cancel()
		<-done
		got, l := debug.SetMemoryLimit(-1), live()
		want := cached + 2*(l-cached) + 32<<20
		// The live heap read here and the one holdHeap read differ by
		// what was allocated in between: a few MiB at most.
		if got < want-4<<20 || got > want+4<<20 {
			t.Errorf("cache of %d MiB, %d MiB live: limit %d MiB, want about %d MiB", cached>>20, l>>20, got>>20, want>>20)
		}
		debug.SetMemoryLimit(math.MaxInt64)
	}
	runtime.KeepAlive(keep)

	t.Setenv("GOMEMLIMIT", "1GiB")
	holdHeap(context.Background(), func() int { return 0 }) // returns at once
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set, holdHeap set the limit to %d", got)
	}
}
