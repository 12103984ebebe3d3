package ingest

import (
	"strings"
	"testing"
)

func FuzzNDJSON(f *testing.F) {
	for _, s := range []string{
		`{"title":"T","body":"B","published_at":"2026-03-15T10:00:00Z"}`,
		`{"title":"T","body":"B","published_at":"2026-03-15T10:00:00Z","tags":["a","b"],"image_url":"https://i.example/x.jpg","image_alt":"x"}`,
		"not json\n{}\n[]", `{"title":1}`, "{\"title\":\"\\u0000\"}", "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		items, err := NDJSON(strings.NewReader(in), "Src")
		if err != nil {
			t.Fatalf("NDJSON: %v", err)
		}
		for _, it := range items {
			if (it.Err == nil) == (it.Story == nil) {
				t.Fatalf("item %d: story %v and error %v", it.Pos, it.Story, it.Err)
			}
			if it.Story != nil {
				if err := it.Story.Validate(); err != nil {
					t.Fatalf("accepted item %d does not validate: %v", it.Pos, err)
				}
			}
		}
	})
}
