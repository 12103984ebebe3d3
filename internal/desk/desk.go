// Package desk is newsdesk's application layer: every write of a story
// goes through it. It derives what is derived from a story (Markdown to
// HTML, plain text, key points, reading time, fingerprints, related
// features), attaches pictures, keeps the related index in memory, and
// decides related lists, copies and story clusters, all before the write
// transaction. The store it is given (Store: *sqlite.DB, a PostgreSQL
// store) only persists what desk derived and decided.
package desk

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"newsdesk/internal/media"
	"newsdesk/internal/news"
	"newsdesk/internal/related"
	"newsdesk/internal/store"
)

// reindexBatch bounds the stories one transaction re-places when an
// upgraded database's stories are fingerprinted again, or a rename
// reindexes the stories filed under a name.
const reindexBatch = 500

// Desk derives, decides and writes through a Store.
type Desk struct {
	st Store
	// Pictures makes the pictures imported stories name; nil leaves them
	// without.
	Pictures *media.Pictures

	// mu serializes deciding and storing: decisions are made on the
	// related index and the committed state, and stored before the next
	// write decides. The index is loaded on first write, so that serving
	// readers starts fast; it is dropped when a write fails, to be
	// reloaded from what was committed.
	mu  sync.Mutex
	idx *related.Index

	// yield makes an import's derivation give way to related scoring,
	// which the writer waits for on every core; the next batch's
	// derivation can wait. Derivers hold it for reading a story at a time,
	// scoring holds it for writing.
	yield sync.RWMutex
}

// New returns a Desk writing to st.
func New(st Store) *Desk {
	return &Desk{st: st}
}

// Upgrade derives what a database stored before it was kept: the plain
// text of old stories (migration 0009), 500 at a time on every core, each
// batch in its own transaction. It is quick when there is nothing to do.
func (d *Desk) Upgrade(ctx context.Context) error {
	for {
		todo, err := d.st.TextTodo(ctx, 500)
		if err != nil {
			return err
		}
		if len(todo) == 0 {
			return nil
		}
		if err := d.st.SaveText(ctx, plainTexts(todo)); err != nil {
			return err
		}
	}
}

// Invalidate drops the related index, to be reloaded from the store by
// the next write. Call it when another process or node has written
// stories: the index knows only what this desk wrote since it loaded.
func (d *Desk) Invalidate() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.idx = nil
}

// PrepareStories attaches the pictures the stories name (see
// media.Pictures.Attach), before their batch is decided and written: it
// makes desk an ingest.Preparer.
func (d *Desk) PrepareStories(ctx context.Context, stories []*news.Story) []error {
	if d.Pictures == nil {
		return make([]error, len(stories))
	}
	return d.Pictures.Attach(ctx, stories)
}

// write runs decide under the lock with the index loaded; decide derives
// nothing slow (that is done before) and ends with one Save* call. If it
// fails, the index is dropped, to be reloaded from what was committed.
func (d *Desk) write(ctx context.Context, decide func(w *session) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.loadIndex(ctx); err != nil {
		return err
	}
	w := newSession(ctx, d)
	if err := decide(w); err != nil {
		if w.touched {
			d.idx = nil
		}
		return err
	}
	return nil
}

// loadIndex loads the related index if needed. Stories whose stored
// fingerprint is missing or of an older format (stored before copy
// detection changed) are fingerprinted and placed in clusters again, in
// batches of reindexBatch, each its own transaction.
func (d *Desk) loadIndex(ctx context.Context) error {
	if d.idx != nil {
		return nil
	}
	idx := related.NewIndex()
	var stale []int64
	err := d.st.IndexStories(ctx, func(s store.Indexed) error {
		fp, ok := related.FingerprintFrom(s.Print)
		if !ok {
			stale = append(stale, s.ID)
		}
		idx.Load(related.Story{ID: s.ID, Section: s.Section, Published: s.Published, Cluster: s.Cluster}, s.Vector, fp)
		return nil
	})
	if err != nil {
		return fmt.Errorf("load related index: %w", err)
	}
	err = d.st.IndexLists(ctx, func(id int64, list []store.Match) error {
		out := make([]related.Match, len(list))
		for i, m := range list {
			out[i] = related.Match{ID: m.ID, Cluster: m.Cluster, Score: m.Score}
		}
		idx.SetList(id, out)
		return nil
	})
	if err != nil {
		return fmt.Errorf("load related lists: %w", err)
	}
	d.idx = idx
	if err := d.reindex(ctx, stale); err != nil {
		d.idx = nil
		return err
	}
	return nil
}

// reindex derives stored stories ids again and re-places them, in
// batches of reindexBatch, each in its own transaction. Called with the
// lock held and the index loaded.
func (d *Desk) reindex(ctx context.Context, ids []int64) error {
	for len(ids) > 0 {
		batch := ids[:min(len(ids), reindexBatch)]
		ids = ids[len(batch):]
		w := newSession(ctx, d)
		if err := w.reindexStored(batch, nil); err != nil {
			return err
		}
		if err := d.st.SaveChanges(ctx, w.ch); err != nil {
			return err
		}
	}
	return nil
}

// reindexStored derives stored stories ids again (after change, when not
// nil, altered each as the write will store it), adds them to what the
// write stores and places them.
func (w *session) reindexStored(ids []int64, change func(*news.Story)) error {
	var list []*news.Story
	for _, id := range ids {
		s, err := w.st.StoryByID(w.ctx, id)
		if news.ErrorCode(err) == news.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		if change != nil {
			change(s)
		}
		list = append(list, s)
	}
	if _, err := w.reserve(0, len(list)); err != nil {
		return err
	}
	origins, err := w.origins(list)
	if err != nil {
		return err
	}
	placed := make([]int64, len(list))
	for i, s := range list {
		d := derive(s)
		w.index(s, &d, origins[s.Source.Name].Original)
		w.ch.Reindexed = append(w.ch.Reindexed, store.Story{Story: s, Derived: d.Derived})
		placed[i] = s.ID
	}
	return w.refreshRelated(placed)
}

// origins reads the sources of stories.
func (w *session) origins(list []*news.Story) (map[string]store.SourceInfo, error) {
	var names []string
	for _, s := range list {
		names = append(names, s.Source.Name)
	}
	return w.st.SourceInfo(w.ctx, names)
}

// originalSource says whether a story of source name is from an original
// source once written: as stored, else as a new source starts.
func originalSource(info store.SourceInfo, name string) bool {
	if info.Exists {
		return info.Original
	}
	return news.OriginalByDefault(name)
}

// UpsertStories writes stories, each matched to a stored story by URL,
// else GUID: a new one is added, a changed one replaces the stored version
// (keeping its slug, and what an editor changed), an identical one is left
// alone. Related stories and story clusters are recomputed for every story
// written and for its neighbours; an added story found to be a copy of
// another gets Copy set. Stories must have passed Validate.
func (d *Desk) UpsertStories(ctx context.Context, stories []*news.Story) ([]news.Outcome, error) {
	return d.StartStories(ctx, stories)()
}

// StartStories is UpsertStories in two steps, so that an import derives
// one batch while it writes the one before: it starts deriving stories on
// every core but one and returns at once; the function it returns waits for the
// derivation, decides and writes. Call those functions in the order the
// batches were started.
func (d *Desk) StartStories(ctx context.Context, stories []*news.Story) func() ([]news.Outcome, error) {
	// Two items with one key in a batch: the second is written after the
	// first, as an update of it.
	seen := map[string]bool{}
	for i, s := range stories {
		k := storyKey(s)
		if k != "" && seen[k] {
			head := d.StartStories(ctx, stories[:i])
			return func() ([]news.Outcome, error) {
				out, err := head()
				if err != nil {
					return nil, err
				}
				tail, err := d.StartStories(ctx, stories[i:])()
				return append(out, tail...), err
			}
		}
		seen[k] = true
	}
	stored, err := d.st.StoredByKeys(ctx, stories)
	if err != nil {
		return func() ([]news.Outcome, error) { return nil, err }
	}
	// One core is left to the writer: deciding and writing the batch
	// before is an import's longest path, and derivation keeps ahead of it
	// on the others.
	ders, ready := deriveAll(stories, max(1, runtime.GOMAXPROCS(0)-1), d.yield.RLocker(), func(i int) bool {
		st, ok := stored[stories[i]]
		return ok && st.FeedHash == contentHash(stories[i])
	})
	return func() ([]news.Outcome, error) { return d.writeStories(ctx, stories, ders, ready) }
}

// writeStories decides and writes stories once derived (ders[i] is ready
// when ready[i] is closed).
func (d *Desk) writeStories(ctx context.Context, stories []*news.Story, ders []derived, ready []chan struct{}) ([]news.Outcome, error) {
	// Should the write fail early, let the derivers finish first: they
	// write into stories.
	defer func() {
		for _, r := range ready {
			<-r
		}
	}()
	out := make([]news.Outcome, len(stories))
	err := d.write(ctx, func(w *session) error {
		// Read again under the lock: another write may have come between.
		for _, r := range ready {
			<-r
		}
		stored, err := d.st.StoredByKeys(ctx, stories)
		if err != nil {
			return err
		}
		added, changedN := 0, 0
		for i, s := range stories {
			st, ok := stored[s]
			if !ok {
				added++
			}
			if !ok || st.FeedHash != ders[i].Hash {
				changedN++
			}
		}
		if changedN == 0 {
			for i, s := range stories {
				st := stored[s]
				s.ID, s.Slug = st.ID, st.Slug
				out[i] = news.Unchanged
			}
			return nil // a poll that finds nothing new writes nothing
		}
		nextID, err := w.reserve(added, changedN)
		if err != nil {
			return err
		}
		var items []store.Imported
		var changed []int64
		var written []*news.Story
		for i, s := range stories {
			dv := ders[i]
			st, ok := stored[s]
			switch {
			case ok && st.FeedHash == dv.Hash:
				s.ID, s.Slug = st.ID, st.Slug
				out[i] = news.Unchanged
				continue
			case ok:
				old, err := d.st.StoryByID(ctx, st.ID)
				if err != nil {
					return err
				}
				feedHash := dv.Hash
				if news.KeepEditorsWork(s, old, st.EditorFields) || dv.Print == nil {
					dv = derive(s)
				}
				dv.Hash = contentHash(s)
				s.ID, s.Slug, s.Trashed = st.ID, old.Slug, old.Trashed
				out[i] = news.Updated
				items = append(items, store.Imported{Story: store.Story{Story: s, Derived: dv.Derived}, Outcome: news.Updated,
					Old: old, FeedHash: feedHash, EditorFields: st.EditorFields})
			default:
				if dv.Print == nil {
					dv = derive(s) // changed since it was looked up
				}
				s.ID = nextID
				nextID++
				w.fresh[s.ID] = true
				out[i] = news.Added
				items = append(items, store.Imported{Story: store.Story{Story: s, Derived: dv.Derived}, Outcome: news.Added})
			}
			ders[i] = dv
			changed = append(changed, s.ID)
			written = append(written, s)
		}
		origins, err := w.origins(written)
		if err != nil {
			return err
		}
		// The store writes the stories' rows while related lists and
		// clusters are decided: the two are an import's longest path.
		err = d.st.SaveImport(ctx, items, func() (store.Changes, error) {
			w.inWrite = true
			defer func() { w.inWrite = false }()
			j := 0
			for i, s := range stories {
				if out[i] == news.Unchanged {
					continue
				}
				w.index(s, &ders[i], originalSource(origins[s.Source.Name], s.Source.Name))
				items[j].Vector = ders[i].Vector
				j++
			}
			err := w.refreshRelated(changed)
			return w.ch, err
		})
		if err != nil {
			return err
		}
		for i, s := range stories {
			s.Copy = out[i] == news.Added && w.joined[s.ID]
		}
		return nil
	})
	return out, err
}

// storyKey is what identifies s across imports: its URL, else its GUID.
func storyKey(s *news.Story) string {
	if s.URL != "" {
		return "url\x00" + s.URL
	}
	if s.GUID != "" {
		return "guid\x00" + s.GUID
	}
	return ""
}

// CreateStory adds a story written in the newsroom, keeping its first
// revision. The story must have passed Validate.
func (d *Desk) CreateStory(ctx context.Context, s *news.Story, userID int64) error {
	if err := d.st.CheckStory(ctx, s, 0); err != nil {
		return err
	}
	dv := derive(s)
	return d.write(ctx, func(w *session) error {
		id, err := w.reserve(1, 1)
		if err != nil {
			return err
		}
		s.ID = id
		w.fresh[id] = true
		origins, err := w.origins([]*news.Story{s})
		if err != nil {
			return err
		}
		// The first story of a source written in the newsroom makes it the
		// site's own, an original source.
		info := origins[s.Source.Name]
		w.index(s, &dv, info.Original || !info.HasStories)
		if err := w.refreshRelated([]int64{s.ID}); err != nil {
			return err
		}
		s.Revision = 1
		return d.st.SaveNewStory(ctx, store.Story{Story: s, Derived: dv.Derived}, userID, w.ch)
	})
}

// UpdateStory saves an edit of story s.ID made from revision base. If
// someone saved the story since, nothing is written and the error is
// ECONFLICT: the caller keeps the editor's text and says so.
func (d *Desk) UpdateStory(ctx context.Context, s *news.Story, base int, userID int64) error {
	if err := d.st.CheckStory(ctx, s, base); err != nil {
		return err
	}
	dv := derive(s)
	return d.write(ctx, func(w *session) error {
		origins, err := w.origins([]*news.Story{s})
		if err != nil {
			return err
		}
		w.index(s, &dv, originalSource(origins[s.Source.Name], s.Source.Name))
		if err := w.refreshRelated([]int64{s.ID}); err != nil {
			return err
		}
		if err := d.st.SaveEdit(ctx, store.Story{Story: s, Derived: dv.Derived}, base, userID, w.ch); err != nil {
			return err
		}
		s.Revision = base + 1
		return nil
	})
}

// TrashStory moves story id to the trash: readers no longer see it.
func (d *Desk) TrashStory(ctx context.Context, id int64) error {
	return d.setTrashed(ctx, id, true)
}

// RestoreStory takes story id out of the trash.
func (d *Desk) RestoreStory(ctx context.Context, id int64) error {
	return d.setTrashed(ctx, id, false)
}

func (d *Desk) setTrashed(ctx context.Context, id int64, trash bool) error {
	return d.write(ctx, func(w *session) error {
		if _, err := d.st.StoryByID(ctx, id); err != nil {
			return err
		}
		if err := w.reindexStored([]int64{id}, func(s *news.Story) { s.Trashed = trash }); err != nil {
			return err
		}
		return d.st.SaveTrashed(ctx, id, trash, w.ch)
	})
}

// EmptyTrash deletes every trashed story for good and returns how many.
func (d *Desk) EmptyTrash(ctx context.Context) (int, error) {
	var n int
	err := d.write(ctx, func(w *session) error {
		ids, err := d.st.StoryIDsOf(ctx, "trash", 0)
		if err != nil {
			return err
		}
		w.touched = true
		for _, id := range ids {
			w.idx.Remove(id)
		}
		n, err = d.st.SaveEmptyTrash(ctx)
		return err
	})
	return n, err
}

// PublishDue marks scheduled stories whose time has come as published and
// returns how many. Readers already see them from that time on; this makes
// the status say so and refreshes caches and related lists.
func (d *Desk) PublishDue(ctx context.Context) (int, error) {
	// A cheap look first: most ticks find nothing and need no lock.
	ids, err := d.st.StoryIDsOf(ctx, "due", d.st.Clock().UTC().Unix())
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	err = d.write(ctx, func(w *session) error {
		if ids, err = d.st.StoryIDsOf(ctx, "due", d.st.Clock().UTC().Unix()); err != nil || len(ids) == 0 {
			return err
		}
		if err := w.reindexStored(ids, func(s *news.Story) { s.Status = news.StatusPublished }); err != nil {
			return err
		}
		return d.st.SavePublished(ctx, ids, w.ch)
	})
	return len(ids), err
}

// ChooseLead makes story id the lead of its cluster: lists show it for
// the story while readers can see it.
func (d *Desk) ChooseLead(ctx context.Context, storyID, userID int64) error {
	return d.write(ctx, func(w *session) error {
		cluster, err := w.storyCluster(storyID)
		if err != nil {
			return err
		}
		w.chosen[cluster] = storyID
		w.markDirty(cluster)
		if err := w.rankDirty(); err != nil {
			return err
		}
		return d.st.SaveOverride(ctx, store.Override{Action: "lead", Cluster: cluster, Story: storyID,
			UserID: userID, ChosenLead: storyID}, w.ch)
	})
}

// storyCluster returns the cluster of story id, ENOTFOUND when it has none.
func (w *session) storyCluster(id int64) (int64, error) {
	c, err := w.clusterOf(id)
	if err == nil && c == 0 {
		return 0, news.Errorf(news.ENOTFOUND, "Story %d not found.", id)
	}
	return c, err
}

// SplitStory takes story id out of its cluster into one of its own, and
// keeps it apart from every story it leaves: later imports and polls do
// not put them together again.
func (d *Desk) SplitStory(ctx context.Context, storyID, userID int64) error {
	return d.write(ctx, func(w *session) error {
		cluster, err := w.storyCluster(storyID)
		if err != nil {
			return err
		}
		members, err := w.clusterMembers(cluster)
		if err != nil {
			return err
		}
		var others []int64
		o := store.Override{Action: "split", Cluster: cluster, Story: storyID, UserID: userID, ClearChosen: true}
		for _, m := range members {
			if m.ID != storyID {
				others = append(others, m.ID)
				o.Apart = append(o.Apart, [2]int64{storyID, m.ID})
			}
		}
		if len(others) == 0 {
			return news.Errorf(news.EINVALID, "This story is the only version in its cluster: there is nothing to split.")
		}
		if _, err := w.reserve(0, 1); err != nil {
			return err
		}
		alone, err := w.newCluster(storyID)
		if err != nil {
			return err
		}
		if err := w.setMember(storyID, cluster, alone, nil, true); err != nil {
			return err
		}
		chosen, ok := w.chosen[cluster]
		if !ok {
			chosen = w.chosenStored[cluster]
		}
		if chosen == storyID {
			w.chosen[cluster] = 0
		}
		w.touched = true
		w.idx.SetCluster(storyID, alone)
		w.markDirty(alone)
		o.Other = alone
		if err := w.relistCluster(append(others, storyID)); err != nil {
			return err
		}
		return d.st.SaveOverride(ctx, o, w.ch)
	})
}

// MergeClusters moves every story of storyID's cluster into the cluster
// of intoID. The moved stories stay there whatever detection later says.
func (d *Desk) MergeClusters(ctx context.Context, storyID, intoID, userID int64) error {
	return d.write(ctx, func(w *session) error {
		from, err := w.storyCluster(storyID)
		if err != nil {
			return err
		}
		into, err := w.storyCluster(intoID)
		if err != nil {
			return err
		}
		if from == into {
			return news.Errorf(news.EINVALID, "These stories are in one cluster already.")
		}
		movedM, err := w.clusterMembers(from)
		if err != nil {
			return err
		}
		stayM, err := w.clusterMembers(into)
		if err != nil {
			return err
		}
		o := store.Override{Action: "merge", Cluster: into, Story: storyID, Other: from, UserID: userID}
		evidence := related.Candidate{ID: intoID, Cluster: into, Evidence: related.Evidence{Same: true, Score: 1, Note: "merged by an editor"}}
		var ids []int64
		for _, m := range movedM {
			// An earlier split between them is undone by this merge.
			for _, s := range stayM {
				o.Together = append(o.Together, [2]int64{m.ID, s.ID})
			}
			if err := w.setMember(m.ID, from, into, &evidence, true); err != nil {
				return err
			}
			w.touched = true
			w.idx.SetCluster(m.ID, into)
			ids = append(ids, m.ID)
		}
		for _, s := range stayM {
			ids = append(ids, s.ID)
		}
		if err := w.relistCluster(ids); err != nil {
			return err
		}
		return d.st.SaveOverride(ctx, o, w.ch)
	})
}

// SetSourceOriginal marks source id original or not, and ranks again the
// clusters holding its stories.
func (d *Desk) SetSourceOriginal(ctx context.Context, id int64, original bool) error {
	return d.write(ctx, func(w *session) error {
		ids, err := d.st.StoryIDsOf(ctx, "sources", id)
		if err != nil {
			return err
		}
		clusters, err := d.st.ClustersOf(ctx, ids)
		if err != nil {
			return err
		}
		w.origin[id] = original
		for _, c := range clusters {
			w.markDirty(c)
		}
		if err := w.rankDirty(); err != nil {
			return err
		}
		return d.st.SaveSourceOriginal(ctx, id, original, w.ch)
	})
}

// Rename gives the source, section or tag (kind "sources", "sections",
// "tags") with the given id a new display name. Its slug, and so its
// URLs, stay. The stories filed under it are reindexed, after the rename,
// in batches.
func (d *Desk) Rename(ctx context.Context, kind string, id int64, name string) error {
	name = news.OneSpaced(news.NoControls(name))
	if name == "" || len(name) > 60 {
		return news.Errorf(news.EINVALID, "A name must be 1 to 60 characters.")
	}
	switch kind {
	case "sources", "tags":
	case "sections":
		// Neither the full-text rows nor the related vectors hold a
		// section's name: nothing to reindex.
		return d.st.SaveRename(ctx, kind, id, name)
	default:
		return news.Errorf(news.ENOTFOUND, "Nothing to rename.")
	}
	return d.locked(ctx, func() ([]int64, error) {
		if err := d.st.SaveRename(ctx, kind, id, name); err != nil {
			return nil, err
		}
		return d.st.StoryIDsOf(ctx, kind, id)
	})
}

// MergeTags files every story tagged from under into instead, and
// deletes from; the stories that moved are reindexed.
func (d *Desk) MergeTags(ctx context.Context, fromSlug, intoSlug string) error {
	if fromSlug == intoSlug {
		return news.Errorf(news.EINVALID, "Choose two different tags to merge.")
	}
	return d.locked(ctx, func() ([]int64, error) {
		return d.st.SaveTagMerge(ctx, fromSlug, intoSlug)
	})
}

// locked runs change under the lock with the index loaded, then
// reindexes the stories it returns; the index is dropped when that fails.
func (d *Desk) locked(ctx context.Context, change func() ([]int64, error)) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.loadIndex(ctx); err != nil {
		return err
	}
	ids, err := change()
	if err != nil {
		return err
	}
	if err := d.reindex(ctx, ids); err != nil {
		d.idx = nil
		return err
	}
	return nil
}
