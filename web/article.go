package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"newsdesk/internal/news"
	"newsdesk/templates"
)

// How many stories the lists show.
const (
	pageSize       = 20
	relatedShown   = 6
	relatedKept    = 8
	blockSize      = 4
	trendingWindow = 72 * time.Hour
	trendingShown  = 12
)

// showArticle handles GET /articles/:slug.
func (s *Server) showArticle(c echo.Context) error {
	ctx := c.Request().Context()
	st, err := s.store.StoryBySlug(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	v, err := s.articleView(c, st)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.ArticlePage(v))
}

// articleView gathers what the article page shows around st.
func (s *Server) articleView(c echo.Context, st *news.Story) (templates.ArticleView, error) {
	ctx := c.Request().Context()
	v := templates.ArticleView{Story: st}
	var err error
	if v.Related, err = s.store.Related(ctx, st.ID, relatedShown); err != nil {
		return v, err
	}
	if v.Copies, err = s.store.CopyStories(ctx, st); err != nil {
		return v, err
	}
	// The comments and their count change the story's key.
	shows(c, news.StoryKey(st.ID))
	showsRelatedOf(c, st, v.Related, relatedShown)
	showsStories(c, v.Copies)
	if v.Sections, err = s.navSections(ctx); err != nil {
		return v, err
	}
	// The story's row counts its approved comments, in the transaction
	// that approves them: most stories have none to read.
	if st.CommentCount > 0 {
		if v.Comments, err = s.store.Comments(ctx, st.ID); err != nil {
			return v, err
		}
	}
	set, err := s.commentSettings(ctx)
	if err != nil {
		return v, err
	}
	now := s.cfg.Now()
	if closes := st.PublishedAt.Add(time.Duration(set.CloseAfterDays) * 24 * time.Hour); set.CloseAfterDays > 0 && closes.After(now) {
		freshOf(c).Note(closes) // the form goes when the comments close
	}
	v.CommentForm = templates.CommentForm{
		Open:  set.CommentsOpen(st, now),
		Token: s.commentToken(st.ID, now),
		Done:  c.QueryParam("comment"),
	}
	return v, nil
}

// errPastLastPage answers a page number past the end of a list: a 404,
// not an empty page search engines would index.
var errPastLastPage = echo.NewHTTPError(http.StatusNotFound, "There are no stories on this page. The list is shorter now; go back to its first page.")

// showFront handles GET /.
func (s *Server) showFront(c echo.Context) error {
	ctx := c.Request().Context()
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	v := templates.FrontView{Page: page}
	v.Latest, v.More, err = s.store.Stories(ctx, news.StoryFilter{Page: news.Page{Number: page, Size: pageSize}})
	if err != nil {
		return err
	}
	if page > 1 && len(v.Latest) == 0 {
		return errPastLastPage
	}
	// Section blocks and trending tags change with the list of all
	// stories too.
	shows(c, news.KeyFront)
	showsStories(c, v.Latest)
	if v.Sections, err = s.navSections(ctx); err != nil {
		return err
	}
	if page == 1 {
		if len(v.Latest) > 0 {
			v.Lead, v.Latest = v.Latest[0], v.Latest[1:]
		}
		for _, sec := range v.Sections {
			list, _, err := s.store.Stories(ctx, news.StoryFilter{SectionSlug: sec.Slug, Page: news.Page{Number: 1, Size: blockSize}})
			if err != nil {
				return err
			}
			v.Blocks = append(v.Blocks, templates.SectionBlock{Section: sec, Stories: list})
			showsStories(c, list)
		}
		if v.Trending, err = s.trendingTags(ctx); err != nil {
			return err
		}
	}
	return s.render(c, http.StatusOK, templates.FrontPage(v))
}

// listing is what a tag, source or section page and its feed show.
type listing struct {
	kind    string // "Tag", "Source", "Section"
	heading string
	path    string // e.g. /tags/flood
	filter  news.StoryFilter
	key     string // its cache key, e.g. tag:flood
}

// listingOf looks up the tag, source, section or author (by route prefix)
// named by the :slug parameter.
func (s *Server) listingOf(c echo.Context, prefix string) (listing, error) {
	ctx, slug := c.Request().Context(), c.Param("slug")
	switch prefix {
	case "tags":
		t, err := s.store.Tag(ctx, slug)
		return listing{"Tag", "#" + t.Name, "/tags/" + t.Slug, news.StoryFilter{TagSlug: t.Slug}, news.ListKey("tag", t.Slug)}, err
	case "authors":
		names, err := s.store.Author(ctx, slug)
		if err != nil {
			return listing{}, err
		}
		return listing{"Author", names[0], "/authors/" + slug, news.StoryFilter{Authors: names}, news.ListKey("author", slug)}, nil
	case "sources":
		src, err := s.store.Source(ctx, slug)
		return listing{"Source", src.Name, "/sources/" + src.Slug, news.StoryFilter{SourceSlug: src.Slug}, news.ListKey("source", src.Slug)}, err
	default:
		sec, err := s.store.Section(ctx, slug)
		return listing{"Section", sec.Name, "/sections/" + sec.Slug, news.StoryFilter{SectionSlug: sec.Slug}, news.ListKey("section", sec.Slug)}, err
	}
}

// showList handles GET /tags/:slug, /sources/:slug and /sections/:slug.
func (s *Server) showList(prefix string) echo.HandlerFunc {
	return func(c echo.Context) error {
		l, err := s.listingOf(c, prefix)
		if err != nil {
			return err
		}
		shows(c, l.key)
		return s.renderList(c, templates.ListView{Kind: l.kind, Heading: l.heading, Path: l.path}, l.filter)
	}
}

func (s *Server) renderList(c echo.Context, v templates.ListView, f news.StoryFilter) error {
	ctx := c.Request().Context()
	var err error
	if v.Page, err = pageParam(c); err != nil {
		return err
	}
	f.Page = news.Page{Number: v.Page, Size: pageSize}
	v.Feed = v.Path + "/feed.xml"
	if v.Stories, v.More, err = s.store.Stories(ctx, f); err != nil {
		return err
	}
	if v.Page > 1 && len(v.Stories) == 0 {
		return errPastLastPage
	}
	showsStories(c, v.Stories)
	if v.Sections, err = s.navSections(ctx); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.ListPage(v))
}

// health handles GET /healthz.
func (s *Server) health(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	if err := s.store.Ping(c.Request().Context()); err != nil {
		s.log.Error("health check", "err", err)
		return c.String(http.StatusServiceUnavailable, "database unavailable")
	}
	return c.String(http.StatusOK, "ok")
}
