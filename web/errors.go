package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"newsdesk/internal/news"
	"newsdesk/templates"
)

var codeStatus = map[string]int{
	news.ECONFLICT:     http.StatusConflict,
	news.EINVALID:      http.StatusUnprocessableEntity,
	news.ENOTFOUND:     http.StatusNotFound,
	news.EUNAUTHORIZED: http.StatusUnauthorized,
	news.EFORBIDDEN:    http.StatusForbidden,
	news.EINTERNAL:     http.StatusInternalServerError,
}

var statusTitle = map[int]string{
	http.StatusBadRequest:            "Bad request",
	http.StatusForbidden:             "Forbidden",
	http.StatusNotFound:              "Page not found",
	http.StatusMethodNotAllowed:      "Method not allowed",
	http.StatusRequestEntityTooLarge: "Request too large",
	http.StatusTooManyRequests:       "Too many requests",
	http.StatusInternalServerError:   "Something went wrong",
}

// handleError is Echo's one error handler: it maps err to a status and an
// error page, and logs only what is the server's fault.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, msg := http.StatusInternalServerError, "Something went wrong on our side. Please try again in a moment."
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status = he.Code
		if m, ok := he.Message.(string); ok && status < 500 {
			msg = m
		}
	} else if st, ok := codeStatus[news.ErrorCode(err)]; ok && st < 500 {
		status, msg = st, news.ErrorMessage(err)
	}
	if status == http.StatusNotFound && (msg == "" || msg == http.StatusText(http.StatusNotFound)) {
		msg = "We could not find that page. Try a search instead."
	}
	id := c.Response().Header().Get(echo.HeaderXRequestID)
	if status >= 500 {
		s.log.Error("request failed", slog.String("request_id", id), slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path), slog.Any("err", err))
	} else {
		id = ""
	}
	title := statusTitle[status]
	if title == "" {
		title = http.StatusText(status)
	}
	if c.Request().Method == http.MethodHead {
		c.NoContent(status)
		return
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	// The section nav stays, so a reader who took a wrong turn can go on;
	// when the store is what failed, the page goes without it.
	sections, _ := s.navSections(c.Request().Context())
	if err := s.render(c, status, templates.ErrorPage(status, title, msg, id, sections)); err != nil {
		s.log.Error("render error page", slog.Any("err", err))
		c.String(status, title)
	}
}
