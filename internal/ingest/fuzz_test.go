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

func FuzzFeed(f *testing.F) {
	for _, s := range []string{
		rssFeed, atomFeed,
		`<rss><channel><item><title>A</titl></item><item><title>B</title></item></channel></rss>`,
		`<rss><channel></item><item></channel></rss>`,
		`<feed><entry></entry></feed><entry>`,
		`{"version":"https://jsonfeed.org/version/1","items":[{"title":"x"}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		items, err := Feed(strings.NewReader(in), "Src", "https://example.com/feed")
		if err != nil {
			return
		}
		for _, it := range items {
			if (it.Err == nil) == (it.Story == nil) {
				t.Fatalf("entry %d: story %v and error %v", it.Pos, it.Story, it.Err)
			}
			if it.Story != nil {
				if err := it.Story.Validate(); err != nil {
					t.Fatalf("accepted entry %d does not validate: %v", it.Pos, err)
				}
			}
		}
	})
}
