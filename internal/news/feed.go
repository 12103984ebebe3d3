package news

import (
	"fmt"
	"strings"
	"time"
)

// Feed polling intervals.
const (
	DefaultFeedInterval = 15 * time.Minute
	MinFeedInterval     = 10 * time.Second
	MaxFeedInterval     = 7 * 24 * time.Hour
	// FeedFailingAfter is how long a feed may fail before the newsroom
	// flags it as failing.
	FeedFailingAfter = 24 * time.Hour
)

// Every prints a polling interval as people write it: 15m, 1h, 30s.
func Every(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Feed is a subscription: an RSS, Atom or JSON feed of a source that
// serve polls, and what the last fetches found.
type Feed struct {
	ID       int64
	Source   Source
	URL      string
	Interval time.Duration

	// Validators of the last version imported, sent back for a
	// conditional GET.
	ETag, LastModified string

	CreatedAt     time.Time
	LastFetchAt   time.Time // last attempt; zero when never fetched
	LastStatus    int       // HTTP status of the last attempt; 0 when no answer came
	LastError     string    // why the last attempt failed, in plain words; "" when it did not
	LastRejected  string    // entries and pictures the last import left out, and why
	LastSuccessAt time.Time
	Failures      int       // attempts failed in a row
	FailingSince  time.Time // first of the failures in a row; zero when the last attempt worked
	NextFetchAt   time.Time
	ItemsAdded    int // stories this feed has added in all
}

// Failing reports whether f has failed for FeedFailingAfter or longer.
func (f Feed) Failing(now time.Time) bool {
	return !f.FailingSince.IsZero() && now.Sub(f.FailingSince) >= FeedFailingAfter
}

// FeedCheck is the result of one fetch of a feed, as the store records it.
type FeedCheck struct {
	At     time.Time
	Status int    // HTTP status; 0 when no answer came
	Err    string // "" when the fetch and import worked
	// Rejected says which entries were left out, when others imported.
	Rejected string
	// ETag and LastModified of the version imported; both empty keeps the
	// stored ones (a 304, or a failure).
	ETag, LastModified string
	Added, Updated     int
	Next               time.Time
	Failed             bool // counts as a failure (backoff, failing flag)
}

// Validate checks f's source, URL and interval, returning an EINVALID
// *Error naming each bad field.
func (f *Feed) Validate() error {
	fields := map[string]string{}
	f.Source.Name = OneSpaced(f.Source.Name)
	f.URL = strings.TrimSpace(f.URL)
	if f.Source.Name == "" || len(f.Source.Name) > 60 || Slugify(f.Source.Name) == "" {
		fields["source"] = "Name the source: 1 to 60 characters with a letter or digit."
	}
	if !IsWebURL(f.URL) {
		fields["url"] = "The feed address must be an absolute http or https URL."
	}
	if f.Interval == 0 {
		f.Interval = DefaultFeedInterval
	}
	switch {
	case f.Interval < MinFeedInterval:
		fields["interval"] = fmt.Sprintf("Poll at most every %s.", MinFeedInterval)
	case f.Interval > MaxFeedInterval:
		fields["interval"] = "Poll at least once a week (168h)."
	}
	if len(fields) > 0 {
		e := Errorf(EINVALID, "The feed has %d problem(s).", len(fields))
		e.Fields = fields
		return e
	}
	return nil
}
