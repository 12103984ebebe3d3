package templates

import (
	"testing"
	"time"
)

func TestAgo(t *testing.T) {
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		t    time.Time
		want string
	}{
		{now, "just now"},
		{now.Add(-59 * time.Second), "just now"},
		{now.Add(30 * time.Second), "just now"},
		{now.Add(-time.Minute), "1 minute ago"},
		{now.Add(-5 * time.Minute), "5 minutes ago"},
		{now.Add(-time.Hour), "1 hour ago"},
		{now.Add(-2 * time.Hour), "2 hours ago"},
		{now.Add(-23 * time.Hour), "23 hours ago"},
		{now.Add(-25 * time.Hour), "yesterday"},
		{now.Add(-3 * 24 * time.Hour), "3 days ago"},
		{now.Add(-6 * 24 * time.Hour), "6 days ago"},
		{time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), "1 March"},
		{time.Date(2025, 12, 24, 9, 0, 0, 0, time.UTC), "24 December 2025"},
		{now.Add(48 * time.Hour), "17 March 2026"},
	}
	for _, tt := range tests {
		if got := Ago(tt.t, now); got != tt.want {
			t.Errorf("Ago(%v, %v) = %q, want %q", tt.t, now, got, tt.want)
		}
	}
}

// TestAgoChanges: Ago reads the same from now until AgoChanges, which is
// never further than a day for a time in the past.
func TestAgoChanges(t *testing.T) {
	now := time.Date(2026, 3, 15, 12, 0, 30, 0, time.FixedZone("X", 3600))
	for _, d := range []time.Duration{-48 * time.Hour, -2 * time.Minute, -time.Minute, -30 * time.Second, 0, 59 * time.Second,
		time.Minute, 90 * time.Second, 59*time.Minute + 59*time.Second, time.Hour, 5*time.Hour + 7*time.Minute,
		23*time.Hour + 59*time.Minute, 24 * time.Hour, 36 * time.Hour, 6 * 24 * time.Hour, 8 * 24 * time.Hour, 400 * 24 * time.Hour} {
		pub := now.Add(-d)
		until := AgoChanges(pub, now)
		if !until.After(now) || (d >= 0 && until.Sub(now) > 24*time.Hour) {
			t.Errorf("AgoChanges(now-%s) = %s, want within a day after now", d, until.Sub(now))
			continue
		}
		want := Ago(pub, now)
		step := max(time.Second, until.Sub(now)/500)
		for x := now; x.Before(until); x = x.Add(step) {
			if got := Ago(pub, x); got != want {
				t.Errorf("published now-%s: at now+%s Ago = %q, before AgoChanges (now+%s) it must stay %q",
					d, x.Sub(now), got, until.Sub(now), want)
				break
			}
		}
		if got := Ago(pub, until.Add(-time.Nanosecond)); got != want {
			t.Errorf("published now-%s: just before AgoChanges Ago = %q, want %q", d, got, want)
		}
	}
}
