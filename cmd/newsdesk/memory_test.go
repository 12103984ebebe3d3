package main

import (
	"context"
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"
)

// TestHoldHeapCountsTheCacheOnce: the limit holdHeap sets is the page
// cache's bytes plus twice the rest of the live heap, the runtime's own
// memory and the slack; it follows the cache as it grows.
func TestHoldHeapCountsTheCacheOnce(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	debug.SetMemoryLimit(math.MaxInt64)

	keep := make([]byte, 64<<20) // live, as a full page cache would be
	runtime.GC()
	read := func(name string) int64 {
		s := []metrics.Sample{{Name: name}}
		metrics.Read(s)
		return int64(s[0].Value.Uint64())
	}
	var cached atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		holdHeap(ctx, func() int { return int(cached.Load()) })
	}()
	defer func() {
		cancel()
		<-done
	}()
	limit := func(not int64) int64 {
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if l := debug.SetMemoryLimit(-1); l != not {
				return l
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatal("holdHeap did not set the limit within 5 s")
		return 0
	}
	before := limit(math.MaxInt64)
	cached.Store(64 << 20) // the cache fills: the same live heap, counted once
	after := limit(before)

	live, stacks := read("/gc/heap/live:bytes"), read("/memory/classes/heap/stacks:bytes")
	for _, c := range []struct {
		cached, got int64
	}{{0, before}, {64 << 20, after}} {
		// The runtime's own memory beside the heap is at least its stacks;
		// allocations between the two reads move the live heap a little.
		low := c.cached + 2*max(live-c.cached, 0) + stacks + heapSlack - 4<<20
		high := low + 24<<20
		if c.got < low || c.got > high {
			t.Errorf("cache of %d MiB, %d MiB live: limit %d MiB, want %d–%d MiB", c.cached>>20, live>>20, c.got>>20, low>>20, high>>20)
		}
	}
	if before-after < 48<<20 {
		t.Errorf("a full cache lowered the limit from %d to %d MiB: its 64 MiB are still counted twice", before>>20, after>>20)
	}
	runtime.KeepAlive(keep)
}

// TestHoldHeapLeavesGOMEMLIMIT: an operator's GOMEMLIMIT wins.
func TestHoldHeapLeavesGOMEMLIMIT(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "1GiB")
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	debug.SetMemoryLimit(math.MaxInt64)
	holdHeap(context.Background(), func() int { return 0 }) // returns at once
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set, holdHeap set the limit to %d", got)
	}
}
