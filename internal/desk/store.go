package desk

import (
	"context"
	"time"

	"newsdesk/internal/news"
	"newsdesk/internal/store"
)

// Store is the persistence desk needs: the state it decides on, and one
// transaction per write that stores what desk derived and decided, and
// nothing more. *sqlite.DB is one; a PostgreSQL store is another.
//
// Desk calls the writes one at a time (it holds its own lock around
// deciding and storing). Every Save* method is ONE transaction: it checks
// its preconditions, stores the stories given, then the Changes (in the
// order documented on store.Changes), and raises the data version unless
// Changes.Quiet. It derives nothing: no Markdown, no text, no related
// lists, no clusters.
type Store interface {
	IndexSource
	StateReader
	Writer
}

// IndexSource is what desk loads its in-memory related index from.
type IndexSource interface {
	// IndexStories calls fn with every story that is neither a draft nor
	// trashed and has a vector (story_vectors), in id order.
	IndexStories(ctx context.Context, fn func(store.Indexed) error) error
	// IndexLists calls fn with every stored related list (story_related),
	// best first (by score, then id, as related.Index ranks), each match
	// with its story's cluster.
	IndexLists(ctx context.Context, fn func(id int64, list []store.Match) error) error
}

// StateReader reads the committed state desk decides on. Reads happen
// before the write transaction, under desk's lock.
type StateReader interface {
	// StoryByID returns story id in any state, with tags and revision.
	StoryByID(ctx context.Context, id int64) (*news.Story, error)
	// StoredByKeys returns, for each story given (matched by URL, else
	// GUID), the stored story it matches; missing when none.
	StoredByKeys(ctx context.Context, stories []*news.Story) (map[*news.Story]store.Stored, error)
	// Memberships returns the cluster_members row of each story id (a
	// zero Membership when it has none).
	Memberships(ctx context.Context, ids []int64) (map[int64]store.Membership, error)
	// ClusterMembers returns every story of cluster (stories.cluster_id),
	// drafts and trashed ones too, and the editor's chosen lead (0 none).
	ClusterMembers(ctx context.Context, cluster int64) ([]store.ClusterMember, int64, error)
	// ClustersOf returns stories.cluster_id of each story id.
	ClustersOf(ctx context.Context, ids []int64) (map[int64]int64, error)
	// ApartFrom returns the stories an editor split story id from.
	ApartFrom(ctx context.Context, id int64) ([]int64, error)
	// ListedBy returns the stories whose related list holds id.
	ListedBy(ctx context.Context, id int64) ([]int64, error)
	// Sources returns what is stored of each source name given.
	SourceInfo(ctx context.Context, names []string) (map[string]store.SourceInfo, error)
	// StoryIDsOf returns the ids of the stories of a source ("sources"),
	// a tag ("tags") with the given id, the trashed ones ("trash", id 0),
	// or the scheduled ones due at or before now ("due", id = Unix time).
	StoryIDsOf(ctx context.Context, kind string, id int64) ([]int64, error)
	// CheckStory reports, before anything is derived, what would make
	// saving s fail: a slug or URL another story uses (EINVALID with
	// fields); for an edit (base > 0) a missing, trashed, or newer story
	// (ENOTFOUND, ECONFLICT). It fills a blank slug of an edit with the
	// stored one. The Save* methods check again inside their transaction.
	CheckStory(ctx context.Context, s *news.Story, base int) error
	// TextTodo returns up to limit stories (id → Markdown body) stored
	// before plain text was kept (body_text NULL).
	TextTodo(ctx context.Context, limit int) (map[int64]string, error)
	// Now is the store's clock.
	Clock() time.Time
}

// Writer stores what desk decided. Each method is one transaction.
type Writer interface {
	// ReserveIDs hands out story and cluster ids no other writer (another
	// process, another node) will use: [firstStory, firstStory+stories)
	// and [firstCluster, firstCluster+clusters).
	ReserveIDs(ctx context.Context, stories, clusters int) (firstStory, firstCluster int64, err error)
	// SaveImport stores an import batch: added stories inserted with their
	// reserved ids, updated ones as feed updates (revision kept, editor
	// bookkeeping in story_edits), then the changes decide returns. The
	// store may call decide inside its write transaction, while it writes
	// the stories' rows: decide reads the stories and changes none of
	// them, writes nothing through the store, and sets each item's
	// Vector, which the store reads once decide returns. Should decide
	// fail, nothing is stored.
	SaveImport(ctx context.Context, items []store.Imported, decide func() (store.Changes, error)) error
	// SaveNewStory stores a story written in the newsroom (revision 1,
	// every field the editor's; its source made original when it is the
	// source's first story), then ch.
	SaveNewStory(ctx context.Context, s store.Story, userID int64, ch store.Changes) error
	// SaveEdit stores an editor's save of story s.Story.ID made from
	// revision base: ECONFLICT when someone saved it since or trashed it.
	SaveEdit(ctx context.Context, s store.Story, base int, userID int64, ch store.Changes) error
	// SaveTrashed moves story id to the trash (or out of it), then ch
	// (which reindexes it).
	SaveTrashed(ctx context.Context, id int64, trashed bool, ch store.Changes) error
	// SavePublished marks the scheduled stories ids published (those
	// still due), then ch.
	SavePublished(ctx context.Context, ids []int64, ch store.Changes) error
	// SaveEmptyTrash deletes every trashed story and returns how many.
	SaveEmptyTrash(ctx context.Context) (int, error)
	// SaveOverride records an editor's cluster override, then ch.
	SaveOverride(ctx context.Context, o store.Override, ch store.Changes) error
	// SaveSourceOriginal marks source id original or not, then ch.
	SaveSourceOriginal(ctx context.Context, id int64, original bool, ch store.Changes) error
	// SaveRename renames a source, section or tag ("sources", "sections",
	// "tags"), keeping its slug.
	SaveRename(ctx context.Context, kind string, id int64, name string) error
	// SaveTagMerge files the stories tagged fromSlug under intoSlug, deletes
	// fromSlug, and returns the stories that moved.
	SaveTagMerge(ctx context.Context, fromSlug, intoSlug string) ([]int64, error)
	// SaveChanges stores ch alone (re-placing stale stories, reindexing
	// after a rename).
	SaveChanges(ctx context.Context, ch store.Changes) error
	// SaveText stores the plain text of stories stored before it was kept.
	SaveText(ctx context.Context, texts map[int64]string) error
}
