package sqlite

import (
	"context"
	"slices"
	"testing"

	"newsdesk/internal/corpus"
	"newsdesk/internal/news"
)

// segmentsOf counts the segments of a full-text index.
func segmentsOf(t *testing.T, db *DB, table string) int {
	t.Helper()
	n, err := db.segments(context.Background(), table)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func automergeOf(t *testing.T, db *DB, table string) int {
	t.Helper()
	var n int
	if err := db.read.QueryRow("SELECT v FROM " + table + "_config WHERE k = 'automerge'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// writeInBatches writes stories in transactions of size stories each:
// each leaves one new segment in the full-text indexes.
func writeInBatches(t *testing.T, db *DB, stories []*news.Story, size int) {
	t.Helper()
	for batch := range slices.Chunk(stories, size) {
		if _, err := deskOf(db).UpsertStories(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
}

func hitIDs(res news.SearchResult) []int64 {
	var ids []int64
	for _, st := range res.Stories {
		ids = append(ids, st.ID)
	}
	return ids
}

// checkMerged checks that merging an index's segments left the search
// for "government" as it was before, and the database whole.
func checkMerged(t *testing.T, db *DB, before news.SearchResult) {
	t.Helper()
	after := search(t, db, "government")
	if after.Total != before.Total || !slices.Equal(hitIDs(after), hitIDs(before)) {
		t.Errorf("merging changed a search: %d hits %v before, %d hits %v after",
			before.Total, hitIDs(before), after.Total, hitIDs(after))
	}
	if ok, err := db.IntegrityCheck(context.Background()); err != nil || !ok {
		t.Errorf("integrity check after merging: %v, %v", ok, err)
	}
}

func TestBulkWriteMergesTheIndexOnce(t *testing.T) {
	ctx := context.Background()
	db := newTestDB(t)
	end, err := db.BeginBulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	writeInBatches(t, db, corpus.Generate(240, 1, now), 40)
	for _, table := range ftsTables {
		if got := automergeOf(t, db, table); got != bulkAutomerge {
			t.Errorf("%s automerge = %d during the bulk write, want %d", table, got, bulkAutomerge)
		}
	}
	if got := segmentsOf(t, db, "live_fts"); got < 2 {
		t.Fatalf("live_fts has %d segments before the merge, want several", got)
	}
	before := search(t, db, "government")
	if before.Total == 0 {
		t.Fatal("no story found before the merge")
	}
	if err := end(ctx); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"live_fts", "story_heads_fts"} {
		if got := segmentsOf(t, db, table); got != 1 {
			t.Errorf("after the bulk write %s has %d segments, want 1", table, got)
		}
	}
	for _, table := range ftsTables {
		if got := automergeOf(t, db, table); got != automerge {
			t.Errorf("%s automerge = %d after the bulk write, want %d", table, got, automerge)
		}
	}
	checkMerged(t, db, before)
}

// A bulk write that adds little to a large index leaves the merging to
// FTS5: merging the whole index would cost more than the write.
func TestSmallBulkWriteLeavesTheIndexAsItIs(t *testing.T) {
	ctx := context.Background()
	db := newTestDB(t)
	stories := corpus.Generate(220, 2, now)
	writeInBatches(t, db, stories[:200], 100)
	end, err := db.BeginBulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	writeInBatches(t, db, stories[200:], 20)
	if err := end(ctx); err != nil {
		t.Fatal(err)
	}
	if got := segmentsOf(t, db, "live_fts"); got != 3 {
		t.Errorf("live_fts has %d segments, want the three batches' (not merged)", got)
	}
	if got := automergeOf(t, db, "live_fts"); got != automerge {
		t.Errorf("live_fts automerge = %d after the bulk write, want %d", got, automerge)
	}
}

// After many small writes, serve merges an index of too many segments a
// step at a time.
func TestTidySearchMergesManySegments(t *testing.T) {
	ctx := context.Background()
	db := newTestDB(t)
	defer func(n int) { tidyPages = n }(tidyPages)
	tidyPages = 4 // several steps for this small index
	stories := corpus.Generate(320, 3, now)
	writeInBatches(t, db, stories[:40], 40)
	if merged, err := db.TidySearch(ctx); err != nil || merged {
		t.Fatalf("TidySearch of one segment = %v, %v; want nothing merged", merged, err)
	}
	// Fourteen more segments, none merged by FTS5 as they pile up.
	if err := db.setAutomerge(ctx, bulkAutomerge); err != nil {
		t.Fatal(err)
	}
	writeInBatches(t, db, stories[40:], 20)
	if err := db.setAutomerge(ctx, automerge); err != nil {
		t.Fatal(err)
	}
	if got := segmentsOf(t, db, "live_fts"); got <= tidyOver {
		t.Fatalf("live_fts has %d segments, want more than %d", got, tidyOver)
	}
	// While an import runs beside serve, the import merges at its end.
	if err := db.setAutomerge(ctx, bulkAutomerge); err != nil {
		t.Fatal(err)
	}
	if merged, err := db.TidySearch(ctx); err != nil || merged {
		t.Fatalf("TidySearch during an import = %v, %v; want nothing merged", merged, err)
	}
	if err := db.setAutomerge(ctx, automerge); err != nil {
		t.Fatal(err)
	}
	before := search(t, db, "government")
	merged, err := db.TidySearch(ctx)
	if err != nil || !merged {
		t.Fatalf("TidySearch = %v, %v; want merged", merged, err)
	}
	for _, table := range []string{"live_fts", "story_heads_fts"} {
		if got := segmentsOf(t, db, table); got != 1 {
			t.Errorf("after TidySearch %s has %d segments, want 1", table, got)
		}
	}
	checkMerged(t, db, before)
}
