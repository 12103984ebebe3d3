package web

import (
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"newsdesk/internal/news"
)

// pageKeys are the cache keys a reader page shows (news.StoryKey …).
type pageKeys struct {
	keys []string
}

const keysCtx = "cachekeys"

// shows records that the page being rendered shows keys: the render cache
// throws it away when a write changes one of them, and the Surrogate-Key
// and Cache-Tag headers carry them. A page whose handler calls shows,
// even with no keys, changes only with what it names; one that never
// calls it goes with any write.
func shows(c echo.Context, keys ...string) {
	k, _ := c.Get(keysCtx).(*pageKeys)
	if k == nil {
		k = &pageKeys{}
		c.Set(keysCtx, k)
	}
	k.keys = append(k.keys, keys...)
}

// showsStories records that the page shows the stories in list.
func showsStories(c echo.Context, list []*news.Story) {
	keys := make([]string, len(list))
	for i, st := range list {
		keys[i] = news.StoryKey(st.ID)
	}
	shows(c, keys...)
}

// showsRelated records that the page shows the stories in list.
func showsRelated(c echo.Context, list []news.Related) {
	keys := make([]string, len(list))
	for i, r := range list {
		keys[i] = news.StoryKey(r.Story.ID)
	}
	shows(c, keys...)
}

// setKeys takes the keys the handler named for p.
func (p *page) setKeys(c echo.Context) {
	k, _ := c.Get(keysCtx).(*pageKeys)
	if k == nil {
		return
	}
	p.named = true
	slices.Sort(k.keys)
	p.keys = slices.Compact(k.keys)
	p.surrogate = strings.Join(p.keys, " ")
	p.tags = strings.Join(p.keys, ",")
}

// showsRelatedOf records that the page shows rel, the related list of st
// asked for with limit. A list with fewer close neighbours than limit is
// filled with recent stories of st's section and tags, so it also changes
// with those lists; one with none at all may be the latest stories, and
// changes with the front page's list; so does one whose story's tags are
// not at hand.
func showsRelatedOf(c echo.Context, st *news.Story, rel []news.Related, limit int) {
	shows(c, news.RelatedKey(st.ID))
	showsRelated(c, rel)
	near := 0
	for _, r := range rel {
		if !r.Nearby {
			near++
		}
	}
	if near >= limit {
		return
	}
	if near == 0 || st.Tags == nil {
		shows(c, news.KeyFront)
	}
	if st.Section.Slug != "" {
		shows(c, news.ListKey("section", st.Section.Slug))
	}
	for _, t := range st.Tags {
		shows(c, news.ListKey("tag", t.Slug))
	}
}
