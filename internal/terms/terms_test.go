package terms

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTerms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"The banks' strikes", []string{"bank", "strik"}},
		{"flood floods flooded flooding", []string{"flood", "flood", "flood", "flood"}},
		{"estimate estimated estimates", []string{"estimat", "estimat", "estimat"}},
		{"Mars sample mission's cost", []string{"mars", "sampl", "mission", "cost"}},
		{"It is 2026 and the city's flood defences", []string{"city", "flood", "defenc"}},
		{"**Bold** [link](https://x.example/path)", []string{"bold", "link", "http", "exampl", "path"}},
		{"don't stop", []string{"don't", "stop"}},
		{"", nil},
	}
	for _, tt := range tests {
		got := Terms(tt.in)
		if len(got) == 0 {
			got = nil
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Terms(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}
