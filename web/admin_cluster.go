package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"newsdesk/internal/news"
	"newsdesk/templates"
)

// showCluster handles GET /admin/stories/:id/cluster: the versions of the
// story, the evidence for each, the overrides made, and the forms to
// choose the lead, split and merge.
func (s *Server) showCluster(c echo.Context) error {
	return s.renderCluster(c, http.StatusOK, "", "")
}

func (s *Server) renderCluster(c echo.Context, status int, mergeWith, mergeErr string) error {
	ctx := c.Request().Context()
	id, err := storyID(c)
	if err != nil {
		return err
	}
	st, err := s.store.StoryByID(ctx, id)
	if err != nil {
		return err
	}
	v := templates.ClusterView{Nav: s.nav(c), Story: st, Done: c.QueryParam("done"), MergeWith: mergeWith, MergeError: mergeErr}
	if v.Cluster, err = s.store.Cluster(ctx, id); err != nil {
		return err
	}
	return s.render(c, status, templates.ClusterPage(v))
}

// clusterAction handles POST /admin/stories/:id/cluster/lead, /split and
// /merge, recording the editor who made the change.
func (s *Server) clusterAction(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		id, err := storyID(c)
		if err != nil {
			return err
		}
		user := currentUser(c)
		switch action {
		case "lead":
			err = s.store.ChooseLead(ctx, id, user.ID)
		case "split":
			err = s.store.SplitStory(ctx, id, user.ID)
		case "merge":
			with := c.FormValue("with")
			var into int64
			if into, err = s.store.StoryIDByRef(ctx, with); err == nil {
				err = s.store.MergeClusters(ctx, into, id, user.ID)
			}
			if news.ErrorCode(err) == news.EINVALID {
				return s.renderCluster(c, http.StatusUnprocessableEntity, with, news.ErrorMessage(err))
			}
		}
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/admin/stories/"+strconv.FormatInt(id, 10)+"/cluster?done="+action)
	}
}
