package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"newsdesk/internal/auth"
	"newsdesk/internal/news"
	"newsdesk/templates"
)

// showTaxonomy handles GET /admin/taxonomy.
func (s *Server) showTaxonomy(c echo.Context) error {
	return s.renderTaxonomy(c, http.StatusOK, flash(c), "")
}

func (s *Server) renderTaxonomy(c echo.Context, status int, msg, errMsg string) error {
	ctx := c.Request().Context()
	v := templates.TaxonomyView{Nav: s.nav(c), Flash: msg, Error: errMsg}
	var err error
	if v.Sources, err = s.store.AllSources(ctx); err != nil {
		return err
	}
	if v.Original, err = s.store.OriginalSources(ctx); err != nil {
		return err
	}
	if v.Sections, err = s.store.AllSections(ctx); err != nil {
		return err
	}
	if v.Tags, err = s.store.AllTags(ctx); err != nil {
		return err
	}
	return s.render(c, status, templates.TaxonomyPage(v))
}

// taxonomyResult redirects after a change, or re-renders with the error.
func (s *Server) taxonomyResult(c echo.Context, err error, done string) error {
	switch code := news.ErrorCode(err); code {
	case "":
		return c.Redirect(http.StatusSeeOther, "/admin/taxonomy?done="+done)
	case news.EINVALID, news.ECONFLICT, news.ENOTFOUND:
		return s.renderTaxonomy(c, codeStatus[code], "", news.ErrorMessage(err))
	}
	return err
}

// renameNamed handles POST /admin/{sources,sections,tags}/:id.
func (s *Server) renameNamed(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil {
			return echo.ErrNotFound
		}
		return s.taxonomyResult(c, s.store.Rename(c.Request().Context(), kind, id, c.FormValue("name")), "renamed")
	}
}

// setSourceOriginal handles POST /admin/sources/:id/original: whether the
// source is an original one (a wire, the newsroom), whose versions lead a
// story over syndicators'.
func (s *Server) setSourceOriginal(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	return s.taxonomyResult(c, s.store.SetSourceOriginal(c.Request().Context(), id, c.FormValue("original") == "1"), "saved")
}

// addSection handles POST /admin/sections.
func (s *Server) addSection(c echo.Context) error {
	return s.taxonomyResult(c, s.store.AddSection(c.Request().Context(), c.FormValue("name")), "added")
}

// mergeTags handles POST /admin/tags/merge.
func (s *Server) mergeTags(c echo.Context) error {
	return s.taxonomyResult(c, s.store.MergeTags(c.Request().Context(), c.FormValue("from"), c.FormValue("into")), "merged")
}

// listUsers handles GET /admin/users.
func (s *Server) listUsers(c echo.Context) error {
	return s.renderUsers(c, http.StatusOK, templates.UserForm{Role: news.RoleEditor}, nil)
}

func (s *Server) renderUsers(c echo.Context, status int, f templates.UserForm, errs map[string]string) error {
	users, err := s.store.Users(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, status, templates.UsersPage(templates.UsersView{Nav: s.nav(c), Users: users, Form: f, Errors: errs, Flash: flash(c)}))
}

// createUser handles POST /admin/users.
func (s *Server) createUser(c echo.Context) error {
	f := templates.UserForm{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: c.FormValue("role")}
	u := &news.User{Email: f.Email, Name: f.Name, Role: f.Role}
	err := s.store.CreateUser(c.Request().Context(), u, c.FormValue("password"))
	switch news.ErrorCode(err) {
	case "":
		return c.Redirect(http.StatusSeeOther, "/admin/users?done=user")
	case news.EINVALID:
		return s.renderUsers(c, http.StatusUnprocessableEntity, f, news.FieldErrors(err))
	}
	return err
}

// updateUser handles POST /admin/users/:id: role and disabled flag.
func (s *Server) updateUser(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	role, disabled := c.FormValue("role"), c.FormValue("disabled") == "1"
	if id == currentUser(c).ID && (disabled || role != news.RoleAdmin) {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "You cannot disable yourself or give up your own admin role.")
	}
	if err := s.store.SetUserAccess(c.Request().Context(), id, role, disabled); err != nil {
		if news.ErrorCode(err) == news.EINVALID {
			return echo.NewHTTPError(http.StatusUnprocessableEntity, "Role must be admin or editor.")
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users?done=user")
}

// showAccount handles GET /admin/account.
func (s *Server) showAccount(c echo.Context) error {
	return s.render(c, http.StatusOK, templates.AccountPage(templates.AccountView{Nav: s.nav(c), Flash: flash(c)}))
}

// changePassword handles POST /admin/account: a new password, given the
// current one. Every session of the user ends; this one starts anew.
// Wrong current passwords count against the account as failed logins do:
// a stolen session cannot be used to guess the password.
func (s *Server) changePassword(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	now, account := s.cfg.Now(), loginKey(u.Email)
	if ok, err := s.logins.take(ctx, account, now, accountFailures); err != nil {
		return err
	} else if !ok {
		return s.render(c, http.StatusTooManyRequests, templates.AccountPage(templates.AccountView{Nav: s.nav(c),
			Errors: map[string]string{"current": lockedMessage}}))
	}
	ok, err := auth.CheckPassword(u.PasswordHash, c.FormValue("current"))
	if err != nil {
		s.releaseAll(ctx, now, account)
		return err
	}
	errs := map[string]string{}
	if !ok {
		errs["current"] = "That is not your current password."
	} else {
		if err := s.logins.release(ctx, account, now); err != nil {
			return err
		}
		if msg := news.CheckPassword(c.FormValue("password")); msg != "" {
			errs["password"] = msg
		}
	}
	if len(errs) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, templates.AccountPage(templates.AccountView{Nav: s.nav(c), Errors: errs}))
	}
	if err := s.store.SetPassword(ctx, u.ID, c.FormValue("password")); err != nil {
		return err
	}
	token, err := s.store.CreateSession(ctx, u.ID)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, token, 0)
	return c.Redirect(http.StatusSeeOther, "/admin/account?done=password")
}

// showSettings handles GET /admin/settings.
func (s *Server) showSettings(c echo.Context) error {
	zone, err := s.store.TimeZone(c.Request().Context())
	if err != nil {
		return err
	}
	v := templates.SettingsView{Nav: s.nav(c), TimeZone: zone}
	if c.QueryParam("done") == "saved" {
		v.Flash = "Settings saved."
	}
	return s.render(c, http.StatusOK, templates.SettingsPage(v))
}

// saveSettings handles POST /admin/settings.
func (s *Server) saveSettings(c echo.Context) error {
	zone := strings.TrimSpace(c.FormValue("time_zone"))
	err := s.store.SetTimeZone(c.Request().Context(), zone)
	switch news.ErrorCode(err) {
	case "":
		return c.Redirect(http.StatusSeeOther, "/admin/settings?done=saved")
	case news.EINVALID:
		v := templates.SettingsView{Nav: s.nav(c), TimeZone: zone, Errors: news.FieldErrors(err)}
		return s.render(c, http.StatusUnprocessableEntity, templates.SettingsPage(v))
	}
	return err
}
