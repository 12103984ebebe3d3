package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// serveAsset handles GET /static/*: embedded files by their hashed URL,
// cached for a year, gzip-encoded when the client accepts it.
func (s *Server) serveAsset(c echo.Context) error {
	as, ok := s.assets.ByURL(c.Request().URL.Path)
	if !ok {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
	h.Set("ETag", as.ETag)
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	if etagMatch(c.Request().Header.Get("If-None-Match"), as.ETag) {
		return c.NoContent(http.StatusNotModified)
	}
	if as.Gzip != nil && acceptsGzip(c.Request()) {
		h.Set(echo.HeaderContentEncoding, "gzip")
		return c.Blob(http.StatusOK, as.Type, as.Gzip)
	}
	return c.Blob(http.StatusOK, as.Type, as.Body)
}

// favicon handles GET /favicon.ico, which browsers ask for by that name.
func (s *Server) favicon(c echo.Context) error {
	// Temporary: the hashed name changes with the icon.
	return c.Redirect(http.StatusFound, s.assets.URL("img/favicon.svg"))
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get(echo.HeaderAcceptEncoding), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
