package web

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestBusySearchesAreTurnedAway holds every slot of the gate, as a flood of
// long-tail searches would: a further uncached search is answered at once
// with 503 and Retry-After, while articles and cached searches are served.
func TestBusySearchesAreTurnedAway(t *testing.T) {
	ts := newTestSite(t)
	get := func(path string) *http.Response {
		res, _ := ts.get(t, path)
		return res
	}
	cached := "/search?q=flood"
	for range 2 { // a search page is kept when asked again
		if res := get(cached); res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", cached, res.StatusCode)
		}
	}
	var held []func()
	for {
		release, ok := ts.srv.gate.enter(context.Background())
		if !ok {
			break
		}
		held = append(held, release)
	}
	res := get("/search?q=harbour")
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Errorf("uncached search while busy = %d, Retry-After %q; want 503 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if got := res.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("busy page Cache-Control = %q, want no-store", got)
	}
	if res := get(cached); res.StatusCode != http.StatusOK {
		t.Errorf("cached search while busy = %d, want 200", res.StatusCode)
	}
	if res := get("/"); res.StatusCode != http.StatusOK {
		t.Errorf("front page while busy = %d, want 200", res.StatusCode)
	}
	for _, release := range held {
		release()
	}
	if res := get("/search?q=harbour"); res.StatusCode != http.StatusOK {
		t.Errorf("uncached search after the flood = %d, want 200", res.StatusCode)
	}
}

// TestGateWaitsBriefly: a request finding every slot taken waits for one
// to come free within the gate's wait.
func TestGateWaitsBriefly(t *testing.T) {
	g := newGate(1, 2, time.Minute, nil)
	release, ok := g.enter(context.Background())
	if !ok {
		t.Fatal("first enter refused")
	}
	done := enterAside(g)
	release()
	if !<-done {
		t.Error("waiting enter refused after a slot came free")
	}
	// A full queue refuses at once.
	release, _ = g.enter(context.Background())
	defer release()
	for range cap(g.waiters) {
		g.waiters <- struct{}{}
	}
	if _, ok := g.enter(context.Background()); ok {
		t.Error("enter admitted with every slot and waiting place taken")
	}
}

// TestGateLendsSpareCoresWhenQuiet: by default the gate admits half the
// cores' worth of searches, and the other half only while no other request
// has come lately.
func TestGateLendsSpareCoresWhenQuiet(t *testing.T) {
	quiet := false
	g := newGate(0, 4, 10*time.Millisecond, func() bool { return quiet })
	var held []func()
	defer func() {
		for _, release := range held {
			release()
		}
	}()
	admitted := func() int {
		n := 0
		for {
			release, ok := g.enter(context.Background())
			if !ok {
				return n
			}
			held = append(held, release)
			n++
		}
	}
	if n := admitted(); n != 2 {
		t.Errorf("readers busy: %d searches admitted at once on 4 cores, want 2", n)
	}
	quiet = true
	if n := admitted(); n != 2 {
		t.Errorf("then quiet: %d more admitted, want the 2 spare cores", n)
	}
}

// TestGateWaiterTakesASpareCore: a search waiting in the queue while the
// others are quiet is admitted when a lent core comes free, not only a
// slot of the share.
func TestGateWaiterTakesASpareCore(t *testing.T) {
	g := newGate(0, 2, time.Minute, func() bool { return true })
	slot, ok1 := g.enter(context.Background())
	spare, ok2 := g.enter(context.Background())
	if !ok1 || !ok2 {
		t.Fatal("2 cores, others quiet: want 2 searches admitted at once")
	}
	defer slot()
	done := enterAside(g)
	for len(g.waiters) == 0 { // it queued
		time.Sleep(time.Millisecond)
	}
	spare()
	select {
	case ok := <-done:
		if !ok {
			t.Error("the waiting search was refused")
		}
	case <-time.After(5 * time.Second):
		t.Error("the waiting search was not admitted when the lent core came free")
	}
}

// enterAside enters g on another goroutine, releases at once if admitted,
// and sends whether it was.
func enterAside(g *gate) <-chan bool {
	done := make(chan bool)
	go func() {
		release, ok := g.enter(context.Background())
		if ok {
			release()
		}
		done <- ok
	}()
	return done
}
