package feed

import (
	"encoding/xml"
	"time"

	"newsdesk/internal/news"
)

// Limits from the sitemap protocols.
const (
	MaxSitemapURLs = 50000
	MaxNewsURLs    = 1000
	NewsWindow     = 48 * time.Hour
)

type urlset struct {
	XMLName xml.Name  `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	News    string    `xml:"xmlns:news,attr,omitempty"`
	URLs    []siteURL `xml:"url"`
}

type siteURL struct {
	Loc     string    `xml:"loc"`
	LastMod string    `xml:"lastmod,omitempty"`
	News    *newsItem `xml:"news:news,omitempty"`
}

type newsItem struct {
	Publication struct {
		Name     string `xml:"news:name"`
		Language string `xml:"news:language"`
	} `xml:"news:publication"`
	Date  string `xml:"news:publication_date"`
	Title string `xml:"news:title"`
}

type sitemapIndex struct {
	XMLName  xml.Name  `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []siteRef `xml:"sitemap"`
}

type siteRef struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// Entry is one URL of a sitemap: a path on the site and when it changed.
type Entry struct {
	Path    string
	LastMod time.Time
}

// Sitemap renders a sitemap of entries.
func Sitemap(site Site, entries []Entry) []byte {
	var u urlset
	for _, e := range entries[:min(len(entries), MaxSitemapURLs)] {
		su := siteURL{Loc: site.BaseURL + e.Path}
		if !e.LastMod.IsZero() {
			su.LastMod = rfc3339(e.LastMod)
		}
		u.URLs = append(u.URLs, su)
	}
	return marshal(u)
}

// Index renders a sitemap index of entries.
func Index(site Site, entries []Entry) []byte {
	var x sitemapIndex
	for _, e := range entries {
		r := siteRef{Loc: site.BaseURL + e.Path}
		if !e.LastMod.IsZero() {
			r.LastMod = rfc3339(e.LastMod)
		}
		x.Sitemaps = append(x.Sitemaps, r)
	}
	return marshal(x)
}

// NewsSitemap renders a Google News sitemap of stories, which the caller
// limits to those of the last NewsWindow.
func NewsSitemap(site Site, language string, stories []*news.Story) []byte {
	u := urlset{News: "http://www.google.com/schemas/sitemap-news/0.9"}
	for _, s := range stories[:min(len(stories), MaxNewsURLs)] {
		n := &newsItem{Date: rfc3339(s.PublishedAt), Title: s.Title}
		n.Publication.Name = site.Name
		n.Publication.Language = language
		u.URLs = append(u.URLs, siteURL{Loc: site.BaseURL + "/articles/" + s.Slug, LastMod: rfc3339(maxTime(s.UpdatedAt, s.PublishedAt)), News: n})
	}
	if len(u.URLs) == 0 {
		// The schema wants at least one <url>; news:news is optional on
		// each. With nothing published in the window, list the front page.
		u.URLs = append(u.URLs, siteURL{Loc: site.BaseURL + "/"})
	}
	return marshal(u)
}
