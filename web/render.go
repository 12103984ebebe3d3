package web

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"newsdesk/templates"
)

// render renders comp into a buffer, then writes it: a failed render never
// sends half a page.
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	var buf bytes.Buffer
	if err := comp.Render(templates.WithEnv(c.Request().Context(), s.env(c)), &buf); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

func (s *Server) env(c echo.Context) templates.Env {
	tok, _ := c.Get("csrf").(string)
	return templates.Env{
		Now:      s.cfg.Now(),
		SiteName: s.cfg.SiteName,
		BaseURL:  s.cfg.BaseURL,
		Asset:    s.assets.URL,
		CSRF:     tok,
		Location: s.location(c.Request().Context()),
		Fresh:    freshOf(c),
	}
}

const freshCtx = "fresh"

// freshOf returns what learns until when the page being rendered reads
// as rendered (templates.Fresh): its relative times note it as they
// render, a handler what else the clock changes.
func freshOf(c echo.Context) *templates.Fresh {
	f, _ := c.Get(freshCtx).(*templates.Fresh)
	if f == nil {
		f = &templates.Fresh{}
		c.Set(freshCtx, f)
	}
	return f
}

// pageParam reads ?page=N: absent means 1; anything but a positive number
// of sensible size is a 400.
func pageParam(c echo.Context) (int, error) {
	v := c.QueryParam("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000000 {
		return 0, echo.NewHTTPError(http.StatusBadRequest, "The page number must be a whole number from 1 to 1000000.")
	}
	return n, nil
}
