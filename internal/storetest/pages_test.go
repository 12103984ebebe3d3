package storetest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"newsdesk/internal/demo"
	"newsdesk/internal/desk"
	"newsdesk/internal/news"
	"newsdesk/internal/postgres"
	"newsdesk/internal/sqlite"
	"newsdesk/web"
)

// sqliteSite and postgresSite are a store with story writes through
// desk, as serve builds them.
type (
	sqliteSite struct {
		*sqlite.DB
		*desk.Desk
	}
	postgresSite struct {
		*postgres.DB
		*desk.Desk
	}
)

func site(db Store, dk *desk.Desk) web.Store {
	if pg, ok := db.(*postgres.DB); ok {
		return postgresSite{pg, dk}
	}
	return sqliteSite{db.(*sqlite.DB), dk}
}

// TestPagesAgree serves the demo site from each store and fetches every
// kind of reader page: both stores serve each with the same status and,
// but for the feeds' ids (minted at random per site) and search (ranked
// differently), the same bytes.
func TestPagesAgree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	type page struct {
		status int
		body   string
	}
	got := [2]map[string]page{}
	var paths []string
	for i, pg := range []bool{false, true} {
		db := newTestDBOf(t, pg)
		if _, err := demo.Load(ctx, deskOf(db), nil, now); err != nil {
			t.Fatal(err)
		}
		srv, err := web.New(web.Config{SiteName: "Newsdesk", BaseURL: "http://news.example", Now: func() time.Time { return now },
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, site(db, deskOf(db)))
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		defer ts.Close()
		if paths == nil {
			list, _, err := db.Stories(ctx, news.StoryFilter{Page: news.Page{Number: 1, Size: 5}})
			if err != nil {
				t.Fatal(err)
			}
			paths = []string{"/", "/?page=2", "/sitemap.xml", "/news-sitemap.xml", "/robots.txt", "/healthz", "/articles/no-such-story",
				"/search?q=flood", "/search?q=strike+-football", "/search?q=%22central+bank%22", "/feed.xml", "/tags/no-such-tag"}
			for _, s := range list {
				paths = append(paths, "/articles/"+s.Slug, "/coverage/"+s.Slug, "/sources/"+s.Source.Slug)
				if s.Section.Slug != "" {
					paths = append(paths, "/sections/"+s.Section.Slug)
				}
				if s.Author != "" {
					paths = append(paths, "/authors/"+news.Slugify(s.Author))
				}
			}
			tags, _ := db.TrendingTags(ctx, 30*24*time.Hour, 5)
			for _, tg := range tags {
				paths = append(paths, "/tags/"+tg.Slug)
			}
		}
		got[i] = map[string]page{}
		for _, p := range paths {
			resp, err := http.Get(ts.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got[i][p] = page{resp.StatusCode, string(b)}
		}
	}
	// Content-hashed asset names and CSRF tokens are the same code on both.
	volatile := regexp.MustCompile(`name="_csrf" value="[^"]*"|csrf[^"]*"[^"]*"`)
	for _, p := range paths {
		a, b := got[0][p], got[1][p]
		if a.status != b.status {
			t.Errorf("GET %s: sqlite %d, postgres %d", p, a.status, b.status)
			continue
		}
		if strings.HasPrefix(p, "/search") || strings.HasSuffix(p, ".xml") && strings.Contains(a.body, "<feed") {
			continue
		}
		if volatile.ReplaceAllString(a.body, "") != volatile.ReplaceAllString(b.body, "") {
			t.Errorf("GET %s (%d): the pages differ between sqlite and postgres", p, a.status)
		}
	}
}
