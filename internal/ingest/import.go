package ingest

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"unicode"

	"newsdesk/internal/news"
)

// jsonFeedPeek is how far into a JSON document Read looks for a JSON Feed
// version, which feeds put first or near it.
const jsonFeedPeek = 4096

// BatchSize is how many stories one transaction writes.
const BatchSize = 500

// Store is where imported stories go.
type Store interface {
	UpsertStories(ctx context.Context, stories []*news.Story) ([]news.Outcome, error)
}

// Preparer is a Store that readies each batch before writing it, outside
// the write transaction: desk.Desk fetches and resizes the pictures
// the stories name. The problems it returns (one per story, nil for none)
// are reported; the stories are written all the same.
type Preparer interface {
	PrepareStories(ctx context.Context, stories []*news.Story) []error
}

// Report counts what an import did and lists what it rejected.
type Report struct {
	Added, Updated, Duplicates int
	Copies                     int    // of the added: copies of stories stored before (joined their cluster)
	Rejected                   []Item // Pos and Err of each rejected item
	// Pictures lists the items written without the picture they named,
	// and why (a failed fetch, a file that is no picture).
	Pictures []Item
}

// String is the one-line summary: "added 50 (48 copies of existing
// stories), updated 0, duplicates 0, rejected 0". The copies are named
// only when there are some; the four counters always read the same way.
func (r Report) String() string {
	copies := ""
	if r.Copies > 0 {
		copies = fmt.Sprintf(" (%d %s of existing stories)", r.Copies, map[bool]string{true: "copy", false: "copies"}[r.Copies == 1])
	}
	return fmt.Sprintf("added %d%s, updated %d, duplicates %d, rejected %d",
		r.Added, copies, r.Updated, r.Duplicates, len(r.Rejected))
}

// Read detects the format of r and parses it: RSS and Atom start with "<";
// a JSON Feed is a JSON object that names its version
// (https://jsonfeed.org/version/…) near the start; anything else is
// NDJSON. base is the URL r came from, or "".
func Read(r io.Reader, source, base string) ([]Item, error) {
	var items []Item
	err := Each(r, source, base, func(it Item) error {
		items = append(items, it)
		return nil
	})
	return items, err
}

// Each is Read handing each item to fn in order as it is read: NDJSON is
// read a line at a time, so a large file is never held in memory whole (a
// feed, at most MaxFeedBytes, is parsed whole). An error from fn stops it.
func Each(r io.Reader, source, base string, fn func(Item) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		c, _, err := br.ReadRune()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if unicode.IsSpace(c) || c == '\uFEFF' {
			continue
		}
		if err := br.UnreadRune(); err != nil {
			return err
		}
		feed := c == '<'
		if head, _ := br.Peek(jsonFeedPeek); c == '{' && bytes.Contains(head, []byte("jsonfeed.org/version")) {
			feed = true
		}
		if !feed {
			return eachNDJSON(br, source, fn)
		}
		items, err := Feed(br, source, base)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		return nil
	}
}

// Options say where a document came from and how to write it.
type Options struct {
	Source string // publisher of items that name none (default: the feed's title, else SiteName)
	// SiteName is the publisher of items nothing else names: the site's
	// own name (default DefaultSiteName).
	SiteName string
	Base     string // the URL the document was fetched from, for relative links
	// Whole writes every valid item in one transaction, so an import is
	// all or nothing (a polled feed is never left half-imported); otherwise
	// items are written BatchSize at a time.
	Whole bool
	// Progress, when set, is called after each batch is written with the
	// report so far.
	Progress func(Report)
}

// Starter is a Store that can derive one batch while it writes the one
// before: StartStories begins deriving and returns the function that
// writes (UpsertStories is StartStories' function called at once). The
// functions are called in the order the batches were started.
type Starter interface {
	StartStories(ctx context.Context, stories []*news.Story) func() ([]news.Outcome, error)
}

// Import reads stories from r and writes the valid ones to store in
// batches. Each batch is one transaction: an error leaves earlier batches
// written and the failing one not at all.
func Import(ctx context.Context, store Store, r io.Reader, source string) (Report, error) {
	return ImportWith(ctx, store, r, Options{Source: source})
}

// ImportWith is Import with Options. Items are read and parsed up to a
// batch ahead; with a Starter store one batch is derived while the batch
// before it is written, so at most three batches are held at a time.
func ImportWith(ctx context.Context, store Store, r io.Reader, o Options) (Report, error) {
	var rep Report
	size := BatchSize
	if o.Whole {
		size = math.MaxInt
	}
	var batch []*news.Story
	var from []Item          // the item each story in batch came from
	var pending func() error // writes the batch started before
	start := func(batch []*news.Story) func() ([]news.Outcome, error) {
		if s, ok := store.(Starter); ok {
			return s.StartStories(ctx, batch)
		}
		return func() ([]news.Outcome, error) { return store.UpsertStories(ctx, batch) }
	}
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if p, ok := store.(Preparer); ok {
			for i, err := range p.PrepareStories(ctx, batch) {
				if err != nil {
					rep.Pictures = append(rep.Pictures, Item{Pos: from[i].Pos, Unit: from[i].Unit, Err: err})
				}
			}
		}
		write, written := start(batch), batch
		prev := pending
		pending = func() error {
			outcomes, err := write()
			if err != nil {
				return err
			}
			for i, o := range outcomes {
				switch o {
				case news.Added:
					rep.Added++
					if written[i].Copy {
						rep.Copies++
					}
				case news.Updated:
					rep.Updated++
				case news.Unchanged:
					rep.Duplicates++
				}
			}
			if o.Progress != nil {
				o.Progress(rep)
			}
			return nil
		}
		batch, from = nil, nil
		if prev != nil {
			return prev()
		}
		return nil
	}
	err := eachAhead(r, o.Source, o.Base, BatchSize, func(it Item) error {
		if it.Err != nil {
			rep.Rejected = append(rep.Rejected, it)
			return nil
		}
		if it.Story.Source.Name == "" {
			it.Story.Source.Name = cmp.Or(o.SiteName, DefaultSiteName)
		}
		batch = append(batch, it.Story)
		from = append(from, it)
		if len(batch) == size {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if pending != nil {
		// The batch started last is written even when reading failed
		// after it, as earlier batches are.
		if perr := pending(); err == nil {
			err = perr
		}
	}
	return rep, err
}

// eachAhead is Each reading and parsing on a goroutine of its own, up to
// ahead items before fn: an import parses the next batch while it writes
// one. When fn fails it returns at once; the reader stops after the item
// it is reading.
func eachAhead(r io.Reader, source, base string, ahead int, fn func(Item) error) error {
	items := make(chan Item, ahead)
	stop := make(chan struct{})
	defer close(stop)
	read := make(chan error, 1)
	go func() {
		defer close(items)
		read <- Each(r, source, base, func(it Item) error {
			select {
			case <-stop: // before a send that may also be ready
				return errStopped
			default:
			}
			select {
			case <-stop:
				return errStopped
			case items <- it:
				return nil
			}
		})
	}()
	for it := range items {
		if err := fn(it); err != nil {
			return err
		}
	}
	return <-read
}

// errStopped ends a read whose items are no longer wanted.
var errStopped = errors.New("stopped")
