package web

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"newsdesk/templates"
)

// render renders comp into a buffer, then writes it: a failed render never
// sends half a page.
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	buf := getBuffer()
	defer putBuffer(buf)
	if err := comp.Render(templates.WithEnv(c.Request().Context(), s.env(c)), buf); err != nil {
		return err
	}
	// Written (copied) before it returns: the buffer can go back.
	return c.HTMLBlob(status, buf.Bytes())
}

// buffers holds page-sized buffers for rendering and capturing pages: a
// front page is 40 kB, and a new buffer grows to it in five copies.
var buffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 64<<10)) }}

func getBuffer() *bytes.Buffer { return buffers.Get().(*bytes.Buffer) }

// putBuffer returns buf to the pool, unless a huge page grew it.
func putBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= 1<<20 {
		buf.Reset()
		buffers.Put(buf)
	}
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
