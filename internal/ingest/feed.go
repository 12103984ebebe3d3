package ingest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/net/html"

	"newsdesk/internal/news"
)

type rssDoc struct {
	Channel struct {
		Title string    `xml:"title"`
		Items []rssItem `xml:"item"`
	} `xml:"channel"`
}

type rssItem struct {
	Title       string   `xml:"title"`
	Link        string   `xml:"link"`
	Description string   `xml:"description"`
	Content     string   `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
	PubDate     string   `xml:"pubDate"`
	DCDate      string   `xml:"http://purl.org/dc/elements/1.1/ date"`
	GUID        string   `xml:"guid"`
	Author      string   `xml:"author"`
	Creator     string   `xml:"http://purl.org/dc/elements/1.1/ creator"`
	Categories  []string `xml:"category"`
	Enclosure   struct {
		URL  string `xml:"url,attr"`
		Type string `xml:"type,attr"`
	} `xml:"enclosure"`
}

type atomDoc struct {
	Title   atomText    `xml:"http://www.w3.org/2005/Atom title"`
	Entries []atomEntry `xml:"http://www.w3.org/2005/Atom entry"`
}

type atomText struct {
	Type  string `xml:"type,attr"`
	Body  string `xml:",chardata"`
	Inner string `xml:",innerxml"`
}

// HTML returns the text construct as HTML (RFC 4287 §3.1).
func (t atomText) HTML() string {
	switch t.Type {
	case "html":
		return t.Body
	case "xhtml":
		return t.Inner
	}
	return html.EscapeString(t.Body)
}

type atomEntry struct {
	ID        string     `xml:"http://www.w3.org/2005/Atom id"`
	Title     atomText   `xml:"http://www.w3.org/2005/Atom title"`
	Summary   atomText   `xml:"http://www.w3.org/2005/Atom summary"`
	Content   atomText   `xml:"http://www.w3.org/2005/Atom content"`
	Published string     `xml:"http://www.w3.org/2005/Atom published"`
	Updated   string     `xml:"http://www.w3.org/2005/Atom updated"`
	Authors   []string   `xml:"http://www.w3.org/2005/Atom author>name"`
	Links     []atomLink `xml:"http://www.w3.org/2005/Atom link"`
	Category  []struct {
		Term  string `xml:"term,attr"`
		Label string `xml:"label,attr"`
	} `xml:"http://www.w3.org/2005/Atom category"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Href string `xml:"href,attr"`
	Type string `xml:"type,attr"`
}

// Feed reads an RSS 2.0 or Atom 1.0 document. Entries are numbered from
// 1 in document order; a bad entry yields its error and the rest are read.
// A document that is not XML at all is an error.
func Feed(r io.Reader, source string) ([]Item, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		if l := strings.ToLower(label); l == "utf-8" || l == "us-ascii" || l == "iso-8859-1" {
			return in, nil
		}
		return nil, fmt.Errorf("unsupported charset %q", label)
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, errors.New("not an RSS or Atom feed")
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch start.Name.Local {
		case "rss":
			var doc rssDoc
			if err := dec.DecodeElement(&doc, &start); err != nil {
				return nil, fmt.Errorf("malformed RSS: %v", err)
			}
			if source == "" {
				source = clean(doc.Channel.Title)
			}
			items := make([]Item, len(doc.Channel.Items))
			for i, it := range doc.Channel.Items {
				s, err := it.story(source)
				items[i] = Item{Pos: i + 1, Unit: "entry", Story: s, Err: err}
			}
			return items, nil
		case "feed":
			var doc atomDoc
			if err := dec.DecodeElement(&doc, &start); err != nil {
				return nil, fmt.Errorf("malformed Atom: %v", err)
			}
			if source == "" {
				source = clean(htmlText(doc.Title.HTML()))
			}
			items := make([]Item, len(doc.Entries))
			for i, e := range doc.Entries {
				s, err := e.story(source)
				items[i] = Item{Pos: i + 1, Unit: "entry", Story: s, Err: err}
			}
			return items, nil
		default:
			return nil, fmt.Errorf("not an RSS or Atom feed (root element <%s>)", start.Name.Local)
		}
	}
}

func (it rssItem) story(source string) (*news.Story, error) {
	body := it.Content
	if strings.TrimSpace(body) == "" {
		body = it.Description
	}
	date := it.PubDate
	if date == "" {
		date = it.DCDate
	}
	pub, err := parseFeedTime(date)
	if err != nil {
		return nil, err
	}
	author := it.Creator
	if author == "" {
		author = it.Author
	}
	s := &news.Story{
		Title:       clean(htmlText(it.Title)),
		Body:        htmlText(body),
		URL:         strings.TrimSpace(it.Link),
		GUID:        strings.TrimSpace(it.GUID),
		Author:      clean(author),
		Tags:        news.NewTags(it.Categories),
		Status:      news.StatusPublished,
		PublishedAt: pub,
	}
	if it.Content != "" && it.Description != "" {
		s.Summary = clean(htmlText(it.Description))
	}
	if strings.HasPrefix(it.Enclosure.Type, "image/") && news.IsWebURL(it.Enclosure.URL) {
		s.ImageURL, s.ImageAlt = it.Enclosure.URL, s.Title
	}
	return finish(s, source)
}

func (e atomEntry) story(source string) (*news.Story, error) {
	date := e.Published
	if date == "" {
		date = e.Updated
	}
	pub, err := parseFeedTime(date)
	if err != nil {
		return nil, err
	}
	body := e.Content.HTML()
	if strings.TrimSpace(body) == "" {
		body = e.Summary.HTML()
	}
	s := &news.Story{
		Title:       clean(htmlText(e.Title.HTML())),
		Body:        htmlText(body),
		GUID:        strings.TrimSpace(e.ID),
		Status:      news.StatusPublished,
		PublishedAt: pub,
	}
	if len(e.Authors) > 0 {
		s.Author = clean(strings.Join(e.Authors, ", "))
	}
	for _, l := range e.Links {
		if (l.Rel == "" || l.Rel == "alternate") && s.URL == "" {
			s.URL = strings.TrimSpace(l.Href)
		}
	}
	if strings.TrimSpace(e.Content.Body+e.Content.Inner) != "" {
		s.Summary = clean(htmlText(e.Summary.HTML()))
	}
	var tags []string
	for _, c := range e.Category {
		tags = append(tags, cmpOr(c.Label, c.Term))
	}
	s.Tags = news.NewTags(tags)
	return finish(s, source)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

var feedTimeLayouts = []string{
	time.RFC3339, time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST", "2 Jan 2006 15:04:05 -0700", time.RFC822Z, time.RFC822,
}

func parseFeedTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("no publication date")
	}
	for _, l := range feedTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("publication date %q is not a date", s)
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
