package web

import (
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"math/rand/v2"
	"net/http"
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
	s.e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: newRequestID}))
	s.e.Use(s.logRequests)
	s.e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogLevel: 0,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
				slog.Any("err", err), slog.String("stack", string(stack)))
			return err
		}}))
	s.e.Use(s.securityHeaders)
}

// securityHeaders sets the headers every response carries.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s.setSecurityHeaders(c.Response().Header(), c.Request())
		return next(c)
	}
}

func (s *Server) setSecurityHeaders(h http.Header, r *http.Request) {
	if s.isSecure(r) {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}

// logRequests writes one structured line per request.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		r, w := c.Request(), c.Response()
		s.logRequest(r, w.Header().Get(echo.HeaderXRequestID), w.Status, w.Size, start)
		return nil
	}
}

// logRequest writes the one structured line a request gets.
func (s *Server) logRequest(r *http.Request, id string, status int, size int64, start time.Time) {
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(r.Context(), level, "request",
		slog.String("request_id", id),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Int64("bytes", size),
		slog.Duration("latency", time.Since(start)),
		slog.String("ip", s.e.IPExtractor(r)))
}

// adminOnly marks newsroom responses as private and bounds request bodies.
func (s *Server) adminOnly(next echo.HandlerFunc) echo.HandlerFunc {
	limit := middleware.BodyLimit("1M")
	return limit(func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return next(c)
	})
}

// csrf guards every unsafe request twice: the browser must not report it
// as cross-site (Sec-Fetch-Site, Origin), and the form must carry the
// token from the _csrf cookie. Either failure is a 403 and changes nothing.
func (s *Server) csrf() echo.MiddlewareFunc {
	token := middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf",
		CookieName:     "newsdesk_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteStrictMode,
		CookieMaxAge:   12 * 3600,
		ErrorHandler: func(err error, c echo.Context) error {
			return echo.NewHTTPError(http.StatusForbidden, "This form has expired or did not come from this site. Go back, reload the page and try again.")
		},
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		guarded := token(next)
		return func(c echo.Context) error {
			if err := s.cop.Check(c.Request()); err != nil {
				return echo.NewHTTPError(http.StatusForbidden, "Cross-site requests are not allowed.")
			}
			return guarded(c)
		}
	}
}

// newRequestID returns 128 random bits in hex: unique enough to find a
// request in the logs, and cheap.
func newRequestID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	return hex.EncodeToString(b[:])
}
