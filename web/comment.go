package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"newsdesk/internal/auth"
	"newsdesk/internal/news"
	"newsdesk/templates"
)

// Comment protection.
const (
	commentMinDelay   = 3 * time.Second // a human reads before writing
	commentTokenTTL   = 24 * time.Hour
	commentsPerIP     = 5 // per commentIPWindow
	commentIPWindow   = 10 * time.Minute
	commentsPerStory  = 10 // per commentBurstWindow, from everyone
	commentBurstWindw = time.Minute
)

// commentToken signs the story id and the render time. Reader pages are
// cached and shared, so the token cannot be tied to a visitor; together
// with the browser's cross-site check it proves the form came from this
// site, and its time lets us refuse a submit faster than a person types.
func (s *Server) commentToken(storyID int64, at time.Time) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	return ts + "." + s.sign("comment", strconv.FormatInt(storyID, 10), ts)
}

func (s *Server) sign(parts ...string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// checkCommentToken returns when the form was rendered, or an error.
func (s *Server) checkCommentToken(storyID int64, token string) (time.Time, bool) {
	ts, sig, ok := strings.Cut(token, ".")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil || !hmac.Equal([]byte(sig), []byte(s.sign("comment", strconv.FormatInt(storyID, 10), ts))) {
		return time.Time{}, false
	}
	at := time.Unix(sec, 0)
	return at, s.cfg.Now().Sub(at) < commentTokenTTL
}

// The commenter cookie: a random id and its signature, kept by the
// reader's browser for a year and sent only with comments. The comments
// written with it are stored under the id's hash; once an editor approves
// one, auto-approval trusts that browser. Trust goes with something only
// that reader has, not with an email anyone can type.
const (
	commenterCookie = "newsdesk_commenter"
	commenterTTL    = 365 * 24 * time.Hour
)

// commenterID returns the id in the reader's commenter cookie when its
// signature holds, else a new id.
func (s *Server) commenterID(c echo.Context) string {
	if ck, err := c.Cookie(commenterCookie); err == nil {
		id, sig, ok := strings.Cut(ck.Value, ".")
		if ok && id != "" && hmac.Equal([]byte(sig), []byte(s.sign("commenter", id))) {
			return id
		}
	}
	return auth.NewToken()
}

// setCommenterCookie (re)sets the reader's commenter cookie for another year.
func (s *Server) setCommenterCookie(c echo.Context, id string) {
	c.SetCookie(&http.Cookie{
		Name:     commenterCookie,
		Value:    id + "." + s.sign("commenter", id),
		Path:     "/articles/",
		MaxAge:   int(commenterTTL / time.Second),
		HttpOnly: true,
		Secure:   s.secure(c),
		SameSite: http.SameSiteLaxMode,
	})
}

// ipHash identifies a commenter's address for moderation without storing it.
func (s *Server) ipHash(ip string) string { return s.sign("ip", ip)[:16] }

// postComment handles POST /articles/:slug/comments.
func (s *Server) postComment(c echo.Context) error {
	ctx := c.Request().Context()
	if err := s.cop.Check(c.Request()); err != nil {
		return echo.NewHTTPError(http.StatusForbidden, "Cross-site requests are not allowed.")
	}
	st, err := s.store.StoryBySlug(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	rendered, ok := s.checkCommentToken(st.ID, c.FormValue("_csrf"))
	if !ok {
		return echo.NewHTTPError(http.StatusForbidden, "This form has expired or did not come from this site. Reload the story and try again.")
	}
	set, err := s.commentSettings(ctx)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	form := templates.CommentForm{Name: c.FormValue("name"), Email: c.FormValue("email"), Body: c.FormValue("body")}
	if !set.CommentsOpen(st, now) {
		form.Message = "Comments are closed on this story."
		return s.rejectComment(c, st, http.StatusForbidden, form)
	}
	ip := c.RealIP()
	switch {
	case c.FormValue("website") != "":
		// Only robots fill the field people cannot see.
		form.Message = "Your comment looks automated and was not sent."
		return s.rejectComment(c, st, http.StatusUnprocessableEntity, form)
	case now.Sub(rendered) < commentMinDelay:
		form.Message = "That was quick! Please take a moment and send your comment again."
		return s.rejectComment(c, st, http.StatusTooManyRequests, form)
	}
	// Take a slot from both limits in one step each, before writing, so
	// that simultaneous posts cannot all pass; give them back on failure.
	if ok, err := s.commentsByIP.take(ctx, ip, now, commentsPerIP); err != nil {
		return err
	} else if !ok {
		form.Message = "Too many comments in a short time. Please wait a few minutes and try again."
		return s.rejectComment(c, st, http.StatusTooManyRequests, form)
	}
	if ok, err := s.commentsByStory.take(ctx, st.Slug, now, commentsPerStory); err != nil || !ok {
		if rerr := s.commentsByIP.release(ctx, ip, now); err == nil {
			err = rerr
		}
		if err != nil {
			return err
		}
		form.Message = "Too many comments on this story just now. Please wait a minute and try again."
		return s.rejectComment(c, st, http.StatusTooManyRequests, form)
	}
	commenter := s.commenterID(c)
	cm := &news.Comment{StoryID: st.ID, Name: form.Name, Email: form.Email, Body: form.Body, IPHash: s.ipHash(ip),
		Commenter: auth.TokenID(commenter)}
	err = s.store.AddComment(ctx, cm, set.AutoApprove)
	if err != nil {
		for _, r := range []struct {
			l   *limiter
			key string
		}{{s.commentsByIP, ip}, {s.commentsByStory, st.Slug}} {
			if err := r.l.release(ctx, r.key, now); err != nil {
				s.log.Error("release comment slot", "err", err)
			}
		}
	}
	switch news.ErrorCode(err) {
	case "":
	case news.EINVALID:
		form.Errors = news.FieldErrors(err)
		form.Message = news.ErrorMessage(err)
		return s.rejectComment(c, st, http.StatusUnprocessableEntity, form)
	default:
		return err
	}
	s.setCommenterCookie(c, commenter)
	done := "pending"
	if cm.Status == news.CommentApproved {
		done = "published"
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/articles/%s?comment=%s#comments", st.Slug, done))
}

// rejectComment shows the article again with the reader's text kept and
// the reason next to the form.
func (s *Server) rejectComment(c echo.Context, st *news.Story, status int, form templates.CommentForm) error {
	v, err := s.articleView(c, st)
	if err != nil {
		return err
	}
	v.CommentForm.Name, v.CommentForm.Email, v.CommentForm.Body = form.Name, form.Email, form.Body
	v.CommentForm.Errors, v.CommentForm.Message = form.Errors, form.Message
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.render(c, status, templates.ArticlePage(v))
}
