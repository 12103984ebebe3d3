package ingest

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
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
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		c, _, err := br.ReadRune()
		if err == io.EOF {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		if unicode.IsSpace(c) || c == '\uFEFF' {
			continue
		}
		if err := br.UnreadRune(); err != nil {
			return nil, err
		}
		if c == '<' {
			return Feed(br, source, base)
		}
		if head, _ := br.Peek(jsonFeedPeek); c == '{' && bytes.Contains(head, []byte("jsonfeed.org/version")) {
			return Feed(br, source, base)
		}
		return NDJSON(br, source)
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
}

// Import reads stories from r and writes the valid ones to store in
// batches. Each batch is one transaction: an error leaves earlier batches
// written and the failing one not at all.
func Import(ctx context.Context, store Store, r io.Reader, source string) (Report, error) {
	return ImportWith(ctx, store, r, Options{Source: source})
}

// ImportWith is Import with Options.
func ImportWith(ctx context.Context, store Store, r io.Reader, o Options) (Report, error) {
	var rep Report
	items, err := Read(r, o.Source, o.Base)
	if err != nil {
		return rep, err
	}
	size := BatchSize
	if o.Whole {
		size = len(items)
	}
	var batch []*news.Story
	var from []Item // the item each story in batch came from
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
		outcomes, err := store.UpsertStories(ctx, batch)
		if err != nil {
			return err
		}
		for i, o := range outcomes {
			switch o {
			case news.Added:
				rep.Added++
				if batch[i].Copy {
					rep.Copies++
				}
			case news.Updated:
				rep.Updated++
			case news.Unchanged:
				rep.Duplicates++
			}
		}
		batch, from = batch[:0], from[:0]
		return nil
	}
	for _, it := range items {
		if it.Err != nil {
			rep.Rejected = append(rep.Rejected, it)
			continue
		}
		if it.Story.Source.Name == "" {
			it.Story.Source.Name = cmp.Or(o.SiteName, DefaultSiteName)
		}
		batch = append(batch, it.Story)
		from = append(from, it)
		if len(batch) == size {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	return rep, flush()
}
