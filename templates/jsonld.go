package templates

import (
	"strings"
	"unicode/utf8"

	"newsdesk/internal/news"
)

// newsArticle is the schema.org NewsArticle description of s, rendered as
// JSON-LD by templ.JSONScript (which escapes "<", ">", "&", U+2028).
func newsArticle(env Env, s *news.Story) map[string]any {
	url := env.BaseURL + "/articles/" + s.Slug
	ld := map[string]any{
		"@context":         "https://schema.org",
		"@type":            "NewsArticle",
		"headline":         s.Title,
		"description":      s.Summary,
		"datePublished":    rfc3339(s.PublishedAt),
		"dateModified":     rfc3339(s.UpdatedAt),
		"mainEntityOfPage": map[string]any{"@type": "WebPage", "@id": url},
		"url":              url,
		"publisher": map[string]any{
			"@type": "Organization",
			"name":  env.SiteName,
			"logo":  map[string]any{"@type": "ImageObject", "url": env.BaseURL + env.Asset("img/logo.png")},
		},
	}
	if s.Author != "" {
		author := map[string]any{"@type": "Person", "name": s.Author}
		if path := news.AuthorPath(s.Author); path != "" {
			author["url"] = env.BaseURL + path
		}
		ld["author"] = []map[string]any{author}
	} else {
		ld["author"] = []map[string]any{{"@type": "Organization", "name": s.Source.Name}}
	}
	if im := s.Image; im.ID != "" {
		w := im.Widths()[len(im.Widths())-1]
		ld["image"] = []map[string]any{{"@type": "ImageObject", "url": env.BaseURL + im.URL(w),
			"width": w, "height": im.HeightAt(w)}}
	} else {
		// Search engines want an image of at least 1200 px on every
		// article: the site's own card (static/img/share.png, 1200×630).
		ld["image"] = []string{env.BaseURL + env.Asset("img/share.png")}
	}
	if s.Section.Name != "" {
		ld["articleSection"] = s.Section.Name
	}
	if len(s.Tags) > 0 {
		names := make([]string, len(s.Tags))
		for i, t := range s.Tags {
			names[i] = t.Name
		}
		ld["keywords"] = names
	}
	if s.Dateline != "" {
		ld["dateline"] = s.Dateline
	}
	if s.URL != "" {
		ld["isBasedOn"] = s.URL
	}
	return ld
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
