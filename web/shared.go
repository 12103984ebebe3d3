package web

import (
	"context"
	"time"
)

// SharedState is what the nodes serving one site must agree on besides
// the stories and sessions: the login and comment rate limits and the
// one-time setup link. It lives in the database, so that five wrong
// passwords lock an account however a load balancer spreads the tries,
// and a setup link logged by one node works on every node.
type SharedState interface {
	// TakeLimit records an event for key at now, unless max events of
	// key happened within window before now; it reports whether it
	// recorded one. Counting and recording are one step, so concurrent
	// requests on any node cannot all slip under the limit.
	TakeLimit(ctx context.Context, key string, now time.Time, window time.Duration, max int) (bool, error)
	// ReleaseLimit gives back one event of key taken at at.
	ReleaseLimit(ctx context.Context, key string, at time.Time) error
	// ResetLimit forgets every event of key.
	ResetLimit(ctx context.Context, key string) error

	// AddSetupToken stores a setup token's id (auth.TokenID) until
	// expires. Each node starting on a site without users adds its own.
	AddSetupToken(ctx context.Context, id string, expires time.Time) error
	// SetupTokenValid reports whether id is a stored token live at now.
	SetupTokenValid(ctx context.Context, id string, now time.Time) (bool, error)
	// EndSetup forgets every setup token: the first admin exists.
	EndSetup(ctx context.Context) error
}

// limiter counts events per key within a sliding window, in the shared
// state; its keys are prefixed with its name.
type limiter struct {
	state  SharedState
	name   string
	window time.Duration
}

func newLimiter(state SharedState, name string, window time.Duration) *limiter {
	return &limiter{state: state, name: name, window: window}
}

// take records an event for key if fewer than max happened within the
// window, in one step, so that concurrent requests cannot all slip under
// the limit; it reports whether it was allowed. The event's time, now, is
// what release gives back.
func (l *limiter) take(ctx context.Context, key string, now time.Time, max int) (bool, error) {
	return l.state.TakeLimit(ctx, l.name+"|"+key, now, l.window, max)
}

// release gives back one event taken for key at t. It runs even when the
// request's context has ended: a slot must not stay taken because the
// client went away.
func (l *limiter) release(ctx context.Context, key string, t time.Time) error {
	return l.state.ReleaseLimit(context.WithoutCancel(ctx), l.name+"|"+key, t)
}

func (l *limiter) reset(ctx context.Context, key string) error {
	return l.state.ResetLimit(context.WithoutCancel(ctx), l.name+"|"+key)
}
