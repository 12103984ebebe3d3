package ingest

import (
	"strings"
	"testing"
	"time"
)

func TestNDJSONRejectsBadLinesAndKeepsGoodOnes(t *testing.T) {
	good := `{"title":"Good","body":"Text.","published_at":"2026-03-15T10:00:00Z","source":"Wire"}`
	long := `{"title":"Long","body":"` + strings.Repeat("x", MaxLine) + `","published_at":"2026-03-15T10:00:00Z"}`
	in := strings.Join([]string{
		good,
		`not json`,
		`{"body":"No title.","published_at":"2026-03-15T10:00:00Z"}`,
		`{"title":"No body","published_at":"2026-03-15T10:00:00Z"}`,
		`{"title":"Bad date","body":"x","published_at":"15/03/2026"}`,
		`{"title":"` + strings.Repeat("t", 301) + `","body":"x","published_at":"2026-03-15T10:00:00Z"}`,
		long,
		``,
		`{"title":"Tags wrong","body":"x","published_at":"2026-03-15T10:00:00Z","tags":"a,b"}`,
		`{"title":"Image without alt","body":"x","published_at":"2026-03-15T10:00:00Z","image_url":"https://i.example/a.jpg"}`,
		`{"title":"No date","body":"x"}`,
		good,
	}, "\n")
	items, err := NDJSON(strings.NewReader(in), "Default")
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{
		2: "not valid JSON", 3: "title", 4: "body", 5: "RFC 3339", 6: "300 characters",
		7: "longer than 1 MiB", 9: "tags", 10: "image_alt", 11: "published_at is required",
	}
	var ok []int
	for _, it := range items {
		if it.Err == nil {
			ok = append(ok, it.Pos)
			continue
		}
		if w, found := want[it.Pos]; !found || !strings.Contains(it.Err.Error(), w) {
			t.Errorf("line %d: error %q, want one mentioning %q", it.Pos, it.Err, w)
		}
		delete(want, it.Pos)
	}
	if len(want) > 0 {
		t.Errorf("lines not rejected: %v", want)
	}
	if len(ok) != 2 || ok[0] != 1 || ok[1] != 12 {
		t.Errorf("accepted lines %v, want [1 12]", ok)
	}
}

func TestNDJSONDefaults(t *testing.T) {
	items, err := NDJSON(strings.NewReader(`{"title":"  Spaced  ","body":"Text","published_at":"2026-03-15T10:00:00+02:00","tags":["#Climate","climate"," EU "]}`), "Flag Source")
	if err != nil || len(items) != 1 || items[0].Err != nil {
		t.Fatalf("NDJSON = %v, %v", items, err)
	}
	s := items[0].Story
	if s.Title != "Spaced" || s.Source.Name != "Flag Source" {
		t.Errorf("title %q source %q", s.Title, s.Source.Name)
	}
	if !s.PublishedAt.Equal(time.Date(2026, 3, 15, 8, 0, 0, 0, time.UTC)) || s.PublishedAt.Location() != time.UTC {
		t.Errorf("published_at = %v, want 08:00 UTC", s.PublishedAt)
	}
	if len(s.Tags) != 2 || s.Tags[0].Slug != "climate" || s.Tags[1].Name != "EU" {
		t.Errorf("tags = %+v", s.Tags)
	}
}

const rssFeed = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Tech Wire</title>
<item><title>Chip &amp; battery news</title><link>https://tw.example/1</link>
<description>Short dek.</description>
<content:encoded><![CDATA[<p>First para <b>bold</b>.</p><p>Second para.</p><script>alert(1)</script>]]></content:encoded>
<pubDate>Sun, 15 Mar 2026 10:00:00 +0000</pubDate><dc:creator>Ann Lee</dc:creator><category>Chips</category></item>
<item><title>No date</title><link>https://tw.example/2</link><description>x</description></item>
<item><title>Guid only</title><guid>tw-3</guid><description>Body three.</description><pubDate>Sun, 15 Mar 2026 11:00:00 GMT</pubDate></item>
</channel></rss>`

func TestRSS(t *testing.T) {
	items, err := Read(strings.NewReader("\n  "+rssFeed), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 {
		t.Fatalf("got %d items, want 3", len(items))
	}
	s := items[0].Story
	if items[0].Err != nil {
		t.Fatal(items[0].Err)
	}
	if s.Title != "Chip & battery news" || s.Source.Name != "Tech Wire" || s.Author != "Ann Lee" || s.URL != "https://tw.example/1" {
		t.Errorf("story = %+v", s)
	}
	if s.Body != "First para bold.\n\nSecond para." {
		t.Errorf("body = %q", s.Body)
	}
	if s.Summary != "Short dek." || len(s.Tags) != 1 || s.Tags[0].Slug != "chips" {
		t.Errorf("summary %q tags %+v", s.Summary, s.Tags)
	}
	if items[1].Err == nil || items[1].Pos != 2 {
		t.Errorf("item 2 = %+v, want a date error", items[1])
	}
	if items[2].Err != nil || items[2].Story.GUID != "tw-3" {
		t.Errorf("item 3 = %+v", items[2])
	}
}

const atomFeed = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Science Desk</title><id>urn:x</id><updated>2026-03-15T10:00:00Z</updated>
<entry><title type="html">Mars &lt;em&gt;sample&lt;/em&gt; lands</title><id>urn:entry:1</id>
<link rel="alternate" href="https://sd.example/mars"/><published>2026-03-15T09:00:00Z</published><updated>2026-03-15T10:00:00Z</updated>
<author><name>Ola Berg</name></author><category term="space" label="Space"/>
<summary>The capsule is home.</summary><content type="html">&lt;p&gt;The capsule landed.&lt;/p&gt;</content></entry>
<entry><title>Bad</title><id>urn:entry:2</id><updated>yesterday</updated><content>x</content></entry>
</feed>`

func TestAtom(t *testing.T) {
	items, err := Read(strings.NewReader(atomFeed), "Override")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Err != nil || items[1].Err == nil {
		t.Fatalf("items = %+v", items)
	}
	s := items[0].Story
	if s.Title != "Mars sample lands" || s.Source.Name != "Override" || s.URL != "https://sd.example/mars" ||
		s.GUID != "urn:entry:1" || s.Author != "Ola Berg" || s.Body != "The capsule landed." || s.Summary != "The capsule is home." {
		t.Errorf("story = %+v", s)
	}
	if len(s.Tags) != 1 || s.Tags[0].Name != "Space" {
		t.Errorf("tags = %+v", s.Tags)
	}
}

func TestReadRejectsOtherXML(t *testing.T) {
	if _, err := Read(strings.NewReader("<html><body>hi</body></html>"), ""); err == nil {
		t.Error("Read(html) succeeded, want an error")
	}
}
