package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"newsdesk/internal/news"
	"newsdesk/internal/poll"
	"newsdesk/templates"
)

// FeedStore keeps the feeds serve polls; *sqlite.DB is one.
type FeedStore interface {
	Feeds(ctx context.Context) ([]news.Feed, error)
	CreateFeed(ctx context.Context, f *news.Feed) error
	DeleteFeed(ctx context.Context, id int64) error
}

// Feeds is what the newsroom's sources page needs. Without a Poller the
// page lists feeds but cannot add or fetch them.
type Feeds struct {
	Store  FeedStore    // default: the site's store, when it keeps feeds
	Poller *poll.Poller // fetch now, and waking the poller for a new feed
	Get    poll.Getter  // the guarded fetcher, to check a feed before adding it
}

// showSources handles GET /admin/sources.
func (s *Server) showSources(c echo.Context) error {
	return s.renderSources(c, http.StatusOK, templates.FeedsView{Form: templates.FeedForm{Every: news.Every(news.DefaultFeedInterval)},
		Flash: feedFlash(c)})
}

func (s *Server) renderSources(c echo.Context, status int, v templates.FeedsView) error {
	ctx := c.Request().Context()
	sources, err := s.store.AllSources(ctx)
	if err != nil {
		return err
	}
	feeds, err := s.feeds.Store.Feeds(ctx)
	if err != nil {
		return err
	}
	bySource := map[int64][]news.Feed{}
	for _, f := range feeds {
		bySource[f.Source.ID] = append(bySource[f.Source.ID], f)
	}
	// Sources with feeds first, then the rest, each by name.
	for _, withFeeds := range []bool{true, false} {
		for _, src := range sources {
			if list := bySource[src.ID]; (len(list) > 0) == withFeeds {
				v.Sources = append(v.Sources, templates.SourceFeeds{Source: src, Feeds: list})
			}
		}
	}
	v.Nav, v.Now, v.Polling = s.nav(c), s.cfg.Now(), s.feeds.Poller != nil && s.feeds.Get != nil
	return s.render(c, status, templates.FeedsPage(v))
}

// feedFlash is the notice after a change on the sources page. The query
// carries numbers only: no text from a link is shown on the page.
func feedFlash(c echo.Context) string {
	num := func(k string) int { n, _ := strconv.Atoi(c.QueryParam(k)); return max(n, 0) }
	switch c.QueryParam("done") {
	case "feed":
		return "Feed added: " + poll.Probe{Items: num("found"), Rejected: num("left")}.Found() + ". Its stories arrive within a few seconds."
	case "removed":
		return "Feed removed. Its stories stay."
	case "fetched":
		switch c.QueryParam("result") {
		case "failed":
			return "Fetched: the fetch failed (see the feed below)."
		case "unchanged":
			return "Fetched: nothing changed since the last fetch."
		}
		added := num("added")
		return fmt.Sprintf("Fetched: %d new stor%s, %d updated.", added, plural(added, "y", "ies"), num("updated"))
	}
	return ""
}

// addFeed handles POST /admin/feeds: the feed is fetched once and must
// read as a feed before it is added. A rejected form keeps what was typed.
func (s *Server) addFeed(c echo.Context) error {
	form := templates.FeedForm{Source: c.FormValue("source"), URL: strings.TrimSpace(c.FormValue("url")), Every: strings.TrimSpace(c.FormValue("every"))}
	if s.feeds.Poller == nil || s.feeds.Get == nil {
		return s.renderSources(c, http.StatusServiceUnavailable, templates.FeedsView{Form: form, Error: "This server does not poll feeds."})
	}
	f := &news.Feed{Source: news.Source{Name: form.Source}, URL: form.URL}
	errs := map[string]string{}
	every, err := time.ParseDuration(form.Every)
	if err != nil || every <= 0 {
		errs["interval"] = "Write the interval as a duration, such as 15m, 1h or 30s."
		every = news.DefaultFeedInterval
	}
	f.Interval = every
	if err := f.Validate(); err != nil {
		for k, m := range news.FieldErrors(err) {
			if errs[k] == "" {
				errs[k] = m
			}
		}
	}
	ctx := c.Request().Context()
	var pr poll.Probe
	if len(errs) == 0 {
		if pr, err = poll.ProbeFeed(ctx, s.feeds.Get, f.URL); err != nil {
			errs["url"] = "This address could not be used: " + templates.Sentence(err.Error())
		}
	}
	if len(errs) == 0 {
		if err := s.feeds.Store.CreateFeed(ctx, f); news.ErrorCode(err) == news.EINVALID {
			errs = news.FieldErrors(err)
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return s.renderSources(c, http.StatusUnprocessableEntity, templates.FeedsView{Form: form, Errors: errs})
	}
	s.feeds.Poller.Wake()
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/sources?done=feed&found=%d&left=%d#feed-%d", pr.Items, pr.Rejected, f.ID))
}

// fetchFeed handles POST /admin/feeds/:id/fetch ("fetch now").
func (s *Server) fetchFeed(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	if s.feeds.Poller == nil {
		return s.renderSources(c, http.StatusServiceUnavailable, templates.FeedsView{Error: "This server does not poll feeds."})
	}
	check, err := s.feeds.Poller.FetchNow(c.Request().Context(), id)
	switch {
	case errors.Is(err, poll.ErrBusy):
		return s.renderSources(c, http.StatusConflict, templates.FeedsView{Error: "This feed is being fetched right now; look again in a moment."})
	case err != nil:
		return err
	}
	result := "ok"
	switch {
	case check.Failed:
		result = "failed"
	case check.Status == http.StatusNotModified:
		result = "unchanged"
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/sources?done=fetched&result=%s&added=%d&updated=%d#feed-%d",
		result, check.Added, check.Updated, id))
}

// removeFeed handles POST /admin/feeds/:id/delete.
func (s *Server) removeFeed(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	if err := s.feeds.Store.DeleteFeed(c.Request().Context(), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/sources?done=removed")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
