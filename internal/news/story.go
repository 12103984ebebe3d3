package news

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Story statuses.
const (
	StatusDraft     = "draft"
	StatusScheduled = "scheduled"
	StatusPublished = "published"
)

// Limits on story fields.
const (
	MaxTitleLen = 300
	MaxBodyLen  = 512 << 10
	MaxTags     = 12
)

// Story is one news story as readers and editors see it.
type Story struct {
	ID      int64
	Slug    string
	Title   string
	Summary string
	// Body is the Markdown source; BodyHTML is it rendered and sanitized.
	Body     string
	BodyHTML string

	Source   Source
	Section  Section // zero when the story has none
	Tags     []Tag
	URL      string // original article URL, the de-duplication key
	GUID     string // feed guid, the key when there is no URL
	Author   string
	Dateline string
	// ImageURL is where a feed's picture came from (fetched, never
	// hot-linked); Image is the picture the site made of it or of an
	// upload, with its alt text, caption and credit.
	ImageURL     string
	ImageAlt     string
	Image        Image
	ImageCaption string
	ImageCredit  string

	Status      string
	PublishedAt time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// RevisedAt is when readers last saw the story change (an editor's
	// correction, a feed's update); zero when they never did. Only the
	// article read fills it.
	RevisedAt time.Time

	// Derived on write.
	// Text is the plain text of the body, for search snippets; only
	// search results and writes carry it.
	Text           string
	KeyPoints      []string
	ReadingMinutes int
	ClusterID      int64
	// Alone says the story's cluster holds no other version that is
	// neither a draft nor trashed, so it has no copies to show. Only the
	// article read sets it; false may mean not looked at.
	Alone        bool
	CommentCount int
	// Copy is set by a write that found the story to be a copy of one
	// already stored (it joined that story's cluster).
	Copy bool
	// AlsoCoveredBy names the sources of the story's other versions, on
	// cards in lists that show one card per story cluster.
	AlsoCoveredBy []Source

	// Newsroom state.
	Revision       int  // number of the last saved revision
	Trashed        bool // in the trash
	CommentsClosed bool // no new comments on this story
}

// Source is the publisher a story came from.
type Source struct {
	ID   int64
	Name string
	Slug string
}

// Section is a department of the site, such as World or Sport.
type Section struct {
	ID   int64
	Name string
	Slug string
}

// Tag is a topic a story is filed under, shown as a hashtag.
type Tag struct {
	ID    int64
	Name  string
	Slug  string
	Count int // stories carrying it, where a query counts them
}

// Related is a story shown beside another, with the other sources carrying
// the same story.
type Related struct {
	Story         *Story
	AlsoCoveredBy []Source
	// Nearby says the story is not a close neighbour but a recent story
	// of the same section or tags, listed because too few neighbours were.
	Nearby bool
}

// Validate checks s and returns an EINVALID *Error naming each bad field.
func (s *Story) Validate() error {
	f := map[string]string{}
	s.Title = strings.TrimSpace(s.Title)
	switch n := utf8.RuneCountInString(s.Title); {
	case n == 0:
		f["title"] = "Title is required."
	case n > MaxTitleLen:
		f["title"] = "Title must be at most 300 characters."
	}
	if strings.TrimSpace(s.Body) == "" {
		f["body"] = "Body is required."
	} else if len(s.Body) > MaxBodyLen {
		f["body"] = "Body is too long."
	}
	if s.Slug != "" && !ValidSlug(s.Slug) {
		f["slug"] = "Slug may use lowercase letters, digits and single hyphens."
	}
	if s.PublishedAt.IsZero() {
		f["published_at"] = "Publish time is required."
	}
	switch s.Status {
	case StatusDraft, StatusScheduled, StatusPublished:
	default:
		f["status"] = "Status must be draft, scheduled or published."
	}
	if s.URL != "" && !IsWebURL(s.URL) {
		f["url"] = "Original URL must be an absolute http or https URL."
	}
	if s.ImageURL != "" && !IsWebURL(s.ImageURL) {
		f["image_url"] = "Image URL must be an absolute http or https URL."
	}
	if (s.ImageURL != "" || s.Image.ID != "") && strings.TrimSpace(s.ImageAlt) == "" {
		f["image_alt"] = "Describe the image for readers who cannot see it."
	}
	if len(s.Tags) > MaxTags {
		f["tags"] = "Use at most 12 tags."
	}
	for _, t := range s.Tags {
		if t.Slug == "" {
			f["tags"] = "Each tag needs at least one letter or digit."
		}
	}
	if len(f) > 0 {
		e := Errorf(EINVALID, "The story has %d problem(s).", len(f))
		e.Fields = f
		return e
	}
	return nil
}

// IsWebURL reports whether s is an absolute http(s) URL with a host.
func IsWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// NewTags turns names into tags, dropping blanks and repeats by slug.
// Control characters in a name are spaces.
func NewTags(names []string) []Tag {
	var out []Tag
	seen := map[string]bool{}
	for _, n := range names {
		n = OneSpaced(strings.TrimPrefix(strings.TrimSpace(NoControls(n)), "#"))
		slug := Slugify(n)
		if n == "" || seen[slug] {
			continue
		}
		seen[slug] = true
		out = append(out, Tag{Name: n, Slug: slug})
	}
	return out
}

// Page is a window on a list: 1-based page number and its size.
type Page struct {
	Number int
	Size   int
}

// Offset returns the number of items before the page.
func (p Page) Offset() int { return (p.Number - 1) * p.Size }

// StoryFilter selects stories for a list.
type StoryFilter struct {
	TagSlug     string
	SourceSlug  string
	SectionSlug string
	Authors     []string // bylines written exactly so (one author's spellings)
	Page        Page
	WithBody    bool // load the bodies too (feeds); lists need only cards
}

// Outcome says what writing a story did.
type Outcome int

// Outcomes of writing a story.
const (
	Added     Outcome = iota + 1
	Updated           // an earlier version, found by URL or GUID, was replaced
	Unchanged         // the same story was already stored as it is
)

// Month is a calendar month with visible stories: how many, and the
// latest change among them.
type Month struct {
	Year, Month int
	Count       int
	LastMod     time.Time
}

// ListPage is a tag, source or section page and its newest story's time.
type ListPage struct {
	Path    string
	LastMod time.Time
}

// HasSection reports whether list has a section called name.
func HasSection(list []Section, name string) bool {
	for _, s := range list {
		if s.Name == name {
			return true
		}
	}
	return false
}

// wireAgencies are news agencies whose stories others syndicate.
var wireAgencies = map[string]bool{
	"ap": true, "associated press": true, "reuters": true, "afp": true, "agence france-presse": true,
	"bloomberg": true, "dpa": true, "efe": true, "ansa": true, "kyodo": true, "kyodo news": true,
	"xinhua": true, "pa media": true, "press association": true, "upi": true, "aap": true,
	"australian associated press": true, "canadian press": true, "the canadian press": true,
	"press trust of india": true, "pti": true, "yonhap": true, "tass": true, "anadolu agency": true,
}

// OriginalByDefault reports whether a new source called name is taken for
// an original source (a wire or the site's own newsroom), whose version of
// a story leads over a syndicator's. Editors change it per source in the
// admin; this is only the starting point: news agencies by name, names
// ending in "Wire", "Press" or "News Agency", and newsroom names ("… Staff",
// "… Newsroom").
func OriginalByDefault(name string) bool {
	n := strings.ToLower(OneSpaced(name))
	if wireAgencies[n] {
		return true
	}
	for _, suffix := range []string{" wire", " press", " news agency", " staff", " newsroom"} {
		if strings.HasSuffix(n, suffix) {
			return true
		}
	}
	return false
}

// Cluster is a story cluster as the newsroom sees it: every version of
// one story, best-ranked first, and the overrides editors made.
type Cluster struct {
	ID         int64
	Lead       int64 // the story lists show
	ChosenLead int64 // an editor's choice of lead, 0 for none
	Members    []ClusterMember
	Log        []ClusterEvent
}

// ClusterMember is one version in a cluster and why it is there.
type ClusterMember struct {
	Story     *Story
	MatchedID int64  // the version it was found to copy, 0 for the first
	Evidence  string // the signals that matched, for people
	Pinned    bool   // placed by an editor: detection leaves it
}

// ClusterEvent is one editor override of a cluster.
type ClusterEvent struct {
	Action     string // lead, split, merge
	StoryTitle string
	UserName   string
	At         time.Time
}
