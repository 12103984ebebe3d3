package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"newsdesk/internal/news"
	"newsdesk/templates"
)

const moderationPageSize = 200

// showModeration handles GET /admin/comments?status=….
func (s *Server) showModeration(c echo.Context) error {
	status := c.QueryParam("status")
	if status == "" {
		status = news.CommentPending
	}
	return s.renderModeration(c, http.StatusOK, status, flash(c), "")
}

func (s *Server) renderModeration(c echo.Context, code int, status, msg, errMsg string) error {
	ctx := c.Request().Context()
	v := templates.ModerationView{Nav: s.nav(c), Status: status, Flash: msg, Error: errMsg}
	var err error
	if v.Counts, err = s.store.CommentCounts(ctx); err != nil {
		return err
	}
	if v.Comments, err = s.store.ModerationQueue(ctx, status, moderationPageSize); err != nil {
		return err
	}
	if v.Settings, err = s.store.CommentSettings(ctx); err != nil {
		return err
	}
	return s.render(c, code, templates.ModerationPage(v))
}

// moderate handles POST /admin/comments: approve, reject or mark as spam
// every selected comment.
func (s *Server) moderate(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "Unreadable form.")
	}
	var ids []int64
	for _, v := range form["id"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "Unreadable comment id.")
		}
		ids = append(ids, id)
	}
	from := c.FormValue("from")
	if from == "" {
		from = news.CommentPending
	}
	err = s.store.ModerateComments(c.Request().Context(), ids, c.FormValue("action"))
	switch news.ErrorCode(err) {
	case "":
		return c.Redirect(http.StatusSeeOther, "/admin/comments?done=moderated&status="+url.QueryEscape(from))
	case news.EINVALID:
		return s.renderModeration(c, http.StatusUnprocessableEntity, from, "", news.ErrorMessage(err))
	}
	return err
}

// saveCommentSettings handles POST /admin/comments/settings.
func (s *Server) saveCommentSettings(c echo.Context) error {
	days, err := strconv.Atoi(c.FormValue("close_after"))
	if err != nil {
		return s.renderModeration(c, http.StatusUnprocessableEntity, news.CommentPending, "", "Days must be a whole number from 0 to 36500.")
	}
	set := news.CommentSettings{Open: c.FormValue("open") == "1", CloseAfterDays: days, AutoApprove: c.FormValue("auto_approve") == "1"}
	err = s.store.SetCommentSettings(c.Request().Context(), set)
	switch news.ErrorCode(err) {
	case "":
		return c.Redirect(http.StatusSeeOther, "/admin/comments?done=settings")
	case news.EINVALID:
		return s.renderModeration(c, http.StatusUnprocessableEntity, news.CommentPending, "", news.ErrorMessage(err))
	}
	return err
}
