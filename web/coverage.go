package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"newsdesk/internal/news"
	"newsdesk/templates"
)

// showCoverage handles GET /coverage/:slug: every version of one story,
// oldest first, with the story's related stories. Any version's slug
// shows the whole story.
func (s *Server) showCoverage(c echo.Context) error {
	ctx := c.Request().Context()
	st, err := s.store.StoryBySlug(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	v := templates.CoverageView{}
	if v.Versions, v.Lead, err = s.store.Versions(ctx, st); err != nil {
		return err
	}
	if v.Related, err = s.store.Related(ctx, v.Lead.ID, relatedShown); err != nil {
		return err
	}
	// A new version changes the key of every other one (the cluster's
	// members), so the versions' keys cover the list of them.
	shows(c, news.StoryKey(st.ID))
	showsStories(c, v.Versions)
	showsRelatedOf(c, v.Lead, v.Related, relatedShown)
	if v.Sections, err = s.navSections(ctx); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.CoveragePage(v))
}
