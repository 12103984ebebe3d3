package main

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"newsdesk/internal/tick"
)

// holdHeap keeps a serving process's Go memory near what it holds, its
// page cache counted once. The collector lets the heap grow to twice what
// is live before it runs, and a full page cache is much of what is live:
// its bytes would take twice their room, for garbage that is not theirs.
// So the limit is the cache's bytes (cached), plus twice the rest of the
// live heap, plus what the runtime holds beside the heap (stacks,
// metadata), plus slack for the requests in flight. It is read again every
// second: when more becomes live (the related index, loaded by the first
// write), the limit follows a second later. A GOMEMLIMIT set by the
// operator wins.
func holdHeap(ctx context.Context, cached func() int) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	tick.Every(ctx, 0, time.Second, func() {
		debug.SetMemoryLimit(heapLimit(int64(cached())))
	})
}

// heapSlack is the room for requests in flight: at 16 MiB random uncached
// articles lost 10 % of their rate to collections, at 32 MiB nothing
// measurable (docs/PERFORMANCE.md).
const heapSlack = 32 << 20

// runtimeMemory names what heapLimit reads: the live heap, and the
// runtime's memory and the parts of it that are heap.
var runtimeMemory = []string{"/gc/heap/live:bytes", "/memory/classes/total:bytes", "/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes", "/memory/classes/heap/free:bytes", "/memory/classes/heap/released:bytes"}

// heapLimit is holdHeap's limit for a page cache holding cached bytes.
func heapLimit(cached int64) int64 {
	s := make([]metrics.Sample, len(runtimeMemory))
	for i, name := range runtimeMemory {
		s[i].Name = name
	}
	metrics.Read(s)
	v := func(i int) int64 { return int64(s[i].Value.Uint64()) }
	live := v(0)
	beside := v(1) - v(2) - v(3) - v(4) - v(5)
	return cached + 2*max(live-cached, 0) + beside + heapSlack
}
