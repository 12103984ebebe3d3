package ingest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"unicode"

	"newsdesk/internal/news"
)

// BatchSize is how many stories one transaction writes.
const BatchSize = 500

// Store is where imported stories go.
type Store interface {
	UpsertStories(ctx context.Context, stories []*news.Story) ([]news.Outcome, error)
}

// Report counts what an import did and lists what it rejected.
type Report struct {
	Added, Updated, Duplicates int
	Rejected                   []Item // Pos and Err of each rejected item
}

func (r Report) String() string {
	return fmt.Sprintf("added %d, updated %d, duplicates %d, rejected %d",
		r.Added, r.Updated, r.Duplicates, len(r.Rejected))
}

// Read detects the format of r from its first non-blank character (NDJSON
// starts with "{", RSS and Atom with "<") and parses it.
func Read(r io.Reader, source string) ([]Item, error) {
	br := bufio.NewReader(r)
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
			return Feed(br, source)
		}
		return NDJSON(br, source)
	}
}

// Import reads stories from r and writes the valid ones to store in
// batches. Each batch is one transaction: an error leaves earlier batches
// written and the failing one not at all.
func Import(ctx context.Context, store Store, r io.Reader, source string) (Report, error) {
	var rep Report
	items, err := Read(r, source)
	if err != nil {
		return rep, err
	}
	var batch []*news.Story
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		outcomes, err := store.UpsertStories(ctx, batch)
		if err != nil {
			return err
		}
		for _, o := range outcomes {
			switch o {
			case news.Added:
				rep.Added++
			case news.Updated:
				rep.Updated++
			case news.Unchanged:
				rep.Duplicates++
			}
		}
		batch = batch[:0]
		return nil
	}
	for _, it := range items {
		if it.Err != nil {
			rep.Rejected = append(rep.Rejected, it)
			continue
		}
		batch = append(batch, it.Story)
		if len(batch) == BatchSize {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	return rep, flush()
}
