// Package ingest reads stories from wire feeds: NDJSON, RSS 2.0 and Atom 1.0.
package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"newsdesk/internal/news"
)

// MaxLine is the longest NDJSON line accepted.
const MaxLine = 1 << 20

// Item is one story read from a feed, or the reason it was rejected.
type Item struct {
	Pos   int    // line number (NDJSON) or entry number (RSS, Atom), from 1
	Unit  string // "line" or "entry": what Pos counts
	Story *news.Story
	Err   error
}

// record is one NDJSON line as SPEC §2 defines it.
type record struct {
	Title       string   `json:"title"`
	Body        string   `json:"body"`
	PublishedAt string   `json:"published_at"`
	Source      string   `json:"source"`
	URL         string   `json:"url"`
	Summary     string   `json:"summary"`
	Author      string   `json:"author"`
	Dateline    string   `json:"dateline"`
	Section     string   `json:"section"`
	Tags        []string `json:"tags"`
	ImageURL    string   `json:"image_url"`
	ImageAlt    string   `json:"image_alt"`
	ImageCap    string   `json:"image_caption"`
	ImageCredit string   `json:"image_credit"`
}

// NDJSON reads one story per line from r. Blank lines are skipped; a bad
// line yields an Item with its error and reading goes on.
func NDJSON(r io.Reader, source string) ([]Item, error) {
	var items []Item
	err := eachNDJSON(r, source, func(it Item) error {
		items = append(items, it)
		return nil
	})
	return items, err
}

// eachNDJSON is NDJSON handing each item to fn as it is read, so that a
// large file is never held in memory whole. An error from fn stops it.
func eachNDJSON(r io.Reader, source string, fn func(Item) error) error {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	var buf []byte
	for n := 1; ; n++ {
		line, long, err := readLine(br, &buf)
		if err == io.EOF && len(line) == 0 && !long {
			return nil
		} else if err != nil && err != io.EOF {
			return fmt.Errorf("read line %d: %w", n, err)
		}
		switch {
		case long:
			if err := fn(Item{Pos: n, Unit: "line", Err: errors.New("line is longer than 1 MiB")}); err != nil {
				return err
			}
		case len(bytes.TrimSpace(line)) > 0:
			s, perr := parseRecord(line, source)
			if err := fn(Item{Pos: n, Unit: "line", Story: s, Err: perr}); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// readLine returns the next line without its newline; a line over MaxLine
// is consumed and reported as long. The line is good until the next read:
// it is br's own buffer, or *buf for a line longer than that.
func readLine(br *bufio.Reader, buf *[]byte) (line []byte, long bool, err error) {
	chunk, isPrefix, err := br.ReadLine()
	if !isPrefix || err != nil {
		return chunk, false, err
	}
	line = append((*buf)[:0], chunk...)
	for isPrefix && err == nil {
		chunk, isPrefix, err = br.ReadLine()
		if !long {
			line = append(line, chunk...)
			if len(line) > MaxLine {
				long = true
			}
		}
	}
	*buf = line[:0]
	if long {
		line = nil
	}
	return line, long, err
}

func parseRecord(line []byte, source string) (*news.Story, error) {
	var rec record
	// Unmarshal reads a well-formed line in place. Any other line is
	// decoded again as a stream, which tells what is wrong with it (and
	// takes what it can, as it always has).
	if json.Unmarshal(line, &rec) != nil {
		rec = record{}
		if err := decodeRecord(line, &rec); err != nil {
			return nil, err
		}
	}
	if strings.TrimSpace(rec.PublishedAt) == "" {
		return nil, errors.New("published_at is required")
	}
	pub, err := time.Parse(time.RFC3339, strings.TrimSpace(rec.PublishedAt))
	if err != nil {
		return nil, fmt.Errorf("published_at %q is not an RFC 3339 time", rec.PublishedAt)
	}
	s := &news.Story{
		Title:        rec.Title,
		Body:         rec.Body,
		Summary:      strings.TrimSpace(rec.Summary),
		Source:       news.Source{Name: clean(rec.Source)},
		URL:          strings.TrimSpace(rec.URL),
		Author:       clean(rec.Author),
		Dateline:     clean(rec.Dateline),
		Section:      news.Section{Name: clean(rec.Section)},
		Tags:         news.NewTags(rec.Tags),
		ImageURL:     strings.TrimSpace(rec.ImageURL),
		ImageAlt:     clean(rec.ImageAlt),
		ImageCaption: clean(rec.ImageCap),
		ImageCredit:  clean(rec.ImageCredit),
		Status:       news.StatusPublished,
		PublishedAt:  pub.UTC(),
	}
	return finish(s, source)
}

// decodeRecord decodes the JSON value line holds into rec, naming what is
// wrong with a line that holds no value of that shape, or more than one.
func decodeRecord(line []byte, rec *record) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(rec); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return fmt.Errorf("field %q has the wrong type", typeErr.Field)
		}
		return fmt.Errorf("not valid JSON: %v", err)
	}
	if dec.More() {
		return errors.New("more than one JSON value on the line")
	}
	return nil
}

// DefaultSiteName is the publisher of imported items that nothing names
// when Options.SiteName is not given.
const DefaultSiteName = "Newsdesk"

// finish applies the source given for the document and validates s. An
// item nothing names a publisher for keeps an empty source: ImportWith
// files it under the site's name.
func finish(s *news.Story, source string) (*news.Story, error) {
	if s.Source.Name == "" {
		s.Source.Name = source
	}
	if err := s.Validate(); err != nil {
		return nil, describe(err)
	}
	return s, nil
}

// describe turns a validation error into one line naming each field.
func describe(err error) error {
	fields := news.FieldErrors(err)
	if fields == nil {
		return err
	}
	var parts []string
	for _, k := range []string{"title", "body", "published_at", "url", "image_url", "image_alt", "tags", "slug", "status"} {
		if m, ok := fields[k]; ok {
			parts = append(parts, k+": "+strings.TrimSuffix(m, "."))
		}
	}
	return errors.New(strings.Join(parts, "; "))
}

// clean collapses runs of white space, so that a field never spans lines.
func clean(s string) string { return news.OneSpaced(s) }
