package main

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// holdHeap keeps a serving process's Go memory near what it holds, its
// page cache counted once. The collector lets the heap grow to twice what
// is live before it runs, and a full page cache is much of what is live:
// its bytes would take twice their room, for garbage that is not theirs.
// So the limit is the cache's bytes (cached, read each second) plus twice
// the rest of the live heap, and slack for the requests in flight.
// When more becomes live (the related index, loaded by the first write),
// the limit follows a second later. A GOMEMLIMIT set by the operator wins.
func holdHeap(ctx context.Context, cached func() int) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	// The slack for requests in flight: at 16 MiB random uncached
	// articles lost 10 % of their rate to collections, at 32 MiB nothing
	// measurable (docs/PERFORMANCE.md).
	const slack = 32 << 20
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		metrics.Read(live)
		c := int64(cached())
		rest := max(int64(live[0].Value.Uint64())-c, 0)
		debug.SetMemoryLimit(c + 2*rest + slack)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
