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

// acceptsGzip reports whether the request's Accept-Encoding takes gzip:
// named, and not with a quality of zero. It allocates nothing, as it runs
// on every cache hit.
func acceptsGzip(r *http.Request) bool {
	list := r.Header.Get(echo.HeaderAcceptEncoding)
	for list != "" {
		var part string
		part, list, _ = strings.Cut(list, ",")
		enc, params, _ := strings.Cut(part, ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && !zeroQuality(params) {
			return true
		}
	}
	return false
}

// zeroQuality reports whether params, what follows a coding's ';', is a
// quality of zero ("q=0", "q=0.000"; spaces ignored): "not acceptable".
func zeroQuality(params string) bool {
	seen := 0 // characters other than spaces so far
	dot := false
	for i := 0; i < len(params); i++ {
		c := params[i]
		switch {
		case c == ' ' || c == '\t':
			continue
		case seen == 0:
			if c != 'q' && c != 'Q' {
				return false
			}
		case seen == 1:
			if c != '=' {
				return false
			}
		case seen == 2:
			if c != '0' {
				return false
			}
		case seen == 3 && c == '.':
			dot = true
		case dot && c == '0':
		default:
			return false
		}
		seen++
	}
	return seen >= 3
}
