package changelog

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"newsdesk/internal/news"
)

// Kept is how many versions a store's changes table and the log in
// memory keep; a reader further behind empties its cache.
const Kept = 1024

// Row is one row of a store's changes table: the keys version changed,
// separated by spaces (Format).
type Row struct {
	Version int64
	Keys    string
}

// Format returns keys as a changes row holds them.
func Format(keys []string) string { return strings.Join(keys, " ") }

// Log is the change log in memory: what each version changed, for the
// versions after the one a store opened at. A store records its own
// writes (before they commit: a reader sees the version only once the
// commit has raised it) and learns other processes' or nodes' from its
// changes table.
type Log struct {
	mu sync.Mutex
	// byVersion holds the keys of each version after floor.
	byVersion map[int64][]string
	floor     int64 // versions up to floor are not known
}

// Record adds what version v changed (merged with what is known of it: a
// version whose write failed may be used again).
func (l *Log) Record(v int64, keys []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if v <= l.floor {
		return
	}
	if l.byVersion == nil {
		l.byVersion = map[int64][]string{}
	}
	if old, ok := l.byVersion[v]; ok {
		keys = append(append([]string(nil), old...), keys...)
	}
	l.byVersion[v] = keys
	for old := range l.byVersion {
		if old <= v-Kept {
			delete(l.byVersion, old)
			l.floor = max(l.floor, old)
		}
	}
}

// Start sets what is known to begin after version v.
func (l *Log) Start(v int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.floor = v
	clear(l.byVersion)
}

// Changes returns what the writes after data version since changed, up
// to version v, the store's current one. All is set when a write named
// no keys or they are not known.
func (l *Log) Changes(since, v int64) news.Changes {
	ch := news.Changes{Version: v}
	if since >= v {
		return ch
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if since < l.floor || v-since > Kept {
		ch.All = true
		return ch
	}
	set := news.KeySet{}
	for x := since + 1; x <= v; x++ {
		keys, ok := l.byVersion[x]
		if !ok {
			ch.All = true
			return ch
		}
		set.Add(keys...)
	}
	if _, all := set[news.KeyAll]; all {
		ch.All = true
		return ch
	}
	ch.Keys = set.Sorted()
	return ch
}

// Learn records what the versions after known up to v changed, from the
// rows read returns (those of the changes table in that range, in order
// of version); a version with no row (pruned, or written by a program
// that logs none) changed everything. A store further behind than Kept
// reads nothing and starts the log at v.
func (l *Log) Learn(ctx context.Context, known, v int64, read func(ctx context.Context, after, upTo int64) ([]Row, error)) error {
	if v <= known {
		return nil
	}
	if v-known > Kept {
		l.Start(v)
		return nil
	}
	rows, err := read(ctx, known, v)
	if err != nil {
		return fmt.Errorf("read changes: %w", err)
	}
	next := known + 1
	for _, r := range rows {
		for ; next < r.Version; next++ {
			l.Record(next, []string{news.KeyAll})
		}
		l.Record(r.Version, strings.Fields(r.Keys))
		next = r.Version + 1
	}
	for ; next <= v; next++ {
		l.Record(next, []string{news.KeyAll})
	}
	return nil
}
