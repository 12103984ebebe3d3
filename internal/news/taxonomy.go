package news

// NameFilter selects the sources, sections or tags the newsroom manages.
type NameFilter struct {
	Kind  string // "sources", "sections" or "tags"
	Query string // part of the name or slug; "" for all
	ID    int64  // only this one, when not 0
	Page  Page
}

// Name is a source, section or tag as the newsroom manages it, with the
// number of stories filed under it, drafts and the trash included.
type Name struct {
	ID      int64
	Name    string
	Slug    string
	Stories int
}
