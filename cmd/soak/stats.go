package main

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

type stats struct {
	mu          sync.Mutex
	requests    int
	errors      int
	errSamples  map[string]int
	reads       []time.Duration
	writes      []time.Duration // comment POSTs
	imports     []time.Duration // import processes, start to exit
	rateLimited int             // comment POSTs answered 429 "Too many comments"
	importFails int
}

func newStats() *stats { return &stats{errSamples: map[string]int{}} }

func (s *stats) read(d time.Duration) {
	s.mu.Lock()
	s.requests++
	s.reads = append(s.reads, d)
	s.mu.Unlock()
}

func (s *stats) write(d time.Duration) {
	s.mu.Lock()
	s.requests++
	s.writes = append(s.writes, d)
	s.mu.Unlock()
}

// fail records an error; request says whether it was an HTTP request.
func (s *stats) fail(request bool, key string) {
	s.mu.Lock()
	if request {
		s.requests++
	}
	s.errors++
	s.errSamples[key]++
	s.mu.Unlock()
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s))*p+0.999999) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
