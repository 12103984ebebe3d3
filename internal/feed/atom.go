// Package feed writes Atom 1.0 feeds (RFC 4287) and sitemaps.
package feed

import (
	"encoding/xml"
	"time"

	"newsdesk/internal/news"
)

// MaxEntries is how many stories a feed carries.
const MaxEntries = 50

// Site is what a feed says about the site it comes from.
type Site struct {
	Name    string
	BaseURL string // absolute, no trailing slash
	Logo    string // absolute URL
}

type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID       string      `xml:"id"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   atomPerson  `xml:"author"`
	Logo     string      `xml:"logo,omitempty"`
	Gen      string      `xml:"generator"`
	Entries  []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Author     atomPerson     `xml:"author"`
	Links      []atomLink     `xml:"link"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Content    atomText       `xml:"content"`
	Categories []atomCategory `xml:"category"`
	Source     *atomSource    `xml:"source,omitempty"`
}

type atomSource struct {
	Title string `xml:"title"`
}

// Atom renders an Atom feed titled title whose own URL is path (relative
// to the site) for readers' page alternate. Stories come newest first.
// The feed's updated time is the latest story change.
func Atom(site Site, title, path, alternate string, stories []*news.Story) []byte {
	f := atomFeed{
		ID:      site.BaseURL + path,
		Title:   title,
		Updated: rfc3339(LastModified(stories)),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: site.BaseURL + path},
			{Rel: "alternate", Type: "text/html", Href: site.BaseURL + alternate},
		},
		Author: atomPerson{Name: site.Name},
		Logo:   site.Logo,
		Gen:    "newsdesk",
	}
	for _, s := range stories[:min(len(stories), MaxEntries)] {
		url := site.BaseURL + "/articles/" + s.Slug
		e := atomEntry{
			// The story's URL on this site never changes once published:
			// the slug is kept on every edit.
			ID:        url,
			Title:     s.Title,
			Updated:   rfc3339(maxTime(s.UpdatedAt, s.PublishedAt)),
			Published: rfc3339(s.PublishedAt),
			Author:    atomPerson{Name: orDefault(s.Author, s.Source.Name)},
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: url}},
			Content:   atomText{Type: "html", Body: s.BodyHTML},
			Source:    &atomSource{Title: s.Source.Name},
		}
		if s.URL != "" {
			e.Links = append(e.Links, atomLink{Rel: "via", Type: "text/html", Href: s.URL})
		}
		if s.Summary != "" {
			e.Summary = &atomText{Type: "text", Body: s.Summary}
		}
		for _, t := range s.Tags {
			e.Categories = append(e.Categories, atomCategory{Term: t.Slug, Label: t.Name})
		}
		if s.Section.Name != "" {
			e.Categories = append(e.Categories, atomCategory{Term: "section:" + s.Section.Slug, Label: s.Section.Name})
		}
		f.Entries = append(f.Entries, e)
	}
	return marshal(f)
}

func marshal(v any) []byte {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		// Only unsupported types fail to marshal; ours are fixed.
		panic(err)
	}
	return append([]byte(xml.Header), append(b, '\n')...)
}

// LastModified is the latest change among stories, or the zero time.
func LastModified(stories []*news.Story) time.Time {
	var t time.Time
	for _, s := range stories {
		t = maxTime(t, maxTime(s.UpdatedAt, s.PublishedAt))
	}
	return t
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.UTC().Format(time.RFC3339)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
