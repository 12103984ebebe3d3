// Package feed writes Atom 1.0 feeds (RFC 4287) and sitemaps.
package feed

import (
	"encoding/xml"
	"strconv"
	"time"

	"newsdesk/internal/news"
)

// MaxEntries is how many stories a feed carries.
const MaxEntries = 50

// Site is what a feed says about the site it comes from.
type Site struct {
	Name    string
	BaseURL string // absolute, no trailing slash
	Icon    string // absolute URL of a small square image
	// IDBase prefixes every Atom id: a tag URI minted once for the site,
	// so ids survive a change of address (RFC 4287 §4.2.6).
	IDBase string
	// Started is when IDBase was minted: the updated time of a feed
	// with no stories yet.
	Started time.Time
}

// StoryID is the Atom id of a story: the site's id base and the story's
// number, which never changes.
func (site Site) StoryID(s *news.Story) string {
	return site.IDBase + "stories/" + strconv.FormatInt(s.ID, 10)
}

type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID       string      `xml:"id"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   atomPerson  `xml:"author"`
	Icon     string      `xml:"icon,omitempty"`
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
	URI  string `xml:"uri,omitempty"`
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
	Content    *atomText      `xml:"content,omitempty"`
	Categories []atomCategory `xml:"category"`
	Source     *atomSource    `xml:"source,omitempty"`
}

// atomSource names the publisher an entry came from (RFC 4287 §4.2.11),
// with the id, title and updated time the RFC asks a source to keep.
type atomSource struct {
	ID      string     `xml:"id"`
	Title   string     `xml:"title"`
	Updated string     `xml:"updated"`
	Link    []atomLink `xml:"link"`
}

// Atom renders an Atom feed titled title whose own URL is path (relative
// to the site) for readers' page alternate. Stories come newest first.
// The feed's updated time is the latest story change.
func Atom(site Site, title, path, alternate string, stories []*news.Story) []byte {
	updated := LastModified(stories)
	if updated.IsZero() {
		updated = site.Started
	}
	f := atomFeed{
		ID:      site.IDBase + "feeds" + path,
		Title:   title,
		Updated: rfc3339(updated),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: site.BaseURL + path},
			{Rel: "alternate", Type: "text/html", Href: site.BaseURL + alternate},
		},
		Author: atomPerson{Name: site.Name, URI: site.BaseURL + "/"},
		Icon:   site.Icon,
		Gen:    "newsdesk",
	}
	for _, s := range stories[:min(len(stories), MaxEntries)] {
		url := site.BaseURL + "/articles/" + s.Slug
		changed := rfc3339(maxTime(s.UpdatedAt, s.PublishedAt))
		e := atomEntry{
			ID:        site.StoryID(s),
			Title:     s.Title,
			Updated:   changed,
			Published: rfc3339(s.PublishedAt),
			Author:    author(site, s),
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: url}},
			Source: &atomSource{
				ID:      site.IDBase + "sources/" + s.Source.Slug,
				Title:   s.Source.Name,
				Updated: changed,
				Link:    []atomLink{{Rel: "alternate", Type: "text/html", Href: site.BaseURL + "/sources/" + s.Source.Slug}},
			},
		}
		if s.BodyHTML != "" {
			e.Content = &atomText{Type: "html", Body: s.BodyHTML}
		}
		if s.URL != "" {
			e.Links = append(e.Links, atomLink{Rel: "via", Type: "text/html", Href: s.URL})
		}
		if im := s.Image; im.ID != "" {
			e.Links = append(e.Links, atomLink{Rel: "enclosure", Type: "image/jpeg", Href: site.BaseURL + im.URL(im.Fit(1200))})
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

// author is an entry's author: the byline with its author page, else the
// source.
func author(site Site, s *news.Story) atomPerson {
	if s.Author == "" {
		return atomPerson{Name: s.Source.Name}
	}
	p := atomPerson{Name: s.Author}
	if path := news.AuthorPath(s.Author); path != "" {
		p.URI = site.BaseURL + path
	}
	return p
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
	return t.UTC().Format(time.RFC3339)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
