package web

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"newsdesk/internal/markdown"
	"newsdesk/internal/media"
	"newsdesk/internal/news"
	"newsdesk/internal/summary"
	"newsdesk/templates"
)

// formTime is how the editor's publish-time field is written, in the
// newsroom's time zone.
const formTime = "2006-01-02T15:04"

const adminPageSize = 50

// nav is the newsroom's header. The pending-comments badge is a
// convenience: when it cannot be counted the page still renders, without
// it, and the failure is logged.
func (s *Server) nav(c echo.Context) templates.AdminNav {
	n := templates.AdminNav{User: currentUser(c)}
	cnt, err := s.store.PendingComments(c.Request().Context())
	if err != nil {
		s.log.Error("count pending comments", slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)), slog.Any("err", err))
	}
	n.PendingReviews = cnt
	return n
}

func storyID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound, "No such story.")
	}
	return id, nil
}

// listStories handles GET /admin/stories.
func (s *Server) listStories(c echo.Context) error {
	ctx := c.Request().Context()
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	v := templates.AdminStoriesView{
		Nav: s.nav(c), Query: c.QueryParam("q"), Status: c.QueryParam("status"),
		Section: c.QueryParam("section"), Trash: c.QueryParam("trash") == "1", Page: page,
		Flash: flash(c), Sort: c.QueryParam("sort"),
	}
	if !slices.Contains(news.AdminSorts, v.Sort) {
		v.Sort = news.AdminSorts[0]
	}
	f := news.AdminFilter{Query: news.ParseQuery(v.Query), Status: v.Status, SectionSlug: v.Section, Trash: v.Trash,
		Sort: v.Sort, Page: news.Page{Number: page, Size: adminPageSize}}
	if v.Stories, v.Total, err = s.store.AdminStories(ctx, f); err != nil {
		return err
	}
	v.More = page*adminPageSize < v.Total
	if v.Sections, err = s.store.AllSections(ctx); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.AdminStoriesPage(v))
}

// flash returns the message a redirect left in ?done=.
func flash(c echo.Context) string {
	switch c.QueryParam("done") {
	case "saved":
		return "Saved."
	case "created":
		return "Story created."
	case "trashed":
		return "Story moved to the trash."
	case "restored":
		return "Story restored."
	case "emptied":
		return "Trash emptied."
	case "renamed":
		return "Renamed."
	case "merged":
		return "Tags merged."
	case "deleted":
		return "Deleted."
	case "added":
		return "Added."
	case "user":
		return "User saved."
	case "moderated":
		return "Comments updated."
	case "settings":
		return "Settings saved."
	case "password":
		return "Password changed. Other sessions were logged out."
	}
	return ""
}

func (s *Server) storyForm(c echo.Context, f templates.StoryForm) (templates.StoryForm, error) {
	var err error
	f.Nav = s.nav(c)
	f.Sections, err = s.store.AllSections(c.Request().Context())
	if f.Body != "" {
		f.Suggestions = summary.Keywords(f.Title, markdown.Text(f.Body), 6)
	}
	return f, err
}

// newStory handles GET /admin/stories/new.
func (s *Server) newStory(c echo.Context) error {
	f, err := s.storyForm(c, templates.StoryForm{
		Source: s.cfg.SiteName, Author: currentUser(c).Name, Status: news.StatusDraft,
		PublishedAt: s.cfg.Now().In(s.location(c.Request().Context())).Format(formTime),
	})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.StoryFormPage(f))
}

// editStory handles GET /admin/stories/:id.
func (s *Server) editStory(c echo.Context) error {
	id, err := storyID(c)
	if err != nil {
		return err
	}
	st, err := s.store.StoryByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	f := formFromStory(st, s.location(c.Request().Context()))
	f.Flash = flash(c)
	if f, err = s.storyForm(c, f); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.StoryFormPage(f))
}

func formFromStory(st *news.Story, loc *time.Location) templates.StoryForm {
	tags := make([]string, len(st.Tags))
	for i, t := range st.Tags {
		tags[i] = t.Name
	}
	return templates.StoryForm{
		ID: st.ID, Revision: st.Revision, Title: st.Title, Slug: st.Slug, Summary: st.Summary, Body: st.Body,
		Source: st.Source.Name, URL: st.URL, Author: st.Author, Dateline: st.Dateline, Section: st.Section.Name,
		Tags: strings.Join(tags, ", "), ImageURL: st.ImageURL, ImageAlt: st.ImageAlt,
		Image: st.Image, ImageSource: st.ImageURL, ImageCaption: st.ImageCaption, ImageCredit: st.ImageCredit,
		PublishedAt: st.PublishedAt.In(loc).Format(formTime), Status: st.Status, CommentsClosed: st.CommentsClosed,
	}
}

// bindStory reads the story form as typed, and the story it describes.
// Errors found here (an unknown section, an unreadable time) are merged
// with Validate's.
func (s *Server) bindStory(c echo.Context) (templates.StoryForm, *news.Story, map[string]string, error) {
	f := templates.StoryForm{
		Title: c.FormValue("title"), Slug: strings.TrimSpace(c.FormValue("slug")), Summary: c.FormValue("summary"),
		Body: c.FormValue("body"), Source: strings.TrimSpace(c.FormValue("source")), URL: strings.TrimSpace(c.FormValue("url")),
		Author: strings.TrimSpace(c.FormValue("author")), Dateline: strings.TrimSpace(c.FormValue("dateline")),
		Section: c.FormValue("section"), Tags: c.FormValue("tags"), ImageURL: strings.TrimSpace(c.FormValue("image_url")),
		ImageAlt: strings.TrimSpace(c.FormValue("image_alt")), PublishedAt: strings.TrimSpace(c.FormValue("published_at")),
		Status: c.FormValue("status"), CommentsClosed: c.FormValue("comments_closed") == "1",
		ImageCaption: strings.TrimSpace(c.FormValue("image_caption")), ImageCredit: strings.TrimSpace(c.FormValue("image_credit")),
	}
	f.Revision, _ = strconv.Atoi(c.FormValue("revision"))
	errs := map[string]string{}
	st := &news.Story{
		Title: f.Title, Slug: f.Slug, Summary: strings.TrimSpace(f.Summary), Body: f.Body,
		Source: news.Source{Name: f.Source}, URL: f.URL, Author: f.Author, Dateline: f.Dateline,
		Tags: news.NewTags(strings.Split(f.Tags, ",")), ImageURL: f.ImageURL, ImageAlt: f.ImageAlt, Status: f.Status,
		CommentsClosed: f.CommentsClosed, ImageCaption: f.ImageCaption, ImageCredit: f.ImageCredit,
	}
	if err := s.bindImage(c, &f, st, errs); err != nil {
		return f, nil, nil, err
	}
	if st.Source.Name == "" {
		st.Source.Name = s.cfg.SiteName
	}
	if f.Section != "" {
		sections, err := s.store.AllSections(c.Request().Context())
		if err != nil {
			return f, nil, nil, err
		}
		if !news.HasSection(sections, f.Section) {
			errs["section"] = "Choose one of the site's sections."
		}
		st.Section.Name = f.Section
	}
	if f.PublishedAt != "" {
		loc := s.location(c.Request().Context())
		t, err := time.ParseInLocation(formTime, f.PublishedAt, loc)
		if err != nil {
			t, err = time.Parse(time.RFC3339, f.PublishedAt)
		}
		if err != nil {
			errs["published_at"] = "Enter the time as YYYY-MM-DDTHH:MM (" + loc.String() + ")."
		}
		st.PublishedAt = t.UTC()
	} else {
		st.PublishedAt = s.cfg.Now().UTC().Truncate(time.Minute)
	}
	if err := st.Validate(); err != nil {
		if st.Image.ID != "" && f.ImageAlt == "" && errs["image"] == "" {
			delete(errs, "image_alt") // Validate's message below says it
		}
		for k, v := range news.FieldErrors(err) {
			if _, ok := errs[k]; !ok {
				errs[k] = v
			}
		}
	}
	return f, st, errs, nil
}

// createStory handles POST /admin/stories.
func (s *Server) createStory(c echo.Context) error {
	f, st, errs, err := s.bindStory(c)
	if err != nil {
		return err
	}
	if len(errs) == 0 {
		err = s.store.CreateStory(c.Request().Context(), st, currentUser(c).ID)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/admin/stories/"+strconv.FormatInt(st.ID, 10)+"?done=created")
		}
	}
	return s.rejectStory(c, f, errs, err)
}

// updateStory handles POST /admin/stories/:id.
func (s *Server) updateStory(c echo.Context) error {
	id, err := storyID(c)
	if err != nil {
		return err
	}
	f, st, errs, err := s.bindStory(c)
	if err != nil {
		return err
	}
	f.ID, st.ID = id, id
	if len(errs) == 0 {
		err = s.store.UpdateStory(c.Request().Context(), st, f.Revision, currentUser(c).ID)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/admin/stories/"+strconv.FormatInt(id, 10)+"?done=saved")
		}
	}
	return s.rejectStory(c, f, errs, err)
}

// rejectStory re-renders the form with everything typed kept: 422 for
// field errors, 409 for an edit conflict.
func (s *Server) rejectStory(c echo.Context, f templates.StoryForm, errs map[string]string, err error) error {
	status := http.StatusUnprocessableEntity
	switch news.ErrorCode(err) {
	case "":
	case news.EINVALID:
		for k, v := range news.FieldErrors(err) {
			errs[k] = v
		}
	case news.ECONFLICT:
		status = http.StatusConflict
		f.Message = news.ErrorMessage(err)
	default:
		return err
	}
	f.Errors = errs
	f, ferr := s.storyForm(c, f)
	if ferr != nil {
		return ferr
	}
	return s.render(c, status, templates.StoryFormPage(f))
}

// previewForm handles POST /admin/stories/preview: the story as typed in
// the editor, saved or not, shown as readers would see it, with nothing
// written. With back=1 it returns the same values to the editor.
func (s *Server) previewForm(c echo.Context) error {
	f, st, errs, err := s.bindStory(c)
	if err != nil {
		return err
	}
	f.ID, _ = strconv.ParseInt(c.FormValue("id"), 10, 64)
	if c.FormValue("back") == "1" {
		f, err := s.storyForm(c, f)
		if err != nil {
			return err
		}
		return s.render(c, http.StatusOK, templates.StoryFormPage(f))
	}
	if len(errs) > 0 {
		f.Message = "The preview needs the fields marked below corrected first."
		return s.rejectStory(c, f, errs, nil)
	}
	st.ID = f.ID
	summary.Derive(st)
	if st.Slug == "" {
		st.Slug = news.Slugify(st.Title)
	}
	st.Source.Slug = news.Slugify(st.Source.Name)
	st.Section.Slug = news.Slugify(st.Section.Name)
	st.UpdatedAt = st.PublishedAt
	v := templates.ArticleView{Story: st, Preview: &f}
	if v.Sections, err = s.navSections(c.Request().Context()); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.ArticlePage(v))
}

// previewStory handles GET /admin/stories/:id/preview: the exact reader
// page, for a story in any state.
func (s *Server) previewStory(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := storyID(c)
	if err != nil {
		return err
	}
	st, err := s.store.StoryByID(ctx, id)
	if err != nil {
		return err
	}
	v, err := s.articleView(c, st)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.ArticlePage(v))
}

// listRevisions handles GET /admin/stories/:id/revisions[/:rev].
func (s *Server) listRevisions(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := storyID(c)
	if err != nil {
		return err
	}
	st, err := s.store.StoryByID(ctx, id)
	if err != nil {
		return err
	}
	v := templates.RevisionsView{Nav: s.nav(c), Story: st}
	if v.Revisions, err = s.store.Revisions(ctx, id); err != nil {
		return err
	}
	if n := c.Param("rev"); n != "" {
		num, err := strconv.Atoi(n)
		if err != nil {
			return echo.ErrNotFound
		}
		r, err := s.store.Revision(ctx, id, num)
		if err != nil {
			return err
		}
		v.Shown = &r
	}
	return s.render(c, http.StatusOK, templates.RevisionsPage(v))
}

// restoreRevision handles POST /admin/stories/:id/revisions/:rev/restore:
// the old version is saved again as the newest revision.
func (s *Server) restoreRevision(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := storyID(c)
	if err != nil {
		return err
	}
	num, err := strconv.Atoi(c.Param("rev"))
	if err != nil {
		return echo.ErrNotFound
	}
	cur, err := s.store.StoryByID(ctx, id)
	if err != nil {
		return err
	}
	r, err := s.store.Revision(ctx, id, num)
	if err != nil {
		return err
	}
	old := r.Story
	old.ID = id
	// Whether comments are open is the story's current state, not part of
	// its text: restoring an old text must not reopen closed comments.
	old.CommentsClosed = cur.CommentsClosed
	if err := s.store.UpdateStory(ctx, &old, cur.Revision, currentUser(c).ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/stories/"+strconv.FormatInt(id, 10)+"?done=restored")
}

// trashStory handles POST /admin/stories/:id/trash.
func (s *Server) trashStory(c echo.Context) error {
	id, err := storyID(c)
	if err != nil {
		return err
	}
	if err := s.store.TrashStory(c.Request().Context(), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/stories?done=trashed")
}

// restoreStory handles POST /admin/stories/:id/restore.
func (s *Server) restoreStory(c echo.Context) error {
	id, err := storyID(c)
	if err != nil {
		return err
	}
	if err := s.store.RestoreStory(c.Request().Context(), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/stories/"+strconv.FormatInt(id, 10)+"?done=restored")
}

// confirmEmptyTrash handles GET /admin/trash/empty: the question before
// the trash is emptied.
func (s *Server) confirmEmptyTrash(c echo.Context) error {
	_, n, err := s.store.AdminStories(c.Request().Context(), news.AdminFilter{Trash: true, Page: news.Page{Number: 1, Size: 1}})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.EmptyTrashPage(s.nav(c), n))
}

// emptyTrash handles POST /admin/trash/empty, from the confirmation page.
func (s *Server) emptyTrash(c echo.Context) error {
	if c.FormValue("confirm") != "yes" {
		return c.Redirect(http.StatusSeeOther, "/admin/trash/empty")
	}
	if _, err := s.store.EmptyTrash(c.Request().Context()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/stories?trash=1&done=emptied")
}

// bindImage settles the story's picture from the form: an uploaded file
// (made into a picture at once, so a rejected save keeps it and the
// editor need not send it again), else a URL to fetch, else the picture
// the form already shows, unless it is to be removed. A picture that
// cannot be had is a field error; nothing else typed is lost.
func (s *Server) bindImage(c echo.Context, f *templates.StoryForm, st *news.Story, errs map[string]string) error {
	ctx := c.Request().Context()
	if id := c.FormValue("image_id"); validImageID(id) && c.FormValue("remove_image") != "1" {
		if im, err := s.store.Image(ctx, id); err == nil {
			f.Image, f.ImageSource = im, strings.TrimSpace(c.FormValue("image_source"))
		} else if news.ErrorCode(err) != news.ENOTFOUND {
			return err
		}
	}
	if fh, err := c.FormFile("image"); err == nil && fh.Size > 0 {
		if fh.Size > media.MaxBytes {
			errs["image"] = fmt.Sprintf("The picture is %.1f MB; the limit is %d MB.", float64(fh.Size)/(1<<20), media.MaxBytes>>20)
			return nil
		}
		file, err := fh.Open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(io.LimitReader(file, media.MaxBytes+1))
		file.Close()
		if err != nil {
			return err
		}
		im, err := s.pics.Save(ctx, data)
		if err != nil {
			if errors.As(err, new(*media.Error)) {
				errs["image"] = media.Reason(err)
				return nil
			}
			return err
		}
		// An upload replaces a picture fetched from a URL.
		f.Image, f.ImageSource, f.ImageURL, st.ImageURL = im, "", "", ""
	} else if f.ImageURL != "" && f.ImageURL != f.ImageSource && news.IsWebURL(f.ImageURL) {
		probe := &news.Story{ImageURL: f.ImageURL}
		if problems := s.pics.Attach(ctx, []*news.Story{probe}); problems[0] != nil {
			errs["image_url"] = media.Reason(problems[0])
			f.Image, f.ImageSource = news.Image{}, ""
			return nil
		}
		f.Image, f.ImageSource = probe.Image, f.ImageURL
	} else if f.ImageURL == "" && f.ImageSource != "" {
		// The URL was cleared: so is the picture fetched from it.
		f.Image, f.ImageSource = news.Image{}, ""
	}
	st.Image = f.Image
	return nil
}

// validImageID reports whether id looks like a picture's content hash.
func validImageID(id string) bool {
	return len(id) == 32 && strings.Trim(id, "0123456789abcdef") == ""
}
