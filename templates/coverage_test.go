package templates

import (
	"testing"

	"newsdesk/internal/news"
)

func TestSourceNames(t *testing.T) {
	list := []news.Source{{Name: "Global Wire"}, {Name: "Yahoo"}, {Name: "MSN"}, {Name: "Tech Current"}}
	for _, tt := range []struct {
		n    int
		list []news.Source
		want string
	}{
		{2, list, "Global Wire, Yahoo +2"},
		{2, list[:2], "Global Wire, Yahoo"},
		{2, list[:1], "Global Wire"},
		{4, list, "Global Wire, Yahoo, MSN, Tech Current"},
	} {
		if got := sourceNames(tt.list, tt.n); got != tt.want {
			t.Errorf("sourceNames(%d of %d) = %q, want %q", tt.n, len(tt.list), got, tt.want)
		}
	}
}
