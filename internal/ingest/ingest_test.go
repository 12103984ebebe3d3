package ingest

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestNDJSONRejectsBadLinesAndKeepsGoodOnes(t *testing.T) {
	good := `{"title":"Good","body":"Text.","published_at":"2026-03-15T10:00:00Z","source":"Wire"}`
	long := `{"title":"Long","body":"` + strings.Repeat("x", MaxLine) + `","published_at":"2026-03-15T10:00:00Z"}`
	wide := `{"title":"Wide","body":"` + strings.Repeat("y ", 100<<10) + `","published_at":"2026-03-15T10:00:00Z"}`
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
		good + " " + good,
		wide, // longer than the reader's buffer, within MaxLine
		good,
	}, "\n")
	items, err := NDJSON(strings.NewReader(in), "Default")
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{
		2: "not valid JSON", 3: "title", 4: "body", 5: "RFC 3339", 6: "300 characters",
		7: "longer than 1 MiB", 9: "tags", 10: "image_alt", 11: "published_at is required",
		12: "more than one JSON value",
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
	if !slices.Equal(ok, []int{1, 13, 14}) {
		t.Errorf("accepted lines %v, want [1 13 14]", ok)
	}
	if body := items[len(items)-2].Story.Body; len(body) != 200<<10 {
		t.Errorf("the wide line's body has %d bytes, want %d", len(body), 200<<10)
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
	items, err := Read(strings.NewReader("\n  "+rssFeed), "", "")
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
	items, err := Read(strings.NewReader(atomFeed), "Override", "")
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
	if _, err := Read(strings.NewReader("<html><body>hi</body></html>"), "", ""); err == nil {
		t.Error("Read(html) succeeded, want an error")
	}
}

func TestJSONFeed(t *testing.T) {
	doc := `{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "JSON Wire",
  "items": [
    {"id": "j-1", "url": "/stories/1", "title": "Rivers rise", "summary": "Short.",
     "content_html": "<p>The rivers rose.</p><p>Towns flooded.</p>", "date_published": "2026-03-15T10:00:00+01:00",
     "authors": [{"name": "Kim Ode"}], "tags": ["Weather"], "image": "https://jw.example/river.jpg"},
    {"id": "j-2", "title": "Undated", "content_text": "No date here."}
  ]
}`
	items, err := Read(strings.NewReader(doc), "", "https://jw.example/feed.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Err != nil || items[1].Err == nil || items[1].Pos != 2 {
		t.Fatalf("items = %+v, want the first good and the second rejected", items)
	}
	s := items[0].Story
	if s.Title != "Rivers rise" || s.Source.Name != "JSON Wire" || s.URL != "https://jw.example/stories/1" || s.GUID != "j-1" ||
		s.Body != "The rivers rose.\n\nTowns flooded." || s.Summary != "Short." || s.Author != "Kim Ode" ||
		!s.PublishedAt.Equal(time.Date(2026, 3, 15, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("story = %+v", s)
	}
	if s.ImageURL != "https://jw.example/river.jpg" || s.ImageAlt != "Rivers rise" {
		t.Errorf("image = %q alt %q, want the JSON image with the title as alt", s.ImageURL, s.ImageAlt)
	}
}

func TestISO88591FeedDecodes(t *testing.T) {
	doc := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<rss version=\"2.0\"><channel><title>Le Caf\xe9</title>" +
		"<item><title>R\xe9sum\xe9 du jour</title><link>https://lc.example/1</link><description>Cr\xe8me br\xfbl\xe9e \xe0 Z\xfcrich.</description>" +
		"<pubDate>Sun, 15 Mar 2026 10:00:00 GMT</pubDate></item></channel></rss>"
	items, err := Read(strings.NewReader(doc), "", "")
	if err != nil || len(items) != 1 || items[0].Err != nil {
		t.Fatalf("Read = %+v, %v", items, err)
	}
	s := items[0].Story
	if s.Title != "Résumé du jour" || s.Body != "Crème brûlée à Zürich." || s.Source.Name != "Le Café" {
		t.Errorf("story title %q body %q source %q, want the Latin-1 text decoded", s.Title, s.Body, s.Source.Name)
	}
}

func TestOlderFormatsAndDates(t *testing.T) {
	rss091 := `<?xml version="1.0"?><rss version="0.91"><channel><title>Old Wire</title>
<item><title>Ninety-one</title><link>https://ow.example/91</link><description>Old but fine.</description><pubDate>Sun, 15 Mar 2026 10:00:00 EST</pubDate></item>
<item><title>Loose date</title><link>https://ow.example/92</link><description>Also fine.</description><pubDate>2026-03-15 11:30:00</pubDate></item>
</channel></rss>`
	rdf := `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://r1.example/"><title>RDF Wire</title></channel>
<item rdf:about="https://r1.example/a"><title>One dot oh</title><link>https://r1.example/a</link><description>RSS 1.0 body.</description><dc:date>2026-03-15T10:00:00Z</dc:date><dc:creator>Dee</dc:creator></item>
</rdf:RDF>`
	atom03 := `<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Atom Old</title>
<entry><title>Point three</title><link rel="alternate" type="text/html" href="https://a3.example/1"/><id>a3-1</id><issued>2026-03-15T10:00:00Z</issued><modified>2026-03-15T10:00:00Z</modified><content type="text/plain">Atom 0.3 body.</content></entry>
</feed>`
	for name, tc := range map[string]struct {
		doc    string
		titles []string
	}{
		"rss 0.91": {rss091, []string{"Ninety-one", "Loose date"}},
		"rss 1.0":  {rdf, []string{"One dot oh"}},
		"atom 0.3": {atom03, []string{"Point three"}},
	} {
		items, err := Read(strings.NewReader(tc.doc), "", "")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var got []string
		for _, it := range items {
			if it.Err != nil {
				t.Errorf("%s entry %d: %v", name, it.Pos, it.Err)
				continue
			}
			got = append(got, it.Story.Title)
			if it.Story.PublishedAt.IsZero() || it.Story.Body == "" {
				t.Errorf("%s entry %d: date %v body %q", name, it.Pos, it.Story.PublishedAt, it.Story.Body)
			}
		}
		if strings.Join(got, "|") != strings.Join(tc.titles, "|") {
			t.Errorf("%s: titles %q, want %q", name, got, tc.titles)
		}
	}
}

func TestMediaContentAndEnclosureImages(t *testing.T) {
	doc := `<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Pics</title>
<item><title>With media</title><link>https://p.example/1</link><description>x</description><pubDate>Sun, 15 Mar 2026 10:00:00 GMT</pubDate>
<media:content url="https://p.example/1.jpg" medium="image" type="image/jpeg" width="1200" height="800"><media:description>A heron in the reeds</media:description></media:content></item>
<item><title>With enclosure</title><link>https://p.example/2</link><description>y</description><pubDate>Sun, 15 Mar 2026 10:00:00 GMT</pubDate>
<enclosure url="/img/2.png" type="image/png" length="100"/></item>
<item><title>With audio only</title><link>https://p.example/3</link><description>z</description><pubDate>Sun, 15 Mar 2026 10:00:00 GMT</pubDate>
<enclosure url="https://p.example/3.mp3" type="audio/mpeg" length="100"/></item>
</channel></rss>`
	items, err := Read(strings.NewReader(doc), "", "https://p.example/feed.xml")
	if err != nil || len(items) != 3 {
		t.Fatalf("Read = %+v, %v", items, err)
	}
	want := [][2]string{
		{"https://p.example/1.jpg", "A heron in the reeds"},
		{"https://p.example/img/2.png", "With enclosure"},
		{"", ""},
	}
	for i, w := range want {
		s := items[i].Story
		if items[i].Err != nil || s.ImageURL != w[0] || s.ImageAlt != w[1] {
			t.Errorf("entry %d: image %q alt %q err %v, want %q %q", i+1, s.ImageURL, s.ImageAlt, items[i].Err, w[0], w[1])
		}
	}
}

func TestMalformedEntryIsRejectedWithItsNumberAndOthersImport(t *testing.T) {
	doc := `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Shaky Wire</title>
<item><title>First</title><link>https://sw.example/1</link><description>One.</description><pubDate>Sun, 15 Mar 2026 10:00:00 GMT</pubDate></item>
<item><title>Broken</titl><link>https://sw.example/2</link>
<description>Two.</description><pubDate>Sun, 15 Mar 2026 10:00:00 GMT</pubDate></item>
<item><title>Third &amp; last&nbsp;one</title><link>https://sw.example/3</link><description>Three.</description><pubDate>Sun, 15 Mar 2026 10:00:00 GMT</pubDate></item>
</channel></rss>`
	items, err := Read(strings.NewReader(doc), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 {
		t.Fatalf("got %d items, want 3: %+v", len(items), items)
	}
	if items[0].Err != nil || items[0].Story.Title != "First" || items[0].Story.Source.Name != "Shaky Wire" {
		t.Errorf("entry 1 = %+v, want it imported", items[0])
	}
	if items[1].Err == nil || items[1].Pos != 2 || !strings.Contains(items[1].Err.Error(), "malformed XML on line 4") {
		t.Errorf("entry 2 = %+v, want malformed XML on line 4", items[1])
	}
	if items[2].Err != nil || items[2].Story.Title != "Third & last\u00a0one" && items[2].Story.Title != "Third & last one" {
		t.Errorf("entry 3 = %+v, want it imported", items[2])
	}
}

func TestMalformedOutsideEntriesIsAnError(t *testing.T) {
	for _, doc := range []string{
		`<?xml version="1.0"?><rss version="2.0"><channel><title>T</titel><item><title>A</title></item></channel></rss>`,
		`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>`,
		`{"not": "a feed", "version": "https://jsonfeed.org/version/1.1", "items": [`,
	} {
		if items, err := Read(strings.NewReader(doc), "", ""); err == nil {
			t.Errorf("Read(%q) = %+v, want an error", doc, items)
		}
	}
}

func TestNDJSONIsNotMistakenForJSONFeed(t *testing.T) {
	items, err := Read(strings.NewReader(`{"title":"T","body":"B","published_at":"2026-03-15T10:00:00Z"}`+"\n"), "S", "")
	if err != nil || len(items) != 1 || items[0].Unit != "line" || items[0].Err != nil {
		t.Errorf("Read(NDJSON) = %+v, %v; want one line", items, err)
	}
}

// Reading ahead hands items over in order; an error from fn stops the
// reader and is returned, and a read error comes after the items before it.
func TestEachAhead(t *testing.T) {
	var lines strings.Builder
	for i := range 50 {
		fmt.Fprintf(&lines, `{"title": "Story %d", "body": "Body %d.", "url": "https://example.com/%d"}`+"\n", i, i, i)
	}
	var got []int
	err := eachAhead(strings.NewReader(lines.String()), "Wire", "", 4, func(it Item) error {
		got = append(got, it.Pos)
		return nil
	})
	if err != nil || len(got) != 50 || got[0] != 1 || got[49] != 50 {
		t.Fatalf("read %v, %v; want lines 1…50", got, err)
	}

	stop := errors.New("full")
	got = nil
	err = eachAhead(strings.NewReader(lines.String()), "Wire", "", 4, func(it Item) error {
		got = append(got, it.Pos)
		if len(got) == 10 {
			return stop
		}
		return nil
	})
	if err != stop || len(got) != 10 {
		t.Errorf("stopped after %d items with %v; want 10 and %v", len(got), err, stop)
	}

	// A failing fn returns at once, even while the reader waits for
	// input that has not come (a pipe, a slow body).
	in := &stallingReader{data: strings.NewReader(strings.Repeat(lines.String(), 2)), // more than Each peeks at
		stalled: make(chan struct{}), release: make(chan struct{})}
	returned := make(chan error, 1)
	go func() {
		returned <- eachAhead(in, "Wire", "", 1000, func(it Item) error {
			if it.Pos == 3 {
				<-in.stalled // every item read; the reader waits
				return stop
			}
			return nil
		})
	}()
	select {
	case err := <-returned:
		if err != stop {
			t.Errorf("from a stalled reader: %v; want %v", err, stop)
		}
	case <-time.After(10 * time.Second):
		t.Error("eachAhead waited for its reader after fn failed")
	}
	close(in.release)

	broken := io.MultiReader(strings.NewReader(lines.String()), iotest.ErrReader(errors.New("disk gone")))
	got = nil
	err = eachAhead(broken, "Wire", "", 4, func(it Item) error {
		got = append(got, it.Pos)
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "disk gone") || len(got) != 50 {
		t.Errorf("read %d items, then %v; want 50 and the read error", len(got), err)
	}
}

// stallingReader serves data, then waits for release before its EOF.
type stallingReader struct {
	data             *strings.Reader
	stalled, release chan struct{}
}

func (r *stallingReader) Read(p []byte) (int, error) {
	if r.data.Len() > 0 {
		return r.data.Read(p)
	}
	select {
	case <-r.stalled:
	default:
		close(r.stalled)
	}
	<-r.release
	return 0, io.EOF
}
