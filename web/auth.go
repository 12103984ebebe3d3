package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
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

// NewSetupToken makes a fresh one-time setup token, valid for an hour,
// and returns the path of its link. Every node may make one; each works
// until the first administrator exists.
func (s *Server) NewSetupToken(ctx context.Context) (string, error) {
	token := auth.NewToken()
	if err := s.store.AddSetupToken(ctx, auth.TokenID(token), s.cfg.Now().Add(time.Hour)); err != nil {
		return "", fmt.Errorf("store setup token: %w", err)
	}
	return "/admin/setup?token=" + url.QueryEscape(token), nil
}

func (s *Server) setupValid(ctx context.Context, token string) (bool, error) {
	if token == "" {
		return false, nil
	}
	return s.store.SetupTokenValid(ctx, auth.TokenID(token), s.cfg.Now())
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
	if ok, err := s.logins.take(ctx, account, now, accountFailures); err != nil {
		return err
	} else if !ok {
		v.Error = lockedMessage
		return s.render(c, http.StatusTooManyRequests, templates.LoginPage(v))
	}
	if ok, err := s.logins.take(ctx, ip, now, ipFailures); err != nil || !ok {
		if rerr := s.logins.release(ctx, account, now); err == nil {
			err = rerr
		}
		if err != nil {
			return err
		}
		v.Error = lockedMessage
		return s.render(c, http.StatusTooManyRequests, templates.LoginPage(v))
	}
	u, err := s.store.UserByEmail(ctx, email)
	ok := false
	defer func() {
		// A server error is not a failed login.
		if err != nil && news.ErrorCode(err) != news.ENOTFOUND {
			s.releaseAll(ctx, now, account, ip)
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
	if err = s.logins.reset(ctx, account); err != nil {
		return err
	}
	if err = s.logins.release(ctx, ip, now); err != nil {
		return err
	}
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

// releaseAll gives back the login slots taken at now for keys, logging
// what it could not give back: the request already has an error to report.
func (s *Server) releaseAll(ctx context.Context, now time.Time, keys ...string) {
	for _, k := range keys {
		if err := s.logins.release(ctx, k, now); err != nil {
			s.log.Error("release login slot", "err", err)
		}
	}
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
	} else if ok, err := s.setupValid(c.Request().Context(), token); err != nil {
		return err
	} else if n > 0 || !ok {
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
	} else if ok, err := s.setupValid(ctx, token); err != nil {
		return err
	} else if n > 0 || !ok {
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
	if err := s.store.EndSetup(ctx); err != nil {
		return err
	}
	sess, err := s.store.CreateSession(ctx, u.ID)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, sess, 0)
	return c.Redirect(http.StatusSeeOther, "/admin/stories")
}
