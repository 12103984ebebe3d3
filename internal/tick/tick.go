// Package tick runs work on a schedule until a context ends.
package tick

import (
	"context"
	"time"
)

// Every calls fn after first, then every interval after fn returns, until
// ctx ends. A call under way when ctx ends finishes first.
func Every(ctx context.Context, first, interval time.Duration, fn func()) {
	t := time.NewTimer(first)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fn()
		t.Reset(interval)
	}
}
