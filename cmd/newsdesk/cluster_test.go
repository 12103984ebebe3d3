package main

import "testing"

func TestForeignWrite(t *testing.T) {
	for _, c := range []struct {
		before, after int64
		payload       string
		want          bool
	}{
		{10, 11, "11", true},  // another node wrote version 11
		{11, 11, "11", false}, // this node's own write came back
		{12, 12, "11", false}, // own write 11, then own 12, then 11's echo
		{10, 12, "", true},    // after a reconnection: the version rose
		{10, 10, "", false},   // nothing changed meanwhile
		{10, 10, "junk", true},
	} {
		if got := foreignWrite(c.before, c.after, c.payload); got != c.want {
			t.Errorf("foreignWrite(%d, %d, %q) = %v, want %v", c.before, c.after, c.payload, got, c.want)
		}
	}
}
