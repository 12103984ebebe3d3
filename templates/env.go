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
