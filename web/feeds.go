package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"newsdesk/internal/feed"
	"newsdesk/internal/news"
)

const (
	atomType = "application/atom+xml; charset=utf-8"
	xmlType  = "application/xml; charset=utf-8"
)

func (s *Server) site() feed.Site {
	return feed.Site{Name: s.cfg.SiteName, BaseURL: s.cfg.BaseURL, Icon: s.cfg.BaseURL + s.assets.URL("img/logo.png"),
		IDBase: s.atomID, Started: s.atomStarted}
}

// serveXML writes a feed or sitemap with its own freshness and
// modification time; cachePages adds the validators and answers
// conditional requests, as for every reader page.
func serveXML(c echo.Context, typ string, body []byte, modified time.Time) error {
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, "public, max-age=300")
	if !modified.IsZero() {
		h.Set(echo.HeaderLastModified, modified.UTC().Format(http.TimeFormat))
	}
	return c.Blob(http.StatusOK, typ, body)
}

// latestFeed answers one of the story-list feeds.
func (s *Server) storyFeed(c echo.Context, title, path, alternate string, f news.StoryFilter) error {
	ctx := c.Request().Context()
	f.Page = news.Page{Number: 1, Size: feed.MaxEntries}
	f.WithBody = true
	list, _, err := s.store.Stories(ctx, f)
	if err != nil {
		return err
	}
	showsStories(c, list)
	if err := s.store.FillTags(ctx, list); err != nil {
		return err
	}
	return serveXML(c, atomType, feed.Atom(s.site(), title, path, alternate, list), feed.LastModified(list))
}

// showFeed handles GET /feed.xml.
func (s *Server) showFeed(c echo.Context) error {
	shows(c, news.KeyFront)
	return s.storyFeed(c, s.cfg.SiteName+": latest stories", "/feed.xml", "/", news.StoryFilter{})
}

// showListFeed handles GET /tags/:slug/feed.xml, /sources/:slug/feed.xml
// and /sections/:slug/feed.xml.
func (s *Server) showListFeed(prefix string) echo.HandlerFunc {
	return func(c echo.Context) error {
		l, err := s.listingOf(c, prefix)
		if err != nil {
			return err
		}
		shows(c, l.key)
		return s.storyFeed(c, s.cfg.SiteName+": "+l.heading, l.path+"/feed.xml", l.path, l.filter)
	}
}

// showStoryFeed handles GET /articles/:slug/feed.xml: "follow this story",
// the story with its copies and the stories related to it, newest first.
func (s *Server) showStoryFeed(c echo.Context) error {
	ctx := c.Request().Context()
	st, err := s.store.StoryBySlug(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	list, err := s.store.CopyStories(ctx, st)
	if err != nil {
		return err
	}
	list = append(list, st)
	rel, err := s.store.Related(ctx, st.ID, relatedKept)
	if err != nil {
		return err
	}
	showsStories(c, list) // the story and its copies
	showsRelatedOf(c, st, rel, relatedKept)
	for _, r := range rel {
		list = append(list, r.Story)
	}
	slices.SortFunc(list, func(a, b *news.Story) int { return b.PublishedAt.Compare(a.PublishedAt) })
	// Copies and related stories come as cards; the feed carries bodies.
	if err := s.store.FillBodies(ctx, list); err != nil {
		return err
	}
	if err := s.store.FillTags(ctx, list); err != nil {
		return err
	}
	path := "/articles/" + st.Slug
	return serveXML(c, atomType, feed.Atom(s.site(), "Follow: "+st.Title, path+"/feed.xml", path, list), feed.LastModified(list))
}

// showSitemapIndex handles GET /sitemap.xml: one sitemap per month of
// stories (split at 50,000 URLs) and one of list pages.
func (s *Server) showSitemapIndex(c echo.Context) error {
	shows(c, news.KeySitemap)
	months, err := s.store.StoryMonths(c.Request().Context())
	if err != nil {
		return err
	}
	entries := []feed.Entry{{Path: "/sitemaps/pages.xml"}}
	var last time.Time
	for _, m := range months {
		for part := 1; (part-1)*feed.MaxSitemapURLs < m.Count; part++ {
			entries = append(entries, feed.Entry{Path: fmt.Sprintf("/sitemaps/stories-%04d-%02d-%d.xml", m.Year, m.Month, part), LastMod: m.LastMod})
		}
		if m.LastMod.After(last) {
			last = m.LastMod
		}
	}
	entries[0].LastMod = last
	return serveXML(c, xmlType, feed.Index(s.site(), entries), last)
}

// showSitemap handles GET /sitemaps/:name: pages.xml or stories-YYYY-MM-N.xml.
func (s *Server) showSitemap(c echo.Context) error {
	shows(c, news.KeySitemap)
	ctx := c.Request().Context()
	name := c.Param("name")
	if name == "pages.xml" {
		pages, err := s.store.ListPages(ctx)
		if err != nil {
			return err
		}
		entries := []feed.Entry{{Path: "/"}}
		for _, p := range pages {
			entries = append(entries, feed.Entry{Path: p.Path, LastMod: p.LastMod})
			if p.LastMod.After(entries[0].LastMod) {
				entries[0].LastMod = p.LastMod
			}
		}
		return serveXML(c, xmlType, feed.Sitemap(s.site(), entries), entries[0].LastMod)
	}
	var year, month, part int
	if n, err := fmt.Sscanf(name, "stories-%4d-%2d-%d.xml", &year, &month, &part); err != nil || n != 3 ||
		month < 1 || month > 12 || part < 1 || !strings.HasSuffix(name, ".xml") ||
		name != fmt.Sprintf("stories-%04d-%02d-%d.xml", year, month, part) {
		return echo.ErrNotFound
	}
	list, err := s.store.StoriesInMonth(ctx, year, month, (part-1)*feed.MaxSitemapURLs, feed.MaxSitemapURLs)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return echo.ErrNotFound
	}
	entries := make([]feed.Entry, len(list))
	for i, st := range list {
		entries[i] = feed.Entry{Path: "/articles/" + st.Slug, LastMod: later(st.UpdatedAt, st.PublishedAt)}
	}
	return serveXML(c, xmlType, feed.Sitemap(s.site(), entries), feed.LastModified(list))
}

// showNewsSitemap handles GET /news-sitemap.xml: stories of the last 48 hours.
func (s *Server) showNewsSitemap(c echo.Context) error {
	shows(c, news.KeySitemap)
	list, err := s.store.StoriesSince(c.Request().Context(), s.cfg.Now().Add(-feed.NewsWindow), feed.MaxNewsURLs)
	if err != nil {
		return err
	}
	for _, st := range list {
		freshOf(c).Note(st.PublishedAt.Add(feed.NewsWindow)) // it leaves the window
	}
	return serveXML(c, xmlType, feed.NewsSitemap(s.site(), "en", list), feed.LastModified(list))
}

// showRobots handles GET /robots.txt.
func (s *Server) showRobots(c echo.Context) error {
	body := "User-agent: *\nAllow: /\nDisallow: /admin\nDisallow: /admin/\nDisallow: /search\n\n" +
		"Sitemap: " + s.cfg.BaseURL + "/sitemap.xml\n" +
		"Sitemap: " + s.cfg.BaseURL + "/news-sitemap.xml\n"
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=3600")
	shows(c) // the same whatever is written
	return c.String(http.StatusOK, body)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
