package related_test

import (
	"reflect"
	"slices"
	"testing"

	"newsdesk/internal/corpus"
	"newsdesk/internal/markdown"
	"newsdesk/internal/news"
	"newsdesk/internal/related"
)

// TestPrepareGivesWhatRelatedGives writes a batch of stories the way desk
// does (all added, then each placed in turn, later ones seeing the
// clusters of earlier ones) into two indexes, one scored ahead by
// Prepare, and wants the same clusters, copies and lists from both.
func TestPrepareGivesWhatRelatedGives(t *testing.T) {
	stories := corpus.Generate(1200, 7, benchEnd)
	// Copies of the batch's stories, so that placing joins clusters.
	for i := 1000; i < 1040; i++ {
		c := *stories[i]
		c.Title = "Update: " + c.Title
		stories = append(stories, &c)
	}
	build := func() *related.Index {
		idx := related.NewIndex()
		for i, s := range stories[:1000] {
			id := int64(i + 1)
			idx.Add(related.Story{ID: id, Section: news.Slugify(s.Section.Name), Published: s.PublishedAt, Cluster: id}, features(s))
		}
		return idx
	}
	run := func(idx *related.Index, prepare bool) []related.Result {
		var batch []int64
		for i, s := range stories[1000:] {
			id := int64(1001 + i)
			idx.Add(related.Story{ID: id, Section: news.Slugify(s.Section.Name), Published: s.PublishedAt}, features(s))
			batch = append(batch, id)
		}
		if prepare {
			idx.Prepare(batch)
		}
		var out []related.Result
		for _, id := range batch {
			out = append(out, idx.Related(id, 8, func(c []related.Candidate) int64 {
				c = slices.DeleteFunc(c, func(c related.Candidate) bool { return c.Cluster <= 0 })
				if ch, ok := related.Choose(c, nil); ok {
					return ch.Cluster
				}
				return id
			}))
		}
		return out
	}
	want, got := run(build(), false), run(build(), true)
	joined := 0
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("story %d: prepared %+v, want %+v", 1001+i, got[i], want[i])
		}
		if want[i].Cluster != int64(1001+i) {
			joined++
		}
	}
	if joined < 20 {
		t.Errorf("only %d of the batch joined a cluster: the test needs copies placed", joined)
	}
}

func features(s *news.Story) related.Features {
	slugs := make([]string, len(s.Tags))
	for k, t := range s.Tags {
		slugs[k] = t.Slug
	}
	return related.Extract(s.Title, s.Summary, markdown.Text(s.Body), slugs, s.PublishedAt)
}
