package web

import (
	"net/http"
	"testing"
)

func TestAcceptsGzip(t *testing.T) {
	for _, tt := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"deflate, gzip, br", true},
		{" gzip ; q=0.5 ", true},
		{"gzip;q=1", true},
		{"gzip;q=0.001", true},
		{"br, gzip;q=0", false},
		{"gzip; q = 0", false},
		{"gzip;Q=0", false},
		{"gzip;q=0.0", false},
		{"gzip;q=0.000", false},
		{"gzip;q=0.", false},
		{"gzip;q=0.010", true},
		{"x-gzip", false},
		{"gzipx", false},
		{"*", false},
		{"deflate", false},
		{",,gzip,,", true},
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		if tt.header != "" {
			r.Header.Set("Accept-Encoding", tt.header)
		}
		if got := acceptsGzip(r); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}
