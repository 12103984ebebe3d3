package templates

import (
	"net/url"
	"strings"
	"time"

	"newsdesk/internal/news"
)

// Aggregated reports whether s is a copy of another site's story carried
// here: it links to an original elsewhere and is not the site's own (a
// story with no original URL, one the site's name publishes, or one whose
// URL is on the site itself).
func Aggregated(s *news.Story, env Env) bool {
	if s.URL == "" || s.Source.Name == env.SiteName {
		return false
	}
	u, err := url.Parse(s.URL)
	if err != nil || u.Host == "" {
		return false
	}
	if base, err := url.Parse(env.BaseURL); err == nil && strings.EqualFold(u.Hostname(), base.Hostname()) {
		return false
	}
	return true
}

// excerptOnly reports whether an aggregated story looks like the summary a
// feed gives rather than the whole story: a minute's reading or less.
func excerptOnly(s *news.Story) bool { return s.ReadingMinutes <= 1 }

// canonicalURL is the page's canonical link: an aggregated copy points at
// its original, every other page at itself.
func (m Meta) canonicalURL(env Env) string {
	if s := m.Article; s != nil && Aggregated(s, env) {
		return s.URL
	}
	return env.BaseURL + m.Path
}

// updatedAt is when readers last saw s change, in the page's time zone:
// "10:42" today, "15 March, 10:42" on another day, with the year when it
// is not this one.
func updatedAt(t, now time.Time) string {
	t = t.In(now.Location())
	switch {
	case calendarDays(t, now) == 0:
		return t.Format("15:04")
	case t.Year() == now.Year():
		return t.Format("2 January, 15:04")
	}
	return t.Format("2 January 2006, 15:04")
}

// lastChange is when a story's text last changed: the revision time a
// feed update or an edit recorded, else its last write.
func lastChange(s *news.Story) time.Time {
	if !s.RevisedAt.IsZero() {
		return s.RevisedAt
	}
	return s.UpdatedAt
}
