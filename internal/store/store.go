// Package store holds the plain values that pass between the application
// layer (internal/desk), which derives and decides, and a store
// (internal/sqlite, a PostgreSQL store), which only persists: stories with
// everything derived from them, and the related lists and cluster
// placements desk decided. It imports nothing but news, so that a store
// never depends on the derivation packages.
package store

import (
	"time"

	"newsdesk/internal/news"
)

// Derived is what desk computed from a story for storage beside it.
type Derived struct {
	Text   string // plain text of the body: stories.body_text and the full-text body
	Hash   string // content fingerprint of what a feed controls (stories.content_hash)
	Vector string // related-index terms, "term:tf term:tf …" (story_vectors.terms)
	Print  []byte // copy-detection fingerprint (story_vectors.minhash)
}

// Story is a story to store with everything derived from it. Story has
// its derived fields set (BodyHTML, KeyPoints, ReadingMinutes, a summary
// and tags when absent) and its ID: for a new story one that ReserveIDs
// handed out. The store resolves names to ids (source, section, tags),
// gives a blank slug a unique one made from the title, and sets the ids
// and slug on Story.
type Story struct {
	Story *news.Story
	Derived
}

// Match is one entry of a story's related list.
type Match struct {
	ID      int64
	Cluster int64 // the related story's cluster; read back by IndexLists, never written
	Score   float64
}

// Member places a story in a cluster (cluster_members and
// stories.cluster_id): Matched is the story it was found a copy of (0 when
// alone), with Score and Evidence (JSON, "{}" when alone).
type Member struct {
	Story, Cluster int64
	Matched        int64
	Score          float64
	Evidence       string
	Pinned         bool // an editor placed it: detection never moves it
}

// Changes are the related lists and cluster decisions of one write, to be
// stored in the write's transaction after its stories, in this order:
// NewClusters, Members, Ranks, Leads, Dropped, Lists, Reindexed.
type Changes struct {
	NewClusters []NewCluster
	Members     []Member
	Ranks       map[int64]int     // story → cluster_rank, only those that changed
	Leads       map[int64]int64   // cluster → its lead story (clusters.lead_id; updated_at = now)
	Dropped     []int64           // clusters left without members: deleted
	Lists       map[int64][]Match // story → its whole related list, best first, replacing the stored one (empty deletes)
	// ListsWas holds, for a list in Lists, the list stored before this
	// write when the writer knows it (nil for none): only the rows that
	// differ from it are written. A list without an entry here is
	// written whole, and whatever else is stored for its story deleted.
	ListsWas map[int64][]Match
	// Reindexed are stored stories whose full-text row and vector are
	// written again (the story row itself is not): after a trash,
	// restore, publish, rename, or an upgrade's re-placement.
	Reindexed []Story
	// Quiet says readers see nothing new: the data version is not raised.
	Quiet bool
}

// NewCluster is a cluster to add with a reserved id, led by Lead.
type NewCluster struct {
	ID, Lead int64
}

// Empty reports whether c stores nothing.
func (c *Changes) Empty() bool {
	return len(c.NewClusters) == 0 && len(c.Members) == 0 && len(c.Ranks) == 0 && len(c.Leads) == 0 &&
		len(c.Dropped) == 0 && len(c.Lists) == 0 && len(c.Reindexed) == 0
}

// Indexed is one story of the related index as stored: the stories that
// are neither drafts nor trashed and have a vector.
type Indexed struct {
	ID        int64
	Section   string // section slug
	Published time.Time
	Cluster   int64
	Vector    string
	Print     []byte
}

// Stored is what an import needs to know of the stored story an item
// matches by URL, else GUID.
type Stored struct {
	ID           int64
	Slug         string
	FeedHash     string // what the feed last gave (story_edits.feed_hash, else content_hash)
	Trashed      bool
	EditorFields []string // fields an editor changed: a feed update keeps them
}

// Membership is a story's place in the clusters as stored.
type Membership struct {
	Cluster int64 // 0: the story has no cluster_members row
	Pinned  bool
}

// ClusterMember is what ranking a cluster's members looks at.
type ClusterMember struct {
	ID        int64
	Published time.Time
	Original  bool   // its source is original (a wire, the site's newsroom)
	Print     []byte // its fingerprint, nil when it has no vector
	Visible   bool   // published or scheduled, not trashed
	Rank      int    // stories.cluster_rank as stored
	SourceID  int64
}

// SourceInfo is what desk needs of a source by name.
type SourceInfo struct {
	Exists     bool
	Original   bool
	HasStories bool // a story is filed under it
}

// Imported is one item of an import to store: Added (inserted with the
// reserved Story.ID) or Updated (a feed's new version of stored story
// Old, whose editor's fields and status desk kept; FeedHash is the
// fingerprint of what the feed gave, EditorFields as stored).
type Imported struct {
	Story
	Outcome      news.Outcome
	Old          *news.Story
	FeedHash     string
	EditorFields []string
}

// Override is an editor's change of the clusters, recorded in cluster_log.
type Override struct {
	Action       string // "lead", "split", "merge"
	Cluster      int64  // the cluster logged
	Story, Other int64  // Other: the new cluster of a split, the cluster merged from
	UserID       int64
	ChosenLead   int64      // "lead": clusters.chosen_lead of Cluster becomes Story
	ClearChosen  bool       // "split": Cluster's chosen lead is cleared if it was Story
	Apart        [][2]int64 // pairs to keep apart from now on
	Together     [][2]int64 // pairs no longer kept apart
}
