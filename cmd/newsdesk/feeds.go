package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"newsdesk/internal/news"
	"newsdesk/internal/poll"
)

const feedsUsage = `usage:
  newsdesk feeds add --source NAME [--every DURATION] [--allow-private-fetch] URL
  newsdesk feeds list
  newsdesk feeds remove ID`

// feedsCmd runs `newsdesk feeds add|list|remove`.
func feedsCmd(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	if len(args) == 0 {
		return 2, errors.New(feedsUsage)
	}
	switch args[0] {
	case "add":
		return exit(feedsAdd(ctx, args[1:], stdout))
	case "list":
		return exit(feedsList(ctx, args[1:], stdout))
	case "remove", "rm":
		return exit(feedsRemove(ctx, args[1:], stdout))
	}
	return 2, fmt.Errorf("unknown feeds command %q\n%s", args[0], feedsUsage)
}

// feedsAdd subscribes a source to a feed after one fetch shows it is one.
func feedsAdd(ctx context.Context, args []string, stdout io.Writer) error {
	fs, dbPath := newFlags("feeds add")
	source := fs.String("source", "", "the source (publisher) the feed's stories are shown under")
	every := fs.Duration("every", news.DefaultFeedInterval, "how often serve polls the feed (at least 10s)")
	allowPrivate := allowPrivateFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("feeds add: name one feed URL\n" + feedsUsage)
	}
	f := &news.Feed{Source: news.Source{Name: *source}, URL: fs.Arg(0), Interval: *every}
	if err := f.Validate(); err != nil {
		return fieldErrors(err, map[string]string{"source": "--source", "url": "URL", "interval": "--every"})
	}
	pr, err := poll.ProbeFeed(ctx, newFetcher(*allowPrivate), f.URL)
	if err != nil {
		return fmt.Errorf("cannot subscribe to %s: %w", f.URL, err)
	}
	db, err := openExistingDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CreateFeed(ctx, f); err != nil {
		return fieldErrors(err, map[string]string{"url": "URL"})
	}
	fmt.Fprintf(stdout, "feed %d: %s, every %s, %s\n", f.ID, f.URL, news.Every(f.Interval), pr.Found())
	return nil
}

// fieldErrors turns a validation error into one line per field, named as
// the command line names them.
func fieldErrors(err error, names map[string]string) error {
	fields := news.FieldErrors(err)
	if fields == nil {
		return err
	}
	var errs []error
	for _, k := range []string{"source", "url", "interval"} {
		if m, ok := fields[k]; ok {
			errs = append(errs, fmt.Errorf("%s: %s", names[k], m))
		}
	}
	return errors.Join(errs...)
}

// feedsList prints every feed with what its last fetch found.
func feedsList(ctx context.Context, args []string, stdout io.Writer) error {
	fs, dbPath := newFlags("feeds list")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openExistingDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	feeds, err := db.Feeds(ctx)
	if err != nil {
		return err
	}
	if len(feeds) == 0 {
		fmt.Fprintln(stdout, "no feeds; add one with: newsdesk feeds add --source NAME URL")
		return nil
	}
	now := time.Now()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSOURCE\tURL\tEVERY\tLAST FETCH\tLAST STATUS\tNEXT FETCH\tADDED")
	for _, f := range feeds {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", f.ID, f.Source.Name, f.URL, news.Every(f.Interval),
			when(f.LastFetchAt), lastStatus(f, now), when(f.NextFetchAt), f.ItemsAdded)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, f := range feeds {
		if f.LastError != "" {
			fmt.Fprintf(stdout, "feed %d: %s\n", f.ID, f.LastError)
		} else if f.LastRejected != "" {
			fmt.Fprintf(stdout, "feed %d: %s\n", f.ID, f.LastRejected)
		}
	}
	return nil
}

// lastStatus is the LAST STATUS column: the HTTP status, "error" when no
// answer came, "failing" after a day of failures, "-" before any fetch.
func lastStatus(f news.Feed, now time.Time) string {
	s := "-"
	switch {
	case f.LastStatus != 0:
		s = strconv.Itoa(f.LastStatus)
	case f.LastError != "":
		s = "error"
	}
	if f.Failing(now) {
		s += " (failing since " + when(f.FailingSince) + ")"
	}
	return s
}

func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// feedsRemove stops polling a feed; its stories stay.
func feedsRemove(ctx context.Context, args []string, stdout io.Writer) error {
	fs, dbPath := newFlags("feeds remove")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("feeds remove: name one feed id (see newsdesk feeds list)")
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("feeds remove: %q is not a feed id (see newsdesk feeds list)", fs.Arg(0))
	}
	db, err := openExistingDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.DeleteFeed(ctx, id); news.ErrorCode(err) == news.ENOTFOUND {
		return errors.New(news.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "feed %d removed; its stories stay\n", id)
	return nil
}
