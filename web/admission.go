package web

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"newsdesk/templates"
)

// gate bounds the requests that work the database hard (uncached
// searches): at most slots run at once and more may queue briefly (wait).
// The cores beyond that share are lent too (spare), but only while no
// other request has come lately (quiet): searches alone may use the whole
// machine, and once readers want pages a lent core comes back when its
// search ends. Past that a request is turned away with 503 and
// Retry-After, so a flood of long-tail searches cannot take the cores
// from every other page: cached pages and articles never pass through the
// gate. A search costs about a millisecond, so a queue serves dozens
// within the wait; turning them away at once instead made the flood's
// clients ask again and again, and answering thousands of 503s a second
// took the cores itself.
type gate struct {
	slots, spare chan struct{}
	quiet        func() bool
	waiters      chan struct{}
	wait         time.Duration
}

// gateQueue is how many requests may wait per slot.
const gateQueue = 128

// newGate admits n at a time and lets gateQueue×n wait up to wait. With n
// 0 it admits half the cores, at least one, and the other cores while
// quiet (if not nil) reports true.
func newGate(n, cores int, wait time.Duration, quiet func() bool) *gate {
	spare := 0
	if n <= 0 {
		n = max(1, cores/2)
		if quiet != nil {
			spare = max(0, cores-n)
		}
	}
	return &gate{slots: make(chan struct{}, n), spare: make(chan struct{}, spare), quiet: quiet,
		waiters: make(chan struct{}, gateQueue*n), wait: wait}
}

// enter takes a slot, waiting a little if all are taken; ok is false when
// the gate is full. release must be called once the work is done.
func (g *gate) enter(ctx context.Context) (release func(), ok bool) {
	release = func() { <-g.slots }
	select {
	case g.slots <- struct{}{}:
		return release, true
	default:
	}
	// A nil channel is never ready: the spare cores are not offered
	// unless the others are quiet.
	var spare chan struct{}
	if cap(g.spare) > 0 && g.quiet() {
		spare = g.spare
	}
	select {
	case spare <- struct{}{}:
		return func() { <-g.spare }, true
	default:
	}
	select {
	case g.waiters <- struct{}{}:
	default:
		return nil, false
	}
	defer func() { <-g.waiters }()
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return release, true
	case spare <- struct{}{}:
		return func() { <-g.spare }, true
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, false
}

// quietFor is how long no other request may have come for searches to
// get the spare cores.
const quietFor = 50 * time.Millisecond

// othersQuiet reports whether no request other than a search has come
// for quietFor.
func (s *Server) othersQuiet() bool {
	return time.Now().UnixNano()-s.lastOther.Load() > int64(quietFor)
}

// noteOther records that a request other than a search came. The time is
// written at most once a millisecond: every core reads it, few write it.
func (s *Server) noteOther() {
	if now := time.Now().UnixNano(); now-s.lastOther.Load() > int64(time.Millisecond) {
		s.lastOther.Store(now)
	}
}

// heavy passes a request through the server's gate: the handler runs only
// with a slot, else the reader gets a short "busy" page.
func (s *Server) heavy(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		release, ok := s.gate.enter(c.Request().Context())
		if !ok {
			s.gateFull.Add(1)
			h := c.Response().Header()
			h.Set("Retry-After", "1")
			h.Set(echo.HeaderCacheControl, "no-store")
			page, err := s.busyPage(c.Request().Context())
			if err != nil {
				return err
			}
			return c.HTMLBlob(http.StatusServiceUnavailable, page)
		}
		defer release()
		return next(c)
	}
}

// busyPage returns the "busy" page, rendered once per data version and
// minute: a flood of turned-away searches must cost next to nothing. It
// carries nothing of any one request (no CSRF token).
func (s *Server) busyPage(ctx context.Context) ([]byte, error) {
	return s.busy.getFresh(s.store.Version(), s.cfg.Now(), time.Minute, func() ([]byte, error) {
		sections, _ := s.navSections(ctx)
		env := templates.Env{Now: s.cfg.Now(), SiteName: s.cfg.SiteName, BaseURL: s.cfg.BaseURL,
			Asset: s.assets.URL, Location: s.location(ctx)}
		var buf bytes.Buffer
		err := templates.ErrorPage(http.StatusServiceUnavailable, "Busy",
			"The site is busy answering searches. Please try again in a moment.", "", sections).Render(templates.WithEnv(ctx, env), &buf)
		return buf.Bytes(), err
	})
}
