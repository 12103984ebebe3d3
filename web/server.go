// Package web is newsdesk's HTTP side: Echo routes, middleware, handlers
// and the error pages.
package web

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"newsdesk/internal/media"
	"newsdesk/internal/news"
	"newsdesk/static"
)

// Store is what the handlers read from and write to. It is made of small
// role interfaces, so that a store (*sqlite.DB, a PostgreSQL store) can be
// checked role by role, and so that the story writes are seen to go
// through the application layer (*desk.Desk is a StoryWriter);
// cmd/newsdesk joins the two.
type Store interface {
	Pages
	Settings
	Accounts
	Newsroom
	StoryWriter
	Comments
	media.Store // pictures: Image, SaveImage, ImagesByURL
	SharedState // rate limits and the setup link, shared by every node
}

// Pages is what reader pages, feeds and sitemaps read.
type Pages interface {
	Ping(ctx context.Context) error
	// Version grows with every write. A store that is also a ChangeLog
	// says what changed.
	Version() int64
	StoryBySlug(ctx context.Context, slug string) (*news.Story, error)
	Stories(ctx context.Context, f news.StoryFilter) ([]*news.Story, bool, error)
	Related(ctx context.Context, id int64, limit int) ([]news.Related, error)
	CopyStories(ctx context.Context, s *news.Story) ([]*news.Story, error)
	Versions(ctx context.Context, s *news.Story) (versions []*news.Story, lead *news.Story, err error)
	Sections(ctx context.Context) ([]news.Section, error)
	TrendingTags(ctx context.Context, window time.Duration, n int) ([]news.Tag, error)
	Source(ctx context.Context, slug string) (news.Source, error)
	Section(ctx context.Context, slug string) (news.Section, error)
	Tag(ctx context.Context, slug string) (news.Tag, error)
	Author(ctx context.Context, slug string) ([]string, error)
	Sources(ctx context.Context) ([]news.Source, error)
	Search(ctx context.Context, f news.SearchFilter) (news.SearchResult, error)
	FillTags(ctx context.Context, list []*news.Story) error
	FillBodies(ctx context.Context, list []*news.Story) error
	FeedIdentity(ctx context.Context, authority string) (string, time.Time, error)
	StoryMonths(ctx context.Context) ([]news.Month, error)
	StoriesInMonth(ctx context.Context, year, month, offset, limit int) ([]*news.Story, error)
	ListPages(ctx context.Context) ([]news.ListPage, error)
	StoriesSince(ctx context.Context, t time.Time, limit int) ([]*news.Story, error)
	ImageFile(ctx context.Context, id string, width int, typ string) (news.ImageFile, error)
}

// Settings are the site's stored settings and secret.
type Settings interface {
	TimeZone(ctx context.Context) (string, error)
	SetTimeZone(ctx context.Context, name string) error
	CommentSettings(ctx context.Context) (news.CommentSettings, error)
	SetCommentSettings(ctx context.Context, set news.CommentSettings) error
	Secret(ctx context.Context) ([]byte, error)
}

// Accounts are the newsroom's users and their sessions.
type Accounts interface {
	UserCount(ctx context.Context) (int, error)
	CreateUser(ctx context.Context, u *news.User, password string) error
	User(ctx context.Context, id int64) (*news.User, error)
	UserByEmail(ctx context.Context, email string) (*news.User, error)
	Users(ctx context.Context) ([]*news.User, error)
	SetUserAccess(ctx context.Context, id int64, role string, disabled bool) error
	SetPassword(ctx context.Context, id int64, password string) error
	CreateSession(ctx context.Context, userID int64) (string, error)
	SessionUser(ctx context.Context, token string) (*news.User, error)
	EndSession(ctx context.Context, token string) error
}

// Newsroom is what the newsroom's pages read, and the taxonomy writes
// that derive nothing.
type Newsroom interface {
	StoryByID(ctx context.Context, id int64) (*news.Story, error)
	AdminStories(ctx context.Context, f news.AdminFilter) ([]*news.Story, int, error)
	Revisions(ctx context.Context, storyID int64) ([]news.Revision, error)
	Revision(ctx context.Context, storyID int64, number int) (news.Revision, error)
	Cluster(ctx context.Context, storyID int64) (news.Cluster, error)
	StoryIDByRef(ctx context.Context, ref string) (int64, error)
	OriginalSources(ctx context.Context) (map[int64]bool, error)
	AllSections(ctx context.Context) ([]news.Section, error)
	AllSources(ctx context.Context) ([]news.Source, error)
	Names(ctx context.Context, f news.NameFilter) ([]news.Name, int, error)
	DeleteName(ctx context.Context, kind string, id int64) error
	AddSection(ctx context.Context, name string) error
	PendingComments(ctx context.Context) (int, error)
}

// StoryWriter is every write that changes a story, its related lists or
// its cluster: the application layer (*desk.Desk) derives and decides
// before the store persists.
type StoryWriter interface {
	CreateStory(ctx context.Context, s *news.Story, userID int64) error
	UpdateStory(ctx context.Context, s *news.Story, base int, userID int64) error
	TrashStory(ctx context.Context, id int64) error
	RestoreStory(ctx context.Context, id int64) error
	EmptyTrash(ctx context.Context) (int, error)
	ChooseLead(ctx context.Context, storyID, userID int64) error
	SplitStory(ctx context.Context, storyID, userID int64) error
	MergeClusters(ctx context.Context, storyID, intoID, userID int64) error
	SetSourceOriginal(ctx context.Context, id int64, original bool) error
	Rename(ctx context.Context, kind string, id int64, name string) error
	MergeTags(ctx context.Context, fromSlug, intoSlug string) error
}

// Comments are readers' comments and their moderation.
type Comments interface {
	Comments(ctx context.Context, storyID int64) ([]*news.Comment, error)
	AddComment(ctx context.Context, c *news.Comment, autoApprove bool) error
	ModerationQueue(ctx context.Context, status string, limit int) ([]*news.Comment, error)
	CommentCounts(ctx context.Context) (map[string]int, error)
	ModerateComments(ctx context.Context, ids []int64, status string) error
}

// ChangeLog is a store that says what the writes after a data version
// changed, as cache keys (news.StoryKey …): the render cache then throws
// away only the pages showing them. With a store that is not one, every
// write empties the cache.
type ChangeLog interface {
	Changes(since int64) news.Changes
}

// Config is how the site is run.
type Config struct {
	SiteName string
	BaseURL  string // absolute URL used in feeds, sitemaps and canonical links
	Now      func() time.Time
	Logger   *slog.Logger
	// PageCacheBytes bounds the in-memory render cache; 0 turns it off.
	PageCacheBytes int
	// PageCacheControl is the Cache-Control of reader pages.
	PageCacheControl string
	// TrustProxy takes the client address from X-Forwarded-For and the
	// scheme from X-Forwarded-Proto; only behind a proxy that sets them.
	TrustProxy bool
	// Feeds manages the feeds serve polls, on the newsroom's sources page.
	Feeds Feeds
	// Pictures makes the pictures editors upload or name by URL; nil
	// means uploads only (pictures by URL are not fetched).
	Pictures *media.Pictures
	// ReadHeaderTimeout bounds how long a client may take to send its
	// request headers; 0 means 5 seconds.
	ReadHeaderTimeout time.Duration
	// HeavyRequests bounds the uncached searches served at once; 0 means
	// half the cores, and all of them while no other request came in the
	// last 50 ms. More wait up to 50 ms, then get 503.
	HeavyRequests int
}

// Defaults for Config.
const (
	DefaultPageCacheBytes   = 64 << 20
	DefaultPageCacheControl = "public, max-age=60, stale-while-revalidate=600"
	// pageTTL is the longest the render cache keeps a page: writes throw
	// pages away as they change them, and pages expire sooner when a
	// relative time on them would read differently; this bounds what
	// else the clock changes (trending tags move over three days).
	pageTTL = 10 * time.Minute
)

// Server is the newsdesk web site.
type Server struct {
	e      *echo.Echo
	cfg    Config
	store  Store
	assets *static.Assets
	log    *slog.Logger
	cache  *pageCache // nil when off
	gate   *gate      // admits uncached searches
	// gateFull counts requests the gate turned away.
	gateFull atomic.Int64
	// lastOther is when the last request other than a search came
	// (UnixNano): the gate lends searches the spare cores only after a
	// quiet while (othersQuiet).
	lastOther atomic.Int64
	logins    *limiter
	cop       *http.CrossOriginProtection
	secret    []byte
	// atomID prefixes Atom ids; atomStarted is when it was minted.
	atomID      string
	atomStarted time.Time
	pics        *media.Pictures

	commentsByIP, commentsByStory *limiter
	feeds                         Feeds

	sections   versioned[[]news.Section]
	commentSet versioned[news.CommentSettings]
	trending   versioned[[]news.Tag]
	sources    versioned[[]news.Source]
	busy       versioned[[]byte]
	zone       versioned[*time.Location]
}

// New builds the server over store.
func New(cfg Config, store Store) (*Server, error) {
	if cfg.SiteName == "" {
		cfg.SiteName = "Newsdesk"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	assets, err := static.Load()
	if err != nil {
		return nil, err
	}
	if cfg.PageCacheControl == "" {
		cfg.PageCacheControl = DefaultPageCacheControl
	}
	secret, err := store.Secret(context.Background())
	if err != nil {
		return nil, err
	}
	authority := "localhost"
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Hostname() != "" {
		authority = u.Hostname()
	}
	atomID, atomStarted, err := store.FeedIdentity(context.Background(), authority)
	if err != nil {
		return nil, err
	}
	s := &Server{e: echo.New(), cfg: cfg, store: store, assets: assets, log: cfg.Logger, secret: secret,
		atomID: atomID, atomStarted: atomStarted,
		logins: newLimiter(store, "login", failureWindow), cop: http.NewCrossOriginProtection(),
		commentsByIP:    newLimiter(store, "comment-ip", commentIPWindow),
		commentsByStory: newLimiter(store, "comment-story", commentBurstWindw)}
	s.gate = newGate(cfg.HeavyRequests, runtime.GOMAXPROCS(0), 50*time.Millisecond, s.othersQuiet)
	s.feeds = cfg.Feeds
	if fs, ok := store.(FeedStore); ok && s.feeds.Store == nil {
		s.feeds.Store = fs
	}
	if cfg.PageCacheBytes > 0 {
		s.cache = newPageCache(cfg.PageCacheBytes)
		s.startCache(context.Background())
	}
	s.pics = cfg.Pictures
	if s.pics == nil {
		s.pics = &media.Pictures{Store: store} // uploads only: no fetcher
	}
	s.e.HideBanner = true
	s.e.HidePort = true
	// The client address is the peer's unless a proxy is trusted to say.
	s.e.IPExtractor = echo.ExtractIPDirect()
	if cfg.TrustProxy {
		s.e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	s.e.HTTPErrorHandler = s.handleError
	s.middleware()
	s.routes()
	return s, nil
}

// ServeHTTP lets the server be used as an http.Handler. HEAD requests are
// answered by the GET handlers: net/http knows the request was HEAD and
// drops the body.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		r = r.Clone(r.Context())
		r.Method = http.MethodGet
	}
	if r.URL.Path != searchPath {
		s.noteOther()
	}
	if s.cache != nil && r.Method == http.MethodGet && s.serveCached(w, r) {
		return
	}
	s.e.ServeHTTP(w, r)
}

// HTTPServer returns an http.Server for s with every timeout set, so that
// slow or idle clients cannot hold connections forever.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: cmp.Or(s.cfg.ReadHeaderTimeout, 5*time.Second),
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Serve serves on ln until ctx is cancelled, then shuts down gracefully,
// giving in-flight requests up to 10 seconds to finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := s.HTTPServer(ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
