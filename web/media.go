package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// serveMedia handles GET /media/{id}-{width}.jpg: a picture's file at one
// width. The name holds the picture's content hash and never changes, so
// browsers and proxies may keep it for a year.
func (s *Server) serveMedia(c echo.Context) error {
	id, width, ok := parseMediaName(c.Param("name"))
	if !ok {
		return echo.ErrNotFound
	}
	f, err := s.store.ImageFile(c.Request().Context(), id, width, "image/jpeg")
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
	etag := `"` + id + "-" + strconv.Itoa(width) + `"`
	h.Set("ETag", etag)
	if etagMatch(c.Request().Header.Get("If-None-Match"), etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, f.Type, f.Data)
}

// parseMediaName splits "{32 hex digits}-{width}.jpg".
func parseMediaName(name string) (id string, width int, ok bool) {
	base, found := strings.CutSuffix(name, ".jpg")
	if !found {
		return "", 0, false
	}
	id, w, found := strings.Cut(base, "-")
	if !found || len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		return "", 0, false
	}
	width, err := strconv.Atoi(w)
	if err != nil || width <= 0 || width > 10000 || strconv.Itoa(width) != w {
		return "", 0, false
	}
	return id, width, true
}
