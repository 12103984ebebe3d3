// Package templates holds every HTML component of the site, written in
// templ. Pages take domain values; request-wide facts (the clock, the
// site's name and asset URLs) come through the context as an Env.
package templates

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Env is what every component may need to know about the request.
type Env struct {
	Now      time.Time
	SiteName string
	BaseURL  string // absolute, without trailing slash
	Asset    func(name string) string
	CSRF     string
	// Location is the newsroom's time zone: every date and time the
	// site shows is in it. Nil means UTC.
	Location *time.Location
	// Fresh, when set, learns until when the page reads as rendered.
	Fresh *Fresh
}

// Fresh learns, while a page renders, until when it reads the same: the
// first moment one of its relative times ("5 minutes ago", "yesterday")
// would read differently. The render cache keeps the page no longer.
type Fresh struct{ until time.Time }

// Note says that the page reads differently from t on.
func (f *Fresh) Note(t time.Time) {
	if f != nil && (f.until.IsZero() || t.Before(f.until)) {
		f.until = t
	}
}

// Until returns the earliest moment noted; zero when none was.
func (f *Fresh) Until() time.Time {
	if f == nil {
		return time.Time{}
	}
	return f.until
}

// ago is Ago(t, e.Now), noting when it will read differently.
func (e Env) ago(t time.Time) string {
	e.Fresh.Note(AgoChanges(t, e.Now))
	return Ago(t, e.Now)
}

// updated is updatedAt in the newsroom's zone, noting when it will read
// differently: at the next midnight there.
func (e Env) updated(t time.Time) string {
	now := e.localNow()
	e.Fresh.Note(nextMidnight(now))
	return updatedAt(t, now)
}

// LongDate is t as a date and time in the newsroom's zone, which it names.
func (e Env) LongDate(t time.Time) string {
	return t.In(cmp.Or(e.Location, time.UTC)).Format("2 January 2006, 15:04 MST")
}

// localNow is the time now in the newsroom's zone.
func (e Env) localNow() time.Time { return e.Now.In(cmp.Or(e.Location, time.UTC)) }

// Zone is the name of the newsroom's time zone, for labels.
func (e Env) Zone() string { return cmp.Or(e.Location, time.UTC).String() }

type envKey struct{}

// WithEnv returns ctx carrying env.
func WithEnv(ctx context.Context, env Env) context.Context {
	return context.WithValue(ctx, envKey{}, env)
}

func envOf(ctx context.Context) Env {
	env, _ := ctx.Value(envKey{}).(Env)
	if env.Now.IsZero() {
		env.Now = time.Now()
	}
	if env.SiteName == "" {
		env.SiteName = "Newsdesk"
	}
	if env.Asset == nil {
		env.Asset = func(name string) string { return "/static/" + name }
	}
	return env
}

// Ago describes t relative to now as a reader would say it: "just now",
// "5 minutes ago", "2 hours ago", "yesterday", "3 days ago", then a date.
func Ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0:
		// A clock a little ahead of ours; never "in 3 seconds".
		if d > -time.Minute {
			return "just now"
		}
		return t.Format("2 January 2006")
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	}
	days := calendarDays(t, now)
	switch {
	case days <= 1:
		return "yesterday"
	case days < 7:
		return strconv.Itoa(days) + " days ago"
	case t.Year() == now.Year():
		return t.Format("2 January")
	}
	return t.Format("2 January 2006")
}

// AgoChanges returns the first moment after now at which Ago(t, …) may
// read differently from Ago(t, now): until then, it reads the same.
func AgoChanges(t, now time.Time) time.Time {
	d := now.Sub(t)
	switch {
	case d <= -time.Minute:
		return t.Add(-time.Minute + 1) // the date, then "just now"
	case d < time.Minute:
		return t.Add(time.Minute)
	case d < time.Hour:
		return t.Add((d/time.Minute + 1) * time.Minute)
	case d < 24*time.Hour:
		return t.Add((d/time.Hour + 1) * time.Hour)
	}
	return nextMidnight(now) // days ago, and dates, change at midnight
}

// nextMidnight is the start of the day after now's, in now's zone.
func nextMidnight(now time.Time) time.Time {
	y, m, d := now.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, now.Location())
}

// calendarDays counts the midnights between t and now (in now's zone).
func calendarDays(t, now time.Time) int {
	t = t.In(now.Location())
	a := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	b := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a) / (24 * time.Hour))
}

// plural is n and unit, in the plural unless n is 1: "1 story",
// "2 stories", "3 comments".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	if strings.HasSuffix(unit, "y") && !strings.ContainsAny(unit[len(unit)-2:len(unit)-1], "aeiou") {
		return fmt.Sprintf("%d %sies", n, unit[:len(unit)-1])
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// pageURL returns base with ?page=n, or base alone for the first page.
func pageURL(base string, n int) string {
	if n <= 1 {
		return base
	}
	sep := "?"
	for i := 0; i < len(base); i++ {
		if base[i] == '?' {
			sep = "&"
		}
	}
	return base + sep + "page=" + strconv.Itoa(n)
}

func urlQuery(s string) string { return url.QueryEscape(s) }
