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

// taxonomyPageSize is how many sources, sections or tags one page lists.
const taxonomyPageSize = 50

// taxonomyState is which list of the taxonomy page is shown: every form
// on it carries these back, so that a change returns to the same place.
func taxonomyState(c echo.Context) templates.TaxonomyState {
	st := templates.TaxonomyState{List: c.FormValue("list"), Query: strings.TrimSpace(c.FormValue("q")), Page: 1}
	switch st.List {
	case "sources", "sections", "tags":
	default:
		st.List = "sections"
	}
	if n, err := strconv.Atoi(c.FormValue("page")); err == nil && n > 1 && n < 1e6 {
		st.Page = n
	}
	return st
}

// showTaxonomy handles GET /admin/taxonomy?list=&q=&page=: one list of
// sources, sections or tags, searched by name, a page at a time.
func (s *Server) showTaxonomy(c echo.Context) error {
	return s.renderTaxonomy(c, http.StatusOK, templates.TaxonomyFailure{})
}

// renderTaxonomy renders the taxonomy page; a failed form comes back
// with what was typed in it and the reason beside it.
func (s *Server) renderTaxonomy(c echo.Context, status int, failed templates.TaxonomyFailure) error {
	ctx := c.Request().Context()
	v := templates.TaxonomyView{Nav: s.nav(c), TaxonomyState: taxonomyState(c), Failed: failed}
	if status == http.StatusOK {
		v.Flash = flash(c)
	}
	var err error
	v.Items, v.Total, err = s.store.Names(ctx, news.NameFilter{Kind: v.List, Query: v.Query,
		Page: news.Page{Number: v.Page, Size: taxonomyPageSize}})
	if err != nil {
		return err
	}
	v.Pages = max(1, (v.Total+taxonomyPageSize-1)/taxonomyPageSize)
	if v.List == "sources" {
		if v.Original, err = s.store.OriginalSources(ctx); err != nil {
			return err
		}
	}
	return s.render(c, status, templates.TaxonomyPage(v))
}

// taxonomyResult redirects back to the list after a change, or
// re-renders it with the failed form as typed: 422 for what was typed
// and needs correcting, 409 or 404 for a change the data does not allow.
func (s *Server) taxonomyResult(c echo.Context, err error, done string, failed templates.TaxonomyFailure) error {
	switch code := news.ErrorCode(err); code {
	case "":
		return c.Redirect(http.StatusSeeOther, taxonomyState(c).URL()+"&done="+done)
	case news.EINVALID, news.ECONFLICT, news.ENOTFOUND:
		failed.Error = news.ErrorMessage(err)
		status := codeStatus[code]
		if failed.Form == "add" || failed.Form == "rename" || failed.Form == "merge" {
			status = http.StatusUnprocessableEntity // a name taken, a slug unknown: correct what was typed
		}
		return s.renderTaxonomy(c, status, failed)
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
		name := c.FormValue("name")
		return s.taxonomyResult(c, s.store.Rename(c.Request().Context(), kind, id, name), "renamed",
			templates.TaxonomyFailure{Form: "rename", ID: id, Name: name})
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
	return s.taxonomyResult(c, s.store.SetSourceOriginal(c.Request().Context(), id, c.FormValue("original") == "1"), "saved",
		templates.TaxonomyFailure{Form: "original", ID: id})
}

// addSection handles POST /admin/sections.
func (s *Server) addSection(c echo.Context) error {
	name := c.FormValue("name")
	return s.taxonomyResult(c, s.store.AddSection(c.Request().Context(), name), "added",
		templates.TaxonomyFailure{Form: "add", Name: name})
}

// mergeTags handles POST /admin/tags/merge.
func (s *Server) mergeTags(c echo.Context) error {
	from, into := strings.TrimSpace(c.FormValue("from")), strings.TrimSpace(c.FormValue("into"))
	return s.taxonomyResult(c, s.store.MergeTags(c.Request().Context(), from, into), "merged",
		templates.TaxonomyFailure{Form: "merge", From: from, Into: into})
}

// confirmDeleteName handles GET /admin/{sections,tags}/:id/delete: the
// question before an unused section or tag is deleted, or why it cannot be.
func (s *Server) confirmDeleteName(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil {
			return echo.ErrNotFound
		}
		list, _, err := s.store.Names(c.Request().Context(), news.NameFilter{Kind: kind, ID: id, Page: news.Page{Number: 1, Size: 1}})
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return echo.ErrNotFound
		}
		st := taxonomyState(c)
		st.List = kind
		return s.render(c, http.StatusOK, templates.DeleteNamePage(s.nav(c), st, list[0]))
	}
}

// deleteName handles POST /admin/{sections,tags}/:id/delete, from the
// confirmation page; a section or tag still in use is refused.
func (s *Server) deleteName(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil {
			return echo.ErrNotFound
		}
		if c.FormValue("confirm") != "yes" {
			return c.Redirect(http.StatusSeeOther, "/admin/"+kind+"/"+strconv.FormatInt(id, 10)+"/delete")
		}
		return s.taxonomyResult(c, s.store.DeleteName(c.Request().Context(), kind, id), "deleted",
			templates.TaxonomyFailure{Form: "delete", ID: id})
	}
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
