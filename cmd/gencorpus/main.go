// Command gencorpus writes a synthetic news corpus as NDJSON to standard
// output, for benchmarks:
//
//	go run ./cmd/gencorpus -n 100000 -seed 1 > corpus.ndjson
//
// The same flags always give the same bytes; -now fixes the end of the
// time the stories span (default: the start of today, UTC). -shape flat
// writes a corpus shaped unlike the default topical one (see
// internal/corpus), a second corpus to measure against.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"newsdesk/internal/corpus"
)

func main() {
	n := flag.Int("n", 10000, "number of stories")
	seed := flag.Int64("seed", 1, "random seed")
	end := flag.String("now", "", "RFC 3339 time of the newest story (default: today 00:00 UTC)")
	shape := flag.String("shape", "topics", "topics, or flat: one vocabulary, a word in most stories")
	flag.Parse()
	now := time.Now().UTC().Truncate(24 * time.Hour)
	if *end != "" {
		t, err := time.Parse(time.RFC3339, *end)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gencorpus: -now:", err)
			os.Exit(2)
		}
		now = t
	}
	if *n < 0 {
		fmt.Fprintln(os.Stderr, "gencorpus: -n must not be negative")
		os.Exit(2)
	}
	var write func(io.Writer, int, int64, time.Time) error
	switch *shape {
	case "topics":
		write = corpus.WriteNDJSON
	case "flat":
		write = corpus.WriteFlatNDJSON
	default:
		fmt.Fprintf(os.Stderr, "gencorpus: -shape %q: want topics or flat\n", *shape)
		os.Exit(2)
	}
	if err := write(os.Stdout, *n, *seed, now); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
}
