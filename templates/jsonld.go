package templates

import (
	"strings"
	"unicode/utf8"

	"newsdesk/internal/news"
)

// newsArticle is the schema.org NewsArticle description of s, rendered as
// JSON-LD by templ.JSONScript (which escapes "<", ">", "&", U+2028).
// Typed rather than a map: encoding/json writes a struct's fields in
// order, where a map's keys are sorted and each value reflected anew.
func newsArticle(env Env, s *news.Story) ldArticle {
	url := env.BaseURL + "/articles/" + s.Slug
	ld := ldArticle{
		Context:          "https://schema.org",
		Type:             "NewsArticle",
		Headline:         s.Title,
		Description:      s.Summary,
		DatePublished:    rfc3339(s.PublishedAt),
		DateModified:     rfc3339(s.UpdatedAt),
		MainEntityOfPage: ldPage{Type: "WebPage", ID: url},
		URL:              url,
		Publisher: ldAgent{Type: "Organization", Name: env.SiteName,
			Logo: &ldImage{Type: "ImageObject", URL: env.BaseURL + env.Asset("img/logo.png")}},
		ArticleSection: s.Section.Name,
		Dateline:       s.Dateline,
		IsBasedOn:      s.URL,
	}
	if s.Author != "" {
		author := ldAgent{Type: "Person", Name: s.Author}
		if path := news.AuthorPath(s.Author); path != "" {
			author.URL = env.BaseURL + path
		}
		ld.Author = []ldAgent{author}
	} else {
		ld.Author = []ldAgent{{Type: "Organization", Name: s.Source.Name}}
	}
	if im := s.Image; im.ID != "" {
		w := im.Widths()[len(im.Widths())-1]
		ld.Image = []ldImage{{Type: "ImageObject", URL: env.BaseURL + im.URL(w), Width: w, Height: im.HeightAt(w)}}
	} else {
		// Search engines want an image of at least 1200 px on every
		// article: the site's own card (static/img/share.png, 1200×630).
		ld.Image = []string{env.BaseURL + env.Asset("img/share.png")}
	}
	for _, t := range s.Tags {
		ld.Keywords = append(ld.Keywords, t.Name)
	}
	return ld
}

// ldArticle is a schema.org NewsArticle; empty optional fields are left
// out.
type ldArticle struct {
	Context          string    `json:"@context"`
	Type             string    `json:"@type"`
	Headline         string    `json:"headline"`
	Description      string    `json:"description"`
	DatePublished    string    `json:"datePublished"`
	DateModified     string    `json:"dateModified"`
	MainEntityOfPage ldPage    `json:"mainEntityOfPage"`
	URL              string    `json:"url"`
	Publisher        ldAgent   `json:"publisher"`
	Author           []ldAgent `json:"author"`
	Image            any       `json:"image"` // []ldImage, or []string: the share card's URL
	ArticleSection   string    `json:"articleSection,omitempty"`
	Keywords         []string  `json:"keywords,omitempty"`
	Dateline         string    `json:"dateline,omitempty"`
	IsBasedOn        string    `json:"isBasedOn,omitempty"`
}

// ldPage is the schema.org WebPage an article is the main entity of.
type ldPage struct {
	Type string `json:"@type"`
	ID   string `json:"@id"`
}

// ldAgent is a schema.org Person or Organization.
type ldAgent struct {
	Type string   `json:"@type"`
	Name string   `json:"name"`
	URL  string   `json:"url,omitempty"`
	Logo *ldImage `json:"logo,omitempty"`
}

// ldImage is a schema.org ImageObject.
type ldImage struct {
	Type   string `json:"@type"`
	URL    string `json:"url"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
}

// excerpt shortens s to about n bytes at a word boundary.
func excerpt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut < n/2 {
		cut = n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimRight(s[:cut], " ,;:.") + "…"
}
