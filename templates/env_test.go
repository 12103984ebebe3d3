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
