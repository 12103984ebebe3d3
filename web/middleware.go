package web

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// contentSecurityPolicy allows nothing inline and nothing from elsewhere
// but images: the site runs no script it did not serve itself.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' https: data:; font-src 'self'; connect-src 'self'; form-action 'self'; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

func (s *Server) middleware() {
	s.e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: 301}))
	s.e.Use(s.standard)
	s.e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogLevel: 0,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
				slog.Any("err", err), slog.String("stack", string(stack)))
			return err
		}}))
}

// standard gives every routed request what a cache hit gets in
// serveCached, through the same two calls: begin (request id and the
// headers every response carries) and logRequest (one line).
func (s *Server) standard(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		r := c.Request()
		id := s.begin(c.Response().Header(), r)
		if err := next(c); err != nil {
			c.Error(err)
		}
		s.logRequest(r, id, c.Response().Status, c.Response().Size, start)
		return nil
	}
}

// begin sets the headers every response carries, routed or cached, and
// returns the request's id.
func (s *Server) begin(h http.Header, r *http.Request) string {
	id := requestID(r)
	h.Set(echo.HeaderXRequestID, id)
	s.setSecurityHeaders(h, r)
	return id
}

func (s *Server) setSecurityHeaders(h http.Header, r *http.Request) {
	if s.isSecure(r) {
		hsts.setIn(h)
	}
	securityHeaders.setIn(h)
}

// The headers every response carries, built once: setting them is a map
// assignment each, with no allocation.
var (
	securityHeaders = headerSet{
		field("Content-Security-Policy", contentSecurityPolicy),
		field("X-Content-Type-Options", "nosniff"),
		field("Referrer-Policy", "strict-origin-when-cross-origin"),
		field("X-Frame-Options", "DENY"),
		field("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
		field("Cross-Origin-Opener-Policy", "same-origin"),
	}
	hsts = headerSet{field("Strict-Transport-Security", "max-age=31536000; includeSubDomains")}
)

// headerField is one header line built ahead of the requests that send
// it. Its value is shared by every response that carries it: it is set
// into a response's header map as is, never changed in place (a one-line
// slice at full capacity, so that Header.Add copies it before appending).
type headerField struct {
	key   string
	value []string
}

// field builds a headerField; key is canonicalized as Header.Set does.
func field(key, value string) headerField {
	return headerField{key: http.CanonicalHeaderKey(key), value: []string{value}[:1:1]}
}

// headerSet is header lines set together.
type headerSet []headerField

// setIn sets every line of hs in h, replacing what h had under those
// names, as Header.Set would.
func (hs headerSet) setIn(h http.Header) {
	for _, f := range hs {
		h[f.key] = f.value
	}
}

// logRequest writes the one structured line a request gets. It builds the
// record itself, without the caller's program counter (which Logger
// methods look up on every call and only a handler adding the source
// reads): the line is the same, and a cache hit does not pay for the
// lookup.
func (s *Server) logRequest(r *http.Request, id string, status int, size int64, start time.Time) {
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	h := s.log.Handler()
	if !h.Enabled(r.Context(), level) {
		return
	}
	rec := slog.NewRecord(time.Now(), level, "request", 0)
	rec.AddAttrs(
		slog.String("request_id", id),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Int64("bytes", size),
		slog.Duration("latency", time.Since(start)),
		slog.String("ip", s.e.IPExtractor(r)))
	h.Handle(r.Context(), rec)
}

// adminOnly marks newsroom responses as private and bounds request bodies:
// 1 MB, except the story editor's saves, which may carry a picture of up
// to 20 MB. Their limit is higher still (30 MB), so that a picture a
// little over 20 MB is refused by the form with everything else typed
// kept, not by a bare 413.
func (s *Server) adminOnly(next echo.HandlerFunc) echo.HandlerFunc {
	h := func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return next(c)
	}
	small, large := limitBody(1<<20)(h), limitBody(30<<20)(h)
	return func(c echo.Context) error {
		if c.Request().Method == http.MethodPost && (c.Path() == "/admin/stories" || c.Path() == "/admin/stories/:id") {
			return large(c)
		}
		return small(c)
	}
}

// limitBody refuses a request body over n bytes with 413, whether the
// client declared its length or sent it in chunks. The form is read here,
// up front: a handler must never take a body cut off at the limit for an
// empty form (and answer 422 with every field blank).
func limitBody(n int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > n {
				return echo.ErrStatusRequestEntityTooLarge
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, n)
			var err error
			if strings.HasPrefix(r.Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) {
				err = r.ParseMultipartForm(n)
			} else {
				err = r.ParseForm()
			}
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return echo.ErrStatusRequestEntityTooLarge
			} else if err != nil {
				return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
			}
			return next(c)
		}
	}
}

// csrf guards every unsafe request. A browser that sends Fetch Metadata
// (every current one) is judged by it: Sec-Fetch-Site must say
// same-origin (or none, typed by the user), checked by
// http.CrossOriginProtection and again by Echo's CSRF middleware, which
// then does not look for a token. An older browser without the header
// gets the Origin check (when it sends Origin) and a double-submit token:
// the form's _csrf field must match the newsdesk_csrf cookie (HttpOnly,
// SameSite=Strict, Secure over HTTPS). Any failure is a 403 and changes
// nothing.
func (s *Server) csrf() echo.MiddlewareFunc {
	config := func(secure bool) echo.MiddlewareFunc {
		return middleware.CSRFWithConfig(middleware.CSRFConfig{
			TokenLookup:    "form:_csrf",
			CookieName:     "newsdesk_csrf",
			CookiePath:     "/",
			CookieHTTPOnly: true,
			CookieSecure:   secure,
			CookieSameSite: http.SameSiteStrictMode,
			CookieMaxAge:   12 * 3600,
			ErrorHandler: func(err error, c echo.Context) error {
				return echo.NewHTTPError(http.StatusForbidden, "This form has expired or did not come from this site. Go back, reload the page and try again.")
			},
		})
	}
	plain, secure := config(false), config(true)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		plainNext, secureNext := plain(next), secure(next)
		return func(c echo.Context) error {
			if err := s.cop.Check(c.Request()); err != nil {
				return echo.NewHTTPError(http.StatusForbidden, "Cross-site requests are not allowed.")
			}
			if s.secure(c) {
				return secureNext(c)
			}
			return plainNext(c)
		}
	}
}

// requestID returns the id of r: the client's X-Request-ID when it is a
// plain token (as a proxy in front sets, to follow a request through both
// logs), else a new one. Anything else a client sends is not echoed or
// logged: it could forge log fields or carry markup.
func requestID(r *http.Request) string {
	if id := r.Header.Get(echo.HeaderXRequestID); plainToken(id) {
		return id
	}
	return newRequestID()
}

// plainToken reports whether id is 1 to 64 letters, digits, '-', '_', '.'
// or ':'.
func plainToken(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '-', r == '_', r == '.', r == ':':
		default:
			return false
		}
	}
	return true
}

// newRequestID returns 128 random bits in hex: unique enough to find a
// request in the logs, and cheap.
func newRequestID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	var out [32]byte
	hex.Encode(out[:], b[:])
	return string(out[:])
}
