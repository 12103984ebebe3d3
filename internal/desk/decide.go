package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"

	"newsdesk/internal/news"
	"newsdesk/internal/related"
	"newsdesk/internal/store"
)

// Related lists keep a few more stories than the page shows, so that one
// unpublished neighbour does not leave a gap.
const relatedKept = 8

// A session decides one write: it changes the related index as it goes
// and collects what the store is to write (ch). It reads the committed
// state through the store and keeps what it decided itself on top (the
// overlay), so that later decisions of one write see earlier ones, as
// they would inside one transaction. It runs under Desk.mu.
//
// Story clusters (migration 0006): every story belongs to one cluster, a
// singleton until a copy of it arrives. Detection (internal/related)
// compares a written story with its closest texts; place puts it in the
// cluster chosen, with the evidence, unless an editor pinned it; rankDirty
// then orders the members of each cluster that changed, lead first.
type session struct {
	ctx   context.Context
	st    Store
	idx   *related.Index
	yield *sync.RWMutex // Desk.yield
	ch    store.Changes

	// Reserved ids for the clusters this write may add.
	nextCluster, lastCluster int64

	member       map[int64]store.Membership      // decided here, by story
	stored       map[int64]store.Membership      // read from the store, by story
	written      map[int64]store.ClusterMember   // stories this write stores: what ranking sees of them
	attrs        map[int64]store.ClusterMember   // stored stories as ranking sees them
	chosen       map[int64]int64                 // cluster → chosen lead, decided here
	origin       map[int64]bool                  // source id → original, decided here
	listed       map[int64]map[int64]bool        // story → stories whose list (written here) holds it
	dirty        map[int64]bool                  // clusters to rank again
	joined       map[int64]bool                  // stories placed as copies of others
	members      map[int64][]store.ClusterMember // committed members of a cluster, as read
	chosenStored map[int64]int64
	// fresh are the stories this write adds: nothing is stored of them
	// yet, so nothing is read.
	fresh map[int64]bool
	// touched says the index changed: should the write fail, it is
	// reloaded from what was committed.
	touched bool
	// inWrite says the session decides inside the store's write
	// transaction (SaveImport's decide), where it may not write through
	// the store: SQLite's one write connection is the transaction's.
	inWrite bool
}

func newSession(ctx context.Context, d *Desk) *session {
	return &session{ctx: ctx, st: d.st, idx: d.idx, yield: &d.yield,
		member: map[int64]store.Membership{}, stored: map[int64]store.Membership{},
		written: map[int64]store.ClusterMember{}, attrs: map[int64]store.ClusterMember{},
		chosen: map[int64]int64{}, origin: map[int64]bool{}, listed: map[int64]map[int64]bool{},
		dirty: map[int64]bool{}, joined: map[int64]bool{}, members: map[int64][]store.ClusterMember{},
		chosenStored: map[int64]int64{}, fresh: map[int64]bool{}}
}

// reserve takes n cluster ids (and stories story ids, returned) from the
// store for this write.
func (w *session) reserve(stories, clusters int) (int64, error) {
	firstStory, firstCluster, err := w.st.ReserveIDs(w.ctx, stories, clusters)
	if err != nil {
		return 0, err
	}
	w.nextCluster, w.lastCluster = firstCluster, firstCluster+int64(clusters)
	return firstStory, nil
}

// index brings the related index up to date with story s, written in
// this session with what was derived d, sets d's vector and notes what
// ranking sees of it. It changes nothing of s.
func (w *session) index(s *news.Story, d *derived, original bool) {
	w.touched = true
	section := news.Slugify(s.Section.Name)
	d.Vector = w.idx.Add(related.Story{ID: s.ID, Section: section, Published: s.PublishedAt, Cluster: s.ClusterID}, d.feat)
	visible := s.Status != news.StatusDraft && !s.Trashed
	if !visible {
		w.idx.Remove(s.ID)
	}
	w.written[s.ID] = store.ClusterMember{ID: s.ID, Published: s.PublishedAt, Original: original,
		Print: d.Print, Visible: visible, Rank: w.storedRank(s.ID), SourceID: s.Source.ID}
}

func (w *session) storedRank(id int64) int {
	if a, ok := w.attrs[id]; ok {
		return a.Rank
	}
	return 0
}

// membership returns story id's place in the clusters: as decided here,
// else as stored.
func (w *session) membership(id int64) (store.Membership, error) {
	if m, ok := w.member[id]; ok {
		return m, nil
	}
	if m, ok := w.stored[id]; ok || w.fresh[id] {
		return m, nil
	}
	got, err := w.st.Memberships(w.ctx, []int64{id})
	if err != nil {
		return store.Membership{}, err
	}
	w.stored[id] = got[id]
	return got[id], nil
}

// clusterMembers returns the stories in cluster now: those stored there
// that this write did not move, and those it moved there.
func (w *session) clusterMembers(cluster int64) ([]store.ClusterMember, error) {
	list, ok := w.members[cluster]
	if !ok && cluster > 0 {
		var chosen int64
		var err error
		list, chosen, err = w.st.ClusterMembers(w.ctx, cluster)
		if err != nil {
			return nil, err
		}
		w.members[cluster] = list
		w.chosenStored[cluster] = chosen
		for _, m := range list {
			if _, ok := w.attrs[m.ID]; !ok {
				w.attrs[m.ID] = m
			}
		}
	}
	var out []store.ClusterMember
	seen := map[int64]bool{}
	for _, m := range list {
		if d, ok := w.member[m.ID]; ok && d.Cluster != cluster {
			continue
		}
		seen[m.ID] = true
		out = append(out, w.attrsOf(m))
	}
	for _, id := range slices.Sorted(maps.Keys(w.member)) {
		if w.member[id].Cluster == cluster && !seen[id] {
			m, err := w.memberAttrs(id)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// attrsOf returns what ranking sees of stored member m, with what this
// write changed.
func (w *session) attrsOf(m store.ClusterMember) store.ClusterMember {
	if wr, ok := w.written[m.ID]; ok {
		wr.Rank = m.Rank
		m = wr
	}
	if o, ok := w.origin[m.SourceID]; ok && m.SourceID != 0 {
		m.Original = o
	}
	return m
}

// memberAttrs returns what ranking sees of story id, wherever it is.
func (w *session) memberAttrs(id int64) (store.ClusterMember, error) {
	if m, ok := w.attrs[id]; ok {
		return w.attrsOf(m), nil
	}
	if m, ok := w.written[id]; ok {
		return m, nil
	}
	clusters, err := w.st.ClustersOf(w.ctx, []int64{id})
	if err != nil {
		return store.ClusterMember{}, err
	}
	if _, err := w.clusterMembers(clusters[id]); err != nil {
		return store.ClusterMember{}, err
	}
	if m, ok := w.attrs[id]; ok {
		return w.attrsOf(m), nil
	}
	return store.ClusterMember{ID: id}, nil
}

// clusterOf returns the cluster story id is in now.
func (w *session) clusterOf(id int64) (int64, error) {
	if m, ok := w.member[id]; ok {
		return m.Cluster, nil
	}
	got, err := w.st.ClustersOf(w.ctx, []int64{id})
	if err != nil {
		return 0, err
	}
	return got[id], nil
}

// prepare scores ids against the index on every core (related.Prepare),
// with derivation paused meanwhile; a few are left to Related, without
// pausing anything.
func (w *session) prepare(ids []int64) {
	if related.PreparesInParallel(len(ids)) {
		w.yield.Lock()
		defer w.yield.Unlock()
	}
	w.idx.Prepare(ids)
}

// refreshRelated places each story in ids in its cluster and recomputes
// its related list. The stories found related to one of them get it
// inserted into their own lists where it ranks (similarity is symmetric,
// so its score there is the same); stories that listed one of them before
// a change, and its copies, are recomputed in full, since it may no longer
// belong. The clusters that changed are ranked again last.
func (w *session) refreshRelated(ids []int64) error {
	done := map[int64]bool{}
	var relisted, copies []int64
	type insertion struct {
		into, id int64
		score    float64
	}
	var inserts []insertion
	w.prepare(ids)
	for _, id := range ids {
		listed, err := w.listedBy(id)
		if err != nil {
			return err
		}
		relisted = append(relisted, listed...)
		res, err := w.refreshOne(id, true)
		if err != nil {
			return err
		}
		done[id] = true
		for _, m := range res.Related {
			inserts = append(inserts, insertion{m.ID, id, m.Score})
		}
		for _, c := range res.Compared {
			if c.Evidence.Same {
				copies = append(copies, c.ID)
			}
		}
	}
	w.prepare(slices.DeleteFunc(relisted, func(id int64) bool { return done[id] }))
	for _, id := range relisted {
		if !done[id] {
			done[id] = true
			if _, err := w.refreshOne(id, false); err != nil {
				return err
			}
		}
	}
	// A copy's list may predate the story that joined its cluster in this
	// write, even when the copy was written earlier in it.
	w.prepare(copies)
	again := map[int64]bool{}
	for _, id := range copies {
		if !again[id] {
			again[id] = true
			done[id] = true
			if _, err := w.refreshOne(id, false); err != nil {
				return err
			}
		}
	}
	for _, in := range inserts {
		if done[in.into] {
			continue // its list was computed with everything in view
		}
		if list, was, changed := w.idx.Offer(in.into, in.id, in.score, relatedKept); changed {
			w.setList(in.into, list, was, true)
		}
	}
	return w.rankDirty()
}

// setList records story id's new related list. When the list stored
// before this write is known (known: was, the index's list for a story
// offered a neighbour, none for a story new in this write), the store
// writes only what differs from it; a list changed again in the same
// write is still compared with what was stored.
func (w *session) setList(id int64, list, was []related.Match, known bool) {
	if _, listed := w.ch.Lists[id]; !listed && known {
		if w.ch.ListsWas == nil {
			w.ch.ListsWas = map[int64][]store.Match{}
		}
		w.ch.ListsWas[id] = storeMatches(was)
	}
	if w.ch.Lists == nil {
		w.ch.Lists = map[int64][]store.Match{}
	}
	for _, m := range w.ch.Lists[id] {
		delete(w.listed[m.ID], id)
	}
	for _, m := range list {
		if w.listed[m.ID] == nil {
			w.listed[m.ID] = map[int64]bool{}
		}
		w.listed[m.ID][id] = true
	}
	w.ch.Lists[id] = storeMatches(list)
}

// storeMatches is list as the store takes it.
func storeMatches(list []related.Match) []store.Match {
	out := make([]store.Match, len(list))
	for i, m := range list {
		out[i] = store.Match{ID: m.ID, Cluster: m.Cluster, Score: m.Score}
	}
	return out
}

// listedBy returns the stories whose related list holds id: as stored,
// unless this write replaced their lists.
func (w *session) listedBy(id int64) ([]int64, error) {
	var stored []int64
	if !w.fresh[id] {
		var err error
		if stored, err = w.st.ListedBy(w.ctx, id); err != nil {
			return nil, err
		}
	}
	var out []int64
	for _, s := range stored {
		if _, replaced := w.ch.Lists[s]; !replaced {
			out = append(out, s)
		}
	}
	for _, s := range slices.Sorted(maps.Keys(w.listed[id])) {
		out = append(out, s)
	}
	return out, nil
}

// refreshOne recomputes story id's related list and, when place is set,
// its cluster from the copies found of it.
func (w *session) refreshOne(id int64, place bool) (related.Result, error) {
	var placeFn func([]related.Candidate) int64
	placed := false
	var err error
	if place {
		placeFn = func(compared []related.Candidate) int64 {
			placed = true
			var cluster int64
			cluster, err = w.place(id, compared)
			return cluster
		}
	}
	w.touched = true
	res := w.idx.Related(id, relatedKept, placeFn)
	if err != nil {
		return res, err
	}
	if place && !placed {
		// Not in the index (a draft, or in the trash): it keeps its cluster,
		// whose lead may change now that it is out of view.
		if err := w.ensureCluster(id); err != nil {
			return res, err
		}
	}
	w.setList(id, res.Related, nil, w.fresh[id])
	return res, nil
}

// place puts story id, just written, in the cluster its copies belong to
// (or a cluster of its own) and returns that cluster.
func (w *session) place(id int64, compared []related.Candidate) (int64, error) {
	m, err := w.membership(id)
	if err != nil {
		return 0, err
	}
	cur := m.Cluster
	if m.Pinned {
		return cur, nil
	}
	// Stories of this write not placed yet have no cluster to join: they
	// will find this one when placed.
	cands := slices.DeleteFunc(slices.Clone(compared), func(c related.Candidate) bool { return c.Cluster <= 0 })
	blocked, err := w.apartClusters(id)
	if err != nil {
		return 0, err
	}
	if choice, ok := related.Choose(cands, func(c int64) bool { return blocked[c] }); ok {
		w.joined[id] = true
		return choice.Cluster, w.setMember(id, cur, choice.Cluster, &choice, false)
	}
	if cur != 0 {
		members, err := w.clusterMembers(cur)
		if err != nil {
			return 0, err
		}
		others := 0
		for _, o := range members {
			if o.ID != id {
				others++
			}
		}
		if others == 0 {
			return cur, w.setMember(id, cur, cur, nil, false)
		}
	}
	cluster, err := w.newCluster(id)
	if err != nil {
		return 0, err
	}
	return cluster, w.setMember(id, cur, cluster, nil, false)
}

// newCluster adds a cluster led by story id, with an id reserved for it.
func (w *session) newCluster(id int64) (int64, error) {
	if w.nextCluster >= w.lastCluster {
		// More clusters than reserved (a story written twice in one
		// write): take one more.
		if w.inWrite {
			return 0, fmt.Errorf("desk: story %d needs more clusters than its batch reserved", id)
		}
		if _, err := w.reserve(0, 1); err != nil {
			return 0, err
		}
	}
	c := w.nextCluster
	w.nextCluster++
	w.ch.NewClusters = append(w.ch.NewClusters, store.NewCluster{ID: c, Lead: id})
	w.members[c] = nil
	return c, nil
}

// setMember records story id in cluster (moving it from cluster from, 0
// for none) with the evidence of the match, nil for a story alone. It
// leaves the related index alone: place runs while the index is locked,
// and the index records the cluster place returns.
func (w *session) setMember(id, from, cluster int64, match *related.Candidate, pinned bool) error {
	m := store.Member{Story: id, Cluster: cluster, Evidence: "{}", Pinned: pinned}
	if match != nil {
		m.Matched = match.ID
		m.Score = match.Evidence.Score
		b, _ := json.Marshal(match.Evidence)
		m.Evidence = string(b)
	}
	// What ranking sees of it is read from where it was, before it moves.
	if _, err := w.memberAttrs(id); err != nil {
		return err
	}
	w.ch.Members = append(w.ch.Members, m)
	w.member[id] = store.Membership{Cluster: cluster, Pinned: pinned}
	if from == cluster && match == nil {
		return nil // alone, and staying so
	}
	if from != 0 || match != nil {
		// A new story alone leads its new cluster already (rank 0).
		w.markDirty(from, cluster)
	}
	return nil
}

func (w *session) markDirty(clusters ...int64) {
	for _, c := range clusters {
		if c > 0 {
			w.dirty[c] = true
		}
	}
}

// ensureCluster gives story id a cluster of its own if it has none, and
// marks its cluster for ranking again.
func (w *session) ensureCluster(id int64) error {
	m, err := w.membership(id)
	if err != nil {
		return err
	}
	if m.Cluster != 0 {
		w.markDirty(m.Cluster)
		return nil
	}
	cluster, err := w.newCluster(id)
	if err != nil {
		return err
	}
	return w.setMember(id, 0, cluster, nil, false)
}

// apartClusters returns the clusters holding a story an editor split
// story id from.
func (w *session) apartClusters(id int64) (map[int64]bool, error) {
	if w.fresh[id] {
		return nil, nil
	}
	others, err := w.st.ApartFrom(w.ctx, id)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]bool, len(others))
	for _, o := range others {
		c, err := w.clusterOf(o)
		if err != nil {
			return nil, err
		}
		out[c] = true
	}
	return out, nil
}

// rankDirty ranks the members of every cluster that changed in this
// write, lead first, and drops clusters left empty.
func (w *session) rankDirty() error {
	for _, c := range slices.Sorted(maps.Keys(w.dirty)) {
		if err := w.rank(c); err != nil {
			return err
		}
	}
	w.dirty = map[int64]bool{}
	return nil
}

// rank orders cluster's members by related.LeadOrder and records the lead.
func (w *session) rank(cluster int64) error {
	members, err := w.clusterMembers(cluster)
	if err != nil {
		return err
	}
	if len(members) == 0 {
		w.ch.Dropped = append(w.ch.Dropped, cluster)
		return nil
	}
	chosen, ok := w.chosen[cluster]
	if !ok {
		chosen = w.chosenStored[cluster]
	}
	plain := make([]related.Member, len(members))
	was := map[int64]int{}
	for i, m := range members {
		fp, _ := related.FingerprintFrom(m.Print)
		plain[i] = related.Member{ID: m.ID, Published: m.Published, Original: m.Original, Full: fp.Full(), Visible: m.Visible}
		was[m.ID] = m.Rank
		if r, ok := w.ch.Ranks[m.ID]; ok {
			was[m.ID] = r
		}
	}
	order := related.LeadOrder(plain, chosen)
	if w.ch.Ranks == nil {
		w.ch.Ranks = map[int64]int{}
	}
	for rank, id := range order {
		if was[id] != rank {
			w.ch.Ranks[id] = rank
		}
	}
	if w.ch.Leads == nil {
		w.ch.Leads = map[int64]int64{}
	}
	w.ch.Leads[cluster] = order[0]
	return nil
}

// relistCluster ranks the changed clusters and recomputes the related
// lists of the stories whose cluster changed, and of the stories listing
// them.
func (w *session) relistCluster(ids []int64) error {
	if err := w.rankDirty(); err != nil {
		return err
	}
	done := map[int64]bool{}
	for _, id := range ids {
		listed, err := w.listedBy(id)
		if err != nil {
			return err
		}
		for _, l := range append(listed, id) {
			if !done[l] {
				done[l] = true
				if _, err := w.refreshOne(l, false); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
