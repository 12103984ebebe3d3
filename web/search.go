package web

import (
	"net/http"
	"runtime"
	"strings"

	"github.com/labstack/echo/v4"

	"newsdesk/internal/news"
	"newsdesk/internal/snippet"
	"newsdesk/templates"
)

// snippetWords is the length of a search result's passage.
const snippetWords = 32

// searchPath is the search page's path: the one page behind the search
// gate (routes), whose requests the gate does not count as readers' (noteOther).
const searchPath = "/search"

// search handles GET /search?q=…&section=…&source=…&page=N.
func (s *Server) search(c echo.Context) error {
	ctx := c.Request().Context()
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	v := templates.SearchView{
		Query:   strings.TrimSpace(truncate(c.QueryParam("q"), 200)),
		Section: c.QueryParam("section"),
		Source:  c.QueryParam("source"),
		Page:    page,
	}
	q := news.ParseQuery(v.Query)
	res, err := s.store.Search(ctx, news.SearchFilter{Query: q, SectionSlug: v.Section, SourceSlug: v.Source,
		Page: news.Page{Number: page, Size: pageSize}})
	if err != nil {
		return err
	}
	if page > 1 && len(res.Stories) == 0 {
		return errPastLastPage
	}
	v.Total, v.Capped = res.Total, res.Capped
	shows(c, news.KeySearch)
	showsStories(c, res.Stories)
	v.More = page*pageSize < res.Total
	// A search yields its core between its steps (reading, every few
	// snippets, rendering): a request the scheduler queued behind it then
	// waits for one step, under a millisecond, and not until the runtime
	// preempts a goroutine that has run for 10 ms. An article's p99
	// during a search flood fell by about a sixth (docs/PERFORMANCE.md).
	runtime.Gosched()
	match := snippet.NewMatcher(q)
	for i, st := range res.Stories {
		if i%4 == 3 {
			runtime.Gosched()
		}
		v.Hits = append(v.Hits, templates.SearchHit{
			Story:   st,
			Title:   match.Mark(st.Title),
			Snippet: match.Cut(st.Summary+"\n\n"+st.Text, snippetWords),
		})
	}
	if v.Sections, err = s.navSections(ctx); err != nil {
		return err
	}
	if v.Sources, err = s.searchSources(ctx); err != nil {
		return err
	}
	runtime.Gosched()
	return s.render(c, http.StatusOK, templates.SearchPage(v))
}

// truncate cuts s to at most n bytes on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
