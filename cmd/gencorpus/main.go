// Command gencorpus writes a synthetic news corpus as NDJSON to standard
// output, for benchmarks:
//
//	go run ./cmd/gencorpus -n 100000 -seed 1 > corpus.ndjson
//
// The same flags always give the same bytes; -now fixes the end of the
// year the stories span (default: the start of today, UTC).
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"newsdesk/internal/corpus"
)

func main() {
	n := flag.Int("n", 10000, "number of stories")
	seed := flag.Int64("seed", 1, "random seed")
	end := flag.String("now", "", "RFC 3339 time of the newest story (default: today 00:00 UTC)")
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
	if err := corpus.WriteNDJSON(os.Stdout, *n, *seed, now); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
}
