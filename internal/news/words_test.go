package news

import (
	"strings"
	"testing"
)

func TestFieldCount(t *testing.T) {
	for _, s := range []string{"", " ", "one", " one  two\tthree\n", "a\u00a0b\u2003c", "é ü\u0085x", "\xff \xfe"} {
		if got, want := FieldCount(s), len(strings.Fields(s)); got != want {
			t.Errorf("FieldCount(%q) = %d, want %d", s, got, want)
		}
	}
}
