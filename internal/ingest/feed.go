package ingest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"

	"newsdesk/internal/news"
)

// MaxFeedBytes is the largest RSS, Atom or JSON feed read.
const MaxFeedBytes = 64 << 20

// Feed reads an RSS (0.9x–2.0, 1.0), Atom (0.3, 1.0) or JSON Feed document
// with gofeed. Entries are numbered from 1 in document order; a bad entry
// yields its error and the rest are read. base, when given, is the URL
// the document was fetched from: relative item links resolve against it.
//
// gofeed's XML reading is lenient, which is right for the entities and
// stray characters real feeds carry, but a broken tag there can silently
// swallow the entries after it. So XML is first checked strictly; when an
// entry is broken, each entry is parsed on its own and the broken ones are
// rejected with their number, while the others still import.
func Feed(r io.Reader, source, base string) ([]Item, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFeedBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFeedBytes {
		return nil, fmt.Errorf("feed is larger than %d MB", MaxFeedBytes>>20)
	}
	if trimmed := bytes.TrimLeft(data, " \t\r\n\uFEFF"); len(trimmed) > 0 && trimmed[0] == '{' {
		return parseFeed(data, source, base, 1)
	}
	broken, err := checkXML(data)
	if err != nil {
		return nil, err
	}
	if broken == nil {
		return parseFeed(data, source, base, 1)
	}
	return salvage(data, source, base, broken)
}

var parser = func() *gofeed.Parser {
	p := gofeed.NewParser()
	// A lead image is one the feed names (media:content, an enclosure, an
	// itunes or JSON image), not the first <img> of the text, which is as
	// often a tracking pixel or an advertisement.
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	return p
}()

// parseFeed parses a whole document whose first entry is number first.
func parseFeed(data []byte, source, base string, first int) ([]Item, error) {
	f, err := parser.Parse(bytes.NewReader(data))
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return nil, errors.New("not an RSS, Atom or JSON feed")
	} else if err != nil {
		return nil, fmt.Errorf("malformed feed: %v", err)
	}
	if source == "" {
		source = clean(htmlText(f.Title))
	}
	items := make([]Item, len(f.Items))
	for i, it := range f.Items {
		s, err := story(it, source, base)
		items[i] = Item{Pos: first + i, Unit: "entry", Story: s, Err: err}
	}
	return items, nil
}

// brokenEntry is where a strict read of an XML feed failed.
type brokenEntry struct {
	entry int // the entry being read, from 1; 0 outside any entry
	line  int // 0 when the decoder did not say
	msg   string
}

func (b *brokenEntry) error(lineOffset int) error {
	if b.line == 0 {
		return errors.New("malformed XML: " + b.msg)
	}
	return fmt.Errorf("malformed XML on line %d: %s", b.line+lineOffset, b.msg)
}

func isEntry(name xml.Name) bool { return name.Local == "item" || name.Local == "entry" }

// checkXML reads data strictly. It returns nil for a well-formed document,
// the entry where it broke, or an error when the document is not a feed
// or breaks outside any entry.
func checkXML(data []byte) (*brokenEntry, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.Entity = xml.HTMLEntity // &nbsp; and friends are common and harmless
	dec.CharsetReader = charset.NewReaderLabel
	entries, inEntry, depth, root := 0, 0, 0, ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if root == "" {
				return nil, errors.New("not an RSS, Atom or JSON feed")
			}
			return nil, nil
		}
		if err != nil {
			b := &brokenEntry{msg: err.Error()}
			var syn *xml.SyntaxError
			if errors.As(err, &syn) {
				b.line, b.msg = syn.Line, syn.Msg
			}
			if root == "" {
				return nil, errors.New("not an RSS, Atom or JSON feed")
			}
			if inEntry == 0 {
				return nil, b.error(0)
			}
			b.entry = entries
			return b, nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if root == "" {
				root = t.Name.Local
				if root != "rss" && root != "feed" && root != "RDF" {
					return nil, fmt.Errorf("not an RSS, Atom or JSON feed (root element <%s>)", root)
				}
			}
			if isEntry(t.Name) && inEntry == 0 {
				entries++
				inEntry = depth
			}
		case xml.EndElement:
			if inEntry == depth {
				inEntry = 0
			}
			depth--
		}
	}
}

var (
	entryStart = regexp.MustCompile(`<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s/>]`)
	entryEnd   = regexp.MustCompile(`</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>`)
)

// salvage reads a feed with a broken entry one entry at a time: each entry
// is put back between the document's head and tail and read on its own.
// Entries are found by their tags in the text, which is enough to keep the
// good ones when one is broken.
func salvage(data []byte, source, base string, broken *brokenEntry) ([]Item, error) {
	starts := entryStart.FindAllIndex(data, -1)
	ends := entryEnd.FindAllIndex(data, -1)
	if len(starts) == 0 || len(ends) == 0 {
		return nil, broken.error(0)
	}
	head := data[:starts[0][0]]
	tail := data[ends[len(ends)-1][1]:]
	if source == "" {
		if f, err := parser.Parse(bytes.NewReader(append(append([]byte{}, head...), tail...))); err == nil {
			source = clean(htmlText(f.Title))
		}
	}
	var items []Item
	for i, st := range starts {
		pos := i + 1
		end := len(data) - len(tail)
		if i+1 < len(starts) {
			end = starts[i+1][0]
		}
		if end < st[0] {
			end = st[0]
		}
		var doc bytes.Buffer
		doc.Write(head)
		doc.Write(data[st[0]:end])
		doc.Write(tail)
		if b, err := checkXML(doc.Bytes()); err != nil {
			items = append(items, Item{Pos: pos, Unit: "entry", Err: err})
			continue
		} else if b != nil {
			// Line numbers in the rebuilt document, turned back into
			// lines of the feed as it was served.
			offset := bytes.Count(data[:st[0]], []byte("\n")) - bytes.Count(head, []byte("\n"))
			items = append(items, Item{Pos: pos, Unit: "entry", Err: b.error(offset)})
			continue
		}
		got, err := parseFeed(doc.Bytes(), source, base, pos)
		switch {
		case err != nil:
			items = append(items, Item{Pos: pos, Unit: "entry", Err: err})
		case len(got) == 1:
			items = append(items, got[0])
		default:
			items = append(items, Item{Pos: pos, Unit: "entry", Err: errors.New("malformed XML: the entry could not be read on its own")})
		}
	}
	return items, nil
}

// story turns one gofeed item into a story.
func story(it *gofeed.Item, source, base string) (*news.Story, error) {
	pub, err := itemTime(it)
	if err != nil {
		return nil, err
	}
	body := it.Content
	if strings.TrimSpace(htmlText(body)) == "" {
		body = it.Description
	}
	s := &news.Story{
		Title:       clean(htmlText(it.Title)),
		Body:        htmlText(body),
		URL:         resolve(base, strings.TrimSpace(it.Link)),
		GUID:        strings.TrimSpace(it.GUID),
		Author:      author(it),
		Tags:        news.NewTags(it.Categories),
		Status:      news.StatusPublished,
		PublishedAt: pub,
	}
	if strings.TrimSpace(htmlText(it.Content)) != "" && it.Description != "" {
		s.Summary = clean(htmlText(it.Description))
	}
	if len(s.Tags) > news.MaxTags {
		s.Tags = s.Tags[:news.MaxTags]
	}
	if img, alt := leadImage(it, base); img != "" {
		s.ImageURL, s.ImageAlt = img, cmpOr(alt, s.Title)
	}
	return finish(s, source)
}

func itemTime(it *gofeed.Item) (time.Time, error) {
	switch {
	case it.PublishedParsed != nil:
		return it.PublishedParsed.UTC(), nil
	case it.UpdatedParsed != nil:
		return it.UpdatedParsed.UTC(), nil
	case strings.TrimSpace(it.Published) != "":
		return time.Time{}, fmt.Errorf("publication date %q is not a date", strings.TrimSpace(it.Published))
	case strings.TrimSpace(it.Updated) != "":
		return time.Time{}, fmt.Errorf("publication date %q is not a date", strings.TrimSpace(it.Updated))
	}
	return time.Time{}, errors.New("no publication date")
}

func author(it *gofeed.Item) string {
	var names []string
	for _, p := range it.Authors {
		if p == nil {
			continue
		}
		if n := clean(cmpOr(p.Name, p.Email)); n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 && it.DublinCoreExt != nil {
		names = it.DublinCoreExt.Creator
	}
	return clean(strings.Join(names, ", "))
}

// leadImage is the item's image as the feed names it: gofeed's pick
// (itunes, media:content, an image enclosure, a JSON Feed image), else a
// media:content or media:thumbnail in any format, else an image enclosure.
// The alt text comes from media:description or media:title when given.
func leadImage(it *gofeed.Item, base string) (src, alt string) {
	media := it.Extensions["media"]
	var candidates []ext.Extension
	for _, g := range media["group"] {
		candidates = append(candidates, g.Children["content"]...)
	}
	candidates = append(candidates, media["content"]...)
	candidates = append(candidates, media["thumbnail"]...)
	altOf := func(e ext.Extension) string {
		for _, k := range []string{"description", "title"} {
			for _, c := range e.Children[k] {
				if t := clean(htmlText(c.Value)); t != "" {
					return t
				}
			}
		}
		return ""
	}
	if it.Image != nil && it.Image.URL != "" {
		src, alt = it.Image.URL, clean(it.Image.Title)
		for _, c := range candidates {
			if c.Attrs["url"] == src && alt == "" {
				alt = altOf(c)
			}
		}
	}
	if src == "" {
		for _, c := range candidates {
			typ, medium := c.Attrs["type"], c.Attrs["medium"]
			if c.Name == "thumbnail" || strings.HasPrefix(typ, "image/") || medium == "image" {
				src, alt = c.Attrs["url"], altOf(c)
				break
			}
		}
	}
	if src == "" {
		for _, e := range it.Enclosures {
			if e != nil && strings.HasPrefix(e.Type, "image/") {
				src = e.URL
				break
			}
		}
	}
	if src = resolve(base, strings.TrimSpace(src)); !news.IsWebURL(src) {
		return "", ""
	}
	return src, alt
}

// resolve makes ref absolute against base, when base is given and ref is
// relative; anything else is returned as it is.
func resolve(base, ref string) string {
	if base == "" || ref == "" {
		return ref
	}
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := url.Parse(ref)
	if err != nil || r.IsAbs() {
		return ref
	}
	return b.ResolveReference(r).String()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// htmlText turns an HTML fragment into plain text, one paragraph per block
// element, blank lines between: valid Markdown that renders as the text.
func htmlText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.TrimSpace(s)
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(collapseParas(b.String()))
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			tt := z.Token().Type
			switch string(name) {
			case "script", "style":
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			case "p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section", "article":
				b.WriteString("\n\n")
			}
		}
	}
}

// collapseParas trims each paragraph and drops empty ones.
func collapseParas(s string) string {
	var out []string
	for _, p := range strings.Split(s, "\n\n") {
		if p = clean(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n\n")
}
