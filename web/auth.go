package web

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"newsdesk/internal/auth"
	"newsdesk/internal/news"
	"newsdesk/templates"
)

// Login protection.
const (
	accountFailures = 5                // failed logins for one account …
	failureWindow   = 15 * time.Minute // … within this window lock it for the rest of it
	ipFailures      = 20               // failed logins from one address, across accounts
)

const lockedMessage = "Too many failed logins. For your safety, logging in is paused for 15 minutes."

// limiter counts events per key within a sliding window.
type limiter struct {
	mu     sync.Mutex
	window time.Duration
	events map[string][]time.Time
}

func newLimiter(window time.Duration) *limiter {
	return &limiter{window: window, events: map[string][]time.Time{}}
}

// take records an event for key if fewer than max happened within the
// window, in one step, so that concurrent requests cannot all slip under
// the limit. It returns the event's time for release, and whether it was
// allowed.
func (l *limiter) take(key string, now time.Time, max int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev := l.prune(key, now)
	if len(ev) >= max {
		return false
	}
	l.events[key] = append(ev, now)
	if len(l.events) > 100_000 {
		// Bound memory under a flood of distinct keys: idle keys go.
		for k := range l.events {
			l.prune(k, now)
		}
	}
	return true
}

// release gives back one event taken for key at t.
func (l *limiter) release(key string, t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev := l.events[key]
	for i := len(ev) - 1; i >= 0; i-- {
		if ev[i].Equal(t) {
			l.events[key] = append(ev[:i:i], ev[i+1:]...)
			return
		}
	}
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.events, key)
}

func (l *limiter) prune(key string, now time.Time) []time.Time {
	ev := l.events[key]
	i := 0
	for i < len(ev) && now.Sub(ev[i]) >= l.window {
		i++
	}
	ev = ev[i:]
	if len(ev) == 0 {
		delete(l.events, key)
	} else {
		l.events[key] = ev
	}
	return ev
}

// setup is the one-time link that creates the first administrator.
type setup struct {
	mu      sync.Mutex
	token   string
	expires time.Time
}

// NewSetupToken makes a fresh one-time setup token, valid for an hour,
// and returns the path of its link.
func (s *Server) NewSetupToken() string {
	s.setup.mu.Lock()
	defer s.setup.mu.Unlock()
	s.setup.token = auth.NewToken()
	s.setup.expires = s.cfg.Now().Add(time.Hour)
	return "/admin/setup?token=" + s.setup.token
}

func (s *Server) setupValid(token string) bool {
	s.setup.mu.Lock()
	defer s.setup.mu.Unlock()
	return s.setup.token != "" && s.cfg.Now().Before(s.setup.expires) &&
		subtle.ConstantTimeCompare([]byte(token), []byte(s.setup.token)) == 1
}

// secure reports whether the request came over HTTPS: directly, or
// through a trusted proxy that says so.
func (s *Server) secure(c echo.Context) bool { return s.isSecure(c.Request()) }

func (s *Server) isSecure(r *http.Request) bool {
	return r.TLS != nil || (s.cfg.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https")
}

func (s *Server) sessionCookieName(c echo.Context) string {
	if s.secure(c) {
		return "__Host-newsdesk_session"
	}
	return "newsdesk_session"
}

func (s *Server) setSessionCookie(c echo.Context, token string, maxAge int) {
	c.SetCookie(&http.Cookie{
		Name:     s.sessionCookieName(c),
		Value:    token,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.secure(c),
		SameSite: http.SameSiteLaxMode,
	})
}

// loadUser puts the logged-in user, if any, into the context.
func (s *Server) loadUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if ck, err := c.Cookie(s.sessionCookieName(c)); err == nil && ck.Value != "" {
			u, err := s.store.SessionUser(c.Request().Context(), ck.Value)
			switch news.ErrorCode(err) {
			case "":
				c.Set("user", u)
			case news.EUNAUTHORIZED, news.ENOTFOUND:
				s.setSessionCookie(c, "", -1)
			default:
				return err
			}
		}
		return next(c)
	}
}

func currentUser(c echo.Context) *news.User {
	u, _ := c.Get("user").(*news.User)
	return u
}

// requireUser sends visitors who are not logged in to the login page.
func requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) == nil {
			if c.Request().Method != http.MethodGet {
				return echo.NewHTTPError(http.StatusUnauthorized, "Please log in.")
			}
			return c.Redirect(http.StatusSeeOther, "/admin/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		return next(c)
	}
}

// requireAdmin refuses editors. It is set on each admin-only route, not
// on a group: a group's middleware also guards its not-found handler, and
// an editor mistyping a newsroom address should get a 404.
func requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !currentUser(c).IsAdmin() {
			return echo.NewHTTPError(http.StatusForbidden, "Only administrators can manage users.")
		}
		return next(c)
	}
}

// showLogin handles GET /admin/login.
func (s *Server) showLogin(c echo.Context) error {
	return s.render(c, http.StatusOK, templates.LoginPage(templates.LoginView{Next: safeNext(c.QueryParam("next"))}))
}

// login handles POST /admin/login. Unknown emails and wrong passwords get
// the same message and take the same time.
func (s *Server) login(c echo.Context) error {
	ctx := c.Request().Context()
	email := strings.ToLower(strings.TrimSpace(c.FormValue("email")))
	password := c.FormValue("password")
	v := templates.LoginView{Email: email, Next: safeNext(c.FormValue("next"))}
	now := s.cfg.Now()
	account, ip := loginKey(email), "ip:"+c.RealIP()
	// Each try takes a failure slot up front and gives it back if the
	// password is right: concurrent guesses cannot outrun the count.
	if !s.logins.take(account, now, accountFailures) {
		v.Error = lockedMessage
		return s.render(c, http.StatusTooManyRequests, templates.LoginPage(v))
	}
	if !s.logins.take(ip, now, ipFailures) {
		s.logins.release(account, now)
		v.Error = lockedMessage
		return s.render(c, http.StatusTooManyRequests, templates.LoginPage(v))
	}
	u, err := s.store.UserByEmail(ctx, email)
	ok := false
	defer func() {
		// A server error is not a failed login.
		if err != nil && news.ErrorCode(err) != news.ENOTFOUND {
			s.logins.release(account, now)
			s.logins.release(ip, now)
		}
	}()
	switch news.ErrorCode(err) {
	case "":
		if ok, err = auth.CheckPassword(u.PasswordHash, password); err != nil {
			return err
		}
		ok = ok && !u.Disabled
	case news.ENOTFOUND:
		auth.Waste(password)
	default:
		return err
	}
	if !ok {
		v.Error = "That email and password do not match an active account."
		return s.render(c, http.StatusUnauthorized, templates.LoginPage(v))
	}
	s.logins.reset(account)
	s.logins.release(ip, now)
	// A new session id at every login: an id planted before login is useless.
	if ck, err := c.Cookie(s.sessionCookieName(c)); err == nil {
		if err := s.store.EndSession(ctx, ck.Value); err != nil {
			return err
		}
	}
	token, err := s.store.CreateSession(ctx, u.ID)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, token, 0)
	next := v.Next
	if next == "" {
		next = "/admin/stories"
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// loginKey is the login limiter's key for an account: failed logins and
// wrong current passwords on the account page count together.
func loginKey(email string) string { return "account:" + strings.ToLower(email) }

// safeNext keeps only local newsroom paths as redirect targets.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/admin/") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return ""
}

// logout handles POST /admin/logout.
func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(s.sessionCookieName(c)); err == nil {
		if err := s.store.EndSession(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	s.setSessionCookie(c, "", -1)
	return c.Redirect(http.StatusSeeOther, "/admin/login")
}

// showSetup handles GET /admin/setup?token=….
func (s *Server) showSetup(c echo.Context) error {
	token := c.QueryParam("token")
	if n, err := s.store.UserCount(c.Request().Context()); err != nil {
		return err
	} else if n > 0 || !s.setupValid(token) {
		return echo.NewHTTPError(http.StatusNotFound, "This setup link is no longer valid.")
	}
	return s.render(c, http.StatusOK, templates.SetupPage(templates.SetupView{Token: token}))
}

// doSetup handles POST /admin/setup: creates the first administrator and
// logs them in. The link works once.
func (s *Server) doSetup(c echo.Context) error {
	ctx := c.Request().Context()
	token := c.FormValue("token")
	if n, err := s.store.UserCount(ctx); err != nil {
		return err
	} else if n > 0 || !s.setupValid(token) {
		return echo.NewHTTPError(http.StatusNotFound, "This setup link is no longer valid.")
	}
	u := &news.User{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: news.RoleAdmin}
	if err := s.store.CreateUser(ctx, u, c.FormValue("password")); err != nil {
		if news.ErrorCode(err) != news.EINVALID {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, templates.SetupPage(templates.SetupView{
			Token: token, Email: c.FormValue("email"), Name: c.FormValue("name"), Errors: news.FieldErrors(err)}))
	}
	s.setup.mu.Lock()
	s.setup.token = ""
	s.setup.mu.Unlock()
	sess, err := s.store.CreateSession(ctx, u.ID)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, sess, 0)
	return c.Redirect(http.StatusSeeOther, "/admin/stories")
}
